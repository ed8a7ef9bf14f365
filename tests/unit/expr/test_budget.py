"""The time budget of expression loops and the length caps (`certgate.core.expr.budget`).

Runaway code fails with the budget error (a 500 with LastError to the client); the same
constructs bounded succeed. The budget is small here so that each runaway case ends quickly;
nothing asserts how long anything took.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import CsObject, compile_expression
from certgate.core.expr.budget import MAX_LENGTH, ExpressionBudget
from certgate.errors import ExpressionBudgetExceeded, ExpressionRuntimeError

from .conftest import make_context

BUDGET_MS = 20


class BudgetedContext(CsObject):
    """A context carrying a request's budget, as the gateway's RequestContext does."""

    __slots__ = ("expression_budget",)
    CS_MEMBERS = frozenset()

    def __init__(self, budget_ms: float = BUDGET_MS) -> None:
        self.expression_budget = ExpressionBudget(budget_ms)


def run(text: str, context: object | None = None) -> object:
    expression = compile_expression(text)
    return expression.evaluate(BudgetedContext() if context is None else context)


RUNAWAY = {
    "while": "@{ while (true) { } }",
    "while-with-work": '@{ var s = ""; while (s.Length >= 0) { s = s.ToUpper(); } return s; }',
    "for": "@{ for (;;) { } }",
    "for-counting": "@{ long n = 0; for (var i = 0; i >= 0; i = i < 5 ? i + 1 : 0) { n++; } "
    "return n; }",
    "do": "@{ var i = 0; do { i++; } while (true); }",
    "do-continue": "@{ var i = 0; do { i++; continue; } while (true); }",
    "foreach-range": "@{ var n = 0; foreach (var i in Enumerable.Range(0, int.MaxValue)) "
    "{ n += i; } return n; }",
    "linq-range-count": "@(Enumerable.Range(0, int.MaxValue).Count())",
    "linq-repeat-count": '@(Enumerable.Repeat("x", int.MaxValue).Count())',
    "linq-range-where": "@(Enumerable.Range(0, int.MaxValue).Where(i => i < 0).Any())",
    "linq-select-many": "@(new[] { 1, 2 }.SelectMany(x => Enumerable.Range(0, int.MaxValue))"
    ".Count())",
    "nested-lambdas": "@(new int[20000].Select((a, i) => new int[20000].Count(b => b < i)).Sum())",
    "local-recursion": "@{ long f(int n) => n < 2 ? n : f(n - 1) + f(n - 2); return f(90); }",
    "string-building": '@{ var s = ""; while (true) { s = s + "x"; if (s.Length > 1000) '
    '{ s = ""; } } }',
    "catch-cannot-swallow": '@{ try { while (true) { } } catch (Exception) { return "caught"; } }',
    "catch-timeout-cannot-swallow": "@{ while (true) { try { while (true) { } } "
    "catch (TimeoutException) { } } }",
}


@pytest.mark.parametrize("text", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_code_fails_with_the_budget_error(text: str) -> None:
    with pytest.raises(ExpressionBudgetExceeded) as info:
        run(text)
    assert info.value.message == f"expression exceeded its time budget of {BUDGET_MS} ms"
    assert info.value.reason == "ExpressionValueEvaluationFailure"  # APIM's 500 + LastError
    assert isinstance(info.value, ExpressionRuntimeError)


BOUNDED = {
    "while": ("@{ var i = 0; while (i < 1000) { i++; } return i; }", 1000),
    "for": ("@{ var n = 0; for (var i = 0; i < 1000; i++) { n += 2; } return n; }", 2000),
    "do": ("@{ var i = 0; do { i++; } while (i < 1000); return i; }", 1000),
    "foreach-range": (
        "@{ var n = 0; foreach (var i in Enumerable.Range(0, 1000)) { n += 1; } return n; }",
        1000,
    ),
    "linq-range-count": ("@(Enumerable.Range(0, 1000).Count())", 1000),
    "linq-range-lazy": ("@(Enumerable.Range(5, int.MaxValue - 5).Take(3).Sum())", 18),
    "linq-repeat": ('@(string.Join(",", Enumerable.Repeat("ab", 3)))', "ab,ab,ab"),
    "linq-empty": ("@(Enumerable.Empty<string>().Count())", 0),
    "linq-select-many": ("@(new[] { 1, 2 }.SelectMany(x => Enumerable.Range(0, x)).Count())", 3),
    "nested-lambdas": ("@(new int[30].Select((a, i) => new int[30].Count(b => b < i)).Sum())", 870),
    "local-recursion": (
        "@{ long f(int n) => n < 2 ? n : f(n - 1) + f(n - 2); return f(15); }",
        610,
    ),
    "string-building": (
        '@{ var s = ""; for (var i = 0; i < 1000; i++) { s += "x"; } return s.Length; }',
        1000,
    ),
}


@pytest.mark.parametrize(("text", "expected"), BOUNDED.values(), ids=BOUNDED.keys())
def test_bounded_code_succeeds_within_the_budget(text: str, expected: object) -> None:
    assert run(text) == expected


def test_the_budget_is_the_requests_across_evaluations() -> None:
    context = BudgetedContext()
    loop = compile_expression("@{ var i = 0; while (i < 10) { i++; } return i; }")
    assert loop.evaluate(context) == 10
    spent = context.expression_budget.spent
    assert spent > 0
    assert loop.evaluate(context) == 10
    assert context.expression_budget.spent > spent  # adds up, policy after policy
    context.expression_budget.spent = BUDGET_MS / 1000  # this request has used it all
    with pytest.raises(ExpressionBudgetExceeded):
        loop.evaluate(context)
    assert loop.evaluate(BudgetedContext()) == 10  # the next request starts afresh


def test_code_that_cannot_run_away_is_not_budgeted() -> None:
    """The certificate checks pay nothing: no tick in the code, no window even when the
    request's budget is used up. A lambda over a collection is linear in its input."""
    seed = (
        "@(context.Request.Certificate == null || !context.Deployment.Certificates"
        ".Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"
    )
    expression = compile_expression(seed)
    assert "_tick" not in expression.python_source
    context = make_context()
    assert expression.evaluate(context) is True
    spent = BudgetedContext()
    spent.expression_budget.spent = 1.0
    assert compile_expression('@("a" + 1)').evaluate(spent) == "a1"


def test_only_repeated_code_ticks() -> None:
    """Loop bodies, local functions and lambdas nested in them tick; a top-level lambda not."""
    nested = compile_expression("@(new[] { 1 }.Select(a => new[] { 2 }.Count(b => b > a)).Sum())")
    assert nested.python_source.count("_tick()") == 1
    loop = compile_expression(
        "@{ var n = 0; foreach (var x in new[] { 1, 2 }) { n += new[] { 3 }.Count(y => y > x); }"
        " return n; }"
    )
    assert loop.python_source.count("_tick()") == 2
    assert loop.evaluate(BudgetedContext()) == 2


def test_a_tool_without_a_request_budget_gets_the_default() -> None:
    with pytest.raises(ExpressionBudgetExceeded, match="time budget of 100 ms"):
        compile_expression("@{ while (true) { } }").evaluate(make_context())


TOO_LONG = {
    "pad-left": '@("a".PadLeft(int.MaxValue))',
    "pad-right": "@(\"a\".PadRight(int.MaxValue, '-'))",
    "builder-repeat": "@(new StringBuilder().Append('x', int.MaxValue).Length)",
    "builder-doubling": '@{ var b = new StringBuilder("x"); for (var i = 0; i < 40; i++) '
    "{ b.Append(b.ToString()); } return b.Length; }",
    "aggregate-doubling": '@(Enumerable.Range(0, 40).Aggregate("x", (s, i) => s + s).Length)',
    "replace-product": '@("a".PadLeft(1 << 16, \'a\').Replace("a", "a".PadLeft(1 << 12)).Length)',
}


@pytest.mark.parametrize("text", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_one_operation_cannot_build_a_huge_string(text: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        run(text, BudgetedContext(60_000))  # the length cap answers, not the clock
    assert info.value.exception_type == "OutOfMemoryException"
    assert f"the limit is {MAX_LENGTH}" in info.value.message


NOT_TOO_LONG = {
    "pad-left": ('@("a".PadLeft(4))', "   a"),
    "pad-right": ("@(\"a\".PadRight(3, '-'))", "a--"),
    "builder-repeat": ("@(new StringBuilder().Append('x', 5).ToString())", "xxxxx"),
    "builder-doubling": (
        '@{ var b = new StringBuilder("x"); for (var i = 0; i < 10; i++) '
        "{ b.Append(b.ToString()); } return b.Length; }",
        1024,
    ),
    "aggregate-doubling": (
        '@(Enumerable.Range(0, 10).Aggregate("x", (s, i) => s + s).Length)',
        1024,
    ),
    "replace-product": ('@("abab".Replace("a", "xyz"))', "xyzbxyzb"),
}


@pytest.mark.parametrize(("text", "expected"), NOT_TOO_LONG.values(), ids=NOT_TOO_LONG.keys())
def test_ordinary_string_building_is_not_capped(text: str, expected: object) -> None:
    assert run(text) == expected


def test_a_regex_match_gets_what_is_left_of_the_budget() -> None:
    """A pathological pattern's own timeout is seconds; in a timed expression it is what is
    left of the request's budget, and the error is the budget's."""
    backtracking = '@{ while (true) { Regex.IsMatch("' + "a" * 40 + '!", "^(a+)+$"); } }'
    with pytest.raises(ExpressionBudgetExceeded):
        run(backtracking)
    assert (
        run('@{ var n = 0; while (n < 3) { if (Regex.IsMatch("ab", "^a")) n++; } return n; }') == 3
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "x{100000000}",  # unrolled by the regex package: gigabytes
        "(?:ab|c){1000000}",  # crashed the process
        "((x{100}){100}){100}",  # counts multiply along the nesting
        "(?<n>a|b){20000,}",
        "x{6000}y{6000}",  # counts add up
    ],
)
def test_a_pattern_that_would_unroll_past_the_limit_is_refused(pattern: str) -> None:
    """The worker survives (and keeps its memory): a clear NotSupportedException instead. The
    pattern is built at run time, as one from a request would be (a literal one is refused at
    load: test_regex_syntax.py)."""
    with pytest.raises(ExpressionRuntimeError) as caught:
        run(f'@{{ var p = "{pattern}"; return Regex.IsMatch("x", p); }}')
    assert caught.value.exception_type == "NotSupportedException"
    assert "repeats more than 10000 times" in caught.value.message


@pytest.mark.parametrize(
    "call",
    [
        '"x{ 100000000 }", RegexOptions.IgnorePatternWhitespace',  # a count holds no blanks
        '"x{1 0 0 0 0 0 0 0 0}", RegexOptions.IgnorePatternWhitespace',
        '"(?x)x{1#a comment\\n00000000}"',  # inline verbose mode, with a comment
    ],
)
def test_braces_with_blanks_or_comments_are_text_as_in_dotnet(call: str) -> None:
    assert run(f'@(Regex.IsMatch("x{{100000000}}", {call}))') is True


def test_a_count_after_a_blank_in_verbose_mode_still_counts() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run('@(new Regex("x {100000000}" + "", RegexOptions.IgnorePatternWhitespace).IsMatch("x"))')
    assert caught.value.exception_type == "NotSupportedException"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("x{10000}", False),  # at the limit
        (".{0,100000000}", True),  # a maximum costs nothing
        ("(a|b){1,100000}", True),
        (r"a\\{1}", True),  # an escaped brace or one in a class is no count
        ("[{]{2}", False),
    ],
)
def test_patterns_within_the_limit_still_run(pattern: str, expected: bool) -> None:
    assert run(f'@(Regex.IsMatch("a{{1}}", "{pattern}"))') is expected
