"""Lighthouse on the pages: ``make lighthouse`` (figures recorded in docs/pages.md).

Serves the bundled events (``events/``) with the real app on a loopback port, runs the
pinned Lighthouse from npm with the system's Chromium on ``/`` and a calendar page, as a
phone (Lighthouse's default: throttled 4G, a slow CPU) and as a desktop, and prints the
four category scores. Reports go to ``test-artifacts/lighthouse/``.

    .venv/bin/python scripts/lighthouse.py [--pages / /calendars/icml-2026/] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feeds import config  # noqa: E402
from feeds.serve import app as web  # noqa: E402
from feeds.serve.store import Store  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("FEEDS_TEST_CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
OUT = ROOT / "test-artifacts" / "lighthouse"


def serve() -> tuple[str, object]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpd = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{httpd.server_port}"
    settings = config.Settings(events_dir=str(ROOT / "events"), public_url=base, reload_seconds=0)
    store = Store(settings)
    if store.errors():
        raise SystemExit(f"the bundled events do not load: {store.errors()}")
    httpd.app = web.create_app(settings, store)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return base, httpd


def run(url: str, preset: str, name: str) -> dict[str, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{name}-{preset}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    return {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=["/", "/calendars/icml-2026/"])
    parser.add_argument("--runs", type=int, default=1, help="runs per page and preset")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("no node_modules/.bin/lighthouse: run `npm ci` (make lighthouse does)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: run `make system-deps`")
    base, httpd = serve()
    version = json.loads((ROOT / "node_modules/lighthouse/package.json").read_text())["version"]
    print(f"Lighthouse {version}, {CHROMIUM}, app on {base}")
    print(f"{'page':28} {'preset':8} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    try:
        for page in args.pages:
            for preset in ("mobile", "desktop"):
                for n in range(args.runs):
                    name = (page.strip("/").replace("/", "-") or "index") + f"-{n}"
                    scores = run(base + page, preset, name)
                    print(
                        f"{page:28} {preset:8} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES),
                        flush=True,
                    )
    finally:
        httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
