"""Writing the site as static files, atomically, for any web server or CDN.

The files are exactly the bytes the live app serves, each with its mtime set
to the resource's Last-Modified (so a static server's Last-Modified header is
the live one), plus the static-host configs from :mod:`feeds.export.hosts`.

Layout, for ``feeds build site``::

    site -> .site.builds/000012-20261126T160102Z-3f2a9c1b04de    (a relative symlink)
    .site.builds/000012-20261126T160102Z-3f2a9c1b04de/           (the current export)
    .site.builds/000011-20261125T090000Z-77aa01c2e3f4/           (kept for rollback)

Each build is written into a fresh folder inside ``.site.builds``; when it is
complete, a new symlink is renamed over ``site`` with ``os.replace`` (one
``rename(2)``, atomic on POSIX). A server resolving ``site/feeds/x.ics`` sees
the old export or the new one, never a mix and never a missing folder; files
it already opened stay readable. The newest :data:`KEEP` builds are kept, so a
rollback is pointing the link back. Builds of one target are serialised by a
lock file. Any failure before the swap (an invalid definition is caught
earlier, by the caller) leaves ``site`` exactly as it was, and the staging
folder is removed; a failure of the file system (disk full, read-only, no
permission, name too long) becomes an :class:`ExportError` naming the path and
what to do.

Moving from an older export that was a real folder: the folder is exchanged
with the link atomically where the kernel can (``renameat2`` with
``RENAME_EXCHANGE``, Linux), else with two renames and a window of
microseconds, once. A target that exists but is not an export is refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from feeds.errors import FeedsError, printable
from feeds.export import hosts
from feeds.export.hosts import file_path
from feeds.site.resources import Site

__all__ = ["ExportError", "KEEP", "file_path", "write_site", "builds_folder"]

#: How many builds stay in ``.<name>.builds`` (the current one included).
KEEP = 3


class ExportError(FeedsError):
    """The export cannot be written where asked."""


#: What went wrong and what to do, by errno, for a failed write.
_ADVICE = {
    errno.ENOSPC: ("no space left on the device", "free some space or export to another disk"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or export to another disk"),
    errno.EROFS: ("the file system is read-only", "export to a writable folder"),
    errno.EACCES: ("permission denied", "export to a folder you may write, or fix its permissions"),
    errno.EPERM: ("operation not permitted", "export to a folder you may write"),
    errno.ENAMETOOLONG: ("the path is too long", "export to a folder with a shorter path"),
    errno.EMLINK: ("the folder has too many entries", "remove old builds or export elsewhere"),
    errno.ENOENT: ("a folder on the path is missing", "create the folder, or export elsewhere"),
}


def _failed(error: OSError, target: Path) -> ExportError:
    """``path: what went wrong; what to do``, for an OSError met while exporting ``target``."""
    path = error.filename if error.filename is not None else target
    what, fix = _ADVICE.get(
        error.errno, (error.strerror or type(error).__name__, "check the folder and try again")
    )
    return ExportError(
        f"{printable(os.fsdecode(path), 1000)}: {what}; {fix} "
        f"(the export {target} was left as it was)"
    )


def builds_folder(out: str | os.PathLike) -> Path:
    target = Path(os.path.abspath(out))
    return target.parent / f".{target.name}.builds"


def write_site(site: Site, out: str | os.PathLike) -> list[str]:
    """Write every resource of ``site`` as ``out``, swapped in whole. Returns the files written.

    Raises :class:`ExportError` for anything that stops it, a full disk included; ``out`` is
    then as it was.
    """
    target = Path(os.path.abspath(out))
    try:
        return _write_site(site, target)
    except OSError as error:
        raise _failed(error, target) from error


def _write_site(site: Site, target: Path) -> list[str]:
    if target.parent == target:
        raise ExportError("cannot export to the file system's root")
    builds = builds_folder(target)
    files = _plan(site)
    config = static_host_config(site)
    for name in config:
        if name in files:
            raise ExportError(
                f"the site has a resource at /{name}, which is the static-host config's name"
            )
    builds.mkdir(parents=True, exist_ok=True)
    with _locked(builds):
        _check_target(target, builds)
        _remove_leftovers(builds)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
        try:
            os.chmod(staging, 0o755)
            written = _write(site, files, config, staging)
            final = builds / _build_id(site, config, builds)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _point(target, final, builds)
        _prune(builds, keep=KEEP, current=final)
    return written


def static_host_config(site: Site) -> dict[str, str]:
    """Header rules for static hosts (see :mod:`feeds.export.hosts`)."""
    return hosts.files_for(site)


def current_build(out: str | os.PathLike) -> Path | None:
    """The build folder ``out`` points to, if it is a link made by :func:`write_site`."""
    target = Path(os.path.abspath(out))
    if not target.is_symlink():
        return None
    return (target.parent / os.readlink(target)).resolve()


# -- steps -----------------------------------------------------------------------


def _plan(site: Site) -> dict[str, str]:
    """``{relative file: URL path}``; refuses paths that escape or collide."""
    files: dict[str, str] = {}
    for url_path in site.resources:
        relative = file_path(url_path)
        parts = relative.split("/")
        if any(p in ("", ".", "..") for p in parts) or "\\" in relative or "\0" in relative:
            raise ExportError(f"cannot write the resource {url_path!r} as a file")
        if relative in files:
            raise ExportError(f"{url_path} and {files[relative]} would be the same file")
        files[relative] = url_path
    folders = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
    clash = sorted(folders & set(files))
    if clash:
        raise ExportError(f"/{clash[0]} is both a resource and a folder of other resources")
    return files


def _write(site: Site, files: dict[str, str], config: dict[str, str], staging: Path) -> list[str]:
    written = []
    for relative, url_path in sorted(files.items()):
        resource = site.resources[url_path]
        dest = staging / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as out:
            out.write(resource.body)
        stamp = int(resource.last_modified.timestamp()) * 1_000_000_000
        os.utime(dest, ns=(stamp, stamp))
        written.append(relative)
    for name, text in sorted(config.items()):
        (staging / name).write_text(text, encoding="utf-8")
        written.append(name)
    for folder, dirs, _ in os.walk(staging):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o755)
    return written


def _build_id(site: Site, config: dict[str, str], builds: Path) -> str:
    digest = hashlib.sha256()
    for url_path in sorted(site.resources):
        digest.update(url_path.encode() + b"\0" + site.resources[url_path].etag.encode() + b"\0")
    for name in sorted(config):
        digest.update(name.encode() + b"\0" + config[name].encode() + b"\0")
    return (
        f"{_next_number(builds):06d}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:12]}"
    )


def _next_number(builds: Path) -> int:
    """Build folders are numbered, so their names sort in the order they were made."""
    numbers = [
        int(p.name.split("-", 1)[0]) for p in builds.iterdir() if p.name.split("-", 1)[0].isdigit()
    ]
    return max(numbers, default=0) + 1


def _check_target(target: Path, builds: Path) -> None:
    if target.is_symlink() or not target.exists():
        return
    if not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder; remove it or export elsewhere")
    if any(target.iterdir()) and not (target / "feeds.json").is_file():
        raise ExportError(
            f"{target} is a folder that does not look like an export (no feeds.json); "
            "remove it or export elsewhere"
        )


def _point(target: Path, final: Path, builds: Path) -> None:
    """Make ``target`` a symlink to ``final``, atomically."""
    link = builds / f".link-{os.getpid()}-{final.name}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(link)
    os.symlink(os.path.relpath(final, target.parent), link)
    if target.is_symlink() or not target.exists():
        os.replace(link, target)
        return
    # an older export that is a real folder: swap it with the link once
    aside = (
        builds / f"000000-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-previous-{os.getpid()}"
    )  # pruned first
    if _exchange(link, target):
        os.rename(link, aside)  # ``link`` now names the old folder
    else:
        os.rename(target, aside)
        os.replace(link, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _prune(builds: Path, keep: int, current: Path) -> None:
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in done[:-keep] if keep > 0 else done:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(builds: Path) -> None:
    """Staging folders and links of builds that died (we hold the lock, so none is running)."""
    for entry in builds.iterdir():
        if entry.name.startswith(".tmp-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(".link-"):
            with contextlib.suppress(OSError):
                os.unlink(entry)


@contextlib.contextmanager
def _locked(builds: Path):
    with open(builds / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
