"""The geocoder interface: a place name in, ranked Candidates out (like geopy's one class per service).

Implementations: the offline gazetteer (default), an online geopy geocoder behind a rate limiter,
and a cache in front of either. Tests swap in fakes through the same Protocol.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from conflictmap.models import Candidate


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns a place name into candidate points, best first."""

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        """Candidates for `name` (surface form or normalised), best first; [] when unknown.

        country_hint: ISO 3166-1 alpha-2 code of the country the text is about, used to rank
        (and for online services, to restrict) the answers.
        """
        ...


@runtime_checkable
class GeocodeCache(Protocol):
    """Persistent answers of a geocoder, keyed by (geocoder name, query, country hint)."""

    def get(self, key: str) -> list[Candidate] | None:
        """The stored candidates, or None when this key was never answered."""
        ...

    def put(self, key: str, candidates: list[Candidate]) -> None:
        """Store a good answer (never store failures: they must be retried later)."""
        ...
