"""Local functions (C# 7): arguments and results convert to the declared types, as csc does.

Mono's mcs has no local functions, so these are unit tests; the expected values are C#'s.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.errors import ExpressionError


def run(text: str) -> str:
    return to_dotnet_string(compile_expression(text).evaluate(None))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@{ int F(int c) => c; return F((char)97); }", "97"),  # a char argument is its code
        ("@{ int F(int c) { return c + 1 - 1; } return F((char)98); }", "98"),
        ("@{ object F(double x) => x; return F(5) is int; }", "False"),  # boxed as a double
        ("@{ double F(int x) => x; return F(1) / 2; }", "0.5"),  # the result is a double
        ("@{ long F(int x) { return x; } return F(int.MaxValue) + 1; }", "2147483648"),
        ('@{ string F(string s = "d") => s + "!"; return F() + F("x"); }', "d!x!"),
        ("@{ int F(int n) => n <= 1 ? 1 : n * F(n - 1); return F(5); }", "120"),
        (
            "@{ void G(List<int> l) { l.Add(1); } var x = new List<int>(); G(x); return x.Count; }",
            "1",
        ),
    ],
)
def test_arguments_and_results_take_the_declared_types(text: str, expected: str) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('@{ int F() { return "s"; } return F(); }', "Cannot implicitly convert"),  # CS0029
        ("@{ string F() => 1; return F(); }", "Cannot implicitly convert"),
        ("@{ void F() { return 1; } F(); return 0; }", "returns void"),  # CS0127
        ('@{ int F(int a) => a; return F("s"); }', "Cannot implicitly convert"),  # CS1503
        ("@{ int F(long a) => a; return F(1); }", "Cannot implicitly convert"),  # CS0266
        ("@{ int F(int a) => a; return F(1, 2); }", "takes 2 arguments"),  # CS1501
        ("@{ int F(int a) => a; return F(); }", "takes 0 arguments"),
        ("@{ int F() { return; } return F(); }", "convertible to 'int' is required"),  # CS0126
    ],
)
def test_what_csc_refuses_is_refused_at_load(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_expression(text)
