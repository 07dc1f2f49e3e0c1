"""The webhook transport against real local servers: refusals, no redirects, timeouts, DNS pinning, TLS."""

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub_api.webhooks import transport
from hub_api.webhooks.transport import AddressRefused, Outcome, check_url, post

BODY = b'{"type": "course.updated", "id": 7}'
HEADERS = {"Content-Type": "application/json", "webhook-id": "msg_1"}


@dataclass
class Receiver:
    """A local HTTP server and the POSTs it has received."""

    port: int
    received: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks?x=1"


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that gave up (timeouts) make the late reply fail; that is expected here


@contextlib.contextmanager
def receiver(status=204, *, reply_headers=None, delay=0.0, drip=None, tls=None):
    """Serve POSTs on 127.0.0.1 answering `status` after `delay` s (or dripping the status line)."""
    received = []
    finished = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, dict(self.headers), self.rfile.read(length)))
            finished.wait(delay)
            if drip is not None:
                for byte in b"HTTP/1.1 200 OK\r\n":
                    if finished.wait(drip):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            self.send_response(status)
            for name, value in (reply_headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield Receiver(server.server_address[1], received)
    finally:
        finished.set()
        server.shutdown()
        server.server_close()


def fake_dns(monkeypatch, name, *answers):
    """Make `name` resolve to answers[0], then answers[1], ... (the last one repeats); return the calls."""
    calls = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real_getaddrinfo(host, port, *args, **kwargs)
        calls.append(host)
        ip = answers[min(len(calls), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)
    return calls


def send(url, *, timeout=2.0, allow_private=True) -> Outcome:
    return post(url, BODY, HEADERS, timeout=timeout, allow_private=allow_private)


@pytest.mark.parametrize("status", [200, 204])
def test_a_2xx_receiver_gets_the_exact_body_and_headers(status):
    with receiver(status) as partner:
        outcome = send(partner.url)
    assert (outcome.status_code, outcome.error, outcome.retryable) == (status, None, False)
    assert outcome.duration_ms >= 0
    [(path, headers, body)] = partner.received
    assert (path, body) == ("/hooks?x=1", BODY)
    assert headers["Host"] == f"127.0.0.1:{partner.port}"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "hub-api-webhooks/1"
    assert headers["webhook-id"] == "msg_1"


def test_a_loopback_receiver_is_refused_before_anything_is_sent():
    with receiver() as partner:
        outcome = send(partner.url, allow_private=False)
    assert outcome == Outcome(None, outcome.duration_ms, "address 127.0.0.1 is loopback", retryable=False)
    assert partner.received == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/hooks", "scheme 'ftp' is not allowed"),
        ("http:///path", "no host"),
        ("http://user:pw@example.org/", "credentials"),
        ("http://10.1.2.3/", "address 10.1.2.3 is private"),
        ("http://169.254.169.254/latest/meta-data", "address 169.254.169.254 is link-local"),
        ("http://[::1]/", "address ::1 is loopback"),
        ("http://[::ffff:127.0.0.1]/", "address ::ffff:127.0.0.1 is loopback"),
        ("http://[fc00::1]/", "address fc00::1 is private"),
        ("http://100.64.0.1/", "address 100.64.0.1 is shared address space"),
        ("http://0.0.0.0/", "address 0.0.0.0 is unspecified"),
        ("http://224.0.0.1/", "address 224.0.0.1 is multicast"),
        ("http://240.0.0.1/", "address 240.0.0.1 is reserved"),
        ("http://localhost/", "is loopback"),
        ("http://example.org:99999/", "invalid port"),
        ("https://no-such-partner.invalid/", "cannot resolve no-such-partner.invalid"),
    ],
)
def test_check_url_refuses(url, reason):
    with pytest.raises(AddressRefused, match=reason):
        check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/", "https://8.8.8.8/hooks", "https://[2001:4860::8888]/"]
)
def test_check_url_accepts_public_addresses(url):
    check_url(url, allow_private=False)


def test_allowing_private_addresses_still_checks_scheme_host_and_credentials():
    check_url("http://10.1.2.3/", allow_private=True)
    check_url("http://localhost:8080/", allow_private=True)
    for url in ("ftp://10.1.2.3/", "http:///path", "http://user:pw@10.1.2.3/"):
        with pytest.raises(AddressRefused):
            check_url(url, allow_private=True)


def test_a_redirect_is_not_followed():
    with receiver() as elsewhere, receiver(302, reply_headers={"Location": elsewhere.url}) as partner:
        outcome = send(partner.url)
    assert (outcome.status_code, outcome.error, outcome.retryable) == (
        302,
        "redirect (302) not followed",
        False,
    )
    assert len(partner.received) == 1
    assert elsewhere.received == []


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (503, True), (408, True), (429, True), (400, False), (404, False), (410, False)],
)
def test_which_statuses_are_worth_retrying(status, retryable):
    with receiver(status) as partner:
        outcome = send(partner.url)
    assert (outcome.status_code, outcome.error, outcome.retryable) == (status, f"HTTP {status}", retryable)


def test_a_slow_receiver_times_out():
    with receiver(delay=5) as partner:
        started = time.monotonic()
        outcome = send(partner.url, timeout=0.5)
        elapsed = time.monotonic() - started
    assert (outcome.status_code, outcome.error, outcome.retryable) == (None, "timed out after 0.5 s", True)
    assert elapsed < 1.5
    assert 400 <= outcome.duration_ms < 1500


def test_a_receiver_dripping_its_reply_cannot_stretch_the_timeout():
    with receiver(drip=0.1) as partner:  # each byte comes well within the timeout, the whole reply not
        started = time.monotonic()
        outcome = send(partner.url, timeout=0.5)
        elapsed = time.monotonic() - started
    assert (outcome.status_code, outcome.error, outcome.retryable) == (None, "timed out after 0.5 s", True)
    assert elapsed < 1.5


def test_a_closed_port_is_a_retryable_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = send(f"http://127.0.0.1:{port}/")
    assert outcome.status_code is None
    assert outcome.error.startswith("connection failed")
    assert outcome.retryable


def test_connects_to_the_address_it_checked_not_a_later_answer(monkeypatch):
    with receiver() as partner:
        lookups = fake_dns(monkeypatch, "rebind.test", "127.0.0.1", "192.0.2.1")
        outcome = send(f"http://rebind.test:{partner.port}/", timeout=1)
    assert (outcome.status_code, outcome.error) == (204, None)
    assert lookups == ["rebind.test"]
    [(_, headers, _)] = partner.received
    assert headers["Host"] == f"rebind.test:{partner.port}"


def test_https_to_a_plain_http_server_fails_cleanly():
    with receiver() as partner:
        outcome = send(f"https://127.0.0.1:{partner.port}/", timeout=1)
    assert outcome.status_code is None
    assert outcome.error.startswith("TLS failed")
    assert outcome.retryable


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate and key for partner.test, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-keyout", key, "-out", cert),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-subj", "/CN=partner.test", "-addext", "subjectAltName=DNS:partner.test"),
        ],
        check=True,
        capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    return cert, server_context


@pytest.mark.parametrize(
    ("trusted", "name", "error"),
    [
        (True, "partner.test", None),
        (False, "partner.test", "certificate verify failed"),
        (True, "other.test", "Hostname mismatch"),
    ],
)
def test_https_verifies_the_certificate_for_the_url_host(monkeypatch, certificate, trusted, name, error):
    cert, server_context = certificate
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    with receiver(200, tls=server_context) as partner:
        fake_dns(monkeypatch, name, "127.0.0.1")
        outcome = send(f"https://{name}:{partner.port}/hooks", timeout=1)
    assert outcome.status_code == (200 if error is None else None)
    assert (outcome.error is None) == (error is None)
    if error:
        assert error in outcome.error
        assert outcome.retryable
        assert partner.received == []
    else:
        [(_, headers, body)] = partner.received
        assert (headers["Host"], body) == (f"{name}:{partner.port}", BODY)


def test_a_host_that_does_not_resolve_now_is_retried_later():
    outcome = post("https://no-such-partner.invalid/hooks", b"{}", {}, timeout=2, allow_private=False)

    assert outcome.status_code is None
    assert "cannot resolve no-such-partner.invalid" in outcome.error
    assert outcome.retryable is True
