"""Random sequences of the same steps (hypothesis state machine): after each one, each
subscriber's copy means the last good definition and no SEQUENCE or time it saw fell.

The ``ci`` profile runs 15 sequences of up to 8 steps, the same ones on every machine;
``FEEDS_HYPOTHESIS_PROFILE=thorough`` runs twenty times as many, at random.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

import tests.hypothesis_profiles  # noqa: F401  (the deterministic profile)
from tests.hypothesis_profiles import examples
from tests.subscribers import calendar as cal
from tests.subscribers.scenario import Scenario

TIMES = st.sampled_from(cal.TIMES)


class Subscribers(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.base = Path(tempfile.mkdtemp(prefix="subscribers-"))
        self.s = Scenario(self.base)

    def teardown(self):
        if hasattr(self, "s"):
            self.s.close()
            shutil.rmtree(self.base, ignore_errors=True)

    def _present(self, data) -> str:
        return data.draw(st.sampled_from(sorted(self.s.good.events)), label="event")

    @rule(data=st.data(), when=TIMES)
    def move(self, data, when):
        self.s.move(self._present(data), when)

    @rule(data=st.data())
    def retitle(self, data):
        self.s.retitle(self._present(data))

    @rule(data=st.data(), cancelled=st.booleans())
    def cancel(self, data, cancelled):
        self.s.cancel(self._present(data), cancelled)

    @precondition(lambda self: len(self.s.good.events) > 1)
    @rule(data=st.data())
    def remove(self, data):
        self.s.remove(self._present(data))

    @precondition(lambda self: self.s.removed)
    @rule(data=st.data())
    def restore(self, data):
        self.s.restore(data.draw(st.sampled_from(sorted(self.s.removed)), label="removed"))

    @rule(data=st.data(), first=TIMES, second=TIMES)
    def same_second(self, data, first, second):
        self.s.same_second(self._present(data), first, second)

    @rule(data=st.data(), when=TIMES)
    def backwards(self, data, when):
        self.s.backwards(self._present(data), when)

    @precondition(lambda self: len(self.s.commits) > 1)
    @rule(back=st.integers(1, 4))
    def git_checkout(self, back):
        self.s.git_checkout(back)

    @rule()
    def lose_revisions(self):
        self.s.lose_revisions()

    @rule(older=st.booleans())
    def restore_revisions(self, older):
        self.s.restore_revisions(older)

    @rule()
    def touch(self):
        self.s.touch()

    @precondition(lambda self: not self.s.is_broken)
    @rule()
    def restart(self):
        self.s.restart()

    @rule()
    def broken(self):
        self.s.broken()


Subscribers.TestCase.settings = settings(
    settings.get_profile(tests.hypothesis_profiles.PROFILE),
    max_examples=examples(15),
    stateful_step_count=8,
)
test_random_edits_reach_every_subscriber = Subscribers.TestCase
