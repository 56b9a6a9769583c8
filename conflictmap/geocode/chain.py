"""The geocoder chain and its factory: a place name in, Candidates out, offline first.

`ChainGeocoder` asks the offline gazetteer first and the (cached, rate-limited) online geocoder
only for names the gazetteer cannot place; an online failure is counted and logged and the offline
answer stands, so an ingest never stops because a web service is down. `build_geocoder` assembles
the chain from the settings; with `offline=True` or CONFLICTMAP_ALLOW_NETWORK=0 it opens no socket.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from conflictmap import settings
from conflictmap.errors import GeocoderUnavailable
from conflictmap.geocode.base import GeocodeCache, Geocoder
from conflictmap.geocode.cache import CachedGeocoder, MemoryGeocodeCache
from conflictmap.geocode.online import OnlineGeocoder
from conflictmap.models import Candidate

log = logging.getLogger(__name__)

# Kinds precise enough that an online lookup could not do better for the same name.
_COARSE_FEATURES = frozenset({"country", "continent", "admin1", "admin2", "region", "water"})


def offline_answer_is_weak(candidates: list[Candidate], country_hint: str | None) -> bool:
    """Whether the online geocoder should be asked too.

    Yes when the gazetteer knows nothing, or when the article is about a country (`country_hint`)
    and the gazetteer only knows small places of that name elsewhere: a village the gazetteer lacks
    often shares its name with a town abroad. Countries and regions abroad are trusted as they are
    ("USA" in a Syrian story is the USA).
    """
    if not candidates:
        return True
    if not country_hint:
        return False
    hint = country_hint.upper()
    if any(c.country_code.upper() == hint for c in candidates):
        return False
    return candidates[0].feature not in _COARSE_FEATURES


@dataclass
class ChainStats:
    """What the chain did during a run, for the CLI summary and the logs."""

    lookups: int = 0
    online_lookups: int = 0  # names passed to the online geocoder
    online_answers: int = 0  # of those, how many came back with candidates
    online_failures: int = 0  # GeocoderUnavailable caught; the offline answer stood
    online_skipped: int = 0  # not asked because the service was failing (circuit open)
    last_error: str = ""


class ChainGeocoder:
    """Offline first, online for what the offline geocoder cannot place; never raises online errors.

    online: usually a CachedGeocoder around an OnlineGeocoder; None = offline only.
    needs_online: decides from the offline answer whether to ask online (default
        `offline_answer_is_weak`).
    max_consecutive_failures / cooldown_seconds: after that many failures in a row the online
        geocoder is left alone for the cooldown, so a dead service costs a few timeouts, not one
        per place name of a 1,000-article ingest.
    """

    def __init__(
        self,
        offline: Geocoder,
        online: Geocoder | None,
        *,
        needs_online: Callable[[list[Candidate], str | None], bool] = offline_answer_is_weak,
        max_consecutive_failures: int = 3,
        cooldown_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.offline = offline
        self.online = online
        self.needs_online = needs_online
        self.max_consecutive_failures = max(1, max_consecutive_failures)
        self.cooldown_seconds = cooldown_seconds
        self.stats = ChainStats()
        self._clock = clock
        self._consecutive_failures = 0
        self._open_until: float | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChainGeocoder({self.offline!r}, {self.online!r})"

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        """Offline candidates, plus online ones when the offline answer is weak.

        Online candidates come first when the offline geocoder found nothing, after the offline
        ones otherwise (the resolver re-ranks them by the article's context either way).
        """
        offline_candidates = list(self.offline.geocode(name, country_hint=country_hint))
        with self._lock:
            self.stats.lookups += 1
        if self.online is None or not self.needs_online(offline_candidates, country_hint):
            return offline_candidates
        if not self._online_allowed():
            return offline_candidates

        with self._lock:
            self.stats.online_lookups += 1
        try:
            online_candidates = list(self.online.geocode(name, country_hint=country_hint))
        except GeocoderUnavailable as err:
            self._record_failure(name, err)
            return offline_candidates
        with self._lock:
            self._consecutive_failures = 0
            if online_candidates:
                self.stats.online_answers += 1
        known = {c.place_id for c in offline_candidates}
        fresh = [c for c in online_candidates if c.place_id not in known]
        if not offline_candidates:
            return fresh
        return offline_candidates + fresh

    def _online_allowed(self) -> bool:
        with self._lock:
            if self._open_until is None:
                return True
            if self._clock() >= self._open_until:
                self._open_until = None
                self._consecutive_failures = 0
                return True
            self.stats.online_skipped += 1
            return False

    def _record_failure(self, name: str, err: GeocoderUnavailable) -> None:
        with self._lock:
            self.stats.online_failures += 1
            self.stats.last_error = str(err)
            self._consecutive_failures += 1
            tripped = self._consecutive_failures >= self.max_consecutive_failures
            if tripped:
                self._open_until = self._clock() + self.cooldown_seconds
        log.warning("online geocoding of %r failed, the offline result stands: %s", name, err)
        if tripped:
            log.warning("online geocoder failed %d times in a row; not asking it for %.0f s",
                        self.max_consecutive_failures, self.cooldown_seconds)


def _load_offline_geocoder() -> Geocoder:
    # Imported here so this module imports cleanly whatever state the gazetteer is in, and the
    # (large) gazetteer index loads only when a geocoder is actually built.
    from conflictmap.geocode.offline import OfflineGeocoder

    return OfflineGeocoder()


def build_geocoder(
    *,
    offline: bool = True,
    cache: GeocodeCache | None = None,
    offline_geocoder: Geocoder | None = None,
) -> Geocoder:
    """The geocoder the settings ask for: the offline gazetteer, or a chain with an online one.

    offline: True (the CLI's --offline, and the default) guarantees no network; so does
        CONFLICTMAP_ALLOW_NETWORK=0 or CONFLICTMAP_GEOCODER=offline.
    cache: where online answers are kept (the store's `geocode_cache()`); in memory when None.
    offline_geocoder: the gazetteer geocoder to use (tests pass a fake); built when None.

    Raises GeocoderConfigError for unusable online settings (e.g. Nominatim without a user agent).

    Example::

        geocoder = build_geocoder(offline=not args.online, cache=store.geocode_cache())
        geocoder.geocode("Atme", country_hint="SY")
    """
    service = settings.get("CONFLICTMAP_GEOCODER").strip().lower() or "offline"
    base = offline_geocoder if offline_geocoder is not None else _load_offline_geocoder()
    if offline or service == "offline":
        return base
    if not settings.get_bool("CONFLICTMAP_ALLOW_NETWORK"):
        log.warning("CONFLICTMAP_GEOCODER=%s is ignored: network use is off "
                    "(set CONFLICTMAP_ALLOW_NETWORK=1 to geocode online)", service)
        return base

    online = OnlineGeocoder(
        service,
        user_agent=settings.get("CONFLICTMAP_USER_AGENT"),
        url=settings.get("CONFLICTMAP_GEOCODER_URL").strip() or None,
        timeout=settings.get_float("CONFLICTMAP_GEOCODER_TIMEOUT"),
        min_delay_seconds=settings.get_float("CONFLICTMAP_GEOCODER_MIN_DELAY"),
        max_retries=settings.get_int("CONFLICTMAP_GEOCODER_RETRIES"),
    )
    cached = CachedGeocoder(online, cache if cache is not None else MemoryGeocodeCache(),
                            name=online.cache_name)
    return ChainGeocoder(base, cached)
