"""The ``feeds`` command: a thin shell over the package's functions.

Every failure caused by input ends in a message naming the file and line and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from feeds import __version__, config, gctune, revisions
from feeds.definitions import loader
from feeds.errors import FeedsError, Problem

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    gctune.tune()  # this process loads calendars: rarer collections (feeds.gctune)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except FeedsError as exc:
        print(f"feeds: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feeds", description="Publish YAML event definitions as iCalendar feeds."
    )
    parser.add_argument("--version", action="version", version=f"feeds {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("validate", help="check definitions; exit 1 on any error")
    p.add_argument(
        "path", nargs="?", help="a definition file or folder (default: the events folder)"
    )
    p.add_argument(
        "--errors-only",
        action="store_true",
        help="print errors and a one-line summary only (no warnings, no line per file)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("revise", help="update the revisions files beside the definitions")
    p.add_argument(
        "path", nargs="?", help="a definition file or folder (default: the events folder)"
    )
    p.add_argument(
        "--resolve",
        action="store_true",
        help="merge both sides of a git conflict in a revisions file (higher SEQUENCE wins)",
    )
    p.add_argument(
        "--floor",
        metavar="EXPORT",
        help="a previous 'feeds build' output: no SEQUENCE or time below what it published",
    )
    p.set_defaults(func=cmd_revise)

    p = sub.add_parser("serve", help="serve the feeds and pages over HTTP")
    _site_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--reload-seconds",
        type=float,
        help="how often to look for edits, in seconds; 0: never (FEEDS_RELOAD_SECONDS)",
    )
    p.add_argument(
        "--trusted-proxies",
        type=int,
        help="how many proxies in front add X-Forwarded-* headers (FEEDS_TRUSTED_PROXIES)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("build", help="write the whole site as static files, atomically")
    p.add_argument("out", help="the output folder (replaced whole)")
    _site_options(p)
    p.add_argument(
        "--publish-valid",
        action="store_true",
        help="publish the valid calendars even if some files have errors (still listed)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("import", help="convert another project's deadline data to definitions")
    p.add_argument("format", choices=["hf-ai-deadlines"], help="the source's format")
    p.add_argument("source", metavar="SOURCE_DIR", help="its folder of files (or checkout)")
    p.add_argument("out", metavar="OUT_DIR", help="where the definition files go")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("check", help="lint any .ics file or URL and compare independent parsers")
    p.add_argument("targets", nargs="+", metavar="FILE_OR_URL")
    p.set_defaults(func=cmd_check)
    return parser


def _site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", dest="events_dir", help="definitions folder (FEEDS_EVENTS_DIR)")
    p.add_argument("--public-url", help="base of absolute URLs (FEEDS_PUBLIC_URL)")
    p.add_argument("--uid-domain", help="domain part of event UIDs (FEEDS_UID_DOMAIN)")
    p.add_argument("--refresh", help="refresh interval, e.g. PT12H or 6h (FEEDS_REFRESH)")
    p.add_argument("--site-name", help="name of the merged feeds and pages (FEEDS_SITE_NAME)")


def _settings(args: argparse.Namespace, **extra) -> config.Settings:
    refresh = None
    if getattr(args, "refresh", None):
        refresh = config.convert("refresh", args.refresh)
    return config.from_env(
        events_dir=getattr(args, "events_dir", None),
        public_url=getattr(args, "public_url", None),
        uid_domain=getattr(args, "uid_domain", None),
        refresh=refresh,
        site_name=getattr(args, "site_name", None),
        **extra,
    )


def _definitions(path: str | None) -> tuple[list, list[Problem]]:
    """Load a file or a folder: (calendars, problems)."""
    target = Path(path) if path else Path(config.from_env().events_dir)
    if target.is_dir():
        return loader.check_folder(target)
    if not target.exists():
        return [], [
            Problem(str(target), 0, "no such file or folder", "give a definition file or folder")
        ]
    calendar, problems = loader.check_file(target)
    return ([calendar] if calendar else []), problems


def _report(problems: list[Problem]) -> int:
    errors = [p for p in problems if p.severity == "error"]
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    return len(errors)


def cmd_validate(args: argparse.Namespace) -> int:
    calendars, problems = _definitions(args.path)
    stored, unusable = [], set()
    for cal in calendars:
        try:
            revs = revisions.read(revisions.revisions_path(cal))
        except revisions.RevisionsError as exc:
            problems.append(exc.problem)
            unusable.add(cal.id)
            continue
        problems.extend(revisions.stale_problems(cal, revs))
        stored.append((cal, revisions.reconcile(cal, revs, revisions.EPOCH)))
    if args.errors_only:  # for large sets: the errors (revisions files' too) and one line
        errors = _report([p for p in problems if p.severity == "error"])
        bad = len({p.path for p in problems if p.severity == "error"})
        print(f"{len(calendars)} calendar(s) valid, {bad} file(s) with errors")
        return EXIT_INVALID if errors else EXIT_OK
    problems.extend(_feed_warnings(definitions=stored))
    errors = _report(problems)
    for cal in calendars:
        if cal.id not in unusable:  # a calendar whose revisions file is an error is not ok
            print(f"{cal.path}: calendar '{cal.id}', {len(cal.events)} events: ok")
    if errors:
        print(f"{errors} error(s); nothing was published.", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def cmd_revise(args: argparse.Namespace) -> int:
    calendars, problems = _definitions(args.path)
    if _report(problems):
        print("fix the errors first; revisions were not changed.", file=sys.stderr)
        return EXIT_INVALID
    failed = 0
    floors = _export_floors(args.floor, calendars) if args.floor else {}
    for cal in calendars:
        path = revisions.revisions_path(cal)
        try:
            if args.resolve:
                _resolve(path)
            before = revisions.read(path)
            after = revisions.update(cal, floor=floors.get(cal.id))
        except revisions.RevisionsError as exc:
            print(exc.problem, file=sys.stderr)
            failed += 1
            continue
        changed = sorted(i for i in after.events if _revised(before, after, i))
        upgraded = before is not None and before.version != after.version
        print(
            f"{path}: {len(changed)} event(s) revised"
            + (f": {', '.join(changed)}" if changed else "")
            + (f" (upgraded to format version {after.version})" if upgraded else "")
        )
    if failed:
        print(f"{failed} revisions file(s) left as they were.", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _export_floors(out: str, calendars) -> dict[str, revisions.Revisions]:
    """What an export published, as floors for :func:`revisions.update`: an event it holds
    at a higher SEQUENCE than the file continues from there (one more, since whether it
    changed since cannot be known), at a time after the export's; and a calendar whose
    feed it serves with a later Last-Modified than the file records (a removal or a
    calendar edit the file lost) is recorded as edited after that time."""
    from feeds.export import floor

    if floor.previous(out) is None:
        raise FeedsError(f"{out}: no export there to take sequences from")
    events = floor.previous_events(out)
    feed_times = floor.feed_times(out, [cal.id for cal in calendars])
    out_floors = {}
    for cal in calendars:
        entries = {
            event_id: revisions.Revision(seq, when, when, "", "")
            for event_id, (seq, when) in events.get(cal.id, {}).items()
        }
        header = None
        if cal.id in feed_times:  # unknown content, the current place: no SEQUENCE rises
            place = revisions.header_fingerprints(cal)[1]
            header = revisions.Header("", place, feed_times[cal.id])
        out_floors[cal.id] = revisions.Revisions(cal.id, entries, header=header)
    return out_floors


def _revised(before, after, event_id: str) -> bool:
    """Whether ``event_id`` got a new revision (not merely new fingerprints)."""
    old = before.events.get(event_id) if before is not None else None
    new = after.events[event_id]
    return old is None or (old.sequence, old.modified) != (new.sequence, new.modified)


def _resolve(path: Path) -> None:
    """Replace a conflicted revisions file by the merge of its two sides (and say so)."""
    text = path.read_text("utf-8") if path.is_file() else ""
    if not revisions.conflict_line(text):
        return
    merged = revisions.resolve(text, str(path))
    revisions.write(path, merged)
    print(f"{path}: conflict resolved: per event the higher SEQUENCE and the later time")


def cmd_build(args: argparse.Namespace) -> int:
    from feeds.export import floor
    from feeds.export import writer as export
    from feeds.serve import health
    from feeds.serve.store import Store

    # The live server's own loading path, so the export is the bytes it would serve.
    settings = _settings(args).with_overrides(reload_seconds=0)
    logging.getLogger("feeds").addHandler(logging.NullHandler())  # problems are printed below
    store = Store(settings)
    errors = _report(store.problems() + _feed_warnings(store.site))  # warnings do not fail
    if errors and args.publish_valid and store.site.builds:
        left_out = health.invalid(store.current().calendars)
        print(
            f"--publish-valid: {len(left_out)} file(s) with errors are published as their "
            "last good version or not at all: " + ", ".join(c["file"] for c in left_out),
            file=sys.stderr,
        )
        errors = 0
    if not errors and not store.site.builds:
        print(f"{settings.events_dir}: no calendar to export", file=sys.stderr)
        errors = 1
    if not errors:  # no SEQUENCE below what the export already in OUT published
        errors = _report(floor.check(store.site, args.out))
    if errors:
        print(
            f"the export was aborted; {args.out} was left as it was "
            "(--publish-valid publishes the valid calendars).",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        files = export.write_site(store.site, args.out)
    except export.ExportError as exc:  # already "path: what went wrong; what to do"
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    print(f"{args.out}: {len(files)} files written (in {export.current_build(args.out)})")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from feeds.serve import health
    from feeds.serve.app import create_app
    from feeds.serve.store import Store

    public_url = args.public_url
    if public_url is None and not os.environ.get(config.PREFIX + "PUBLIC_URL"):
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        public_url = f"http://{shown}:{args.port}"
    settings = _settings(
        args, reload_seconds=args.reload_seconds, trusted_proxies=args.trusted_proxies
    ).with_overrides(public_url=public_url)
    logging.getLogger("feeds").addHandler(logging.NullHandler())  # errors are printed below
    store = Store(settings)
    errors = store.errors()
    for problem in errors:
        print(problem, file=sys.stderr)
    if errors and not store.site.builds:
        print(f"{len(errors)} error(s) and no valid calendar; not serving.", file=sys.stderr)
        return EXIT_INVALID
    if errors:
        left_out = health.invalid(store.current().calendars)
        print(
            f"{len(errors)} error(s) in {len(left_out)} file(s), not served until fixed (listed "
            "in /healthz); serving the other calendars.",
            file=sys.stderr,
        )
    for problem in _feed_warnings(store.site):
        print(problem, file=sys.stderr)  # and logged again on a reload that changes them
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = create_app(settings, store)
    print(f"Serving {settings.events_dir} at {settings.public_url}/ (Ctrl-C stops)")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from feeds.importers import hf_ai_deadlines, output

    source = hf_ai_deadlines.source_folder(Path(args.source))
    out = Path(args.out)
    if not source.is_dir():
        print(f"{args.source}: no such folder; give the source's folder", file=sys.stderr)
        return EXIT_USAGE
    if out.resolve() == source.resolve():
        print(f"{args.out}: is the source folder; give another folder", file=sys.stderr)
        return EXIT_USAGE
    conversion = hf_ai_deadlines.convert(source)
    outcome = output.write(conversion, out, hf_ai_deadlines.FORMAT)
    errors = _report([*conversion.problems, *outcome.problems])
    doubts = sum(1 for p in conversion.problems if p.severity != "error")
    print(
        f"{out}: {len(conversion.conferences)} calendar(s), {conversion.deadlines} deadline(s): "
        f"{len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.refused)} refused; {doubts} value(s) not mapped or read with a doubt"
        + (" (listed above)" if doubts else "")
    )
    if outcome.invalid:
        print(f"{len(outcome.invalid)} written file(s) do not validate (listed above)")
    return EXIT_INVALID if errors else EXIT_OK


def _feed_warnings(built=None, definitions=None) -> list[Problem]:
    """Feeds past what clients read (feeds.site.limits): of a ``built`` site, or of the
    ``definitions`` (``[(calendar, revisions)]``) as they would be published."""
    from feeds.site import limits

    if built is not None:
        return limits.site_warnings(built)
    return limits.definition_warnings(definitions or [], config.from_env())


def cmd_check(args: argparse.Namespace) -> int:
    from feeds.doctor import report as doctor

    return doctor.run(args.targets, sys.stdout, sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
