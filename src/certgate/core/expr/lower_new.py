"""Lowering, part 2: creation expressions, type tests, assignments and other C# 7 expressions.

`new T(...) { ... }` with collection or object initializers, arrays (`new T[n]`, `new[] {...}`),
anonymous types, `is`/`as` (type and constant patterns), assignments and `++`/`--` used as
expressions, `throw` expressions and `checked(...)`.

tree-sitter-c-sharp 0.23 reads a constant pattern too greedily: `x is null && y` comes out as
`x is (null && y)`. A constant pattern is a single operand in C#, so an operator of lower
precedence than `is` found at the top of the pattern is lifted out (`_lift_pattern`).
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from . import syntax as s
from .lower import CHAIN_NODES, Lowerer, kids, rotated

# operators that bind less tightly than `is` (relational): they end a constant pattern
_BELOW_IS = frozenset({"==", "!=", "&", "^", "|", "&&", "||", "??"})
_COMPOUND = {
    "+=": "+",
    "-=": "-",
    "*=": "*",
    "/=": "/",
    "%=": "%",
    "&=": "&",
    "|=": "|",
    "^=": "^",
    "<<=": "<<",
    ">>=": ">>",
}


class CreationLowerer(Lowerer):
    # --- object and array creation --------------------------------------------------------------

    def x_object_creation_expression(self, node: Node) -> s.Expr:
        type_name = self.type(self.field(node, "type"))
        args_node = node.child_by_field_name("arguments")
        args = () if args_node is None else self.arguments(args_node)
        init = node.child_by_field_name("initializer")
        if init is None:
            return s.ObjectNew(node.start_byte, type_name, args)
        items = kids(init)
        if items and all(item.type == "assignment_expression" for item in items):
            members = tuple(self.member_init(item) for item in items)
            return s.ObjectNew(node.start_byte, type_name, args, members=members)
        adds: list[tuple[s.Expr, ...]] = []
        for item in items:
            if item.type == "assignment_expression":
                raise self.error(
                    "Invalid initializer member declarator", item
                )  # csc: CS0747, mixing both kinds
            if item.type == "initializer_expression":
                adds.append(tuple(self.expr(c) for c in kids(item)))
            else:
                adds.append((self.expr(item),))
        return s.ObjectNew(node.start_byte, type_name, args, adds=tuple(adds))

    def member_init(self, node: Node) -> s.MemberInit:
        left = self.field(node, "left")
        right = self.field(node, "right")
        if self.text(self.field(node, "operator")) != "=":
            raise self.error("Invalid initializer member declarator", node)
        if right.type == "initializer_expression":
            raise self.unsupported("nested object initializers", right)
        value = self.expr(right)
        if left.type == "identifier":
            return s.MemberInit(left.start_byte, self.text(left), (), value)
        if left.type == "element_binding_expression":
            return s.MemberInit(left.start_byte, None, self.index_args(left), value)
        raise self.error("Invalid initializer member declarator", left)

    def x_anonymous_object_creation_expression(self, node: Node) -> s.Expr:
        members: list[tuple[str, s.Expr]] = []
        pending: str | None = None  # `Name =` seen, value follows
        for child in node.children:
            if child.type in ("new", "{", "}", ",", "comment"):
                continue
            if child.type == "=":
                continue
            following = child.next_sibling
            if child.type == "identifier" and following is not None and following.type == "=":
                pending = self.text(child)
                continue
            value = self.expr(child)
            name = pending or _projected_name(value)
            if name is None:
                raise self.error(
                    "Invalid anonymous type member declarator. Anonymous type members must be "
                    "declared with a member assignment, simple name or member access.",
                    child,
                )
            if any(name == existing for existing, _ in members):
                raise self.error(
                    "An anonymous type cannot have multiple properties with the same name", child
                )
            members.append((name, value))
            pending = None
        return s.AnonNew(node.start_byte, tuple(members))

    def x_implicit_array_creation_expression(self, node: Node) -> s.Expr:
        init = next(c for c in kids(node) if c.type == "initializer_expression")
        return s.ArrayNew(node.start_byte, None, self.array_items(init))

    def x_array_creation_expression(self, node: Node) -> s.Expr:
        type_node = self.field(node, "type")
        rank = self.field(type_node, "rank")
        sizes = kids(rank)
        if len(sizes) > 1 or self.text(rank).count(",") or type_node.type != "array_type":
            raise self.unsupported("multi-dimensional arrays", rank)
        element = self.type(self.field(type_node, "type"))
        init = next((c for c in kids(node) if c.type == "initializer_expression"), None)
        size = self.expr(sizes[0]) if sizes else None
        if init is None:
            if size is None:
                raise self.error("Array creation must have array size or array initializer", node)
            return s.ArrayNew(node.start_byte, element, None, size)
        return s.ArrayNew(node.start_byte, element, self.array_items(init), size)

    def x_initializer_expression(self, node: Node) -> s.Expr:
        """`string[] a = { "x" }`: only valid as a declaration's initializer (checked later)."""
        return s.ArrayNew(node.start_byte, None, self.array_items(node))

    def array_items(self, init: Node) -> tuple[s.Expr, ...]:
        items = kids(init)
        for item in items:
            if item.type == "initializer_expression":
                raise self.unsupported("jagged array initializers", item)
        return tuple(self.expr(item) for item in items)

    # --- type tests -----------------------------------------------------------------------------

    def x_is_expression(self, node: Node) -> s.Expr:
        type_name = self.type(self.field(node, "right"))
        return self.chain_operand(node, "is", lambda on: s.IsType(node.start_byte, on, type_name))

    def x_as_expression(self, node: Node) -> s.Expr:
        type_name = self.type(self.field(node, "right"))
        return self.chain_operand(node, "as", lambda on: s.AsType(node.start_byte, on, type_name))

    def chain_operand(self, node: Node, op: str, apply: Callable[[s.Expr], s.Expr]) -> s.Expr:
        """`apply` to the left operand; a `?.` chain pushed down into a looser operator gives
        the operator back to its rightmost operand (`lower.rotated`)."""
        left_node = self.field(node, "left")
        left = self.expr(left_node)
        return rotated(op, left, apply) if left_node.type in CHAIN_NODES else apply(left)

    def x_is_pattern_expression(self, node: Node) -> s.Expr:
        value = self.expr(self.field(node, "expression"))
        pattern = self.field(node, "pattern")
        if pattern.type == "declaration_pattern":
            type_name = self.type(self.field(pattern, "type"))
            designation = self.field(pattern, "name")
            if designation.type == "discard":
                return s.IsType(node.start_byte, value, type_name)
            if designation.type != "identifier":
                raise self.unsupported("this kind of pattern designation", designation)
            return s.IsType(node.start_byte, value, type_name, self.text(designation))
        if pattern.type == "constant_pattern":
            return self.constant_pattern(node, value, kids(pattern)[0])
        if pattern.type in ("type_pattern", "predefined_type", "identifier", "qualified_name"):
            return s.IsType(node.start_byte, value, self.type(kids(pattern)[0]))
        raise self.unsupported(f"pattern '{self.text(pattern)}' (C# 8 and later)", pattern)

    def constant_pattern(self, node: Node, value: s.Expr, constant: Node) -> s.Expr:
        """`x is c`; see the module docstring for why a binary `c` may have to be split."""
        if constant.type == "generic_name":  # `o is List<int>`: a generic name is a type
            return s.IsType(node.start_byte, value, self.type(constant))
        if constant.type == "binary_expression":
            op = self.text(self.field(constant, "operator"))
            if op in _BELOW_IS:
                left = self.constant_pattern(node, value, self.field(constant, "left"))
                right = self.expr(self.field(constant, "right"))
                pos = self.field(constant, "operator").start_byte
                return s.Binary(pos, op, left, right)
        return s.IsType(node.start_byte, value, None, constant=self.expr(constant))

    # --- assignments and side effects -----------------------------------------------------------

    def x_assignment_expression(self, node: Node) -> s.Expr:
        target_node = self.field(node, "left")
        op_node = self.field(node, "operator")
        op = self.text(op_node)
        if op == "??=":  # C# 8; APIM's language level is C# 7 (spec §3.1)
            raise self.unsupported("operator '??=' (C# 8 and later)", op_node)
        if op != "=" and op not in _COMPOUND:
            raise self.unsupported(f"operator '{op}'", op_node)
        target = self.assignable(target_node)
        value = self.expr(self.field(node, "right"))
        return s.Assign(op_node.start_byte, target, _COMPOUND.get(op), value)

    def assignable(self, node: Node) -> s.Expr:
        if node.type == "identifier":
            return self.expr(node)
        if node.type in ("element_access_expression", "member_access_expression"):
            target = self.expr(node)
            if isinstance(target, (s.Index, s.Member)):
                return target
        if node.type == "parenthesized_expression":
            return self.assignable(kids(node)[0])
        if node.type in ("tuple_expression", "declaration_expression"):
            raise self.unsupported("deconstruction", node)
        raise self.error(
            "The left-hand side of an assignment must be a variable, property or indexer", node
        )

    def x_postfix_unary_expression(self, node: Node) -> s.Expr:
        op = self.text(node.children[-1])
        if op == "!":
            raise self.unsupported("the null-forgiving operator '!' (C# 8)", node)
        if op not in ("++", "--"):
            raise self.unsupported(f"operator '{op}'", node)
        target = self.assignable(kids(node)[0])
        return s.IncDec(node.start_byte, target, op, prefix=False)

    def x_prefix_unary_expression(self, node: Node) -> s.Expr:
        op = self.text(node.children[0])
        if op in ("++", "--"):
            target = self.assignable(kids(node)[-1])
            return s.IncDec(node.start_byte, target, op, prefix=True)
        if op == "~":
            return s.Unary(node.start_byte, op, self.expr(kids(node)[-1]))
        return super().x_prefix_unary_expression(node)

    def x_throw_expression(self, node: Node) -> s.Expr:
        return s.Throw(node.start_byte, self.expr(kids(node)[-1]))

    def x_checked_expression(self, node: Node) -> s.Expr:
        checked = self.text(node.children[0]) == "checked"
        return s.Checked(node.start_byte, self.expr(kids(node)[-1]), checked)


def _projected_name(value: s.Expr) -> str | None:
    """Member name an anonymous type takes from `a` or `b.C` (C#'s projection initializers)."""
    if isinstance(value, s.Name):
        return value.name
    if isinstance(value, s.Member):
        return value.name
    if isinstance(value, s.NullCond):
        return _projected_name(value.body)
    return None
