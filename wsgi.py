"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from FEEDS_* variables."""

from feeds import gcpause
from feeds.serve.app import create_app

gcpause.tune()  # this process keeps calendars loaded: rarer collections (feeds.gcpause)
app = create_app()
