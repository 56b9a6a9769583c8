"""Pure helpers of conflictmap/ui.py: Markdown escaping, review diffs, the review queue order."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from conflictmap import ui


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))", "![img](http://x/y.png)", "<b>bold</b>", "**bold** _it_",
    "$x^2$", "# heading", "`code`", "a | b", "1. list", "~~strike~~",
])
def test_md_escape_leaves_no_markdown_syntax(text: str) -> None:
    escaped = ui.md_escape(text)
    # Every special character is preceded by a backslash, so Markdown shows it literally.
    unescaped = [ch for i, ch in enumerate(escaped)
                 if ch in "[]()<>*_`$#|~!" and (i == 0 or escaped[i - 1] != "\\")]
    assert unescaped == []


def row() -> pd.Series:
    return pd.Series({"event_id": "cm-1", "event_date": pd.Timestamp("2022-02-03"),
                      "event_type": "Battles", "sub_event_type": "Armed clash",
                      "actors": "A; B", "fatalities": 13, "location": "Atme",
                      "lat": 36.32, "lon": 36.66})


def test_event_changes_only_reports_real_edits() -> None:
    same = {"event_date": date(2022, 2, 3), "event_type": "Battles", "sub_event_type": "Armed clash",
            "actors": ["A", "B"], "fatalities": 13, "location": "Atme", "lat": 36.32, "lon": 36.66}
    assert ui.event_changes(row(), same) == {}
    edited = {**same, "fatalities": 12, "actors": ["B", "A"]}
    assert ui.event_changes(row(), edited) == {"fatalities": 12, "actors": ["B", "A"], "actor1": "B"}


def test_event_changes_can_clear_a_date_and_fatalities() -> None:
    assert ui.event_changes(row(), {"event_date": None, "fatalities": None}) == {
        "event_date": None, "fatalities": None}


def test_review_queue_puts_least_confident_machine_events_first() -> None:
    frame = pd.DataFrame({"event_id": ["a", "b", "c"], "confidence": [0.9, 0.2, 0.1],
                          "review_status": ["machine", "machine", "reviewed"]})
    assert ui.review_queue(frame)["event_id"].tolist() == ["b", "a"]
