"""Filters: what a user selects is exactly what they see, and a shared link restores it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from conflictmap.filters import EventFilter, apply_filter, filter_options


def make_frame(categorical: bool) -> pd.DataFrame:
    rows = [
        # id, date, type, sub, country, admin1, actors, fatalities, notes, evidence, location, source, status
        ("e1", "2022-02-03", "Battles", "Armed clash", "Syria", "Idlib",
         "Military Forces of the United States; Islamic State", 13, "Raid on a house", "US forces raided",
         "Atme", "Sveriges Radio; Reuters", "machine"),
        ("e2", "2022-01-20", "Explosions/Remote violence", "Suicide bomb", "Syria", "Al-Hasakah",
         "Islamic State", 5, "Prison attack", "IS attacked the prison", "Al-Hasakah", "Reuters",
         "reviewed"),
        ("e3", None, "Protests", "Excessive force against protestors", "Iraq", "Baghdad",
         "Protesters (Iraq); Police Forces of Iraq", None, "Tear gas (a.b) used", "", "Baghdad", "AFP",
         "corrected"),
        ("e4", "2022-02-04", "Battles", "Armed clash", "Syria", "Aleppo", "SDF; Turkish Army", 0,
         "Shelling near ÅTMEH crossing", "", "Afrin", "Sveriges Radio", "machine"),
    ]
    cols = ["event_id", "event_date", "event_type", "sub_event_type", "country", "admin1", "actors",
            "fatalities", "notes", "evidence", "location", "source", "review_status"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    if categorical:
        for c in ("event_type", "sub_event_type", "country", "admin1", "actors", "location", "source",
                  "review_status"):
            frame[c] = frame[c].astype("category")
    return frame


CASES = [
    (EventFilter(), ["e1", "e2", "e3", "e4"]),
    (EventFilter(date_from=date(2022, 2, 3)), ["e1", "e4"]),
    (EventFilter(date_to=date(2022, 2, 3)), ["e1", "e2"]),  # inclusive; undated e3 left out
    (EventFilter(date_from=date(2022, 2, 3), date_to=date(2022, 2, 3)), ["e1"]),
    (EventFilter(event_types=("Battles",)), ["e1", "e4"]),
    (EventFilter(sub_event_types=("Suicide bomb",)), ["e2"]),
    (EventFilter(sub_event_types=("Excessive force against protesters",)), ["e3"]),
    (EventFilter(countries=("Iraq",)), ["e3"]),
    (EventFilter(admin1=("Idlib", "Aleppo")), ["e1", "e4"]),
    (EventFilter(actors=("Islamic State",)), ["e1", "e2"]),
    (EventFilter(actors=("Islamic",)), []),  # whole actor names, not substrings
    (EventFilter(actors=("SDF", "Police Forces of Iraq")), ["e3", "e4"]),
    (EventFilter(min_fatalities=1), ["e1", "e2"]),  # unknown fatalities never pass a minimum
    (EventFilter(min_fatalities=6), ["e1"]),
    (EventFilter(text="PRISON"), ["e2"]),  # notes and evidence, any case
    (EventFilter(text="raided"), ["e1"]),
    (EventFilter(text="afrin"), ["e4"]),  # location
    (EventFilter(text="turkish"), ["e4"]),  # actors
    (EventFilter(text="åtmeh"), ["e4"]),  # non-ASCII case folding
    (EventFilter(text="(a.b)"), ["e3"]),  # literal, not a regular expression
    (EventFilter(text="a*b"), []),
    (EventFilter(sources=("reuters",)), ["e1", "e2"]),  # ';'-separated source lists
    (EventFilter(review_statuses=("reviewed", "corrected")), ["e2", "e3"]),
    (EventFilter(event_types=("Battles",), countries=("Syria",), text="shelling"), ["e4"]),
]


@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "plain"])
@pytest.mark.parametrize("flt, expected", CASES)
def test_apply_filter(flt: EventFilter, expected: list[str], categorical: bool) -> None:
    frame = make_frame(categorical)
    assert apply_filter(frame, flt)["event_id"].tolist() == expected


def test_text_search_scans_only_surviving_rows_on_large_frames() -> None:
    frame = pd.concat([make_frame(False)] * 500, ignore_index=True)
    out = apply_filter(frame, EventFilter(countries=("Iraq",), text="tear gas"))
    assert len(out) == 500 and set(out["event_id"]) == {"e3"}


def test_a_search_after_other_filters_changed_still_finds_every_row() -> None:
    # The first search only scanned the Syrian rows; the same text alone must find all rows.
    frame = pd.concat([make_frame(False)] * 500, ignore_index=True)
    assert set(apply_filter(frame, EventFilter(countries=("Syria",), text="a"))["event_id"]) == {
        "e1", "e2", "e4"}
    everywhere = apply_filter(frame, EventFilter(text="a"))
    assert len(everywhere) == 2000
    assert len(apply_filter(frame, EventFilter(text="A", event_types=("Protests",)))) == 500


def test_a_longer_search_text_finds_exactly_its_rows() -> None:
    frame = pd.concat([make_frame(False)] * 500, ignore_index=True)
    assert len(apply_filter(frame, EventFilter(text="attack"))) == 500
    # Extends the remembered "attack": only its rows can match, and in any case.
    assert set(apply_filter(frame, EventFilter(text="Attacked THE"))["event_id"]) == {"e2"}
    assert apply_filter(frame, EventFilter(text="attacks")).empty
    assert set(apply_filter(frame, EventFilter(text="prison attack"))["event_id"]) == {"e2"}


def test_a_changed_frame_is_searched_again() -> None:
    frame = make_frame(False)
    assert apply_filter(frame, EventFilter(text="ambush")).empty
    changed = frame.copy()
    changed.loc[0, "notes"] = "Ambush on a convoy"  # e.g. a correction: a new frame from the store
    assert apply_filter(changed, EventFilter(text="ambush"))["event_id"].tolist() == ["e1"]
    assert apply_filter(frame, EventFilter(text="ambush")).empty
    # A shallow copy (what Store.events_frame hands out) is the same data: same answer.
    assert apply_filter(changed.copy(deep=False), EventFilter(text="ambush"))["event_id"].tolist() == ["e1"]


@pytest.mark.parametrize("flt", [
    EventFilter(),
    EventFilter(date_from=date(2022, 1, 1), date_to=date(2022, 12, 31)),
    EventFilter(actors=("Islamic State", "SDF; odd"), event_types=("Battles",),
                sub_event_types=("Armed clash",), countries=("Syria", "Iraq"), admin1=("Idlib",),
                min_fatalities=3, text="Atme & <b>", sources=("Reuters",),
                review_statuses=("machine",)),
])
def test_query_params_round_trip(flt: EventFilter) -> None:
    params = flt.to_query_params()
    assert EventFilter.from_query_params(params) == flt
    assert all(isinstance(k, str) and len(k) <= 8 for k in params)


def test_query_params_hold_only_non_defaults() -> None:
    assert EventFilter().to_query_params() == {}
    assert EventFilter().is_empty() and not EventFilter(min_fatalities=1).is_empty()
    assert EventFilter(min_fatalities=2, text="x").to_query_params() == {"minfat": "2", "q": "x"}


@pytest.mark.parametrize("params, expected", [
    ({"from": "2022-13-45"}, EventFilter()),
    ({"from": ["junk", "2022-02-03"]}, EventFilter(date_from=date(2022, 2, 3))),
    ({"from": "2022-03-01", "to": "2022-01-01"},
     EventFilter(date_from=date(2022, 1, 1), date_to=date(2022, 3, 1))),
    ({"minfat": "many"}, EventFilter()),
    ({"minfat": "-5"}, EventFilter()),
    ({"status": ["machine", "hacked"]}, EventFilter(review_statuses=("machine",))),
    ({"type": ["", "  ", "Battles", "Battles"]}, EventFilter(event_types=("Battles",))),
    ({"unknown": "x", "q": "  atme  "}, EventFilter(text="atme")),
    ({"actor": 5}, EventFilter()),
])
def test_junk_in_the_url_is_ignored(params, expected: EventFilter) -> None:
    assert EventFilter.from_query_params(params) == expected


def test_huge_url_values_are_capped() -> None:
    flt = EventFilter.from_query_params({"actor": [f"a{i}" for i in range(10_000)], "q": "x" * 10_000})
    assert len(flt.actors) == 200 and len(flt.text) == 200


@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "plain"])
def test_filter_options(categorical: bool) -> None:
    options = filter_options(make_frame(categorical))
    assert options.actors == ("Islamic State", "Military Forces of the United States",
                              "Police Forces of Iraq", "Protesters (Iraq)", "SDF", "Turkish Army")
    assert options.event_types == ("Battles", "Explosions/Remote violence", "Protests")
    assert options.sub_event_types["Battles"] == ("Armed clash",)
    assert options.countries == ("Iraq", "Syria")
    assert options.admin1 == ("Al-Hasakah", "Aleppo", "Baghdad", "Idlib")
    assert options.admin1_by_country["Iraq"] == ("Baghdad",)
    assert options.sources == ("AFP", "Reuters", "Sveriges Radio")
    assert (options.min_date, options.max_date) == (date(2022, 1, 20), date(2022, 2, 4))


def test_options_follow_only_used_categories() -> None:
    frame = make_frame(True)
    only_iraq = apply_filter(frame, EventFilter(countries=("Iraq",)))
    assert filter_options(only_iraq).countries == ("Iraq",)
    assert filter_options(frame.iloc[0:0]).actors == ()
