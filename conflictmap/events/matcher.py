"""Word-pattern matching for the lexicons: pattern strings in, (start, end, payload) hits in a text out.

Pattern syntax (shared by actors.csv and triggers.csv, so users can extend both the same way):
  word         the word itself, optionally followed by a genitive (s, :s, 's) or a hyphenated
               compound ("IS-medlemmar", "Hamas-ledaren")
  word*        the word and anything that continues it (Swedish/English inflections: attacker*)
  *word*       anywhere inside a word (compounds: *attack* in "drönarattacken")
  ALLCAPS      short acronyms are case-sensitive ("IS" must not match English "is")
Multi-word patterns ("drone strike", "tog kontroll över") are matched as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")
_NON_WORD = re.compile(r"[\W_]", re.UNICODE)

_GENITIVE_TAILS = ("s", ":s", "'s", "’s")


def lower_same_length(text: str) -> str:
    """text.lower(), keeping offsets valid (a few characters lowercase to two code points)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def word_folded(low: str) -> str:
    """Lowercased text with every non-word character as a space (same length, same offsets).

    Keys are stored as " key", so the automaton only reports hits that start a word; that keeps
    "is" inside "this" from ever reaching Python code, which is what makes matching fast.
    """
    return " " + _NON_WORD.sub(" ", low)


@dataclass(frozen=True)
class _Pattern(Generic[T]):
    literal: str  # as written (without * markers), for case-sensitive checks
    prefix: bool  # may continue with letters
    infix: bool  # may start inside a word
    case_sensitive: bool
    payload: T


@dataclass(frozen=True)
class Hit(Generic[T]):
    start: int
    end: int  # end of the whole word (inflection included)
    payload: T
    exact: bool = True  # False when a genitive tail or an inflection was added to the pattern


class WordMatcher(Generic[T]):
    """Aho-Corasick over many word patterns: one pass over the text, whatever the lexicon size."""

    def __init__(self, patterns: Iterable[tuple[str, T]]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[_Pattern[T]]] = {}
        for raw, payload in patterns:
            raw = raw.strip()
            if not raw:
                continue
            infix = raw.startswith("*")
            prefix = raw.endswith("*")
            literal = raw.strip("*").strip()
            if not literal:
                continue
            # Acronyms (IS, SDF, HTS) are case-sensitive: "is"/"sdf" in running text are not actors.
            case_sensitive = literal.isupper() and len(literal.replace(" ", "")) <= 6
            by_key.setdefault(lower_same_length(literal), []).append(
                _Pattern(literal, prefix, infix, case_sensitive, payload))
        for key, pats in by_key.items():
            folded = word_folded(key)[1:]
            anchored = [p for p in pats if not p.infix]
            inside = [p for p in pats if p.infix]
            if anchored:
                self._add(" " + folded, anchored)
            if inside:
                self._add(folded, inside)
        self._empty = not by_key
        if not self._empty:
            self._automaton.make_automaton()

    def _add(self, key: str, pats: list[_Pattern[T]]) -> None:
        existing = self._automaton.get(key, None)
        self._automaton.add_word(key, (existing or []) + pats)

    def find(self, text: str, lowered: str | None = None, folded: str | None = None) -> list[Hit[T]]:
        """All hits, longest first at each start, overlapping hits removed (leftmost-longest).

        lowered / folded: `lower_same_length(text)` and `word_folded(lowered)`, when the caller
        already has them (several lexicons run over the same text).
        """
        if self._empty:
            return []
        low = lowered if lowered is not None else lower_same_length(text)
        fold = folded if folded is not None else word_folded(low)
        n = len(text)
        hits: list[Hit[T]] = []
        for last_folded, pats in self._automaton.iter(fold):
            last = last_folded - 1  # the folded text has one leading space
            for pat in pats:
                start = last - len(pat.literal) + 1
                end = last + 1
                if start < 0:
                    continue
                if not pat.infix and start > 0 and text[start - 1].isalnum():
                    continue
                if pat.case_sensitive and text[start:end] != pat.literal:
                    continue
                literal_end = end
                if end < n and text[end].isalnum():
                    if pat.prefix:
                        while end < n and text[end].isalnum():
                            end += 1
                    else:
                        tail_ok = False
                        for tail in _GENITIVE_TAILS:
                            if low.startswith(tail, end):
                                after = end + len(tail)
                                if after >= n or not text[after].isalnum():
                                    end = after
                                    tail_ok = True
                                    break
                        if not tail_ok:
                            continue
                elif end < n and text[end] == ":" and low.startswith(":s", end):
                    end += 2  # "USA:s", "IS:s": Swedish genitive after an acronym
                if pat.infix:
                    while end < n and text[end].isalnum():
                        end += 1
                hits.append(Hit(start, end, pat.payload, end == literal_end))
        # Leftmost-longest, no overlaps: "Islamic State Sahel" beats "Islamic State"; for the same
        # span a pattern written out in full beats one stretched by a tail ("dödades" over "dödade"+s).
        hits.sort(key=lambda h: (h.start, -(h.end - h.start), not h.exact))
        out: list[Hit[T]] = []
        last_end = -1
        for h in hits:
            if h.start >= last_end:
                out.append(h)
                last_end = h.end
        return out
