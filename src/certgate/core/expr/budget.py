"""The time budget of a request's expressions: `while (true) {}` fails, the worker keeps serving.

Only code whose running time is not bounded by the size of its input can run away: loops,
local functions (recursion), lambdas nested in a loop, lambda or local function (products of
collections), and the sequences that grow without input (`Enumerable.Range`/`Repeat`,
`SelectMany`, `Join`). The compiler puts a `_tick()` in each of those (one clock read, ~0.1 µs)
and marks the expression "budgeted"; only a budgeted expression opens a window (`run`), so an
expression without any of them (the certificate checks) pays nothing at all.

The budget belongs to the request (`ExpressionBudget`, carried by the context): the time its
budgeted expressions spend adds up across policies, so a `retry` around a slow expression cannot
multiply it. The clock is `time.perf_counter`: wall time is what the worker's other requests wait
for. Memory has cheaper bounds: `check_length` caps the strings and arrays one operation builds.

State is per process (the deadline of the open window), because expressions run on the worker's
one event-loop thread; a window opened inside another keeps the earlier deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ...errors import ExpressionBudgetExceeded, ExpressionRuntimeError

DEFAULT_BUDGET_MS = 100.0
# Calls that make an expression budgeted even without a loop: their runtime ticks (sequences
# longer than any input), or, for `Aggregate`, each step's result feeds the next (`acc + acc`).
UNBOUNDED_CALLS = frozenset({"Range", "Repeat", "SelectMany", "Aggregate"})
# One operation may build at most this many characters or elements (.NET's own limit is ~2^30
# characters; a gateway answers long before that would fit in a worker's memory).
MAX_LENGTH = 1 << 26

_clock = time.perf_counter
_deadline = math.inf  # of the open window; inf: none is open
_budget_ms = DEFAULT_BUDGET_MS  # of the open window, for the message


class ExpressionBudget:
    """What one request's budgeted expressions may still spend (seconds), across policies."""

    __slots__ = ("budget_ms", "spent")

    def __init__(self, budget_ms: float = DEFAULT_BUDGET_MS) -> None:
        self.budget_ms = budget_ms
        self.spent = 0.0


def tick() -> None:
    """Called by generated code once per loop iteration / nested call; raises past the deadline."""
    if _clock() > _deadline:
        raise ExpressionBudgetExceeded(_budget_ms)


def time_left(limit: float) -> float:
    """Seconds one blocking call (a regex match) may take: `limit`, or what is left of the open
    window when that is less; the budget error when nothing is left."""
    left = _deadline - _clock()
    if left <= 0:
        raise ExpressionBudgetExceeded(_budget_ms)
    return min(limit, left)


def run(fn: Callable[[object], object], context: object, budget: ExpressionBudget) -> object:
    """`fn(context)` inside a window ending when `budget` is used up."""
    global _deadline, _budget_ms  # noqa: PLW0603 (module globals: the cheapest read in `tick`)
    outer = _deadline, _budget_ms
    start = _clock()
    _deadline = min(outer[0], start + budget.budget_ms / 1000 - budget.spent)
    _budget_ms = budget.budget_ms if _deadline < outer[0] else outer[1]
    try:
        return fn(context)
    finally:
        budget.spent += _clock() - start
        _deadline, _budget_ms = outer


def check_length(length: int) -> int:
    """`length` if one operation may build that many characters/elements; else .NET's
    OutOfMemoryException, raised before anything is allocated."""
    if length > MAX_LENGTH:
        raise ExpressionRuntimeError(
            "OutOfMemoryException",
            f"expression tried to build {length} characters or elements; the limit is {MAX_LENGTH}",
        )
    return length


__all__ = [
    "DEFAULT_BUDGET_MS",
    "MAX_LENGTH",
    "UNBOUNDED_CALLS",
    "ExpressionBudget",
    "check_length",
    "run",
    "tick",
    "time_left",
]
