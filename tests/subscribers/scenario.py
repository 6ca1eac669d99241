"""One simulation: the same edits pushed to both deployments, each followed by a deploy
and a poll of every subscriber, whose copy must then mean the last good definition.

Each step is a method named after what a maintainer does; the scripted test calls each
one, the hypothesis state machine calls them in random orders.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.subscribers import calendar as cal
from tests.subscribers.clients import Client, subscribers
from tests.subscribers.deployments import Live, Static, git


class Scenario:
    def __init__(self, base: Path):
        self.live = Live(base / "live")
        self.static = Static(base / "static", base / "site", base / "nginx")
        self.clients: dict[str, list[Client]] = {
            "live": subscribers("live"),
            "static": subscribers("static"),
        }
        self.good = cal.Definition()  # what is published: the last valid definition
        self.commits: list[cal.Definition] = []  # the good definition at each commit
        self.removed: dict[str, cal.Event] = {}
        self.lost: dict[Path, bytes] = {}
        self.steps: list[str] = []
        self.is_broken = False  # the file holds an edit the loader refused
        self._write(self.good.yaml())
        self._publish("first version")

    @property
    def folders(self) -> tuple[Path, Path]:
        return self.live.folder, self.static.folder

    def close(self) -> None:
        self.static.nginx.stop()

    # the machinery of a step ------------------------------------------------------

    def _write(self, text: str, mtime: float | None = None) -> None:
        for folder in self.folders:
            path = folder / cal.FILE
            path.write_text(text, encoding="utf-8")
            if mtime is not None:
                os.utime(path, (mtime, mtime))

    def _publish(self, step: str, commit: bool = True, unchanged: bool = False) -> None:
        """Deploy both, poll every client, check every copy; commit a good definition.
        ``unchanged``: nothing changed, so every client that revalidates gets a 304."""
        self.steps.append(step)
        described = " -> ".join(self.steps[-6:])
        for name, deployment in (("live", self.live), ("static", self.static)):
            deployment.deploy()
            for client in self.clients[name]:
                client.poll(deployment.fetch, cal.FEED)
                client.check(self.good.expected(), described)
                if unchanged and client.style != "google":
                    assert client.statuses[-1] == 304, f"after {described}: {client.name}"
        if commit:
            for folder in self.folders:  # a refused edit is not committed
                refused = [f":!{cal.FILE}"] if self.is_broken else []
                git(folder, "add", "-A", "--", ".", *refused)
                git(folder, "commit", "-q", "--allow-empty", "-m", step)
            self.commits.append(self.good)

    def _edit(self, definition: cal.Definition, step: str, mtime: float | None = None) -> None:
        self.good, self.is_broken = definition, False
        self._write(definition.yaml(), mtime)
        self._publish(step)

    # the steps ----------------------------------------------------------------------

    def move(self, event_id: str, when: str) -> None:
        """A time change (a no-op edit when it is the time already)."""
        self._edit(self.good.edit(event_id, time=when), f"move {event_id} to {when}")

    def retitle(self, event_id: str) -> None:
        title = self.good.events[event_id].title
        self._edit(self.good.edit(event_id, title=title + "!"), f"retitle {event_id}")

    def cancel(self, event_id: str, cancelled: bool = True) -> None:
        step = f"{'cancel' if cancelled else 'reinstate'} {event_id}"
        self._edit(self.good.edit(event_id, cancelled=cancelled), step)

    def remove(self, event_id: str) -> None:
        self.removed[event_id] = self.good.events[event_id]
        self._edit(self.good.without(event_id), f"remove {event_id}")

    def restore(self, event_id: str) -> None:
        events = dict(self.good.events)
        events[event_id] = self.removed.pop(event_id)
        self._edit(cal.Definition(events), f"restore {event_id}")

    def same_second(self, event_id: str, first: str, second: str) -> None:
        """Two edits of the same size, each published, with one and the same mtime."""
        second_of = float(int(time.time()))
        self._edit(self.good.edit(event_id, time=first), f"{event_id} at {first}", second_of)
        step = f"{event_id} at {second} in the same second"
        self._edit(self.good.edit(event_id, time=second), step, second_of)

    def backwards(self, event_id: str, when: str) -> None:
        """An edit deployed with an mtime a day older than the file's (``cp -p``, rsync)."""
        older = (self.live.folder / cal.FILE).stat().st_mtime - 86400
        step = f"move {event_id} to {when} with an mtime a day back"
        self._edit(self.good.edit(event_id, time=when), step, older)

    def git_checkout(self, back: int) -> None:
        """``git checkout HEAD~back -- conf.yaml``: an older definition comes back."""
        back = min(back, len(self.commits) - 1)
        for folder in self.folders:
            git(folder, "checkout", f"HEAD~{back}", "--", cal.FILE)
        self.good, self.is_broken = self.commits[-1 - back], False
        self.removed = {k: v for k, v in cal.ALL.items() if k not in self.good.events}
        self._publish(f"git checkout HEAD~{back} -- {cal.FILE}")

    def lose_revisions(self) -> None:
        for folder in self.folders:
            path = folder / cal.REVISIONS
            if path.exists():
                self.lost[folder] = path.read_bytes()
                path.unlink()
        self._publish("revisions file deleted")

    def restore_revisions(self, older: bool = False) -> None:
        """The copy saved when it was lost, or (``older``) the first committed one."""
        for folder in self.folders:
            path = folder / cal.REVISIONS
            if older:
                first = git(folder, "rev-list", "--max-parents=0", "HEAD").strip()
                path.write_text(git(folder, "show", f"{first}:{cal.REVISIONS}"))
            elif folder in self.lost:
                path.write_bytes(self.lost.pop(folder))
        self._publish("revisions file restored" + (" from the first commit" if older else ""))

    def touch(self) -> None:
        """The file's mtime moves, its bytes do not (a checkout, a deploy tool)."""
        for folder in self.folders:
            os.utime(folder / cal.FILE)
        self._publish("touch", unchanged=True)

    def restart(self) -> None:
        """The server restarts and the export is rebuilt, with nothing edited."""
        assert not self.is_broken, "a server started on a broken file has nothing to serve"
        self.live.store = None
        self._publish("restart and rebuild", unchanged=True)

    def broken(self) -> None:
        """An edit the loader refuses: every subscriber keeps the last good version."""
        self._write(cal.BROKEN)
        self.is_broken = True
        self._publish("a broken edit")
