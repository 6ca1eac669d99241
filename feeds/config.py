"""Settings, with their defaults in one place and overrides from ``FEEDS_*`` variables.

=========================  ===========================  ========================================
variable                   meaning                      default
=========================  ===========================  ========================================
``FEEDS_EVENTS_DIR``       definition files             ``events`` (the checkout's, else ``./``)
``FEEDS_PUBLIC_URL``       base of absolute URLs        ``http://127.0.0.1:8000``
``FEEDS_UID_DOMAIN``       right-hand side of UIDs      ``calendar-feeds.invalid``
``FEEDS_REFRESH``          REFRESH-INTERVAL, max-age    ``PT12H``
``FEEDS_SITE_NAME``        merged feeds and pages       ``Conference calendars``
``FEEDS_TRUSTED_PROXIES``  proxies whose X-Forwarded-*  ``0`` (none)
``FEEDS_RELOAD_SECONDS``   how often to look for edits  ``1`` (0 = never)
``FEEDS_STATS_DIR``        where workers pool stats     empty (per process)
``FEEDS_HORIZON_DAYS``     recent past kept in merged   ``90``
                           and tag feeds, in days
``FEEDS_TODAY``            the build date (YYYY-MM-DD)  empty: today's date in UTC, at each build
=========================  ===========================  ========================================

The horizon: ``/feeds/all.ics``, ``/feeds/deadlines.ics`` and the tag feeds hold the events
that end on or after the build date less ``horizon_days`` (upcoming events and a recent
past); ``/feeds/history/...`` holds them all. 90 days is about the review period of a
conference: a paper deadline stays in the feed until its notification, which is its own
event, has come too. The build date is stated in every feed with a horizon and in
``feeds.json``; :func:`build_date` is the one place the clock is read, and ``today`` pins
it (tests, reproducible builds).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from feeds.definitions.values import parse_duration
from feeds.errors import ConfigError

PREFIX = "FEEDS_"
MAX_HORIZON_DAYS = 36_600  # a century: longer is no horizon at all (use /feeds/history/)
_PROJECT_EVENTS = Path(__file__).resolve().parent.parent / "events"


def _default_events_dir() -> str:
    """``./events`` when run from a checkout's top level, else the checkout's ``events``."""
    if Path("events").resolve() == _PROJECT_EVENTS or not _PROJECT_EVENTS.is_dir():
        return "events"
    return str(_PROJECT_EVENTS)


@dataclass(frozen=True)
class Settings:
    events_dir: str = ""
    public_url: str = "http://127.0.0.1:8000"
    uid_domain: str = "calendar-feeds.invalid"
    refresh: timedelta = timedelta(hours=12)
    site_name: str = "Conference calendars"
    trusted_proxies: int = 0
    reload_seconds: float = 1.0
    stats_dir: str = ""
    horizon_days: int = 90
    today: date | None = None  # None: the UTC date at each build (see build_date)

    def __post_init__(self):
        if not self.events_dir:
            object.__setattr__(self, "events_dir", _default_events_dir())
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if not self.public_url.startswith(("http://", "https://")):
            raise ConfigError(f"public URL '{self.public_url}' must start with http:// or https://")
        if self.refresh < timedelta(minutes=5):
            raise ConfigError("the refresh interval must be at least 5 minutes (PT5M)")
        if not self.uid_domain or any(c.isspace() or c in "@/" for c in self.uid_domain):
            raise ConfigError(
                f"UID domain '{self.uid_domain}' must be a domain name like feeds.example.org"
            )
        if self.trusted_proxies < 0:
            raise ConfigError("the number of trusted proxies cannot be negative")
        if self.reload_seconds < 0:
            raise ConfigError("the reload interval cannot be negative (0 turns reloading off)")
        if not 0 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise ConfigError(
                f"the horizon must be 0 to {MAX_HORIZON_DAYS:,} days, not {self.horizon_days}: "
                "how many days of past events the merged and tag feeds keep"
            )
        if self.today is not None and (
            isinstance(self.today, datetime) or not isinstance(self.today, date)
        ):
            raise ConfigError(f"today must be a date such as 2026-12-01, not {self.today!r}")

    @property
    def max_age(self) -> int:
        return int(self.refresh.total_seconds())

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def from_env(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Settings from ``FEEDS_*`` variables, then explicit ``overrides`` (None ignored)."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = environ.get(PREFIX + f.name.upper())
        if raw is None or raw == "":
            continue
        values[f.name] = convert(f.name, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except TypeError as exc:  # pragma: no cover - programming error
        raise ConfigError(str(exc)) from None


def convert(name: str, raw: str) -> object:
    try:
        if name == "refresh":
            return parse_duration(raw)
        if name == "trusted_proxies":
            return int(raw)
        if name == "reload_seconds":
            return float(raw)
        if name == "horizon_days":
            return int(raw)
        if name == "today":
            return date.fromisoformat(raw.strip())
    except ValueError:
        if name == "today":
            raise ConfigError(f"{PREFIX}TODAY={raw!r} is not a date: write YYYY-MM-DD") from None
        raise ConfigError(f"{PREFIX}{name.upper()}={raw!r} is not valid") from None
    return raw


def build_date(settings: Settings, now: datetime | None = None) -> date:
    """The date the site is built as of: ``settings.today``, else the UTC date of ``now``
    (the clock's when not given). The one place the clock decides what is "upcoming"."""
    if settings.today is not None:
        return settings.today
    return (now or datetime.now(UTC)).astimezone(UTC).date()
