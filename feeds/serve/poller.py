"""The thread that keeps a store current, so that no request waits for a reload.

One :class:`Poller` per store and process: it calls ``store.refresh()`` every
``reload_seconds`` (sooner when the store asks to look again, see
``Store._wake_at``) while requests read the last published snapshot. It is started
by the first request a process answers, not when the store is made, so that under
gunicorn each worker has its own (a thread does not survive ``fork``: with
``preload_app`` the master's store would otherwise never poll again in a worker),
and it holds the store only weakly: a store that is dropped (tests make many) ends
its thread. Why a thread that stats every file rather than inotify: docs/performance.md,
"Reloading off the request path".
"""

from __future__ import annotations

import logging
import os
import threading
import weakref

log = logging.getLogger("feeds")

#: Bumped in a child after ``fork``: a poller made before it has no thread in the child.
_forks = [0]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


class Poller:
    """Runs ``store.refresh()`` on a daemon thread until the store is gone or :meth:`stop`."""

    def __init__(self, store):
        self._store = weakref.ref(store)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._fork = _forks[0]
        self._thread = threading.Thread(
            target=self._run, name=f"feeds-poller-{store.folder.name}", daemon=True
        )
        self._thread.start()

    @property
    def alive(self) -> bool:
        """Running in this process (False in a child forked after it started)."""
        return self._fork == _forks[0] and self._thread.is_alive()

    def wake(self) -> None:
        """Look now rather than at the end of the interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            store = self._store()
            if store is None:
                return
            try:
                store.refresh()
                pause = store.seconds_until_next_check()
            except Exception:  # a bug must not end reloading for the life of the process
                log.exception("reloading the definitions failed; trying again")
                pause = store.settings.reload_seconds
            del store  # not held while sleeping: a dropped store ends the thread
            self._wake.wait(max(pause, 0.001))
            self._wake.clear()
