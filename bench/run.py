"""The benchmark's one command: ``make bench`` (``.venv/bin/python -m bench [--quick]``).

Generates 100 to 50,000 events, measures cold load+validate+render (ours, the
plain icalendar floor and yaml2ics, each in its own process, with its peak
RSS), the edit of one event under a live Store, a profile, and HTTP throughput
(gunicorn sync and gthread, the constant-bytes Flask floor, nginx on the
export); prints the tables and writes docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from feeds.site.page_groups import LAZY_EVENTS

from . import generate, http

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
YAML2ICS_ENV = ROOT / ".venv" / "bench-yaml2ics"
YAML2ICS_VERSION = "0.3"
RESULTS = ROOT / ".venv" / "bench-results.json"  # the last run's figures (--report-only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer sizes and runs (about 5 minutes)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="report file")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help=f"write the report again from the last results ({RESULTS})",
    )
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads(RESULTS.read_text("utf-8"))
        results["cold"] = {int(n): row for n, row in results["cold"].items()}
        if "many" in results:
            results["many"]["cold"] = {int(n): r for n, r in results["many"]["cold"].items()}
        args.quick = results.get("quick", False)
        Path(args.out).write_text(render(results, args), encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    work.chmod(0o755)  # nginx's workers (user nobody) read the export from here
    try:
        results = run(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["duration"] = time.monotonic() - began
    RESULTS.write_text(json.dumps(results, indent=1), encoding="utf-8")
    report = render(results, args)
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {args.out} in {results['duration']:.0f} s")
    return 0


# -- running -------------------------------------------------------------------------


def run(work: Path, args) -> dict:
    plan = {100: 5, 1_000: 5, 10_000: 5, 50_000: 2}
    if args.quick:
        plan = {100: 3, 1_000: 3, 10_000: 3}
    other = yaml2ics_python()
    results: dict = {
        "cold": {},
        "plan": plan,
        "yaml2ics": bool(other),
        "quick": args.quick,
        "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": machine(),
    }
    for n, runs in plan.items():
        folder = work / f"n{n}"
        generate.write(folder, n)
        subprocess.run(
            [PYTHON, "-m", "feeds.cli", "revise", str(folder / "events")],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        log(f"cold, {n:,} events, {runs} runs each")
        row = {
            "ours": measure([PYTHON, "-m", "bench.work", "cold", str(folder / "events")], runs),
            "feeds": measure(
                [PYTHON, "-m", "bench.work", "cold-feeds", str(folder / "events")], runs
            ),
            "floor": measure(
                [PYTHON, "-m", "bench.work", "floor", str(folder / "events" / "bench.yaml")], runs
            ),
        }
        if other:
            y_runs = 1 if n >= 50_000 else min(runs, 3)
            row["yaml2ics"] = measure(
                [
                    other,
                    str(ROOT / "bench" / "yaml2ics_run.py"),
                    str(folder / "yaml2ics" / "bench.yaml"),
                    str(work / "yaml2ics.ics"),
                ],
                y_runs,
            )
        results["cold"][n] = row
    results["many"] = run_many(work, args)
    ten = work / "n10000" / "events"
    log("edit: one event of 10,000 under a live Store")
    rounds = "4" if args.quick else "6"
    edit, rss = child([PYTHON, "-m", "bench.work", "edit-feeds", str(ten), rounds])
    results["edit"] = {**edit, "rss": rss}
    edit, rss = child([PYTHON, "-m", "bench.work", "edit", str(ten), rounds])
    results["edit_site"] = {**edit, "rss": rss}
    log("profile: cold 10,000 under cProfile")
    prof = work / "cold.prof"
    child([PYTHON, "-m", "bench.work", "profile", str(ten), str(prof)])
    results["profile"] = summarize_profile(prof)
    if not args.no_http:
        try:
            results["http"] = measure_http(work, *((2, 1) if args.quick else (3, 3)))
        except (RuntimeError, AssertionError, OSError, subprocess.SubprocessError) as exc:
            log(f"HTTP measurements failed: {exc}")
            results["http_error"] = str(exc)
    return results


#: The many-calendars shape (issue 10): calendars of 1 to 10 events in mixed zones.
MANY = (100, 2_500)


def run_many(work: Path, args) -> dict:
    """Cold builds of N small calendars against the same events in one calendar, in
    alternating processes; then edits of one deadline at the largest N under a live store."""
    runs = 1 if args.quick else 3
    out: dict = {"cold": {}, "runs": runs}
    for n in MANY:
        many, one = generate.write_many(work / f"many{n}", n)
        for folder in (many, one):
            subprocess.run(
                [PYTHON, "-m", "feeds.cli", "revise", str(folder)],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        log(f"many calendars: {n:,} calendars and the same events in one, {runs} runs each")
        reports: dict = {"many": [], "one": []}
        for _ in range(runs):  # alternating, so a neighbour's load falls on both alike
            for shape, folder in (("many", many), ("one", one)):
                reports[shape].append(child([PYTHON, "-m", "bench.work", "cold", str(folder)]))
        out["cold"][n] = {shape: summarize(pairs) for shape, pairs in reports.items()}
    largest = work / f"many{MANY[-1]}" / "many"
    log(f"many calendars: edits of one deadline of {MANY[-1]:,} calendars under a live Store")
    edit, rss = child(
        [PYTHON, "-m", "bench.work", "edit-many", str(largest), "3" if args.quick else "5"]
    )
    out["edit"] = {**edit, "rss": rss}
    return out


def measure(argv: list[str], runs: int) -> dict:
    """Run ``argv`` ``runs`` times; medians of what it reports, and the largest peak RSS."""
    return summarize([child(argv) for _ in range(runs)])


def summarize(pairs: list[tuple[dict, float]]) -> dict:
    """Medians of the reports' figures, the largest peak RSS, the first report's sizes."""
    reports = [report for report, _ in pairs]
    peaks = [rss for _, rss in pairs]
    runs = len(pairs)
    keys = [k for k, v in reports[0].items() if isinstance(v, int | float)]
    out = {k: statistics.median(r[k] for r in reports) for k in keys}
    out["runs"] = runs
    out["rss"] = max(peaks)
    out["all"] = [r.get("total", r.get("seconds")) for r in reports]
    if "seconds" in out:
        out["total"] = out["seconds"]
    if "sizes" in reports[0]:
        out["sizes"] = reports[0]["sizes"]
    return out


def child(argv: list[str]) -> tuple[dict, float]:
    """Run one measurement process; its JSON report and its own peak RSS in MB (wait4)."""
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr.decode(errors='replace')[-3000:]}")
    return json.loads(stdout.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def yaml2ics_python() -> str | None:
    """yaml2ics in its own environment (.venv/bench-yaml2ics), created on first use."""
    python = YAML2ICS_ENV / "bin" / "python"
    if not python.exists():
        log(f"installing yaml2ics {YAML2ICS_VERSION} into {YAML2ICS_ENV}")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(YAML2ICS_ENV)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", f"yaml2ics=={YAML2ICS_VERSION}"],
                check=True,
            )
        except (subprocess.CalledProcessError, OSError) as exc:
            log(f"yaml2ics unavailable ({exc}); its column is left out")
            shutil.rmtree(YAML2ICS_ENV, ignore_errors=True)
            return None
    return str(python)


#: Where a cold run spends its time: (file, function) -> what it is. Cumulative times.
STAGES = (
    (("yamlsource.py", "read"), "YAML parsing (libyaml, node construction, shape checks)"),
    (("builder.py", "calendar"), "validation into the model (times, zones, repeats)"),
    (("revisions.py", "update"), "revisions file: read, fingerprints, reconcile"),
    (("ics.py", "render_event"), "VEVENT bytes (all events)"),
    (("ics.py", "feed_bytes"), "joining feeds and single-event files"),
    (("site.py", "_render_calendar"), "render_calendar, all of it"),
    (("pages.py", "render_pages"), "HTML pages (jinja2 templates, links)"),
    (("site.py", "_assemble"), "assemble, all of it (merged feeds, feeds.json, pages)"),
)


def summarize_profile(path: Path) -> dict:
    stats = pstats.Stats(str(path))
    cumulative: dict[tuple[str, str], float] = {}
    top = []
    for (filename, line, name), (_, _, tottime, cumtime, _) in stats.stats.items():
        key = (Path(filename).name, name)
        cumulative[key] = max(cumulative.get(key, 0.0), cumtime)
        top.append((tottime, f"{Path(filename).name}:{line}({name})"))
    top.sort(reverse=True)
    return {
        "total": stats.total_tt,
        "stages": [(label, cumulative.get(key, 0.0)) for key, label in STAGES],
        "top": [(round(t, 3), where) for t, where in top[:12]],
    }


def measure_http(work: Path, seconds: float, rounds: int) -> dict:
    if not http.ensure_wrk():
        log("HTTP: no wrk (apt-get install wrk); a Python client stands in, slower than servers")
    log("HTTP: exporting the site (10,000 + 100 events)")
    events = work / "http-events"
    events.mkdir()
    for n, cal_id in ((10_000, "bench"), (100, "small")):
        text = generate.ours(generate.specs(n), cal_id)
        (events / f"{cal_id}.yaml").write_text(text, encoding="utf-8")
    subprocess.run(
        [PYTHON, "-m", "feeds.cli", "revise", str(events)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    export = work / "export"
    subprocess.run(
        [PYTHON, "-m", "feeds.cli", "build", str(export), "--events", str(events)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    feeds = sorted(export.glob("feeds/**/*.ics"), key=lambda p: abs(p.stat().st_size - 50_000))
    small = "/" + str(feeds[0].relative_to(export))
    cases = {
        f"feed {feeds[0].stat().st_size // 1000} KB": (small, {}),
        f"feed {(export / 'feeds/all.ics').stat().st_size / 1e6:.1f} MB": ("/feeds/all.ics", {}),
        "304 revalidation": (small, "etag"),
        "single-event file": ("/events/bench/ev-005000.ics", {}),
    }
    # As shipped: gunicorn.conf.py's settings, access log (one line per request) included.
    env = {"FEEDS_EVENTS_DIR": str(events), "FEEDS_PUBLIC_URL": "http://127.0.0.1:8000"}
    out: dict = {"cases": list(cases), "servers": {}, "identical": None, "seconds": seconds}
    log("HTTP: app CPU per request (WSGI, in-process)")
    out["wsgi"], _ = child(
        [
            PYTHON,
            "-m",
            "bench.work",
            "wsgi",
            str(events),
            str(export),
            f"200={small},304={small},event=/events/bench/ev-005000.ics",
        ]
    )
    servers = [
        (
            "ours, gthread",
            lambda: http.gunicorn("wsgi:app", "gthread", env, "/healthz", work / "g1.log"),
        ),
        (
            # every request through Flask: what the below-Flask path (FastPath) is worth
            "ours through Flask only, gthread",
            lambda: http.gunicorn(
                "bench.flaskonly:app", "gthread", env, "/healthz", work / "g5.log"
            ),
        ),
        (
            "constant bytes, gthread",
            lambda: http.gunicorn(
                "bench.constapp:app",
                "gthread",
                {"BENCH_EXPORT": str(export)},
                small,
                work / "g2.log",
            ),
        ),
        ("ours, sync", lambda: http.gunicorn("wsgi:app", "sync", env, "/healthz", work / "g3.log")),
        (
            "constant bytes, sync",
            lambda: http.gunicorn(
                "bench.constapp:app", "sync", {"BENCH_EXPORT": str(export)}, small, work / "g4.log"
            ),
        ),
    ]
    if http.nginx_binary():
        servers.append(("nginx, static export", lambda: http.nginx(export, work)))
    else:
        log("HTTP: no nginx (apt-get install nginx-light); its row is left out")
    # Every server up at once, and the load interleaved: round after round, each
    # server in turn, so a neighbour's load on the shared machine falls on all of
    # them alike; the median of the rounds is reported.
    with contextlib.ExitStack() as stack:
        up = {}
        for label, start in servers:
            log(f"HTTP: starting {label}")
            up[label] = stack.enter_context(start())
        headers_of: dict = {}
        live_bodies = {}
        for label, server in up.items():
            for case, (path, headers) in cases.items():
                if headers == "etag":
                    got = http.get(server.base + path)[1]
                    headers = {"If-None-Match": got.get("ETag") or got.get("Etag") or '"x"'}
                    assert http.get(server.base + path, headers)[0] == 304, f"{label}: no 304"
                headers_of[label, case] = headers
                status, _, body = http.get(server.base + path)
                assert status == 200, f"{label} {path}: {status}"
                if label.startswith("ours"):
                    live_bodies[path] = body
        if "nginx, static export" in up:
            nginx_base = up["nginx, static export"].base
            out["identical"] = all(http.get(nginx_base + p)[2] == b for p, b in live_bodies.items())
        samples: dict = {key: [] for key in headers_of}
        for round_ in range(rounds):
            log(f"HTTP: round {round_ + 1} of {rounds}")
            for case, (path, _) in cases.items():
                for label, server in up.items():
                    headers = headers_of[label, case]
                    if round_ == 0:
                        http.load(server.base + path, 1, headers)  # warm up
                    samples[label, case].append(http.load(server.base + path, seconds, headers))
    for (label, case), runs in samples.items():
        middle = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
        out["servers"].setdefault(label, {})[case] = {**middle, "all": [r["rps"] for r in runs]}
    out["rounds"] = rounds
    out["tool"] = next(iter(next(iter(out["servers"].values())).values()))["tool"]
    return out


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- reporting -------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"
    )


def render(results: dict, args) -> str:
    cmd = "make bench" + (" BENCH_ARGS=--quick" if args.quick else "")
    lines = [
        "# Performance",
        "",
        "Measured by the benchmark in `bench/` (one command: `make bench`, or",
        "`.venv/bin/python -m bench [--quick] [--no-http]`); this page is written by it.",
        "",
        f"- Date: {results['date']}",
        f"- Machine: {results['machine']}",
        f"- Command: `{cmd}` ({results['duration']:.0f} s)",
        "- Events: generated by `bench/generate.py` (Seoul sessions, all-day events, daily and weekly",
        "  repeats with exceptions, AoE and UTC deadlines, Korean text in a third), the same events",
        "  for every tool. Times are medians of separate processes (runs per size below); RSS is",
        "  each process's peak (`wait4`), the largest of its runs. The machine is shared and noisy:",
        "  compare ratios from the same run, not absolute times across runs.",
        "",
        "## Cold: load + validate + render",
        "",
        "*ours (feeds)* is everything every feed URL serves (definitions parsed and validated,",
        "revisions reconciled, every VEVENT rendered, calendar, per-kind, merged and single-event",
        "feeds and feeds.json assembled); *ours (site)* adds the HTML pages. The floor is",
        "`bench/floor.py`: CSafeLoader, icalendar VEVENTs and `to_ical`, no validation.",
        "",
        "| events | runs | ours (feeds) | floor | yaml2ics | ours/floor | ours/yaml2ics | ours (site) | of which pages | peak RSS: feeds / site / floor / yaml2ics |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in results["cold"].items():
        feeds, site, floor, y = row["feeds"], row["ours"], row["floor"], row.get("yaml2ics")
        y_time = f"{y['total']:.2f} s" if y else "-"
        y_ratio = f"{feeds['total'] / y['total']:.2f}x" if y else "-"
        y_rss = f"{y['rss']:.0f}" if y else "-"
        lines.append(
            f"| {n:,} | {feeds['runs']} | {feeds['total']:.2f} s | {floor['total']:.2f} s | {y_time}"
            f" | {feeds['total'] / floor['total']:.2f}x | {y_ratio}"
            f" | {site['total']:.2f} s | {site['pages']:.2f} s"
            f" | {feeds['rss']:.0f} / {site['rss']:.0f} / {floor['rss']:.0f} / {y_rss} MB |"
        )
    ten = results["cold"].get(10_000)
    if ten:
        lines += [
            "",
            "Phases at 10,000 events (median seconds), feeds: "
            + ", ".join(
                f"{k} {ten['feeds'][k]:.2f}" for k in ("load", "revisions", "render", "assemble")
            )
            + "; site: "
            + ", ".join(
                f"{k} {ten['ours'][k]:.2f}" for k in ("load", "revisions", "render", "assemble")
            )
            + f" (of which pages {ten['ours']['pages']:.2f}).",
        ]
    edit, edit_site = results["edit"], results["edit_site"]
    edit_feeds = statistics.median(edit["times"])
    edit_all = statistics.median(edit_site["times"])
    lines += [
        "",
        "## Edit: one event of 10,000 under a live Store",
        "",
        "One event's title changed in place (then changed back), written to the file; timed",
        "from `Store.refresh()` (the poll that notices it) until the new site is published.",
        "Policy waits (the reload interval, the 0.25 s settle time) are not work and are left",
        "out. Also shown: an edit that adds a line (every later event moves down a line, so",
        "every later event's line number is updated).",
        "",
        f"- feeds (a site without the HTML pages): median {edit_feeds:.3f} s of {len(edit['times'])} edits"
        f" ({', '.join(f'{t:.2f}' for t in edit['times'])}); parse: {', '.join(edit['modes'])};"
        f" the Store's first load {edit['startup']:.1f} s; peak RSS {edit['rss']:.0f} MB;"
        f" adding a line, then removing it: {', '.join(f'{t:.2f}' for t in edit['shifted'])} s",
        f"- whole site (the HTML pages too: the changed rows re-rendered, the pages re-joined): median {edit_all:.2f} s"
        f" ({', '.join(f'{t:.2f}' for t in edit_site['times'])}); first load {edit_site['startup']:.1f} s;"
        f" peak RSS {edit_site['rss']:.0f} MB",
    ]
    if "many" in results:
        lines += render_many(results["many"])
    if "http" in results:
        lines += render_http(results["http"])
    elif "http_error" in results:
        lines += ["", "## HTTP on loopback", "", f"Not measured: {results['http_error']}"]
    lines += render_targets(results, edit_feeds, edit_all)
    if "many" in results:
        lines += render_many_targets(results["many"])
    prof = results["profile"]
    lines += [
        "",
        "## Where the time goes (cProfile, cold, 10,000 events)",
        "",
        f"Total under the profiler {prof['total']:.1f} s (the profiler slows Python code about 2x).",
        "",
        "| stage | seconds (cumulative) | share |",
        "|---|---:|---:|",
    ]
    for stage, seconds in prof["stages"]:
        lines.append(f"| {stage} | {seconds:.2f} | {seconds / prof['total']:.0%} |")
    lines += ["", "Top functions by own time:", ""]
    lines += [f"- {t:.2f} s {where}" for t, where in prof["top"]]
    lines += ["", NOTES]
    return "\n".join(lines) + "\n"


def render_many(m: dict) -> list[str]:
    lines = [
        "",
        "## Many calendars: the deadline-site shape",
        "",
        "`bench/generate.py`'s `many_specs`: N conference-years of 1 to 10 events each (one to",
        "four AoE or UTC deadlines, often the conference days and a few talks in the calendar's",
        "own zone), calendars in 13 zones from Los Angeles to Auckland, UTC and AoE; against the",
        "same events in one calendar file (each talk naming its zone). Whole site as `feeds",
        "serve` makes it before it answers, and with every page made as `feeds build` writes",
        f"them; {m['runs']} alternating run(s) each, median. A calendar of at most"
        f" {LAZY_EVENTS} events has its pages made on the first request for one"
        " (`feeds.site.page_groups`), so *ready* leaves them out and *every page* adds them."
        " QR codes are made when first asked for (the export writes every one) and are in"
        " neither.",
        "",
        "| calendars | events | ready: one / many | many / one | every page: one / many | many / one | of which pages made on request | peak RSS ready: one / many | with every page: one / many | front page | all.ics | deadlines.ics |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in m["cold"].items():
        one, many = row["one"], row["many"]
        sizes = many.get("sizes", {})
        lines.append(
            f"| {n:,} | {many['events']:,.0f} | {one['total']:.2f} / {many['total']:.2f} s"
            f" | {many['total'] / one['total']:.2f}x"
            f" | {one['every_page']:.2f} / {many['every_page']:.2f} s"
            f" | {many['every_page'] / one['every_page']:.2f}x"
            f" | {many['on_request']:.2f} s ({many['page_bytes'] / 1e6:,.0f} MB)"
            f" | {one['ready_rss']:.0f} / {many['ready_rss']:.0f} MB"
            f" | {one['rss']:.0f} / {many['rss']:.0f} MB"
            f" | {_kb(sizes.get('/'))} | {_kb(sizes.get('/feeds/all.ics'))}"
            f" | {_kb(sizes.get('/feeds/deadlines.ics'))} |"
        )
    e = m["edit"]
    lines += [
        "",
        f"Edit of one deadline, {e['calendars']:,} calendars, under a live Store with its poller"
        f" (`reload_seconds` {e['interval']}), while a thread sends requests (a feed, the front"
        " page, a calendar page, the merged deadlines; in-process WSGI) all along:",
        "",
        f"- from the write until a request is served the new feed: median"
        f" {statistics.median(e['until_served']):.3f} s"
        f" ({', '.join(f'{t:.2f}' for t in e['until_served'])}); of which the reload's own work"
        f" (`Store.refresh`): median {statistics.median(e['times']):.3f} s",
        f"- the slowest request while reloads ran: {e['worst_latency'] * 1000:.1f} ms"
        f" (per edit: {', '.join(f'{t * 1000:.1f}' for t in e['worst_latencies'])} ms)",
        f"- the Store's first load (until `feeds serve` answers): {e['startup']:.1f} s;"
        f" peak RSS {e['rss']:.0f} MB",
    ]
    return lines


def _kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1000:,.0f} KB"


def render_many_targets(m: dict) -> list[str]:
    lines = ["", "## Targets (issue 10)", "", "| target | measured | |", "|---|---|---|"]

    def mark(ok):
        return "**met**" if ok else "**not met**"

    for n, row in m["cold"].items():
        for what, key in (("until the server answers", "total"), ("every page made", "every_page")):
            ratio = row["many"][key] / row["one"][key]
            lines.append(
                f"| cold build, {n:,} calendars / the same events in one, {what}, <= 1.5x"
                f" | {ratio:.2f}x ({row['many'][key]:.2f} s vs {row['one'][key]:.2f} s)"
                f" | {mark(ratio <= 1.5)} |"
            )
    largest = max(m["cold"])
    cold = m["cold"][largest]["many"]["total"]
    every = m["cold"][largest]["many"]["every_page"]
    e = m["edit"]
    served = statistics.median(e["until_served"])
    lines += [
        f"| edit of one deadline until served, {largest:,} calendars, <= 0.5 s"
        f" | {served:.3f} s | {mark(served <= 0.5)} |",
        f"| (same) <= 0.05x cold, the build with every page (the issue's cold build, pages"
        f" included) | {served / every:.3f}x | {mark(served <= 0.05 * every)} |",
        f"| (same) <= 0.05x cold, the server's start (small calendars' pages made on request)"
        f" | {served / cold:.3f}x | {mark(served <= 0.05 * cold)} |",
        f"| worst request latency during that reload <= 50 ms"
        f" | {e['worst_latency'] * 1000:.1f} ms | {mark(e['worst_latency'] <= 0.05)} |",
        f"| peak RSS at {largest:,} calendars <= 250 MB (cold build until it answers / live"
        f" store with its reloads and requests)"
        f" | {m['cold'][largest]['many']['ready_rss']:.0f} / {e['rss']:.0f} MB"
        f" | {mark(max(m['cold'][largest]['many']['ready_rss'], e['rss']) <= 250)} |",
        f"| (not a target) peak RSS of a build that makes every page, as `feeds build` does"
        f" | {m['cold'][largest]['many']['rss']:.0f} MB | |",
    ]
    return lines


def render_http(h: dict) -> list[str]:
    lines = [
        "",
        "## HTTP on loopback",
        "",
        "gunicorn with the project's `gunicorn.conf.py`, 2 workers (8 threads each for gthread);",
        f"load: {h['tool']} with {http.THREADS} threads and {http.CONNECTIONS} connections for"
        f" {h['seconds']:.0f} s per case and server, {h.get('rounds', 1)} interleaved round(s), median"
        " shown; on the same 2 cores as the servers. Site: 10,100 events."
        " Static export served by nginx byte-identical to live: "
        f"**{ {True: 'yes', False: 'NO', None: 'not measured'}[h['identical']] }**"
        " (every measured URL compared).",
        "",
        "| server | " + " | ".join(h["cases"]) + " |",
        "|---|" + "---:|" * len(h["cases"]),
    ]
    for label, row in h["servers"].items():
        cells = [
            f"{r['rps']:,.0f} req/s, p50 {r['p50']:.1f} / p99 {r['p99']:.1f} ms"
            for r in row.values()
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Ours as a share of the constant-bytes route (req/s):", ""]
    for worker in ("gthread", "sync"):
        ours, floor = h["servers"][f"ours, {worker}"], h["servers"][f"constant bytes, {worker}"]
        lines.append(
            f"- {worker}: "
            + ", ".join(
                f"{case} {ours[case]['rps'] / floor[case]['rps']:.2f}x" for case in h["cases"]
            )
        )
    fast, flask_only = (
        h["servers"].get("ours, gthread"),
        h["servers"].get("ours through Flask only, gthread"),
    )
    if fast and flask_only:
        lines += [
            "",
            "The below-Flask path (`FastPath`), worth (gthread, req/s with it / without it): "
            + ", ".join(
                f"{case} {fast[case]['rps'] / flask_only[case]['rps']:.2f}x" for case in h["cases"]
            ),
        ]
    nginx_row = h["servers"].get("nginx, static export")
    if nginx_row and fast:
        lines += [
            "",
            "The load generator is not the bottleneck: nginx on the same export answers "
            + ", ".join(
                f"{case} {nginx_row[case]['rps'] / fast[case]['rps']:.1f}x" for case in h["cases"]
            )
            + " the requests per second of ours.",
        ]
    if "wsgi" in h:
        lines += [
            "",
            "App CPU per request, the app called as WSGI in-process (no server, no network;",
            "best of 3 x 3,000): what each request costs in Python before gunicorn's own share.",
            "",
            "| request | ours | ours without the access log line | constant bytes |",
            "|---|---:|---:|---:|",
        ]
        for case, row in h["wsgi"].items():
            lines.append(
                f"| {case} | {row['ours']:.0f} us | {row['ours_no_log']:.0f} us | {row['const']:.0f} us |"
            )
    g, s = h["servers"]["ours, gthread"], h["servers"]["ours, sync"]
    lines += [
        "",
        "gthread over sync (ours, req/s): "
        + ", ".join(f"{case} {g[case]['rps'] / s[case]['rps']:.1f}x" for case in h["cases"]),
    ]
    return lines


def render_targets(results: dict, edit_feeds: float, edit_all: float) -> list[str]:
    ten = results["cold"].get(10_000)
    lines = ["", "## Targets (issue 6)", "", "| target | measured | |", "|---|---|---|"]

    def mark(ok):
        return "**met**" if ok else "**not met**"

    if ten:
        ours = ten["feeds"]["total"]
        fl = ten["floor"]["total"]
        lines.append(
            f"| cold 10,000 <= 1.0x the icalendar floor | {ours / fl:.2f}x ({ours:.2f} s vs {fl:.2f} s) | {mark(ours <= fl)} |"
        )
        if "yaml2ics" in ten:
            y = ten["yaml2ics"]["total"]
            lines.append(
                f"| cold 10,000 <= 0.25x yaml2ics | {ours / y:.2f}x ({ours:.2f} s vs {y:.2f} s) | {mark(ours <= 0.25 * y)} |"
            )
        site = ten["ours"]["total"]
        lines.append(
            f"| (same, with the HTML pages) | {site / fl:.2f}x the floor ({site:.2f} s) | {mark(site <= fl)} |"
        )
        lines.append(
            f"| edit of one event <= 0.1x cold (feeds) | {edit_feeds / ours:.2f}x ({edit_feeds:.2f} s) | {mark(edit_feeds <= 0.1 * ours)} |"
        )
        lines.append(
            f"| (same, whole site with pages, vs cold site) | {edit_all / site:.2f}x ({edit_all:.2f} s) | {mark(edit_all <= 0.1 * site)} |"
        )
        lines.append(
            f"| peak memory 10,000 < 250 MB | {ten['feeds']['rss']:.0f} MB | {mark(ten['feeds']['rss'] < 250)} |"
        )
        lines.append(
            f"| (same, with the HTML pages) | {ten['ours']['rss']:.0f} MB | {mark(ten['ours']['rss'] < 250)} |"
        )
    h = results.get("http")
    if h:
        g, c = h["servers"]["ours, gthread"], h["servers"]["constant bytes, gthread"]
        for case in h["cases"]:
            if case.startswith("feed") or case.startswith("304"):
                ratio = g[case]["rps"] / c[case]["rps"]
                lines.append(
                    f"| serving {case} >= 0.9x constant bytes (gthread) | {ratio:.2f}x | {mark(ratio >= 0.9)} |"
                )
        if h["identical"] is not None:
            same = "yes" if h["identical"] else "no"
            lines.append(
                f"| static export byte-identical to live | {same} | {mark(h['identical'])} |"
            )
    return lines


NOTES = (
    Path(__file__).with_name("NOTES.md").read_text("utf-8")
    if Path(__file__).with_name("NOTES.md").exists()
    else ""
)
