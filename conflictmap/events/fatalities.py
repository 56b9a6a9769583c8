"""Fatality counts: a sentence in → the deaths it reports (int, or None when it reports none).

Numbers in digits and words (Swedish, English) count only when the nearest casualty word in their
clause is a death word ("dödades minst 13 personer", "at least 40 were killed", "three soldiers
died"); wounded, freed, arrested, money, ages and years do not count. Parts of a total ("varav två
kvinnor och sju barn", "including five children") are not added to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9,
    "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14, "femton": 15, "sexton": 16,
    "sjutton": 17, "arton": 18, "nitton": 19, "tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50,
    "sextio": 60, "sjuttio": 70, "åttio": 80, "nittio": 90, "hundra": 100, "etthundra": 100,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100,
    # ACLED's codebook turns vague plurals into fixed figures: "dozens" 12, "hundreds" 100.
    "dozens": 12, "dussintals": 12, "hundreds": 100, "hundratals": 100,
}
# Articles ("en", "a") count only right before a person noun: "en soldat dödades", "a soldier died".
_ARTICLES = frozenset({"en", "ett", "a", "an"})
_PERSON = re.compile(
    r"^(?:person|personer|människor|civil|civila|soldat|soldater|barn|kvinn|män|man|medlem|"
    r"polis|poliser|krigare|militant|rebell|jihadist|bybor|invånare|demonstrant|elev|studen|"
    r"people|persons|person|civilian|soldier|child|children|women|woman|men|man|member|"
    r"police|officer|fighter|militant|rebel|villager|resident|protester|demonstrator|student|"
    r"worshipper|troop|guard|journalist|aid|worker|passenger|pilgrim|insurgent)", re.IGNORECASE)
_DEATH = re.compile(
    r"^(?:dödade|dödades|dödats|dödad|döda|dödas|dödat|dödar|dödsoffer|omkom|omkommit|omkomna|dog|dött|"
    r"ihjäl|mördade|mördades|avrättade|avrättades|dödssiffra|dödstal|"
    r"killed|killing|kill|dead|died|die|death|deaths|dying|murdered|executed|slain|lives|toll|fatalities)$",
    re.IGNORECASE)
_NON_DEATH = re.compile(
    r"^(?:skadades|skadade|skadad|skadats|sårades|sårade|sårad|fritogs|frigavs|greps|gripna|gripits|"
    r"kidnappade|kidnappades|bortförda|evakuerades|flydde|saknas|saknade|räddades|arresterades|"
    r"wounded|injured|injuring|hurt|freed|released|escaped|arrested|detained|abducted|kidnapped|"
    r"missing|evacuated|displaced|rescued|fled|captured|held)$", re.IGNORECASE)
# A number followed by one of these is money, distance, time or a count of things, never deaths.
_UNIT = re.compile(
    r"^(?:dollar|dollars|kronor|euro|euros|pounds|miljoner|miljon|miljarder|million|millions|billion|"
    r"procent|percent|%|km|kilometer|kilometers|kilometres|meter|meters|metres|mil|miles|år|years|year|"
    r"årig|åriga|årige|old|timmar|hours|minuter|minutes|dagar|days|veckor|weeks|månader|months|ton|tons|"
    r"hus|houses|homes|bilar|vehicles|cars|fordon|raketer|rockets|missiles|drönare|drones|sekunder|"
    r"jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec|januari|februari|mars|april|juni|juli|"
    r"augusti|september|oktober|november|december|january|february|march|june|july|august|october)$",
    re.IGNORECASE)
_PARTS = re.compile(r"^(?:varav|inklusive|including|among|bland|däribland|of)$", re.IGNORECASE)
_ADDITIONAL = re.compile(r"^(?:även|också|dessutom|also|another|additional|ytterligare)$", re.IGNORECASE)
_TOKEN = re.compile(r"\d[\d,.\s]*\d(?!\d)|\d+|[^\W\d_]+(?:-[^\W\d_]+)*|[;:()–—]|[.,]", re.UNICODE)
_CLAUSE_BREAK = frozenset({";", ":", "(", ")", "–", "—", "men", "but", "while", "medan"})
_CONSERVATIVE_BEFORE = frozenset({"upp till", "up to", "uppemot"})


@dataclass(frozen=True)
class FatalityCount:
    """Deaths a sentence reports: the conservative total and whether it adds to earlier counts."""

    count: int
    additional: bool  # "three more were also killed": add to the incident, do not take the max


def _value(tok: str) -> int | None:
    low = tok.lower()
    if tok[0].isdigit():
        digits = re.sub(r"[\s,.]", "", tok)
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return None  # a year
        return int(digits) if digits.isdigit() else None
    return _WORDS.get(low)


_ANY_DEATH = re.compile(r"\b(?:död|omkom|dog\b|dött|ihjäl|mörda|avrätta|kill|dead|died|die\b|death|dying|"
                        r"slain|murder|execut|lives|liv\b|toll|fatalit)", re.IGNORECASE)


# Running totals ("2 000 people have died since the war began", "hittills i år") are not one
# incident's toll.
_CUMULATIVE = re.compile(
    r"\b(?:since (?:the|it|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|\d{4}|last)|so far|this year|in total|in all|sedan (?:kriget|konflikten|striderna|januari|"
    r"februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|\d{4}|i fjol|förra)|"
    r"hittills|i år|totalt|sammanlagt|last year|förra året|i fjol)\b"
    # "since Russia's full-scale invasion", "sedan det jihadistiska våldet spred sig från Mali 2015"
    r"|\bsince\s+(?:[\w'’-]+\s+){0,5}?(?:invasion|war|conflict|insurgency|uprising|coup|fighting|"
    r"began|started|erupted|broke out|\d{4})\b"
    r"|\bsedan\s+(?:[\w'’-]+\s+){0,7}?(?:invasionen|kriget|konflikten|upproret|kuppen|våldet|striderna|"
    r"började|startade|inleddes|bröt ut|spred sig|\d{4})\b"
    # "The conflict has killed more than 6,000", "Konflikten har krävt över 3 000 liv": a war's toll.
    r"|\b(?:the|this|its|konflikten|kriget|upproret|våldet|striderna)\s+(?:(?:conflict|war|insurgency|violence|"
    r"fighting|unrest)\s+)?(?:has|have|had|har|hade)\s+(?:\w+\s+)?(?:killed|claimed|left|dödat|krävt|skördat)\b",
    re.IGNORECASE)
# "No one was killed", "Ingen dödades", "No injuries were reported": an explicit toll of zero.
_NO_DEATHS = re.compile(
    r"\b(?:no one|nobody|none|no-one)\s+(?:was|were|has been|had been)\s+(?:\w+\s+)?(?:killed|hurt|injured|harmed)"
    r"|\bno (?:casualties|injuries|deaths|fatalities|one was hurt)\b"
    r"|\bwithout (?:casualties|injuries|loss of life)\b"
    r"|\b(?:ingen|inga)\s+(?:människor\s+|personer\s+)?(?:dödades|omkom|skadades|dog|har dödats|har skadats)"
    r"|\b(?:inga|ingen)\s+(?:dödsoffer|skadade|personskador)\b|\butan att någon (?:skadades|dödades|omkom)",
    re.IGNORECASE)


def is_running_total(sentence: str) -> bool:
    """True for a running or background total ("more than 200 ... have been killed since October",
    "The conflict has killed more than 6,000"): context for the reader, not an incident."""
    return bool(_ANY_DEATH.search(sentence) and _CUMULATIVE.search(sentence))
# A number after these belongs to an earlier, different event: "hours after two Israelis were
# shot dead nearby", "som hämnd för att tre soldater dödats".
_BACKGROUND = re.compile(
    r"^(?:after|following|efter|hämnd|retaliation|revenge)$", re.IGNORECASE)
_BACKGROUND_LEAD = frozenset({"hours", "days", "weeks", "shortly", "timmar", "dagar", "veckor", "strax", "in",
                              "som"})


# Words that set a second report of the same toll against the first.
_CONTRAST = frozenset("while whereas but although medan men fast samtidigt som".split())
# Nouns that turn "a police …", "an army …" into a place or a vehicle.
_PLACE_NOUNS = frozenset("""station post outpost headquarters checkpoint barracks base compound
academy building office car vehicle van truck convoy patrol unit camp""".split())


@lru_cache(maxsize=4096)
def count_deaths(sentence: str) -> FatalityCount | None:
    """Deaths reported in one sentence; None when it reports no death toll.

    >>> count_deaths("dödades minst 13 personer, varav två kvinnor och sju barn i räden").count
    13
    """
    if _CUMULATIVE.search(sentence):
        return None
    if not _ANY_DEATH.search(sentence):
        return FatalityCount(0, False) if _NO_DEATHS.search(sentence) else None
    tokens = [m.group(0) for m in _TOKEN.finditer(sentence)]
    low = [t.lower() for t in tokens]
    numbers: list[int] = []
    for i, tok in enumerate(tokens):
        value = _value(tok)
        if value is None:
            continue
        nxt = low[i + 1] if i + 1 < len(tokens) else ""
        if low[i] in _ARTICLES and not _PERSON.match(nxt) and not (
                i + 2 < len(low) and low[i + 2] not in _ARTICLES and _PERSON.match(low[i + 2])):
            continue  # "en soldat", "a senior commander", "en pakistansk militant": one person
        if low[i] in _ARTICLES and i + 2 < len(low) and low[i + 2] in _PLACE_NOUNS:
            continue  # "a police station", "an army checkpoint": a place, not a person
        if i > 0 and low[i - 1] in ("no", "ingen", "inte"):
            continue  # "no one was killed"
        if nxt in ("of", "av") and not _PERSON.match(low[i + 2] if i + 2 < len(low) else ""):
            continue  # "dozens of homes", "hundratals av bilarna"
        if any(_BACKGROUND.match(low[j]) and ((j > 0 and low[j - 1] in _BACKGROUND_LEAD) or
                                              (j + 1 < len(low) and low[j + 1] in ("att", "that", "the")))
               for j in range(max(0, i - 8), i)):
            continue
        if nxt.startswith("-") or _UNIT.match(nxt) or (nxt and nxt[0] in "-–" ):
            continue
        if i > 0 and (low[i - 1] in ("kl", "klockan", "at", "på") and tok[0].isdigit()):
            continue
        numbers.append(i)
    total = 0
    additional = False
    last_death = -1  # token index of the last number counted as deaths
    previous: tuple[int, str | None] = (-1, None)  # the last number and its casualty kind
    for idx in numbers:
        value = _value(tokens[idx]) or 0
        kind = _nearest_casualty(low, idx, numbers)
        if kind is None and previous[1] == "death" and _next_in_list(low, previous[0], idx):
            kind = "death"  # "killed a soldier and two civilians": the verb covers the whole list
        previous = (idx, kind)
        if kind != "death":
            continue
        # Parts of a total just given ("varav två kvinnor och sju barn") are already in it.
        window = low[max(0, idx - 6):idx]
        if any(_PARTS.match(w) for w in window) and total:
            continue
        if any(_ADDITIONAL.match(w) for w in low[max(0, idx - 4):idx + 4]):
            additional = True
        if total and last_death >= 0 and any(w in _CONTRAST for w in low[last_death + 1:idx]):
            # "locals say 15 soldiers died, while the army confirmed seven": two reports of one
            # toll; ACLED takes the most conservative.
            total = min(total, value)
            last_death = idx
            continue
        last_death = idx
        total += value
    if not total:
        return FatalityCount(0, False) if _NO_DEATHS.search(sentence) else None
    return FatalityCount(total, additional)


def _next_in_list(low: list[str], prev: int, idx: int) -> bool:
    """low[idx] starts the next item of a list of people after the number at `prev` ("a soldier
    and two civilians", "tre soldater, två poliser och en civil")."""
    between = low[prev + 1:idx]
    if not between or between[-1] not in ("and", "och", ",") or len(between) > 4:
        return False
    if not any(_PERSON.match(w) for w in between[:-1]):
        return False
    return any(_PERSON.match(w) for w in low[idx + 1:idx + 3])


def _nearest_casualty(low: list[str], idx: int, numbers: list[int]) -> str | None:
    """'death', 'other' or None: the closest casualty word in the number's clause decides."""
    prev_num = max((n for n in numbers if n < idx), default=-1)
    next_num = min((n for n in numbers if n > idx), default=len(low))
    best: tuple[int, str] | None = None
    for direction in (1, -1):
        j = idx + direction
        steps = 0
        in_parts = False  # "five civilians, including two children, died": look past the parts
        while 0 <= j < len(low) and steps < 16:
            w = low[j]
            if direction == 1 and _PARTS.match(w):
                in_parts = True
            if w in _CLAUSE_BREAK or (direction == -1 and j <= prev_num):
                break
            if direction == 1 and j >= next_num and not in_parts:
                break
            if w == "." and direction == 1:
                break
            kind = "death" if _DEATH.match(w) else "other" if _NON_DEATH.match(w) else None
            if kind:
                dist = steps + (0 if direction == 1 else 1)  # ties go to the word after the number
                if best is None or dist < best[0]:
                    best = (dist, kind)
                break
            j += direction
            steps += 1
    return best[1] if best else None
