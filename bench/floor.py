"""The plain icalendar floor: what any script turning this YAML into a feed must spend.

Loads a definition file with PyYAML's libyaml-backed ``CSafeLoader``, builds
the same VEVENTs with icalendar (UID, DTSTAMP, SUMMARY, DTSTART/DTEND with
TZID, RRULE, EXDATE, STATUS, CATEGORIES, LOCATION, DESCRIPTION, URL), adds the
VTIMEZONEs with icalendar's own ``add_missing_timezones`` and calls
``to_ical``. No validation, no line numbers, no revisions, no per-kind feeds:
it understands only the shapes :mod:`bench.generate` writes.

Run: ``python -m bench.floor FILE.yaml OUT.ics``.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import yaml

AOE = timezone(timedelta(hours=-12))
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def _wall(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def convert(data: dict) -> icalendar.Calendar:
    home = ZoneInfo(data.get("timezone", "Asia/Seoul"))
    cal = icalendar.Calendar()
    cal.add("prodid", "-//bench floor//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", data["name"])
    for e in data["events"]:
        ev = icalendar.Event()
        ev.add("uid", f"{data['id']}/{e['id']}@bench.invalid")
        ev.add("dtstamp", STAMP)
        ev.add("summary", e["title"])
        if "due" in e:
            due = e["due"]
            if isinstance(due, date) and not isinstance(due, datetime):
                at = datetime.combine(due, datetime.min.time()).replace(
                    hour=23, minute=59, tzinfo=AOE
                )
            else:
                day, clock, zone = str(due).split()
                at = datetime.fromisoformat(f"{day} {clock}").replace(
                    tzinfo=AOE if zone == "AoE" else UTC
                )
            ev.add("dtstart", at.astimezone(UTC))
        elif isinstance(e["start"], date) and not isinstance(e["start"], datetime):
            ev.add("dtstart", e["start"])
            ev.add("dtend", e.get("end", e["start"]) + timedelta(days=1))
        else:
            start = _wall(e["start"]).replace(tzinfo=home)
            if "duration" in e:
                end = start + timedelta(minutes=int(str(e["duration"]).rstrip("m")))
            elif isinstance(e["end"], int):  # YAML 1.1 reads "end: 17:00" as base-60 1020
                end = start.replace(hour=0, minute=0) + timedelta(minutes=e["end"])
            else:  # "end: 08:45" stays text (no base-60 number starts with 0)
                hour, minute = str(e["end"]).split(":")
                end = start.replace(hour=int(hour), minute=int(minute))
            ev.add("dtstart", start)
            ev.add("dtend", end)
            repeat = e.get("repeat")
            if repeat:
                rule = {"FREQ": "DAILY" if repeat["every"] == "day" else "WEEKLY"}
                if "count" in repeat:
                    rule["COUNT"] = repeat["count"]
                else:
                    last = datetime.combine(repeat["until"], start.timetz())
                    rule["UNTIL"] = last.astimezone(UTC)
                ev.add("rrule", rule)
                if repeat.get("except"):
                    ev.add(
                        "exdate", [datetime.combine(d, start.timetz()) for d in repeat["except"]]
                    )
        ev.add("status", "CONFIRMED")
        ev.add("categories", [e["kind"], *e.get("tags", [])])
        if e.get("location") or data.get("location"):
            ev.add("location", e.get("location") or data["location"])
        if e.get("description"):
            ev.add("description", e["description"])
        if e.get("url"):
            ev.add("url", e["url"])
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def main(argv: list[str]) -> int:
    with open(argv[0], "rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    body = convert(data).to_ical()
    with open(argv[1], "wb") as out:
        out.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
