"""`switch`, `try`/`catch`/`finally`, `using`, `break`/`continue` (translator, part 5a).

See `codegen` for how each maps onto Python. Exception type names in `catch (T)` resolve with
`csexc`; `catch` without a type, and `catch (Exception)`, catch everything an expression can
throw.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import syntax as s
from .csexc import CsException, exception_short_name
from .effects import EffectTranslator
from .flow import completes
from .parse import SourceMap
from .scope import Names, Scope
from .static import SType
from .translate import Code
from .types import CsChar

_INDENT = "    "
_EXCEPTION = SType("System.Exception", CsException)


@dataclass(slots=True)
class SwitchFrame:
    continue_flag: str | None = None


class BranchTranslator(EffectTranslator):
    def __init__(self, smap: SourceMap, context_type: SType, names: Names) -> None:
        super().__init__(smap, context_type, names)
        self.switch_frames: dict[int, SwitchFrame] = {}  # index in `loops` -> its switch
        self.catching: list[str] = []  # Python names of the exceptions being handled

    def stmt(self, node: s.Stmt, depth: int) -> list[str]:
        raise NotImplementedError  # codegen.Translator

    def nested(self, node: s.Stmt, depth: int) -> list[str]:
        raise NotImplementedError  # codegen.Translator

    # --- break / continue -----------------------------------------------------------------------

    def s_Jump(self, node: s.Jump, depth: int) -> list[str]:
        """`break` leaves the innermost loop or switch, `continue` goes to the innermost loop;
        neither may leave a `finally` (a "finally" entry in `loops` marks one)."""
        pad = _INDENT * depth
        wanted = ("loop", "switch") if node.kind == "break" else ("loop",)
        target = next((kind for kind in reversed(self.loops) if kind in (*wanted, "finally")), None)
        if target == "finally":
            raise self.error("Control cannot leave the body of a finally clause", node.pos)
        if target is None:
            raise self.error("No enclosing loop out of which to break or continue", node.pos)
        if node.kind == "break":
            return [f"{pad}break"]
        return [pad + line for line in self.continue_from(len(self.loops) - 1)]

    def continue_from(self, level: int) -> list[str]:
        """`continue` as seen from `self.loops[level]` (a switch in between relays it)."""
        frame = self.switch_frames.get(level)
        if frame is None:
            return ["continue"]
        if frame.continue_flag is None:
            frame.continue_flag = self.names.temp()
        return [f"{frame.continue_flag} = True", "break"]

    # --- switch ---------------------------------------------------------------------------------

    def s_Switch(self, node: s.Switch, depth: int) -> list[str]:
        pad = _INDENT * depth
        inner = pad + _INDENT
        value = self.operand(node.value)
        temp = self.names.temp()
        subject = Code(temp, value.type)
        level = len(self.loops)
        frame = SwitchFrame()
        self.loops.append("switch")
        self.switch_frames[level] = frame
        outer_scope, self.scope = self.scope, Scope(self.scope)  # one scope for all sections
        lines = [f"{pad}{temp} = {value.text}", f"{pad}while True:"]
        seen: list[object] = []
        default: list[str] | None = None
        branches = 0
        try:
            for section in node.sections:
                tests = [self.case_test(subject, label, seen) for label in section.labels]
                body = [line for stmt in section.body for line in self.stmt(stmt, depth + 2)]
                if completes(s.Block(section.pos, section.body), self.constants):
                    raise self.error(
                        "Control cannot fall through from one case label to another",
                        section.pos,
                    )
                if None in section.labels:
                    if default is not None or section.labels.count(None) > 1:  # csc: CS0152
                        raise self.error(
                            "The switch statement contains multiple cases with the label value "
                            "'default'",
                            section.pos,
                        )
                    default = body
                    continue
                keyword = "if" if branches == 0 else "elif"
                lines += [f"{inner}{keyword} {' or '.join(t for t in tests if t)}:", *body]
                branches += 1
        finally:
            self.scope = outer_scope
            self.loops.pop()
            del self.switch_frames[level]
        if default is not None:
            # the body is indented for an `if`/`elif` branch; alone it gets a branch too
            lines += [f"{inner}else:" if branches else f"{inner}if True:", *default]
        lines.append(f"{inner}break")
        if frame.continue_flag is not None:
            lines.insert(0, f"{pad}{frame.continue_flag} = False")
            lines += [f"{pad}if {frame.continue_flag}:"]
            lines += [inner + line for line in self.continue_from(level - 1)]
        return lines

    def case_test(self, subject: Code, label: s.Expr | None, seen: list[object]) -> str:
        if label is None:
            return ""
        local = self.scope.lookup(label.name) if isinstance(label, s.Name) else None
        if not _is_constant(label) and (local is None or local.readonly != "const"):
            raise self.error("A constant value is expected", label.pos)  # a `const` local is
        key = _constant_key(label)
        if key is not None:
            if key in seen:
                raise self.error(
                    "The switch statement contains multiple cases with the label value",
                    label.pos,
                )
            seen.append(key)
        test = self.equality("==", subject, self.operand(label), label.pos)
        return test.text

    # --- try / catch / finally ------------------------------------------------------------------

    def s_Try(self, node: s.Try, depth: int) -> list[str]:
        pad = _INDENT * depth
        inner = pad + _INDENT
        lines = [f"{pad}try:", *self.nested(node.body, depth + 1)]
        if node.catches:
            error, caught = self.names.temp(), self.names.temp()
            lines += [f"{pad}except _Exc as {error}:", f"{inner}{caught} = _caught({error})"]
            everything = False
            for i, clause in enumerate(node.catches):
                if everything and clause.type is None:  # csc warns (CS1058): it never runs
                    continue
                if everything:
                    raise self.error(
                        "A previous catch clause already catches all exceptions of this or of a "
                        "super type ('System.Exception')",
                        clause.pos,
                    )
                keyword = "if" if i == 0 else "elif"
                test, body, everything = self.catch_clause(clause, caught, error, depth + 2)
                lines += [f"{inner}{keyword} {test}:", *body]
            if not everything:
                lines += [f"{inner}else:", f"{inner}{_INDENT}raise"]
        if node.final is not None:
            self.loops.append("finally")
            try:
                lines += [f"{pad}finally:", *self.nested(node.final, depth + 1)]
            finally:
                self.loops.pop()
        return lines

    def catch_clause(
        self, clause: s.Catch, caught: str, error: str, depth: int
    ) -> tuple[str, list[str], bool]:
        """(Python test, body lines, whether it catches everything) of one `catch`. The
        variable is bound inside the test, so a `when` filter can read it."""
        short = "Exception"
        if clause.type is not None:
            found = exception_short_name(clause.type.name)
            if found is None:
                self.resolve_type(clause.type)  # the type's own error (unknown, forbidden)
                raise self.error(
                    "The type caught or thrown must be derived from System.Exception",
                    clause.type.pos,
                )
            short = found
        tests = [] if short == "Exception" else [f"_catches({caught}, {short!r})"]
        outer_scope, self.scope = self.scope, Scope(self.scope)
        self.catching.append(error)
        try:
            if clause.name is not None:
                local = self.declare(clause.name, _EXCEPTION, clause.pos)
                tests.append(f"(({local.py_name} := {caught}) is {caught})")
            if clause.filter is not None:
                tests.append(f"({self.cond(clause.filter)})")
            body = self.nested(clause.body, depth)
        finally:
            self.catching.pop()
            self.scope = outer_scope
        catch_all = short == "Exception" and clause.filter is None
        return " and ".join(tests) or "True", body, catch_all

    # --- using ----------------------------------------------------------------------------------

    def check_disposable(self, stype: SType, pos: int) -> None:
        """A number, bool, char or string is no IDisposable: csc's CS1674."""
        if stype.py in (int, float, bool, str, CsChar) and stype.known:
            raise self.error(
                f"'{stype.name}': type used in a using statement must be implicitly convertible "
                "to 'System.IDisposable'",
                pos,
            )

    def s_Using(self, node: s.Using, depth: int) -> list[str]:
        pad = _INDENT * depth
        outer_scope, self.scope = self.scope, Scope(self.scope)
        try:
            if isinstance(node.resource, s.LocalDecl):
                lines = self.stmt(node.resource, depth)
                names = [self.scope.names[d.name] for d in node.resource.declarators]
                for local in names:
                    local.readonly = "using variable"
                    self.check_disposable(local.type, node.pos)
                resources = [local.py_name for local in names]
            else:
                temp = self.names.temp()
                resource = self.operand(node.resource)
                self.check_disposable(resource.type, node.resource.pos)
                lines = [f"{pad}{temp} = {resource.text}"]
                resources = [temp]
            body = self.nested(node.body, depth + len(resources))
        finally:
            self.scope = outer_scope
        for i in reversed(range(len(resources))):
            at = _INDENT * (depth + i)
            body = [f"{at}try:", *body, f"{at}finally:", f"{at}{_INDENT}_dispose({resources[i]})"]
        return lines + body


def _is_constant(node: s.Expr) -> bool:
    """A constant expression as a case label may be: literals, members such as int.MaxValue,
    and operators and casts over them (`case 1 + 1:`, `case "a" + "b":`, `case (char)97:`)."""
    while isinstance(node, s.Paren):
        node = node.inner
    if isinstance(node, s.Unary) and node.op in ("-", "+", "~", "!"):
        return _is_constant(node.operand)
    if isinstance(node, s.Binary):
        return _is_constant(node.left) and _is_constant(node.right)
    if isinstance(node, s.Cast):
        return _is_constant(node.operand)
    return isinstance(node, (s.Literal, s.Member))


def _constant_key(node: s.Expr) -> object:
    while isinstance(node, s.Paren):
        node = node.inner
    if isinstance(node, s.Literal):
        return (node.kind, node.value)
    if isinstance(node, s.Unary) and isinstance(node.operand, s.Literal):
        return (node.operand.kind, node.op, node.operand.value)
    if isinstance(node, s.Member):
        return ("member", node.name, repr(node.target))
    if isinstance(node, s.Name):  # a `const` local
        return ("const", node.name)
    return None
