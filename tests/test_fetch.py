"""URL fetching: a local http.server on 127.0.0.1 in → Articles, or one-line refusals out.

Loopback is reachable only with CONFLICTMAP_ALLOW_PRIVATE_URLS=1; without it every loopback,
private and metadata address is refused before any connection is made.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conflictmap import fetch
from conflictmap.fetch import FetchError, fetch_article, fetch_feed

ARTICLE = (b"<!doctype html><html><head><title>Clashes in Aleppo</title><script>alert(1)</script></head>"
           b"<body onload=alert(2)><article><p>Clashes broke out in Aleppo on Monday between government forces "
           b"and rebels, activists said. At least two fighters were killed near the citadel.</p>"
           b"<img src=x onerror=alert(3)></article></body></html>")

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Testradion &lt;script&gt;</title>
<item><title>Raid in Atme</title><link>https://example.org/atme</link>
<pubDate>Thu, 03 Feb 2022 08:00:00 GMT</pubDate>
<description>&lt;p&gt;US special forces raided a house in Atme, Syria. &lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description></item>
<item><title>Bad link</title><link>javascript:alert(1)</link>
<description>Shelling hit Afrin on Wednesday, killing three civilians.</description></item>
<item><title>Empty</title><link>https://example.org/empty</link><description></description></item>
</channel></rss>"""

BOMB_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "lollollollollollollollollollol">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<rss version="2.0"><channel><title>&i;</title><item><title>&i;</title><description>&i;</description></item>
</channel></rss>"""


class _Handler(BaseHTTPRequestHandler):
    release: threading.Event

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200,
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        port = self.server.server_address[1]
        routes = {
            "/article": lambda: self._send(ARTICLE),
            "/latin1": lambda: self._send("<html><head><title>Räd i Åmål</title></head><body><p>Räden i "
                                          "Åmål dödade två personer, enligt polisen.</p></body></html>"
                                          .encode("latin-1"), "text/html; charset=iso-8859-1"),
            "/feed": lambda: self._send(FEED, "application/rss+xml"),
            "/bomb-feed": lambda: self._send(BOMB_FEED, "application/rss+xml"),
            "/image": lambda: self._send(b"\x89PNG\r\n\x1a\n" + bytes(256), "image/png"),
            "/big-declared": lambda: self._send(b"x" * 2048),
            "/big-undeclared": lambda: self._send(b"<p>" + b"x" * 4096 + b"</p>", length=False),
            "/drip": self._drip,
            "/hang": lambda: self.release.wait(30),
            "/missing": lambda: self._send(b"not here", status=404),
            "/to-file": lambda: self._send(b"", status=302, headers={"Location": "file:///etc/passwd"}),
            "/to-metadata": lambda: self._send(b"", status=302,
                                               headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
            "/loop": lambda: self._send(b"", status=302, headers={"Location": f"http://127.0.0.1:{port}/loop"}),
        }
        routes.get(self.path, lambda: self._send(b"no route", status=404))()

    def _drip(self) -> None:
        # An endless stream of small writes: with the fake clock each read costs a second, so only
        # the overall deadline can stop it (31 reads of at most 64 KB are far from the 20 MB sent).
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(200_000):
                self.wfile.write(b"<p>Aleppo</p>" * 8)
                self.wfile.flush()
        except OSError:
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"release": release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_ALLOW_NETWORK", "1")
    monkeypatch.setenv("CONFLICTMAP_ALLOW_PRIVATE_URLS", "1")


def test_article_page_becomes_text_without_scripts(server: str, online: None) -> None:
    article = fetch_article(f"{server}/article")
    assert article.title == "Clashes in Aleppo"
    assert "Clashes broke out in Aleppo" in article.body
    assert "alert" not in article.body and "<" not in article.body
    assert article.url == f"{server}/article"


def test_declared_charset_is_honoured(server: str, online: None) -> None:
    article = fetch_article(f"{server}/latin1")
    assert article.title == "Räd i Åmål" and "dödade två" in article.body


def test_feed_entries_become_articles_and_bad_links_are_dropped(server: str, online: None) -> None:
    articles = fetch_feed(f"{server}/feed")
    assert [a.title for a in articles] == ["Raid in Atme", "Bad link"]
    atme, bad = articles
    assert atme.url == "https://example.org/atme" and str(atme.date) == "2022-02-03"
    assert "raided a house in Atme" in atme.body and "alert" not in atme.body
    assert bad.url is None  # javascript: never becomes a link
    assert atme.source == "Testradion <script>"  # literal text; escaping is the display's job


def test_entity_bomb_feed_does_not_expand(server: str, online: None) -> None:
    try:
        articles = fetch_feed(f"{server}/bomb-feed")
    except FetchError as err:
        assert "\n" not in str(err)
        return
    assert all(len(a.body) < 1_000_000 and len(a.title) < 1_000_000 for a in articles)


@pytest.mark.parametrize(("path", "problem"), [
    ("/image", "image/png, not an article"),
    ("/missing", "HTTP 404"),
    ("/to-file", "only http:// and https://"),
    ("/loop", "redirect"),
])
def test_bad_answers_are_one_line(server: str, online: None, path: str, problem: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch_article(f"{server}{path}")
    assert problem in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith("http")


def test_size_limit_with_and_without_content_length(server: str, online: None) -> None:
    with pytest.raises(FetchError, match="larger than the"):
        fetch_article(f"{server}/big-declared", max_bytes=1024)
    with pytest.raises(FetchError, match="larger than the"):
        fetch_article(f"{server}/big-undeclared", max_bytes=1024)


def test_slow_server_is_cut_off_by_the_deadline(server: str, online: None) -> None:
    ticks = iter(range(10_000))
    with pytest.raises(FetchError, match="took longer than 30 s"):
        fetch_article(f"{server}/drip", timeout=10, max_bytes=50 * 1024 * 1024, clock=lambda: float(next(ticks)))


def test_silent_server_times_out(server: str, online: None) -> None:
    with pytest.raises(FetchError, match="no answer within 0.3 s"):
        fetch_article(f"{server}/hang", timeout=0.3)


def test_redirect_to_a_metadata_address_is_refused_even_from_an_allowed_host(
        server: str, online: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Loopback allowed for the test server, link-local not: patch the check to allow only 127.0.0.1.
    real = fetch.resolve_public

    def loopback_only(host: str, port: int, *, url: str = "") -> list:
        if host == "127.0.0.1":
            return real(host, port, url=url)
        monkeypatch.setenv("CONFLICTMAP_ALLOW_PRIVATE_URLS", "0")
        return real(host, port, url=url)

    monkeypatch.setattr(fetch, "resolve_public", loopback_only)
    with pytest.raises(FetchError, match="169.254.169.254 is a loopback, private or reserved address"):
        fetch_article(f"{server}/to-metadata")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8501/", "http://[::1]/", "http://10.0.0.8/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://2130706433/",
    "http://0x7f.1/", "http://[::ffff:127.0.0.1]/", "https://100.64.0.1/",
])
def test_private_addresses_are_refused_before_connecting(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_ALLOW_NETWORK", "1")
    monkeypatch.setenv("CONFLICTMAP_ALLOW_PRIVATE_URLS", "0")
    connects: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    with pytest.raises(FetchError, match="loopback, private or reserved address"):
        fetch_article(url)
    assert connects == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/a",
                                 "data:text/html,<script>alert(1)</script>", "//example.org/a", "http://"])
def test_only_http_urls_with_a_host(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_ALLOW_NETWORK", "1")
    with pytest.raises(FetchError, match="only http:// and https://|no host name"):
        fetch_article(url)


def test_offline_by_default_nothing_is_fetched(server: str) -> None:
    with pytest.raises(FetchError, match="CONFLICTMAP_ALLOW_NETWORK=1"):
        fetch_article(f"{server}/article")
