"""Times of an event: dates, wall-clock times, zones and the instants they name.

An event is all-day (``start`` a date), timed (``start`` with a time, and an
``end`` or ``duration``) or a deadline (``due``). Each wall-clock time must name
exactly one instant in its zone (not skipped or repeated by a clock change) and
fall in the years the time zone data covers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from feeds import tz
from feeds.definitions.checks import Checks, Context
from feeds.definitions.values import Moment, parse_clock, parse_duration, parse_moment, parse_offset
from feeds.model import AllDay, Deadline, Timed

#: Years accepted for dates and times: the tz tables (pytz) that give instants end in 2037.
MIN_YEAR, MAX_YEAR = 1970, 2037
_DEADLINE_CLOCK = time(23, 59)
_LAST_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)


class Times(Checks):
    """Reading ``start``, ``end``, ``duration`` and ``due`` into the event's time."""

    def moment(self, ctx: Context, key: str) -> Moment | None:
        try:
            moment = parse_moment(ctx.mapping[key])
        except ValueError as exc:
            self.problem(
                ctx,
                key,
                f"'{key}': {exc}",
                "write a date (2026-07-06) or a date and time (2026-07-06 09:00)",
            )
            return None
        if not self.in_years(ctx, key, moment.value):
            return None
        return moment

    def in_years(self, ctx: Context, key: str, value: date) -> bool:
        """True if ``value`` falls in the supported years; else a problem."""
        if MIN_YEAR <= value.year <= MAX_YEAR:
            return True
        self.problem(
            ctx,
            key,
            f"'{key}' falls in {value.year}, outside the supported years {MIN_YEAR} to {MAX_YEAR}",
            f"check the year; the time zone data used ends in {MAX_YEAR}",
        )
        return False

    def moment_zone(self, ctx: Context, key: str, moment: Moment, zone: str) -> str | None:
        """The zone a value is in: the one written after it, else the event's."""
        if moment.zone is None:
            return zone
        offset = parse_offset(moment.zone)
        if offset is not None:
            return "+offset"  # an exact instant; converted by the caller
        explicit = self.zone(ctx, key, moment.zone)
        if explicit and "timezone" in ctx.mapping and explicit != zone:
            self.problem(
                ctx,
                key,
                f"'{key}' says {moment.zone} but 'timezone' says {ctx.mapping['timezone']}",
                "give the zone in one place",
            )
        return explicit

    def wall(
        self, ctx: Context, key: str, moment: Moment, zone: str
    ) -> tuple[datetime, str] | None:
        """Wall-clock time and zone of a date-time value, converting fixed offsets."""
        value = moment.value
        assert isinstance(value, datetime)
        written = self.moment_zone(ctx, key, moment, zone)
        if written is None:
            return None
        if written == "+offset":
            offset = parse_offset(moment.zone or "")
            assert offset is not None
            instant = (value - offset).replace(tzinfo=UTC)
            return tz.to_wall(instant, zone), zone
        return value, written

    def instant(self, ctx: Context, key: str, naive: datetime, zone: str) -> datetime | None:
        if not self.in_years(ctx, key, naive):
            return None
        try:
            return tz.to_utc(naive, zone)
        except tz.WallTimeError as exc:
            if exc.kind == "nonexistent":
                hint = (
                    "the clocks skip this hour (daylight saving starts); use a time outside the gap"
                )
            else:
                hint = (
                    "the clocks repeat this hour (daylight saving ends); give the time in UTC "
                    "(e.g. '... UTC') to say which one"
                )
            self.problem(
                ctx,
                key,
                f"{naive:%Y-%m-%d %H:%M} does not exist once in {zone}: it is {exc.kind}",
                hint,
            )
            return None

    def when(self, ctx: Context, zone: str):
        m = ctx.mapping
        if "due" in m:
            for other in ("start", "end", "duration"):
                if other in m:
                    self.problem(
                        ctx,
                        other,
                        f"'{other}' cannot go with 'due'",
                        "a deadline is one instant: keep 'due' only",
                    )
                    return None
            return self.deadline(ctx, zone)
        if "start" not in m:
            self.problem(
                ctx,
                None,
                "the event has no time",
                "add 'start:' (with 'end:' or 'duration:'), or 'due:' for a deadline",
            )
            return None
        start = self.moment(ctx, "start")
        if start is None:
            return None
        if start.is_date:
            return self.all_day(ctx, start)
        return self.timed(ctx, start, zone)

    def deadline(self, ctx: Context, zone: str) -> Deadline | None:
        due = self.moment(ctx, "due")
        if due is None:
            return None
        if due.is_date:
            value = datetime.combine(due.value, _DEADLINE_CLOCK)
            due = Moment(value, due.zone)
        wall = self.wall(ctx, "due", due, zone)
        if wall is None:
            return None
        at, at_zone = wall
        at_utc = self.instant(ctx, "due", at, at_zone)
        if at_utc is None:
            return None
        return Deadline(at=at, zone=at_zone, at_utc=at_utc)

    def all_day(self, ctx: Context, start: Moment) -> AllDay | None:
        first = start.value
        m = ctx.mapping
        if "duration" in m:
            self.problem(
                ctx,
                "duration",
                "'duration' is for timed events",
                "give an all-day event 'end:' as its last day",
            )
            return None
        last = first
        if "end" in m:
            end = self.moment(ctx, "end")
            if end is None:
                return None
            if not end.is_date:
                self.problem(
                    ctx,
                    "end",
                    "'start' is a date but 'end' has a time",
                    "give both as dates (all-day) or both with times",
                )
                return None
            last = end.value
        if last < first:
            self.problem(
                ctx,
                "end",
                f"end {last} is before start {first}",
                "the end date is the last day, inclusive",
            )
            return None
        return AllDay(first=first, last=last)

    def timed(self, ctx: Context, start: Moment, zone: str) -> Timed | None:
        m = ctx.mapping
        wall = self.wall(ctx, "start", start, zone)
        if wall is None:
            return None
        start_wall, zone = wall
        written = self.written_end(ctx, start_wall, zone)
        if written is None:
            return None
        end_wall, length = written
        start_utc = self.instant(ctx, "start", start_wall, zone)
        if start_utc is None:
            return None
        end = self.end_instant(ctx, start_utc, end_wall, length, zone)
        if end is None:
            return None
        end_wall, end_utc = end
        if end_utc <= start_utc:
            self.problem(
                ctx,
                "end" if "end" in m else "duration",
                f"the end ({end_wall:%Y-%m-%d %H:%M}) is not after the start "
                f"({start_wall:%Y-%m-%d %H:%M})",
                "put the end after the start "
                "(an event crossing midnight ends on the next day's date)",
            )
            return None
        return Timed(
            start=start_wall, end=end_wall, zone=zone, start_utc=start_utc, end_utc=end_utc
        )

    def written_end(
        self, ctx: Context, start_wall: datetime, zone: str
    ) -> tuple[datetime | None, timedelta | None] | None:
        """``(end wall time, None)`` for an ``end``, ``(None, length)`` for a ``duration``."""
        m = ctx.mapping
        if "end" in m and "duration" in m:
            self.problem(ctx, "duration", "both 'end' and 'duration' are given", "keep one of them")
            return None
        if "duration" in m:
            try:
                length = parse_duration(m["duration"])
            except ValueError as exc:
                self.problem(
                    ctx, "duration", f"'duration': {exc}", "write e.g. 90m, 1h30m, 2h or PT1H30M"
                )
                return None
            except OverflowError:
                length = timedelta.max
            return None, length
        if "end" not in m:
            self.problem(
                ctx, None, "the event has a start time but no end", "add 'end:' or 'duration:'"
            )
            return None
        clock = parse_clock(m["end"])
        if clock is not None:
            return datetime.combine(start_wall.date(), clock), None
        end = self.moment(ctx, "end")
        if end is None:
            return None
        if end.is_date:
            self.problem(
                ctx,
                "end",
                "'start' has a time but 'end' is a date",
                "give the end with a time (2026-07-10 17:00, or just 17:00)",
            )
            return None
        end_value = self.wall(ctx, "end", end, zone)
        if end_value is None:
            return None
        end_wall, end_zone = end_value
        if end_zone != zone:  # "end: ... UTC" after a start in Seoul: that instant
            end_at = self.instant(ctx, "end", end_wall, end_zone)
            if end_at is None:
                return None
            end_wall = tz.to_wall(end_at, zone)
        return end_wall, None

    def end_instant(
        self,
        ctx: Context,
        start_utc: datetime,
        end_wall: datetime | None,
        length: timedelta | None,
        zone: str,
    ) -> tuple[datetime, datetime] | None:
        """``(end wall time, end instant)``, from the written end or the start and length."""
        if end_wall is not None:
            end_utc = self.instant(ctx, "end", end_wall, zone)
            if end_utc is None:
                return None
            return end_wall, end_utc
        assert length is not None
        try:
            end_utc = start_utc + length
        except OverflowError:
            end_utc = _LAST_INSTANT
        if end_utc.year > MAX_YEAR:
            self.problem(
                ctx,
                "duration",
                f"'duration' makes the event end after {MAX_YEAR}",
                "check the duration: e.g. 90m, 1h30m, 2h or PT1H30M",
            )
            return None
        end_wall = tz.to_wall(end_utc, zone)
        # The feed states the end as a wall time: it must name one instant.
        if self.instant(ctx, "duration", end_wall, zone) is None:
            return None
        return end_wall, end_utc
