"""Hostile content in exports: events whose text fields carry formulas and markup in → safe files out.

CSV cells that a spreadsheet would run (leading = + - @, tab, CR) are neutralised in every text
column; JSON/GeoJSON keep the text literally (escaping is the display's job) and links stay http(s).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from hostile import BAD_URLS, FORMULA_CELLS, XSS_PAYLOADS


def _hostile_store(payload: str):
    from conflictmap.models import Article, Event, Extraction
    from conflictmap.store import Store

    store = Store()
    article = Article(title=payload, body=f"Clashes in Aleppo. {payload}", date=date(2022, 2, 3), language="en",
                      source=payload, url="https://example.org/a")
    event = Event(event_date=date(2022, 2, 3), time_precision=1, event_type="Battles",
                  sub_event_type="Armed clash", actor1=payload, actor2=payload, location=payload, lat=36.2,
                  lon=37.15, geo_precision=1, evidence=payload, notes=payload, source=payload,
                  article_id=article.id, country="Syria", iso="SY", fatalities=2, actors=[payload])
    store.save_extraction(Extraction(article=article, places=(), events=(event,)))
    return store


@pytest.mark.parametrize("payload", FORMULA_CELLS)
def test_csv_export_neutralises_formula_cells_in_every_text_column(payload: str) -> None:
    from conflictmap.datasets import export_events

    frame = _hostile_store(payload).events_frame()
    rows = list(csv.DictReader(io.StringIO(export_events(frame, "csv").decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    for column, cell in rows[0].items():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip("-").replace(".", "").isdigit(), \
            f"{column} would run as a formula: {cell!r}"
    assert any(payload.strip() in cell for cell in rows[0].values())  # kept, only defused


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_json_export_keeps_hostile_text_literally(payload: str) -> None:
    from conflictmap.datasets import export_events

    frame = _hostile_store(payload).events_frame()
    records = json.loads(export_events(frame, "json"))
    assert records[0]["actor1"] == payload and records[0]["notes"] == payload
    features = json.loads(export_events(frame, "geojson"))["features"]
    assert features[0]["properties"]["location"] == payload


@pytest.mark.parametrize("url", BAD_URLS)
def test_stored_source_urls_are_only_http(url: str) -> None:
    from conflictmap.datasets import export_events
    from conflictmap.models import Article, Event, Extraction
    from conflictmap.store import Store

    store = Store()
    article = Article(title="t", body="Clashes in Aleppo.", url=None)
    event = Event(event_date=None, time_precision=1, event_type="Battles", sub_event_type="Armed clash",
                  actor1="a", location="Aleppo", lat=36.2, lon=37.15, geo_precision=1, evidence="e",
                  source_url=url, article_id=article.id)
    store.save_extraction(Extraction(article=article, places=(), events=(event,)))
    exported = json.loads(export_events(store.events_frame(), "json"))[0]
    assert exported.get("source_url", "") in ("", None) or exported["source_url"].startswith(("http://", "https://"))
