"""Event coding: an Article and its resolved Places in → one ACLED-style Event per incident out.

Steps: split the body into sentences; find triggers, actors, dates and death tolls; group trigger
sentences into incidents (a sentence without a place of its own continues the incident it follows
or refers back to: "i räden", "the attack"); choose where each incident happened (not where the
helicopters came from, not where the victims were from); then code type, actors, date and deaths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from conflictmap.events.actors import (
    ARMED_INTERS,
    INTER_CIVILIANS,
    INTER_EXTERNAL,
    INTER_PROTESTERS,
    INTER_STATE,
    ActorLexicon,
    ActorMention,
    load_actor_lexicon,
)
from conflictmap.events.dates import DateMention, find_dates
from conflictmap.events.fatalities import count_deaths, is_running_total
from conflictmap.events.matcher import lower_same_length, word_folded
from conflictmap.events.triggers import (
    BATTLES,
    EXPLOSIONS,
    PROTESTS,
    RIOTS,
    VAC,
    VIOLENT_FAMILIES,
    Involved,
    TriggerLexicon,
    TriggerMention,
    classify,
    disorder_type,
    load_trigger_lexicon,
    notes_verb,
)
from conflictmap.models import (
    GEO_PRECISION_EXACT,
    GEO_PRECISION_NEAR,
    GEO_PRECISION_REGION,
    TIME_PRECISION_WEEK,
    Article,
    Event,
    Place,
)

# ---------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’»]?\s+(?=[\"“”«–—-]?\s*[A-ZÅÄÖÉÜ0-9])")
_QUOTE_SPAN = re.compile(r"[\"“”«»„][^\"“”«»„]{0,2000}?[\"“”«»]")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: offsets, paragraph number, and whether it is quoted speech."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    quote: int | None  # id of the quotation it belongs to, None outside quotes


def split_sentences(body: str) -> list[Sentence]:
    """Sentences with exact offsets (body[s.start:s.end] == s.text); lines without a full stop
    (headings) are sentences of their own."""
    quotes = [(m.start(), m.end()) for m in _QUOTE_SPAN.finditer(body)]
    out: list[Sentence] = []
    paragraph = 0
    pos = 0
    for line in body.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        dialogue = line.lstrip().startswith(("–", "—", "- "))  # Swedish dialogue dash: quoted speech
        cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(line)] + [len(line)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            raw = line[a:b]
            lead = len(raw) - len(raw.lstrip())
            text = raw.strip()
            if not text:
                continue
            start = line_start + a + lead
            end = start + len(text)
            quote = None
            for qi, (qs, qe) in enumerate(quotes):
                if qs <= start < qe or qs < end <= qe:
                    quote = qi
                    break
            if quote is None and dialogue:
                quote = -1 - paragraph
            out.append(Sentence(len(out), start, end, text, paragraph, quote))
        paragraph += 1  # every line is a paragraph of its own (headings, one-line paragraphs)
    return out


# ---------------------------------------------------------------- places

_NEAR_BEFORE = re.compile(
    r"(?:\b(?:utanför|nära|i närheten av|i utkanten av|strax|(?:norr|söder|öster|väster|nordost|nordväst|"
    r"sydost|sydväst|nordöst|sydöst) om|kring|runt|outside|near|nearby|close to|outskirts of|on the outskirts of|"
    r"vicinity of|north of|south of|east of|west of|northeast of|northwest of|southeast of|southwest of|"
    r"north-east of|north-west of|south-east of|south-west of|km (?:from|från|bort från)|kilometers? "
    r"(?:from|från|bort från)|kilometres? from|miles (?:from|of)|mil (?:från|bort från)|around|"
    r"kilometer (?:från|bort från)|just outside)\s+(?:(?:the|den|det|staden|byn|orten|town|city|village|"
    r"of|town of|city of|village of|kurdiska|syriska)\s+){0,3})$", re.IGNORECASE)
_ORIGIN_BEFORE = re.compile(
    r"\b(?:från|ifrån|from|ur|out of|via)\s+(?:[^\s.,;:!?]+\s+){0,3}$", re.IGNORECASE)
_FLED_TO_BEFORE = re.compile(
    r"\b(?:fled|flydde|flytt|escaped|evacuated|evakuerades|evakuerats|taken|fördes|förts|brought|"
    r"travelled|traveled|reste|driven)\s+(?:back\s+)?(?:to|till|into|in)\s+(?:[^\s.,;:!?]+\s+){0,3}$",
    re.IGNORECASE)
# "på väg till staden Katra", "travelling from a temple to Katra": a destination, not where it happened.
_DESTINATION_BEFORE = re.compile(
    r"\b(?:på väg (?:till|mot)|on (?:its|their|the|his|her) way (?:to|from)|heading (?:to|for|towards)|bound for|"
    r"en route to|(?:travell?ing|headed|driving|going|reste|åkte|färdades)\s+(?:[^\s.,;:!?]+\s+){0,5}(?:to|till|mot))"
    r"\s+(?:[^\s.,;:!?]+\s+){0,2}$", re.IGNORECASE)
# "in Reasi district", "Kech-distriktet": the district named after the town, coded to the town (2).
_REGION_AFTER = re.compile(r"^(?:\s+(?:district|province|region|governorate|county|prefecture)\b|-?distriktet\b)",
                           re.IGNORECASE)
# "i distriktet Reasi", "in a village in Jammu": somewhere unnamed inside the named place (2).
_IN_AREA_BEFORE = re.compile(r"\b(?:distriktet|provinsen|district of|province of|(?:i|in) (?:en|ett|a) (?:by|village|"
                             r"town|ort|småstad|area|område) (?:i|in))\s+$", re.IGNORECASE)
# "Polisen i Jammu", "officials in Yaoundé", "regeringen i Kabul": where an authority sits, not
# where the event happened.
_SEAT_BEFORE = re.compile(
    r"\b(?:polisen|police|officials|authorities|government|regime|"
    r"leaders|ledarna|politicians|politiker|diplomats|diplomater|"
    # Swedish compounds: "militärregeringen i Ouagadougou", "valkommissionen i Dhaka"
    r"\w*(?:regeringen|juntan|junta|kommissionen|ministeriet|myndigheten|myndigheterna|ledningen))"
    r"\s+(?:i|in)\s+$", re.IGNORECASE)
# ... unless the authority is the target: "kastade sten mot polisen i Medellín" happened there.
# The same for the other side of a fight: "gunmen clashed with police in Kabul".
_TARGET_SEAT_BEFORE = re.compile(r"\b(?:mot|against|at|on|with|med|attacked|attackerade|angrep|ambushed|"
                                 r"överföll|targeted|fought|killed|dödade)\s+(?:the\s+)?\S+\s+(?:i|in)\s+$",
                                 re.IGNORECASE)
# Words that make the actor next to them a source of the report, not a party to the event.
_SOURCE_BEFORE = re.compile(r"(?:\benligt|\baccording to|\bsources? in|\bsaid|\bsays|\buppger|\buppgav|\bsäger|"
                            r"\bsade|\bmeddelade|\bannounced)\s+(?:\S+\s+){0,1}$",
                            re.IGNORECASE)
_SOURCE_AFTER = re.compile(r"^\s*(?:[a-zåäö]+\s+){0,2}(?:said|says|told|spokes\w*|talesperson\w*|talesm\w*|officials?|"
                           r"ministry|ministeriet|uppger|uppgav|säger|sade|sa|meddelade|announced)\b", re.IGNORECASE)
# "the RSF said its fighters had taken Bara", "M23 uppgav att dess styrkor": the speaker is the
# side that acted, not only a source.
_OWN_FORCES_AFTER = re.compile(r"^\s*(?:[a-zåäö]+\s+){0,1}(?:said|says|claimed|announced|uppgav|uppger|sade|"
                               r"meddelade|hävdade)\s+(?:that\s+|att\s+)?(?:its|their|dess|deras|sina|sin)\s+"
                               r"(?:fighters|forces|troops|men|units|militants|soldiers|styrkor|soldater|krigare|"
                               r"stridande|trupper)\b", re.IGNORECASE)
_SPEECH_VERB = re.compile(r"\b(?:uppgav|uppger|säger|sade|sa|meddelade|bekräftade|said|says|told|confirmed|"
                          r"announced|claimed|stated|reported|rapporterade)\b", re.IGNORECASE)
_DISTANCE_BEFORE = re.compile(r"\b(?:km|kilometer|kilometers|kilometres|mil|miles|bort)\s+(?:från|from)\s+$",
                              re.IGNORECASE)
_COARSE_FEATURES = frozenset({"country", "continent", "region", "admin1", "water"})
_FEATURE_RANK = {"continent": 0, "water": 0, "region": 1, "country": 1, "admin1": 2, "admin2": 3}


def _geo_precision(place: Place, body: str) -> int:
    cand = place.candidate
    if cand is not None and cand.feature in _COARSE_FEATURES:
        return GEO_PRECISION_REGION
    before = body[max(0, place.mention.start - 60):place.mention.start]
    near = GEO_PRECISION_NEAR if _NEAR_BEFORE.search(before) else GEO_PRECISION_EXACT
    if _REGION_AFTER.match(body[place.mention.end:place.mention.end + 16]) or _IN_AREA_BEFORE.search(before):
        near = max(near, GEO_PRECISION_NEAR)
    if cand is not None and cand.feature == "admin2":
        near = max(near, GEO_PRECISION_NEAR)
    return max(near, place.precision or GEO_PRECISION_EXACT)


_TAKEN_FROM_FAMILIES = frozenset({"abduct", "arrest", "loot"})


def _is_event_place(place: Place, body: str, actor_spans: list[tuple[int, int]],
                    triggers: Sequence[TriggerMention] = ()) -> bool:
    """False for places named only as origin, route or destination ("från en bas i Irak"),
    as a genitive owner of a country ("USA:s president"), or inside an actor's name."""
    start, end = place.mention.start, place.mention.end
    before = body[max(0, start - 50):start]
    clause_before = re.split(r"[.,;:!?()]", before)[-1]
    taken_from = any(t.trigger.family in _TAKEN_FROM_FAMILIES and t.end <= start and start - t.end < 80
                     for t in triggers)  # "abducted 30 pupils from a school in Gao": Gao is where
    if _ORIGIN_BEFORE.search(clause_before) and not _DISTANCE_BEFORE.search(clause_before) and not taken_from:
        return False
    if _FLED_TO_BEFORE.search(clause_before) or _DESTINATION_BEFORE.search(clause_before) \
            or (_SEAT_BEFORE.search(clause_before) and not _TARGET_SEAT_BEFORE.search(clause_before)):
        return False
    cand = place.candidate
    tail = body[end:end + 3]
    if cand is not None and cand.feature in _COARSE_FEATURES and (tail.startswith((":s", "'s", "’s"))
                                                                    or place.mention.text.endswith(":s")):
        return False
    return not any(a <= start and end <= b for a, b in actor_spans)


_DEMONYM_ENDINGS = ("ian", "ians", "ese", "ish", "i", "is", "ska", "skt", "ske", "sk", "an", "ans")


# "Bara, a town about 60 km north of El Obeid", "Sake, väster om Goma": the second place only
# says where the first one is.
_REFERENCE_BEFORE = re.compile(
    r"\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west|norr|söder|öster|"
    r"väster|nordost|nordväst|sydost|sydväst)\s+(?:of|om)\s+(?:the\s+)?(?:[a-zåäö-]+\s+){0,2}$", re.IGNORECASE)


def _is_reference_point(place: Place, body: str) -> bool:
    """The place is named as a landmark for another ("60 km north of El Obeid")."""
    return bool(_REFERENCE_BEFORE.search(body[max(0, place.mention.start - 60):place.mention.start]))


def _looks_like_demonym(place: Place) -> bool:
    """"Palestinian", "Iraqi", "palestinska": an adjective the geoparser read as its country."""
    cand = place.candidate
    text = place.mention.text
    if cand is None or cand.feature not in _COARSE_FEATURES or text == cand.name or text.endswith("stan"):
        return False
    return text[:1].islower() or text.lower().endswith(_DEMONYM_ENDINGS)


def _place_rank(place: Place) -> int:
    cand = place.candidate
    if cand is None:
        return -1
    return _FEATURE_RANK.get(cand.feature, 4)


# ---------------------------------------------------------------- incidents

_CLAUSE_MARK = re.compile(r"\b(?:att|som|that|which|who|whom|where|där|när|when|after|efter|innan|before|"
                          r"medan|while|but|men)\b|[;:]", re.IGNORECASE)
_EN_PASSIVE_AUX = re.compile(r"\b(?:was|were|been|being|be|is|are|got|get)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)
_AGENT_AFTER_MARK = re.compile(r"\b(?:by|av|från|from|of)\s+(?:\S+\s+){0,3}$", re.IGNORECASE)
_TARGET_BEFORE_MARK = re.compile(r"\b(?:mot|against|on|targeting|at|på)\s+(?:\S+\s+){0,4}$", re.IGNORECASE)
_LEADER_OF = re.compile(r"(?:ledare för|ledaren för|leader of|chief of|commander of|befälhavare för)\s+$|"
                        r"^-?(?:ledare|ledaren|ledarens|leader|chief|commander)", re.IGNORECASE)
_MILITARY_TARGET = re.compile(
    r"\b(?:soldat\w*|soldiers?|troops?|trupp\w*|militärbas\w*|military base|base|bas|basen|kasern\w*|barracks|"
    r"fängelse\w*|centralfängelse\w*|prison|jail|checkpoints?|vägspärr\w*|kontrollstation\w*|patrull\w*|"
    r"patrols?|konvoj\w*|convoy|army post|outpost|police station|polisstation\w*|militärpost\w*|"
    r"positions|ställningar\w*|stronghold|fäste\w*|fighters|krigare|militants|rebels|jihadists)\b", re.IGNORECASE)
_CIVILIAN_TARGET = re.compile(
    r"\b(?:civila|civilians?|village|villages|by|byn|byar|marknad\w*|market|moské\w*|mosque|church|kyrka\w*|"
    r"skola\w*|school|sjukhus\w*|hospital|bröllop\w*|wedding|buss\w*|bus|camp for displaced|flyktingläger\w*|"
    r"refugee camp|homes|hem|bostadsområde\w*|residential)\b", re.IGNORECASE)
_FAMILY_GROUP = {
    "attack": "violence", "raid": "violence", "storm": "violence", "shoot": "violence", "kill": "violence",
    "clash": "violence", "massacre": "violence", "airstrike": "violence", "drone": "violence",
    "shelling": "violence", "missile": "violence", "ied": "violence", "suicide": "violence",
    "grenade": "violence", "explode": "violence", "chemical": "violence", "capture": "violence",
    "retake": "violence", "protest": "protest", "intervention": "protest", "riot": "protest",
    "mob": "protest", "arrest": "arrest", "abduct": "abduct", "sexual": "sexual", "loot": "loot",
    "crash": "crash", "agreement": "agreement", "base": "base", "withdraw": "withdraw",
    "disrupted": "disrupted", "change": "change",
}
# Families that continue almost any incident ("...dödades", "the blast killed"): a crash that
# kills, a protest met with gunfire, a helicopter blown up after its crash.
_JOINS_ANY = frozenset({"kill", "explode"})


def _groups(families: set[str]) -> set[str]:
    return {_FAMILY_GROUP.get(f, f) for f in families}


def _compatible(a: set[str], b: set[str]) -> bool:
    """Can a sentence with trigger families `b` continue an incident with families `a`?"""
    if b <= _JOINS_ANY:
        return True
    ga, gb = _groups(a), _groups(b)
    if "arrest" in ga and "protest" in gb or "arrest" in gb and "protest" in ga:
        return True
    return bool(ga & gb)


@dataclass
class _Role:
    mention: ActorMention
    role: str  # "agent", "patient", "other"
    sentence: int


@dataclass
class _Incident:
    sentences: list[Sentence] = field(default_factory=list)
    families: set[str] = field(default_factory=set)
    anchor: set[str] = field(default_factory=set)  # families of its first sentence: what kind of incident
    place: Place | None = None
    place_precision: int = GEO_PRECISION_EXACT
    roles: list[_Role] = field(default_factory=list)
    # "strikes hit Gaza and Khan Yunis": ACLED codes one event per town; these are the others.
    also_at: list[Place] = field(default_factory=list)
    # "Dagen innan", "the day before": dated one day off the incident reported just before it.
    day_shift: int = 0

    @property
    def last(self) -> Sentence:
        return self.sentences[-1]


@dataclass(frozen=True)
class _Analysed:
    sentence: Sentence
    triggers: list[TriggerMention]
    actors: list[ActorMention]
    places: list[Place]  # where an event could have happened, best first


def _km(a: Place, b: Place) -> float:
    ca, cb = a.candidate, b.candidate
    if ca is None or cb is None:
        return 0.0 if a.mention.text.lower() == b.mention.text.lower() else math.inf
    return haversine_km(ca.lat, ca.lon, cb.lat, cb.lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


# "med stöd av rwandiska soldater", "backed by Rwandan troops": an ally of the actor (ACLED's
# assoc_actor_1), never the actor itself.
_ALLY_BEFORE = re.compile(
    r"\b(?:med (?:stöd|hjälp) (?:av|från)|understödd[a]? av|backed by|supported by|with the (?:support|help|backing) "
    r"of|with (?:support|help|backing) from|aided by|assisted by|alongside|together with|tillsammans med|"
    r"i samarbete med|in cooperation with|jointly with)\s+(?:[^\s.,;:!?]+\s+){0,2}$", re.IGNORECASE)


def _roles_in_sentence(an: _Analysed, body: str) -> list[_Role]:
    """Who acted and who suffered in one sentence, from word order around its first trigger."""
    actors = an.actors
    if not actors:
        return []
    roles: dict[int, str] = {}
    trig = an.triggers[0] if an.triggers else None
    if trig is not None:
        def same_clause(a: ActorMention) -> bool:
            lo, hi = (a.end, trig.start) if a.end <= trig.start else (trig.end, a.start)
            return hi - lo <= 90 and not _CLAUSE_MARK.search(body[lo:hi])

        allies = {i for i, a in enumerate(actors) if _ALLY_BEFORE.search(body[max(0, a.start - 40):a.start])}
        before = [i for i, a in enumerate(actors) if a.end <= trig.start and same_clause(a) and i not in allies]
        after = [i for i, a in enumerate(actors) if a.start >= trig.end and same_clause(a) and i not in allies]
        for i in allies:
            roles[i] = "ally"
        victims = {i for i, a in enumerate(actors) if a.actor.inter in (INTER_CIVILIANS,)}

        def armed(i: int) -> bool:
            return actors[i].actor.inter in ARMED_INTERS or actors[i].actor.inter == INTER_PROTESTERS

        voice = trig.trigger.voice
        if voice == "act" and _EN_PASSIVE_AUX.search(body[max(0, trig.start - 20):trig.start]):
            voice = "pass"  # "were killed by", "was abducted": English passive with an auxiliary
        agent: int | None = None
        patient: int | None = None
        if trig.trigger.family == "clash":
            # Clashes are symmetric: the first armed side named is actor1, the next actor2.
            sides = [i for i in before + after if armed(i)]
            agent = sides[0] if sides else None
            patient = sides[1] if len(sides) > 1 else None
        elif voice == "pass":
            patient = before[-1] if before else None
            by = [i for i in after if _AGENT_AFTER_MARK.search(body[trig.end:actors[i].start] + " ")
                  or armed(i)]
            agent = next((i for i in by if i not in victims), None)
        else:
            agents = [i for i in before if i not in victims and armed(i)]
            agent = agents[-1] if agents else None
            if agent is None and trig.trigger.lang == "sv" and voice == "act" and after:
                # Swedish verb-second order: "På torsdagen attackerade IS-krigare byn" puts the
                # subject right after the verb.
                first = after[0]
                if armed(first) and first not in victims and len(body[trig.end:actors[first].start].split()) <= 2:
                    agent = first
            if agent is None and voice == "noun":
                agent = next((i for i in after if armed(i) and i not in victims and _AGENT_AFTER_MARK.search(
                    body[trig.end:actors[i].start])), None)
            patient = next((i for i in after if i != agent), None)
            if patient is None:
                patient = next((i for i in before if i != agent and i in victims), None)
        if agent is not None:
            roles[agent] = "agent"
        if patient is not None:
            roles[patient] = "patient"
    out = []
    for i, a in enumerate(actors):
        role = roles.get(i, "other")
        # "ledare för ISIS", "IS-ledarens": a raid on a group's leader targets the group.
        if role == "other" and (_LEADER_OF.search(body[max(0, a.start - 20):a.start])
                                or _LEADER_OF.search(body[a.end:a.end + 12])):
            role = "patient"
        out.append(_Role(a, role, an.sentence.index))
    return out


# ---------------------------------------------------------------- the coder


@lru_cache(maxsize=1)
def _lexicons() -> tuple[ActorLexicon, TriggerLexicon]:
    return load_actor_lexicon(), load_trigger_lexicon()


_COUNTRY_OVERRIDES = {
    "CD": "Democratic Republic of Congo", "CG": "Republic of Congo", "PS": "Palestine", "MM": "Myanmar",
    "US": "United States", "CI": "Ivory Coast", "KP": "North Korea", "KR": "South Korea",
    "SY": "Syria", "RU": "Russia", "IR": "Iran", "GB": "United Kingdom", "CZ": "Czech Republic",
    "MK": "North Macedonia", "TR": "Turkey", "VN": "Vietnam", "LA": "Laos", "BO": "Bolivia",
    "VE": "Venezuela", "TZ": "Tanzania", "SZ": "eSwatini", "XK": "Kosovo", "HK": "Hong Kong",
}


@lru_cache(maxsize=512)
def country_name(iso: str) -> str:
    """English country name for an ISO alpha-2 code, ACLED spelling where it differs from CLDR."""
    if not iso:
        return ""
    iso = iso.upper()
    if iso in _COUNTRY_OVERRIDES:
        return _COUNTRY_OVERRIDES[iso]
    try:
        from babel import Locale

        return str(Locale("en").territories.get(iso, iso))
    except Exception:  # noqa: BLE001 - babel data missing: the code itself is still a usable label
        return iso


def code_events(article: Article, places: Sequence[Place]) -> list[Event]:
    """One Event per incident the article reports, placed where it happened.

    places: the article's place mentions (resolved or not) with offsets into `article.body`.
    Pure: the same article and places always give the same events (and event ids).
    """
    actor_lex, trigger_lex = _lexicons()
    body = article.body
    if not body.strip():
        return []
    low = lower_same_length(body)
    folded = word_folded(low)
    triggers = trigger_lex.find(body, low, folded)
    sentences = _split_suspect_clauses(split_sentences(body), triggers, body)
    named = actor_lex.find(body, low, folded)
    actor_spans = [(a.start, a.end) for a in named]
    actors = _participants(named, body)
    sorted_places = sorted(places, key=lambda p: p.mention.start)

    analysed: list[_Analysed] = []
    ti = ai = pi = 0
    for s in sentences:
        st: list[TriggerMention] = []
        while ti < len(triggers) and triggers[ti].start < s.end:
            if triggers[ti].start >= s.start:
                st.append(triggers[ti])
            ti += 1
        sa: list[ActorMention] = []
        while ai < len(actors) and actors[ai].start < s.end:
            if actors[ai].start >= s.start:
                sa.append(actors[ai])
            ai += 1
        if any(t.trigger.family == "change" for t in st):
            # "M23 meddelade att den gick samman med ...": the group announcing its own change is the
            # actor, though it is also the source of the news.
            sa = [a for a in named if s.start <= a.start < s.end]
        sp: list[Place] = []
        while pi < len(sorted_places) and sorted_places[pi].mention.start < s.end:
            if sorted_places[pi].mention.start >= s.start:
                sp.append(sorted_places[pi])
            pi += 1
        eligible = [p for p in sp if _is_event_place(p, body, actor_spans, st)
                    and p.mention.cue != "organisation"  # "the Miami Herald reported"
                    and not actor_lex.is_demonym(p.mention.text) and not _looks_like_demonym(p)]
        first_trigger = st[0].start if st else s.start
        if st:
            # "Juntan i Ouagadougou uppgav att ... anfallet": the speaker's place, not the event's.
            eligible = [p for p in eligible if not (p.mention.end <= first_trigger and _SPEECH_VERB.search(
                body[p.mention.end:first_trigger]))]
        # A dateline names where the story was filed ("PORT SUDAN, June 18 -"): the event's
        # place only when the sentence names no other.
        # A landmark ("60 km north of El Obeid") yields to a place as fine as itself (Bara), not to
        # a coarser one ("20 km söder om Djibo i norra Burkina Faso" is coded to Djibo).
        eligible.sort(key=lambda p: (p.mention.cue == "dateline",
                                     -_place_rank(p) + (0.5 if _is_reference_point(p, body) else 0.0),
                                     abs(p.mention.start - first_trigger)))
        analysed.append(_Analysed(s, st, sa, eligible))

    incidents = _group_incidents(analysed, body)
    _attach_toll_sentences(incidents, analysed)
    # Sentences of a quotation belong to the incident its other sentences describe.
    by_quote: dict[int, _Incident] = {}
    for inc in incidents:
        for s in inc.sentences:
            if s.quote is not None:
                by_quote.setdefault(s.quote, inc)
    for an in analysed:
        s = an.sentence
        if s.quote is not None and not an.triggers and s.quote in by_quote:
            inc = by_quote[s.quote]
            if s not in inc.sentences:
                inc.sentences.append(s)
                inc.roles.extend(_roles_in_sentence(an, body))

    located = [inc for inc in incidents if inc.place is not None]
    if not located and incidents:
        fallback = _main_place(analysed)
        if fallback is not None:
            for inc in incidents:
                inc.place = fallback
                inc.place_precision = _geo_precision(fallback, body)
            located = incidents
    events: list[Event] = []
    narrative: tuple[date | None, int] | None = None
    claims = _claims(analysed, named, body)
    owner = {s.index: inc for inc in incidents for s in inc.sentences}
    for inc in located:
        event, narrative = _code_incident(inc, article, analysed, narrative,
                                          claimed=_claim_for(inc, claims, owner, analysed))
        if event is None:
            continue
        events.append(event)
        for other in inc.also_at:
            twin = _Incident(inc.sentences, inc.families, inc.anchor, other, _geo_precision(other, body), inc.roles)
            # The toll is reported for all towns together: it is counted once, on the first event.
            copy, _ = _code_incident(twin, article, analysed, narrative, with_toll=False)
            if copy is not None:
                events.append(copy)
    return events


# "misstänks ha ...", "suspected of": in an arrest sentence, what follows is the crime, reported
# where and when it happened, not where the arrest was made.
_SUSPECT_CUE = re.compile(r"\b(?:misstänks|misstänkt|misstänkta|anklagad|anklagas|suspected of|accused of|"
                          r"charged with|wanted for|in connection with|i samband med)\b", re.IGNORECASE)


def _split_suspect_clauses(sentences: list[Sentence], triggers: Sequence[TriggerMention],
                           body: str) -> list[Sentence]:
    """Cut an arrest sentence before "misstänks"/"suspected of" when violence follows the cue:
    "Polisen har gripit en man som misstänks ha hjälpt de män som i söndags öppnade eld mot en buss
    i Reasi" reports an arrest and, separately, the attack in Reasi."""
    out: list[Sentence] = []
    ti = 0
    for s in sentences:
        while ti < len(triggers) and triggers[ti].start < s.start:
            ti += 1
        cut = None
        if ti < len(triggers) and triggers[ti].start < s.end and triggers[ti].trigger.family == "arrest":
            inside = [t for t in triggers[ti:] if t.start < s.end]
            m = _SUSPECT_CUE.search(body, inside[0].end, s.end)
            if m is not None and any(t.start >= m.end() and t.trigger.family != "arrest" for t in inside):
                cut = m.start()
        if cut is None:
            out.append(s if s.index == len(out) else replace(s, index=len(out)))
            continue
        head = body[s.start:cut].rstrip()
        out.append(replace(s, index=len(out), end=s.start + len(head), text=head))
        out.append(replace(s, index=len(out), start=cut, text=body[cut:s.end]))
    return out


def _attach_toll_sentences(incidents: list[_Incident], analysed: list[_Analysed]) -> None:
    """"No one was killed.", "Ingen dödades.": a toll without a trigger word belongs to the incident
    of the sentence just before it in the same paragraph."""
    owner = {s.index: inc for inc in incidents for s in inc.sentences}
    for an in analysed:
        s = an.sentence
        if an.triggers or s.index == 0 or s.index in owner:
            continue
        inc = owner.get(s.index - 1)
        if inc is None or analysed[s.index - 1].sentence.paragraph != s.paragraph:
            continue
        if count_deaths(s.text) is None or is_running_total(s.text):
            continue
        inc.sentences.append(s)
        owner[s.index] = inc


_CLAIM_AFTER = re.compile(
    r"\s*(?:has\s+|have\s+|had\s+|har\s+|hade\s+)?(?:said it|says it|said they|claimed|claims|took responsibility|"
    r"taken responsibility|tog på sig|tagit på sig|tar på sig|sade sig|uppgav sig|sa sig|said its fighters|"
    r"said in a statement that it)\b", re.IGNORECASE)
_CLAIM_BEFORE = re.compile(
    r"(?:tros tillhöra|tros vara|misstänks tillhöra|misstänks vara|believed to (?:be|belong to|be members of|be from)|"
    r"blamed(?: the attack on)?|blamed on|attributed to|claimed by|skyllde på|skyller på|carried out by|utfördes av|"
    r"members of|medlemmar (?:av|i|ur))\s+(?:the\s+)?$", re.IGNORECASE)


def _claims(analysed: list[_Analysed], named: list[ActorMention], body: str) -> dict[int, ActorMention]:
    """Sentence index → the named armed group that claimed an attack or was blamed for it there."""
    out: dict[int, ActorMention] = {}
    ai = 0
    for an in analysed:
        s = an.sentence
        while ai < len(named) and named[ai].start < s.start:
            ai += 1
        j = ai
        while j < len(named) and named[j].start < s.end:
            m = named[j]
            j += 1
            if m.actor.generic or m.actor.inter not in ARMED_INTERS or m.actor.inter in (INTER_STATE, INTER_EXTERNAL):
                continue
            if _CLAIM_AFTER.match(body, m.end) or _CLAIM_BEFORE.search(body[max(0, m.start - 40):m.start]):
                out.setdefault(s.index, m)
    return out


def _claim_for(inc: _Incident, claims: dict[int, ActorMention], owner: dict[int, _Incident],
               analysed: list[_Analysed]) -> _Role | None:
    """The claim made in the incident's own sentences, or in the next two sentences of its
    paragraphs when they report no other incident."""
    if not claims:
        return None
    last = inc.sentences[-1]
    for idx in sorted({s.index for s in inc.sentences} | {last.index + 1, last.index + 2}):
        if idx not in claims or idx >= len(analysed):
            continue
        if owner.get(idx, inc) is not inc or analysed[idx].sentence.paragraph - last.paragraph > 1:
            continue
        return _Role(claims[idx], "agent", idx)
    return None


def _participants(found: list[ActorMention], body: str) -> list[ActorMention]:
    """Drop actor mentions that only cite a source ("enligt polisen", "a Taliban spokesman said")
    and generic nouns that merely continue a named actor ("Houthi security forces")."""
    out: list[ActorMention] = []
    for m in found:
        before = re.split(r"[.!?\n]", body[max(0, m.start - 25):m.start])[-1]
        if (_SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(body[m.end:m.end + 20])) and not \
                _OWN_FORCES_AFTER.match(body[m.end:m.end + 50]):
            continue
        if m.actor.generic and out and not out[-1].actor.generic and m.start - out[-1].end <= 2:
            continue
        out.append(m)
    return out


def _main_place(analysed: list[_Analysed]) -> Place | None:
    """The most often named place where events could happen: a last resort for placeless reports."""
    counts: dict[str, tuple[int, Place]] = {}
    for an in analysed:
        for p in an.places:
            if p.candidate is None:
                continue
            n, first = counts.get(p.candidate.place_id, (0, p))
            counts[p.candidate.place_id] = (n + 1, first)
    if not counts:
        return None
    return max(counts.values(), key=lambda t: (t[0], _place_rank(t[1])))[1]


def _group_incidents(analysed: list[_Analysed], body: str) -> list[_Incident]:
    incidents: list[_Incident] = []
    owner: dict[int, _Incident] = {}  # sentence index → incident
    last_trigger_sentence: int | None = None
    for an in analysed:
        if not an.triggers:
            continue
        s = an.sentence
        if is_running_total(s.text):
            continue  # "Since October more than 200 ... have been killed": background, no incident
        families = {t.trigger.family for t in an.triggers}
        place = an.places[0] if an.places else None
        target: _Incident | None = None
        shift = _day_shift(s.text)
        if shift and incidents:
            # "Dagen innan dödades ...": another incident, a day off the previous one, at its place
            # unless the sentence names its own.
            prev = incidents[-1]
            target = _Incident(day_shift=shift)
            target.place = place or prev.place
            target.place_precision = _geo_precision(place, body) if place is not None else prev.place_precision
            incidents.append(target)
        elif place is not None and _refers_back(an, body):
            # "Officials in Yaoundé called the kidnapping a cowardly act": a definite noun points
            # back at an incident already reported; the place named with it is the speaker's.
            target = next((inc for inc in reversed(incidents) if inc.families & families
                           and _compatible(inc.anchor, families)), None)
            if target is not None and target.place is not None and target.place.candidate is not None \
                    and place.candidate is not None and _place_rank(target.place) < _place_rank(place) \
                    and target.place.candidate.country_code == place.candidate.country_code:
                target.place = place
                target.place_precision = _geo_precision(place, body)
        if target is not None:
            pass
        elif place is not None:
            for inc in reversed(incidents):
                if inc.place is not None and _km(inc.place, place) <= 5.0 and _compatible(inc.anchor, families):
                    target = inc
                    break
            if target is None and incidents:
                prev = incidents[-1]
                prev_last = prev.last
                close = s.index - prev_last.index <= 2 and s.paragraph - prev_last.paragraph <= 1
                if close and _compatible(prev.anchor, families) and (
                        prev.place is None or (
                            _place_rank(prev.place) < _place_rank(place) and prev.place.candidate is not None
                            and place.candidate is not None
                            and prev.place.candidate.country_code == place.candidate.country_code)):
                    target = prev  # "...i Syrien. Attacken skedde i Atme": the finer place wins
            if target is not None and (target.place is None or _place_rank(target.place) < _place_rank(place)):
                target.place = place
                target.place_precision = _geo_precision(place, body)
        else:
            previous = owner.get(last_trigger_sentence) if last_trigger_sentence is not None else None
            if previous is not None and s.paragraph - previous.last.paragraph <= 1 \
                    and _compatible(previous.anchor, families):
                target = previous
            else:
                # "i räden", "the attack": a generic word refers back to the latest incident of its kind.
                generic_ref = families <= {"attack", "raid", "kill", "storm", "shoot"}
                for inc in reversed(incidents):
                    shares = inc.families & families or (generic_ref and "violence" in _groups(inc.anchor))
                    if shares and _compatible(inc.anchor, families):
                        target = inc
                        break
        if target is None and place is not None and _place_rank(place) <= _FEATURE_RANK["admin1"] \
                and not _has_date(s.text) and count_deaths(s.text) is None:
            # "IS har trappat upp sina attacker i östra Syrien": a trend over a whole country or
            # province, with no day and no toll, is background, not an incident to map.
            continue
        if target is None:
            target = _Incident()
            if place is not None:
                target.place = place
                target.place_precision = _geo_precision(place, body)
                target.also_at = _coordinated_places(an.places, body)
            incidents.append(target)
        if not target.sentences:
            target.anchor = set(families)
        target.sentences.append(s)
        target.families |= families
        target.roles.extend(_roles_in_sentence(an, body))
        owner[s.index] = target
        last_trigger_sentence = s.index
    for inc in incidents:
        inc.sentences.sort(key=lambda x: x.index)
    return incidents


_COORDINATION = re.compile(r"^\s*(?:,|,?\s*(?:och|and|samt|as well as|eller|or))\s*$", re.IGNORECASE)


_DAY_SHIFT = re.compile(
    r"\b(?P<before>dagen (?:innan|före)|kvällen (?:innan|före)|natten (?:innan|före)|the day before|the previous "
    r"(?:day|night|evening)|a day earlier|one day earlier|the night before|the evening before)\b"
    r"|\b(?P<after>dagen (?:efter|därpå)|the (?:next|following) (?:day|morning|night|evening)|a day later|"
    r"one day later)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _has_date(text: str) -> bool:
    """Whether the sentence carries a date expression of its own (cached: asked several times)."""
    return bool(find_dates(text, None))


def _day_shift(text: str) -> int:
    """-1 for "dagen innan"/"the day before", +1 for "dagen efter"/"the next day", 0 otherwise."""
    m = _DAY_SHIFT.search(text)
    if m is None:
        return 0
    return -1 if m.group("before") else 1


_NOUN_ARGUMENT = re.compile(r"\s+(?:mot|against|on|at|in|i|på|of|av|near|nära|utanför|outside)\b", re.IGNORECASE)
_DEFINITE_BEFORE = re.compile(r"\b(?:the|this|that|den|det|detta|denna|dessa|these)\s+$", re.IGNORECASE)


def _refers_back(an: _Analysed, body: str) -> bool:
    """True when every trigger is a noun in definite form ("the kidnapping", "attacken", "dådet"):
    the sentence talks about an incident already reported rather than reporting one."""
    if _has_date(an.sentence.text) or _VAGUE_SPAN.search(an.sentence.text):
        return False  # "... några dagar efter attacken": a date of its own makes it a report
    if any(p.mention.start > an.triggers[0].start for p in an.places):
        return False  # "the protests spread to Gao": the place the incident moved to is news
    for t in an.triggers:
        if t.trigger.voice != "noun" or _NOUN_ARGUMENT.match(body, t.end):
            return False  # "den spektakulära attacken mot centralfängelset i al-Hasakah" describes one
        if _DEFINITE_BEFORE.search(body[max(0, t.start - 8):t.start]):
            continue
        if t.trigger.lang == "sv" and t.text.lower().endswith(("en", "et", "na")) and not t.text[:1].isupper():
            continue
        return False
    return bool(an.triggers)


def _coordinated_places(places: list[Place], body: str) -> list[Place]:
    """Places listed together with the best one ("Gaza och Khan Yunis", "Gao, Mopti and Ségou")."""
    if len(places) < 2 or places[0].candidate is None:
        return []
    rank = _place_rank(places[0])
    same = sorted((p for p in places if _place_rank(p) == rank), key=lambda p: p.mention.start)
    chain: list[Place] = []
    for a, b in zip(same, same[1:], strict=False):
        if _COORDINATION.match(body[a.mention.end:b.mention.start]):
            chain.extend(x for x in (a, b) if x not in chain)
        elif chain:
            break
    seen = {places[0].candidate.place_id}
    out = []
    for p in chain:
        if p.candidate is not None and p.candidate.place_id not in seen:
            seen.add(p.candidate.place_id)
            out.append(p)
    return out


_VAGUE_SPAN = re.compile(r"\b(?:under veckan|senare (?:i|under) veckan|under de följande dagarna|under helgen|"
                         r"during the week|later (?:in|that) week|in the following days|over the following days|"
                         r"in the days that followed|dagarna efter|the days after)\b", re.IGNORECASE)


# A wire dateline's date ("PORT SUDAN, June 18 (Reuters) -") is the day the story was filed: the
# incident's day comes from the text ("on Monday"), read against the article's date.
_DATELINE_DATE = re.compile(
    r"^\(?[A-ZÅÄÖ][A-ZÅÄÖ .'’-]{1,40}\)?(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?,\s*"
    r"([A-Z][a-z]{2,8}\.?\s+\d{1,2})\s*(?:\([^)\n]{1,30}\)\s*)?(?:--|—|–|-)\s", re.MULTILINE)


@lru_cache(maxsize=1)  # the article being coded; a larger cache would only hold on to old bodies
def _filed_dates(body: str) -> tuple[tuple[int, int], ...]:
    """Spans of the dateline dates in `body`, read once per article (not once per incident)."""
    return tuple(m.span(1) for m in _DATELINE_DATE.finditer(body))


def _incident_date(inc: _Incident, article: Article, narrative: tuple[date | None, int] | None
                   ) -> tuple[date | None, int]:
    """The anchor sentence's date; else another of its sentences (quotes last: a quoted "yesterday"
    is the speaker's); else the previous incident's; else the article date, coarsely."""
    if inc.day_shift and narrative is not None and narrative[0] is not None:
        return narrative[0] + timedelta(days=inc.day_shift), narrative[1]
    anchor = inc.sentences[0]
    if _VAGUE_SPAN.search(anchor.text) and not _has_date(anchor.text):
        # "Protesterna spred sig under veckan till Basra": some day of that week, not a known day.
        base = narrative[0] if narrative is not None and narrative[0] is not None else article.date
        return base, max(TIME_PRECISION_WEEK, narrative[1] if narrative is not None else TIME_PRECISION_WEEK)
    ordered = sorted(inc.sentences, key=lambda s: (s.index != inc.sentences[0].index, s.quote is not None,
                                                   s.index))
    filed = _filed_dates(article.body)
    for s in ordered:
        mentions: list[DateMention] = [
            d for d in find_dates(s.text, article.date, s.start)
            if not any(a <= d.start < b for a, b in filed)]  # "PORT SUDAN, June 18 -" is the filing day
        if mentions:
            m = mentions[0]
            return m.date, m.precision
    if narrative is not None:
        return narrative
    if article.date is not None:
        # Nothing in the text says when: news reports recent events, so the week before publication.
        return article.date, TIME_PRECISION_WEEK
    return None, TIME_PRECISION_WEEK


def _code_incident(inc: _Incident, article: Article, analysed: list[_Analysed],
                   narrative: tuple[date | None, int] | None, *, with_toll: bool = True,
                   claimed: _Role | None = None) -> tuple[Event | None, tuple[date | None, int] | None]:
    place = inc.place
    assert place is not None
    cand = place.candidate
    iso = cand.country_code if cand else ""
    country = country_name(iso)
    body = article.body

    roles = sorted(inc.roles, key=lambda r: (r.sentence, r.mention.start))
    specific_state = any(r.mention.actor.inter in (INTER_STATE, INTER_EXTERNAL) and not r.mention.actor.generic
                         for r in roles)
    # "soldaterna" after "amerikanska helikoptrar": generic soldiers are the state forces already named.
    roles = [r for r in roles if not (specific_state and r.mention.actor.generic
                                      and r.mention.actor.inter == INTER_STATE)]

    def name(r: _Role) -> str:
        return r.mention.actor.resolved_name(country)

    agents = [r for r in roles if r.role == "agent"]
    patients = [r for r in roles if r.role == "patient"]
    others = [r for r in roles if r.role == "other" and not r.mention.country_name]
    agent = agents[0] if agents else None
    patient = next((r for r in patients if agent is None or name(r) != name(agent)), None)
    armed_patient = next((r for r in patients if r.mention.actor.inter in ARMED_INTERS
                          and (agent is None or name(r) != name(agent))), None)
    if armed_patient is None and agent is not None and "clash" in inc.families:
        # Fighting needs two sides: an armed group named elsewhere in the incident is the other.
        armed_patient = next((r for r in others if r.mention.actor.inter in ARMED_INTERS
                              and not r.mention.actor.generic and name(r) != name(agent)), None)
    if agent is None:
        agent = next((r for r in others if r.mention.actor.inter in ARMED_INTERS), None)
    if claimed is not None and (agent is None or (agent.mention.actor.generic
                                                  and agent.mention.actor.inter not in (INTER_STATE, INTER_EXTERNAL))):
        # "Gunmen attacked ... The Baloch Liberation Army said it planted the device": the group
        # that claimed it (or that the authorities name) is the actor, as ACLED codes it.
        agent = claimed
        roles = [claimed] + [r for r in roles if r.role != "agent" or not r.mention.actor.generic]
    allies = [r for r in roles if r.role == "ally" and (agent is None or name(r) != name(agent))]

    text = " ".join(s.text for s in inc.sentences)
    deaths = _incident_deaths(inc) if with_toll else None
    civilians = any(r.mention.actor.inter == INTER_CIVILIANS for r in roles if r.role != "agent")
    protesters = any(r.mention.actor.inter == INTER_PROTESTERS for r in roles) or "protest" in inc.families
    target_armed = armed_patient is not None or bool(
        inc.families & VIOLENT_FAMILIES and _MILITARY_TARGET.search(text) and not _CIVILIAN_TARGET.search(text))
    civilians = civilians or bool(_CIVILIAN_TARGET.search(text))
    who = Involved(
        actor1_inter=agent.mention.actor.inter if agent else None,
        actor1_is_state=bool(agent and agent.mention.actor.inter in (INTER_STATE, INTER_EXTERNAL)),
        target_armed=target_armed, civilians_hit=civilians, protesters=protesters,
        deaths=bool(deaths))
    anchor_triggers = analysed[inc.sentences[0].index].triggers
    lead = next((t.trigger.family for t in anchor_triggers if t.trigger.voice in ("act", "pass")), None)
    kind = classify(inc.families, who, lead)
    if kind is None:
        return None, narrative
    event_type, sub_event_type = kind

    actor1, actor2 = _assign_actors(event_type, sub_event_type, agent, armed_patient or patient, roles, country,
                                    civilians)
    inter1 = _inter(actor1, iso)
    inter2 = _inter(actor2, iso) if actor2[0] else None
    interaction = None
    if inter1 is not None:
        interaction = int(f"{min(inter1, inter2)}{max(inter1, inter2)}") if inter2 else inter1 * 10
    all_actors = [actor1[0]] + ([actor2[0]] if actor2[0] else [])
    for r in roles:
        n = name(r)
        if n not in all_actors and (r.role != "other" or r.mention.actor.inter in ARMED_INTERS) \
                and not r.mention.country_name:
            all_actors.append(n)

    when, precision = _incident_date(inc, article, narrative)
    evidence_start, evidence_end = _evidence_span(inc)
    civilian_targeting = "Civilian targeting" if (
        event_type == VAC or (actor2[0].startswith("Civilians") and event_type == EXPLOSIONS)) else ""
    fatalities = deaths
    if fatalities is None and with_toll and sub_event_type in _NON_LETHAL_SUBS:
        # ACLED records 0, not unknown, for a peaceful protest or an arrest that reports no deaths.
        fatalities = 0
    assoc1 = _join_unique(name(r) for r in allies if name(r) != actor1[0])
    assoc2 = ""
    if event_type in (BATTLES, EXPLOSIONS) and actor2[0] and not actor2[0].startswith("Civilians") and (
            any(r.mention.actor.inter == INTER_CIVILIANS and r.role != "agent" for r in roles)):
        # Civilians hit alongside the armed side attacked ("13 dödades, varav två kvinnor och sju barn").
        assoc2 = f"Civilians ({country})" if country else "Civilians"
    geo_precision = inc.place_precision
    location = _location_name(place)
    event = Event(
        event_date=when,
        time_precision=precision,
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=actor1[0],
        location=location,
        lat=cand.lat if cand else None,
        lon=cand.lon if cand else None,
        geo_precision=geo_precision,
        evidence=body[evidence_start:evidence_end],
        disorder_type=disorder_type(event_type),
        actor2=actor2[0],
        assoc_actor_1=assoc1,
        assoc_actor_2=assoc2,
        inter1=inter1,
        inter2=inter2,
        interaction=interaction,
        civilian_targeting=civilian_targeting,
        country=country,
        iso=iso,
        admin1=cand.admin1 if cand else "",
        fatalities=fatalities,
        notes=_notes(when, precision, actor1[0], actor2[0], event_type, sub_event_type, location, country, fatalities),
        source=article.source or article.title,
        source_url=article.url or "",
        article_id=article.id,
        evidence_start=evidence_start,
        evidence_end=evidence_end,
        confidence=_confidence(place, agent is not None, precision, inc, sub_event_type),
        actors=all_actors,
    )
    return event, (when, precision)


_NON_LETHAL_SUBS = frozenset({"Peaceful protest", "Arrests", "Agreement", "Headquarters or base established",
                              "Change to group/activity",
                              "Non-violent transfer of territory"})


def _join_unique(names: Iterable[str]) -> str:
    """ACLED joins several associated actors with "; "."""
    out: list[str] = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return "; ".join(out)


_GENITIVE_TAIL = re.compile(r"(?::s|'s|’s)$")


def _location_name(place: Place) -> str:
    """The town as the article spells it ("Afrin", "Bagdad"), which is what a reader searches for;
    countries and provinces by their gazetteer (English) name, like the country column."""
    cand = place.candidate
    if cand is not None and cand.feature in _COARSE_FEATURES:
        return cand.name
    return _GENITIVE_TAIL.sub("", place.mention.text)


def _inter(actor: tuple[str, int | None, str], event_iso: str) -> int | None:
    name_, inter, home = actor
    if not name_ or inter is None:
        return None
    # ACLED: state forces outside their own country are external forces (inter 8).
    if inter == INTER_STATE and home and event_iso and home != event_iso:
        return INTER_EXTERNAL
    return inter


def _assign_actors(event_type: str, sub: str, agent: _Role | None, patient: _Role | None, roles: list[_Role],
                   country: str, civilians: bool) -> tuple[tuple[str, int | None, str], tuple[str, int | None, str]]:
    def spec(r: _Role | None) -> tuple[str, int | None, str]:
        if r is None:
            return ("", None, "")
        return (r.mention.actor.resolved_name(country), r.mention.actor.inter, r.mention.actor.iso)

    def generic(template: str, inter: int) -> tuple[str, int | None, str]:
        return (template.replace("{country}", country) if country else
                template.replace(" ({country})", "").replace(" of {country}", ""), inter, "")

    protesters = generic("Protesters ({country})", 6)
    police = generic("Police Forces of {country}", 1)
    civ = generic("Civilians ({country})", 7)
    unknown = generic("Unidentified Armed Group ({country})", 3)
    state_roles = [r for r in roles if r.mention.actor.inter in (INTER_STATE, INTER_EXTERNAL)]
    if event_type == PROTESTS:
        force = spec(state_roles[0]) if state_roles else police
        if sub == "Excessive force against protesters":
            return force, protesters
        if sub == "Protest with intervention":
            return protesters, force
        return protesters, ("", None, "")
    if event_type == RIOTS:
        a1 = spec(agent) if agent and agent.mention.actor.inter == 5 else generic("Rioters ({country})", 5)
        a2 = spec(patient) if patient else ("", None, "")
        return a1, a2
    a1 = spec(agent)
    if not a1[0]:
        a1 = police if sub == "Arrests" else unknown
    if event_type == VAC:
        return a1, civ
    a2 = spec(patient)
    if a2[0] == a1[0]:
        a2 = ("", None, "")
    if event_type == EXPLOSIONS and not a2[0] and civilians:
        a2 = civ
    if event_type == BATTLES and a2[0].startswith("Civilians"):
        a2 = ("", None, "")
    if event_type == BATTLES and not a2[0]:
        # A battle has two sides: the state forces named in the incident ("an assault on the police
        # station") are the other one when no armed group is.
        other_state = next((spec(r) for r in state_roles if spec(r)[0] != a1[0]), None)
        if other_state is not None and a1[1] not in (INTER_STATE, INTER_EXTERNAL):
            a2 = other_state
    return a1, a2


_CLAIMED_TOLL = re.compile(r"\b(?:claimed|claims|boasted|hävdade|hävdar|påstod|påstår|skröt)\b", re.IGNORECASE)


def _incident_deaths(inc: _Incident) -> int | None:
    """The most conservative toll: the largest single report (later reports usually repeat or
    update the first), plus counts explicitly reported as additional."""
    best: int | None = None
    extra = 0
    tolls = [(found, bool(_CLAIMED_TOLL.search(s.text)))
             for s in inc.sentences if (found := count_deaths(s.text)) is not None]
    if not all(claimed for _, claimed in tolls):
        # "al-Shabaab claimed that over 20 were killed": a side's claim stands only when nobody
        # else gives a toll (ACLED takes the most conservative report).
        tolls = [(found, claimed) for found, claimed in tolls if not claimed]
    for found, _ in tolls:
        if found.additional and best is not None:
            extra += found.count
        else:
            best = found.count if best is None else max(best, found.count)
    if best is None:
        return None
    return best + extra


def _evidence_span(inc: _Incident) -> tuple[int, int]:
    """Anchor sentence plus the incident's sentences that directly follow it in the same paragraph."""
    first = inc.sentences[0]
    end = first.end
    expected = first.index + 1
    for s in inc.sentences[1:]:
        if s.index != expected or s.paragraph != first.paragraph:
            break
        end = s.end
        expected += 1
    return first.start, end


def _notes(when: date | None, precision: int, actor1: str, actor2: str, event_type: str, sub: str,
           location: str, country: str, fatalities: int | None) -> str:
    if when is None:
        on = "On an unknown date"
    elif precision == 1:
        on = f"On {when.day} {when:%B %Y}"
    elif precision == 2:
        on = f"Around {when.day} {when:%B %Y}"
    else:
        on = f"In {when:%B %Y}"
    where = f"{location}, {country}" if country and country != location else location
    verb = notes_verb(sub)
    if verb and actor2:
        what = f"{actor1} {verb} {actor2}"
    elif event_type == PROTESTS and sub == "Excessive force against protesters":
        what = f"{actor1} used lethal force against {actor2 or 'protesters'}"
    elif event_type == PROTESTS and actor1.startswith("Protesters"):
        what = f"{actor1} held a protest" + (
            f", met by {actor2}" if actor2 and sub == "Protest with intervention" else "")
    else:
        what = f"{sub} ({event_type}) involving {actor1}" + (f" and {actor2}" if actor2 else "")
    tail = "" if fatalities is None else f" {fatalities} reported fatalities."
    return f"{on}, {what} in {where}.{tail}"


def _confidence(place: Place, has_agent: bool, precision: int, inc: _Incident, sub: str) -> float:
    score = 0.35
    if place.candidate is not None:
        score += 0.15 + 0.1 * (place.confidence or 0.5)
    if has_agent:
        score += 0.15
    if precision == 1:
        score += 0.1
    if len(inc.sentences) > 1:
        score += 0.05
    if sub not in ("Armed clash", "Attack", "Other"):
        score += 0.05
    return round(min(score, 0.95), 2)


def same_incident(a: Event, b: Event) -> bool:
    """Whether two events (e.g. from two articles) describe one incident: same day within their
    time precision, places close for their geo precision, and compatible types."""
    if a.event_date is None or b.event_date is None:
        if a.event_date is not b.event_date or a.article_id != b.article_id:
            return False
    else:
        tolerance = {1: 1, 2: 7}.get(max(a.time_precision, b.time_precision), 31)
        if abs((a.event_date - b.event_date).days) > tolerance:
            return False
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        limit = {1: 10.0, 2: 30.0}.get(max(a.geo_precision, b.geo_precision), 100.0)
        if haversine_km(a.lat, a.lon, b.lat, b.lon) > limit:
            return False
    elif a.location.strip().lower() != b.location.strip().lower():
        return False
    if a.event_type == b.event_type:
        return True
    violent = {BATTLES, EXPLOSIONS, VAC}
    # Two outlets may code one raid as a battle and as an attack: merge when someone is shared.
    if a.event_type in violent and b.event_type in violent:
        shared = {a.actor1, a.actor2} & {b.actor1, b.actor2} - {""}
        return bool(shared)
    return False

