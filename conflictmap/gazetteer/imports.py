"""A GeoNames dump (country file like SY.txt, or alternateNamesV2.txt) → rows added to the index."""

from __future__ import annotations

from pathlib import Path

from conflictmap.errors import InputError
from conflictmap.gazetteer.build import KIND_ALTERNATE, KIND_PRIMARY, PlaceRow, write_places
from conflictmap.gazetteer.normalize import name_key

# GeoNames feature classes worth a place in a conflict map: A (divisions), P (populated places),
# S (spots: camps, airports, bases), L (areas), T (mountains, valleys), H (rivers, lakes).
_FEATURE_CLASSES = {"A", "P", "S", "L", "T", "H"}
# alternateNamesV2 pseudo-languages that are links or codes, not names.
_NOT_NAMES = {"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "unlc", "tcid", "phon",
              "piny"}


def _feature(fclass: str, fcode: str, population: int) -> str:
    if fclass == "A":
        return {"PCLI": "country", "ADM1": "admin1", "ADM2": "admin2"}.get(fcode, "admin2")
    if fclass == "P":
        return "city" if population >= 10000 else "village"
    if fcode.startswith("CMP") or fcode == "RFGC":  # camps, refugee camps
        return "camp"
    return {"H": "water", "L": "region", "T": "region"}.get(fclass, "site")


def _import_dump(path: Path, lines: list[str], admin1_names: dict[tuple[str, str], str]) -> list[PlaceRow]:
    rows: list[PlaceRow] = []
    for lineno, line in enumerate(lines, 1):
        cols = line.split("\t")
        if len(cols) != 19:
            raise InputError(str(path), f"line {lineno} has {len(cols)} tab-separated columns, a "
                             "GeoNames dump has 19 (or alternateNamesV2 has 10)")
        try:
            lat, lon = float(cols[4]), float(cols[5])
            pop = int(cols[14] or 0)
        except ValueError:
            raise InputError(str(path), f"line {lineno}: latitude, longitude or population is "
                             "not a number; is this a GeoNames dump?") from None
        if cols[6] not in _FEATURE_CLASSES:
            continue
        row = PlaceRow(place_id=f"gn:{cols[0]}", name=cols[1], lat=lat, lon=lon,
                       country_code=cols[8], feature=_feature(cols[6], cols[7], pop),
                       admin1=admin1_names.get((cols[8], cols[10]), ""), admin1_code=cols[10],
                       population=pop, source="geonames-import")
        row.add_name(cols[1], KIND_PRIMARY)
        row.add_name(cols[2], KIND_PRIMARY)
        for alt in cols[3].split(","):
            if alt:
                row.add_name(alt, KIND_ALTERNATE)
        rows.append(row)
    return rows


def import_geonames(path: Path, cache_dir: Path | None = None) -> int:
    """Add a GeoNames country dump or alternateNamesV2.txt to the index; returns rows imported.

    Country dumps (SY.txt; 19 tab-separated columns like cities500) add their places (divisions,
    populated places, camps, areas); alternateNamesV2.txt (10 columns) adds names to places
    already known. Imports survive rebuilds of the base index. Raises InputError for bad files.
    """
    from conflictmap.gazetteer.index import IMPORTS_FILE, load_gazetteer, open_imports

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text; GeoNames dumps are UTF-8 tab-separated files") from None
    except OSError as err:
        raise InputError(str(path), f"cannot read: {err.strerror}") from None
    lines = [ln.rstrip("\r") for ln in text.split("\n") if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise InputError(str(path), "empty file; expected a GeoNames dump (SY.txt) or alternateNamesV2.txt")
    gaz = load_gazetteer(cache_dir)
    conn = open_imports(gaz.base_path.parent / IMPORTS_FILE)
    try:
        ncols = len(lines[0].split("\t"))
        if ncols == 10:
            n = _import_alternate_names(path, lines, gaz, conn)
        else:
            admin1 = {(c.country_code, code): c.name for c, code in _admin1_index(gaz)}
            n = write_places(conn, _import_dump(path, lines, admin1))
        conn.commit()
    finally:
        conn.close()
    gaz.invalidate()
    return n


def _admin1_index(gaz) -> list:
    conn = gaz._conns()[0]
    rows = conn.execute("SELECT place_id, name, lat, lon, country_code, feature, admin1, population,"
                        " source, admin1_code FROM places WHERE feature = 'admin1'").fetchall()
    from conflictmap.models import Candidate

    return [(Candidate(*r[:9]), r[9]) for r in rows]


def _import_alternate_names(path: Path, lines: list[str], gaz, conn) -> int:
    """Names for places already in the index (base or imported); others are skipped."""
    by_gid: dict[str, list[tuple[str, int]]] = {}
    for lineno, line in enumerate(lines, 1):
        cols = line.split("\t")
        if len(cols) != 10 or not cols[1].isdigit():
            raise InputError(str(path), f"line {lineno} is not an alternateNamesV2 row "
                             "(10 tab-separated columns, geonameid second)")
        if cols[2] in _NOT_NAMES or not cols[3]:
            continue
        kind = KIND_PRIMARY if cols[2] in ("en", "sv") and cols[4] == "1" else KIND_ALTERNATE
        by_gid.setdefault(cols[1], []).append((cols[3], kind))
    n = 0
    sources = [conn, gaz._conns()[0]]
    for gid, names in by_gid.items():
        for src in sources:
            row = src.execute("SELECT place_id, name, lat, lon, country_code, feature, admin1,"
                              " admin1_code, population, source FROM places WHERE place_id = ?",
                              (f"gn:{gid}",)).fetchone()
            if row:
                break
        else:
            continue
        place = PlaceRow(*row)
        for name, kind in names:
            if name_key(name):
                place.add_name(name, kind)
                n += 1
        write_places(conn, [place])
    return n


GEONAMES_DUMP_URL = "https://download.geonames.org/export/dump/{code}.zip"


def download_geonames(country_code: str, cache_dir: Path | None = None, *, timeout: float = 60.0) -> int:
    """Download GeoNames' dump of one country (e.g. "SY") and import it; returns rows imported.

    Needs CONFLICTMAP_ALLOW_NETWORK=1. Offline, download `{CC}.zip` by other means, unzip it and
    run `python -m conflictmap gazetteer import {CC}.txt`.
    """
    import io
    import tempfile
    import urllib.request
    import zipfile

    from conflictmap import settings
    from conflictmap.errors import ConflictMapError

    code = country_code.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InputError(country_code, "not a two-letter country code (e.g. SY, UA, SD)")
    url = GEONAMES_DUMP_URL.format(code=code)
    if not settings.get_bool("CONFLICTMAP_ALLOW_NETWORK"):
        raise ConflictMapError(
            f"gazetteer download needs the network: set CONFLICTMAP_ALLOW_NETWORK=1, or fetch {url} "
            f"yourself, unzip it and run `python -m conflictmap gazetteer import {code}.txt`")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed https URL
            data = response.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = archive.read(f"{code}.txt")
    except (OSError, zipfile.BadZipFile, KeyError) as err:
        raise ConflictMapError(f"could not download {url}: {err}") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{code}.txt"
        path.write_bytes(text)
        return import_geonames(path, cache_dir)
