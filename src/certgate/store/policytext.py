"""Policy documents in the management API's two inline formats (spec §3.2, §9).

- `rawxml`: what authors write and the gateway reads: C# left raw inside attribute values and
  text (`condition="@(x != "a")"`). Not well-formed XML.
- `xml`: a well-formed XML document; expressions are entity-encoded (`=&gt;`, `&quot;`). Read
  with the same loader, which decodes entities once.

`check_xml` is the strict parse a `format=xml` write must pass. `to_xml`/`to_rawxml` convert a
stored document for reading back in the other format, keeping everything else byte for byte
(layout, comments, CDATA): only the C# regions (and, in attribute values, quotes nested outside
them) are re-encoded. Both expect a document the raw-XML loader accepts.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import Final

from certgate.core.policy._csharp_scan import ENTITY, decode_lenient, peek, scan_expression
from certgate.core.policy.rawxml import _NAME, _NEXT_ATTRIBUTE, _VALUE_END_FOLLOWERS

__all__ = ["XmlSyntaxError", "check_xml", "to_rawxml", "to_xml"]

_TEXT_ESCAPES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ATTR_ESCAPES: Final = {**_TEXT_ESCAPES, '"': "&quot;", "'": "&apos;"} | {
    "\n": "&#10;",
    "\t": "&#9;",
    "\r": "&#13;",
}
_TEXT_SPECIAL: Final = re.compile(r"[<&@]")
_VALUE_SPECIAL: Final = {q: re.compile(f"[{q}<&@]") for q in "\"'"}


class XmlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def check_xml(text: str) -> None:
    """Raise XmlSyntaxError unless `text` is a well-formed XML document without a DTD."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse_dtd(*_: object) -> None:
        raise XmlSyntaxError(
            "DTD is not allowed.", parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        )

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        message = xml.parsers.expat.ErrorString(exc.code) or "not well-formed"
        raise XmlSyntaxError(message, exc.lineno, exc.offset + 1) from None


def to_xml(raw: str) -> str:
    """A raw-XML document as well-formed XML: expressions entity-encoded."""
    return _Rewriter(raw, encode=True).run()


def to_rawxml(text: str) -> str:
    """A document with expressions as raw C# (entities inside expressions decoded once)."""
    return _Rewriter(text, encode=False).run()


def _escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(char, char) for char in text)


class _Rewriter:
    def __init__(self, text: str, *, encode: bool) -> None:
        self.text = text
        self.encode = encode
        self.out: list[str] = []

    def run(self) -> str:
        text, i = self.text, 0
        while i < len(text):
            i = self._markup(i) if text[i] == "<" else self._character_data(i)
        return "".join(self.out)

    def _copy_to(self, start: int, terminator: str) -> int:
        end = self.text.find(terminator, start)
        end = len(self.text) if end < 0 else end + len(terminator)
        self.out.append(self.text[start:end])
        return end

    def _markup(self, i: int) -> int:
        text = self.text
        if self.encode and text.startswith("<!--", i):
            return self._comment(i)
        for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("</", ">")):
            if text.startswith(opener, i):
                return self._copy_to(i, closer)
        name = _NAME.match(text, i + 1)
        if name is None:
            self.out.append("<")
            return i + 1
        self.out.append(text[i : name.end()])
        return self._attributes(name.end())

    def _comment(self, i: int) -> int:
        """XML forbids `--` inside a comment (the raw reader tolerates it): space it out."""
        end = self.text.find("-->", i + 4)
        end = len(self.text) if end < 0 else end
        body = self.text[i + 4 : end]
        while "--" in body:
            body = body.replace("--", "- -")
        if body.endswith("-"):
            body += " "
        self.out.append(f"<!--{body}-->")
        return min(end + 3, len(self.text))

    def _attributes(self, i: int) -> int:
        text = self.text
        while i < len(text):
            char = text[i]
            if char == ">":
                self.out.append(">")
                return i + 1
            if text.startswith("/>", i):
                self.out.append("/>")
                return i + 2
            quote = text.find('"', i), text.find("'", i)
            candidates = [q for q in quote if q >= 0]
            gt = text.find(">", i)
            if not candidates or (0 <= gt < min(candidates)):
                # No further attribute value before the tag ends: copy up to the end of the tag.
                end = len(text) if gt < 0 else gt
                self.out.append(text[i:end])
                i = end
                continue
            at = min(candidates)
            self.out.append(text[i : at + 1])
            i = self._attribute_value(at)
        return i

    def _attribute_value(self, quote_at: int) -> int:
        text = self.text
        quote, special = text[quote_at], _VALUE_SPECIAL[text[quote_at]]
        i = quote_at + 1
        while True:
            match = special.search(text, i)
            if match is None:
                self.out.append(text[i:])
                return len(text)
            j = match.start()
            self.out.append(text[i:j])
            char = text[j]
            if char == quote:
                if self._ends_value(j + 1):
                    self.out.append(quote)
                    return j + 1
                self.out.append(_ATTR_ESCAPES[quote] if self.encode else quote)
                i = j + 1
            elif char == "@":
                i = self._at_sign(j, _ATTR_ESCAPES)
            elif char == "&":
                i = self._entity(j)
            else:  # '<' is not valid here; keep a strict document strict
                self.out.append("&lt;" if self.encode else "<")
                i = j + 1

    def _ends_value(self, after_quote: int) -> bool:
        text = self.text
        if after_quote >= len(text) or text[after_quote] in _VALUE_END_FOLLOWERS:
            return True
        return _NEXT_ATTRIBUTE.match(text, after_quote) is not None

    def _character_data(self, start: int) -> int:
        text, i = self.text, start
        while True:
            match = _TEXT_SPECIAL.search(text, i)
            j = match.start() if match is not None else len(text)
            self.out.append(text[i:j])
            if j == len(text) or text[j] == "<":
                return j
            i = self._entity(j) if text[j] == "&" else self._at_sign(j, _TEXT_ESCAPES)

    def _entity(self, i: int) -> int:
        match = ENTITY.match(self.text, i)
        if match is None:
            self.out.append("&amp;" if self.encode else "&")
            return i + 1
        self.out.append(match.group())
        return match.end()

    def _at_sign(self, i: int, escapes: dict[str, str]) -> int:
        opener, _ = peek(self.text, i + 1)
        if opener not in ("(", "{"):
            self.out.append("@")
            return i + 1
        end = scan_expression(self.text, i)
        region = decode_lenient(self.text, i, end)
        self.out.append(_escape(region, escapes) if self.encode else region)
        return end
