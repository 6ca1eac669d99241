"""gunicorn settings for calendar-feeds.

    gunicorn -c gunicorn.conf.py wsgi:app          # (gunicorn also finds this file by itself
                                                  #  when started from this folder)

The app's own settings come from ``FEEDS_*`` variables (docs/deploy.md); the
server's are below, each overridable on the command line (``-w 4``) or with
the variable named beside it. Why these values: docs/deploy.md, "Workers",
with the measurements behind them.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile

from gunicorn.glogging import CONFIG_DEFAULTS

# Where to listen: gunicorn's default, 127.0.0.1:8000 (or 0.0.0.0:$PORT when PORT is
# set); give -b to change it. Behind nginx keep the loopback.

# Threaded workers keep connections alive (sync workers close every one, which
# dominates small-feed throughput) and let one worker answer other requests
# while a thread re-renders after an edit. One process per core holds one copy
# of the site; threads cover slow clients and keep-alive connections.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
# A client that has sent part of a request holds a thread until it finishes (gunicorn
# has no timeout for the request head), so the thread count is how many slow clients
# a worker survives: with 8, 50 slow connections starved 2 workers; with 256 a normal
# client was still served beside 400 (partly or not beside 800). Idle keep-alive
# connections hold no thread, threads start only when needed, and 256 measured the
# same throughput as 8 (docs/deploy.md, "Slow clients"). Behind nginx none of this
# matters: nginx passes on only whole requests.
threads = int(os.environ.get("FEEDS_THREADS", "256"))

# Calendar servers poll many feeds over one connection; keep it open a while.
# Behind a proxy or load balancer, make this longer than its idle timeout.
keepalive = int(os.environ.get("FEEDS_KEEPALIVE", "75"))

# Loading a 10,000-event calendar takes seconds; never kill a worker for it.
timeout = 120
graceful_timeout = 30

# Each worker loads the definitions itself (no --preload): a worker that is
# replaced starts from the folder as it is now, like the others. Each worker's
# reload thread starts with its first request, so --preload would work too.
preload_app = False

# gunicorn >= 25 opens a control socket in $HOME by default; two servers on one
# machine would fight over it, and nothing here uses it.
control_socket_disable = True

if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off a possibly slow disk

# The app writes its own access line per request (feed, status, bytes, client
# family; no address): logger "feeds.access". gunicorn's own access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("FEEDS_LOG_LEVEL", "info")
logconfig_dict = copy.deepcopy(CONFIG_DEFAULTS)
for _name in ("gunicorn.error", "gunicorn.access"):
    logconfig_dict["loggers"][_name]["propagate"] = False
# gunicorn's access lines carry the client's address and User-Agent: not kept.
logconfig_dict["loggers"]["gunicorn.access"]["level"] = "CRITICAL"
logconfig_dict["loggers"]["feeds"] = {
    "level": loglevel.upper(),
    "handlers": ["error_console"],
    "propagate": False,
}
logconfig_dict["loggers"]["feeds.access"] = {
    "level": loglevel.upper(),
    "handlers": ["console"],
    "propagate": False,
}

# /stats.json adds up the counts of every worker through files in one folder,
# made fresh when the server starts (so the counts are "since start").
if not os.environ.get("FEEDS_STATS_DIR"):
    os.environ["FEEDS_STATS_DIR"] = tempfile.mkdtemp(prefix="feeds-stats-")
    os.environ["FEEDS_STATS_DIR_MADE_BY_GUNICORN_CONF"] = "1"


def on_exit(server):
    if os.environ.get("FEEDS_STATS_DIR_MADE_BY_GUNICORN_CONF"):
        shutil.rmtree(os.environ["FEEDS_STATS_DIR"], ignore_errors=True)
