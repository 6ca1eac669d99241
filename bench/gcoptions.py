"""The garbage-collector options measured for docs/performance.md, "Garbage collection".

    .venv/bin/python -m bench.gcoptions EVENTS_DIR OPTION   # one process per run

OPTION: ``none`` (no GC setting), ``freeze`` (``gc.freeze()`` after the first load),
``threshold`` (:func:`feeds.gctune.tune`), ``both``. Prints the process CPU seconds of a
Store's cold load of EVENTS_DIR (a copy; one file of ``bench/generate.py`` events with
``ev-005000``) and the median of 4 reloads after a one-event edit, and the collections run.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(folder: str, option: str) -> dict:
    from feeds import config, gctune
    from feeds.serve.store import Store

    if option in ("threshold", "both"):
        gctune.tune()
    work = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(folder, work / "ev")
        path = next((work / "ev").glob("*.yaml"))
        settings = config.Settings(
            events_dir=str(work / "ev"),
            public_url="http://127.0.0.1:8000",
            uid_domain="bench.invalid",
            reload_seconds=0,
        )
        t0 = time.process_time()
        store = Store(settings, settle_seconds=0)
        cold = time.process_time() - t0
        if option in ("freeze", "both"):
            gc.freeze()
        text = path.read_text("utf-8")
        anchor = '  - id: ev-005000\n    title: "'
        reloads = []
        for i in range(4):
            path.write_text(text.replace(anchor, f"{anchor}edited {i}: ", 1), encoding="utf-8")
            t0 = time.process_time()
            assert store.refresh()
            reloads.append(time.process_time() - t0)
    finally:
        shutil.rmtree(work)
    return {
        "option": option,
        "cold": round(cold, 2),
        "reload_median": round(sorted(reloads)[len(reloads) // 2], 3),
        "collections": [s["collections"] for s in gc.get_stats()],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
