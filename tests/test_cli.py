"""The command line as a user runs it: a real subprocess, JSON contract, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = PROJECT_DIR / "data" / "articles" / "atme-raid-2022-02-03.sv.md"

PLACE_KEYS = {"text", "start", "end", "name", "lat", "lon", "country_code", "feature", "source"}
EVENT_KEYS = {"date", "date_precision", "event_type", "sub_event_type", "actors", "location", "lat", "lon",
              "geo_precision", "country_code", "fatalities", "evidence"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conflictmap", *args], capture_output=True, text=True,
                          cwd=PROJECT_DIR, env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def seed_json() -> dict:
    result = run_cli("extract", str(SEED), "--json", "--offline")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_extract_json_has_the_documented_shape(seed_json: dict) -> None:
    assert seed_json["article"]["date"] == "2022-02-03"
    assert seed_json["article"]["language"] == "sv"
    assert seed_json["article"]["title"]
    assert seed_json["places"] and seed_json["events"]
    for place in seed_json["places"]:
        assert PLACE_KEYS <= place.keys()
    for event in seed_json["events"]:
        assert EVENT_KEYS <= event.keys()
        assert isinstance(event["actors"], list)


def test_place_offsets_are_exact_surface_forms_in_the_body(seed_json: dict) -> None:
    from conflictmap.ingest import read_article

    body = read_article(SEED).body
    for place in seed_json["places"]:
        assert body[place["start"]:place["end"]] == place["text"]


def test_several_files_give_json_lines_in_order_with_their_source(tmp_path: Path) -> None:
    second = tmp_path / "mosul.txt"
    second.write_text("At least three people were killed when a car bomb exploded in Mosul, Iraq, police said.")
    result = run_cli("extract", str(SEED), str(second), "--json", "--offline", "--date", "2023-05-14")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(SEED), str(second)]
    assert lines[1]["article"]["date"] == "2023-05-14"
    assert any(p["text"] == "Mosul" and p["country_code"] == "IQ" for p in lines[1]["places"])


def test_text_without_a_date_gives_undated_events(tmp_path: Path) -> None:
    article = tmp_path / "undated.txt"
    article.write_text("Gunmen attacked a village near Mopti in central Mali on Tuesday, killing at least 12 civilians.")
    result = run_cli("extract", str(article), "--json", "--offline")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["article"]["date"] is None
    assert all(event["date"] is None for event in data["events"])


def test_bad_files_get_one_line_each_and_the_good_ones_still_run(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    good = tmp_path / "good.txt"
    good.write_text("Clashes in Aleppo killed two fighters, activists said.")
    result = run_cli("extract", str(empty), str(binary), str(good), str(tmp_path / "missing.txt"), "--json", "--offline")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert errors == [
        f"conflictmap: error: {empty}: the file is empty",
        f"conflictmap: error: {binary}: this looks like a binary file, not text (it contains NUL bytes)",
        f"conflictmap: error: {tmp_path / 'missing.txt'}: no such file",
    ]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("error" in line) for line in lines] == [True, True, False, True]
    assert any(p["text"] == "Aleppo" for p in lines[2]["places"])


def test_usage_errors_are_one_line_without_traceback() -> None:
    result = run_cli("extract", str(SEED), "--date", "2022-13-45")
    assert result.returncode == 2
    assert "is not a date of the form YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_ingest_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    env = {"CONFLICTMAP_DB_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    first = run_cli("ingest", str(SEED.parent), "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("ingested 1 articles")
    second = run_cli("ingest", str(SEED.parent), "--quiet", env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("ingested 0 articles (0 events), 1 already present")
    exported = run_cli("export", "--format", "json", env=env)
    assert exported.returncode == 0, exported.stderr
    events = json.loads(exported.stdout)
    assert len(events) == len({e["event_id"] for e in events}) > 0


def test_gazetteer_download_offline_says_how_to_do_it_by_hand() -> None:
    result = run_cli("gazetteer", "download", "SY", env={"CONFLICTMAP_ALLOW_NETWORK": "0"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "conflictmap: error: gazetteer download needs the network: set CONFLICTMAP_ALLOW_NETWORK=1, or fetch "
        "https://download.geonames.org/export/dump/SY.zip yourself, unzip it and run "
        "`python -m conflictmap gazetteer import SY.txt`"]
    bad = run_cli("gazetteer", "download", "Syria")
    assert bad.returncode == 1 and "not a two-letter country code" in bad.stderr
