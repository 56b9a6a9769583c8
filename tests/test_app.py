"""The Streamlit app through AppTest: every page runs, filters change what is shown, the URL restores
a view, review corrections reach the store, articles can be added, hostile text stays text.

Each test gets its own SQLite file (conftest sets CONFLICTMAP_DB_URL) filled by code.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conflictmap.models import Article, Candidate, Event, Extraction, Mention, Place
from conflictmap.store import Store

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = PROJECT_DIR / "app.py"
PAGES = sorted((PROJECT_DIR / "pages").glob("*.py"))
TIMEOUT = 30

HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(2)) <script>alert(3)</script> $x$ **b**"

SEED_BODY = (
    "Minst fem amerikanska helikoptrar attackerade tidigt på torsdagsmorgonen ett hus i Atme. "
    "Minst 13 personer dödades. En helikopter nödlandade nära Afrin. "
    "IS attackerade fängelset i al-Hasakah i januari."
)
HOSTILE_BODY = f"Protesters gathered in Kyiv and Xyzville. {HOSTILE}"

ATME = Candidate("sup:atme", "Atme", 36.32, 36.66, "SY", "village", admin1="Idlib", source="supplement")
AFRIN = Candidate("gn:1", "Afrin", 36.51, 36.87, "SY", "city", admin1="Aleppo")
HASAKAH = Candidate("gn:2", "Al-Hasakah", 36.50, 40.75, "SY", "city", admin1="Al-Hasakah")
KYIV = Candidate("gn:3", "Kyiv", 50.45, 30.52, "UA", "city", admin1="Kyiv City")
ATME_ELSEWHERE = Candidate("gn:9", "Xyzville", 10.0, 10.0, "NG", "village", admin1="Kano")


def _place(body: str, text: str, cand: Candidate | None, alts: tuple[Candidate, ...] = ()) -> Place:
    start = body.index(text)
    return Place(Mention(text, start, start + len(text), candidates=alts), cand, confidence=0.9,
                 alternatives=alts)


def _event(article: Article, place: Place, **kw: object) -> Event:
    cand = place.candidate
    assert cand is not None
    values: dict[str, object] = dict(
        event_date=date(2022, 2, 3), time_precision=1, event_type="Battles",
        sub_event_type="Armed clash", actor1="Military Forces of the United States",
        location=cand.name, lat=cand.lat, lon=cand.lon, geo_precision=1,
        evidence=article.body[:90], country="Syria", iso=cand.country_code, admin1=cand.admin1,
        fatalities=0, source="Test Radio", article_id=article.id, confidence=0.9,
        actors=["Military Forces of the United States"],
    )
    values.update(kw)
    return Event(**values)  # type: ignore[arg-type]


def _fill(store: Store) -> dict[str, str]:
    """Two articles, four events; returns event ids by short name."""
    seed = Article(title="Amerikansk räd i Atme", body=SEED_BODY, date=date(2022, 2, 3),
                   language="sv", source="Test Radio")
    atme, afrin, hasakah = (_place(SEED_BODY, t, c) for t, c in
                            (("Atme", ATME), ("Afrin", AFRIN), ("al-Hasakah", HASAKAH)))
    e_atme = _event(seed, atme, fatalities=13, evidence=SEED_BODY[:120],
                    actors=["Military Forces of the United States", "Islamic State"],
                    actor2="Islamic State")
    e_afrin = _event(seed, afrin, event_type="Strategic developments", sub_event_type="Other",
                     fatalities=0, evidence="En helikopter nödlandade nära Afrin.")
    e_hasakah = _event(seed, hasakah, event_date=date(2022, 1, 20), actor1="Islamic State",
                       actors=["Islamic State", "SDF"], actor2="SDF", fatalities=100,
                       evidence="IS attackerade fängelset i al-Hasakah i januari.")
    store.save_extraction(Extraction(seed, (atme, afrin, hasakah), (e_atme, e_afrin, e_hasakah)))

    hostile = Article(title=f"Evil {HOSTILE}", body=HOSTILE_BODY, date=date(2022, 3, 1),
                      language="en", source="Evil Times")
    kyiv = _place(HOSTILE_BODY, "Kyiv", KYIV)
    xyz = _place(HOSTILE_BODY, "Xyzville", None, alts=(ATME_ELSEWHERE,))
    e_kyiv = _event(hostile, kyiv, event_date=date(2022, 3, 1), event_type="Protests",
                    sub_event_type="Peaceful protest", actor1="Protesters (Ukraine)",
                    actors=["Protesters (Ukraine)"], country="Ukraine", fatalities=0,
                    evidence=HOSTILE, notes=HOSTILE, source="Evil Times", confidence=0.3,
                    location=HOSTILE[:40])
    store.save_extraction(Extraction(hostile, (kyiv, xyz), (e_kyiv,)))
    return {"atme": e_atme.event_id, "afrin": e_afrin.event_id, "hasakah": e_hasakah.event_id,
            "kyiv": e_kyiv.event_id}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A filled fixture database; the app must not ingest sample articles into it."""
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    monkeypatch.setenv("CONFLICTMAP_ARTICLES_DIR", str(tmp_path / "no-articles"))
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    monkeypatch.setenv("CONFLICTMAP_USER", "tester")
    return Store()


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    return _fill(store)


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _page(name: str) -> AppTest:
    at = _app()
    at.run()
    at.switch_page(f"pages/{name}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    """Everything the page shows as text elements (markdown, captions, text, titles)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    parts += [t.value for t in at.title] + [h.value for h in at.subheader]
    parts += [c.value for c in at.sidebar.caption]
    return "\n".join(parts)


def _map_event_ids(at: AppTest) -> set[str]:
    """Event ids in the map component's data (decoded from its payload)."""
    from conflictmap.mapview import decode_payload

    comps = [c for c in at.get("component_instance")
             if c.proto.component_name == "streamlit_folium.st_folium"]
    assert comps, "no map on the page"
    script = json.loads(comps[0].proto.json_args)["script"]
    blobs = re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", script)
    for blob in sorted(blobs, key=len, reverse=True):
        try:
            header, columns = decode_payload(blob)
        except Exception:  # noqa: BLE001 - other long tokens in the script are not payloads
            continue
        return set(header["ids"])
    raise AssertionError("no event payload in the map script")


# ---------------------------------------------------------------- smoke


@pytest.mark.parametrize("page", [None, *[p.name for p in PAGES]], ids=lambda p: p or "app.py")
def test_every_page_runs_without_exceptions(ids: dict[str, str], page: str | None) -> None:
    at = _app()
    at.run()
    if page:
        at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
    assert "4 of 4 events shown" in _texts(at)
    # The shared filters are on every page.
    assert at.sidebar.multiselect(key="flt_types") is not None


def test_map_page_shows_all_events_and_local_assets(ids: dict[str, str]) -> None:
    at = _app().run()
    comp = [c for c in at.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(comp) == 1
    args = json.loads(comp[0].proto.json_args)
    assert all(not link.startswith("http") for link in args["js_links"]), args["js_links"]
    assert _map_event_ids(at) == set(ids.values())


# ---------------------------------------------------------------- filters


def test_event_type_filter_changes_table_map_and_url(ids: dict[str, str]) -> None:
    at = _page("1_Events.py")
    assert len(at.dataframe[0].value) == 4
    at.sidebar.multiselect(key="flt_types").set_value(["Battles"]).run()
    table = at.dataframe[0].value
    assert sorted(table["event_id"]) == sorted([ids["atme"], ids["hasakah"]])
    assert "2 of 4 events shown" in _texts(at)
    from conflictmap.filters import EventFilter

    assert EventFilter.from_query_params(at.query_params) == EventFilter(event_types=("Battles",))

    # The filter follows the user to the map page.
    at.switch_page("app.py").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_types").value == ["Battles"]
    assert _map_event_ids(at) == {ids["atme"], ids["hasakah"]}


def test_min_fatalities_and_text_search_filter(ids: dict[str, str]) -> None:
    at = _page("1_Events.py")
    at.sidebar.number_input(key="flt_min_fatalities").set_value(50).run()
    assert list(at.dataframe[0].value["event_id"]) == [ids["hasakah"]]
    at.sidebar.number_input(key="flt_min_fatalities").set_value(0)
    at.sidebar.text_input(key="flt_text").input("nödlandade").run()
    assert list(at.dataframe[0].value["event_id"]) == [ids["afrin"]]


def test_url_query_params_restore_a_view(ids: dict[str, str]) -> None:
    from conflictmap.filters import EventFilter

    at = _app()
    flt = EventFilter(event_types=("Protests",))
    for key, value in flt.to_query_params().items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_types").value == ["Protests"]
    assert "1 of 4 events shown" in _texts(at)
    assert _map_event_ids(at) == {ids["kyiv"]}


def test_reset_button_clears_filters(ids: dict[str, str]) -> None:
    at = _page("1_Events.py")
    at.sidebar.multiselect(key="flt_types").set_value(["Protests"]).run()
    assert len(at.dataframe[0].value) == 1
    at.sidebar.button(key="flt_reset").click().run()
    assert len(at.dataframe[0].value) == 4


# ---------------------------------------------------------------- map click → record


def test_clicking_a_marker_shows_its_record(ids: dict[str, str]) -> None:
    at = _app().run()
    at.session_state["event_map"] = {"last_object_clicked_popup": f"Atme ... ID: {ids['atme']}"}
    at.run()
    assert not at.exception
    record = at.dataframe[0].value
    assert dict(zip(record["field"], record["value"], strict=True))["event_id"] == ids["atme"]
    assert any("13" in t.value for t in at.caption)


# ---------------------------------------------------------------- hostile text


def test_hostile_text_is_shown_as_text(ids: dict[str, str]) -> None:
    at = _app().run()
    at.session_state["event_map"] = {"last_object_clicked_popup": f"x ID: {ids['kyiv']}"}
    at.run()
    assert not at.exception
    # The evidence is shown verbatim by st.text (never parsed), ...
    assert HOSTILE in [t.value for t in at.text]
    # ... and wherever article text reaches Markdown, it is escaped.
    shown = [md for md in [*at.markdown, *at.caption, *at.subheader] if "onerror" in md.value]
    assert shown, "the hostile location is in the record's heading"
    for md in shown:
        assert not getattr(md.proto, "allow_html", False)
        assert re.search(r"(?<!\\)<img", md.value) is None, md.value
        assert re.search(r"(?<!\\)\]\(javascript", md.value) is None, md.value

    at.switch_page("pages/1_Events.py").run()
    table = at.dataframe[0].value
    assert HOSTILE[:40] in set(table["location"])  # data, rendered as text by the grid


def test_articles_page_says_how_to_open_an_article(ids: dict[str, str]) -> None:
    at = _page("3_Articles.py").run()
    assert not at.exception
    assert any("Tick a row" in c.value for c in at.caption)
    assert not at.get("html")  # no article is open until one is picked


def test_article_view_escapes_and_highlights(ids: dict[str, str], store: Store) -> None:
    at = _page("3_Articles.py")
    hostile_id = store.articles_frame().set_index("title").loc[f"Evil {HOSTILE}", "id"]
    at.session_state["article_id"] = hostile_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    body = "\n".join(h.proto.body for h in at.get("html"))
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in body
    assert "<script>alert" not in body and "<img src=x" not in body
    assert 'class="cm-place cm-resolved"' in body and ">Kyiv</mark>" in body
    assert 'class="cm-place cm-unresolved"' in body and ">Xyzville</mark>" in body


# ---------------------------------------------------------------- review


def test_review_correction_changes_the_stored_event(ids: dict[str, str], store: Store) -> None:
    at = _page("4_Review.py")
    # The least confident machine event leads the queue.
    eid = ids["kyiv"]
    at.number_input(key=f"ed_fat_{eid}").set_value(7)
    at.text_input(key=f"ed_actors_{eid}").input("Protesters (Ukraine); Police Forces of Ukraine")
    at.button(key=f"ed_save_{eid}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    event = store.get_event(eid)
    assert event.fatalities == 7
    assert event.actors == ["Protesters (Ukraine)", "Police Forces of Ukraine"]
    assert event.review_status == "corrected"
    audit = store.audit_frame(eid)
    assert set(audit["field"]) >= {"fatalities", "actors"} and set(audit["user"]) == {"tester"}
    assert any("Saved" in s.value for s in at.success)


def test_review_mark_reviewed_and_delete(ids: dict[str, str], store: Store) -> None:
    at = _page("4_Review.py")
    eid = ids["kyiv"]
    at.button(key=f"ed_reviewed_{eid}").click().run()
    assert store.get_event(eid).review_status == "reviewed"
    # Now the queue starts with the next machine event; delete it after confirming.
    next_id = at.dataframe(key="events_table").value.iloc[0]["event_id"]
    assert next_id != eid
    at.checkbox(key=f"ed_confirm_{next_id}").check().run()
    at.button(key=f"ed_delete_{next_id}").click().run()
    assert not at.exception
    assert next_id not in set(store.events_frame()["event_id"])


def test_review_place_correction_with_coordinates(ids: dict[str, str], store: Store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictmap import ui

    class NoGazetteer:
        def search(self, query: str, limit: int = 20) -> list[Candidate]:
            return []

    monkeypatch.setattr(ui, "get_gazetteer", lambda: NoGazetteer())
    hint = store.unresolved_places_frame().iloc[0]["country_hint"]
    at = _page("4_Review.py")
    at.radio(key="place_how").set_value("coordinates").run()
    at.number_input(key="place_lat").set_value(12.5)
    at.number_input(key="place_lon").set_value(8.25)
    at.text_input(key="place_cc").input("NG")
    at.button(key="save_place").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.unresolved_places_frame().empty
    cand = store.place_correction("Xyzville", hint)
    assert cand is not None and (cand.lat, cand.lon, cand.country_code) == (12.5, 8.25, "NG")


# ---------------------------------------------------------------- adding articles


def _fake_extract(article: Article, *, geocoder: object = None) -> Extraction:
    """The pipeline stand-in: one event at Atme per article (pipeline quality is tested elsewhere)."""
    place = _place(article.body, article.body.split()[0], ATME)
    return Extraction(article, (place,), (_event(article, place, evidence=article.body[:60]),))


def test_paste_adds_an_article(ids: dict[str, str], store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conflictmap.pipeline.extract_article", _fake_extract)
    at = _page("3_Articles.py")
    at.text_input(key="paste_title").input("Klistrad artikel")
    at.text_area(key="paste_text").input("Atme bombades i går. Tre personer dödades.")
    at.button(key="FormSubmitter:paste_article-Add article").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Klistrad artikel" in set(store.articles_frame()["title"])
    # The stand-in codes a battle at Atme on 2022-02-03, which the fixture already holds: the
    # same incident from a second article joins the stored event instead of doubling it.
    assert any("added with 0 new event(s); 1 more were the same incident" in s.value for s in at.success)
    assert store.counts()["events"] == 4


def test_upload_adds_several_articles_and_reports_bad_ones(ids: dict[str, str], store: Store,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conflictmap.pipeline.extract_article", _fake_extract)
    at = _page("3_Articles.py")
    uploader = at.file_uploader(key="article_files")
    uploader.upload("one.txt", b"---\ntitle: One\ndate: 2022-02-04\n---\nAtme again.\n", "text/plain")
    uploader.upload("two.md", b"Afrin today.\n", "text/markdown")
    uploader.upload("empty.txt", b"   \n", "text/plain").run()
    at.button(key="add_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    titles = set(store.articles_frame()["title"])
    assert {"One"} <= titles and len(titles) == 4
    assert len(at.error) == 1 and "empty.txt" in at.error[0].value
    assert "\n" not in at.error[0].value.strip()


def test_url_and_feed_need_the_network_setting(ids: dict[str, str]) -> None:
    at = _page("3_Articles.py")
    assert any("CONFLICTMAP_ALLOW_NETWORK=1" in i.value for i in at.info)
    assert not [t for t in at.text_input if t.key == "online_url"]


# ---------------------------------------------------------------- first start


def test_first_start_ingests_the_sample_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conflictmap.pipeline.extract_article", _fake_extract)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: Sample\ndate: 2022-02-03\n---\nAtme raid.\n", encoding="utf-8")
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    monkeypatch.setenv("CONFLICTMAP_ARTICLES_DIR", str(folder))
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    at = _app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "1 of 1 events shown" in _texts(at)
    assert set(Store().articles_frame()["title"]) == {"Sample"}


def test_acled_upload_imports_good_rows_and_reports_bad_ones(ids: dict[str, str], store: Store) -> None:
    header = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
              "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
              "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
              "source,source_scale,notes,fatalities,tags,timestamp\n")
    good = ("SYR1,2022-02-03,2022,1,Political violence,Battles,Armed clash,Military Forces of Syria,,1,"
            "Islamic State,,2,12,,760,Middle East,Syria,Idlib,,,Atme,36.32,36.66,1,SOHR,National,"
            "clash,4,,1650000000\n")
    bad = good.replace("SYR1", "SYR2").replace("36.32", "200")
    at = _page("3_Articles.py")
    at.file_uploader(key="dataset_file").upload("acled.csv", (header + good + bad).encode(), "text/csv").run()
    at.button(key="import_dataset").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 imported" in s.value for s in at.success), [s.value for s in at.success]
    tables = [d.value for d in at.dataframe if list(d.value.columns) == ["problem"]]
    assert tables and any("SYR2" in p and "latitude" in p for p in tables[0]["problem"]), tables
    frame = store.events_frame()
    assert "SYR1" in set(frame["event_id"]) and "SYR2" not in set(frame["event_id"])


def test_url_names_the_selected_event(ids: dict[str, str]) -> None:
    at = _app()
    at.query_params["event"] = ids["hasakah"]
    at.run()
    assert not at.exception
    record = at.dataframe[0].value
    assert dict(zip(record["field"], record["value"], strict=True))["event_id"] == ids["hasakah"]
    assert at.query_params["event"] == ids["hasakah"]  # kept while the filters are synced


def test_article_view_maps_every_place_of_the_seed_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed, through the real pipeline: the article's map has a point at every gold place."""
    from conflictmap.pipeline import ingest_paths

    gold = json.loads((PROJECT_DIR / "tests" / "golden" / "seed-atme-raid.sv.json").read_text(encoding="utf-8"))
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'seed.sqlite'}")
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    seed_store = Store()
    ingest_paths([PROJECT_DIR / "data" / "articles"], seed_store)
    at = _page("3_Articles.py")
    at.session_state["article_id"] = seed_store.articles_frame()["id"].iloc[0]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    maps = [json.loads(c.proto.json_args) for c in at.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(maps) == 1
    assert all(link.startswith("/app/static/") for link in maps[0]["js_links"])
    points = [(float(a), float(b)) for a, b in
              re.findall(r"L\.circleMarker\(\s*\[(-?[\d.]+),\s*(-?[\d.]+)\]", maps[0]["script"])]
    for place in gold["places"]:
        nearest = min(abs(place["lat"] - lat) + abs(place["lon"] - lon) for lat, lon in points)
        assert nearest < max(0.1, place["tolerance_km"] / 111), f"{place['text']} is not on the article's map"
