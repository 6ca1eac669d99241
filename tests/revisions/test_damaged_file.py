"""A revisions file that cannot be used is a located error: never read as empty, never
overwritten, and the last good version stays served (validate, revise, build, serve)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.hypothesis_profiles  # noqa: F401  (the deterministic profile)
from feeds import revisions
from feeds.definitions import loader
from tests.revisions.support import FEED, definition, feeds, sequences, store, write

PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)
EDITED = datetime(2026, 1, 2, tzinfo=UTC)


def _published(folder: Path) -> Path:
    """The calendar revised twice, the talk moved once: SEQUENCE 1 on the talk."""
    path = write(folder, definition("09:00"))
    revisions.update(loader.load_file(path), now=PUBLISHED)
    write(folder, definition("09:30"))
    revisions.update(loader.load_file(path), now=EDITED)
    return folder / "conf.revisions.json"


def _conflicted(text: str) -> str:
    """``text`` as git leaves it after two branches edited the talk's entry."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"sequence": 1' in line)
    ours = lines[at]
    theirs = ours.replace('"sequence": 1', '"sequence": 2')
    return "".join(
        [
            *lines[:at],
            "<<<<<<< HEAD\n",
            ours,
            "=======\n",
            theirs,
            ">>>>>>> edit\n",
            *lines[at + 1 :],
        ]
    )


DAMAGES = {
    "conflict": (_conflicted, "merge conflict"),
    "truncated": (lambda t: t[: len(t) // 2], "ends before its JSON does"),
    "not json": (lambda t: "sequence: 1\n", "is not valid JSON"),
    "wrong shape": (lambda t: t.replace('"sequence": 1', '"sequence": "one"'), "sequence 'one'"),
    "list": (lambda t: "[]\n", "is not a JSON object"),
    "negative": (lambda t: t.replace('"sequence": 1', '"sequence": -1'), "sequence -1"),
    "bad time": (lambda t: t.replace("2026-01-02T00:00:00Z", "yesterday", 1), "'yesterday'"),
    "newer format": (lambda t: t.replace('"version": 3', '"version": 99'), "newer feeds"),
    "binary": (lambda t: "\udcff\udcfe", "not UTF-8"),
}


def _damage(path: Path, kind: str) -> str:
    text = path.read_text("utf-8")
    damaged = DAMAGES[kind][0](text)
    path.write_text(damaged, encoding="utf-8", errors="surrogateescape")
    return damaged


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_a_damaged_file_is_an_error_at_its_line_and_is_left_alone(tmp_path, kind):
    path = _published(tmp_path)
    _damage(path, kind)
    original = path.read_bytes()
    with pytest.raises(revisions.RevisionsError) as caught:
        revisions.read(path)
    problem = caught.value.problem
    assert problem.path == str(path) and DAMAGES[kind][1] in problem.message
    assert problem.hint  # says what to do
    if kind == "conflict":
        assert problem.line == original.decode().splitlines().index("<<<<<<< HEAD") + 1
        assert "feeds revise --resolve" in problem.hint
    with pytest.raises(revisions.RevisionsError):
        revisions.update(loader.load_file(tmp_path / "conf.yaml"), now=EDITED)
    assert path.read_bytes() == original


@pytest.mark.parametrize("kind", ["conflict", "truncated", "wrong shape"])
def test_every_command_refuses_a_damaged_file_and_leaves_it(tmp_path, kind):
    path = _published(tmp_path)
    _damage(path, kind)
    original = path.read_bytes()
    out = tmp_path / "site"
    for args in (["validate", str(tmp_path)], ["revise", str(tmp_path)]):
        done = feeds(*args)
        assert done.returncode == 1, (args, done.stderr)
        assert f"{path}:" in done.stderr and "Traceback" not in done.stderr
    done = feeds("build", str(out), "--events", str(tmp_path))
    assert done.returncode == 1 and f"{path}:" in done.stderr, done.stderr
    assert not out.exists() and path.read_bytes() == original


def test_a_folder_where_the_file_should_be_is_an_error_and_moves_nothing(tmp_path):
    path = write(tmp_path, definition())
    (tmp_path / "conf.revisions.json").mkdir()
    done = feeds("revise", str(tmp_path))
    assert done.returncode == 1
    assert f"{tmp_path / 'conf.revisions.json'}: is a folder, not a file" in done.stderr
    assert "revised" not in done.stdout
    live = store(tmp_path)
    assert live.site.get(FEED) is None and live.health()[1] == 503
    assert path.exists()


def test_an_unwritable_folder_is_an_error_and_the_last_good_version_stays(tmp_path, monkeypatch):
    path = _published(tmp_path)
    live = store(tmp_path)
    before = live.site.get(FEED).body
    from feeds.revisions import save

    monkeypatch.setattr(save, "_write_atomic", lambda p, t: "Read-only file system")
    write(tmp_path, definition("10:00"))
    live.refresh()
    assert live.site.get(FEED).body == before
    body, status = live.health()
    assert status == 200 and body["status"] == "degraded"
    assert any(
        e.startswith(f"{path}: cannot be written (Read-only file system)") for e in body["errors"]
    )
    monkeypatch.undo()  # writable again: the next poll publishes, without another edit
    live.refresh()
    assert sequences(live.site.get(FEED).body)["talk"] == 2


@pytest.mark.parametrize("kind", ["conflict", "truncated", "binary"])
def test_the_server_keeps_the_last_good_version_until_the_file_is_fixed(tmp_path, kind):
    path = _published(tmp_path)
    good = path.read_text("utf-8")
    live = store(tmp_path)
    before = live.site.get(FEED)
    assert sequences(before.body)["talk"] == 1
    _damage(path, kind)
    write(tmp_path, definition("10:00"))  # an edit while the file is broken
    live.refresh()
    assert live.site.get(FEED).body == before.body
    body, status = live.health()
    assert status == 200 and any(e.startswith(f"{path}:") for e in body["errors"])
    path.write_text(good, encoding="utf-8")  # restored: the edit goes out, SEQUENCE rises
    live.refresh()
    assert sequences(live.site.get(FEED).body)["talk"] == 2
    assert live.health()[0]["status"] == "ok"


# -- random damage ------------------------------------------------------------------------


def _damaged(text: str):
    cut = st.integers(0, len(text)).map(lambda n: text[:n])

    def spliced(parts):
        start, end, junk = parts
        return text[:start] + junk + text[end:]

    splice = st.tuples(
        st.integers(0, len(text)), st.integers(0, len(text)), st.text(max_size=20)
    ).map(spliced)
    markers = st.sampled_from(["<<<<<<< a\n", "=======\n", ">>>>>>> b\n", "|||||||\n"])
    marked = st.tuples(st.integers(0, text.count("\n")), markers).map(
        lambda p: "".join(
            line + (p[1] if i == p[0] else "") for i, line in enumerate(text.splitlines(True))
        )
    )
    digits = st.sampled_from(["-1", "2147483648", "1e3", "null", "true", '"1"', "0.5", "9" * 30])
    numbered = digits.map(lambda d: text.replace('"sequence": 1', f'"sequence": {d}'))
    return st.one_of(cut, splice, marked, numbered)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("published")
    path = _published(folder)
    return folder, path.read_text("utf-8")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_damage_never_raises_a_traceback_nor_lowers_a_sequence(published, data):
    folder, good = published
    text = data.draw(_damaged(good))
    path = folder / "conf.revisions.json"
    raw = text.encode("utf-8", "surrogatepass")
    path.write_bytes(raw)
    calendar = loader.load_file(folder / "conf.yaml")
    floor = revisions.parse(good)  # what was published before the damage
    try:
        result = revisions.update(calendar, now=EDITED, floor=floor)
    except revisions.RevisionsError as exc:
        assert exc.problem.path == str(path) and exc.problem.hint
        assert path.read_bytes() == raw  # left as it was
    else:
        assert result.of("talk").sequence >= 1
        assert all(result.sequences()[k] >= s for k, s in floor.sequences().items())
        assert result.clock >= floor.clock
        json.loads(path.read_text("utf-8"))  # whatever was written is whole
    finally:
        path.write_text(good, encoding="utf-8")


def test_a_link_out_of_the_folder_is_refused_unread(tmp_path):
    _published(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text("{}", encoding="utf-8")
    path = tmp_path / "conf.revisions.json"
    os.unlink(path)
    path.symlink_to(outside)
    with pytest.raises(revisions.RevisionsError, match="link out of the definitions folder"):
        revisions.read(path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_damage_under_the_server_never_lowers_what_it_serves(published, data, caplog):
    folder, good = published
    path = folder / "conf.revisions.json"
    path.write_text(good, encoding="utf-8")
    write(folder, definition("09:30"), mtime=1)
    live = store(folder)
    before = sequences(live.site.get(FEED).body)
    assert before["talk"] == 1
    damaged = data.draw(_damaged(good)).encode("utf-8", "surrogatepass")
    path.write_bytes(damaged)
    start = data.draw(st.sampled_from(["09:30", "10:00"]))
    write(folder, definition(start).replace("Party", data.draw(st.sampled_from(["Party", "Fest"]))))
    caplog.clear()
    live.refresh()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    now = sequences(live.site.get(FEED).body)
    assert all(now[key] >= sequence for key, sequence in before.items())
    if live.health()[0]["errors"]:  # refused: the file is as it was, the feed unchanged
        assert path.read_bytes() == damaged and now == before
    path.write_text(good, encoding="utf-8")


def test_a_conflict_whose_sides_are_not_json_is_not_resolved_and_left(tmp_path):
    path = _published(tmp_path)
    text = path.read_text("utf-8")
    line = '   "sequence": 1,\n'
    broken = text.replace(line, f'<<<<<<< a\n{line}=======\n   "sequence": \n>>>>>>> b\n', 1)
    path.write_text(broken, encoding="utf-8")
    done = feeds("revise", "--resolve", str(tmp_path))
    assert done.returncode == 1 and f"{path} (side 2):" in done.stderr
    assert path.read_text("utf-8") == broken


def test_validate_does_not_call_a_calendar_with_a_damaged_revisions_file_ok(tmp_path, capsys):
    from feeds import cli

    (tmp_path / "one.yaml").write_text(
        "name: One\ntimezone: UTC\nevents:\n  - id: paper\n    title: Paper\n"
        "    due: 2026-01-15 23:59\n",
        "utf-8",
    )
    (tmp_path / "one.revisions.json").write_text("{not json", "utf-8")
    assert cli.main(["validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "one.revisions.json:1: is not valid JSON" in captured.err
    assert ": ok" not in captured.out
