"""Statements of the `@{ ... }` form (and of block-bodied lambdas): CST -> `syntax` statements.

Implemented: blocks, `var`/typed/`const` local declarations, expression statements (calls,
assignments, `++`/`--`, `new`), `if`/`else`, `return`, `foreach`, `for`, `while`, `do`,
`break`/`continue`, `switch` with constant labels, `try`/`catch`/`finally` (with `when` filters),
`throw`, `using (...)` and `checked`/`unchecked` blocks. Everything else names itself in a
NotSupportedError ("C# statement 'goto'").
"""

from __future__ import annotations

import dataclasses

from tree_sitter import Node

from . import syntax as s
from .lower import kids
from .lower_query import QueryLowerer

_STATEMENT_EXPRESSIONS = frozenset(
    {
        "assignment_expression",
        "invocation_expression",
        "conditional_access_expression",
        "postfix_unary_expression",
        "object_creation_expression",
        "prefix_unary_expression",
    }
)


class BlockLowerer(QueryLowerer):
    def block(self, node: Node) -> s.Block:
        body = tuple(self.stmt(child) for child in kids(node) if child.type != "empty_statement")
        return s.Block(node.start_byte, body)

    def stmt(self, node: Node) -> s.Stmt:
        method = getattr(self, "s_" + node.type, None)
        if method is not None:
            result: s.Stmt = method(node)
            return result
        keyword = self.text(node.children[0]) if node.child_count else node.type
        if not keyword.isidentifier():
            keyword = node.type.removesuffix("_statement").replace("_", " ")
        if node.type == "labeled_statement":
            keyword = "labeled statement"
        raise self.unsupported(f"C# statement '{keyword}'", node)

    def embedded(self, node: Node) -> s.Stmt:
        """The body of `if`/loops: `;` is an empty block."""
        if node.type == "empty_statement":
            return s.Block(node.start_byte, ())
        return self.stmt(node)

    def s_block(self, node: Node) -> s.Stmt:
        return self.block(node)

    def s_return_statement(self, node: Node) -> s.Stmt:
        values = kids(node)
        return s.Return(node.start_byte, self.expr(values[0]) if values else None)

    def s_if_statement(self, node: Node) -> s.Stmt:
        other = node.child_by_field_name("alternative")
        return s.If(
            node.start_byte,
            self.expr(self.field(node, "condition")),
            self.embedded(self.field(node, "consequence")),
            None if other is None else self.embedded(other),
        )

    def s_local_declaration_statement(self, node: Node) -> s.Stmt:
        const = False
        for child in node.children:
            if child.type == "modifier" and self.text(child) != "const":
                raise self.unsupported(f"'{self.text(child)}' locals", child)
            const = const or child.type == "modifier"
            if child.type in ("using", "await"):
                raise self.unsupported(f"C# statement '{child.type}' declaration (C# 8)", child)
        declaration = next(c for c in kids(node) if c.type == "variable_declaration")
        decl = self.variable_declaration(declaration)
        return dataclasses.replace(decl, const=True) if const else decl

    def variable_declaration(self, declaration: Node) -> s.LocalDecl:
        type_node = self.field(declaration, "type")
        declared = None if type_node.type == "implicit_type" else self.type(type_node)
        declarators = []
        for declarator in kids(declaration):
            if declarator.type != "variable_declarator":
                continue
            name = self.field(declarator, "name")
            values = [c for c in kids(declarator) if c != name]
            if values and values[0].type == "bracketed_argument_list":
                raise self.unsupported("fixed-size buffers", values[0])
            if (
                values
                and values[-1].type == "initializer_expression"
                and (declared is None or not declared.array_rank)
            ):
                raise self.error(
                    "Can only use array initializer expressions to assign to array types. "
                    "Try using a new expression instead.",
                    values[-1],
                )
            init = self.expr(values[-1]) if values else None
            declarators.append(s.Declarator(name.start_byte, self.text(name), init))
        return s.LocalDecl(declaration.start_byte, declared, tuple(declarators))

    def s_expression_statement(self, node: Node) -> s.Stmt:
        inner = kids(node)[0]
        if inner.type not in _STATEMENT_EXPRESSIONS or (
            inner.type == "prefix_unary_expression"
            and self.text(inner.children[0]) not in ("++", "--")
        ):
            raise self.error(
                "Only assignment, call, increment, decrement, await, and new object expressions "
                "can be used as a statement",
                inner,
            )
        return s.ExprStmt(node.start_byte, self.expr(inner))

    # --- loops ----------------------------------------------------------------------------------

    def s_foreach_statement(self, node: Node) -> s.Stmt:
        type_node = self.field(node, "type")
        left = self.field(node, "left")
        if left.type != "identifier":
            raise self.unsupported("deconstruction in foreach", left)
        declared = None if type_node.type == "implicit_type" else self.type(type_node)
        return s.Foreach(
            node.start_byte,
            declared,
            self.text(left),
            self.expr(self.field(node, "right")),
            self.embedded(self.field(node, "body")),
        )

    def s_for_statement(self, node: Node) -> s.Stmt:
        init: list[s.Stmt] = []
        update: list[s.Expr] = []
        cond: s.Expr | None = None
        for i, child in enumerate(node.children):
            field = node.field_name_for_child(i)
            if child.type in (",", "comment") or field is None:
                continue
            if field == "initializer":
                if child.type == "variable_declaration":
                    init.append(self.variable_declaration(child))
                else:
                    init.append(s.ExprStmt(child.start_byte, self.expr(child)))
            elif field == "condition":
                cond = self.expr(child)
            elif field == "update":
                update.append(self.expr(child))
        body = self.embedded(self.field(node, "body"))
        return s.For(node.start_byte, tuple(init), cond, tuple(update), body)

    def s_while_statement(self, node: Node) -> s.Stmt:
        cond = self.expr(self.field(node, "condition"))
        return s.While(node.start_byte, cond, self.embedded(self.field(node, "body")))

    def s_do_statement(self, node: Node) -> s.Stmt:
        body = self.embedded(self.field(node, "body"))
        cond = self.expr(self.field(node, "condition"))
        return s.While(node.start_byte, cond, body, do=True)

    def s_break_statement(self, node: Node) -> s.Stmt:
        return s.Jump(node.start_byte, "break")

    def s_continue_statement(self, node: Node) -> s.Stmt:
        return s.Jump(node.start_byte, "continue")

    # --- switch ---------------------------------------------------------------------------------

    def s_switch_statement(self, node: Node) -> s.Stmt:
        value = self.expr(self.field(node, "value"))
        sections: list[s.SwitchSection] = []
        labels: list[s.Expr | None] = []
        first = node.start_byte
        for section in kids(self.field(node, "body")):
            if section.type != "switch_section":
                continue
            if not labels:
                first = section.start_byte
            body: list[s.Stmt] = []
            for child in kids(section):
                if child.type == "constant_pattern":
                    labels.append(self.expr(kids(child)[0]))
                elif child.type in ("declaration_pattern", "when_clause", "recursive_pattern"):
                    raise self.unsupported("pattern matching in switch (C# 7 case patterns)", child)
                elif child.type.endswith("_pattern"):
                    raise self.unsupported(f"switch pattern '{self.text(child)}'", child)
                elif child.type != "empty_statement":
                    body.append(self.stmt(child))
            if section.children[0].type == "default":
                labels.append(None)
            if body:
                sections.append(s.SwitchSection(first, tuple(labels), tuple(body)))
                labels = []
        if labels:  # `case x:` with no statement after it
            raise self.error("Control cannot fall through from one case label to another", node)
        return s.Switch(node.start_byte, value, tuple(sections))

    # --- exceptions and resources ---------------------------------------------------------------

    def s_try_statement(self, node: Node) -> s.Stmt:
        body = self.block(self.field(node, "body"))
        catches: list[s.Catch] = []
        final: s.Block | None = None
        for child in kids(node):
            if child.type == "catch_clause":
                catches.append(self.catch_clause(child))
            elif child.type == "finally_clause":
                final = self.block(kids(child)[-1])
        return s.Try(node.start_byte, body, tuple(catches), final)

    def catch_clause(self, node: Node) -> s.Catch:
        type_name: s.TypeName | None = None
        name: str | None = None
        cond: s.Expr | None = None
        for child in kids(node):
            if child.type == "catch_declaration":
                type_name = self.type(self.field(child, "type"))
                name_node = child.child_by_field_name("name")
                name = None if name_node is None else self.text(name_node)
            elif child.type == "catch_filter_clause":
                cond = self.expr(kids(child)[-1])
        return s.Catch(node.start_byte, type_name, name, cond, self.block(self.field(node, "body")))

    def s_throw_statement(self, node: Node) -> s.Stmt:
        values = kids(node)
        return s.ThrowStmt(node.start_byte, self.expr(values[0]) if values else None)

    def s_using_statement(self, node: Node) -> s.Stmt:
        body = self.embedded(self.field(node, "body"))
        resource = next(c for c in kids(node) if c != node.child_by_field_name("body"))
        if resource.type == "variable_declaration":
            return s.Using(node.start_byte, self.variable_declaration(resource), body)
        return s.Using(node.start_byte, self.expr(resource), body)

    def s_local_function_statement(self, node: Node) -> s.Stmt:
        for child in node.children:
            if child.type == "modifier" and self.text(child) != "static":
                raise self.unsupported(f"'{self.text(child)}' local functions", child)
            if child.type == "type_parameter_list":
                raise self.unsupported("generic local functions", child)
        type_node = self.field(node, "type")
        returns = None if self.text(type_node) == "void" else self.type(type_node)
        params: list[s.Param] = []
        defaults: list[s.Expr | None] = []
        for param in kids(self.field(node, "parameters")):
            params.append(self.param(param))
            values = [c for c in kids(param) if c.type not in ("identifier", "predefined_type")]
            value = param.child_by_field_name("type")
            extra = [c for c in values if c != value and c != param.child_by_field_name("name")]
            defaults.append(self.expr(extra[-1]) if extra else None)
        body_node = self.field(node, "body")
        if body_node.type == "arrow_expression_clause":
            body: s.Block | s.Expr = self.expr(kids(body_node)[-1])
        else:
            body = self.block(body_node)
        name = self.text(self.field(node, "name"))
        return s.LocalFunction(node.start_byte, name, returns, tuple(params), tuple(defaults), body)

    def s_checked_statement(self, node: Node) -> s.Stmt:
        checked = self.text(node.children[0]) == "checked"
        return s.CheckedBlock(node.start_byte, checked, self.block(kids(node)[-1]))
