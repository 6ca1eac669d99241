"""The two ways a site reaches subscribers, each over its own git checkout of the
definitions: the live app (a :class:`~feeds.serve.store.Store` that reloads) and the
static export (``feeds build`` run after every push, served by a real nginx on
loopback with the shipped ``_nginx.conf``)."""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import subprocess
from pathlib import Path

import pytest

from feeds import cli
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests import nginx_support
from tests.conftest import make_settings

NGINX = nginx_support.NGINX
SITE = ("--public-url", "https://feeds.example.org", "--uid-domain", "feeds.example.org")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def checkout(folder: Path) -> Path:
    folder.mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    (folder / ".gitignore").write_text(".*.lock\n")  # as the project's own .gitignore
    return folder


def reload(store: Store) -> None:
    """Make the store take in what is on disk now (the one place that knows how)."""
    wait = getattr(store, "wait", None)  # a store that reloads in the background
    store.refresh()
    if callable(wait):
        wait()


class Live:
    """The Flask app over ``folder``; ``fetch`` is a GET through its test client."""

    def __init__(self, folder: Path):
        self.folder = checkout(folder)
        self.settings = make_settings(folder)
        self.store: Store | None = None
        self.client = None

    def deploy(self) -> None:
        if self.store is None:  # the first definition starts the server
            self.store = Store(self.settings, settle_seconds=0)
            self.client = create_app(self.settings, self.store).test_client()
        reload(self.store)

    def fetch(self, path: str, headers: dict[str, str]):
        response = self.client.get(path, headers=headers)
        return response.status_code, dict(response.headers), response.data


class Static:
    """``feeds build`` of ``folder`` into ``out``, served by nginx at ``port``."""

    def __init__(self, folder: Path, out: Path, run: Path):
        self.folder = checkout(folder)
        self.out = out
        self.nginx = Nginx(out, run)
        self.refusals: list[str] = []

    def _feeds(self, *args: str) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main([*args])
        return code, err.getvalue()

    def deploy(self) -> None:
        self._build()
        self.nginx.serve((self.out / "_nginx.conf").read_text())

    def _build(self) -> None:
        """Build; a build refused for a lost revisions file is fixed as its message says."""
        before = _export_bytes(self.out)
        code, err = self._feeds("build", str(self.out), "--events", str(self.folder), *SITE)
        if code == 0:
            return
        assert _export_bytes(self.out) == before, "a refused build changed the export"
        self.refusals.append(err)
        fix = f"feeds revise --floor {self.out}"
        if fix in err:  # the operator does what the message says, then builds again
            code, err = self._feeds("revise", "--floor", str(self.out), str(self.folder))
            assert code == 0, err
            code, err = self._feeds("build", str(self.out), "--events", str(self.folder), *SITE)
            assert code == 0, err

    def fetch(self, path: str, headers: dict[str, str]):
        conn = http.client.HTTPConnection("127.0.0.1", self.nginx.port, timeout=5)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


def _export_bytes(out: Path) -> dict[str, bytes]:
    if not out.exists():
        return {}
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.ics")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """A real nginx serving ``root`` on a loopback port with a copy of the export's
    ``_nginx.conf``; restarted when a build changes that snippet."""

    def __init__(self, root: Path, run: Path):
        if NGINX is None:
            pytest.skip(
                "NGINX IS NOT INSTALLED: the static-export subscribers did not run "
                "(install the Debian package nginx-light, or run scripts/system-deps.sh)"
            )
        self.root, self.run = root, run
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.snippet = ""
        run.mkdir(parents=True, exist_ok=True)

    def serve(self, snippet: str) -> None:
        if self.proc is not None and snippet == self.snippet:
            return
        self.stop()
        self.snippet = snippet
        run = self.run
        (run / "feeds.conf").write_text(snippet)
        server = f"""        root {self.root};
        include {run / "feeds.conf"};"""
        (run / "nginx.conf").write_text(nginx_support.config(run, self.port, server))
        self.proc = nginx_support.start(run, self.port)

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        nginx_support.stop(proc)
