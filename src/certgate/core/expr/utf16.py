"""Strings as .NET counts them: in UTF-16 code units.

certgate holds a .NET string as a Python `str` of code points. A character beyond U+FFFF (an
emoji) is one code point where .NET has two units, a surrogate pair; half a pair (what `"😀"[0]`
or `Substring` can cut off) is a lone surrogate code point. That is the canonical form: a pair is
never held as two surrogate code points, so `==` and hashing agree with .NET's ordinal equality.

Members that count or index (`Length`, indexers, `Substring`, `IndexOf`, `PadLeft`, `Regex`
positions, `StringBuilder`, enumerating a string's chars, ...) work on the *unit form*: `units(s)`
spells each pair as its two surrogates, so Python's indexes are .NET's. `text(u)` gives the
canonical form back. Text with neither astral characters nor surrogates, nearly all text, is the
same in both forms: `narrow(s)` finds that in O(1) for ASCII.
"""

from __future__ import annotations

import re

_WIDE = re.compile("[\U00010000-\U0010ffff\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def narrow(s: str) -> bool:
    """True when every code point of `s` is one UTF-16 unit and none is a surrogate: the unit
    form and the canonical form are the same string."""
    return s.isascii() or _WIDE.search(s) is None


def length(s: str) -> int:
    """`String.Length`: the number of UTF-16 units."""
    if s.isascii() or _ASTRAL.search(s) is None:
        return len(s)
    return len(s) + len(_ASTRAL.findall(s))


def meet(left: str, right: str) -> bool:
    """True when `left + right` joins two halves of a pair (both canonical: only the seam can)."""
    return (
        bool(left and right)
        and "\ud800" <= left[-1] <= "\udbff"
        and "\udc00" <= right[0] <= "\udfff"
    )


def units(s: str) -> str:
    """`s` with each astral character spelt as its surrogate pair: one code point per unit."""
    if s.isascii():
        return s
    return _ASTRAL.sub(_split, s)


def text(u: str) -> str:
    """The canonical form of a string in unit form (or of one built by joining pieces of
    strings, such as `"\\ud83d" + "\\ude00"`): each surrogate pair becomes its character."""
    if u.isascii() or _SURROGATE.search(u) is None:
        return u
    return _PAIR.sub(_join, u)


def well_formed(s: str) -> str:
    """`s` as .NET's encoders read it: a pair held as two code points is its character, a lone
    surrogate is U+FFFD (UTF-8 writes EF BF BD for it)."""
    if s.isascii() or _SURROGATE.search(s) is None:
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _split(m: re.Match[str]) -> str:
    code = ord(m.group()) - 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _join(m: re.Match[str]) -> str:
    pair = m.group()
    return chr(0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00))
