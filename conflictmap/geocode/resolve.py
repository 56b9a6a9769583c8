"""Article + Mentions → Places: each mention resolved to one candidate using the article's context.

Signals, in the order they usually decide: an explicit hierarchy ("Atme, Idlib", "X i Syrien",
"X in Syria"), cue words ("Aleppo province" vs "staden Aleppo"), the countries the rest of the
article talks about, distance to the article's other places, then population and feature kind
(a country before a same-named town; a bare "Aleppo" is the city, not the governorate).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from conflictmap.errors import GeocoderError
from conflictmap.gazetteer.build import FEATURE_PRIOR, KIND_ALTERNATE, KIND_DIVISION_BARE
from conflictmap.gazetteer.index import Gazetteer
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
region regionen oblast oblastet state delstaten county länet prefecture district distriktet
området""".split())
# "dateline": the place a story was filed from ("NEW YORK —") is a town, not a state.
SETTLEMENT_CUE_WORDS = frozenset("""staden stad byn by orten samhället samhälle town city village
hamlet suburb förorten dateline""".split())
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


def _admin_cue(m: Mention, body: str) -> bool:
    """Whether the mention's cue word makes it a division. "district" does only after the name
    ("Afrin district"); before it, it is a part of a town ("a residential district of Kharkiv")."""
    cue = (m.cue or "").lower()
    if cue == "district":
        return bool(_DISTRICT_AFTER.match(body[m.end:m.end + 25].lower()))
    return cue in ADMIN_CUE_WORDS


def km_between(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in km."""
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


def prior(cand: Candidate, surface: str, kind: int | None = None) -> float:
    """Context-free plausibility: population, feature kind, whether this is the place's own name.

    kind: how the gazetteer knows `surface` for this place (build.KIND_*), when known. A country
    named only in some other language ("Tunis" is Tunisia in Danish) is no stronger than a town.
    """
    population = cand.population
    if not population and cand.source in ("geonames", "supplement") and cand.feature in ("city", "village"):
        # cities500 lists every administrative seat, with population 0 when GeoNames has no
        # figure, and curated rows say 0 when no census figure was at hand: a town ("Ariha",
        # Palma in Cabo Delgado) is a town, not an empty place.
        population = _SEAT_POPULATION
    score = math.log10(population + 10)
    score += FEATURE_PRIOR.get(cand.feature, 0.0)
    if kind is None:
        key, own = name_key(surface), name_key(cand.name)
        primary = key == own or strip_article(key) == strip_article(own)
    else:
        primary = kind not in (KIND_ALTERNATE, KIND_DIVISION_BARE)
    if primary:
        score += 0.8
    elif cand.feature == "country" and kind is not None:
        score -= 5.0
    if cand.source == "supplement":
        score += 1.5
    return score


_SEAT_POPULATION = 2000


def _strength(c: Candidate) -> float:
    """How much a resolved place says about where the article is: a country or a big city more
    than a village that may be a false match ("CDs" → Childress, Texas)."""
    if c.feature == "country":
        return 2.0
    if c.feature in ("admin1", "region"):
        return 1.5
    if c.source == "supplement" or c.population >= 20000:
        return 1.0
    return 0.5


def _context_damping(gap: float) -> float:
    """How much context may lift a candidate that is far less prominent than the best one.

    gap: the best candidate's prior minus this one's (about log10 of a population ratio). Up to
    a 100-fold gap, context decides freely (Paris, Texas in a Texan story); beyond it, only an
    explicit hierarchy ("London, Ohio") should move London away from England.
    """
    if gap <= 2.0:
        return 1.0
    return max(0.25, 1.0 - 0.4 * (gap - 2.0))


@dataclass
class _Scored:
    mention: Mention
    cands: list[Candidate]
    scores: list[float]
    kinds: list[int | None]
    priors: list[float]
    best: int = 0
    area_cue: bool = False  # a cue word makes this mention a division ("Aleppo province")

    @property
    def top(self) -> Candidate | None:
        return self.cands[self.best] if self.cands else None


_DIRECTION_BEFORE = re.compile(
    r"\b(?:central|northern|southern|eastern|western|north-?(?:east|west)ern|south-?(?:east|west)ern|"
    r"upstate|downstate|norra|södra|östra|västra|centrala|nordöstra|nordvästra|sydöstra|"
    r"sydvästra|mellersta)\s+$", re.IGNORECASE)
_STATES_LIST_BEFORE = re.compile(
    r"\b(?:states|provinces|regions|governorates|oblasts|counties|delstater|provinser|regioner)"
    r"\s+(?:such as|like|including|of|som|inklusive)\s+(?:[\w\s,-]{0,60}\s)?$", re.IGNORECASE)
# "district" alone is ambiguous ("the Mezzeh district of Damascus" is a neighbourhood): it
# picks a second-level division only among candidates that include one.
_DISTRICT_AFTER = re.compile(r"^[-\s]+(?:district|raion|rayon|parish|borough)\b")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:and|or|och|eller|&))\s*$", re.IGNORECASE)


def _rank(items: list[_Scored], body: str, country_hint: str | None) -> None:
    """Score every candidate of every mention against the others' current best guesses."""
    tops = [it.top for it in items]
    keys = [name_key(it.mention.text) for it in items]
    # Country evidence: explicit country mentions count double, any other resolved place by its
    # strength. A name never supports itself: three "Homs" must not outvote "Tripoli" and "Misrata".
    # Float weights: Counter works with them at run time, but its type says int.
    weight: defaultdict[str, float] = defaultdict(float)
    by_key: dict[str, defaultdict[str, float]] = {}
    for key, top in zip(keys, tops, strict=True):
        if top is not None and top.country_code:
            w = _strength(top)
            weight[top.country_code] += w
            by_key.setdefault(key, defaultdict(float))[top.country_code] += w
    points = [(k, top, 1.0 if _strength(top) >= 1.0 else 0.5) for k, top in enumerate(tops)
              if top is not None and top.feature not in ("country", "continent", "water")]
    for idx, it in enumerate(items):
        m = it.mention
        cue = (m.cue or "").lower()
        after_text = body[m.end:m.end + 25].lower()
        before_text = body[max(0, m.start - 80):m.start]
        admin_cue = _admin_cue(m, body) or bool(re.match(
            r"^[-\s]*(?:province|governorate|provinsen|region|oblast|state\b|county)", after_text)) or bool(
            _STATES_LIST_BEFORE.search(before_text))
        district_cue = cue == "distriktet" or bool(_DISTRICT_AFTER.match(after_text))
        it.area_cue = admin_cue or district_cue
        settle_cue = cue in SETTLEMENT_CUE_WORDS
        camp_cue = cue in ("camp", "lägret", "flyktinglägret") or after_text.startswith(
            (" camp", " refugee camp", "-lägret"))
        direction = bool(_DIRECTION_BEFORE.search(before_text[-20:]))
        parent = _parent(items, idx, body)
        child = _child(items, idx, body)
        peer_admin = _peer_admin_countries(items, idx, body)
        best_prior = max(it.priors, default=0.0)
        scores = []
        for c, p in zip(it.cands, it.priors, strict=True):
            s = p
            context = 0.0
            support = weight[c.country_code] - by_key[keys[idx]][c.country_code] if keys[idx] in by_key else 0.0
            if c.country_code and support > 0:
                context += 1.2 * min(3.0, support)
            if not c.country_code and c.feature in ("water", "region", "continent"):
                s += 2.5  # seas and continents have no country to gain context support from
            if country_hint and c.country_code == country_hint:
                s += 2.0
            if c.feature not in ("country", "continent", "water") and points:
                context += _nearest_bonus(c, points, keys, keys[idx])
            s += context * _context_damping(best_prior - p)
            if parent is not None:
                if parent.feature == "country" and c.country_code == parent.country_code:
                    s += 3.0
                elif parent.feature == "admin1" and c.admin1 == parent.name and (
                        c.country_code == parent.country_code):
                    s += 3.5
                elif parent.country_code and c.country_code == parent.country_code:
                    s += 1.5
                if c.feature in ("admin1", "country") and parent.feature in ("admin1", "country"):
                    s -= 2.0  # "Washington, D.C.": what a division contains is no division itself
            if child is not None and c.feature in ("admin1", "country", "region") and (
                    c.country_code == child.country_code
                    and (c.feature == "country" or child.admin1 == c.name)):
                s += 3.5  # "Tacoma, Washington": the state that holds Tacoma
            if peer_admin and c.feature == "admin1" and c.country_code in peer_admin:
                s += 2.0  # "Alaska, Hawaii and Washington": a list of states
            if district_cue and c.feature == "admin2":
                s += 3.0  # "Srinagar district", "Zolochiv raion": the district, not its town
            elif admin_cue:
                s += 3.0 if c.feature in ("admin1", "admin2", "region") else 0.0
            elif c.feature == "admin1" and any(
                    o.feature in ("city", "village") and o.country_code == c.country_code
                    and (o.admin1 == c.name or (o.population * 10 >= c.population
                                                 and o.population >= 100000)) for o in it.cands):
                # A bare "Aleppo" or "Washington" is the city, not the governorate or state of
                # the same name, when the city is its namesake or a big share of it.
                s -= 1.5 if not (direction or peer_admin) else 0.0
            elif c.feature == "admin2" and any(
                    o.feature in ("city", "village") and o.country_code == c.country_code
                    and o.admin1 == c.admin1 for o in it.cands):
                # A district named after its seat ("Srinagar"): the town, even in "centrala
                # Srinagar", unless a cue word names the district.
                s -= 2.0 + (1.5 if direction else 0.0)
            if direction and c.feature in ("admin1", "admin2", "region", "country"):
                s += 1.5  # "central Washington", "norra Syrien": an area, not a point
            if settle_cue and c.feature in ("city", "village", "camp"):
                s += 2.0
            if camp_cue and c.feature == "camp":
                s += 3.0  # "Jabalia camp" is the refugee camp beside Jabalia town
            if m.cue == "demonym" and c.feature not in ("country", "continent", "admin1", "region"):
                s -= 5.0
            scores.append(s)
        it.scores = scores
        it.best = max(range(len(scores)), key=scores.__getitem__) if scores else 0


def _one_sense_per_name(items: list[_Scored]) -> None:
    """A name means one place throughout an article: every mention of it takes the candidate
    that its best-placed mention supports most ("ALLENDALE, N.J." settles the bare "Allendale"s
    of the same story). Mentions that a cue word makes a division ("Aleppo province") are their
    own group, since the article names both the city and the province."""
    groups: defaultdict[tuple[str, bool], list[_Scored]] = defaultdict(list)
    for it in items:
        if it.cands and it.mention.cue != "demonym":
            groups[(name_key(it.mention.text), it.area_cue)].append(it)
    for group in groups.values():
        if len(group) < 2:
            continue
        best: dict[str, float] = {}
        for it in group:
            for c, sc in zip(it.cands, it.scores, strict=True):
                best[c.place_id] = max(sc, best.get(c.place_id, -math.inf))
        winner = max(best, key=best.__getitem__)
        for it in group:
            for k, c in enumerate(it.cands):
                if c.place_id == winner:
                    it.best = k
                    it.scores[k] = max(it.scores[k], best[winner])
                    break


def _near_bonus(km: float) -> float:
    return 1.5 if km < 50 else 1.0 if km < 200 else 0.5 if km < 600 else 0.0


def _nearest_bonus(c: Candidate, points: list[tuple[int, Candidate, float]], keys: list[str],
                   own_key: str) -> float:
    """The best distance bonus `c` gets from the article's other places (never from itself)."""
    best = 0.0
    lat, lon = c.lat, c.lon
    # 600 km is 5.4 degrees of latitude (and of longitude times cos(latitude)): farther points
    # give nothing, so skip their trigonometry.
    lon_span = 5.5 / max(0.05, math.cos(math.radians(lat)))
    for k, q, f in points:
        if abs(q.lat - lat) > 5.5 or abs(q.lon - lon) > lon_span or keys[k] == own_key:
            continue
        bonus = _near_bonus(km_between(lat, lon, q.lat, q.lon)) * f
        if bonus > best:
            best = bonus
            if best >= 1.5:
                break
    return best


def _child(items: list[_Scored], idx: int, body: str) -> Candidate | None:
    """The place named right before a mention that it contains ("Tacoma, Washington")."""
    if idx == 0:
        return None
    prev, m = items[idx - 1], items[idx].mention
    if prev.top is None or prev.top.feature in COARSE_FEATURES:
        return None
    if _HIERARCHY_GAP.match(body[prev.mention.end:m.start]):
        return prev.top
    return None


def _plain_division(it: _Scored) -> bool:
    """A mention that can only be a division ("Alaska"), not one that may be its namesake city
    ("Kherson", "Washington"): only those tell that a list is a list of divisions."""
    top = it.top
    if top is None or top.feature != "admin1":
        return False
    return not any(o.feature in ("city", "village") and o.country_code == top.country_code
                   and (o.admin1 == top.name or o.population >= 100000) for o in it.cands)


def _peer_admin_countries(items: list[_Scored], idx: int, body: str) -> set[str]:
    """Countries whose first-level divisions are listed beside this mention ("California or
    Washington", "Alaska, Hawaii and Washington"). A single comma is a hierarchy ("Tacoma,
    Washington"), not a list, unless the list goes on on the other side too."""
    m = items[idx].mention
    sides: list[tuple[str, str]] = []  # (gap, country) of admin1 neighbours
    if idx > 0 and _plain_division(items[idx - 1]):
        prev = items[idx - 1]
        sides.append((body[prev.mention.end:m.start], prev.top.country_code))  # type: ignore[union-attr]
    if idx + 1 < len(items) and _plain_division(items[idx + 1]):
        nxt = items[idx + 1]
        sides.append((body[m.end:nxt.mention.start], nxt.top.country_code))  # type: ignore[union-attr]
    list_sides = [(gap, cc) for gap, cc in sides if _LIST_GAP.match(gap)]
    conjunction = [cc for gap, cc in list_sides if gap.strip(" ,")]
    if conjunction:
        return set(conjunction)
    if len(list_sides) == 2:
        return {cc for _, cc in list_sides}
    return set()


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


def _scored(m: Mention, cands: list[Candidate], gaz: Gazetteer | None) -> _Scored:
    kinds = _name_kinds(m, cands, gaz)
    priors = [prior(c, m.text, k) for c, k in zip(cands, kinds, strict=True)]
    best = max(range(len(priors)), key=priors.__getitem__) if priors else 0
    return _Scored(m, cands, list(priors), kinds, priors, best)


def _name_kinds(m: Mention, cands: list[Candidate], gaz: Gazetteer | None) -> list[int | None]:
    """How the gazetteer knows the mention's name for each candidate (None: not from it)."""
    if gaz is None or not cands or all(c.source not in _GAZETTEER_SOURCES for c in cands):
        return [None] * len(cands)
    key = name_key(m.text)
    keys = [key, strip_article(key)]
    found = gaz.matches_for_keys(keys)
    kinds: dict[str, int] = {}
    for k in keys:
        for nm in found.get(k, ()):
            kinds[nm.candidate.place_id] = min(nm.kind, kinds.get(nm.candidate.place_id, 99))
    return [kinds.get(c.place_id) for c in cands]


_GAZETTEER_SOURCES = frozenset({"geonames", "cldr", "supplement"})


def _confidence(scores: list[float], best: int) -> float:
    if not scores:
        return 0.0
    if len(scores) == 1:
        return 0.9
    second = max(s for k, s in enumerate(scores) if k != best)
    margin = scores[best] - second
    return round(0.5 + 0.45 * math.tanh(margin / 2), 3)


def _precision(cand: Candidate, mention: Mention, body: str) -> int:
    if cand.feature == "admin2":
        return GEO_PRECISION_NEAR  # ACLED: an event placed in a district is geo_precision 2
    if cand.feature in COARSE_FEATURES:
        return GEO_PRECISION_REGION
    if _NEAR_BEFORE.search(body[max(0, mention.start - 60):mention.start]) or mention.cue in (
            "gränsen", "border"):
        return GEO_PRECISION_NEAR  # "utanför Afrin", "Rafahgränsen": near the town, not in it
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
    gaz = geocoder.gazetteer if isinstance(geocoder, OfflineGeocoder) else None
    if gaz is None and any(m.candidates for m in mentions):
        from conflictmap.gazetteer import load_gazetteer

        gaz = load_gazetteer()
    items = [_scored(m, list(m.candidates), gaz) for m in mentions]
    _rank(items, body, None)
    _rank(items, body, None)
    _one_sense_per_name(items)

    if geocoder is not None and not isinstance(geocoder, OfflineGeocoder):  # an online chain
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
                it.kinds.extend([None] * len(new))
                it.priors.extend(prior(c, it.mention.text) for c in new)
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
        precision = _precision(best, m, body)
        if _admin_cue(m, body) and best.feature not in COARSE_FEATURES:
            # "Charkivregionen", "the Kharkiv region": the division named after the city, when
            # the gazetteer knows it; otherwise the area around the city.
            division = _namesake_division(best, gaz, district=(m.cue or "").lower() in (
                "distriktet", "district"))
            if division is not None:
                alternatives = (best, *alternatives[:4])
                best, precision = division, _precision(division, m, body)
            else:
                precision = GEO_PRECISION_NEAR
        places.append(Place(mention=m, candidate=best, precision=precision,
                            confidence=conf, alternatives=alternatives))
    return places


def _namesake_division(city: Candidate, gaz: Gazetteer | None, district: bool = False) -> Candidate | None:
    """The division that holds `city` and is named after it (Kharkiv → Kharkivska oblast, Idlib
    → Idlib; with `district`, Afrin → Afrin District), or None."""
    if gaz is None or not city.admin1:
        return None
    if district:
        for c in gaz.lookup(city.name):
            if c.feature == "admin2" and c.country_code == city.country_code and c.admin1 == city.admin1:
                return c
    stem = strip_article(name_key(city.name))[:5]
    if len(stem) < 4 or not strip_article(name_key(city.admin1)).startswith(stem):
        return None
    for c in gaz.lookup(city.admin1):
        if c.feature == "admin1" and c.country_code == city.country_code:
            return c
    return None
