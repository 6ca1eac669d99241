"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from FEEDS_* variables."""

from feeds import gctune
from feeds.serve.app import create_app

gctune.tune()  # this process keeps calendars loaded: rarer collections (feeds.gctune)
app = create_app()
