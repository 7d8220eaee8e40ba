"""Shared fixtures. Names are specific on purpose: several test modules build on them.

- demo_db_file (session): path of a demo database built once; treat it as read-only (copy it to write).
- fresh_db (function): path of a new database after `init` (registries and reference data, no sample).
- demo_db (function): path of a private copy of the demo database, free to write.
- app_server (session): base URL of a real `streamlit run app.py` on a copy of the demo database.
- browser_page (function): a Playwright page in Debian's chromium at 1366×768.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]


def _build_db(path: Path, demo: bool) -> Path:
    from loaders.demo import load_sample
    from loaders.init_db import init_database
    from loaders.periods import Quarter
    from loaders.schema import connect

    with connect(path) as con:
        init_database(con)
        if demo:
            # A fixed last quarter keeps the tests' expectations stable whatever today's date is.
            load_sample(con, last=Quarter(2025, 3))
    return path


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    return _build_db(tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True)


@pytest.fixture(scope="session")
def _init_db_file(tmp_path_factory) -> Path:
    return _build_db(tmp_path_factory.mktemp("init") / "init.duckdb", demo=False)


@pytest.fixture
def fresh_db(_init_db_file, tmp_path) -> Path:
    target = tmp_path / "fresh.duckdb"
    shutil.copy(_init_db_file, target)
    return target


@pytest.fixture
def demo_db(demo_db_file, tmp_path) -> Path:
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_file, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(db: Path, script: str = "app.py", extra_env: dict | None = None):
    """Start `streamlit run` on a free port; returns (process, base_url) once /_stcore/health answers."""
    port = free_port()
    env = {**os.environ, "CCHC_DB": str(db), "CCHC_OPEN_READ": "1", **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not answer /_stcore/health within 60 s")


@pytest.fixture(scope="session")
def app_server(demo_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("server") / "app.duckdb"
    shutil.copy(demo_db_file, db)
    proc, url = start_streamlit(db)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def _browser():
    if not _browser_available():
        if os.environ.get("CCHC_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium or playwright is missing, and CI requires the browser tests")
        pytest.skip("Debian's chromium or playwright is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    context = _browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
