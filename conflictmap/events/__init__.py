"""Event coding: Article + resolved Places in → ACLED-style Events out (dates, types, actors, deaths).

Public API: `code_events(article, places)`, `same_incident(a, b)`, and the lexicons in
`conflictmap.events.actors` / `conflictmap.events.triggers` (data in data/lexicons/).
"""

from __future__ import annotations

from conflictmap.events.coder import code_events, same_incident, split_sentences

__all__ = ["code_events", "same_incident", "split_sentences"]
