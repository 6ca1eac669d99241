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
from collections.abc import Iterable
from pathlib import Path

from feeds.errors import Problem
from feeds.site import Site

MAX_FILES = 200_000  # an export folder far beyond any site is not walked to the end


def sequences(texts: Iterable[tuple[str, bytes]]) -> dict[str, tuple[int, str]]:
    """UID -> (its highest SEQUENCE, the first file that has it) over ``(name, body)``."""
    out: dict[str, tuple[int, str]] = {}
    for name, body in texts:
        for uid, sequence in _events(body):
            known = out.get(uid)
            if known is None or sequence > known[0]:
                out[uid] = (sequence, name)
    return out


def _events(body: bytes):
    uid, sequence, inside = None, 0, False
    for line in _unfolded(body):
        key, _, value = line.partition(":")
        name = key.split(";", 1)[0].upper()
        if name == "BEGIN" and value.strip().upper() == "VEVENT":
            uid, sequence, inside = None, 0, True
        elif name == "END" and value.strip().upper() == "VEVENT":
            if inside and uid:
                yield uid, sequence
            inside = False
        elif inside and name == "UID":
            uid = value.strip()
        elif inside and name == "SEQUENCE" and value.strip().isdigit():
            sequence = int(value.strip()[:12])


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
    """Problems if ``site`` would publish a lower SEQUENCE than the export in ``out``."""
    folder = previous(out)
    if folder is None:
        return []
    before = sequences(_published(folder))
    if not before:
        return []
    now = sequences((p, r.body) for p, r in site.resources.items() if p.endswith(".ics"))
    owners = {}
    for build in site.builds:
        name = f"{build.calendar.id}.revisions.json"
        owners[build.calendar.id] = str(Path(build.calendar.path).with_name(name))
    problems = []
    for uid, (sequence, _) in sorted(now.items()):
        old = before.get(uid)
        if old is None or sequence >= old[0]:
            continue
        calendar_id = uid.split("/", 1)[0]
        problems.append(
            Problem(
                owners.get(calendar_id, str(out)),
                0,
                f"event {uid}: SEQUENCE would fall from {old[0]} (published in {old[1]}) to "
                f"{sequence}; subscribers would keep their old copy",
                "the revisions file was lost or replaced by an older one: restore it "
                "(git checkout, or from a backup) and build again; the export was not changed",
            )
        )
    return problems
