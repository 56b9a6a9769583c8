"""The article view: every mention highlighted at its offsets, every piece of article text escaped."""

from __future__ import annotations

import pytest

from conflictmap.articleview import article_html, count_mentions, highlight_mentions
from conflictmap.models import Article, Candidate, Mention, Place

ATME = Candidate("sup:atme", "Atme", 36.32, 36.66, "SY", "village", admin1="Idlib")


def place(body: str, text: str, cand: Candidate | None, occurrence: int = 0) -> Place:
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(text, start + 1)
    return Place(Mention(text, start, start + len(text)), cand)


def test_resolved_and_unresolved_mentions_are_marked_in_place() -> None:
    body = "Räden i Atme. Paret kom från Xyzby."
    out = highlight_mentions(body, [place(body, "Xyzby", None), place(body, "Atme", ATME)])
    assert out == (
        'Räden i <mark class="cm-place cm-resolved" title="Atme, Idlib, SY (36.3200, 36.6600; '
        'village; geonames)">Atme</mark>. Paret kom från '
        '<mark class="cm-place cm-unresolved" title="unresolved">Xyzby</mark>.'
    )


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</mark><b>bold</b>",
    "`backtick` \\1 &amp; 'quote'",
])
def test_article_text_never_becomes_markup(hostile: str) -> None:
    body = f"{hostile} Atme {hostile}"
    article = Article(title=hostile, body=body)
    out = article_html(article, [place(body, "Atme", ATME)])
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert out.count("<mark") == 3  # two in the legend, one mention
    # A name containing markup is escaped inside the tooltip attribute too.
    evil = Candidate("x", hostile, 1.0, 2.0, "SY", "city")
    tip = highlight_mentions(body, [place(body, "Atme", evil)])
    assert '"><img' not in tip and "<script" not in tip


def test_blank_lines_do_not_end_the_html_block() -> None:
    out = article_html(Article(title="t", body="one\n\n# two\n\n* three"), [])
    assert "\n" not in out and "one<br><br># two" in out


def test_overlapping_and_stale_offsets_are_skipped_not_cut() -> None:
    body = "Tell Abyad och Abyad."
    whole = place(body, "Tell Abyad", ATME)
    inner = place(body, "Abyad", None)  # inside "Tell Abyad"
    stale = Place(Mention("Atme", 50, 54), ATME)  # beyond the body
    out = highlight_mentions(body, [inner, whole, stale, place(body, "Abyad", None, occurrence=1)])
    assert out.count("<mark") == 2
    assert ">Tell Abyad</mark>" in out
    assert count_mentions([inner, whole, stale], len(body)).resolved == 1
