"""Time zones: the only package that knows the tz database.

It owns zone names and aliases, wall time to UTC and back, offset labels and
the VTIMEZONE observances. Within it, :mod:`feeds.tz.database` alone imports
pytz; :mod:`feeds.tz.zones` and :mod:`feeds.tz.vtimezone` are built on that
backend, so moving to :mod:`zoneinfo` is a change to one module.
:mod:`feeds.tz.spellings` (pure) reads the fixed offsets people write (``UTC-8``,
``GMT+5:30``, ``Etc/GMT+12``) and knows the abbreviations it refuses (``PST``). Everything
else names zones by string (``"Asia/Seoul"``, ``"UTC"``, ``"AoE"``) and calls
the functions re-exported here. Imports nothing from the rest of ``feeds``.
"""

from feeds.tz.database import AOE, UTC_NAME, WallTimeError, to_utc, to_wall
from feeds.tz.vtimezone import Observance, observances
from feeds.tz.zones import (
    abbreviation,
    canonical,
    city,
    fixed_name,
    in_tz_database,
    is_utc_like,
    offset_label,
    refusal,
    suggest,
)

__all__ = [
    "AOE",
    "UTC_NAME",
    "Observance",
    "WallTimeError",
    "abbreviation",
    "canonical",
    "city",
    "fixed_name",
    "in_tz_database",
    "is_utc_like",
    "observances",
    "offset_label",
    "refusal",
    "suggest",
    "to_utc",
    "to_wall",
]
