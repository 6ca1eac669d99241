"""Byte comparison of everything the project publishes: the safety net for refactors.

A refactor must not change one byte of what subscribers receive. This script
exports three sites with the ``feeds`` command of the checkout it runs in:

* ``bundled``: the definitions in ``events/`` with their committed revisions;
* ``corpus``: ``tests/corpus``, revised the way ``tests/test_interop.py`` does
  (``history/`` first at 2026-01-01T00:00Z, then the current files at
  2026-01-02T00:00Z);
* ``generated``: 1,000 events from the benchmark's generator, in one calendar,
  and the same events cut into 40 calendars, revised at 2026-01-01T00:00Z;

and compares them, file by file, with a snapshot taken before the change::

    python scripts/compare_output.py save /tmp/before     # on the old commit
    python scripts/compare_output.py check /tmp/before    # on the new one: exit 1 on any diff

``check`` runs ``diff -r`` and prints what differs. Only the CLI is used (``feeds revise``,
``feeds build``), so the script keeps working whatever moves inside the package.
Revision times come from ``SOURCE_DATE_EPOCH`` (and, for older checkouts, the
definition files' mtimes), which the script sets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEEDS = [sys.executable, "-m", "feeds.cli"]
SETTINGS = {
    "FEEDS_PUBLIC_URL": "https://feeds.example.org",
    "FEEDS_UID_DOMAIN": "feeds.example.org",
    "FEEDS_SITE_NAME": "Conference calendars",
    "FEEDS_REFRESH": "PT12H",
    # the build date of the merged feeds' horizon (docs/feeds.md): pinned, so the
    # comparison does not depend on the day it runs (older checkouts ignore it)
    "FEEDS_TODAY": "2026-01-01",
}
DAY_ONE = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
DAY_TWO = datetime(2026, 1, 2, tzinfo=UTC).timestamp()


def run(*args: str, cwd: Path | None = None, **extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(SETTINGS, **extra)
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([*FEEDS, *args], cwd=cwd or ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"feeds {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def revise_at(folder: Path, moment: float) -> None:
    for path in folder.glob("*.yaml"):
        os.utime(path, (moment, moment))  # what revisions were timed by before SOURCE_DATE_EPOCH
    run("revise", str(folder), SOURCE_DATE_EPOCH=str(int(moment)))


def export(events: Path, out: Path) -> None:
    run("build", str(out), "--events", str(events))


def bundled(work: Path, out: Path) -> None:
    events = work / "bundled"
    shutil.copytree(ROOT / "events", events)
    export(events, out / "bundled")


def corpus(work: Path, out: Path) -> None:
    events = work / "corpus"
    shutil.copytree(ROOT / "tests" / "corpus", events)
    history = events / "history"
    current = {}
    for old in history.glob("*.yaml"):
        target = events / old.name
        current[target] = target.read_bytes()
        target.write_bytes(old.read_bytes())
    shutil.rmtree(history)
    (events / "README.md").unlink()
    revise_at(events, DAY_ONE)
    for target, data in current.items():
        target.write_bytes(data)
    revise_at(events, DAY_TWO)
    export(events, out / "corpus")


def generated(work: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import generate

    one = work / "generated-one"
    generate.write(one, 1000)
    events = one / "events"
    revise_at(events, DAY_ONE)
    export(events, out / "generated-one")

    many = work / "generated-many" / "events"
    many.mkdir(parents=True)
    items = generate.specs(1000)
    for n in range(40):
        part = items[n::40]
        (many / f"conf-{n:02d}.yaml").write_text(generate.ours(part, f"conf-{n:02d}"), "utf-8")
    revise_at(many, DAY_ONE)
    export(many, out / "generated-many")


def save(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="compare-output-") as tmp:
        work = Path(tmp)
        for make in (bundled, corpus, generated):
            make(work, out)
    # The exports are symlinks into .<name>.builds: keep plain folders only.
    for link in [p for p in out.iterdir() if p.is_symlink()]:
        real = link.resolve()
        link.unlink()
        shutil.copytree(real, link)
    for builds in out.glob(".*.builds"):
        shutil.rmtree(builds)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"{out}: {files} files")


def check(before: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="compare-output-now-") as tmp:
        now = Path(tmp) / "now"
        save(now)
        done = subprocess.run(["diff", "-r", str(before), str(now)], capture_output=True, text=True)
        if done.returncode == 0:
            print("no difference: every published byte is the same")
            return 0
        print(done.stdout[:20000] + done.stderr)
        print("the output differs (above)", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.action == "save":
        save(args.folder)
        return 0
    return check(args.folder)


if __name__ == "__main__":
    sys.exit(main())
