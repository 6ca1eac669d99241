"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from FEEDS_* variables."""

from feeds.serve.app import create_app

app = create_app()
