"""Article → list[Mention]: place names found in the body, with exact offsets and gazetteer candidates.

No NER model is available offline (none for Swedish), so recognition is gazetteer matching over
capitalised word runs, filtered by language stopwords, sentence position, the article's own
lowercase vocabulary, person titles and the shape of the surrounding name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet  # the typing name for a read-only set
from dataclasses import dataclass

from conflictmap.gazetteer import Gazetteer, NameMatch, load_gazetteer, name_key, strip_article
from conflictmap.gazetteer.build import (
    AP_STATE_ABBREVIATIONS,
    KIND_ABBREV,
    KIND_ALTERNATE,
    KIND_DEMONYM,
    KIND_DIVISION_BARE,
    KIND_PRIMARY,
)
from conflictmap.gazetteer.normalize import ARABIC_ROMANISED, skeleton_key
from conflictmap.models import Article, Candidate, Mention

# A token: a dotted abbreviation ("U.S.") or a word that may carry inner hyphens, apostrophes
# and a Swedish clitic colon ("al-Hasakah", "Israel's", "USA:s").
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w]*(?:[-'’:][\w]+)*")
_SENTENCE_END = set('.!?:;"”“»«–—•|()[]')
MAX_SPAN_TOKENS = 6

# Lowercase words allowed inside a multi-word name ("Bosnia and Herzegovina", "Rio de Janeiro",
# "Deir ez-Zor", "Trinidad och Tobago").
CONNECTORS = frozenset("""of and the de del della di da do dos das du des la le les el al ez ad
ar as ash at an y e och van von der den upon on sur bin ibn""".split())

# Words that are (also) place names somewhere but, in running text, are function words or common
# words. Rejected when they are not clearly a name (sentence start, or ambiguous capitalised use).
STOPWORDS_SV = frozenset("""
alla allt andra annan annars att av bara bland blev bli blir borde bort bra de dem den denna
deras dess dessa det detta dig din dit du där då efter eftersom ej eller en enligt er ett fast
fick fler flera for fram från fyra får följande för före genom gick gjorde glada god gör göra
ha hade han hans har hela hem hennes henne hit hon honom hur här i igen in inom inte ja jag ju
kan kom kommer kunde kvar lite man med medan mellan men mer mest mig min mitt mot mycket må måste
nu när nej ner ni nog noll nya när något några och också om oss ovan på rätt redan runt sa sade
sedan sig sin sitt sju själv ska skulle slutet snart som stor stora så sådan säger tar till
tills tre tid tio trots två under upp ut utan vad var vara varför varit vart vem vi vid vilka
vilken vill vår våra väl åt än ändå även över dag dagar år året ny nytt gamla land staden
polisen armén regeringen presidenten kriget attacken räden styrkor gränsen norra södra östra
västra centrala mars maj juni juli augusti april oktober december januari februari september
november måndag tisdag onsdag torsdag fredag lördag söndag bor bo del delen just tack sedan
ledare minst enligt natt natten morgon vittne hus huset barn kvinnor män
""".split())
STOPWORDS_EN = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its just me more
most my no nor not now of off on once only or other our out over own same she should so some
such than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your said says
say told tell new news police army government president minister officials official people
city town village province state county region country capital border north south east west
northern southern eastern western central mobile reading of street road mount university
hospital airport church mosque school bank hotel park center centre camp market square bridge
january february march april may june july august september october november december monday
tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week month year
one two three four five six seven eight nine ten hundred thousand million billion first second
third last next many much several like well back home man men woman women child children
yet just also only then than here there now how why what where which who whose whom inc ltd llc
corp corporation company congress parliament senate mps mp mod gov govt dept ministry agency
white house
family house office court power party union forces troops attack attacks killed dead death
war peace fire water oil gas sea river lake island islands bay beach valley hill hills
however meanwhile although though since still even ever never always already again also
per via via among amid around across along behind beyond near inside outside within without
best good great big small little long high low old young early late real
""".split())
# Capitalised words before a name that make it a person, not a place ("President Biden").
PERSON_TITLES = frozenset("""mr mrs ms miss dr sir lord lady president premier minister senator
sen rep gov governor mayor general gen colonel col captain capt sergeant king queen prince
princess pope sheikh imam rabbi father saint judge justice chancellor ambassador secretary
professor prof presidenten ministern statsminister utrikesminister general kungen drottningen
""".split())
# Not places, though a gazetteer has a village of that name somewhere (media, platforms, groups).
NOT_PLACES = frozenset("""twitter facebook youtube instagram telegram tiktok whatsapp reuters
afp bloomberg google apple amazon microsoft isis isil daesh hamas hezbollah nato opec
""".split()) | {
    # Institutions and weather named after a place: "the White House said" is the US
    # government, not White House, Tennessee; El Niño is a climate pattern.
    "white house", "el nino", "la nina", "nino", "nina"}

# Place cue words, per language: Swedish "by" (village) is English "by", "stad" is nothing in
# English. Type cues say what kind of place follows (or precedes).
SETTLEMENT_CUES_SV = frozenset("""staden stad byn by orten samhället samhälle förorten förort
stadsdelen lägret flyktinglägret""".split())
SETTLEMENT_CUES_EN = frozenset("""town city village hamlet suburb neighbourhood neighborhood camp
district""".split())
ADMIN_CUES_SV = frozenset("""provinsen provins regionen region guvernementet guvernement
distriktet länet delstaten oblast""".split())
ADMIN_CUES_EN = frozenset("""oblast province governorate region state county prefecture""".split())
SETTLEMENT_CUES = SETTLEMENT_CUES_SV | SETTLEMENT_CUES_EN
ADMIN_CUES = ADMIN_CUES_SV | ADMIN_CUES_EN
_ADMIN2_CUES_AFTER = ADMIN_CUES | {"district", "raion", "rayon", "parish", "borough", "kommun"}
_CUES_BEFORE = SETTLEMENT_CUES | ADMIN_CUES
_CUES_BY_LANG = {"en": SETTLEMENT_CUES_EN | ADMIN_CUES_EN, "sv": _CUES_BEFORE}
# Modifiers that may precede a name inside the same capitalised run ("Northern Syria").
MODIFIERS = frozenset("""north south east west northern southern eastern western central upper
lower greater new old norra södra östra västra centrala""".split())


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int  # end of the core (without clitic)
    full_end: int  # end including a clitic ("USA:s")
    capital: bool
    sentence_start: bool
    clitic: bool  # ended in a genitive/clitic: ends a name run
    gap_before: str = ""  # the text between the previous token and this one (", " in "Tacoma, Wash.")


_GAP_ENDS_SENTENCE = re.compile("[" + re.escape("".join(_SENTENCE_END)) + "\n]")
_CONTRACTIONS = ("'ve", "’ve", "'re", "’re", "'ll", "’ll", "'d", "’d", "'m", "’m", "n't", "n’t")


def _core(text: str) -> tuple[str, bool]:
    """The token without a genitive or clitic ("Israel's" → "Israel", "USA:s" → "USA")."""
    if "'" not in text and "’" not in text and ":" not in text and "-" not in text:
        return text, False  # most words: nothing to strip
    if text.lower().endswith(_CONTRACTIONS):
        return text.lower(), True  # "I've", "We're": never a name
    for suffix in ("'s", "’s"):
        if text.endswith(suffix) and len(text) > 3:
            return text[: -len(suffix)], True
    if ":" in text:
        head, _, tail = text.partition(":")
        if head and tail.isalpha() and len(tail) <= 3:
            return head, True
    # "Gaza-based", "Syrien-relaterade": a name glued to a lowercase word.
    if "-" in text:
        head, _, tail = text.rpartition("-")
        if tail.islower() and head[:1].isupper() and "-" not in head and len(tail) > 2:
            return head, True
    return text, False


def _is_capitalised(text: str) -> bool:
    if text[:1].isupper():
        return True
    # "al-Hasakah", "el-Fasher", "ad-Dana": an Arabic article before a capitalised name.
    head, sep, tail = text.partition("-")
    return bool(sep) and head.lower() in ("al", "el", "ad", "ar", "as", "ash", "at", "az", "an",
                                          "ed", "es", "et", "ez", "en") and tail[:1].isupper()


# Lowercase prefixes glued to a name: "anti-Russian", "ex-Soviet", "pro-Kremlin".
_NAME_PREFIXES = frozenset("anti ex pro non pan post pre trans inter mid neo".split())
_ARABIC_ARTICLES = frozenset("al el ad ar as ash at az an ed es et ez en".split())
# Abbreviations whose full stop neither ends a sentence nor breaks a name ("St. Louis").
_NAME_ABBREVIATIONS = frozenset("st mt ft pt ste".split())
_TITLE_ABBREVIATIONS = frozenset("""mr mrs ms dr gen col lt sgt gov sen rep capt maj prof rev
sr jr no vs""".split())


def _pieces(text: str, start: int) -> list[tuple[str, int]]:
    """A hyphenated token split where two names meet ("Amsterdam-London", "DPRK-South") or a
    prefix meets a name ("anti-Russian"); "Guinea-Bissau" is rejoined by the name runs."""
    if "-" not in text:
        return [(text, start)]
    parts = text.split("-")
    out: list[tuple[str, int]] = []
    cur, cur_start, pos = parts[0], start, start + len(parts[0]) + 1
    for part in parts[1:]:
        head_low = cur.lower()
        split = part[:1].isupper() and head_low not in _ARABIC_ARTICLES and (
            cur[:1].isupper() or head_low in _NAME_PREFIXES)
        if split:
            if cur[:1].isupper():
                out.append((cur, cur_start))
            cur, cur_start = part, pos
        else:
            cur = f"{cur}-{part}"
        pos += len(part) + 1
    out.append((cur, cur_start))
    return out


def tokenize(body: str) -> list[_Token]:
    """Word tokens with offsets, capitalisation, sentence-start and clitic flags."""
    tokens: list[_Token] = []
    prev_end = 0
    prev_dot = False  # the previous token ended in a full stop ("U.S.")
    abbreviations = _NAME_ABBREVIATIONS | _TITLE_ABBREVIATIONS
    for m in _TOKEN.finditer(body):
        whole = m.group()
        for text, start in (_pieces(whole, m.start()) if "-" in whole else ((whole, m.start()),)):
            gap = body[prev_end:start]
            if not tokens:
                sentence_start = True
            elif gap == " ":
                sentence_start = prev_dot  # "... in the U.S. Officials said"
            else:
                sentence_start = _GAP_ENDS_SENTENCE.search(gap) is not None or (
                    prev_dot and not gap.strip())
                if sentence_start and gap == ". " and tokens[-1].text.lower() in abbreviations:
                    sentence_start = False  # "St. Louis", "Gov. Brown": an abbreviation's stop
            core, clitic = _core(text)
            capital = core[:1].isupper() or ("-" in core and _is_capitalised(core))
            tokens.append(_Token(core, start, start + len(core), start + len(text), capital,
                                 sentence_start, clitic, gap if tokens else ""))
            prev_end = start + len(text)
            prev_dot = text.endswith(".")
    return tokens


def _runs(tokens: list[_Token], body: str) -> list[list[int]]:
    """Index lists of capitalised runs: adjacent capitalised tokens (and inner connectors)."""
    runs: list[list[int]] = []
    cur: list[int] = []

    def close() -> None:
        while cur and not tokens[cur[-1]].capital:
            cur.pop()
        if cur:
            runs.append(cur.copy())
        cur.clear()

    for i, tok in enumerate(tokens):
        if cur:
            prev = tokens[cur[-1]]
            gap = body[prev.full_end:tok.start]
            joined = not prev.clitic and (gap in (" ", "\u00a0") or (gap == "-" and tok.capital) or (
                gap == ". " and prev.text.lower() in _NAME_ABBREVIATIONS))
            if not joined or tok.sentence_start:
                close()
        if tok.capital:
            cur.append(i)
        elif cur and tok.text.lower() in CONNECTORS:
            cur.append(i)
        else:
            close()
    close()
    return runs


def _span_keys(body: str, tokens: list[_Token], i: int, j: int, lang: str) -> list[str]:
    """Lookup keys for tokens[i:j]: the text itself, then a Swedish genitive-less form."""
    text = body[tokens[i].start:tokens[j - 1].end]
    key = name_key(text)
    keys = [key]
    last = tokens[j - 1]
    if lang in ("sv", "und", "da", "no") and not last.clitic and last.text.endswith("s") and len(last.text) > 4:
        keys.append(key[:-1])  # "Syriens" → "syrien"
    bare = strip_article(key)
    if bare != key:
        keys.append(bare)
    keys.extend(_hyphenless_keys(text))
    if lang in ("sv", "und", "da", "no") and j - i == 1:
        # "Sydkivu", "Nordkivu": Swedish glues the compass point on; gazetteers say "South Kivu".
        for k in list(keys):
            for prefix, english in _SV_COMPASS:
                if k.startswith(prefix) and len(k) > len(prefix) + 2:
                    keys.append(f"{english} {k[len(prefix):]}")
    return keys


def _hyphenless_keys(text: str) -> list[str]:
    """"Petion-Ville" is also looked up as GeoNames' "Pétionville" (a name key reads a hyphen as
    a space)."""
    return [name_key(text.replace("-", ""))] if "-" in text else []


_SV_COMPASS = (("nord", "north"), ("syd", "south"), ("öst", "east"), ("väst", "west"))


def _lower_vocabulary(tokens: list[_Token]) -> set[str]:
    return {t.text for t in tokens if t.text.islower()}


_STOP_BY_LANG = {"en": STOPWORDS_EN, "sv": STOPWORDS_SV | STOPWORDS_EN}
_STOP_ANY = STOPWORDS_SV | STOPWORDS_EN


def _stopwords(lang: str) -> frozenset[str]:
    # Swedish texts quote English names and words; English texts rarely contain Swedish words,
    # and "Bara" (Sudan) must not fall to Swedish "bara" ("only").
    return _STOP_BY_LANG.get(lang, _STOP_ANY)


def _cue_before(tokens: list[_Token], i: int, lang: str = "und") -> str | None:
    """A type cue one or two words before the name ("staden Afrin", "the town of Atme")."""
    cues = _CUES_BY_LANG.get(lang, _CUES_BEFORE)
    for k in (i - 1, i - 2):
        if k >= 0 and not tokens[k + 1].sentence_start and tokens[k].text.lower() in cues:
            return tokens[k].text.lower()
    return None


def _cue_after(tokens: list[_Token], j: int) -> str | None:
    if j < len(tokens) and tokens[j].text.lower() in ADMIN_CUES | {"camp", "city"}:
        return tokens[j].text.lower()
    return None


# What follows a dateline's place: a state or country ("ALLENDALE, N.J."), an agency
# ("(Reuters)"), then a dash ("--", "—", "-").
_DATELINE_AFTER = re.compile(r"\)?\s*(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\s*)?(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*)?"
                             r"(?:\([^)\n]{1,30}\)\s*)?(?:--|—|–|-)\s")


def datelines(tokens: list[_Token], runs: list[list[int]], body: str) -> set[tuple[int, int]]:
    """Token spans (i, j) that are news datelines: capitals at the start of a paragraph, then an
    optional state or agency and a dash ("ALLENDALE, N.J. --", "KABUL (Reuters) -", "NEW YORK
    —"). A dateline names the town the story was filed from, however small."""
    out: set[tuple[int, int]] = set()
    for run in runs:
        i, j = run[0], run[-1] + 1
        if i > 0 and "\n" not in tokens[i].gap_before:
            continue
        words = "".join(tokens[k].text for k in run if tokens[k].capital)
        if words.isupper() and _DATELINE_AFTER.match(body, tokens[j - 1].full_end):
            out.add((i, j))
    return out


def _accept(matches: tuple[NameMatch, ...], tokens: list[_Token], i: int, j: int, run: list[int],
            lower_vocab: set[str], stop: frozenset[str], key: str,
            person_names: set[str], known_places: dict[str, tuple[NameMatch, ...]],
            dateline_spans: AbstractSet[tuple[int, int]] = frozenset()) -> tuple[NameMatch, ...]:
    """The matches that make tokens[i:j] a place mention; () when it is not one."""
    first = tokens[i]
    surface = " ".join(t.text for t in tokens[i:j])
    if key in NOT_PLACES:
        return ()
    if all(m.kind == KIND_DIVISION_BARE for m in matches) and not (
            j < len(tokens) and tokens[j].text.lower() in _ADMIN2_CUES_AFTER):
        return ()  # "Long", "Russell": only "Russell County" or "Russell county" names the county
    states = tuple(m for m in matches if m.kind == KIND_ABBREV and m.candidate.feature == "admin1")
    if states:
        after = tokens[j] if j < len(tokens) else None
        if j - i == 1 and i > 0 and tokens[i - 1].capital and first.gap_before == ", " and not (
                after is not None and after.capital and after.gap_before == " ") and (
                first.text.rstrip(".") in _STATE_FORMS):
            return states  # "Tacoma, Wash.", "Allendale, N.J." (not a firm's "P.A.")
        matches = tuple(m for m in matches if m not in states)
    all_caps = surface.replace(".", "").replace(" ", "").isupper() and len(surface) > 1
    if all_caps:
        # "US", "UK", "DRC" are names only through the curated abbreviations; acronyms like "IS"
        # or "ALP" (an airport code among GeoNames' alternate names) are not. Longer capitalised
        # names ("LOS ANGELES —" datelines) stand when they are a big place's own name.
        long_name = len(surface) >= 4 and "." not in surface
        dateline = long_name and (i, j) in dateline_spans
        matches = tuple(m for m in matches if m.kind == KIND_ABBREV or (
            m.kind == KIND_PRIMARY and (m.candidate.feature == "country" or (long_name and (
                _is_major(m) or dateline)))) or (dateline and _big_alternate(m)))
        if dateline:
            return matches  # a filing town: no sentence-start doubt applies
    else:
        matches = tuple(m for m in matches if m.kind != KIND_ABBREV)
    if not matches:
        return ()
    if j - i == 1:
        low = first.text.lower()
        if low in stop and not all_caps:
            return ()
        if first.sentence_start and low in lower_vocab:
            return ()  # "Said", "Reading", "Man" as ordinary words that start a sentence
        if low in lower_vocab and not all_caps and not any(
                _is_major(m) and m.candidate.feature != "admin1" for m in matches):
            # The article uses the word in lowercase too ("federal", "commerce"): capitalised
            # here it is part of a name ("Federal Reserve", "Chamber of Commerce").
            return ()
    if i > 0 and tokens[i - 1].text.lower().rstrip(".") in PERSON_TITLES:
        return ()
    if j - i == 1 and first.text[:1].islower() and first.text.endswith("i") and all(
            m.kind != KIND_PRIMARY for m in matches):
        return ()  # an Arabic nisba, a person's name: "al-Baghdadi" is "the one from Baghdad"
    demonyms = tuple(m for m in matches if m.kind == KIND_DEMONYM)
    if demonyms:
        return demonyms  # "Canadian" is Canada, not the village of Canadian, Texas
    if j - i == 1 and surface in person_names and not any(_is_major(m) for m in matches):
        return ()  # "Kelly" after "Megyn Kelly" earlier in the article
    if _role_named(tokens, run) and not any(
            m.candidate.feature in ("country", "admin1", "continent") for m in matches):
        return ()  # "leader Vladimir Putin", "chef Jae": a person, however big the namesake town
    if j - i == 1 and not any(m.kind == KIND_PRIMARY or _is_major(m) or _big_alternate(m)
                              for m in matches):
        if first.sentence_start:
            return ()  # "Yet", "Frank": a sentence-initial word known only as an alternate name
    if j - i == 1 and first.sentence_start and all_caps and any(m.kind == KIND_ABBREV for m in matches):
        return tuple(m for m in matches if m.kind == KIND_ABBREV)  # "U.S. officials said ..."
    if j - i == 1 and first.sentence_start:
        # A capitalised first word ("Tunga strider"): only a place's own name of some size counts.
        matches = tuple(m for m in matches if _big_alternate(m) or m.kind == KIND_PRIMARY and (
            _is_major(m) or m.candidate.population >= 20000 or m.candidate.source == "supplement"))
        if not matches:
            return ()
        if all(m.candidate.population < 20000 and m.candidate.source != "supplement"
               for m in matches):
            return ()  # a bare surname-like word that only a small village abroad bears
    # Inside a longer capitalised run, a weak match (a town under an alternate name) next to
    # unknown capitalised words is most likely part of a person's or an organisation's name
    # ("Saddam Hussein", "Washington Post", "Abu Bakr al-Baghdadi").
    strong = any(_is_major(m) for m in matches)
    if not strong and len(run) > j - i:
        coordinated = any(tokens[k].text.lower() in _CONJUNCTIONS for k in run)
        # In "Kafr Nabl and Deir Hafer" each conjunct is its own name: judge a multi-word span
        # only by the words of its own conjunct (a lone word there is often a given name:
        # "Henry and Gail Cole").
        segment = _conjunct(run, tokens, i) if coordinated and j - i > 1 else run
        # "Petion-Ville and Kenscoff": a whole other conjunct that is a place vouches for this
        # one as much as a single-word neighbour does ("Gao and Timbuktu").
        others = [tokens[k] for k in segment if (k < i or k >= j) and not (
            coordinated and _conjunct_is_place(run, tokens, k, known_places))]
        for t in others:
            low = t.text.lower()
            if low in CONNECTORS or low in MODIFIERS or low in _CUES_BEFORE or low in stop:
                continue
            if _is_code(t):
                continue  # "the A429 Cirencester junction": a road number, not part of a name
            if name_key(t.text) in known_places and coordinated:
                continue  # "Gao and Timbuktu": a neighbouring place name, not a person's name
            if low.rstrip(".") in PERSON_TITLES and t.start > first.start:
                continue  # "California Governor Jerry Brown": the title starts a new name
            if t.sentence_start and k_is_first(run, tokens, t) and not t.gap_before.endswith("("):
                continue  # a capitalised first word; "(Mike de Kock)" is a name, not a sentence
            return ()
    coarse = any(m.candidate.feature in _COARSE or m.candidate.population >= 1_000_000 for m in matches)
    if j - i == 1 and not coarse:
        prev = tokens[i - 1] if i > 0 and i - 1 in run else None
        if prev is not None and prev.capital and not prev.sentence_start and _is_given_name_slot(
                prev, known_places, stop):
            return ()  # "Ashley Sutton", "James Tyler Williams": a surname after a given name
        if _next_to_speech_verb(tokens, i, j):
            return ()  # "said Wang", "Noma said": people speak; small places do not
    return matches


_COARSE = frozenset({"country", "admin1", "continent", "region", "water"})
_LOCATIVES = frozenset("in at from of near to i på från vid nära".split())
SPEECH_VERBS = frozenset("""said says say told tells added asked wrote explained recalled
sa säger sade berättar berättade uppger uppgav skriver""".split())


def _is_given_name_slot(prev: _Token, known_places: dict[str, tuple[NameMatch, ...]],
                        stop: frozenset[str]) -> bool:
    """Whether the capitalised word before a name reads as a given name, not a place word."""
    low = prev.text.lower()
    if low in CONNECTORS or low in MODIFIERS or low in _CUES_BEFORE or low in stop:
        return False
    if low.rstrip(".") in PERSON_TITLES or low in _NAME_ABBREVIATIONS:
        return False
    if prev.text.isupper():
        return False
    # "Ashley" names a few small towns too; only a big place or a nationality before a name
    # makes it a place phrase ("Aleppo Syria", "Kurdish Kobani").
    return not any(_is_major(m) or m.kind == KIND_DEMONYM for m in known_places.get(name_key(prev.text), ()))


def _next_to_speech_verb(tokens: list[_Token], i: int, j: int) -> bool:
    before = tokens[i - 1] if i > 0 else None
    after = tokens[j] if j < len(tokens) else None
    if before is not None and before.text.lower() in _LOCATIVES:
        return False  # "doctors in Montpellier said": the place is where, not who
    return bool(
        (before is not None and before.text.lower() in SPEECH_VERBS and tokens[i].gap_before == " ")
        or (after is not None and after.text.lower() in SPEECH_VERBS and after.gap_before == " "))


_STATE_FORMS = frozenset({*AP_STATE_ABBREVIATIONS, *(a.rstrip(".") for a in AP_STATE_ABBREVIATIONS.values())})
_DC_SUFFIX = re.compile(r",? D\.C\.")


def _with_dc(m: Mention, body: str) -> Mention:
    """"Washington, D.C." is one name: the capital, not the city plus a division."""
    suffix = _DC_SUFFIX.match(body, m.end)
    if not suffix or name_key(m.text) != "washington":
        return m
    capital = tuple(c for c in m.candidates if c.admin1 == "District of Columbia") or m.candidates
    end = suffix.end()
    return Mention(text=body[m.start:end], start=m.start, end=end, candidates=capital, cue=m.cue)


_CONJUNCTIONS = frozenset(("and", "och", "or", "eller"))


def _is_code(tok: _Token) -> bool:
    """A word with digits ("A429", "M23"): a code, never part of a person's name."""
    return any(ch.isdigit() for ch in tok.text)


def _conjunct_is_place(run: list[int], tokens: list[_Token], k: int,
                       known_places: dict[str, tuple[NameMatch, ...]]) -> bool:
    """Whether the conjunct of `run` holding token k is, as a whole, a known place name."""
    part = _conjunct(run, tokens, k)
    if len(part) < 2 or tokens[k].text.lower() in _CONJUNCTIONS:
        return False
    text = tokens[part[0]].text + "".join(tokens[n].gap_before + tokens[n].text for n in part[1:])
    return any(k in known_places for k in (name_key(text), *_hyphenless_keys(text)))


def _conjunct(run: list[int], tokens: list[_Token], i: int) -> list[int]:
    """The part of a capitalised run between conjunctions that holds token i."""
    part: list[int] = []
    for k in run:
        if tokens[k].text.lower() in _CONJUNCTIONS:
            if k > i:
                break
            part = []
        else:
            part.append(k)
    return part


def _big_alternate(m: NameMatch) -> bool:
    """A city of 100,000 or more under another spelling ("Douma", "Kiev"): a name, even first in
    a sentence (ordinary words that start sentences are caught by the article's vocabulary)."""
    return m.kind == KIND_ALTERNATE and m.candidate.feature == "city" and m.candidate.population >= 100000


def _is_major(m: NameMatch) -> bool:
    """A country, continent, division or big city under its own name: safe inside other names
    ("Washington Post", "Toronto Police", "Russian President ...")."""
    c = m.candidate
    if m.kind not in (KIND_PRIMARY, KIND_ABBREV):
        return False
    if c.feature == "admin1":  # "Unity", "Central", "Lakes" are small divisions' names too
        return c.population >= 1_000_000
    if c.source == "supplement" and c.feature == "region":
        return True  # curated: "EU", "Middle East", "Gaza Strip"
    return c.feature in ("country", "continent", "water") or c.population >= 100000


def _about_arab_world(found: dict[str, tuple[NameMatch, ...]]) -> bool:
    """Whether the article names a country or a sizeable place where names are romanised from
    Arabic: only then are spelling variants of small places worth the risk of a false match."""
    return any(m.candidate.country_code in ARABIC_ROMANISED and m.kind != KIND_ALTERNATE
               and (m.candidate.feature in ("country", "admin1") or m.candidate.population >= 100000)
               for matches in found.values() for m in matches[:1])


def _add_skeleton_keys(spans: list[tuple[list[int], int, int, list[str]]],
                       found: dict[str, tuple[NameMatch, ...]], gaz: Gazetteer) -> None:
    """For spans no spelling matched, try the Arabic romanisation skeleton ("Tal Rifaat")."""
    todo: dict[int, str] = {}
    for n, (_run, _i, _j, keys) in enumerate(spans):
        if not any(k in found for k in keys):
            skel = skeleton_key(keys[0])
            if skel is not None:
                todo[n] = skel
    if not todo:
        return
    extra = gaz.matches_for_keys(set(todo.values()))
    for n, skel in todo.items():
        hits = tuple(m for m in extra.get(skel, ()) if m.candidate.country_code in ARABIC_ROMANISED)
        if hits:
            found[skel] = hits
            spans[n][3].append(skel)


# Words that make "<place> <word>" the name of a newspaper, a command, a cartel, a firm
# ("Miami Herald", "U.S. Africa Command", "Sinaloa Cartel"): the place is named, but nothing
# happens there, so the event coder leaves such mentions out (cue "organisation").
ORGANISATION_WORDS = frozenset("""Herald Tribune Times Post Independent Journal Gazette Chronicle
Observer Telegraph Standard Express Daily News Press Radio Television TV Broadcasting Monitor
Insider Reporters Review Magazine Command Corps Cartel University College Airlines Airways Bank
Exchange Company Group FC""".split())


def _names_organisation(tokens: list[_Token], j: int, run: list[int]) -> bool:
    """The mention ending before tokens[j] opens an organisation's name in the same run."""
    for k in (j, j + 1):
        if k in run and tokens[k].text in ORGANISATION_WORDS:
            return True
    return False


MONTH_ABBREVIATIONS = frozenset("""jan feb mar apr jun jul aug sep sept oct nov dec okt
maj""".split())
SV_LOWERCASE_GENERICS = frozenset("""havet viken sjön oceanen bukten sundet kanalen halvön öknen
dalen floden""".split())
# Generic nouns that end place names ("Rakhine State", "Lower Shabelle Region", "Bekaa Valley").
GEO_GENERICS = frozenset("""state province county district region governorate oblast prefecture
city town village island islands valley river lake sea bay gulf strait peninsula coast desert
mountains hills plateau strip delta basin camp""".split())


# Lowercase words that introduce a person's (or a pet's) name: "chef Jae", "his brother Tyler",
# "Rozen's wife, Julia", "Russian leader Vladimir Putin", "hans bror Ali".
ROLE_NOUNS = frozenset("""chef brother sister wife husband son daughter mother father mom mum dad
uncle aunt cousin nephew niece grandson granddaughter grandmother grandfather friend boyfriend
girlfriend fiancé fiancée partner widow colleague coach star player actor actress singer rapper
leader spokesman spokeswoman spokesperson officer trooper deputy reporter correspondent author
writer artist director founder chairman chairwoman ceo student teacher nurse pastor suspect victim
defendant dog lab puppy cat horse baby bror syster fru hustru make sambo dotter mamma pappa
farbror morbror moster faster kusin vän pojkvän flickvän kollega tränare ledaren ledare
talespersonen talesperson författaren författare reportern läraren eleven hunden""".split())


def _role_named(tokens: list[_Token], run: list[int]) -> bool:
    """The run follows a role noun ("chef Jae", "wife, Julia", "leader Vladimir Putin"): a
    person's name of up to three words (not "artist Banksy and London", a list)."""
    i = run[0]
    if i == 0 or len(run) > 3 or not all(tokens[k].capital for k in run):
        return False
    prev = tokens[i - 1]
    return (prev.text in ROLE_NOUNS and not prev.capital and tokens[i].gap_before in (" ", ", ")
            and not prev.clitic)


def person_names(tokens: list[_Token], runs: list[list[int]], found: dict[str, tuple[NameMatch, ...]],
                 stop: frozenset[str]) -> set[str]:
    """Names of people: the words of a run after a role noun ("chef Jae", "leader Vladimir
    Putin"), and the surname (and a lone given name) of runs like "Megyn Kelly", so that a bare
    "Jae" or "Kelly" later in the article stays a person."""
    names: set[str] = set()
    for run in runs:
        if _role_named(tokens, run):
            names.update(tokens[k].text for k in run if tokens[k].capital)
    for run in runs:
        if len(run) < 2 or len(run) > 4:
            continue
        words = [tokens[k] for k in run]
        if any(not w.capital or w.clitic and w is not words[-1] for w in words):
            continue
        if any(_is_code(w) for w in words):
            continue  # "A429 Cirencester": a road number, not a given name
        first = words[0].text.lower()
        if first in stop or first in MODIFIERS or first in _CUES_BEFORE or first in CONNECTORS:
            continue
        if words[-1].text.lower() in GEO_GENERICS:
            continue  # "Rakhine State", "Bekaa Valley": a place and its kind, not a person
        if name_key(" ".join(w.text for w in words)) in found:
            continue  # the whole run is a place ("New York")
        if any(m.kind == KIND_DEMONYM or _is_major(m)
               for w in words for m in found.get(name_key(w.text), ())):
            continue  # "Leading Mexican", "Syria Civil Defence": a place word inside
        if name_key(words[0].text) in found and any(_is_major(m) for m in found[name_key(words[0].text)]):
            continue  # "Syria Civil Defence", "Russian President": a place word first
        names.add(words[-1].text)
        if len(words) == 2:
            names.add(words[0].text)  # "Paul" of "Paul Ryan", alone later in the article
    return names


def k_is_first(run: list[int], tokens: list[_Token], tok: _Token) -> bool:
    return tokens[run[0]] is tok


def find_mentions(article: Article, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Every place name in `article.body`, in text order, with exact offsets and candidates.

    `body[m.start:m.end] == m.text`; the text excludes a genitive or clitic ("USA" of "USA:s",
    "Israel" of "Israel's"). Candidates are ranked by context-free plausibility; `resolve_places`
    re-ranks them with the article's context. A capitalised name after a settlement cue
    ("byn X", "the village of X") that the gazetteer lacks is returned without candidates.
    """
    gaz = gazetteer or load_gazetteer()
    body = article.body
    lang = (article.language or "und").lower()
    tokens = tokenize(body)
    runs = _runs(tokens, body)
    stop = _stopwords(lang)
    lower_vocab = _lower_vocabulary(tokens)

    spans: list[tuple[list[int], int, int, list[str]]] = []
    all_keys: set[str] = set()
    for run in runs:
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + MAX_SPAN_TOKENS) + 1):
                i, j = run[a], run[b - 1] + 1
                if not tokens[i].capital or not tokens[j - 1].capital:
                    continue
                keys = _span_keys(body, tokens, i, j, lang)
                spans.append((run, i, j, keys))
                all_keys.update(keys)
    for run in runs:  # single words of longer runs, to tell "Megyn Kelly" from "New York"
        if len(run) >= 2:
            all_keys.update(name_key(tokens[k].text) for k in run)
    # "Cox's Bazar", "St John's": a genitive inside a name ends the capitalised run, so such
    # names are looked up on their own.
    possessives = {k: name_key(body[tok.start:tokens[k + 1].end]) for k, tok in enumerate(tokens[:-1])
                   if tok.clitic and tok.capital and body[tok.end:tok.full_end] in ("'s", "’s")
                   and tokens[k + 1].capital and tokens[k + 1].gap_before == " "}
    all_keys.update(possessives.values())
    # "Röda havet", "Persiska viken", "Indiska oceanen": Swedish writes the generic in lowercase.
    generics = {k: name_key(body[tok.start:tokens[k + 1].end]) for k, tok in enumerate(tokens[:-1])
                if tok.capital and not tok.clitic and tokens[k + 1].gap_before == " "
                and tokens[k + 1].text in SV_LOWERCASE_GENERICS} if lang in ("sv", "und") else {}
    all_keys.update(generics.values())
    found = gaz.matches_for_keys(all_keys)
    if _about_arab_world(found):
        _add_skeleton_keys(spans, found, gaz)
    people = person_names(tokens, runs, found, stop)
    dated = datelines(tokens, runs, body)
    # "Jan 15", "Sept. 4" in a dateline or a date: a month, not a place called Jan.
    months = {k for k, tok in enumerate(tokens) if tok.text.lower() in MONTH_ABBREVIATIONS
              and re.match(r"\.?\s*\d", body[tok.end:tok.end + 4])}

    by_run: dict[int, list[tuple[int, int, list[str]]]] = {}
    for run, i, j, keys in spans:
        by_run.setdefault(run[0], []).append((i, j, keys))

    mentions: list[Mention] = []
    covered: set[int] = set()
    whole: list[Mention] = []  # names the runs cannot hold, found first
    for k, key in {**possessives, **generics}.items():
        primary = tuple(m for m in found.get(key, ()) if m.kind == KIND_PRIMARY)
        if primary:
            start, end = tokens[k].start, tokens[k + 1].end
            whole.append(Mention(text=body[start:end], start=start, end=end,
                                 candidates=_dedupe(m.candidate for m in primary), cue=None))
            covered.update((k, k + 1))
    for run in runs:
        options = {(i, j): keys for i, j, keys in by_run.get(run[0], [])}
        pos = 0
        while pos < len(run):
            i = run[pos]
            if i in covered:
                pos += 1
                continue
            chosen = None
            for b in range(min(len(run), pos + MAX_SPAN_TOKENS), pos, -1):
                j = run[b - 1] + 1
                span_keys = options.get((i, j))
                if not span_keys:
                    continue
                if j - i == 1 and i in months:
                    continue
                for n, key in enumerate(span_keys):
                    hits = found.get(key)
                    if not hits:
                        continue
                    ok = _accept(hits, tokens, i, j, run, lower_vocab, stop, key, people, found, dated)
                    if ok:
                        # A key made from the genitive-less form ("syrien" of "Syriens", "south
                        # kivu" of "Sydkivus") leaves the "s" outside the mention.
                        trim = 1 if n > 0 and span_keys[0].endswith("s") and not key.endswith("s") else 0
                        chosen = (b, i, j, ok, trim)
                        break
                if chosen:
                    break
            if not chosen:
                pos += 1
                continue
            b, i, j, ok, trim = chosen
            start, end = tokens[i].start, tokens[j - 1].end - trim
            cue = "demonym" if all(m.kind == KIND_DEMONYM for m in ok) else (
                "dateline" if (i, j) in dated else "organisation" if _names_organisation(tokens, j, run)
                else _cue_before(tokens, i, lang) or _cue_after(tokens, j))
            mention = _with_dc(Mention(text=body[start:end], start=start, end=end,
                                       candidates=_dedupe(m.candidate for m in ok), cue=cue), body)
            if mentions and mentions[-1].end > mention.start:
                pos = b
                continue  # the "D.C." a "Washington, D.C." mention already holds
            mentions.append(mention)
            covered.update(range(i, j))
            if mention.end > end:
                covered.update(k for k in range(j, len(tokens)) if tokens[k].start < mention.end)
            pos = b
    mentions.extend(whole)
    if lang in ("sv", "und", "da", "no"):
        mentions.extend(_compound_mentions(tokens, covered, gaz, stop))
    mentions.extend(_cue_only_mentions(tokens, covered, body, stop))
    mentions.sort(key=lambda m: m.start)
    return mentions


# Swedish writes "the Idlib province" as one word: "Idlibprovinsen", "Charkivregionen",
# "Rafahgränsen". The suffix becomes the mention's cue; the mention is the name part.
COMPOUND_SUFFIXES_SV = ("provinsen", "regionen", "området", "länet", "guvernementet", "distriktet",
                        "oblastet", "gränsen", "lägret", "flyktinglägret")


def _compound_mentions(tokens: list[_Token], covered: set[int], gaz: Gazetteer,
                       stop: frozenset[str]) -> Iterable[Mention]:
    """Place names glued to a Swedish cue word ("Idlibprovinsen" → "Idlib", cue "provinsen")."""
    todo: list[tuple[int, str, str]] = []
    for k, tok in enumerate(tokens):
        if k in covered or not tok.capital or tok.clitic or len(tok.text) < 8:
            continue
        low = tok.text.lower()
        for suffix in COMPOUND_SUFFIXES_SV:
            stem = tok.text[: -len(suffix)]
            if low.endswith(suffix) and len(stem) >= 3 and stem.lower() not in stop:
                todo.append((k, stem.rstrip("-"), suffix))
                break
    if not todo:
        return
    found = gaz.matches_for_keys({name_key(stem) for _, stem, _ in todo})
    for k, stem, suffix in todo:
        # Only a place's own name, or a big one: "Storprovinsen" is no place called "Stor".
        hits = tuple(m for m in found.get(name_key(stem), ())
                     if m.kind == KIND_PRIMARY or _is_major(m) or _big_alternate(m))
        if hits:
            start = tokens[k].start
            yield Mention(text=stem, start=start, end=start + len(stem),
                          candidates=_dedupe(m.candidate for m in hits), cue=suffix)


def _cue_only_mentions(tokens: list[_Token], covered: set[int], body: str,
                       stop: frozenset[str]) -> Iterable[Mention]:
    """Unknown capitalised names right after a settlement cue: kept, unresolved, for review."""
    for k, tok in enumerate(tokens[:-1]):
        low = tok.text.lower()
        nxt = tokens[k + 1]
        if low == "of" and k > 0 and tokens[k - 1].text.lower() in ("town", "village", "city", "hamlet"):
            pass
        elif low not in ("byn", "staden", "orten", "samhället", "lägret", "flyktinglägret"):
            continue
        if k + 1 in covered or not nxt.capital or nxt.text.lower() in stop:
            continue
        if body[tok.full_end:nxt.start] != " ":
            continue
        yield Mention(text=nxt.text, start=nxt.start, end=nxt.end, candidates=(), cue=low)


def _dedupe(cands: Iterable[Candidate]) -> tuple[Candidate, ...]:
    seen: set[str] = set()
    out = []
    for c in cands:
        if c.place_id not in seen:
            seen.add(c.place_id)
            out.append(c)
    return tuple(out)
