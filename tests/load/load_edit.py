"""Faults and load: gunicorn under steady load while its definitions are edited, broken,
taken away and a worker is killed. Nothing served may be wrong, and it must recover alone.

    make load-test                                   # 60 s, 64 connections, 4 workers
    .venv/bin/python tests/load/load_edit.py --seconds 5 --connections 16 --workers 2

What it does, all on loopback (127.0.0.1) and bounded in time:

* starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (the deployed command, see
  docs/deploy.md) with ``--workers`` workers over a copy of the bundled
  definitions plus a generated 300-event calendar, reloading every 0.5 s;
* keeps ``--connections`` keep-alive connections busy for ``--seconds``, each
  asking for random feeds, event files, pages and ``feeds.json`` (some with
  ``If-None-Match``);
* edits a definition every ``--edit-every`` seconds, atomically or (one edit in
  four) in place in two writes, and makes every third edit invalid (a YAML
  syntax error, an impossible date, a duplicate id);
* SIGKILLs one worker at 40 % of the run (gunicorn starts another), and renames
  the definitions folder away for two seconds at 60 %;
* samples every worker's RSS once a second.

It checks: no 5xx; every 200's ETag is the SHA-256 of its body (as the site
computes it); every feed body parses with icalendar (each distinct body once);
after the run every worker answers 200 on /healthz with the same site version
as the others and the last valid edit; worker memory flat (each surviving
worker's RSS at the end within ``--rss-growth`` MiB of its RSS after warm-up).
A connection reset by the killed worker is counted and reported, not failed.
Exit status 0 when every check holds; the figures go to stdout as JSON too.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "events"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# -- the definitions and their edits ----------------------------------------------------------


def load_calendar(version: int, events: int = 300) -> str:
    """A calendar of ``events`` events; ``version`` moves a few titles and times."""
    lines = [
        "id: load",
        f"name: Load test calendar v{version}",
        "timezone: Europe/Berlin",
        "events:",
    ]
    for i in range(events):
        day = 1 + i % 28
        hour = 8 + (i + version) % 9 if i % 7 == 0 else 8 + i % 9
        lines += [
            f"  - id: e{i}",
            f"    title: Session {i}" + (f" (edit {version})" if i % 50 == version % 50 else ""),
            f"    kind: {('session', 'workshop', 'poster', 'deadline')[i % 4]}",
        ]
        if i % 4 == 3:
            lines.append(f"    due: 2026-{1 + i % 12:02d}-{day:02d}\n    timezone: AoE")
        else:
            lines += [f"    start: 2026-10-{day:02d} {hour:02d}:00", "    duration: 90m"]
            if i % 25 == 0:
                lines.append("    repeat: {every: week, count: 3}")
    return "\n".join(lines) + "\n"


INVALID_EDITS = [
    ("a YAML syntax error", lambda text: text.replace("events:", "events: [unclosed", 1)),
    ("an impossible date", lambda text: text.replace("2026-10-01", "2026-02-30", 1)),
    ("a duplicate id", lambda text: text + "  - id: e1\n    title: Again\n    start: 2026-10-02\n"),
]


@dataclass
class Editor:
    folder: Path
    every: float
    edits: int = 0
    invalid: int = 0
    in_place: int = 0
    last_valid_version: int = 0
    log: list = field(default_factory=list)

    def write(self, name: str, text: str, in_place: bool) -> None:
        path = self.folder / name
        data = text.encode()
        if in_place:  # the way a careless tool writes: truncate, then two writes
            self.in_place += 1
            with open(path, "wb") as out:
                out.write(data[: len(data) // 2])
                out.flush()
                time.sleep(0.05)
                out.write(data[len(data) // 2 :])
        else:
            tmp = path.with_name(f".{name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)

    def edit(self, number: int, rng: random.Random) -> None:
        version = number
        text = load_calendar(version)
        in_place = number % 4 == 1
        if is_invalid_edit(number):
            what, damage = INVALID_EDITS[(number // 3) % len(INVALID_EDITS)]
            text = damage(text)
            self.invalid += 1
            self.log.append((number, f"invalid: {what}"))
        else:
            self.last_valid_version = version
            self.log.append((number, "valid"))
        try:
            self.write("load.yaml", text, in_place)
            self.edits += 1
        except OSError:  # the folder is away (the unreadable-folder fault): try again later
            self.log.append((number, "skipped: folder away"))
            if number % 3 != 2:
                self.last_valid_version = self.last_valid_version  # unchanged on disk


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Results:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    etag_mismatches: list = field(default_factory=list)
    parse_failures: list = field(default_factory=list)
    connection_errors: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    bodies_parsed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    parsed: dict = field(default_factory=dict)  # etag -> True once its body parsed
    versions_served: set = field(default_factory=set)  # of load.yaml, seen in its feed


def parse_feed(body: bytes) -> str | None:
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(body)
        if cal.name != "VCALENDAR":
            return "not a VCALENDAR"
        for event in cal.walk("VEVENT"):
            if "DTSTART" not in event or "UID" not in event:
                return "an event without DTSTART or UID"
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to parse is the finding
        return f"{type(exc).__name__}: {exc}"


#: Answers made per request (no ETag): everything else is ready bytes with one.
DYNAMIC = ("/healthz", "/stats.json")


def served_version(body: bytes) -> int | None:
    marker = b"X-WR-CALNAME:Load test calendar v"
    at = body.find(marker)
    if at < 0:
        return None
    digits = body[at + len(marker) : body.find(b"\r\n", at)]
    return int(digits) if digits.isdigit() else None


def is_invalid_edit(number: int) -> bool:
    return number % 3 == 2


def client_loop(port: int, paths: list[str], deadline: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    conn = None
    known: dict[str, str] = {}
    while time.monotonic() < deadline:
        path = rng.choice(paths)
        headers = {}
        if path in known and rng.random() < 0.3:
            headers["If-None-Match"] = known[path]
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            start = time.monotonic()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.monotonic() - start
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.connection_errors[type(exc).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
            continue
        status = response.status
        etag = response.getheader("ETag")
        problem = None
        if status == 200 and (etag or path not in DYNAMIC) and etag != etag_of(body):
            problem = ("etag", path, etag, etag_of(body))
        parse_problem = None
        if status == 200 and path.endswith(".ics"):
            with results.lock:
                fresh = etag not in results.parsed
                results.parsed[etag] = True
            if fresh:
                parse_problem = parse_feed(body)
                if path == "/feeds/load.ics":
                    version = served_version(body)
                    with results.lock:
                        results.versions_served.add(version)
        if status == 200 and etag:
            known[path] = etag
        with results.lock:
            results.requests += 1
            results.statuses[status] += 1
            results.latencies.append(elapsed)
            if problem:
                results.etag_mismatches.append(problem)
            if status == 200 and path.endswith(".ics") and fresh:
                results.bodies_parsed += 1
            if parse_problem:
                results.parse_failures.append((path, parse_problem))
    if conn is not None:
        conn.close()


# -- the server --------------------------------------------------------------------------------


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children, read from /proc."""
    children = []
    for task in Path(f"/proc/{master}/task").glob("*"):
        try:
            children += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(children))


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wait_healthy(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def start_server(folder: Path, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "FEEDS_EVENTS_DIR": str(folder),
        "FEEDS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FEEDS_RELOAD_SECONDS": "0.5",
        "FEEDS_LOG_LEVEL": "warning",
    }
    env.pop("FEEDS_STATS_DIR", None)
    command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    if (ROOT / "gunicorn.conf.py").exists():
        command[3:3] = ["-c", str(ROOT / "gunicorn.conf.py")]
    else:  # before gunicorn.conf.py existed: the same essentials as flags
        command += ["-k", "gthread", "--threads", "8", "--keep-alive", "75"]
    command.append("wsgi:app")
    with open(log_path, "wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session: the master and its workers
            process.wait(5)


# -- the run -----------------------------------------------------------------------------------


def run(
    seconds: float = 60,
    connections: int = 64,
    workers: int = 4,
    edit_every: float = 1.0,
    kill_at: float | None = 0.4,
    unreadable_at: float | None = 0.6,
    unreadable_for: float = 2.0,
    rss_growth: float = 40.0,
    seed: int = 1,
) -> dict:
    """Run the test; return its figures (``ok`` says whether every check held)."""
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="feeds-load-"))
    folder = work / "events"
    folder.mkdir()
    for entry in BUNDLED.iterdir():
        if entry.suffix in (".yaml", ".json") and not entry.name.startswith("."):
            shutil.copy(entry, folder / entry.name)
    (folder / "load.yaml").write_text(load_calendar(0), encoding="utf-8")
    port = free_port()
    log_path = work / "gunicorn.log"
    process = start_server(folder, port, workers, log_path)
    figures: dict = {"seconds": seconds, "connections": connections, "workers": workers}
    try:
        if not wait_healthy(port, 60):
            raise RuntimeError(f"gunicorn did not become healthy; see {log_path}")
        feeds = json.loads(get(port, "/feeds.json")[1])["feeds"]
        base = f"http://127.0.0.1:{port}"
        paths = [f["url"].removeprefix(base) for f in feeds]
        paths += [
            "/",
            "/feeds.json",
            "/healthz",
            "/events/load/e1.ics",
            "/events/load/e3.ics",
            "/events/icml-2026/conference.ics",
            "/calendars/load/",
            "/nope.ics",
        ]
        time.sleep(1)
        masters_workers = worker_pids(process.pid)
        results = Results()
        start = time.monotonic()
        deadline = start + seconds
        threads = [
            threading.Thread(
                target=client_loop,
                args=(port, paths, deadline, results, seed * 1000 + i),
                daemon=True,
            )
            for i in range(connections)
        ]
        for thread in threads:
            thread.start()
        editor = Editor(folder, edit_every)
        rss: dict[int, list[tuple[float, float]]] = {}
        events: list[str] = []
        killed = None
        respawned_after = None
        unreadable = None
        edit_number = 0
        next_edit = start + edit_every
        next_sample = start
        while time.monotonic() < deadline:
            now = time.monotonic()
            t = now - start
            if now >= next_sample:
                for pid in worker_pids(process.pid):
                    value = rss_mib(pid)
                    if value is not None:
                        rss.setdefault(pid, []).append((t, value))
                next_sample += 1.0
            if now >= next_edit:
                edit_number += 1
                editor.edit(edit_number, rng)
                next_edit += edit_every
            if kill_at is not None and killed is None and t >= kill_at * seconds:
                victims = worker_pids(process.pid)
                if victims:
                    killed = victims[0]
                    os.kill(killed, signal.SIGKILL)
                    events.append(f"{t:.1f}s: SIGKILL worker {killed}")
            if killed and respawned_after is None:
                current = worker_pids(process.pid)
                if killed not in current and len(current) == workers:
                    respawned_after = t - kill_at * seconds
                    events.append(
                        f"{t:.1f}s: {workers} workers again (respawned in {respawned_after:.2f}s)"
                    )
            if unreadable_at is not None and unreadable is None and t >= unreadable_at * seconds:
                away = work / "events.away"
                os.rename(folder, away)
                events.append(f"{t:.1f}s: definitions folder renamed away")
                unreadable = (t, away)
            if unreadable and isinstance(unreadable, tuple) and t >= unreadable[0] + unreadable_for:
                os.rename(unreadable[1], folder)
                events.append(f"{t:.1f}s: definitions folder back")
                unreadable = True
            time.sleep(0.02)
        if isinstance(unreadable, tuple):  # a short run ended while the folder was away
            os.rename(unreadable[1], folder)
            events.append("end: definitions folder back")
        for thread in threads:
            thread.join(15)
        elapsed = time.monotonic() - start

        # the last edit may be invalid: put a valid one last, then everything must converge
        final_version = edit_number + 1
        editor.write("load.yaml", load_calendar(final_version), in_place=False)
        converged = converge(port, workers, f"Load test calendar v{final_version}", timeout=20)
        final_feeds = verify_all(port)

        figures.update(
            {
                "requests": results.requests,
                "requests_per_second": round(results.requests / elapsed, 1),
                "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
                "5xx": sum(v for k, v in results.statuses.items() if k >= 500),
                "etag_mismatches": len(results.etag_mismatches),
                "distinct_feed_bodies_parsed": results.bodies_parsed,
                "load_feed_versions_served": sorted(
                    v for v in results.versions_served if v is not None
                ),
                "parse_failures": results.parse_failures[:10],
                "connection_errors": dict(results.connection_errors),
                "latency_ms": {
                    "p50": round(1000 * statistics.median(results.latencies), 1)
                    if results.latencies
                    else None,
                    "p99": round(1000 * _quantile(results.latencies, 0.99), 1)
                    if results.latencies
                    else None,
                },
                "edits": editor.edits,
                "invalid_edits": editor.invalid,
                "in_place_edits": editor.in_place,
                "faults": events,
                "worker_respawned_in_s": None
                if respawned_after is None
                else round(respawned_after, 2),
                "converged_after_s": converged["after"],
                "site_versions_at_end": converged["versions"],
                "final_feeds_ok": final_feeds,
                "rss_mib": memory_summary(rss, masters_workers, seconds),
            }
        )
        memory = figures["rss_mib"]
        checks = {
            "no 5xx": figures["5xx"] == 0,
            "every ETag matches its body": not results.etag_mismatches,
            "every feed parses": not results.parse_failures,
            "no invalid edit was ever served": not any(
                v is not None and is_invalid_edit(v) for v in results.versions_served
            ),
            "a killed worker was replaced": kill_at is None or respawned_after is not None,
            "all workers converged on the last valid edit": converged["ok"],
            "every feed valid at the end": final_feeds["ok"],
            "memory flat": memory["max_growth"] is None or memory["max_growth"] <= rss_growth,
            "requests were served": results.requests > connections,
        }
        figures["checks"] = checks
        figures["ok"] = all(checks.values())
        if results.etag_mismatches:
            figures["etag_mismatch_examples"] = results.etag_mismatches[:5]
        return figures
    finally:
        stop_server(process)
        figures["server_log_tail"] = (
            log_path.read_text("utf-8", "replace")[-2000:] if log_path.exists() else ""
        )
        shutil.rmtree(work, ignore_errors=True)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def converge(port: int, workers: int, name: str, timeout: float) -> dict:
    """Poll /healthz and the load feed until every worker serves ``name`` (one site version)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        versions = {}
        names = set()
        for _ in range(workers * 6):
            try:
                status, body, _ = get(port, "/healthz", timeout=5)
                health = json.loads(body)
                versions[health.get("process")] = (status, health.get("site_version"))
                status, body, _ = get(port, "/feeds/load.ics", timeout=5)
                names.add(name.encode() in body)
            except (OSError, ValueError):
                pass
        statuses = {s for s, _ in versions.values()}
        if (
            len(versions) >= workers
            and statuses == {200}
            and names == {True}
            and len({v for _, v in versions.values()}) == 1
        ):
            return {
                "ok": True,
                "after": round(time.monotonic() - start, 2),
                "versions": len(versions),
            }
        time.sleep(0.3)
    return {"ok": False, "after": None, "versions": versions}


def verify_all(port: int) -> dict:
    """Every feed of feeds.json: 200, ETag of its body, parses."""
    base = f"http://127.0.0.1:{port}"
    feeds = json.loads(get(port, "/feeds.json")[1])["feeds"]
    bad = []
    for feed in feeds:
        status, body, headers = get(port, feed["url"].removeprefix(base))
        etag = {k.lower(): v for k, v in headers.items()}.get("etag")
        problem = parse_feed(body) if status == 200 else f"status {status}"
        if problem or etag != etag_of(body):
            bad.append((feed["id"], problem or "etag"))
    return {"ok": not bad, "feeds": len(feeds), "bad": bad}


def memory_summary(rss: dict, first_workers: list[int], seconds: float) -> dict:
    """Per worker alive from warm-up to the end: RSS after warm-up (25 % in) and at the end."""
    warm = seconds * 0.25
    workers = {}
    growth = []
    for pid, samples in rss.items():
        after = [v for t, v in samples if t >= warm]
        if len(after) < 2 or samples[0][0] > warm or samples[-1][0] < seconds * 0.9:
            continue  # killed, or started late: not alive over the whole window
        first, last, peak = after[0], after[-1], max(after)
        workers[pid] = {
            "after_warmup": round(first, 1),
            "end": round(last, 1),
            "peak": round(peak, 1),
        }
        growth.append(last - first)
    return {"workers": workers, "max_growth": round(max(growth), 1) if growth else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--edit-every", type=float, default=1.0)
    parser.add_argument("--rss-growth", type=float, default=40.0, help="MiB a worker may grow")
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
    parser.add_argument("--no-unreadable", action="store_true", help="keep the folder in place")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.seconds > 600 or args.connections > 256:
        parser.error("bounded: at most 600 seconds and 256 connections")
    figures = run(
        seconds=args.seconds,
        connections=args.connections,
        workers=args.workers,
        edit_every=args.edit_every,
        kill_at=None if args.no_kill else 0.4,
        unreadable_at=None if args.no_unreadable else 0.6,
        rss_growth=args.rss_growth,
    )
    log_tail = figures.pop("server_log_tail", "")
    text = json.dumps(figures, indent=2, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    for name, held in figures.get("checks", {}).items():
        print(f"{'ok  ' if held else 'FAIL'} {name}", file=sys.stderr)
    if not figures.get("ok"):
        print("--- gunicorn log (tail) ---\n" + log_tail, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
