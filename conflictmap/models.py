"""The typed records that flow between pipeline stages: Article → Mention → Place → Event.

Every stage takes and returns these dataclasses (never untyped dicts), so a reader can follow
the data from ingest to the map by following the types.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

# ACLED geo_precision: 1 the named town itself; 2 near a town / part of a region, coded to that
# town; 3 a larger region (province, country), coded to its representative point.
GEO_PRECISION_EXACT = 1
GEO_PRECISION_NEAR = 2
GEO_PRECISION_REGION = 3

# ACLED time_precision: 1 the actual day; 2 a span of days / a week; 3 only the month (or coarser).
TIME_PRECISION_DAY = 1
TIME_PRECISION_WEEK = 2
TIME_PRECISION_MONTH = 3

# Review status of an event, shown on the map and in exports.
REVIEW_MACHINE = "machine"
REVIEW_REVIEWED = "reviewed"
REVIEW_CORRECTED = "corrected"
REVIEW_STATUSES = (REVIEW_MACHINE, REVIEW_REVIEWED, REVIEW_CORRECTED)


def content_hash(*parts: str) -> str:
    """Stable short id from text: the same article or event always gets the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class Article:
    """One news article: the body is the text after any front matter; offsets point into it."""

    title: str
    body: str
    date: date | None = None  # publication date; None when unknown (events then stay undated)
    language: str = "und"  # ISO 639-1 ("sv", "en"), "und" when unknown
    source: str = ""  # publication name, e.g. "Sveriges Radio"
    url: str | None = None
    path: str | None = None  # file it came from, if any

    @property
    def id(self) -> str:
        """Content-derived id: re-ingesting the same article never duplicates it."""
        return content_hash(self.title, self.body)


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry a name could refer to (a GeoNames row, a country, a supplement row)."""

    place_id: str  # "gn:170063" (GeoNames id), "sup:atme" (curated supplement), "osm:..." (online)
    name: str  # canonical English/Latin name
    lat: float
    lon: float
    country_code: str  # ISO 3166-1 alpha-2, "" for continents/seas
    feature: str  # "country", "admin1", "admin2", "city", "village", "region", "continent", "water", ...
    admin1: str = ""  # first-level division name, e.g. "Idlib"
    population: int = 0
    source: str = "geonames"  # "geonames", "cldr", "supplement", "nominatim", "correction", ...


@dataclass(frozen=True)
class Mention:
    """A place name found in the text, before it is resolved: exact surface form and offsets."""

    text: str  # exactly body[start:end]
    start: int
    end: int
    candidates: tuple[Candidate, ...] = ()  # ranked best first by the recogniser (may be re-ranked)
    cue: str | None = None  # place cue word seen next to it ("staden", "town of", "governorate")


@dataclass(frozen=True)
class Place:
    """A mention resolved to a point, or kept unresolved (candidate None) with its alternatives."""

    mention: Mention
    candidate: Candidate | None
    precision: int = GEO_PRECISION_EXACT  # ACLED geo_precision of the point for this mention
    confidence: float = 0.0  # 0..1
    alternatives: tuple[Candidate, ...] = ()  # other candidates, best first, for the review page

    @property
    def resolved(self) -> bool:
        return self.candidate is not None

    def to_json(self) -> dict[str, Any]:
        """The CLI / export shape of a place (flat, JSON-safe)."""
        cand = self.candidate
        return {
            "text": self.mention.text,
            "start": self.mention.start,
            "end": self.mention.end,
            "name": cand.name if cand else None,
            "lat": cand.lat if cand else None,
            "lon": cand.lon if cand else None,
            "country_code": cand.country_code if cand else None,
            "feature": cand.feature if cand else None,
            "admin1": cand.admin1 if cand else None,
            "place_id": cand.place_id if cand else None,
            "source": cand.source if cand else None,
            "precision": self.precision,
            "confidence": round(self.confidence, 3),
            "resolved": cand is not None,
            "alternatives": [
                {"place_id": a.place_id, "name": a.name, "lat": a.lat, "lon": a.lon,
                 "country_code": a.country_code, "feature": a.feature}
                for a in self.alternatives[:5]
            ],
        }


@dataclass
class Event:
    """One ACLED-style event. Field names follow ACLED's export columns where one exists."""

    event_date: date | None
    time_precision: int
    event_type: str
    sub_event_type: str
    actor1: str
    location: str
    lat: float | None
    lon: float | None
    geo_precision: int
    evidence: str  # the sentence(s) the event was coded from, verbatim
    disorder_type: str = "Political violence"
    actor2: str = ""
    assoc_actor_1: str = ""
    assoc_actor_2: str = ""
    inter1: int | None = None
    inter2: int | None = None
    interaction: int | None = None
    civilian_targeting: str = ""  # "Civilian targeting" or ""
    country: str = ""
    iso: str = ""  # ISO 3166-1 alpha-2 of the location
    admin1: str = ""
    fatalities: int | None = None  # None = unknown; otherwise the most conservative figure
    notes: str = ""
    source: str = ""  # publication(s), ";"-separated as in ACLED
    source_url: str = ""
    article_id: str = ""
    evidence_start: int | None = None  # offsets of the evidence in the article body
    evidence_end: int | None = None
    confidence: float = 0.0
    review_status: str = REVIEW_MACHINE
    actors: list[str] = field(default_factory=list)  # every actor involved, actor1 first
    event_id: str = ""  # stable; filled by `assign_event_id` when empty

    def __post_init__(self) -> None:
        if not self.event_id:
            self.event_id = self.stable_id()

    def stable_id(self) -> str:
        """Same article, same incident, same place → same id, so re-ingesting never duplicates."""
        return "cm-" + content_hash(
            self.article_id,
            self.event_date.isoformat() if self.event_date else "",
            self.event_type,
            self.sub_event_type,
            self.location,
            str(self.evidence_start if self.evidence_start is not None else self.evidence),
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict (dates as ISO strings), the CLI's `events[]` shape."""
        out = asdict(self)
        out["event_date"] = self.event_date.isoformat() if self.event_date else None
        # The CLI contract also names these two keys.
        out["date"] = out["event_date"]
        out["date_precision"] = self.time_precision
        out["country_code"] = self.iso
        return out


@dataclass(frozen=True)
class Extraction:
    """Everything the pipeline got out of one article: its places and its events."""

    article: Article
    places: tuple[Place, ...]
    events: tuple[Event, ...]

    def to_json(self) -> dict[str, Any]:
        art = self.article
        return {
            "article": {
                "id": art.id,
                "title": art.title,
                "date": art.date.isoformat() if art.date else None,
                "language": art.language,
                "source": art.source,
                "url": art.url,
            },
            "places": [p.to_json() for p in self.places],
            "events": [e.to_json() for e in self.events],
        }
