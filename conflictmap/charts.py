"""Events frame in → summary tables and Altair charts out (per week by type, fatalities, actors, places).

The table functions are plain pandas so they can be tested and exported; the chart functions wrap
them in Altair specs that the Timeline page renders. No streamlit here.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Fallback colours when the map module (which owns the palette) is not importable.
_FALLBACK_COLORS: dict[str, str] = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
}


def event_type_colors() -> dict[str, str]:
    """The map's event-type palette, so charts and markers use the same colour for a type."""
    try:
        from conflictmap.mapview import EVENT_TYPE_COLORS
    except ImportError:
        return dict(_FALLBACK_COLORS)
    return dict(EVENT_TYPE_COLORS)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as plain str (the store hands out categoricals; missing → "")."""
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    dates = pd.to_datetime(frame["event_date"], errors="coerce")
    out = frame.assign(event_date=dates, event_type=_text(frame, "event_type"))
    return out[out["event_date"].notna()]


def weekly_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Events per ISO week (weeks start on Monday) and event type: columns week, event_type, events.
    Undated events are left out (they have no week)."""
    dated = _dated(frame)
    if dated.empty:
        return pd.DataFrame({"week": pd.Series(dtype="datetime64[ns]"),
                             "event_type": pd.Series(dtype=str), "events": pd.Series(dtype=int)})
    week = dated["event_date"].dt.to_period("W-SUN").dt.start_time
    out = (dated.assign(week=week).groupby(["week", "event_type"]).size()
           .rename("events").reset_index())
    return out.sort_values(["week", "event_type"]).reset_index(drop=True)


def weekly_fatalities(frame: pd.DataFrame) -> pd.DataFrame:
    """Reported fatalities per week (unknown counts as 0) and events per week: week, fatalities, events."""
    dated = _dated(frame)
    if dated.empty:
        return pd.DataFrame({"week": pd.Series(dtype="datetime64[ns]"),
                             "fatalities": pd.Series(dtype=int), "events": pd.Series(dtype=int)})
    week = dated["event_date"].dt.to_period("W-SUN").dt.start_time
    fat = pd.to_numeric(dated["fatalities"], errors="coerce").fillna(0).astype(int)
    out = (dated.assign(week=week, fatalities=fat).groupby("week")
           .agg(fatalities=("fatalities", "sum"), events=("event_id", "size")).reset_index())
    return out


def split_actors(value: object) -> list[str]:
    """The frame's "; "-joined actors string → names (empty and missing values → [])."""
    if not isinstance(value, str):
        return []
    return [name.strip() for name in value.split(";") if name.strip()]


def top_actors(frame: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    """Actors by number of events they take part in, most first: columns actor, events."""
    names = [name for value in _text(frame, "actors") for name in split_actors(value)]
    if not names:
        return pd.DataFrame({"actor": pd.Series(dtype=str), "events": pd.Series(dtype=int)})
    counts = pd.Series(names).value_counts().head(limit)
    return pd.DataFrame({"actor": counts.index.astype(str), "events": counts.to_numpy()})


def events_by_place(frame: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    """Events and fatalities per country and admin1 (blank admin1 shown as "(unknown)"), most first."""
    if frame.empty:
        return pd.DataFrame({"country": pd.Series(dtype=str), "admin1": pd.Series(dtype=str),
                             "events": pd.Series(dtype=int), "fatalities": pd.Series(dtype=int)})
    country = _text(frame, "country").replace("", "(unknown)")
    admin1 = _text(frame, "admin1").replace("", "(unknown)")
    fat = pd.to_numeric(frame["fatalities"], errors="coerce").fillna(0).astype(int)
    out = (frame.assign(country=country, admin1=admin1, fatalities=fat)
           .groupby(["country", "admin1"])
           .agg(events=("event_id", "size"), fatalities=("fatalities", "sum")).reset_index())
    return out.sort_values(["events", "fatalities"], ascending=False).head(limit).reset_index(drop=True)


def _type_scale(types: list[str]) -> alt.Scale:
    colors = event_type_colors()
    domain = sorted(set(types))
    return alt.Scale(domain=domain, range=[colors.get(t, "#7f7f7f") for t in domain])


def weekly_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: events per week, coloured by event type."""
    data = weekly_counts(frame)
    return (
        alt.Chart(data, title="Events per week by type")
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("events:Q", title="Events", stack="zero"),
            color=alt.Color("event_type:N", title="Event type",
                            scale=_type_scale(data["event_type"].tolist())),
            tooltip=[alt.Tooltip("week:T", title="Week of"), "event_type:N", "events:Q"],
        )
    )


def fatalities_chart(frame: pd.DataFrame) -> alt.Chart:
    """Bars of reported fatalities per week."""
    data = weekly_fatalities(frame)
    return (
        alt.Chart(data, title="Reported fatalities per week")
        .mark_bar(color="#7f1d1d")
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("fatalities:Q", title="Fatalities"),
            tooltip=[alt.Tooltip("week:T", title="Week of"), "fatalities:Q", "events:Q"],
        )
    )


def actors_chart(frame: pd.DataFrame, limit: int = 15) -> alt.Chart:
    """Horizontal bars: the actors in most events."""
    data = top_actors(frame, limit)
    return (
        alt.Chart(data, title=f"Top {limit} actors")
        .mark_bar()
        .encode(
            x=alt.X("events:Q", title="Events"),
            y=alt.Y("actor:N", sort="-x", title=None),
            tooltip=["actor:N", "events:Q"],
        )
    )


def places_chart(frame: pd.DataFrame, limit: int = 20) -> alt.Chart:
    """Horizontal bars: events per admin1, coloured by country."""
    data = events_by_place(frame, limit)
    data = data.assign(place=data["admin1"] + ", " + data["country"])
    return (
        alt.Chart(data, title="Events by country and admin1")
        .mark_bar()
        .encode(
            x=alt.X("events:Q", title="Events"),
            y=alt.Y("place:N", sort="-x", title=None),
            color=alt.Color("country:N", title="Country"),
            tooltip=["country:N", "admin1:N", "events:Q", "fatalities:Q"],
        )
    )
