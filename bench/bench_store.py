"""Store benchmarks: import 1,000,000 ACLED rows, load them as a frame, filter them.

    python bench/bench_store.py --rows 1000000 --repeat 3 [--db-url URL] [--workdir /tmp/cm-bench]

Each phase runs in a fresh subprocess (so peak memory is that phase's own) and is repeated;
the summary gives median, min and max wall time, CPU time and peak RSS. Goals (issue 7):
import of 1,000,000 rows <= 20 s; a filter change on 1,000,000 events <= 150 ms; the app's
copy of 1,000,000 events well under 1.5 GB. Machine load is printed, because on a shared
2-core machine wall time depends on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_import(csv: Path, url: str) -> dict[str, float]:
    from conflictmap.datasets import import_acled
    from conflictmap.store import Store

    store = Store(url)
    t0, c0 = time.perf_counter(), time.process_time()
    report = import_acled(store, csv)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert report.skipped == 0, report.problems[:3]
    return {"wall_s": wall, "cpu_s": cpu, "rows": report.rows, "imported": report.imported,
            "unchanged": report.unchanged, "rss_mb": _rss_mb()}


def phase_frame(url: str) -> dict[str, float]:
    from conflictmap.store import Store

    store = Store(url)
    t0, c0 = time.perf_counter(), time.process_time()
    frame = store.events_frame()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall_s": wall, "cpu_s": cpu, "rows": len(frame),
            "frame_mb": frame.memory_usage(deep=True).sum() / 1e6, "rss_mb": _rss_mb()}


def filter_cases() -> dict[str, tuple[object, object | None, bool]]:
    """name → (filter timed, filter run untimed first or None, start with no remembered search)."""
    from conflictmap.filters import EventFilter

    text = EventFilter(text="checkpoint attacked")
    return {
        "empty": (EventFilter(), None, False),
        "date range (1 year)": (EventFilter(date_from=date(2020, 1, 1), date_to=date(2020, 12, 31)), None, False),
        "event type": (EventFilter(event_types=("Battles",)), None, False),
        "sub-event types": (EventFilter(sub_event_types=("Air/drone strike", "Peaceful protest")), None, False),
        "country + admin1": (EventFilter(countries=("Syria",), admin1=("Syr Province 3",)), None, False),
        "actor": (EventFilter(actors=("Syr Group 12",)), None, False),
        "min fatalities": (EventFilter(min_fatalities=10), None, False),
        "source": (EventFilter(sources=("Reuters",)), None, False),
        "review status": (EventFilter(review_statuses=("corrected",)), None, False),
        # A new search text scans every row; each run starts with nothing remembered.
        "text, new search (all rows)": (text, None, True),
        "text, new search (no match)": (EventFilter(text="zzqx"), None, True),
        # The text stays, another filter changes: what a user does most.
        "text set, event type changed": (EventFilter(text="checkpoint attacked", event_types=("Battles",)),
                                         text, True),
        "text set, dates changed": (EventFilter(text="checkpoint attacked", date_from=date(2020, 1, 1)),
                                    text, True),
        "text extended (drone -> drone strike)": (EventFilter(text="drone strike"),
                                                  EventFilter(text="drone"), True),
        "combined new (type, country, dates, text)": (EventFilter(
            event_types=("Battles",), countries=("Syria", "Iraq"), date_from=date(2019, 1, 1),
            text="drone"), None, True),
    }


def phase_filters(url: str, repeat: int) -> dict[str, object]:
    from conflictmap.filters import apply_filter, filter_options
    from conflictmap.store import Store

    frame = Store(url).events_frame()
    out: dict[str, object] = {"rows": len(frame), "rss_after_load_mb": _rss_mb()}
    t0 = time.perf_counter()
    filter_options(frame)
    out["filter_options_s"] = time.perf_counter() - t0
    timings: dict[str, dict[str, float]] = {}
    from conflictmap import filters

    for name, (flt, before, fresh) in filter_cases().items():
        runs = []
        shown = 0
        for _ in range(repeat):
            if fresh:
                getattr(filters, "_MEMOS", {}).clear()  # forget earlier searches: time a first search
            if before is not None:
                apply_filter(frame, before)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            shown = len(apply_filter(frame, flt))  # type: ignore[arg-type]
            runs.append(time.perf_counter() - t0)
        timings[name] = {"median_ms": statistics.median(runs) * 1000, "max_ms": max(runs) * 1000,
                         "min_ms": min(runs) * 1000, "rows": shown}
    out["filters"] = timings
    out["rss_mb"] = _rss_mb()
    return out


def run_phase(args: list[str]) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}, min {min(values):.2f}, max {max(values):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-url", default="", help="PostgreSQL URL to bench instead of SQLite")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/conflictmap-bench"))
    parser.add_argument("--phase", choices=["import", "frame", "filters"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "import":
        print(json.dumps(phase_import(args.csv, args.url)))
        return 0
    if args.phase == "frame":
        print(json.dumps(phase_frame(args.url)))
        return 0
    if args.phase == "filters":
        print(json.dumps(phase_filters(args.url, args.repeat)))
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    csv = args.workdir / f"acled-{args.rows}.csv"
    if not csv.exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_acled.py"), "--rows", str(args.rows),
                        "--out", str(csv)], check=True)
        print(f"generated {csv} in {time.perf_counter() - t0:.1f} s")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    imports, cpus, rss = [], [], []
    url = ""
    for i in range(args.repeat):
        if args.db_url:
            url = args.db_url
            import sqlalchemy as sa

            from conflictmap import store as store_mod

            engine = sa.create_engine(url)
            store_mod.metadata.drop_all(engine)
            engine.dispose()
        else:
            db = args.workdir / f"bench-{i}.sqlite"
            for p in args.workdir.glob(f"bench-{i}.sqlite*"):
                p.unlink()
            url = f"sqlite:///{db}"
        got = run_phase(["--phase", "import", "--csv", str(csv), "--url", url])
        imports.append(float(got["wall_s"]))
        cpus.append(float(got["cpu_s"]))
        rss.append(float(got["rss_mb"]))
        print(f"import run {i + 1}: {got['wall_s']:.2f} s wall, {got['cpu_s']:.2f} s CPU, "
              f"peak RSS {got['rss_mb']:.0f} MB, {got['imported']} rows imported")
    print(f"IMPORT {args.rows} rows: wall {summary(imports)} s; CPU {summary(cpus)} s; "
          f"peak RSS {max(rss):.0f} MB (goal <= 20 s)")
    again = run_phase(["--phase", "import", "--csv", str(csv), "--url", url])
    print(f"RE-IMPORT (nothing changed): {again['wall_s']:.2f} s wall, {again['unchanged']} unchanged")

    loads, frame_mb, load_rss = [], 0.0, 0.0
    for _ in range(args.repeat):
        got = run_phase(["--phase", "frame", "--url", url])
        loads.append(float(got["wall_s"]))
        frame_mb, load_rss = float(got["frame_mb"]), float(got["rss_mb"])
    print(f"EVENTS_FRAME load of {args.rows} events: wall {summary(loads)} s; frame {frame_mb:.0f} MB; "
          f"process peak RSS {load_rss:.0f} MB (goal: app < 1500 MB)")

    got = run_phase(["--phase", "filters", "--url", url, "--repeat", str(max(5, args.repeat))])
    print(f"FILTERS on {got['rows']} events (filter_options {got['filter_options_s'] * 1000:.0f} ms, "
          f"peak RSS {got['rss_mb']:.0f} MB); goal <= 150 ms:")
    for name, t in got["filters"].items():  # type: ignore[union-attr]
        print(f"  {name:40s} median {t['median_ms']:7.1f} ms  min {t['min_ms']:7.1f}  "
              f"max {t['max_ms']:7.1f}  ({t['rows']} rows)")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
