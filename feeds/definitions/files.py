"""Finding a folder's definition files and reading one without hanging or flooding."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from feeds.definitions import yamlsource


def read_bytes(path: str | os.PathLike) -> bytes:
    """A definition file's bytes, read no further than one byte past the size limit.

    Opened without blocking and refused unless it is a regular file, so a FIFO or
    device put in place of a definition cannot hang or flood the reader.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(yamlsource.MAX_BYTES + 1)


def definition_files(folder: str | os.PathLike) -> list[Path]:
    """The definition files of a folder, sorted by name; links leading outside are skipped."""
    root = Path(folder).resolve()
    return [
        entry
        for entry in sorted(Path(folder).iterdir())
        if _named_as_definition(entry.name) and _inside(root, entry)
    ]


def _named_as_definition(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def _inside(root: Path, entry: Path) -> bool:
    """Whether ``entry`` is a regular file inside ``root`` once links are followed."""
    try:
        real = entry.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11, 3.12)
        return False
    return root in real.parents and real.is_file()


class Listing:
    """:func:`definition_files` of one folder, again and again, at the cost of a listing.

    A live server lists its folder every poll. Resolving every entry's path (links
    may lead outside) and sorting ``Path`` objects cost about 0.5 s per poll at 2,500
    files; here a plain file (the directory entry says so, without a ``stat``) needs
    neither, only links and odd entries are resolved again each time, and the list is
    sorted again only when the names changed. Same answer as :func:`definition_files`
    (``tests/serve/test_poll.py``).
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._names: tuple[str, ...] = ()
        self._paths: list[Path] = []

    def paths(self) -> list[Path]:
        """The definition files now, sorted by name (``OSError`` if the folder cannot be read)."""
        root = None
        names = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = entry.name
                if not _named_as_definition(name):
                    continue
                if not entry.is_symlink() and entry.is_file(follow_symlinks=False):
                    names.append(name)  # a regular file in the folder: inside it
                    continue
                root = root or self.folder.resolve()
                if _inside(root, self.folder / name):
                    names.append(name)
        names.sort()
        if tuple(names) != self._names:
            self._names = tuple(names)
            self._paths = [self.folder / name for name in names]
        return list(self._paths)
