"""Median time per evaluation of string expressions on ASCII, other BMP and astral text: what
counting UTF-16 units (`certgate.core.expr.utf16`) costs. ASCII takes the plain path after an
O(1) check; other text pays one scan for characters beyond U+FFFF; astral text works on its
unit form.

Run: .venv/bin/python bench/expr_strings.py
"""

from __future__ import annotations

import statistics
import time

from certgate.core.expr import compile_expression

LOOP = '@{ var s = ""; for (int i = 0; i < 200; i++) { s += "PIECE"; } return s; }'
CASES = (
    ("Substring, ASCII", '@("hello world".Substring(6, 5).Length)'),
    ("Substring, BMP", '@("héllo wörld".Substring(6, 5).Length)'),
    ("Substring, astral", '@("hello 😀orld".Substring(6, 5).Length)'),
    ("IndexOf, ASCII", '@("hello world".IndexOf("w"))'),
    ("IndexOf, BMP", '@("héllo wörld".IndexOf("w"))'),
    ("IndexOf, astral", '@("hello 😀orld".IndexOf("o", 7))'),
    ("200 appends, ASCII", LOOP.replace("PIECE", "ab")),
    ("200 appends, BMP", LOOP.replace("PIECE", "äb")),
)


def median_us(evaluate: object, rounds: int = 7) -> float:
    """Median over `rounds` of the mean time of a batch sized to take about 20 ms."""
    assert callable(evaluate)
    batch = 1
    while True:
        start = time.perf_counter()
        for _ in range(batch):
            evaluate(None)
        if time.perf_counter() - start > 0.02:
            break
        batch *= 2
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            evaluate(None)
        samples.append((time.perf_counter() - start) / batch * 1e6)
    return statistics.median(samples)


def main() -> None:
    for label, text in CASES:
        expression = compile_expression(text)
        print(f"  {label:22} {median_us(expression.evaluate):8.2f} µs")


if __name__ == "__main__":
    main()
