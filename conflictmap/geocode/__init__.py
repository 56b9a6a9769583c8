"""Mentions → Places: the geocoder interface, the offline gazetteer geocoder and disambiguation."""

from conflictmap.geocode.base import GeocodeCache, Geocoder
from conflictmap.geocode.offline import OfflineGeocoder
from conflictmap.geocode.resolve import resolve_places

__all__ = ["GeocodeCache", "Geocoder", "OfflineGeocoder", "resolve_places"]

# The online chain (geopy behind a rate limiter and a cache), chosen by settings.
from conflictmap.geocode.cache import CachedGeocoder, MemoryGeocodeCache  # noqa: E402
from conflictmap.geocode.chain import ChainGeocoder, build_geocoder  # noqa: E402
from conflictmap.geocode.online import OnlineGeocoder  # noqa: E402

__all__ += ["CachedGeocoder", "ChainGeocoder", "MemoryGeocodeCache", "OnlineGeocoder", "build_geocoder"]
