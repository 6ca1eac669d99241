"""Time zones: the only package that knows the tz database (pytz).

Everything else names zones by string (``"Asia/Seoul"``, ``"UTC"``, ``"AoE"``)
and calls the functions re-exported here. Imports nothing from the rest of
``feeds``.
"""

from feeds.tz.zones import *  # noqa: F403
from feeds.tz.zones import _zone  # noqa: F401  (tests compare with pytz directly)
