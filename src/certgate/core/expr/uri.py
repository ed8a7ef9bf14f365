"""`System.Uri` (absolute URIs) and its escaping statics.

Covers what policies use: the parts (`Scheme`, `Host`, `Port`, `AbsolutePath`, `Query`, ...),
`AbsoluteUri`/`ToString()` with .NET's normalisation (lower-case scheme and host, default port
dropped, dot segments removed, an empty path becomes "/"), relative resolution `new Uri(base,
relative)`, and `EscapeDataString`/`UnescapeDataString` (RFC 3986 unreserved set, as .NET 5+).
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar
from urllib.parse import urljoin

from . import exceptions as exc
from .arrays import CsArray
from .strings import CsEnum, enum_members
from .types import CsObject
from .utf16 import well_formed

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443, "ldap": 389}
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# characters AbsoluteUri keeps as they are in a path/query (RFC 3986 reserved + unreserved + %)
_URI_KEEP = _UNRESERVED | frozenset(b":/?#[]@!$&'()*+,;=%")
_PARTS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):(?://(?P<authority>[^/?#]*))?(?P<path>[^?#]*)"
    r"(?P<query>\?[^#]*)?(?P<fragment>#.*)?\Z",
    re.DOTALL,
)


class UriPartial(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.UriPartial"


URI_PARTIAL = enum_members(UriPartial, "Scheme", "Authority", "Path", "Query")


def _invalid(
    message: str = "Invalid URI: The format of the URI could not be determined.",
) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("UriFormatException", message)


def _escape(text: str, keep: frozenset[int]) -> str:
    """Percent-encoded UTF-8; a lone surrogate as U+FFFD's bytes (.NET 8's
    `UriHelper.EscapeStringToBuilder` takes `Rune.ReplacementChar`; .NET Framework threw)."""
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in well_formed(text).encode())


_ESCAPED = re.compile(r"%([0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _normalise(text: str) -> str:
    """Escape what must be, and decode escapes of unreserved characters (`%41` -> `A`)."""

    def decode(match: re.Match[str]) -> str:
        byte = int(match.group(1), 16)
        return chr(byte) if byte in _UNRESERVED else match.group(0)

    text = _LONE_PERCENT.sub("%25", text)  # `100%` is not an escape: .NET escapes the '%'
    return _ESCAPED.sub(decode, _escape(text, _URI_KEEP | {ord("#")}))


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment in (".", "%2E", "%2e"):
            if last:
                output.append("")
            continue
        if segment in ("..", "%2E%2E", "%2e%2e"):
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
            continue
        output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


class Uri(CsObject):
    __slots__ = (
        "_fragment",
        "_host",
        "_original",
        "_path",
        "_port",
        "_query",
        "_scheme",
        "_user",
    )
    CS_TYPE = "System.Uri"
    CS_EQUALITY_OPERATOR = True  # `==` and `!=` call Equals (scheme and host ignore case)
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {
            "AbsolutePath",
            "AbsoluteUri",
            "Authority",
            "DnsSafeHost",
            "Fragment",
            "GetLeftPart",
            "Host",
            "IdnHost",
            "IsAbsoluteUri",
            "IsDefaultPort",
            "IsLoopback",
            "LocalPath",
            "OriginalString",
            "PathAndQuery",
            "Port",
            "Query",
            "Scheme",
            "Segments",
            "ToString",
            "UserInfo",
            "Equals",
            "IsBaseOf",
            "IsWellFormedOriginalString",
            "MakeRelative",
            "MakeRelativeUri",
        }
    )

    def __init__(self, text: str) -> None:
        self._original = text
        stripped = text.strip()
        match = _PARTS.match(stripped)
        if match is None:
            raise _invalid()
        scheme = match["scheme"].lower()
        authority = match["authority"]
        if authority is None:
            if scheme not in ("mailto", "urn", "data", "tel", "news"):
                raise _invalid()
            authority = ""
        user, _, hostport = authority.rpartition("@")
        host, port = hostport, -1
        if hostport.startswith("["):
            end = hostport.find("]")
            host, rest = hostport[: end + 1], hostport[end + 1 :]
            if rest.startswith(":") and rest[1:]:
                port = self._port_of(rest[1:])
        elif ":" in hostport:
            host, _, port_text = hostport.partition(":")
            if port_text:
                port = self._port_of(port_text)
        if not host and scheme in _DEFAULT_PORTS:
            raise _invalid("Invalid URI: The hostname could not be parsed.")
        if port == -1:
            port = _DEFAULT_PORTS.get(scheme, -1)
        self._scheme = scheme
        self._user = user
        self._host = host.lower()
        self._port = port
        path = match["path"].replace("\\", "/") if scheme in _DEFAULT_PORTS else match["path"]
        if scheme in _DEFAULT_PORTS or authority:
            path = _remove_dot_segments(path) if path else "/"
        self._path = _normalise(path)
        self._query = _normalise(match["query"] or "")
        self._fragment = _normalise(match["fragment"] or "")

    @staticmethod
    def _port_of(text: str) -> int:
        if not text.isdigit() or int(text) > 65535:
            raise _invalid("Invalid URI: Invalid port specified.")
        return int(text)

    @property
    def Scheme(self) -> str:
        return self._scheme

    @property
    def Host(self) -> str:
        return self._host

    @property
    def DnsSafeHost(self) -> str:
        return self._host.strip("[]")

    @property
    def IdnHost(self) -> str:
        """The host for DNS: IPv6 without brackets, non-ASCII labels in Punycode (`xn--`), as
        UTS #46 non-transitional processing does for lower-case NFC labels (ß stays ß)."""
        host = self.DnsSafeHost
        if host.isascii():
            return host
        labels = unicodedata.normalize("NFC", host).split(".")
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        )

    @property
    def Port(self) -> int:
        return self._port

    @property
    def IsDefaultPort(self) -> bool:
        return _DEFAULT_PORTS.get(self._scheme) == self._port

    @property
    def IsAbsoluteUri(self) -> bool:
        return True

    @property
    def IsLoopback(self) -> bool:
        return self._host in ("localhost", "127.0.0.1", "[::1]") or self._host.startswith("127.")

    @property
    def UserInfo(self) -> str:
        return self._user

    @property
    def Authority(self) -> str:
        if not self._host:
            return ""
        return (
            self._host if self.IsDefaultPort or self._port == -1 else f"{self._host}:{self._port}"
        )

    @property
    def AbsolutePath(self) -> str:
        return self._path

    @property
    def LocalPath(self) -> str:
        return unescape_data_string(self._path) or ""

    @property
    def Query(self) -> str:
        return self._query

    @property
    def Fragment(self) -> str:
        return self._fragment

    @property
    def PathAndQuery(self) -> str:
        return self._path + self._query

    @property
    def OriginalString(self) -> str:
        return self._original

    @property
    def Segments(self) -> CsArray:
        parts = re.findall(r"[^/]*/|[^/]+$", self._path)
        return CsArray(parts)

    def _prefix(self) -> str:
        if not self._host and self._scheme not in _DEFAULT_PORTS:
            return f"{self._scheme}:"
        user = f"{self._user}@" if self._user else ""
        return f"{self._scheme}://{user}{self.Authority}"

    @property
    def AbsoluteUri(self) -> str:
        return self._prefix() + self._path + self._query + self._fragment

    def GetLeftPart(self, part: object) -> str:
        if not isinstance(part, UriPartial):
            raise exc.invalid_cast(part, "System.UriPartial")
        if part.name == "Scheme":
            return f"{self._scheme}://" if self._host else f"{self._scheme}:"
        if part.name == "Authority":  # "" for a URI without one (mailto:, urn:)
            return "" if not self._host and self._scheme not in _DEFAULT_PORTS else self._prefix()
        if part.name == "Path":
            return self._prefix() + self._path
        return self._prefix() + self._path + self._query

    def Equals(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Uri(other)
            except exc.ExpressionRuntimeError:
                return False
        return (
            isinstance(other, Uri)
            and not isinstance(other, RelativeUri)
            and (other.AbsoluteUri.split("#")[0] == self.AbsoluteUri.split("#")[0])
        )

    def equality_key(self) -> tuple[str]:
        """For hashing (`keys.hash_key`: HashSet<Uri>, Distinct): what Equals compares."""
        return (self.AbsoluteUri.split("#")[0],)

    def IsBaseOf(self, uri: object) -> bool:
        """Whether `uri` (resolved against this one when relative) lies under this URI's last
        path segment, compared without the fragment (.NET's TestForSubPath)."""
        other = _uri_argument(uri, "uri")
        if isinstance(other, RelativeUri):
            other = new_uri(self, other)
        if other._scheme != self._scheme:
            return False
        return _sub_path(self.AbsoluteUri.split("#")[0], other.AbsoluteUri.split("#")[0])

    def _relative_path(self, other: object, param: str) -> tuple[Uri, str | None]:
        """(the other URI, the path from this one to it; None for another scheme/host/port)."""
        target = _uri_argument(other, param)
        if isinstance(target, RelativeUri):
            raise _relative_not_supported()
        same = (target._scheme, target._host, target._port) == (
            self._scheme,
            self._host,
            self._port,
        )
        return target, _path_difference(self._path, target._path) if same else None

    def MakeRelativeUri(self, uri: object) -> Uri:
        """The relative URI from this one to `uri` (`uri` itself for another scheme, host or
        port); a colon in the first segment gets a "./" prefix."""
        target, path = self._relative_path(uri, "uri")
        if path is None:
            return target
        if _colon_first(path):
            path = "./" + path
        return RelativeUri(path + target._query + target._fragment)

    def MakeRelative(self, toUri: object) -> str:
        """The obsolete form: the path difference only (no query), or the other URI's text."""
        target, path = self._relative_path(toUri, "toUri")
        return target.ToString() if path is None else path

    def IsWellFormedOriginalString(self) -> bool:
        """No character that needs escaping (non-ASCII is fine: IRI), no backslash and no
        second '#'; dot segments, letter case and surrounding spaces are fine."""
        text = self._original.strip()
        match = _PARTS.match(text)
        if match is None or "\\" in text or (match["fragment"] or "").count("#") > 1:
            return False
        host = match["authority"] or ""
        rest = text[match.end("authority") :] if match["authority"] is not None else text
        return _well_escaped(rest, ascii_only=False) and _well_escaped(
            re.sub(r"\[[^\]]*\]", "", host), ascii_only=False
        )

    def ToString(self) -> str:
        """The unescaped canonical form (.NET keeps `%` escapes of reserved characters)."""
        text = self.AbsoluteUri
        return _unescape_safe(text)


def _relative_not_supported() -> exc.ExpressionRuntimeError:
    return exc.invalid_operation("This operation is not supported for a relative URI.")


class RelativeUri(Uri):
    """A relative `System.Uri` (what MakeRelativeUri returns): only its text; the parts of an
    absolute URI throw InvalidOperationException."""

    __slots__ = ()

    def __init__(self, text: str) -> None:  # nothing of an absolute URI to parse
        self._original = text

    @property
    def IsAbsoluteUri(self) -> bool:
        return False

    def Equals(self, other: object) -> bool:
        return isinstance(other, RelativeUri) and other._original == self._original

    def equality_key(self) -> tuple[str]:
        return (self._original,)

    def IsBaseOf(self, uri: object) -> bool:
        _uri_argument(uri, "uri")
        return False

    def IsWellFormedOriginalString(self) -> bool:
        """Escaped ASCII without a backslash or '#', and no colon in the first segment."""
        text = self._original
        return not _colon_first(text) and "#" not in text and _well_escaped(text, True)

    def ToString(self) -> str:
        return self._original


def _fail_on_relative(self: Uri, *args: object) -> object:
    raise _relative_not_supported()


# every other member of an absolute URI: a property or method that throws on a relative one
for _name in Uri.CS_MEMBERS - {
    "IsAbsoluteUri",
    "OriginalString",
    "ToString",
    "Equals",
    "IsBaseOf",
    "IsWellFormedOriginalString",
}:
    _is_property = isinstance(getattr(Uri, _name), property)
    setattr(RelativeUri, _name, property(_fail_on_relative) if _is_property else _fail_on_relative)


def _uri_argument(value: object, param: str) -> Uri:
    return exc.typed_argument(value, param, Uri, "System.Uri")


_NEEDS_ESCAPE = frozenset(' "<>[\\]^`{|}')
_HEX = frozenset("0123456789ABCDEFabcdef")


def _well_escaped(text: str, ascii_only: bool) -> bool:
    """No character that must be escaped, and every '%' starts an escape."""
    for i, c in enumerate(text):
        if c < " " or c == "\x7f" or c in _NEEDS_ESCAPE or (ascii_only and c > "~"):
            return False
        if c == "%" and not (len(text) > i + 2 and text[i + 1] in _HEX and text[i + 2] in _HEX):
            return False
    return True


def _colon_first(path: str) -> bool:
    """A colon before anything that ends the first path segment (RFC 3986 §4.2)."""
    end = re.search(r"[:\\/?#]", path)
    return end is not None and end.group() == ":"


def _path_difference(path1: str, path2: str) -> str:
    """.NET's PathDifference (case-sensitive): "../" per remaining segment of `path1`, then
    the rest of `path2` after the last common '/'."""
    i, slash = 0, -1
    while i < len(path1) and i < len(path2) and path1[i] == path2[i]:
        if path1[i] == "/":
            slash = i
        i += 1
    if i == 0:
        return path2
    if i == len(path1) and i == len(path2):
        return ""
    ups = "../" * path1[i:].count("/")
    if not ups and len(path2) - 1 == slash:
        return "./"
    return ups + path2[slash + 1 :]


def _sub_path(base: str, other: str) -> bool:
    """.NET's UriHelper.TestForSubPath (case-sensitive)."""
    same = True
    i = 0
    while i < len(base) and i < len(other):
        mine, theirs = base[i], other[i]
        if mine in "?#":
            return True
        if mine == "/":
            if theirs != "/" or not same:
                return False
        elif theirs in "?#":
            break
        elif mine != theirs:
            same = False
        i += 1
    for mine in base[i:]:
        if mine in "?#":
            return True
        if mine == "/":
            return False
    return True


def _unescape_safe(text: str) -> str:
    """What Uri.ToString() shows: escapes of unreserved characters and of non-ASCII decoded."""

    def decode(match: re.Match[str]) -> str:
        raw = bytes.fromhex(match.group(0).replace("%", ""))
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)
        if all(ord(c) > 0x7F or c.isalnum() or c in "-._~ " for c in decoded):
            return decoded
        return match.group(0)

    return re.sub(r"(?:%[0-9A-Fa-f]{2})+", decode, text)


def new_uri(value: object, relative: object = None) -> Uri:
    if isinstance(value, Uri):
        if relative is None:
            raise exc.argument_null("relativeUri")
        if isinstance(relative, Uri):
            relative = relative.OriginalString
        if type(relative) is not str:
            raise exc.invalid_cast(relative, "System.String")
        return Uri(urljoin(value.AbsoluteUri, relative))
    if value is None:
        raise exc.argument_null("uriString")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    if relative is not None:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: Uri(string, UriKind)"
        )
    return Uri(value)


def escape_data_string(value: object) -> str:
    if value is None:
        raise exc.argument_null("stringToEscape")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    if value.isascii() and all(ord(c) in _UNRESERVED for c in value):
        return value
    return _escape(value, _UNRESERVED)


def escape_uri_string(value: object) -> str:
    if value is None:
        raise exc.argument_null("stringToEscape")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    return _escape(value, _URI_KEEP - {ord("%")})  # an existing escape is escaped again


def unescape_data_string(value: object) -> str:
    if value is None:
        raise exc.argument_null("stringToUnescape")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    if "%" not in value:
        return value

    def decode(match: re.Match[str]) -> str:
        raw = bytes.fromhex(match.group(0).replace("%", ""))
        out: list[str] = []
        i = 0
        while i < len(raw):  # decode the valid UTF-8 runs; keep invalid bytes escaped
            for size in (4, 3, 2, 1):
                chunk = raw[i : i + size]
                try:
                    out.append(chunk.decode("utf-8"))
                except UnicodeDecodeError:
                    continue
                i += len(chunk)
                break
            else:
                out.append(f"%{raw[i]:02X}" if False else match.group(0)[3 * i : 3 * i + 3])
                i += 1
        return "".join(out)

    return re.sub(r"(?:%[0-9A-Fa-f]{2})+", decode, value)


def is_well_formed_uri_string(value: object, kind: object = None) -> bool:
    if type(value) is not str:
        return False
    try:
        uri = Uri(value)
    except exc.ExpressionRuntimeError:
        return False
    return " " not in value and uri.AbsoluteUri is not None


def check_scheme_name(value: object) -> bool:
    return type(value) is str and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", value) is not None
