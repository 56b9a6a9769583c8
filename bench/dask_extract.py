"""Bulk extraction on a Dask cluster: a folder of article files in → JSON Lines of extractions out.

`conflictmap.pipeline.extract_article` is a pure function of one article, so a cluster runs it
unchanged: each task reads its files, extracts, and returns JSON lines; nothing is shared but the
(read-only) gazetteer index each worker opens from its own cache folder.

    pip install -r requirements-bench.txt
    python bench/dask_extract.py ARTICLES_DIR --out /tmp/extractions.jsonl                 # local cluster, every core
    python bench/dask_extract.py ARTICLES_DIR --out out.jsonl --scheduler tcp://HOST:8786  # a real cluster
    python bench/dask_extract.py ARTICLES_DIR --compare                                   # vs one process, same run

On a real cluster the article folder must be visible to every worker (shared storage, or pass
object-store URLs with fsspec); store the JSON Lines, then load them with `python -m conflictmap
ingest`-style saving on one machine, or point every worker at the same PostgreSQL
(CONFLICTMAP_DB_URL) and save inside the task.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


def extract_file(path: str) -> str:
    """One article file → one JSON line (the CLI's `extract --json` record, or its error)."""
    from conflictmap.errors import ConflictMapError
    from conflictmap.ingest import read_article
    from conflictmap.pipeline import extract_article

    try:
        record = {"source": path, **extract_article(read_article(Path(path))).to_json()}
    except ConflictMapError as err:
        record = {"source": path, "error": str(err)}
    return json.dumps(record, ensure_ascii=False)


def run_dask(paths: list[str], scheduler: str | None, workers: int) -> tuple[list[str], float]:
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    with Client(scheduler or cluster) as client:
        # Warm every worker (imports + gazetteer open) before timing, as a long-running cluster would be.
        client.run(lambda: extract_file.__name__)
        start = time.perf_counter()
        partitions = max(1, min(len(paths), workers * 8))
        lines = db.from_sequence(paths, npartitions=partitions).map(extract_file).compute()
        seconds = time.perf_counter() - start
    if cluster is not None:
        cluster.close()
    return list(lines), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compare", action="store_true", help="also extract in this one process and compare")
    args = parser.parse_args()

    from conflictmap.ingest import iter_article_files

    paths = [str(p) for p in iter_article_files([args.folder])]
    lines, seconds = run_dask(paths, args.scheduler, args.workers)
    print(f"dask: {len(paths)} articles in {seconds:.2f} s = {len(paths) / seconds:.0f} docs/s "
          f"({'scheduler ' + args.scheduler if args.scheduler else f'local cluster, {args.workers} workers'})")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.compare:
        extract_file(paths[0])  # warm: imports and gazetteer, as the cluster workers were
        start = time.perf_counter()
        local = [extract_file(p) for p in paths]
        single = time.perf_counter() - start
        print(f"one process: {len(paths)} articles in {single:.2f} s = {len(paths) / single:.0f} docs/s; "
              f"speed-up {single / seconds:.2f}x; identical output: {local == lines}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
