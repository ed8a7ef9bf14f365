"""Definite assignment (C# spec §9.4): a local declared without a value must be assigned on
every path before it is read, or csc refuses the expression (CS0165), and APIM with it.

A forward pass over the block keeps the set of such locals that are definitely assigned;
an unreachable point (after `return`, `throw`, `break`, `continue`) counts as all. Conditions
give two sets, for when they are true and when false (`x != null && int.TryParse(x, out n)`
assigns `n` only when true), and `if`, loops, `switch` and `try` meet their paths by
intersection. Only locals declared without an initializer are followed; reads inside lambdas
must find the local assigned where the lambda is made; local functions are not followed (csc's
rules for what they capture are left to run time, as before).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from . import syntax as s
from .flow import Constants, bool_constants, constant_bool, switch_may_miss

# The locals definitely assigned at a point; None where the point cannot be reached (after a
# jump), which counts as every local assigned.
State = frozenset[str] | None


def first_unassigned_read(body: s.Block) -> tuple[str, int] | None:
    """(name, position) of the first read of a local that is not definitely assigned there."""
    analysis = _Analysis(bool_constants(body))
    analysis.block(body, frozenset())
    return min(analysis.errors, key=lambda error: error[1]) if analysis.errors else None


def _meet(states: Iterable[State]) -> State:
    """Assigned on every path that reaches here."""
    result: State = None
    for state in states:
        if state is not None:
            result = state if result is None else result & state
    return result


def _with(state: State, *names: str) -> State:
    return None if state is None else state | set(names)


def _without(state: State, name: str) -> State:
    return None if state is None else state - {name}


@dataclass(slots=True)
class _Loop:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


class _Analysis:
    def __init__(self, consts: Constants) -> None:
        self.consts = consts
        self.tracked: set[str] = set()  # locals declared without a value
        self.errors: list[tuple[str, int]] = []
        self.targets: list[_Loop] = []  # what `break`/`continue` leave

    # --- statements ------------------------------------------------------------------------------

    def block(self, node: s.Block, state: State) -> State:
        for stmt in node.body:
            state = self.stmt(stmt, state)
        return state

    def stmt(self, node: object, state: State) -> State:
        if isinstance(node, s.Block):
            return self.block(node, state)
        if isinstance(node, s.LocalDecl):
            return self.declare(node, state)
        if isinstance(node, s.ExprStmt):
            return self.expr(node.expr, state)
        if isinstance(node, (s.Return, s.ThrowStmt)):
            if node.value is not None:
                self.expr(node.value, state)
            return None
        if isinstance(node, s.Jump):
            loop = self.targets[-1] if self.targets else None
            if loop is not None:
                (loop.breaks if node.kind == "break" else loop.continues).append(state)
            return None
        if isinstance(node, s.If):
            when_true, when_false = self.cond(node.cond, state)
            then = self.stmt(node.then, when_true)
            other = when_false if node.other is None else self.stmt(node.other, when_false)
            return _meet([then, other])
        if isinstance(node, s.While):
            return self.do_loop(node, state) if node.do else self.while_loop(node, state)
        if isinstance(node, s.For):
            return self.for_loop(node, state)
        if isinstance(node, s.Foreach):
            state = self.expr(node.source, state)
            self.loop_body(node.body, _with(state, node.name))
            return state
        if isinstance(node, s.Switch):
            return self.switch(node, state)
        if isinstance(node, s.Try):
            return self.try_(node, state)
        if isinstance(node, s.Using):
            if isinstance(node.resource, s.LocalDecl):
                state = self.declare(node.resource, state)
            else:
                state = self.expr(node.resource, state)
            return self.stmt(node.body, state)
        if isinstance(node, s.CheckedBlock):
            return self.block(node.body, state)
        return state  # a local function: its body is not followed

    def declare(self, node: s.LocalDecl, state: State) -> State:
        for declarator in node.declarators:
            if declarator.init is None:
                self.tracked.add(declarator.name)
                state = _without(state, declarator.name)
            else:
                state = _with(self.expr(declarator.init, state), declarator.name)
        return state

    def loop_body(self, body: object, state: State) -> _Loop:
        loop = _Loop()
        self.targets.append(loop)
        try:
            end = self.stmt(body, state)
        finally:
            self.targets.pop()
        loop.continues.append(end)
        return loop

    def while_loop(self, node: s.While, state: State) -> State:
        when_true, when_false = self.cond(node.cond, state)
        loop = self.loop_body(node.body, when_true)
        return _meet([when_false, *loop.breaks])

    def do_loop(self, node: s.While, state: State) -> State:
        loop = self.loop_body(node.body, state)
        _, when_false = self.cond(node.cond, _meet(loop.continues))
        return _meet([when_false, *loop.breaks])

    def for_loop(self, node: s.For, state: State) -> State:
        for init in node.init:
            state = self.stmt(init, state)
        when_true, when_false = self.cond(node.cond, state) if node.cond else (state, None)
        loop = self.loop_body(node.body, when_true)
        after_body = _meet(loop.continues)
        for update in node.update:
            after_body = self.expr(update, after_body)
        return _meet([when_false, *loop.breaks])

    def switch(self, node: s.Switch, state: State) -> State:
        state = self.expr(node.value, state)
        loop = _Loop()  # `break` leaves the switch (a `continue` goes further out)
        ends: list[State] = []
        self.targets.append(loop)
        try:
            for section in node.sections:
                ends.append(self.block(s.Block(section.pos, section.body), state))
        finally:
            self.targets.pop()
        if self.targets:
            self.targets[-1].continues.extend(loop.continues)
        return _meet([*loop.breaks, *ends, *([state] if switch_may_miss(node) else [])])

    def try_(self, node: s.Try, state: State) -> State:
        body = self.block(node.body, state)
        catches = []
        for catch in node.catches:
            start = _with(state, catch.name) if catch.name else state
            if catch.filter is not None:
                start = self.expr(catch.filter, start)
            catches.append(self.block(catch.body, start))
        after = _meet([body, *catches])
        if node.final is None:
            return after
        final = self.block(node.final, state)  # it runs either way: what it assigns counts
        return None if after is None or final is None else after | final

    # --- expressions -----------------------------------------------------------------------------

    def read(self, name: str, pos: int, state: State) -> None:
        if state is not None and name in self.tracked and name not in state:
            self.errors.append((name, pos))

    def cond(self, node: s.Expr, state: State) -> tuple[State, State]:
        """(assigned when `node` is true, assigned when false)."""
        value = constant_bool(node, self.consts)
        while isinstance(node, s.Paren):
            node = node.inner
        if isinstance(node, s.Unary) and node.op == "!":
            when_true, when_false = self.cond(node.operand, state)
            return when_false, when_true
        if isinstance(node, s.Binary) and node.op in ("&&", "||"):
            left_true, left_false = self.cond(node.left, state)
            if node.op == "&&":
                right_true, right_false = self.cond(node.right, left_true)
                result = right_true, _meet([left_false, right_false])
            else:
                right_true, right_false = self.cond(node.right, left_false)
                result = _meet([left_true, right_true]), right_false
        elif isinstance(node, s.IsType) and node.name is not None:
            after = self.expr(node.value, state)
            self.tracked.add(node.name)  # `o is string s`: s is assigned only when true
            result = _with(after, node.name), _without(after, node.name)
        else:
            after = self.expr(node, state)
            result = after, after
        if value is True:  # a constant condition: the other branch is never taken
            return result[0], None
        if value is False:
            return None, result[1]
        return result

    def expr(self, node: object, state: State) -> State:
        if isinstance(node, s.Name):
            self.read(node.name, node.pos, state)
            return state
        if isinstance(node, s.Assign):
            return self.assign(node, state)
        if isinstance(node, s.IncDec):
            return self.expr(node.target, state)
        if isinstance(node, s.Binary) and node.op in ("&&", "||"):
            return _meet(self.cond(node, state))
        if isinstance(node, s.Binary) and node.op == "??":
            return self.expr(node.left, state)  # the right side may not run
        if isinstance(node, s.Conditional):
            when_true, when_false = self.cond(node.cond, state)
            return _meet([self.expr(node.then, when_true), self.expr(node.other, when_false)])
        if isinstance(node, s.Lambda):
            self.lambda_(node, state)
            return state
        if isinstance(node, s.Arg):
            return self.argument(node, state)
        if isinstance(node, s.IsType) and node.name is not None:
            return _meet(self.cond(node, state))
        if isinstance(node, s.Member) and isinstance(node.target, s.Name):
            self.read(node.target.name, node.target.pos, state)
            return state
        return self.children(node, state)

    def children(self, node: object, state: State) -> State:
        if isinstance(node, tuple):
            for item in node:
                state = self.expr(item, state)
            return state
        if not hasattr(node, "__dataclass_fields__"):
            return state
        for f in fields(node):  # type: ignore[arg-type]
            value = getattr(node, f.name)
            if isinstance(value, (tuple, s.Block)) or hasattr(value, "__dataclass_fields__"):
                state = self.expr(value, state)
        return state

    def assign(self, node: s.Assign, state: State) -> State:
        target = node.target
        if isinstance(target, s.Name):
            if node.op is not None:  # `x += 1` reads x
                self.read(target.name, target.pos, state)
            return _with(self.expr(node.value, state), target.name)
        state = self.children(target, state)
        return self.expr(node.value, state)

    def argument(self, node: s.Arg, state: State) -> State:
        if node.out is not None:  # `out x` assigns x
            return _with(state, node.out)
        return self.expr(node.value, state) if node.value is not None else state

    def lambda_(self, node: s.Lambda, state: State) -> None:
        inner = _with(state, *(param.name for param in node.params))
        saved, self.targets = self.targets, []
        try:
            if isinstance(node.body, s.Block):
                self.block(node.body, inner)
            else:
                self.expr(node.body, inner)
        finally:
            self.targets = saved
