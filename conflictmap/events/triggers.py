"""Trigger words: data/lexicons/triggers.csv in → TriggerMention spans out; families → ACLED types.

A trigger says what kind of act a sentence reports (its family: "airstrike", "arrest", "kill", ...).
`classify` turns the families of one incident, plus who was involved, into ACLED's event_type and
sub_event_type (the 6 types and 25 sub-types of the codebook, nothing else).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from conflictmap.events.matcher import WordMatcher, lower_same_length
from conflictmap.settings import DATA_DIR
from conflictmap.taxonomy import (  # noqa: F401  (re-exported: the coder reads them from here)
    BATTLES,
    DEMONSTRATIONS,
    EXPLOSIONS,
    POLITICAL_VIOLENCE,
    PROTESTS,
    RIOTS,
    STRATEGIC,
    STRATEGIC_DEVELOPMENTS,
    SUB_EVENT_TYPES,
    VAC,
    disorder_type,
)

TRIGGERS_CSV = DATA_DIR / "lexicons" / "triggers.csv"


# Families whose type does not depend on who was involved, strongest first: when an incident
# reports several, the first here wins ("drone strike ... killed" is an air/drone strike).
_FIXED: tuple[tuple[str, str, str], ...] = (
    ("chemical", EXPLOSIONS, "Chemical weapon"),
    ("suicide", EXPLOSIONS, "Suicide bomb"),
    ("drone", EXPLOSIONS, "Air/drone strike"),
    ("airstrike", EXPLOSIONS, "Air/drone strike"),
    ("shelling", EXPLOSIONS, "Shelling/artillery/missile attack"),
    ("missile", EXPLOSIONS, "Shelling/artillery/missile attack"),
    ("ied", EXPLOSIONS, "Remote explosive/landmine/IED"),
    ("grenade", EXPLOSIONS, "Grenade"),
    # A crashed military aircraft destroyed by its own crew is no attack by anyone: ACLED's
    # "Disrupted weapons use" is for interceptions and seizures, "Looting/property destruction"
    # for destroying others' property, so the codebook's catch-all "Other" is the honest fit.
    ("crash", STRATEGIC, "Other"),
    ("explode", EXPLOSIONS, "Remote explosive/landmine/IED"),
    ("sexual", VAC, "Sexual violence"),
    ("abduct", VAC, "Abduction/forced disappearance"),
    ("massacre", VAC, "Attack"),
    ("mob", RIOTS, "Mob violence"),
    ("riot", RIOTS, "Violent demonstration"),
    ("clash", BATTLES, "Armed clash"),
    ("disrupted", STRATEGIC, "Disrupted weapons use"),
    ("loot", STRATEGIC, "Looting/property destruction"),
    ("agreement", STRATEGIC, "Agreement"),
    ("base", STRATEGIC, "Headquarters or base established"),
    ("withdraw", STRATEGIC, "Non-violent transfer of territory"),
    # A group dissolving, merging, splitting, naming a new leader or changing its tactics.
    ("change", STRATEGIC, "Change to group/activity"),
)
VIOLENT_FAMILIES = frozenset({"attack", "raid", "storm", "shoot", "kill"})
TERRITORY_FAMILIES = frozenset({"capture", "retake"})
PROTEST_FAMILIES = frozenset({"protest", "intervention"})
ALL_FAMILIES = frozenset(f for f, _, _ in _FIXED) | VIOLENT_FAMILIES | TERRITORY_FAMILIES | PROTEST_FAMILIES | {"arrest"}
# Families that, on their own, describe one incident's kind well enough to name it in a notes line.
_VERBS = {
    "Armed clash": "clashed with", "Attack": "attacked", "Air/drone strike": "carried out an air/drone strike on",
    "Shelling/artillery/missile attack": "shelled", "Suicide bomb": "carried out a suicide bombing against",
    "Remote explosive/landmine/IED": "detonated an explosive device against", "Grenade": "threw a grenade at",
    "Chemical weapon": "used a chemical weapon against", "Arrests": "arrested",
    "Abduction/forced disappearance": "abducted", "Sexual violence": "committed sexual violence against",
    "Non-state actor overtakes territory": "took control of territory from",
    "Government regains territory": "regained territory from",
}


def notes_verb(sub_event_type: str) -> str:
    """The neutral verb phrase of a notes line for a sub-event type ("clashed with")."""
    return _VERBS.get(sub_event_type, "")


@dataclass(frozen=True)
class Trigger:
    family: str
    voice: str  # "act", "pass" or "noun"
    lang: str


@dataclass(frozen=True)
class TriggerMention:
    trigger: Trigger
    start: int
    end: int
    text: str


class TriggerLexicon:
    """Trigger words of both languages in one automaton (articles mix languages and quote others)."""

    def __init__(self, rows: list[tuple[str, Trigger]]) -> None:
        self._matcher: WordMatcher[Trigger] = WordMatcher(rows)
        self.size = len(rows)

    def find(self, text: str, lowered: str | None = None, folded: str | None = None) -> list[TriggerMention]:
        """Trigger words in `text`, in order, with offsets."""
        low = lowered if lowered is not None else lower_same_length(text)
        return [TriggerMention(h.payload, h.start, h.end, text[h.start:h.end])
                for h in self._matcher.find(text, low, folded)]


def read_trigger_rows(path: Path) -> list[tuple[str, Trigger]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        pattern = (row.get("pattern") or "").strip()
        family = (row.get("family") or "").strip()
        if not pattern or family not in ALL_FAMILIES:
            continue
        rows.append((pattern, Trigger(family, (row.get("voice") or "noun").strip(), (row.get("lang") or "").strip())))
    return rows


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> TriggerLexicon:
    return TriggerLexicon(read_trigger_rows(path))


def load_trigger_lexicon(path: Path | None = None) -> TriggerLexicon:
    """Trigger words from `path` (default data/lexicons/triggers.csv), loaded once per process."""
    return _load_cached(Path(path) if path is not None else TRIGGERS_CSV)


@dataclass(frozen=True)
class Involved:
    """What the classifier needs to know about who took part in an incident."""

    actor1_inter: int | None  # inter code of the actor that acted, None when unknown
    actor1_is_state: bool
    target_armed: bool  # an armed actor, or a military/security target, was on the receiving end
    civilians_hit: bool  # civilians named among the victims or targets
    protesters: bool  # protesters/demonstrators take part
    deaths: bool  # the incident reports deaths


# Explosion families; when an incident has several ("besköt ... med artilleri och drönare"), the
# family of its main verb decides (see `classify`'s `lead`).
_EXPLOSION_SUBS = {f: sub for f, t, sub in _FIXED if t == EXPLOSIONS and f not in ("chemical", "suicide", "explode")}


def classify(families: set[str], who: Involved, lead: str | None = None) -> tuple[str, str] | None:
    """ACLED (event_type, sub_event_type) for an incident's trigger families, or None if none apply.

    lead: the family of the incident's main verb ("besköt"), which decides between explosion
    sub-types when the instruments named are mixed ("artilleri och drönare").
    """
    protest = bool(families & PROTEST_FAMILIES) or (who.protesters and bool(families & VIOLENT_FAMILIES))
    if protest and "loot" in families and "riot" not in families:
        # Demonstrators who loot, burn or smash: ACLED's violent demonstration, not a protest.
        return RIOTS, "Violent demonstration"
    if protest and "riot" not in families and "mob" not in families:
        # A protest met by lethal force is "excessive force"; by arrests, tear gas or dispersal,
        # "with intervention"; otherwise peaceful (ACLED's protest sub-types).
        if who.deaths and families & (VIOLENT_FAMILIES | {"intervention"}):
            return PROTESTS, "Excessive force against protesters"
        if families & ({"intervention", "arrest"} | VIOLENT_FAMILIES):
            return PROTESTS, "Protest with intervention"
        return PROTESTS, "Peaceful protest"
    if families & TERRITORY_FAMILIES and "clash" in families and not families & {"chemical", "suicide"}:
        # Fighting that ends with a town changing hands is coded as the change (ACLED): "M23 took
        # Kayna after hours of fighting", "the army retook the town after clashes".
        if "retake" in families or who.actor1_is_state:
            return BATTLES, "Government regains territory"
        return BATTLES, "Non-state actor overtakes territory"
    if "clash" in families and who.target_armed and not families & {"chemical", "suicide"}:
        # Two armed sides fighting is a battle even when artillery or drones are part of it.
        return BATTLES, "Armed clash"
    if lead in _EXPLOSION_SUBS and not families & {"chemical", "suicide"}:
        return EXPLOSIONS, _EXPLOSION_SUBS[lead]
    for family, event_type, sub in _FIXED:
        if family in families:
            if family == "explode" and families & (VIOLENT_FAMILIES | TERRITORY_FAMILIES) and who.target_armed:
                continue  # "spränga" inside a raid or an assault: the fighting is the event
            return event_type, sub
    if families & TERRITORY_FAMILIES:
        if "retake" in families or who.actor1_is_state:
            return BATTLES, "Government regains territory"
        return BATTLES, "Non-state actor overtakes territory"
    if families & VIOLENT_FAMILIES:
        # ACLED codes raids on armed groups as armed clashes even when civilians die too (the
        # 2022 Atme raid: Battles/Armed clash, US forces vs Islamic State); one-sided violence
        # against civilians is "Violence against civilians/Attack".
        if who.target_armed:
            return BATTLES, "Armed clash"
        if who.civilians_hit or who.deaths:
            return VAC, "Attack"
        return BATTLES, "Armed clash"
    if "arrest" in families:
        return STRATEGIC, "Arrests"
    return None
