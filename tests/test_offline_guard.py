"""Offline means offline: the default geocoder and `extract --offline` open no network socket.

The guard (tests/netguard.py) is tested first, so a guard that silently stopped working would
fail here rather than let every offline test pass vacuously.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fake_nominatim import FakeNominatim
from netguard import NetworkBlocked, NetworkRecorder, guarded_env, no_network, pipeline_ready  # noqa: F401

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED_ARTICLE = PROJECT_DIR / "data" / "articles" / "atme-raid-2022-02-03.sv.md"
# TEST-NET-1 (RFC 5737): never routed, so even a broken guard could not reach a real host.
UNROUTABLE = "192.0.2.1"

# Settings that would send lookups to a remote Nominatim if anything ignored --offline.
ONLINE_ENV = {
    "CONFLICTMAP_GEOCODER": "nominatim",
    "CONFLICTMAP_GEOCODER_URL": f"http://{UNROUTABLE}:8080",
    "CONFLICTMAP_USER_AGENT": "conflictmap-tests/0.1",
    "CONFLICTMAP_GEOCODER_TIMEOUT": "1",
    "CONFLICTMAP_GEOCODER_RETRIES": "0",
    "CONFLICTMAP_ALLOW_NETWORK": "1",
}

needs_offline_geocoder = pytest.mark.skipif(
    importlib.util.find_spec("conflictmap.geocode.offline") is None,
    reason="conflictmap.geocode.offline (OfflineGeocoder) is not written yet",
)
needs_pipeline = pytest.mark.skipif(
    not pipeline_ready(), reason="the extract pipeline (geoparse, geocode, events) is not complete yet")


# --- the guard itself --------------------------------------------------------------------------

def test_the_guard_blocks_and_records_remote_connections_and_dns(
        monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = NetworkRecorder()
    recorder.install(monkeypatch)

    with pytest.raises(NetworkBlocked):
        socket.create_connection((UNROUTABLE, 80), timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("nominatim.openstreetmap.org", 443)
    with pytest.raises(NetworkBlocked):
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).connect(("2001:db8::1", 80, 0, 0))

    assert len(recorder.attempts) == 3
    assert "nominatim.openstreetmap.org" in recorder.attempts[1]

    # Resolving an IP literal sends nothing (SSRF checks do it), connecting to it is what counts.
    assert socket.getaddrinfo(UNROUTABLE, 80)
    assert len(recorder.attempts) == 3


def test_the_guard_lets_loopback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = NetworkRecorder()
    recorder.install(monkeypatch)
    with FakeNominatim() as fake:
        host_port = fake.url.removeprefix("http://").split(":")
        with socket.create_connection((host_port[0], int(host_port[1])), timeout=2):
            pass
        with socket.create_connection(("localhost", int(host_port[1])), timeout=2):
            pass
    assert recorder.attempts == []


def test_the_subprocess_guard_blocks_and_logs(tmp_path: Path) -> None:
    env, log = guarded_env(tmp_path)
    code = (f"import socket\n"
            f"try:\n    socket.create_connection(({UNROUTABLE!r}, 80), timeout=1)\n"
            f"except OSError as err:\n    print('blocked:', err)\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert "blocked: network access blocked in tests" in result.stdout, result.stderr
    assert UNROUTABLE in log.read_text(encoding="utf-8")


# --- the product -------------------------------------------------------------------------------

@needs_offline_geocoder
@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("names", [["Aleppo", "Syrien", "Atme", "Xyzzyville Nowhere"]])
def test_offline_geocoder_opens_no_socket_whatever_the_settings(
        monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    from conflictmap.geocode.chain import build_geocoder

    for name, value in ONLINE_ENV.items():
        monkeypatch.setenv(name, value)
    geocoder = build_geocoder(offline=True)
    answers = {name: geocoder.geocode(name, country_hint="SY") for name in names}

    assert answers["Aleppo"], "the bundled gazetteer should know Aleppo"
    assert answers["Xyzzyville Nowhere"] == []


@needs_offline_geocoder
@pytest.mark.usefixtures("no_network")
def test_default_settings_geocode_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictmap.geocode.chain import build_geocoder

    for name in ONLINE_ENV:
        monkeypatch.delenv(name, raising=False)
    geocoder = build_geocoder(offline=False)  # even when the caller would allow online
    assert geocoder.geocode("Xyzzyville Nowhere") == []
    assert geocoder.geocode("Aleppo")


def _run_cli(args: list[str], tmp_path: Path, extra_env: dict[str, str]) -> tuple[
        subprocess.CompletedProcess[str], Path]:
    env, log = guarded_env(tmp_path)
    env.update(extra_env)
    env["CONFLICTMAP_DB_URL"] = f"sqlite:///{tmp_path / 'guard.sqlite'}"
    result = subprocess.run([sys.executable, "-m", "conflictmap", *args], cwd=PROJECT_DIR,
                            env=env, capture_output=True, text=True, timeout=600)
    return result, log


@needs_pipeline
@pytest.mark.parametrize(
    ("flags", "extra_env"),
    [
        (["--offline"], ONLINE_ENV),  # --offline beats settings that ask for Nominatim
        ([], {}),  # the defaults are offline too
    ],
    ids=["offline-flag", "defaults"],
)
def test_cli_extract_opens_no_socket(tmp_path: Path, flags: list[str],
                                     extra_env: dict[str, str]) -> None:
    result, log = _run_cli(["extract", str(SEED_ARTICLE), "--json", *flags], tmp_path, extra_env)

    attempts = log.read_text(encoding="utf-8") if log.exists() else ""
    assert attempts == "", f"extract tried to use the network: {attempts}"
    assert result.returncode == 0, result.stderr[-2000:]
    places = {p["text"] for p in json.loads(result.stdout)["places"]}
    assert "Atme" in places
