"""Online geocoding through geopy: a place name in, Candidates out (Nominatim by default).

`OnlineGeocoder` wraps one geopy geocoder in geopy's `RateLimiter` (Nominatim's usage policy: at
most one request per second) and adds what RateLimiter does not do: honouring a 429's Retry-After,
exponential backoff on timeouts and 5xx, and one typed error, `GeocoderUnavailable`, when the
service keeps failing, so the caller can let the offline answer stand. Time and sleeping go
through the `clock` / `sleep` seams so tests check all of this without waiting.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import geopy.exc
from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.location import Location

from conflictmap.errors import GeocoderConfigError, GeocoderUnavailable
from conflictmap.models import Candidate

log = logging.getLogger(__name__)

NOMINATIM_USER_AGENT_MESSAGE = (
    "Nominatim needs a user agent: set CONFLICTMAP_USER_AGENT to your app's name, "
    "or use the offline geocoder"
)

# Nominatim's usage policy allows at most one request per second per application.
NOMINATIM_MIN_DELAY_SECONDS = 1.0

# Answers kept per query: enough alternatives for the review page, small enough to stay polite.
RESULT_LIMIT = 5

# Errors from parsing a remote answer we did not expect (a proxy's HTML page, JSON of the wrong
# shape). They come from untrusted data, so they are turned into GeocoderUnavailable, not bugs.
_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError)

# OSM class/type (or Nominatim's addresstype) → our Candidate.feature vocabulary.
_OSM_FEATURES: dict[str, str] = {
    "continent": "continent",
    "country": "country",
    "state": "admin1",
    "province": "admin1",
    "region": "admin1",
    "governorate": "admin1",
    "state_district": "admin2",
    "county": "admin2",
    "district": "admin2",
    "municipality": "admin2",
    "city": "city",
    "town": "city",
    "village": "village",
    "hamlet": "village",
    "isolated_dwelling": "village",
    "farm": "village",
    "suburb": "village",
    "quarter": "village",
    "neighbourhood": "village",
    "city_district": "village",
    "borough": "village",
    "locality": "village",
    "square": "village",
    "sea": "water",
    "ocean": "water",
    "bay": "water",
    "strait": "water",
    "water": "water",
    "river": "water",
    "lake": "water",
    "island": "island",
    "islet": "island",
    "peak": "mountain",
    "mountain_range": "mountain",
    "camp": "camp",
    "refugee_site": "camp",
}
# Keys of Nominatim's `address` block that name the first-level division, most specific first.
_ADMIN1_KEYS = ("state", "province", "region", "governorate")


def osm_feature(raw: Mapping[str, Any]) -> str:
    """Our feature kind for a Nominatim result (from `addresstype`, then OSM `type`, `class`)."""
    for key in ("addresstype", "type"):
        value = str(raw.get(key) or "").lower()
        if value in _OSM_FEATURES:
            return _OSM_FEATURES[value]
    osm_class = str(raw.get("class") or raw.get("category") or "").lower()
    if osm_class in ("waterway", "water"):
        return "water"
    if osm_class == "boundary":
        return "region"
    if osm_class == "place":
        return "village"
    return osm_class or "place"


def candidate_from_location(location: Location, *, service: str) -> Candidate:
    """One geopy `Location` as a Candidate (Nominatim and Photon raw answers understood).

    >>> loc = Location("Atme, Idlib, Syria", (36.19, 36.69), {"osm_type": "node", "osm_id": 1,
    ...     "class": "place", "type": "town", "address": {"country_code": "sy"}})
    >>> candidate_from_location(loc, service="nominatim").country_code
    'SY'
    """
    raw: Mapping[str, Any] = location.raw if isinstance(location.raw, Mapping) else {}
    display = str(location.address or "")
    lat, lon = float(location.latitude), float(location.longitude)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: {lat}, {lon}")

    if service == "nominatim" and (raw.get("lat") is None or raw.get("lon") is None):
        # geopy turns missing coordinates into (0, 0); a point in the Gulf of Guinea is worse
        # than no answer.
        raise ValueError("a result without coordinates")
    props = raw.get("properties")
    if service == "photon" and isinstance(props, Mapping):
        # Photon answers GeoJSON features: the OSM tags sit in `properties`.
        osm_type, osm_id = str(props.get("osm_type") or ""), props.get("osm_id")
        name = str(props.get("name") or display.split(",")[0]).strip()
        country_code = str(props.get("countrycode") or "")
        admin1 = str(props.get("state") or "")
        feature = osm_feature({"type": props.get("osm_value"), "class": props.get("osm_key")})
    else:
        address = raw.get("address")
        address = address if isinstance(address, Mapping) else {}
        osm_type, osm_id = str(raw.get("osm_type") or ""), raw.get("osm_id")
        name = str(raw.get("name") or display.split(",")[0]).strip()
        country_code = str(address.get("country_code") or "")
        admin1 = next((str(address[k]) for k in _ADMIN1_KEYS if address.get(k)), "")
        feature = osm_feature(raw)

    if osm_id is not None and osm_type:
        place_id = f"osm:{osm_type[0].upper()}{osm_id}"  # the N/W/R prefix OSM itself uses
    elif raw.get("place_id") is not None:
        place_id = f"{service}:{raw['place_id']}"
    else:
        place_id = f"{service}:{lat:.5f},{lon:.5f}"
    return Candidate(
        place_id=place_id,
        name=name or display,
        lat=lat,
        lon=lon,
        country_code=country_code.upper()[:2],
        feature=feature,
        admin1=admin1,
        population=0,
        source=service,
    )


def _adapter_factory() -> Callable[..., Any]:
    """geopy's HTTP adapter without hidden retries.

    geopy's RequestsAdapter lets urllib3 retry twice on its own, and urllib3 honours a 429's
    Retry-After by sleeping for real, however long the server asks, outside our clock and sleep
    seams and our bounds. All retrying is done (and bounded) by OnlineGeocoder instead.
    """
    if RequestsAdapter.is_available:
        return functools.partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


def _http_status(err: BaseException) -> int | None:
    """The HTTP status behind a geopy error (geopy chains it from its AdapterHTTPError)."""
    cause = err.__cause__
    status = getattr(cause, "status_code", None)
    return status if isinstance(status, int) else None


class _SeamedRateLimiter(RateLimiter):
    """geopy's RateLimiter with its clock and sleep taken from our seams (geopy's own tests patch
    `_clock` / `_sleep` the same way), so the 1 request/s spacing is tested without waiting."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        min_delay_seconds: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        # Retries are ours (RateLimiter cannot honour Retry-After or back off), so it only spaces
        # requests and lets every error through.
        super().__init__(
            func,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )
        self._clock_seam = clock
        self._sleep_seam = sleep

    def _clock(self) -> float:
        return self._clock_seam()

    def _sleep(self, seconds: float) -> None:
        self._sleep_seam(seconds)


class OnlineGeocoder:
    """A geopy geocoder behind a rate limiter, with bounded retries; raises GeocoderUnavailable.

    service: a geopy service name ("nominatim", "photon", "arcgis", ...).
    url: base URL of a self-hosted instance (e.g. "http://localhost:8080"); None = the public one.
    min_delay_seconds: spacing between requests; at least 1 s for the public Nominatim.
    max_retries: extra attempts after a timeout, 429 or 5xx; `max_retries + 1` requests at most.
    backoff_seconds: wait before the first retry, doubled each time, capped at max_backoff_seconds.
    max_retry_after_seconds: a 429 asking for a longer wait gives up at once (and no request is
        sent until that time has passed) instead of blocking the ingest.
    clock / sleep: seams for tests (monotonic seconds; a sleep that may just record).

    >>> OnlineGeocoder("nominatim", user_agent="", timeout=5, min_delay_seconds=1, max_retries=2)
    Traceback (most recent call last):
    conflictmap.errors.GeocoderConfigError: Nominatim needs a user agent: ...
    """

    def __init__(
        self,
        service: str = "nominatim",
        *,
        user_agent: str,
        url: str | None = None,
        timeout: float,
        min_delay_seconds: float,
        max_retries: int,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        max_retry_after_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service.strip().lower()
        self.url = url or None
        self.user_agent = user_agent.strip()
        if max_retries < 0:
            raise GeocoderConfigError(f"geocoder retries must be 0 or more, got {max_retries}")
        if timeout <= 0:
            raise GeocoderConfigError(f"geocoder timeout must be positive, got {timeout}")
        if self.service == "nominatim":
            if not self.user_agent:
                raise GeocoderConfigError(NOMINATIM_USER_AGENT_MESSAGE)
            if self.url is None and min_delay_seconds < NOMINATIM_MIN_DELAY_SECONDS:
                # The public server's policy is not ours to relax; a self-hosted one may be faster.
                log.warning("public Nominatim allows 1 request/s; raising min delay from %s s to 1 s",
                            min_delay_seconds)
                min_delay_seconds = NOMINATIM_MIN_DELAY_SECONDS
        self.timeout = timeout
        self.min_delay_seconds = max(0.0, min_delay_seconds)
        self.max_retries = max_retries
        self.backoff_seconds = max(backoff_seconds, self.min_delay_seconds)
        self.max_backoff_seconds = max_backoff_seconds
        self.max_retry_after_seconds = max_retry_after_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._blocked_until: float | None = None  # set by a 429 whose Retry-After was too long
        self.requests_sent = 0  # every HTTP request attempted, retries included

        self._geolocator = self._make_geolocator()
        self._limited_geocode = _SeamedRateLimiter(
            self._geolocator.geocode,
            min_delay_seconds=self.min_delay_seconds,
            clock=clock,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"OnlineGeocoder({self.service!r}, url={self.url!r})"

    @property
    def cache_name(self) -> str:
        """Identifies this service and instance in cache keys (answers differ between servers)."""
        return f"{self.service}@{self.url}" if self.url else self.service

    def _make_geolocator(self) -> Any:
        try:
            cls = get_geocoder_for_service(self.service)
        except geopy.exc.GeocoderNotFound as err:
            raise GeocoderConfigError(
                f"unknown geocoder {self.service!r}: set CONFLICTMAP_GEOCODER to 'offline', "
                "'nominatim', 'photon' or another geopy service name"
            ) from err
        accepted = inspect.signature(cls.__init__).parameters
        kwargs: dict[str, Any] = {"timeout": self.timeout, "adapter_factory": _adapter_factory()}
        if "user_agent" in accepted and self.user_agent:
            kwargs["user_agent"] = self.user_agent
        if self.url:
            parts = urlsplit(self.url if "://" in self.url else f"https://{self.url}")
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise GeocoderConfigError(
                    f"CONFLICTMAP_GEOCODER_URL must be an http(s) URL, got {self.url!r}"
                )
            if "domain" not in accepted:
                raise GeocoderConfigError(
                    f"geocoder {self.service!r} cannot be pointed at another server: "
                    "clear CONFLICTMAP_GEOCODER_URL or use 'nominatim' or 'photon'"
                )
            # geopy builds "<scheme>://<domain>/search", so a path prefix can ride in `domain`.
            kwargs["domain"] = parts.netloc + parts.path.rstrip("/")
            kwargs["scheme"] = parts.scheme
        missing = [name for name, p in accepted.items()
                   if name != "self" and p.default is inspect.Parameter.empty
                   and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and name not in kwargs]
        if missing:
            raise GeocoderConfigError(
                f"geocoder {self.service!r} needs {', '.join(missing)}, which conflictmap does not "
                "pass; use 'nominatim' or 'photon' (or a self-hosted one via "
                "CONFLICTMAP_GEOCODER_URL)"
            )
        try:
            return cls(**kwargs)
        except geopy.exc.ConfigurationError as err:
            raise GeocoderConfigError(f"geocoder {self.service!r} is misconfigured: {err}") from err

    def _query_kwargs(self, country_hint: str | None) -> dict[str, Any]:
        if self.service == "nominatim":
            kwargs: dict[str, Any] = {
                "exactly_one": False,
                "limit": RESULT_LIMIT,
                "addressdetails": True,  # gives the country code and admin1 we need
                "language": "en",  # Candidate.name is the English/Latin name
            }
            if country_hint:
                kwargs["country_codes"] = country_hint.lower()
            return kwargs
        if self.service == "photon":
            return {"exactly_one": False, "limit": RESULT_LIMIT, "language": "en"}
        return {"exactly_one": False}

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        """Candidates from the service, best first; [] when it knows no such place.

        Raises GeocoderUnavailable when the service keeps failing (timeouts, 429, 5xx beyond
        `max_retries`), refuses us (4xx) or answers something that is not a geocoding answer.
        """
        query = " ".join(name.split())
        if not query:
            return []
        with self._lock:
            # One lookup at a time: the retry waits and the Retry-After block are per service.
            return self._geocode_locked(query, country_hint)

    def _geocode_locked(self, query: str, country_hint: str | None) -> list[Candidate]:
        if self._blocked_until is not None:
            remaining = self._blocked_until - self._clock()
            if remaining > 0:
                raise GeocoderUnavailable(
                    f"{self.service} asked us to wait {remaining:.0f} s more before the next "
                    "request; the offline result stands"
                )
            self._blocked_until = None

        kwargs = self._query_kwargs(country_hint)
        backoff = self.backoff_seconds
        for attempt in range(self.max_retries + 1):
            last_try = attempt == self.max_retries
            try:
                self.requests_sent += 1
                locations = self._limited_geocode(query, **kwargs)
                return self._to_candidates(locations)
            except geopy.exc.GeocoderRateLimited as err:
                wait = err.retry_after if err.retry_after is not None else backoff
                if wait > self.max_retry_after_seconds:
                    self._blocked_until = self._clock() + wait
                    raise GeocoderUnavailable(
                        f"{self.service} is rate limiting us (HTTP 429) and asked for a "
                        f"{wait:.0f} s pause; no requests until then, the offline result stands"
                    ) from err
                if last_try:
                    raise self._gave_up(query, err) from err
                log.warning("%s: HTTP 429 for %r, waiting %.1f s (Retry-After)",
                            self.service, query, wait)
                self._sleep(wait)
            except (geopy.exc.GeocoderTimedOut, geopy.exc.GeocoderUnavailable) as err:
                # Timeouts, 503/504 and refused connections: worth another try after a pause.
                if last_try:
                    raise self._gave_up(query, err) from err
                self._back_off(query, err, backoff)
            except geopy.exc.GeocoderParseError as err:
                # Not JSON at all: a wrong URL or a proxy's error page; retrying will not help.
                raise GeocoderUnavailable(
                    f"{self.service} at {self._where()} answered something that is not JSON; "
                    "check CONFLICTMAP_GEOCODER_URL"
                ) from err
            except geopy.exc.GeocoderServiceError as err:
                status = _http_status(err)
                if status is not None and 400 <= status < 500:
                    # The server refuses this request (404 wrong URL, 403 blocked, 400 bad
                    # query): repeating it would only annoy it.
                    raise self._refused(status, err) from err
                # 500, 502, quota errors without a status: transient until proven otherwise.
                if last_try:
                    raise self._gave_up(query, err) from err
                self._back_off(query, err, backoff)
            except _SHAPE_ERRORS as err:
                raise GeocoderUnavailable(
                    f"{self.service} at {self._where()} answered JSON that is not a geocoding "
                    f"answer ({type(err).__name__}: {err}); check CONFLICTMAP_GEOCODER_URL"
                ) from err
            backoff = min(backoff * 2, self.max_backoff_seconds)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _back_off(self, query: str, err: Exception, seconds: float) -> None:
        log.warning("%s failed for %r (%s); retrying in %.1f s", self.service, query, err, seconds)
        self._sleep(seconds)

    def _gave_up(self, query: str, err: Exception) -> GeocoderUnavailable:
        return GeocoderUnavailable(
            f"{self.service} at {self._where()} failed {self.max_retries + 1} times for "
            f"{query!r} (last error: {type(err).__name__}: {err}); the offline result stands"
        )

    def _refused(self, status: int, err: Exception) -> GeocoderUnavailable:
        if status == 404:
            hint = "check CONFLICTMAP_GEOCODER_URL (it should be the server's base URL)"
        elif status in (401, 403):
            hint = ("check CONFLICTMAP_USER_AGENT names your application and that you follow "
                    "the service's usage policy")
        else:
            hint = "the query was rejected"
        return GeocoderUnavailable(
            f"{self.service} at {self._where()} refused the request (HTTP {status}): {hint}"
        )

    def _where(self) -> str:
        return self.url or "its public server"

    def _to_candidates(self, locations: Location | Sequence[Location] | None) -> list[Candidate]:
        if locations is None:
            return []
        if isinstance(locations, Location):
            locations = [locations]
        return [candidate_from_location(loc, service=self.service) for loc in locations]
