"""What each measurement runs, one per subprocess (so each has its own peak RSS).

``python -m bench.work cold FOLDER``: load, validate, reconcile revisions,
render and assemble the whole site, as ``feeds build`` and the server do;
prints the phases in seconds as JSON. ``cold-feeds FOLDER``: the same without
the HTML pages. ``floor FILE`` times bench/floor.py the
same way. ``edit FOLDER ROUNDS``: a Store over FOLDER, then ROUNDS edits of
one event (a title, then a time), each timed from the write until the store
serves the new feed. ``profile FOLDER OUT``: the cold run under cProfile.
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import time
from pathlib import Path


def _settings(folder: str):
    from feeds import config

    return config.Settings(
        events_dir=folder,
        public_url="http://127.0.0.1:8000",
        uid_domain="bench.invalid",
        reload_seconds=0,
    )


def _timed_pages():
    """Wrap the HTML pages' rendering to know its share of ``assemble``."""
    from feeds.render import pages

    spent = [0.0]
    for name in ("render_all", "render_pages", "assets", "static_assets", "qr_urls"):
        original = getattr(pages, name, None)
        if original is None:
            continue

        def timed(*args, _original=original, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        setattr(pages, name, timed)
    return spent


def _no_pages():
    """Leave the HTML pages out: what the feeds alone cost (time and memory)."""
    from feeds.render import pages

    pages.render_all = lambda *args, **kwargs: {}
    pages.render_pages = lambda *args, **kwargs: {}
    for name in ("assets", "static_assets", "qr_urls"):
        if hasattr(pages, name):
            setattr(pages, name, lambda *args, **kwargs: {})
    return [0.0]


def cold(folder: str, pages: bool = True) -> dict:
    """The whole site; with ``pages=False``, everything but the HTML pages (a site of feeds)."""
    from feeds import revisions, site
    from feeds.definitions import loader

    pages_time = _timed_pages() if pages else _no_pages()
    settings = _settings(folder)
    t0 = time.perf_counter()
    calendars = loader.load_folder(folder)
    t1 = time.perf_counter()
    revs = [revisions.update(c, write=False) for c in calendars]
    t2 = time.perf_counter()
    builds = [site.render_calendar(c, r, settings) for c, r in zip(calendars, revs, strict=True)]
    t3 = time.perf_counter()
    built = site.assemble(builds, settings)
    t4 = time.perf_counter()
    ready_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # only the feeds: a pass over every resource would make the QR codes (feeds.site.lazy)
    feeds = sum(len(built.resources[p].body) for p in built.resources if p.endswith(".ics"))
    # the pages a site of small calendars makes on request (feeds.site.page_groups), all of
    # them, as the export makes them: what every page of the site costs
    t5 = time.perf_counter()
    late = [p for p in built.resources if p.startswith(("/calendars/", "/embed/"))]
    html = sum(len(built.resources[p].body) for p in late)
    on_request = time.perf_counter() - t5
    sizes = {
        p: len(built.resources[p].body)
        for p in ("/", "/feeds/all.ics", "/feeds/deadlines.ics")
        if p in built.resources
    }
    return {
        "sizes": sizes,
        "calendars": len(built.builds),
        "events": sum(len(b.events) for b in built.builds),
        "load": t1 - t0,
        "revisions": t2 - t1,
        "render": t3 - t2,
        "assemble": t4 - t3,
        "pages": pages_time[0],
        "total": t4 - t0,
        "on_request": on_request,  # making every page not made with the site
        "every_page": t4 - t0 + on_request,
        "ready_rss": ready_rss,  # peak RSS until the site could answer
        "page_bytes": html,
        "feeds_ready": t4 - t0 - pages_time[0],
        "ics_bytes": feeds,
        "resources": len(built.resources),
    }


def floor(path: str) -> dict:
    import yaml

    from bench.floor import convert

    start = time.perf_counter()
    with open(path, "rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    body = convert(data).to_ical()
    return {"total": time.perf_counter() - start, "ics_bytes": len(body)}


def edit(folder: str, rounds: int, pages: bool = True) -> dict:
    from feeds.serve import store

    pages_time = _timed_pages() if pages else _no_pages()
    path = next(Path(folder).glob("*.yaml"))
    t0 = time.perf_counter()
    live = store.Store(_settings(folder), settle_seconds=0)
    startup = time.perf_counter() - t0
    text = path.read_text("utf-8")
    anchor = '  - id: ev-005000\n    title: "'
    assert anchor in text
    times, feeds_times, modes, shifted = [], [], [], []
    for i in range(rounds + 2):
        if i % 2 == 0:
            if i < rounds:  # a new title, in place (LAST-MODIFIED moves)
                new = text.replace(anchor, f"{anchor}edited {i}: ", 1)
            else:  # a line added: every later event moves down a line
                line = f'  - id: ev-005000\n    description: "edited {i}"\n'
                new = text.replace("  - id: ev-005000\n", line, 1)
        else:  # the edit undone: back to the original text
            new = text
        old_feed = live.site.get("/feeds/bench.ics").body
        before = pages_time[0]
        _write_in_the_past(path, new, i)
        start = time.perf_counter()
        live.refresh()
        took = time.perf_counter() - start
        assert live.site.get("/feeds/bench.ics").body != old_feed, "the edit did not reach the feed"
        if i >= rounds:
            shifted.append(took)
            continue
        times.append(took)
        feeds_times.append(took - (pages_time[0] - before))
        modes.append(next(iter(live._files.values())).parse_cache.last)
    return {
        "startup": startup,
        "times": times,
        "feeds_times": feeds_times,
        "modes": modes,
        "shifted": shifted,
    }


def edit_many(folder: str, rounds: int) -> dict:
    """Edits of one deadline in a folder of many calendars, under a live store with its poller.

    A thread sends requests (in-process WSGI: a feed, the front page, a calendar page, the
    merged deadlines) all along; each edit is timed from the write until a request is served
    the new feed, and the reload's own work (``Store.refresh``) is timed apart. Returns both,
    the worst request latency while reloads ran, and the store's first load.
    """
    import re
    import threading

    from feeds.serve import store
    from feeds.serve.app import create_app

    interval = 0.05
    settings = _settings(folder).with_overrides(reload_seconds=interval)
    t0 = time.perf_counter()
    live = store.Store(settings, settle_seconds=0)
    startup = time.perf_counter() - t0
    work: list[float] = []
    refresh = live.refresh

    def timed_refresh():
        start = time.perf_counter()
        changed = refresh()
        if changed:
            work.append(time.perf_counter() - start)
        return changed

    live.refresh = timed_refresh
    app = create_app(settings, live)
    files = sorted(Path(folder).glob("*.yaml"))
    path = files[len(files) // 2]
    cal_id = path.stem
    feed = f"/feeds/{cal_id}/deadlines.ics"
    targets = [feed, "/", f"/calendars/{cal_id}/", "/feeds/deadlines.ics"]
    latencies: list[float] = []
    stop = threading.Event()

    def start_response(status, headers, exc_info=None):
        return None

    def requests():
        from wsgiref.util import setup_testing_defaults

        i = 0
        while not stop.is_set():
            env = {"PATH_INFO": targets[i % len(targets)], "REQUEST_METHOD": "GET"}
            setup_testing_defaults(env)
            start = time.perf_counter()
            b"".join(app(env, start_response))
            latencies.append(time.perf_counter() - start)
            i += 1
            time.sleep(0.002)

    def served() -> bytes:
        return live.current().site.get(feed).body

    text = path.read_text("utf-8")
    client = threading.Thread(target=requests, daemon=True)
    client.start()
    served()  # the first request starts the poller
    until_served, worst = [], []
    for i in range(rounds):
        due = re.search(r"due: (\d{4}-\d\d)-(\d\d)", text)
        assert due, f"no deadline in {path}"
        day = 1 + int(due.group(2)) % 28  # the next day (within the month)
        new = text.replace(due.group(0), f"due: {due.group(1)}-{day:02d}", 1)
        before = served()
        time.sleep(interval * 2)
        latencies.clear()
        _write_in_the_past(path, new, i)
        start = time.perf_counter()
        while served() == before:
            if time.perf_counter() - start > 120:
                raise RuntimeError(f"the edit of {path} was not served within 120 s")
            time.sleep(0.001)
        until_served.append(time.perf_counter() - start)
        time.sleep(interval * 2)  # the requests go on after the swap
        worst.append(max(latencies, default=0.0))
        text = new
    stop.set()
    client.join()
    return {
        "startup": startup,
        "times": work,
        "until_served": until_served,
        "interval": interval,
        "worst_latency": max(worst),
        "worst_latencies": worst,
        "requests": len(latencies),
        "calendars": len(files),
    }


def _write_in_the_past(path: Path, text: str, i: int) -> None:
    """Write ``text`` with a distinct mtime a minute ago (past the store's settle time)."""
    path.write_text(text, encoding="utf-8")
    stamp = time.time() - 60 + i
    os.utime(path, (stamp, stamp))


def profile(folder: str, out: str) -> dict:
    profiler = cProfile.Profile()
    profiler.enable()
    result = cold(folder)
    profiler.disable()
    profiler.dump_stats(out)
    return result


def wsgi(events: str, export: str, paths: str) -> dict:
    """App CPU per request (microseconds), called as WSGI in-process: no network, little noise.

    Ours with its access log written (to memory) and without, and the constant-bytes
    app; the best of three rounds of 3,000 requests for each path.
    """
    import io
    import logging
    from wsgiref.util import setup_testing_defaults

    os.environ["BENCH_EXPORT"] = export
    from bench.constapp import app as const
    from feeds import config
    from feeds.serve.app import create_app

    ours = create_app(_settings(events).with_overrides(reload_seconds=1.0))
    access = logging.getLogger("feeds.access")
    access.handlers[:] = [logging.StreamHandler(io.StringIO())]
    access.propagate = False

    def environ(path, etag):
        env = {
            "PATH_INFO": path,
            "REQUEST_METHOD": "GET",
            "HTTP_USER_AGENT": "Google-Calendar-Importer",
        }
        setup_testing_defaults(env)
        if etag:
            env["HTTP_IF_NONE_MATCH"] = etag
        return env

    def cost(app, path, etag):
        def start_response(status, headers, exc_info=None):
            return None

        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(3000):
                b"".join(app(environ(path, etag), start_response))
            best = min(best, (time.perf_counter() - start) / 3000 * 1e6)
        return best

    out = {}
    for case_path in paths.split(","):
        case, path = case_path.split("=", 1)
        etag = ours.extensions["feeds_store"].site.get(path).etag if case == "304" else None
        access.setLevel(logging.INFO)
        logged = cost(ours, path, etag)
        access.setLevel(logging.WARNING)
        out[case] = {
            "ours": logged,
            "ours_no_log": cost(ours, path, etag),
            "const": cost(const, path, etag),
        }
    del config
    return out


def main(argv: list[str]) -> int:
    what, *args = argv
    if what not in ("floor",):
        from feeds import gctune

        gctune.tune()  # as wsgi.py and the CLI do for our process (feeds.gctune)
    if what == "cold":
        result = cold(args[0])
    elif what == "cold-feeds":
        result = cold(args[0], pages=False)
    elif what == "floor":
        result = floor(args[0])
    elif what == "edit":
        result = edit(args[0], int(args[1]))
    elif what == "edit-feeds":
        result = edit(args[0], int(args[1]), pages=False)
    elif what == "edit-many":
        result = edit_many(args[0], int(args[1]))
    elif what == "wsgi":
        result = wsgi(args[0], args[1], args[2])
    elif what == "profile":
        result = profile(args[0], args[1])
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
