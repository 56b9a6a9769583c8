"""Streamlit glue (the one core module that imports streamlit): settings + widgets in → cached
Store, shared sidebar EventFilter, filtered event frames, rendered maps and records out.

Pages call one function from here per screen element, so they stay a screenful each.
"""

from __future__ import annotations

import getpass
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from conflictmap import settings
from conflictmap.errors import ConflictMapError
from conflictmap.models import REVIEW_STATUSES, Event

if TYPE_CHECKING:
    from conflictmap.filters import EventFilter, FilterOptions
    from conflictmap.store import Store

# Widget keys of the shared sidebar filters (the same on every page).
_FILTER_KEYS = {
    "dates": "flt_dates",
    "actors": "flt_actors",
    "event_types": "flt_types",
    "sub_event_types": "flt_subtypes",
    "countries": "flt_countries",
    "admin1": "flt_admin1",
    "min_fatalities": "flt_min_fatalities",
    "text": "flt_text",
    "sources": "flt_sources",
    "review_statuses": "flt_review",
}
# The canonical filter of this browser session; widgets are re-seeded from it on every page,
# because Streamlit drops a widget's state when a page without it runs.
_FILTER_STATE = "event_filter"
# Query parameter naming the selected event, kept next to the filter's own parameters.
SELECTED_EVENT_PARAM = "event"

# Columns of the events table, most useful first (the rest stay in the downloads).
TABLE_COLUMNS = [
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
    "country", "fatalities", "review_status", "confidence", "source", "article_title", "event_id",
]

# Markdown punctuation that would turn article text into links, images, emphasis or maths.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~&:])")


def md_escape(text: object) -> str:
    """Any value → Markdown that shows it literally (no links, images, HTML, maths, emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", "  \n")


def current_user() -> str:
    """Name written to the audit log: setting CONFLICTMAP_USER, else the login name."""
    name = settings.get("CONFLICTMAP_USER").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# ---------------------------------------------------------------- cached resources and data


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Store:
    from conflictmap.store import Store

    return Store(url)


def get_store() -> Store:
    """The Store for setting CONFLICTMAP_DB_URL, opened once per process and shared by sessions."""
    return _open_store(settings.get("CONFLICTMAP_DB_URL"))


@st.cache_resource(show_spinner="Loading the gazetteer…")
def get_gazetteer() -> Any:
    """The offline gazetteer index (loaded once per process; never mutate it)."""
    from conflictmap.gazetteer import load_gazetteer

    return load_gazetteer()


@st.cache_resource(show_spinner=False)
def _static_assets_ready() -> bool:
    try:
        from conflictmap.mapview import ensure_static_assets
    except ImportError:
        return False
    ensure_static_assets()
    return True


@st.cache_resource(show_spinner="First start: reading the sample articles…")
def _first_start(url: str, folder: str) -> str:
    """Ingest the sample folder into an empty database once per process; the one-line outcome."""
    from conflictmap.pipeline import ingest_folder_if_empty

    try:
        report = ingest_folder_if_empty(get_store(), Path(folder))
    except ConflictMapError as err:
        return f"error: could not ingest the sample articles: {err}"
    if report is None:
        return ""
    problems = "; ".join(report.problems[:3])
    return (f"Ingested {report.ingested} sample article(s) from {folder} with {report.events} "
            f"event(s)." + (f" Problems: {problems}" if problems else ""))


def first_start_ingest() -> None:
    """On first start with an empty database, ingest CONFLICTMAP_ARTICLES_DIR (with a spinner)."""
    outcome = _first_start(settings.get("CONFLICTMAP_DB_URL"), settings.get("CONFLICTMAP_ARTICLES_DIR"))
    if outcome.startswith("error: "):
        st.error(outcome.removeprefix("error: "))
    elif outcome and not st.session_state.get("_first_start_shown"):
        st.session_state["_first_start_shown"] = True
        st.toast(outcome)


@st.cache_data(max_entries=4, show_spinner=False)
def _all_events(url: str, version: str, _store: Store) -> pd.DataFrame:
    # Keyed by url + data_version: any write to the store gives a new version, so never stale.
    return _store.events_frame()


@st.cache_data(max_entries=4, show_spinner=False)
def _options(url: str, version: str, _store: Store) -> FilterOptions:
    from conflictmap.filters import filter_options

    return filter_options(_all_events(url, version, _store))


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _filtered(url: str, version: str, filter_key: str, _flt: EventFilter, _store: Store) -> pd.DataFrame:
    from conflictmap.filters import apply_filter

    return apply_filter(_all_events(url, version, _store), _flt)


def all_events() -> pd.DataFrame:
    """Every stored event (cached per data version)."""
    store = get_store()
    return _all_events(settings.get("CONFLICTMAP_DB_URL"), store.data_version(), store)


# ---------------------------------------------------------------- shared sidebar filters


def _query_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _filter_from_url() -> EventFilter:
    from conflictmap.filters import EventFilter

    params = _query_params()
    try:
        return EventFilter.from_query_params(params)
    except (ConflictMapError, ValueError) as err:
        st.warning(f"Ignored the filter in the link: {err}")
        return EventFilter()


def _with_current(options: Sequence[str], current: Sequence[str]) -> list[str]:
    """Widget options plus any selected value not in the data (a shared link may name one), so the
    widget can show the selection instead of failing."""
    out = list(dict.fromkeys(str(o) for o in options))
    out += [c for c in current if c not in out]
    return out


def _seed(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _reset_filters() -> None:
    from conflictmap.filters import EventFilter

    for key in _FILTER_KEYS.values():
        st.session_state.pop(key, None)
    st.session_state[_FILTER_STATE] = EventFilter()


def _admin1_options(options: FilterOptions, countries: Sequence[str]) -> list[str]:
    admin1 = options.admin1
    if isinstance(admin1, dict):
        wanted = countries or list(admin1)
        return sorted({a for c in wanted for a in admin1.get(c, ())})
    return list(admin1)


def _date_range(options: FilterOptions, flt: EventFilter) -> tuple[date, date] | None:
    lo, hi = options.min_date, options.max_date
    if lo is None or hi is None:
        return None
    lo, hi = pd.Timestamp(lo).date(), pd.Timestamp(hi).date()
    # A shared link may ask for dates outside today's data; widen the widget rather than fail.
    if flt.date_from is not None:
        lo = min(lo, flt.date_from)
    if flt.date_to is not None:
        hi = max(hi, flt.date_to)
    return lo, hi


def sidebar_filters(options: FilterOptions) -> EventFilter:
    """Draw the shared filters in the sidebar and return the EventFilter they describe.

    The filter is restored from the URL on a session's first run, kept in st.session_state
    across pages, and written back to the URL, so a copied link opens the same view.
    """
    from conflictmap.filters import EventFilter

    if _FILTER_STATE not in st.session_state:
        st.session_state[_FILTER_STATE] = _filter_from_url()
    flt: EventFilter = st.session_state[_FILTER_STATE]
    k = _FILTER_KEYS
    sb = st.sidebar
    sb.header("Filters")

    span = _date_range(options, flt)
    date_from, date_to = None, None
    if span is not None:
        _seed(k["dates"], (flt.date_from or span[0], flt.date_to or span[1]))
        picked = sb.date_input("Date range", min_value=span[0], max_value=span[1], key=k["dates"],
                               format="YYYY-MM-DD")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            # Reaching the ends of the data means "no date filter", so later data is not cut off.
            data_lo = pd.Timestamp(options.min_date).date()
            data_hi = pd.Timestamp(options.max_date).date()
            date_from = None if picked[0] <= data_lo else picked[0]
            date_to = None if picked[1] >= data_hi else picked[1]
        else:  # half-picked range while the user is choosing: keep the previous one
            date_from, date_to = flt.date_from, flt.date_to

    _seed(k["actors"], list(flt.actors))
    actors = sb.multiselect("Actors", _with_current(options.actors, flt.actors), key=k["actors"],
                            placeholder="Any actor (type to search)")
    _seed(k["event_types"], list(flt.event_types))
    types = sb.multiselect("Event types", _with_current(options.event_types, flt.event_types),
                           key=k["event_types"], placeholder="Any type")
    sub_options = [s for t in (types or list(options.sub_event_types))
                   for s in options.sub_event_types.get(t, ())]
    _seed(k["sub_event_types"], list(flt.sub_event_types))
    current_subs = [s for s in st.session_state[k["sub_event_types"]]]
    subs = sb.multiselect("Sub-event types", _with_current(sorted(set(sub_options)), current_subs),
                          key=k["sub_event_types"], placeholder="Any sub-type")
    _seed(k["countries"], list(flt.countries))
    countries = sb.multiselect("Countries", _with_current(options.countries, flt.countries),
                               key=k["countries"], placeholder="Any country")
    _seed(k["admin1"], list(flt.admin1))
    current_admin1 = list(st.session_state[k["admin1"]])
    admin1 = sb.multiselect("Admin1 (province, governorate)",
                            _with_current(_admin1_options(options, countries), current_admin1),
                            key=k["admin1"], placeholder="Any admin1")
    _seed(k["min_fatalities"], int(flt.min_fatalities or 0))
    min_fat = sb.number_input("Minimum fatalities", min_value=0, step=1, key=k["min_fatalities"])
    _seed(k["text"], flt.text)
    text = sb.text_input("Search notes and evidence", key=k["text"])
    _seed(k["sources"], list(flt.sources))
    sources = sb.multiselect("Sources", _with_current(options.sources, flt.sources),
                             key=k["sources"], placeholder="Any source")
    _seed(k["review_statuses"], list(flt.review_statuses))
    statuses = sb.multiselect("Review status", _with_current(REVIEW_STATUSES, flt.review_statuses),
                              key=k["review_statuses"], placeholder="Any status")
    sb.button("Reset filters", on_click=_reset_filters, key="flt_reset")

    flt = EventFilter(
        date_from=date_from, date_to=date_to, actors=tuple(actors), event_types=tuple(types),
        sub_event_types=tuple(subs), countries=tuple(countries), admin1=tuple(admin1),
        min_fatalities=int(min_fat), text=text.strip(), sources=tuple(sources),
        review_statuses=tuple(statuses),
    )
    st.session_state[_FILTER_STATE] = flt
    _sync_url(flt)
    return flt


def _sync_url(flt: EventFilter) -> None:
    """Write the filter (and the selected event) to the URL, leaving it alone when unchanged
    (a needless write would add a browser history entry)."""
    wanted: dict[str, list[str]] = {}
    for key, value in flt.to_query_params().items():
        values = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        if values:
            wanted[key] = values
    selected = st.session_state.get("selected_event")
    if selected:
        wanted[SELECTED_EVENT_PARAM] = [str(selected)]
    if wanted != _query_params():
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})


@dataclass(frozen=True)
class EventView:
    """What every page shows: the filter, the filtered events and how many there are in all."""

    filter: EventFilter
    events: pd.DataFrame
    total: int


def event_view() -> EventView:
    """First-start ingest, sidebar filters, then the filtered events (cached per data version and
    filter) with an "N of M events shown" caption in the sidebar."""
    first_start_ingest()
    store = get_store()
    url, version = settings.get("CONFLICTMAP_DB_URL"), store.data_version()
    if "selected_event" not in st.session_state and SELECTED_EVENT_PARAM in st.query_params:
        st.session_state["selected_event"] = st.query_params[SELECTED_EVENT_PARAM]
    flt = sidebar_filters(_options(url, version, store))
    events = _filtered(url, version, repr(flt), flt, store)
    total = len(_all_events(url, version, store))
    st.sidebar.caption(f"{len(events)} of {total} events shown")
    return EventView(filter=flt, events=events, total=total)


def show_counts(view: EventView) -> None:
    """The "N of M events shown" line (plus fatalities) at the top of a page."""
    fat = pd.to_numeric(view.events.get("fatalities", pd.Series(dtype=float)), errors="coerce").sum()
    st.markdown(f"**{len(view.events)} of {view.total} events shown** · {int(fat)} reported fatalities")


# ---------------------------------------------------------------- map and event record


def _mapview() -> Any:
    try:
        import conflictmap.mapview as mapview
    except ImportError:
        return None
    return mapview


def event_map(frame: pd.DataFrame, *, key: str = "event_map", height: int = 600) -> str | None:
    """Draw the events map (fitted to `frame`); the id of the event the user clicked, if any."""
    mapview = _mapview()
    if mapview is None:
        st.info("The map module is not installed yet; the events are listed below.")
        return None
    _static_assets_ready()
    from streamlit_folium import st_folium

    fmap = mapview.build_event_map(frame, tiles=settings.get("CONFLICTMAP_TILES"),
                                   selected_event_id=st.session_state.get("selected_event"))
    returned = list(getattr(mapview, "CLICK_RETURNED_OBJECTS",
                            ("last_object_clicked_tooltip", "last_object_clicked_popup")))
    # Only click results come back, so panning and zooming never rerun the script.
    result = st_folium(fmap, key=key, returned_objects=returned, use_container_width=True,
                       height=height)
    clicked = mapview.event_id_from_click(result) if result else None
    return str(clicked) if clicked else None


def map_legend() -> None:
    """Event-type colours, as a line of coloured dots (type names are ours, not article text)."""
    mapview = _mapview()
    colors: dict[str, str] = getattr(mapview, "EVENT_TYPE_COLORS", {}) if mapview else {}
    if not colors:
        from conflictmap.charts import event_type_colors

        colors = event_type_colors()
    items = " &nbsp; ".join(
        f'<span style="color:{c}">&#9679;</span> {md_escape(t)}' for t, c in colors.items()
        if re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]+", c))
    st.markdown(items, unsafe_allow_html=True)


def select_event(event_id: str | None) -> None:
    """Remember the selected event for this session (and in the URL on the next run)."""
    if event_id and st.session_state.get("selected_event") != event_id:
        st.session_state["selected_event"] = event_id


def event_row(frame: pd.DataFrame, event_id: str | None) -> pd.Series | None:
    if not event_id or frame.empty:
        return None
    match = frame[frame["event_id"] == event_id]
    return None if match.empty else match.iloc[0]


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def record_table(row: pd.Series) -> pd.DataFrame:
    """One event as a two-column field/value table (all text, shown literally by st.dataframe)."""
    names = [f.name for f in fields(Event)] + ["article_title"]
    keys = [n for n in names if n in row.index]
    return pd.DataFrame({"field": keys, "value": [_fmt(row[k]) for k in keys]})


def show_event_record(row: pd.Series) -> None:
    """The full record of one event; article text goes through st.text / st.dataframe only."""
    st.subheader(f"{md_escape(_fmt(row.get('event_type')))}: {md_escape(_fmt(row.get('location')))}")
    st.caption(md_escape(f"{_fmt(row.get('event_date')) or 'undated'} · {_fmt(row.get('sub_event_type'))}"
                         f" · fatalities {_fmt(row.get('fatalities')) or 'unknown'}"
                         f" · review: {_fmt(row.get('review_status'))}"))
    st.text(_fmt(row.get("evidence")))
    st.dataframe(record_table(row), hide_index=True, use_container_width=True, key="event_record")


# ---------------------------------------------------------------- adding articles and datasets


@dataclass(frozen=True)
class AddOutcome:
    """What happened to one pasted or uploaded article: events added, or the one-line problem."""

    name: str
    events: int = 0
    problem: str = ""
    duplicate: bool = False


def max_upload_bytes() -> int:
    return int(settings.get_float("CONFLICTMAP_MAX_UPLOAD_MB") * 1024 * 1024)


def _save_article(name: str, make: Callable[[], Any]) -> AddOutcome:
    from conflictmap.pipeline import ingest_article

    store = get_store()
    try:
        article = make()
        if store.has_article(article.id):
            return AddOutcome(name, duplicate=True)
        saved = ingest_article(article, store)
    except ConflictMapError as err:
        return AddOutcome(name, problem=str(err))
    return AddOutcome(name, events=int(getattr(saved, "events_added", 0)))


def add_pasted_article(text: str, *, title: str, day: date | None, language: str) -> AddOutcome:
    """Paste form → Article → extraction saved in the store."""
    from conflictmap.ingest import parse_article_text

    name = title.strip() or "pasted text"
    return _save_article(name, lambda: parse_article_text(
        text, name=name, date=day, language=None if language == "auto" else language,
        title=title.strip() or None))


def add_uploaded_articles(files: Sequence[Any], progress: Callable[[int, int], None]) -> list[AddOutcome]:
    """Uploaded article files (Streamlit UploadedFile) → one outcome per file, in order."""
    from conflictmap.ingest import read_article_bytes

    limit = max_upload_bytes()
    out: list[AddOutcome] = []
    for done, upload in enumerate(files, 1):
        if upload.size > limit:
            out.append(AddOutcome(upload.name, problem=(
                f"{upload.name}: {upload.size / 1e6:.1f} MB is over the "
                f"{settings.get('CONFLICTMAP_MAX_UPLOAD_MB')} MB limit (CONFLICTMAP_MAX_UPLOAD_MB)")))
        else:
            data = upload.getvalue()
            out.append(_save_article(upload.name, lambda d=data, n=upload.name: read_article_bytes(d, name=n)))
        progress(done, len(files))
    return out


def import_dataset(upload: Any, kind: str, progress: Callable[[int, int], None]) -> Any:
    """An uploaded ACLED or UCDP CSV → ImportReport (raises ConflictMapError for a bad file)."""
    from conflictmap import datasets

    if upload.size > max_upload_bytes():
        raise ConflictMapError(f"{upload.name} is over the {settings.get('CONFLICTMAP_MAX_UPLOAD_MB')} MB "
                               "limit (CONFLICTMAP_MAX_UPLOAD_MB)")
    importer = datasets.import_acled if kind == "ACLED" else datasets.import_ucdp
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return importer(get_store(), path, progress=progress)


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A st.progress bar and the progress(done, total) callback that advances it."""
    bar = st.progress(0.0, text=label)

    def advance(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{label} {done}/{total}")

    return advance


# ---------------------------------------------------------------- events table and downloads


def download_buttons(frame: pd.DataFrame) -> None:
    """CSV (ACLED columns), GeoJSON and JSON downloads of the filtered events, side by side."""
    from conflictmap.datasets import export_events

    formats = (("csv", "CSV (ACLED columns)", "text/csv"),
               ("geojson", "GeoJSON", "application/geo+json"),
               ("json", "JSON", "application/json"))
    for col, (fmt, label, mime) in zip(st.columns(len(formats)), formats, strict=True):
        col.download_button(f"Download {label}", data=export_events(frame, fmt),
                            file_name=f"conflictmap-events.{fmt}", mime=mime, key=f"download_{fmt}",
                            on_click="ignore", disabled=frame.empty)


def events_table(frame: pd.DataFrame) -> str | None:
    """The events as a sortable table (search is in the table's toolbar); the selected row's id."""
    columns = [c for c in TABLE_COLUMNS if c in frame.columns]
    state = st.dataframe(
        frame[columns], hide_index=True, use_container_width=True, key="events_table",
        on_select="rerun", selection_mode="single-row",
        column_config={
            "event_date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
            "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0),
            "fatalities": st.column_config.NumberColumn("fatalities", format="%d"),
        },
    )
    rows = state.selection.rows if state is not None else []
    if not rows or rows[0] >= len(frame):
        return None
    return str(frame.iloc[rows[0]]["event_id"])


def open_article(article_id: str) -> None:
    """Go to the Articles page showing this article."""
    st.session_state["article_id"] = article_id
    st.switch_page("pages/3_Articles.py")


# ---------------------------------------------------------------- articles page


def _show_outcomes(outcomes: Sequence[AddOutcome]) -> None:
    for out in outcomes:
        if out.problem:
            st.error(out.problem)
        elif out.duplicate:
            st.info(f"{out.name}: already in the database, nothing added.")
        else:
            st.success(f"{out.name}: added with {out.events} event(s).")


def articles_table() -> str | None:
    """Every ingested article as a table; the id of the selected (or previously opened) article."""
    frame = get_store().articles_frame()
    if frame.empty:
        st.info("No articles yet: add some below.")
        return None
    state = st.dataframe(frame, hide_index=True, use_container_width=True, key="articles_table",
                         on_select="rerun", selection_mode="single-row")
    rows = state.selection.rows if state is not None else []
    id_column = "article_id" if "article_id" in frame.columns else "id"
    if rows and rows[0] < len(frame):
        st.session_state["article_id"] = str(frame.iloc[rows[0]][id_column])
    return st.session_state.get("article_id")


def show_article(article_id: str) -> None:
    """One article: title, metadata, body with place mentions highlighted, and its events."""
    from conflictmap.articleview import article_html

    stored = get_store().get_article(article_id)
    if stored is None:
        st.warning("That article is no longer in the database.")
        return
    art = stored.article
    st.subheader(md_escape(art.title))
    st.caption(md_escape(" · ".join(x for x in (
        art.date.isoformat() if art.date else "undated", art.language, art.source, art.url or "") if x)))
    # article_html escapes every piece of article text; st.html does no Markdown processing.
    st.html(article_html(art, stored.places))
    st.markdown(f"**{len(stored.events)} event(s) coded from this article**")
    if stored.events:
        events = pd.DataFrame([e.to_json() for e in stored.events])
        st.dataframe(events[[c for c in TABLE_COLUMNS if c in events.columns]], hide_index=True,
                     use_container_width=True, key="article_events")


def paste_form() -> None:
    """Add an article by pasting its text (title, date and language optional)."""
    with st.form("paste_article", clear_on_submit=False):
        title = st.text_input("Title", key="paste_title")
        day = st.date_input("Publication date (relative dates in the text count from it)", value=None,
                            key="paste_date", format="YYYY-MM-DD")
        language = st.selectbox("Language", ["auto", "sv", "en", "ar", "fr", "de", "es", "ru", "uk"],
                                key="paste_language")
        text = st.text_area("Article text", height=220, key="paste_text")
        submitted = st.form_submit_button("Add article")
    if submitted:
        if not text.strip():
            st.error("Paste the article's text first.")
        else:
            with st.spinner("Finding places and events…"):
                _show_outcomes([add_pasted_article(text, title=title, day=day, language=language)])


def upload_form() -> None:
    """Add article files (.txt, .md, .html; several at once) with a progress bar."""
    files = st.file_uploader(
        f"Article files (.txt, .md, .html; up to {settings.get('CONFLICTMAP_MAX_UPLOAD_MB')} MB each)",
        type=["txt", "md", "markdown", "html", "htm"], accept_multiple_files=True, key="article_files")
    if files and st.button(f"Add {len(files)} file(s)", key="add_files"):
        _show_outcomes(add_uploaded_articles(files, progress_bar("Reading articles…")))


def online_form() -> None:
    """Add from a URL or an RSS/Atom feed, only when the network is allowed by setting."""
    if not settings.get_bool("CONFLICTMAP_ALLOW_NETWORK"):
        st.info("Adding articles from a URL or an RSS/Atom feed needs the network: start the app with "
                "CONFLICTMAP_ALLOW_NETWORK=1 to turn it on.")
        return
    from conflictmap import ingest

    url = st.text_input("Article URL or RSS/Atom feed URL", key="online_url")
    if not (url and st.button("Fetch and add", key="fetch_url")):
        return
    fetch_feed = getattr(ingest, "fetch_feed", None)
    fetch_url = getattr(ingest, "fetch_url", None)
    if fetch_url is None:
        st.error("Fetching URLs is not available in this version of the ingest module.")
        return
    with st.spinner("Fetching…"):
        try:
            articles = list(fetch_feed(url)) if fetch_feed and re.search(r"(rss|atom|feed)", url, re.I) \
                else [fetch_url(url)]
        except ConflictMapError as err:
            st.error(str(err))
            return
        _show_outcomes([_save_article(a.title, lambda a=a: a) for a in articles])


def dataset_form() -> None:
    """Import an ACLED or UCDP GED CSV export and show the import report."""
    kind = st.radio("Dataset", ["ACLED", "UCDP"], horizontal=True, key="dataset_kind")
    upload = st.file_uploader(f"{kind} CSV export", type=["csv"], key="dataset_file")
    if upload is None or not st.button(f"Import {kind} file", key="import_dataset"):
        return
    try:
        report = import_dataset(upload, kind, progress_bar("Importing rows…"))
    except ConflictMapError as err:
        st.error(str(err))
        return
    st.success(md_escape(report.summary() if hasattr(report, "summary") else str(report)))
    problems = list(getattr(report, "problems", []) or [])
    if problems:
        st.dataframe(pd.DataFrame({"problem": [str(p) for p in problems]}), hide_index=True,
                     key="import_problems")
