"""Statements and the generated function (translator, part 5).

`@(E)` becomes `def _expr(ctx): return E`. `@{ ... }` becomes a function whose body is the
translated statements; C# requires every path to return, so a body that can fall off its end is
refused at load ("Not all code paths return a value"), as csc does (`flow`).

Mappings that are not one-to-one:
* `for (init; cond; update)` is `init; while True: if not cond: break; body; update`, with a
  "not first pass" flag running `update` at the top when the body has a `continue`.
* `do body while (cond)` is `while True: body; if not cond: break` (again a flag with `continue`).
* `switch` is a one-pass `while True:` around an if/elif chain, so `break` leaves it; a
  `continue` inside it sets a flag, breaks, and is repeated after the switch.
* `catch (T e)` is one `except` whose body tests the .NET type (`_catches`); a `catch` never
  sees certgate's own limitations (see `csexc`).
"""

from __future__ import annotations

from . import syntax as s
from .assigned import first_unassigned_read
from .codegen_more import BranchTranslator
from .flow import bool_constants, completes, jumps
from .jobject import pairs_of
from .jsonext import enumerates_pairs
from .lambdas import reassigned_names
from .scope import Scope
from .static import CHAR, NULL, STRING, UNKNOWN, VOID, SType, cs_name, is_value_type
from .translate import Code

_INDENT = "    "


class Translator(BranchTranslator):
    def function(self, body: s.Expr | s.Block) -> str:
        """Python source of `def _expr(ctx)` for an expression or a block body; the static
        types of the values it returns are left in `result_types`."""
        self.result_types: set[str] = set()
        self.reassigned = reassigned_names(body)
        self.constants = bool_constants(body)
        if isinstance(body, s.Block):
            unassigned = first_unassigned_read(body)
            if unassigned is not None:  # csc: CS0165, before any code is made
                name, pos = unassigned
                raise self.error(f"Use of unassigned local variable '{name}'", pos)
            lines = self.block(body, 1)
            if completes(body, self.constants):
                raise self.error("Not all code paths return a value", body.pos)
        else:
            value = self.returned(body).text
            lines = [_INDENT + line for line in self.preludes] + [f"{_INDENT}return {value}"]
        return "def _expr(ctx):\n" + "\n".join(lines) + "\n"

    # --- statements -----------------------------------------------------------------------------

    def block(self, node: s.Block, depth: int) -> list[str]:
        outer = self.scope
        self.scope = Scope(outer)
        try:
            functions = [stmt for stmt in node.body if isinstance(stmt, s.LocalFunction)]
            lines: list[str] = []
            for function in functions:  # callable anywhere in the block, even before them
                local = self.declare(function.name, UNKNOWN, function.pos)
                local.function = function
                local.readonly = "method group"
            body: list[str] = []
            for stmt in node.body:  # translated in place (they see the locals above them) ...
                if isinstance(stmt, s.LocalFunction):
                    defs = self.local_function(stmt, self.scope.names[stmt.name])
                    lines += [_INDENT * depth + line for line in defs]  # ... defined first
                else:
                    body += self.stmt(stmt, depth)
            lines += body
        finally:
            self.scope = outer
        return lines or [_INDENT * depth + "pass"]

    def s_LocalFunction(self, node: s.LocalFunction, depth: int) -> list[str]:
        return []  # emitted at the top of its block

    def stmt(self, node: s.Stmt, depth: int) -> list[str]:
        """One statement, preceded by the `def`s its expressions needed."""
        saved, self.preludes = self.preludes, []
        try:
            lines: list[str] = getattr(self, "s_" + type(node).__name__)(node, depth)
            pad = _INDENT * depth
            return [pad + line for line in self.preludes] + lines
        finally:
            self.preludes = saved

    def nested(self, node: s.Stmt, depth: int) -> list[str]:
        """An embedded statement gets its own scope, as a block would."""
        if isinstance(node, s.LocalDecl):
            raise self.error(
                "Embedded statement cannot be a declaration or labeled statement", node.pos
            )
        return self.block(node if isinstance(node, s.Block) else s.Block(node.pos, (node,)), depth)

    def s_Block(self, node: s.Block, depth: int) -> list[str]:
        return self.block(node, depth)

    def s_Return(self, node: s.Return, depth: int) -> list[str]:
        pad = _INDENT * depth
        declared = self.frames[-1].declared if self.frames else None
        if node.value is None:
            if not self.frames or (declared is not None and declared is not VOID):
                shown = "object" if declared is None else cs_name(declared)
                raise self.error(  # csc: CS0126
                    f"An object of a type convertible to '{shown}' is required", node.pos
                )
            return [f"{pad}return"]
        if self.frames:
            if declared is VOID:  # csc: CS0127
                raise self.error(
                    "Since the local function returns void, a return keyword must not be "
                    "followed by an object expression",
                    node.pos,
                )
            value = self.expr(node.value)
            if declared is not None:  # `int F() { return "s"; }` is csc's CS0029
                value = self.implicit_to(value, declared, node.value)
            self.frames[-1].returns.append(value.type)
            return [f"{pad}return {value.text}"]
        return [f"{pad}return {self.returned(node.value).text}"]

    def returned(self, node: s.Expr) -> Code:
        """The policy expression's value: a call without one (`list.Add(1)`) is csc's CS0029,
        a lambda (not a delegate type) its CS1660."""
        if isinstance(node, s.Lambda):
            raise self.error(
                "Cannot convert lambda expression to type 'object' because it is not a delegate "
                "type",
                node.pos,
            )
        self.value_node = node
        value = self.expr(node)
        if value.type is VOID:
            raise self.error("Cannot implicitly convert type 'void' to 'object'", node.pos)
        self.result_types.add(value.type.name if value.type.known else "System.Object")
        return value

    def s_If(self, node: s.If, depth: int) -> list[str]:
        pad = _INDENT * depth
        lines = [f"{pad}if {self.cond(node.cond)}:", *self.nested(node.then, depth + 1)]
        if node.other is not None:
            lines += [f"{pad}else:", *self.nested(node.other, depth + 1)]
        return lines

    def s_LocalDecl(self, node: s.LocalDecl, depth: int) -> list[str]:
        pad = _INDENT * depth
        if node.type is None and len(node.declarators) > 1:  # `var x = 1, y = 2;`: CS0819
            raise self.error(
                "Implicitly-typed variables cannot have multiple declarators", node.pos
            )
        return [f"{pad}{line}" for d in node.declarators for line in self.declarator(node, d)]

    def declarator(self, decl: s.LocalDecl, node: s.Declarator) -> list[str]:
        init = node.init
        if decl.const and init is None:  # csc: CS0145
            raise self.error("A const field requires a value to be provided", node.pos)
        if decl.type is None:
            if init is None:
                raise self.error("Implicitly-typed variables must be initialized", node.pos)
            if isinstance(init, s.Lambda):  # csc: CS0815
                raise self.error(
                    "Cannot assign lambda expression to an implicitly-typed variable", node.pos
                )
            if isinstance(init, s.ArrayNew) and init.element is None and init.pos == node.pos:
                raise self.error(
                    "Cannot initialize an implicitly-typed variable with an array initializer",
                    node.pos,
                )
            value = self.expr(init)
            if value.type is NULL:
                raise self.error("Cannot assign <null> to an implicitly-typed variable", node.pos)
            declared = value.type
        else:
            declared = self.resolve_type(decl.type).stype
            if decl.type.nullable and not decl.type.array_rank:  # `int?[]`: its elements are
                declared = declared.as_nullable()
            if isinstance(init, s.ArrayNew) and init.element is None and decl.type.array_rank:
                element = s.TypeName(
                    decl.type.pos, decl.type.name, decl.type.args, 0, decl.type.nullable
                )
                init = s.ArrayNew(init.pos, element, init.items)  # `string[] a = { ... }`
            value = (
                self.convert(self.expr(init), declared, node.pos, init)
                if init is not None
                else Code("None", declared)  # bound, so nested defs can say `nonlocal`
            )
        local = self.declare(node.name, declared, node.pos)
        local.unassigned = init is None
        if decl.const:
            local.readonly = "const"
        return [f"{local.py_name} = {value.text}"]

    def s_ExprStmt(self, node: s.ExprStmt, depth: int) -> list[str]:
        expr = node.expr
        if isinstance(expr, s.Assign):
            text = self.assign(expr, statement=True).text
        elif isinstance(expr, s.IncDec):
            text = self.incdec(expr, statement=True).text
        else:
            text = self.expr(expr).text
        return [_INDENT * depth + text]

    def s_ThrowStmt(self, node: s.ThrowStmt, depth: int) -> list[str]:
        pad = _INDENT * depth
        if node.value is None:
            if not self.catching:
                raise self.error(
                    "A throw statement with no arguments is not allowed outside of a catch clause",
                    node.pos,
                )
            return [f"{pad}raise {self.catching[-1]}"]
        return [f"{pad}_throw({self.thrown(node.value).text})"]

    def s_CheckedBlock(self, node: s.CheckedBlock, depth: int) -> list[str]:
        outer, given = self.checked, self.checked_context_given
        self.checked, self.checked_context_given = node.checked, True
        try:
            return self.block(node.body, depth)
        finally:
            self.checked, self.checked_context_given = outer, given

    # --- loops ----------------------------------------------------------------------------------

    def loop_body(self, body: s.Stmt, depth: int) -> list[str]:
        """The body of a loop, ticking the time budget first on every pass (`budget`)."""
        self.loops.append("loop")
        self.repetition += 1
        self.loop_depths.append(self.lambda_depth)
        bound = len(self.iteration_locals)
        try:
            return [_INDENT * depth + self.tick(), *self.nested(body, depth)]
        finally:
            del self.iteration_locals[bound:]
            self.loop_depths.pop()
            self.loops.pop()
            self.repetition -= 1

    def s_While(self, node: s.While, depth: int) -> list[str]:
        pad = _INDENT * depth
        inner = pad + _INDENT
        outer_scope, self.scope = self.scope, Scope(self.scope)
        try:
            if not node.do:
                return [
                    f"{pad}while {self.cond(node.cond)}:",
                    *self.loop_body(node.body, depth + 1),
                ]
            body = self.loop_body(node.body, depth + 1)
            test = self.cond(node.cond)
            if not jumps(node.body, "continue"):
                return [f"{pad}while True:", *body, f"{inner}if not ({test}):", f"{inner}    break"]
            flag = self.names.temp()
            return [
                f"{pad}{flag} = False",
                f"{pad}while True:",
                f"{inner}if {flag} and not ({test}):",
                f"{inner}    break",
                f"{inner}{flag} = True",
                *body,
            ]
        finally:
            self.scope = outer_scope

    def s_For(self, node: s.For, depth: int) -> list[str]:
        pad = _INDENT * depth
        inner = pad + _INDENT
        outer_scope, self.scope = self.scope, Scope(self.scope)
        try:
            lines = [line for init in node.init for line in self.stmt(init, depth)]
            test = None if node.cond is None else self.cond(node.cond)
            body = self.loop_body(node.body, depth + 1)
            updates = [self.update(u) for u in node.update]
        finally:
            self.scope = outer_scope
        check = [] if test is None else [f"{inner}if not ({test}):", f"{inner}    break"]
        if not jumps(node.body, "continue"):
            return [*lines, f"{pad}while True:", *check, *body, *(inner + u for u in updates)]
        flag = self.names.temp()
        first = [f"{inner}if {flag}:", *(inner + _INDENT + u for u in updates)] if updates else []
        return [
            *lines,
            f"{pad}{flag} = False",
            f"{pad}while True:",
            *first,
            f"{inner}{flag} = True",
            *check,
            *body,
        ]

    def update(self, node: s.Expr) -> str:
        if isinstance(node, s.Assign):
            return self.assign(node, statement=True).text
        if isinstance(node, s.IncDec):
            return self.incdec(node, statement=True).text
        return self.expr(node).text

    def s_Foreach(self, node: s.Foreach, depth: int) -> list[str]:
        pad = _INDENT * depth
        source = self.operand(node.source)
        kind = source.type
        if is_value_type(kind) or kind.is_object:  # never a sequence
            raise self.error(  # csc: CS1579
                f"foreach statement cannot operate on variables of type '{cs_name(kind)}' because "
                f"'{cs_name(kind)}' does not contain a public instance or extension definition "
                "for 'GetEnumerator'",
                node.source.pos,
            )
        if kind is NULL:  # csc: CS0186
            raise self.error("Use of null is not valid in this context", node.source.pos)
        element: SType = CHAR if source.type is STRING else source.type.element or UNKNOWN
        if enumerates_pairs(source.type):  # a JObject's own GetEnumerator: KeyValuePairs
            source = Code(f"{self.names.constant(pairs_of)}({source.text})", source.type)
        walk = f"_each({source.text})"
        prelude: list[str] = []
        if node.type is not None:
            declared = self.resolve_type(node.type).stype
            if element.known and declared.name != element.name and declared is not UNKNOWN:
                # C# casts each element explicitly: `foreach (int c in "ab")` converts,
                # `foreach (string c in "ab")` is csc's CS0030, as the cast would be
                item = self.names.temp()
                self.holes.append(Code(item, element))
                try:
                    cast = self.expr(s.Cast(node.pos, node.type, s.Hole(node.pos)))
                finally:
                    self.holes.pop()
                held = self.names.temp()  # a `:=` may not stand in a generator's iterable
                prelude = [f"{pad}{held} = {source.text}"]
                walk = f"({cast.text} for {item} in _each({held}))"
            elif declared != element and declared is not UNKNOWN:  # judged at run time
                ref = self.names.constant(self.type_ref(node.type))
                walk = f"_each_as({source.text}, {ref})"
            element = declared
        outer_scope, self.scope = self.scope, Scope(self.scope)
        try:
            local = self.declare(node.name, element, node.pos)
            local.readonly = "foreach iteration variable"
            self.iteration_locals.append(local)
            try:
                body = self.loop_body(node.body, depth + 1)
            finally:
                self.iteration_locals.pop()
        finally:
            self.scope = outer_scope
        return [*prelude, f"{pad}for {local.py_name} in {walk}:", *body]
