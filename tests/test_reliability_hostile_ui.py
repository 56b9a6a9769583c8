"""Hostile text in every display path but the map popup: payloads from tests/hostile.py in the
fixture database → the Events table, the clicked-event record, the article view, the Timeline
charts and the Review page show them literally and never as markup (AppTest, element protos),
and one real browser visits every page with them and sees no dialog and the literal text.

The map popup has its own browser test (tests/test_browser.py).
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hostile import XSS_PAYLOADS
from streamlit.testing.v1 import AppTest

from conflictmap.models import Article, Candidate, Event, Extraction, Mention, Place
from conflictmap.store import Store

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = PROJECT_DIR / "app.py"
TIMEOUT = 60

pytestmark = pytest.mark.timeout(300)

# The unresolved place name on the Review page: a payload standing where a town name would.
HOSTILE_PLACE = XSS_PAYLOADS[0]


# ---------------------------------------------------------------- fixture database


def fill_hostile(store: Store) -> dict[str, tuple[str, str]]:
    """One article per payload (title, body, source) with one event whose every text field is the
    payload, plus an unresolved mention named by a payload. Returns payload → (article_id, event_id)."""
    out: dict[str, tuple[str, str]] = {}
    for i, payload in enumerate(XSS_PAYLOADS):
        body = f"Clashes in Kyiv on Tuesday. {payload} Fighting near {HOSTILE_PLACE} too."
        article = Article(title=payload, body=body, date=date(2022, 3, 1 + i), language="en", source=payload,
                          url="https://example.org/a" + str(i))
        kyiv_at = body.index("Kyiv")
        kyiv = Place(Mention("Kyiv", kyiv_at, kyiv_at + 4),
                     Candidate("gn:703448", "Kyiv", 50.45, 30.52, "UA", "city", admin1=payload), confidence=0.9)
        places = [kyiv]
        if i == 0:  # one unresolved mention whose name and candidates are hostile, for the Review page
            at = body.rindex(HOSTILE_PLACE)
            alt = Candidate("gn:1", payload, 10.0, 10.0, "NG", "village", admin1=payload)
            places.append(Place(Mention(HOSTILE_PLACE, at, at + len(HOSTILE_PLACE), candidates=(alt,)),
                                None, alternatives=(alt,)))
        event = Event(event_date=date(2022, 3, 1 + i), time_precision=1, event_type="Battles",
                      sub_event_type="Armed clash", actor1=payload, actor2=f"Other {payload}",
                      location=payload, lat=50.0 + i / 10, lon=30.5, geo_precision=1, evidence=payload,
                      country=payload, iso="UA", admin1=payload, notes=payload, source=payload,
                      article_id=article.id, actors=[payload, f"Other {payload}"],
                      confidence=0.1 + i / 100, fatalities=i)
        store.save_extraction(Extraction(article, tuple(places), (event,)))
        out[payload] = (article.id, event.event_id)
    return out


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, str]]:
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'hostile.sqlite'}")
    monkeypatch.setenv("CONFLICTMAP_ARTICLES_DIR", str(tmp_path / "no-articles"))
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    monkeypatch.setenv("CONFLICTMAP_USER", "tester")
    store = Store()
    try:
        return fill_hostile(store)
    finally:
        store.close()


# ---------------------------------------------------------------- what "literal" means


# Characters that change what Markdown (CommonMark + GFM + Streamlit's directives and maths) shows:
# each must reach a Markdown body backslash-escaped.
_MD_ACTIVE = set("<>[]()`*_$\\:~|")


def markdown_literal(payload: str) -> re.Pattern[str]:
    """The shape `payload` must take inside a Markdown body to render as exactly its own text:
    every Markdown-active character backslash-escaped, other punctuation escaped or not."""
    parts = []
    for ch in payload:
        if ch in _MD_ACTIVE:
            parts.append(re.escape("\\" + ch))
        elif ch.isascii() and not ch.isalnum() and not ch.isspace():
            parts.append(r"\\?" + re.escape(ch))
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


# Fragments that only a payload puts on a page; a Markdown body holding one holds a payload.
_PAYLOAD_MARKS = ("onerror", "alert", "onload", "7*7", "backslash-digit", "backtick", "**bold**")
_RAW_MARKUP = re.compile(r"(?<!\\)<\s*/?\s*(img|script|svg|iframe)|(?<!\\)\]\(\s*javascript", re.IGNORECASE)

_MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "success", "info", "warning",
                   "error", "exception")


def markdown_bodies(at: AppTest) -> list[tuple[str, str, bool]]:
    """(kind, Markdown body, allow_html) of every element that Streamlit renders as Markdown."""
    out = []
    for kind in _MARKDOWN_KINDS:
        for el in at.get(kind):
            body = getattr(el.proto, "body", None) or getattr(el.proto, "message", "") or ""
            out.append((kind, body, bool(getattr(el.proto, "allow_html", False))))
    return out


def assert_markdown_literal(at: AppTest, expected: tuple[str, ...]) -> int:
    """Every Markdown body that carries payload text carries it escaped; returns how many payloads
    (of `expected`) were found shown that way. Raw markup in any Markdown body fails."""
    found = set()
    for kind, body, allow_html in markdown_bodies(at):
        assert not _RAW_MARKUP.search(body), f"raw markup reaches {kind}: {body!r}"
        if not any(mark in body.replace("\\", "") for mark in _PAYLOAD_MARKS):
            continue
        assert not allow_html, f"{kind} with unsafe_allow_html carries article text: {body!r}"
        hits = [p for p in expected if markdown_literal(p).search(body)]
        assert hits, f"{kind} shows payload text that is not escaped as a whole: {body!r}"
        found.update(hits)
    return len(found)


class MarkupAudit(HTMLParser):
    """Tags, attributes and text of an HTML fragment, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def audit_html(fragment: str) -> MarkupAudit:
    parser = MarkupAudit()
    parser.feed(fragment)
    parser.close()
    return parser


def frame_with(at: AppTest, *columns: str):  # noqa: ANN201 - a pandas DataFrame
    """The first table on the page with these columns (display-only tables carry no key)."""
    for table in at.dataframe:
        value = table.value
        if set(columns) <= set(value.columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- AppTest: every display path


def test_events_table_shows_payloads_as_data(hostile_db: dict[str, tuple[str, str]]) -> None:
    at = _run(_app())
    at.switch_page("pages/1_Events.py")
    _run(at)
    table = at.dataframe(key="events_table").value
    assert len(table) == len(XSS_PAYLOADS)
    # The grid draws cell text on a canvas: the cells must hold the exact text, unescaped.
    for column in ("actor1", "location", "admin1", "country", "source", "article_title"):
        assert set(table[column]) == set(XSS_PAYLOADS), column
    assert set(table["actor2"]) == {f"Other {p}" for p in XSS_PAYLOADS}
    assert_markdown_literal(at, XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_clicked_event_record_beside_the_map_is_literal(hostile_db: dict[str, tuple[str, str]],
                                                       payload: str) -> None:
    _, event_id = hostile_db[payload]
    at = _run(_app())
    at.session_state["event_map"] = {"last_object_clicked_popup": f"whatever ID: {event_id}"}
    _run(at)
    # The evidence goes through st.text (no Markdown at all) verbatim.
    assert payload in [t.value for t in at.text]
    record = frame_with(at, "field", "value")
    values = dict(zip(record["field"], record["value"], strict=True))
    assert values["event_id"] == event_id
    for field in ("actor1", "location", "admin1", "country", "notes", "source", "evidence", "article_title"):
        assert values[field] == payload, field
    # The heading names type and location: the location must be escaped there.
    heading = [b for kind, b, _ in markdown_bodies(at) if kind == "subheader"]
    assert heading and markdown_literal(payload).search(heading[0]), heading
    assert assert_markdown_literal(at, XSS_PAYLOADS) >= 1


def test_selected_event_from_a_shared_link_is_literal(hostile_db: dict[str, tuple[str, str]]) -> None:
    _, event_id = hostile_db[XSS_PAYLOADS[2]]
    at = _app()
    at.query_params["event"] = event_id
    _run(at)
    record = frame_with(at, "field", "value")
    assert dict(zip(record["field"], record["value"], strict=True))["location"] == XSS_PAYLOADS[2]
    assert assert_markdown_literal(at, XSS_PAYLOADS) >= 1


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_article_view_with_highlights_escapes_every_payload(hostile_db: dict[str, tuple[str, str]],
                                                            payload: str) -> None:
    article_id, _ = hostile_db[payload]
    at = _run(_app())
    at.switch_page("pages/3_Articles.py")
    _run(at)
    titles = set(at.dataframe(key="articles_table").value["title"])
    assert titles == set(XSS_PAYLOADS)
    at.session_state["article_id"] = article_id
    _run(at)
    fragments = [h.proto.body for h in at.get("html")]
    assert len(fragments) == 1
    audit = audit_html(fragments[0])
    # Only the highlighter's own markup; no script, no handler, no link or source attribute.
    assert audit.tags <= {"style", "div", "mark", "br"}, audit.tags
    assert all(not k.startswith("on") and k not in ("href", "src", "srcdoc") for k, _ in audit.attrs)
    shown = "".join(audit.text)
    assert payload in shown  # the reader sees the text itself
    assert "Kyiv" in shown and ('class', 'cm-place cm-resolved') in audit.attrs
    if payload == HOSTILE_PLACE:
        assert ('class', 'cm-place cm-unresolved') in audit.attrs
    # Title (subheader) and source (caption) go through Markdown: escaped.
    assert assert_markdown_literal(at, XSS_PAYLOADS) >= 1
    subheaders = [b for kind, b, _ in markdown_bodies(at) if kind == "subheader"]
    assert any(markdown_literal(payload).search(b) for b in subheaders), subheaders
    events = frame_with(at, "actor1", "event_id")
    assert list(events["actor1"]) == [payload] and list(events["location"]) == [payload]


def _chart_rows(chart: object) -> list[dict[str, object]]:
    import pyarrow as pa

    rows: list[dict[str, object]] = []
    proto = chart.proto  # type: ignore[attr-defined]
    for dataset in proto.datasets:
        rows += pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all().to_pylist()
    if proto.HasField("data") and proto.data.data:
        rows += pa.ipc.open_stream(io.BytesIO(proto.data.data)).read_all().to_pylist()
    return rows


def test_timeline_chart_labels_are_data_not_markup(hostile_db: dict[str, tuple[str, str]]) -> None:
    at = _run(_app())
    at.switch_page("pages/2_Timeline.py")
    _run(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4
    labels: set[str] = set()
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        # Titles are ours; article text only ever enters as data values, which Vega draws as text.
        assert not any(mark in json.dumps(spec) for mark in _PAYLOAD_MARKS), spec
        for row in _chart_rows(chart):
            labels.update(str(v) for v in row.values() if isinstance(v, str))
    assert set(XSS_PAYLOADS) <= labels  # actors, places and countries, unmangled
    assert_markdown_literal(at, XSS_PAYLOADS)


def test_review_page_shows_payloads_literally(hostile_db: dict[str, tuple[str, str]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictmap import ui

    class NoGazetteer:
        def search(self, query: str, limit: int = 20) -> list[Candidate]:
            return []

    monkeypatch.setattr(ui, "get_gazetteer", lambda: NoGazetteer())
    at = _run(_app())
    at.switch_page("pages/4_Review.py")
    _run(at)
    # Unresolved places: the hostile name in the heading (escaped) and the table / pick list (as data).
    queue = at.dataframe(key="places_queue").value
    assert list(queue["name"]) == [HOSTILE_PLACE]
    heads = [b for _, b, _ in markdown_bodies(at) if b.startswith("**Resolve")]
    assert heads and markdown_literal(HOSTILE_PLACE).search(heads[0]), heads
    pick = at.selectbox(key="place_pick")
    assert any(HOSTILE_PLACE in str(opt) for opt in pick.options), pick.options
    # Events to review: least confident first, i.e. the first payload's event.
    first_id = hostile_db[XSS_PAYLOADS[0]][1]
    assert at.text_input(key=f"ed_loc_{first_id}").value == XSS_PAYLOADS[0]
    assert at.text_input(key=f"ed_actors_{first_id}").value.split(";")[0].strip() == XSS_PAYLOADS[0]
    assert XSS_PAYLOADS[0] in [t.value for t in at.text]
    assert set(at.dataframe(key="events_table").value["location"]) == set(XSS_PAYLOADS)
    assert_markdown_literal(at, XSS_PAYLOADS)

    # Saving a correction for the hostile name flashes a message naming it: escaped too.
    at.radio(key="place_how").set_value("coordinates")
    _run(at)
    at.number_input(key="place_lat").set_value(12.5)
    at.number_input(key="place_lon").set_value(8.25)
    at.text_input(key="place_cc").input("NG")
    at.button(key="save_place").click()
    _run(at)
    flashes = [s.value for s in at.success]
    assert any(markdown_literal(HOSTILE_PLACE).search(s) for s in flashes), flashes
    assert_markdown_literal(at, XSS_PAYLOADS)


def test_every_markdown_body_on_every_page_is_escaped(hostile_db: dict[str, tuple[str, str]]) -> None:
    """A sweep: whatever else a page adds later, no payload reaches Markdown unescaped."""
    at = _run(_app())
    assert_markdown_literal(at, XSS_PAYLOADS)
    for page in sorted((PROJECT_DIR / "pages").glob("*.py")):
        at.switch_page(f"pages/{page.name}")
        _run(at)
        assert_markdown_literal(at, XSS_PAYLOADS)
        for fragment in (h.proto.body for h in at.get("html")):
            audit = audit_html(fragment)
            assert "script" not in audit.tags and not any(k.startswith("on") for k, _ in audit.attrs)


def test_literal_checks_catch_unescaped_text() -> None:
    """The checks above fail on what they must catch (a check that cannot fail proves nothing)."""
    from conflictmap.ui import md_escape

    for payload in XSS_PAYLOADS:
        assert markdown_literal(payload).search(md_escape(payload)), payload
    assert not markdown_literal(XSS_PAYLOADS[0]).search(XSS_PAYLOADS[0])
    assert not markdown_literal(XSS_PAYLOADS[9]).search(XSS_PAYLOADS[9])
    assert _RAW_MARKUP.search("x <img src=x onerror=alert(1)>")
    assert not _RAW_MARKUP.search(md_escape("x <img src=x onerror=alert(1)>"))
    assert "script" in audit_html("<div><script>alert(1)</script></div>").tags
    assert "".join(audit_html(html.escape(XSS_PAYLOADS[1])).text) == XSS_PAYLOADS[1]


# ---------------------------------------------------------------- one real browser, every page

_IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"] button')
            && !document.querySelector('[data-testid="stSkeleton"]')"""


def _require_browser() -> None:
    from browser_support import require_browser

    require_browser()


def _shown_as_label(payload: str, labels: list[str]) -> bool:
    """Vega shortens long axis labels with an ellipsis: a label is the payload or its prefix + '…'."""
    return any(lab == payload or (lab.endswith("…") and payload.startswith(lab[:-1]) and len(lab) > 8)
               for lab in labels)


def _main_text(page) -> str:  # noqa: ANN001 - playwright Page
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.browser
def test_browser_every_page_shows_hostile_text_literally_and_runs_none(tmp_path: Path) -> None:
    _require_browser()
    from browser_support import NetworkGuard, chromium_browser, streamlit_app

    from conflictmap import mapview

    db = tmp_path / "hostile.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        ids = fill_hostile(store)
    finally:
        store.close()
    mapview.ensure_static_assets()
    env = {"CONFLICTMAP_DB_URL": f"sqlite:///{db}", "CONFLICTMAP_ARTICLES_DIR": str(tmp_path / "none"),
           "CONFLICTMAP_CACHE_DIR": str(tmp_path / "cache"), "CONFLICTMAP_TILES": "none",
           "CONFLICTMAP_ALLOW_NETWORK": "0", "HOME": str(tmp_path / "home")}
    with streamlit_app(APP, env, tmp_path / "streamlit.log") as app, \
            chromium_browser(tmp_path / "chromium-home") as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 950})
        guard = NetworkGuard()
        context.route("**/*", guard.handle)
        page = context.new_page()
        page.set_default_timeout(30_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))

        # Map page, event chosen by a shared link: its record beside the map.
        chosen = XSS_PAYLOADS[2]
        page.goto(f"{app.url}/?event={ids[chosen][1]}")
        page.locator('[data-testid="stText"]', has_text=chosen).wait_for()
        page.wait_for_function(_IDLE)
        heading = page.locator('[data-testid="stHeading"]', has_text="Battles:").inner_text()
        assert chosen in heading, heading

        # Events page: every payload in the grid's cells, as text.
        page.goto(f"{app.url}/Events")
        page.locator('[data-testid="stDataFrame"] td[role="gridcell"]').first.wait_for(state="attached")
        page.wait_for_function(_IDLE)
        cells = page.locator('[data-testid="stDataFrame"] td[role="gridcell"]').all_text_contents()
        assert set(XSS_PAYLOADS) <= set(cells), set(XSS_PAYLOADS) - set(cells)
        # Select the first row (its row marker), read its record, open its article.
        grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        assert grid is not None
        page.mouse.click(grid["x"] + 20, grid["y"] + 35 + 17)
        open_article = page.get_by_role("button", name="Open its article")
        open_article.wait_for()
        page.wait_for_function(_IDLE)
        record = page.locator('[data-testid="stHeading"]', has_text="Battles:").inner_text()
        picked = next(p for p in XSS_PAYLOADS if record.endswith(p))
        open_article.click()

        # Articles page: the article with its highlighted mentions.
        article = page.locator(".cm-article")
        article.wait_for()
        page.wait_for_function(_IDLE)
        assert picked in article.inner_text()
        assert article.locator("mark.cm-resolved", has_text="Kyiv").count() == 1
        assert article.locator("img, script, svg, iframe, a").count() == 0
        assert picked in page.locator('[data-testid="stHeading"]').all_inner_texts()[-1]

        # Timeline: chart labels drawn as SVG text, never as elements.
        page.goto(f"{app.url}/Timeline")
        page.locator(".vega-embed svg").nth(3).wait_for()
        page.wait_for_function(_IDLE)
        labels = page.locator(".vega-embed svg text").all_text_contents()
        missing = [p for p in XSS_PAYLOADS if not _shown_as_label(p, labels)]
        assert not missing, (missing, labels)
        assert page.locator(".vega-embed").locator("img, script, iframe, foreignObject").count() == 0
        # Tooltips (Vega's HTML tooltip handler): hover every bar of the places chart.
        tooltip = page.locator("#vg-tooltip-element")
        values: set[str] = set()
        bars = page.locator(".vega-embed").nth(3).locator("g.mark-rect path")
        shown_before = ""
        for i in range(bars.count()):
            bars.nth(i).hover(force=True)
            # Each bar is another country, so its tooltip differs from the one before.
            page.wait_for_function(
                """(before) => { const t = document.getElementById('vg-tooltip-element');
                                 return !!t && !!t.querySelector('td.value') && t.innerText !== before; }""",
                arg=shown_before)
            shown_before = tooltip.inner_text()
            values.update(tooltip.locator("td.value").all_inner_texts())
            assert tooltip.locator("img, script, svg, iframe, a").count() == 0
        assert set(XSS_PAYLOADS) <= values, set(XSS_PAYLOADS) - values

        # Review page: the hostile unresolved name and the least confident event's fields.
        page.goto(f"{app.url}/Review")
        page.get_by_text(f"Resolve “{HOSTILE_PLACE}”").wait_for()
        page.wait_for_function(_IDLE)
        assert page.get_by_label("Location", exact=True).input_value() == XSS_PAYLOADS[0]
        assert XSS_PAYLOADS[0] in page.locator('[data-testid="stText"]').all_inner_texts()
        text = _main_text(page)

        assert not dialogs, dialogs
        assert not guard.non_tile_requests(), guard.non_tile_requests()
        assert "onerror" in text  # the payload is on the page as text, shown to the reader
        assert "Traceback" not in app.log()
