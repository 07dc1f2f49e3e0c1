"""One webhook POST to a partner URL: only to public addresses, pinned to the checked IP, no redirects."""

import contextlib
import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "hub-api-webhooks/1"
MAX_BODY_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt got: status code (None if no response), duration, error text."""

    status_code: int | None
    duration_ms: int
    error: str | None
    retryable: bool


class AddressRefused(ValueError):
    """The URL's scheme or (resolved) address may not receive webhooks."""


class UnresolvedHost(AddressRefused):
    """The host name did not resolve (now): refused for a subscription, retried at delivery."""


@dataclass(frozen=True)
class _Target:
    """A checked URL: where to connect (`ip`) and what to call the server (`host`)."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise AddressRefused unless `url` is http(s), has a host and no credentials, and resolves publicly."""
    _checked_target(url, allow_private=allow_private)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Outcome:
    """POST `body` to `url` within `timeout` seconds; network problems become an Outcome, not an error."""
    started = time.monotonic()
    status_code = None
    try:
        status_code = _send(url, body, headers, deadline=started + timeout, allow_private=allow_private)
    except AddressRefused as exc:  # a DNS failure may pass; a non-public address will not
        error, retryable = str(exc), isinstance(exc, UnresolvedHost)
    except TimeoutError:
        error, retryable = f"timed out after {timeout:g} s", True
    except ssl.SSLError as exc:
        error, retryable = f"TLS failed: {exc}", True
    except (OSError, http.client.HTTPException) as exc:
        error, retryable = f"connection failed: {exc}", True
    else:
        error, retryable = _judge(status_code)
    return Outcome(status_code, round((time.monotonic() - started) * 1000), error, retryable)


def _judge(status_code: int) -> tuple[str | None, bool]:
    """The error text (None for 2xx) and whether to try again, for a response with this status."""
    if 200 <= status_code < 300:
        return None, False
    if 300 <= status_code < 400:
        return f"redirect ({status_code}) not followed", False
    return f"HTTP {status_code}", status_code >= 500 or status_code in (408, 429)


def _checked_target(url: str, *, allow_private: bool) -> _Target:
    """Parse `url`, resolve its host once and check every address; refuse with AddressRefused."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise AddressRefused(f"scheme {parts.scheme!r} is not allowed (only http and https)")
    if not parts.hostname:
        raise AddressRefused("URL has no host")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("URL may not contain credentials")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise AddressRefused(f"invalid port: {exc}") from exc
    try:
        resolved = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnresolvedHost(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = list(dict.fromkeys(sockaddr[0] for *_, sockaddr in resolved))
    if not allow_private:
        for address in addresses:
            kind = _non_public_kind(ipaddress.ip_address(address))
            if kind:
                raise AddressRefused(f"address {address} is {kind}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, parts.hostname, port, path, ip=addresses[0])


def _non_public_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `address` may not receive webhooks ("loopback", "private", ...), or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    kinds = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared address space", address in SHARED_ADDRESS_SPACE),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not public", not address.is_global),
    )
    return next((kind for kind, applies in kinds if applies), None)


def _send(url: str, body: bytes, headers: dict[str, str], *, deadline: float, allow_private: bool) -> int:
    """Make the request to the checked address and return the response status; raise on network errors."""
    target = _checked_target(url, allow_private=allow_private)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, ip=target.ip, deadline=deadline)
    try:
        connection.request("POST", target.path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        with contextlib.suppress(OSError, http.client.HTTPException):
            response.read(MAX_BODY_BYTES)  # the status decides; a slow or broken body does not change it
        return response.status
    finally:
        connection.close()


def _seconds_left(deadline: float) -> float:
    """Time until `deadline` (a time.monotonic() value); TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an already-checked IP, named `host` in the Host header; every step ends by `deadline`."""

    def __init__(self, host: str, port: int, *, ip: str, deadline: float):
        super().__init__(host, port)
        self.ip = ip
        self.deadline = deadline
        self.response_class = functools.partial(_DeadlineResponse, deadline=deadline)

    def connect(self) -> None:
        """Open a TCP connection to the pinned IP (never resolving `host` again)."""
        self.sock = socket.create_connection((self.ip, self.port), timeout=_seconds_left(self.deadline))
        self.sock.settimeout(_seconds_left(self.deadline))


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to an already-checked IP, verifying the certificate against the URL's host name."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        """Open TCP to the pinned IP, then TLS with SNI and certificate checks for `host`."""
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)
        self.sock.settimeout(_seconds_left(self.deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    """A response whose status line, headers and body must all arrive by `deadline`."""

    def __init__(self, sock: socket.socket, *, method: str, deadline: float):
        super().__init__(sock, method=method)
        self.fp.close()
        self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


class _DeadlineReader(io.RawIOBase):
    """A socket's incoming bytes, each read waiting only for the time left before `deadline`."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        """Yes: this stream is for reading."""
        return True

    def readinto(self, buffer) -> int:
        """Fill `buffer` with what the socket has, giving up at the deadline."""
        self.sock.settimeout(_seconds_left(self.deadline))
        return self.sock.recv_into(buffer)
