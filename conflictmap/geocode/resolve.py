"""Article + Mentions → Places: each mention resolved to one candidate using the article's context.

Signals, in the order they usually decide: an explicit hierarchy ("Atme, Idlib", "X i Syrien",
"X in Syria"), cue words ("Aleppo province" vs "staden Aleppo"), the countries the rest of the
article talks about, distance to the article's other places, then population and feature kind
(a country before a same-named town; a bare "Aleppo" is the city, not the governorate).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from conflictmap.errors import GeocoderError
from conflictmap.gazetteer.normalize import name_key, strip_article
from conflictmap.geocode.base import Geocoder
from conflictmap.models import (
    GEO_PRECISION_EXACT,
    GEO_PRECISION_NEAR,
    GEO_PRECISION_REGION,
    Article,
    Candidate,
    Mention,
    Place,
)

COARSE_FEATURES = frozenset({"country", "continent", "admin1", "admin2", "region", "water"})
ADMIN_CUE_WORDS = frozenset("""province provinsen provins governorate guvernementet guvernement
region regionen oblast state delstaten county länet prefecture district distriktet""".split())
SETTLEMENT_CUE_WORDS = frozenset("""staden stad byn by orten samhället samhälle town city village
hamlet suburb förorten""".split())
# "utanför Afrin", "near Atme", "10 km north of Kobani": the point is near, not at, the town.
_NEAR_BEFORE = re.compile(
    r"(?:\b(?:utanför|nära|närheten av|strax (?:norr|söder|öster|väster) om|(?:norr|söder|öster|"
    r"väster|nordost|nordväst|sydost|sydväst) om|utkanten av|near|outside|outskirts of|close to|"
    r"north of|south of|east of|west of|(?:north|south)-?(?:east|west) of|km from|kilometres from|"
    r"kilometers from|miles from|vicinity of|countryside of|landsbygden kring)\b)"
    r"(?:\s+(?:den|det|the|a|an|\w+iska|\w+ska|kurdish|syrian|town|city|village|staden|byn|"
    r"samhället|orten|of)){0,3}\s*$", re.IGNORECASE)
# Separators that make the second name the container of the first: "Atme, Idlib", "Atme i Idlib".
_HIERARCHY_GAP = re.compile(r"^\s*(?:,|\(|i|in|inom|inside|within|,\s*in)\s*$", re.IGNORECASE)


def km_between(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in km."""
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


def prior(cand: Candidate, surface: str) -> float:
    """Context-free plausibility: population, feature kind, whether this is the place's own name."""
    score = math.log10(cand.population + 10)
    score += {"country": 4.0, "continent": 3.5, "region": 3.0, "water": 3.0, "admin1": -0.5,
              "camp": 0.5, "village": -0.3}.get(cand.feature, 0.0)
    key, own = name_key(surface), name_key(cand.name)
    if key == own or strip_article(key) == strip_article(own):
        score += 0.8
    if cand.source == "supplement":
        score += 1.5
    return score


@dataclass
class _Scored:
    mention: Mention
    cands: list[Candidate]
    scores: list[float]
    best: int = 0

    @property
    def top(self) -> Candidate | None:
        return self.cands[self.best] if self.cands else None


def _rank(items: list[_Scored], body: str, country_hint: str | None) -> None:
    """Score every candidate of every mention against the others' current best guesses."""
    tops = [it.top for it in items]
    keys = [name_key(it.mention.text) for it in items]
    # Country evidence: explicit country mentions count double, any other resolved place once.
    # A name never supports itself: three "Homs" must not outvote "Tripoli" and "Misrata".
    weight: Counter[str] = Counter()
    by_key: dict[str, Counter[str]] = {}
    for key, top in zip(keys, tops, strict=True):
        if top is not None and top.country_code:
            w = 2.0 if top.feature == "country" else 1.0
            weight[top.country_code] += w
            by_key.setdefault(key, Counter())[top.country_code] += w
    points = [(k, top) for k, top in enumerate(tops)
              if top is not None and top.feature not in ("country", "continent", "water")]
    for idx, it in enumerate(items):
        m = it.mention
        cue = (m.cue or "").lower()
        after_text = body[m.end:m.end + 25].lower()
        admin_cue = cue in ADMIN_CUE_WORDS or re.match(
            r"^[-\s]*(?:province|governorate|provinsen|region|oblast|state\b|county)", after_text)
        settle_cue = cue in SETTLEMENT_CUE_WORDS
        parent = _parent(items, idx, body)
        scores = []
        for c in it.cands:
            s = prior(c, m.text)
            support = weight[c.country_code] - by_key.get(keys[idx], Counter())[c.country_code]
            if c.country_code and support > 0:
                s += 1.2 * min(3.0, support)
            if not c.country_code and c.feature in ("water", "region", "continent"):
                s += 2.5  # seas and continents have no country to gain context support from
            if country_hint and c.country_code == country_hint:
                s += 2.0
            if c.feature not in ("country", "continent", "water") and points:
                near = min((km_between(c.lat, c.lon, p.lat, p.lon) for k, p in points
                            if keys[k] != keys[idx]), default=1e9)
                s += 1.5 if near < 50 else 1.0 if near < 200 else 0.5 if near < 600 else 0.0
            if parent is not None:
                if parent.feature == "country" and c.country_code == parent.country_code:
                    s += 3.0
                elif parent.feature == "admin1" and c.admin1 == parent.name and (
                        c.country_code == parent.country_code):
                    s += 3.5
                elif parent.country_code and c.country_code == parent.country_code:
                    s += 1.5
            if admin_cue:
                s += 3.0 if c.feature in ("admin1", "admin2", "region") else 0.0
            elif c.feature == "admin1" and any(
                    o.feature in ("city", "village") and o.country_code == c.country_code
                    and (o.admin1 == c.name or (o.population * 10 >= c.population
                                                 and o.population >= 100000)) for o in it.cands):
                # A bare "Aleppo" or "Washington" is the city, not the governorate or state of
                # the same name, when the city is its namesake or a big share of it.
                s -= 1.5
            if settle_cue and c.feature in ("city", "village", "camp"):
                s += 2.0
            if m.cue == "demonym" and c.feature not in ("country", "continent"):
                s -= 5.0
            scores.append(s)
        it.scores = scores
        it.best = max(range(len(scores)), key=scores.__getitem__) if scores else 0


def _parent(items: list[_Scored], idx: int, body: str) -> Candidate | None:
    """The container named right after a mention ("Atme, Idlib" / "Atme i Syrien"), if any."""
    if idx + 1 >= len(items):
        return None
    m, nxt = items[idx].mention, items[idx + 1]
    if nxt.top is None or nxt.top.feature not in ("country", "admin1", "admin2", "region"):
        return None
    if _HIERARCHY_GAP.match(body[m.end:nxt.mention.start]):
        return nxt.top
    return None


def _confidence(scores: list[float], best: int) -> float:
    if not scores:
        return 0.0
    if len(scores) == 1:
        return 0.9
    second = max(s for k, s in enumerate(scores) if k != best)
    margin = scores[best] - second
    return round(0.5 + 0.45 * math.tanh(margin / 2), 3)


def _precision(cand: Candidate, mention: Mention, body: str) -> int:
    if cand.feature in COARSE_FEATURES:
        return GEO_PRECISION_REGION
    if _NEAR_BEFORE.search(body[max(0, mention.start - 60):mention.start]):
        return GEO_PRECISION_NEAR
    return GEO_PRECISION_EXACT


def _dominant_country(items: list[_Scored]) -> str | None:
    counts = Counter(it.top.country_code for it in items if it.top is not None and it.top.country_code)
    return counts.most_common(1)[0][0] if counts else None


def resolve_places(article: Article, mentions: Sequence[Mention],
                   geocoder: Geocoder | None = None) -> list[Place]:
    """One Place per mention (same order), resolved with the article's context.

    geocoder: None or the offline geocoder → the mentions' own gazetteer candidates only. Any
        other geocoder (the online chain) is asked for names the gazetteer does not know, and for
        names it only knows as small places outside the country the article is about.
    A mention no candidate fits stays in the list with `candidate=None`.
    """
    from conflictmap.geocode.offline import OfflineGeocoder

    body = article.body
    items = [_Scored(m, list(m.candidates), [0.0] * len(m.candidates)) for m in mentions]
    for it in items:
        it.scores = [prior(c, it.mention.text) for c in it.cands]
        it.best = max(range(len(it.scores)), key=it.scores.__getitem__) if it.scores else 0
    _rank(items, body, None)
    _rank(items, body, None)

    online = geocoder is not None and not isinstance(geocoder, OfflineGeocoder)
    if online:
        hint = _dominant_country(items)
        changed = False
        for it in items:
            top = it.top
            weak = top is None or (hint is not None and top.feature not in COARSE_FEATURES
                                   and top.country_code != hint)
            if not weak or it.mention.cue == "demonym":
                continue
            try:
                extra = geocoder.geocode(it.mention.text, country_hint=hint)
            except GeocoderError:
                continue  # the offline answer stands; the chain has logged why
            known = {c.place_id for c in it.cands}
            new = [c for c in extra if c.place_id not in known]
            if new:
                it.cands.extend(new)
                changed = True
        if changed:
            _rank(items, body, None)

    places: list[Place] = []
    for it in items:
        m = it.mention
        if not it.cands:
            places.append(Place(mention=m, candidate=None, precision=GEO_PRECISION_REGION,
                                confidence=0.0, alternatives=()))
            continue
        order = sorted(range(len(it.cands)), key=lambda k: -it.scores[k])
        best = it.cands[order[0]]
        alternatives = tuple(it.cands[k] for k in order[1:6])
        conf = _confidence(it.scores, order[0])
        if m.cue == "demonym":
            conf = min(conf, 0.5)
        places.append(Place(mention=m, candidate=best, precision=_precision(best, m, body),
                            confidence=conf, alternatives=alternatives))
    return places
