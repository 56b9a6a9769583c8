"""Full-size kill runs: (articles, ACLED rows) in → after each `kill -9`, is the database consistent,
and after the rerun, how many articles/events were lost or duplicated out (a Markdown table).

    python bench/crash.py [--articles 1000] [--rows 100000] [--work /tmp/conflictmap-crash] [--json]

Ingest: an uninterrupted reference ingest, then a second database where `ingest` is killed at
about 30 % and again at about 70 % of the articles, then run to the end; ids are compared with the
reference. ACLED: `import acled` killed once right after its first batch committed and once in the
middle of a batch (half the uninterrupted run's time), then rerun; 100,000 distinct ids expected.
tests/test_reliability_crash.py runs a CI-sized version (100 articles / 120,000 rows).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))


@dataclass
class KillRun:
    """One kill -9 and what the database held right after it."""

    what: str
    killed_after_s: float
    stored: int  # articles (ingest) or events (ACLED) present after the kill
    consistent: bool
    problem: str = ""


@dataclass
class CrashReport:
    what: str
    total: int
    kills: list[KillRun]
    rerun_s: float
    rerun_output: str
    final: int
    lost: int
    duplicates: int
    extra: int  # ids present that an uninterrupted run does not have

    def rows(self) -> list[str]:
        out = []
        for k in self.kills:
            out.append(f"| {self.what} of {self.total:,} | {k.what} → {k.stored:,} stored | {'yes' if k.consistent else 'NO: ' + k.problem} |")
        out.append(f"| {self.what} of {self.total:,} | rerun to the end ({self.rerun_s:.1f} s): "
                   f"{self.final:,} | lost {self.lost}, duplicates {self.duplicates}, extra {self.extra} |")
        return out


def query(db: Path, sql: str) -> list[tuple]:
    """Read-only, as an outside observer (never takes a write lock, never repairs anything)."""
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def scalar(db: Path, sql: str) -> int:
    try:
        rows = query(db, sql)
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    return int(rows[0][0]) if rows else 0


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "conflictmap", *args, "--quiet"]


def env_for(db: Path) -> dict[str, str]:
    return {**os.environ, "CONFLICTMAP_DB_URL": f"sqlite:///{db}"}


def run_and_kill(cmd: list[str], db: Path, ready: Callable[[float], bool], limit: float = 1800) -> float:
    """Start `cmd`, SIGKILL it as soon as ready(elapsed seconds) holds; seconds it ran. Raises if
    it finished first."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env_for(db), cwd=PROJECT_DIR, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while not ready(time.monotonic() - t0):
        try:
            proc.wait(timeout=0.05)  # bounded poll: returns at once if the child exits
        except subprocess.TimeoutExpired:
            if time.monotonic() - t0 > limit:
                proc.kill()
                raise RuntimeError("the kill condition never came") from None
            continue
        raise RuntimeError(f"{cmd[3]} finished (rc {proc.returncode}) before it could be killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return time.monotonic() - t0


def consistency_problem(db: Path, *, articles: bool) -> str:
    """'' when consistent; otherwise what is wrong."""
    if query(db, "PRAGMA integrity_check") != [("ok",)]:
        return "integrity_check failed"
    if scalar(db, "SELECT count(*) FROM events WHERE article_id != '' AND article_id NOT IN "
                  "(SELECT id FROM articles)"):
        return "events without their article"
    if scalar(db, "SELECT count(*) FROM places WHERE article_id NOT IN (SELECT id FROM articles)"):
        return "places without their article"
    if articles and scalar(db, "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM places)"):
        return "an article stored without its places"
    return ""


def crash_ingest(work: Path, count: int) -> CrashReport:
    from gen_articles import generate

    folder = work / f"articles-{count}"
    if not folder.exists():
        generate(folder, count)
    reference = work / "ingest-reference.sqlite"
    if not reference.exists():
        subprocess.run(cli("ingest", str(folder)), env=env_for(reference), cwd=PROJECT_DIR, check=True,
                       capture_output=True)
    db = work / "ingest-killed.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    kills = []
    for fraction in (0.3, 0.7):
        want = int(count * fraction)
        seconds = run_and_kill(cli("ingest", str(folder)), db,
                               lambda _t, want=want: scalar(db, "SELECT count(*) FROM articles") >= want)
        problem = consistency_problem(db, articles=True)
        kills.append(KillRun(f"kill -9 at ≥ {fraction:.0%} of the articles", seconds,
                             scalar(db, "SELECT count(*) FROM articles"), not problem, problem))
    t0 = time.monotonic()
    rerun = subprocess.run(cli("ingest", str(folder)), env=env_for(db), cwd=PROJECT_DIR,
                           capture_output=True, text=True)
    rerun_s = time.monotonic() - t0
    if rerun.returncode != 0:
        raise RuntimeError(rerun.stderr[-2000:])
    want_events = {r[0] for r in query(reference, "SELECT event_id FROM events")}
    have = [r[0] for r in query(db, "SELECT event_id FROM events")]
    articles_ok = sorted(query(db, "SELECT id FROM articles")) == sorted(query(reference, "SELECT id FROM articles"))
    problem = consistency_problem(db, articles=True) or ("" if articles_ok else "articles differ from reference")
    report = CrashReport("ingest", count, kills, rerun_s, rerun.stdout.strip(), len(set(have)),
                         lost=len(want_events - set(have)), duplicates=len(have) - len(set(have)),
                         extra=len(set(have) - want_events))
    if problem:
        report.kills.append(KillRun("after the rerun", 0.0, report.final, False, problem))
    return report


def crash_acled(work: Path, rows: int) -> CrashReport:
    from gen_acled import generate

    from conflictmap.datasets import BATCH_ROWS

    csv = work / f"acled-{rows}.csv"
    if not csv.exists():
        generate(rows).to_csv(csv, index=False)
    want = {str(x) for x in __import__("pandas").read_csv(csv, usecols=["event_id_cnty"])["event_id_cnty"]}
    # How long an uninterrupted import takes, to kill the second run in the middle of a batch.
    timing_db = work / "acled-timing.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{timing_db}{suffix}").unlink(missing_ok=True)
    t0 = time.monotonic()
    subprocess.run(cli("import", "acled", str(csv)), env=env_for(timing_db), cwd=PROJECT_DIR, check=True,
                   capture_output=True)
    full_s = time.monotonic() - t0
    db = work / "acled-killed.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    kills = []
    seconds = run_and_kill(cli("import", "acled", str(csv)), db,
                           lambda _t: scalar(db, "SELECT count(*) FROM events") > 0)
    kept = scalar(db, "SELECT count(*) FROM events")
    problem = consistency_problem(db, articles=False) or (
        "" if kept % BATCH_ROWS == 0 else f"{kept} rows: a batch stored by half")
    kills.append(KillRun("kill -9 right after the first batch committed", seconds, kept, not problem, problem))
    before = kept
    seconds = run_and_kill(cli("import", "acled", str(csv)), db, lambda t: t >= full_s / 2)
    kept = scalar(db, "SELECT count(*) FROM events")
    problem = consistency_problem(db, articles=False) or (
        "" if kept % BATCH_ROWS == 0 and kept >= before else f"{kept} rows after {before}: a partial batch")
    kills.append(KillRun(f"rerun killed -9 at half an uninterrupted import's time ({full_s:.1f} s / 2)", seconds, kept, not problem,
                         problem))
    t0 = time.monotonic()
    rerun = subprocess.run(cli("import", "acled", str(csv)), env=env_for(db), cwd=PROJECT_DIR,
                           capture_output=True, text=True)
    rerun_s = time.monotonic() - t0
    if rerun.returncode != 0:
        raise RuntimeError(rerun.stderr[-2000:])
    have = [r[0] for r in query(db, "SELECT event_id FROM events")]
    return CrashReport("import acled", rows, kills, rerun_s, rerun.stdout.strip(), len(set(have)),
                       lost=len(want - set(have)), duplicates=len(have) - len(set(have)),
                       extra=len(set(have) - want))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/conflictmap-crash"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    reports = [crash_ingest(args.work, args.articles), crash_acled(args.work, args.rows)]
    print("| run | what happened | consistent / result |\n|---|---|---|")
    for report in reports:
        print("\n".join(report.rows()))
    for report in reports:
        print(f"{report.what} rerun said: {report.rerun_output}")
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=1))
    ok = all(k.consistent for r in reports for k in r.kills) and all(
        r.lost == r.duplicates == r.extra == 0 for r in reports)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
