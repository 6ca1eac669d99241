"""Each event's change log in the revisions file (format 3): what is stored, bounded,
deterministic, read back exactly, and upgraded from format 2 without changing a SEQUENCE,
a time or a published byte."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import revisions
from feeds.definitions import loader
from feeds.revisions import history
from feeds.serve.store import Store
from tests.conftest import make_settings

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"

CONF = """\
id: conf
name: Conf 2026
timezone: Europe/Berlin
location: Hall A
events:
  - id: due
    title: Full paper submission deadline
    kind: deadline
    due: {due} 23:59
    timezone: AoE
  - id: talk
    title: {title}
    kind: talk
    start: 2026-07-06 09:00
    end: 2026-07-06 10:00
    description: {text}
{extra}"""


def _write(folder: Path, due="2026-01-28", title="Opening talk", text="Hello", extra="") -> Path:
    path = folder / "conf.yaml"
    path.write_text(CONF.format(due=due, title=title, text=text, extra=extra), "utf-8")
    return path


def _revise(path: Path, when: datetime) -> revisions.Revisions:
    return revisions.update(loader.load_file(path), now=when)


def _file(folder: Path) -> Path:
    return folder / "conf.revisions.json"


def test_a_moved_deadline_keeps_its_old_time_and_when_it_moved(tmp_path):
    path = _write(tmp_path)
    _revise(path, T0)
    moved = T0 + timedelta(days=23)
    state = _revise(_write(tmp_path, due="2026-01-30"), moved)
    due = state.events["due"]
    assert due.sequence == 1
    assert [c.what for c in due.changes] == ["added", "edited"]
    last = due.changes[-1]
    assert (last.at, last.sequence) == (moved, 1)
    was = json.loads(last.was)
    assert list(was) == ["when"]  # only what changed
    assert was["when"]["deadline"] == "2026-01-28T23:59:00"
    assert was["when"]["deadline_utc"] == "2026-01-29T11:59:00Z"  # AoE is UTC-12
    assert json.loads(due.shown)["when"]["deadline_utc"] == "2026-01-31T11:59:00Z"
    # the talk did not change: nothing logged but its addition
    assert [c.what for c in state.events["talk"].changes] == ["added"]


def test_the_file_is_deterministic_json_and_reads_back_equal(tmp_path):
    path = _write(tmp_path)
    _revise(path, T0)
    _revise(
        _write(tmp_path, due="2026-01-30", title="Opening <keynote> & “more”"), T0 + timedelta(1)
    )
    state = _revise(_write(tmp_path, due="2026-01-30", extra=""), T0 + timedelta(2))
    text = _file(tmp_path).read_text("utf-8")
    assert text == revisions.dumps(state)
    assert text == json.dumps(revisions.as_json(state), indent=1, ensure_ascii=False) + "\n"
    assert revisions.parse(text) == state
    assert json.loads(text)["version"] == 3


def test_an_edit_of_what_the_log_does_not_tell_is_not_logged(tmp_path):
    path = _write(tmp_path)
    _revise(path, T0)
    state = _revise(_write(tmp_path, text="Hello again"), T0 + timedelta(days=1))
    talk = state.events["talk"]
    assert talk.modified == T0 + timedelta(days=1)  # LAST-MODIFIED still moves
    assert [c.what for c in talk.changes] == ["added"]


def test_the_log_is_bounded_to_the_newest_changes(tmp_path):
    path = _write(tmp_path)
    _revise(path, T0)
    for day in range(1, 9):
        _revise(_write(tmp_path, due=f"2026-02-{day:02d}"), T0 + timedelta(days=day))
    due = revisions.read(_file(tmp_path)).events["due"]
    assert len(due.changes) == revisions.MAX_CHANGES
    assert [c.at for c in due.changes] == [T0 + timedelta(days=d) for d in range(4, 9)]
    assert [c.sequence for c in due.changes] == list(range(4, 9))
    # each change's "was" is the time the one before it set
    for change, day in zip(due.changes, range(4, 9), strict=True):
        assert json.loads(change.was)["when"]["deadline"] == f"2026-02-{day - 1:02d}T23:59:00"


def test_removed_cancelled_and_restored_are_logged_and_sequence_continues(tmp_path):
    path = _write(tmp_path)
    _revise(path, T0)
    path.write_text(path.read_text("utf-8").split("  - id: talk")[0], "utf-8")
    gone = _revise(path, T0 + timedelta(days=1))
    talk = gone.history["talk"]
    assert [c.what for c in talk.changes] == ["added", "removed"]
    back = _revise(_write(tmp_path, extra="    status: cancelled\n"), T0 + timedelta(days=2))
    talk = back.events["talk"]
    assert talk.sequence == 1
    assert [c.what for c in talk.changes] == ["added", "removed", "restored"]
    assert json.loads(talk.changes[-1].was) == {"status": "confirmed"}


@pytest.mark.parametrize(
    "member, value, message",
    [
        ("shown", "[1]", "'shown' is not an object"),
        ("changes", "{}", "'changes' is not a list"),
        ("changes", '[{"at": "2026-01-01T00:00:00Z", "sequence": 0, "what": "x"}]', "not one of"),
        ("changes", '[{"at": "yesterday", "sequence": 0, "what": "added"}]', "is not a time"),
        ("changes", '[{"at": "2026-01-01T00:00:00Z", "sequence": -1, "what": "added"}]', "range"),
    ],
)
def test_a_damaged_log_is_an_error_at_its_line(tmp_path, member, value, message):
    path = _write(tmp_path)
    _revise(path, T0)
    data = json.loads(_file(tmp_path).read_text("utf-8"))
    data["events"]["talk"][member] = json.loads(value)
    _file(tmp_path).write_text(json.dumps(data, indent=1), "utf-8")
    with pytest.raises(revisions.RevisionsError) as caught:
        revisions.read(_file(tmp_path))
    problem = caught.value.problem
    assert message in problem.message and "'talk'" in problem.message
    assert problem.line == _file(tmp_path).read_text().splitlines().index('  "talk": {') + 1


def _as_v2(state: revisions.Revisions) -> str:
    """What format 2 wrote for ``state``: the same fingerprints and times, no log."""
    data = revisions.as_json(state)
    data["version"] = 2
    for section in ("events", "history"):
        for entry in data[section].values():
            entry.pop("shown", None)
            entry.pop("changes", None)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _served(folder: Path) -> dict[str, bytes]:
    site = Store(make_settings(folder), write_revisions=False).site
    return {p: r.body for p, r in site.resources.items()}


def test_upgrading_the_corpus_from_format_2_changes_no_sequence_time_or_feed_byte(tmp_path):
    """The corpus revised as a publisher would (history/ first, then the edit), its files
    then written as format 2 did: upgrading keeps every SEQUENCE, time and served byte."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("history", "*.md"))
    for earlier in (CORPUS / "history").glob("*.yaml"):
        shutil.copy(earlier, folder / earlier.name)
    for path in sorted(folder.glob("*.yaml")):
        _revise(path, datetime(2026, 1, 1, tzinfo=UTC))
    for earlier in (CORPUS / "history").glob("*.yaml"):
        shutil.copy(CORPUS / earlier.name, folder / earlier.name)
    for path in sorted(folder.glob("*.yaml")):
        _revise(path, datetime(2026, 1, 2, tzinfo=UTC))
    v2 = {}
    for path in sorted(folder.glob("*.revisions.json")):
        v2[path.name] = revisions.read(path)
        path.write_text(_as_v2(v2[path.name]), "utf-8")
    before = _served(folder)  # format 2 files, upgraded in memory only
    for path in sorted(folder.glob("*.yaml")):
        _revise(path, datetime(2026, 6, 1, tzinfo=UTC))  # no edit: only the upgrade
    for name, old in v2.items():
        new = revisions.read(folder / name)
        assert new.version == 3
        for section in ("events", "history"):
            a, b = getattr(old, section), getattr(new, section)
            assert {
                k: (r.sequence, r.created, r.modified, r.schedule, r.content) for k, r in a.items()
            } == {
                k: (r.sequence, r.created, r.modified, r.schedule, r.content) for k, r in b.items()
            }
        assert (old.removed, old.header) == (new.removed, new.header)
    after = _served(folder)
    assert after == before
    # what format 2 could not know is not made up: the edited events have no "was"
    edited = revisions.read(folder / "edited.revisions.json")
    assert all(not c.was for r in edited.events.values() for c in r.changes)
    assert [c.what for c in edited.events["unchanged"].changes] == ["added"]  # provably
    assert edited.events["moved"].changes == ()  # edited since it was added: not known


# -- any sequence of edits ---------------------------------------------------------------

EDIT = st.tuples(
    st.sampled_from(["2026-01-28", "2026-01-30", "2026-02-06"]),  # the deadline
    st.sampled_from(["Opening talk", "Opening <talk> & more", "Keynote"]),  # the title
    st.booleans(),  # the talk is there
)


@settings(max_examples=25, deadline=None)
@given(st.lists(EDIT, min_size=1, max_size=12))
def test_any_edits_keep_a_bounded_log_that_leads_to_what_is_shown(edits):
    state = None
    for step, (due, title, talk) in enumerate(edits):
        text = CONF.format(due=due, title=json.dumps(title), text="Hello", extra="")
        if not talk:
            text = text.split("  - id: talk")[0]
        calendar = loader.load_text(text, "conf.yaml")
        before = state
        state = revisions.reconcile(calendar, state, T0 + timedelta(days=step))
        assert revisions.parse(revisions.dumps(state)) == state
        for event in calendar.events:
            revision = state.events[event.id]
            assert 1 <= len(revision.changes) <= revisions.MAX_CHANGES
            assert revision.shown == history.shown(event, calendar)
            times = [c.at for c in revision.changes]
            assert times == sorted(set(times))  # one change per revision, in order
            seqs = [c.sequence for c in revision.changes]
            assert seqs == sorted(seqs) and seqs[-1] == revision.sequence
            # walking the log back from what is shown gives each change's values before it
            timeline = history.timeline(revision)
            assert timeline[0][2] == json.loads(revision.shown)
            for (_, older_before, _), (_, _, older_after) in zip(
                timeline, timeline[1:], strict=False
            ):
                assert older_after == older_before
        if before is not None:
            for key, seq in before.sequences().items():
                assert state.sequences()[key] >= seq
