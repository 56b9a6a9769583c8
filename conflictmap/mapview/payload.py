"""Events frame → compact payload for the browser: typed columns + string tables, deflated, base64.

100,000 events as folium objects make a 96 MB page; as this payload they are about 1-3 MB. The
browser (events.js) inflates it with the native DecompressionStream and builds each popup from it
on click, with textContent only: article text never passes through an HTML parser. Base64 also
means no article text appears in the page source at all (no `</script>`, quote or backtick can
break out of the script).
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Coordinates are sent as integers of 1e-5 degrees (about 1 m), ACLED gives 4 decimals.
COORD_SCALE = 100_000
NO_DATE = np.iinfo(np.int32).min
# Target for the deflated payload before base64 (x4/3): keeps the page under 3 MB at 100k events.
DEFAULT_BUDGET_BYTES = 2_000_000
# Shortest evidence snippet worth showing; below this the popup points to the full record.
MIN_EVIDENCE_CHARS = 40
REVIEW_CODES = ("machine", "reviewed", "corrected")

# Frame columns the payload reads (Event field names + article_title); missing ones are treated
# as empty, so an imported dataset without e.g. evidence still maps.
TEXT_COLUMNS = ("event_type", "sub_event_type", "actors", "actor1", "actor2", "location",
                "admin1", "country", "evidence", "article_title", "source", "source_url",
                "event_id", "review_status")


@dataclass(frozen=True)
class EventPayload:
    """What the browser gets: the encoded blob plus figures the map and tests need."""

    data: str  # base64 of zlib(header JSON + typed columns)
    count: int  # events on the map (with coordinates)
    unmapped: int  # events left out because they have no coordinates
    bounds: tuple[tuple[float, float], tuple[float, float]] | None  # ((S, W), (N, E))
    evidence_chars: int | None  # None = full evidence; else snippets cut to this length; 0 = none
    event_types: tuple[str, ...]  # distinct event types on the map, most frequent first


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


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    col = frame[name]
    return col.where(col.notna(), "").astype(str)


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int32), [str(u) for u in uniques]


def _int_column(frame: pd.DataFrame, name: str, missing: int) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), missing, dtype=np.int32)
    values = pd.to_numeric(frame[name], errors="coerce")
    return values.fillna(missing).to_numpy(dtype=np.float64).clip(-2**31 + 1, 2**31 - 1).astype(
        np.int32)


def _day_numbers(frame: pd.DataFrame) -> np.ndarray:
    if "event_date" not in frame.columns:
        return np.full(len(frame), NO_DATE, dtype=np.int32)
    dates = pd.to_datetime(frame["event_date"], errors="coerce")
    days = dates.to_numpy(dtype="datetime64[D]")
    out = days.astype("int64")
    out[np.isnat(days)] = NO_DATE
    return out.astype(np.int32)


def _estimate_deflated(strings: list[str]) -> float:
    """Deflated bytes per UTF-8 byte, from a sample (compressing all of it twice costs too much)."""
    if not strings:
        return 0.0
    step = max(1, len(strings) // 400)
    sample = "\n".join(strings[::step]).encode("utf-8")
    if not sample:
        return 0.0
    return len(zlib.compress(sample, 1)) / len(sample)


def encode_events(frame: pd.DataFrame, *, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> EventPayload:
    """Encode the events that have coordinates; evidence is cut to fit `budget_bytes` if needed."""
    lat = pd.to_numeric(frame["lat"], errors="coerce") if "lat" in frame else pd.Series(dtype=float)
    lon = pd.to_numeric(frame["lon"], errors="coerce") if "lon" in frame else pd.Series(dtype=float)
    mapped = (lat.between(-90, 90) & lon.between(-180, 180)).to_numpy(dtype=bool) if len(
        frame) else np.zeros(0, dtype=bool)
    events = frame.loc[mapped]
    lat_v = lat.to_numpy(dtype=np.float64)[mapped]
    lon_v = lon.to_numpy(dtype=np.float64)[mapped]
    n = int(mapped.sum())

    event_type = _text(events, "event_type").replace("", "Unknown")
    kind_codes, kinds = _codes(event_type + "\x1f" + _text(events, "sub_event_type"))
    actors = _text(events, "actors")
    if "actors" not in events.columns:
        actors = (_text(events, "actor1") + "; " + _text(events, "actor2")).str.strip("; ")
    actor_codes, actor_table = _codes(actors)
    place_label = _text(events, "location")
    for extra in ("admin1", "country"):
        part = _text(events, extra)
        place_label = place_label.where(part == "", place_label + "\x1f" + part)
    place_codes, place_table = _codes(place_label)
    # safe_url once per distinct URL, not per event (100k events share a few thousand URLs).
    url_codes, url_uniques = pd.factorize(_text(events, "source_url"))
    safe_urls = np.array([safe_url(u) for u in url_uniques] + [""], dtype=object)
    source_key = (_text(events, "article_title") + "\x1f"
                  + pd.Series(safe_urls[url_codes], index=events.index, dtype=object) + "\x1f"
                  + _text(events, "source"))
    source_codes, source_table = _codes(source_key)
    review = _text(events, "review_status")
    review_codes = np.zeros(n, dtype=np.uint8)
    for code, name in enumerate(REVIEW_CODES):
        review_codes[(review == name).to_numpy(dtype=bool)] = code
    ids = _text(events, "event_id").tolist()

    # Evidence: full when it fits the budget, else a snippet per event, else none.
    evidence = _text(events, "evidence")
    evidence_list = evidence.tolist()
    total_chars = int(evidence.str.len().sum()) if n else 0
    ratio = _estimate_deflated(evidence_list)
    # Everything but evidence deflates to roughly this (ids dominate: ~9 bytes each).
    base_estimate = n * 22 + sum(len(s) for s in actor_table + place_table + source_table) * 0.4
    room = budget_bytes - base_estimate
    evidence_chars: int | None = None
    if total_chars and total_chars * ratio > room:
        per_event = int(room / max(ratio, 0.05) / max(n, 1))
        evidence_chars = per_event if per_event >= MIN_EVIDENCE_CHARS else 0
        if evidence_chars:
            evidence = evidence.where(evidence.str.len() <= evidence_chars,
                                      evidence.str.slice(0, evidence_chars - 1) + "…")
        else:
            evidence = pd.Series([""] * n, index=events.index, dtype=object)
    evidence_codes, evidence_table = _codes(evidence)

    columns: list[tuple[str, np.ndarray]] = [
        ("lat", np.round(lat_v * COORD_SCALE).astype(np.int32)),
        ("lon", np.round(lon_v * COORD_SCALE).astype(np.int32)),
        ("date", _day_numbers(events)),
        ("kind", kind_codes),
        ("place", place_codes),
        ("actors", actor_codes),
        ("source", source_codes),
        ("evidence", evidence_codes),
        ("fatalities", _int_column(events, "fatalities", -1)),
        ("geo_precision", _int_column(events, "geo_precision", 0).astype(np.uint8)),
        ("time_precision", _int_column(events, "time_precision", 0).astype(np.uint8)),
        ("review", review_codes),
    ]
    type_counts = event_type.value_counts()
    header = {
        "n": n,
        "coord_scale": COORD_SCALE,
        "no_date": int(NO_DATE),
        "kinds": [k.split("\x1f", 1) for k in kinds],
        "actors": actor_table,
        "places": [p.split("\x1f") for p in place_table],
        "sources": [s.split("\x1f") for s in source_table],
        "evidence": evidence_table,
        "evidence_chars": evidence_chars,
        "review": list(REVIEW_CODES),
        "ids": ids,
        "columns": [],
    }
    # Layout: uint32 header length, header JSON, zero padding to 8 bytes, then the columns, each
    # 8-byte aligned (typed arrays need aligned offsets); offsets are relative to the column block.
    layout = []
    pos = 0
    for name, arr in columns:
        pos = math.ceil(pos / 8) * 8
        layout.append([name, arr.dtype.str.lstrip("<|"), pos])
        pos += arr.nbytes
    header["columns"] = layout
    header_bytes = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    raw = bytearray(len(header_bytes).to_bytes(4, "little"))
    raw += header_bytes
    raw += b"\0" * ((-len(raw)) % 8)
    block = len(raw)
    for (_, arr), (_, _, offset) in zip(columns, layout, strict=True):
        raw += b"\0" * (block + offset - len(raw))
        raw += np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    data = base64.b64encode(zlib.compress(bytes(raw), 1)).decode("ascii")

    bounds = None
    if n:
        bounds = ((float(lat_v.min()), float(lon_v.min())), (float(lat_v.max()), float(lon_v.max())))
    return EventPayload(
        data=data,
        count=n,
        unmapped=len(frame) - n,
        bounds=bounds,
        evidence_chars=evidence_chars,
        event_types=tuple(str(t) for t in type_counts.index),
    )


def decode_payload(data: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Inverse of `encode_events` (for tests and tools): the header and the typed columns."""
    raw = zlib.decompress(base64.b64decode(data))
    hlen = int.from_bytes(raw[:4], "little")
    header = json.loads(raw[4:4 + hlen].decode("utf-8"))
    block = math.ceil((4 + hlen) / 8) * 8
    n = header["n"]
    columns = {}
    for name, dtype, offset in header["columns"]:
        columns[name] = np.frombuffer(raw, dtype=np.dtype("<" + dtype), count=n,
                                      offset=block + offset)
    return header, columns
