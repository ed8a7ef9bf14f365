"""LINQ to XML's tree: `XNode` and its kinds, `XContainer`, `XElement`, `XDocument`, `XAttribute`.

Content follows XContainer.Add: null is skipped, a node that already has a parent (or is the root
of the tree it joins) is copied, strings and other values (as XmlConvert writes them) become text
merged with a preceding text node, sequences add each item. AddFirst, AddAfterSelf, AddBeforeSelf
and ReplaceWith refuse attributes, as .NET's Inserter does. An element with no content at all is
`IsEmpty` (`<a />`); one whose content is an empty string is not (`<a></a>`); removing its last
node empties it again.

The axes enumerate lazily and live, as .NET walks its linked lists: each step starts from where
the node just yielded stands now, so `foreach (var e in x.Elements()) e.Remove();` removes only the
first element and the same loop over `Descendants()` ends in NullReferenceException, as in .NET.
Trees are walked without recursion, so a deep document cannot exhaust the Python stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import ClassVar, TypeVar

from . import exceptions as exc
from .arrays import is_enumerable
from .collections import LinqSeq
from .strings import CsEnum, enum_members, format_double, to_string
from .types import CsChar, CsObject, CsTypeRef
from .xconvert import duration_text, explicit
from .xnames import (
    NONE,
    XML_URI,
    XMLNS,
    XName,
    XNamespace,
    check_name,
    check_ncname,
    name_of,
)


class XmlNodeType(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.Xml.XmlNodeType"


XML_NODE_TYPE = enum_members(
    XmlNodeType, "None", "Element", "Attribute", "Text", "CDATA", "EntityReference", "Entity",
    "ProcessingInstruction", "Comment", "Document", "DocumentType", "DocumentFragment",
    "Notation", "Whitespace", "SignificantWhitespace", "EndElement", "EndEntity",
    "XmlDeclaration",
)  # fmt: skip

_ALL: object = object()  # an axis called without a name (`Elements()`, not `Elements(null)`)


def _invalid_operation(message: str) -> exc.ExpressionRuntimeError:
    return exc.invalid_operation(message)


def _argument(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ArgumentException", message)


def _missing_parent() -> exc.ExpressionRuntimeError:
    return _invalid_operation("The parent is missing.")


def xml_string(value: object) -> str:
    """XmlConvert's text for a value added as content or set with `SetValue`."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        if math.isinf(value):  # type: ignore[arg-type]
            return "INF" if value > 0 else "-INF"  # type: ignore[operator]
        return format_double(value)  # type: ignore[arg-type]
    if kind is CsChar:
        return value.value  # type: ignore[attr-defined,no-any-return]
    if isinstance(value, XObject):
        raise _argument("An XObject cannot be used as a value.")
    cs_type = getattr(value, "CS_TYPE", None)
    if cs_type == "System.DateTime":
        return to_string(value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK"))  # type: ignore[attr-defined]
    if cs_type == "System.DateTimeOffset":  # XmlConvert writes a zero offset as "Z"
        zone = "Z" if value.Offset.Ticks == 0 else "zzz"  # type: ignore[attr-defined]
        return to_string(value.ToString(f"yyyy-MM-ddTHH:mm:ss.FFFFFFF{zone}"))  # type: ignore[attr-defined]
    if cs_type == "System.TimeSpan":
        return duration_text(value.Ticks)  # type: ignore[attr-defined]
    return to_string(value)


def _index_in(items: list[XNode] | list[XAttribute], item: object, hint: int) -> int:
    """Where `item` stands in `items`: at `hint` unless an edit moved it (then searched)."""
    if 0 <= hint < len(items) and items[hint] is item:
        return hint
    return next((i for i, x in enumerate(items) if x is item), -1)


_Item = TypeVar("_Item", "XNode", "XAttribute")


def _live(owner: XObject, items: Callable[[], list[_Item]]) -> Iterator[_Item]:
    """.NET's live enumeration of children or attributes: each step finds the item just yielded
    again (edits may have moved it), and the walk ends once that item has left `owner`."""
    current = items()
    if not current:
        return
    item, i = current[0], 0
    while True:
        yield item
        if item._parent is not owner:
            return
        current = items()
        i = _index_in(current, item, i)
        if i + 1 >= len(current):
            return
        i += 1
        item = current[i]


def _wanted(name: object) -> XName | None:
    """An axis' name filter; `Elements(null)` matches nothing (None: no filter)."""
    return None if name is _ALL else name_of(name) if name is not None else _NO_NAME


def _empty() -> LinqSeq:
    return LinqSeq(tuple)


class XObject(CsObject):
    __slots__ = ("_parent",)
    CS_TYPE = "System.Xml.Linq.XObject"
    CS_MEMBERS = frozenset({"Parent", "Document", "NodeType", "ToString"})
    NODE_TYPE: ClassVar[str] = "None"

    def __init__(self) -> None:
        self._parent: XContainer | None = None

    @property
    def Parent(self) -> XElement | None:
        parent = self._parent
        return parent if isinstance(parent, XElement) else None

    @property
    def Document(self) -> XDocument | None:
        node: XObject | None = self
        while node is not None and not isinstance(node, XDocument):
            node = node._parent
        return node

    @property
    def NodeType(self) -> XmlNodeType:
        return XML_NODE_TYPE[self.NODE_TYPE]


class XNode(XObject):
    __slots__ = ()
    CS_TYPE = "System.Xml.Linq.XNode"
    CS_MEMBERS = XObject.CS_MEMBERS | frozenset(
        {
            "NextNode", "PreviousNode", "Remove", "ReplaceWith", "AddAfterSelf", "AddBeforeSelf",
            "Ancestors", "ElementsAfterSelf", "ElementsBeforeSelf", "NodesAfterSelf",
            "NodesBeforeSelf", "IsAfter", "IsBefore",
        }
    )  # fmt: skip

    def _index(self) -> int:
        assert self._parent is not None
        return _index_in(self._parent.nodes, self, -1)

    @property
    def NextNode(self) -> XNode | None:
        parent = self._parent
        if parent is None:
            return None
        i = self._index()
        return parent.nodes[i + 1] if i + 1 < len(parent.nodes) else None

    @property
    def PreviousNode(self) -> XNode | None:
        parent = self._parent
        if parent is None:
            return None
        i = self._index()
        return parent.nodes[i - 1] if i > 0 else None

    def _attached(self) -> XContainer:
        if self._parent is None:
            raise _missing_parent()
        return self._parent

    def Remove(self) -> None:
        self._attached().remove_node(self)

    def ReplaceWith(self, *content: object) -> None:
        parent = self._attached()
        items = flatten(content)
        i = self._index()
        parent.remove_node(self)
        parent.insert(i, items, attributes=False)

    def AddAfterSelf(self, *content: object) -> None:
        parent = self._attached()
        parent.insert(self._index() + 1, flatten(content), attributes=False)

    def AddBeforeSelf(self, *content: object) -> None:
        parent = self._attached()
        parent.insert(self._index(), flatten(content), attributes=False)

    def ancestors(self) -> Iterator[XElement]:
        """GetAncestors: parent by parent, read after each step."""
        node = self._parent
        while isinstance(node, XElement):
            yield node
            node = node._parent

    def Ancestors(self, name: object = _ALL) -> LinqSeq:
        wanted = _wanted(name)
        if wanted is _NO_NAME:
            return _empty()
        return LinqSeq(lambda: (e for e in self.ancestors() if wanted is None or e.name is wanted))

    def _after(self) -> Iterator[XNode]:
        """NodesAfterSelf: next sibling after next sibling, until the last."""
        node: XNode = self
        i = -1
        while True:
            parent = node._parent
            if parent is None:
                return
            i = _index_in(parent.nodes, node, i)
            if i + 1 >= len(parent.nodes):
                return
            i += 1
            node = parent.nodes[i]
            yield node

    def _before(self) -> Iterator[XNode]:
        """NodesBeforeSelf: from the parent's first node up to this one."""
        parent = self._parent
        if parent is None:
            return
        node, i = parent.nodes[0], 0
        while node is not self:
            yield node
            owner = node._parent
            if self._parent is None or self._parent is not owner or owner is None:
                return
            i = (_index_in(owner.nodes, node, i) + 1) % len(owner.nodes)
            node = owner.nodes[i]

    def NodesAfterSelf(self) -> LinqSeq:
        return LinqSeq(self._after)

    def NodesBeforeSelf(self) -> LinqSeq:
        return LinqSeq(self._before)

    def ElementsAfterSelf(self, name: object = _ALL) -> LinqSeq:
        return _filtered(self._after, name)

    def ElementsBeforeSelf(self, name: object = _ALL) -> LinqSeq:
        return _filtered(self._before, name)

    def _order(self) -> list[XNode]:
        root: XObject = self
        while root._parent is not None:
            root = root._parent
        order: list[XNode] = [root] if isinstance(root, XNode) else []
        if isinstance(root, XContainer):
            order.extend(root.walk())
        return order

    def IsAfter(self, node: object) -> bool:
        return compare_order(self, node) > 0

    def IsBefore(self, node: object) -> bool:
        return compare_order(self, node) < 0

    def ToString(self) -> str:
        from .xwrite import write_node  # noqa: PLC0415 (xwrite imports this module)

        return write_node(self, indent=True)

    def copy(self) -> XNode:
        raise NotImplementedError


def compare_order(a: XNode, b: object) -> int:
    if b is None:
        return 1
    if not isinstance(b, XNode):
        raise exc.invalid_cast(b, XNode.CS_TYPE)
    if a is b:
        return 0
    order = a._order()
    if not any(n is b for n in order):
        raise _invalid_operation("A common ancestor is missing.")
    ia = next(i for i, n in enumerate(order) if n is a)
    ib = next(i for i, n in enumerate(order) if n is b)
    return -1 if ia < ib else 1


def _filtered(nodes: Callable[[], Iterator[XNode]], name: object) -> LinqSeq:
    wanted = _wanted(name)
    if wanted is _NO_NAME:
        return _empty()
    return LinqSeq(
        lambda: (
            n for n in nodes() if isinstance(n, XElement) and (wanted is None or n.name is wanted)
        )
    )


class _ValueNode(XNode):
    """A node that is its text (XText, XCData, XComment); `new T(other)` copies another T."""

    __slots__ = ("_value",)
    CS_MEMBERS = XNode.CS_MEMBERS | frozenset({"Value"})
    _value: str

    def __init__(self, value: object) -> None:
        super().__init__()
        if isinstance(value, self._copies()):
            value = value._value
        if value is None:
            raise exc.argument_null("value")
        self._value = value if type(value) is str else to_string(value)

    @classmethod
    def _copies(cls) -> type[_ValueNode]:
        return XComment if issubclass(cls, XComment) else XText

    @property
    def Value(self) -> str:
        return self._value

    @Value.setter
    def Value(self, value: object) -> None:
        if value is None:
            raise exc.argument_null("value")
        self._value = to_string(value)

    def copy(self) -> XNode:
        return type(self)(self._value)


class XText(_ValueNode):
    __slots__ = ()
    CS_TYPE = "System.Xml.Linq.XText"
    NODE_TYPE = "Text"


class XCData(XText):
    __slots__ = ()
    CS_TYPE = "System.Xml.Linq.XCData"
    NODE_TYPE = "CDATA"


class XComment(_ValueNode):
    __slots__ = ()
    CS_TYPE = "System.Xml.Linq.XComment"
    NODE_TYPE = "Comment"


class XProcessingInstruction(XNode):
    __slots__ = ("Data", "Target")
    CS_TYPE = "System.Xml.Linq.XProcessingInstruction"
    CS_MEMBERS = XNode.CS_MEMBERS | frozenset({"Target", "Data"})
    NODE_TYPE = "ProcessingInstruction"
    Target: str
    Data: str

    def __init__(self, target: object, data: object = None) -> None:
        super().__init__()
        if isinstance(target, XProcessingInstruction):
            other = target
            target, data = other.Target, other.Data
        if target is None or data is None:
            raise exc.argument_null("target" if target is None else "data")
        self.Target = check_ncname(to_string(target))  # XmlConvert.VerifyNCName
        self.Data = to_string(data)
        if self.Target.lower() == "xml":
            raise _argument(f"'{self.Target}' is an invalid name for processing instructions.")

    def copy(self) -> XNode:
        return XProcessingInstruction(self.Target, self.Data)


def _id_property(index: int) -> property:
    """One of XDocumentType's settable texts (PublicId, SystemId, InternalSubset)."""

    def get(self: XDocumentType) -> str | None:
        return self._ids[index]

    def set_(self: XDocumentType, value: object) -> None:
        self._ids[index] = None if value is None else to_string(value)

    return property(get, set_)


class XDocumentType(XNode):
    """`<!DOCTYPE name PUBLIC "publicId" "systemId" [internalSubset]>`, written as given: nothing
    reads its internal subset, so no entity it declares is ever expanded."""

    __slots__ = ("_ids", "_name")
    CS_TYPE = "System.Xml.Linq.XDocumentType"
    CS_MEMBERS = XNode.CS_MEMBERS | frozenset({"Name", "PublicId", "SystemId", "InternalSubset"})
    NODE_TYPE = "DocumentType"
    _name: str
    _ids: list[str | None]  # PublicId, SystemId, InternalSubset

    def __init__(
        self,
        name: object,
        public_id: object = None,
        system_id: object = None,
        subset: object = None,
    ) -> None:
        super().__init__()
        if isinstance(name, XDocumentType):  # the copy constructor
            self._name, self._ids = name._name, list(name._ids)
            return
        self.Name = name
        self._ids = [None if v is None else to_string(v) for v in (public_id, system_id, subset)]

    @property
    def Name(self) -> str:
        return self._name

    @Name.setter
    def Name(self, value: object) -> None:
        if value is None:
            raise exc.argument_null("name")
        self._name = check_name(to_string(value))  # XmlConvert.VerifyName

    PublicId = _id_property(0)
    SystemId = _id_property(1)
    InternalSubset = _id_property(2)

    def fields(self) -> tuple[str | None, ...]:
        return (self._name, *self._ids)

    def copy(self) -> XNode:
        return XDocumentType(self)


class XAttribute(XObject):
    __slots__ = ("_value", "name")
    CS_TYPE = "System.Xml.Linq.XAttribute"
    CS_MEMBERS = XObject.CS_MEMBERS | frozenset(
        {
            "Name", "Value", "NextAttribute", "PreviousAttribute", "Remove", "SetValue",
            "IsNamespaceDeclaration",
        }
    )  # fmt: skip
    NODE_TYPE = "Attribute"
    name: XName
    _value: str

    def __init__(self, name: object, value: object = None) -> None:
        super().__init__()
        if isinstance(name, XAttribute):
            self.name, self._value = name.name, name._value
            return
        self.name = name_of(name)
        if value is None:
            raise exc.argument_null("value")
        self._value = xml_string(value)

    @property
    def Name(self) -> XName:
        return self.name

    @property
    def Value(self) -> str:
        return self._value

    @Value.setter
    def Value(self, value: object) -> None:
        if value is None:
            raise exc.argument_null("value")
        self._value = xml_string(value)

    def SetValue(self, value: object) -> None:
        self.Value = value

    @property
    def IsNamespaceDeclaration(self) -> bool:
        name = self.name
        return name.Namespace is XMLNS or (name.Namespace is NONE and name.LocalName == "xmlns")

    def _siblings(self) -> list[XAttribute]:
        parent = self._parent
        return parent.attrs if isinstance(parent, XElement) else []

    @property
    def NextAttribute(self) -> XAttribute | None:
        siblings = self._siblings()
        i = _index_in(siblings, self, -1)
        return siblings[i + 1] if 0 <= i < len(siblings) - 1 else None

    @property
    def PreviousAttribute(self) -> XAttribute | None:
        siblings = self._siblings()
        i = _index_in(siblings, self, -1)
        return siblings[i - 1] if i > 0 else None

    def Remove(self) -> None:
        parent = self._parent
        if not isinstance(parent, XElement):
            raise _missing_parent()
        parent.attrs = [a for a in parent.attrs if a is not self]
        self._parent = None

    def ToString(self) -> str:
        from .xwrite import attribute_text  # noqa: PLC0415 (xwrite imports this module)

        return attribute_text(self)

    def cs_explicit(self, target: CsTypeRef) -> object:
        """`(T)this` for a T that is not an XML type (see `xconvert`)."""
        return explicit(self, target)


Content = XNode | XAttribute | str


def flatten(content: object) -> list[Content]:
    """GetContentSnapshot: nested sequences flattened, values as text, nulls dropped."""
    out: list[Content] = []
    stack: list[Iterator[object]] = [iter(content if isinstance(content, tuple) else (content,))]
    while stack:
        for item in stack[-1]:
            if item is None:
                continue
            if type(item) is str or isinstance(item, (XNode, XAttribute)):
                out.append(item)
            elif isinstance(item, tuple) or is_enumerable(item):
                stack.append(iter(list(item)))  # type: ignore[call-overload]
                break  # the nested items first; this iterator resumes after them
            else:
                out.append(xml_string(item))
        else:
            stack.pop()
    return out


class XContainer(XNode):
    __slots__ = ("nodes",)
    CS_TYPE = "System.Xml.Linq.XContainer"
    CS_MEMBERS = XNode.CS_MEMBERS | frozenset(
        {
            "Nodes", "Elements", "Element", "Descendants", "DescendantNodes", "FirstNode",
            "LastNode", "Add", "AddFirst", "RemoveNodes", "ReplaceNodes",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[XNode] = []

    def walk(self) -> Iterator[XNode]:
        """Descendant nodes in document order, without recursion (a snapshot walk)."""
        stack: list[Iterator[XNode]] = [iter(self.nodes)]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            yield node
            if isinstance(node, XContainer) and node.nodes:
                stack.append(iter(node.nodes))

    def live_children(self) -> Iterator[XNode]:
        """Nodes(): stops once the node just yielded has left this container."""
        return _live(self, lambda: self.nodes)

    def live_descendants(self) -> Iterator[XNode]:
        """GetDescendantNodes: down to the first child, else on to the next sibling of the
        nearest node that has one; a node removed meanwhile has no parent to climb to."""
        node: XNode = self
        path: list[int] = []  # index hints, one per level below this container
        while True:
            if isinstance(node, XContainer) and node.nodes:
                node = node.nodes[0]
                path.append(0)
            else:
                while True:
                    if node is self:
                        return
                    parent = node._parent
                    if parent is None:
                        raise exc.null_reference()
                    i = _index_in(parent.nodes, node, path[-1] if path else 0)
                    if i + 1 < len(parent.nodes):
                        break
                    node = parent
                    if path:
                        path.pop()
                if path:
                    path[-1] = i + 1
                node = parent.nodes[i + 1]
            yield node

    # --- reading ----------------------------------------------------------------------------

    @property
    def FirstNode(self) -> XNode | None:
        return self.nodes[0] if self.nodes else None

    @property
    def LastNode(self) -> XNode | None:
        return self.nodes[-1] if self.nodes else None

    def Nodes(self) -> LinqSeq:
        return LinqSeq(self.live_children)

    def DescendantNodes(self) -> LinqSeq:
        return LinqSeq(self.live_descendants)

    def Elements(self, name: object = _ALL) -> LinqSeq:
        return _filtered(self.live_children, name)

    def Element(self, name: object) -> XElement | None:
        if name is None:
            return None
        wanted = name_of(name)
        return next((n for n in self.nodes if isinstance(n, XElement) and n.name is wanted), None)

    def Descendants(self, name: object = _ALL) -> LinqSeq:
        return _filtered(self.live_descendants, name)

    # --- changing ---------------------------------------------------------------------------

    def insert(self, index: int, items: list[Content], *, attributes: bool = True) -> None:
        """Adds `items` at `index`, one by one as XContainer.Add and the Inserter do."""
        for item in items:
            if isinstance(item, XAttribute):
                if not attributes:
                    raise _argument("An attribute cannot be added to content.")
                self.add_attribute(item)
            else:
                index = self.insert_one(index, item)

    def insert_one(self, index: int, item: XNode | str) -> int:
        if type(item) is str:
            self.validate_text(item)
            previous = self.nodes[index - 1] if index > 0 else None
            if type(previous) is XText:
                previous._value += item
                return index
            if not item:
                self.mark_not_empty()
                return index
            item = XText(item)
        assert isinstance(item, XNode)
        self.validate_child(item)
        if (
            item._parent is not None
            or item is self
            or (isinstance(item, XContainer) and item.nodes and item is self.root())
        ):
            item = item.copy()  # a node has one parent; the tree's own root joins as a copy
        item._parent = self
        self.nodes.insert(index, item)
        return index + 1

    def remove_node(self, node: XNode) -> None:
        del self.nodes[node._index()]
        node._parent = None
        if not self.nodes:
            self.content_removed()

    def content_removed(self) -> None:
        """The last node left: an element is `<a />` again (XElement overrides)."""

    def mark_not_empty(self) -> None:
        """An empty string added: `<a></a>` rather than `<a />` (XElement overrides)."""

    def validate_text(self, text: str) -> None:
        """XDocument refuses non-whitespace text (it overrides)."""

    def validate_child(self, node: XNode) -> None:
        if isinstance(node, XDocument):
            raise _argument("A node of type Document cannot be added to content.")
        if isinstance(node, XDocumentType) and not isinstance(self, XDocument):
            raise _argument("A node of type DocumentType cannot be added to content.")

    def add_attribute(self, attribute: XAttribute) -> None:
        raise _argument("An attribute cannot be added to content.")

    def Add(self, *content: object) -> None:
        self.insert(len(self.nodes), flatten(content))

    def AddFirst(self, *content: object) -> None:
        self.insert(0, flatten(content), attributes=False)

    def RemoveNodes(self) -> None:
        for node in self.nodes:
            node._parent = None
        self.nodes = []
        self.content_removed()

    def ReplaceNodes(self, *content: object) -> None:
        items = flatten(content)
        self.RemoveNodes()
        self.insert(0, items)

    def root(self) -> XObject:
        node: XObject = self
        while node._parent is not None:
            node = node._parent
        return node

    def copy_nodes_from(self, other: XContainer) -> None:
        """Deep copy of `other`'s content, level by level (a deep tree must not recurse)."""
        pending: list[tuple[XContainer, XContainer]] = [(other, self)]
        while pending:
            source, target = pending.pop()
            for node in source.nodes:
                clone: XNode
                if isinstance(node, XElement):
                    clone = element = XElement.shallow_copy(node)
                    pending.append((node, element))
                else:
                    clone = node.copy()
                clone._parent = target
                target.nodes.append(clone)


class XElement(XContainer):
    __slots__ = ("attrs", "empty", "name")
    CS_TYPE = "System.Xml.Linq.XElement"
    CS_MEMBERS = XContainer.CS_MEMBERS | frozenset(
        {
            "Name", "Value", "Attribute", "Attributes", "FirstAttribute", "LastAttribute",
            "HasAttributes", "HasElements", "IsEmpty", "SetAttributeValue", "SetElementValue",
            "SetValue", "RemoveAll", "RemoveAttributes", "ReplaceAll", "ReplaceAttributes",
            "AncestorsAndSelf", "DescendantsAndSelf", "DescendantNodesAndSelf",
            "GetDefaultNamespace", "GetNamespaceOfPrefix", "GetPrefixOfNamespace",
        }
    )  # fmt: skip
    NODE_TYPE = "Element"
    name: XName
    empty: bool
    attrs: list[XAttribute]

    def __init__(self, name: object, *content: object) -> None:
        super().__init__()
        self.attrs: list[XAttribute] = []
        if isinstance(name, XElement):  # the copy constructor
            self.copy_header(name)
            self.copy_nodes_from(name)
            return
        self.name = name_of(name)
        self.empty = True  # no content; False once the content is an empty string
        if content:
            self.Add(*content)

    def cs_explicit(self, target: CsTypeRef) -> object:
        """`(T)this` for a T that is not an XML type (see `xconvert`)."""
        return explicit(self, target)

    def copy_header(self, other: XElement) -> None:
        self.name = other.name
        self.empty = other.empty
        self.attrs = [self._adopt(XAttribute(a)) for a in other.attrs]

    @staticmethod
    def shallow_copy(other: XElement) -> XElement:
        """Name, attributes and emptiness of `other`, without its nodes."""
        clone = XElement.__new__(XElement)
        XContainer.__init__(clone)
        clone.copy_header(other)
        return clone

    def _adopt(self, attribute: XAttribute) -> XAttribute:
        attribute._parent = self
        return attribute

    def copy(self) -> XNode:
        return XElement(self)

    def mark_not_empty(self) -> None:
        if not self.nodes:
            self.empty = False

    def content_removed(self) -> None:
        self.empty = True

    def insert_one(self, index: int, item: XNode | str) -> int:
        if not isinstance(item, str) or item:
            self.empty = True  # text or a node replaces an empty-string content
        return super().insert_one(index, item)

    def add_attribute(self, attribute: XAttribute) -> None:
        if any(a.name is attribute.name for a in self.attrs):
            raise _invalid_operation("Duplicate attribute.")
        if attribute._parent is not None:
            attribute = XAttribute(attribute)
        self.attrs.append(self._adopt(attribute))

    # --- name and value ---------------------------------------------------------------------

    @property
    def Name(self) -> XName:
        return self.name

    @Name.setter
    def Name(self, value: object) -> None:
        self.name = name_of(value)

    @property
    def Value(self) -> str:
        return "".join(n._value for n in self.walk() if isinstance(n, XText))

    @Value.setter
    def Value(self, value: object) -> None:
        if value is None:
            raise exc.argument_null("value")
        self.RemoveNodes()
        self.insert(0, [xml_string(value)])

    def SetValue(self, value: object) -> None:
        self.Value = value

    @property
    def IsEmpty(self) -> bool:
        return self.empty and not self.nodes

    @property
    def HasElements(self) -> bool:
        return any(isinstance(n, XElement) for n in self.nodes)

    @property
    def HasAttributes(self) -> bool:
        return bool(self.attrs)

    # --- attributes -------------------------------------------------------------------------

    def Attribute(self, name: object) -> XAttribute | None:
        if name is None:
            return None
        wanted = name_of(name)
        return next((a for a in self.attrs if a.name is wanted), None)

    def live_attributes(self) -> Iterator[XAttribute]:
        """GetAttributes: stops once the attribute just yielded has left this element."""
        return _live(self, lambda: self.attrs)

    def Attributes(self, name: object = _ALL) -> LinqSeq:
        wanted = _wanted(name)
        if wanted is _NO_NAME:
            return _empty()
        return LinqSeq(
            lambda: (a for a in self.live_attributes() if wanted is None or a.name is wanted)
        )

    @property
    def FirstAttribute(self) -> XAttribute | None:
        return self.attrs[0] if self.attrs else None

    @property
    def LastAttribute(self) -> XAttribute | None:
        return self.attrs[-1] if self.attrs else None

    def SetAttributeValue(self, name: object, value: object) -> None:
        found = self.Attribute(name)  # a null name only fails when an attribute is made
        if value is None:
            if found is not None:
                found.Remove()
        elif found is not None:
            found.Value = value
        else:
            self.add_attribute(XAttribute(name, value))

    def SetElementValue(self, name: object, value: object) -> None:
        found = self.Element(name)
        if value is None:
            if found is not None:
                found.Remove()
        elif found is not None:
            found.Value = value
        else:
            self.Add(XElement(name, xml_string(value)))

    def RemoveAttributes(self) -> None:
        for attribute in self.attrs:
            attribute._parent = None
        self.attrs = []

    def RemoveAll(self) -> None:
        self.RemoveAttributes()
        self.RemoveNodes()

    def ReplaceAll(self, *content: object) -> None:
        items = flatten(content)
        self.RemoveAll()
        self.insert(0, items)

    def ReplaceAttributes(self, *content: object) -> None:
        items = flatten(content)  # nodes too: .NET adds the whole content
        self.RemoveAttributes()
        self.insert(len(self.nodes), items)

    # --- axes -------------------------------------------------------------------------------

    def AncestorsAndSelf(self, name: object = _ALL) -> LinqSeq:
        wanted = _wanted(name)
        if wanted is _NO_NAME:
            return _empty()

        def run() -> Iterator[XElement]:
            if wanted is None or self.name is wanted:
                yield self
            yield from (e for e in self.ancestors() if wanted is None or e.name is wanted)

        return LinqSeq(run)

    def DescendantsAndSelf(self, name: object = _ALL) -> LinqSeq:
        wanted = _wanted(name)
        if wanted is _NO_NAME:
            return _empty()

        def run() -> Iterator[XNode]:
            if wanted is None or self.name is wanted:
                yield self
            for n in self.live_descendants():
                if isinstance(n, XElement) and (wanted is None or n.name is wanted):
                    yield n

        return LinqSeq(run)

    def DescendantNodesAndSelf(self) -> LinqSeq:
        def run() -> Iterator[XNode]:
            yield self
            yield from self.live_descendants()

        return LinqSeq(run)

    # --- namespaces -------------------------------------------------------------------------

    def in_scope(self) -> Iterator[tuple[str, str]]:
        """(prefix, uri) declarations from this element outwards; "" is the default one."""
        node: XObject | None = self
        while isinstance(node, XElement):
            for a in node.attrs:
                if a.name.Namespace is XMLNS:
                    yield a.name.LocalName, a._value
                elif a.name.Namespace is NONE and a.name.LocalName == "xmlns":
                    yield "", a._value
            node = node._parent

    def GetDefaultNamespace(self) -> XNamespace:
        uri = next((uri for prefix, uri in self.in_scope() if prefix == ""), "")
        return XNamespace.get(uri)

    def GetNamespaceOfPrefix(self, prefix: object) -> XNamespace | None:
        if prefix is None:
            raise exc.argument_null("prefix")
        if not prefix:
            raise _argument("'' is an invalid prefix.")
        if prefix == "xmlns":
            return XMLNS
        found = next((uri for p, uri in self.in_scope() if p == prefix), None)
        if found is not None:
            return XNamespace.get(found)
        return XNamespace.get(XML_URI) if prefix == "xml" else None

    def GetPrefixOfNamespace(self, ns: object) -> str | None:
        namespace = ns if isinstance(ns, XNamespace) else XNamespace.cs_implicit(ns)
        if namespace is None:
            raise exc.argument_null("ns")
        uri = namespace.NamespaceName
        shadowed: set[str] = set()
        declared = False
        for prefix, bound in self.in_scope():
            if prefix and prefix not in shadowed and bound == uri:
                return prefix
            shadowed.add(prefix)
            declared = True
        if uri == XML_URI and (not declared or "xml" not in shadowed):
            return "xml"
        if namespace is XMLNS:
            return "xmlns"
        return None


_NO_NAME = XName.__new__(XName)  # `Elements(null)`: a filter nothing matches


class XDeclaration(CsObject):
    __slots__ = ("Encoding", "Standalone", "Version")
    CS_TYPE = "System.Xml.Linq.XDeclaration"
    CS_MEMBERS = frozenset({"Version", "Encoding", "Standalone", "ToString"})
    Version: str | None
    Encoding: str | None
    Standalone: str | None

    def __init__(self, version: object, encoding: object = None, standalone: object = None) -> None:
        if isinstance(version, XDeclaration):
            other = version
            version, encoding, standalone = other.Version, other.Encoding, other.Standalone
        self.Version = None if version is None else to_string(version)
        self.Encoding = None if encoding is None else to_string(encoding)
        self.Standalone = None if standalone is None else to_string(standalone)

    def ToString(self) -> str:
        text = "<?xml"
        for name, value in (
            ("version", self.Version),
            ("encoding", self.Encoding),
            ("standalone", self.Standalone),
        ):
            if value is not None:
                text += f' {name}="{value}"'
        return text + "?>"


class XDocument(XContainer):
    __slots__ = ("declaration",)
    CS_TYPE = "System.Xml.Linq.XDocument"
    CS_MEMBERS = XContainer.CS_MEMBERS | frozenset({"Root", "Declaration", "DocumentType"})
    NODE_TYPE = "Document"

    def __init__(self, *content: object) -> None:
        super().__init__()
        self.declaration: XDeclaration | None = None
        if len(content) == 1 and isinstance(content[0], XDocument):  # the copy constructor
            other = content[0]
            self.declaration = other.declaration and XDeclaration(other.declaration)
            self.copy_nodes_from(other)
            return
        if content and isinstance(content[0], XDeclaration):
            self.declaration = content[0]
            content = content[1:]
        self.Add(*content)

    def copy(self) -> XNode:
        return XDocument(self)

    @property
    def Root(self) -> XElement | None:
        return next((n for n in self.nodes if isinstance(n, XElement)), None)

    @property
    def DocumentType(self) -> XDocumentType | None:
        return next((n for n in self.nodes if isinstance(n, XDocumentType)), None)

    @property
    def Declaration(self) -> XDeclaration | None:
        return self.declaration

    @Declaration.setter
    def Declaration(self, value: object) -> None:
        if value is not None and not isinstance(value, XDeclaration):
            raise exc.invalid_cast(value, XDeclaration.CS_TYPE)
        self.declaration = value

    def validate_text(self, text: str) -> None:
        if text.strip(" \t\r\n"):
            raise _argument("Non-whitespace characters cannot be added to content.")

    def validate_child(self, node: XNode) -> None:
        super().validate_child(node)
        if type(node) is XCData:
            raise _argument("A node of type CDATA cannot be added to content.")
        if type(node) is XText:
            self.validate_text(node.Value)
        misplaced = isinstance(node, XDocumentType) and (
            self.Root is not None or self.DocumentType is not None
        )  # one DOCTYPE, before the root (.NET also allows it inserted before an existing root)
        if misplaced or (isinstance(node, XElement) and self.Root is not None):
            raise _invalid_operation(
                "This operation would create an incorrectly structured document."
            )
