"""Datasets: ACLED / UCDP imports map every field, report bad rows, survive kill -9; exports are
safe to open in a spreadsheet and round-trip."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from conflictmap import store as store_mod
from conflictmap.datasets import ACLED_COLUMNS, export_events, import_acled, import_ucdp
from conflictmap.errors import DatasetError
from conflictmap.store import Store

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("CONFLICTMAP_TEST_PG_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if not PG_URL:
        pytest.skip("CONFLICTMAP_TEST_PG_URL not set (run .ci/postgres.sh)")
    engine = sa.create_engine(PG_URL)
    store_mod.metadata.drop_all(engine)
    engine.dispose()
    return PG_URL


@pytest.fixture
def store(db_url: str):
    s = Store(db_url)
    yield s
    s.close()


def acled_row(**overrides: str) -> dict[str, str]:
    row = {
        "event_id_cnty": "SYR1", "event_date": "2022-02-03", "year": "2022", "time_precision": "1",
        "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
        "actor1": "Military Forces of the United States (2021-)", "assoc_actor_1": "",
        "inter1": "8", "actor2": "Islamic State (Syria)", "assoc_actor_2": "", "inter2": "2",
        "interaction": "28", "civilian_targeting": "", "iso": "760", "region": "Middle East",
        "country": "Syria", "admin1": "Idlib", "admin2": "Harim", "admin3": "Dana", "location": "Atmeh",
        "latitude": "36.3237", "longitude": "36.6579", "geo_precision": "1",
        "source": "Sveriges Radio; Reuters", "source_scale": "International",
        "notes": "On 3 February 2022, US forces raided a house in Atmeh.", "fatalities": "13",
        "tags": "", "timestamp": "1644000000",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",",
              columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------------- ACLED
def test_acled_row_maps_onto_our_event(store: Store, tmp_path: Path) -> None:
    report = import_acled(store, write_csv(tmp_path / "acled.csv", [acled_row()]))
    assert (report.imported, report.skipped, report.problems) == (1, 0, [])
    ev = store.get_event("SYR1")
    assert ev.event_date.isoformat() == "2022-02-03"
    assert (ev.event_type, ev.sub_event_type, ev.disorder_type) == ("Battles", "Armed clash",
                                                                  "Political violence")
    assert (ev.actor1, ev.actor2) == ("Military Forces of the United States (2021-)",
                                      "Islamic State (Syria)")
    assert ev.actors == ["Military Forces of the United States (2021-)", "Islamic State (Syria)"]
    assert (ev.inter1, ev.inter2, ev.interaction) == (8, 2, 28)
    assert (ev.country, ev.iso, ev.admin1, ev.location) == ("Syria", "SY", "Idlib", "Atmeh")
    assert (ev.lat, ev.lon, ev.geo_precision, ev.time_precision) == (36.3237, 36.6579, 1, 1)
    assert (ev.fatalities, ev.source) == (13, "Sveriges Radio; Reuters")
    assert ev.notes.startswith("On 3 February 2022")


def test_older_acled_exports_with_semicolons_labels_and_extra_columns(store: Store, tmp_path: Path) -> None:
    old = acled_row(event_date="03 February 2022", inter1="External/Other forces", inter2="Rebel group",
                    interaction="External/Other forces-Rebel group", disorder_type="",
                    event_type="Protests", sub_event_type="Excessive force against protestors",
                    assoc_actor_1="Civilians (Syria); Journalists (Syria)")
    old.update({"data_id": "123", "event_id_no_cnty": "1", "iso3": "SYR"})
    columns = ["data_id", "iso", "event_id_cnty", "event_id_no_cnty", *[c for c in old if c not in
               ("data_id", "iso", "event_id_cnty", "event_id_no_cnty")]]
    path = write_csv(tmp_path / "old.csv", [old], delimiter=";", columns=columns)
    report = import_acled(store, path)
    assert report.imported == 1, report.problems
    ev = store.get_event("SYR1")
    assert ev.event_date.isoformat() == "2022-02-03"
    assert (ev.inter1, ev.inter2, ev.interaction) == (8, 2, 28)
    assert ev.disorder_type == "Demonstrations"
    assert ev.sub_event_type == "Excessive force against protesters"
    assert ev.actors == ["Military Forces of the United States (2021-)", "Civilians (Syria)",
                         "Journalists (Syria)", "Islamic State (Syria)"]


BAD_ROWS = [
    ({"latitude": "200"}, "latitude 200 is outside -90..90"),
    ({"longitude": "east"}, "longitude 'east' is not a number"),
    ({"latitude": ""}, "latitude '' is not a number"),
    ({"event_date": "2022-13-45"}, "event_date '2022-13-45' is not a date"),
    ({"event_date": ""}, "missing event_date"),
    ({"fatalities": "many"}, "fatalities 'many' is not a whole number"),
    ({"fatalities": "-3"}, "fatalities '-3' is not a whole number"),
    ({"fatalities": "2.5"}, "fatalities '2.5' is not a whole number"),
    ({"event_type": "Alien invasion"}, "unknown event_type 'Alien invasion'"),
    ({"sub_event_type": "Peaceful protest"}, "is not a sub-type of 'Battles'"),
    ({"event_id_cnty": ""}, "missing event_id_cnty"),
    ({"event_id_cnty": "SYR1"}, "duplicate event_id_cnty"),
    ({"actor1": ""}, "missing actor1"),
    ({"time_precision": "9"}, "time_precision '9' is not 1, 2 or 3"),
]


@pytest.mark.parametrize("overrides, reason", BAD_ROWS)
def test_bad_acled_rows_are_reported_and_the_rest_imported(store: Store, tmp_path: Path,
                                                           overrides: dict[str, str], reason: str) -> None:
    rows = [acled_row(), acled_row(event_id_cnty="SYR2", **{k: v for k, v in overrides.items()
                                                            if k != "event_id_cnty"}),
            acled_row(event_id_cnty="SYR3")]
    if "event_id_cnty" in overrides:
        rows[1]["event_id_cnty"] = overrides["event_id_cnty"]
    report = import_acled(store, write_csv(tmp_path / "bad.csv", rows))
    assert (report.imported, report.skipped) == (2, 1)
    assert len(report.problems) == 1
    assert report.problems[0].startswith("row 3")  # the header is row 1
    assert reason in report.problems[0]
    assert store.counts()["events"] == 2


def test_reimport_is_idempotent_and_keeps_corrections(store: Store, tmp_path: Path) -> None:
    rows = [acled_row(event_id_cnty=f"SYR{i}") for i in range(1, 6)]
    path = write_csv(tmp_path / "a.csv", rows)
    assert import_acled(store, path).imported == 5
    version = store.data_version()
    again = import_acled(store, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 5)
    assert store.data_version() == version
    store.update_event("SYR1", {"fatalities": 1}, user="anna")
    rows[0]["fatalities"] = rows[1]["fatalities"] = "99"  # ACLED revised two rows
    changed = import_acled(store, write_csv(tmp_path / "b.csv", rows))
    assert (changed.imported, changed.updated, changed.unchanged, changed.skipped) == (0, 1, 3, 1)
    assert store.get_event("SYR1").fatalities == 1
    assert store.get_event("SYR2").fatalities == 99
    assert store.counts()["events"] == 5


def test_progress_gets_rows_done(store: Store, tmp_path: Path) -> None:
    rows = [acled_row(event_id_cnty=f"SYR{i}") for i in range(25)]
    seen: list[int] = []
    pairs: list[tuple[int, int]] = []
    import_acled(store, write_csv(tmp_path / "a.csv", rows), progress=seen.append, batch_rows=10)
    import_acled(store, write_csv(tmp_path / "a.csv", rows), progress=lambda d, t: pairs.append((d, t)),
                 batch_rows=10)
    assert seen[-1] == 25 and seen[:3] == [10, 20, 25]
    assert pairs[-1] == (25, 25)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    (b"PK\x03\x04zipzipzip", "binary"),
    (b"hello world, this is prose\nnot a csv", "missing required column"),
    (b"event_id_cnty,event_date\nSYR1,2022-02-03\n", r"not an ACLED CSV: missing required column\(s\) event_type"),
    (",".join(ACLED_COLUMNS).encode() + b"\n", "no data rows"),
    (b"just one line without separators", "no ',', ';' or tab"),
])
def test_files_that_are_not_acled_csv_raise_one_line_errors(store: Store, tmp_path: Path,
                                                            content: bytes, message: str) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message) as info:
        import_acled(store, path)
    assert str(info.value).startswith("upload.csv: ") and "\n" not in str(info.value)
    assert store.counts()["events"] == 0


def test_missing_file_and_folder(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="nope.csv: file not found"):
        import_acled(store, tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="is a folder"):
        import_acled(store, tmp_path)


def test_ucdp_file_given_to_the_acled_importer(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ged.csv", [ucdp_row()])
    with pytest.raises(DatasetError, match="ged.csv: not an ACLED CSV: missing required"):
        import_acled(store, path)


def test_latin1_and_utf16_exports_are_read(store: Store, tmp_path: Path) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(acled_row()))
    writer.writeheader()
    writer.writerow(acled_row(location="Hälsingborg", notes="Ström"))
    (tmp_path / "latin1.csv").write_bytes(text.getvalue().encode("cp1252"))
    assert import_acled(store, tmp_path / "latin1.csv").imported == 1
    assert store.get_event("SYR1").location == "Hälsingborg"
    (tmp_path / "utf16.csv").write_bytes(text.getvalue().replace("SYR1", "SYR2").encode("utf-16"))
    assert import_acled(store, tmp_path / "utf16.csv").imported == 1
    assert store.get_event("SYR2").notes == "Ström"


def test_ragged_rows_are_reported_not_fatal(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [acled_row(), acled_row(event_id_cnty="SYR2")])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("SYR3," + ",".join(["x"] * 40) + "\n")
    report = import_acled(store, path)
    assert report.imported == 2
    assert any("malformed" in p or "row" in p for p in report.problems)


# --------------------------------------------------------------------------------- UCDP
def ucdp_row(**overrides: str) -> dict[str, str]:
    row = {
        "id": "244657", "year": "2017", "type_of_violence": "1", "conflict_name": "Syria: Government",
        "dyad_name": "Government of Syria - IS", "side_a": "Government of Syria", "side_b": "IS",
        "source_article": "Reuters 2017-03-02", "source_headline": "Air strikes hit Raqqa",
        "where_prec": "4", "where_coordinates": "Ar Raqqah governorate",
        "where_description": "Raqqa province", "adm_1": "Ar Raqqah governorate", "adm_2": "",
        "latitude": "35.95", "longitude": "39.01", "country": "Syria", "country_id": "652",
        "region": "Middle East", "event_clarity": "1", "date_prec": "3", "date_start": "2017-03-01",
        "date_end": "2017-03-07", "deaths_a": "0", "deaths_b": "12", "deaths_civilians": "3",
        "deaths_unknown": "0", "best": "15", "high": "20", "low": "12",
    }
    row.update(overrides)
    return row


def test_ucdp_row_maps_onto_our_event(store: Store, tmp_path: Path) -> None:
    rows = [ucdp_row(),
            ucdp_row(id="2", type_of_violence="3", side_a="IS", side_b="Civilians", where_prec="1",
                     date_prec="1", country="DR Congo (Zaire)", best="4", low="", high=""),
            ucdp_row(id="3", type_of_violence="2", side_a="SDF", side_b="IS", where_prec="2",
                     date_prec="5", best="0")]
    report = import_ucdp(store, write_csv(tmp_path / "ged.csv", rows))
    assert (report.imported, report.problems) == (3, [])
    state = store.get_event("ucdp-244657")
    assert (state.event_type, state.sub_event_type) == ("Battles", "Armed clash")
    assert (state.actor1, state.actor2, state.actors) == ("Government of Syria", "IS",
                                                          ["Government of Syria", "IS"])
    assert (state.inter1, state.inter2, state.interaction) == (1, 2, 12)
    assert state.fatalities == 15
    assert "best 15, low 12, high 20" in state.notes
    assert (state.geo_precision, state.time_precision) == (3, 2)  # ADM1 centroid; within a week
    assert (state.country, state.iso, state.admin1) == ("Syria", "SY", "Ar Raqqah governorate")
    assert state.event_date.isoformat() == "2017-03-01"
    one_sided = store.get_event("ucdp-2")
    assert (one_sided.event_type, one_sided.sub_event_type, one_sided.civilian_targeting) == (
        "Violence against civilians", "Attack", "Civilian targeting")
    assert (one_sided.geo_precision, one_sided.time_precision, one_sided.inter2) == (1, 1, 7)
    assert (one_sided.country, one_sided.iso) == ("DR Congo", "CD")
    non_state = store.get_event("ucdp-3")
    assert (non_state.geo_precision, non_state.time_precision, non_state.fatalities) == (2, 3, 0)


@pytest.mark.parametrize("overrides, reason", [
    ({"latitude": "200"}, "latitude 200 is outside"),
    ({"date_start": "2017-02-30"}, "is not a date"),
    ({"best": "lots"}, "best 'lots' is not a whole number"),
    ({"type_of_violence": "4"}, "type_of_violence '4' is not 1, 2 or 3"),
    ({"id": "244657"}, "duplicate id"),
])
def test_bad_ucdp_rows_are_reported(store: Store, tmp_path: Path, overrides, reason) -> None:
    second = ucdp_row(id="9", **{k: v for k, v in overrides.items() if k != "id"})
    if "id" in overrides:
        second["id"] = overrides["id"]
    report = import_ucdp(store, write_csv(tmp_path / "ged.csv", [ucdp_row(), second]))
    assert report.imported == 1 and report.skipped == 1
    assert report.problems[0].startswith("row 3") and reason in report.problems[0]


# --------------------------------------------------------------------------------- export
def imported_frame(store: Store, tmp_path: Path) -> pd.DataFrame:
    rows = [acled_row(),
            acled_row(event_id_cnty="GBR1", country="United Kingdom", iso="826", location="Leeds",
                      latitude="53.8", longitude="-1.55", notes="=HYPERLINK(\"http://evil\")",
                      actor1="@attacker", fatalities="0"),
            acled_row(event_id_cnty="SWE1", country="Sweden", iso="752", location="Malmö",
                      latitude="55.6", longitude="13.0", notes="Skottlossning i Malmö, två döda")]
    import_acled(store, write_csv(tmp_path / "e.csv", rows))
    frame = store.events_frame()
    assert len(frame) == 3
    return frame


def test_csv_export_has_acled_columns_and_neutralises_formulas(store: Store, tmp_path: Path) -> None:
    data = export_events(imported_frame(store, tmp_path), "csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert table[0][:31] == list(ACLED_COLUMNS)
    rows = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    leeds = rows["GBR1"]
    assert leeds["notes"].startswith("'=HYPERLINK")
    assert leeds["actor1"] == "'@attacker"
    assert leeds["longitude"] == "-1.55"  # numbers are not formulas
    assert (leeds["iso"], leeds["country_code"]) == ("826", "GB")
    assert rows["SWE1"]["notes"] == "Skottlossning i Malmö, två döda"
    assert rows["SYR1"]["event_date"] == "2022-02-03" and rows["SYR1"]["year"] == "2022"


def test_csv_export_imports_back_to_the_same_events(store: Store, tmp_path: Path, db_url: str) -> None:
    frame = imported_frame(store, tmp_path)
    out = tmp_path / "export.csv"
    out.write_bytes(export_events(frame, "csv"))
    other = Store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    report = import_acled(other, out)
    assert report.imported == 3, report.problems
    again = other.events_frame().set_index("event_id")
    before = frame.set_index("event_id")
    for col in ("event_date", "event_type", "location", "lat", "lon", "fatalities", "iso", "actors"):
        assert again[col].astype(str).to_dict() == before[col].astype(str).to_dict(), col


def test_geojson_leaves_out_events_without_coordinates(store: Store, tmp_path: Path) -> None:
    frame = imported_frame(store, tmp_path).reset_index(drop=True)
    frame["lat"] = frame["lat"].where(frame["event_id"] != "SWE1")
    doc = json.loads(export_events(frame, "geojson"))
    assert doc["type"] == "FeatureCollection"
    ids = {f["properties"]["event_id"] for f in doc["features"]}
    assert ids == {"SYR1", "GBR1"}
    leeds = next(f for f in doc["features"] if f["id"] == "GBR1")
    assert leeds["geometry"] == {"type": "Point", "coordinates": [-1.55, 53.8]}
    assert leeds["properties"]["notes"] == "=HYPERLINK(\"http://evil\")"  # JSON is data, not a sheet


def test_json_export_is_our_event_records(store: Store, tmp_path: Path) -> None:
    records = json.loads(export_events(imported_frame(store, tmp_path), "json"))
    syr = next(r for r in records if r["event_id"] == "SYR1")
    assert syr["event_date"] == "2022-02-03"
    assert syr["actors"] == ["Military Forces of the United States (2021-)", "Islamic State (Syria)"]
    assert syr["fatalities"] == 13 and syr["evidence_start"] is None
    with pytest.raises(ValueError, match="unknown export format"):
        export_events(pd.DataFrame(), "xml")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- crash safety
CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from conflictmap.store import Store
    from conflictmap.datasets import import_acled

    def tell(done):
        print(done, flush=True)

    report = import_acled(Store(sys.argv[1]), Path(sys.argv[2]), progress=tell, batch_rows=1000)
    print("done", report.imported, flush=True)
""")


def test_kill_9_during_import_leaves_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_acled import generate
    finally:
        sys.path.pop(0)
    csv_path = tmp_path / "acled.csv"
    generate(12_000, seed=3).to_csv(csv_path, index=False)
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(script), url, str(csv_path)], stdout=subprocess.PIPE,
                             text=True, env=env)
    assert child.stdout is not None
    for _ in range(3):  # three batches committed: kill it while it works on the fourth
        assert child.stdout.readline().strip().isdigit()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    store = Store(url)
    stored = store.counts()["events"]
    assert stored % 1000 == 0 and 3000 <= stored < 12_000, stored
    frame = store.events_frame()
    assert frame["event_id"].is_unique and frame["notes"].str.len().min() > 0
    report = import_acled(store, csv_path)
    assert report.imported == 12_000 - stored and report.unchanged == stored
    assert store.counts()["events"] == 12_000


def test_a_duplicate_id_in_a_later_batch_is_still_reported(store: Store, tmp_path: Path) -> None:
    rows = [acled_row(event_id_cnty=f"SYR{i}") for i in range(5)] + [acled_row(event_id_cnty="SYR1",
                                                                             fatalities="7")]
    report = import_acled(store, write_csv(tmp_path / "a.csv", rows), batch_rows=2)
    assert (report.imported, report.updated, report.skipped) == (5, 0, 1)
    assert report.problems == ["row 7 (SYR1): duplicate event_id_cnty (an earlier row has the same id)"]
    assert store.get_event("SYR1").fatalities == 13
