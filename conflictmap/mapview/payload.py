"""Events frame → compact columnar payload for the browser (deflated, base64) and back (for tests).

Layout (version 2): events are grouped by place. A place is one distinct (coordinates, location,
admin1, country); the browser clusters places (a few thousand) instead of events (100,000), and
the events of place p are the rows start[p] .. start[p] + count[p] - 1 (sorted newest first).
Every repeated string is sent once, in a dictionary; per event only small integer codes travel:

    place (code) · day (offset from day0) · kind (type + sub-type code) · fatalities ·
    flags (time precision | geo precision << 2 | review << 4) · actor1/actor2 (codes) ·
    source (title + url + source code) · evidence (code; left out when it does not fit)

plus the event ids (JSON, in row order; the popup's last line and the click result). Built with
numpy/pandas vectorised operations only: factorising works on codes, so categorical columns (the
store's) cost a hash of small integers, not of strings.

The browser (events.js) inflates it with the native DecompressionStream and builds each popup on
click with textContent only: article text never passes through an HTML parser. Base64 also means
no article text appears in the page source at all (no `</script>`, quote or backtick can break
out of the script).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

FORMAT_VERSION = 2
# Coordinates are sent as integers of 1e-5 degrees (about 1 m), ACLED gives 4 decimals.
COORD_SCALE = 100_000
# Target for the deflated payload before base64 (x4/3): keeps the page under 3 MB at 100k events.
DEFAULT_BUDGET_BYTES = 2_000_000
# Shortest evidence snippet worth showing; below this the popup points to the full record.
MIN_EVIDENCE_CHARS = 40
REVIEW_CODES = ("machine", "reviewed", "corrected")
# Payloads kept per process, keyed by a fingerprint of what they encode. A handful covers the
# views several sessions switch between; each is at most a few MB.
CACHE_ENTRIES = 8

# Frame columns the payload reads (Event field names + article_title); missing ones are treated
# as empty, so an imported dataset without e.g. evidence still maps.
TEXT_COLUMNS = ("event_type", "sub_event_type", "actors", "actor1", "actor2", "location",
                "admin1", "country", "evidence", "article_title", "source", "source_url",
                "event_id", "review_status")
_FINGERPRINT_COLUMNS = ("event_id", "lat", "lon", "event_date", "time_precision", "event_type",
                        "sub_event_type", "actors", "actor1", "actor2", "location", "admin1",
                        "country", "geo_precision", "fatalities", "article_title", "source",
                        "source_url", "review_status")


@dataclass(frozen=True)
class EventPayload:
    """What the browser gets: the encoded blob plus figures the map and tests need."""

    data: str  # base64 of zlib(header JSON + typed columns)
    count: int  # events on the map (with coordinates)
    unmapped: int  # events left out because they have no coordinates
    bounds: tuple[tuple[float, float], tuple[float, float]] | None  # ((S, W), (N, E))
    evidence_chars: int | None  # None = full evidence; else snippets cut to this length; 0 = none
    event_types: tuple[str, ...]  # distinct event types on the map, most frequent first
    places: int = 0  # distinct places (what the browser clusters)
    key: str = ""  # content hash: same events → same key (the browser keeps the view under it)


def safe_url(url: object) -> str:
    """The URL if it is http(s), else "" (no javascript:, data:, relative or odd schemes)."""
    if not isinstance(url, str):
        return ""
    text = url.strip()
    lowered = text.lower()
    if (lowered.startswith("http://") or lowered.startswith("https://")) and not any(
        ch in text for ch in "\x00\r\n\t \"'<>`\\"
    ):
        return text
    return ""


# ---------------------------------------------------------------------------- vectorised helpers


def _factorize(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, list[str]]:
    """Codes (int64, 0..k-1) and their strings for a text column; missing values become ""."""
    n = len(frame)
    if name not in frame.columns:
        return np.zeros(n, dtype=np.int64), [""]
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        # A filtered frame keeps every category of the full table: compact to the used ones, by
        # factorising the small integer codes instead of the strings.
        codes, used = pd.factorize(col.cat.codes.to_numpy(), sort=False)
        values = np.asarray(col.cat.categories, dtype=object)[np.maximum(used, 0)]
        uniques = [v if type(v) is str else _as_text(v) for v in values.tolist()]
        if (used < 0).any():
            uniques = [("" if u < 0 else v) for u, v in zip(used.tolist(), uniques, strict=True)]
    else:
        codes, values = pd.factorize(col, sort=False, use_na_sentinel=True)
        # To an object array first: iterating an Arrow-backed array is ~10x slower.
        uniques = [v if type(v) is str else _as_text(v)
                   for v in np.asarray(values, dtype=object).tolist()]
        if (codes < 0).any():
            codes = np.where(codes < 0, len(uniques), codes)
            uniques.append("")
    return codes.astype(np.int64, copy=False), uniques


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _combine(parts: list[tuple[np.ndarray, list[str]]]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Codes of several factorised columns → one code per distinct combination + its strings."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, uniques in parts:
        key = key * len(uniques) + codes
    codes, keys = pd.factorize(key, sort=False)
    # Mixed-radix digits back to each column's code, last column first.
    rest = np.asarray(keys, dtype=np.int64)
    columns: list[list[str]] = []
    for _, uniques in reversed(parts):
        rest, digit = np.divmod(rest, len(uniques))
        columns.append([uniques[d] for d in digit.tolist()])
    combos = list(zip(*reversed(columns), strict=True))
    return codes.astype(np.int64, copy=False), combos


def _small_uint(values: np.ndarray) -> np.ndarray:
    """Non-negative codes in the narrowest unsigned type that holds them (u1, u2 or u4)."""
    top = int(values.max()) if len(values) else 0
    dtype = np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else np.uint32
    return values.astype(dtype)


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float64 with NaN for missing or non-numbers."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    col = frame[name]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        col = pd.to_numeric(col, errors="coerce")
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _day_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Days since 1970-01-01 as float64 (NaN when undated)."""
    if "event_date" not in frame.columns:
        return np.full(len(frame), np.nan)
    col = frame["event_date"]
    if not pd.api.types.is_datetime64_any_dtype(col.dtype):
        col = pd.to_datetime(col, errors="coerce")
    days = col.to_numpy(dtype="datetime64[D]")
    out = days.astype("int64").astype(np.float64)
    out[np.isnat(days)] = np.nan
    return out


def _offset_column(values: np.ndarray, *, allow_negative: bool = False) -> tuple[np.ndarray, int, int]:
    """Integer column with NaN → (typed array, base, sentinel): value = base + stored, unless
    stored == sentinel (missing). u2 when the range fits, else i4."""
    known = ~np.isnan(values)
    if not known.any():
        return np.full(len(values), 65535, dtype=np.uint16), 0, 65535
    low = 0 if not allow_negative and values[known].min() >= 0 else int(values[known].min())
    span = int(values[known].max()) - low
    if span < 65535:
        out = np.full(len(values), 65535, dtype=np.uint16)
        out[known] = (values[known] - low).astype(np.uint16)
        return out, low, 65535
    sentinel = int(np.iinfo(np.int32).min)
    out = np.full(len(values), sentinel, dtype=np.int32)
    out[known] = (values[known] - low).clip(-2**31 + 1, 2**31 - 1).astype(np.int32)
    return out, low, sentinel


def _precision(frame: pd.DataFrame, name: str) -> np.ndarray:
    values = np.nan_to_num(_numbers(frame, name), nan=0.0)
    return np.where((values >= 0) & (values <= 3), values, 0).astype(np.uint8)


def _actor_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """actor1 / rest-of-actors codes into one dictionary. The popup shows them joined by "; ",
    which gives back the stored "; "-joined list exactly."""
    if "actors" in frame.columns:
        codes, uniques = _factorize(frame, "actors")
        parts = [u.partition("; ") for u in uniques]
        firsts = [p[0].strip() for p in parts]
        rests = [p[2].strip() for p in parts]
    else:
        c1, u1 = _factorize(frame, "actor1")
        c2, u2 = _factorize(frame, "actor2")
        codes, pairs = _combine([(c1, u1), (c2, u2)])
        firsts = [p[0] for p in pairs]
        rests = [p[1] for p in pairs]
    table_codes, table = pd.factorize(np.array(firsts + rests, dtype=object), sort=False)
    k = len(firsts)
    first_of = table_codes[:k]
    rest_of = table_codes[k:]
    names = [str(t) for t in table]
    return first_of[codes], rest_of[codes], names


_HEX_VALUE = np.full(256, 255, dtype=np.uint8)
_HEX_VALUE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _pack_hex_ids(ids: np.ndarray) -> tuple[str, int, np.ndarray] | None:
    """(prefix, bytes per id, uint8 array) when every id is one prefix + the same even number of
    lowercase hex digits (the store's "cm-<16 hex>"); else None. Vectorised: no loop per id."""
    n = len(ids)
    if not n:
        return None
    first = ids[0]
    width = len(first)
    try:
        joined = "".join(ids).encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return None
    if len(joined) != n * width or width == 0:
        return None
    chars = np.frombuffer(joined, dtype=np.uint8).reshape(n, width)
    # The prefix: leading columns where every id has the same character.
    same = (chars == chars[0]).all(axis=0)
    cut = width if same.all() else int(np.argmin(same))
    values = _HEX_VALUE[chars[:, cut:]]
    # Shared leading hex digits belong to the number, not the prefix, when that evens it out.
    while cut > 0 and (width - cut) % 2:
        cut -= 1
        values = _HEX_VALUE[chars[:, cut:]]
    digits = width - cut
    if digits == 0 or digits % 2 or digits > 32 or (values == 255).any():
        return None
    # Same total length and a fixed prefix in every row: all ids have this one width (a shorter
    # id would shift the next row's prefix into the hex columns, which are checked above).
    if not (chars[:, :cut] == chars[0, :cut]).all():
        return None
    packed = (values[:, 0::2] << 4) | values[:, 1::2]
    return first[:cut], digits // 2, np.ascontiguousarray(packed).reshape(-1)


def _estimate_deflated(strings: list[str]) -> float:
    """Deflated bytes per UTF-8 byte, from a sample (compressing all of it twice costs too much)."""
    if not strings:
        return 0.0
    step = max(1, len(strings) // 400)
    sample = "\n".join(strings[::step]).encode("utf-8")
    if not sample:
        return 0.0
    return len(zlib.compress(sample, 1)) / len(sample)


def _pack(header: dict[str, object], columns: list[tuple[str, np.ndarray]]) -> bytes:
    """uint32 header length, header JSON, then each column 8-byte aligned (typed arrays need
    aligned offsets); offsets are relative to the column block. Returns the raw bytes."""
    layout: list[tuple[str, str, int, int]] = []
    pos = 0
    for name, arr in columns:
        pos = math.ceil(pos / 8) * 8
        layout.append((name, arr.dtype.str.lstrip("<|="), pos, len(arr)))
        pos += arr.nbytes
    header = dict(header, columns=layout)
    header_bytes = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "replace")
    raw = bytearray(len(header_bytes).to_bytes(4, "little"))
    raw += header_bytes
    raw += b"\0" * ((-len(raw)) % 8)
    block = len(raw)
    for (_, arr), (_, _, offset, _) in zip(columns, layout, strict=True):
        raw += b"\0" * (block + offset - len(raw))
        raw += np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return bytes(raw)


# ---------------------------------------------------------------------------- encoding


def encode_events(frame: pd.DataFrame, *, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> EventPayload:
    """Encode the events that have coordinates; evidence is cut to fit `budget_bytes` if needed
    (snippets, or none: then the popup says the evidence is in the full record beside the map)."""
    lat_all = _numbers(frame, "lat")
    lon_all = _numbers(frame, "lon")
    mapped = (lat_all >= -90) & (lat_all <= 90) & (lon_all >= -180) & (lon_all <= 180)
    events = frame.loc[mapped] if not mapped.all() else frame
    n = int(mapped.sum())
    lat_q = np.round(lat_all[mapped] * COORD_SCALE).astype(np.int64)
    lon_q = np.round(lon_all[mapped] * COORD_SCALE).astype(np.int64)

    # Places: distinct (coordinates, location, admin1, country).
    label_codes, labels = _combine([_factorize(events, c) for c in ("location", "admin1", "country")])
    coord_key = (lat_q + 9_000_000) * 36_000_001 + (lon_q + 18_000_000)
    coord_codes, _ = pd.factorize(coord_key, sort=False)
    place_key = coord_codes.astype(np.int64) * max(len(labels), 1) + label_codes
    place_codes, place_keys = pd.factorize(place_key, sort=False)
    n_places = len(place_keys)
    first_row = np.zeros(n_places, dtype=np.int64)
    # Each place's coordinates and label from its first event (np.unique gives first indices).
    if n:
        _, first_idx = np.unique(place_codes, return_index=True)
        first_row = first_idx
    days = _day_numbers(events)
    # Newest first inside a place; undated last.
    order = np.lexsort((np.nan_to_num(-days, nan=np.inf), place_codes)) if n else np.zeros(
        0, dtype=np.int64)

    kind_codes, kinds = _combine([_factorize(events, "event_type"),
                                  _factorize(events, "sub_event_type")])
    kinds = [(k[0] or "Unknown", k[1]) for k in kinds]
    actor1, actor2, actor_table = _actor_columns(events)
    url_codes, urls = _factorize(events, "source_url")
    urls = [safe_url(u) for u in urls]  # once per distinct URL, not per event
    source_codes, sources = _combine([_factorize(events, "article_title"), (url_codes, urls),
                                      _factorize(events, "source")])
    review_codes_raw, review_names = _factorize(events, "review_status")
    review_map = np.array([REVIEW_CODES.index(r) if r in REVIEW_CODES else 0
                           for r in review_names], dtype=np.uint8)
    flags = (_precision(events, "time_precision") | (_precision(events, "geo_precision") << 2)
             | (review_map[review_codes_raw] << 4)).astype(np.uint8)
    date_col, day0, no_date = _offset_column(days)
    fatal_col, fatal0, no_fatal = _offset_column(_numbers(events, "fatalities"))
    ids = _text_values(events, "event_id")[order]
    hex_ids = _pack_hex_ids(ids)
    joined_ids = "\n".join(ids) if hex_ids is None else None
    if joined_ids is not None and joined_ids.count("\n") != max(n - 1, 0):
        joined_ids = None  # an id with a line break: send the list (slower to encode)

    kind_names = [k[0] for k in kinds]
    type_counts = pd.Series(np.asarray(kind_names, dtype=object)[kind_codes] if n else [],
                            dtype=object).value_counts()
    header: dict[str, object] = {
        "v": FORMAT_VERSION,
        "n": n,
        "np": n_places,
        "coord_scale": COORD_SCALE,
        "day0": day0,
        "no_date": no_date,
        "fatal0": fatal0,
        "no_fatal": no_fatal,
        "kinds": [list(k) for k in kinds],
        "labels": [list(lb) for lb in labels],
        "actors": actor_table,
        "sources": [list(s) for s in sources],
        "review": list(REVIEW_CODES),
        # One string, split in the browser: 4x faster to encode than a JSON list of 100k ids.
        # Our own ids (prefix + 16 hex digits) travel as 8 bytes each: random hex does not
        # deflate below ~11 bytes. Other ids: one string, split in the browser (4x faster to
        # encode than a JSON list of 100k ids).
        "ids": (joined_ids if joined_ids is not None else ids.tolist()) if hex_ids is None
        else None,
        "id_prefix": None if hex_ids is None else hex_ids[0],
        "id_bytes": None if hex_ids is None else hex_ids[1],
        "evidence": [],
        "evidence_chars": None,
    }
    columns: list[tuple[str, np.ndarray]] = [
        ("plat", lat_q[first_row].astype(np.int32)),
        ("plon", lon_q[first_row].astype(np.int32)),
        ("plabel", _small_uint(label_codes[first_row])),
        ("place", _small_uint(place_codes[order])),
        ("date", date_col[order]),
        ("kind", _small_uint(kind_codes[order])),
        ("fatalities", fatal_col[order]),
        ("flags", flags[order]),
        ("actor1", _small_uint(actor1[order])),
        ("actor2", _small_uint(actor2[order])),
        ("source", _small_uint(source_codes[order])),
    ]
    if hex_ids is not None:
        columns.append(("ids", hex_ids[2]))
    total_chars = int(_text_lengths(events, "evidence").sum())
    # Set before packing: at large N evidence is left out, and this saves a second compression.
    header["evidence_chars"] = 0 if total_chars else None
    compressed = zlib.compress(_pack(header, columns), 1)

    # Evidence: full when it fits the budget, else a snippet per event, else none. Deflated text
    # is rarely under 0.15 bytes a character: below that much room, do not even read it.
    evidence_chars: int | None = None
    room = budget_bytes - len(compressed)
    if total_chars and room < min(total_chars, n * MIN_EVIDENCE_CHARS) * 0.15:
        evidence_chars = 0
    elif total_chars:
        evidence = pd.Series(_text_values(events, "evidence")[order], dtype=object)
        ratio = _estimate_deflated(evidence.iloc[:: max(1, n // 400)].tolist())
        if total_chars * ratio > room:
            per_event = int(room / max(ratio, 0.05) / max(n, 1))
            evidence_chars = per_event if per_event >= MIN_EVIDENCE_CHARS else 0
            if evidence_chars:
                evidence = evidence.where(evidence.str.len() <= evidence_chars,
                                          evidence.str.slice(0, evidence_chars - 1) + "…")
        if evidence_chars != 0:
            ev_codes, ev_table = pd.factorize(evidence.to_numpy(dtype=object), sort=False)
            header["evidence"] = [str(e) for e in ev_table]
            header["evidence_chars"] = evidence_chars
            columns.append(("evidence", _small_uint(ev_codes.astype(np.int64))))
            compressed = zlib.compress(_pack(header, columns), 1)

    data = base64.b64encode(compressed).decode("ascii")
    bounds = None
    if n:
        lat_v = lat_all[mapped]
        lon_v = lon_all[mapped]
        bounds = ((float(lat_v.min()), float(lon_v.min())), (float(lat_v.max()), float(lon_v.max())))
    return EventPayload(
        data=data,
        count=n,
        unmapped=len(frame) - n,
        bounds=bounds,
        evidence_chars=evidence_chars,
        event_types=tuple(str(t) for t in type_counts.index),
        places=n_places,
        key=hashlib.sha256(compressed).hexdigest()[:16],
    )


def _text_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as an object array of str ("" for missing)."""
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = _factorize(frame, name)
        return np.asarray(uniques, dtype=object)[codes]
    return col.astype("str").to_numpy(dtype=object, na_value="")


def _text_lengths(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns or not len(frame):
        return np.zeros(len(frame), dtype=np.int64)
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        lengths = pd.Series(col.cat.categories).astype(str).str.len().to_numpy()
        codes = col.cat.codes.to_numpy()
        return np.where(codes >= 0, lengths[codes], 0)
    return col.astype("str").str.len().fillna(0).to_numpy(dtype=np.int64)


# ---------------------------------------------------------------------------- caching


def frame_fingerprint(frame: pd.DataFrame, columns: tuple[str, ...] = _FINGERPRINT_COLUMNS) -> str:
    """Content hash of `columns` (those present; row order included): equal frames, equal
    fingerprints; any change to one of their values changes it. By default every column the
    payload reads except evidence: about 0.1 s per 100,000 events."""
    names = [c for c in columns if c in frame.columns]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((len(frame), names)).encode())
    for name in names:
        hashed = pd.util.hash_pandas_object(frame[name], index=False, categorize=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class _CacheEntry:
    payload: EventPayload
    evidence_fingerprint: str | None  # None: the payload carries no evidence text


_cache: OrderedDict[tuple[str, int], _CacheEntry] = OrderedDict()
_cache_lock = threading.Lock()


def _evidence_fingerprint(frame: pd.DataFrame, payload: EventPayload) -> str | None:
    if payload.evidence_chars == 0 or "evidence" not in frame.columns:
        return None
    return frame_fingerprint(frame, ("evidence",))


def encode_events_cached(frame: pd.DataFrame, *, budget_bytes: int = DEFAULT_BUDGET_BYTES,
                         cache_key: str | None = None) -> EventPayload:
    """`encode_events` with a small per-process LRU cache (a rerun with the same events pays a
    fingerprint, not an encoding).

    cache_key: what identifies the frame's content, e.g. f"{store.data_version()}|{filter}";
    None fingerprints the frame. Evidence is hashed only when the cached payload carries it:
    evidence left out of a big map (the popup points to the record beside the map) cannot make
    the payload stale, and hashing 100,000 evidence sentences would double the cost of a hit.
    """
    key = cache_key if cache_key is not None else "fp:" + frame_fingerprint(frame)
    entry = (key, budget_bytes)
    with _cache_lock:
        hit = _cache.get(entry)
        if hit is not None:
            _cache.move_to_end(entry)
    if hit is not None and (cache_key is not None or hit.evidence_fingerprint is None
                            or hit.evidence_fingerprint == frame_fingerprint(frame, ("evidence",))):
        return hit.payload
    payload = encode_events(frame, budget_bytes=budget_bytes)
    fresh = _CacheEntry(payload, None if cache_key is not None else
                        _evidence_fingerprint(frame, payload))
    with _cache_lock:
        _cache[entry] = fresh
        _cache.move_to_end(entry)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return payload


def clear_cache() -> None:
    """Forget every cached payload (tests; a process that wants its memory back)."""
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------------------- decoding


def decode_payload(data: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Inverse of `encode_events` (for tests and tools): the header and the typed columns."""
    raw = zlib.decompress(base64.b64decode(data))
    hlen = int.from_bytes(raw[:4], "little")
    header = json.loads(raw[4:4 + hlen].decode("utf-8"))
    block = math.ceil((4 + hlen) / 8) * 8
    columns = {}
    for name, dtype, offset, length in header["columns"]:
        columns[name] = np.frombuffer(raw, dtype=np.dtype("<" + dtype), count=length,
                                      offset=block + offset)
    if header.get("id_bytes"):
        width = header["id_bytes"]
        hexed = columns.pop("ids").tobytes().hex()
        header["ids"] = [header["id_prefix"] + hexed[i:i + 2 * width]
                         for i in range(0, len(hexed), 2 * width)]
    elif isinstance(header["ids"], str):
        header["ids"] = header["ids"].split("\n") if header["n"] else []
    return header, columns


def decode_events(data: str) -> pd.DataFrame:
    """The payload as one row per event, in the browser's row order, with the values a popup
    shows (for tests and tools): event_id, lat, lon, event_date, event_type, sub_event_type,
    actors, location, admin1, country, fatalities, time_precision, geo_precision,
    review_status, article_title, source_url, source, evidence."""
    header, c = decode_payload(data)
    place = c["place"].astype(np.int64)
    scale = header["coord_scale"]
    labels = header["labels"]
    plabel = c["plabel"].astype(np.int64)
    kinds = header["kinds"]
    actors = header["actors"]
    sources = header["sources"]
    dates = c["date"].astype(np.int64)
    fatal = c["fatalities"].astype(np.int64)
    flags = c["flags"].astype(np.int64)
    rows = {
        "event_id": header["ids"],
        "lat": c["plat"][place] / scale,
        "lon": c["plon"][place] / scale,
        "event_date": [None if d == header["no_date"] else
                       pd.Timestamp(header["day0"] + d, unit="D").date() for d in dates],
        "event_type": [kinds[k][0] for k in c["kind"]],
        "sub_event_type": [kinds[k][1] for k in c["kind"]],
        "actors": ["; ".join(x for x in (actors[a], actors[b]) if x)
                   for a, b in zip(c["actor1"], c["actor2"], strict=True)],
        "location": [labels[plabel[p]][0] for p in place],
        "admin1": [labels[plabel[p]][1] for p in place],
        "country": [labels[plabel[p]][2] for p in place],
        "fatalities": [None if f == header["no_fatal"] else header["fatal0"] + f for f in fatal],
        "time_precision": flags & 3,
        "geo_precision": (flags >> 2) & 3,
        "review_status": [header["review"][r] for r in (flags >> 4) & 3],
        "article_title": [sources[s][0] for s in c["source"]],
        "source_url": [sources[s][1] for s in c["source"]],
        "source": [sources[s][2] for s in c["source"]],
        "evidence": ([header["evidence"][e] for e in c["evidence"]] if "evidence" in c
                     else [""] * header["n"]),
    }
    return pd.DataFrame(rows)
