"""The VTIMEZONE generator and to_utc give the same answers on zoneinfo as on the pytz backend.

The backend's two functions the generator uses (``transitions`` and ``state_at``) are
written here with the standard library's :mod:`zoneinfo`, and :func:`observances` is run
on both: moving :mod:`feeds.tz.database` to zoneinfo is then a change to that module only.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feeds import tz
from feeds.tz import database
from feeds.tz.database import State, Transition
from feeds.tz.vtimezone import observances

ZONES = (
    "Asia/Seoul",
    "Europe/London",
    "America/Los_Angeles",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Sao_Paulo",
)
SPANS = [(year, year) for year in range(1985, 1991)] + [(2020, 2030), (2026, 2026)]


class ZoneinfoBackend:
    """The backend's transition and state functions, on :mod:`zoneinfo`."""

    def state_at(self, instant: datetime, zone: str) -> State:
        local = instant.astimezone(ZoneInfo(zone))
        return State(
            local.replace(tzinfo=None),
            local.utcoffset() or timedelta(0),
            bool(local.dst()),
            local.tzname() or "",
        )

    def transitions(self, zone: str, first: datetime, last: datetime) -> list[Transition]:
        # zoneinfo keeps its tables private: find each offset change by stepping
        # through the span and bisecting to the second.
        out = []
        step = timedelta(hours=6)
        here = first.astimezone(UTC)
        offset = self.state_at(here, zone).offset
        while here < last:
            there = min(here + step, last)
            if self.state_at(there, zone).offset != offset:
                low, high = int(here.timestamp()), int(there.timestamp())
                while high - low > 1:
                    middle = (low + high) // 2
                    if self.state_at(_instant(middle), zone).offset == offset:
                        low = middle
                    else:
                        high = middle
                high = _instant(high)
                after = self.state_at(high, zone)
                out.append(Transition(high, offset, after.offset, after.is_dst, after.name))
                offset = after.offset
                here = high
            else:
                here = there
        return out


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.mark.parametrize("zone", ZONES)
def test_observances_equal_on_zoneinfo(zone):
    other = ZoneinfoBackend()
    for first_year, last_year in SPANS:
        first = datetime(first_year, 3, 1, tzinfo=UTC)
        last = datetime(last_year, 10, 1, tzinfo=UTC)
        assert observances(zone, first, last, other) == observances(zone, first, last), (
            zone,
            first_year,
            last_year,
        )


def _zoneinfo_to_utc(naive: datetime, zone: str) -> datetime:
    """to_utc's contract on zoneinfo: the two folds disagree in a gap or an overlap."""
    info = ZoneInfo(zone)
    early = naive.replace(tzinfo=info, fold=0)
    late = naive.replace(tzinfo=info, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    round_trip = early.astimezone(UTC).astimezone(info).replace(tzinfo=None)
    kind = "ambiguous" if round_trip == naive else "nonexistent"
    raise database.WallTimeError(kind, naive, zone)


@pytest.mark.parametrize("zone", ZONES)
def test_to_utc_equal_on_zoneinfo(zone):
    rng = random.Random(zone)
    moments = [
        datetime(1985, 1, 1) + timedelta(minutes=15 * rng.randrange(0, 46 * 365 * 96))
        for _ in range(500)
    ]
    span = datetime(1985, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    edges = database.transitions(zone, *span)
    for edge in edges:
        wall = edge.at.replace(tzinfo=None) + edge.before
        moments += [wall + timedelta(minutes=15 * k) for k in range(-8, 9)]
    for naive in moments:
        try:
            expected = _zoneinfo_to_utc(naive, zone)
        except database.WallTimeError as exc:
            with pytest.raises(tz.WallTimeError) as raised:
                tz.to_utc(naive, zone)
            assert raised.value.kind == exc.kind, naive
        else:
            assert tz.to_utc(naive, zone) == expected, naive
