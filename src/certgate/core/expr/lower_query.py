"""LINQ query expressions lowered to the method calls C# translates them into (C# spec §12.20.3):
`from x in xs where p orderby k descending select e` is
`xs.Where(x => p).OrderByDescending(x => k).Select(x => e)`, `group e by k` a `GroupBy`, and a
typed range variable (`from string s in xs`) a `Cast<string>()` of the source. A second `from`,
`let`, `join` and `into` need transparent identifiers and are "not supported yet".
"""

from __future__ import annotations

from tree_sitter import Node

from . import syntax as s
from .lower import kids
from .lower_new import CreationLowerer

_CLAUSES = {
    "from_clause": "from",
    "let_clause": "let",
    "join_clause": "join",
    "identifier": "into",  # `into g` (a continuation)
}


class QueryLowerer(CreationLowerer):
    def x_query_expression(self, node: Node) -> s.Expr:
        first, *clauses = kids(node)
        *typed, name_node, source_node = kids(first)
        name, pos = self.text(name_node), name_node.start_byte
        query = self.expr(source_node)
        if typed:  # `from T x in xs`: xs.Cast<T>()
            cast = s.Member(pos, query, "Cast", (self.type(typed[0]),))
            query = s.Invoke(pos, cast, ())
        for clause in clauses:
            if clause.type == "where_clause":
                query = self.query_call(query, "Where", name, pos, kids(clause)[0])
            elif clause.type == "order_by_clause":
                query = self.ordering(query, name, pos, clause)
            elif clause.type == "select_clause":
                query = self.query_call(query, "Select", name, pos, kids(clause)[0])
            elif clause.type == "group_clause":
                element, key = kids(clause)
                query = self.query_call(query, "GroupBy", name, pos, key, element)
            else:
                what = _CLAUSES.get(clause.type, clause.type)
                raise self.unsupported(f"query clause '{what}'", clause)
        return query

    def ordering(self, query: s.Expr, name: str, pos: int, clause: Node) -> s.Expr:
        """`orderby a, b descending`: OrderBy(a).ThenByDescending(b)."""
        keys: list[list[object]] = []
        for child in clause.children[1:]:  # after `orderby`
            if child.is_named and child.type != "comment":
                keys.append([child, False])
            elif child.type == "descending" and keys:
                keys[-1][1] = True
        for i, (key, descending) in enumerate(keys):
            method = ("OrderBy" if i == 0 else "ThenBy") + ("Descending" if descending else "")
            assert isinstance(key, Node)
            query = self.query_call(query, method, name, pos, key)
        return query

    def query_call(self, query: s.Expr, method: str, name: str, pos: int, *bodies: Node) -> s.Expr:
        """`query.method(name => body, ...)`, a lambda over the range variable per body."""
        args = tuple(
            s.Arg(body.start_byte, s.Lambda(body.start_byte, (s.Param(pos, name, None),), expr))
            for body in bodies
            for expr in (self.expr(body),)
        )
        return s.Invoke(bodies[0].start_byte, s.Member(bodies[0].start_byte, query, method), args)


__all__ = ["QueryLowerer"]
