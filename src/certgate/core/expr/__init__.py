"""C# policy expressions, compiled once into sandboxed Python.

Pipeline: `scan` (find the expression's end) -> `parse` (tree-sitter, positions, syntax errors) ->
`lower`/`lower_stmt` (CST -> `syntax` tree, unsupported constructs refused) -> `translate`/
`operators`/`codegen` (tree -> Python source calling only `runtime`/`ops` helpers) -> `compiler`
(one `compile`, restricted globals). Runtime values: C# string/bool/int/long/double/null map to
str/bool/int/int/float/None, `char` to `CsChar`, arrays to `CsArray`, objects to `CsObject`s.
"""

from __future__ import annotations

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
