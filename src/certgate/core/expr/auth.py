"""APIM's string extension methods `AsJwt`/`TryParseJwt` and `AsBasic`/`TryParseBasic` (spec
§2.15), with the `Jwt` and `BasicAuthCredentials` types they return.

A JWT is parsed without validation: three Base64url segments, the first two JSON objects. Claims
map each name to a `string[]` (an array claim gives its items; numbers and booleans their JSON
text, as APIM's claim strings show them). `exp`/`nbf`/`iat` become UTC `DateTime?`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, ClassVar

from .arrays import CsArray
from .collections import ReadOnlyDictionary
from .datetime import TICKS_PER_SECOND, UNIX_EPOCH_TICKS, UTC, DateTime
from .static import BOOL, HEADERS, SType
from .types import CsObject


def _b64url(segment: str) -> bytes:
    padded = segment + "=" * (-len(segment) % 4)
    return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)


def _claim_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _date(value: object) -> DateTime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    ticks = UNIX_EPOCH_TICKS + int(value) * TICKS_PER_SECOND
    try:
        return DateTime(ticks, UTC)
    except Exception:
        return None


class Jwt(CsObject):
    __slots__ = ("Claims", "_header", "_payload")
    CS_TYPE = "Jwt"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {
            "Algorithm",
            "Audiences",
            "Claims",
            "ExpirationTime",
            "Id",
            "Issuer",
            "IssuedAt",
            "NotBefore",
            "Subject",
            "Type",
            "ToString",
        }
    )
    # IReadOnlyDictionary<string, string[]>, as the headers
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"Claims": HEADERS}
    Claims: ReadOnlyDictionary

    def __init__(self, header: dict[str, Any], payload: dict[str, Any]) -> None:
        self._header = header
        self._payload = payload
        claims: dict[str, object] = {}
        for name, value in payload.items():
            items = value if isinstance(value, list) else [value]
            claims[name] = CsArray(_claim_text(item) for item in items)
        self.Claims = ReadOnlyDictionary(claims, cs_type="IReadOnlyDictionary", comma_join=True)

    def _text(self, source: dict[str, Any], name: str) -> str | None:
        value = source.get(name)
        return None if value is None else _claim_text(value)

    @property
    def Algorithm(self) -> str | None:
        return self._text(self._header, "alg")

    @property
    def Type(self) -> str | None:
        return self._text(self._header, "typ")

    @property
    def Id(self) -> str | None:
        return self._text(self._payload, "jti")

    @property
    def Issuer(self) -> str | None:
        return self._text(self._payload, "iss")

    @property
    def Subject(self) -> str | None:
        return self._text(self._payload, "sub")

    @property
    def Audiences(self) -> CsArray:
        value = self._payload.get("aud")
        items = value if isinstance(value, list) else [] if value is None else [value]
        return CsArray(_claim_text(item) for item in items)

    @property
    def ExpirationTime(self) -> DateTime | None:
        return _date(self._payload.get("exp"))

    @property
    def NotBefore(self) -> DateTime | None:
        return _date(self._payload.get("nbf"))

    @property
    def IssuedAt(self) -> DateTime | None:
        return _date(self._payload.get("iat"))

    def ToString(self) -> str:
        return "Jwt"


def as_jwt(text: str) -> Jwt | None:
    parts = text.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    try:
        header = json.loads(_b64url(parts[0]))
        payload = json.loads(_b64url(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    return Jwt(header, payload)


def try_parse_jwt(text: str) -> tuple[bool, Jwt | None]:
    jwt = as_jwt(text)
    return jwt is not None, jwt


class BasicAuthCredentials(CsObject):
    __slots__ = ("Password", "UserId")
    CS_TYPE = "BasicAuthCredentials"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset({"UserId", "Password", "ToString"})
    UserId: str
    Password: str

    def __init__(self, user_id: str, password: str) -> None:
        self.UserId = user_id
        self.Password = password

    def ToString(self) -> str:
        return "BasicAuthCredentials"


def as_basic(text: str) -> BasicAuthCredentials | None:
    """`Basic <base64(user:password)>` (the scheme is optional and case-insensitive)."""
    value = text.strip()
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() == "basic":
        value = rest.strip()
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    return BasicAuthCredentials(user, password)


def try_parse_basic(text: str) -> tuple[bool, BasicAuthCredentials | None]:
    credentials = as_basic(text)
    return credentials is not None, credentials


STRING_EXTENSIONS = {
    "AsJwt": as_jwt,
    "AsBasic": as_basic,
    "TryParseJwt": try_parse_jwt,
    "TryParseBasic": try_parse_basic,
}
STRING_OUT_METHODS = {"TryParseJwt": 1, "TryParseBasic": 1}
_JWT, _BASIC = SType("Jwt", Jwt), SType("BasicAuthCredentials", BasicAuthCredentials)
STRING_EXTENSION_TYPES = {
    "AsJwt": _JWT,
    "AsBasic": _BASIC,
    "TryParseJwt": BOOL,
    "TryParseBasic": BOOL,
}
STRING_OUT_TYPES = {"TryParseJwt": (_JWT,), "TryParseBasic": (_BASIC,)}
