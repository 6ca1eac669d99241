"""What the last export published, as a floor the next one must not go below.

A revisions file lost (a fresh clone without it, a deleted file) restarts every
event at SEQUENCE 0, and a client that holds SEQUENCE 2 ignores the "older"
copy: the subscriber keeps the stale time. The previous export in the output
folder says what subscribers already have, so :func:`check` compares each UID's
SEQUENCE there with the new site's and refuses the export if one would fall. It
reads the ``.ics`` files with a small line reader (unfolding, ``UID`` and
``SEQUENCE`` of each ``VEVENT``), the same one for both sides.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from feeds.errors import Problem
from feeds.render.paths import feed_path
from feeds.revisions import EPOCH
from feeds.site import Site

MAX_FILES = 200_000  # an export folder far beyond any site is not walked to the end


def sequences(texts: Iterable[tuple[str, bytes]]) -> dict[str, tuple[int, str]]:
    """UID -> (its highest SEQUENCE, the first file that has it) over ``(name, body)``."""
    return {uid: (seq, name) for uid, (seq, _, name) in published(texts).items()}


def published(texts: Iterable[tuple[str, bytes]]) -> dict[str, tuple[int, datetime, str]]:
    """UID -> (highest SEQUENCE, latest LAST-MODIFIED, the first file with that SEQUENCE)."""
    out: dict[str, tuple[int, datetime, str]] = {}
    for name, body in texts:
        for uid, sequence, modified in _events(body):
            known = out.get(uid)
            if known is None:
                out[uid] = (sequence, modified, name)
            elif sequence > known[0]:
                out[uid] = (sequence, max(modified, known[1]), name)
            elif modified > known[1]:
                out[uid] = (known[0], modified, known[2])
    return out


def _events(body: bytes):
    uid, sequence, modified, inside = None, 0, EPOCH, False
    for line in _unfolded(body):
        key, _, value = line.partition(":")
        name, value = key.split(";", 1)[0].upper(), value.strip()
        if name == "BEGIN" and value.upper() == "VEVENT":
            uid, sequence, modified, inside = None, 0, EPOCH, True
        elif name == "END" and value.upper() == "VEVENT":
            if inside and uid:
                yield uid, sequence, modified
            inside = False
        elif inside and name == "UID":
            uid = value
        elif inside and name == "SEQUENCE" and value.isdigit():
            sequence = int(value[:12])
        elif inside and name in ("LAST-MODIFIED", "DTSTAMP") and _STAMP.fullmatch(value):
            modified = max(modified, datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))


_STAMP = re.compile(r"\d{8}T\d{6}Z")


def previous_events(out: str | os.PathLike) -> dict[str, dict[str, tuple[int, datetime]]]:
    """What the export in ``out`` published: calendar id -> event id -> (SEQUENCE, time)."""
    folder = previous(out)
    found: dict[str, dict[str, tuple[int, datetime]]] = {}
    if folder is None:
        return found
    for uid, (sequence, modified, _) in published(_published(folder)).items():
        ids, _, _ = uid.rpartition("@")
        calendar_id, _, event_id = ids.partition("/")
        if calendar_id and event_id:
            found.setdefault(calendar_id, {})[event_id] = (sequence, modified)
    return found


def calendar_feed(calendar_id: str) -> str:
    """The URL path of a calendar's own feed, whose Last-Modified is the calendar's clock."""
    return feed_path(calendar_id)


def feed_times(out: str | os.PathLike, calendar_ids: Iterable[str]) -> dict[str, datetime]:
    """calendar id -> the Last-Modified the export in ``out`` serves its feed with (the
    file's mtime, which is what a static host sends), for each feed that is there."""
    folder = previous(out)
    found: dict[str, datetime] = {}
    for calendar_id in calendar_ids if folder is not None else ():
        path = folder / calendar_feed(calendar_id).lstrip("/")
        try:
            if path.is_file() and not path.is_symlink():
                found[calendar_id] = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        except (OSError, ValueError, OverflowError):
            continue
    return found


def _unfolded(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace").replace("\r\n", "\n")
    return text.replace("\n ", "").replace("\n\t", "").split("\n")


def previous(out: str | os.PathLike) -> Path | None:
    """The folder of the export ``out`` points to (or is), if there is one."""
    target = Path(os.path.abspath(out))
    try:
        folder = target.resolve() if target.exists() else None
    except (OSError, RuntimeError):
        return None
    return folder if folder is not None and folder.is_dir() else None


def _published(folder: Path) -> Iterable[tuple[str, bytes]]:
    for count, path in enumerate(sorted(folder.rglob("*.ics"))):
        if count >= MAX_FILES:
            return
        try:
            if path.is_file() and not path.is_symlink():
                yield str(path), path.read_bytes()
        except OSError:
            continue


def check(site: Site, out: str | os.PathLike) -> list[Problem]:
    """Problems if ``site`` would publish, for a UID, a lower SEQUENCE or an earlier
    LAST-MODIFIED, or for a calendar's feed an earlier Last-Modified, than the export in
    ``out``: the first leaves subscribers their old copy, the others move the feed's
    Last-Modified back, and a client revalidating by date (Apple Calendar; nginx answers
    304 to any copy as new as the file) keeps its old copy."""
    folder = previous(out)
    if folder is None:
        return []
    before = published(_published(folder))
    if not before:
        return []
    now = published((p, r.body) for p, r in site.resources.items() if p.endswith(".ics"))
    owners = {}
    for build in site.builds:
        name = f"{build.calendar.id}.revisions.json"
        owners[build.calendar.id] = str(Path(build.calendar.path).with_name(name))
    problems = []
    for uid, (sequence, modified, _) in sorted(now.items()):
        old = before.get(uid)
        if old is None:
            continue
        if sequence < old[0]:
            fall = f"SEQUENCE would fall from {old[0]} (published in {old[2]}) to {sequence}"
        elif modified < old[1]:
            fall = (
                f"LAST-MODIFIED would fall from {_stamp(old[1])} (published in {old[2]}) "
                f"to {_stamp(modified)}"
            )
        else:
            continue
        calendar_id = uid.split("/", 1)[0]
        problems.append(_fallen(owners.get(calendar_id, str(out)), f"event {uid}", fall, out))
    # A removal or a calendar edit can be the calendar's latest time: no UID shows it.
    times = feed_times(out, owners)
    for build in site.builds:
        resource = site.resources.get(calendar_feed(build.calendar.id))
        old = times.get(build.calendar.id)
        if resource is None or old is None or resource.last_modified >= old:
            continue
        fall = f"Last-Modified would fall from {_stamp(old)} to {_stamp(resource.last_modified)}"
        problems.append(_fallen(owners[build.calendar.id], f"feed {resource.path}", fall, out))
    return problems


def _fallen(owner: str, what: str, fall: str, out: str | os.PathLike) -> Problem:
    return Problem(
        owner,
        0,
        f"{what}: {fall}; subscribers would keep their old copy",
        "the revisions file was lost or replaced by an older one: restore it (git "
        f"checkout), or run 'feeds revise --floor {out}' to continue from what this "
        "export published; the export was not changed",
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
