"""A small map to pick a point by clicking: the review page sets a place's or an event's coordinates.

The map shows the gazetteer's candidates for the name (grey), the other places the article names
(blue) and the point chosen so far (red), so a reviewer can click where the place really is:
beside a candidate the machine rejected, or near the towns the story is about.
st_folium returns the click as `last_clicked` ({"lat": .., "lng": ..}); `point_from_click` checks
it, since a click on a world wrapped around the antimeridian gives longitudes past ±180.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import folium

from conflictmap.mapview.assets import STATIC_URL, IconImagePath, localize_assets
from conflictmap.mapview.build import FIT_PADDING, MAX_ZOOM, _tiles_setting
from conflictmap.mapview.layers import CountryOutlines
from conflictmap.models import Candidate

# Only clicks come back from the picker: panning and zooming never rerun the page.
PICK_RETURNED_OBJECTS = ["last_clicked"]
CANDIDATE_COLOR = "#7f7f7f"
PICKED_COLOR = "#c0392b"
CONTEXT_COLOR = "#6fa8dc"


def build_pick_map(candidates: Sequence[Candidate], picked: tuple[float, float] | None = None, *,
                   context: Sequence[Candidate] = (), tiles: str | None = None, height: int = 320,
                   static_url: str = STATIC_URL) -> folium.Map:
    """Candidates as grey points, the article's other places (`context`) as small blue ones, the
    current pick as a red one, all fitted (the world if there are none)."""
    fmap = folium.Map(location=(20.0, 20.0), zoom_start=2, tiles=_tiles_setting(tiles), max_zoom=MAX_ZOOM,
                      prefer_canvas=True, control_scale=True, height=height)
    fmap.options["max_zoom"] = MAX_ZOOM
    IconImagePath(static_url).add_to(fmap)
    CountryOutlines(static_url).add_to(fmap)
    points = []
    # Tooltips are HTML in Leaflet: gazetteer names are escaped like article text.
    layers = (
        (candidates, 6, "#333333", CANDIDATE_COLOR, 0.8,
         lambda c: f"{c.name}, {c.admin1 or '—'}, {c.country_code or '—'} ({c.feature})"),
        (context, 4, "#1f4e79", CONTEXT_COLOR, 0.7,
         lambda c: f"named in the article: {c.name} ({c.country_code or '—'}, {c.feature})"),
    )
    for cands, radius, line, fill, opacity, describe in layers:
        for cand in cands:
            folium.CircleMarker(location=(cand.lat, cand.lon), radius=radius, weight=1, color=line, fill=True,
                                fill_color=fill, fill_opacity=opacity,
                                tooltip=folium.Tooltip(html.escape(describe(cand)), sticky=True)).add_to(fmap)
            points.append((cand.lat, cand.lon))
    if picked is not None:
        folium.CircleMarker(location=picked, radius=8, weight=2, color="#ffffff", fill=True,
                            fill_color=PICKED_COLOR, fill_opacity=0.95,
                            tooltip=html.escape(f"chosen point {picked[0]:.5f}, {picked[1]:.5f}")).add_to(fmap)
        points.append(picked)
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=FIT_PADDING, max_zoom=9)
    localize_assets(fmap, static_url)
    return fmap


def point_from_click(result: Mapping[str, object] | None) -> tuple[float, float] | None:
    """(lat, lon) of st_folium's last map click, longitude wrapped into [-180, 180), or None.

    >>> point_from_click({"last_clicked": {"lat": 36.3, "lng": 396.7}})
    (36.3, 36.7)
    """
    if not result:
        return None
    click = result.get("last_clicked")
    if not isinstance(click, Mapping):
        return None
    try:
        lat, lon = float(click["lat"]), float(click["lng"])  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not -90.0 <= lat <= 90.0:
        return None
    lon = (lon + 180.0) % 360.0 - 180.0
    return round(lat, 5), round(lon, 5)
