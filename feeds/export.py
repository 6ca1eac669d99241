"""Writing the site as static files, atomically, for any web server or CDN.

The files are exactly the bytes the live app serves. The export is written to
a temporary folder beside the target and swapped in with two renames, so a
server reading the target sees the old export or the new one, never a mix; an
invalid definition aborts before anything is touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .site import Site


def file_path(url_path: str) -> str:
    """Where a URL path lives in the export: ``/`` -> ``index.html``, ``/a/`` -> ``a/index.html``."""
    relative = url_path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative


def write_site(site: Site, out: str | os.PathLike) -> list[str]:
    """Write every resource of ``site`` under ``out``, replacing it whole. Returns the files."""
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    written = []
    try:
        for url_path, resource in sorted(site.resources.items()):
            relative = file_path(url_path)
            dest = staging / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(resource.body)
            written.append(relative)
        for name, text in static_host_config(site).items():
            (staging / name).write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def static_host_config(site: Site) -> dict[str, str]:
    """Header rules for static hosts; filled in by :mod:`feeds.hosting` when present."""
    try:
        from . import hosting
    except ImportError:  # pragma: no cover
        return {}
    return hosting.files_for(site)


def _swap(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``: rename the old one aside, the new one in, then delete."""
    old = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
