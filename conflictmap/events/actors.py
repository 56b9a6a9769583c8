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
    "border", "gunboat", "unit", "battalion", "brigade", "paratroop", "bomber", "fighter",
)
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
            if info.needs_military_noun and not _military_noun_follows(low, hit.end):
                continue
            if info.country_name and _LOCATIVE_BEFORE.search(low[max(0, hit.start - 30):hit.start]):
                continue  # "i Syrien", "in Ukraine": a location, not an actor
            found.append(ActorMention(info.actor, hit.start, hit.end, text[hit.start:hit.end],
                                      info.country_name))
        return found


def _military_noun_follows(low: str, end: int) -> bool:
    """True when one of the next three words (or the word's own tail) is a military noun."""
    words = _WORD.findall(low, end, min(len(low), end + 60))[:3]
    return any(w.startswith(_MILITARY_NOUNS) or "-" in w and w.split("-")[-1].startswith(_MILITARY_NOUNS)
               for w in words)


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
