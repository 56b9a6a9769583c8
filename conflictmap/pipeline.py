"""The pipeline: Article in → Extraction (places + events) out; folders of files → the store.

`extract_article` is a pure function of the article (plus the geocoder), so it runs unchanged in a
process pool here or as a Dask/Spark task on a cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conflictmap.errors import ConflictMapError
from conflictmap.ingest import iter_article_files, read_article
from conflictmap.models import Article, Extraction

if TYPE_CHECKING:
    from conflictmap.geocode.base import Geocoder
    from conflictmap.store import SaveResult, Store


def extract_article(article: Article, *, geocoder: Geocoder | None = None) -> Extraction:
    """Find the article's places and code its events; writes nothing anywhere.

    geocoder: None → the offline gazetteer only (no network, ever).
    """
    from conflictmap.events import code_events
    from conflictmap.geocode import resolve_places
    from conflictmap.geoparse import find_mentions

    mentions = find_mentions(article)
    places = resolve_places(article, mentions, geocoder)
    events = code_events(article, places)
    return Extraction(article=article, places=tuple(places), events=tuple(events))


def ingest_article(article: Article, store: Store, *, geocoder: Geocoder | None = None) -> SaveResult:
    """Extract one article and save it; saving the same article again adds nothing."""
    return store.save_extraction(extract_article(article, geocoder=geocoder))


@dataclass
class IngestReport:
    """What `ingest_paths` did: counts, and one line per file that could not be ingested."""

    ingested: int = 0
    already_present: int = 0
    events: int = 0
    events_merged: int = 0  # same incident as an event already stored: linked, not added
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)


def _read(path: Path, overrides: dict[str, object]) -> Article | str:
    """One file → Article, or its one-line problem."""
    try:
        return read_article(path, **overrides)
    except ConflictMapError as err:
        return str(err)


def _extract_or_problem(article: Article, geocoder: Geocoder | None = None) -> Extraction | str:
    """Worker: Article → Extraction, or the one-line problem (picklable for a process pool)."""
    try:
        return extract_article(article, geocoder=geocoder)
    except ConflictMapError as err:
        return f"{article.path or article.title}: {err}"


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    overrides: dict[str, object] | None = None,
    geocoder: Geocoder | None = None,
) -> IngestReport:
    """Ingest article files and folders into the store, skipping articles already stored.

    progress(done, total) is called after each file. Files are read here and articles already in
    the store are skipped before any extraction, so a rerun after an interruption does only the
    missing work. workers > 1 extracts in a process pool (0 = every core); saving stays in this
    process, one transaction per article, so an interrupted run never leaves half an article.
    overrides: forced Article fields (date, language) for every file.
    geocoder: an online chain (None = offline gazetteer). With one, extraction stays in this
    process: one rate limiter must see every request (Nominatim allows one per second per app).
    """
    files = list(iter_article_files(paths))
    report = IngestReport()
    overrides = overrides or {}
    total = len(files)
    done = 0
    todo: list[Article] = []
    for path in files:
        article = _read(path, overrides)
        if isinstance(article, str):
            report.problems.append(article)
        elif store.has_article(article.id):
            report.already_present += 1
        else:
            todo.append(article)
            continue
        done += 1
        if progress:
            progress(done, total)

    def record(result: Extraction | str) -> None:
        nonlocal done
        if isinstance(result, str):
            report.problems.append(result)
        elif not store.has_article(result.article.id):  # the same text twice in one batch
            saved = store.save_extraction(result)
            report.ingested += 1
            report.events += saved.events_added
            report.events_merged += saved.events_merged
        else:
            report.already_present += 1
        done += 1
        if progress:
            progress(done, total)

    if workers == 0:
        workers = os.cpu_count() or 1
    if workers <= 1 or len(todo) < 8 or geocoder is not None:
        for article in todo:
            record(_extract_or_problem(article, geocoder))
        return report
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, min(64, len(todo) // (workers * 8)))
        for result in pool.map(_extract_or_problem, todo, chunksize=chunk):
            record(result)
    return report


def ingest_folder_if_empty(store: Store, folder: Path) -> IngestReport | None:
    """First start: when the store has no articles yet, ingest the sample folder."""
    if store.counts().get("articles", 0) > 0 or not folder.is_dir():
        return None
    return ingest_paths([folder], store)
