"""compile_expression: parse -> lower -> translate -> Python `compile` once -> `Expression`.

The generated function runs with `{"__builtins__": {}}` plus the helpers below and its own
constants: it can name nothing else. `Expression.evaluate` is the single place where any Python
exception becomes an `ExpressionRuntimeError`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from ...errors import LoadError
from . import budget, exceptions, gentypes, jsonconvert, ops, runtime, stringbuilder
from .codegen import Translator
from .langrt import LANGUAGE_HELPERS
from .lower_stmt import BlockLowerer
from .parse import parse
from .scope import Names
from .static import UNKNOWN, class_stype
from .syntax import Block, Expr, Paren
from .variables import VariableDictionary

HELPERS: MappingProxyType[str, object] = MappingProxyType(
    {
        "_get": runtime.get,
        "_call": runtime.call,
        "_callg": runtime.call_generic,
        "_callout": runtime.call_out,
        "_idx": runtime.index,
        "_truth": runtime.truth,
        "_cast": runtime.cast,
        "_unbox": runtime.unbox,
        "_array": runtime.array,
        "_pre": runtime.precompute,
        "_val": runtime.hoisted,
        "_concat": ops.concat,
        "_cat": ops.concat_all,
        "_eq": ops.equals,
        "_ne": ops.not_equals,
        "_cmp": ops.compare,
        "_arith": ops.arith,
        "_varith": ops.value_arith,
        "_neg": ops.negate,
        "_w32": ops.wrap32,
        "_w64": ops.wrap64,
        "_vunbox": VariableDictionary.unbox,  # `context.Variables` is statically known
        "_vholds": VariableDictionary.holds,
        "_wu32": ops.wrap_u32,
        "_wu64": ops.wrap_u64,
        "_udiv": ops.unsigned_div,
        "_umod": ops.unsigned_mod,
        "_idiv": ops.int_div,
        "_imod": ops.int_mod,
        "_fdiv": ops.float_div,
        "_fmod": ops.float_mod,
        "_float": ops.to_double,
        "_convert": ops.convert,
        "_tick": budget.tick,
        **LANGUAGE_HELPERS,  # statements, creation, type tests, assignments (`langrt`)
    }
)
# importing these registers the types the language work adds (generics, Newtonsoft.Json)
assert gentypes.GENERICS and jsonconvert.OBJECT_REF and stringbuilder.StringBuilder.CS_TYPE
from . import (  # noqa: E402, F401
    chars,
    decimalreg,
    ipaddress,
    morestatics,  # inherited statics, and more of TimeSpan, Uri, JSON and XML
    singlereg,
    textio,
    timezones,
    tuples,
)


class Expression:
    """A compiled policy expression: immutable, reusable, safe to share between threads."""

    __slots__ = ("_fn", "clr_type", "python_source", "text")

    def __init__(
        self,
        text: str,
        python_source: str,
        fn: Callable[[object], object],
        clr_type: str | None = None,
    ) -> None:
        self.text = text
        self.python_source = python_source  # for `certgate expr` dumps and the sandbox tests
        # the static type of the value, when every `return` has the same one ("System.Int64")
        self.clr_type = clr_type
        self._fn = fn

    def evaluate(self, context: object) -> object:
        """Run against a `context`; raises only ExpressionRuntimeError."""
        try:
            return self._fn(context)
        except Exception as exc:  # every failure is a .NET exception to the policy engine
            raise exceptions.map_python_error(exc) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_fn"):
            raise AttributeError("Expression is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def compile_expression(
    text: str,
    *,
    source: str | None = None,
    element: str | None = None,
    line: int = 1,
    column: int = 1,
    context_type: type | None = None,
) -> Expression:
    """Compile one `@(...)`/`@{...}` value; raises ExpressionError or NotSupportedError.

    `context_type` is the class of the `context` objects (lets unknown members be refused at load).
    """
    parsed = parse(text, source=source, element=element, line=line, column=column)
    smap = parsed.source_map
    try:
        lowerer = BlockLowerer(smap)
        body: Expr | Block = (
            lowerer.block(parsed.body) if parsed.is_block else lowerer.expr(parsed.body)
        )
        if isinstance(body, Paren):
            body = body.inner
        context = UNKNOWN if context_type is None else class_stype(context_type)
        names = Names()
        translator = Translator(smap, context, names)
        python_source = translator.function(body)
        namespace: dict[str, object] = {"__builtins__": {}, **HELPERS, **names.constants}
        if names.budgeted:
            namespace.update(_concat=ops.concat_capped, _cat=ops.concat_all_capped)
        with warnings.catch_warnings():  # `1 is None` from `1 is null`: csc warns, not us
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(python_source, "<policy-expression>", "exec")
        exec(code, namespace)  # noqa: S102
    except LoadError:
        raise
    except SyntaxError as error:
        if not _NESTING.search(str(error)):
            raise smap.error_at(
                f"Internal error: certgate generated invalid code for this expression "
                f"({error.msg}); please report it",
                smap.body_start,
            ) from None
        raise smap.error_at(_TOO_COMPLEX, smap.body_start) from None
    except (RecursionError, MemoryError):
        # nesting beyond what CPython's compiler accepts; the C# itself was fine
        raise smap.error_at(_TOO_COMPLEX, smap.body_start) from None
    except Exception as error:  # a compiler bug must not escape as a traceback
        raise smap.error_at(
            f"Internal error: certgate could not compile this expression "
            f"({type(error).__name__}: {error}); please report it",
            smap.body_start,
        ) from None
    fn = namespace["_expr"]
    assert callable(fn)
    fn = _budgeted(fn) if names.budgeted else fn
    types = translator.result_types
    return Expression(text, python_source, fn, next(iter(types)) if len(types) == 1 else None)


_TOO_COMPLEX = "Expression is too complex (nested too deeply)"
# CPython's own nesting limits (blocks, parentheses, the parser's stack)
_NESTING = re.compile(r"too many statically nested blocks|too many nested|too complex|recursion")


def _budgeted(fn: Callable[[object], object]) -> Callable[[object], object]:
    """`fn` run inside its request's time budget (`budget`); expressions that cannot run away
    are called directly and pay nothing."""

    def run(context: object) -> object:
        request_budget = getattr(context, "expression_budget", None)
        if not isinstance(request_budget, budget.ExpressionBudget):  # tools, tests: one default
            request_budget = budget.ExpressionBudget()
        return budget.run(fn, context, request_budget)

    return run


__all__ = ["HELPERS", "Expression", "compile_expression"]
