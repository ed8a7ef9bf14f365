"""`context.Request`, `context.Response` and their bodies (`IMessageBody`), spec §2.10-2.11.

Headers stay a list of raw (name, value) pairs, which is what the data plane forwards; the C#
dictionary view is built on first read and dropped whenever a policy changes the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar
from urllib.parse import quote_plus, unquote_to_bytes

from certgate.core.certs import X509Certificate2
from certgate.core.expr import (
    CsArray,
    CsTypeRef,
    KeyValuePair,
    ReadOnlyDictionary,
    to_string,
    utf16,
)
from certgate.core.expr import exceptions as exc
from certgate.core.expr.binary import CsBytes
from certgate.core.expr.collections import iterate
from certgate.core.expr.dictionary import CsDictionary
from certgate.core.expr.generic import CsList
from certgate.core.expr.jsonconvert import BODY_CONVERTERS
from certgate.core.expr.static import HEADERS, REFS, STRING, SType, read_only_dictionary
from certgate.core.expr.types import CsObject
from certgate.core.expr.xlinq import BODY_CONVERTERS as XML_BODY_CONVERTERS
from certgate.core.model import Header, Response, set_header
from certgate.core.url import UrlInfo
from certgate.errors import ExpressionRuntimeError


def headers_dictionary(headers: list[Header]) -> ReadOnlyDictionary:
    """`IReadOnlyDictionary<string, string[]>`, case-insensitive names, values in arrival order."""
    grouped: dict[str, list[str]] = {}
    by_lower: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1")
        key = by_lower.setdefault(name.lower(), name)
        grouped.setdefault(key, []).append(raw_value.decode("latin-1"))
    return ReadOnlyDictionary(
        {k: CsArray(v) for k, v in grouped.items()}, ignore_case=True, comma_join=True
    )


_STRING = REFS["System.String"]
_STRING_LIST = CsTypeRef("System.Collections.Generic.IList`1[System.String]", (CsList, CsArray))


def parse_form(data: bytes) -> list[tuple[str, str]]:
    """`application/x-www-form-urlencoded` fields in order (WHATWG URL §5.1): `&`-separated,
    empty pieces skipped, a piece without `=` is a name with the value "", `+` is a space, then
    percent-decoding and UTF-8 (an invalid sequence becomes U+FFFD)."""
    fields: list[tuple[str, str]] = []
    for piece in data.split(b"&"):
        if piece:
            name, _, value = piece.partition(b"=")
            fields.append((_form_decode(name), _form_decode(value)))
    return fields


def _form_decode(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", errors="replace")


def _form_encode(text: str) -> str:
    """.NET's FormUrlEncodedContent: `Uri.EscapeDataString` (all but A-Z a-z 0-9 - . _ ~, as
    UTF-8), then `+` for a space. A lone surrogate is written as U+FFFD, as .NET does."""
    return quote_plus(utf16.well_formed(text), safe="")


class FormDictionary(CsDictionary):
    """`IDictionary<string, IList<string>>` from `Body.AsFormUrlEncodedContent()`: each field name
    once, in order of first appearance, with its values in arrival order. Names compare ordinally
    (a `Dictionary`'s default; APIM does not document it). The lists belong to the policy, as in
    APIM (`body["tag"].Add("x")`), and `ToFormUrlEncodedContent()` writes the form back."""

    __slots__ = ()
    CS_MEMBERS = CsDictionary.CS_MEMBERS | {"ToFormUrlEncodedContent"}

    def __init__(self, fields: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(_STRING, _STRING_LIST)
        lists: dict[str, CsList] = {}
        for name, value in fields:
            values = lists.get(name)
            if values is None:
                values = lists[name] = CsList(_STRING)
                self.Add(name, values)
            values.Add(value)

    def ToFormUrlEncodedContent(self) -> str:
        """The fields as a form body again: one `name=value` per value (a name whose list is
        empty writes nothing), `&`-separated, encoded as .NET's FormUrlEncodedContent does."""
        pieces: list[str] = []
        for pair in self:
            assert isinstance(pair, KeyValuePair)
            if pair.Value is None:
                raise exc.null_reference()
            name = _form_encode(to_string(pair.Key))
            pieces.extend(f"{name}={_form_encode(to_string(v))}" for v in iterate(pair.Value))
        return "&".join(pieces)


class MessageBody(CsObject):
    """`IMessageBody`. Reading without `preserveContent: true` consumes it (spec §2.10): a later
    read throws, and the message goes on without a body unless a policy sets a new one."""

    __slots__ = ("consumed", "data")
    CS_TYPE = "IMessageBody"
    CS_MEMBERS = frozenset({"As", "AsFormUrlEncodedContent"})
    CS_GENERIC_METHODS = frozenset({"As"})
    #: CLR type name → conversion from bytes. JSON/XML runtime modules add theirs when imported.
    CONVERTERS: ClassVar[dict[str, Callable[[bytes], object]]] = {
        "System.String": lambda data: data.decode("utf-8-sig", errors="replace"),
        "System.Byte[]": CsBytes,
    }

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.consumed = False

    def As(
        self,
        preserveContent: bool = False,
        *,
        type_args: tuple[CsTypeRef, ...] = (),
    ) -> object:
        target = type_args[0].name if type_args else "System.String"
        convert = self.CONVERTERS.get(target)
        if convert is None:
            raise ExpressionRuntimeError(
                "NotSupportedException", f"not supported yet: Body.As<{target}>()"
            )
        return convert(self._read(preserveContent))

    def AsFormUrlEncodedContent(self, preserveContent: bool = False) -> FormDictionary:
        """The body parsed as `application/x-www-form-urlencoded` (whatever its Content-Type);
        it consumes the body as `As<T>()` does."""
        return FormDictionary(parse_form(self._read(preserveContent)))

    def _read(self, preserve: bool) -> bytes:
        if self.consumed:
            raise ExpressionRuntimeError(
                "InvalidOperationException",
                "The message body has already been read; use preserveContent: true to read it "
                "more than once.",
            )
        if not preserve:
            self.consumed = True
        return self.data

    def to_send(self) -> bytes:
        return b"" if self.consumed else self.data


# Body.As<JObject>() / <JToken>() / <JArray>(): the JSON runtime's converters.
MessageBody.CONVERTERS.update(BODY_CONVERTERS)
MessageBody.CONVERTERS.update(XML_BODY_CONVERTERS)  # As<XDocument>() / <XElement>() / <XNode>()


class RequestInfo(CsObject):
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "Headers": HEADERS,
        "MatchedParameters": read_only_dictionary(STRING, STRING),
    }
    __slots__ = (
        "IpAddress",
        "Method",
        "Url",
        "_body",
        "_cert",
        "_cert_loader",
        "_headers",
        "_matched",
        "_original_url",
        "headers",
    )
    CS_TYPE = "IRequest"
    CS_MEMBERS = frozenset(
        {
            "Body",
            "Certificate",
            "Headers",
            "IpAddress",
            "MatchedParameters",
            "Method",
            "OriginalUrl",
            "Url",
        }
    )
    Method: str
    Url: UrlInfo
    IpAddress: str

    def __init__(
        self,
        method: str,
        url: UrlInfo,
        original_url: UrlInfo | Callable[[], UrlInfo],
        headers: list[Header],
        ip_address: str,
        cert_loader: Callable[[], X509Certificate2 | None],
        matched: ReadOnlyDictionary | dict[str, str],
        body: bytes | None = None,
    ) -> None:
        # `OriginalUrl` and `MatchedParameters` may come unbuilt (a function, a plain dict): the
        # data plane builds them on first read, as few policies look at them.
        self.Method = method
        self.Url = url
        self._original_url = original_url
        self.IpAddress = ip_address
        self._matched = matched
        self.headers = headers  # forwarded as they are unless a policy changes them
        self._headers: ReadOnlyDictionary | None = None
        self._cert_loader = cert_loader
        self._cert: X509Certificate2 | bool | None = False  # False = not looked up yet
        self._body = MessageBody(body) if body else None

    @property
    def OriginalUrl(self) -> UrlInfo:
        url = self._original_url
        if not isinstance(url, UrlInfo):
            url = self._original_url = url()
        return url

    @property
    def MatchedParameters(self) -> ReadOnlyDictionary:
        matched = self._matched
        if not isinstance(matched, ReadOnlyDictionary):
            matched = self._matched = ReadOnlyDictionary(matched, ignore_case=True)
        return matched

    @property
    def Headers(self) -> ReadOnlyDictionary:
        if self._headers is None:
            self._headers = headers_dictionary(self.headers)
        return self._headers

    @property
    def Certificate(self) -> X509Certificate2 | None:
        if self._cert is False:
            self._cert = self._cert_loader()
        return self._cert  # type: ignore[return-value]

    @property
    def Body(self) -> MessageBody | None:
        return self._body

    def set_header(self, name: str, values: list[str], action: str) -> None:
        set_header(self.headers, name, values, action)
        self._headers = None

    def set_body(self, data: bytes) -> None:
        self._body = MessageBody(data)

    def body_to_send(self) -> bytes | None:
        """None: forward the client's body untouched (it was not buffered, or never looked at)."""
        return None if self._body is None else self._body.to_send()


class ResponseView(CsObject):
    """`context.Response` (and `IResponse` values): the response being built or relayed."""

    __slots__ = ("_body", "_headers", "response")
    CS_TYPE = "IResponse"
    CS_MEMBERS = frozenset({"Body", "Headers", "StatusCode", "StatusReason"})
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"Headers": HEADERS}

    def __init__(self, response: Response) -> None:
        self.response = response
        self._headers: ReadOnlyDictionary | None = None
        self._body: MessageBody | None = None

    @property
    def StatusCode(self) -> int:
        return self.response.status

    @property
    def StatusReason(self) -> str:
        return self.response.reason_text

    @property
    def Headers(self) -> ReadOnlyDictionary:
        if self._headers is None:
            self._headers = headers_dictionary(self.response.headers)
        return self._headers

    @property
    def Body(self) -> MessageBody:
        if self._body is None:
            self._body = MessageBody(self.response.body)
        return self._body

    def set_header(self, name: str, values: list[str], action: str) -> None:
        set_header(self.response.headers, name, values, action)
        self._headers = None

    def set_body(self, data: bytes) -> None:
        self.response.body = data
        self._body = None

    def body_consumed(self) -> bool:
        return self._body is not None and self._body.consumed
