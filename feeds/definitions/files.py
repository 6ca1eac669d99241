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
    out = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.suffix not in (".yaml", ".yml") or entry.name.startswith("."):
            continue
        try:
            real = entry.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11, 3.12)
            continue
        if root not in real.parents or not real.is_file():
            continue
        out.append(entry)
    return out
