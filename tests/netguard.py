"""Network guard for tests: any socket to a non-loopback address fails the test, in or out of process.

In process, the `no_network` fixture patches `socket.socket.connect` / `connect_ex` / `sendto`
and `socket.getaddrinfo` (DNS) so that only loopback and Unix sockets work. A blocked attempt
raises `NetworkBlocked` (an OSError, so the code under test sees what it would see offline) and
is recorded; the fixture fails the test at teardown if anything was recorded, even when the code
caught the error (the geocoder chain deliberately swallows online failures).

For subprocesses (the CLI), `guarded_env(tmp_path)` writes a `sitecustomize.py` doing the same,
which records attempts in a file the test then reads.

tests/conftest.py applies `guard_network` to every test (autouse); a module can also ask for the
`no_network` fixture explicitly (`from netguard import no_network  # noqa: F401`) to say so.
"""

from __future__ import annotations

import inspect
import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LOG_ENV = "CONFLICTMAP_NETGUARD_LOG"

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", ""})


class NetworkBlocked(OSError):
    """A test tried to reach a non-loopback address."""


def is_local_address(address: Any) -> bool:
    """True for Unix socket paths, loopback IPs and 'localhost'.

    >>> is_local_address(("127.0.0.1", 80)), is_local_address(("93.184.216.34", 80))
    (True, False)
    """
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%")[0].lower()  # drop an IPv6 zone id
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it would need DNS


def is_numeric_host(host: Any) -> bool:
    """True for IP literals ("10.0.0.8", "::1", and inet_aton forms like "0x7f.1"): resolving
    them sends nothing on the network, so only connecting to them is guarded."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host.split("%")[0])
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        return False


class NetworkRecorder:
    """The guard's state: what was attempted, and the patched functions."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def block(self, what: str) -> NetworkBlocked:
        self.attempts.append(what)
        return NetworkBlocked(f"network access blocked in tests: {what}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        real_getaddrinfo = socket.getaddrinfo
        recorder = self

        def connect(sock: socket.socket, address: Any) -> None:
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_address(address):
                raise recorder.block(f"connect to {address!r}")
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_address(address):
                raise recorder.block(f"connect_ex to {address!r}")
            return real_connect_ex(sock, address)

        def sendto(sock: socket.socket, data: bytes, *args: Any) -> int:
            address = args[-1]
            if sock.family != getattr(socket, "AF_UNIX", None) and not is_local_address(address):
                raise recorder.block(f"sendto {address!r}")
            return real_sendto(sock, data, *args)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not is_numeric_host(host) and not is_local_address((host, 0)):
                raise recorder.block(f"DNS lookup of {host!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket.socket, "sendto", sendto)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def guard_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkRecorder]:
    """Body of a guard fixture: install, run the test, fail it if anything was attempted."""
    recorder = NetworkRecorder()
    recorder.install(monkeypatch)
    yield recorder
    if recorder.attempts:
        pytest.fail("the test tried to use the network: " + "; ".join(recorder.attempts[:5]))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkRecorder]:
    """Fail the test if it opens (or even tries) a non-loopback connection or DNS lookup."""
    yield from guard_network(monkeypatch)


# The subprocess version: standard library only, loaded by Python at start-up via sitecustomize.
_SITECUSTOMIZE_TEMPLATE = '''\
"""Written by tests/netguard.py: block non-loopback sockets in this process and log attempts."""
import ipaddress
import os
import socket
from typing import Any

_LOG = os.environ.get("CONFLICTMAP_NETGUARD_LOG", "")


{helpers}

def _block(what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(what + "\\n")
    return OSError("network access blocked in tests: " + what)


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_sendto, _getaddrinfo = socket.socket.sendto, socket.getaddrinfo
_UNIX = getattr(socket, "AF_UNIX", None)


def connect(sock, address):
    if sock.family != _UNIX and not is_local_address(address):
        raise _block("connect to %r" % (address,))
    return _connect(sock, address)


def connect_ex(sock, address):
    if sock.family != _UNIX and not is_local_address(address):
        raise _block("connect_ex to %r" % (address,))
    return _connect_ex(sock, address)


def sendto(sock, data, *args):
    if sock.family != _UNIX and not is_local_address(args[-1]):
        raise _block("sendto %r" % (args[-1],))
    return _sendto(sock, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not is_numeric_host(host) and not is_local_address((host, 0)):
        raise _block("DNS lookup of %r" % (host,))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
'''
# The subprocess guard runs the same two checks as the in-process one, copied in from their
# definitions above so there is only one version of each to keep right.
SITECUSTOMIZE = _SITECUSTOMIZE_TEMPLATE.replace("{helpers}", "\n".join((
    f"_LOCAL_NAMES = frozenset({sorted(_LOCAL_NAMES)!r})",
    inspect.getsource(is_local_address),
    inspect.getsource(is_numeric_host),
)))


def pipeline_ready() -> bool:
    """Whether `python -m conflictmap extract` can run (its stages are written by others)."""
    try:
        from conflictmap.events import code_events  # noqa: F401
        from conflictmap.geocode import build_geocoder, resolve_places  # noqa: F401
        from conflictmap.geoparse import find_mentions  # noqa: F401
    except ImportError:
        return False
    return True


def guarded_env(tmp_path: Path, base: dict[str, str] | None = None) -> tuple[dict[str, str], Path]:
    """Environment for a subprocess whose network attempts are blocked and logged.

    Returns (env, log_path): the log file exists after the run only if something was attempted.
    """
    guard_dir = tmp_path / "netguard"
    guard_dir.mkdir(exist_ok=True)
    (guard_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log_path = tmp_path / "network-attempts.log"
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(guard_dir), env.get("PYTHONPATH", "")) if p)
    env[LOG_ENV] = str(log_path)
    return env, log_path
