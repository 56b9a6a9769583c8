"""Per-article save cost: GeoWebNews texts in → Extractions (done once, untimed) → median
milliseconds of `Store.save_extraction` per article (first save, and an idempotent re-save) out.

    python bench/bench_save.py /work/shared/benchmarks/geowebnews/geowebnews.jsonl --count 200 --repeats 3

Each repeat saves every extraction into a fresh SQLite file (or a freshly emptied PostgreSQL
database with --db-url), so the figures include the growth of the tables over a realistic run.
Extraction runs before any timing: this measures the store alone. Goal: < 10 ms per article.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def extractions(corpus: Path, count: int) -> list:
    """`count` Extractions of distinct articles: GeoWebNews texts (a .jsonl file) or the
    article files of a folder (e.g. tests/golden: conflict news with several events each)."""
    import dataclasses

    from conflictmap.ingest import read_article
    from conflictmap.models import Article
    from conflictmap.pipeline import extract_article

    if corpus.is_dir():
        base = [read_article(p) for p in sorted(corpus.glob("*.txt"))]
    else:
        docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
        base = [Article(title=d.get("title") or d["doc_id"], body=d["text"], date=date(2018, 1, 15),
                        language="en", source="GeoWebNews") for d in docs]
    out = []
    for i in range(count):
        art = base[i % len(base)]
        # A serial line keeps every article distinct (its id is a hash of title + body). Copies
        # of one text report the same incidents: from the second round on they take the
        # cross-article merge path (with the new store), each as its own outlet.
        article = dataclasses.replace(art, body=f"{art.body}\n\nDispatch {i}.", source=f"Outlet {i}")
        out.append(extract_article(article))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db-url", default="", help="PostgreSQL URL (emptied first) instead of SQLite")
    args = parser.parse_args()

    import sqlalchemy as sa

    from conflictmap import store as store_mod
    from conflictmap.store import Store

    t0 = time.perf_counter()
    exts = extractions(args.corpus, args.count)
    n_places = sum(len(e.places) for e in exts)
    n_events = sum(len(e.events) for e in exts)
    print(f"extracted {len(exts)} articles ({n_places} places, {n_events} events) in "
          f"{time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.2f}")
    first: list[float] = []
    again: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            if args.db_url:
                engine = sa.create_engine(args.db_url)
                store_mod.metadata.drop_all(engine)
                engine.dispose()
                url = args.db_url
            else:
                url = f"sqlite:///{Path(tmp) / f'save-{r}.sqlite'}"
            store = Store(url)
            for ext in exts:
                t = time.perf_counter()
                store.save_extraction(ext)
                first.append(time.perf_counter() - t)
            for ext in exts:
                t = time.perf_counter()
                store.save_extraction(ext)
                again.append(time.perf_counter() - t)
            store.close()

    def line(name: str, values: list[float]) -> str:
        ms = sorted(v * 1000 for v in values)
        p90 = ms[int(len(ms) * 0.9)]
        return (f"{name:10s} median {statistics.median(ms):6.2f} ms  mean {statistics.fmean(ms):6.2f}  "
                f"p90 {p90:6.2f}  "
                f"max {ms[-1]:6.2f}  ({len(ms)} saves)")

    print(line("save", first))
    print(line("re-save", again))
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
