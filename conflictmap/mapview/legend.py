"""Event type → marker colour, shared by the map, its legend and (if they like) the UI's charts."""

from __future__ import annotations

# Colour-blind-friendly (Okabe-Ito) and distinct on OSM tiles and on the plain outline map.
EVENT_TYPE_COLORS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#0072B2",
    "Riots": "#56B4E9",
    "Strategic developments": "#009E73",
}
# Types outside ACLED's six (imported data, "Unknown") share one neutral colour.
OTHER_COLOR = "#7F7F7F"


def color_for(event_type: str) -> str:
    """Marker colour of an event type (OTHER_COLOR for types outside ACLED's six)."""
    return EVENT_TYPE_COLORS.get(event_type, OTHER_COLOR)
