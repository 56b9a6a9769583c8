"""Helpers for real-browser tests and benchmarks: Debian Chromium via Playwright, a `streamlit run`
server on a free port, a tiny static server for bare folium pages, and a network guard.

Used by tests/test_browser.py and bench/bench_map.py; nothing here sleeps: waits poll a process
or a socket with a deadline.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CONFLICTMAP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when Chromium is installed."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -r requirements-dev.txt"
    return None


def require_browser() -> None:
    """Skip with the reason when Chromium is missing, or fail when CI demands the browser tests."""
    import pytest

    reason = chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CONFLICTMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CONFLICTMAP_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class NetworkGuard:
    """Aborts every request that would leave this machine and records it."""

    blocked: list[str] = field(default_factory=list)

    def handle(self, route) -> None:  # noqa: ANN001 - playwright Route
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def non_tile_requests(self) -> list[str]:
        """Blocked requests other than map tiles (tiles may try; nothing else may)."""
        return [u for u in self.blocked if not _looks_like_tile(u)]


def _looks_like_tile(url: str) -> bool:
    path = urlsplit(url).path
    return "tile" in (urlsplit(url).hostname or "") or path.endswith((".png", ".jpg", ".pbf"))


@contextlib.contextmanager
def chromium_browser(home: Path) -> Iterator[object]:
    """A headless Debian Chromium (own HOME, so no user profile or keyring is touched)."""
    from playwright.sync_api import sync_playwright

    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     env=env, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0,
                  clock=time.monotonic) -> None:
    """Poll `url` until it answers 200; fail early if `proc` dies. Pauses by waiting on proc."""
    deadline = clock() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if proc is not None:
            try:
                proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise RuntimeError(f"server exited with {proc.returncode} before {url} was up")
        if clock() > deadline:
            raise TimeoutError(f"{url} not up after {timeout} s")


@dataclass
class StreamlitApp:
    url: str
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def streamlit_app(app: Path, env: dict[str, str], log_path: Path,
                  timeout: float = 90.0) -> Iterator[StreamlitApp]:
    """`streamlit run app` on a free loopback port; yields once /_stcore/health answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.enableStaticServing", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    full_env = dict(os.environ, **env)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=str(app.parent), env=full_env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/_stcore/health", proc, timeout)
        yield StreamlitApp(url=base, proc=proc, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _PageHandler(http.server.SimpleHTTPRequestHandler):
    pages: dict[str, bytes] = {}
    static_dir: Path = PROJECT_DIR / "static"

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path = urlsplit(self.path).path
        if path in self.pages:
            body = self.pages[path]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path.startswith("/app/static/"):
            target = (self.static_dir / path[len("/app/static/"):]).resolve()
            if self.static_dir.resolve() in target.parents and target.is_file():
                body = target.read_bytes()
                self.send_response(200)
                ctype = self.guess_type(str(target))
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def handle(self) -> None:
        # A benchmark closes its page as soon as the events are drawn, while decorations (country
        # outlines) may still be downloading: a client that left is not an error.
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass


@contextlib.contextmanager
def page_server(pages: dict[str, bytes], static_dir: Path | None = None) -> Iterator[str]:
    """Serve fixed HTML pages plus static/ at /app/static/ (like Streamlit) on a free port."""
    handler = type("Handler", (_PageHandler,), {
        "pages": pages, "static_dir": static_dir or PROJECT_DIR / "static"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
