"""A place name → Candidates from the offline gazetteer (the default geocoder; no network, ever)."""

from __future__ import annotations

from conflictmap.gazetteer import Gazetteer, load_gazetteer
from conflictmap.geocode.resolve import prior
from conflictmap.models import Candidate


class OfflineGeocoder:
    """The `Geocoder` Protocol over the bundled gazetteer index."""

    name = "offline"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        # Loaded on first use, so building a geocoder stays cheap.
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def geocode(self, name: str, *, country_hint: str | None = None) -> list[Candidate]:
        """Candidates for `name`, best first; places in `country_hint` rank higher. [] if unknown."""
        cands = self.gazetteer.lookup(name)
        hint = (country_hint or "").upper()

        def score(c: Candidate) -> float:
            return prior(c, name) + (3.0 if hint and c.country_code == hint else 0.0)

        return sorted(cands, key=score, reverse=True)
