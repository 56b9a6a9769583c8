"""Events frame → folium.Map with offline assets, drawn by our own canvas layer (no streamlit).

Public API (used by conflictmap/ui.py and the pages):
- ensure_static_assets(static_dir=None): copy Leaflet & co. into static/ (call at app start)
- build_event_map(frame, *, tiles=None, selected_event_id=None, cache_key=None) -> folium.Map
  (the encoded events are cached per process, keyed by cache_key or a frame fingerprint)
- event_id_from_click(st_folium_result) -> event id or None; RETURNED_OBJECTS for st_folium
- build_places_map(places) -> folium.Map of an article's resolved place mentions
- build_pick_map(candidates, picked) -> folium.Map to click a point on; point_from_click(result);
  PICK_RETURNED_OBJECTS for st_folium
- EVENT_TYPE_COLORS
"""

from conflictmap.mapview.assets import STATIC_URL, ensure_static_assets, localize_assets
from conflictmap.mapview.build import build_event_map
from conflictmap.mapview.legend import EVENT_TYPE_COLORS, OTHER_COLOR, color_for
from conflictmap.mapview.payload import (
    EventPayload,
    clear_cache,
    decode_events,
    decode_payload,
    encode_events,
    encode_events_cached,
    frame_fingerprint,
    safe_url,
)
from conflictmap.mapview.picker import PICK_RETURNED_OBJECTS, build_pick_map, point_from_click
from conflictmap.mapview.places import build_places_map
from conflictmap.mapview.popup import RETURNED_OBJECTS, event_id_from_click

__all__ = [
    "EVENT_TYPE_COLORS",
    "OTHER_COLOR",
    "PICK_RETURNED_OBJECTS",
    "RETURNED_OBJECTS",
    "STATIC_URL",
    "EventPayload",
    "build_event_map",
    "build_pick_map",
    "build_places_map",
    "clear_cache",
    "color_for",
    "decode_events",
    "decode_payload",
    "encode_events",
    "encode_events_cached",
    "ensure_static_assets",
    "event_id_from_click",
    "frame_fingerprint",
    "localize_assets",
    "point_from_click",
    "safe_url",
]
