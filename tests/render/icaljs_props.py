"""Read a served feed's events with ical.js (Thunderbird's parser) and icalendar, as records.

The interop helper (``feeds.doctor.parsers``) reports times, text, status and SEQUENCE; the
free/busy, reminder and merged-SUMMARY tests also need TRANSP, Microsoft's busy status and
the all-day date as each parser sees them. Each reader gives, per VEVENT, a dict with
``uid``, ``summary``, ``transp``, ``busystatus``, ``status``, ``all_day``, ``start`` (a
``date`` for all-day events, else an aware UTC ``datetime``), ``end`` (likewise, or None),
``sequence``, ``last_modified`` and ``description``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime

import icalendar
import pytest

from feeds.doctor import parsers
from feeds.doctor.node import node_modules

#: Set by ``make test`` (and so CI): ical.js must run instead of the tests skipping.
REQUIRE_ALL = os.environ.get("FEEDS_REQUIRE_ALL_PARSERS") == "1"

_SCRIPT = r"""
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const dir = process.env.FEEDS_NODE_MODULES;
const pkg = JSON.parse(readFileSync(join(dir, 'ical.js', 'package.json'), 'utf8'));
const ICAL = (await import(pathToFileURL(join(dir, 'ical.js', pkg.main)).href)).default;
const root = new ICAL.Component(ICAL.parse(readFileSync(0, 'utf8')));
const pad = (n, w = 2) => String(n).padStart(w, '0');
const value = (t) => !t ? null : t.isDate
  ? `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`
  : new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', 'Z');
const out = root.getAllSubcomponents('vevent').map((c) => {
  const e = new ICAL.Event(c);
  const modified = c.getFirstPropertyValue('last-modified');
  return {
    uid: e.uid, summary: e.summary, description: e.description ?? null,
    transp: c.getFirstPropertyValue('transp'),
    busystatus: c.getFirstPropertyValue('x-microsoft-cdo-busystatus'),
    status: c.getFirstPropertyValue('status'),
    all_day: Boolean(e.startDate && e.startDate.isDate),
    start: value(e.startDate), end: c.hasProperty('dtend') ? value(e.endDate) : null,
    sequence: e.sequence ?? null, last_modified: value(modified),
  };
});
process.stdout.write(JSON.stringify(out));
"""


def _value(text: str | None) -> date | datetime | None:
    if text is None:
        return None
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def icaljs(body: bytes) -> list[dict]:
    """The feed's VEVENTs as ical.js reads them; skips (or fails under ``make test``) without
    node and the npm packages."""
    ok, reason = parsers.available("ical.js")
    if not ok:
        if REQUIRE_ALL:
            pytest.fail(f"ical.js cannot run: {reason}")
        pytest.skip(f"ical.js cannot run: {reason}")
    env = {**os.environ, "TZ": "UTC", "FEEDS_NODE_MODULES": str(node_modules())}
    done = subprocess.run(
        [shutil.which("node"), "--input-type=module", "-e", _SCRIPT],
        input=body,
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    records = json.loads(done.stdout)
    for record in records:
        for key in ("start", "end", "last_modified"):
            record[key] = _value(record[key])
    return records


def _utc(value: object) -> date | datetime | None:
    if value is None:
        return None
    moment = value.dt
    if isinstance(moment, datetime):
        assert moment.tzinfo is not None, "a floating time"
        return moment.astimezone(UTC)
    return moment


def python(body: bytes) -> list[dict]:
    """The feed's VEVENTs as icalendar reads them, in the same shape as :func:`icaljs`."""
    records = []
    for component in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        start = _utc(component.get("DTSTART"))
        records.append(
            {
                "uid": str(component["UID"]),
                "summary": str(component.get("SUMMARY")),
                "description": str(component["DESCRIPTION"])
                if "DESCRIPTION" in component
                else None,
                "transp": str(component.get("TRANSP")) if "TRANSP" in component else None,
                "busystatus": (
                    str(component["X-MICROSOFT-CDO-BUSYSTATUS"])
                    if "X-MICROSOFT-CDO-BUSYSTATUS" in component
                    else None
                ),
                "status": str(component.get("STATUS")) if "STATUS" in component else None,
                "all_day": not isinstance(start, datetime),
                "start": start,
                "end": _utc(component.get("DTEND")),
                "sequence": int(component["SEQUENCE"]) if "SEQUENCE" in component else None,
                "last_modified": _utc(component.get("LAST-MODIFIED")),
            }
        )
    return records


READERS = {"icalendar": python, "ical.js": icaljs}


def by_uid(records: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for record in records:
        assert record["uid"] not in out, f"UID {record['uid']} twice"
        out[record["uid"]] = record
    return out
