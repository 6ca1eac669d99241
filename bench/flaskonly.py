"""Our app with every request going through Flask: the comparison row for the below-Flask path.

``gunicorn bench.flaskonly:app``; settings from FEEDS_* variables, as wsgi.py.
"""

from feeds import gctune
from feeds.serve import app as app_module

gctune.tune()  # as wsgi.py
app = app_module.create_app()
if hasattr(app_module, "FastPath") and isinstance(app.wsgi_app, app_module.FastPath):
    app.wsgi_app = app.wsgi_app.wsgi_app
