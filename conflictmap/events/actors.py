"""Actor lexicon: data/lexicons/actors.csv in → ActorLexicon; text in → ActorMention spans out.

Canonical names follow ACLED's convention without date ranges ("Military Forces of the United
States", "Islamic State", "Civilians (Syria)"); generic actors carry "{country}", filled per event.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from conflictmap.events.matcher import WordMatcher, lower_same_length
from conflictmap.settings import DATA_DIR

ACTORS_CSV = DATA_DIR / "lexicons" / "actors.csv"

INTER_STATE = 1
INTER_REBEL = 2
INTER_POLITICAL_MILITIA = 3
INTER_IDENTITY_MILITIA = 4
INTER_RIOTERS = 5
INTER_PROTESTERS = 6
INTER_CIVILIANS = 7
INTER_EXTERNAL = 8
ARMED_INTERS = frozenset({1, 2, 3, 4, 8})

# Nouns that turn a nationality adjective into a state actor: "amerikanska helikoptrar",
# "Russian troops", "israeliska flygangrepp". Prefixes, lowercased.
_MILITARY_NOUNS = (
    "helikopt", "soldat", "styrk", "armé", "trupp", "militär", "stridsflyg", "flyg", "jaktplan",
    "drönar", "specialstyrk", "marin", "flott", "räd", "attack", "anfall", "angrepp", "bomb", "robot",
    "missil", "raket", "artilleri", "granat", "stridsvagn", "kommandosoldat", "säkerhetsstyrk",
    "beskjutning", "offensiv", "operation", "gränsvakt", "krigsfartyg", "polis",
    "force", "troop", "soldier", "army", "military", "jet", "warplane", "aircraft", "helicopter",
    "drone", "navy", "naval", "special", "commando", "marine", "strike", "airstrike", "raid",
    "shelling", "artillery", "tank", "missile", "rocket", "offensive", "warship", "air", "police",
    "border", "gunboat", "unit", "battalion", "brigade", "paratroop", "bomber", "fighter", "försvarsmakt",
)
# "colombiansk polis", "Kenyan police": the nationality names the country's police, not its army.
_POLICE_NOUNS = ("polis", "police", "gendarm")
# "Moçambiques armé", "Mozambique's army": a country's genitive before one of these is its state forces.
_GENITIVE_FORCE = re.compile(r"(?::s|'s|’s|s)\s+([^\W\d_]+)")
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:i|in|från|from|till|to|into|inom|across|throughout|within|ur|out of|över|over)\s+"
    r"(?:[^\W\d_]+(?:,\s+|\s+(?:och|and|eller|or)\s+))?$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Actor:
    """One lexicon row: canonical name (may contain "{country}"), inter code, home country."""

    name: str
    inter: int
    iso: str  # ISO alpha-2 of the actor's home country, "" for transnational / generic actors

    @property
    def generic(self) -> bool:
        return "{country}" in self.name

    def resolved_name(self, country: str) -> str:
        """The name for an event in `country` ("Civilians (Syria)"); "(unknown)" when unknown."""
        if not self.generic:
            return self.name
        if country:
            return self.name.replace("{country}", country)
        # ACLED always names a country; without one keep the bare kind of actor.
        return self.name.replace(" ({country})", "").replace(" of {country}", "")


@dataclass(frozen=True)
class ActorMention:
    """An actor recognised in the text, with exact offsets into the text searched."""

    actor: Actor
    start: int
    end: int
    text: str
    country_name: bool = False  # matched through a country's name ("Israel", "USA:s")


@dataclass(frozen=True)
class _AliasInfo:
    actor: Actor
    needs_military_noun: bool
    country_name: bool


class ActorLexicon:
    """Canonical actors and their aliases; `find` returns the actors named in a text."""

    def __init__(self, actors: list[tuple[Actor, list[str]]]) -> None:
        self._actors = [a for a, _ in actors]
        patterns: list[tuple[str, _AliasInfo]] = []
        for actor, aliases in actors:
            for alias in aliases:
                needs_noun = alias.startswith("+")
                country = alias.startswith("@")
                alias = alias.lstrip("+@").strip()
                if alias:
                    patterns.append((alias, _AliasInfo(actor, needs_noun, country)))
        self._matcher: WordMatcher[_AliasInfo] = WordMatcher(patterns)
        self._by_name = {a.name: a for a in self._actors}
        # Nationality adjectives ("Ukrainian", "syriska"): a geoparser may read them as the country.
        adjectives = [a.lstrip("+").lower() for _, aliases in actors for a in aliases
                      if a.startswith("+") and len(a.strip("+*")) > 3]
        self._demonyms = frozenset(a for a in adjectives if not a.endswith("*"))
        self._demonym_stems = tuple(a.rstrip("*") for a in adjectives if a.endswith("*"))
        self._state_forces = {a.iso: a for a in self._actors
                              if a.inter == INTER_STATE and a.iso and a.name.startswith("Military Forces of ")}
        self._country_genitive: re.Pattern[str] | None = None
        self._country_iso: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._actors)

    def names(self) -> list[str]:
        """Canonical names, sorted (generic ones keep their "{country}" placeholder)."""
        return sorted(self._by_name)

    def is_demonym(self, word: str) -> bool:
        """True for a nationality adjective in any inflection ("Ukrainian", "amerikanska")."""
        low = word.lower()
        return low in self._demonyms or low.startswith(self._demonym_stems)

    def get(self, name: str) -> Actor | None:
        return self._by_name.get(name)

    def find(self, text: str, lowered: str | None = None, folded: str | None = None) -> list[ActorMention]:
        """Actors named in `text`, in order, with offsets; adjectives count only next to a military noun."""
        low = lowered if lowered is not None else lower_same_length(text)
        found: list[ActorMention] = []
        for hit in self._matcher.find(text, low, folded):
            info = hit.payload
            actor = info.actor
            if info.needs_military_noun:
                noun = _military_noun_after(low, hit.end)
                if noun is None:
                    continue
                if noun.startswith(_POLICE_NOUNS):
                    actor = self.police_of(actor)
            if info.country_name and _LOCATIVE_BEFORE.search(low[max(0, hit.start - 30):hit.start]):
                continue  # "i Syrien", "in Ukraine": a location, not an actor
            found.append(ActorMention(actor, hit.start, hit.end, text[hit.start:hit.end],
                                      info.country_name))
        taken = {m.start for m in found}
        extra = [m for m in self._country_forces(text, low) if m.start not in taken]
        if extra:
            inside = [m for m in found if any(e.start <= m.start and m.end <= e.end for e in extra)]
            found = sorted([m for m in found if m not in inside] + extra, key=lambda m: m.start)
        return found

    def police_of(self, actor: Actor) -> Actor:
        """The police of a state whose army `actor` is ("Military Forces of Colombia" → its police)."""
        if not actor.name.startswith("Military Forces of "):
            return actor
        name = "Police Forces of " + actor.name.removeprefix("Military Forces of ")
        return self._by_name.get(name) or Actor(name, INTER_STATE, actor.iso)

    def _country_forces(self, text: str, low: str) -> list[ActorMention]:
        """"Moçambiques armé", "Rwanda's army", "Colombia's police": a country's genitive before a
        military or police noun names that state's forces."""
        if "s " not in text and "s\n" not in text:
            return []
        if self._country_genitive is None:
            self._country_iso = _country_names(self._state_forces)
            names = sorted(self._country_iso, key=len, reverse=True)
            self._country_genitive = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")(?=(?::s|'s|’s|s)\s)")
        out = []
        for m in self._country_genitive.finditer(text):
            tail = _GENITIVE_FORCE.match(text, m.end())
            if tail is None:
                continue
            noun = tail.group(1).lower()
            if not noun.startswith(_MILITARY_NOUNS) or noun.startswith(("attack", "anfall", "angrepp", "räd", "raid",
                                                                          "strike", "operation", "offensiv")):
                continue  # "Rwandas attack" is an act; "Rwandas armé" is who acted
            actor = self._state_forces[self._country_iso[m.group(1)]]
            if noun.startswith(_POLICE_NOUNS):
                actor = self.police_of(actor)
            out.append(ActorMention(actor, m.start(), tail.end(), text[m.start():tail.end()]))
        return out


def _military_noun_after(low: str, end: int) -> str | None:
    """The first of the next three words (or a hyphenated word's tail) that is a military noun."""
    for w in _WORD.findall(low, end, min(len(low), end + 60))[:3]:
        tail = w.split("-")[-1]
        if w.startswith(_MILITARY_NOUNS):
            return w
        if "-" in w and tail.startswith(_MILITARY_NOUNS):
            return tail
    return None


@lru_cache(maxsize=1)
def _babel_names() -> dict[str, str]:
    """One-word English and Swedish country names (CLDR) → ISO code.

    Loading two babel locales costs about 30 ms, a tenth of a CLI run's start-up, so the answer
    is kept in the cache directory, keyed by babel's version.
    """
    import json
    import os
    from importlib.metadata import version

    from conflictmap import settings

    cache = Path(settings.get("CONFLICTMAP_CACHE_DIR")) / f"cldr-country-words-{version('babel')}.json"
    try:
        return dict(json.loads(cache.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    from babel import Locale

    out: dict[str, str] = {}
    for lang in ("en", "sv"):
        for iso, name in Locale(lang).territories.items():
            if len(iso) == 2 and iso.isalpha() and " " not in name and len(name) >= 4:
                out[name] = iso
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache directory only costs the 30 ms next time
    return out


def _country_names(state_forces: dict[str, Actor]) -> dict[str, str]:
    """Country names (English and Swedish, CLDR) of the states the lexicon has forces for → ISO."""
    try:
        names = _babel_names()
    except Exception:  # noqa: BLE001 - without CLDR data the genitive rule is simply off
        return {}
    return {name: iso for name, iso in names.items() if iso in state_forces}


def _split_aliases(cell: str | None) -> list[str]:
    return [a.strip() for a in (cell or "").split("|") if a.strip()]


def read_actor_rows(path: Path) -> list[tuple[Actor, list[str]]]:
    """Parse actors.csv (comment lines start with '#')."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        actor = Actor(name=name, inter=int(row.get("inter") or 0), iso=(row.get("iso") or "").strip().upper())
        rows.append((actor, _split_aliases(row.get("aliases_en")) + _split_aliases(row.get("aliases_sv"))))
    return rows


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> ActorLexicon:
    return ActorLexicon(read_actor_rows(path))


def load_actor_lexicon(path: Path | None = None) -> ActorLexicon:
    """The actor lexicon from `path` (default data/lexicons/actors.csv), loaded once per process."""
    return _load_cached(Path(path) if path is not None else ACTORS_CSV)
