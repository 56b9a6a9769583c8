"""Disambiguation: the article's other places, hierarchy and cues choose between namesakes."""

from __future__ import annotations

import pytest

from conflictmap.errors import GeocoderUnavailable
from conflictmap.geocode import Geocoder, OfflineGeocoder, resolve_places
from conflictmap.geocode.resolve import km_between
from conflictmap.geoparse import find_mentions
from conflictmap.models import GEO_PRECISION_EXACT, GEO_PRECISION_NEAR, GEO_PRECISION_REGION, Article, Candidate


def resolve(body: str, language: str = "en", geocoder: Geocoder | None = None):
    art = Article(title="", body=body, language=language)
    return resolve_places(art, find_mentions(art), geocoder)


def place(places, text):
    return next(p for p in places if p.mention.text == text)


@pytest.mark.parametrize(("body", "name", "country"), [
    ("Militias from Misrata and Benghazi clashed in Tripoli.", "Tripoli", "LY"),
    ("Shelling hit Tripoli, north of Beirut, near the Syrian border.", "Tripoli", "LB"),
    ("Tripoli, Lebanon saw protests.", "Tripoli", "LB"),
    ("Fighters left Misrata for Homs, east of Tripoli, in Libya.", "Homs", "LY"),
    ("Shelling hit Homs and Hama, north of Damascus.", "Homs", "SY"),
    ("Protests in San José and Cartago, Costa Rica.", "San José", "CR"),
    ("Tech workers in San José and Oakland, California, rallied.", "San José", "US"),
])
def test_namesakes_follow_the_articles_other_places(body, name, country):
    assert place(resolve(body), name).candidate.country_code == country


def test_bare_aleppo_is_the_city_and_aleppo_province_the_governorate():
    assert place(resolve("Air strikes hit Aleppo."), "Aleppo").candidate.feature == "city"
    gov = resolve("Air strikes hit villages in Aleppo province.")
    assert gov[0].candidate.feature == "admin1" and gov[0].precision == GEO_PRECISION_REGION


def test_country_name_before_a_town_of_the_same_name():
    assert place(resolve("Aid arrived in Lebanon."), "Lebanon").candidate.feature == "country"


def test_precision_town_near_and_region():
    places = resolve("Helikoptern landade utanför staden Afrin. Räden i Atme. Syrien protesterade.",
                     "sv")
    assert place(places, "Afrin").precision == GEO_PRECISION_NEAR
    assert place(places, "Atme").precision == GEO_PRECISION_EXACT
    assert place(places, "Syrien").precision == GEO_PRECISION_REGION


def test_resolved_places_carry_id_coordinates_and_confidence():
    (p,) = resolve("Räden i Atme.", "sv")
    c = p.candidate
    assert c.place_id == "sup:atme" and c.country_code == "SY" and c.admin1 == "Idlib"
    assert km_between(c.lat, c.lon, 36.32, 36.66) < 10
    assert 0 < p.confidence <= 1


def test_ambiguous_names_keep_alternatives_for_review():
    p = place(resolve("Militias from Misrata clashed in Tripoli."), "Tripoli")
    assert any(a.country_code == "LB" for a in p.alternatives)


def test_unresolvable_mentions_are_kept_unresolved():
    (p,) = resolve("Striderna nådde byn Qzxyabad.", "sv")
    assert p.candidate is None and not p.resolved and p.confidence == 0.0


class FakeOnline:
    """A geocoder double: answers one name, counts calls; may fail like a down service."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.fail = fail

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        self.calls.append((name, country_hint))
        if self.fail:
            raise GeocoderUnavailable("fake service down")
        if name == "Qzxyabad":
            return [Candidate("osm:1", "Qzxyabad", 36.0, 36.5, "SY", "village", source="nominatim")]
        return []


def test_online_geocoder_is_asked_only_for_names_the_gazetteer_lacks():
    fake = FakeOnline()
    places = resolve("Räden i Atme i Syrien. Striderna nådde byn Qzxyabad.", "sv", fake)
    assert [c[0] for c in fake.calls] == ["Qzxyabad"]
    assert fake.calls[0][1] == "SY"  # the article's country is the hint
    assert place(places, "Qzxyabad").candidate.source == "nominatim"


def test_online_failure_leaves_the_offline_result_standing():
    places = resolve("Räden i Atme. Striderna nådde byn Qzxyabad.", "sv", FakeOnline(fail=True))
    assert place(places, "Atme").resolved and not place(places, "Qzxyabad").resolved


def test_offline_geocoder_implements_the_protocol_and_uses_the_hint():
    geo = OfflineGeocoder()
    assert isinstance(geo, Geocoder)
    assert geo.geocode("Tripoli", country_hint="LB")[0].country_code == "LB"
    assert geo.geocode("Tripoli", country_hint="LY")[0].country_code == "LY"
    assert geo.geocode("Qzxyabad") == []


@pytest.mark.parametrize(("body", "feature"), [
    ("A storm hit Tacoma, Washington on Monday.", "admin1"),
    ("Jobs left western states such as California or Washington.", "admin1"),
    ("Fires burned in central Washington.", "admin1"),
    ("He toured Alaska, Hawaii, Florida and Washington.", "admin1"),
    ("Senators met in Washington on Monday.", "city"),
])
def test_washington_is_the_capital_unless_the_text_says_state(body, feature):
    assert place(resolve(body), "Washington").candidate.feature == feature


def test_washington_dc_is_one_place_the_capital():
    (p,) = resolve("The march ended in Washington, D.C., at noon.")
    assert p.mention.text == "Washington, D.C." and p.candidate.admin1 == "District of Columbia"


def test_context_does_not_move_a_world_city_to_a_far_smaller_namesake():
    places = resolve("Fans in Houston, Denver and Kentucky watched the final, played in London.")
    assert place(places, "London").candidate.country_code == "GB"


@pytest.mark.parametrize(("body", "name", "country"), [
    ("She moved to London, Ontario.", "London", "CA"),
    ("Paris, Texas is quiet.", "Paris", "US"),
])
def test_an_explicit_hierarchy_still_picks_the_small_namesake(body, name, country):
    assert place(resolve(body), name).candidate.country_code == country


def test_a_country_named_only_in_another_language_loses_to_the_city():
    # "Tunis" is Tunisia in some languages; in running text it is the capital.
    assert place(resolve("Protesters gathered in Tunis."), "Tunis").candidate.feature == "city"


@pytest.mark.parametrize("body", ["Shelling hit Zaporizhzhia and Kherson.",
                                  "Zaporizhzhia was shelled; Kherson too."])
def test_a_bare_oblast_name_is_its_namesake_city(body):
    places = resolve(body)
    assert place(places, "Zaporizhzhia").candidate.feature == "city"
    assert place(places, "Kherson").candidate.feature == "city"


def test_a_directional_area_is_a_region_and_a_camp_cue_picks_the_camp():
    places = resolve("Tre dödades i norra Syrien. Flyktinglägret Jabalia besköts.", "sv")
    assert place(places, "Syrien").precision == GEO_PRECISION_REGION
    assert place(places, "Jabalia").candidate.feature == "camp"
    town = place(resolve("Strikes hit Jabalia, north of Gaza City."), "Jabalia")
    assert town.candidate.feature == "city"


def test_map_labels_are_plain_latin_names():
    (afrin,) = resolve("Shelling near Afrin.")
    assert afrin.candidate.name == "Afrin"
    (khan,) = resolve("Air strikes on Khan Yunis.")
    assert khan.candidate.name == "Khan Yunis"


@pytest.mark.parametrize(("body", "name", "feature", "precision"), [
    ("Beskjutningen i Idlibprovinsen fortsatte.", "Idlib", "admin1", GEO_PRECISION_REGION),
    ("Robotar slog ned i Charkivregionen.", "Charkiv", "admin1", GEO_PRECISION_REGION),
    ("Vid Rafahgränsen väntade lastbilar.", "Rafah", "city", GEO_PRECISION_NEAR),
    ("Striderna i Donbassregionen fortsatte.", "Donbass", "region", GEO_PRECISION_REGION),
    ("Flyg bombade Sarmadaområdet.", "Sarmada", "village", GEO_PRECISION_NEAR),
])
def test_swedish_compounds_of_a_name_and_a_cue_word(body, name, feature, precision):
    p = place(resolve(body, "sv"), name)
    assert p.candidate.feature == feature and p.precision == precision


def test_the_city_region_is_the_division_named_after_the_city():
    p = place(resolve("Shelling continued in the Kharkiv region."), "Kharkiv")
    assert p.candidate.feature == "admin1" and p.candidate.country_code == "UA"
    # The city stays on the review page (beside the Kharkiv raion).
    assert "city" in [a.feature for a in p.alternatives[:2]]


@pytest.mark.parametrize(("body", "name", "country", "feature"), [
    ("Snow closed roads in Maidstone, Kent, and across Surrey and Sussex.", "Kent", "GB", "admin2"),
    ("Floods hit Hampshire and Dorset; Southampton was worst hit.", "Hampshire", "GB", "admin2"),
    ("Deputies in Russell County, Alabama, found the car.", "Russell County", "US", "admin2"),
])
def test_counties_are_second_level_divisions(body, name, country, feature):
    p = place(resolve(body), name)
    assert (p.candidate.country_code, p.candidate.feature) == (country, feature)
    assert p.precision == GEO_PRECISION_NEAR  # ACLED geo_precision 2: somewhere in a district


def test_a_bare_division_name_is_no_place_of_its_own():
    # "Long County" and "Russell County" exist; "Long" and "Russell" alone are a word and a name.
    texts = [p.mention.text for p in resolve("Russell said the Long March was over.")]
    assert "Russell" not in texts and "Long" not in texts


def test_a_district_named_after_its_town_is_the_town_without_a_cue():
    assert place(resolve("A grenade exploded in central Srinagar."), "Srinagar").candidate.feature == "city"
    district = place(resolve("Gunmen attacked a bus in Srinagar district."), "Srinagar")
    assert district.candidate.feature == "admin2"


def test_a_dateline_is_the_city_not_the_state():
    p = resolve("NEW YORK (AP) — Stocks fell on Monday.")[0]
    assert p.candidate.feature == "city" and p.candidate.country_code == "US"
    assert km_between(p.candidate.lat, p.candidate.lon, 40.71, -74.01) < 30


def test_a_name_means_one_place_throughout_an_article():
    # The dateline's "N.J." settles the bare "Allendale"s before and after it, although a bigger
    # Allendale lies in Michigan and a Michigan city is named too.
    body = ("The Allendale Woman's Club, founded by a Grand Rapids banker, holds a fashion show.\n\n"
            "ALLENDALE, N.J. -- Mothers will benefit. Women in Allendale have served for 100 years.")
    places = [p for p in resolve(body) if p.mention.text.lower() == "allendale"]
    assert len(places) == 3
    for p in places:
        assert km_between(p.candidate.lat, p.candidate.lon, 41.04, -74.13) < 10, p.mention.text


def test_a_city_and_its_province_in_one_article_stay_apart():
    places = resolve("Shelling hit Aleppo. Villages in Aleppo province were emptied.")
    assert [p.candidate.feature for p in places] == ["city", "admin1"]


@pytest.mark.parametrize(("body", "language"), [
    ("Striderna i Afrindistriktet fortsatte.", "sv"),
    ("Turkish shelling hit villages in Afrin district.", "en"),
])
def test_a_district_named_after_its_seat_is_found_from_the_seat(body, language):
    # Syria's districts carry their seat's name; the district sits at its seat's point when no
    # town is filed under it, and an event there is ACLED geo_precision 2.
    p = place(resolve(body, language), "Afrin")
    assert (p.candidate.name, p.candidate.feature, p.precision) == ("Afrin District", "admin2", GEO_PRECISION_NEAR)
    assert km_between(p.candidate.lat, p.candidate.lon, 36.51, 36.87) < 30


@pytest.mark.parametrize(("body", "language", "name", "country", "feature"), [
    ("Burundi har trupper i Sydkivu.", "sv", "Sydkivu", "CD", "admin1"),
    ("IS attacked a checkpoint in Saladin province.", "en", "Saladin", "IQ", "admin1"),
    ("Al-Shabaab attacked a base in Lower Shabelle.", "en", "Lower Shabelle", "SO", "admin1"),
    # A curated town without a census figure is a town: the story's country settles it.
    ("Insurgents attacked the towns of Palma and Mocimboa da Praia in Cabo Delgado, Mozambique.",
     "en", "Palma", "MZ", "village"),
])
def test_news_names_of_divisions_and_curated_towns(body, language, name, country, feature):
    p = place(resolve(body, language), name)
    assert (p.candidate.country_code, p.candidate.feature) == (country, feature)


def test_a_district_of_a_town_is_the_town():
    # "district" before the name is a part of the town, not the division named after it.
    p = place(resolve("A Russian missile struck a residential district of Kharkiv on Friday."), "Kharkiv")
    assert (p.candidate.name, p.candidate.feature) == ("Kharkiv", "city")
