"""The framework floor: a Flask app answering constant bytes, run under the same gunicorn settings.

Loads the files of an export (``BENCH_EXPORT``) once and serves each as it is,
with no headers, lookups or revalidation logic: a request with
``If-None-Match`` gets an empty 304. Whatever our app costs beyond this is ours.
"""

import os
from pathlib import Path

from flask import Flask, Response, request

ROOT = Path(os.environ["BENCH_EXPORT"])
BODIES = {"/" + str(p.relative_to(ROOT)): p.read_bytes() for p in ROOT.rglob("*.ics")}

app = Flask(__name__)


@app.route("/<path:path>")
def constant(path):
    if "If-None-Match" in request.headers:
        return Response(status=304)
    return Response(BODIES["/" + path], content_type="text/calendar; charset=utf-8")
