""".NET regular-expression syntax, read the way .NET's RegexParser reads it, written out in the
`regex` package's syntax.

The two dialects share most text but not all of it, and the differences are silent: `[a-z-[aeiou]]`
is a class subtraction in .NET and a different class in `regex`; `a{,2}` is literal in .NET and a
count in `regex`; `\\101` is octal "A"; `\\w` leaves out spacing marks and letter-numbers;
`(?i)` in mid-pattern covers the rest of its group, where `regex` applies it to the whole pattern.
So the pattern is parsed once, construct by construct, and only what .NET accepts is written:
`\\K`, possessive `a++`, `(?|…)`, `(?R)`, `\\pL`, `(?P<n>…)` and the like get .NET's
ArgumentException instead of working. Whitespace and comments of `x` mode are dropped here, and
inline `i`/`m`/`s` become scoped groups around each atom they reach, so the output never depends
on how `regex` scopes inline flags. Balancing groups have no `regex` counterpart: NotSupported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import exceptions as exc
from . import utf16
from .regexblocks import BLOCKS

IGNORE_CASE, MULTILINE, EXPLICIT, SINGLELINE, VERBOSE, ECMASCRIPT = 1, 2, 4, 16, 32, 256
NONBACKTRACKING = 1024
_SCOPED = IGNORE_CASE | MULTILINE | SINGLELINE  # the inline flags written out per atom
_INLINE = {"i": IGNORE_CASE, "m": MULTILINE, "n": EXPLICIT, "s": SINGLELINE, "x": VERBOSE}
_LETTERS = ((IGNORE_CASE, "i"), (MULTILINE, "m"), (SINGLELINE, "s"))

_BLANKS = " \t\n\f\r"  # what `x` mode skips (.NET's IsSpace: not \v)
_SUBCATEGORIES = {  # the general categories .NET's \p{...} knows: "L", "Lu", ...
    "L": "ultmo",
    "M": "nce",
    "N": "dlo",
    "Z": "slp",
    "C": "cfson",
    "P": "cdseifo",
    "S": "mcko",
}
_CATEGORIES = frozenset(
    [*_SUBCATEGORIES, *(major + sub for major, subs in _SUBCATEGORIES.items() for sub in subs)]
)
# .NET's \w: letters, non-spacing marks, decimal digits, connector punctuation; \W is every other
# category (the categories partition the code points). \b also counts the two joiners as word.
_WORD = r"\p{L}\p{Mn}\p{Nd}\p{Pc}"
_WORD_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Pc"))
_NOT_WORD = r"\p{Mc}\p{Me}\p{Nl}\p{No}\p{Z}\p{C}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{S}"
_B = "[" + _WORD + r"\u200c\u200d]"
_BOUNDARY = f"(?:(?<={_B})(?!{_B})|(?<!{_B})(?={_B}))"
_NOT_BOUNDARY = f"(?:(?<={_B})(?={_B})|(?<!{_B})(?!{_B}))"
_ANCHORS = {"A": r"\A", "z": r"\Z", "Z": r"(?=\n?\Z)", "G": r"\G"}
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "e": 27, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_INT_MAX = 2**31 - 1
# the groups RegexOptions.NonBacktracking refuses, by the character after `(?` (or `(?<`)
_BACKTRACKING = {
    "=": "positive lookarounds",
    "!": "negative lookarounds",
    ">": "atomic subexpressions",
}


@dataclass(frozen=True, slots=True)
class Translation:
    text: str  # in the `regex` package's syntax; capture groups are `gN`, N in opening order
    groups: tuple[str | None, ...]  # each capture group's .NET name, or None when unnamed
    refused: str | None  # the first construct RegexOptions.NonBacktracking refuses, if any
    # `text` with `regex`'s own \w and \b, which agree with .NET's on ASCII input and run
    # faster; None when the pattern has neither
    ascii_text: str | None = None


def translate(pattern: str, options: int) -> Translation:
    """Raise ArgumentException where .NET's parser does. A first pass finds the groups (a
    back-reference may name a group that opens after it), the second writes the pattern."""
    groups = _Parser(pattern, options, None).run().groups
    exact = _Parser(pattern, options, groups)
    translation = exact.run()
    if not exact.words or exact.ecma:
        return translation
    ascii_text = _Parser(pattern, options, groups, native=True).run().text
    return Translation(translation.text, groups, translation.refused, ascii_text)


def nonbacktracking(construct: str) -> str:
    """.NET 7+'s refusal of a backtracking construct under RegexOptions.NonBacktracking."""
    return (
        "RegexOptions.NonBacktracking is not supported in conjunction with expressions "
        f"containing: '{construct}'."
    )


def _is_word(c: str) -> bool:
    """.NET's IsBoundaryWordChar: what group names are made of, and the letters `\\` may not
    escape."""
    return unicodedata.category(c) in _WORD_CATEGORIES or c in "\u200c\u200d"


def _char(code: int) -> str:
    """One character, safe anywhere in a `regex` pattern (in or out of a class)."""
    c = chr(code)
    if c.isascii() and c.isalnum():
        return c
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


class _Parser:
    def __init__(
        self,
        pattern: str,
        options: int,
        groups: tuple[str | None, ...] | None,
        native: bool = False,
    ) -> None:
        self.p = pattern
        self.i = 0
        self.base = options & _SCOPED
        self.flags = options & (_SCOPED | EXPLICIT | VERBOSE)
        self.ecma = bool(options & ECMASCRIPT)
        self.native = native
        self.words = False  # met \w, \W, \b or \B, which `regex` reads its own way
        self.nonbacktracking = bool(options & NONBACKTRACKING)
        self.known = groups  # None in the first pass
        self.index: dict[str, int] = {}  # .NET group number (as text) or name -> `regex` index
        if groups is not None:
            numbers, by_name = net_numbering(groups)
            for index, number in enumerate(numbers, start=1):
                self.index.setdefault(str(number), index)
            for name, number in by_name.items():
                self.index.setdefault(name, self.index[str(number)])
        self.out: list[str] = []
        self.found: list[str | None] = []
        self.frames: list[int] = []  # flags to restore when each open group closes
        self.last: int | None = None  # index in `out` of what a quantifier would repeat
        self.anchor = False  # the last atom is an anchor (`regex` repeats only a group of one)
        self.quantified = False
        self.refused: str | None = None

    # --- errors and output ------------------------------------------------------------------------

    def fail(self, reason: str, at: int | None = None) -> exc.ExpressionRuntimeError:
        offset = self.i if at is None else at
        return exc.ExpressionRuntimeError(
            "ArgumentException",
            f"Invalid pattern '{utf16.text(self.p)}' at offset {offset}. {reason} "
            "(Parameter 'pattern')",
        )

    def native_words(self) -> bool:
        """Whether \\w and \\b are written as `regex`'s own (ECMAScript's ASCII ones are)."""
        self.words = True
        return self.native or self.ecma

    def refuse(self, construct: str) -> None:
        if self.refused is None:
            self.refused = construct

    def atom(self, text: str, anchor: bool = False) -> None:
        differ = (self.flags ^ self.base) & _SCOPED
        if differ:
            on = "".join(c for bit, c in _LETTERS if differ & bit and self.flags & bit)
            off = "".join(c for bit, c in _LETTERS if differ & bit and not self.flags & bit)
            text = f"(?{on}{'-' + off if off else ''}:{text})"
        self.last, self.anchor, self.quantified = len(self.out), anchor, False
        self.out.append(text)

    def cut(self, text: str) -> None:
        """Output after which nothing can be repeated: `(`, `|`."""
        self.out.append(text)
        self.last, self.quantified = None, False

    # --- the main loop ----------------------------------------------------------------------------

    def run(self) -> Translation:
        p = self.p
        while self.i < len(p):
            if self.blank():
                continue
            c = p[self.i]
            if c == "\\":
                self.escape()
            elif c == "[":
                self.atom(self.char_class())
            elif c == "(":
                self.open_group()
            elif c == ")":
                self.close_group()
            elif c == "|":
                self.i += 1
                self.cut("|")
            elif c in "*+?" or (c == "{" and self.count_end() is not None):
                self.quantifier()
            elif c in "^$.":
                self.i += 1
                self.atom(c, anchor=c != ".")
            else:
                self.i += 1
                self.atom(_char(ord(c)))
        if self.frames:
            raise self.fail("Not enough )'s.")
        groups = tuple(self.found)
        return Translation("".join(self.out), groups, self.refused)

    def blank(self) -> bool:
        """Skip a `(?#…)` comment, or in `x` mode a blank or a `#` comment; True if skipped."""
        p, i = self.p, self.i
        if p.startswith("(?#", i):
            end = p.find(")", i)
            if end < 0:
                raise self.fail("Unterminated (?#...) comment.", len(p))
            self.i = end + 1
            return True
        if self.flags & VERBOSE:
            if p[i] in _BLANKS:
                self.i += 1
                return True
            if p[i] == "#":
                end = p.find("\n", i)
                self.i = len(p) if end < 0 else end + 1
                return True
        return False

    # --- quantifiers ------------------------------------------------------------------------------

    def count_end(self) -> int | None:
        """Where `{n}`, `{n,}` or `{n,m}` at the cursor ends (.NET: no blanks inside), else None."""
        p, j = self.p, self.i + 1
        start = j
        while j < len(p) and p[j].isdigit() and p[j].isascii():
            j += 1
        if j == start or j >= len(p):
            return None
        if p[j] == ",":
            j += 1
            while j < len(p) and p[j].isdigit() and p[j].isascii():
                j += 1
        return j + 1 if j < len(p) and p[j] == "}" else None

    def quantifier(self) -> None:
        p, start = self.p, self.i
        c = p[start]
        if self.quantified:
            raise self.fail(f"Nested quantifier '{c}'.", start + 1)
        if self.last is None:
            raise self.fail(f"Quantifier '{c}' following nothing.", start + 1)
        end = self.count_end() if c == "{" else start + 1
        assert end is not None
        text = p[start:end]
        if c == "{":
            low, _, high = text[1:-1].partition(",")
            if int(low) > _INT_MAX or (high and int(high) > _INT_MAX):
                raise self.fail(
                    "Capture group numbers must be less than or equal to Int32.MaxValue.", end
                )
            if high and int(low) > int(high):
                raise self.fail("Illegal {x,y} with x > y.", end)
        if end < len(p) and p[end] == "?":
            text += "?"
            end += 1
        if self.anchor:
            self.out[self.last] = f"(?:{self.out[self.last]})"
        self.out.append(text)
        self.i = end
        self.quantified = True

    # --- escapes outside a class ------------------------------------------------------------------

    def escape(self) -> None:
        p, i = self.p, self.i
        if i + 1 >= len(p):
            raise self.fail("Illegal \\ at end of pattern.", len(p))
        c = p[i + 1]
        if c in "bB":
            self.i += 2
            boundary = _BOUNDARY if c == "b" else _NOT_BOUNDARY
            self.atom("\\" + c if self.native_words() else boundary, anchor=True)
        elif c in _ANCHORS:
            self.i += 2
            if c == "G":
                self.refuse("contiguous-match anchors")
            self.atom(_ANCHORS[c], anchor=True)
        elif c in "wW" and not self.native_words():
            self.i += 2
            self.atom(f"[{'^' if c == 'W' else ''}{_WORD}]")
        elif c in "wWsSdD":
            self.i += 2
            self.atom("\\" + c)
        elif c in "pP":
            self.i += 2
            self.atom(self.property(c == "P", in_class=False))
        elif c in "k<'" or "1" <= c <= "9":
            self.reference()
        else:
            self.i += 1
            self.atom(_char(self.char_escape()))

    def reference(self) -> None:
        """.NET's ScanBasicBackslash: `\\k<n>`, `\\<n>`, `\\1`, or failing those a char escape."""
        p, back = self.p, self.i
        self.i += 1
        c = p[self.i]
        close = ""
        if c == "k":
            if self.i + 2 < len(p) and p[self.i + 1] in "<'":
                close = ">" if p[self.i + 1] == "<" else "'"
                self.i += 2
            else:
                raise self.fail("Malformed \\k<...> named back reference.", self.i + 1)
        elif c in "<'" and self.i + 1 < len(p):
            close = ">" if c == "<" else "'"
            self.i += 1
        c = p[self.i] if self.i < len(p) else ""
        if close and c.isdigit() and c.isascii():
            number = self.decimal()
            if p[self.i : self.i + 1] == close:
                self.i += 1
                return self.back_reference(str(number), number)
        elif not close and c.isdigit():
            found = self.numbered_reference()
            if found is not None:
                return self.back_reference(str(found), found)
        elif close and _is_word(c):
            name = self.capname()
            if p[self.i : self.i + 1] == close:
                self.i += 1
                return self.back_reference(name, None)
        self.i = back + 1
        self.atom(_char(self.char_escape()))
        return None

    def numbered_reference(self) -> int | None:
        """`\\N`: the group, or None to read the digits again as an octal escape."""
        start = self.i
        if self.ecma:  # the longest prefix of the digits that names a group
            found, j = None, start
            while j < len(self.p) and self.p[j].isdigit() and self.p[j].isascii():
                j += 1
                if self.is_group(int(self.p[start:j])):
                    found, self.i = int(self.p[start:j]), j
            return found
        number = self.decimal()
        if self.is_group(number):
            return number
        if number <= 9:
            raise self.fail(f"Reference to undefined group number {number}.")
        return None

    def is_group(self, number: int) -> bool:
        return self.known is None or str(number) in self.index

    def back_reference(self, name: str, number: int | None) -> None:
        self.refuse("backreferences")
        if self.known is None:
            self.atom("")
            return
        index = self.index.get(name)
        if index is None:
            if number is None:
                raise self.fail(f"Reference to undefined group name '{name}'.")
            raise self.fail(f"Reference to undefined group number {number}.")
        self.atom(f"(?:\\g<{index}>)")

    def decimal(self) -> int:
        start = self.i
        while self.i < len(self.p) and self.p[self.i].isdigit() and self.p[self.i].isascii():
            self.i += 1
        value = int(self.p[start : self.i])
        if value > _INT_MAX:
            raise self.fail("Capture group numbers must be less than or equal to Int32.MaxValue.")
        return value

    def capname(self) -> str:
        start = self.i
        while self.i < len(self.p) and _is_word(self.p[self.i]):
            self.i += 1
        return self.p[start : self.i]

    def char_escape(self) -> int:
        """.NET's ScanCharEscape, the cursor on the character after `\\`: a character's code."""
        p = self.p
        c = p[self.i]
        self.i += 1
        if "0" <= c <= "7":
            return self.octal(int(c))
        if c in "xu":
            return self.hex(2 if c == "x" else 4)
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c]
        if c == "c":
            return self.control()
        if not self.ecma and _is_word(c):
            raise self.fail(f"Unrecognized escape sequence \\{c}.")
        return ord(c)

    def octal(self, value: int) -> int:
        """Up to three octal digits, the first already read; .NET keeps the low eight bits."""
        for _ in range(2):
            c = self.p[self.i : self.i + 1]
            if not ("0" <= c <= "7") or (self.ecma and value >= 0x20):
                break
            value = value * 8 + int(c)
            self.i += 1
        return value & 0xFF

    def hex(self, digits: int) -> int:
        text = self.p[self.i : self.i + digits]
        if len(text) < digits or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise self.fail("Insufficient or invalid hexadecimal digits.")
        self.i += digits
        return int(text, 16)

    def control(self) -> int:
        if self.i >= len(self.p):
            raise self.fail("Missing control character.")
        c = self.p[self.i]
        self.i += 1
        code = ord(c.upper() if "a" <= c <= "z" else c) - ord("@")
        if not 0 <= code < 32:
            raise self.fail("Unrecognized control character.")
        return code

    def property(self, negated: bool, in_class: bool) -> str:
        """`\\p{Name}` or `\\P{Name}`, the cursor after the `p`: class items when `in_class`,
        else a whole class."""
        p = self.p
        end = p.find("}", self.i)
        if p[self.i : self.i + 1] != "{" or end < 0:
            raise self.fail("Incomplete \\p{X} character escape.")
        name = p[self.i + 1 : end]
        self.i = end + 1
        if name in _CATEGORIES:
            items = f"\\{'P' if negated else 'p'}{{{name}}}"
            return items if in_class else f"[{items}]"
        if name not in BLOCKS:
            raise self.fail(f"Unknown property '{name}'.")
        low, high = BLOCKS[name]
        if not in_class:
            return f"[{'^' if negated else ''}{_char(low)}-{_char(high)}]"
        if not negated:
            return f"{_char(low)}-{_char(high)}"
        below = f"{_char(0)}-{_char(low - 1)}" if low else ""
        return below + f"{_char(high + 1)}-{_char(0x10FFFF)}"

    # --- character classes ------------------------------------------------------------------------

    def char_class(self) -> str:
        """.NET's ScanCharClass, the cursor on `[`: a `regex` atom. A subtraction `[base-[sub]]`
        becomes `(?:(?!sub)base)`."""
        p = self.p
        self.i += 1
        negate = p[self.i : self.i + 1] == "^"
        self.i += negate
        items: list[str] = []
        subtraction: str | None = None
        first, pending = True, None  # pending: the start of a range, read before its `-`
        while True:
            if self.i >= len(p):
                raise self.fail("Unterminated [] set.")
            c = p[self.i]
            self.i += 1
            code: int | None = ord(c)
            was_first, first = first, False
            if c == "]" and not was_first:
                break
            if c == "\\" and self.i < len(p):
                code = self.class_escape(items, pending is not None)
            elif c == "[" and p[self.i : self.i + 1] == ":" and pending is None:
                self.posix_name()
            if code is None:  # a set such as \d was added
                continue
            if pending is not None:
                if c == "[":  # `[a-[b]]`: the `a` stays, `[b]` is subtracted
                    items.append(_char(pending))
                    self.i -= 1
                    subtraction = self.subtraction()
                elif pending > code:
                    raise self.fail("[x-y] range in reverse order.")
                else:
                    items.append(f"{_char(pending)}-{_char(code)}")
                pending = None
            elif p[self.i : self.i + 1] == "-" and p[self.i + 1 : self.i + 2] not in ("]", ""):
                pending = code
                self.i += 1
            elif c == "-" and p[self.i : self.i + 1] == "[" and not was_first:
                subtraction = self.subtraction()
            else:
                items.append(_char(code))
        body = "".join(items)
        base = (f"[^{body}]" if body else r"[\s\S]") if negate else f"[{body}]" if body else "(?!)"
        return base if subtraction is None else f"(?:(?!{subtraction}){base})"

    def subtraction(self) -> str:
        """The subtracted class, the cursor on its `[`; nothing may follow it but `]`."""
        text = self.char_class()
        if self.p[self.i : self.i + 1] != "]":
            raise self.fail("A subtraction must be the last element in a character class.")
        return text

    def posix_name(self) -> None:
        """`[:name:]` inside a class: .NET skips the name and keeps only the `[`."""
        save = self.i
        self.i += 1
        self.capname()
        if self.p[self.i : self.i + 2] == ":]":
            self.i += 2
        else:
            self.i = save

    def class_escape(self, items: list[str], in_range: bool) -> int | None:
        """An escape inside a class: a character's code, or None for what was added to `items`
        (a set such as `\\d`, or `\\-`, which never starts a range)."""
        c = self.p[self.i]
        if c in "dDsSwWpP":
            if in_range:
                raise self.fail(f"Cannot include class \\{c} in character range.")
            self.i += 1
            if c in "pP":
                items.append(self.property(c == "P", in_class=True))
            elif c in "wW" and not self.native_words():
                items.append(_WORD if c == "w" else _NOT_WORD)
            else:
                items.append("\\" + c)
            return None
        if c == "-":  # never the start of a range
            self.i += 1
            items.append(_char(ord("-")))
            return None
        return self.char_escape()

    # --- groups -----------------------------------------------------------------------------------

    def open_group(self) -> None:
        p = self.p
        if not p.startswith("(?", self.i):
            self.i += 1
            self.push("(?:" if self.flags & EXPLICIT else self.capture(None))
            return
        c = p[self.i + 2 : self.i + 3]
        if c in (":", "=", "!", ">"):
            self.i += 3
            if c in _BACKTRACKING:
                self.refuse(_BACKTRACKING[c])
            self.push(f"(?{c}")
        elif c == "<" and p[self.i + 3 : self.i + 4] in ("=", "!"):
            self.refuse(_BACKTRACKING[p[self.i + 3]])
            self.i += 4
            self.push(f"(?<{p[self.i - 1]}")
        elif c in ("<", "'"):
            self.named_group(">" if c == "<" else "'")
        elif c == "(":
            self.conditional()
        else:
            self.options()

    def push(self, text: str) -> None:
        self.frames.append(self.flags)
        self.cut(text)

    def capture(self, name: str | None) -> str:
        self.found.append(name)
        return f"(?P<g{len(self.found)}>"

    def named_group(self, close: str) -> None:
        p = self.p
        self.i += 3
        c = p[self.i : self.i + 1]
        if c == "-" or (c and _is_word(c) and p[self.i + len(self.group_name()) :].startswith("-")):
            message = (
                nonbacktracking("balancing groups")
                if self.nonbacktracking
                else "not supported yet: balancing groups ((?<name1-name2>...)) in a regular "
                f"expression: '{utf16.text(p)}'"
            )
            raise exc.ExpressionRuntimeError("NotSupportedException", message)
        if not c or not _is_word(c):
            raise self.fail("Invalid group name: Group names must begin with a word character.")
        name = self.group_name()
        self.i += len(name)
        if p[self.i : self.i + 1] != close:
            raise self.fail("Invalid group name: Group names must begin with a word character.")
        if name.isdigit() and int(name) == 0:
            raise self.fail("Capture number cannot be zero.")
        self.i += 1
        self.push(self.capture(str(int(name)) if name.isdigit() else name))

    def group_name(self) -> str:
        """The group name or number at the cursor, not consumed."""
        p, j = self.p, self.i
        if p[j : j + 1].isdigit():
            while j < len(p) and p[j].isdigit() and p[j].isascii():
                j += 1
        else:
            while j < len(p) and _is_word(p[j]):
                j += 1
        return p[self.i : j]

    def conditional(self) -> None:
        """`(?(N)yes|no)`, `(?(name)yes|no)` or `(?(expression)yes|no)`."""
        p = self.p
        self.refuse("conditionals")
        start = self.i
        self.i += 3
        ref = self.group_name()
        if ref and p[self.i + len(ref) : self.i + len(ref) + 1] == ")":
            index = self.index.get(str(int(ref)) if ref.isdigit() else ref)
            if ref.isdigit() and self.known is not None and index is None:
                raise self.fail(
                    f"Conditional alternation refers to an undefined group number {int(ref)}.",
                    self.i + len(ref) + 1,
                )
            if index is not None or (ref.isdigit() and self.known is None):
                self.i += len(ref) + 1
                self.push(f"(?({index or 0})")
                return
        # `(?` + the condition's lookaround, which closes with the condition's own `)`
        self.i = start + 2
        self.push("(?")
        if not p.startswith(("(?=", "(?!", "(?<=", "(?<!"), self.i):
            self.i += 1
            self.push("(?=")  # .NET tests any other expression as a lookahead

    def options(self) -> None:
        """`(?imnsx-imnsx)` for the rest of the group, or `(?imnsx-imnsx:…)`."""
        p = self.p
        j, on = self.i + 2, True
        flags = self.flags
        while j < len(p) and (p[j] in "+-" or p[j].lower() in _INLINE):
            if p[j] in "+-":
                on = p[j] == "+"
            elif on:
                flags |= _INLINE[p[j].lower()]
            else:
                flags &= ~_INLINE[p[j].lower()]
            j += 1
        if p[j : j + 1] == ")":
            self.i = j + 1
            self.flags = flags
        elif p[j : j + 1] == ":":
            self.i = j + 1
            self.push("(?:")
            self.flags = flags
        else:
            raise self.fail("Unrecognized grouping construct.", j + 1)

    def close_group(self) -> None:
        if not self.frames:
            raise self.fail("Too many )'s.", self.i + 1)
        self.i += 1
        self.flags = self.frames.pop()
        self.out.append(")")
        self.last, self.anchor, self.quantified = len(self.out) - 1, False, False


def net_numbering(groups: tuple[str | None, ...]) -> tuple[list[int], dict[str, int]]:
    """.NET numbers: unnamed groups 1..n left to right, then named groups (numeric names are
    their own number). Returns (number per group in order, name -> number)."""
    numbers: list[int] = [0] * len(groups)
    next_number = 1
    for i, name in enumerate(groups):
        if name is None:
            numbers[i] = next_number
            next_number += 1
    by_name: dict[str, int] = {}
    for i, name in enumerate(groups):
        if name is None:
            continue
        if name.isdigit():
            numbers[i] = int(name)
        elif name in by_name:
            numbers[i] = by_name[name]
        else:
            while next_number in numbers[:i] or str(next_number) in by_name:
                next_number += 1
            numbers[i] = next_number
            next_number += 1
        by_name[name] = numbers[i]
    return numbers, by_name
