"""Map building: rendered HTML, get_bounds(), the compact payload, offline assets, click → id."""

from __future__ import annotations

import base64
import random
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from store_frames import as_store_frame

from conflictmap import mapview
from conflictmap.mapview import payload as payload_module
from conflictmap.mapview.assets import LOCAL_CSS, LOCAL_JS
from conflictmap.models import Event

HOSTILE = ('<img src=x onerror=alert(1)> <script>alert(1)</script> "\'><svg onload=alert(1)> '
           '`${alert(1)}` \\1 </script>')


def make_event(**overrides) -> Event:
    fields = dict(event_date=date(2022, 2, 3), time_precision=1, event_type="Battles",
                  sub_event_type="Armed clash", actor1="US forces", location="Atme",
                  lat=36.2097, lon=36.7244, geo_precision=1, evidence="US forces raided a house.",
                  country="Syria", iso="SY", admin1="Idlib", fatalities=13,
                  source="Sveriges Radio", source_url="https://sverigesradio.se/artikel/1",
                  article_id="a1", actors=["US forces", "Islamic State"])
    fields.update(overrides)
    return Event(**fields)


def events_frame(events: list[Event], title: str = "USA: IS-ledare dödad i Syrien") -> pd.DataFrame:
    """The shape of Store.events_frame(): Event fields, actors "; "-joined, + article_title."""
    rows = []
    for event in events:
        row = asdict(event)
        row["actors"] = "; ".join(event.actors)
        row["article_title"] = title
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*asdict(make_event()).keys(), "article_title"])
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    return frame


@pytest.fixture
def seed_frame() -> pd.DataFrame:
    return events_frame([
        make_event(),
        make_event(event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
                   location="Afrin", lat=36.5119, lon=36.8697, geo_precision=2,
                   evidence="A helicopter crashed near Afrin."),
        make_event(event_date=date(2022, 1, 20), location="al-Hasakah", lat=36.5024,
                   lon=40.7477, actor1="Islamic State", evidence="IS attacked the prison."),
    ])


def rendered(fmap) -> str:
    return fmap.get_root().render()


def asset_links(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("tiles", ["none", "OpenStreetMap"])
def test_map_loads_only_local_assets(seed_frame, tiles):
    html = rendered(mapview.build_event_map(seed_frame, tiles=tiles))
    links = asset_links(html)
    assert any("leaflet.js" in u for u in links)
    assert any("conflictmap/events.js" in u for u in links)
    assert links and all(u.startswith("/app/static/") for u in links), links
    assert 'L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/"' in html


def test_st_folium_links_are_local(seed_frame):
    """st_folium loads `default_js` of every element itself (not the header): check those too."""
    from folium.elements import JSCSSMixin

    fmap = mapview.build_event_map(seed_frame, tiles="none")
    stack, urls = [fmap], []
    while stack:
        element = stack.pop()
        if isinstance(element, JSCSSMixin):
            urls += [u for _, u in element.default_js + element.default_css]
        stack.extend(getattr(element, "_children", {}).values())
    assert urls and all(u.startswith("/app/static/") for u in urls), urls


def test_every_local_asset_exists_after_ensure(tmp_path, seed_frame):
    mapview.ensure_static_assets(tmp_path)
    html = rendered(mapview.build_event_map(seed_frame, tiles="none"))
    for url in asset_links(html):
        path = url.split("?")[0].removeprefix("/app/static/")
        assert (tmp_path / path).is_file(), url
    for relative in [*LOCAL_JS.values(), *LOCAL_CSS.values(), "conflictmap/countries.geojson",
                     "vendor/leaflet/images/marker-icon.png"]:
        assert (tmp_path / relative).stat().st_size > 0, relative


def test_ensure_static_assets_is_idempotent_and_repairs(tmp_path):
    mapview.ensure_static_assets(tmp_path)
    leaflet = tmp_path / "vendor/leaflet/leaflet.js"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    mapview.ensure_static_assets(tmp_path)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert before == after  # nothing rewritten on a normal start
    leaflet.write_text("truncated")
    mapview.ensure_static_assets(tmp_path)
    assert leaflet.stat().st_size > 100_000  # a damaged copy is replaced


def test_bounds_fit_the_events(seed_frame):
    fmap = mapview.build_event_map(seed_frame, tiles="none")
    assert fmap.get_bounds() == [[36.2097, 36.7244], [36.5119, 40.7477]]
    assert "fitBounds" in rendered(fmap)


def test_events_without_coordinates_are_counted_not_drawn(seed_frame):
    frame = pd.concat([seed_frame, events_frame([make_event(lat=None, lon=None, location="?"),
                                                 make_event(lat=200.0, lon=36.0)])])
    payload = mapview.encode_events(frame)
    assert (payload.count, payload.unmapped) == (3, 2)
    html = rendered(mapview.build_event_map(frame, tiles="none"))
    assert '"unmapped":2' in html


def test_empty_frame_gives_a_world_map():
    fmap = mapview.build_event_map(events_frame([]), tiles="none")
    html = rendered(fmap)
    assert "fitBounds" not in html
    assert '"count":0' in html


def test_hostile_text_never_reaches_the_page_source_and_survives_verbatim():
    event = make_event(evidence=HOSTILE, actor1=HOSTILE, location=HOSTILE,
                       actors=["US forces", HOSTILE], source_url="javascript:alert(1)")
    frame = events_frame([event], title=HOSTILE)
    html = rendered(mapview.build_event_map(frame, tiles="none"))
    for fragment in ("alert", "onerror", "onload", "<svg", "javascript:", "`"):
        assert fragment not in html, fragment
    row = mapview.decode_events(mapview.encode_events(frame).data).iloc[0]
    assert row["evidence"] == HOSTILE
    assert row["location"] == HOSTILE
    assert row["actors"] == f"US forces; {HOSTILE}"
    # The javascript: link is dropped, the title kept.
    assert (row["article_title"], row["source_url"]) == (HOSTILE, "")


@pytest.mark.parametrize("url,expected", [
    ("https://example.org/a?b=1", "https://example.org/a?b=1"),
    ("HTTP://EXAMPLE.ORG/", "HTTP://EXAMPLE.ORG/"),
    ("javascript:alert(1)", ""),
    (" JavaScript:alert(1)", ""),
    ("data:text/html,<script>alert(1)</script>", ""),
    ("//evil.example/x", ""),
    ('https://example.org/"onmouseover=alert(1)', ""),
    (None, ""),
    (float("nan"), ""),
])
def test_only_http_links_survive(url, expected):
    assert mapview.safe_url(url) == expected


def test_payload_round_trips_the_popup_fields(seed_frame):
    decoded = mapview.decode_events(mapview.encode_events(seed_frame).data)
    assert len(decoded) == 3
    first = decoded.set_index("event_id").loc[seed_frame["event_id"].iloc[0]]
    assert (first["event_type"], first["sub_event_type"]) == ("Battles", "Armed clash")
    assert (first["location"], first["admin1"], first["country"]) == ("Atme", "Idlib", "Syria")
    assert first["actors"] == "US forces; Islamic State"
    assert (first["article_title"], first["source_url"], first["source"]) == (
        "USA: IS-ledare dödad i Syrien", "https://sverigesradio.se/artikel/1", "Sveriges Radio")
    assert first["evidence"] == "US forces raided a house."
    assert first["event_date"] == date(2022, 2, 3)
    assert (first["lat"], first["lon"]) == (pytest.approx(36.2097), pytest.approx(36.7244))
    assert first["fatalities"] == 13
    assert (first["time_precision"], first["geo_precision"]) == (1, 1)
    assert first["review_status"] == "machine"
    afrin = decoded.set_index("event_id").loc[seed_frame["event_id"].iloc[1]]
    assert afrin["geo_precision"] == 2


def test_undated_event_and_unknown_fatalities_are_marked_not_invented():
    row = mapview.decode_events(mapview.encode_events(
        events_frame([make_event(event_date=None, fatalities=None)])).data).iloc[0]
    assert row["event_date"] is None
    assert row["fatalities"] is None


def test_evidence_is_cut_to_fit_the_budget_and_says_so():
    rng = random.Random(7)  # varied text, so it does not deflate to nothing
    words = ["raid", "village", "forces", "killed", "shelling", "reported", "near", "Idlib"]
    events = [make_event(evidence=f"Event {i}: " + " ".join(rng.choices(words, k=60)) + f" {i}",
                         location=f"P{i}") for i in range(300)]
    frame = events_frame(events)
    full = mapview.encode_events(frame)
    assert full.evidence_chars is None
    tight = mapview.encode_events(frame, budget_bytes=20_000)
    assert tight.evidence_chars is not None
    header, _ = mapview.decode_payload(tight.data)
    assert header["evidence_chars"] == tight.evidence_chars
    assert len(tight.data) < len(full.data)
    if tight.evidence_chars:
        decoded = mapview.decode_events(tight.data).set_index("location")
        snippet = decoded.loc["P0", "evidence"]
        assert snippet.startswith("Event 0: ") and snippet.endswith("…")
        assert len(snippet) <= tight.evidence_chars


def test_selected_event_is_passed_to_the_browser_outside_the_data(seed_frame):
    chosen = seed_frame["event_id"].iloc[1]
    plain = rendered(mapview.build_event_map(seed_frame, tiles="none"))
    selected = rendered(mapview.build_event_map(seed_frame, tiles="none", selected_event_id=chosen))
    assert f'"selected":"{chosen}"' in selected
    # Same events → same data and key, so the browser can keep the user's view across reruns.
    key = re.search(r'"key":"(\w+)"', plain).group(1)
    assert f'"key":"{key}"' in selected


def test_tiles_none_draws_country_outlines_and_osm_draws_tiles_over_them(seed_frame, monkeypatch):
    plain = rendered(mapview.build_event_map(seed_frame, tiles="none"))
    assert "countries.geojson" in plain and "tile.openstreetmap" not in plain
    monkeypatch.setenv("CONFLICTMAP_TILES", "OpenStreetMap")
    osm = rendered(mapview.build_event_map(seed_frame))
    # Outlines stay underneath as the basemap for when the tiles cannot load (offline).
    assert "tile.openstreetmap.org" in osm and "countries.geojson" in osm
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    assert "countries.geojson" in rendered(mapview.build_event_map(seed_frame))


def test_max_zoom_is_set_for_clustering(seed_frame):
    html = rendered(mapview.build_event_map(seed_frame, tiles="none"))
    assert re.search(r'"maxZoom": 18', html)


def test_legend_colours_cover_every_acled_type(seed_frame):
    acled = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
             "Riots", "Strategic developments"]
    assert sorted(mapview.EVENT_TYPE_COLORS) == sorted(acled)
    assert len(set(mapview.EVENT_TYPE_COLORS.values())) == len(acled)
    html = rendered(mapview.build_event_map(seed_frame, tiles="none"))
    assert '"types":["Battles","Explosions/Remote violence"]' in html


@pytest.mark.parametrize("result,expected", [
    (None, None),
    ({}, None),
    ({"last_object_clicked_popup": None}, None),
    ({"last_object_clicked_popup": "3 events here"}, None),
    ({"last_object_clicked_popup": "2022-02-03\nBattles\nReview: machine\nID: cm-3a2ab6945277821d"},
     "cm-3a2ab6945277821d"),
    # Detached popups come back as textContent, without line breaks.
    ({"last_object_clicked_popup": "2022-02-03BattlesReview: machineID: SYR12345"}, "SYR12345"),
    # Article text may contain "ID: ..."; only the id line we write last counts.
    ({"last_object_clicked_popup": "ID: cm-fake said ID: x\nReview: machine\nID: cm-real\n"},
     "cm-real"),
])
def test_event_id_from_click(result, expected):
    assert mapview.event_id_from_click(result) == expected


def test_returned_objects_is_only_the_popup():
    assert mapview.RETURNED_OBJECTS == ["last_object_clicked_popup"]


def test_static_dir_is_gitignored():
    """The copied assets never get committed; only static/README.md is tracked, so the folder
    exists on a fresh clone and Streamlit's static serving does not warn on first start."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=root, check=False).returncode == 0

    for generated in ("static/vendor/leaflet/leaflet.js", "static/conflictmap/events.js",
                      "static/conflictmap/countries.geojson"):
        assert ignored(generated), generated
    assert not ignored("static/README.md")
    assert (root / "static" / "README.md").exists()


# ---------------------------------------------------------------- payload v2: places, ids, sizes


def synthetic_frame(n: int, *, sites: int = 500, seed: int = 3, evidence_chars: int = 200,
                    store_dtypes: bool = True) -> pd.DataFrame:
    """ACLED-like events at a few hundred sites; with Store.events_frame()'s dtypes by default."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, sites, n)
    words = np.array("forces village killed reported attack near town shelling clashes".split())
    picks = words[rng.integers(0, len(words), (n, evidence_chars // 6))]
    evidence = [" ".join(row) for row in picks.tolist()]
    frame = pd.DataFrame({
        "event_id": [f"cm-{v:016x}" for v in rng.integers(0, 2**63, n)],
        "event_date": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), "D"),
        "time_precision": rng.integers(1, 4, n),
        "event_type": rng.choice(sorted(mapview.EVENT_TYPE_COLORS), n),
        "sub_event_type": "Armed clash",
        "actors": [f"Actor {a}; Actor {b}" for a, b in rng.integers(0, 50, (n, 2))],
        "location": [f"Town {s}" for s in site],
        "admin1": [f"Province {s % 20}" for s in site],
        "country": "Syria",
        "lat": 33 + (site % 97) * 0.05,
        "lon": 36 + (site // 97) * 0.05,
        "geo_precision": rng.integers(1, 4, n),
        "fatalities": rng.integers(0, 30, n),
        "evidence": evidence,
        "article_title": [f"Report {i % 300}" for i in range(n)],
        "source": "Wire",
        "source_url": [f"https://example.org/{i % 300}" for i in range(n)],
        "review_status": "machine",
    })
    return as_store_frame(frame) if store_dtypes else frame


def test_events_at_one_place_are_grouped_newest_first_and_all_kept():
    frame = synthetic_frame(2_000, sites=40)
    payload = mapview.encode_events(frame)
    assert payload.count == 2_000 and payload.places == 40
    header, columns = mapview.decode_payload(payload.data)
    place = columns["place"].astype(int)
    assert (np.diff(place) >= 0).all()  # rows grouped by place: the browser slices them
    decoded = mapview.decode_events(payload.data)
    assert sorted(decoded["event_id"]) == sorted(frame["event_id"])
    for _, rows in decoded.groupby(place):
        dates = pd.to_datetime(rows["event_date"])
        assert dates.is_monotonic_decreasing
        assert rows["location"].nunique() == 1


@pytest.mark.parametrize("store_dtypes", [True, False], ids=["store dtypes", "plain objects"])
def test_round_trip_keeps_every_mapped_value(store_dtypes):
    frame = synthetic_frame(500, evidence_chars=60, store_dtypes=store_dtypes)
    decoded = mapview.decode_events(mapview.encode_events(frame).data).set_index("event_id")
    expected = frame.set_index("event_id").loc[decoded.index]
    for name in ("event_type", "sub_event_type", "actors", "location", "admin1", "country",
                 "evidence", "article_title", "source_url", "source", "review_status"):
        assert decoded[name].tolist() == expected[name].astype(str).tolist(), name
    for name in ("fatalities", "time_precision", "geo_precision"):
        assert decoded[name].astype(int).tolist() == expected[name].astype(int).tolist(), name
    assert decoded["event_date"].tolist() == [d.date() for d in expected["event_date"]]
    assert np.allclose(decoded["lat"], expected["lat"]) and np.allclose(decoded["lon"], expected["lon"])


def test_a_filtered_categorical_frame_sends_only_the_strings_it_uses():
    full = synthetic_frame(3_000, sites=300)
    few = full[full["location"].isin(["Town 1", "Town 2"])]
    header, _ = mapview.decode_payload(mapview.encode_events(few).data)
    assert sorted({label[0] for label in header["labels"]}) == ["Town 1", "Town 2"]
    assert len(header["sources"]) <= len(few)


def test_big_map_leaves_evidence_out_fits_the_budget_and_keeps_every_event():
    frame = synthetic_frame(20_000, sites=3_000, evidence_chars=0)
    rng = random.Random(5)  # article sentences do not deflate to nothing: random text either
    frame["evidence"] = pd.Series([rng.randbytes(100).hex() for _ in range(len(frame))],
                                  dtype="str")
    budget = 400_000  # the default budget's situation at 100k+ events, at a fifth of the size
    payload = mapview.encode_events(frame, budget_bytes=budget)
    assert payload.evidence_chars == 0  # popups say: evidence in the full record beside the map
    assert len(base64.b64decode(payload.data)) <= budget
    header, columns = mapview.decode_payload(payload.data)
    assert "evidence" not in columns and header["evidence"] == []
    assert sorted(header["ids"]) == sorted(frame["event_id"])


def test_wide_ranges_of_dates_and_fatalities_survive():
    frame = events_frame([
        make_event(event_date=date(1850, 1, 1), fatalities=250_000, location="Old"),
        make_event(event_date=date(2024, 5, 6), fatalities=0, location="New"),
    ])
    decoded = mapview.decode_events(mapview.encode_events(frame).data).set_index("location")
    assert decoded.loc["Old", "event_date"] == date(1850, 1, 1)
    assert decoded.loc["Old", "fatalities"] == 250_000
    assert decoded.loc["New", "event_date"] == date(2024, 5, 6)
    assert decoded.loc["New", "fatalities"] == 0


def test_actor1_and_actor2_columns_are_used_when_there_is_no_actor_list():
    frame = events_frame([make_event(actor1="Army", actor2="Rebels", location="A"),
                          make_event(actor1="Police", actor2=None, location="B")]).drop(
        columns=["actors"])
    decoded = mapview.decode_events(mapview.encode_events(frame).data).set_index("location")
    assert decoded.loc["A", "actors"] == "Army; Rebels"
    assert decoded.loc["B", "actors"] == "Police"


@pytest.mark.parametrize("ids,packed", [
    (["cm-00ff00ff00ff00ff", "cm-123456789abcdef0", "cm-fedcba9876543210"], True),
    (["SYR12345", "IRQ9", "YEM777777"], False),  # ACLED ids: text
    (["cm-00FF00FF00FF00FF", "cm-123456789abcdef0"], False),  # upper case would not round-trip
    (["cm-0123 456789abcd", "cm-123456789abcdef0"], False),  # fromhex would skip the space
    (["a\nb", "c"], False),  # a line break cannot be a separator here
])
def test_event_ids_round_trip_whatever_their_shape(ids, packed):
    frame = events_frame([make_event(location=f"P{i}", lat=30 + i, event_id=e)
                          for i, e in enumerate(ids)])
    payload = mapview.encode_events(frame)
    header, _ = mapview.decode_payload(payload.data)
    assert bool(header.get("id_bytes")) is packed
    assert sorted(header["ids"]) == sorted(ids)
    assert sorted(mapview.decode_events(payload.data)["event_id"]) == sorted(ids)


# ---------------------------------------------------------------- caching


@pytest.fixture
def empty_cache():
    mapview.clear_cache()
    yield
    mapview.clear_cache()


def test_same_events_reuse_the_encoding_and_any_mapped_change_does_not(empty_cache, seed_frame):
    first = mapview.encode_events_cached(seed_frame)
    assert mapview.encode_events_cached(seed_frame.copy()) is first  # a rerun's fresh copy
    moved = seed_frame.copy()
    moved.loc[0, "lat"] = 36.3  # a review correction moves the event
    changed = mapview.encode_events_cached(moved)
    assert changed is not first
    assert mapview.decode_events(changed.data).set_index("location").loc["Atme", "lat"] == 36.3
    renamed = seed_frame.copy()
    renamed.loc[1, "actors"] = "Someone else"
    assert mapview.encode_events_cached(renamed) is not first
    fewer = seed_frame.iloc[:2]
    assert mapview.encode_events_cached(fewer).count == 2


def test_evidence_shown_in_popups_is_part_of_the_cache_key(empty_cache, seed_frame):
    first = mapview.encode_events_cached(seed_frame)
    assert first.evidence_chars is None  # small map: full evidence in the popups
    edited = seed_frame.copy()
    edited.loc[0, "evidence"] = "Corrected evidence."
    again = mapview.encode_events_cached(edited)
    assert again is not first
    assert "Corrected evidence." in set(mapview.decode_events(again.data)["evidence"])


def test_a_caller_cache_key_skips_reading_the_frame(empty_cache, seed_frame):
    first = mapview.encode_events_cached(seed_frame, cache_key="v1|all")
    assert mapview.encode_events_cached(seed_frame.iloc[:1], cache_key="v1|all") is first
    assert mapview.encode_events_cached(seed_frame.iloc[:1], cache_key="v2|all").count == 1


def test_the_cache_is_bounded(empty_cache, seed_frame):
    payloads = [mapview.encode_events_cached(seed_frame, cache_key=f"k{i}")
                for i in range(payload_module.CACHE_ENTRIES + 3)]
    assert mapview.encode_events_cached(seed_frame, cache_key="k0") is not payloads[0]  # evicted
    last = f"k{payload_module.CACHE_ENTRIES + 2}"
    assert mapview.encode_events_cached(seed_frame, cache_key=last) is payloads[-1]


# ---------------------------------------------------------------- what st_folium sends


def test_st_folium_gets_the_payload_intact_and_small():
    """st_folium re-renders the map on every rerun and ships its script: the payload must come
    through its render/regex/dedent steps byte for byte."""
    from streamlit_folium import _get_map_string

    frame = synthetic_frame(5_000)
    fmap = mapview.build_event_map(frame, tiles="none")
    fmap.get_root().render()
    script = _get_map_string(fmap)
    payload = mapview.encode_events_cached(frame)
    assert payload.data in script
    assert len(script) < len(payload.data) + 5_000


def test_places_map_marks_each_place_once_escapes_names_and_fits_them():
    from conflictmap.models import Candidate, Mention, Place

    atme = Candidate("sup:atme", "Atme", 36.311, 36.686, "SY", "village", "Idlib")
    syria = Candidate("gn:163843", "Syria", 35.0, 38.0, "SY", "country")
    places = [Place(Mention("Atme", 0, 4), atme), Place(Mention("Atme", 50, 54), atme),
              Place(Mention('<img src=x onerror=alert(1)>', 60, 88), syria, precision=3),
              Place(Mention("Nowhere", 90, 97), None)]
    fmap = mapview.build_places_map(places, tiles="none")
    html = rendered(fmap)
    assert html.count("L.circleMarker(") == 2  # two distinct places; the unresolved one is left out
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    (south, west), (north, east) = fmap.get_bounds()
    assert south <= 35.0 and north >= 36.311 and west <= 36.686 and east >= 38.0
    assert not re.search(r'src="https?://', html)
    assert "ConflictMap.addOutlines(" in html and "countries.geojson" in html  # offline basemap


def test_pick_map_shows_candidates_and_the_chosen_point_escaped_and_offline():
    from conflictmap.models import Candidate

    cands = [Candidate("gn:1", "Atme", 36.311, 36.686, "SY", "village", "Idlib"),
             Candidate("gn:2", "<b onmouseover=alert(1)>", 36.2, 37.1, "SY", "city", "Aleppo")]
    idlib = Candidate("gn:3", "Idlib <i>", 35.93, 36.63, "SY", "city", "Idlib")
    fmap = mapview.build_pick_map(cands, (36.5, 36.9), context=[idlib], tiles="none")
    html = rendered(fmap)
    assert html.count("L.circleMarker(") == 4
    assert "named in the article: Idlib &lt;i&gt;" in html
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;" in html
    assert mapview.picker.PICKED_COLOR in html
    (south, west), (north, east) = fmap.get_bounds()
    assert south <= 35.93 and north >= 36.5 and west <= 36.63 and east >= 37.1
    assert not re.search(r'src="https?://', html)


@pytest.mark.parametrize(("result", "point"), [
    ({"last_clicked": {"lat": 36.31111, "lng": 36.686391234}}, (36.31111, 36.68639)),
    ({"last_clicked": {"lat": 36.3, "lng": 396.7}}, (36.3, 36.7)),  # the world wrapped once east
    ({"last_clicked": {"lat": -12.5, "lng": -540.0}}, (-12.5, -180.0)),
    ({"last_clicked": None}, None),  # no click yet
    ({"last_clicked": {"lat": 91.0, "lng": 0.0}}, None),
    ({"last_clicked": {"lat": "nan", "lng": 0.0}}, None),
    ({"last_clicked": {"lat": "x", "lng": 0.0}}, None),
    ({}, None),
    (None, None),
])
def test_a_map_click_becomes_a_valid_point_or_nothing(result, point):
    assert mapview.point_from_click(result) == point
