"""Operators, `?.`, `??`, `?:`, casts, indexers and creation expressions (translator, part 2).

Rules that make the Python match C#:
* `&&`/`||`/`?:` use Python's `and`/`or`/`if-else`, which short-circuit the same way, on
  operands that are checked to be real bools (`_truth`) unless statically bool.
* `==` is a Python `==` only when both sides are statically strings, numbers, bools or chars
  (there the two languages agree: ordinal strings, numeric promotion); `is` against `null` and
  between objects (reference equality); `_eq` when a side is unknown. Mixed types C# rejects
  (bool == int) are refused at load.
* int arithmetic wraps to 32/64 bits (unchecked); `/` and `%` truncate toward zero; double `/`
  by zero gives infinity/NaN. `+` with a string operand is concatenation (null -> "", bool ->
  "True"). Operands that may be null (`?.` results) use the lifted helpers.
* `?.` and `??` evaluate their left side once, through a walrus temporary.
"""

from __future__ import annotations

import re
import typing

from . import decimals, singles
from . import syntax as s
from .arrays import CsArray
from .collections import LinqSeq
from .datetime import DateTime, DateTimeOffset, TimeSpan, new_datetimeoffset
from .decimals import CsDecimal
from .jtoken import BoxedKey, JToken
from .literals import INTEGER_KINDS, constant_value
from .members import index_key
from .regexp import enum_add, enum_difference, is_enum
from .singles import CsSingle
from .static import (
    BOOL,
    CHAR,
    DECIMAL,
    DOUBLE,
    INT,
    LONG,
    NULL,
    OBJECT,
    SINGLE,
    STRING,
    UINT,
    ULONG,
    UNKNOWN,
    SType,
    array_of,
    class_stype,
    cs_name,
    from_annotation,
    is_value_type,
    non_nullable,
)
from .strings import CsEnum
from .translate import Code, ExprTranslator
from .types import CsChar, CsObject, CsValue
from .uri import Uri
from .xtree import XObject

_EQUALITY_SAFE = (str, int, float, bool)
_ARITH = {"+", "-", "*", "/", "%"}
_COMPARE = {"<", "<=", ">", ">="}


def _is_value_type(py: object) -> bool:
    """A CsValue class: compared by value with its C# operators (DateTime, ...)."""
    return isinstance(py, type) and issubclass(py, CsValue)


def _decimal_operand(stype: SType) -> bool:
    """May meet a decimal in `+ - * / % == <`: decimal, integral, char, null or unknown (C# has
    no implicit conversion between decimal and double)."""
    if not stype.known or stype is NULL or stype.py in (CsDecimal, CsChar):
        return True
    return stype.numeric and stype is not DOUBLE


def _single_operand(stype: SType) -> bool:
    """May meet a float in an operator: any number but decimal, char, null or unknown."""
    if not stype.known or stype is NULL or stype.py in (CsSingle, CsChar):
        return True
    return stype.numeric


def _kind(stype: SType) -> str | None:
    """The family a known primitive type belongs to, for operators that need one type (`?:`,
    `??`): values of different families never convert into each other implicitly."""
    if stype.py is str:
        return "string"
    if stype.py is bool:
        return "bool"
    if stype.numeric or stype.py in (CsChar, CsDecimal, CsSingle):
        return "number"
    return None


def _token(stype: SType) -> bool:
    """A Json.NET token, whose `this[object key]` takes a boxed key as it is."""
    return isinstance(stype.py, type) and issubclass(stype.py, JToken)


_WIDE_INTEGERS = frozenset({"System.Int64", "System.UInt32", "System.UInt64"})


def unrelated(source: SType, target: SType, *, conversions: bool = True) -> bool:
    """Two known classes C# has no conversion between (`(string)headers["Accept"]`, a
    string[]; `(Jwt)"x"`): neither derives from the other, and neither is an interface
    certgate gives a class of its own nor, for a cast (`conversions`; `as` applies none), has a
    user-defined conversion (JSON tokens and LINQ to XML have many). For `as`, a value type
    and a class are unrelated too (`5 as string`)."""
    if not conversions and is_value_type(source) and not source.nullable and _class_type(target):
        return True
    if source.py is str and _foreign_interface(target):  # `(IResponse)s`: string is sealed
        return True
    if not (_class_type(source) and _class_type(target)) or source.py is target.py:
        return False
    a, b = typing.cast(type, source.py), typing.cast(type, target.py)
    if issubclass(a, b) or issubclass(b, a) or (issubclass(a, CsArray) and issubclass(b, CsArray)):
        return False
    if conversions and (issubclass(a, JToken) or issubclass(b, JToken)):
        other = b if issubclass(a, JToken) else a  # Json.NET converts only a string, a byte[]
        return not issubclass(other, (str, CsArray, Uri))  # or a Uri (classes) to and from one
    return not conversions or not any(
        issubclass(cls, XObject) or hasattr(cls, "cs_explicit") or hasattr(cls, "cs_implicit")
        for cls in (a, b)
    )


def _foreign_interface(stype: SType) -> bool:
    """An interface certgate gives a class of its own that a string does not implement:
    APIM's (`IResponse`), a dictionary, a sequence of anything but chars."""
    py = stype.py
    if not (isinstance(py, type) and issubclass(py, CsObject)) or _class_type(stype):
        return False
    if py is LinqSeq:
        return stype.element is not None and stype.element.known and stype.element is not CHAR
    return True


_INTERFACE = re.compile(r"I[A-Z]")  # .NET's interface names: IEnumerable, IResponse


def _class_type(stype: SType) -> bool:
    """A known class: a string or one of the runtime's reference types (not an interface such
    as `IEnumerable<T>`, which certgate gives a class of its own and arrays convert to)."""
    py = stype.py
    if py is str:
        return True
    interface = _INTERFACE.match(stype.name.rsplit(".", 1)[-1]) is not None
    return (
        isinstance(py, type)
        and issubclass(py, CsObject)
        and not _is_value_type(py)
        and not interface
    )


_UNSIGNED = frozenset(
    {"System.Byte", "System.UInt16", "System.Char", "System.UInt32", "System.UInt64"}
)
# an integral result type: its range and the helper that wraps a result into it (unchecked)
INTEGRAL_RANGES = {
    INT: (-(2**31), 2**31 - 1, "_w32"),
    LONG: (-(2**63), 2**63 - 1, "_w64"),
    UINT: (0, 2**32 - 1, "_wu32"),
    ULONG: (0, 2**64 - 1, "_wu64"),
}


def promoted(stype: SType) -> SType:
    """C#'s unary numeric promotion of an integral type (`~b`, `-s`, `x << n`): int or wider."""
    return next((t for t in (LONG, UINT, ULONG) if t.name == stype.name), INT)


def integral_result(a: SType, b: SType, left: s.Expr, right: s.Expr) -> SType | None:
    """C#'s binary numeric promotion of two integral operands, with the implicit conversion of
    a non-negative constant (`u + 1` is a uint, `u + i` a long); None where C# finds the
    operator ambiguous (`ulong + int`, CS0034)."""
    for wide in (ULONG, LONG, UINT):
        if wide.name not in (a.name, b.name):
            continue
        other, node = (b, right) if a.name == wide.name else (a, left)
        if wide is LONG or other.name in _UNSIGNED:
            return wide
        constant = constant_value(node)
        if constant is not None and 0 <= constant <= INTEGRAL_RANGES[wide][1]:
            return wide
        return LONG if wide is UINT else None
    return INT


# the operators DateTimeOffset has for two DateTimeOffsets, which a DateTime operand converts to
_OFFSET_OPERATORS = frozenset({"==", "!=", "<", ">", "<=", ">=", "-"})
_NUMERIC_RANK = ("System.Double", "System.Single", "System.Int64", "System.Int32")


def _best_type(kinds: set[SType]) -> SType:
    """`new[] { ... }`'s element: the one type, or the widest of numbers (`new[] { 1, 2.5 }` is
    a double[], `{ 1, 2m }` a decimal[]); UNKNOWN where C# finds no best type or we cannot tell."""
    if len(kinds) == 1:
        return next(iter(kinds))
    if any(not k.known or k.nullable for k in kinds):
        return UNKNOWN
    for kind in kinds:  # the base class of the others (`{ new JObject(), jtoken }`: JToken)
        base = kind.py
        if (
            isinstance(base, type)
            and base not in (int, float, bool, str)
            and all(isinstance(k.py, type) and issubclass(k.py, base) for k in kinds)
        ):
            return kind
    if DECIMAL in kinds and all(k is DECIMAL or (k.py is int and k.numeric) for k in kinds):
        return DECIMAL
    if all(k.numeric or k is SINGLE for k in kinds) and DECIMAL not in kinds:
        for name in _NUMERIC_RANK:
            found = next((k for k in kinds if k.name == name), None)
            if found is not None:
                return found
    return UNKNOWN


class OperatorTranslator(ExprTranslator):
    checked = False  # inside `checked(...)` / `checked { }` (the creation layer sets it)

    def unchecked_constant(self) -> bool:
        """Inside `unchecked(...)`, where a constant may overflow (the translators that know
        `checked` contexts override this)."""
        return False

    def operand_error(self, op: str, left: SType, right: SType, pos: int) -> Exception:
        return self.error(
            f"Operator '{op}' cannot be applied to operands of type '{cs_name(left)}' and "
            f"'{cs_name(right)}'",
            pos,
        )

    def x_Paren(self, node: s.Paren) -> Code:
        inner = self.expr(node.inner)
        return Code(f"({inner.text})", inner.type, inner.invariant)

    def x_Unary(self, node: s.Unary) -> Code:
        if node.op == "!":
            operand = self.operand(node.operand)
            if operand.type.py is bool and operand.type.nullable:  # lifted: !null is null
                temp = self.names.temp()
                lifted = f"(None if ({temp} := {operand.text}) is None else not {temp})"
                return Code(lifted, BOOL.as_nullable())
            if (operand.type.known or operand.type.is_object) and operand.type is not BOOL:
                message = (
                    f"Operator '!' cannot be applied to operand of type '{cs_name(operand.type)}'"
                )
                raise self.error(message, node.pos)
            test = operand.text if operand.type is BOOL else f"_truth({operand.text})"
            return Code(f"(not {test})", BOOL)
        literal = node.operand
        if node.op == "-" and isinstance(literal, s.Literal) and literal.kind in INTEGER_KINDS:
            value, kind = -int(literal.value), literal.kind  # type: ignore[call-overload]
            if value in (-(2**31), -(2**63)) and kind.startswith("u"):
                kind = kind[1:]  # `-2147483648` is int.MinValue, not -(uint)2147483648
            if kind in ("int", "long"):  # `-1L` stays a long; -uint and -ulong: below
                return self.expr(s.Literal(node.pos, value, kind))
        operand = self.operand(node.operand)
        stype = operand.type
        if stype.nullable and (stype.numeric or stype.py in (TimeSpan, CsDecimal, CsSingle)):
            temp = self.names.temp()  # lifted: `-n` of a null int? is null
            self.holes.append(Code(temp, non_nullable(stype)))
            try:
                inner = self.expr(s.Unary(node.pos, node.op, s.Hole(node.pos)))
            finally:
                self.holes.pop()
            text = f"(None if ({temp} := {operand.text}) is None else {inner.text})"
            return Code(text, inner.type.as_nullable())
        if stype.py is TimeSpan and not stype.nullable:  # TimeSpan's unary operators
            return operand if node.op == "+" else Code(f"_call({operand.text}, 'Negate')", stype)
        if stype.py in (CsDecimal, CsSingle):
            if node.op == "+":
                return operand
            negate = decimals.negate if stype.py is CsDecimal else singles.negate
            return Code(f"{self.names.constant(negate)}({operand.text})", stype)
        if stype.numeric and not stype.nullable:
            if stype is DOUBLE:
                return operand if node.op == "+" else Code(f"(-{operand.text})", DOUBLE)
            result = promoted(stype)
            if node.op == "+":
                return Code(operand.text, result, operand.invariant)
            if result is ULONG:
                message = "Operator '-' cannot be applied to operand of type 'ulong'"
                raise self.error(message, node.pos)
            result = LONG if result is UINT else result  # -uint is a long
            return Code(f"{INTEGRAL_RANGES[result][2]}(-{operand.text})", result)
        if (stype.known or stype.is_object) and not stype.numeric and stype.py is not CsChar:
            raise self.error(
                f"Operator '{node.op}' cannot be applied to operand of type '{cs_name(stype)}'",
                node.pos,
            )
        if node.op == "+":
            return Code(f"_arith('+', 0, {operand.text})", UNKNOWN)
        return Code(f"_neg({operand.text})", UNKNOWN)

    def x_Binary(self, node: s.Binary) -> Code:
        op = node.op
        if op in ("&&", "||"):
            word = "and" if op == "&&" else "or"
            return Code(f"({self.cond(node.left)} {word} {self.cond(node.right)})", BOOL)
        left, right = self.enum_zero(self.operand(node.left), self.operand(node.right), node)
        if op in ("+", "-") and (enum := self.enum_arithmetic(op, left, right)) is not None:
            return enum
        if op in _OFFSET_OPERATORS:
            left, right = self.offset_operands(left, right)
        if op == "??":
            return self.coalesce(left, right, node)
        if op in ("==", "!="):
            return self.equality(op, left, right, node.pos)
        if op in _COMPARE:
            return self.comparison(op, left, right, node.pos)
        return self.arithmetic(op, left, right, node)

    def enum_zero(self, left: Code, right: Code, node: s.Binary) -> tuple[Code, Code]:
        """A constant 0 beside an enum is that enum's zero (C# converts the literal 0 to any
        enum): `(options & RegexOptions.IgnoreCase) != 0`, `token.Type == 0`."""
        for enum, other, other_node in ((left, right, node.right), (right, left, node.left)):
            if is_enum(enum.type.py) and other.type is INT and constant_value(other_node) == 0:
                assert isinstance(enum.type.py, type) and issubclass(enum.type.py, CsEnum)
                zero = Code(self.names.constant(enum.type.py.cs_from_integer(0)), enum.type)
                return (left, zero) if enum is left else (zero, right)
        return left, right

    def enum_arithmetic(self, op: str, left: Code, right: Code) -> Code | None:
        """`e + n`, `n + e`, `e - n` (an enum) and `e1 - e2` (the underlying int)."""
        a, b = left.type, right.type
        if is_enum(a.py) and a.py is b.py and op == "-":
            helper = self.names.constant(enum_difference)
            return Code(f"{helper}({left.text}, {right.text})", INT)
        integral = (b if is_enum(a.py) else a).py is int
        if (is_enum(a.py) or (is_enum(b.py) and op == "+")) and integral:
            helper = self.names.constant(enum_add)
            sign = ", -1" if op == "-" else ""
            return Code(f"{helper}({left.text}, {right.text}{sign})", a if is_enum(a.py) else b)
        return None

    def offset_operands(self, left: Code, right: Code) -> tuple[Code, Code]:
        """C#'s implicit DateTime -> DateTimeOffset conversion where the other operand is a
        DateTimeOffset: `DateTimeOffset.UtcNow > jwt.ExpirationTime` compares the instants."""
        if {left.type.py, right.type.py} != {DateTime, DateTimeOffset}:
            return left, right
        if left.type.py is DateTime:
            return self.to_offset(left), right
        return left, self.to_offset(right)

    def to_offset(self, value: Code) -> Code:
        """A DateTime (or DateTime?) as the DateTimeOffset C# converts it to implicitly."""
        convert = self.names.constant(new_datetimeoffset)
        target = class_stype(DateTimeOffset)
        if not value.type.nullable:
            return Code(f"{convert}({value.text})", target)
        temp = self.names.temp()
        text = f"(None if ({temp} := {value.text}) is None else {convert}({temp}))"
        return Code(text, target.as_nullable())

    def coalesce(self, left: Code, right: Code, node: s.Binary) -> Code:
        pos = node.pos
        if left.type.known and left.type.py in (int, float, bool) and not left.type.nullable:
            raise self.operand_error("??", left.type, right.type, pos)
        kinds = (_kind(left.type), _kind(right.type))
        if None not in kinds and kinds[0] != kinds[1]:  # `"a" ?? 1`
            raise self.operand_error("??", left.type, right.type, pos)
        if (  # `s ?? new JObject()`: neither converts to the other (csc: CS0019)
            _class_type(left.type)
            and _class_type(right.type)
            and not self.argument_fits(right.type, left.type, node.right)
            and not self.argument_fits(left.type, right.type, node.left)
        ):
            raise self.operand_error("??", left.type, right.type, pos)
        if (  # `o["model"] ?? "default"`: the string converts to the JToken
            _class_type(left.type)
            and right.type != left.type
            and self.argument_fits(right.type, left.type, node.right)
        ):
            right = self.implicit_to(right, left.type, node.right)
        widened = self.coalesce_to_right(left, right, node)
        if widened is not None:
            return widened
        temp = self.names.temp()
        result = left.type if left.type.known and left.type is not NULL else right.type
        if result.nullable and not right.type.nullable and right.type.name == result.name:
            result = non_nullable(result)  # `n ?? 0` for an int? n is an int
        return Code(f"({temp} if ({temp} := {left.text}) is not None else {right.text})", result)

    def coalesce_to_right(self, left: Code, right: Code, node: s.Binary) -> Code | None:
        """`a ?? b` typed as b's type when b does not convert to a's (underlying) type but a
        does to b's: `n ?? 0.0` of an int? is a double, `s ?? token` of a string a JToken."""
        base = non_nullable(left.type) if left.type.nullable else left.type
        known = left.type.known and right.type.known and NULL not in (left.type, right.type)
        if not known or right.type.name == base.name:
            return None
        if self.argument_fits(right.type, base, node.right):
            return None
        if not self.argument_fits(base, right.type, node.left):
            return None
        temp = self.names.temp()
        converted = self.implicit_to(Code(temp, base), right.type, node.left)
        text = f"({converted.text} if ({temp} := {left.text}) is not None else {right.text})"
        return Code(text, right.type)

    def equality(self, op: str, left: Code, right: Code, pos: int) -> Code:
        a, b = left.type, right.type
        if a is NULL or b is NULL:
            other = right if a is NULL else left
            test = "is" if op == "==" else "is not"
            return Code(f"({other.text} {test} None)", BOOL)
        if (a.is_object and is_value_type(b)) or (b.is_object and is_value_type(a)):
            raise self.operand_error(op, a, b, pos)  # `context.Variables["n"] == 0`: CS0019
        if a.known and b.known:
            pa, pb = a.py, b.py
            implicit = getattr(pb if pa is str else pa, "cs_implicit", None)
            if (pa is str) != (pb is str) and implicit is not None:
                # `el.Name == "a"`: the string converts to XName, an interned name
                text, name = (left, right) if pa is str else (right, left)
                test = "is" if op == "==" else "is not"
                convert = self.names.constant(implicit)
                return Code(f"({name.text} {test} {convert}({text.text}))", BOOL)
            if pa is CsDecimal or pb is CsDecimal:
                return self.decimal_operation(op, left, right, pos)
            if pa is CsSingle or pb is CsSingle:
                return self.single_operation(op, left, right, pos)
            same_family = (pa is pb) or (a.numeric and b.numeric)
            if pa in _EQUALITY_SAFE and pb in _EQUALITY_SAFE:
                if not same_family:
                    raise self.operand_error(op, a, b, pos)
                return Code(f"({left.text} {op} {right.text})", BOOL)
            if pa is CsChar and pb is CsChar:
                return Code(f"({left.text} {op} {right.text})", BOOL)
            if {pa, pb} in ({CsChar, int}, {CsChar, float}):  # `s[0] == 65`: the char's code
                return Code(f"(_arith('-', {left.text}, {right.text}) {op} 0)", BOOL)
            if pa in _EQUALITY_SAFE or pb in _EQUALITY_SAFE:
                raise self.operand_error(op, a, b, pos)
            if _is_value_type(pa) or _is_value_type(pb):
                if pa is not pb:
                    raise self.operand_error(op, a, b, pos)
                helper = "_eq" if op == "==" else "_ne"  # value semantics (DateTime, ...)
                return Code(f"{helper}({left.text}, {right.text})", BOOL)
            if getattr(pa, "CS_EQUALITY_OPERATOR", False) and pa is pb:  # `uri1 == uri2`
                helper = "_eq" if op == "==" else "_ne"
                return Code(f"{helper}({left.text}, {right.text})", BOOL)
            if pa is not CsChar and pb is not CsChar:
                test = "is" if op == "==" else "is not"
                return Code(f"({left.text} {test} {right.text})", BOOL)
        helper = "_eq" if op == "==" else "_ne"
        return Code(f"{helper}({left.text}, {right.text})", BOOL)

    def comparison(self, op: str, left: Code, right: Code, pos: int) -> Code:
        a, b = left.type, right.type
        if a.is_object or b.is_object:
            raise self.operand_error(op, a, b, pos)
        if CsDecimal in (a.py, b.py):
            return self.decimal_operation(op, left, right, pos)
        if CsSingle in (a.py, b.py):
            return self.single_operation(op, left, right, pos)
        if a.known and b.known and _is_value_type(a.py) and a.py is b.py:
            return Code(f"_cmp({op!r}, {left.text}, {right.text})", BOOL)
        if (_is_value_type(a.py) and not b.known) or (_is_value_type(b.py) and not a.known):
            return Code(f"_cmp({op!r}, {left.text}, {right.text})", BOOL)  # checked at run time
        for side in (a, b):
            if side.known and not side.numeric and side.py is not CsChar:
                raise self.operand_error(op, a, b, pos)
        if a.numeric and b.numeric and not (a.nullable or b.nullable):
            return Code(f"({left.text} {op} {right.text})", BOOL)
        return Code(f"_cmp({op!r}, {left.text}, {right.text})", BOOL)

    def arithmetic(self, op: str, left: Code, right: Code, node: s.Binary) -> Code:
        a, b = left.type, right.type
        if a is NULL and b is NULL:  # `null + null`: csc's CS0034
            raise self.error(
                f"Operator '{op}' is ambiguous on operands of type '<null>' and '<null>'", node.pos
            )
        add = getattr(a.py, "cs_add", None) if op == "+" and a.known else None
        if add is not None:  # `ns + "local"`: XNamespace's operator
            result = from_annotation(typing.get_type_hints(add).get("return"))
            return Code(f"{self.names.constant(add)}({left.text}, {right.text})", result)
        if op == "+" and (a is STRING or b is STRING):
            return Code(f"_concat({left.text}, {right.text})", STRING)
        if a.is_object or b.is_object:  # `context.Variables["n"] + 1`: csc's CS0019
            raise self.operand_error(op, a, b, node.pos)
        if CsDecimal in (a.py, b.py):
            divisor = node.right
            zero = isinstance(divisor, s.Literal) and divisor.kind in (*INTEGER_KINDS, "decimal")
            zero = zero and isinstance(node.left, s.Literal)  # csc folds constants only
            if op in ("/", "%") and zero and decimals.coerce(divisor.value).coef == 0:  # type: ignore[union-attr]
                raise self.error("Division by constant zero", node.pos)  # csc: CS0020
            return self.decimal_operation(op, left, right, node.pos)
        if CsSingle in (a.py, b.py):
            return self.single_operation(op, left, right, node.pos)
        if op == "*" and b.py is TimeSpan and a.numeric:  # `2 * span`: TimeSpan's operator
            left, right, a, b = right, left, b, a
        if _is_value_type(a.py) and b is not NULL:  # DateTime - TimeSpan, ...
            value_class: type[CsValue] = a.py  # type: ignore[assignment]
            produced = value_class.operator_result(op, b.py) if b.py is not None else object
            if produced is None:
                raise self.operand_error(op, a, b, node.pos)
            stype = UNKNOWN if produced is object else class_stype(produced)
            if a.nullable or b.nullable:  # lifted: `d - start` of a DateTime? is a TimeSpan?
                stype = stype.as_nullable()
            return Code(f"_varith({op!r}, {left.text}, {right.text})", stype)
        for side in (a, b):
            if side.known and side is not NULL and not (side.numeric or side.py is CsChar):
                raise self.operand_error(op, a, b, node.pos)
        divisor = node.right
        zero = isinstance(divisor, s.Literal) and divisor.value == 0 and divisor.kind != "double"
        constant = constant_value(node.left) is not None  # csc folds constants only
        if op in ("/", "%") and zero and constant and a.py is int:  # csc: CS0020
            raise self.error("Division by constant zero", node.pos)
        if a.numeric and b.numeric and (a.nullable or b.nullable):
            return self.lifted(op, left, right, node)
        if not (a.numeric and b.numeric):
            return Code(f"_arith({op!r}, {left.text}, {right.text})", UNKNOWN)
        if a is DOUBLE or b is DOUBLE:
            if op == "/":
                return Code(f"_fdiv({left.text}, {right.text})", DOUBLE)
            if op == "%":
                return Code(f"_fmod({left.text}, {right.text})", DOUBLE)
            return Code(f"({left.text} {op} {right.text})", DOUBLE)
        kind = self.integral_kind(op, a, b, node)
        low, high, wrap = INTEGRAL_RANGES[kind]
        folded = constant_value(node)
        if folded is not None and not low <= folded <= high and not self.unchecked_constant():
            raise self.error("The operation overflows at compile time in checked mode", node.pos)
        if op in ("/", "%") and low == 0:  # unsigned: never negative, never overflows
            return Code(f"_u{'div' if op == '/' else 'mod'}({left.text}, {right.text})", kind)
        narrow = "True" if kind is INT else "False"
        if op == "/":
            return Code(f"_idiv({left.text}, {right.text}, {narrow})", kind)
        if op == "%":
            return Code(f"_imod({left.text}, {right.text}, {narrow})", kind)
        return Code(f"{wrap}({left.text} {op} {right.text})", kind)

    def integral_kind(self, op: str, a: SType, b: SType, node: s.Binary) -> SType:
        kind = integral_result(a, b, node.left, node.right)
        if kind is None:
            raise self.error(
                f"Operator '{op}' is ambiguous on operands of type '{cs_name(a)}' and "
                f"'{cs_name(b)}'",
                node.pos,
            )
        return kind

    def decimal_operation(self, op: str, left: Code, right: Code, pos: int) -> Code:
        """An operator with a decimal operand: the other converts implicitly (integral, char) or
        the operator does not exist (double: CS0019)."""
        a, b = left.type, right.type
        if not (_decimal_operand(a) and _decimal_operand(b)):
            raise self.operand_error(op, a, b, pos)
        args = f"{left.text}, {right.text}"
        if op in ("==", "!="):
            fn = decimals.equals if op == "==" else decimals.not_equals
            return Code(f"{self.names.constant(fn)}({args})", BOOL)
        if op in _COMPARE:
            return Code(f"{self.names.constant(decimals.compare_op)}({op!r}, {args})", BOOL)
        nullable = a.nullable or b.nullable or NULL in (a, b) or not (a.known and b.known)
        result = DECIMAL.as_nullable() if nullable else DECIMAL
        return Code(f"{self.names.constant(decimals.arith)}({op!r}, {args})", result)

    def single_operation(self, op: str, left: Code, right: Code, pos: int) -> Code:
        """An operator with a float operand: a float result, or a double when the other operand
        is one (the float widens); decimal has no operator with float (CS0019)."""
        a, b = left.type, right.type
        if not (_single_operand(a) and _single_operand(b)):
            raise self.operand_error(op, a, b, pos)
        args = f"{left.text}, {right.text}"
        if op in ("==", "!="):
            fn = singles.equals if op == "==" else singles.not_equals
            return Code(f"{self.names.constant(fn)}({args})", BOOL)
        if op in _COMPARE:
            return Code(f"{self.names.constant(singles.compare_op)}({op!r}, {args})", BOOL)
        result = DOUBLE if DOUBLE in (a, b) else SINGLE
        if not (a.known and b.known):
            result = UNKNOWN
        elif a.nullable or b.nullable or NULL in (a, b):
            result = result.as_nullable()
        return Code(f"{self.names.constant(singles.arith)}({op!r}, {args})", result)

    def x_Conditional(self, node: s.Conditional) -> Code:
        test = self.cond(node.cond)
        then, other = self.operand(node.then), self.operand(node.other)
        a, b = then.type, other.type
        if a is NULL and b is NULL:  # csc: CS0173
            raise self.error(
                "Type of conditional expression cannot be determined because there is no "
                "implicit conversion between '<null>' and '<null>'",
                node.pos,
            )
        if a == b:
            result = a
        elif a is NULL or b is NULL:
            value = b if a is NULL else a
            if is_value_type(value) and not value.nullable:  # `c ? 1 : null` (C# 7; 9 target-types)
                raise self.no_common_type(a, b, node)
            result = value.as_nullable()
        elif CsDecimal in (a.py, b.py) and all(t.py is CsDecimal or t.py is int for t in (a, b)):
            coerce = self.names.constant(decimals.coerce)  # `c ? 1m : 0`: the int converts
            then = then if a.py is CsDecimal else Code(f"{coerce}({then.text})", DECIMAL)
            other = other if b.py is CsDecimal else Code(f"{coerce}({other.text})", DECIMAL)
            result = DECIMAL
        elif CsSingle in (a.py, b.py) and all(t.py is CsSingle or t.numeric for t in (a, b)):
            result = DOUBLE if DOUBLE in (a, b) else SINGLE  # `c ? 1f : 0`: the other converts
            widen = singles.as_double if result is DOUBLE else singles.coerce
            convert = self.names.constant(widen)
            then = then if a == result else Code(f"{convert}({then.text})", result)
            other = other if b == result else Code(f"{convert}({other.text})", result)
        elif {a, b} & {CHAR} and (a.numeric or b.numeric) and not (a.nullable or b.nullable):
            result = b if a is CHAR else a  # `c ? 'a' : 66`: the char converts to the number
            code = then if a is CHAR else other
            widened = Code(f"_convert({code.text}, 'System.Int32')", result)  # its code
            if result is DOUBLE:
                widened = Code(f"_float({code.text})", DOUBLE)
            then, other = (widened, other) if a is CHAR else (then, widened)
        elif a.numeric and b.numeric:  # `c ? 1 : (int?)null` is an int?, `c ? 1 : 2L` a long
            base_a, base_b = non_nullable(a), non_nullable(b)
            if base_a == base_b:
                result = base_a
            elif DOUBLE in (base_a, base_b):
                result = DOUBLE
                then = then if base_a is DOUBLE else self.lifted_float(then)
                other = other if base_b is DOUBLE else self.lifted_float(other)
            else:
                result = integral_result(base_a, base_b, node.then, node.other) or LONG
            result = result.as_nullable() if a.nullable or b.nullable else result
        else:
            then, other, result = self.common_type(then, other, node)
        return Code(f"({then.text} if {test} else {other.text})", result)

    def common_type(self, then: Code, other: Code, node: s.Conditional) -> tuple[Code, Code, SType]:
        """The branches of a `?:` of other types: the one that converts implicitly to the
        other's type does (`c ? "a" : (JToken)1` is a JToken); csc's CS0173 when neither does."""
        a, b = then.type, other.type
        kinds = (_kind(a), _kind(b))
        if None not in kinds and kinds[0] != kinds[1]:
            raise self.no_common_type(a, b, node)
        to_a = self.argument_fits(b, a, node.other)
        to_b = self.argument_fits(a, b, node.then)
        if not (to_a or to_b):  # `c ? new JObject() : new JArray()`, `c ? DateTime.Now : 1`
            raise self.no_common_type(a, b, node)
        if to_a == to_b:
            return then, other, UNKNOWN
        if to_a:
            return then, self.implicit_to(other, a, node.other), a
        return self.implicit_to(then, b, node.then), other, b

    def no_common_type(self, a: SType, b: SType, node: s.Conditional) -> Exception:
        """csc's CS0173: neither branch of `?:` converts to the other's type."""
        return self.error(
            "Type of conditional expression cannot be determined because there is no implicit "
            f"conversion between '{cs_name(a)}' and '{cs_name(b)}'",
            node.pos,
        )

    def lifted(self, op: str, left: Code, right: Code, node: s.Binary) -> Code:
        """`a + b` over `T?` numbers: null when either is, else the operator of the T's, with
        its result type (`int? + long` is a long?: no int wrap-around)."""
        temps = self.names.temp(), self.names.temp()
        inner = self.arithmetic(
            op,
            Code(temps[0], non_nullable(left.type)),
            Code(temps[1], non_nullable(right.type)),
            node,
        )
        both = f"(({temps[0]} := {left.text}), ({temps[1]} := {right.text}))"  # both run, in order
        test = f"{both}[0] is None or {temps[1]} is None"
        return Code(f"(None if {test} else {inner.text})", inner.type.as_nullable())

    def lifted_float(self, code: Code) -> Code:
        """A number (or a null `T?`) as a double."""
        if not code.type.nullable:
            return Code(f"_float({code.text})", DOUBLE)
        temp = self.names.temp()
        return Code(f"(None if ({temp} := {code.text}) is None else _float({temp}))", DOUBLE)

    def x_NullCond(self, node: s.NullCond) -> Code:
        receiver = self.operand(node.receiver)
        if is_value_type(receiver.type) and not receiver.type.nullable:  # `context.RequestId?.`
            raise self.error(
                f"Operator '?' cannot be applied to operand of type '{cs_name(receiver.type)}'",
                node.pos,
            )
        temp = self.names.temp()
        self.holes.append(Code(temp, non_nullable(receiver.type)))
        try:
            body = self.operand(node.body)
        finally:
            self.holes.pop()
        # `a?.Length` is an int?; `a?.Trim()` stays a string (null is one of its values)
        value_type = body.type.py in (int, float, bool, CsChar) or _is_value_type(body.type.py)
        result = body.type.as_nullable() if value_type else body.type
        return Code(f"(None if ({temp} := {receiver.text}) is None else {body.text})", result)

    def x_Index(self, node: s.Index) -> Code:
        target = self.operand(node.target)
        if target.type.is_object:  # csc: CS0021
            raise self.error(
                "Cannot apply indexing with [] to an expression of type 'object'", node.pos
            )
        keys = [self.operand(arg) for arg in node.args]
        key_type = index_key(target.type)
        if key_type is not None and len(keys) == 1:  # `s['\u0001']` converts; `s[1L]`: CS1503
            keys[0] = self.implicit_to(keys[0], key_type, node.args[0])
        if len(keys) == 1 and _token(target.type) and keys[0].type.name in _WIDE_INTEGERS:
            boxed = self.names.constant(BoxedKey)  # `array[n % count]` of a long n: an object
            keys[0] = Code(f"{boxed}({keys[0].text})", UNKNOWN)
        args = "".join(", " + key.text for key in keys)
        table = None if target.type is NULL else self.member_table(target, "Item", node.pos)
        if table is not None and table.indexer is None:
            raise self.error(
                f"Cannot apply indexing with [] to an expression of type '{target.type.name}'",
                node.pos,
            )
        result = UNKNOWN
        if target.type is STRING:
            result = CHAR
        elif target.type.element is not None and target.type.name.endswith("[]"):
            result = target.type.element
        elif table is not None:  # the indexer's declared result (JObject: JToken, List<T>: T)
            result = table.result_type("this[]", target.type)
        return Code(f"_idx({target.text}{args})", result)

    def cast_operand(self, node: s.Cast) -> Code:
        return self.operand(node.operand)

    def x_Cast(self, node: s.Cast) -> Code:
        info = self.resolve_type(node.type)
        operand = self.cast_operand(node)
        target = info.stype.as_nullable() if node.type.nullable else info.stype
        if info.full_name == "System.Object":
            return Code(operand.text, OBJECT)
        base = non_nullable(info.stype)  # `(char?)n`: a conversion to char, lifted
        numeric_target = base.numeric or base is CHAR
        numbers = (CsChar, CsDecimal, CsSingle)
        if base.py in numbers or (numeric_target and operand.type.py in numbers):
            numeric_target = operand.type.numeric or operand.type.py in numbers
        if numeric_target and (operand.type.numeric or operand.type.py in numbers):
            if operand.type.nullable and target.nullable:  # lifted: `(long?)n` of a null n
                temp = self.names.temp()
                convert = f"_nconv({temp}, {info.full_name!r}, {self.checked})"
                return Code(f"(None if ({temp} := {operand.text}) is None else {convert})", target)
            return Code(f"_convert({operand.text}, {info.full_name!r})", target)
        if unrelated(operand.type, target):  # `(string[])"a"`
            raise self.error(
                f"Cannot convert type '{operand.type.name}' to '{target.name}'", node.pos
            )
        ref = self.type_ref(node.type)
        cast = "_unbox" if operand.type.is_object else "_cast"
        return Code(f"{cast}({operand.text}, {self.names.constant(ref)})", target)

    def x_TypeOf(self, node: s.TypeOf) -> Code:
        raise self.error(
            "Usage of type 'System.Type' is not supported within expressions", node.pos
        )

    def x_Default(self, node: s.Default) -> Code:
        if node.type is None:
            raise self.unsupported("the 'default' literal", node.pos)
        ref = self.type_ref(node.type)
        stype = self.type_arg_stype(node.type)
        if ref.default is not None and not node.type.nullable:
            return self.constant(ref.default, stype)
        return Code("None", stype)  # `var s = default(string)` is a string

    def x_ObjectNew(self, node: s.ObjectNew) -> Code:
        info = self.resolve_type(node.type)
        if info.ctor is not None:  # `new Regex(p)`, `new DateTime(y, m, d)`, ...
            args, _ = self.call_args(node.args, None)
            ctor = self.names.constant(info.ctor)
            return Code(f"{ctor}({args.removeprefix(', ')})", info.stype)
        raise self.unsupported(f"creating objects of type '{info.full_name}'", node.pos)

    def x_ArrayNew(self, node: s.ArrayNew) -> Code:
        items = [self.operand(item) for item in node.items or ()]
        if node.element is not None:
            element = self.type_arg_stype(node.element)  # `int?` stays nullable
        else:
            if not items:
                raise self.error("No best type found for implicitly-typed array", node.pos)
            element = _best_type({item.type for item in items if item.type is not NULL})
            if element is UNKNOWN and all(item.type.known for item in items):
                raise self.error("No best type found for implicitly-typed array", node.pos)
        converted = [
            self.implicit_to(code, element, item)
            for code, item in zip(items, node.items or (), strict=True)
        ]
        return Code(f"_array({', '.join(c.text for c in converted)})", array_of(element))

    def implicit_to(self, item: Code, target: SType, node: s.Expr) -> Code:
        """An initializer's item as the element type (the effects layer converts)."""
        return item
