"""Per-article save cost: GeoWebNews texts in → Extractions (done once, untimed) → median
milliseconds of `Store.save_extraction` per article (first save, and an idempotent re-save) out.

    python bench/bench_save.py /work/shared/benchmarks/geowebnews/geowebnews.jsonl --count 200 --repeats 3

Each repeat saves every extraction into a fresh SQLite file (or a freshly emptied PostgreSQL
database with --db-url), so the figures include the growth of the tables over a realistic run.
Extraction runs before any timing: this measures the store alone. Goal: < 10 ms per article.

    python bench/bench_save.py --dense 6000

instead fills a store with 6,000 one-event articles within one degree around Idlib (100 a day for
60 days), then times 50 more saves there: the cross-article merge lookup in a dense area.
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


def dense(count: int) -> None:
    import random
    from datetime import timedelta

    from conflictmap.models import Article, Event, Extraction
    from conflictmap.store import Store

    rng = random.Random(1)

    def report(i: int, day: date) -> Extraction:
        body = f"Report {i}: clashes near the village {i}."
        art = Article(title=f"r{i}", body=body, date=day, language="en", source=f"S{i}")
        event = Event(day, 1, "Battles", "Armed clash", f"Group {i % 50}", f"V{i}",
                      35.5 + rng.random() * 0.9, 36.2 + rng.random() * 0.9, 1, body,
                      article_id=art.id, source=f"S{i}", actor2=f"Group {(i + 1) % 50}",
                      fatalities=i % 7)
        return Extraction(art, (), (event,))

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'dense.sqlite'}")
        t0 = time.perf_counter()
        for i in range(count):
            store.save_extraction(report(i, date(2022, 1, 1) + timedelta(days=i * 60 // count)))
        fill = time.perf_counter() - t0
        times = []
        for j in range(50):
            ext = report(10**6 + j, date(2022, 2, 1))
            t = time.perf_counter()
            store.save_extraction(ext)
            times.append((time.perf_counter() - t) * 1000)
        print(f"filled {count} articles in {fill:.1f} s ({store.counts()['events']} events after "
              f"merging); save there: median {statistics.median(times):.2f} ms, max {max(times):.2f}")
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("--dense", type=int, default=0, help="time saves in a dense area instead")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db-url", default="", help="PostgreSQL URL (emptied first) instead of SQLite")
    args = parser.parse_args()
    if args.dense:
        dense(args.dense)
        return 0
    if args.corpus is None:
        parser.error("give a corpus (.jsonl or folder) or --dense N")

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
