"""The watchdog on PostgreSQL waits: slow statements go on, a silent server fails fast, COPY still works."""

import io
import socket
import time

import psycopg2
import pytest
from psycopg2 import extensions
from sqlalchemy.engine import make_url

from hub_api import db_watchdog
from hub_api.db_watchdog import ServerStoppedAnswering, Watchdog
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def server(backend, engine):
    """host, port and database of the test's PostgreSQL database."""
    _, resetter = backend
    url = make_url(resetter.url)
    return url.host or "127.0.0.1", url.port or 5432, url.database


@pytest.fixture
def watched():
    """Install a watchdog with half a second of silence allowed; restore psycopg2's waits afterwards."""
    previous = extensions.get_wait_callback()
    watchdog = Watchdog(silence_seconds=0.5, connect_seconds=1.0)
    extensions.set_wait_callback(watchdog.wait)
    yield watchdog
    extensions.set_wait_callback(previous)


def connect(host, port, database):
    return psycopg2.connect(host=host, port=port, dbname=database, user="postgres", connect_timeout=5)


@pytest.fixture
def silent_listener():
    """A port that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield listener.getsockname()[1]
    listener.close()


def test_a_slow_statement_on_a_live_server_runs_to_the_end(watched, server):
    connection = connect(*server)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(1.6), 42")
        assert cursor.fetchone()[1] == 42
    assert time.monotonic() - started >= 1.6  # three silent slices, each followed by a good check
    connection.close()


def test_a_server_frozen_mid_statement_fails_it_within_twice_the_allowance(watched, server):
    host, port, database = server
    proxy = TcpProxy((host, port)).start()
    connection = connect("127.0.0.1", proxy.port, database)
    proxy.freeze()
    started = time.monotonic()
    with pytest.raises(ServerStoppedAnswering, match="could not receive data from server"):
        connection.cursor().execute("SELECT 1")
    assert time.monotonic() - started < 1.5
    assert connection.closed  # psycopg2 drops the connection, so the pool never reuses it
    proxy.thaw()
    proxy.stop()


def test_a_failed_check_stands_until_the_server_answers_again(watched, server, silent_listener):
    host, port, _ = server
    assert watched.server_answers(host, port)
    started = time.monotonic()
    assert not watched.server_answers("127.0.0.1", silent_listener)
    assert time.monotonic() - started < 0.5 + 0.2
    started = time.monotonic()
    assert not watched.server_answers("127.0.0.1", silent_listener)  # known down: no second wait
    assert time.monotonic() - started < 0.05


def test_a_refused_check_means_down(watched):
    unused = socket.create_server(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    assert not watched.server_answers("127.0.0.1", port)


def test_connecting_to_a_silent_server_gives_up_at_the_connect_timeout(watched, silent_listener):
    started = time.monotonic()
    with pytest.raises(psycopg2.OperationalError):
        connect("127.0.0.1", silent_listener, "postgres")  # libpq's own timeout says 5 s
    assert time.monotonic() - started < 1.5


def test_a_deadline_bounds_every_wait_inside_it(watched, server):
    connection = connect(*server)
    started = time.monotonic()
    with db_watchdog.deadline(0.3), pytest.raises(ServerStoppedAnswering):
        connection.cursor().execute("SELECT pg_sleep(3)")
    assert time.monotonic() - started < 1.0


def test_copy_runs_with_the_watchdog_paused(watched, server):
    connection = connect(*server)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copied (n integer)")
        with pytest.raises(psycopg2.ProgrammingError):
            cursor.copy_expert("COPY copied FROM STDIN", io.StringIO("1\n"))
        with db_watchdog.paused():
            cursor.copy_expert("COPY copied FROM STDIN", io.StringIO("1\n2\n"))
        assert extensions.get_wait_callback() == watched.wait
        cursor.execute("SELECT count(*) FROM copied")
        assert cursor.fetchone()[0] == 2
    connection.close()
