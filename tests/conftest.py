"""Shared test setup: every test runs against its own settings, never the user's data/ folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="write tests/golden/<case>.actual.json with what the pipeline produced "
                          "(for inspection; the run still fails, gold is never rewritten silently)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")
    config.addinivalue_line("markers", "postgres: needs CONFLICTMAP_TEST_PG_URL")


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh SQLite file per test unless the test sets CONFLICTMAP_DB_URL itself."""
    if "CONFLICTMAP_DB_URL" not in os.environ or os.environ.get("CONFLICTMAP_DB_URL", "").endswith("data/conflictmap.sqlite"):
        monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'test.sqlite'}")


# --- network guard (tests/netguard.py; geocoder chain, issue 8 "Offline") --------------------------
# Every test fails if it connects to anything but loopback or looks up a host name in DNS, even
# when the code under test swallows the error (the geocoder chain does, by design).
from collections.abc import Iterator  # noqa: E402

from netguard import NetworkRecorder, guard_network  # noqa: E402


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkRecorder]:
    yield from guard_network(monkeypatch)
# --- end network guard ----------------------------------------------------------------------------
