"""Names in generated code: C# locals, temporaries and load-time constants.

No name in the generated Python comes from user text unmangled: a C# local `x` becomes `v3_x`
(the C# spelling is kept only when it is plain ASCII letters/digits, for readable dumps), a
temporary is `t7`, a constant bound at load time (a type reference, a static function, a char) is
`k2`. Helpers have fixed `_names`. So user text can never name a helper, a builtin or a dunder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .static import SType

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


@dataclass(slots=True)
class Local:
    py_name: str
    type: SType
    in_lambda: int  # lambda nesting depth where it was declared
    readonly: str | None = None  # why it cannot be assigned ("foreach iteration variable")
    mutable: bool = False  # assigned after its declaration somewhere (never hoisted then)
    unassigned: bool = False  # declared without a value and not assigned yet (in source order)
    function: object = None  # a local function: its `syntax.LocalFunction`


@dataclass(slots=True)
class Scope:
    parent: Scope | None
    names: dict[str, Local] = field(default_factory=dict)
    # names declared in scopes nested in this one: C# gives a local the whole block it is
    # declared in, so `{ var y = 1; } var y = 2;` is csc's CS0136 too
    nested: set[str] = field(default_factory=set)

    def declare(self, name: str, local: Local) -> None:
        self.names[name] = local
        scope = self.parent
        while scope is not None:
            scope.nested.add(name)
            scope = scope.parent

    def lookup(self, name: str) -> Local | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None


class Names:
    """Allocates generated names and collects the constants the code refers to."""

    def __init__(self) -> None:
        self.counter = 0
        self.constants: dict[str, object] = {}
        # the code can run for longer than its input justifies (loops, ...): see `budget`
        self.budgeted = False

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def local(self, cs_name: str) -> str:
        n = self._next()
        return f"v{n}_{cs_name}" if _PLAIN.match(cs_name) else f"v{n}"

    def temp(self) -> str:
        return f"t{self._next()}"

    def constant(self, value: object) -> str:
        for name, existing in self.constants.items():
            if existing is value:
                return name
        name = f"k{self._next()}"
        self.constants[name] = value
        return name
