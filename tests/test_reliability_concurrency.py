"""Concurrency: the CLI ingesting generated articles while readers and the app use the same SQLite
file in → every reader sees only whole articles, no "database is locked" (or any error) reaches a
reader, a page or the health check, and the final counts are exact out. Plus a CI-sized version
of bench/sessions.py: several browser sessions at once all draw the map.

SQLite WAL and the busy timeout are the store's job (conflictmap/store.py); this proves them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from gen_articles import generate as generate_articles  # noqa: E402

from conflictmap.models import Article, Event, Extraction  # noqa: E402
from conflictmap.store import Store  # noqa: E402

pytestmark = pytest.mark.timeout(300)

ARTICLES = 200
SHOWN = re.compile(r"(\d+) of (\d+) events shown")


@dataclass
class ReaderLog:
    """What one reader thread saw: errors, reads made while the writer ran, snapshots."""

    name: str
    errors: list[str] = field(default_factory=list)
    reads: int = 0
    reads_during_ingest: int = 0
    counts: list[dict[str, int]] = field(default_factory=list)
    # article_id → events, one Counter per events_frame() snapshot
    snapshots: list[Counter[str]] = field(default_factory=list)


def read_loop(log: ReaderLog, url: str, shared: Store | None, writer: subprocess.Popen,
              stop: threading.Event) -> None:
    """Read until told to stop: counts() and events_frame(), on a shared Store (as the app's
    sessions do) or on a new Store each time (as a new process would)."""
    while not stop.is_set():
        running = writer.poll() is None
        store = shared or Store(url)
        try:
            log.counts.append(store.counts())
            frame = store.events_frame()
            log.snapshots.append(Counter(frame["article_id"]))
            log.reads += 1
            log.reads_during_ingest += running and writer.poll() is None
        except Exception as err:  # noqa: BLE001 - any error reaching a reader is the failure we look for
            log.errors.append(f"{type(err).__name__}: {err}")
        finally:
            if shared is None:
                store.close()
        # Pacing, not waiting for anything: leaves the 2-core CI machine's CPU to the writer.
        stop.wait(0.2)


def correct_loop(store: Store, event_id: str, log: ReaderLog, writer: subprocess.Popen,
                 stop: threading.Event) -> None:
    """A reviewer saving corrections (a second writer) while the CLI writes: each save must wait
    its turn, never fail. log.reads counts the saves."""
    while not stop.is_set():
        try:
            store.update_event(event_id, {"fatalities": log.reads + 3}, "reviewer")
            log.reads += 1
            log.reads_during_ingest += writer.poll() is None
        except Exception as err:  # noqa: BLE001 - any error reaching the reviewer is the failure
            log.errors.append(f"{type(err).__name__}: {err}")
        stop.wait(0.2)  # pacing between saves, not a wait for a condition


def poll_health(base: str, results: list[str], stop: threading.Event) -> None:
    """GET /_stcore/health until told to stop; anything but 200 "ok" is recorded."""
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as resp:
                body = resp.read().decode()
                results.append("ok" if resp.status == 200 and body.strip() == "ok" else f"{resp.status} {body}")
        except Exception as err:  # noqa: BLE001 - every failure is a result to report
            results.append(f"{type(err).__name__}: {err}")
        stop.wait(0.1)  # a pause between polls, not a wait for something to happen


def _require_browser() -> None:
    from browser_support import require_browser

    require_browser()


# The Events page has run: its "N of M events shown" line is there and no rerun is in flight.
_IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"] button')
            && /\\d+ of \\d+ events shown/.test(document.querySelector('[data-testid="stMain"]')?.innerText || '')"""


def seed_article(url: str) -> str:
    """One stored article with one event, so readers start on a non-empty database (the empty
    one has its own test below); returns the event's id."""
    article = Article(title="Seed", body="Clashes in Aleppo killed two fighters.", date=date(2022, 1, 2),
                      language="en", source="Seed Wire")
    event = Event(event_date=date(2022, 1, 2), time_precision=1, event_type="Battles",
                  sub_event_type="Armed clash", actor1="Rebels", location="Aleppo", lat=36.2, lon=37.16,
                  geo_precision=1, evidence=article.body, article_id=article.id, fatalities=2)
    store = Store(url)
    try:
        store.save_extraction(Extraction(article, (), (event,)))
    finally:
        store.close()
    return event.event_id


def app_env(db: Path, root: Path) -> dict[str, str]:
    return {"CONFLICTMAP_DB_URL": f"sqlite:///{db}", "CONFLICTMAP_ARTICLES_DIR": str(root / "no-articles"),
            "CONFLICTMAP_CACHE_DIR": str(root / "cache"), "CONFLICTMAP_TILES": "none",
            "CONFLICTMAP_ALLOW_NETWORK": "0", "HOME": str(root / "home")}


@pytest.mark.browser
def test_cli_ingest_while_readers_and_the_app_serve(tmp_path: Path) -> None:
    _require_browser()
    from browser_support import chromium_browser, streamlit_app

    articles = tmp_path / "articles"
    generate_articles(articles, ARTICLES)
    db = tmp_path / "shared.sqlite"
    url = f"sqlite:///{db}"
    seed_event = seed_article(url)

    env = {**os.environ, "CONFLICTMAP_DB_URL": url}
    with streamlit_app(PROJECT_DIR / "app.py", app_env(db, tmp_path), tmp_path / "streamlit.log") as app, \
            chromium_browser(tmp_path / "chromium-home") as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{app.url}/Events")  # warm: the first run imports everything
        page.wait_for_function(_IDLE)

        writer = subprocess.Popen(
            [sys.executable, "-m", "conflictmap", "ingest", str(articles), "--quiet"],
            env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        stop = threading.Event()
        shared = Store(url)
        logs = [ReaderLog(f"reader-{i}") for i in range(4)]
        health: list[str] = []
        threads = [threading.Thread(target=read_loop, args=(log, url, shared if i % 2 else None, writer, stop))
                   for i, log in enumerate(logs)]
        threads.append(threading.Thread(target=poll_health, args=(app.url, health, stop)))
        reviewer = ReaderLog("reviewer")
        threads.append(threading.Thread(target=correct_loop, args=(shared, seed_event, reviewer, writer, stop)))
        for thread in threads:
            thread.start()
        loads_during_ingest = 0
        shown: list[tuple[int, int]] = []
        page_problems: list[str] = []
        try:
            # Page loads in this (Playwright's) thread for as long as the writer runs.
            while writer.poll() is None:
                page.reload()
                page.wait_for_function(_IDLE)
                text = page.locator('[data-testid="stMain"]').inner_text()
                if page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count():
                    page_problems.append(text[:500])
                match = SHOWN.search(text)
                if match:
                    shown.append((int(match.group(1)), int(match.group(2))))
                loads_during_ingest += writer.poll() is None
                try:  # pacing between page loads (not a wait for a condition)
                    writer.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    pass
            out, err = writer.communicate(timeout=240)
            ingest_seconds = time.monotonic() - started
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            if writer.poll() is None:
                writer.kill()
                writer.wait()
        final = shared.counts()
        shared.close()

        page.reload()
        page.get_by_text(f"{final['events']} of {final['events']} events shown").first.wait_for()
        final_text = page.locator('[data-testid="stMain"]').inner_text()
        log_text = app.log()

    print(f"ingest {ingest_seconds:.1f} s; reads {[log.reads for log in logs]} "
          f"(during ingest {[log.reads_during_ingest for log in logs]}); page loads {loads_during_ingest}; "
          f"health polls {len(health)}; corrections saved {reviewer.reads} ({reviewer.reads_during_ingest} during)")
    assert writer.returncode == 0, err[-2000:]
    # Events that were the same incident as one already stored are linked, not added ("joined").
    added = re.match(r"ingested (\d+) articles \((\d+) events(?:, \d+ joined events already stored)?\), "
                     r"0 already present, 0 failed", out)
    assert added and int(added.group(1)) == ARTICLES, out
    # Exact final counts: every article once, every event once.
    assert final["articles"] == ARTICLES + 1
    assert final["events"] == int(added.group(2)) + 1
    # No error of any kind reached a reader, a page or the health check.
    assert [e for log in [*logs, reviewer] for e in log.errors] == []
    # Every correction saved while the CLI wrote is stored and audited once.
    assert reviewer.reads_during_ingest >= 3
    audit = Store(url).audit_frame(seed_event)
    assert (audit["user"] == "reviewer").sum() == reviewer.reads
    assert Store(url).get_event(seed_event).fatalities == reviewer.reads + 2
    assert not page_problems, page_problems
    assert "database is locked" not in log_text and "Traceback" not in log_text, log_text[-3000:]
    assert set(health) == {"ok"}, Counter(health).most_common(5)
    assert not dialogs
    # The readers really read while the writer wrote, and saw the store grow.
    for log in logs:
        assert log.reads_during_ingest >= 3, (log.name, log.reads, log.reads_during_ingest)
        seen = [c["articles"] for c in log.counts]
        assert seen == sorted(seen), f"{log.name}: article count went backwards"
    assert loads_during_ingest >= 1 and len(health) >= 10
    # Every snapshot holds whole articles only: an article's events all there or none of them.
    final_frame = Store(url).events_frame()
    per_article = Counter(final_frame["article_id"])
    for log in logs:
        for snap in log.snapshots:
            partial = {a: n for a, n in snap.items() if per_article[a] != n}
            assert not partial, f"{log.name} saw a half-stored article: {partial}"
    # The page followed the store and ends showing everything.
    assert f"{final['events']} of {final['events']} events shown" in final_text, final_text[:500]
    assert [total for _, total in shown] == sorted(total for _, total in shown)


def test_a_reader_that_started_on_an_empty_database_sees_new_events(tmp_path: Path) -> None:
    """The app opened on a fresh install while the CLI ingests: its Store first read no events.
    (Found by the test above: TypeError 'dtype of categories must be the same'; fixed in 492daa2.)"""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    reader = Store(url)
    try:
        assert reader.events_frame().empty
        seed_article(url)  # written by another Store, as the CLI would
        assert len(reader.events_frame()) == 1
        assert reader.counts()["events"] == 1
    finally:
        reader.close()


@pytest.mark.browser
def test_five_sessions_at_once_all_draw_the_map(tmp_path: Path) -> None:
    """CI-sized bench/sessions.py: 5 browser sessions opened at the same moment on 2,000 events."""
    _require_browser()
    from browser_support import streamlit_app
    from gen_acled import generate as generate_acled
    from sessions import app_env as sessions_env
    from sessions import measure_sessions

    from conflictmap import datasets, mapview

    db = tmp_path / "acled.sqlite"
    csv = tmp_path / "acled.csv"
    generate_acled(2000).to_csv(csv, index=False)
    store = Store(f"sqlite:///{db}")
    try:
        datasets.import_acled(store, csv)
    finally:
        store.close()
    mapview.ensure_static_assets()
    with streamlit_app(PROJECT_DIR / "app.py", sessions_env(db, tmp_path), tmp_path / "streamlit.log") as app:
        report = measure_sessions(app.url, app.proc.pid, 5, timeout_s=120, home=tmp_path / "chromium-home")
        log_text = app.log()
    print(report.summary())
    assert report.rendered == 5, [r.error for r in report.results]
    assert report.events_shown == [2000] * 5
    assert not [d for r in report.results for d in r.dialogs]
    assert not report.blocked_requests, report.blocked_requests
    assert "Traceback" not in log_text and "database is locked" not in log_text
