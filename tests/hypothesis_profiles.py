"""Hypothesis settings for the property tests, committed so that failures reproduce.

``ci`` (the default) is deterministic: ``derandomize=True`` seeds every test
from its own source, and no example database is read or written, so a failure
in CI fails the same way on every machine (the failing example is printed, with
a ``@reproduce_failure`` blob). Each test's example count is sized so that the
whole property run stays under a minute.

``thorough`` explores: random seeds, twenty times the examples, and the local
example database in ``.hypothesis/examples`` (ignored by git) so a failure found
once is tried first next time::

    FEEDS_HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILE = os.environ.get("FEEDS_HYPOTHESIS_PROFILE", "ci")
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW,
)
settings.register_profile(
    "thorough",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW,
)
settings.load_profile(PROFILE)

SCALE = 20 if PROFILE == "thorough" else 1


def examples(n: int) -> int:
    """The example count for a test whose CI budget is ``n``."""
    return n * SCALE
