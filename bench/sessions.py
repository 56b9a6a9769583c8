"""Many browser sessions at once: (sessions, events) in → how many drew the map, time to draw
(median / max), server memory out. Loopback only; one Chromium, one context + page per session.

    python bench/sessions.py --sessions 20 --events 100000 [--work /tmp/sessions] [--timeout 900]

Generates the events with bench/gen_acled.py and stores them with `python -m conflictmap import
acled` (skipped when --work already holds that database), starts `streamlit run app.py` on a free
127.0.0.1 port, opens every session at the same moment and waits, in each, for the st_folium iframe's
`.leaflet-container[data-cm-events]` and the event layer (canvas markers or clusters). The server's
resident memory (its process tree) is sampled throughout. tests/test_reliability_concurrency.py
runs a small version (5 sessions on 2,000 events) in CI through `measure_sessions`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "tests"))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from browser_support import CHROMIUM, CHROMIUM_ARGS, NetworkGuard, streamlit_app  # noqa: E402

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Drawn = Leaflet is up, the event layer knows its events, and some of them are on screen.
DRAWN_JS = """() => {
    const box = document.querySelector('.leaflet-container[data-cm-events]');
    if (!box) return null;
    const shown = document.querySelectorAll('path.cm-event, .cm-cluster').length;
    return shown > 0 ? Number(box.getAttribute('data-cm-events')) : null;
}"""


@dataclass
class SessionResult:
    """One browser session: seconds from navigation to a drawn map (None: never), events it shows."""

    index: int
    seconds: float | None
    events: int | None
    error: str = ""
    dialogs: list[str] = field(default_factory=list)


@dataclass
class SessionsReport:
    sessions: int
    rendered: int
    median_s: float | None
    max_s: float | None
    events_shown: list[int]
    server_rss_mb_start: float
    server_rss_mb_peak: float
    blocked_requests: list[str]
    results: list[SessionResult]

    def summary(self) -> str:
        def fmt(x: float | None) -> str:
            return "-" if x is None else f"{x:.1f} s"

        return (f"{self.rendered}/{self.sessions} sessions drew the map; time to draw median "
                f"{fmt(self.median_s)}, max {fmt(self.max_s)}; events shown {sorted(set(self.events_shown))}; "
                f"server RSS {self.server_rss_mb_start:.0f} MB idle, {self.server_rss_mb_peak:.0f} MB peak; "
                f"{sum(len(r.dialogs) for r in self.results)} dialogs, "
                f"{len(self.blocked_requests)} requests leaving 127.0.0.1")


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (from /proc; Linux only), in MB."""
    pids, total = [pid], 0
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids += [int(c) for c in children]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


class RssSampler:
    """Samples a process tree's RSS in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every, self.peak = pid, every, tree_rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, tree_rss_mb(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _one_session(browser, url: str, index: int, guard: NetworkGuard,  # noqa: ANN001 - playwright
                       timeout_s: float, start: asyncio.Event) -> SessionResult:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    result = SessionResult(index, None, None)
    try:
        async def route(r) -> None:  # noqa: ANN001 - playwright Route
            host = r.request.url
            if guard_allows(host):
                await r.continue_()
            else:
                guard.blocked.append(host)
                await r.abort()

        await context.route("**/*", route)
        page = await context.new_page()

        async def on_dialog(dialog) -> None:  # noqa: ANN001
            result.dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        await start.wait()  # every session navigates at the same moment
        t0 = time.monotonic()
        await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        frame = page.frame_locator(MAP_FRAME)
        await frame.locator(".leaflet-container[data-cm-events]").wait_for(
            state="attached", timeout=timeout_s * 1000)
        element = await page.locator(MAP_FRAME).element_handle(timeout=timeout_s * 1000)
        inner = await element.content_frame()
        remaining = max(1.0, timeout_s - (time.monotonic() - t0))
        handle = await inner.wait_for_function(DRAWN_JS, timeout=remaining * 1000, polling=100)
        result.events = int(await handle.json_value())
        result.seconds = time.monotonic() - t0
    except Exception as err:  # noqa: BLE001 - a session that fails is a result, not a crash of the bench
        result.error = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    finally:
        await context.close()
    return result


def guard_allows(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1")


async def _sessions(url: str, count: int, timeout_s: float, home: Path) -> tuple[list[SessionResult], list[str]]:
    from playwright.async_api import async_playwright

    home.mkdir(parents=True, exist_ok=True)
    guard = NetworkGuard()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                           env=dict(os.environ, HOME=str(home)), headless=True)
        try:
            start = asyncio.Event()
            tasks = [asyncio.create_task(_one_session(browser, url, i, guard, timeout_s, start))
                     for i in range(count)]
            await asyncio.sleep(0)  # let every task set up its page before the common start
            start.set()
            results = await asyncio.gather(*tasks)
        finally:
            await browser.close()
    return list(results), guard.blocked


def measure_sessions(url: str, server_pid: int, count: int, *, timeout_s: float = 600,
                     home: Path) -> SessionsReport:
    """Open `count` sessions of the app at `url` at once; a report of who drew the map and how fast."""
    start_rss = tree_rss_mb(server_pid)
    with RssSampler(server_pid) as sampler:
        results, blocked = asyncio.run(_sessions(url, count, timeout_s, home))
    times = [r.seconds for r in results if r.seconds is not None]
    return SessionsReport(
        sessions=count, rendered=len(times),
        median_s=statistics.median(times) if times else None, max_s=max(times) if times else None,
        events_shown=[r.events for r in results if r.events is not None],
        server_rss_mb_start=start_rss, server_rss_mb_peak=sampler.peak,
        blocked_requests=[u for u in blocked if "tile" not in u], results=results)


def app_env(db: Path, work: Path) -> dict[str, str]:
    return {"CONFLICTMAP_DB_URL": f"sqlite:///{db}", "CONFLICTMAP_ARTICLES_DIR": str(work / "no-articles"),
            "CONFLICTMAP_CACHE_DIR": str(work / "cache"), "CONFLICTMAP_TILES": "none",
            "CONFLICTMAP_ALLOW_NETWORK": "0", "HOME": str(work / "home")}


def prepare_database(work: Path, events: int) -> Path:
    """A database of `events` generated ACLED events, imported through the CLI (reused if present)."""
    from gen_acled import generate

    db = work / f"acled-{events}.sqlite"
    if db.exists():
        return db
    csv = work / f"acled-{events}.csv"
    generate(events).to_csv(csv, index=False)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "conflictmap", "import", "acled", str(csv), "--quiet"],
                   env={**os.environ, "CONFLICTMAP_DB_URL": f"sqlite:///{db}"}, cwd=PROJECT_DIR, check=True)
    print(f"imported {events} events in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/conflictmap-sessions"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds each session may take")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)

    from conflictmap import mapview

    args.work.mkdir(parents=True, exist_ok=True)
    db = prepare_database(args.work, args.events)
    mapview.ensure_static_assets()
    with streamlit_app(PROJECT_DIR / "app.py", app_env(db, args.work), args.work / "streamlit.log") as app:
        report = measure_sessions(app.url, app.proc.pid, args.sessions, timeout_s=args.timeout,
                                  home=args.work / "chromium-home")
        errors = "database is locked" in app.log() or "Traceback" in app.log()
    print(report.summary())
    for r in report.results:
        if r.error:
            print(f"  session {r.index}: {r.error}")
    if errors:
        print(f"  the server log has errors: {args.work / 'streamlit.log'}")
    if args.json:
        print(json.dumps(asdict(report), indent=1))
    clean = not report.blocked_requests and not any(r.dialogs for r in report.results)
    return 0 if report.rendered == report.sessions and clean and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
