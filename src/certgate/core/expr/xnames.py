"""`System.Xml.Linq.XName` and `XNamespace`.

Both are interned, as in .NET, so `==` (reference equality in C#) means same name. A `string`
converts implicitly to either (`el.Element("a")`, `XNamespace ns = "urn:x"`); an expanded name
`{urn:x}a` names `a` in namespace `urn:x`. `ns + "a"` is `XNamespace`'s `+` operator.
"""

from __future__ import annotations

from typing import ClassVar
from weakref import WeakValueDictionary

from . import exceptions as exc
from .types import CsObject

XML_URI = "http://www.w3.org/XML/1998/namespace"
XMLNS_URI = "http://www.w3.org/2000/xmlns/"


def _xml_error(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("XmlException", message)


def _invalid_expanded(name: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ArgumentException", f"'{name}' is an invalid expanded name.")


def _starts_name(c: str) -> bool:
    return c.isalpha() or c == "_" or ord(c) > 0xB6


def _in_name(c: str) -> bool:
    return c.isalnum() or c in "-._" or ord(c) > 0xB6


def check_ncname(name: str) -> str:
    """XmlConvert.VerifyNCName: a name without ':' that XML allows."""
    return _check(name, "local name", "")


def check_name(name: str) -> str:
    """XmlConvert.VerifyName: an XML name, ':' allowed (`svg:svg`)."""
    return _check(name, "name", ":")


def _check(name: str, what: str, extra: str) -> str:
    if not name:  # VerifyNCName/VerifyName throw ArgumentNullException for "" too
        raise exc.ExpressionRuntimeError(
            "ArgumentNullException",
            f"The empty string '' is not a valid {what}. (Parameter 'name')",
        )
    if name[0] not in extra and not _starts_name(name[0]):
        raise _xml_error(
            f"Name cannot begin with the '{name[0]}' character, hexadecimal value "
            f"0x{ord(name[0]):X}."
        )
    bad = next((c for c in name if c not in extra and not _in_name(c)), None)
    if bad is not None:
        raise _xml_error(
            f"The '{bad}' character, hexadecimal value 0x{ord(bad):X}, cannot be included in a "
            "name."
        )
    return name


class XNamespace(CsObject):
    __slots__ = ("NamespaceName", "__weakref__", "_names")
    CS_TYPE = "System.Xml.Linq.XNamespace"
    CS_MEMBERS = frozenset({"NamespaceName", "GetName", "ToString", "Equals", "GetHashCode"})
    # Interned weakly, as .NET does: names read from request bodies must not pile up forever.
    _interned: ClassVar[WeakValueDictionary[str, XNamespace]] = WeakValueDictionary()

    NamespaceName: str

    def __init__(self, uri: str) -> None:
        self.NamespaceName = uri
        self._names: WeakValueDictionary[str, XName] = WeakValueDictionary()

    @classmethod
    def get(cls, uri: object) -> XNamespace:
        if uri is None:
            raise exc.argument_null("namespaceName")
        if type(uri) is not str:
            raise exc.invalid_cast(uri, "System.String")
        found = cls._interned.get(uri)
        if found is None:
            found = cls._interned.setdefault(uri, XNamespace(uri))
        return found

    def GetName(self, local_name: object) -> XName:
        if local_name is None:
            raise exc.argument_null("localName")
        if type(local_name) is not str:
            raise exc.invalid_cast(local_name, "System.String")
        found = self._names.get(local_name)
        if found is None:
            found = self._names.setdefault(local_name, XName(self, check_ncname(local_name)))
        return found

    def cs_add(self, local_name: object) -> XName:
        """`ns + "local"`: XNamespace's `+` operator."""
        if local_name is None:
            raise exc.argument_null("localName")
        return self.GetName(local_name)

    def Equals(self, other: object) -> bool:
        return other is self

    def GetHashCode(self) -> int:
        return hash(self.NamespaceName) & 0x7FFFFFFF

    def ToString(self) -> str:
        return self.NamespaceName

    @classmethod
    def cs_implicit(cls, value: object) -> XNamespace | None:
        return None if value is None else cls.get(value)


class XName(CsObject):
    __slots__ = ("LocalName", "Namespace", "__weakref__")
    CS_TYPE = "System.Xml.Linq.XName"
    CS_MEMBERS = frozenset(
        {"LocalName", "Namespace", "NamespaceName", "ToString", "Equals", "GetHashCode"}
    )

    LocalName: str
    Namespace: XNamespace

    def __init__(self, namespace: XNamespace, local_name: str) -> None:
        self.Namespace = namespace
        self.LocalName = local_name

    @property
    def NamespaceName(self) -> str:
        return self.Namespace.NamespaceName

    @staticmethod
    def get(expanded: object, namespace: object = None) -> XName:
        """`XName.Get("{ns}local")`, `XName.Get("local", "ns")` and the implicit conversion."""
        if expanded is None:
            raise exc.argument_null("expandedName" if namespace is None else "localName")
        if type(expanded) is not str:
            raise exc.invalid_cast(expanded, "System.String")
        if namespace is not None:
            return XNamespace.get(namespace).GetName(expanded)
        if not expanded.startswith("{"):
            if not expanded:
                raise _invalid_expanded(expanded)
            return NONE.GetName(expanded)
        end = expanded.rfind("}")  # the last brace: `{urn:{x}}a` is `a` in `urn:{x}`
        if end <= 1 or end == len(expanded) - 1:
            raise _invalid_expanded(expanded)
        return XNamespace.get(expanded[1:end]).GetName(expanded[end + 1 :])

    def Equals(self, other: object) -> bool:
        return other is self

    def GetHashCode(self) -> int:
        return hash((self.Namespace.NamespaceName, self.LocalName)) & 0x7FFFFFFF

    def ToString(self) -> str:
        uri = self.Namespace.NamespaceName
        return f"{{{uri}}}{self.LocalName}" if uri else self.LocalName

    @classmethod
    def cs_implicit(cls, value: object) -> XName | None:
        return None if value is None else cls.get(value)


def name_of(value: object) -> XName:
    """An `XName` argument: an XName, or a string converted implicitly."""
    if type(value) is XName:
        return value
    if value is None:
        raise exc.argument_null("name")
    return XName.get(value)


NONE = XNamespace.get("")
XML = XNamespace.get(XML_URI)
XMLNS = XNamespace.get(XMLNS_URI)
