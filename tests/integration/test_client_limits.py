"""Client-side timeouts and limits, over real TLS: each limit with a client that breaks it and its
twin within the limit, which is served. Timeouts are set short here so the tests end quickly; the
clients that break them are slow on purpose (that is the subject, not a way to wait for the
gateway), and assertions never bound how fast the gateway reacts.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable

import pytest

from certgate.io.server import Gateway
from tests.conftest import Pki
from tests.harness import Harness, listener_yaml
from tests.raw_backend import RawBackend
from tests.rawhttp import duplex, responses

CONFIG = listener_yaml("""\
gateway:
  accessLog: "off"
SETTINGS
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND
  raw:
    path: raw
    serviceUrl: http://RAW
""")
GET = b"GET /echo/x HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture
def start(harness: Harness, raw: RawBackend) -> Callable[[str], Harness]:
    def run(settings: str) -> Harness:
        lines = "".join(f"  {line.strip()}\n" for line in settings.split(";") if line.strip())
        config = CONFIG.replace("SETTINGS\n", lines).replace("RAW", f"127.0.0.1:{raw.port}")
        harness.start(config)
        return harness

    return run


def connect(harness: Harness, pki: Pki) -> ssl.SSLSocket:
    sock = harness.client(pki.client).connect()
    sock.settimeout(30)  # a hang detector only
    return sock


def read_to_close(sock: ssl.SSLSocket) -> bytes:
    out = b""
    while True:
        try:
            piece = sock.recv(65536)
        except (ConnectionError, ssl.SSLError):
            return out
        if not piece:
            return out
        out += piece


def one_response(sock: ssl.SSLSocket) -> bytes:
    """Read one Content-Length framed response (the connection stays open)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        assert piece, data
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += sock.recv(65536)
    return head


def expect_408(out: bytes) -> None:
    got = responses(out)
    assert [r.status for r in got] == [408], out[:300]
    assert got[0].closes
    body = json.loads(got[0].body)
    assert (body["statusCode"], body["message"]) == (408, "Request timeout")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# --- header timeout --------------------------------------------------------------------------


def test_head_not_complete_in_time_is_408(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("headerTimeout: 0.5")
    sock = connect(harness, pki)
    with sock:
        sock.sendall(b"GET /echo/x HTTP/1.1\r\nHost: local")  # and nothing more
        expect_408(read_to_close(sock))


def test_head_complete_in_time_is_served(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("headerTimeout: 3")
    sock = connect(harness, pki)
    with sock:
        for piece in (b"GET /echo/x HTTP/1.1\r\n", b"Host: localhost\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(0.2)  # slow, but the whole head is there well within 3 s
        assert one_response(sock).startswith(b"HTTP/1.1 200 ")


def test_connection_that_never_sends_is_closed_silently(
    start: Callable[[str], Harness], pki: Pki
) -> None:
    harness = start("headerTimeout: 1")
    sock = connect(harness, pki)
    with sock:
        assert read_to_close(sock) == b""  # no request began: no answer is owed
    twin = connect(harness, pki)
    with twin:
        twin.sendall(GET)
        assert one_response(twin).startswith(b"HTTP/1.1 200 ")


# --- body timeout and the total request timeout ----------------------------------------------


def test_body_that_stalls_is_408_and_never_reaches_the_backend(
    start: Callable[[str], Harness], raw: RawBackend, pki: Pki
) -> None:
    harness = start("bodyTimeout: 0.5")
    sock = connect(harness, pki)
    with sock:
        sock.sendall(b"POST /raw/b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc")
        expect_408(read_to_close(sock))
    assert raw.requests == []  # the backend got a truncated body at most, never a request


def test_body_that_keeps_moving_is_served(
    start: Callable[[str], Harness], raw: RawBackend, pki: Pki
) -> None:
    harness = start("bodyTimeout: 2")
    sock = connect(harness, pki)
    with sock:
        sock.sendall(b"POST /raw/b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\n")
        for byte in b"abcdef":
            time.sleep(0.2)  # each pause well within the body timeout
            sock.sendall(bytes([byte]))
        assert one_response(sock).startswith(b"HTTP/1.1 200 ")
    assert [r.body for r in raw.requests] == [b"abcdef"]


DRIP = b"POST /raw/d HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12\r\n\r\n"


def drip(sock: ssl.SSLSocket, body: bytes, pause: float) -> None:
    sock.sendall(DRIP)
    for byte in body:
        time.sleep(pause)
        try:
            sock.sendall(bytes([byte]))
        except (ConnectionError, ssl.SSLError):
            return  # the gateway gave up on us


def test_request_over_the_total_timeout_is_408(
    start: Callable[[str], Harness], raw: RawBackend, pki: Pki
) -> None:
    # Every byte comes within the body timeout, but the whole body takes longer than 1 s.
    harness = start("bodyTimeout: 5; requestTimeout: 1")
    sock = connect(harness, pki)
    with sock:
        drip(sock, b"x" * 12, 0.25)
        expect_408(read_to_close(sock))
    assert raw.requests == []


def test_request_within_the_total_timeout_is_served(
    start: Callable[[str], Harness], raw: RawBackend, pki: Pki
) -> None:
    harness = start("bodyTimeout: 5; requestTimeout: 20")
    sock = connect(harness, pki)
    with sock:
        drip(sock, b"y" * 12, 0.1)
        assert one_response(sock).startswith(b"HTTP/1.1 200 ")
    assert [r.body for r in raw.requests] == [b"y" * 12]


# --- keep-alive idle ---------------------------------------------------------------------------


def test_idle_keepalive_connection_is_closed(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("keepaliveTimeout: 0.5")
    sock = connect(harness, pki)
    with sock:
        sock.sendall(GET)
        assert one_response(sock).startswith(b"HTTP/1.1 200 ")
        assert read_to_close(sock) == b""  # closed without a word once idle


def test_busy_keepalive_connection_stays_open(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("keepaliveTimeout: 3")
    sock = connect(harness, pki)
    with sock:
        for _ in range(5):
            sock.sendall(GET)
            assert one_response(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.2)  # idle, but for less than the keep-alive timeout


# --- a client that stops reading ---------------------------------------------------------------


def test_client_that_stops_reading_is_cut_off(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("sendTimeout: 0.5")
    gateway = harness.gateway
    assert gateway is not None
    size = 64 * 1024 * 1024
    sock = connect(harness, pki)
    with sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(b"GET /echo/bytes/%d HTTP/1.1\r\nHost: localhost\r\n\r\n" % size)
        # We read nothing: the gateway's writes stall, then it gives up on the connection.
        wait_for(lambda: open_connections(harness, gateway) == 0, "the gateway to cut us off")
        assert len(read_to_close(sock)) < size


def test_client_that_reads_gets_everything(start: Callable[[str], Harness], pki: Pki) -> None:
    harness = start("sendTimeout: 5")
    size = 8 * 1024 * 1024
    sock = connect(harness, pki)
    with sock:
        sock.sendall(
            b"GET /echo/bytes/%d HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % size
        )
        head, _, body = read_to_close(sock).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ") and len(body) == size


def open_connections(harness: Harness, gateway: Gateway) -> int:
    return harness.loop.call(lambda: gateway.limits.connections.open)


# --- connections per worker -------------------------------------------------------------------


@pytest.mark.parametrize("setting", ["maxConnections", "maxConnectionsPerClient"])
def test_connections_over_the_cap_are_closed_and_the_others_served(
    start: Callable[[str], Harness], pki: Pki, setting: str
) -> None:
    # Every test connection comes from 127.0.0.1: the per-client cap counts them all too.
    harness = start(f"{setting}: 3")
    gateway = harness.gateway
    assert gateway is not None
    held = [connect(harness, pki) for _ in range(3)]
    try:
        for sock in held:
            sock.sendall(GET)
            assert one_response(sock).startswith(b"HTTP/1.1 200 ")
        extra = connect(harness, pki)
        with extra:
            try:
                extra.sendall(GET)
            except (ConnectionError, ssl.SSLError):
                pass
            assert read_to_close(extra) == b""  # closed at once, nothing answered
        assert harness.loop.call(lambda: gateway.limits.connections.refused) >= 1
        for sock in held:  # the three are unharmed
            sock.sendall(GET)
            assert one_response(sock).startswith(b"HTTP/1.1 200 ")
        held.pop().close()
        wait_for(lambda: open_connections(harness, gateway) == 2, "a place to free up")
        again = connect(harness, pki)  # within the cap again: served
        with again:
            again.sendall(GET)
            assert one_response(again).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()


def test_without_a_per_client_cap_one_address_holds_many_connections(
    start: Callable[[str], Harness], pki: Pki
) -> None:
    harness = start("requestTimeout: 0")  # defaults: no per-client cap
    held = [connect(harness, pki) for _ in range(6)]
    try:
        for sock in held:
            sock.sendall(GET)
            assert one_response(sock).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()


# --- URL length and header count ----------------------------------------------------------------


@pytest.mark.parametrize(("extra", "status"), [(0, 200), (1, 414)])
def test_url_length_limit(
    start: Callable[[str], Harness], pki: Pki, extra: int, status: int
) -> None:
    harness = start("maxUrlBytes: 100")
    target = b"/echo/" + b"a" * (100 - 6 + extra)
    sock = connect(harness, pki)
    with sock:
        request = b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        got = responses(duplex(sock, request))
    assert [r.status for r in got] == [status]


@pytest.mark.parametrize(("count", "status"), [(10, 200), (11, 431)])
def test_header_count_limit(
    start: Callable[[str], Harness], pki: Pki, count: int, status: int
) -> None:
    harness = start("maxHeaderCount: 10")
    headers = b"Host: localhost\r\nConnection: close\r\n" + b"".join(
        b"X-%d: v\r\n" % i for i in range(count - 2)
    )
    sock = connect(harness, pki)
    with sock:
        got = responses(duplex(sock, b"GET /echo/h HTTP/1.1\r\n" + headers + b"\r\n"))
    assert [r.status for r in got] == [status]


# --- slowloris ------------------------------------------------------------------------------------


SLOW_CONNECTIONS = 200


def test_slowloris_connections_are_closed_while_others_are_served(
    start: Callable[[str], Harness], pki: Pki
) -> None:
    """A few hundred connections sending a head a byte at a time: each gets its 408 when the
    header timeout passes, and meanwhile ordinary requests are all answered."""
    harness = start("headerTimeout: 3")
    context = harness.client(pki.client).context()
    line = b"GET /echo/slow HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"s" * 1000
    slow: list[ssl.SSLSocket] = []
    try:
        for _ in range(SLOW_CONNECTIONS):
            sock = harness.client(pki.client).connect(context)
            sock.sendall(line[:1])  # the head begins at once, however long the others take
            sock.setblocking(False)
            slow.append(sock)
        answers: dict[int, bytes] = {}
        stop = threading.Event()

        def trickle() -> None:
            for i in range(1, len(line)):
                for n, sock in enumerate(slow):
                    if n in answers:
                        continue
                    try:
                        sock.send(line[i : i + 1])
                    except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                        pass
                    except (ConnectionError, ssl.SSLError):
                        answers.setdefault(n, b"")
                    try:
                        answers[n] = sock.recv(65536)
                    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        pass
                    except (ConnectionError, ssl.SSLError):
                        answers.setdefault(n, b"")
                if len(answers) == len(slow) or stop.wait(0.3):
                    return

        trickler = threading.Thread(target=trickle)
        trickler.start()
        try:
            client = harness.client(pki.client)
            for i in range(40):
                reply = client.request(f"/echo/normal-{i}")
                assert (reply.status, reply.body) == (200, b"backend-ok")
            wait_for(lambda: len(answers) == len(slow), "every slow connection to be answered")
        finally:
            stop.set()
            trickler.join()
    finally:
        for sock in slow:
            sock.close()
    statuses = {answer[:13] for answer in answers.values()}
    assert statuses == {b"HTTP/1.1 408 "}, statuses
