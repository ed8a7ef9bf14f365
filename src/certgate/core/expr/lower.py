"""tree-sitter CST -> `syntax` tree, refusing every construct the compiler does not implement.

Two things happen here besides the plain mapping:

* tree-sitter-c-sharp 0.23 gives `?.` too low a precedence: `x == a?.b` comes out as
  `(x == a)?.b`, `!a?.b` as `(!a)?.b`, `(string)a?.b` as `((string)a)?.b`. A binary, prefix-unary
  or cast node can never be the unparenthesized receiver of `?.` in real C#, so when one shows up
  there the null-conditional access is pushed down into its rightmost operand (`_push_down`).
  Chains continue through it: `a?.b.c` arrives as `member(cond(a, .b), c)` and is rebuilt as one
  `NullCond(a, Hole.b.c)` so the whole chain short-circuits (`_extend`).
  The operator that follows such a chain is then applied to the whole pushed-down expression
  (`true && s?.Length == 3` arrives as `(true && s?.Length) == 3`), so a tighter operator is
  rotated back into the rightmost operand: `true && (s?.Length == 3)` (`rotated`).
* Literals are decoded here (`literals`), with errors at the offending character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tree_sitter import Node

from . import literals
from . import syntax as s
from .parse import SourceMap
from .types import CsChar

_T = TypeVar("_T")
_MAX_DEPTH = 120  # generated Python nests about as deep; CPython's parser allows 200 levels
_MISPARSED_RECEIVERS = frozenset(
    {"binary_expression", "prefix_unary_expression", "cast_expression"}
)
CHAIN_NODES = frozenset(
    {
        "conditional_access_expression",
        "member_access_expression",
        "invocation_expression",
        "element_access_expression",
    }
)
_BINARY_OPS = frozenset(
    {"||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "??"}
)
_BITWISE_OPS = frozenset({"&", "|", "^", "<<", ">>", ">>>"})


class Lowerer:
    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.depth = 0

    # --- helpers --------------------------------------------------------------------------------

    def text(self, node: Node) -> str:
        text = (node.text or b"").decode("utf-8")
        if node.type == "identifier":  # `@class` is the identifier `class`
            return text.removeprefix("@")
        return text

    def unsupported(self, what: str, node: Node) -> Exception:
        return self.smap.not_supported(what, node.start_byte)

    def error(self, message: str, node: Node) -> Exception:
        return self.smap.error(message, node.start_byte)

    # --- expressions ----------------------------------------------------------------------------

    def expr(self, node: Node) -> s.Expr:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.error("Expression is nested too deeply", node)
            method = getattr(self, "x_" + node.type, None)
            if method is None:
                raise self.unsupported(f"C# construct '{node.type.replace('_', ' ')}'", node)
            result: s.Expr = method(node)
            return result
        finally:
            self.depth -= 1

    def field(self, node: Node, name: str) -> Node:
        child = node.child_by_field_name(name)
        if child is None:  # tree-sitter never omits these on an error-free tree
            raise self.error("Syntax error", node)
        return child

    def block(self, node: Node) -> s.Block:
        """Statements (lambda bodies); `lower_stmt.BlockLowerer` implements them."""
        raise self.unsupported("statement blocks here", node)

    def x_parenthesized_expression(self, node: Node) -> s.Expr:
        inner = kids(node)
        if not inner:  # `( /* comment */ )`
            raise self.error("Invalid expression term ')'", node)
        return s.Paren(node.start_byte, self.expr(inner[0]))

    def x_identifier(self, node: Node) -> s.Expr:
        return s.Name(node.start_byte, self.text(node))

    def x_predefined_type(self, node: Node) -> s.Expr:
        return s.PredefinedType(node.start_byte, self.text(node))

    def x_null_literal(self, node: Node) -> s.Expr:
        return s.Literal(node.start_byte, None, "null")

    def x_boolean_literal(self, node: Node) -> s.Expr:
        return s.Literal(node.start_byte, self.text(node) == "true", "bool")

    def x_integer_literal(self, node: Node) -> s.Expr:
        value, kind = self.literal(node, literals.integer)
        return s.Literal(node.start_byte, value, kind)

    def x_real_literal(self, node: Node) -> s.Expr:
        if self.text(node)[-1:] in ("m", "M"):
            value = self.literal(node, literals.decimal_literal)
            return s.Literal(node.start_byte, value, "decimal")
        if self.text(node)[-1:] in ("f", "F"):
            number = self.literal(node, literals.single_literal)
            return s.Literal(node.start_byte, number, "single")
        return s.Literal(node.start_byte, self.literal(node, literals.real), "double")

    def x_string_literal(self, node: Node) -> s.Expr:
        body = self.text(node)[1:-1]
        return s.Literal(node.start_byte, self.literal(node, literals.unescape, body, 1), "string")

    def x_verbatim_string_literal(self, node: Node) -> s.Expr:
        return s.Literal(node.start_byte, literals.verbatim(self.text(node)[2:-1]), "string")

    def x_character_literal(self, node: Node) -> s.Expr:
        body = self.text(node)[1:-1]
        return s.Literal(
            node.start_byte, CsChar(self.literal(node, literals.char_value, body, 1)), "char"
        )

    def literal(
        self, node: Node, decode: Callable[[str], _T], token: str | None = None, skip: int = 0
    ) -> _T:
        """Decode a literal token; `skip` = characters before `token` within the node."""
        try:
            return decode(self.text(node) if token is None else token)
        except literals.LiteralError as exc:
            if exc.message.startswith("not supported yet: "):
                raise self.unsupported(
                    exc.message.removeprefix("not supported yet: "), node
                ) from None
            index = self.smap.index_of(node.start_byte) + skip + exc.offset
            raise self.smap.error_at(exc.message, index) from None

    def x_interpolated_string_expression(self, node: Node) -> s.Expr:
        start = self.text(node.children[0])
        verbatim = "@" in start
        parts: list[str | s.Expr] = []
        content_start = node.children[1].end_byte  # after the opening quote
        source = node.text or b""
        base = node.start_byte
        for child in node.children[2:]:
            if child.type == "interpolation" or child == node.children[-1]:
                piece = source[content_start - base : child.start_byte - base]
                raw = self.smap.without_inserted(piece, content_start).decode("utf-8")
                raw = raw.replace("{{", "{").replace("}}", "}")
                if raw:
                    decoded = (
                        literals.verbatim(raw)
                        if verbatim
                        else self.literal(child, literals.unescape, raw)
                    )
                    parts.append(str(decoded))
                content_start = child.end_byte
            if child.type == "interpolation":
                parts.append(self.interpolation(child, verbatim))
        return s.Interpolated(node.start_byte, tuple(parts))

    def interpolation(self, node: Node, verbatim: bool) -> s.Expr:
        inner = [c for c in kids(node) if c.type != "interpolation_brace"]
        value = self.expr(inner[0])
        align: s.Expr | None = None
        fmt: str | None = None
        for clause in inner[1:]:
            if clause.type == "interpolation_alignment_clause":
                align = self.expr(kids(clause)[-1])
            elif clause.type == "interpolation_format_clause":  # escapes as in the text
                raw = self.text(clause)[1:]
                fmt = (
                    literals.verbatim(raw)
                    if verbatim
                    else self.literal(clause, literals.unescape, raw, 1)
                )
            else:  # pragma: no cover - tree-sitter has no other clause
                raise self.unsupported(f"interpolation clause '{clause.type}'", clause)
        if align is None and fmt is None:
            return value
        return s.Formatted(inner[0].start_byte, value, align, fmt)

    def x_member_access_expression(self, node: Node) -> s.Expr:
        target_node = self.field(node, "expression")
        name_node = self.field(node, "name")
        target = self.expr(target_node)

        def member(on: s.Expr) -> s.Expr:
            return self.member(on, name_node)

        if _continues_chain(target_node, target):
            return _extend(target, member)
        return member(target)

    def member(self, target: s.Expr, name_node: Node) -> s.Member:
        if name_node.type == "generic_name":
            ident, args = kids(name_node)[0], kids(name_node)[1]
            type_args = tuple(self.type(arg) for arg in kids(args))
            if not type_args:  # `M<>(...)`: csc's CS7003
                raise self.error("Unexpected use of an unbound generic name", name_node)
            return s.Member(ident.start_byte, target, self.text(ident), type_args)
        if name_node.type != "identifier":
            raise self.unsupported(f"member name '{self.text(name_node)}'", name_node)
        return s.Member(name_node.start_byte, target, self.text(name_node))

    def x_invocation_expression(self, node: Node) -> s.Expr:
        function = self.field(node, "function")
        target = self.expr(function)
        args = self.arguments(self.field(node, "arguments"))

        def invoke(on: s.Expr) -> s.Expr:
            return s.Invoke(node.start_byte, on, args)

        return _extend(target, invoke) if _continues_chain(function, target) else invoke(target)

    def x_element_access_expression(self, node: Node) -> s.Expr:
        target_node = self.field(node, "expression")
        target = self.expr(target_node)
        args = self.index_args(self.field(node, "subscript"))

        def index(on: s.Expr) -> s.Expr:
            return s.Index(node.start_byte, on, args)

        return _extend(target, index) if _continues_chain(target_node, target) else index(target)

    def x_conditional_access_expression(self, node: Node) -> s.Expr:
        cond_node, binding = kids(node)[0], kids(node)[-1]
        receiver = self.expr(cond_node)
        if binding.type == "member_binding_expression":
            name_node = self.field(binding, "name")
            body: s.Expr = self.member(s.Hole(binding.start_byte), name_node)
        elif binding.type == "element_binding_expression":
            body = s.Index(binding.start_byte, s.Hole(binding.start_byte), self.index_args(binding))
        else:
            raise self.unsupported(f"C# construct '{binding.type}'", binding)

        def attach(on: s.Expr) -> s.Expr:
            return s.NullCond(node.start_byte, on, body)

        if cond_node.type in _MISPARSED_RECEIVERS or (  # or a chain pushed down already
            cond_node.type in CHAIN_NODES and isinstance(receiver, (s.Binary, s.Unary, s.Cast))
        ):
            return _push_down(receiver, attach)
        return attach(receiver)

    def arguments(self, node: Node) -> tuple[s.Arg, ...]:
        return tuple(self.argument(arg) for arg in kids(node) if arg.type == "argument")

    def index_args(self, node: Node) -> tuple[s.Expr, ...]:
        args = self.arguments(node)
        for arg in args:
            if arg.value is None or arg.out is not None:
                raise self.smap.error("Syntax error, ']' expected", arg.pos)
        return tuple(arg.value for arg in args if arg.value is not None)

    def argument(self, node: Node) -> s.Arg:
        modifiers = [self.text(c) for c in node.children if c.type in ("out", "ref", "in")]
        name_node = node.child_by_field_name("name")
        value = kids(node)[-1]
        if not modifiers:
            if value.type == "declaration_expression":
                product = self.misread_product(value)
                if product is not None:
                    return s.Arg(node.start_byte, product, name=self.text_or_none(name_node))
                raise self.smap.error(
                    "Syntax error, ',' expected", self.field(value, "name").start_byte
                )
            name = None if name_node is None else self.text(name_node)
            return s.Arg(node.start_byte, self.expr(value), name=name)
        if name_node is not None:
            raise self.unsupported("named out arguments", node)
        if modifiers != ["out"]:
            raise self.unsupported(f"'{modifiers[0]}' arguments", node)
        if value.type == "declaration_expression":
            type_node = self.field(value, "type")
            name = self.text(self.field(value, "name"))
            out_type = None if type_node.type == "implicit_type" else self.type(type_node)
            return s.Arg(node.start_byte, None, name, out_type, declares=True)
        if value.type != "identifier":
            raise self.unsupported("out arguments other than locals", value)
        return s.Arg(node.start_byte, None, self.text(value))

    def text_or_none(self, node: Node | None) -> str | None:
        return None if node is None else self.text(node)

    def misread_product(self, declaration: Node) -> s.Expr | None:
        """`f(n * m)`: tree-sitter reads the argument as a declaration of `m` with pointer type
        `n*`; C# has no such argument (pointers need `unsafe`), so it is the product `n * m`."""
        kind = self.field(declaration, "type")
        if kind.type != "pointer_type" or len(kind.children) != 2:
            return None
        left, star = kind.children
        if left.type not in ("identifier", "qualified_name") or star.type != "*":
            return None
        right = self.field(declaration, "name")
        return s.Binary(star.start_byte, "*", self.dotted_value(left), self.expr(right))

    def dotted_value(self, node: Node) -> s.Expr:
        """`a.b.c` read as a type name by the grammar, as the member accesses it stands for."""
        if node.type == "identifier":
            return self.expr(node)
        owner, last = node.children[0], node.children[-1]  # qualified_name: owner . identifier
        return s.Member(last.start_byte, self.dotted_value(owner), self.text(last))

    def x_binary_expression(self, node: Node) -> s.Expr:
        op_node = self.field(node, "operator")
        op = self.text(op_node)
        if op not in _BINARY_OPS and op not in _BITWISE_OPS:
            raise self.unsupported(f"operator '{op}'", op_node)
        left_node = self.field(node, "left")
        left = self.expr(left_node)
        right = self.expr(self.field(node, "right"))

        def apply(on: s.Expr) -> s.Expr:
            return s.Binary(op_node.start_byte, op, on, right)

        # a `?.` chain pushed down into a looser operator
        return rotated(op, left, apply) if left_node.type in CHAIN_NODES else apply(left)

    def x_prefix_unary_expression(self, node: Node) -> s.Expr:
        op = self.text(node.children[0])
        if op in ("*", "&"):
            raise self.error(
                "Pointers and fixed size buffers may only be used in an unsafe context", node
            )
        if op not in ("!", "-", "+"):
            raise self.unsupported(f"operator '{op}'", node)
        return s.Unary(node.start_byte, op, self.expr(kids(node)[-1]))

    def x_conditional_expression(self, node: Node) -> s.Expr:
        return s.Conditional(
            node.start_byte,
            self.expr(self.field(node, "condition")),
            self.expr(self.field(node, "consequence")),
            self.expr(self.field(node, "alternative")),
        )

    def x_lambda_expression(self, node: Node) -> s.Expr:
        for child in node.children:
            if child.type in ("async", "static", "modifier"):
                raise self.unsupported(f"'{self.text(child)}' lambdas", child)
        params_node = self.field(node, "parameters")
        body_node = self.field(node, "body")
        body = self.block(body_node) if body_node.type == "block" else self.expr(body_node)
        if params_node.type == "implicit_parameter":
            params: tuple[s.Param, ...] = (
                s.Param(params_node.start_byte, self.text(params_node), None),
            )
        else:
            params = tuple(self.param(p) for p in kids(params_node))
        return s.Lambda(node.start_byte, params, body)

    def param(self, node: Node) -> s.Param:
        if node.type != "parameter" or any(c.type == "modifier" for c in node.children):
            raise self.unsupported("this kind of lambda parameter", node)
        type_node = node.child_by_field_name("type")
        name = self.text(self.field(node, "name"))
        return s.Param(node.start_byte, name, None if type_node is None else self.type(type_node))

    def x_cast_expression(self, node: Node) -> s.Expr:
        value = self.field(node, "value")
        if value.type == "assignment_expression":  # `(bool)x = v` is `((bool)x) = v` in C#
            raise self.error(
                "The left-hand side of an assignment must be a variable, a property or an indexer",
                node,
            )
        return s.Cast(
            node.start_byte,
            self.type(self.field(node, "type")),
            self.expr(self.field(node, "value")),
        )

    def x_typeof_expression(self, node: Node) -> s.Expr:
        return s.TypeOf(node.start_byte, self.type(self.field(node, "type")))

    def x_default_expression(self, node: Node) -> s.Expr:
        type_node = node.child_by_field_name("type")
        return s.Default(node.start_byte, None if type_node is None else self.type(type_node))

    # --- types ----------------------------------------------------------------------------------

    def type(self, node: Node) -> s.TypeName:
        kind = node.type
        if kind in ("predefined_type", "identifier"):
            return s.TypeName(node.start_byte, self.text(node))
        if kind == "qualified_name":
            parts = [self.type(c) for c in kids(node)]
            if any(part.args for part in parts[:-1]):
                raise self.unsupported("nested generic type names", node)
            last = parts[-1]
            dotted = ".".join(part.name for part in parts)
            return s.TypeName(node.start_byte, dotted, last.args)
        if kind == "generic_name":
            ident, args = kids(node)[0], kids(node)[1]
            return s.TypeName(
                node.start_byte, self.text(ident), tuple(self.type(a) for a in kids(args))
            )
        if kind == "array_type":
            inner = self.type(self.field(node, "type"))
            rank = self.field(node, "rank")
            if len(kids(rank)) or self.text(rank) != "[]":
                raise self.unsupported("multi-dimensional arrays", rank)
            return s.TypeName(
                inner.pos, inner.name, inner.args, inner.array_rank + 1, inner.nullable
            )
        if kind == "nullable_type":
            inner = self.type(kids(node)[0])
            if inner.name in ("string", "object") and not inner.array_rank:  # C# 8
                raise self.unsupported(f"nullable reference type '{inner.name}?'", node)
            return s.TypeName(inner.pos, inner.name, inner.args, inner.array_rank, True)
        raise self.unsupported(f"type syntax '{self.text(node)}'", node)


def kids(node: Node) -> list[Node]:
    """Named children without comments (tree-sitter puts `// ...` anywhere as an extra node)."""
    return [child for child in node.named_children if child.type != "comment"]


def _continues_chain(raw: Node, target: s.Expr) -> bool:
    """Is a postfix step on `raw` part of a `?.` chain? A chain node lowered to NullCond (or to a
    pushed-down wrapper around one) continues; a parenthesized one never does (`(a?.b).c`)."""
    return raw.type in CHAIN_NODES and isinstance(target, (s.NullCond, s.Binary, s.Unary, s.Cast))


def _push_down(expr: s.Expr, attach: Callable[[s.Expr], s.Expr]) -> s.Expr:
    """Re-attach a misparsed `?.` to the rightmost operand (see module docstring)."""
    if isinstance(expr, s.Binary):
        return s.Binary(expr.pos, expr.op, expr.left, _push_down(expr.right, attach))
    if isinstance(expr, s.Unary):
        return s.Unary(expr.pos, expr.op, _push_down(expr.operand, attach))
    if isinstance(expr, s.Cast):
        return s.Cast(expr.pos, expr.type, _push_down(expr.operand, attach))
    return attach(expr)


# C#'s binary precedence, tightest first (`is`/`as` are relational)
_PRECEDENCE = {
    op: level
    for level, ops in enumerate(
        (
            ("*", "/", "%"),
            ("+", "-"),
            ("<<", ">>", ">>>"),
            ("<", ">", "<=", ">=", "is", "as"),
            ("==", "!="),
            ("&",),
            ("^",),
            ("|",),
            ("&&",),
            ("||",),
            ("??",),
        )
    )
    for op in ops
}


def rotated(op: str, left: s.Expr, apply: Callable[[s.Expr], s.Expr]) -> s.Expr:
    """`apply` (the operator `op` with its right operand) to `left`, descending into the right
    operand of a looser binary (see module docstring)."""
    if isinstance(left, s.Binary) and _PRECEDENCE[op] < _PRECEDENCE[left.op]:
        return s.Binary(left.pos, left.op, left.left, rotated(op, left.right, apply))
    return apply(left)


def _extend(expr: s.Expr, step: Callable[[s.Expr], s.Expr]) -> s.Expr:
    """Continue the null-conditional chain that ends `expr` with one more postfix `step`."""
    if isinstance(expr, s.NullCond):
        return s.NullCond(expr.pos, expr.receiver, step(expr.body))
    if isinstance(expr, s.Binary):
        return s.Binary(expr.pos, expr.op, expr.left, _extend(expr.right, step))
    if isinstance(expr, s.Unary):
        return s.Unary(expr.pos, expr.op, _extend(expr.operand, step))
    if isinstance(expr, s.Cast):
        return s.Cast(expr.pos, expr.type, _extend(expr.operand, step))
    return step(expr)
