"""EventFilter ⇄ URL query params, and a frame of events (Store.events_frame) in → the filtered
frame and the sidebar's choices (FilterOptions) out. Pure pandas/pyarrow, vectorised.

At a million events a filter change must stay under 150 ms, so every test runs on distinct values
(categories) where the frame has them, and free-text search scans the text columns with pyarrow
on both cores, once per search text and frame (answers are remembered per frame).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from conflictmap.models import REVIEW_STATUSES

# Short, stable URL keys: a shared link keeps working as long as these do not change.
_KEYS: dict[str, str] = {
    "date_from": "from",
    "date_to": "to",
    "actors": "actor",
    "event_types": "type",
    "sub_event_types": "sub",
    "countries": "country",
    "admin1": "admin1",
    "min_fatalities": "minfat",
    "text": "q",
    "sources": "source",
    "review_statuses": "status",
}
_MAX_VALUES = 200  # values per list parameter taken from a URL; the rest is junk or an attack
_MAX_TEXT = 200  # characters per value taken from a URL


@dataclass(frozen=True)
class EventFilter:
    """What the user wants to see. Empty tuples and defaults mean "no restriction".

    >>> EventFilter(event_types=("Battles",)).to_query_params()
    {'type': ['Battles']}
    """

    date_from: date | None = None
    date_to: date | None = None
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # country names, as in the events' `country` column
    admin1: tuple[str, ...] = ()
    min_fatalities: int = 0
    text: str = ""  # case-insensitive search over notes, evidence, location and actors
    sources: tuple[str, ...] = ()
    review_statuses: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when the filter lets every event through."""
        return self == EventFilter()

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Only the non-default values, under short stable keys (lists stay lists)."""
        out: dict[str, str | list[str]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = _KEYS[f.name]
            if isinstance(value, tuple):
                if value:
                    out[key] = list(value)
            elif isinstance(value, date):
                out[key] = value.isoformat()
            elif f.name == "min_fatalities":
                if value > 0:
                    out[key] = str(value)
            elif value:
                out[key] = str(value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> EventFilter:
        """The filter a URL describes; junk values are dropped, never raised."""
        def values(name: str) -> tuple[str, ...]:
            raw = params.get(_KEYS[name])
            items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
            clean = [v.strip()[:_MAX_TEXT] for v in items if isinstance(v, str) and v.strip()]
            return tuple(dict.fromkeys(clean))[:_MAX_VALUES]

        def last(name: str) -> str:
            got = values(name)
            return got[-1] if got else ""

        date_from = _parse_date(last("date_from"))
        date_to = _parse_date(last("date_to"))
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        try:
            min_fat = max(0, int(last("min_fatalities") or 0))
        except ValueError:
            min_fat = 0
        return cls(
            date_from=date_from,
            date_to=date_to,
            actors=values("actors"),
            event_types=values("event_types"),
            sub_event_types=values("sub_event_types"),
            countries=values("countries"),
            admin1=values("admin1"),
            min_fatalities=min(min_fat, 10**9),
            text=last("text"),
            sources=values("sources"),
            review_statuses=tuple(s for s in values("review_statuses") if s in REVIEW_STATUSES),
        )


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class FilterOptions:
    """The choices the sidebar offers, from the events at hand (all sorted)."""

    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sub_event_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by event type
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_date: date | None = None
    max_date: date | None = None
    admin1_by_country: dict[str, tuple[str, ...]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Filtering
# ---------------------------------------------------------------------------------------------
def apply_filter(frame: pd.DataFrame, flt: EventFilter) -> pd.DataFrame:
    """The rows of an events frame (Store.events_frame columns) that pass the filter.

    Returns the frame itself when the filter is empty (callers must not mutate it).
    """
    if flt.is_empty() or frame.empty:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    if flt.date_from is not None or flt.date_to is not None:
        dates = pd.to_datetime(frame["event_date"], errors="coerce")
        values = dates.to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(values)
        if flt.date_from is not None:
            ok &= values >= np.datetime64(flt.date_from, "ns")
        if flt.date_to is not None:
            ok &= values < np.datetime64(flt.date_to, "ns") + np.timedelta64(1, "D")
        mask &= ok
    for column, wanted in (("event_type", flt.event_types), ("sub_event_type", flt.sub_event_types),
                           ("country", flt.countries), ("admin1", flt.admin1),
                           ("review_status", flt.review_statuses)):
        if wanted:
            want = set(wanted)
            if column == "sub_event_type" and "Excessive force against protesters" in want:
                want.add("Excessive force against protestors")  # both spellings are published
            mask &= _match_distinct(frame[column], lambda v, w=want: v in w)  # type: ignore[misc]
    if flt.actors:
        mask &= _match_list_member(frame["actors"], flt.actors, ignore_case=False)
    if flt.sources:
        mask &= _match_list_member(frame["source"], flt.sources, ignore_case=True)
    if flt.min_fatalities > 0:
        fat = pd.to_numeric(frame["fatalities"], errors="coerce").to_numpy(dtype="float64",
                                                                           na_value=np.nan)
        mask &= fat >= flt.min_fatalities  # unknown (NaN) never passes a minimum
    needle = flt.text.strip()
    if needle:
        mask &= _text_match(frame, needle, mask)
    return frame[mask]


def split_list(value: object) -> list[str]:
    """ACLED-style ';'-separated names ("Sveriges Radio; Reuters") as a list, blanks dropped."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def _distinct(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Codes (−1 for missing) and the distinct values they point to."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), list(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def _match_distinct(series: pd.Series, predicate: Callable[[object], bool]) -> np.ndarray:
    """Evaluate `predicate` once per distinct value, then spread the answer over the rows."""
    codes, uniques = _distinct(series)
    hits = np.fromiter((bool(predicate(u)) for u in uniques), dtype=bool, count=len(uniques))
    lookup = np.append(hits, False)  # code −1 (missing) → index −1 → False
    return lookup[codes]


def _match_list_member(series: pd.Series, wanted: tuple[str, ...], *, ignore_case: bool) -> np.ndarray:
    """Rows whose ';'-separated list (actors, sources) has one of `wanted` as a whole item."""
    if isinstance(series.dtype, pd.CategoricalDtype) and len(series.cat.categories) <= 200_000:
        want = {w.casefold() if ignore_case else w for w in wanted}
        return _match_distinct(series, lambda v: not want.isdisjoint(
            (s.casefold() if ignore_case else s) for s in split_list(v)))
    # Many distinct lists (a million actor combinations): one linear RE2 scan in Arrow.
    arr = _arrow_strings(series)
    # A literal search finds the few candidate rows; the exact item check runs on those only.
    candidates = np.zeros(len(arr), dtype=bool)
    for w in wanted:
        hit = pc.match_substring(arr, w, ignore_case=ignore_case)
        candidates |= hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    rows = np.flatnonzero(candidates)
    if len(rows) == 0:
        return candidates
    pattern = r"(?:^|;)\s*(?:" + "|".join(re.escape(w) for w in wanted) + r")\s*(?:;|$)"
    exact = pc.match_substring_regex(arr.take(pa.array(rows)), pattern, ignore_case=ignore_case)
    out = np.zeros(len(arr), dtype=bool)
    out[rows[exact.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)]] = True
    return out


_TEXT_COLUMNS = ("notes", "evidence", "location", "actors")
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="conflictmap-filter")
_NEEDLES_PER_FRAME = 8  # searches remembered per frame (2 bytes a row each)


@dataclass
class _SearchMemo:
    """What earlier text searches on one frame found: per needle, the rows known to match and
    the rows already decided (matching or not); per text column, its non-empty rows."""

    results: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=OrderedDict)
    nonempty: dict[str, np.ndarray] = field(default_factory=dict)


# One memo per events frame, found by the identity of the data of its text columns (shallow
# copies, as Store.events_frame hands out, share it; Arrow data never changes in place, and a
# changed column is new data) and dropped with that data: changing any other filter while a
# search text is set then costs no text scan at all, and a search that extends the previous one
# ("drone" → "drone strike") scans only the previous hits.
_MEMOS: dict[tuple[int, ...], tuple[tuple[weakref.ref[object], ...], _SearchMemo]] = {}
_MEMO_LOCK = threading.Lock()


def _column_data(series: pd.Series) -> tuple[object, ...] | None:
    """The immutable objects holding a column's values, or None when there are none to hold."""
    values = series.array
    if isinstance(series.dtype, pd.CategoricalDtype):
        return (getattr(values, "_codes", None), series.cat.categories)
    data = getattr(values, "_pa_array", None)  # pandas' Arrow-backed strings
    return None if data is None else (data,)


def _memo_for(frame: pd.DataFrame) -> _SearchMemo | None:
    owners: list[object] = []
    for column in ("event_id", *_TEXT_COLUMNS):
        if column in frame.columns:
            data = _column_data(frame[column])
            if data is None or any(d is None for d in data):
                return None  # plain object columns: nothing stable to key on, search each time
            owners.extend(data)
    if not owners:
        return None
    key = (len(frame), *(id(o) for o in owners))
    with _MEMO_LOCK:
        got = _MEMOS.get(key)
        if got is not None and all(ref() is o for ref, o in zip(got[0], owners, strict=True)):
            return got[1]
        memo = _SearchMemo()

        def forget(_gone: weakref.ref[object], key: tuple[int, ...] = key) -> None:
            # Runs when any of the frame's data is freed; no lock here (the GC may run while
            # it is held), and only this entry is removed (ids may be reused by then).
            entry = _MEMOS.get(key)
            if entry is not None and entry[1] is memo:
                _MEMOS.pop(key, None)

        try:
            refs = tuple(weakref.ref(o, forget) for o in owners)
        except TypeError:
            return None
        _MEMOS[key] = (refs, memo)
        return memo


def _memo_key(needle: str) -> str:
    # The search ignores case: "Drone" and "drone" find the same rows. Lowering that changes the
    # length (a few non-ASCII letters) keeps the needle as typed.
    lowered = needle.lower()
    return lowered if len(lowered) == len(needle) else needle


def _text_match(frame: pd.DataFrame, needle: str, mask: np.ndarray) -> np.ndarray:
    """Rows whose notes, evidence, location or actors contain `needle`, ignoring case.

    Rows outside `mask` (cut by the other filters) are not scanned; the answer for them may be
    False. Answers are remembered per frame, so the same search on the same frame scans nothing.
    """
    memo = _memo_for(frame)
    key = _memo_key(needle)
    n = len(frame)
    hits: np.ndarray | None = None
    known: np.ndarray | None = None
    if memo is not None:
        with _MEMO_LOCK:
            got = memo.results.get(key)
            if got is not None:
                memo.results.move_to_end(key)
                hits, known = got
            elif key == needle.lower():
                # Every row that contains "drone strike" contains "drone": a completed earlier
                # search for a part of this needle rules out the rows it did not find.
                for part, (part_hits, part_known) in reversed(memo.results.items()):
                    if part in key and bool(part_known.all()):
                        hits, known = np.zeros(n, dtype=bool), ~part_hits
                        break
    if hits is None or known is None:
        hits, known = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    todo = mask & ~known
    if todo.any():
        # New arrays, never changed in place: another session may be reading the old ones.
        hits = hits | _scan_text(frame, needle, todo, memo)
        known = known | todo
        if memo is not None:
            with _MEMO_LOCK:
                memo.results[key] = (hits, known)
                memo.results.move_to_end(key)
                while len(memo.results) > _NEEDLES_PER_FRAME:
                    memo.results.popitem(last=False)
    return hits


def _scan_text(frame: pd.DataFrame, needle: str, todo: np.ndarray,
               memo: _SearchMemo | None) -> np.ndarray:
    """Which rows of `todo` contain `needle` in one of the text columns (ignoring case)."""
    lowered = needle.casefold()
    out = np.zeros(len(frame), dtype=bool)
    for column in _TEXT_COLUMNS:
        if column not in frame.columns:
            continue
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype) and len(series.cat.categories) <= 200_000:
            # A few thousand places: test each distinct value once, spread by the codes.
            out |= _match_distinct(series, lambda v: isinstance(v, str) and lowered in v.casefold())
            continue
        arr = _arrow_strings(series)
        rows_left = todo & ~out
        if memo is not None and int(rows_left.sum()) >= len(frame) // 3:
            # Worth knowing only before a scan of most rows.
            nonempty = memo.nonempty.get(column)
            if nonempty is None:
                # Imported datasets leave evidence empty: a million empty strings are skipped.
                nonempty = pc.greater(pc.binary_length(arr), 0).fill_null(False).to_numpy(
                    zero_copy_only=False).astype(bool)
                memo.nonempty[column] = nonempty
            rows_left &= nonempty
        count = int(rows_left.sum())
        if count == 0:
            continue
        if count < len(frame) // 3:
            rows = np.flatnonzero(rows_left)
            found = _search(arr.take(pa.array(rows)), needle)
            out[rows[found]] = True
        else:
            out |= _search(arr, needle) & rows_left
    return out & todo


def _arrow_strings(series: pd.Series) -> pa.Array:
    try:
        arr = pa.array(series.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array(series.astype(object).where(series.notna(), None).astype(str).tolist())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return arr


def _search(arr: pa.Array, needle: str) -> np.ndarray:
    """Case-insensitive literal substring search, split over two threads (Arrow drops the GIL)."""
    n = len(arr)
    if n < 200_000:
        parts = [arr]
    else:
        half = n // 2
        parts = [arr.slice(0, half), arr.slice(half)]
    results = list(_POOL.map(lambda a: pc.match_substring(a, needle, ignore_case=True), parts))
    joined = pa.concat_arrays([r if isinstance(r, pa.Array) else r.combine_chunks() for r in results])
    return joined.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


# ---------------------------------------------------------------------------------------------
# Options for the sidebar
# ---------------------------------------------------------------------------------------------
def _sorted_distinct(series: pd.Series) -> tuple[str, ...]:
    codes, uniques = _distinct(series)
    used = np.unique(codes[codes >= 0])
    return tuple(sorted({str(uniques[i]) for i in used if isinstance(uniques[i], str) and uniques[i]}))


def _pairs(frame: pd.DataFrame, a: str, b: str) -> dict[str, tuple[str, ...]]:
    if a not in frame.columns or b not in frame.columns or frame.empty:
        return {}
    pairs = frame[[a, b]].drop_duplicates().astype(object)
    out: dict[str, set[str]] = {}
    for x, y in pairs.itertuples(index=False):
        if isinstance(x, str) and x and isinstance(y, str) and y:
            out.setdefault(x, set()).add(y)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def _split_distinct(series: pd.Series) -> tuple[str, ...]:
    """Sorted distinct items of a ';'-separated list column, split in Arrow (no Python loop)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        used = np.unique(codes[codes >= 0])
        arr = pa.array(np.asarray(series.cat.categories, dtype=object)[used], type=pa.string())
    else:
        arr = pc.unique(_arrow_strings(series))
    items = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(arr, ";")))
    items = pc.unique(items.filter(pc.not_equal(items, "")))
    return tuple(sorted(items.to_pylist()))


def filter_options(frame: pd.DataFrame) -> FilterOptions:
    """Sorted distinct actors (the actors column split), types, sub-types by type, countries,
    admin1 (all, and by country), sources (split on ';') and the date span of an events frame."""
    if frame.empty:
        return FilterOptions()
    dates = pd.to_datetime(frame["event_date"], errors="coerce")
    lo, hi = dates.min(), dates.max()
    return FilterOptions(
        actors=_split_distinct(frame["actors"]) if "actors" in frame else (),
        event_types=_sorted_distinct(frame["event_type"]),
        sub_event_types=_pairs(frame, "event_type", "sub_event_type"),
        countries=_sorted_distinct(frame["country"]),
        admin1=_sorted_distinct(frame["admin1"]),
        sources=_split_distinct(frame["source"]) if "source" in frame else (),
        min_date=None if pd.isna(lo) else lo.date(),
        max_date=None if pd.isna(hi) else hi.date(),
        admin1_by_country=_pairs(frame, "country", "admin1"),
    )
