"""`IUrl`: the URL a request goes to (`context.Request.Url`) or came in as (`OriginalUrl`).

`context.Request.Url` starts as the API's `serviceUrl` plus the rest of the client's path and its
query (spec §2.10); `set-backend-service` replaces the service-URL part, `rewrite-uri` the rest,
`set-query-parameter` the query. The query stays a raw string until a policy reads or changes it.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from certgate.core.expr import CsArray, ReadOnlyDictionary
from certgate.core.expr.static import HEADERS, SType
from certgate.core.expr.types import CsObject

# What a path may hold as is (RFC 3986 pchar, '/' and existing %-escapes); the rest is escaped as
# UTF-8, as .NET's Uri does ("/a b" is "/a%20b"), so no policy can put CR LF in a request line.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/%:@!$&'()*+,;=\-._~]*")
_HOST = re.compile(r"[A-Za-z0-9\-._~%]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")


def escape_path(path: str) -> str:
    return path if _PLAIN_PATH.fullmatch(path) else quote(path, safe=_PATH_SAFE)


class UrlInfo(CsObject):
    __slots__ = ("Host", "Path", "Port", "Scheme", "_base", "_pairs", "_query", "_raw_query")
    CS_TYPE = "IUrl"
    CS_MEMBERS = frozenset(
        {"Host", "Path", "Port", "Query", "QueryString", "Scheme", "ToString", "ToUri"}
    )
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"Query": HEADERS}
    Scheme: str
    Host: str
    Port: int
    Path: str

    def __init__(
        self, scheme: str, host: str, port: int, path: str, query: str, base_path: str = ""
    ) -> None:
        self.Scheme = scheme
        self.Host = host
        self.Port = port
        self.Path = path
        self._base = base_path  # the service-URL part of Path (what set-backend-service replaces)
        self._raw_query = query
        self._pairs: list[tuple[str, str]] | None = None
        self._query: ReadOnlyDictionary | None = None

    @classmethod
    def parse(cls, url: str) -> UrlInfo:
        """An absolute URL; ValueError names what is wrong with a bad host or port."""
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)  # ValueError: a bad port
        host = parts.hostname or ""
        if not host.isascii():
            host = host.encode("idna").decode("ascii")  # as .NET's Uri.IdnHost
        if host and not _HOST.fullmatch(host):
            raise ValueError(f"'{host}' is not a host name")
        path = escape_path(parts.path or "/")
        return cls(scheme, host, port, path, parts.query, path.rstrip("/"))

    # --- C# members ---
    @property
    def QueryString(self) -> str:
        query = self.raw_query()
        return f"?{query}" if query else ""

    @property
    def Query(self) -> ReadOnlyDictionary:
        if self._query is None:
            grouped: dict[str, list[str]] = {}
            for key, value in self.pairs():
                grouped.setdefault(key, []).append(value)
            self._query = ReadOnlyDictionary(
                {k: CsArray(v) for k, v in grouped.items()}, ignore_case=True, comma_join=True
            )
        return self._query

    def ToString(self) -> str:
        return f"{self.Scheme}://{self.authority()}{self.target()}"

    def ToUri(self) -> str:
        return self.ToString()

    # --- for the gateway ---
    def raw_query(self) -> str:
        if self._pairs is not None:
            return urlencode(self._pairs, quote_via=quote, safe="")
        return self._raw_query

    def pairs(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = parse_qsl(self._raw_query, keep_blank_values=True)
        return self._pairs

    def authority(self) -> str:
        default = 443 if self.Scheme == "https" else 80
        host = f"[{self.Host}]" if ":" in self.Host else self.Host  # an IPv6 literal
        return host if self.Port == default else f"{host}:{self.Port}"

    def target(self) -> str:
        """Request target for the backend: path plus query (QueryString, inlined: every
        request)."""
        query = self._raw_query if self._pairs is None else self.raw_query()
        return f"{self.Path}?{query}" if query else self.Path

    def base_key(self) -> tuple[str, str, int, str]:
        """The service URL this request goes to, compared with backend entities' URLs."""
        return self.Scheme.lower(), self.Host.lower(), self.Port, self._base.rstrip("/")

    @property
    def rest(self) -> str:
        """The part of Path after the service URL's path."""
        return self.Path[len(self._base) :]

    def set_base(self, base_url: str | UrlInfo) -> None:
        """`set-backend-service base-url`: a new scheme, host, port and base path (a string:
        ValueError for a bad host or port)."""
        new = base_url if isinstance(base_url, UrlInfo) else UrlInfo.parse(base_url)
        rest = self.rest
        self.Scheme, self.Host, self.Port = new.Scheme, new.Host, new.Port
        self._base = new._base
        self.Path = (self._base + rest) or "/"

    def set_rest(self, path: str) -> None:
        """`rewrite-uri`: the path after the service URL becomes `path`."""
        rest = path if path.startswith("/") else "/" + path
        self.Path = self._base + escape_path(rest)

    def set_query(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._query = None

    def set_query_parameter(self, name: str, values: list[str], action: str) -> None:
        """`set-query-parameter` (spec §8): names compare case-insensitively, as APIM's Query."""
        pairs = self.pairs()
        key = name.lower()
        existing = [v for k, v in pairs if k.lower() == key]
        if action == "skip" and existing:
            return
        kept = [(k, v) for k, v in pairs if k.lower() != key]
        if action == "delete":
            self.set_query(kept)
            return
        new = (existing if action == "append" else []) + values
        self.set_query(kept + [(name, v) for v in new])
