"""How many occurrences a parser may still expand while reading one file.

:mod:`feeds.doctor.parsers` gives each reading a :class:`Budget` when its caller sets one, so
a feed of endless SECONDLY rules stops with a finding instead of filling the memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Spent(Exception):
    """Raised inside a reader when its :class:`Budget` runs out."""


class Budget:
    """Occurrences left for one parser's reading of one file; ``None``: no limit."""

    def __init__(self, total: int | None):
        self.left = total

    def take(self, items: Iterable[T], cap: int) -> Iterator[T]:
        """At most ``cap`` of ``items``, each charged to the budget; :class:`Spent` when empty."""
        for count, item in enumerate(items):
            if count >= cap:
                return
            if self.left is not None:
                if self.left <= 0:
                    raise Spent
                self.left -= 1
            yield item
