"""What a parser read: occurrences as :class:`ParsedEvent`, values normalised to UTC or dates.

Shared by the Python readers (:mod:`readers`) and the Node.js ones (:mod:`node`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from feeds.errors import FeedsError

CAP = 5000
#: Occurrences one parser may expand across a whole file, when the caller sets a budget (the
#: doctor does): 300 endless SECONDLY rules would otherwise make 1.5 million records each.
MAX_OCCURRENCES = 50_000
SLACK = timedelta(days=7)  # a span also expands this far around it, for moved occurrences
NODE_TIMEOUT = 120
SCRIPT = Path(__file__).with_name("js") / "parse.mjs"

PARSERS = ("icalendar", "vobject", "ical", "recurring-ical-events", "ical.js", "node-ical")
_MODULES = {
    "icalendar": "icalendar",
    "vobject": "vobject",
    "ical": "ical",
    "recurring-ical-events": "recurring_ical_events",
}
_NPM = {"ical.js": ("icaljs", "ical.js"), "node-ical": ("node-ical", "node-ical")}

Value = date | datetime
Span = tuple[datetime, datetime]
K = TypeVar("K")


@dataclass(frozen=True)
class ParsedEvent:
    """One occurrence as one parser read it; ``recurrence_id`` is set for series only."""

    uid: str
    recurrence_id: Value | None
    summary: str | None
    status: str | None
    start: Value | None
    end: Value | None
    all_day: bool
    floating: bool = False
    sequence: int | None = None  # None where the parser does not give it
    location: str | None = None
    description: str | None = None

    @property
    def key(self) -> tuple[str, Value | None]:
        """What identifies this occurrence across parsers."""
        return (self.uid, self.recurrence_id)


class ParserFailed(FeedsError):
    """A parser rejected the file (or could not run); the message is the parser's own."""

    def __init__(self, parser: str, message: str):
        super().__init__(f"{parser}: {message}")
        self.parser = parser
        self.message = message


class TooManyOccurrences(ParserFailed):
    """The file expands to more occurrences than the budget the caller gave."""

    def __init__(self, parser: str, budget: int):
        super().__init__(parser, f"the feed expands to more than {budget:,} occurrences")
        self.budget = budget


# --- values ----------------------------------------------------------------------------------


def _utc_span(span: Span | None) -> Span | None:
    if span is None:
        return None
    start, end = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in span)
    return start.astimezone(UTC), end.astimezone(UTC)


def _normal(value: Value | None) -> tuple[Value | None, bool]:
    """A UTC instant or a date, and whether the value was floating."""
    if not isinstance(value, datetime):
        return value, False
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC), True
    return value.astimezone(UTC), False


def _instant(value: Value | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return _normal(value)[0]
    return datetime.combine(value, time(), UTC)


def _in_span(event: ParsedEvent, span: Span | None) -> bool:
    return span is None or span[0] <= _instant(event.start) < span[1]


def _order(event: ParsedEvent) -> tuple:
    return (_instant(event.start), event.uid, _instant(event.recurrence_id))


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _event(
    uid,
    recurrence_id,
    summary,
    status,
    start,
    end,
    *,
    sequence=None,
    location=None,
    description=None,
) -> ParsedEvent:
    start_value, start_floats = _normal(start)
    end_value, end_floats = _normal(end)
    return ParsedEvent(
        uid=str(uid),
        recurrence_id=_normal(recurrence_id)[0],
        summary=_text(summary),
        status=_text(status).upper() if status else None,
        start=start_value,
        end=end_value,
        all_day=isinstance(start, date) and not isinstance(start, datetime),
        floating=start_floats or end_floats,
        sequence=_sequence(sequence),
        location=_text(location),
        description=_text(description),
    )


def _sequence(value: object) -> int | None:
    text = _text(value)
    try:
        return None if text is None else int(text)
    except ValueError:
        return None
