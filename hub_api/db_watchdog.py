"""A watchdog on every wait for PostgreSQL: a server that stops answering fails the statement in seconds.

libpq's own timeouts cover connecting and the server's cancelling of slow statements, but not a
server (or a network path) that freezes while a connection waits for a reply: the kernel keeps
the socket open and a request would hang until gunicorn kills its worker. psycopg2 lets the
application do the waiting (a "wait callback"); this one waits in slices, and after each silent
slice asks the server, on a new socket, whether it still answers. A server busy with a slow
statement does, and the wait goes on (its `statement_timeout` bounds it); a frozen or cut-off one
does not, and the statement fails with `ServerStoppedAnswering`, which the API answers with 503.
"""

import contextlib
import contextvars
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator

import psycopg2
from psycopg2 import extensions

# An SSLRequest: any server, even one refusing SSL, answers it with one byte before authentication.
_LIVENESS_REQUEST = struct.pack("!ii", 8, 80877103)

# SQLAlchemy reads this wording as a lost connection, and throws the connection away.
NO_ANSWER = "could not receive data from server"

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("hub_db_deadline", default=None)


class ServerStoppedAnswering(psycopg2.OperationalError):
    """The server neither answered the statement nor a liveness check; the connection is dropped."""


class Watchdog:
    """Waits on a psycopg2 connection, checking the server's liveness after every silent slice."""

    def __init__(self, silence_seconds: float, connect_seconds: float):
        self.silence_seconds = silence_seconds
        self.connect_seconds = connect_seconds  # libpq ignores its connect_timeout under a wait callback
        self._failed: set[tuple[str, int]] = set()  # servers that failed a check and have not answered since
        self._lock = threading.Lock()

    def wait(self, connection) -> None:
        """Drive `connection` until its operation completes; raise if the server has stopped answering."""
        connecting = connection.status == extensions.STATUS_SETUP
        limit = time.monotonic() + self.connect_seconds if connecting else _deadline.get()
        poller = select.poll()  # not select(): a worker may hold more than 1,024 descriptors
        while True:
            state = connection.poll()
            if state == extensions.POLL_OK:
                if self._failed:  # the server answered: an earlier failed check no longer stands
                    self._forget_failure(connection.info.host, connection.info.port)
                return
            event = select.POLLIN if state == extensions.POLL_READ else select.POLLOUT
            poller.register(connection.fileno(), event)  # registering again replaces the event
            if poller.poll(self._slice(limit) * 1000):
                continue
            if limit is not None and time.monotonic() >= limit:
                raise ServerStoppedAnswering(f"{NO_ANSWER}: none in time")
            if not self.server_answers(connection.info.host, connection.info.port):
                raise ServerStoppedAnswering(f"{NO_ANSWER}: the server stopped answering")

    def _slice(self, limit: float | None) -> float:
        if limit is None:
            return self.silence_seconds
        return max(0.0, min(self.silence_seconds, limit - time.monotonic()))

    def server_answers(self, host: str, port: int) -> bool:
        """Whether the server at host:port answers a liveness check; a failed check stands until it does."""
        key = (host, port)
        with self._lock:
            if key in self._failed:
                return False
        try:
            with _open_socket(host, port, self.silence_seconds / 2) as probe:
                probe.sendall(_LIVENESS_REQUEST)
                answered = probe.recv(1) != b""
        except OSError:  # refused, reset, unreachable or timed out
            answered = False
        if not answered:
            with self._lock:
                self._failed.add(key)
        return answered

    def _forget_failure(self, host: str, port: int) -> None:
        with self._lock:
            self._failed.discard((host, port))


def _open_socket(host: str, port: int, timeout: float) -> socket.socket:
    if host.startswith("/"):  # a Unix-domain socket directory, as libpq names it
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(timeout)
        try:
            unix.connect(f"{host}/.s.PGSQL.{port}")
        except OSError:
            unix.close()
            raise
        return unix
    return socket.create_connection((host, port), timeout=timeout)


def install(silence_seconds: float, connect_seconds: float) -> None:
    """Make every psycopg2 wait in this process go through a watchdog with these allowances."""
    extensions.set_wait_callback(Watchdog(silence_seconds, connect_seconds).wait)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within the block, database waits that last past `seconds` from now fail at once."""
    limit = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(limit if outer is None else min(limit, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Within the block, waits are psycopg2's own: COPY refuses to run under a wait callback."""
    previous = extensions.get_wait_callback()
    extensions.set_wait_callback(None)
    try:
        yield
    finally:
        extensions.set_wait_callback(previous)
