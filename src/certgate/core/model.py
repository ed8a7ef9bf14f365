"""Small HTTP value types shared by the core and the I/O shell.

Header names and values stay bytes as they came off the wire: the data plane forwards them without
decoding, and only the policy context decodes (latin-1, like .NET's HTTP stack) what an expression
actually reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus

Header = tuple[bytes, bytes]

# Connection-scoped headers (RFC 9110 §7.6.1) never cross the proxy, in either direction.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
    }
)

_PHRASES = {s.value: s.phrase for s in HTTPStatus}


def end_to_end(headers: list[Header], also_drop: frozenset[bytes] = frozenset()) -> list[Header]:
    """Headers minus hop-by-hop ones, including those the Connection header names (RFC 9110
    §7.6.1), minus `also_drop` (lower-case names)."""
    drop = HOP_BY_HOP | also_drop
    for name, value in headers:
        if name.lower() == b"connection":
            drop = drop | {t.strip().lower() for t in value.split(b",") if t.strip()}
    return [(n, v) for n, v in headers if n.lower() not in drop]


def reason_phrase(status: int) -> str:
    """Standard reason phrase of a status code ('' when the code has none)."""
    return _PHRASES.get(status, "")


def header_value(headers: list[Header], name: bytes) -> bytes | None:
    """All values of `name` (lower-case) joined by ', ', or None."""
    found = [v for n, v in headers if n.lower() == name]
    return b", ".join(found) if found else None


@dataclass(slots=True)
class Response:
    """A response being built or relayed. `reason` None means the standard phrase."""

    status: int = 200
    reason: str | None = None
    headers: list[Header] = field(default_factory=list)
    body: bytes = b""
    from_backend: bool = False

    @property
    def reason_text(self) -> str:
        return self.reason if self.reason is not None else reason_phrase(self.status)


def gateway_error(status: int, message: str, activity_id: str) -> Response:
    """A response the gateway itself generates (no route, backend failure, unhandled error).

    Shape as APIM's: `{"statusCode": N, "message": "...", "activityId": "<request id>"}`.
    """
    body = json.dumps(
        {"statusCode": status, "message": message, "activityId": activity_id},
        separators=(", ", ": "),
    ).encode()
    return Response(
        status=status,
        headers=[(b"Content-Type", b"application/json; charset=utf-8")],
        body=body,
    )


# Headers that may contain commas or dates: several values go out as repeated lines, not joined
# (spec §5.6). Every other header with several values is sent once, values joined by ",".
_REPEATED = frozenset(
    {
        b"user-agent",
        b"www-authenticate",
        b"proxy-authenticate",
        b"cookie",
        b"set-cookie",
        b"warning",
        b"date",
        b"expires",
        b"if-modified-since",
        b"if-unmodified-since",
        b"last-modified",
        b"retry-after",
    }
)

EXISTS_ACTIONS = ("override", "skip", "append", "delete")


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# What a header value or reason phrase may hold (RFC 9110 §5.5): HTAB, SP, VCHAR and obs-text.
# Anything else would split the message (CR, LF) or cannot be sent as a byte (beyond Latin-1).
_NOT_FIELD_TEXT = re.compile(r"[^\t\x20-\x7e\x80-\xff]")


def field_text_problem(text: str) -> str | None:
    """Why `text` cannot be a header value or reason phrase, or None when it can."""
    bad = _NOT_FIELD_TEXT.search(text)
    if bad is None:
        return None
    code = ord(bad.group())
    if code > 0xFF:
        return f"the character U+{code:04X} is outside Latin-1"
    return f"it holds the control character 0x{code:02X}"


def header_name_problem(name: str) -> str | None:
    """Why `name` cannot be a header name (an RFC 9110 token), or None when it can."""
    if _TOKEN.fullmatch(name):
        return None
    return "a header name is a token: letters, digits and !#$%&'*+-.^_`|~"


def set_header(headers: list[Header], name: str, values: list[str], action: str) -> None:
    """APIM's `set-header` on a header list, in place (spec §5.6); the name and values are
    ones HTTP can carry (`header_name_problem`, `field_text_problem`)."""
    key = name.lower().encode("latin-1")
    existing = [v for n, v in headers if n.lower() == key]
    if action == "skip" and existing:
        return
    new = [v.encode("latin-1") for v in values]
    if action == "append":
        new = existing + new
    headers[:] = [(n, v) for n, v in headers if n.lower() != key]
    if action == "delete":
        return
    raw_name = name.encode("latin-1")
    if key in _REPEATED:
        headers.extend((raw_name, v) for v in new)
    else:
        headers.append((raw_name, b",".join(new)))
