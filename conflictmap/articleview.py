"""Article + its Places in → one HTML fragment out: the body with every place mention highlighted.

Resolved mentions are marked green with the resolved name and coordinates in a tooltip,
unresolved ones orange. Every piece of article text is HTML-escaped here, so the page can render
the result as HTML without letting hostile text become markup or script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from conflictmap.models import Article, Place

RESOLVED_COLOR = "#c8f0c8"
UNRESOLVED_COLOR = "#ffd8a8"

_STYLE = (
    "<style>"
    ".cm-article{line-height:1.6;font-size:1rem;overflow-wrap:anywhere}"
    ".cm-place{padding:0 .15em;border-radius:.2em}"
    f".cm-resolved{{background:{RESOLVED_COLOR}}}"
    f".cm-unresolved{{background:{UNRESOLVED_COLOR};text-decoration:underline dotted}}"
    ".cm-legend{font-size:.85rem;margin-bottom:.5em}"
    "</style>"
)


@dataclass(frozen=True)
class MentionCounts:
    """How many mentions were highlighted, and how many of them resolved to a point."""

    resolved: int
    unresolved: int


def _escape(text: str) -> str:
    """Escape text for HTML content and attributes; newlines become <br> so that no blank line
    ends the HTML block (a Markdown renderer would parse what follows a blank line as Markdown)."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def _tooltip(place: Place) -> str:
    cand = place.candidate
    if cand is None:
        alts = ", ".join(a.name for a in place.alternatives[:3])
        return "unresolved" + (f" (candidates: {alts})" if alts else "")
    where = f"{cand.name}" + (f", {cand.admin1}" if cand.admin1 else "") + (
        f", {cand.country_code}" if cand.country_code else "")
    return f"{where} ({cand.lat:.4f}, {cand.lon:.4f}; {cand.feature}; {cand.source})"


def non_overlapping(places: Sequence[Place], body_length: int) -> list[Place]:
    """Places sorted by offset, dropping any mention that overlaps an earlier one or falls outside
    the body (a stale offset must not cut the text apart)."""
    kept: list[Place] = []
    end = 0
    for place in sorted(places, key=lambda p: (p.mention.start, -p.mention.end)):
        m = place.mention
        if m.start < end or m.start < 0 or m.end > body_length or m.end <= m.start:
            continue
        kept.append(place)
        end = m.end
    return kept


def highlight_mentions(body: str, places: Sequence[Place]) -> str:
    """The escaped body with each place mention wrapped in a <mark> (class cm-resolved or
    cm-unresolved, tooltip with the resolved name and point)."""
    out: list[str] = []
    pos = 0
    for place in non_overlapping(places, len(body)):
        m = place.mention
        out.append(_escape(body[pos:m.start]))
        kind = "cm-resolved" if place.resolved else "cm-unresolved"
        out.append(
            f'<mark class="cm-place {kind}" title="{html.escape(_tooltip(place), quote=True)}">'
            f"{_escape(body[m.start:m.end])}</mark>"
        )
        pos = m.end
    out.append(_escape(body[pos:]))
    return "".join(out)


def count_mentions(places: Sequence[Place], body_length: int) -> MentionCounts:
    kept = non_overlapping(places, body_length)
    resolved = sum(1 for p in kept if p.resolved)
    return MentionCounts(resolved=resolved, unresolved=len(kept) - resolved)


def article_html(article: Article, places: Sequence[Place]) -> str:
    """A self-contained HTML fragment (style, legend, body) for one article.

    >>> from conflictmap.models import Article
    >>> "&lt;b&gt;" in article_html(Article(title="t", body="<b>"), [])
    True
    """
    counts = count_mentions(places, len(article.body))
    legend = (
        '<div class="cm-legend">'
        f'<mark class="cm-place cm-resolved">resolved place</mark> {counts.resolved} &nbsp; '
        f'<mark class="cm-place cm-unresolved">unresolved place</mark> {counts.unresolved}'
        "</div>"
    )
    return f'{_STYLE}{legend}<div class="cm-article">{highlight_mentions(article.body, places)}</div>'
