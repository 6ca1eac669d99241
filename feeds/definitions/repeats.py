"""Repeating events: the ``repeat`` mapping, checked step by step.

A rule repeats daily or weekly (``every``), every ``interval`` days or weeks,
``count`` times or ``until`` a last day, maybe ``on`` some weekdays, minus the
dates listed in ``except``. Its occurrences must stay within the supported years
and the limits (per event and per calendar), and no timed occurrence may span a
change of the clocks (apps disagree on when such an occurrence ends).
"""

from __future__ import annotations

import re
from datetime import date

from feeds import occurrences
from feeds.definitions.checks import Context
from feeds.definitions.times import Times
from feeds.definitions.values import parse_moment
from feeds.definitions.yamlsource import Located
from feeds.model import AllDay, Deadline, Repeat, Timed

REPEAT_KEYS = ("every", "interval", "count", "until", "on", "except")
MAX_OCCURRENCES = 1000
#: Occurrences of all of a calendar's events together (an event without 'repeat' is one).
MAX_CALENDAR_OCCURRENCES = 100_000
MAX_INTERVAL = 1000
_FREQUENCIES = {"day": "daily", "daily": "daily", "week": "weekly", "weekly": "weekly"}


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Weekday names 'on' accepts: two letters (as in RRULE), three, or the whole word.
_DAY_NAMES = {
    form: index for index, name in enumerate(_FULL_NAMES) for form in (name[:2], name[:3], name)
}


class Repeats(Times):
    """Reading an event's ``repeat`` into a :class:`~feeds.model.Repeat`."""

    def repeat(self, ctx: Context, when) -> Repeat | None:
        raw = ctx.mapping.get("repeat")
        if raw is None or when is None:
            return None
        if isinstance(when, Deadline):
            self.problem(
                ctx, "repeat", "a deadline cannot repeat", "write each deadline as its own event"
            )
            return None
        if not isinstance(raw, Located):
            self.problem(
                ctx, "repeat", "'repeat' must be a mapping", "write repeat: {every: day, count: 3}"
            )
            return None
        sub = Context(raw, ctx.event)
        self.unknown_keys(sub, REPEAT_KEYS, "repeat")
        rule = self.rule(sub, when)
        if rule is None:
            return None
        dates = self.counted_dates(sub, rule, when)
        if dates is None:
            return None
        exceptions = self.exceptions(sub, dates)
        if exceptions is None:
            return None
        rule = Repeat(rule.freq, rule.interval, rule.count, rule.until, rule.weekdays, exceptions)
        if isinstance(when, Timed) and not self.same_lengths(ctx, rule, when):
            return None
        if not rule.occurrences(self.first_day(when)):
            self.problem(
                sub, "except", "every occurrence is excepted", "remove the event or some exceptions"
            )
            return None
        return rule

    def rule(self, sub: Context, when) -> Repeat | None:
        """The rule as written (without exceptions), each key checked in turn."""
        raw = sub.mapping
        every = str(raw.get("every", "")).strip().lower()
        freq = _FREQUENCIES.get(every)
        if freq is None:
            self.problem(
                sub,
                "every" if "every" in raw else None,
                f"repeat 'every' is {raw.get('every')!r}",
                "use 'every: day' or 'every: week'",
            )
            return None
        interval = raw.get("interval", 1)
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int)
            or not 1 <= interval <= MAX_INTERVAL
        ):
            self.problem(
                sub,
                "interval",
                f"'interval' must be a whole number from 1 to {MAX_INTERVAL}, not {interval!r}",
                "e.g. interval: 2",
            )
            return None
        bounds = self.bounds(sub, when)
        if bounds is None:
            return None
        count, until = bounds
        weekdays = self.weekdays(sub, freq)
        if weekdays is None:
            return None
        return Repeat(freq=freq, interval=interval, count=count, until=until, weekdays=weekdays)

    def bounds(self, sub: Context, when) -> tuple[int | None, date | None] | None:
        """``(count, until)``: exactly one of them is given."""
        raw = sub.mapping
        count = raw.get("count")
        until = None
        if ("count" in raw) == ("until" in raw):
            self.problem(
                sub,
                None,
                "repeat needs exactly one of 'count' or 'until'",
                "e.g. count: 3 or until: 2026-07-09",
            )
            return None
        if count is not None and (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not 1 <= count <= MAX_OCCURRENCES
        ):
            self.problem(
                sub,
                "count",
                f"'count' must be a whole number from 1 to {MAX_OCCURRENCES}",
                "e.g. count: 3",
            )
            return None
        if "until" in raw:
            until_m = self.moment(sub, "until")
            if until_m is None:
                return None
            if not until_m.is_date:
                self.problem(
                    sub,
                    "until",
                    "'until' must be a date (the last day, inclusive)",
                    "e.g. until: 2026-07-09",
                )
                return None
            until = until_m.value
            if until < self.first_day(when):
                self.problem(
                    sub,
                    "until",
                    f"'until' {until} is before the first occurrence",
                    "give the last day the event happens",
                )
                return None
        return count, until

    def weekdays(self, sub: Context, freq: str) -> tuple[int, ...] | None:
        raw = sub.mapping
        if "on" not in raw:
            return ()
        if freq != "weekly":
            self.problem(sub, "on", "'on' goes with 'every: week'", "remove 'on' or repeat weekly")
            return None
        value = raw["on"]
        # a list, or days separated by commas or spaces ("mo, we", "mo we"); nothing else
        names = value if isinstance(value, list) else re.split(r"[,\s]+", str(value).strip())
        days = [_DAY_NAMES.get(str(n).strip().lower()) for n in names if str(n).strip()]
        if not days or None in days:
            bad = next((n for n in names if _DAY_NAMES.get(str(n).strip().lower()) is None), "")
            self.problem(
                sub,
                "on",
                f"'on' has {str(bad)!r}, which is not a weekday"
                if str(bad).strip()
                else "'on' names no weekday",
                "list the days, e.g. on: [mo, tu, we, th, fr] (mo, mon or monday; "
                "no ranges such as monday-friday)",
            )
            return None
        return tuple(sorted(set(days)))

    def counted_dates(self, sub: Context, rule: Repeat, when) -> list[date] | None:
        """The rule's dates, within the limits and years, added to the calendar's count."""
        raw = sub.mapping
        try:
            dates = rule.dates(self.first_day(when))
        except OverflowError:
            dates = [date.max]
        if len(dates) > MAX_OCCURRENCES:
            self.problem(
                sub, "until", f"the rule yields over {MAX_OCCURRENCES} occurrences", "shorten it"
            )
            return None
        last = dates[-1] if dates else self.first_day(when)
        if isinstance(when, AllDay):
            last = last + (when.last - when.first)
        if not self.in_years(sub, "count" if "count" in raw else "until", last):
            return None
        self.occurrences += len(dates) - 1
        if self.occurrences > MAX_CALENDAR_OCCURRENCES:
            self.problem(
                sub,
                None,
                f"the calendar's events occur over {MAX_CALENDAR_OCCURRENCES:,} times in all",
                "shorten the repeats, or split the calendar into several files",
            )
            return None
        if dates and dates[0] != self.first_day(when):
            self.problem(
                sub,
                "on",
                "the first day is not one of the 'on' weekdays",
                "start the event on one of them",
            )
            return None
        return dates

    def same_lengths(self, ctx: Context, rule: Repeat, when: Timed) -> bool:
        """True if every occurrence lasts as long as the first; else a problem."""
        length = when.end_utc - when.start_utc
        for day, wall_start, wall_end in occurrences.walls(
            when, rule.occurrences(when.start.date())
        ):
            begin = self.instant(ctx, "repeat", wall_start, when.zone)
            end = self.instant(ctx, "repeat", wall_end, when.zone)
            if begin is None or end is None:
                return False
            if end - begin != length:
                # RFC 5545 gives every occurrence the first one's exact length;
                # some apps (Thunderbird) keep the wall-clock end instead.
                self.problem(
                    ctx,
                    "repeat",
                    f"the occurrence on {day} spans a change of the clocks in {when.zone}: "
                    "calendar apps disagree on when it ends",
                    "end it before the change, or list that day in 'except' and give it "
                    "its own event",
                )
                return False
        return True

    def exceptions(self, sub: Context, dates: list[date]) -> tuple[date, ...] | None:
        raw = sub.mapping.get("except")
        if raw is None:
            return ()
        items = raw if isinstance(raw, list) else [raw]
        out = []
        valid = set(dates)
        for item in items:
            try:
                moment = parse_moment(item)
            except ValueError as exc:
                self.problem(
                    sub, "except", f"'except': {exc}", "list dates, e.g. except: [2026-07-08]"
                )
                return None
            if not moment.is_date:
                self.problem(
                    sub,
                    "except",
                    f"'except' takes dates, got {item}",
                    "list dates, e.g. except: [2026-07-08]",
                )
                return None
            if moment.value not in valid:
                self.problem(
                    sub,
                    "except",
                    f"{moment.value} is not an occurrence of the rule",
                    "list only days the event would happen on",
                )
                return None
            out.append(moment.value)
        return tuple(sorted(set(out)))

    @staticmethod
    def first_day(when) -> date:
        if isinstance(when, AllDay):
            return when.first
        return when.start.date()
