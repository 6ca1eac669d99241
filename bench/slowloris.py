"""Slow clients (slowloris) against gunicorn alone and behind nginx: is a normal client served?

    python -m bench.slowloris                                  # every setup, 0/50/200/400
    python -m bench.slowloris --attackers 200 --setups old,nginx

Each attacker opens a connection, sends the start of a request line and then one more byte
every ``--interval`` seconds, never finishing its head; when the server closes it, it opens a
new one (a real attacker does). While they hold their connections a normal client asks for the
bundled ICML feed ``--requests`` times, each on a new connection (as a calendar fetcher does)
with a ``--timeout``; the figures are how many answers it got and how long they took.

Setups: ``old`` is the shipped gunicorn.conf.py with the settings it had before the hardening
(2 workers x 8 threads), ``hardened`` the shipped one as it is, ``nginx`` nginx with
``deploy/nginx/calendar-feeds-proxy.conf`` in front of the old settings; ``gevent``, for
comparison only, gunicorn's gevent worker (needs ``pip install gevent``). Everything listens
on 127.0.0.1 only; every loop is bounded in count and time. ``tests/serve/test_slowloris.py``
uses the same pieces.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.http import BIN, ROOT, Server, free_port, nginx_binary

PROXY_SNIPPET = ROOT / "deploy" / "nginx" / "calendar-feeds-proxy.conf"
FEED = "/feeds/icml-2026.ics"
#: What the old gunicorn.conf.py ran: the settings that 200 slow connections starved.
OLD_SETTINGS = ("-w", "2", "--threads", "8")
#: The start of every attacker's request line; a byte of the path follows every interval.
OPENING = b"GET /feeds/icml-2026.ics?"


def start_gunicorn(workdir: Path, *args: str) -> Server:
    """gunicorn with the shipped gunicorn.conf.py (plus ``args``) over a copy of events/."""
    events = workdir / "events"
    if not events.exists():
        shutil.copytree(ROOT / "events", events, ignore=shutil.ignore_patterns(".*"))
    (workdir / "stats").mkdir(exist_ok=True)
    port = free_port()
    argv = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), *args]
    argv += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    env = {
        "FEEDS_EVENTS_DIR": str(events),
        "FEEDS_PUBLIC_URL": "https://feeds.example.org",
        "FEEDS_UID_DOMAIN": "feeds.example.org",
        "FEEDS_STATS_DIR": str(workdir / "stats"),
        "FEEDS_LOG_LEVEL": "warning",
    }
    return Server(argv, port, env, "/healthz", workdir / f"gunicorn-{port}.log")


def start_nginx(workdir: Path, upstream: int, worker_connections: int = 1024) -> Server:
    """nginx on a loopback port in front of ``upstream``, with the shipped proxy snippet.

    The snippet is included as it is in the repository; only what a machine decides around
    it (ports, paths for temporary files, the upstream's address) is written here.
    """
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian nginx-light; scripts/system-deps.sh)")
    run = workdir / f"nginx-{upstream}"
    run.mkdir()
    port = free_port()
    temp = "\n".join(
        f"    {kind}_temp_path {run / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    (run / "nginx.conf").write_text(
        f"""
{user}
daemon off;
worker_processes 1;
pid {run / "nginx.pid"};
error_log {run / "error.log"} error;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log off;
{temp}
    upstream feeds_app {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {PROXY_SNIPPET};
    }}
}}
""",
        encoding="utf-8",
    )
    argv = [binary, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", "stderr"]
    return Server(argv, port, {}, "/healthz", run / "nginx.log")


class Attack:
    """``count`` connections to ``port`` that drip a request line and never finish it.

    One thread sends a byte on each connection every ``interval`` seconds and reopens the
    ones the server closed, for at most ``seconds``; :meth:`stop` ends it sooner.
    """

    def __init__(self, port: int, count: int, interval: float = 1.0, seconds: float = 300):
        self.port, self.count, self.interval = port, count, interval
        self.end = time.monotonic() + seconds
        self.reopened = 0
        self._socks: list[socket.socket | None] = [None] * count
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, name="slowloris", daemon=True)

    def __enter__(self) -> Attack:
        for index in range(self.count):
            self._socks[index] = self._open()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.interval + 10)
        for sock in self._socks:
            if sock is not None:
                sock.close()

    def connected(self) -> int:
        """How many attackers hold an open connection now."""
        return sum(sock is not None for sock in list(self._socks))

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            sock.sendall(OPENING)
            return sock
        except OSError:
            return None

    def _drip(self) -> None:
        while not self._stop.wait(self.interval) and time.monotonic() < self.end:
            for index, sock in enumerate(self._socks):
                if self._stop.is_set():
                    return
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(b"a")
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.reopened += 1
                    self._socks[index] = self._open()


@dataclass(frozen=True)
class Served:
    """What the normal client got: one entry per request, seconds or None (no answer)."""

    times: tuple[float | None, ...]

    @property
    def answered(self) -> int:
        return sum(t is not None for t in self.times)

    def summary(self) -> str:
        done = sorted(t for t in self.times if t is not None)
        text = f"{self.answered}/{len(self.times)} answered"
        if done:
            text += (
                f", median {statistics.median(done) * 1000:.1f} ms, max {done[-1] * 1000:.1f} ms"
            )
        return text


def normal_client(port: int, requests: int, timeout: float, path: str = FEED) -> Served:
    """``requests`` GETs of ``path``, each on a new connection: 200 with a whole body, or not."""
    times: list[float | None] = []
    for _ in range(requests):
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "normal-client"})
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200 and body.startswith(b"BEGIN:VCALENDAR")
        except (OSError, http.client.HTTPException):
            ok = False
        finally:
            conn.close()
        elapsed = time.monotonic() - started
        times.append(elapsed if ok and elapsed <= timeout else None)
    return Served(tuple(times))


@contextmanager
def setup(name: str, workdir: Path) -> Iterator[int]:
    """The port a client talks to for one setup (see the module docstring)."""
    if name == "old":
        with start_gunicorn(workdir, *OLD_SETTINGS) as server:
            yield server.port
    elif name == "hardened":
        with start_gunicorn(workdir) as server:
            yield server.port
    elif name == "gevent":  # measured for comparison only: gevent is not a dependency
        with start_gunicorn(workdir, "-w", "2", "-k", "gevent", "--threads", "1") as server:
            yield server.port
    elif name == "nginx":
        with start_gunicorn(workdir, *OLD_SETTINGS) as app, start_nginx(workdir, app.port) as web:
            yield web.port
    else:
        raise SystemExit(f"unknown setup {name!r}: old, hardened, nginx or gevent")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slowloris", description=__doc__)
    parser.add_argument("--setups", default="old,hardened,nginx")
    parser.add_argument("--attackers", default="0,50,200,400")
    parser.add_argument("--requests", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds before measuring")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.attackers.split(",")]
    print(
        f"normal client: {args.requests} GET {FEED}, new connection each, timeout "
        f"{args.timeout:g} s; attackers drip a byte every {args.interval:g} s"
    )
    print("| setup | slow connections | normal client | attackers reopened |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="slowloris-") as tmp:
        for name in args.setups.split(","):
            workdir = Path(tmp) / name
            workdir.mkdir()
            with setup(name, workdir) as port:
                for count in counts:
                    with Attack(port, count, args.interval) as attack:
                        time.sleep(args.settle)
                        served = normal_client(port, args.requests, args.timeout)
                    print(f"| {name} | {count} | {served.summary()} | {attack.reopened} |")
                    time.sleep(args.settle)  # let the server drop the attack's connections
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
