"""Shared test settings: hypothesis profiles sized for a 2-core machine, and the session
fixtures that build the book once, serve it from 127.0.0.1 and drive it in Debian's
chromium (used by test_site.py and test_answer_boxes.py)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=400, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BPNOTES_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Build the whole book from scratch into a temporary folder; fail on any warning."""
    out = tmp_path_factory.mktemp("book")
    cmd = [
        shutil.which("jupyter-book") or "jupyter-book",
        "build",
        str(ROOT),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"book build failed:\n{log[-8000:]}"
    (out / "build.log").write_text(log)  # tests read it (no noise in the build log)
    html = out / "_build" / "html"
    assert (html / "book" / "intro.html").exists()
    return html


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Debian's chromium is required at {CHROMIUM}"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Tests of the built site share one book build (a session fixture): every test that uses
    it is marked ``book`` and, for pytest-xdist's ``--dist loadgroup``, grouped on one worker."""
    shared = {"site", "server", "browser"}
    for item in items:
        if item.get_closest_marker("book") or shared & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)
            item.add_marker(pytest.mark.xdist_group("book"))
