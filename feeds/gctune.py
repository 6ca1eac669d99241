"""The garbage collector setting of a long-lived process that loads calendars.

Loading and rendering create hundreds of thousands of small objects that all
stay alive (the parsed YAML, the model, the rendered bytes). With the default
gen-0 threshold (700 allocations) each burst triggers collections that walk
every tracked object and find nothing to free: at 10,000 events that was about
a third of a cold load. Library code used to switch the collector off around
loads (``gc.disable()``, process-wide, from three modules); it no longer touches
the collector. The process that owns the server (``wsgi.py``, the CLI) calls
:func:`tune` once at startup instead: a gen-0 threshold of 50,000 makes
collections some 40 times rarer, costs what the pause saved (docs/performance.md,
"Garbage collection"), and still collects cycles.
"""

from __future__ import annotations

import gc

#: Allocations between gen-0 collections for a process that loads calendars.
GEN0_THRESHOLD = 50_000


def tune() -> None:
    """Raise the gen-0 threshold to :data:`GEN0_THRESHOLD` (never lower it); keep the others."""
    gen0, gen1, gen2 = gc.get_threshold()
    if gen0 and gen0 < GEN0_THRESHOLD:
        gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
