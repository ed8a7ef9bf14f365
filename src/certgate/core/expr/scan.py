"""Lexical scan of raw C# text: find the bracket that closes `@(` / `@{`.

Brackets inside string, verbatim, interpolated and char literals and inside comments do not count,
but the holes of interpolated strings (`$"a{x}"`) are code again and may nest. The scan runs on
every attribute value the policy loader sees (`is_expression`), and again before parsing, where
its findings become the C#-like errors "Unterminated string literal" and "Newline in constant"
(tree-sitter's recovery for those is unhelpful).
"""

from __future__ import annotations

_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class ScanError(Exception):
    """Lexical problem at character index `index` of the scanned text."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def matching_close(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`; raises ScanError if there is none."""
    return _Scanner(text).code(start + 1, _CLOSERS[text[start]], start)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text

    def code(self, i: int, closer: str, opened_at: int) -> int:
        """Scan code from `i` until `closer`; return its index."""
        text = self.text
        while i < len(text):
            c = text[i]
            if c == closer:
                return i
            if c in _CLOSERS:
                i = self.code(i + 1, _CLOSERS[c], i) + 1
            elif c in ")]}":
                raise ScanError(f"Invalid expression term '{c}'", i)
            elif c == '"':
                i = self.regular(i)
            elif c == "'":
                i = self.char(i)
            elif c in "@$" and (prefix := self.string_prefix(i)):
                i = self.interpolated(i, prefix) if "$" in prefix else self.verbatim(i + 1)
            elif text.startswith("//", i):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    raise ScanError("End-of-file found, '*/' expected", i)
                i = end + 2
            else:
                i += 1
        raise ScanError(f"{closer} expected", opened_at if closer == "}" else len(text))

    def string_prefix(self, i: int) -> str:
        for prefix in ('$@"', '@$"', '$"', '@"'):
            if self.text.startswith(prefix, i):
                return prefix[:-1]
        return ""

    def regular(self, i: int) -> int:
        """`i` at the opening quote of "..."; return the index after the closing quote."""
        return self._quoted(i, '"', "Unterminated string literal")

    def char(self, i: int) -> int:
        return self._quoted(i, "'", "Unterminated character literal")

    def _quoted(self, start: int, quote: str, unterminated: str) -> int:
        text, i = self.text, start + 1
        while i < len(text):
            c = text[i]
            if c == "\\":
                i += 2
            elif c == quote:
                return i + 1
            elif c == "\n":
                raise ScanError("Newline in constant", start)
            else:
                i += 1
        raise ScanError(unterminated, start)

    def verbatim(self, i: int) -> int:
        """`i` at the quote of @"..." ("" escapes a quote); return the index after it."""
        text, j = self.text, i + 1
        while j < len(text):
            if text[j] == '"':
                if text.startswith('""', j):
                    j += 2
                    continue
                return j + 1
            j += 1
        raise ScanError("Unterminated string literal", i - 1)

    def interpolated(self, start: int, prefix: str) -> int:
        """`start` at `$`; holes `{...}` are code, `{{`/`}}` are literal braces."""
        text, i = self.text, start + len(prefix) + 1
        verbatim = "@" in prefix
        while i < len(text):
            c = text[i]
            if c == "\\" and not verbatim:
                i += 2
            elif c == '"':
                if verbatim and text.startswith('""', i):
                    i += 2
                    continue
                return i + 1
            elif c in "{}" and text.startswith(c * 2, i):
                i += 2
            elif c == "{":
                i = self.code(i + 1, "}", i) + 1
            elif c == "\n" and not verbatim:
                raise ScanError("Newline in constant", start)
            else:
                i += 1
        raise ScanError("Unterminated string literal", start)


def expression_span(value: str) -> tuple[int, int] | None:
    """(index of '@', index of its closing bracket) if `value` is one whole expression."""
    start = len(value) - len(value.lstrip())
    if not value.startswith(("@(", "@{"), start):
        return None
    try:
        close = matching_close(value, start + 1)
    except ScanError:
        return None
    return (start, close) if value[close + 1 :].strip() == "" else None
