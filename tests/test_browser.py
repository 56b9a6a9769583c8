"""Real browser: `streamlit run app.py` against a fixture database, Debian Chromium via Playwright.

Checks what only a browser can: Leaflet drew the events offline, a popup shows hostile article
text literally without running it, nothing but tiles tries to leave 127.0.0.1, filters and shared
URLs change what the map shows.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from browser_support import (
    PROJECT_DIR,
    NetworkGuard,
    chromium_browser,
    streamlit_app,
)

from conflictmap import mapview
from conflictmap.models import Article, Event, Extraction

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

HOSTILE = ('<img src=x onerror=alert(1)> <script>alert(1)</script> "\'><svg onload=alert(1)> '
           '`${alert(1)}` \\1 </script>')
SCREENSHOT = PROJECT_DIR / "docs" / "screenshots" / "map.png"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _require_browser() -> None:
    from browser_support import require_browser

    require_browser()


def _event(article: Article, **fields) -> Event:
    base = dict(event_date=date(2022, 2, 3), time_precision=1, event_type="Battles",
                sub_event_type="Armed clash", actor1="US forces", location="Atme", lat=36.2097,
                lon=36.7244, geo_precision=1, country="Syria", iso="SY", admin1="Idlib",
                source="Example News", source_url="https://news.example.org/artikel/1",
                article_id=article.id, actors=["US forces", "Islamic State"],
                evidence="Amerikanska specialstyrkor genomförde en räd i Atme.", fatalities=13)
    base.update(fields)
    return Event(**base)


def write_fixture_db(path: Path) -> list[Event]:
    """The seed article's events plus one whose text and link are hostile, via the real Store."""
    from conflictmap.store import Store

    seed = Article(title="USA: IS-ledaren dödad i räd i Syrien", body="(fixture body)",
                   date=date(2022, 2, 3), language="sv", source="Example News",
                   url="https://news.example.org/artikel/1")
    hostile = Article(title=HOSTILE, body="(hostile fixture)", date=date(2022, 2, 4),
                      language="en", source=HOSTILE, url="javascript:alert(1)")
    seed_events = [
        _event(seed),
        _event(seed, event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
               location="Afrin", lat=36.5119, lon=36.8697, geo_precision=2, fatalities=None,
               evidence="En helikopter kraschade nära Afrin."),
        _event(seed, event_date=date(2022, 1, 20), time_precision=2, location="al-Hasakah",
               lat=36.5024, lon=40.7477, actor1="Islamic State", admin1="Al-Hasakah",
               actors=["Islamic State", "SDF"], fatalities=200,
               evidence="IS attackerade fängelset i al-Hasakah."),
    ]
    hostile_events = [
        _event(hostile, event_date=date(2022, 2, 4), event_type="Violence against civilians",
               sub_event_type="Attack", actor1=HOSTILE, actors=[HOSTILE], location=HOSTILE,
               lat=36.8910, lon=38.3536, admin1=HOSTILE, evidence=HOSTILE,
               source=HOSTILE, source_url="javascript:alert(1)", fatalities=2),
    ]
    store = Store(f"sqlite:///{path}")
    try:
        store.save_extraction(Extraction(seed, (), tuple(seed_events)))
        store.save_extraction(Extraction(hostile, (), tuple(hostile_events)))
    finally:
        store.close()
    return seed_events + hostile_events


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    _require_browser()
    root = tmp_path_factory.mktemp("browser")
    events = write_fixture_db(root / "events.sqlite")
    # The app serves <project>/static; make sure it holds today's assets before it starts.
    mapview.ensure_static_assets()
    (root / "articles").mkdir()
    return root, events


def _app_env(root: Path, tiles: str) -> dict[str, str]:
    return {
        "CONFLICTMAP_DB_URL": f"sqlite:///{root / 'events.sqlite'}",
        "CONFLICTMAP_ARTICLES_DIR": str(root / "articles"),  # empty: no first-start ingest
        "CONFLICTMAP_CACHE_DIR": str(root / "cache"),
        "CONFLICTMAP_TILES": tiles,
        "CONFLICTMAP_ALLOW_NETWORK": "0",
        "HOME": str(root / "home"),
    }


@pytest.fixture(scope="module")
def app(fixture):
    root, _ = fixture
    with streamlit_app(PROJECT_DIR / "app.py", _app_env(root, "none"),
                       root / "streamlit.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser(fixture):
    root, _ = fixture
    with chromium_browser(root / "chromium-home") as running:
        yield running


class MapPage:
    """One browser tab on the app, with the network guard and a dialog trap installed."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 950})
        self.guard = NetworkGuard()
        self.context.route("**/*", self.guard.handle)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(url)
        self.frame = self.page.frame_locator(MAP_FRAME)

    def wait_for_events(self, timeout: float = 60_000) -> int:
        # Idle app (no rerun in flight) and exactly one map: a rerun may remount the map.
        self.page.wait_for_function(
            """() => !document.querySelector('[data-testid="stStatusWidget"] button')
                 && document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]').length === 1""",
            timeout=timeout)
        container = self.frame.locator(".leaflet-container[data-cm-events]")
        container.wait_for(timeout=timeout)
        return int(container.get_attribute("data-cm-events"))

    def wait_for_map_count(self, count: int, timeout: float = 30_000) -> None:
        """Wait until the one map on the page holds `count` events (after a remount)."""
        self.page.wait_for_function(
            """(count) => {
                const frames = document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]');
                if (frames.length !== 1 || !frames[0].contentDocument) return false;
                const box = frames[0].contentDocument.querySelector('.leaflet-container');
                return !!box && box.getAttribute('data-cm-events') === String(count);
            }""", arg=count, timeout=timeout)

    def drawn(self) -> tuple[int, int]:
        """(events represented on screen: lone markers + cluster counts, lone markers)."""
        markers = self.frame.locator("path.cm-event").count()
        clustered = sum(int(t.replace("k", "000")) for t in
                        self.frame.locator(".cm-cluster span").all_inner_texts())
        return markers + clustered, markers

    def click_event(self, event_id: str) -> str:
        """Click (a real mouse click) the marker of one event; the text of the popup it opens."""
        find = """(_body, id) => {
            const events = window.map.cmEvents;
            let found = null;
            events.eachLayer(l => { if (events.data.id(l.options.cmIndex) === id) found = l; });
            window.map.closePopup();
            if (!found) {  // inside a cluster at this zoom: zoom in on it, as a user would
                const i = events.data.find(id);
                window.map.setView([events.data.lat(i), events.data.lng(i)], 12, {animate: false});
                return null;
            }
            const p = window.map.latLngToContainerPoint(found.getLatLng());
            return [p.x, p.y];
        }"""
        self.wait_for_events()  # the app may just have remounted the map after a rerun
        body = self.frame.locator("body")
        point = body.evaluate(find, event_id) or body.evaluate(find, event_id)
        assert point is not None, f"no marker for {event_id}"
        # A closing popup fades out for 200 ms and would catch the click meant for a marker.
        self.frame.locator(".leaflet-popup").first.wait_for(state="detached")
        box = self.page.locator(MAP_FRAME).bounding_box()
        self.page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        popup = self.frame.locator(".leaflet-popup .cm-popup", has_text=f"ID: {event_id}")
        popup.wait_for(timeout=10_000)
        return popup.inner_text()

    def close(self) -> None:
        self.context.close()


def test_map_draws_events_and_popups_show_hostile_text_as_text(app, browser, fixture):
    root, events = fixture
    tab = MapPage(browser, app.url)
    try:
        assert tab.wait_for_events() == len(events)
        total, markers = tab.drawn()
        assert total == len(events) and markers >= 2, tab.drawn()

        seed = tab.click_event(events[0].event_id)
        assert seed.startswith("2022-02-03 (exact day)\nBattles — Armed clash\n"), seed
        assert "Amerikanska specialstyrkor genomförde en räd i Atme." in seed
        assert "Fatalities: 13" in seed and "Place: Atme, Idlib, Syria (exact place)" in seed
        # Let the rerun the click caused settle before the next click.
        tab.page.get_by_text(events[0].evidence).first.wait_for(timeout=30_000)

        text = tab.click_event(events[-1].event_id)
        assert HOSTILE in text  # evidence, actors and place shown literally
        assert f"Place: {HOSTILE}" in text
        assert f"ID: {events[-1].event_id}" in text
        # The javascript: link is not a link; nothing in the popup is clickable but http(s).
        hrefs = tab.frame.locator(".leaflet-popup .cm-popup a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))")
        assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs

        # The app reruns on the click and shows the full record beside the map.
        # (hostile text again: the record must show it literally too).
        tab.page.get_by_text(HOSTILE).first.wait_for(timeout=30_000)
        assert tab.dialogs == [], tab.dialogs
        assert tab.errors == [], tab.errors
        assert tab.guard.blocked == [], tab.guard.blocked  # tiles are off: nothing may leave

    finally:
        tab.close()
    # The README's screenshot: a fresh tab (fitted view) with a seed event's popup open.
    shot_tab = MapPage(browser, app.url)
    try:
        shot_tab.wait_for_events()
        shot_tab.click_event(events[0].event_id)
        shot_tab.page.get_by_text(events[0].evidence).first.wait_for(timeout=30_000)
        shot = root / "map.png"
        shot_tab.page.screenshot(path=str(shot))
        if not SCREENSHOT.exists() or os.environ.get("CONFLICTMAP_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SCREENSHOT)
        assert shot_tab.dialogs == []
    finally:
        tab.close()


def test_shared_url_with_filter_opens_the_same_view(app, browser, fixture):
    from conflictmap.filters import EventFilter

    _, events = fixture
    params = EventFilter(event_types=("Battles",)).to_query_params()
    tab = MapPage(browser, f"{app.url}/?{urlencode(params, doseq=True)}")
    try:
        expected = sum(1 for e in events if e.event_type == "Battles")
        assert tab.wait_for_events() == expected
        assert tab.drawn()[0] == expected
        assert tab.dialogs == []
    finally:
        tab.close()


def test_filter_change_changes_the_markers(app, browser, fixture):
    _, events = fixture
    tab = MapPage(browser, app.url)
    try:
        assert tab.wait_for_events() == len(events)
        search = tab.page.get_by_label("Search notes and evidence")
        search.fill("helikopter")
        search.press("Enter")
        # The map is remounted with the filtered events (a new payload, a new iframe).
        tab.wait_for_map_count(1)
        assert tab.drawn() == (1, 1)
        assert re.search(r"1 of \d+ events shown", tab.page.inner_text("body"))
        assert tab.dialogs == []
    finally:
        tab.close()


def test_csv_download_from_the_events_page_follows_the_filter(app, browser, fixture):
    """The CSV a user downloads has ACLED's header and exactly the filtered events."""
    import csv
    import io

    from conflictmap.filters import EventFilter

    _, events = fixture
    params = EventFilter(event_types=("Battles",)).to_query_params()
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/Events?{urlencode(params, doseq=True)}")
        button = page.get_by_role("button", name="Download CSV (ACLED columns)")
        button.wait_for(timeout=60_000)
        page.wait_for_function("""() => !document.querySelector('[data-testid="stStatusWidget"] button')""")
        with page.expect_download(timeout=30_000) as download:
            button.click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert rows and list(rows[0])[:3] == ["event_id_cnty", "event_date", "year"]
        expected = {e.event_id for e in events if e.event_type == "Battles"}
        assert {r["event_id_cnty"] for r in rows} == expected
    finally:
        context.close()


def test_osm_tiles_offline_still_draw_and_only_tiles_try_to_leave(browser, fixture):
    root, events = fixture
    with streamlit_app(PROJECT_DIR / "app.py", _app_env(root, "OpenStreetMap"),
                       root / "streamlit-osm.log") as osm_app:
        tab = MapPage(browser, osm_app.url)
        try:
            assert tab.wait_for_events() == len(events)
            assert tab.drawn()[0] == len(events)
            assert tab.guard.non_tile_requests() == [], tab.guard.blocked
            assert tab.dialogs == []
        finally:
            tab.close()


def text_filter_query(text: str) -> str:
    from conflictmap.filters import EventFilter

    return urlencode(EventFilter(text=text).to_query_params(), doseq=True)


def open_event_review(browser, app, query: str, event_id: str) -> MapPage:
    """The Review page's events tab under the filter `query`, showing `event_id` for editing."""
    review = MapPage(browser, f"{app.url}/Review?{query}")
    review.page.get_by_role("tab", name="Events to review").click()
    review.page.get_by_text(f"Event {event_id}").first.wait_for(timeout=30_000)
    return review


def test_review_correction_moves_the_marker(app, browser, fixture):
    """Correct an event's coordinates on the Review page; the map then draws it at the new place
    (the store's data version changes, so no cached frame or payload can show the old one)."""
    _, events = fixture
    afrin = events[1]
    new_lat, new_lon = 36.2021, 37.1343  # Aleppo
    query = text_filter_query("helikopter")
    review = open_event_review(browser, app, query, afrin.event_id)
    try:
        for label, value in (("Latitude", new_lat), ("Longitude", new_lon)):
            box = review.page.get_by_label(label).filter(visible=True)
            box.fill(str(value))
            box.press("Enter")
        review.page.get_by_role("button", name="Save changes").click()
        review.page.get_by_text(f"of event {afrin.event_id}").first.wait_for(timeout=30_000)
        assert review.dialogs == [] and review.errors == []
    finally:
        review.close()

    tab = MapPage(browser, f"{app.url}/?{query}")
    try:
        tab.wait_for_map_count(1)
        where = tab.frame.locator("body").evaluate("""(_body, id) => {
            const events = window.map.cmEvents;
            let marker = null;
            events.eachLayer(l => { if (events.data.id(l.options.cmIndex) === id) marker = l; });
            return marker && [marker.getLatLng().lat, marker.getLatLng().lng];
        }""", afrin.event_id)
        assert where == pytest.approx([new_lat, new_lon], abs=1e-5)
        text = tab.click_event(afrin.event_id)
        assert "Review: corrected" in text
        assert "Place: Afrin" in text
    finally:
        tab.close()


def test_a_click_on_the_review_map_sets_the_coordinates(app, browser, fixture):
    """Review page: "Pick the location on a map", click a point; the latitude and longitude
    inputs take the clicked point (what Leaflet says is under the mouse), ready to save."""
    _, events = fixture
    hasakah = events[2]  # still in the review queue (the Afrin event is corrected elsewhere)
    review = open_event_review(browser, app, text_filter_query("fängelset"), hasakah.event_id)
    try:
        review.page.get_by_text("Pick the location on a map").click()
        picker = review.page.frame_locator(MAP_FRAME)
        picker.locator(".leaflet-container").wait_for(timeout=30_000)
        # A point 60 px right of and 40 px below the map's centre, and where Leaflet puts it.
        target = picker.locator("body").evaluate("""() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const size = map.getSize();
            const p = L.point(size.x / 2 + 60, size.y / 2 + 40);
            const ll = map.containerPointToLatLng(p);
            return [p.x, p.y, ll.lat, ll.lng];
        }""")
        # Streamlit may still scroll the page after the map appears: measure where it is now.
        review.page.locator(MAP_FRAME).scroll_into_view_if_needed()
        box = review.page.locator(MAP_FRAME).bounding_box()
        review.page.mouse.click(box["x"] + target[0], box["y"] + target[1])
        lat_box = review.page.get_by_label("Latitude").filter(visible=True)
        lon_box = review.page.get_by_label("Longitude").filter(visible=True)
        review.page.wait_for_function(
            """([want]) => [...document.querySelectorAll('input[aria-label="Latitude"]')]
                 .some(i => Math.abs(parseFloat(i.value) - want) < 1e-3)""", arg=[target[2]],
            timeout=30_000)
        assert float(lat_box.input_value()) == pytest.approx(target[2], abs=1e-3)
        assert float(lon_box.input_value()) == pytest.approx(target[3], abs=1e-3)
        # Not where the machine put the prison attack.
        assert abs(float(lon_box.input_value()) - hasakah.lon) > 1e-4
        assert review.dialogs == [] and review.errors == []
    finally:
        review.close()


def test_thousands_of_events_all_counted_and_each_one_reachable(browser):
    """A bare map page (no app) with 3,000 events at 60 places: the bubbles and markers on screen
    add up to every event; zoomed in, a crowded place lists its events and each opens its popup."""
    import numpy as np
    import pandas as pd
    from browser_support import page_server

    rng = np.random.default_rng(11)
    n, sites = 3_000, 60
    site = rng.integers(0, sites, n)
    frame = pd.DataFrame({
        "event_id": [f"cm-{v:016x}" for v in rng.integers(0, 2**63, n)],
        "event_date": pd.to_datetime("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        "event_type": rng.choice(sorted(mapview.EVENT_TYPE_COLORS), n),
        "location": [f"Town {s}" for s in site], "country": "Syria",
        "lat": 33 + (site % 10) * 0.4, "lon": 36 + (site // 10) * 0.4,
        "fatalities": rng.integers(0, 9, n), "evidence": "", "review_status": "machine",
    })
    html = mapview.build_event_map(frame, tiles="none").get_root().render().encode("utf-8")
    with page_server({"/": html}) as base:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        try:
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(base + "/")
            page.wait_for_selector("[data-cm-markers]", state="attached")
            shown = sum(int(t.replace("k", "000")) for t in page.locator(".cm-cluster span").all_inner_texts())
            shown += page.locator("path.cm-event").count()
            assert shown == n
            # The busiest place, at the deepest zoom: its events cannot split, so its bubble lists them.
            busiest = frame["location"].value_counts().index[0]
            count = int((frame["location"] == busiest).sum())
            lat, lon = frame.loc[frame["location"] == busiest, ["lat", "lon"]].iloc[0]
            page.evaluate("([lat, lon]) => { const m = Object.values(window).find(v => v instanceof L.Map);"
                          " m.setView([lat, lon], 18, {animate: false}); }", [float(lat), float(lon)])
            bubble = page.locator(".cm-cluster", has_text=str(count))
            bubble.first.click()
            page.get_by_text(f"{count} events here").wait_for()
            items = page.locator(".cm-list-item")
            assert items.count() == min(count, 25)
            items.nth(2).click()
            popup = page.locator(".leaflet-popup .cm-popup")
            popup.wait_for()
            text = popup.inner_text()
            event_id = text.rsplit("ID: ", 1)[1].strip()
            assert frame.set_index("event_id").loc[event_id, "location"] == busiest
            assert f"Place: {busiest}, Syria" in text
            assert dialogs == []
        finally:
            page.close()
