"""URL fetching (online only): an http(s) article URL or RSS/Atom feed URL in → `Article`(s) out.

Article pages and feeds are adversarial input, and so are the URLs users paste: only http(s),
a timeout per socket operation and a deadline for the whole download, a size cap, at most a few
redirects (each one checked again), and no connection to loopback, private, link-local or other
non-public addresses unless CONFLICTMAP_ALLOW_PRIVATE_URLS=1 (so the app cannot be used to reach
a cloud metadata service or an intranet). The host is resolved once and the vetted address is
the one connected to, so a DNS answer cannot change between the check and the connection.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.client import HTTPMessage
from typing import Any
from urllib.parse import urljoin, urlsplit

from conflictmap import settings
from conflictmap.errors import InputError
from conflictmap.ingest import html_to_text, max_input_bytes, parse_article_text, read_article_bytes
from conflictmap.models import Article

MAX_REDIRECTS = 5
USER_AGENT = "conflictmap/0.1 (+https://github.com/conflictmap; article fetcher)"
_CHUNK = 64 * 1024


class FetchError(InputError):
    """A URL could not be fetched as an article or feed; the message names the URL and why."""


@dataclass(frozen=True)
class Fetched:
    """What came back from one URL: the final URL after redirects, its bytes and content type."""

    url: str
    data: bytes
    content_type: str
    charset: str | None


def _short(url: str) -> str:
    return url if len(url) <= 200 else url[:197] + "..."


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme and host of a URL we may fetch (only http and https, with a host) → (scheme, host, port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(_short(url), "this is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(_short(url), f"only http:// and https:// links can be fetched, not {scheme or 'no'} scheme")
    if not parts.hostname:
        raise FetchError(_short(url), "the URL has no host name")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int, *, url: str = "") -> list[tuple[Any, ...]]:
    """getaddrinfo for host, refusing every non-public address unless the setting allows them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError(_short(url or host), f"the host name {host!r} cannot be resolved ({err})") from None
    if settings.get_bool("CONFLICTMAP_ALLOW_PRIVATE_URLS"):
        return infos
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise FetchError(
                _short(url or host),
                f"{host} is a loopback, private or reserved address ({address}); fetching it is refused "
                "(set CONFLICTMAP_ALLOW_PRIVATE_URLS=1 to allow, e.g. for an intranet news server)",
            )
    return infos


def _connect_vetted(host: str, port: int, timeout: float | None) -> socket.socket:
    last: OSError | None = None
    for family, kind, proto, _name, address in resolve_public(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as err:
            sock.close()
            last = err
    raise last or OSError(f"cannot connect to {host}")


class _VettedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        self.sock = _connect_vetted(self.host, self.port, self.timeout)


class _VettedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        raw = _connect_vetted(self.host, self.port, self.timeout)
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(raw, server_hostname=self.host)


class _VettedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_VettedHTTPConnection, req)


class _VettedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_VettedHTTPSConnection, req, context=ssl.create_default_context())


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: HTTPMessage) -> Any:
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urljoin(req.full_url, location)
            try:
                check_url(target)  # a redirect to file:, ftp: or javascript: stops here
            except FetchError as err:
                raise FetchError(_short(req.full_url), f"redirects to {_short(target)}; {err.problem}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    # ProxyHandler({}): an environment proxy would make the vetted address the proxy's, not the target's.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _VettedHTTPHandler(),
                                       _VettedHTTPSHandler(), _CheckedRedirects())


def _require_network(url: str) -> None:
    if not settings.get_bool("CONFLICTMAP_ALLOW_NETWORK"):
        raise FetchError(_short(url), "fetching URLs needs the network: set CONFLICTMAP_ALLOW_NETWORK=1")


def fetch_bytes(url: str, *, timeout: float = 10, max_bytes: int | None = None,
                clock: Callable[[], float] = time.monotonic) -> Fetched:
    """Download one http(s) URL within the limits; every failure is a one-line FetchError.

    timeout: seconds per socket operation and, in total, 3x that for the whole download
    (a server dripping one byte at a time cannot hold us). max_bytes: default the upload limit.
    clock: monotonic seconds; tests pass a fake one.
    """
    _require_network(url)
    check_url(url)
    limit = max_input_bytes() if max_bytes is None else max_bytes
    deadline = clock() + 3 * timeout
    # check_url above allowed only http(s); redirects are checked again by _CheckedRedirects.
    request = urllib.request.Request(url.strip(), headers={"User-Agent": USER_AGENT, "Accept": "*/*"})  # noqa: S310
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(_short(url), f"the page is {int(length) / 1048576:.1f} MB, larger than the "
                                              f"{limit / 1048576:g} MB limit (setting CONFLICTMAP_MAX_UPLOAD_MB)")
            chunks: list[bytes] = []
            size = 0
            while True:
                if clock() > deadline:
                    raise FetchError(_short(url), f"the download took longer than {3 * timeout:g} s and was stopped")
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FetchError(_short(url), f"the page is larger than the {limit / 1048576:g} MB limit "
                                                  "(setting CONFLICTMAP_MAX_UPLOAD_MB)")
                chunks.append(chunk)
            return Fetched(url=response.geturl(), data=b"".join(chunks),
                           content_type=response.headers.get_content_type(),
                           charset=response.headers.get_content_charset())
    except FetchError:  # raised by resolve_public inside connect: not an OSError, urllib lets it through
        raise
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400:
            raise FetchError(_short(url), f"more than {MAX_REDIRECTS} redirects, or a redirect loop") from None
        reason = " ".join(str(err.reason).split())[:100]
        raise FetchError(_short(url), f"the server answered HTTP {err.code} {reason}") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise FetchError(_short(url), f"no answer within {timeout:g} s") from None
        raise FetchError(_short(url), f"cannot connect ({' '.join(str(err.reason).split())[:150]})") from None
    except TimeoutError:
        raise FetchError(_short(url), f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException, ValueError) as err:
        detail = " ".join(str(err).split())[:150]
        raise FetchError(_short(url), f"the download failed ({type(err).__name__}: {detail})") from None


def _decode(fetched: Fetched) -> str | None:
    if fetched.charset:
        try:
            return fetched.data.decode(fetched.charset)
        except (LookupError, UnicodeDecodeError):
            return None
    return None


def fetch_article(url: str, *, timeout: float = 10, max_bytes: int | None = None,
                  clock: Callable[[], float] = time.monotonic) -> Article:
    """An article page's URL → Article (readable text via trafilatura, title, the final URL).

    Example: `fetch_article("https://www.sverigesradio.se/artikel/...")` with CONFLICTMAP_ALLOW_NETWORK=1.
    """
    fetched = fetch_bytes(url, timeout=timeout, max_bytes=max_bytes, clock=clock)
    name = _short(fetched.url)
    if fetched.content_type not in ("text/html", "application/xhtml+xml", "text/plain", "text/markdown"):
        raise FetchError(name, f"the page is {fetched.content_type}, not an article (HTML or text)")
    text = _decode(fetched)
    if text is None:
        return read_article_bytes(fetched.data, name=name, url=fetched.url)
    is_html = fetched.content_type != "text/plain" and fetched.content_type != "text/markdown"
    return parse_article_text(text, name=name, url=fetched.url, is_html=is_html)


def _entry_date(entry: Any) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    except (ValueError, AttributeError):
        return None


def fetch_feed(url: str, *, timeout: float = 10, max_bytes: int | None = None, max_items: int = 100,
               clock: Callable[[], float] = time.monotonic) -> list[Article]:
    """An RSS/Atom feed URL → one Article per entry with text (title, summary or content, date, link).

    Entries are read from the feed itself; their links are not followed (each would be a fetch
    of its own). Entries with no text are left out; links other than http(s) are dropped.
    """
    import feedparser

    fetched = fetch_bytes(url, timeout=timeout, max_bytes=max_bytes, clock=clock)
    feed = feedparser.parse(fetched.data, sanitize_html=True, resolve_relative_uris=False)
    if not feed.entries:
        problem = "this is not an RSS or Atom feed" if feed.get("bozo") else "the feed has no entries"
        raise FetchError(_short(url), problem)
    source = re.sub(r"\s+", " ", str(feed.feed.get("title") or "")).strip()[:200]
    articles: list[Article] = []
    for number, entry in enumerate(feed.entries[:max_items], 1):
        contents = entry.get("content") or []
        markup = (contents[0].get("value") if contents else None) or entry.get("summary") or ""
        body, _ = html_to_text(str(markup)) if "<" in str(markup) else (str(markup), None)
        link = str(entry.get("link") or "")
        title = re.sub(r"\s+", " ", str(entry.get("title") or "")).strip()
        if not body.strip():
            continue
        try:
            articles.append(parse_article_text(body, name=f"{_short(url)} item {number}", title=title or None,
                                               date=_entry_date(entry), source=source or None,
                                               url=link or None))
        except InputError:
            continue  # one empty or odd entry must not lose the rest of the feed
    return articles


# The upload page looks for this name.
fetch_url = fetch_article
