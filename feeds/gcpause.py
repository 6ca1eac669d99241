"""Pausing Python's cyclic garbage collector while a calendar is built.

Loading and rendering create hundreds of thousands of small objects that all
stay alive (the parsed YAML, the model, the rendered bytes). Each allocation
burst triggers collections that walk every tracked object and find nothing to
free: at 10,000 events that was about a third of a cold load (see
docs/performance.md). Nothing built here forms reference cycles that need the
collector, so it is paused for the duration and restored after; reference
counting still frees everything as usual.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; leave it as it was after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
