"""A fake Nominatim on 127.0.0.1 (standard library only): /search queries in, scripted answers out.

It answers like Nominatim's `/search?format=json&addressdetails=1` for the places it was given,
and can be scripted to fail: HTTP 500, 429 with Retry-After, a stalled response (the client times
out), garbage instead of JSON. Every request is recorded (query, headers) so tests can count hits
and check the User-Agent. Run it by hand with `python tests/fake_nominatim.py --port 8088`.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


def nominatim_place(
    name: str,
    lat: float,
    lon: float,
    country_code: str,
    *,
    osm_type: str = "node",
    osm_id: int = 1,
    osm_class: str = "place",
    osm_type_value: str = "town",
    state: str = "",
    country: str = "",
) -> dict[str, Any]:
    """One result in Nominatim's format=json shape (lat/lon are strings, as Nominatim sends)."""
    address: dict[str, str] = {osm_type_value: name}
    if state:
        address["state"] = state
    if country:
        address["country"] = country
    address["country_code"] = country_code.lower()
    return {
        "place_id": osm_id + 100_000,
        "licence": LICENCE,
        "osm_type": osm_type,
        "osm_id": osm_id,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": osm_class,
        "type": osm_type_value,
        "place_rank": 16,
        "importance": 0.4,
        "addresstype": osm_type_value,
        "name": name,
        "display_name": ", ".join(p for p in (name, state, country) if p),
        "address": address,
        "boundingbox": [f"{lat - 0.02:.7f}", f"{lat + 0.02:.7f}",
                        f"{lon - 0.02:.7f}", f"{lon + 0.02:.7f}"],
    }


# A few places a gazetteer of cities might lack; enough for tests to look something up.
DEFAULT_PLACES: dict[str, list[dict[str, Any]]] = {
    "atme": [nominatim_place("Atme", 36.1873, 36.6917, "SY", osm_id=2413155, state="Idlib",
                             country="Syria")],
    "sarmada": [nominatim_place("Sarmada", 36.1819, 36.7219, "SY", osm_id=2413160,
                                osm_type_value="city", state="Idlib", country="Syria")],
    "kobani": [nominatim_place("Kobani", 36.8910, 38.3560, "SY", osm_id=2413170,
                               osm_type_value="city", state="Aleppo", country="Syria")],
}


@dataclass(frozen=True)
class Reply:
    """A scripted response: status, headers, body (bytes sent as-is; JSON-encoded otherwise)."""

    status: int = 200
    body: Any = None  # None = the normal answer for the query
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Stall:
    """Hold the response until the server stops, so the client's read timeout fires."""


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    at: float | None  # the test's clock at the time of the request, when a clock was given


def server_error() -> Reply:
    return Reply(500, b"<html><body>Internal Server Error</body></html>",
                 (("Content-Type", "text/html"),))


def rate_limited(retry_after: str) -> Reply:
    return Reply(429, b"Too Many Requests", (("Retry-After", retry_after),))


def garbage() -> Reply:
    return Reply(200, b"<html>Welcome to nginx!</html>{not json", (("Content-Type", "text/html"),))


@dataclass
class FakeNominatim:
    """The server's state; `start()` serves it on a free port of 127.0.0.1 in a daemon thread.

    script: responses used one per request, in order, before normal answers resume.
    always: a response used for every request once the script is empty (e.g. a permanent 500).
    clock: read on each request to stamp it (the test's fake clock), for rate-limit checks.
    """

    places: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: dict(DEFAULT_PLACES))
    script: list[Reply | Stall] = field(default_factory=list)
    always: Reply | Stall | None = None
    clock: Callable[[], float] | None = None
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def search_hits(self) -> int:
        return sum(1 for r in self.requests if r.path.endswith("/search"))

    def start(self, port: int = 0) -> FakeNominatim:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True,
                                        name="fake-nominatim")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let stalled handlers finish
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self) -> Reply | Stall | None:
        with self._lock:
            if self.script:
                return self.script.pop(0)
            return self.always

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append(RecordedRequest(
                path=parts.path,
                params=params,
                headers={k.lower(): v for k, v in handler.headers.items()},
                at=self.clock() if self.clock else None,
            ))
        if parts.path == "/status":
            self._send(handler, Reply(200, b"OK", (("Content-Type", "text/plain"),)))
            return
        if not parts.path.endswith("/search"):  # a self-hosted Nominatim may sit under a prefix
            self._send(handler, Reply(404, {"error": "not found"}))
            return
        reply = self._next_reply()
        if isinstance(reply, Stall):
            self._release.wait(timeout=10)
            return  # the client gave up long ago; close without answering
        if reply is None or (reply.status == 200 and reply.body is None):
            self._send(handler, Reply(200, self._search(params), reply.headers if reply else ()))
        else:
            self._send(handler, reply)

    def _search(self, params: dict[str, str]) -> list[dict[str, Any]]:
        query = " ".join(params.get("q", "").casefold().split())
        results = list(self.places.get(query, []))
        codes = [c for c in params.get("countrycodes", "").lower().split(",") if c]
        if codes:
            results = [r for r in results if r["address"]["country_code"] in codes]
        limit = int(params.get("limit", "10") or 10)
        return results[:limit]

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            body = reply.body
            content_type = "application/octet-stream"
        else:
            body = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        headers = dict(reply.headers)
        headers.setdefault("Content-Type", content_type)
        try:
            handler.send_response(reply.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and hung up; nothing to tell it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--fail", choices=["500", "429", "stall", "garbage"],
                        help="answer every request with this fault")
    args = parser.parse_args()
    always: Reply | Stall | None = {
        "500": server_error(), "429": rate_limited("5"), "stall": Stall(), "garbage": garbage(),
        None: None,
    }[args.fail]
    fake = FakeNominatim(always=always).start(args.port)
    print(f"fake Nominatim at {fake.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
