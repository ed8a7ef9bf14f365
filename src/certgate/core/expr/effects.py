"""Assignments, `++`/`--`, implicit conversions, `throw`, `checked` and formatted holes
(translator, part 4b).

An assignment is a statement (`v = x`) or, inside an expression, a walrus (`(v := x)`); through
an indexer or a property it goes through `_setidx`/`_set`, which only reach setters a class
declares. Compound assignments read the target once (temporaries) and narrow back to byte,
short or char as C# does.
"""

from __future__ import annotations

from dataclasses import replace

from ...errors import ExpressionError
from . import decimals, singles
from . import syntax as s
from .arrays import CsArray
from .collections import LinqSeq
from .datetime import DateTime, DateTimeOffset, TimeSpan
from .decimals import CsDecimal
from .dictionary import CsDictionary
from .generic import CsList
from .guid import Guid
from .jtoken import JToken, to_token
from .lambdas import LambdaTranslator
from .langrt import RANGES
from .literals import constant_value
from .members import collection_element, static_table
from .numbers import SIZED_BITS, unsigned
from .scope import Local
from .sets import CsHashSet, CsQueue, CsStack
from .singles import CsSingle
from .static import (
    CHAR,
    DOUBLE,
    INT,
    LONG,
    NULL,
    STRING,
    UNKNOWN,
    SType,
    cs_name,
    is_value_type,
    non_nullable,
)
from .translate import Code
from .types import CsChar, CsTypeRef, CsValue
from .uri import Uri

_INDENT = "    "


def _promote(code: Code) -> Code:
    return Code(f"_convert({code.text}, 'System.Int32')", INT) if code.type is CHAR else code


def _is_constant(node: s.Expr | None) -> bool:
    """A constant expression of literals (C# converts those implicitly when they fit)."""
    if isinstance(node, s.Literal):
        return True
    if isinstance(node, s.Paren):
        return _is_constant(node.inner)
    if isinstance(node, s.Unary):
        return _is_constant(node.operand)
    if isinstance(node, s.Binary):
        return _is_constant(node.left) and _is_constant(node.right)
    return False


# C#'s implicit numeric conversions into the integral types below Int64 (to Int64: all).
_S, _B, _I16, _U16, _I32, _U32 = (
    "System.SByte", "System.Byte", "System.Int16", "System.UInt16", "System.Int32", "System.UInt32",
)  # fmt: skip
_WIDENS_TO: dict[str, frozenset[str]] = {
    _I16: frozenset({_S, _B}),
    _U16: frozenset({_B}),
    _I32: frozenset({_S, _B, _I16, _U16, _I32}),
    _U32: frozenset({_B, _U16}),
    "System.UInt64": frozenset({_B, _U16, _U32}),
}


# what JToken's implicit operators take (each becomes a JValue)
_TO_JTOKEN = (
    str, int, float, bool, CsChar, CsDecimal, CsSingle, DateTime, DateTimeOffset, TimeSpan,
    Guid, Uri,
)  # fmt: skip

# the integral types a char does not convert to implicitly (it does to ushort, int, uint, ...)
_NOT_FROM_CHAR = frozenset({"System.Byte", "System.SByte", "System.Int16"})


def _elements_differ(source: SType, target: SType) -> bool:
    """An array or generic collection whose known elements do not convert to the target's: an
    array converts to an array of a base class of its (reference) elements, a List<T> to a
    List<T> only (`string[] a = new int[0]` and `List<string> l = new List<int>()` are CS0029)."""
    if source.py is not target.py or source.py not in (*_INVARIANT, CsArray):
        return False
    a, b = source.element, target.element
    if a is None or b is None or _same(a, b):
        return False
    from_object, to_object = _object(a), _object(b)
    if from_object or not a.known or not (b.known or to_object):  # `string[] s = objects`
        return from_object and b.known and not to_object
    if source.py is not CsArray:
        return True
    if to_object:
        return is_value_type(a)
    return is_value_type(a) or is_value_type(b) or not issubclass(a.py or object, b.py or object)


def _sequence_fits(source: SType, target: SType) -> bool:
    """Does a sequence convert to the `IEnumerable<T>` a LINQ operator gave (covariant in
    reference elements)? A string is an IEnumerable<char>."""
    element = CHAR if source.py is str else source.element
    wanted = target.element
    if element is None or (not hasattr(source.py, "__iter__") and source.py is not str):
        return False
    if wanted is None or not wanted.known or not element.known or _same(element, wanted):
        return True
    if is_value_type(element) or is_value_type(wanted):
        return False
    return _object(wanted) or issubclass(element.py or object, wanted.py or object)


def _object(stype: SType) -> bool:
    return stype.is_object  # (not UNKNOWN, which is named System.Object too)


def _same(a: SType, b: SType) -> bool:
    return a.name == b.name and [x.name for x in a.args] == [y.name for y in b.args]


_INVARIANT: tuple[type, ...] = (CsList, CsDictionary, CsHashSet, CsQueue, CsStack)


class EffectTranslator(LambdaTranslator):
    # --- assignments ----------------------------------------------------------------------------

    def x_Assign(self, node: s.Assign) -> Code:
        return self.assign(node, statement=False)

    def assign(self, node: s.Assign, statement: bool) -> Code:
        target = node.target
        discard = isinstance(target, s.Name) and target.name == "_" and node.op is None
        if discard and self.scope.lookup("_") is None:  # `_ = F();` evaluates F only
            return self.operand(node.value)
        if isinstance(target, s.Name):
            local = self.assignable_local(target)
            if node.op is not None:  # `x += 1` reads x first
                self.check_assigned(local, target.name, target.pos)
            value = self.compound(node.op, Code(local.py_name, local.type), node.value, node.pos)
            value = self.convert(value, local.type, node.value.pos, node.value)
            self.note_assignment(local)
            if statement:
                return Code(f"{local.py_name} = {value.text}", value.type)
            return Code(f"({local.py_name} := {value.text})", value.type)
        if isinstance(target, s.Index):
            obj = self.operand(target.target)
            if obj.type.is_object:  # csc: CS0021, as for a read
                raise self.error(
                    "Cannot apply indexing with [] to an expression of type 'object'", target.pos
                )
            self.check_index_setter(obj, target.pos)
            keys = [self.operand(key).text for key in target.args]
            element = collection_element(obj.type)
            if node.op is not None:
                obj_t, key_ts = self.names.temp(), [self.names.temp() for _ in keys]
                current = Code(
                    f"_idx({obj_t}{''.join(', ' + k for k in key_ts)})", element or UNKNOWN
                )
                value = self.compound(node.op, current, node.value, node.pos)
                if element is not None:  # `bytes[i] += 10` stores a byte, `chars[0] += 1` a char
                    value = self.convert(value, element, node.value.pos, node.value)
                bound = [f"({t} := {k})" for t, k in zip(key_ts, keys, strict=True)]
                args = ", ".join([f"({obj_t} := {obj.text})", *bound, value.text])
            else:
                value = self.operand(node.value)
                if element is not None:  # `d["a"] = "b"` into a Dictionary<string, int>: CS0029
                    value = self.convert(value, element, node.value.pos, node.value)
                args = ", ".join([obj.text, *keys, value.text])
            return Code(f"_setidx({args})", value.type)
        if isinstance(target, s.Member):
            if self.static_target(target) is not None:  # no allowed type has a settable one
                raise self.error(
                    "The left-hand side of an assignment must be a variable, property or indexer",
                    target.pos,
                )
            obj = self.operand(target.target)
            self.check_setter(obj, target.name, target.pos)
            if node.op is not None:
                temp = self.names.temp()
                current = Code(f"_get({temp}, {target.name!r})", UNKNOWN)
                value = self.compound(node.op, current, node.value, node.pos)
                return Code(
                    f"_set(({temp} := {obj.text}), {target.name!r}, {value.text})", value.type
                )
            value = self.operand(node.value)
            return Code(f"_set({obj.text}, {target.name!r}, {value.text})", value.type)
        raise self.error(
            "The left-hand side of an assignment must be a variable, property or indexer",
            node.pos,
        )

    def compound(self, op: str | None, current: Code, value: s.Expr, pos: int) -> Code:
        """`current op value` for `op=` (plain `=`: just `value`)."""
        if op is None:
            return self.operand(value)
        self.holes.append(current)
        try:
            result = self.expr(s.Binary(pos, op, s.Hole(pos), value))
        finally:
            self.holes.pop()
        return self.narrow(result, current.type)

    def narrow(self, value: Code, target: SType) -> Code:
        """The implicit cast back of `b += 1` when `b` is a byte, short or char."""
        narrower = target.name in RANGES and target.name not in ("System.Int32", "System.Int64")
        if narrower and (value.type.numeric or value.type is CHAR or not value.type.known):
            checked = "True" if self.checked else "False"
            return Code(f"_nconv({value.text}, {target.name!r}, {checked})", target)
        return value

    def assignable_local(self, target: s.Name) -> Local:
        local = self.scope.lookup(target.name)
        if local is None:
            if target.name == "context":
                raise self.error("Cannot assign to 'context'", target.pos)
            raise self.name_error(target.name, target.pos)
        if local.readonly == "const":  # csc: CS0131
            raise self.error(
                "The left-hand side of an assignment must be a variable, property or indexer",
                target.pos,
            )
        if local.readonly:
            raise self.error(
                f"Cannot assign to '{target.name}' because it is a '{local.readonly}'",
                target.pos,
            )
        return local

    def out_target(self, arg: s.Arg, known: SType = UNKNOWN) -> str:
        name = super().out_target(arg, known)
        if not arg.declares and arg.out is not None:
            local = self.scope.lookup(arg.out)
            if local is not None:
                self.note_assignment(local)
        return name

    def argument_fits(self, value: SType, target: SType, node: s.Expr) -> bool:
        try:
            self.convert(Code("_", value), target, node.pos, node)
        except ExpressionError:
            return False
        return True

    def check_index_setter(self, obj: Code, pos: int) -> None:
        table = static_table(obj.type)
        if table is not None and table.index_setter is None:
            raise self.error(
                f"Property or indexer '{obj.type.name}.this[]' cannot be assigned to -- it is "
                "read only",
                pos,
            )

    def check_setter(self, obj: Code, name: str, pos: int) -> None:
        table = self.member_table(obj, name, pos)
        if table is None or name in table.setters:
            return
        if name in table.props:
            raise self.error(
                f"Property or indexer '{table.cs_type}.{name}' cannot be assigned to -- it is "
                "read only",
                pos,
            )
        raise self.member_error(name, table, table.cs_type, pos)

    def implicit_to(self, item: Code, target: SType, node: s.Expr) -> Code:
        return self.convert(item, target, node.pos, node)

    def convert(self, value: Code, target: SType, pos: int, node: s.Expr | None = None) -> Code:
        """Implicit conversion for an assignment; refuse what C# refuses when types are known."""
        if value.type.is_object and target.known:  # csc: CS0266
            raise self.error(
                f"Cannot implicitly convert type 'object' to '{target.name}'. An explicit "
                "conversion exists (are you missing a cast?)",
                pos,
            )
        # a target certgate has no class for (object, an interface such as IEnumerable<T>)
        if target.py is None or not value.type.known or value.type == target:
            return value
        if target.nullable and value.type is not NULL and not value.type.nullable:
            inner = self.convert(value, non_nullable(target), pos, node)  # `double? d = 1`
            return Code(inner.text, target, inner.invariant)
        if target.nullable and value.type.nullable:  # lifted: `double? d = (int?)x`
            temp = self.names.temp()
            held = Code(temp, non_nullable(value.type))
            inner = self.convert(held, non_nullable(target), pos)
            if inner.text == temp:
                return Code(value.text, target, value.invariant)
            return Code(f"(None if ({temp} := {value.text}) is None else {inner.text})", target)
        if value.type.nullable and not target.nullable and target.py in _VALUE_TYPES:
            raise self.error(  # csc: CS0266, `int m = n` for an int? n
                f"Cannot implicitly convert type '{cs_name(value.type)}?' to '{cs_name(target)}'. "
                "An explicit conversion exists (are you missing a cast?)",
                pos,
            )
        if value.type is NULL:
            struct = isinstance(target.py, type) and issubclass(target.py, CsValue)
            if (target.py in _VALUE_TYPES or struct) and not target.nullable:  # DateTime, Guid
                raise self.error(
                    f"Cannot convert null to '{target.name}' because it is a non-nullable "
                    "value type",
                    pos,
                )
            return value
        if CsDecimal in (target.py, value.type.py) and target.py is not JToken:
            return self.decimal_convert(value, target, pos, node)
        if CsSingle in (target.py, value.type.py) and target.py is not JToken:
            return self.single_convert(value, target, pos, node)
        if target is DOUBLE and (value.type.numeric or value.type is CHAR):
            return Code(f"_float({value.text})", DOUBLE)
        if target.numeric and value.type.numeric and value.type is not DOUBLE:
            widening = target is LONG or value.type.name in _WIDENS_TO.get(target.name, ())
            if widening or target.name == value.type.name:
                return value
            # C#'s implicit constant conversions start from an int (or a long, to ulong):
            # `byte b = 5` converts, `int i = 5L` does not (CS0266)
            from_int = value.type is INT or (value.type is LONG and target.name == "System.UInt64")
            node = self.inline_constants(node)  # `const int K = 5; byte b = K;` converts too
            if from_int and _is_constant(node) and target.name in RANGES:
                constant = constant_value(node)
                low, high = RANGES[target.name]
                if constant is not None and not low <= constant <= high:  # csc: CS0031
                    raise self.error(
                        f"Constant value '{constant}' cannot be converted to a '{cs_name(target)}'",
                        pos,
                    )
                return self.narrow(value, target)  # a constant: `byte b = 5`, `uint n = 60 * 20`
        if target.py is value.type.py and target.name == value.type.name:
            return value
        if target.py is int and value.type is CHAR and target.name not in _NOT_FROM_CHAR:
            return Code(f"_convert({value.text}, 'System.Int32')", target)  # the char's code
        source_py, target_py = value.type.py, target.py
        if source_py is not None and target_py is not None:
            if issubclass(source_py, target_py) and target_py not in (int, float, bool, str):
                if _elements_differ(value.type, target):  # `string[] a = new int[0]`
                    raise self.error(
                        f"Cannot implicitly convert type '{value.type.name}' to '{target.name}'",
                        pos,
                    )
                return value  # a derived class (JObject into JToken)
            if source_py is str and hasattr(target_py, "cs_implicit"):  # XName, XNamespace
                ref = self.names.constant(CsTypeRef(target.name, (target_py,)))
                return Code(f"_ccast({value.text}, {ref})", target)
            if source_py is DateTime and target_py is DateTimeOffset:
                return self.to_offset(value)  # C#'s implicit conversion
            to_token_types = source_py in _TO_JTOKEN or value.type.name == "System.Byte[]"
            if target_py is JToken and to_token_types:  # JToken's implicit operators
                return Code(f"{self.names.constant(to_token)}({value.text})", target)
            if target_py is LinqSeq and _sequence_fits(value.type, target):
                return value  # a LINQ result's IEnumerable<T>: `var o = xs.Where(f); o = list;`
        raise self.error(
            f"Cannot implicitly convert type '{value.type.name}' to '{target.name}'", pos
        )

    def inline_constants(self, node: s.Expr | None) -> s.Expr | None:
        """`node` with each `const` local in scope replaced by its initializer."""
        return None if node is None else self.inlined(node)

    def inlined(self, node: s.Expr, seen: frozenset[str] = frozenset()) -> s.Expr:
        if isinstance(node, s.Name):
            local = self.scope.lookup(node.name)
            const = local is not None and local.readonly == "const" and node.name not in seen
            if const and node.name in self.constants:  # (`seen`: `const int K = K;` is CS0110)
                return self.inlined(self.constants[node.name], seen | {node.name})
            return node
        if isinstance(node, s.Paren):
            return replace(node, inner=self.inlined(node.inner, seen))
        if isinstance(node, s.Unary):
            return replace(node, operand=self.inlined(node.operand, seen))
        if isinstance(node, s.Binary):
            left, right = self.inlined(node.left, seen), self.inlined(node.right, seen)
            return replace(node, left=left, right=right)
        return node

    def decimal_convert(self, value: Code, target: SType, pos: int, node: s.Expr | None) -> Code:
        """Into decimal from the integral types and char; nothing converts implicitly between
        decimal and double (or out of decimal)."""
        source = value.type
        if target.py is CsDecimal and source.py is CsDecimal:
            return value
        if target.py is CsDecimal and (source is CHAR or (source.numeric and source is not DOUBLE)):
            coerce = self.names.constant(decimals.coerce)
            return Code(f"{coerce}({value.text})", target)
        if source is DOUBLE and isinstance(node, s.Literal):  # csc: CS0664
            raise self.error(
                "Literal of type double cannot be implicitly converted to type 'decimal'; use "
                "an 'M' suffix to create a literal of this type",
                pos,
            )
        kinds = (CsDecimal, CsSingle, CsChar)
        numbers = all(t.py in kinds or t.numeric for t in (source, target))
        hint = ". An explicit conversion exists (are you missing a cast?)" if numbers else ""
        raise self.error(
            f"Cannot implicitly convert type '{source.name}' to '{target.name}'{hint}", pos
        )

    def single_convert(self, value: Code, target: SType, pos: int, node: s.Expr | None) -> Code:
        """Into float from the integral types and char; out of float into double."""
        source = value.type
        if target.py is CsSingle and source.py is CsSingle:
            return value
        if target.py is CsSingle and (source is CHAR or (source.numeric and source is not DOUBLE)):
            return Code(f"{self.names.constant(singles.coerce)}({value.text})", target)
        if source.py is CsSingle and target is DOUBLE:
            return Code(f"{self.names.constant(singles.as_double)}({value.text})", target)
        if source is DOUBLE and isinstance(node, s.Literal):  # csc: CS0664
            raise self.error(
                "Literal of type double cannot be implicitly converted to type 'float'; use an "
                "'F' suffix to create a literal of this type",
                pos,
            )
        return self.decimal_convert(value, target, pos, None)  # the same refusal

    # --- ++ / -- --------------------------------------------------------------------------------

    def x_IncDec(self, node: s.IncDec) -> Code:
        return self.incdec(node, statement=False)

    def incdec(self, node: s.IncDec, statement: bool) -> Code:
        op = "+" if node.op == "++" else "-"
        if isinstance(node.target, s.Name):
            local = self.scope.lookup(node.target.name)
            kind = None if local is None else local.type
            if kind is not None and kind.known and kind.py in (str, bool):  # csc: CS0023
                raise self.error(
                    f"Operator '{node.op}' cannot be applied to operand of type '{cs_name(kind)}'",
                    node.pos,
                )
        one = s.Literal(node.pos, 1, "int")
        if isinstance(node.target, s.Name):
            local = self.assignable_local(node.target)
            self.check_assigned(local, node.target.name, node.target.pos)
            self.note_assignment(local)
            if statement or node.prefix:
                value = self.compound(op, Code(local.py_name, local.type), one, node.pos)
                value = self.keep_char(value, local.type)
                if statement:
                    return Code(f"{local.py_name} = {value.text}", local.type)
                return Code(f"({local.py_name} := {value.text})", local.type)
            old = self.names.temp()
            value = self.keep_char(
                self.compound(op, Code(old, local.type), one, node.pos), local.type
            )
            return Code(
                f"(({old} := {local.py_name}), ({local.py_name} := {value.text}))[0]", local.type
            )
        # indexer / property: read once, store, yield the old or the new value
        assign = s.Assign(node.pos, node.target, op, one)
        if node.prefix or statement:
            return self.assign(assign, statement=False)
        raise self.unsupported("postfix ++/-- on indexers and properties used as a value", node.pos)

    def keep_char(self, value: Code, target: SType) -> Code:
        if target is CHAR:
            return Code(f"_convert({value.text}, 'System.Char')", CHAR)
        return value

    # --- other expressions ----------------------------------------------------------------------

    def x_Throw(self, node: s.Throw) -> Code:
        assert node.value is not None
        return Code(f"_throw({self.thrown(node.value).text})", UNKNOWN)

    def thrown(self, node: s.Expr) -> Code:
        """What `throw` throws: a primitive value is csc's CS0155."""
        value = self.operand(node)
        if value.type.known and value.type.py in (str, int, float, bool, CsChar):
            raise self.error(
                "The type caught or thrown must be derived from System.Exception", node.pos
            )
        return value

    def x_Checked(self, node: s.Checked) -> Code:
        outer, given = self.checked, self.checked_context_given
        self.checked, self.checked_context_given = node.checked, True
        try:
            inner = self.expr(node.inner)
        finally:
            self.checked, self.checked_context_given = outer, given
        return Code(f"({inner.text})", inner.type)

    def x_Formatted(self, node: s.Formatted) -> Code:
        operand = self.operand(node.value)
        value = operand.text
        bits = SIZED_BITS.get(operand.type.name) if operand.type.py is int else None
        if bits is not None and (node.format or "")[:1] in ("x", "X"):  # `$"{-1L:X}"`
            value = f"{self.names.constant(unsigned)}({value}, {bits})"
        align = "None" if node.align is None else self.operand(node.align).text
        return Code(f"_fmt({value}, {align}, {node.format!r})", STRING)

    def arithmetic(self, op: str, left: Code, right: Code, node: s.Binary) -> Code:
        a, b = left.type, right.type
        if STRING not in (a, b) and CHAR in (a, b) and all(t.numeric or t is CHAR for t in (a, b)):
            left, right = _promote(left), _promote(right)  # char + int is an int in C#
        elif op == "+" and UNKNOWN in (a, b) and STRING not in (a, b):
            # the unknown side may be a string at run time: `+` is then concatenation
            code = Code(f"_arith('+', {left.text}, {right.text})", UNKNOWN)
            return self.checked_code(code) if self.checked else code
        code = super().arithmetic(op, left, right, node)
        return self.checked_code(code) if self.checked else code

    def x_Unary(self, node: s.Unary) -> Code:
        code = super().x_Unary(node)
        return self.checked_code(code) if self.checked and node.op == "-" else code

    @staticmethod
    def checked_code(code: Code) -> Code:
        text = code.text
        for wrap, target in _CHECKED_WRAPS.items():
            if text.startswith(wrap) and text.endswith(")"):
                return Code(f"_chk({text[len(wrap) : -1]}, {target!r})", code.type)
        if text.startswith("_arith("):
            return Code("_carith(" + text[7:], code.type)
        return code


# value types whose T? does not convert to T implicitly
_VALUE_TYPES = (int, float, bool, CsDecimal, CsSingle, CsChar)

# the helpers that wrap an integral result into its type (unchecked), and the type `checked`
# range-checks it against instead
_CHECKED_WRAPS = {
    "_w32(": "System.Int32",
    "_w64(": "System.Int64",
    "_wu32(": "System.UInt32",
    "_wu64(": "System.UInt64",
}

__all__ = ["EffectTranslator"]
