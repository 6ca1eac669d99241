"""Reading the time values people write in definitions.

PyYAML hands over three kinds of value for a time: a ``date`` (``2026-07-06``),
a naive ``datetime`` (``2026-07-06 09:00:00``, with seconds) and a plain string
(``2026-07-06 09:00`` has no seconds, so YAML leaves it a string). Each is
accepted here on purpose. A string may end in a zone (``2026-01-28 23:59 AoE``,
``... UTC-8``, ``... UTC+05:30``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_DATETIME = re.compile(
    r"""^\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})
    (?:(?:[ T]|\s+)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?
    (?:\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|[A-Za-z][A-Za-z0-9_/+\-\u2212:]*))?\s*$""",
    re.VERBOSE,
)
_CLOCK = re.compile(r"\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*")
_SHORT_DURATION = re.compile(
    r"^\s*(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*$", re.I
)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$",
    re.I,
)


@dataclass(frozen=True)
class Moment:
    """A parsed time value: a date, or a wall-clock datetime, maybe with a zone.

    ``zone`` is the zone text written after the value (``AoE``, ``UTC``,
    ``Asia/Seoul``) or a fixed offset (``+09:00``), else None.
    """

    value: date | datetime
    zone: str | None = None

    @property
    def is_date(self) -> bool:
        return not isinstance(self.value, datetime)


def parse_moment(raw: object) -> Moment:
    """A date or date-time from what YAML produced; ``ValueError`` says what is wrong."""
    if isinstance(raw, datetime):
        if raw.tzinfo is not None:
            offset = raw.utcoffset() or timedelta(0)
            return Moment(raw.replace(tzinfo=None), _offset_text(offset))
        return Moment(raw)
    if isinstance(raw, date):
        return Moment(raw)
    if not isinstance(raw, str):
        raise ValueError(f"expected a date or date and time, got {_describe(raw)}")
    match = _DATETIME.fullmatch(raw)
    if not match:
        raise ValueError(f"'{raw}' is not a date or date and time")
    parts = match.groupdict()
    try:
        day = date(int(parts["y"]), int(parts["mo"]), int(parts["d"]))
        if parts["h"] is None:
            if parts["zone"]:
                raise ValueError(f"'{raw}' gives a zone but no time of day")
            return Moment(day)
        clock = time(int(parts["h"]), int(parts["mi"]), int(parts["s"] or 0))
    except ValueError as exc:
        if "zone but no time" in str(exc):
            raise
        raise ValueError(f"'{raw}' is not a real date or time ({exc})") from None
    return Moment(datetime.combine(day, clock), parts["zone"])


def parse_clock(raw: object) -> time | None:
    """A bare time of day (``17:00``), or None when ``raw`` is not one."""
    if isinstance(raw, str):
        match = _CLOCK.fullmatch(raw)
        if match:
            try:
                return time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
            except ValueError:
                return None
    return None


def parse_duration(raw: object) -> timedelta:
    """``90m``, ``1h30m``, ``2h``, ``1d`` or ISO 8601 ``PT1H30M``."""
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        match = _ISO_DURATION.fullmatch(text) or _SHORT_DURATION.fullmatch(text)
        if match and any(match.groupdict().values()):
            parts = {k: int(v or 0) for k, v in match.groupdict().items()}
            return timedelta(
                weeks=parts.get("w", 0),
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
    raise ValueError(f"{_describe(raw)} is not a duration")


def parse_offset(text: str) -> timedelta | None:
    """``+09:00`` / ``-1200`` / ``Z`` as a timedelta, or None if not an offset."""
    if text == "Z":
        return timedelta(0)
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not match:
        return None
    sign = 1 if match[1] == "+" else -1
    return sign * timedelta(hours=int(match[2]), minutes=int(match[3]))


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _describe(raw: object) -> str:
    if isinstance(raw, str):
        return f"'{raw}'"
    if isinstance(raw, bool):
        return f"{str(raw).lower()} (a yes/no value)"
    if isinstance(raw, int | float):
        return f"the number {raw}"
    if raw is None:
        return "nothing"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    return f"a {type(raw).__name__}"
