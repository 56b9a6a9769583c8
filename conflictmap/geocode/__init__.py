"""Mentions → Places: the geocoder interface, the offline gazetteer geocoder and disambiguation."""

from __future__ import annotations

import importlib
from typing import Any

from conflictmap.geocode.base import GeocodeCache, Geocoder
from conflictmap.geocode.offline import OfflineGeocoder
from conflictmap.geocode.resolve import resolve_places

# The online chain (geopy behind a rate limiter and a cache) is imported on first use: the
# offline path, which is every `extract --offline` process, need not pay geopy's import time.
_LAZY = {
    "CachedGeocoder": "conflictmap.geocode.cache",
    "MemoryGeocodeCache": "conflictmap.geocode.cache",
    "ChainGeocoder": "conflictmap.geocode.chain",
    "build_geocoder": "conflictmap.geocode.chain",
    "OnlineGeocoder": "conflictmap.geocode.online",
}

__all__ = ["GeocodeCache", "Geocoder", "OfflineGeocoder", "resolve_places", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
