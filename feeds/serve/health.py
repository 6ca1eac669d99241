"""What the store reports: each definition file's state, and the ``/healthz`` answer."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from feeds import site
from feeds.errors import Problem
from feeds.serve.files import FileState
from feeds.timefmt import iso_utc


def calendars_report(
    files: dict[Path, FileState], conflicts: dict[Path, Problem], new_site: site.Site
) -> tuple[list[dict], list[Problem]]:
    """One entry per definition file (what is served from it, its problems), and every problem."""
    served = {b.calendar.id: b for b in new_site.builds}
    calendars = []
    problems: list[Problem] = []
    for path in sorted(files):
        state = files[path]
        conflict = conflicts.get(path)
        found = [*state.problems, *(p for p in (state.read_problem, conflict) if p)]
        problems.extend(found)
        errors = [str(p) for p in found if p.severity == "error"]
        build = state.build
        live = build is not None and served.get(build.calendar.id) is build
        if not live:
            serving = "nothing"
        elif state.missing_since is not None:
            serving = "last good version (file missing)"
        elif errors:
            serving = "last good version"
        else:
            serving = "current"
        calendars.append(
            {
                "file": str(path),
                "id": build.calendar.id if build else None,
                "version": build.version if live else None,
                "loaded_at": stamp(state.loaded_at) if live else None,
                "events": len(build.events) if live else 0,
                "serving": serving,
                "errors": errors,
                "warnings": [str(p) for p in found if p.severity != "error"],
            }
        )
    return calendars, problems


def health(snap, reload_seconds: float) -> tuple[dict, int]:
    """``(json, status)`` for ``/healthz``.

    200 while the site serves at least one calendar (``status`` is ``ok``,
    or ``degraded`` when some definition has errors and its last good
    version, or nothing, is served for it); 503 when there is nothing good
    to serve (``failing``): no definitions, or none valid. A load balancer
    should take an instance out on 503 only.
    """
    errors = [str(p) for p in snap.problems if p.severity == "error"]
    status = "failing" if not snap.serving else ("degraded" if errors else "ok")
    body = {
        "status": status,
        "process": os.getpid(),
        "site_version": snap.version,
        "loaded_at": stamp(snap.assembled_at),
        "checked_at": stamp(snap.checked_at),
        "reload_seconds": reload_seconds,
        "calendars": list(snap.calendars),
        "errors": errors,
        "files": len(snap.calendars),
        "served": sum(1 for c in snap.calendars if c["serving"] != "nothing"),
        "invalid": invalid(snap.calendars),
    }
    return body, 200 if snap.serving else 503


def invalid(calendars) -> list[dict]:
    """The definition files with errors: each file, what is served from it, its errors.

    A file with errors never stops the others: its last good version, or nothing, is
    served for it, and it is listed here (and in ``/healthz``) until it is fixed.
    """
    return [
        {"file": c["file"], "serving": c["serving"], "errors": c["errors"]}
        for c in calendars
        if c["errors"]
    ]


def summary(calendars) -> str:
    """One log line on the files with errors ("" when there are none)."""
    bad = invalid(calendars)
    if not bad:
        return ""
    shown = ", ".join(c["file"] for c in bad[:10]) + (", ..." if len(bad) > 10 else "")
    return (
        f"{len(bad)} of {len(calendars)} definition file(s) have errors and are not served "
        f"as they are: {shown} (each listed with its errors in /healthz)"
    )


def stamp(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None
