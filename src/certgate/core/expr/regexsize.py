"""How far the `regex` package would unroll a pattern's counted repetitions when it compiles.

.NET keeps `x{100000000}` as a loop; the `regex` package unrolls the minimum count of a
repetition into its compiled program, so that pattern takes gigabytes (and a group repeated a
million times crashes the process). A policy or a request must not be able to exhaust a
worker's memory, so a pattern whose minimum counts, multiplied along each nesting, add up past
`MAX_UNROLLED` is refused before it reaches `regex.compile`. Maximum counts cost nothing
(`.{0,65536}` is cheap), and ordinary patterns stay far below the limit (`\\d{4}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .exceptions import ExpressionRuntimeError

#: the most a pattern's minimum counts may multiply to (about 20 MB of compiled program)
MAX_UNROLLED = 10_000

_COUNT = re.compile(r"\{(\d+)(?:,\d*)?\}")


def _tokens(pattern: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, text, syntax) for each character, an escape or a class's opening as one; syntax
    is False inside a class and for an escape (`[]…]` opens with a literal ])."""
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        width, syntax = 1, not in_class
        if c == "\\":
            width, syntax = 2, False
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class, syntax = True, False
            width = 2 if pattern[i + 1 : i + 2] == "]" else 1
        yield i, pattern[i : i + width], syntax
        i += width


def check_unrolled(pattern: str) -> None:
    """Raise NotSupportedException when compiling `pattern` (the `regex` package's syntax, as
    `regexsyntax` writes it: no blanks, no comments, no verbose mode) would unroll more than
    `MAX_UNROLLED` repetitions."""
    if "{" not in pattern:
        return
    opens: list[int] = []  # the open groups' start offsets
    groups: list[tuple[int, int]] = []  # (start, end) of each closed group
    counts: dict[int, int] = {}  # offset of a count's "{" -> its minimum
    for i, c, syntax in _tokens(pattern):
        if not syntax:
            continue
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            groups.append((opens.pop(), i))
        elif c == "{" and (count := _COUNT.match(pattern, i)):
            counts[i] = int(count.group(1))
    total = 0  # over all counts: `x{9000}y{9000}` unrolls both
    for at, minimum in counts.items():
        # the groups a count sits in, and those that a count right after them repeats
        factor = minimum
        for start, end in groups:
            if start < at < end and end + 1 in counts:
                factor *= max(counts[end + 1], 1)
        total += factor
        if total > MAX_UNROLLED:
            raise ExpressionRuntimeError(
                "NotSupportedException",
                f"not supported yet: a pattern that repeats more than {MAX_UNROLLED} times "
                f"at least (at '{pattern[at : pattern.find('}', at) + 1]}'); write smaller "
                "counts or a loop",
            )
