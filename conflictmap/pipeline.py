"""The pipeline: Article in → Extraction (places + events) out; folders of files → the store.

`extract_article` is a pure function of the article (plus the geocoder), so it runs unchanged in a
process pool here or as a Dask/Spark task on a cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
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
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)


def _read_and_extract(path: Path, overrides: dict[str, object]) -> Extraction | str:
    """Worker: one file → Extraction, or the one-line problem (picklable for a process pool)."""
    try:
        return extract_article(read_article(path, **overrides))
    except ConflictMapError as err:
        return str(err)


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    overrides: dict[str, object] | None = None,
) -> IngestReport:
    """Ingest article files and folders into the store, skipping articles already stored.

    progress(done, total) is called after each file. workers > 1 extracts in a process pool
    (every core with workers=0); saving stays in this process, one transaction per article, so
    an interrupted run loses nothing already saved and a rerun does only the missing work.
    overrides: forced Article fields (date, language) for every file.
    """
    files = list(iter_article_files(paths))
    report = IngestReport()
    overrides = overrides or {}
    total = len(files)
    if workers == 0:
        workers = os.cpu_count() or 1

    def record(result: Extraction | str) -> None:
        if isinstance(result, str):
            report.problems.append(result)
            return
        if store.has_article(result.article.id):
            report.already_present += 1
            return
        saved = store.save_extraction(result)
        report.ingested += 1
        report.events += saved.events_added

    if workers <= 1 or total < 8:
        for done, path in enumerate(files, 1):
            record(_read_and_extract(path, overrides))
            if progress:
                progress(done, total)
        return report

    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, min(64, total // (workers * 8)))
        results = pool.map(_read_and_extract, files, [overrides] * total, chunksize=chunk)
        for done, result in enumerate(results, 1):
            record(result)
            if progress:
                progress(done, total)
    return report


def ingest_folder_if_empty(store: Store, folder: Path) -> IngestReport | None:
    """First start: when the store has no articles yet, ingest the sample folder."""
    if store.counts().get("articles", 0) > 0 or not folder.is_dir():
        return None
    return ingest_paths([folder], store)


def extract_paths(paths: Sequence[Path], overrides: dict[str, object] | None = None) -> list[Extraction | str]:
    """Extract each file in order (no store); a failure is its one-line message in that slot."""
    return [_read_and_extract(p, overrides or {}) for p in paths]
