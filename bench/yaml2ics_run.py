"""Time yaml2ics on one file, in its own environment: ``python yaml2ics_run.py FILE.yaml OUT.ics``.

Runs the installed yaml2ics package (its ``files_to_calendar`` and ``serialize``,
what its command line does) and prints ``{"seconds": ...}``. Imports are not timed.
"""

import json
import sys
import time

import yaml2ics

start = time.perf_counter()
calendar = yaml2ics.files_to_calendar([sys.argv[1]])
body = calendar.serialize()
seconds = time.perf_counter() - start
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(body)
print(json.dumps({"seconds": seconds, "events": len(calendar.events)}))
