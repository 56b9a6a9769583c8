"""A cache in front of any geocoder: (geocoder name, normalised name, country hint) → Candidates.

`CachedGeocoder` answers repeated lookups from a `GeocodeCache` (in memory here, a table in the
store in production) and stores only good answers: a failure raises through and is retried on a
later lookup. Caching is also what Nominatim's usage policy asks of every client.
"""

from __future__ import annotations

import threading
import unicodedata

from conflictmap.geocode.base import GeocodeCache, Geocoder
from conflictmap.models import Candidate


def normalise_query(name: str) -> str:
    """The form of a name used in cache keys: NFC, case-folded, single spaces.

    >>> normalise_query("  Al-Hasakah\\u00a0 ")
    'al-hasakah'
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def cache_key(geocoder_name: str, name: str, country_hint: str | None) -> str:
    """Key of one lookup; answers differ per geocoder and per country restriction.

    >>> cache_key("nominatim", "Atme", "SY")
    'nominatim|atme|sy'
    """
    return "|".join((geocoder_name, normalise_query(name), (country_hint or "").strip().lower()))


class MemoryGeocodeCache:
    """A GeocodeCache in a dict, for tests and single runs (thread-safe; Streamlit is threaded)."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[Candidate, ...]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> list[Candidate] | None:
        with self._lock:
            answer = self._answers.get(key)
        return None if answer is None else list(answer)

    def put(self, key: str, candidates: list[Candidate]) -> None:
        # Stored as a tuple so a caller mutating its list cannot change the cached answer.
        with self._lock:
            self._answers[key] = tuple(candidates)

    def __len__(self) -> int:
        return len(self._answers)


class CachedGeocoder:
    """Answers from `cache` when it can, else asks `inner` and stores the answer.

    An empty answer ("no such place") is stored too: asking again would give the same answer and
    cost the online service a request. Errors are never stored.
    """

    def __init__(self, inner: Geocoder, cache: GeocodeCache, name: str) -> None:
        self.inner = inner
        self.cache = cache
        self.name = name
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"CachedGeocoder({self.inner!r}, name={self.name!r})"

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        """Candidates for `name`, from the cache or from the inner geocoder."""
        if not normalise_query(name):
            return []
        key = cache_key(self.name, name, country_hint)
        cached = self.cache.get(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        candidates = self.inner.geocode(name, country_hint=country_hint)  # errors propagate
        self.cache.put(key, list(candidates))
        return list(candidates)
