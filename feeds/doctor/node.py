"""The two Node.js parsers, ical.js and node-ical, run through ``js/parse.mjs``.

See :mod:`parsers` for what each reads and how.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from feeds.doctor.budget import Budget as _Budget
from feeds.doctor.budget import Spent as _Spent
from feeds.doctor.parsed import (
    _NPM,
    NODE_TIMEOUT,
    SCRIPT,
    K,
    ParsedEvent,
    ParserFailed,
    Span,
    Value,
    _in_span,
    _order,
)


def node_modules() -> Path:
    """Where the npm packages are: ``$FEEDS_NODE_MODULES`` or the repository's node_modules."""
    override = os.environ.get("FEEDS_NODE_MODULES")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "node_modules"


def _node(name: str, arguments: list[str], data: bytes, timeout: float) -> bytes:
    """Run ``js/parse.mjs`` for parser ``name``; its standard output, or ParserFailed."""
    env = {**os.environ, "TZ": "UTC", "FEEDS_NODE_MODULES": str(node_modules())}
    try:
        done = subprocess.run(
            [shutil.which("node"), str(SCRIPT), _NPM[name][0], *arguments],
            input=data,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ParserFailed(name, f"gave no answer within {timeout:g} s") from error
    if done.returncode == 3:  # parse.mjs: the --budget is spent
        raise _Spent
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ParserFailed(name, message or f"node exited with status {done.returncode}")
    return done.stdout


def _from_record(record: dict) -> ParsedEvent:
    return ParsedEvent(
        uid=str(record["uid"]),
        recurrence_id=_from_json(record["recurrence_id"]),
        summary=record["summary"],
        status=record["status"].upper() if record["status"] else None,
        start=_from_json(record["start"]),
        end=_from_json(record["end"]),
        all_day=record["all_day"],
        floating=record["floating"],
        sequence=record.get("sequence"),
        location=record.get("location"),
        description=record.get("description"),
    )


def _read_with_node(name: str):
    def read(data: bytes, span: Span | None, budget: _Budget) -> list[ParsedEvent]:
        window = (
            [] if span is None else ["--from", span[0].isoformat(), "--to", span[1].isoformat()]
        )
        if budget.left is not None:
            window += ["--budget", str(budget.left)]
        return [_from_record(r) for r in json.loads(_node(name, window, data, NODE_TIMEOUT))]

    return read


def _read_many_with_node(
    name: str, files: Mapping[K, bytes], spans: Mapping[K, Span | None]
) -> dict[K, list[ParsedEvent] | ParserFailed]:
    with TemporaryDirectory(prefix="feeds-parse-") as folder:
        paths = {}
        manifest = []
        for index, (key, data) in enumerate(files.items()):
            path = paths[key] = str(Path(folder) / f"{index}.ics")
            Path(path).write_bytes(data)
            span = spans.get(key)
            manifest.append(
                {
                    "file": path,
                    "from": span and span[0].isoformat(),
                    "to": span and span[1].isoformat(),
                }
            )
        timeout = NODE_TIMEOUT + 5 * len(files)  # start-up once, then a little per file
        answers = json.loads(_node(name, ["--many", "-"], json.dumps(manifest).encode(), timeout))
    out: dict[K, list[ParsedEvent] | ParserFailed] = {}
    for key, path in paths.items():
        answer = answers[path]
        if "error" in answer:
            out[key] = ParserFailed(name, answer["error"])
        else:
            events = (_from_record(r) for r in answer["events"])
            out[key] = sorted((e for e in events if _in_span(e, spans.get(key))), key=_order)
    return out


def _from_json(value: str | None) -> Value | None:
    if value is None:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(UTC)
