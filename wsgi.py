"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from FEEDS_* variables."""

from feeds.web import create_app

app = create_app()
