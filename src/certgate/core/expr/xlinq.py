"""System.Xml.Linq in expressions: the types, their statics, `Body.As<XDocument>()`.

The sequence extensions of `System.Xml.Linq.Extensions` (`doc.Descendants("a").Elements("b")`)
apply to any sequence of nodes. `XDocument.Load` is refused as APIM refuses it; `XElement.Load`
reads a file or a URL, which certgate's sandbox never does, so it stays "not supported".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import exceptions as exc
from .collections import LinqSeq, iterate
from .static import BOOL, VOID, SType, class_stype, sequence_of
from .typenames import StaticMember, TypeInfo, register
from .types import CsObject, CsTypeRef
from .xnames import NONE, XML, XMLNS, XName, XNamespace
from .xparse import parse_document, parse_element
from .xtree import (
    XML_NODE_TYPE,
    XAttribute,
    XCData,
    XComment,
    XContainer,
    XDeclaration,
    XDocument,
    XDocumentType,
    XElement,
    XmlNodeType,
    XNode,
    XObject,
    XProcessingInstruction,
    XText,
)

_NS = "System.Xml.Linq."


# --- System.Xml.Linq.Extensions over sequences ------------------------------------------------


def _each(source: object, kind: type, what: str) -> Iterator[object]:
    for item in iterate(source):
        if item is None:
            continue
        if not isinstance(item, kind):
            raise exc.invalid_cast(item, kind.CS_TYPE if issubclass(kind, CsObject) else what)
        yield item


def _flat(method: str, kind: type) -> Callable[..., LinqSeq]:
    """`source.Elements(name)` & co.: each item's axis in turn, as lazily as .NET's."""

    def extension(source: object, *args: object) -> LinqSeq:
        if source is None:
            raise exc.argument_null("source")

        def run() -> Iterator[object]:
            for item in _each(source, kind, method):
                yield from getattr(item, method)(*args)

        return LinqSeq(run)

    return extension


def _in_document_order(source: object) -> LinqSeq:
    def run() -> list[XNode]:
        items = [n for n in _each(source, XNode, "XNode") if isinstance(n, XNode)]
        if not items:
            return items
        order = {id(n): i for i, n in enumerate(items[0]._order())}
        if any(id(n) not in order for n in items):
            raise exc.invalid_operation("A common ancestor is missing.")
        return sorted(items, key=lambda n: order[id(n)])

    return LinqSeq(run)


def _remove(source: object) -> None:
    """`nodes.Remove()` / `attributes.Remove()`: a snapshot first, then each one removed."""
    for item in list(iterate(source)):
        if item is None:
            continue
        if not isinstance(item, (XNode, XAttribute)):
            raise exc.invalid_cast(item, XNode.CS_TYPE)
        item.Remove()


# what the axes give (`int x = doc.Root.Elements().First()` is csc's CS0266: an XElement)
_ELEMENTS, _NODES, _ATTRIBUTES = (
    sequence_of(class_stype(c)) for c in (XElement, XNode, XAttribute)
)
_NODE_AXES = dict.fromkeys(("Ancestors", "ElementsAfterSelf", "ElementsBeforeSelf"), _ELEMENTS)
XNode.CS_RESULT_TYPES = _NODE_AXES | dict.fromkeys(("NodesAfterSelf", "NodesBeforeSelf"), _NODES)
XContainer.CS_RESULT_TYPES = (
    XNode.CS_RESULT_TYPES
    | dict.fromkeys(("Elements", "Descendants"), _ELEMENTS)
    | dict.fromkeys(("Nodes", "DescendantNodes"), _NODES)
)
XElement.CS_RESULT_TYPES = XContainer.CS_RESULT_TYPES | {
    "Attributes": _ATTRIBUTES,
    "AncestorsAndSelf": _ELEMENTS,
    "DescendantsAndSelf": _ELEMENTS,
    "DescendantNodesAndSelf": _NODES,
}

EXTENSIONS: dict[str, Callable[..., object]] = {
    "Elements": _flat("Elements", XContainer),
    "Nodes": _flat("Nodes", XContainer),
    "Descendants": _flat("Descendants", XContainer),
    "DescendantNodes": _flat("DescendantNodes", XContainer),
    "Attributes": _flat("Attributes", XElement),
    "Ancestors": _flat("Ancestors", XNode),
    "AncestorsAndSelf": _flat("AncestorsAndSelf", XElement),
    "DescendantsAndSelf": _flat("DescendantsAndSelf", XElement),
    "DescendantNodesAndSelf": _flat("DescendantNodesAndSelf", XElement),
    "InDocumentOrder": _in_document_order,
    "Remove": _remove,
}
# (InDocumentOrder keeps its source's element type: `members` gives it)
EXTENSION_TYPES: dict[str, SType] = {
    name: XElement.CS_RESULT_TYPES[name] for name in EXTENSIONS if name in XElement.CS_RESULT_TYPES
} | {"Remove": VOID}


# --- statics and registration -------------------------------------------------------------------


def _text_only(container: XContainer) -> str | None:
    """GetTextOnly: the text of a container holding nothing but text; None otherwise (and for
    no content at all, which differs from an empty string)."""
    if not container.nodes:
        empty = container.empty if isinstance(container, XElement) else True
        return None if empty else ""
    if all(type(n) is XText for n in container.nodes):
        return "".join(n.Value for n in container.nodes)  # type: ignore[attr-defined]
    return None


def _runs(container: XContainer) -> list[object]:
    """Content as ContentsEqual compares it: adjacent text merged, other nodes between."""
    out: list[object] = []
    text = ""
    for node in container.nodes:
        if type(node) is XText:
            text += node.Value
        else:
            out += [text, node]
            text = ""
    out.append(text)
    return out


def _deep_equals(a: object, b: object) -> bool:
    """XNode.DeepEquals: same kinds, names, attributes (in order) and content, where adjacent
    text nodes count as one string."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    stack: list[tuple[object, object]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, XElement) and isinstance(y, XElement):
            if x.name is not y.name:
                return False
            if [(p.name, p.Value) for p in x.attrs] != [(q.name, q.Value) for q in y.attrs]:
                return False
        if isinstance(x, XContainer) and isinstance(y, XContainer):
            if not x.nodes and not y.nodes and _text_only(x) == _text_only(y):
                continue
            text = _text_only(x)
            if text is not None:
                if text != _text_only(y):
                    return False
                continue
            if not x.nodes or not y.nodes:
                return False
            rx, ry = _runs(x), _runs(y)
            if len(rx) != len(ry):
                return False
            for p, q in zip(rx, ry, strict=True):
                if isinstance(p, str) and p != q:
                    return False
                if not isinstance(p, str):
                    stack.append((p, q))
        elif isinstance(x, (XText, XComment)) and isinstance(y, (XText, XComment)):
            if x.Value != y.Value:
                return False
        elif isinstance(x, (XProcessingInstruction, XDocumentType)) and _fields(x) != _fields(y):
            return False  # x and y have the same type here
    return True


def _fields(node: object) -> tuple[str | None, ...]:
    if isinstance(node, XProcessingInstruction):
        return node.Target, node.Data
    assert isinstance(node, XDocumentType)
    return node.fields()


def _method(fn: Callable[..., object], cls: type) -> StaticMember:
    return StaticMember(fn, class_stype(cls))


def _value(value: object, cls: type) -> StaticMember:
    return StaticMember(value, class_stype(cls), is_method=False)


def _empty_sequence() -> LinqSeq:
    return LinqSeq(list)


_SEQUENCE = StaticMember(_empty_sequence, class_stype(LinqSeq), is_method=False, dynamic=True)

TYPES = (
    TypeInfo.of(XName, {"Get": _method(XName.get, XName)}),
    TypeInfo.of(
        XNamespace,
        {
            "Get": _method(XNamespace.get, XNamespace),
            "None": _value(NONE, XNamespace),
            "Xml": _value(XML, XNamespace),
            "Xmlns": _value(XMLNS, XNamespace),
        },
    ),
    TypeInfo.of(XObject),
    TypeInfo.of(XNode, {"DeepEquals": StaticMember(_deep_equals, BOOL)}),
    TypeInfo.of(XText, ctor=XText),
    TypeInfo.of(XCData, ctor=XCData),
    TypeInfo.of(XComment, ctor=XComment),
    TypeInfo.of(XProcessingInstruction, ctor=XProcessingInstruction),
    TypeInfo.of(XDocumentType, ctor=XDocumentType),
    TypeInfo.of(XAttribute, {"EmptySequence": _SEQUENCE}, ctor=XAttribute),
    TypeInfo.of(XContainer),
    TypeInfo.of(
        XElement,
        {
            "Parse": _method(parse_element, XElement),
            "EmptySequence": _SEQUENCE,
        },
        ctor=XElement,
    ),
    TypeInfo.of(XDocument, {"Parse": _method(parse_document, XDocument)}, ctor=XDocument),
    TypeInfo.of(XDeclaration, ctor=XDeclaration),
    TypeInfo(
        XmlNodeType.CS_TYPE,
        class_stype(XmlNodeType),
        CsTypeRef(XmlNodeType.CS_TYPE, (XmlNodeType,), is_value_type=True),
        {name: _value(member, XmlNodeType) for name, member in XML_NODE_TYPE.items()},
    ),
)
register(*TYPES)


def _decoded(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


# Body.As<XDocument>() / <XElement>() / <XNode>() (spec §2.10).
BODY_CONVERTERS: dict[str, Callable[[bytes], object]] = {
    _NS + "XDocument": lambda data: parse_document(_decoded(data)),
    _NS + "XNode": lambda data: parse_document(_decoded(data)),
    _NS + "XElement": lambda data: parse_element(_decoded(data)),
}
