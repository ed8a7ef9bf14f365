"""`XDocument.Parse` / `XElement.Parse` (LoadOptions.None) on expat.

As .NET's: whitespace-only text between markup is dropped unless `xml:space="preserve"` is in
force; adjacent text is one node; a CDATA section is its own `XCData`; an element written
`<a></a>` is not `IsEmpty`, `<a/>` is. Errors are `XmlException`.

Hardened beyond .NET: every DTD is refused with XmlReader's "For security reasons DTD is
prohibited …" message (.NET's XDocument.Parse would process an internal subset, capping entity
expansion at 10 million characters), so no entity is ever declared, expanded or fetched; and
depth is capped, so a request body cannot build a tree deeper than the runtime walks.
"""

from __future__ import annotations

import re
import xml.parsers.expat

from . import exceptions as exc
from .xnames import NONE, XML, XMLNS, XName, XNamespace
from .xtree import (
    XAttribute,
    XCData,
    XComment,
    XContainer,
    XDeclaration,
    XDocument,
    XElement,
    XNode,
    XProcessingInstruction,
    XText,
)

MAX_DEPTH = 1024
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_WHITESPACE = " \t\r\n"


def xml_error(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("XmlException", message)


class _Refused(Exception):
    pass


class _Builder:
    def __init__(self, document: XDocument) -> None:
        self.document = document
        self.stack: list[XContainer] = [document]
        self.scopes: list[dict[str, str]] = [{"xml": XML.NamespaceName}]
        self.text: list[str] = []
        self.cdata: list[str] | None = None
        self.preserve: list[bool] = [False]  # xml:space="preserve" in force

    def flush(self) -> None:
        if not self.text:
            return
        text = "".join(self.text)
        self.text = []
        # whitespace-only text is dropped (IgnoreWhitespace), unless it is significant
        if text.strip(_WHITESPACE) or self.preserve[-1]:
            self.append(XText(text))

    def append(self, node: XNode) -> None:
        parent = self.stack[-1]
        node._parent = parent
        parent.nodes.append(node)

    def start(self, tag: str, attributes: list[str]) -> None:
        self.flush()
        if len(self.stack) > MAX_DEPTH:
            raise _Refused(f"The document is nested deeper than {MAX_DEPTH} elements.")
        scope = dict(self.scopes[-1])
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        preserve = self.preserve[-1]
        for name, value in pairs:
            if name == "xmlns":
                scope[""] = value
            elif name.startswith("xmlns:"):
                scope[name[6:]] = value
            elif name == "xml:space":
                space = value.strip(_WHITESPACE)
                if space not in ("default", "preserve"):
                    raise _Refused(f"'{value}' is an invalid xml:space value.")
                preserve = space == "preserve"
        element = XElement.__new__(XElement)
        XContainer.__init__(element)
        element.attrs = []
        element.empty = True
        element.name = self.resolve(tag, scope, element=True)
        for name, value in pairs:
            if name == "xmlns":
                attribute_name = NONE.GetName("xmlns")
            elif name.startswith("xmlns:"):
                attribute_name = XMLNS.GetName(name[6:])
            else:
                attribute_name = self.resolve(name, scope, element=False)
            if any(a.name is attribute_name for a in element.attrs):
                raise _Refused(f"'{name}' is a duplicate attribute name.")
            attribute = XAttribute.__new__(XAttribute)
            attribute._parent = element
            attribute.name = attribute_name
            attribute._value = value
            element.attrs.append(attribute)
        self.append(element)
        self.stack.append(element)
        self.scopes.append(scope)
        self.preserve.append(preserve)

    @staticmethod
    def resolve(qname: str, scope: dict[str, str], *, element: bool) -> XName:
        prefix, _, local = qname.rpartition(":")
        if not prefix:
            uri = scope.get("", "") if element else ""
            return XNamespace.get(uri).GetName(local)
        if prefix not in scope:
            raise _Refused(f"'{prefix}' is an undeclared prefix.")
        return XNamespace.get(scope[prefix]).GetName(local)

    def end(self, *, explicit: bool) -> None:
        """`explicit`: written `<a></a>`, so not IsEmpty even without content."""
        self.flush()
        self.scopes.pop()
        self.preserve.pop()
        element = self.stack.pop()
        assert isinstance(element, XElement)
        if explicit:
            element.empty = False

    def characters(self, data: str) -> None:
        if self.cdata is not None:
            self.cdata.append(data)
        else:
            self.text.append(data)

    def start_cdata(self) -> None:
        self.flush()
        self.cdata = []

    def end_cdata(self) -> None:
        assert self.cdata is not None
        self.append(XCData("".join(self.cdata)))
        self.cdata = None

    def comment(self, data: str) -> None:
        self.flush()
        self.append(XComment(data))

    def instruction(self, target: str, data: str) -> None:
        self.flush()
        node = XProcessingInstruction.__new__(XProcessingInstruction)
        node._parent = None
        node.Target, node.Data = target, data
        self.append(node)

    def declaration(self, version: str | None, encoding: str | None, standalone: int) -> None:
        flag = None if standalone == -1 else ("yes" if standalone else "no")
        self.document.declaration = XDeclaration(version, encoding, flag)


def parse_document(text: object) -> XDocument:
    if text is None:
        raise exc.argument_null("text")
    if type(text) is not str:
        raise exc.invalid_cast(text, "System.String")
    document = XDocument()
    builder = _Builder(document)
    parser = xml.parsers.expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True

    def refuse_dtd(*_: object) -> None:
        raise _Refused(
            "For security reasons DTD is prohibited in this XML document. To enable DTD "
            "processing set the DtdProcessing property on XmlReaderSettings to Parse and pass "
            "the settings into XmlReader.Create method."
        )

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.CharacterDataHandler = builder.characters
    parser.StartCdataSectionHandler = builder.start_cdata
    parser.EndCdataSectionHandler = builder.end_cdata
    parser.CommentHandler = builder.comment
    parser.ProcessingInstructionHandler = builder.instruction
    parser.XmlDeclHandler = builder.declaration
    # expat does not say whether a start tag was `<a/>` or `<a>`: read the tag itself.

    data = text.encode("utf-8", errors="surrogatepass")
    empty_tags: list[bool] = []

    def start(tag: str, attributes: list[str]) -> None:
        builder.start(tag, attributes)
        found = _START_TAG.match(data, parser.CurrentByteIndex)
        empty_tags.append(found is not None and found.group().endswith(b"/>"))

    def end(_tag: str) -> None:
        builder.end(explicit=not empty_tags.pop())

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text, True)
    except _Refused as refused:
        raise xml_error(
            f"{refused} Line {parser.CurrentLineNumber}, position {parser.CurrentColumnNumber + 1}."
        ) from None
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code) or "not well-formed"
        raise xml_error(
            f"{message[:1].upper()}{message[1:]}. Line {error.lineno}, position {error.offset + 1}."
        ) from None
    if document.Root is None:
        raise xml_error("Root element is missing.")
    return document


def parse_element(text: object) -> XElement:
    root = parse_document(text).Root
    assert root is not None
    root.Remove()
    return root
