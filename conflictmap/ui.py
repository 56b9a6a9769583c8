"""Streamlit glue (the one core module that imports streamlit): settings + widgets in → cached
Store, shared sidebar EventFilter, filtered event frames, rendered maps and records out.

Pages call one function from here per screen element, so they stay a screenful each.
"""

from __future__ import annotations

import getpass
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import streamlit as st

from conflictmap import settings
from conflictmap.errors import ConflictMapError, StoreError
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

ARTICLE_COLUMNS = ["title", "date", "language", "source", "events", "places", "unresolved",
                   "ingested_at", "id"]

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


@st.cache_resource(show_spinner=False)
def _first_start_lock(url: str) -> threading.Lock:
    # Sessions starting together must not both ingest the sample folder.
    return threading.Lock()


def first_start_ingest() -> None:
    """On first start with an empty database, ingest CONFLICTMAP_ARTICLES_DIR (with a spinner).

    Checked once per browser session (one count query); only the session that ingests says so.
    """
    if st.session_state.get("_first_start_checked"):
        return
    st.session_state["_first_start_checked"] = True
    from conflictmap.pipeline import ingest_folder_if_empty

    url, folder = settings.get("CONFLICTMAP_DB_URL"), Path(settings.get("CONFLICTMAP_ARTICLES_DIR"))
    with _first_start_lock(url), st.spinner("First start: building the place-name index (once, about 15-40 s) and reading the sample articles…"):
        try:
            report = ingest_folder_if_empty(get_store(), folder)
        except ConflictMapError as err:
            st.error(f"Could not ingest the sample articles in {folder}: {err}")
            return
    if report is not None:
        problems = "; ".join(report.problems[:3])
        st.toast(f"First start: ingested {report.ingested} sample article(s) from {folder} with "
                 f"{report.events} event(s)." + (f" Problems: {problems}" if problems else ""))


@st.cache_resource(max_entries=2, show_spinner=False)
def _all_events(url: str, version: str, _store: Store) -> pd.DataFrame:
    # Keyed by url + data_version: any write to the store gives a new version, so never stale.
    # A resource, not cache_data: pickling a million-row frame on every rerun costs more than the
    # filter itself. Shared by every session, so nobody may mutate it (apply_filter copies).
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


def _reset_filters() -> None:
    from conflictmap.filters import EventFilter

    st.session_state[_FILTER_STATE] = EventFilter()


def _admin1_options(options: FilterOptions, countries: Sequence[str]) -> list[str]:
    """Admin1 names of the chosen countries (all admin1 names when no country is chosen)."""
    if not countries:
        return list(options.admin1)
    return sorted({a for c in countries for a in options.admin1_by_country.get(c, ())})


# The data's date span, remembered for the widget callbacks (which run before the script).
_DATA_SPAN = "_flt_data_span"


def _date_span(options: FilterOptions) -> tuple[date, date] | None:
    if options.min_date is None or options.max_date is None:
        return None
    return pd.Timestamp(options.min_date).date(), pd.Timestamp(options.max_date).date()


def _filter_from_widgets() -> EventFilter:
    """The EventFilter the sidebar widgets (in st.session_state) describe right now."""
    from conflictmap.filters import EventFilter

    state, k = st.session_state, _FILTER_KEYS
    previous: EventFilter = state.get(_FILTER_STATE) or EventFilter()
    date_from, date_to = previous.date_from, previous.date_to
    picked = state.get(k["dates"])
    span = state.get(_DATA_SPAN)
    if isinstance(picked, (tuple, list)) and len(picked) == 2 and span is not None:
        # Reaching the ends of the data means "no date filter", so later data is not cut off.
        date_from = None if picked[0] <= span[0] else picked[0]
        date_to = None if picked[1] >= span[1] else picked[1]

    def chosen(name: str) -> tuple[str, ...]:
        return tuple(state.get(k[name]) or ())

    return EventFilter(
        date_from=date_from, date_to=date_to, actors=chosen("actors"),
        event_types=chosen("event_types"), sub_event_types=chosen("sub_event_types"),
        countries=chosen("countries"), admin1=chosen("admin1"),
        min_fatalities=int(state.get(k["min_fatalities"]) or 0),
        text=str(state.get(k["text"]) or "").strip(), sources=chosen("sources"),
        review_statuses=chosen("review_statuses"),
    )


def _remember_filter() -> None:
    """Widget callback: a changed widget updates the session's canonical filter first."""
    st.session_state[_FILTER_STATE] = _filter_from_widgets()


def _seed_widgets(flt: EventFilter, span: tuple[date, date] | None) -> None:
    """Set every filter widget from the canonical filter before it is drawn. Streamlit forgets a
    widget's value when another page runs, so this is what carries filters across pages."""
    state, k = st.session_state, _FILTER_KEYS
    if span is not None:
        picked = state.get(k["dates"])
        half_picked = isinstance(picked, (tuple, list)) and len(picked) == 1
        if not half_picked:  # the user is between the two clicks of a range: leave it
            state[k["dates"]] = (flt.date_from or span[0], flt.date_to or span[1])
    for name in ("actors", "event_types", "sub_event_types", "countries", "admin1", "sources",
                 "review_statuses"):
        state[k[name]] = list(getattr(flt, name))
    state[k["min_fatalities"]] = int(flt.min_fatalities or 0)
    state[k["text"]] = flt.text


def sidebar_filters(options: FilterOptions) -> EventFilter:
    """Draw the shared filters in the sidebar and return the EventFilter they describe.

    The filter is restored from the URL on a session's first run, kept in st.session_state
    across pages, and written back to the URL, so a copied link opens the same view.
    """
    if _FILTER_STATE not in st.session_state:
        st.session_state[_FILTER_STATE] = _filter_from_url()
    flt: EventFilter = st.session_state[_FILTER_STATE]
    data_span = _date_span(options)
    st.session_state[_DATA_SPAN] = data_span
    # A shared link may ask for dates outside today's data; widen the widget rather than fail.
    span = None if data_span is None else (
        min(data_span[0], flt.date_from or data_span[0]), max(data_span[1], flt.date_to or data_span[1]))
    _seed_widgets(flt, span)
    k, sb, changed = _FILTER_KEYS, st.sidebar, _remember_filter
    sb.header("Filters")
    if span is not None:
        sb.date_input("Date range", min_value=span[0], max_value=span[1], key=k["dates"],
                      format="YYYY-MM-DD", on_change=changed)
    sb.multiselect("Actors", _with_current(options.actors, flt.actors), key=k["actors"],
                   placeholder="Any actor (type to search)", on_change=changed)
    sb.multiselect("Event types", _with_current(options.event_types, flt.event_types),
                   key=k["event_types"], placeholder="Any type", on_change=changed)
    sub_options = [s for t in (flt.event_types or list(options.sub_event_types))
                   for s in options.sub_event_types.get(t, ())]
    sb.multiselect("Sub-event types", _with_current(sorted(set(sub_options)), flt.sub_event_types),
                   key=k["sub_event_types"], placeholder="Any sub-type", on_change=changed)
    sb.multiselect("Countries", _with_current(options.countries, flt.countries),
                   key=k["countries"], placeholder="Any country", on_change=changed)
    sb.multiselect("Admin1 (province, governorate)",
                   _with_current(_admin1_options(options, flt.countries), flt.admin1),
                   key=k["admin1"], placeholder="Any admin1", on_change=changed)
    sb.number_input("Minimum fatalities", min_value=0, step=1, key=k["min_fatalities"],
                    on_change=changed)
    sb.text_input("Search notes and evidence", key=k["text"], on_change=changed)
    sb.multiselect("Sources", _with_current(options.sources, flt.sources), key=k["sources"],
                   placeholder="Any source", on_change=changed)
    sb.multiselect("Review status", _with_current(REVIEW_STATUSES, flt.review_statuses),
                   key=k["review_statuses"], placeholder="Any status", on_change=changed)
    sb.button("Reset filters", on_click=_reset_filters, key="flt_reset")
    flt = _filter_from_widgets()
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
    key: str = ""  # database + data version + filter: identifies `events` for caches downstream


def event_view() -> EventView:
    """First-start ingest, sidebar filters, then the filtered events (cached per data version and
    filter) with an "N of M events shown" caption in the sidebar."""
    first_start_ingest()
    store = get_store()
    url, version = settings.get("CONFLICTMAP_DB_URL"), store.data_version()
    if "selected_event" not in st.session_state and SELECTED_EVENT_PARAM in st.query_params:
        select_event(st.query_params[SELECTED_EVENT_PARAM])
    flt = sidebar_filters(_options(url, version, store))
    events = _filtered(url, version, repr(flt), flt, store)
    total = len(_all_events(url, version, store))
    st.sidebar.caption(f"{len(events)} of {total} events shown")
    return EventView(filter=flt, events=events, total=total, key=f"{url}|{version}|{flt!r}")


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


def _take_click(mapview: Any, result: object) -> None:
    """Select the event of a new map click (the same click value is seen on every later run)."""
    clicked = mapview.event_id_from_click(result) if isinstance(result, dict) else None
    if clicked and _is_new_click("_map_click_seen", repr(result)):
        select_event(str(clicked), from_map=True)


def _is_new_click(seen_key: str, value: object) -> bool:
    """st_folium returns the last click again on every later run: only a new value counts."""
    if st.session_state.get(seen_key) == value:
        return False
    st.session_state[seen_key] = value
    return True


def event_map(frame: pd.DataFrame, *, key: str = "event_map", height: int = 600, cache_key: str | None = None) -> str | None:
    """Draw the events map (fitted to `frame`); the selected event id.

    st_folium copies a click into st.session_state[key] before the script runs, so the click is
    taken first and its record shows in the same run. The ring marks an event selected elsewhere
    (Events table, shared link); a click does not move it, because any change to the map's
    content remounts the map in the browser, closing the popup and losing the user's zoom.
    cache_key: identifies `frame` (EventView.key), so the map payload is reused without
    fingerprinting the frame.
    """
    mapview = _mapview()
    if mapview is None:
        st.info("The map module is not installed yet.")
        return st.session_state.get("selected_event")
    _static_assets_ready()
    from streamlit_folium import st_folium

    _take_click(mapview, st.session_state.get(key))
    fmap = mapview.build_event_map(frame, tiles=settings.get("CONFLICTMAP_TILES"),
                                   selected_event_id=st.session_state.get(_MAP_RING), cache_key=cache_key)
    # Only click results come back, so panning and zooming never rerun the script.
    result = st_folium(fmap, key=key, returned_objects=list(mapview.RETURNED_OBJECTS),
                       use_container_width=True, height=height)
    _take_click(mapview, result)
    return st.session_state.get("selected_event")


# The event ringed on the map: selected outside the map (table row, link), not by a map click.
_MAP_RING = "_map_ring"


def select_event(event_id: str | None, *, from_map: bool = False) -> None:
    """Remember the selected event for this session and put it in the URL."""
    if not event_id:
        return
    if not from_map:
        st.session_state[_MAP_RING] = event_id
    if st.session_state.get("selected_event") != event_id:
        st.session_state["selected_event"] = event_id
        st.query_params[SELECTED_EVENT_PARAM] = event_id


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
                         f" · review: {_fmt(row.get('review_status'))} · ID: {_fmt(row.get('event_id'))}"))
    st.text(_fmt(row.get("evidence")))
    st.dataframe(record_table(row), hide_index=True, width="stretch", key="event_record")


# ---------------------------------------------------------------- adding articles and datasets


@dataclass(frozen=True)
class AddOutcome:
    """What happened to one pasted or uploaded article: events added, or the one-line problem."""

    name: str
    events: int = 0
    problem: str = ""
    duplicate: bool = False
    merged: int = 0  # events that were the same incident as one already stored (sources joined)


def max_upload_bytes() -> int:
    return int(settings.get_float("CONFLICTMAP_MAX_UPLOAD_MB") * 1024 * 1024)


def max_dataset_bytes() -> int:
    return int(settings.get_float("CONFLICTMAP_MAX_DATASET_MB") * 1024 * 1024)


def _size(n_bytes: int) -> str:
    """"21 kB", "3.4 MB": precise enough at any limit a user may set."""
    return f"{n_bytes / 1e3:.0f} kB" if n_bytes < 1e6 else f"{n_bytes / 1e6:.1f} MB"


def safe_upload_name(name: str, default: str) -> str:
    """A browser-supplied file name reduced to a plain file name (never a path, never empty)."""
    base = re.sub(r"[^\w.\-]+", "_", Path(name.replace("\\", "/").replace("\x00", "")).name).strip("._")
    return base or default


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
    return AddOutcome(name, events=saved.events_added, merged=saved.events_merged)


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
                f"{upload.name}: {_size(upload.size)} is over the "
                f"{settings.get('CONFLICTMAP_MAX_UPLOAD_MB')} MB limit (CONFLICTMAP_MAX_UPLOAD_MB)")))
        else:
            out.append(_save_article(upload.name, partial(read_article_bytes, upload.getvalue(),
                                                          name=upload.name)))
        progress(done, len(files))
    return out


def import_dataset(upload: Any, kind: str, progress: Callable[[int, int], None]) -> Any:
    """An uploaded ACLED or UCDP CSV → ImportReport (raises ConflictMapError for a bad file)."""
    from conflictmap import datasets

    if upload.size > max_dataset_bytes():
        raise ConflictMapError(f"{upload.name}: {_size(upload.size)} is over the "
                               f"{settings.get('CONFLICTMAP_MAX_DATASET_MB')} MB limit (CONFLICTMAP_MAX_DATASET_MB)")
    importer = datasets.import_acled if kind == "ACLED" else datasets.import_ucdp
    with tempfile.TemporaryDirectory() as tmp:
        # The browser's file name is only a label: '..', '', a NUL or a path must not become one.
        path = Path(tmp) / safe_upload_name(upload.name, "upload.csv")
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

    formats: tuple[tuple[Literal["csv", "geojson", "json"], str, str], ...] = (
               ("csv", "CSV (ACLED columns)", "text/csv"),
               ("geojson", "GeoJSON", "application/geo+json"),
               ("json", "JSON", "application/json"))
    for col, (fmt, label, mime) in zip(st.columns(len(formats)), formats, strict=True):
        # A callable: the export is built only when the user clicks (several seconds of CPU at
        # 100k events, which every rerun of the page would otherwise pay). It runs outside the
        # script's context, so it gets the frame itself, never session state.
        col.download_button(f"Download {label}", data=partial(export_events, frame, fmt),
                            file_name=f"conflictmap-events.{fmt}", mime=mime, key=f"download_{fmt}",
                            on_click="ignore", disabled=frame.empty)


def events_table(frame: pd.DataFrame) -> str | None:
    """The events as a sortable table (search is in the table's toolbar); the selected row's id."""
    columns = [c for c in TABLE_COLUMNS if c in frame.columns]
    state = st.dataframe(
        frame[columns], hide_index=True, width="stretch", key="events_table",
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
            merged = (f"; {out.merged} more were the same incident as events already on the map, "
                      "which now list this article as a source too") if out.merged else ""
            st.success(f"{out.name}: added with {out.events} new event(s){merged}.")


def articles_table() -> str | None:
    """Every ingested article as a table; the id of the selected (or previously opened) article."""
    frame = get_store().articles_frame()
    if frame.empty:
        st.info("No articles yet: add some below.")
        return None
    shown = [c for c in ARTICLE_COLUMNS if c in frame.columns]
    state = st.dataframe(frame[shown], hide_index=True, width="stretch", key="articles_table",
                         on_select="rerun", selection_mode="single-row",
                         column_config={"date": st.column_config.DateColumn("date", format="YYYY-MM-DD")})
    rows = state.selection.rows if state is not None else []
    if rows and rows[0] < len(frame):
        st.session_state["article_id"] = str(frame.iloc[rows[0]]["id"])
    if not st.session_state.get("article_id"):
        st.caption("Tick a row to read the article with its places highlighted, on a map, and its events.")
    return st.session_state.get("article_id")


def show_article(article_id: str) -> None:
    """One article: title, metadata, body with place mentions highlighted, and its events."""
    from conflictmap.articleview import article_html

    try:
        stored = get_store().get_article(article_id)
    except StoreError as err:
        st.warning(str(err))
        return
    art = stored.article
    st.subheader(md_escape(art.title))
    st.caption(md_escape(" · ".join(x for x in (
        art.date.isoformat() if art.date else "undated", art.language, art.source, art.url or "") if x)))
    # article_html escapes every piece of article text; st.html does no Markdown processing.
    st.html(article_html(art, stored.places))
    places_map(stored.places, key=f"places_map_{article_id}")
    st.markdown(f"**{len(stored.events)} event(s) coded from this article**")
    if stored.events:
        events = pd.DataFrame([e.to_json() for e in stored.events])
        st.dataframe(events[[c for c in TABLE_COLUMNS if c in events.columns]], hide_index=True,
                     width="stretch", key="article_events")


def places_map(places: Sequence[Any], *, key: str) -> None:
    """The article's resolved places on a small map (hover a point for the names it stands for)."""
    mapview = _mapview()
    resolved = [p for p in places if p.candidate is not None]
    if mapview is None or not resolved:
        return
    _static_assets_ready()
    from streamlit_folium import st_folium

    st.markdown(f"**{len({p.candidate.place_id for p in resolved})} place(s) named in this article**")
    # Nothing comes back from this map: it never reruns the page.
    st_folium(mapview.build_places_map(resolved, tiles=settings.get("CONFLICTMAP_TILES")), key=key,
              returned_objects=[], use_container_width=True, height=360)


def pick_point(candidates: Sequence[Any], *, key: str, lat_key: str, lon_key: str,
               context: Sequence[Any] = ()) -> None:
    """A map to click a point on: a new click fills the coordinate inputs `lat_key`/`lon_key`,
    which must be created after this call. The map shows `candidates`, the article's other
    places (`context`) and the current point."""
    mapview = _mapview()
    if mapview is None:
        return
    _static_assets_ready()
    from streamlit_folium import st_folium

    def take(result: object) -> None:
        point = mapview.point_from_click(result) if isinstance(result, dict) else None
        if point is not None and _is_new_click(f"_{key}_seen", point):
            st.session_state[lat_key], st.session_state[lon_key] = point

    take(st.session_state.get(key))
    lat, lon = st.session_state.get(lat_key), st.session_state.get(lon_key)
    picked = None if lat is None or lon is None or (lat, lon) == (0.0, 0.0) else (float(lat), float(lon))
    fmap = mapview.build_pick_map(candidates, picked, context=context, tiles=settings.get("CONFLICTMAP_TILES"))
    take(st_folium(fmap, key=key, returned_objects=list(mapview.PICK_RETURNED_OBJECTS),
                   use_container_width=True, height=320))


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
    from conflictmap.fetch import fetch_article, fetch_feed

    kind = st.radio("What the URL points to", ["an article page", "an RSS or Atom feed"],
                    horizontal=True, key="online_kind")
    url = st.text_input("URL (http or https)", key="online_url")
    if not (url.strip() and st.button("Fetch and add", key="fetch_url")):
        return
    with st.spinner("Fetching…"):
        try:
            articles = fetch_feed(url.strip()) if kind.endswith("feed") else [fetch_article(url.strip())]
        except ConflictMapError as err:
            st.error(str(err))
            return
    advance = progress_bar("Reading articles…")
    outcomes = []
    for done, article in enumerate(articles, 1):
        outcomes.append(_save_article(article.title, partial(lambda a: a, article)))
        advance(done, len(articles))
    _show_outcomes(outcomes)


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


# ---------------------------------------------------------------- review page

_FLASH = "_flash_message"


def _flash(message: str, where: str) -> None:
    """Keep a success message for the next run, then rerun so every table shows the change."""
    st.session_state[_FLASH + where] = message
    st.rerun()


def show_flash(where: str) -> None:
    message = st.session_state.pop(_FLASH + where, None)
    if message:
        st.success(md_escape(message))


def event_types() -> dict[str, tuple[str, ...]]:
    """ACLED event types → their sub-event types: the table the store validates edits against."""
    from conflictmap.taxonomy import SUB_EVENT_TYPES as ACLED_SUB_EVENT_TYPES

    return {t: tuple(subs) for t, subs in ACLED_SUB_EVENT_TYPES.items()}


def review_queue(frame: pd.DataFrame) -> pd.DataFrame:
    """Events still as the machine coded them, least confident first (then undated, unplaced)."""
    if frame.empty:
        return frame
    queue = frame[frame["review_status"] == "machine"]
    return queue.sort_values("confidence", kind="stable").reset_index(drop=True)


def candidate_label(cand: Any) -> str:
    """One line describing a gazetteer candidate, for pick lists."""
    parts = [cand.name, cand.admin1, cand.country_code]
    where = ", ".join(p for p in parts if p)
    pop = f", pop. {cand.population:,}" if cand.population else ""
    return f"{where} ({cand.lat:.4f}, {cand.lon:.4f}; {cand.feature}{pop}; {cand.place_id})"


def manual_candidate(name: str, lat: float, lon: float, country_code: str) -> Any:
    """A Candidate for coordinates the reviewer typed or clicked."""
    from conflictmap.models import Candidate

    return Candidate(place_id=f"manual:{lat:.5f},{lon:.5f}", name=name, lat=lat, lon=lon,
                     country_code=country_code.strip().upper()[:2], feature="point",
                     source="correction")


def event_changes(row: pd.Series, edited: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the reviewer actually changed (so the audit log records real edits)."""
    changes: dict[str, Any] = {}
    for key, new in edited.items():
        old = row.get(key)
        if key == "event_date":
            old = None if old is None or pd.isna(old) else pd.Timestamp(old).date()
        elif key == "actors":
            old = [a.strip() for a in str(old or "").split(";") if a.strip()]
        elif key == "fatalities":
            old = None if old is None or pd.isna(old) else int(old)
        elif key in ("lat", "lon"):
            old = None if old is None or pd.isna(old) else round(float(old), 6)
            new = None if new is None else round(float(new), 6)
        else:
            old = "" if old is None or (isinstance(old, float) and pd.isna(old)) else str(old)
        if new != old:
            changes[key] = new
    if "actors" in changes and changes["actors"]:
        changes["actor1"] = changes["actors"][0]
    return changes


def review_places_panel() -> None:
    """Unresolved places: pick a candidate, search the gazetteer or type coordinates; the
    correction applies to every mention of that name (in that country) and to future articles."""
    store = get_store()
    show_flash("places")
    places = store.unresolved_places_frame()
    if places.empty:
        st.success("No unresolved places.")
        return
    # One row per name and country context: a correction applies to all of its mentions.
    queue = places.drop_duplicates(["name", "country_hint"]).reset_index(drop=True)
    shown = queue[["name", "country_hint", "mentions", "article_title"]]
    state = st.dataframe(shown, hide_index=True, width="stretch", key="places_queue",
                         on_select="rerun", selection_mode="single-row")
    rows = state.selection.rows if state is not None else []
    row = queue.iloc[rows[0] if rows and rows[0] < len(queue) else 0]
    name = str(row["name"])
    hint = str(row["country_hint"] or "")
    st.markdown(f"**Resolve “{md_escape(name)}”**" + (f" (in {md_escape(hint)})" if hint else ""))
    # The pipeline's own candidates need no gazetteer; it is loaded only when the user searches.
    query = st.text_input("Search the gazetteer (another spelling, a nearby town…)",
                          key=f"gaz_query_{name}")
    found = get_gazetteer().search(query.strip(), limit=20) if query.strip() else []
    candidates = list({c.place_id: c for c in [*found, *row["candidates"]]}.values())
    how = st.radio("Set the place by", ["a gazetteer candidate", "coordinates"], horizontal=True,
                   key="place_how")
    chosen = None
    if how == "a gazetteer candidate":
        if not candidates:
            st.info("No gazetteer entry matches; try another spelling or enter coordinates.")
        else:
            chosen = st.selectbox("Candidate", candidates, format_func=candidate_label, key="place_pick")
    else:
        st.session_state.setdefault("place_lat", 0.0)
        st.session_state.setdefault("place_lon", 0.0)
        st.caption("Click the map where the place is, or type its coordinates.")
        pick_point(candidates, key="place_pick_map", lat_key="place_lat", lon_key="place_lon",
                   context=_article_places(store, str(row["article_id"])))
        c1, c2, c3 = st.columns(3)
        lat = c1.number_input("Latitude", min_value=-90.0, max_value=90.0, format="%.5f", key="place_lat")
        lon = c2.number_input("Longitude", min_value=-180.0, max_value=180.0, format="%.5f", key="place_lon")
        cc = c3.text_input("Country code (ISO 2)", value=hint[:2], key="place_cc")
        chosen = manual_candidate(name, lat, lon, cc)
    if chosen is not None and st.button("Save place correction", key="save_place", type="primary"):
        try:
            n = store.save_place_correction(name, hint, chosen, current_user())
        except ConflictMapError as err:
            st.error(str(err))
            return
        _flash(f"Saved: “{name}” → {candidate_label(chosen)}; {n} mention(s) updated.", "places")


def _article_places(store: Store, article_id: str) -> list[Any]:
    """The places an article resolved (one per place), to show around an unresolved one."""
    try:
        stored = store.get_article(article_id)
    except StoreError:
        return []
    return list({p.candidate.place_id: p.candidate for p in stored.places if p.candidate is not None}.values())


def _edit_event_widgets(row: pd.Series) -> dict[str, Any]:
    types = event_types()
    eid = str(row["event_id"])
    current_type = str(row.get("event_type") or "")
    type_names = list(types) + ([current_type] if current_type and current_type not in types else [])
    c1, c2 = st.columns(2)
    old_date = row.get("event_date")
    event_date = c1.date_input("Date", value=None if pd.isna(old_date) else pd.Timestamp(old_date).date(),
                               key=f"ed_date_{eid}", format="YYYY-MM-DD")
    fatalities = c2.number_input("Fatalities (empty = unknown)", min_value=0, step=1,
                                 value=None if pd.isna(row.get("fatalities")) else int(row["fatalities"]),
                                 key=f"ed_fat_{eid}")
    event_type = c1.selectbox("Event type", type_names, index=type_names.index(current_type)
                              if current_type in type_names else 0, key=f"ed_type_{eid}")
    subs = list(types.get(event_type, ()))
    current_sub = str(row.get("sub_event_type") or "")
    if current_sub and current_sub not in subs and event_type == current_type:
        subs.append(current_sub)
    sub = c2.selectbox("Sub-event type", subs, index=subs.index(current_sub) if current_sub in subs else 0,
                       key=f"ed_sub_{eid}")
    actors = st.text_input("Actors (separated by ;, the first is actor1)", value=str(row.get("actors") or ""),
                           key=f"ed_actors_{eid}")
    lat_key, lon_key = f"ed_lat_{eid}", f"ed_lon_{eid}"
    st.session_state.setdefault(lat_key, None if pd.isna(row.get("lat")) else float(row["lat"]))
    st.session_state.setdefault(lon_key, None if pd.isna(row.get("lon")) else float(row["lon"]))
    # A toggle, not an expander: a map drawn in a hidden container (this panel is the second
    # tab) can come up empty in Chrome; drawn on demand it is visible from the start.
    if st.toggle("Pick the location on a map", key=f"ed_pick_{eid}"):
        pick_point([], key=f"ed_pick_map_{eid}", lat_key=lat_key, lon_key=lon_key)
    c3, c4, c5 = st.columns(3)
    location = c3.text_input("Location", value=str(row.get("location") or ""), key=f"ed_loc_{eid}")
    lat = c4.number_input("Latitude", min_value=-90.0, max_value=90.0, format="%.5f", key=lat_key)
    lon = c5.number_input("Longitude", min_value=-180.0, max_value=180.0, format="%.5f", key=lon_key)
    return {"event_date": event_date, "event_type": event_type, "sub_event_type": sub,
            "actors": [a.strip() for a in actors.split(";") if a.strip()],
            "fatalities": None if fatalities is None else int(fatalities),
            "location": location.strip(), "lat": lat, "lon": lon}


def review_events_panel(frame: pd.DataFrame) -> None:
    """The machine-coded events (least confident first): edit, mark reviewed, delete, audit log."""
    store = get_store()
    show_flash("events")
    only_queue = st.toggle("Only events not yet reviewed", value=True, key="review_only_queue")
    queue = review_queue(frame) if only_queue else frame.reset_index(drop=True)
    if queue.empty:
        st.success("Nothing to review under the current filters.")
        return
    picked = events_table(queue)
    row = event_row(queue, picked)
    if row is None:
        row = queue.iloc[0]
    eid = str(row["event_id"])
    st.markdown(f"**Event {md_escape(eid)}** · status {md_escape(row.get('review_status'))} · "
                f"confidence {float(row.get('confidence') or 0):.2f}")
    st.text(_fmt(row.get("evidence")))
    edited = _edit_event_widgets(row)
    user = current_user()
    b1, b2, b3 = st.columns(3)
    try:
        if b1.button("Save changes", key=f"ed_save_{eid}", type="primary"):
            changes = event_changes(row, edited)
            if not changes:
                st.info("Nothing changed.")
            else:
                store.update_event(eid, changes, user)
                _flash(f"Saved {', '.join(sorted(changes))} of event {eid}.", "events")
        if b2.button("Mark reviewed", key=f"ed_reviewed_{eid}"):
            store.mark_reviewed(eid, user)
            _flash(f"Marked event {eid} as reviewed.", "events")
        confirm = b3.checkbox("Really delete", key=f"ed_confirm_{eid}")
        if b3.button("Delete event", key=f"ed_delete_{eid}", disabled=not confirm):
            store.delete_event(eid, user)
            _flash(f"Deleted event {eid}.", "events")
    except ConflictMapError as err:
        st.error(str(err))
    with st.expander("Audit log of this event"):
        st.dataframe(store.audit_frame(eid), hide_index=True, width="stretch",
                     key="audit_log")
