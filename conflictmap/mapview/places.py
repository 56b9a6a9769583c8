"""An article's resolved place mentions → a small folium.Map of where the article takes the reader.

The events map shows where things happened; this one shows every place the article names
(Atme, Kobani, Afrin, al-Hasakah, Aleppo, Iraq, Syria, the US for the seed), so a reviewer can see
at a glance what the geoparser understood. Few points per article: plain CircleMarkers suffice.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium

from conflictmap.mapview.assets import STATIC_URL, IconImagePath, localize_assets
from conflictmap.mapview.build import FIT_PADDING, MAX_ZOOM, _tiles_setting
from conflictmap.mapview.layers import CountryOutlines
from conflictmap.models import GEO_PRECISION_REGION, Candidate, Place

# Towns in the legend's dark blue; countries and provinces (precision 3) lighter and larger,
# since their point stands for an area.
TOWN_COLOR = "#1f4e79"
REGION_COLOR = "#6fa8dc"


def build_places_map(places: Sequence[Place], *, tiles: str | None = None, height: int = 360,
                     static_url: str = STATIC_URL) -> folium.Map:
    """One marker per distinct resolved place (mentions of the same place share it), fitted."""
    fmap = folium.Map(location=(20.0, 20.0), zoom_start=2, tiles=_tiles_setting(tiles), max_zoom=MAX_ZOOM,
                      prefer_canvas=True, control_scale=True, height=height)
    fmap.options["max_zoom"] = MAX_ZOOM
    IconImagePath(static_url).add_to(fmap)
    CountryOutlines(static_url).add_to(fmap)
    by_place: dict[str, tuple[Place, Candidate, list[str]]] = {}
    for place in places:
        if place.candidate is None:
            continue
        entry = by_place.setdefault(place.candidate.place_id, (place, place.candidate, []))
        if place.mention.text not in entry[2]:
            entry[2].append(place.mention.text)
    points = []
    for place, cand, surfaces in by_place.values():
        region = place.precision >= GEO_PRECISION_REGION or cand.feature in ("country", "admin1", "continent")
        # Tooltips are HTML in Leaflet: every piece of article or gazetteer text is escaped.
        label = html.escape(f"{cand.name} ({cand.country_code or '—'}, {cand.feature}) ← " + ", ".join(surfaces))
        folium.CircleMarker(
            location=(cand.lat, cand.lon), radius=9 if region else 6, weight=1, color="#333333",
            fill=True, fill_color=REGION_COLOR if region else TOWN_COLOR, fill_opacity=0.85,
            tooltip=folium.Tooltip(label, sticky=True),
        ).add_to(fmap)
        points.append((cand.lat, cand.lon))
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=FIT_PADDING, max_zoom=8)
    localize_assets(fmap, static_url)
    return fmap
