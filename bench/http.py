"""HTTP measurements: gunicorn (our app and the constant-bytes floor) and nginx, on loopback.

Every server listens on 127.0.0.1 only and the load is bounded: ``wrk`` (from
Debian, installed by :func:`ensure_wrk` when missing) for a fixed number of seconds
with a fixed number of connections. Only where wrk cannot be installed, a Python
client with the same limits stands in; it measured itself (5.8k req/s on nginx), so
its figures say little and the report names the tool.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 16
THREADS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Server:
    """A server process on a loopback port, stopped (by its own pid) on exit."""

    def __init__(self, argv: list[str], port: int, env: dict, ready_path: str, log: Path):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log, "wb")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited; see {log}")
            try:
                if get(self.base + ready_path)[0] in (200, 304):
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{argv[0]} did not answer within 300 s; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its own workers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def gunicorn(app: str, worker: str, env: dict, ready: str, log: Path) -> Server:
    port = free_port()
    argv = [str(BIN / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        argv += ["-c", str(ROOT / "gunicorn.conf.py")]
    argv += ["-k", worker, "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{port}", app]
    return Server(argv, port, env, ready, log)


def nginx_binary() -> str | None:
    """nginx, also where Debian puts it outside a user's PATH."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def nginx(export: Path, workdir: Path) -> Server:
    port = free_port()
    conf = workdir / "nginx.conf"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
    conf.write_text(
        f"""
worker_processes 2;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/calendar ics; application/json json; text/html html; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar;
    sendfile on;
    keepalive_timeout 75;
    keepalive_requests 100000;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {export};
    }}
}}
""",
        encoding="utf-8",
    )
    binary = nginx_binary()
    return Server(
        [binary, "-c", str(conf), "-p", str(workdir)],
        port,
        {},
        "/feeds.json",
        workdir / "nginx.log",
    )


def ensure_wrk() -> bool:
    """wrk on the PATH, installed from Debian when missing and we are root (as
    scripts/system-deps.sh does for nginx and Chromium); False if it cannot be had."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("[bench] installing wrk (apt-get install wrk)", file=sys.stderr, flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
        if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
            subprocess.run(install, env=env, capture_output=True, timeout=600)
    return shutil.which("wrk") is not None


def load(url: str, seconds: float, headers: dict | None = None) -> dict:
    """Requests per second and p50/p99 latency (ms) for ``seconds`` of bounded load on ``url``."""
    assert url.startswith("http://127.0.0.1:"), "loopback only"
    if shutil.which("wrk"):
        return _wrk(url, seconds, headers or {})
    return _python_load(url, seconds, headers or {})


def _wrk(url: str, seconds: float, headers: dict) -> dict:
    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {
        p: _ms(re.search(rf"^\s+{p}%\s+([\d.]+\w+)", out, re.M).group(1)) for p in ("50", "99")
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "tool": "wrk",
        "bad": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _python_load(url: str, seconds: float, headers: dict) -> dict:
    """A keep-alive client per connection, in threads, stopping after ``seconds``."""
    host_port, path = url[len("http://") :].split("/", 1)
    host, port = host_port.split(":")
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            conn.request("GET", "/" + path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "rps": len(latencies) / seconds,
        "p50": pick(0.5),
        "p99": pick(0.99),
        "tool": "python",
        "bad": 0,
    }
