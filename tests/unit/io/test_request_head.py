"""The backend request's copied header lines, remembered for the next request with the same
headers (io.proxy._copied)."""

from __future__ import annotations

from certgate.core.model import Header
from certgate.io.proxy import _copied


def test_the_same_headers_give_the_same_lines() -> None:
    first: list[Header] = [(b"Host", b"a"), (b"Accept", b"*/*"), (b"X-Forwarded-For", b"10.0.0.1")]
    second = list(first)  # another request's list, same content
    assert _copied(first) == (b"Accept: */*\r\n", b"10.0.0.1", None, None)
    assert _copied(second) == _copied(first)


def test_a_list_edited_in_place_is_read_again() -> None:
    """A policy's set-header edits the request's list in place, e.g. between two
    forward-request calls: the remembered lines must not be those of the list before."""
    headers: list[Header] = [(b"Accept", b"*/*"), (b"Connection", b"keep-alive")]
    assert _copied(headers)[0] == b"Accept: */*\r\n"
    headers.append((b"X-Trace", b"1"))
    assert _copied(headers)[0] == b"Accept: */*\r\nX-Trace: 1\r\n"
    headers[:] = [(b"Connection", b"close, X-Trace"), (b"X-Trace", b"2"), (b"Accept", b"a")]
    assert _copied(headers)[0] == b"Accept: a\r\n"  # the header Connection names stays here
