"""ingest_paths: folders into the store, in a process pool or not, resumable, never duplicating."""

from __future__ import annotations

from pathlib import Path

from conflictmap.pipeline import ingest_folder_if_empty, ingest_paths
from conflictmap.store import Store

TOWNS = ["Mosul", "Kirkuk", "Aleppo", "Homs", "Kharkiv", "Mogadishu", "Kandahar", "Sanaa", "Aden", "Raqqa"]


def write_articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        town = TOWNS[i % len(TOWNS)]
        path = folder / f"a{i:03d}.md"
        path.write_text(
            f"---\ntitle: Report {i}\ndate: 2023-03-{1 + i % 28:02d}\nlanguage: en\n---\n"
            f"At least {i + 2} people were killed when a car bomb exploded in {town} on Monday, police said. "
            f"This is report {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def stored_events(store: Store) -> set[tuple[str, str]]:
    frame = store.events_frame()
    return set(zip(frame["article_id"], frame["event_id"], strict=True))


def test_pool_and_single_process_store_the_same_events(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 12)
    single = Store(f"sqlite:///{tmp_path / 'single.sqlite'}")
    pooled = Store(f"sqlite:///{tmp_path / 'pooled.sqlite'}")
    steps: list[tuple[int, int]] = []
    report_single = ingest_paths([tmp_path / "in"], single)
    report_pooled = ingest_paths([tmp_path / "in"], pooled, workers=2, progress=lambda d, t: steps.append((d, t)))
    assert report_single.ingested == report_pooled.ingested == 12
    assert report_single.events == report_pooled.events >= 12
    assert stored_events(single) == stored_events(pooled)
    assert steps[-1] == (12, 12)


def test_rerun_after_an_interruption_does_only_the_missing_work(tmp_path: Path) -> None:
    paths = write_articles(tmp_path / "in", 10)
    store = Store()
    first = ingest_paths(paths[:4], store)  # as if the first run stopped after four files
    assert first.ingested == 4
    second = ingest_paths([tmp_path / "in"], store)
    assert (second.ingested, second.already_present) == (6, 4)
    assert store.counts()["articles"] == 10
    assert len(stored_events(store)) == first.events + second.events


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 3)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    report = ingest_paths([tmp_path / "in"], Store())
    assert report.ingested == 3
    assert report.problems == [f"{tmp_path / 'in' / 'empty.txt'}: the file is empty"]


def test_first_start_ingests_the_sample_folder_once(tmp_path: Path) -> None:
    write_articles(tmp_path / "samples", 2)
    store = Store()
    assert ingest_folder_if_empty(store, tmp_path / "samples").ingested == 2
    assert ingest_folder_if_empty(store, tmp_path / "samples") is None
