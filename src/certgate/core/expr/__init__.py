"""C# policy expressions, compiled once into sandboxed Python.

Pipeline: `scan` (find the expression's end) -> `parse` (tree-sitter, positions, syntax errors) ->
`lower`/`lower_new`/`lower_stmt` (CST -> `syntax`/`syntax_stmt` tree, unsupported constructs
refused) -> the translator, one class per layer: `translate` (names, members, calls) ->
`operators` -> `creation` (types, `new`) -> `typeops` (casts, is/as, bitwise) -> `lambdas` ->
`effects` (assignments) -> `codegen_more` (switch, try, using) -> `codegen` (statements, the
function); `flow` is C#'s reachability -> `compiler` (one `compile`, restricted globals).
Generated code calls only helpers: `runtime`/`ops` and, for statements, `langrt`. Loop bodies,
local functions and nested lambdas also call `budget.tick`: a request's expressions share one time
budget, and an expression without such code is never timed (`budget`).

Runtime values: C# string/bool/int/long/double/null map to str/bool/int/int/float/None, `char` to
`CsChar`, arrays to `CsArray`, objects to `CsObject`s: .NET types in `bcl` and its modules,
Newtonsoft.Json in `jtoken`/`jvalues`/`jcontainer`/`jobject`/`jsonread`/`jsonio`/`jsonpath`/
`jsonconvert`, generic collections in `generic`/`dictionary`/`sets`, LINQ in `linq`/`linq_more`/
`linq_sets`, anonymous types in `anon`, exceptions as values in `csexc`.
"""

from __future__ import annotations

from . import bcl  # noqa: F401  (registers the .NET runtime types)
from .arrays import CsArray
from .collections import KeyValuePair, LinqSeq, ReadOnlyDictionary
from .compiler import Expression, compile_expression
from .datetime import DateTime
from .scan import expression_span
from .strings import CsEnum, to_string
from .types import CsChar, CsObject, CsTypeRef

#: .NET `ToString()` of a result (null -> "", bool -> "True"/"False", double -> shortest "R" form).
to_dotnet_string = to_string


def is_expression(value: str) -> bool:
    """True when the trimmed value is one `@(...)` or `@{...}` (its bracket closes at the end)."""
    return expression_span(value) is not None


__all__ = [
    "CsArray",
    "CsChar",
    "CsEnum",
    "CsObject",
    "CsTypeRef",
    "DateTime",
    "Expression",
    "KeyValuePair",
    "LinqSeq",
    "ReadOnlyDictionary",
    "compile_expression",
    "is_expression",
    "to_dotnet_string",
    "to_string",
]
