"""Timeline tables: weeks start on Monday, undated events stay out, actors are split and counted."""

from __future__ import annotations

import pandas as pd

from conflictmap import charts


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": ["a", "b", "c", "d"],
        "event_date": pd.to_datetime(["2022-02-03", "2022-01-31", "2022-02-07", None]),
        "event_type": pd.Categorical(["Battles", "Battles", "Protests", "Battles"]),
        "fatalities": pd.array([13, None, 2, 5], dtype="Int64"),
        "actors": ["Military Forces of the United States; Islamic State", "Islamic State", "", None],
        "country": pd.Categorical(["Syria", "Syria", "Ukraine", ""]),
        "admin1": ["Idlib", "", "Kyiv City", ""],
    })


def test_weekly_counts_by_type_leave_out_undated_events() -> None:
    out = charts.weekly_counts(frame())
    assert out.to_dict("records") == [
        {"week": pd.Timestamp("2022-01-31"), "event_type": "Battles", "events": 2},
        {"week": pd.Timestamp("2022-02-07"), "event_type": "Protests", "events": 1},
    ]


def test_weekly_fatalities_count_unknown_as_zero() -> None:
    out = charts.weekly_fatalities(frame())
    assert out["fatalities"].tolist() == [13, 2] and out["events"].tolist() == [2, 1]


def test_top_actors_split_the_joined_names() -> None:
    out = charts.top_actors(frame())
    assert out.to_dict("records")[0] == {"actor": "Islamic State", "events": 2}
    assert len(out) == 2


def test_events_by_place_rank_by_events_then_fatalities() -> None:
    out = charts.events_by_place(frame())
    assert out[["country", "admin1", "fatalities"]].values.tolist() == [
        ["Syria", "Idlib", 13], ["(unknown)", "(unknown)", 5], ["Ukraine", "Kyiv City", 2],
        ["Syria", "(unknown)", 0]]


def test_charts_render_to_vega_specs_even_when_empty() -> None:
    for build in (charts.weekly_chart, charts.fatalities_chart, charts.actors_chart, charts.places_chart):
        assert build(frame()).to_dict()["mark"]
        assert build(frame().iloc[:0]).to_dict()["mark"]
