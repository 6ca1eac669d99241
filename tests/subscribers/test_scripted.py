"""Every named step, in one fixed order, for the three styles of subscriber of the live
app and of the static export behind nginx (each step is checked in ``Scenario``)."""

from __future__ import annotations

import pytest

from tests.subscribers.scenario import Scenario


@pytest.fixture
def scenario(tmp_path):
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def test_every_subscriber_follows_every_kind_of_edit(scenario):
    s = scenario
    s.move("talk", "09:30")  # a time change
    held = {c.name: c.read(c.body) for cs in s.clients.values() for c in cs}
    s.retitle("talk")  # a new title: an update, not a new SEQUENCE
    for client in (c for cs in s.clients.values() for c in cs):
        now, before = client.read(client.body), held[client.name]
        assert now.sequence["talk"] == before.sequence["talk"], client.name
        assert now.modified["talk"] > before.modified["talk"], client.name
    s.same_second("talk", "13:45", "08:00")
    s.same_second("due", "08:00", "09:00")  # a deadline moved twice in one second
    s.backwards("weekly", "08:00")  # mtime a day back
    s.backwards("weekly", "09:30")
    s.cancel("weekly")
    s.broken()  # every client keeps the last good version
    s.touch()
    s.lose_revisions()  # while broken: nothing can be published or written back
    s.broken()
    s.move("due", "13:45")  # ... until the next good edit
    s.remove("talk")
    s.restore("talk")  # continues its SEQUENCE
    s.git_checkout(3)  # an older definition comes back
    s.cancel("weekly", cancelled=False)
    s.lose_revisions()
    s.move("talk", "23:59")  # an edit while the file is lost
    s.restore_revisions()  # the saved copy, now behind what was published
    s.lose_revisions()
    s.restore_revisions(older=True)  # the very first copy
    s.move("weekly", "13:45")
    s.touch()  # nothing changed: every conditional poll is a 304
    s.restart()
    assert all(
        c.statuses.count(304) for cs in s.clients.values() for c in cs if c.style != "google"
    )


def test_a_client_that_revalidates_by_date_sees_each_of_two_edits_in_one_second(scenario):
    """The issue's case: Apple revalidates with If-Modified-Since only, and the two edits
    share an mtime and a size; each must still move the feed's Last-Modified."""
    scenario.same_second("talk", "13:45", "09:30")
    for clients in scenario.clients.values():
        apple = next(c for c in clients if c.style == "apple")
        assert apple.statuses == [200, 200, 200]


def test_the_checks_catch_a_stale_copy_a_fallen_sequence_and_a_fallen_time(scenario):
    """The simulation's own checks can fail: each defect planted in a client's copy."""
    scenario.move("talk", "13:45")
    apple = scenario.clients["static"][0]
    stale, held = apple.body, apple.read(apple.body)
    scenario.move("talk", "08:00")
    expected = scenario.good.expected()
    current = apple.body
    sequence = f"SEQUENCE:{held.sequence['talk'] + 1}".encode()
    planted = {
        "holds": stale,
        "SEQUENCE fell": current.replace(sequence, b"SEQUENCE:0"),
        "LAST-MODIFIED fell": current.replace(
            b"LAST-MODIFIED:" + current.split(b"LAST-MODIFIED:")[1][:16],
            b"LAST-MODIFIED:20000101T000000Z",
        ),
    }
    assert all(body != current for body in planted.values())
    for defect, body in planted.items():
        apple.body = body
        with pytest.raises(AssertionError, match=defect):
            apple.check(expected, defect)
