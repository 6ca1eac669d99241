"""``feeds build`` when the file system fails: one line naming the path and the fix, no traceback.

The failures are simulated by monkeypatching: the tests run as root, whom a read-only mode
(chmod) does not stop, and no tmpfs can be mounted here to fill or remount read-only.
"""

from __future__ import annotations

import builtins
import errno
import os
import tempfile

import pytest

from feeds import cli
from feeds.export import writer as export


def build(out, events) -> int:
    return cli.main(["build", str(out), "--events", str(events)])


def snapshot(out) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture
def exported(bundled_dir, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(out, bundled_dir) == 0
    capsys.readouterr()
    return out, os.readlink(out), snapshot(out)


def assert_untouched(out, link, files):
    assert os.readlink(out) == link and snapshot(out) == files
    assert not [p for p in export.builds_folder(out).iterdir() if p.name.startswith(".tmp-")]


def test_a_full_disk_partway_through_is_one_line_and_the_old_export_stays(
    exported, bundled_dir, monkeypatch, capsys
):
    out, link, files = exported
    real_open, calls = builtins.open, []

    def filling(path, mode="r", *args, **kwargs):
        if "w" in mode and ".tmp-" in str(path):
            calls.append(path)
            if len(calls) > 3:  # a few files fit, then the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", filling)
    assert build(out, bundled_dir) == 1
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(
        f"{calls[-1]}: no space left on the device; free some space or export to another disk"
    )
    assert f"(the export {out} was left as it was)" in err
    assert_untouched(out, link, files)


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.EROFS, "the file system is read-only; export to a writable folder"),
        (errno.EACCES, "permission denied; export to a folder you may write"),
        (errno.EDQUOT, "the disk quota is exceeded; free some space"),
        (errno.ENAMETOOLONG, "the path is too long; export to a folder with a shorter path"),
    ],
)
def test_a_folder_that_cannot_be_written_is_one_line_with_the_fix(
    exported, bundled_dir, monkeypatch, capsys, code, advice
):
    out, link, files = exported
    builds = export.builds_folder(out)

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(builds))

    monkeypatch.setattr(tempfile, "mkdtemp", refused)  # the staging folder cannot be made
    assert build(out, bundled_dir) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{builds}: {advice}") and err.count("\n") == 1
    assert_untouched(out, link, files)


def test_write_site_raises_an_export_error_for_a_failing_write(live_site, tmp_path, monkeypatch):
    monkeypatch.setattr(
        os,
        "utime",
        lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")),
    )
    with pytest.raises(export.ExportError, match="no space left on the device"):
        export.write_site(live_site, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    assert not [
        p for p in export.builds_folder(tmp_path / "fresh").iterdir() if p.name.startswith(".tmp-")
    ]


@pytest.fixture
def live_site(bundled_dir):
    from feeds.serve.store import Store
    from tests.conftest import make_settings

    return Store(make_settings(bundled_dir)).site
