"""Crash safety: `kill -9` in the middle of `ingest` / `import acled` in → a consistent database out,
and a rerun that does exactly the missing work with no duplicates.

CI sizes (100 articles, 120,000 ACLED rows) keep this under a minute; bench/crash.py runs the
full 1,000 / 100,000 version for docs/reliability.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from crash import env_for, query, scalar  # noqa: E402  (the full-size bench reads the database the same way)
from gen_articles import generate as generate_articles  # noqa: E402

pytestmark = pytest.mark.timeout(300)


def cli(*args: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "conflictmap", *args, "--quiet"]


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], *, limit: float = 240) -> None:
    """SIGKILL the process as soon as `ready()` holds; fail if it finishes first."""
    waited = 0.0
    while not ready():
        try:
            proc.wait(timeout=0.05)  # bounded poll: returns as soon as the child exits
        except subprocess.TimeoutExpired:
            waited += 0.05
            assert waited < limit, "the condition to kill never came"
            continue
        pytest.fail(f"the process finished (rc {proc.returncode}) before it could be killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_consistent(db: Path) -> None:
    """No event or place without its article, no article without its places and events."""
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert scalar(db, "SELECT count(*) FROM events WHERE article_id != '' AND article_id NOT IN "
                      "(SELECT id FROM articles)") == 0
    assert scalar(db, "SELECT count(*) FROM places WHERE article_id NOT IN (SELECT id FROM articles)") == 0
    # Every generated article names a place: a stored article with no places was stored by half.
    assert scalar(db, "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM places)") == 0


def test_kill_during_ingest_loses_nothing_and_rerun_does_the_rest(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    generate_articles(articles, 100)
    reference = tmp_path / "reference.sqlite"
    done = subprocess.run(cli("ingest", str(articles), db=reference), env=env_for(reference),
                          capture_output=True, text=True, cwd=PROJECT_DIR, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]

    db = tmp_path / "killed.sqlite"
    proc = subprocess.Popen(cli("ingest", str(articles), db=db), env=env_for(db), cwd=PROJECT_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(proc, lambda: scalar(db, "SELECT count(*) FROM articles") >= 25)
    stored = scalar(db, "SELECT count(*) FROM articles")
    assert 25 <= stored < 100
    assert_consistent(db)

    rerun = subprocess.run(cli("ingest", str(articles), db=db), env=env_for(db), capture_output=True,
                           text=True, cwd=PROJECT_DIR, timeout=240)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert rerun.stdout.startswith(f"ingested {100 - stored} articles"), rerun.stdout
    assert f"{stored} already present, 0 failed" in rerun.stdout
    assert_consistent(db)
    for table, key in (("articles", "id"), ("events", "event_id"),
                       ("places", "article_id || ':' || start_offset || ':' || end_offset")):
        mine = sorted(query(db, f"SELECT {key} FROM {table}"))
        theirs = sorted(query(reference, f"SELECT {key} FROM {table}"))
        assert mine == theirs, f"{table} differ from an uninterrupted ingest"


def test_kill_during_acled_import_keeps_whole_batches_and_rerun_completes(tmp_path: Path) -> None:
    from gen_acled import generate as generate_acled

    rows = 120_000
    csv = tmp_path / "acled.csv"
    generate_acled(rows).to_csv(csv, index=False)
    db = tmp_path / "acled.sqlite"
    proc = subprocess.Popen(cli("import", "acled", str(csv), db=db), env=env_for(db), cwd=PROJECT_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(proc, lambda: scalar(db, "SELECT count(*) FROM events") > 0)
    kept = scalar(db, "SELECT count(*) FROM events")
    from conflictmap.datasets import BATCH_ROWS

    assert 0 < kept < rows
    assert kept % BATCH_ROWS == 0, f"{kept} events: a batch was stored by half"

    rerun = subprocess.run(cli("import", "acled", str(csv), db=db), env=env_for(db), capture_output=True,
                           text=True, cwd=PROJECT_DIR, timeout=240)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert scalar(db, "SELECT count(*) FROM events") == rows
    assert scalar(db, "SELECT count(DISTINCT event_id) FROM events") == rows
    assert rerun.stdout.startswith(f"imported {rows - kept}, updated 0"), rerun.stdout
