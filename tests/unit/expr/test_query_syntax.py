"""LINQ query expressions: the clauses lowered to method calls run (the oracle's
`vectors/query_syntax.yaml` compares them with Mono); those that need transparent identifiers
are refused by name at load, never run differently."""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.errors import NotSupportedError

from .conftest import text_of


def test_where_orderby_select_run_as_their_method_calls() -> None:
    query = 'string.Join(",", from s in new[] {"bb", "a", "cc"} where s != "x" orderby s.Length, s descending select s)'
    assert text_of(f"@({query})") == "a,cc,bb"


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("from x in new[] {1} from y in new[] {2} select x + y", "from"),
        ("from x in new[] {1} let y = x * 2 select y", "let"),
        ("from x in new[] {1} join y in new[] {1} on x equals y select x", "join"),
        ('from w in new[] {"a"} group w by w.Length into g select g.Key', "into"),
    ],
)
def test_clauses_needing_transparent_identifiers_are_not_supported_yet(
    query: str, clause: str
) -> None:
    with pytest.raises(NotSupportedError, match=f"query clause '{clause}'"):
        compile_expression(f"@(({query}).Count())")
