"""How deadline data written by hand spells zones, instants and notes, and what we write.

Each reader returns what a definition should say plus, when the source could be read
more than one way or not at all, a sentence saying so; the importer turns that sentence
into a located warning. Nothing here guesses silently.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date, datetime, timedelta

from feeds import tz

#: Abbreviations with one meaning: their literal offset (minutes) and the zone people
#: who write them usually mean. Ambiguous ones (CST: Chicago or China; IST: India,
#: Ireland or Israel) are not here and are not mapped.
ABBREVIATIONS = {
    "PST": (-480, "America/Los_Angeles"),
    "PDT": (-420, "America/Los_Angeles"),
    "MST": (-420, "America/Denver"),
    "MDT": (-360, "America/Denver"),
    "CDT": (-300, "America/Chicago"),
    "EST": (-300, "America/New_York"),
    "EDT": (-240, "America/New_York"),
    "HST": (-600, "Pacific/Honolulu"),
    "BST": (60, "Europe/London"),
    "CET": (60, "Europe/Paris"),
    "CEST": (120, "Europe/Paris"),
    "JST": (540, "Asia/Tokyo"),
    "KST": (540, "Asia/Seoul"),
    "SGT": (480, "Asia/Singapore"),
    "AEST": (600, "Australia/Sydney"),
    "AEDT": (660, "Australia/Sydney"),
}
_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ETC_GMT = re.compile(r"Etc/GMT([+-])(\d{1,2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SLUG_RUN = re.compile(r"[^a-z0-9]+")


def offset_zone(minutes: int) -> str:
    """The zone a definition writes for a fixed offset: ``AoE``, ``UTC``, ``UTC-8``, ``UTC+5:30``.

    The sign is the human one (``UTC-8`` is eight hours behind UTC), never ``Etc/GMT``'s.
    """
    if minutes == 0:
        return tz.UTC_NAME
    if minutes == -12 * 60:
        return tz.AOE
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone(raw: object, at: datetime | None) -> tuple[str | None, str]:
    """``(our zone, remark)`` for a source zone. No zone: UTC, as ai-deadlines shows it.

    ``None`` when the spelling names no zone we can write (the remark says why); ``at``
    (the wall time it qualifies) lets an abbreviation's remark say whether the zone it
    usually stands for has another offset on that day.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return tz.UTC_NAME, "no time zone is given: read as UTC, as ai-deadlines shows it"
    if not isinstance(raw, str):
        return None, f"time zone {raw!r} is not text"
    text = raw.strip()
    if text.casefold() == "aoe":
        return tz.AOE, ""
    if text.upper() in ("UTC", "GMT", "Z"):
        return tz.UTC_NAME, ""
    match = _OFFSET.fullmatch(text)
    if match:
        sign, hours, minutes = match.groups()
        total = int(hours) * 60 + int(minutes or 0)
        if int(hours) > 14 or int(minutes or 0) >= 60 or total > 14 * 60:
            return None, f"'{text}' is not an offset any place uses (more than 14 hours)"
        return offset_zone(-total if sign in "-−" else total), ""
    if text.upper() in ABBREVIATIONS:
        minutes, usual = ABBREVIATIONS[text.upper()]
        ours = offset_zone(minutes)
        remark = f"'{text}' is an abbreviation: imported as {ours}, what it literally says"
        usual_offset = _offset_at(at, usual) if at else None
        if usual_offset is not None and usual_offset != minutes:
            remark += (
                f"; {usual} is {offset_zone(usual_offset)} on {at:%Y-%m-%d}, so if the "
                f"conference means {usual} time the deadline is "
                f"{abs(usual_offset - minutes) // 60} hour(s) "
                f"{'earlier' if usual_offset > minutes else 'later'}"
            )
        return ours, remark + f"; if {usual} is meant, write timezone: {usual}"
    canonical = tz.canonical(text)
    etc = _ETC_GMT.fullmatch(canonical or "")
    if etc:  # POSIX signs: Etc/GMT+8 is eight hours behind UTC
        hours = int(etc.group(2))
        return offset_zone(hours * 60 if etc.group(1) == "-" else -hours * 60), ""
    if canonical is not None:
        return canonical, ""
    return None, f"unknown time zone '{text}': {tz.suggest(text)}"


def _offset_at(wall: datetime, zone_name: str) -> int | None:
    try:
        instant = tz.to_utc(wall, zone_name)
    except (tz.WallTimeError, ValueError):
        return None
    return round((wall - instant.replace(tzinfo=None)) / timedelta(minutes=1))


def instant(raw: object) -> tuple[str | date | None, datetime | None, str]:
    """``(what 'due' says, the wall time, remark)`` for a source deadline time.

    ai-deadlines writes ``'YYYY-MM-DD HH:MM:SS'``; a date alone is kept as a date (a
    definition reads it as 23:59) with a remark, since ai-deadlines' site shows 00:00.
    """
    if isinstance(raw, datetime):
        if raw.tzinfo is not None:
            return None, None, f"time {raw.isoformat()} carries an offset of its own"
        return raw.strftime("%Y-%m-%d %H:%M:%S"), raw, ""
    if isinstance(raw, date):
        return raw, datetime.combine(raw, datetime.min.time()), _DATE_ONLY
    if not isinstance(raw, str):
        return None, None, f"time {raw!r} is not a date and time"
    match = _INSTANT.fullmatch(raw.strip())
    if not match:
        return None, None, f"time '{raw}' is not a date and time (YYYY-MM-DD HH:MM:SS)"
    day, hour, minute, second = match.groups()
    try:
        if hour is None:
            value = date.fromisoformat(day)
            return value, datetime.combine(value, datetime.min.time()), _DATE_ONLY
        wall = datetime.fromisoformat(f"{day} {int(hour):02d}:{minute}:{second or '00'}")
    except ValueError as exc:
        return None, None, f"time '{raw}' is not a date and time ({exc})"
    written = wall.strftime("%Y-%m-%d %H:%M:%S" if second else "%Y-%m-%d %H:%M")
    return written, wall, ""


_DATE_ONLY = (
    "a date without a time: imported as a date, which a definition reads as 23:59 "
    "(ai-deadlines' site shows it as 00:00); add the time the conference states"
)


def day(raw: object) -> date | None:
    """A conference's first or last day (``2025-02-25``, quoted or not); None if not one."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and _DAY.fullmatch(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def plain_text(note: str) -> str:
    """A note's HTML as text: ``<a href='u'>here</a>`` becomes ``here (u)``; other tags go."""
    text = _LINK.sub(lambda m: f"{_TAG.sub('', m.group(2)).strip()} ({m.group(1).strip()})", note)
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits joined by ``-``: ``ECML PKDD`` -> ``ecml-pkdd``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_RUN.sub("-", ascii_text.casefold()).strip("-")
