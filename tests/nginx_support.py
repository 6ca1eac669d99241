"""nginx on loopback, for the tests that serve an export through it (the export's own
``_nginx.conf`` included as a deployment would): the configuration around a server block,
starting it once its port answers, and stopping it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
)
_TEMPS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def config(run: Path, port: int, server: str, http: str = "") -> str:
    """A whole nginx.conf whose files live in ``run``: one server on 127.0.0.1:``port`` with
    the directives ``server`` (indented inside it) and ``http`` (beside it)."""
    temp = "\n".join(f"    {kind}_temp_path {run / kind};" for kind in _TEMPS)
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
daemon off;
master_process on;
worker_processes 1;
pid {run / "nginx.pid"};
error_log {run / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
{http}
    server {{
        listen 127.0.0.1:{port};
{server}
    }}
}}
"""


def start(run: Path, port: int) -> subprocess.Popen:
    """nginx with ``run/nginx.conf``, once its port answers (an AssertionError with nginx's
    own message if it does not within 10 s)."""
    conf = run / "nginx.conf"
    check = subprocess.run(
        [NGINX, "-t", "-p", str(run), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [NGINX, "-p", str(run), "-c", str(conf), "-e", "stderr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise AssertionError("nginx did not start") from None
            time.sleep(0.02)


def stop(proc: subprocess.Popen) -> None:
    """A graceful stop (SIGQUIT), killed after 5 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
