"""Lambdas (translator, part 4a): Python `lambda`s, or nested `def`s when the body needs
statements.

A lambda becomes a Python `lambda` when its body is a side-effect-free expression, and a nested
`def` otherwise (a block body, or an assignment, `++`, `out` argument inside). A `def` cannot
sit inside an expression, so it is emitted just before the statement that uses it (`preludes`);
that is sound because a closure reads captured variables when it runs, not when it is made.
Outer locals a `def` assigns are declared `nonlocal`. A lambda made inside `foreach` binds the
iteration variable by value (a default argument), as C# 5+ gives each iteration a fresh one; so
does a local a loop body declares and never assigns again (`var j = i;`), which C# also makes
fresh on each pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import syntax as s
from .flow import bool_constants, completes
from .lambdatypes import lambda_result
from .parse import SourceMap
from .scope import Local, Names, Scope
from .static import UNKNOWN, VOID, SType
from .syntax import walk
from .translate import Code
from .typeops import TypeOpsTranslator

_INDENT = "    "


@dataclass(slots=True)
class Frame:
    """A `def` being generated."""

    lambda_depth: int
    nonlocals: set[str] = field(default_factory=set)
    returns: list[SType] = field(default_factory=list)  # static types of its `return`s
    # a local function's declared return type (VOID for `void`); None for a lambda's def
    declared: SType | None = None


def _needs_def(body: s.Expr | s.Block) -> bool:
    if isinstance(body, s.Block):
        return True
    for node in walk(body):
        if isinstance(node, (s.Assign, s.IncDec)):
            return True
        if isinstance(node, s.Arg) and node.out is not None:
            return True
        if isinstance(node, s.Lambda) and isinstance(node.body, s.Block):
            return True
    return False


def reassigned_names(body: object) -> frozenset[str]:
    """C# names assigned anywhere after their declaration (such locals are never hoisted)."""
    names: set[str] = set()
    for node in walk(body):
        target = None
        if isinstance(node, (s.Assign, s.IncDec)):
            target = node.target
        elif isinstance(node, s.Arg) and node.out is not None and not node.declares:
            names.add(node.out)
        if isinstance(target, s.Name):
            names.add(target.name)
    return frozenset(names)


class LambdaTranslator(TypeOpsTranslator):
    def __init__(self, smap: SourceMap, context_type: SType, names: Names) -> None:
        super().__init__(smap, context_type, names)
        self.frames: list[Frame] = []
        self.preludes: list[str] = []  # lines (relative indent) to emit before the statement
        # locals a new lambda binds by value: foreach variables, and the locals a loop body
        # declares and never assigns again (C# gives each iteration fresh ones)
        self.iteration_locals: list[Local] = []
        self.loop_depths: list[int] = []  # the lambda depth of each enclosing loop body
        self.loops: list[str] = []  # enclosing "loop"/"switch" kinds (for break/continue)
        # enclosing loops, lambdas and local functions: code inside any of them may run a number
        # of times its input does not bound, so it ticks the time budget (`budget`)
        self.repetition = 0

    def tick(self) -> str:
        """The statement that ticks the time budget; the expression becomes budgeted."""
        self.names.budgeted = True
        return "_tick()"

    def block(self, node: s.Block, depth: int) -> list[str]:
        """Statements; implemented by `codegen.Translator`."""
        raise NotImplementedError

    def note_assignment(self, local: Local) -> None:
        local.unassigned = False
        if self.frames and local.in_lambda < self.frames[-1].lambda_depth:
            self.frames[-1].nonlocals.add(local.py_name)

    def declare(self, name: str, stype: SType, pos: int) -> Local:
        local = super().declare(name, stype, pos)
        if self.loop_depths and self.loop_depths[-1] == self.lambda_depth and not local.mutable:
            self.iteration_locals.append(local)  # `var j = i;` in a loop: captured per pass
        return local

    def lambda_(self, node: s.Lambda, param_types: tuple[SType, ...]) -> Code:
        bound = list(
            dict.fromkeys(  # a nested foreach's variable is also a local of the outer body
                f"{local.py_name}={local.py_name}"
                for local in self.iteration_locals
                if local.in_lambda <= self.lambda_depth
            )
        )
        outer = self.scope
        self.scope = Scope(outer)
        # a lambda at the top runs once per element of a collection that exists: linear work;
        # nested in a loop or another lambda its calls multiply, so it ticks
        tick = self.repetition > 0
        self.lambda_depth += 1
        self.repetition += 1
        as_def = _needs_def(node.body)
        try:
            names = []
            for i, param in enumerate(node.params):
                stype = param_types[i] if i < len(param_types) else UNKNOWN
                if param.type is not None:
                    stype = self.resolve_type(param.type).stype
                names.append(self.declare(param.name, stype, param.pos).py_name)
            if as_def:
                return self.lambda_def(node, names + bound, tick=tick)
            self.hoists.append([])
            try:
                body = self.operand(node.body)  # type: ignore[arg-type]
            finally:
                hoisted = self.hoists.pop()
        finally:
            self.scope = outer
            self.lambda_depth -= 1
            self.repetition -= 1
        # defaults are evaluated when the lambda is created, in the enclosing scope
        names += bound + [f"{name}=_pre(lambda: {source})" for name, source in hoisted]
        text = f"{self.tick()} or ({body.text})" if tick else body.text  # `_tick()` is None
        return Code(
            f"(lambda {', '.join(names)}: {text})", lambda_result(body.type, len(node.params))
        )

    def local_function(self, node: s.LocalFunction, local: Local) -> list[str]:
        """The `def` of a local function (emitted at the top of its block, so that calls before
        the declaration work, as in C#)."""
        if (
            node.returns is not None
            and isinstance(node.body, s.Block)
            and completes(node.body, bool_constants(node.body))
        ):
            raise self.error("Not all code paths return a value", node.pos)
        saved, self.preludes = self.preludes, []
        outer = self.scope
        self.scope = Scope(outer)
        self.lambda_depth += 1
        self.repetition += 1
        try:
            params = []
            for param, default in zip(node.params, node.defaults, strict=True):
                if param.type is None:  # pragma: no cover - C# requires parameter types
                    raise self.error("Type expected", param.pos)
                stype = self.resolve_type(param.type).stype
                py = self.declare(param.name, stype, param.pos).py_name
                params.append(py if default is None else f"{py}={self.operand(default).text}")
            # it may call itself: every call ticks
            body = s.Lambda(node.pos, node.params, node.body)
            declared = VOID if node.returns is None else self.resolve_type(node.returns).stype
            self.lambda_def(body, params, local.py_name, tick=True, declared=declared)
        finally:
            self.scope = outer
            self.lambda_depth -= 1
            self.repetition -= 1
            lines, self.preludes = self.preludes, saved
        return lines

    def x_Invoke(self, node: s.Invoke) -> Code:
        target = node.target
        local = self.scope.lookup(target.name) if isinstance(target, s.Name) else None
        if local is None or local.function is None:
            return super().x_Invoke(node)
        function = local.function
        assert isinstance(function, s.LocalFunction)
        for arg in node.args:
            if arg.name is not None or arg.out is not None:
                raise self.unsupported("named and out arguments of local functions", arg.pos)
        required = sum(default is None for default in function.defaults)
        if not required <= len(node.args) <= len(function.params):  # csc: CS1501
            raise self.arity_error(function.name, len(node.args), node.pos)
        texts = []
        for arg, param in zip(node.args, function.params, strict=False):
            assert arg.value is not None and param.type is not None
            code = self.operand(arg.value)  # C# converts each argument to its parameter's type
            texts.append(
                self.implicit_to(code, self.resolve_type(param.type).stype, arg.value).text
            )
        returns = VOID if function.returns is None else self.resolve_type(function.returns).stype
        return Code(f"{local.py_name}({', '.join(texts)})", returns)

    def lambda_def(
        self,
        node: s.Lambda,
        params: list[str],
        name: str | None = None,
        *,
        tick: bool,
        declared: SType | None = None,
    ) -> Code:
        name = name or self.names.temp()
        frame = Frame(self.lambda_depth, declared=declared)
        saved = (self.preludes, self.hoists, self.loops, self.iteration_locals, self.loop_depths)
        self.frames.append(frame)
        self.preludes, self.hoists, self.loops = [], [], []
        self.iteration_locals, self.loop_depths = [], []
        result = UNKNOWN
        try:
            if isinstance(node.body, s.Block):
                lines = self.block(node.body, 1)
                if len({t.name for t in frame.returns}) == 1:  # C#'s inferred return type
                    result = frame.returns[0]
            else:
                value = self.operand(node.body)
                if declared is not None and declared is not VOID:  # `int F(char c) => c;`
                    value = self.implicit_to(value, declared, node.body)
                result = value.type
                lines = [_INDENT + line for line in self.preludes]
                lines.append(f"{_INDENT}return {value.text}")
        finally:
            self.frames.pop()
            self.preludes, self.hoists, self.loops, self.iteration_locals, self.loop_depths = saved
        if tick:
            lines.insert(0, _INDENT + self.tick())
        if frame.nonlocals:
            lines.insert(0, f"{_INDENT}nonlocal {', '.join(sorted(frame.nonlocals))}")
        self.preludes += [f"def {name}({', '.join(params)}):", *lines]
        return Code(name, lambda_result(result, len(node.params)))
