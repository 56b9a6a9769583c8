"""The ACLED taxonomy: one table, the codebook's counts and spellings, shared by every module."""

from __future__ import annotations

import pytest

from conflictmap import taxonomy


def test_codebook_has_6_event_types_and_25_sub_types() -> None:
    assert len(taxonomy.EVENT_TYPES) == 6
    assert sum(len(s) for s in taxonomy.SUB_EVENT_TYPES.values()) == 25
    assert len(taxonomy.EVENT_TYPE_OF) == 25, "a sub-type name must belong to one type only"


def test_coder_store_and_importer_validate_against_the_same_table() -> None:
    from conflictmap import datasets, store
    from conflictmap.events import triggers

    assert triggers.SUB_EVENT_TYPES is taxonomy.SUB_EVENT_TYPES
    assert store.ACLED_SUB_EVENT_TYPES is taxonomy.SUB_EVENT_TYPES
    assert store.canonical_sub_event_type is taxonomy.canonical_sub_event_type
    assert datasets.INTER_LABELS is taxonomy.INTER_LABELS


@pytest.mark.parametrize(("event_type", "sub", "known"), [
    ("Protests", "Excessive force against protestors", True),  # published files' spelling
    ("Protests", "Excessive force against protesters", True),
    ("Battles", "Air/drone strike", False),  # a real sub-type, but of another type
    ("Explosions/Remote violence", "Air/drone strike", True),
    ("Battle", "Armed clash", False),
])
def test_type_pairs(event_type: str, sub: str, known: bool) -> None:
    assert taxonomy.is_known_type_pair(event_type, sub) is known


@pytest.mark.parametrize(("label", "code"), [
    ("State forces", 1), ("rebel group", 2), ("Protestors", 6), ("External/Other forces", 8),
    ("7", 7), ("9", None), ("Soldiers", None), ("", None),
])
def test_inter_labels_and_codes(label: str, code: int | None) -> None:
    assert taxonomy.inter_code(label) == code
    if code is not None:
        assert taxonomy.inter_code(taxonomy.inter_label(code)) == code


def test_interaction_and_disorder() -> None:
    assert taxonomy.interaction_code(3, 1) == 13
    assert taxonomy.interaction_code(1, None) == 10
    assert taxonomy.interaction_code(None, 1) is None
    assert taxonomy.disorder_type("Riots") == "Demonstrations"
    assert taxonomy.disorder_type("Strategic developments") == "Strategic developments"
    assert taxonomy.disorder_type("Battles") == "Political violence"
    assert taxonomy.canonical_sub_event_type("Excessive force against protestors") == \
        "Excessive force against protesters"
