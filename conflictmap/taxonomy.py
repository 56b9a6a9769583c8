"""ACLED's taxonomy as data: names in (event types, sub-types, inter codes or labels, possibly in a
published file's spelling) → the codebook's canonical names, codes and labels out.

The one place the 6 event types, 25 sub-event types, 3 disorder types and 8 inter codes are
written down (../shared/reference/event-coding.md); the coder, the store, the importers and the
pages all read them from here.
"""

from __future__ import annotations

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# The 6 event types and their 25 sub-event types, in codebook order.
SUB_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    BATTLES: ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    EXPLOSIONS: ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                 "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"),
    VAC: ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    PROTESTS: ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    RIOTS: ("Violent demonstration", "Mob violence"),
    STRATEGIC: ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                "Headquarters or base established", "Looting/property destruction",
                "Non-violent transfer of territory", "Other"),
}
EVENT_TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES)
# Sub-type → its event type (every sub-type name is unique across types).
EVENT_TYPE_OF: dict[str, str] = {s: t for t, subs in SUB_EVENT_TYPES.items() for s in subs}

POLITICAL_VIOLENCE = "Political violence"
DEMONSTRATIONS = "Demonstrations"
STRATEGIC_DEVELOPMENTS = "Strategic developments"
# The three disorder types, plus the combined value ACLED uses for violent demonstrations.
DISORDER_TYPES: tuple[str, ...] = (POLITICAL_VIOLENCE, DEMONSTRATIONS, STRATEGIC_DEVELOPMENTS,
                                   "Political violence; Demonstrations")
_DISORDER_BY_TYPE = {PROTESTS: DEMONSTRATIONS, RIOTS: DEMONSTRATIONS,
                     STRATEGIC: STRATEGIC_DEVELOPMENTS}

# Published ACLED files spell one sub-type two ways; we store the codebook spelling.
SUB_EVENT_TYPE_ALIASES: dict[str, str] = {
    "Excessive force against protestors": "Excessive force against protesters",
}

# ACLED inter codes (actor categories). interaction = the two codes, lower first; one-sided
# events end in 0.
INTER_CODES: dict[int, str] = {
    1: "State forces",
    2: "Rebel groups",
    3: "Political militias",
    4: "Identity militias",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}
# Labels as newer exports write them (singular and plural, both protester spellings) → code.
INTER_LABELS: dict[str, int] = {
    **{label.casefold(): code for code, label in INTER_CODES.items()},
    "state force": 1, "rebel group": 2, "political militia": 3, "identity militia": 4,
    "rioter": 5, "protester": 6, "protestors": 6, "protestor": 6, "civilian": 7,
    "external/other force": 8,
}


def canonical_sub_event_type(sub_event_type: str) -> str:
    """The codebook spelling of a sub-event type (ACLED files also write 'protestors').

    >>> canonical_sub_event_type("Excessive force against protestors")
    'Excessive force against protesters'
    """
    return SUB_EVENT_TYPE_ALIASES.get(sub_event_type, sub_event_type)


def is_known_type_pair(event_type: str, sub_event_type: str) -> bool:
    """True when `sub_event_type` (either spelling) is one of ACLED's sub-types of `event_type`."""
    return canonical_sub_event_type(sub_event_type) in SUB_EVENT_TYPES.get(event_type, ())


def disorder_type(event_type: str) -> str:
    """ACLED's disorder type of an event type (protests and riots are demonstrations)."""
    return _DISORDER_BY_TYPE.get(event_type, POLITICAL_VIOLENCE)


def inter_label(code: int | None) -> str:
    """The label of an inter code ('State forces' for 1); '' for None or an unknown code."""
    return INTER_CODES.get(code, "") if code is not None else ""


def inter_code(label: str) -> int | None:
    """The inter code of a label or a code written as text ('Rebel groups', 'rebel group', '2');
    None when it is neither."""
    text = label.strip()
    if text.isdigit():
        code = int(text)
        return code if code in INTER_CODES else None
    return INTER_LABELS.get(text.casefold())


def interaction_code(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction: the two inter codes, lower first (13); one-sided events end in 0 (10).

    >>> interaction_code(3, 1), interaction_code(1, None)
    (13, 10)
    """
    if inter1 is None:
        return None
    if inter2 is None:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high
