"""`ToString()` of LINQ to XML nodes, as .NET writes them through an indenting XmlWriter.

Three .NET layers are modelled, because each shows in the output:

* XLinq's ElementWriter picks prefixes from the tree's own `xmlns` attributes (those of the
  node's ancestors too) and hands everything else to the writer with no prefix;
* XmlWellFormedWriter keeps the namespace stack: a namespace the output has not declared yet gets
  a declaration after the element's attributes (the latest first), an element in an undeclared
  namespace becomes the default namespace (`xmlns="…"`), an attribute's gets a generated prefix
  `p{n}` where n counts the stack entries (so `p1` on a root element, `p2` one level down);
* XmlEncodedRawTextWriterIndent escapes and indents: a start tag, comment or processing
  instruction goes on a new line (two spaces per level) unless text was the last thing written or
  the parent holds text ("mixed content", inherited by children; the root element starts afresh);
  an end tag goes on a new line only when the element had content and no text just before it. An
  element without content is `<a />`, one whose content is "" is `<a></a>`. Line breaks in text,
  comments, CDATA and processing instructions become CR LF, Environment.NewLine on the Windows
  hosts APIM runs on (`jsonio.NEWLINE`); in attribute values they become `&#xA;`/`&#xD;`.
  Characters XML cannot hold raise ArgumentException, as CheckCharacters does.

Everything is iterative: a tree deeper than the Python stack still prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import exceptions as exc
from .budget import check_length
from .jsonio import NEWLINE
from .xnames import XML, XML_URI, XMLNS, XMLNS_URI, XName, XNamespace
from .xtree import (
    XAttribute,
    XCData,
    XComment,
    XDocument,
    XDocumentType,
    XElement,
    XNode,
    XProcessingInstruction,
    XText,
)

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;",
     "\r": "&#xD;"}
)  # fmt: skip
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?|\n")
_COMMENT_DASH = re.compile("-(?=-|\\Z)")  # `--` and a final `-` would end the comment early
_PI_END = re.compile("\\?(?=>)")


def _checked(text: str) -> str:
    bad = _INVALID.search(text)
    if bad is not None:
        char = bad.group()
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"'{char if char != chr(0) else '.'}', hexadecimal value 0x{ord(char):02X}, is an "
            "invalid character.",
        )
    return text


def _new_lines(text: str) -> str:
    """NewLineHandling.Replace: CR LF, CR and LF all become Environment.NewLine."""
    return _LINE_BREAK.sub(NEWLINE, text) if "\r" in text or "\n" in text else text


def text_escape(text: str) -> str:
    return _new_lines(_checked(text).translate(_TEXT))


def attribute_escape(text: str) -> str:
    return _checked(text).translate(_ATTR)


def _comment(text: str) -> str:
    return "<!--" + _COMMENT_DASH.sub("- ", _new_lines(_checked(text))) + "-->"


def _instruction(target: str, data: str) -> str:
    if not data:
        return f"<?{target}?>"
    return f"<?{target} {_PI_END.sub('? ', _new_lines(_checked(data)))}?>"


def _doctype(node: XDocumentType) -> str:
    """XmlEncodedRawTextWriter.WriteDocType (a space stands in for absent ids)."""
    text = f"<!DOCTYPE {node.Name}"
    if node.PublicId is not None:
        text += f' PUBLIC "{node.PublicId}" "{node.SystemId or ""}"'
    elif node.SystemId is not None:
        text += f' SYSTEM "{node.SystemId}"'
    else:
        text += " "
    if node.InternalSubset is not None:
        text += f"[{node.InternalSubset}]"
    return text + ">"


def _cdata(text: str) -> str:
    return "<![CDATA[" + _new_lines(_checked(text)).replace("]]>", "]]]]><![CDATA[>") + "]]>"


# --- XmlWellFormedWriter's namespace stack -------------------------------------------------------

_SPECIAL, _IMPLIED, _TO_WRITE, _WRITTEN = range(4)


def _argument(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ArgumentException", message)


def _redefined(prefix: str, old: str, new: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "XmlException",
        f"The prefix '{prefix}' cannot be redefined from '{old}' to '{new}' within the same "
        "start element tag.",
    )


class _Namespaces:
    """Prefix bindings the output has made so far, innermost last (XmlWellFormedWriter's
    `_nsStack`); `scopes` holds, per open element, the index of the last binding before it."""

    def __init__(self) -> None:
        self.prefixes = ["xmlns", "xml", ""]
        self.uris = [XMLNS_URI, XML_URI, ""]
        self.kinds = [_SPECIAL, _SPECIAL, _IMPLIED]
        self.by_prefix: dict[str, list[int]] = {"xmlns": [0], "xml": [1], "": [2]}
        self.by_uri: dict[str, list[int]] = {XMLNS_URI: [0], XML_URI: [1], "": [2]}
        self.scopes: list[int] = [2]

    @property
    def top(self) -> int:
        return len(self.prefixes) - 1

    def index(self, prefix: str) -> int:
        found = self.by_prefix.get(prefix)
        return found[-1] if found else -1

    def lookup_namespace(self, prefix: str) -> str | None:
        i = self.index(prefix)
        return self.uris[i] if i >= 0 else None

    def lookup_local(self, prefix: str) -> str | None:
        i = self.index(prefix)
        return self.uris[i] if i > self.scopes[-1] else None

    def lookup_prefix(self, uri: str) -> str | None:
        """The newest binding of `uri`, unless a later one reuses its prefix (then none)."""
        found = self.by_uri.get(uri)
        if not found:
            return None
        prefix = self.prefixes[found[-1]]
        return prefix if self.index(prefix) == found[-1] else None

    def generate_prefix(self) -> str:
        prefix = f"p{self.top - 2}"
        if self.lookup_namespace(prefix) is None:
            return prefix
        n = 0
        while self.lookup_namespace(f"{prefix}{n}") is not None:
            n += 1
        return f"{prefix}{n}"

    def add(self, prefix: str, uri: str, kind: int) -> None:
        i = len(self.prefixes)
        self.prefixes.append(prefix)
        self.uris.append(uri)
        self.kinds.append(kind)
        self.by_prefix.setdefault(prefix, []).append(i)
        self.by_uri.setdefault(uri, []).append(i)

    def open_scope(self) -> None:
        self.scopes.append(self.top)

    def close_scope(self) -> None:
        start = self.scopes.pop()
        while self.top > start:
            prefix, uri = self.prefixes.pop(), self.uris.pop()
            self.kinds.pop()
            self.by_prefix[prefix].pop()
            self.by_uri[uri].pop()

    def push_implicit(self, prefix: str, uri: str) -> None:
        """A prefix used by a name: declared later unless the binding is already in force."""
        i = self.index(prefix)
        if i > self.scopes[-1]:
            if self.uris[i] != uri:
                raise _redefined(prefix, self.uris[i], uri)
            return
        if i >= 0:
            if self.kinds[i] == _SPECIAL:
                if prefix != "xml" or uri != XML_URI:
                    raise _argument(f"Prefix '{prefix}' is reserved for use by XML.")
                kind = _IMPLIED
            else:
                kind = _IMPLIED if self.uris[i] == uri else _TO_WRITE
        else:
            if (uri == XML_URI and prefix != "xml") or (uri == XMLNS_URI and prefix != "xmlns"):
                raise _argument(f"Prefix '{prefix}' cannot be mapped to a reserved namespace.")
            kind = _TO_WRITE
        self.add(prefix, uri, kind)

    def push_explicit(self, prefix: str, uri: str) -> None:
        """An `xmlns` attribute of the tree, written where it stands."""
        i = self.index(prefix)
        if i > self.scopes[-1]:
            if self.uris[i] != uri:
                raise _redefined(prefix, self.uris[i], uri)
            if self.kinds[i] == _WRITTEN:
                name = f"xmlns:{prefix}" if prefix else "xmlns"
                raise exc.ExpressionRuntimeError(
                    "XmlException", f"'{name}' is a duplicate attribute name."
                )
            self.kinds[i] = _WRITTEN
            return
        if (uri == XML_URI and prefix != "xml") or (uri == XMLNS_URI and prefix != "xmlns"):
            raise _argument(f"Prefix '{prefix}' cannot be mapped to a reserved namespace.")
        if prefix == "xmlns" or (prefix == "xml" and uri != XML_URI):
            raise _argument(f"Prefix '{prefix}' is reserved for use by XML.")
        self.add(prefix, uri, _WRITTEN)

    def pending(self) -> Iterator[tuple[str, str]]:
        """Declarations the current start tag still owes, the latest first."""
        for i in range(self.top, self.scopes[-1], -1):
            if self.kinds[i] == _TO_WRITE:
                self.kinds[i] = _WRITTEN
                yield self.prefixes[i], self.uris[i]


class _Resolver:
    """XLinq's NamespaceResolver: the tree's own `xmlns` attributes in scope, newest last."""

    def __init__(self) -> None:
        self.declarations: list[tuple[str, XNamespace, int]] = []
        self.scope = 0

    def push(self, element: XElement, *, first: bool = False) -> None:
        found = [
            ("" if a.name.Namespace is not XMLNS else a.name.LocalName, XNamespace.get(a.Value))
            for a in element.attrs
            if a.IsNamespaceDeclaration
        ]
        if first:  # an ancestor's: older than everything seen so far (PushAncestors/AddFirst)
            for prefix, ns in found:
                self.declarations.insert(0, (prefix, ns, self.scope))
        else:
            self.declarations.extend((prefix, ns, self.scope) for prefix, ns in found)

    def pop(self) -> None:
        while self.declarations and self.declarations[-1][2] == self.scope:
            self.declarations.pop()
        self.scope -= 1

    def prefix_of(self, ns: XNamespace, *, allow_default: bool) -> str | None:
        shadowed: set[str] = set()
        for prefix, declared, _ in reversed(self.declarations):
            if declared is ns and prefix not in shadowed and (allow_default or prefix):
                return prefix
            shadowed.add(prefix)
        return None

    def prefix(self, name: XName, *, allow_default: bool) -> str | None:
        """ElementWriter.GetPrefixOfNamespace: None lets the XmlWriter choose."""
        ns = name.Namespace
        if not ns.NamespaceName:
            return ""
        found = self.prefix_of(ns, allow_default=allow_default)
        if found is not None:
            return found
        if ns is XML:
            return "xml"
        if ns is XMLNS:
            return "xmlns"
        return None


# --- the writer ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, *, indent: bool) -> None:
        self.indent = indent
        self.out: list[str] = []
        self.size = 0  # _bufPos
        self.text_at = 0  # _textPos: where the last text ended
        self.content_at = -1  # _contentPos: where the last start tag ended
        self.level = 0
        self.mixed = False
        self.mixed_stack: list[bool] = []
        self.ns = _Namespaces()
        self.start_tag_open = False
        self.tags: list[str] = []

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text)
        check_length(self.size)

    def new_line(self) -> None:
        if self.indent and not self.mixed and self.text_at != self.size:
            self.emit(NEWLINE + "  " * self.level)

    def content(self) -> None:
        """Something follows a start tag: its pending declarations, then `>`."""
        if not self.start_tag_open:
            return
        self.start_tag_open = False
        for prefix, uri in self.ns.pending():
            name = f"xmlns:{prefix}" if prefix else "xmlns"
            self.emit(f' {name}="{attribute_escape(uri)}"')
        self.emit(">")
        self.content_at = self.size
        # the root element does not inherit mixed content from the document level
        self.mixed = False if self.level == 1 else self.mixed_stack[-1]

    # --- nodes --------------------------------------------------------------------------------

    def text(self, value: str) -> None:
        self.content()
        self.mixed = True
        self.emit(text_escape(value))
        self.text_at = self.size

    def leaf(self, node: XNode) -> None:
        if isinstance(node, XCData):
            self.content()
            self.mixed = True
            self.emit(_cdata(node.Value))
            self.text_at = self.size
        elif isinstance(node, XText):
            self.text(node.Value)
        elif isinstance(node, XComment):
            self.content()
            self.new_line()
            self.emit(_comment(node.Value))
        elif isinstance(node, XProcessingInstruction):
            self.content()
            self.new_line()
            self.emit(_instruction(node.Target, node.Data))
        elif isinstance(node, XDocumentType):
            self.content()
            self.new_line()
            self.emit(_doctype(node))

    def element(self, root: XElement) -> None:
        """ElementWriter.WriteElement: a subtree with an explicit stack (no recursion)."""
        resolver = _Resolver()
        for ancestor in root.ancestors():
            resolver.push(ancestor, first=True)
        stack: list[Iterator[XNode]] = []
        self.start_element(root, resolver, stack)
        while stack:
            children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                self.end_element(resolver, full=True)
            elif isinstance(child, XElement):
                self.start_element(child, resolver, stack)
            else:
                self.leaf(child)

    def start_element(
        self, element: XElement, resolver: _Resolver, stack: list[Iterator[XNode]]
    ) -> None:
        resolver.scope += 1
        resolver.push(element)
        name = element.name
        uri = name.NamespaceName
        prefix = resolver.prefix(name, allow_default=True)
        self.content()
        if prefix is None:
            prefix = self.ns.lookup_prefix(uri) or ""
        tag = f"{prefix}:{name.LocalName}" if prefix else name.LocalName
        self.new_line()
        self.level += 1
        self.mixed_stack.append(self.mixed)
        self.emit("<" + tag)
        self.ns.open_scope()
        self.ns.push_implicit(prefix, uri)
        self.tags.append(tag)
        self.start_tag_open = True
        for attribute in element.attrs:
            self.attribute(attribute, resolver.prefix(attribute.name, allow_default=False))
        if element.nodes:
            stack.append(iter(list(element.nodes)))
        elif element.empty:
            self.end_element(resolver, full=False)
        else:  # content is "": WriteString("") then a full end tag
            self.text("")
            self.end_element(resolver, full=True)

    def end_element(self, resolver: _Resolver, *, full: bool) -> None:
        self.content()
        self.level -= 1
        had_content = self.content_at != self.size
        if self.indent and not self.mixed and had_content and self.text_at != self.size:
            self.emit(NEWLINE + "  " * self.level)
        self.mixed = self.mixed_stack.pop()
        tag = self.tags.pop()
        if full or self.content_at != self.size:
            self.emit(f"</{tag}>")
        else:  # nothing since the start tag: `>` becomes ` />`
            self.out[-1] = self.out[-1][:-1] + " />"
            self.size += 2
        self.ns.close_scope()
        resolver.pop()

    def attribute(self, attribute: XAttribute, prefix: str | None) -> None:
        """XmlWellFormedWriter.WriteAttributeString(prefix, local, namespace, value)."""
        local = attribute.name.LocalName
        uri = attribute.name.NamespaceName
        value = attribute.Value
        if not uri and local == "xmlns":
            uri = XMLNS_URI
        if prefix is None:
            if not (local == "xmlns" and uri == XMLNS_URI):
                prefix = self.ns.lookup_prefix(uri)
            prefix = prefix or ""
        if not prefix:
            if local == "xmlns":  # a default namespace declaration
                self.ns.push_explicit("", value)
                self.emit(f' xmlns="{attribute_escape(value)}"')
                return
            if uri:
                prefix = self.ns.lookup_prefix(uri) or self.ns.generate_prefix()
        elif prefix == "xmlns":
            if not value:
                raise _argument("Cannot use a prefix with an empty namespace.")
            if value == XMLNS_URI or (value == XML_URI and local != "xml"):
                raise _argument("Cannot bind to the reserved namespace.")
            self.ns.push_explicit(local, value)
            self.emit(f' xmlns:{local}="{attribute_escape(value)}"')
            return
        elif prefix == "xml" and local in ("space", "lang"):
            if local == "space":
                value = value.strip(" \t\r\n")
                if value not in ("default", "preserve"):
                    raise _argument(f"'{value}' is an invalid xml:space value.")
            self.emit(f' xml:{local}="{attribute_escape(value)}"')
            return
        else:
            defined = self.ns.lookup_local(prefix)
            if defined is not None and defined != uri:
                prefix = self.ns.generate_prefix()
        if prefix:
            self.ns.push_implicit(prefix, uri)
        shown = f"{prefix}:{local}" if prefix else local
        self.emit(f' {shown}="{attribute_escape(value)}"')


def write_node(node: XNode, *, indent: bool) -> str:
    writer = _Writer(indent=indent)
    children = node.nodes if isinstance(node, XDocument) else [node]
    for child in children:
        if isinstance(child, XElement):
            writer.element(child)
        else:
            writer.leaf(child)
    return "".join(writer.out)


def attribute_text(attribute: XAttribute) -> str:
    """XAttribute.ToString(): the attribute alone, as a fragment-level XmlWriter writes it."""
    name = attribute.name
    parent = attribute.Parent
    prefix: str | None
    if not name.NamespaceName:
        prefix = ""
    elif parent is not None:
        prefix = parent.GetPrefixOfNamespace(name.Namespace)
    else:
        prefix = "xml" if name.Namespace is XML else "xmlns" if name.Namespace is XMLNS else None
    writer = _Writer(indent=False)
    writer.attribute(attribute, prefix)
    return "".join(writer.out).strip()
