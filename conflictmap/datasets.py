"""ACLED / UCDP GED CSV files in → events in the store plus an ImportReport; an events frame in →
CSV (ACLED columns), GeoJSON or JSON bytes out.

Imports stream the file in batches; each batch is validated with vectorised pandas and written in
one transaction, so a killed import leaves whole batches only and a rerun adds exactly what is
missing (rows are keyed by the dataset's own event id). Bad rows are reported, never imported;
the rest of the file still goes in.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from conflictmap.errors import DatasetError
from conflictmap.models import (
    GEO_PRECISION_EXACT,
    GEO_PRECISION_NEAR,
    GEO_PRECISION_REGION,
    REVIEW_MACHINE,
    TIME_PRECISION_DAY,
    TIME_PRECISION_MONTH,
    TIME_PRECISION_WEEK,
)
from conflictmap.store import EVENT_FIELDS
from conflictmap.taxonomy import (
    INTER_LABELS,
    SUB_EVENT_TYPE_ALIASES,
    SUB_EVENT_TYPES,
    disorder_type,
)

if TYPE_CHECKING:
    from conflictmap.store import Store

# ACLED's export columns since March 2023, in order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
                  "country", "location", "latitude", "longitude", "fatalities")
UCDP_REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "date_start", "latitude",
                 "longitude", "best", "country")

BATCH_ROWS = 50_000  # one transaction per batch: ~1 s of work, so a kill loses at most that
MAX_PROBLEMS = 1000  # a file of a million bad rows gets a summary line, not a million lines

_VALID_PAIRS = [f"{t}|{s}" for t, subs in SUB_EVENT_TYPES.items() for s in subs]
# Older exports have no disorder_type: it follows from the event type.
_DISORDER_BY_TYPE = {t: disorder_type(t) for t in SUB_EVENT_TYPES}

ProgressCallback = Callable[..., None]


@dataclass
class ImportReport:
    """What an import did. problems: one line each, "row N: reason" (row 1 is the header)."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0  # rows reported in problems, or kept because a person corrected them
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0  # already stored with the same values (a rerun of the same file)
    rows: int = 0  # data rows read

    def summary(self) -> str:
        """One line for the CLI and the page."""
        return (f"{self.rows} rows: {self.imported} imported, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.skipped} skipped")


# ---------------------------------------------------------------------------------------------
# Reading CSV files
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CsvFile:
    path: Path
    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    size: int


def _sniff(path: Path, kind: str, required: tuple[str, ...]) -> _CsvFile:
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(256 * 1024)
    except FileNotFoundError:
        raise DatasetError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise DatasetError(f"{name}: is a folder, not a CSV file") from None
    except OSError as err:
        raise DatasetError(f"{name}: cannot read ({err.strerror})") from None
    if size == 0 or not head.strip():
        raise DatasetError(f"{name}: the file is empty; expected {_a(kind)} CSV export")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\x1f\x8b")):
            raise DatasetError(f"{name}: is a binary file, not {_a(kind)} CSV (zip, PDF or similar?)")
        encoding = "utf-8-sig"
        try:
            # The sample may end inside a multi-byte character: drop up to 3 trailing bytes.
            text = _decode_prefix(head)
        except UnicodeDecodeError:
            encoding = "cp1252"  # spreadsheet-saved exports; every byte decodes, so never fails
            text = head.decode("cp1252", errors="replace")
        if sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t") > 8:
            raise DatasetError(f"{name}: is a binary file, not {_a(kind)} CSV")
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise DatasetError(f"{name}: the first line has no ',', ';' or tab separators; "
                           f"expected {_a(kind)} CSV export")
    columns = tuple(c.strip().strip('"').strip().lower()
                    for c in next(csv.reader([header], delimiter=delimiter)))
    missing = [c for c in required if c not in columns]
    if missing:
        raise DatasetError(f"{name}: not {_a(kind)} CSV: missing required column(s) "
                           f"{', '.join(missing)}")
    return _CsvFile(path=path, encoding=encoding, delimiter=delimiter, columns=columns, size=size)


def _a(kind: str) -> str:
    return ("an " if kind.startswith("A") else "a ") + kind


def _decode_prefix(head: bytes) -> str:
    for cut in range(4):
        try:
            return head[:len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            if cut == 3:
                raise
    raise AssertionError("unreachable")


def _batches(src: _CsvFile, problems: _Problems,
             batch_rows: int = BATCH_ROWS) -> Iterator[tuple[int, pd.DataFrame]]:
    """(first row number, batch of string columns); row numbers count the header as row 1.

    pyarrow's streaming CSV reader parses on both cores; batches are re-cut to batch_rows rows.
    """
    names = _unique_names(src.columns)

    def on_invalid(row: pacsv.InvalidRow) -> str:
        where = f"line {row.number}" if row.number is not None else "a row"
        problems.add(f"{where}: malformed CSV row: {row.actual_columns} columns where the header "
                     f"has {row.expected_columns}; row skipped")
        return "skip"

    try:
        reader = pacsv.open_csv(
            src.path,
            read_options=pacsv.ReadOptions(encoding=src.encoding, column_names=names, skip_rows=1,
                                           block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=src.delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        if "Empty CSV file" in str(err):
            raise DatasetError(f"{src.path.name}: has a header but no data rows") from None
        raise DatasetError(f"{src.path.name}: cannot be read as CSV ({_short(err)})") from None
    row = 2
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def cut(table: pa.Table) -> pd.DataFrame:
        frame = table.to_pandas()
        frame.columns = list(src.columns) if len(set(src.columns)) == len(src.columns) else names
        return frame

    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as err:
            raise DatasetError(f"{src.path.name}: cannot be read as CSV after row {row + pending_rows - 1} "
                               f"({_short(err)}); save it as UTF-8 CSV") from None
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= batch_rows:
            table = pa.Table.from_batches(pending)
            yield row, cut(table.slice(0, batch_rows))
            row += batch_rows
            rest = table.slice(batch_rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        yield row, cut(pa.Table.from_batches(pending))
        row += pending_rows
    if row == 2:
        raise DatasetError(f"{src.path.name}: has a header but no data rows")


def _unique_names(columns: tuple[str, ...]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c}.{seen[c]}")
    return out


def _short(err: BaseException) -> str:
    return " ".join(str(err).split())[:160]


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def add(self, line: str) -> None:
        self.count += 1
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)

    def finish(self) -> list[str]:
        out = list(self.lines)
        if self.count > len(self.lines):
            out.append(f"... and {self.count - len(self.lines)} more problem rows not listed")
        return out


class _Checks:
    """Row checks of one batch; a row's problem is the first check it fails."""

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.reasons: dict[int, str] = {}

    def flag(self, mask: pd.Series | np.ndarray, reason: str | Callable[[np.ndarray], list[str]]) -> None:
        m = mask.fillna(False).to_numpy(dtype=bool) if isinstance(mask, pd.Series) else mask
        m = m & ~self.bad
        if not m.any():
            return
        idx = np.flatnonzero(m)
        # Messages are built for the failing rows only: a million good rows cost nothing here.
        msgs = [reason] * len(idx) if isinstance(reason, str) else reason(idx)
        self.reasons.update(zip(idx.tolist(), msgs, strict=True))
        self.bad |= m

    def report(self, problems: _Problems, first_row: int, ids: pd.Series) -> None:
        id_values = ids.to_numpy(dtype=object)
        for i in sorted(self.reasons):
            ident = f" ({id_values[i]})" if id_values[i] else ""
            problems.add(f"row {first_row + i}{ident}: {self.reasons[i]}")


def _says(template: str, values: pd.Series) -> Callable[[np.ndarray], list[str]]:
    """Reason builder: template.format(value) for each failing row ({!r} quotes it)."""
    arr = values.to_numpy(dtype=object)
    return lambda idx: [template.format(arr[i]) for i in idx]


class _SeenIds:
    """Ids of earlier batches, as sorted 64-bit hashes (vectorised look-ups, 8 bytes an id)."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []

    @staticmethod
    def _hash(ids: pd.Series) -> np.ndarray:
        return pd.util.hash_array(ids.to_numpy(dtype=object), categorize=False)

    def contains(self, ids: pd.Series) -> np.ndarray:
        h = self._hash(ids)
        found = np.zeros(len(h), dtype=bool)
        for part in self._parts:
            pos = np.searchsorted(part, h).clip(0, len(part) - 1)
            found |= part[pos] == h
        return found

    def update(self, ids: pd.Series) -> None:
        if len(ids):
            self._parts.append(np.sort(self._hash(ids)))
            if len(self._parts) > 8:  # merge so look-ups stay a handful of binary searches
                self._parts = [np.sort(np.concatenate(self._parts))]


def _seen_before(ids: pd.Series, seen: _SeenIds) -> np.ndarray:
    return seen.contains(ids)


# ---------------------------------------------------------------------------------------------
# Value parsing (vectorised)
# ---------------------------------------------------------------------------------------------
def _col(chunk: pd.DataFrame, name: str) -> pd.Series:
    if name not in chunk.columns:
        return pd.Series([""] * len(chunk), index=chunk.index, dtype=str)
    values = chunk[name].astype(str).str.strip()
    quoted = values.str.startswith("'")
    if quoted.any():
        # Undo the formula guard of CSV exports (ours and others'), so an export imports back.
        values = values.where(~quoted, values.str.replace(r"^'(?=[=+\-@])", "", regex=True))
    return values


def _parse_dates(values: pd.Series) -> pd.Series:
    out = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    todo = out.isna() & (values != "")
    for fmt in ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        if not todo.any():
            break
        parsed = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        out.loc[todo] = parsed
        todo = out.isna() & (values != "")
    bad_year = (out.dt.year < 1900) | (out.dt.year > 2100)
    return out.where(~bad_year)


def _checked_coordinates(chunk: pd.DataFrame, checks: _Checks) -> tuple[pd.Series, pd.Series]:
    """The latitude and longitude columns as numbers; rows with missing or impossible values
    (text, latitude 200, longitude -999) are flagged, ACLED and UCDP alike."""
    lat_raw, lon_raw = _col(chunk, "latitude"), _col(chunk, "longitude")
    lat, lon = _parse_numbers(lat_raw), _parse_numbers(lon_raw)
    checks.flag(lat.isna(), _says("latitude {!r} is not a number", lat_raw))
    checks.flag(lon.isna(), _says("longitude {!r} is not a number", lon_raw))
    checks.flag((lat < -90) | (lat > 90), _says("latitude {} is outside -90..90", lat_raw))
    checks.flag((lon < -180) | (lon > 180), _says("longitude {} is outside -180..180", lon_raw))
    return lat, lon


def _parse_numbers(values: pd.Series) -> pd.Series:
    """Float64 values; blanks and junk become NaN. Decimal commas ("36,32") are accepted."""
    arr = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else None
    if arr is not None:
        # Fast path (a clean column): one Arrow cast instead of a Python float() per cell.
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        try:
            return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                             index=values.index, dtype="float64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pd.to_numeric(values.str.replace(",", ".", regex=False).where(values != ""),
                         errors="coerce").astype("float64")


def _parse_inter(values: pd.Series) -> pd.Series:
    num = _parse_numbers(values)
    todo = num.isna() & (values != "")
    out = num.copy()
    if todo.any():  # newer exports write labels ("State forces") instead of codes
        out[todo] = values[todo].str.lower().map(INTER_LABELS)
    return out.astype("Float64").round().astype("Int64")


def _join_actors(*columns: pd.Series) -> pd.Series:
    """"; "-joined actor names, blanks dropped (assoc actor cells are already ';'-lists)."""
    arrays = [pa.array(c.astype(str).to_numpy(dtype=object), type=pa.string()) for c in columns]
    joined = pc.binary_join_element_wise(*arrays, "; ")
    tidy = pc.replace_substring_regex(joined, r"\s*;\s*(;\s*)*", "; ")
    tidy = pc.replace_substring_regex(tidy, r"^(; )+|(; )+$", "")
    return pd.Series(tidy.to_pandas().array, index=columns[0].index)


_ISO_NUMERIC: dict[str, str] | None = None
_COUNTRY_CODES: dict[str, str] | None = None
_COUNTRY_ALIASES = {
    "dr congo": "CD", "democratic republic of congo": "CD", "democratic republic of the congo": "CD",
    "republic of congo": "CG", "congo": "CG", "ivory coast": "CI", "cote d'ivoire": "CI",
    "côte d'ivoire": "CI", "turkey": "TR", "türkiye": "TR", "russia": "RU", "syria": "SY",
    "iran": "IR", "palestine": "PS", "united states": "US", "united states of america": "US",
    "united kingdom": "GB", "myanmar": "MM", "burma": "MM", "south korea": "KR",
    "north korea": "KP", "laos": "LA", "vietnam": "VN", "cambodia": "KH", "yemen": "YE",
    "serbia": "RS", "kosovo": "XK", "eswatini": "SZ", "kingdom of eswatini": "SZ",
    "swaziland": "SZ", "east timor": "TL", "timor-leste": "TL", "czech republic": "CZ",
    "bosnia and herzegovina": "BA", "north macedonia": "MK", "macedonia": "MK",
    "cape verde": "CV", "gambia": "GM", "bahamas": "BS", "micronesia": "FM",
    "madagascar": "MG", "zimbabwe": "ZW", "sudan": "SD", "south sudan": "SS",
}


def iso_numeric_to_alpha2(code: str) -> str:
    """ISO 3166-1 numeric ("760") → alpha-2 ("SY"), via CLDR's territory aliases; '' if unknown."""
    global _ISO_NUMERIC
    if _ISO_NUMERIC is None:
        from babel.core import get_global

        _ISO_NUMERIC = {k: v[0] for k, v in get_global("territory_aliases").items()
                        if k.isdigit() and len(v) == 1}
    return _ISO_NUMERIC.get(code.zfill(3), "") if code.isdigit() else ""


def alpha2_to_iso_numeric(code: str) -> str:
    """ISO 3166-1 alpha-2 → numeric as ACLED writes it (no leading zeros); '' if unknown."""
    iso_numeric_to_alpha2("0")
    assert _ISO_NUMERIC is not None
    for num, a2 in _ISO_NUMERIC.items():
        if a2 == code:
            return str(int(num))
    return ""


def country_code(name: str) -> str:
    """Alpha-2 code for an English country name as ACLED or UCDP write it ("DR Congo (Zaire)")."""
    global _COUNTRY_CODES
    if _COUNTRY_CODES is None:
        from babel import Locale

        codes: dict[str, str] = {}
        for code, label in Locale("en").territories.items():
            if code.isalpha() and len(code) == 2:
                codes[label.casefold()] = code
                codes[re.sub(r"\s*\(.*\)", "", label).casefold()] = code
        codes.update(_COUNTRY_ALIASES)
        _COUNTRY_CODES = codes
    key = name.strip().casefold()
    return _COUNTRY_CODES.get(key) or _COUNTRY_CODES.get(re.sub(r"\s*\(.*\)", "", key).strip(), "")


def _iso_column(iso: pd.Series, country: pd.Series) -> pd.Series:
    """Our alpha-2 iso from ACLED's numeric (or alpha-2) iso, else from the country name."""
    codes, uniques = pd.factorize(iso + "|" + country)
    mapped = []
    for k in uniques:
        i, c = str(k).split("|", 1)
        code = ""
        if i.isdigit():
            code = iso_numeric_to_alpha2(i)
        elif len(i) == 2 and i.isalpha():
            code = i.upper()
        mapped.append(code or country_code(c))
    return pd.Series(np.array(mapped + [""], dtype=object)[codes], index=iso.index).astype(str)


# ---------------------------------------------------------------------------------------------
# ACLED
# ---------------------------------------------------------------------------------------------
def _acled_events(chunk: pd.DataFrame, first_row: int, seen: _SeenIds,
                  problems: _Problems) -> pd.DataFrame:
    n = len(chunk)
    ids = _col(chunk, "event_id_cnty")
    checks = _Checks(n)
    flag = checks.flag

    flag(ids == "", "missing event_id_cnty")
    dup = (ids.duplicated() & (ids != "")).to_numpy(dtype=bool) | _seen_before(ids, seen)
    flag(dup, "duplicate event_id_cnty (an earlier row has the same id)")

    raw_date = _col(chunk, "event_date")
    dates = _parse_dates(raw_date)
    flag(raw_date == "", "missing event_date")
    flag(dates.isna(), _says("event_date {!r} is not a date", raw_date))

    ev_type = _col(chunk, "event_type")
    sub = _col(chunk, "sub_event_type")
    for alias, canonical in SUB_EVENT_TYPE_ALIASES.items():
        sub = sub.mask(sub == alias, canonical)
    flag(~ev_type.isin(list(SUB_EVENT_TYPES)), _says("unknown event_type {!r}", ev_type))
    flag(~(ev_type + "|" + sub).isin(_VALID_PAIRS),
         lambda idx: [f"sub_event_type {sub.iloc[i]!r} is not a sub-type of {ev_type.iloc[i]!r}"
                      for i in idx])

    actor1 = _col(chunk, "actor1")
    flag(actor1 == "", "missing actor1")
    country = _col(chunk, "country")
    flag(country == "", "missing country")
    location = _col(chunk, "location")
    flag(location == "", "missing location")

    lat, lon = _checked_coordinates(chunk, checks)

    fat_raw = _col(chunk, "fatalities")
    fat = _parse_numbers(fat_raw)
    flag((fat_raw != "") & (fat.isna() | (fat < 0) | (fat != fat.round())),
         _says("fatalities {!r} is not a whole number of 0 or more", fat_raw))

    tp_raw = _col(chunk, "time_precision")
    tp = _parse_numbers(tp_raw)
    flag((tp_raw != "") & ~tp.isin([1, 2, 3]), _says("time_precision {!r} is not 1, 2 or 3", tp_raw))
    gp_raw = _col(chunk, "geo_precision")
    gp = _parse_numbers(gp_raw)
    flag((gp_raw != "") & ~gp.isin([1, 2, 3]), _says("geo_precision {!r} is not 1, 2 or 3", gp_raw))

    checks.report(problems, first_row, ids)
    good = ~checks.bad
    # Ids of rejected rows count as seen too (except blanks): a later row with the same id is
    # still a duplicate of what the file says.
    seen.update(ids[(ids != "").to_numpy(dtype=bool) & ~dup])
    g = pd.Series(good)

    def keep(s: pd.Series) -> pd.Series:
        return s[g].reset_index(drop=True)  # type: ignore[index]

    disorder = _col(chunk, "disorder_type")
    if (disorder == "").any():  # older exports have no disorder_type: derive it from the type
        disorder = disorder.where(disorder != "", ev_type.map(_DISORDER_BY_TYPE).fillna("Political violence"))
    inter1, inter2 = _parse_inter(_col(chunk, "inter1")), _parse_inter(_col(chunk, "inter2"))
    interaction = _parse_numbers(_col(chunk, "interaction"))
    computed = pd.Series(
        [(min(a, b) * 10 + max(a, b)) if not (pd.isna(a) or pd.isna(b)) and b else
         (a * 10 if not pd.isna(a) else pd.NA) for a, b in zip(inter1, inter2.fillna(0), strict=True)],
        index=chunk.index, dtype="Int64") if interaction.isna().any() else None
    if computed is not None:
        interaction = interaction.astype("Float64").fillna(computed.astype("Float64"))
    assoc1, assoc2, actor2 = _col(chunk, "assoc_actor_1"), _col(chunk, "assoc_actor_2"), _col(chunk, "actor2")
    out = pd.DataFrame({
        "event_date": keep(dates),
        "time_precision": keep(tp.fillna(TIME_PRECISION_DAY).astype("int64").clip(1, 3)),
        "event_type": keep(ev_type),
        "sub_event_type": keep(sub),
        "actor1": keep(actor1),
        "location": keep(location),
        "lat": keep(lat),
        "lon": keep(lon),
        "geo_precision": keep(gp.fillna(GEO_PRECISION_EXACT).astype("int64").clip(1, 3)),
        "evidence": "",
        "disorder_type": keep(disorder),
        "actor2": keep(actor2),
        "assoc_actor_1": keep(assoc1),
        "assoc_actor_2": keep(assoc2),
        "inter1": keep(inter1),
        "inter2": keep(inter2),
        "interaction": keep(interaction.round().astype("Int64")),
        "civilian_targeting": keep(_col(chunk, "civilian_targeting")),
        "country": keep(country),
        "iso": keep(_iso_column(_col(chunk, "iso"), country)),
        "admin1": keep(_col(chunk, "admin1")),
        "fatalities": keep(fat.round().astype("Int64")),
        "notes": keep(_col(chunk, "notes")),
        "source": keep(_col(chunk, "source")),
        "source_url": "",
        "article_id": "",
        "evidence_start": pd.NA,
        "evidence_end": pd.NA,
        "confidence": 1.0,
        "review_status": REVIEW_MACHINE,
        "actors": keep(_join_actors(actor1, assoc1, actor2, assoc2)),
        "event_id": keep(ids),
    })
    return out[list(EVENT_FIELDS)]


# ---------------------------------------------------------------------------------------------
# UCDP GED
# ---------------------------------------------------------------------------------------------
# type_of_violence → (event_type, sub_event_type, civilian_targeting)
_UCDP_TYPES = {
    1: ("Battles", "Armed clash", ""),  # state-based
    2: ("Battles", "Armed clash", ""),  # non-state
    3: ("Violence against civilians", "Attack", "Civilian targeting"),  # one-sided
}
# where_prec 1 exact place, 2 around a named place, 3-7 ADM2 / ADM1 / vague / country / water.
_UCDP_GEO = {1: GEO_PRECISION_EXACT, 2: GEO_PRECISION_NEAR, 3: GEO_PRECISION_REGION,
             4: GEO_PRECISION_REGION, 5: GEO_PRECISION_REGION, 6: GEO_PRECISION_REGION,
             7: GEO_PRECISION_REGION}
# date_prec 1 day; 2 span of 2-6 days; 3 a week; 4 a month; 5 a year.
_UCDP_TIME = {1: TIME_PRECISION_DAY, 2: TIME_PRECISION_WEEK, 3: TIME_PRECISION_WEEK,
              4: TIME_PRECISION_MONTH, 5: TIME_PRECISION_MONTH}


def _ucdp_events(chunk: pd.DataFrame, first_row: int, seen: _SeenIds,
                 problems: _Problems) -> pd.DataFrame:
    n = len(chunk)
    raw_id = _col(chunk, "id")
    checks = _Checks(n)
    flag = checks.flag
    ids = "ucdp-" + raw_id
    flag(raw_id == "", "missing id")
    dup = (ids.duplicated() & (raw_id != "")).to_numpy(dtype=bool) | _seen_before(ids, seen)
    flag(dup, "duplicate id (an earlier row has the same id)")
    tov_raw = _col(chunk, "type_of_violence")
    tov = pd.to_numeric(tov_raw.where(tov_raw != ""), errors="coerce")
    flag(~tov.isin([1, 2, 3]), _says("type_of_violence {!r} is not 1, 2 or 3", tov_raw))
    raw_date = _col(chunk, "date_start")
    dates = _parse_dates(raw_date)
    flag(dates.isna(), _says("date_start {!r} is not a date", raw_date))
    side_a, side_b = _col(chunk, "side_a"), _col(chunk, "side_b")
    flag(side_a == "", "missing side_a")
    country = _col(chunk, "country")
    flag(country == "", "missing country")
    lat, lon = _checked_coordinates(chunk, checks)
    deaths = {}
    for name in ("best", "low", "high"):
        raw = _col(chunk, name)
        num = _parse_numbers(raw)
        flag((raw != "") & (num.isna() | (num < 0) | (num != num.round())),
             _says(name + " {!r} is not a whole number of 0 or more", raw))
        deaths[name] = num
    flag(deaths["best"].isna(), "missing best (deaths)")

    checks.report(problems, first_row, raw_id)
    good = pd.Series(~checks.bad)
    seen.update(ids[(raw_id != "").to_numpy(dtype=bool) & ~dup])

    def keep(s: pd.Series) -> pd.Series:
        return s[good].reset_index(drop=True)

    types = tov.where(tov.isin([1, 2, 3]), 1).astype(int).map(_UCDP_TYPES)
    where_prec = pd.to_numeric(_col(chunk, "where_prec"), errors="coerce")
    date_prec = pd.to_numeric(_col(chunk, "date_prec"), errors="coerce")
    where_coord, where_desc = _col(chunk, "where_coordinates"), _col(chunk, "where_description")
    location = where_coord.where(where_coord != "", where_desc)
    location = location.where(location != "", country)
    low, high = _col(chunk, "low"), _col(chunk, "high")
    date_end = _col(chunk, "date_end")
    headline, dyad = _col(chunk, "source_headline"), _col(chunk, "dyad_name")
    notes = ("UCDP GED: " + dyad.where(dyad != "", side_a + " - " + side_b)
             + "; deaths best " + _col(chunk, "best") + ", low " + low.where(low != "", "?")
             + ", high " + high.where(high != "", "?")
             + "; dates " + raw_date + (" to " + date_end).where(date_end != "", "")
             + ("; " + where_desc).where(where_desc != "", "")
             + ("; " + headline).where(headline != "", ""))
    inter1 = side_a.str.startswith("Government of").map({True: 1, False: 2}).astype("Int64")
    inter2 = pd.Series(pd.NA, index=chunk.index, dtype="Int64")
    inter2 = inter2.mask(tov == 3, 7).mask((tov != 3) & side_b.str.startswith("Government of"), 1)
    inter2 = inter2.mask((tov != 3) & (side_b != "") & inter2.isna(), 2)
    interaction = pd.Series(
        [pd.NA if pd.isna(b) else min(a, b) * 10 + max(a, b) for a, b in zip(inter1, inter2, strict=True)],
        index=chunk.index, dtype="Int64")
    source_url = _col(chunk, "source_article")
    out = pd.DataFrame({
        "event_date": keep(dates),
        "time_precision": keep(date_prec.map(_UCDP_TIME).fillna(TIME_PRECISION_DAY).astype("int64")),
        "event_type": keep(types.map(lambda t: t[0])),
        "sub_event_type": keep(types.map(lambda t: t[1])),
        "actor1": keep(side_a),
        "location": keep(location),
        "lat": keep(lat),
        "lon": keep(lon),
        "geo_precision": keep(where_prec.map(_UCDP_GEO).fillna(GEO_PRECISION_REGION).astype("int64")),
        "evidence": "",
        "disorder_type": "Political violence",
        "actor2": keep(side_b),
        "assoc_actor_1": "",
        "assoc_actor_2": "",
        "inter1": keep(inter1),
        "inter2": keep(inter2),
        "interaction": keep(interaction),
        "civilian_targeting": keep(types.map(lambda t: t[2])),
        "country": keep(country.str.replace(r"\s*\(.*\)", "", regex=True)),
        "iso": keep(country.map(country_code)),
        "admin1": keep(_col(chunk, "adm_1")),
        "fatalities": keep(deaths["best"].round().astype("Int64")),
        "notes": keep(notes),
        "source": "UCDP GED",
        # UCDP's source_article is a citation, rarely a link: keep it only when it is http(s).
        "source_url": keep(source_url.where(source_url.str.match(r"(?i)https?://"), "")),
        "article_id": "",
        "evidence_start": pd.NA,
        "evidence_end": pd.NA,
        "confidence": 1.0,
        "review_status": REVIEW_MACHINE,
        "actors": keep(_join_actors(side_a, side_b)),
        "event_id": keep(ids),
    })
    return out[list(EVENT_FIELDS)]


# ---------------------------------------------------------------------------------------------
# The importers
# ---------------------------------------------------------------------------------------------
def _progress_caller(progress: ProgressCallback | None) -> Callable[[int, int], None]:
    """Progress callbacks take rows done, or (rows done, estimated total rows)."""
    if progress is None:
        return lambda done, total: None
    try:
        params = inspect.signature(progress).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        two = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
    except (TypeError, ValueError):
        two = False
    if two:
        return lambda done, total: progress(done, total)
    return lambda done, total: progress(done)


def _import(store: Store, path: Path, kind: str, required: tuple[str, ...],
            to_events: Callable[[pd.DataFrame, int, _SeenIds, _Problems], pd.DataFrame],
            origin: str, progress: ProgressCallback | None, batch_rows: int) -> ImportReport:
    path = Path(path)
    src = _sniff(path, kind, required)
    report = ImportReport()
    problems = _Problems()
    seen = _SeenIds()
    tell = _progress_caller(progress)
    guess = _row_count_guess(src)
    for first_row, chunk in _batches(src, problems, batch_rows):
        events = to_events(chunk, first_row, seen, problems)
        report.rows += len(chunk)
        if len(events):
            result = store.import_events(events, origin=origin)
            report.imported += result.imported
            report.updated += result.updated
            report.unchanged += result.unchanged
            report.skipped += result.kept
            if result.kept:
                problems.add(f"{result.kept} row(s) in rows {first_row}-{first_row + len(chunk) - 1} "
                             "were corrected, reviewed or deleted by a person and were kept as they are")
        estimate = max(report.rows, guess)
        tell(report.rows, estimate)
    tell(report.rows, report.rows)
    report.skipped += problems.count - _person_lines(problems)
    report.problems = problems.finish()
    return report


def _person_lines(problems: _Problems) -> int:
    return sum(1 for line in problems.lines if "by a person" in line)


def _row_count_guess(src: _CsvFile) -> int:
    """Rows in the file, guessed from the first MB (for the progress bar only)."""
    with src.path.open("rb") as fh:
        sample = fh.read(1 << 20)
    lines = max(1, sample.count(b"\n"))
    return max(1, int(src.size / (len(sample) / lines)) - 1)


def import_acled(store: Store, path: Path, progress: ProgressCallback | None = None, *,
                 batch_rows: int = BATCH_ROWS) -> ImportReport:
    """Import an ACLED CSV export (31 columns since 2023; older exports' extra columns ignored;
    ',' or ';' separated) into the store, idempotent by event_id_cnty.

    progress(rows_done) — or progress(rows_done, estimated_total) — is called after each batch
    has been committed; batch_rows rows go in one transaction.
    Raises DatasetError when the file as a whole is not an ACLED CSV.
    """
    return _import(store, path, "ACLED", ACLED_REQUIRED, _acled_events, "acled", progress, batch_rows)


def import_ucdp(store: Store, path: Path, progress: ProgressCallback | None = None, *,
                batch_rows: int = BATCH_ROWS) -> ImportReport:
    """Import a UCDP GED CSV into the store (event ids "ucdp-<id>"); see import_acled."""
    return _import(store, path, "UCDP GED", UCDP_REQUIRED, _ucdp_events, "ucdp", progress, batch_rows)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------
_EXTRA_EXPORT = ("country_code", "actors", "evidence", "evidence_start", "evidence_end",
                 "confidence", "review_status", "article_id", "article_title", "source_url")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(values: pd.Series) -> pd.Series:
    """A leading ' stops spreadsheets from running a cell as a formula (OWASP CSV injection)."""
    risky = values.str.match(r"[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    out[risky] = "'" + values[risky].astype(object)
    return out


def _text(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str)
    return series.astype("str").fillna("")


def _ints(series: pd.Series) -> pd.Series:
    num = pd.to_numeric(series, errors="coerce").astype("Float64").round().astype("Int64")
    return num.astype("str").fillna("")


def _acled_frame(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)

    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].reset_index(drop=True)
        return pd.Series([""] * n, dtype=object)

    dates = pd.to_datetime(col("event_date"), errors="coerce")
    iso2 = _text(col("iso"))
    text_cols = {
        "event_id_cnty": _text(col("event_id")),
        "event_date": dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), ""),
        "year": _ints(dates.dt.year),
        "time_precision": _ints(col("time_precision")),
        "disorder_type": _text(col("disorder_type")),
        "event_type": _text(col("event_type")),
        "sub_event_type": _text(col("sub_event_type")),
        "actor1": _text(col("actor1")),
        "assoc_actor_1": _text(col("assoc_actor_1")),
        "inter1": _ints(col("inter1")),
        "actor2": _text(col("actor2")),
        "assoc_actor_2": _text(col("assoc_actor_2")),
        "inter2": _ints(col("inter2")),
        "interaction": _ints(col("interaction")),
        "civilian_targeting": _text(col("civilian_targeting")),
        "iso": iso2.map({c: alpha2_to_iso_numeric(c) for c in pd.unique(iso2)}),
        "region": pd.Series([""] * n, dtype=object),
        "country": _text(col("country")),
        "admin1": _text(col("admin1")),
        "admin2": pd.Series([""] * n, dtype=object),
        "admin3": pd.Series([""] * n, dtype=object),
        "location": _text(col("location")),
        "latitude": pd.to_numeric(col("lat"), errors="coerce"),
        "longitude": pd.to_numeric(col("lon"), errors="coerce"),
        "geo_precision": _ints(col("geo_precision")),
        "source": _text(col("source")),
        "source_scale": pd.Series([""] * n, dtype=object),
        "notes": _text(col("notes")),
        "fatalities": _ints(col("fatalities")),
        "tags": pd.Series([""] * n, dtype=object),
        "timestamp": pd.Series([""] * n, dtype=object),
        "country_code": iso2,
        "actors": _text(col("actors")),
        "evidence": _text(col("evidence")),
        "evidence_start": _ints(col("evidence_start")),
        "evidence_end": _ints(col("evidence_end")),
        "confidence": pd.to_numeric(col("confidence"), errors="coerce"),
        "review_status": _text(col("review_status")),
        "article_id": _text(col("article_id")),
        "article_title": _text(col("article_title")),
        "source_url": _text(col("source_url")),
    }
    out = pd.DataFrame(text_cols)
    for name in out.columns:
        if not pd.api.types.is_numeric_dtype(out[name]):
            out[name] = _neutralise(out[name].astype("str"))
    return out[list(ACLED_COLUMNS) + list(_EXTRA_EXPORT)]


def _json_column(name: str, series: pd.Series) -> list[Any]:
    """One column as JSON-ready Python values, converted in Arrow (no Python call per cell)."""
    if name == "event_date":
        dates = pd.to_datetime(series, errors="coerce")
        return dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None).tolist()
    if name == "actors":
        arr = pa.array(series.astype(str).fillna("").to_numpy(dtype=object), type=pa.string())
        parts = pc.split_pattern(arr, ";")
        return [[p.strip() for p in items if p.strip()] for items in parts.to_pylist()]
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str)
    if pd.api.types.is_float_dtype(series.dtype) and not isinstance(series.dtype, pd.Float64Dtype):
        values = series.to_numpy(dtype="float64")
        return pa.array(values, from_pandas=True).to_pylist()  # NaN → None
    try:
        return pa.array(series, from_pandas=True).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                for v in series.astype(object).tolist()]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Our event records, JSON-safe: ISO dates, actors as a list, null for unknown numbers."""
    columns = [c for c in (*EVENT_FIELDS, "article_title") if c in frame.columns]
    values = [_json_column(c, frame[c]) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def export_events(frame: pd.DataFrame, fmt: Literal["csv", "geojson", "json"]) -> bytes:
    """An events frame (Store.events_frame columns) as UTF-8 bytes.

    csv: ACLED's 31 columns in ACLED's order, then ours (country_code, actors, evidence, ...);
    cells a spreadsheet would run as a formula get a leading '. geojson: a FeatureCollection of
    Points (events without coordinates left out). json: a list of our event records.
    """
    if fmt == "csv":
        buf = io.StringIO()
        # RFC 4180 line ends: the csv writer then quotes any cell holding a bare \r or \n, so
        # no cell can split a row in a reader.
        _acled_frame(frame).to_csv(buf, index=False, lineterminator="\r\n")
        return buf.getvalue().encode("utf-8")
    if fmt == "json":
        return json.dumps(_records(frame), ensure_ascii=False).encode("utf-8")  # C encoder: no indent
    if fmt == "geojson":
        features = []
        for rec in _records(frame):
            lat, lon = rec.get("lat"), rec.get("lon")
            if lat is None or lon is None:
                continue
            features.append({"type": "Feature", "id": rec.get("event_id"),
                             "geometry": {"type": "Point", "coordinates": [lon, lat]},
                             "properties": rec})
        return json.dumps({"type": "FeatureCollection", "features": features},
                          ensure_ascii=False).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; use csv, geojson or json")

