"""Raw HTTP/1.1 over a client TLS socket: send bytes, read until the gateway closes, split what
came back into responses.

`duplex` sends and receives from one thread on a non-blocking socket. An `ssl.SSLSocket` must
not be used by two threads at once (a `sendall` in one and `recv` in another): OpenSSL's state
is shared, and with a socket timeout CPython's retry loop can read the other call's
WANT_READ/WANT_WRITE and wait on the wrong condition (CPython issue 77271) — a test then hangs
or sees the connection end early, now and then, under load.
"""

from __future__ import annotations

import selectors
import ssl
import time
from dataclasses import dataclass


def duplex(sock: ssl.SSLSocket, data: bytes, timeout: float = 30.0) -> bytes:
    """Send `data` while reading whatever comes back, until the peer closes (or `timeout`
    seconds pass: TimeoutError). A peer that closes before taking everything ends the sending."""
    sock.setblocking(False)
    pending = memoryview(data)
    received = bytearray()
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        while True:
            moved = False
            try:
                while True:  # drain: decrypted bytes may wait where select cannot see them
                    piece = sock.recv(1 << 20)
                    if not piece:
                        return bytes(received)
                    received += piece
                    moved = True
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            except (ConnectionError, ssl.SSLError):
                return bytes(received)  # reset after a rejection: what came is the answer
            if pending:
                try:
                    sent = sock.send(pending[: 1 << 16])
                    pending = pending[sent:]
                    moved = True
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except (ConnectionError, ssl.SSLError):
                    pending = pending[:0]  # the gateway closed: read what it said
            if moved:
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no close after {timeout} s; {len(received)} bytes read")
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if pending else 0)
            selector.modify(sock, events)
            selector.select(min(left, 1.0))


@dataclass
class RawResponse:
    status: int
    head: bytes
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    @property
    def closes(self) -> bool:
        return (self.header(b"connection") or b"").lower() == b"close"


def responses(data: bytes) -> list[RawResponse]:
    """Split bytes into responses (Content-Length framed, 1xx without body); what cannot be
    split ends the list with a status-0 entry holding the rest."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"HTTP/1.1 "):
            out.append(RawResponse(0, data, b""))
            break
        status = int(head[9:12])
        response = RawResponse(status, head, b"")
        length = response.header(b"content-length")
        size = int(length) if length is not None and status >= 200 else 0
        response.body, data = rest[:size], rest[size:]
        out.append(response)
    return out
