"""Extraction and ingest throughput: GeoWebNews-sized articles in, docs/s and peak memory out.

    python bench/bench_ingest.py ../shared/benchmarks/geowebnews/geowebnews.jsonl --count 2000 --repeats 3

Writes `--count` article files (GeoWebNews texts, cycled, each with a serial line so every file is
a distinct article) to a temporary folder (never into the repo: the texts belong to their sites),
then times, as whole processes, repeated and alternated so machine drift hits both alike:
  extract   `python -m conflictmap extract F... --json --offline` in one process (one core)
  ingest-1  `python -m conflictmap ingest DIR --workers 1` into a fresh SQLite file
  ingest-N  `python -m conflictmap ingest DIR --workers 0` (every core) into a fresh SQLite file
  resume    the same ingest again over the filled database (must do no extraction work)
and prints medians (min-max) of seconds, docs/s and peak RSS of the child.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def write_articles(corpus: Path, count: int, folder: Path) -> list[Path]:
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"doc{i:05d}.txt"
        path.write_text(f"{texts[i % len(texts)]}\n\nDispatch {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


# A fresh wrapper process per run, so RUSAGE_CHILDREN covers that run alone: its peak is the
# largest single process of the run (with a pool, the biggest worker or the parent).
_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one whole run."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], cwd=PROJECT_DIR, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {result.stderr[-500:]}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cm-ingest-"))
    paths = write_articles(args.corpus, args.count, work / "articles")
    chars = sum(p.stat().st_size for p in paths) / len(paths)
    print(f"{args.count} articles, mean {chars:.0f} bytes, {os.cpu_count()} cores")
    python = sys.executable
    results: dict[str, list[tuple[float, float]]] = {"extract": [], "ingest-1": [], "ingest-N": [], "resume": []}
    for rep in range(args.repeats):
        env = {**os.environ}
        results["extract"].append(timed([python, "-m", "conflictmap", "extract", *map(str, paths),
                                         "--json", "--offline"], env))
        for label, workers in (("ingest-1", "1"), ("ingest-N", "0")):
            env = {**os.environ, "CONFLICTMAP_DB_URL": f"sqlite:///{work / f'{label}-{rep}.sqlite'}"}
            results[label].append(timed([python, "-m", "conflictmap", "ingest", str(work / "articles"),
                                         "--workers", workers, "--quiet"], env))
        results["resume"].append(timed([python, "-m", "conflictmap", "ingest", str(work / "articles"),
                                        "--workers", "0", "--quiet"], env))
    print(f"{'run':<10} {'median s':>9} {'min-max s':>13} {'docs/s':>8} {'peak MB':>8}")
    for label, runs in results.items():
        secs = [s for s, _ in runs]
        med = statistics.median(secs)
        print(f"{label:<10} {med:9.2f} {min(secs):6.2f}-{max(secs):<6.2f} {args.count / med:8.0f} "
              f"{max(m for _, m in runs):8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
