"""Type tests, casts, bitwise operators and generic LINQ calls (translator, part 3b).

* Casts to integral types convert (`_nconv`, checked inside `checked`); a JToken cast to a
  primitive uses Json.NET's explicit operators (`_jcast`); anything else is a type check that
  also knows the implicit conversions to JToken (`_ccast`). csc's constant checks are kept
  (`(byte)300` needs `unchecked`).
* `is`/`as` test with the type's `CsTypeRef`; `x is T name` binds `name` through a walrus.
* `& | ^ << >> ~` on integers (C#'s shift-count masking) and on bools (no short circuit);
  flags enums combine through `regexp.enum_bitwise`.
"""

from __future__ import annotations

import math

from . import syntax as s
from .creation import CreationTranslator
from .datetime import DateTime, DateTimeOffset, TimeSpan
from .decimals import CsDecimal
from .gentypes import apim_type
from .guid import Guid
from .jtoken import JToken
from .langrt import RANGES
from .linq import LINQ_METHODS, TYPED_GENERICS
from .literals import INTEGER_KINDS
from .operators import promoted, unrelated
from .regexp import enum_bitwise, enum_complement, is_enum
from .singles import CsSingle
from .static import (
    BOOL,
    CHAR,
    LONG,
    NULL,
    OBJECT,
    UINT,
    ULONG,
    UNKNOWN,
    SType,
    array_of,
    non_nullable,
    sequence_of,
)
from .translate import Code
from .typenames import KEYWORDS, TypeLookupError, resolve
from .types import CsChar
from .variables import VariableDictionary
from .xconvert import explicit as xml_explicit
from .xtree import XAttribute, XElement, XObject

_BITWISE = frozenset({"&", "|", "^", "<<", ">>", ">>>"})
_SEQUENCE_GENERICS = frozenset({"Values", "Children"})  # JToken: IEnumerable<T> of T
_CONVERTED = frozenset(RANGES) | {"System.Double"}  # explicit numeric conversions
# structs with no conversion to or from a string, bool or number
_STRUCTS = frozenset({Guid, TimeSpan, DateTime, DateTimeOffset})
_FAST_CONVERSIONS = frozenset({"System.Int32", "System.Int64", "System.Double", "System.Char"})


def _xml(target: SType) -> bool:
    """A LINQ to XML type (a cast between those is a reference conversion)."""
    return isinstance(target.py, type) and issubclass(target.py, XObject)


class TypeOpsTranslator(CreationTranslator):
    # --- type tests and casts -------------------------------------------------------------------

    def variable_read(self, node: s.Expr) -> tuple[Code, Code] | None:
        """`context.Variables[key]` (dictionary and key translated), which unboxing operators
        check against the type the variable was stored with (`variables`); else None."""
        while isinstance(node, s.Paren):
            node = node.inner
        if not (isinstance(node, s.Index) and len(node.args) == 1):
            return None
        owner = node.target
        if not (
            isinstance(owner, s.Member)
            and owner.name == "Variables"
            and isinstance(owner.target, s.Name)
            and owner.target.name == "context"
        ):
            return None
        variables = self.operand(owner)
        if variables.type.py is not VariableDictionary:
            return None
        return variables, self.operand(node.args[0])

    def cast_operand(self, node: s.Cast) -> Code:
        read = self.variable_read(node.operand)
        if read is None or self.resolve_type(node.type).ref is None:
            return super().cast_operand(node)
        ref = self.names.constant(self.type_ref(node.type))
        return Code(f"_vunbox({read[0].text}, {read[1].text}, {ref})", OBJECT)

    def x_IsType(self, node: s.IsType) -> Code:
        read = self.variable_read(node.value) if node.type and node.name is None else None
        if read is not None and node.type is not None:
            # `context.Variables[k] is long`: the type the value was stored with decides
            ref = self.names.constant(self.type_ref(node.type))
            return Code(f"_vholds({read[0].text}, {read[1].text}, {ref})", BOOL)
        value = self.operand(node.value)
        if node.type is None:
            assert node.constant is not None
            named = self.dotted(node.constant)
            if named is not None and self.names_a_type(named):  # `x is JObject`
                ref = self.names.constant(self.type_ref(s.TypeName(node.constant.pos, named)))
                return Code(f"_is({value.text}, {ref})", BOOL)
            constant = self.operand(node.constant)
            if constant.type is NULL:
                return Code(f"({value.text} is None)", BOOL)
            return Code(f"_isc({value.text}, {constant.text})", BOOL)
        ref = self.names.constant(self.type_ref(node.type))
        if node.name is None:
            return Code(f"_is({value.text}, {ref})", BOOL)
        declared = self.resolve_type(node.type).stype
        declared = non_nullable(declared)
        local = self.declare(node.name, declared, node.pos)
        temp = self.names.temp()
        bind = f"(({local.py_name} := {temp}) is {temp})"
        return Code(f"(_is(({temp} := {value.text}), {ref}) and {bind})", BOOL)

    def names_a_type(self, dotted: str) -> bool:
        """Does `x is A.B` test a type (rather than compare with a constant `A.B`)?"""
        if apim_type(dotted) is not None:
            return True
        owner, _, member = dotted.rpartition(".")
        if owner:
            try:
                if member in resolve(owner).statics:
                    return False  # an enum member or constant: `x is StringComparison.Ordinal`
            except TypeLookupError:
                pass
        try:
            resolve(dotted)
        except TypeLookupError as exc:
            return "could not be found" not in exc.message
        return True

    def x_AsType(self, node: s.AsType) -> Code:
        info = self.resolve_type(node.type)
        ref = self.type_ref(node.type)
        if ref.is_value_type:
            raise self.error(
                "The as operator must be used with a reference type or nullable type "
                f"('{info.full_name}' is a non-nullable value type)",
                node.pos,
            )
        value = self.operand(node.value)
        if unrelated(value.type, info.stype, conversions=False):  # `json["id"] as string`
            raise self.error(
                f"Cannot convert type '{value.type.name}' to '{info.full_name}' via a reference "
                "conversion, boxing conversion, unboxing conversion, wrapping conversion, or "
                "null type conversion",
                node.pos,
            )
        return Code(f"_as({value.text}, {self.names.constant(ref)})", info.stype.as_nullable())

    def x_Cast(self, node: s.Cast) -> Code:
        info = self.resolve_type(node.type)
        target_name = info.full_name
        if target_name == "System.Object" or node.type.nullable or node.type.array_rank:
            return super().x_Cast(node)
        operand = self.cast_operand(node)
        target = info.stype
        if target_name in RANGES and not self.checked_context_given:
            self.constant_fits(node.operand, target_name, node.pos)
        token = operand.type.py is not None and issubclass(operand.type.py, JToken)
        # a collection interface (`(IList<JToken>)array`) is a reference conversion
        if token and target.py is not None and not issubclass(target.py, JToken):
            ref = self.names.constant(self.type_ref(node.type))  # Json.NET's explicit operators
            return Code(f"_jcast({operand.text}, {ref})", target)
        if operand.type.py in (XElement, XAttribute) and not _xml(target):
            ref = self.names.constant(self.type_ref(node.type))  # XElement's explicit operators
            return Code(f"{self.names.constant(xml_explicit)}({operand.text}, {ref})", target)
        if operand.type.py is DateTime and target.py is DateTimeOffset:
            return self.to_offset(operand)  # the implicit conversion, written as a cast
        if {CsDecimal, CsSingle} & {target.py, operand.type.py} and operand.type.known:
            return self.decimal_cast(operand, target, node.pos)
        if target_name in _CONVERTED and (operand.type.numeric or operand.type is CHAR):
            if target_name in _FAST_CONVERSIONS and not self.checked:
                return Code(f"_convert({operand.text}, {target_name!r})", target)
            checked = "True" if self.checked else "False"
            return Code(f"_nconv({operand.text}, {target_name!r}, {checked})", target)
        primitive = (str, bool, int, float, CsChar)  # char<->numbers converted above
        known = operand.type.known and operand.type.py in primitive
        structs = (operand.type.py in _STRUCTS and target.py in primitive) or (
            known and target.py in _STRUCTS
        )
        if (
            structs
            or (known and target.py in primitive and operand.type.py is not target.py)
            or unrelated(operand.type, target)  # `(string)headers["Accept"]`, a string[]
        ):
            # (string)5, (bool)1, (string)guid, (DateTime)"x": C# has no such conversion
            raise self.error(
                f"Cannot convert type '{operand.type.name}' to '{target_name}'", node.pos
            )
        ref = self.names.constant(self.type_ref(node.type))
        cast = "_unbox" if operand.type.is_object else "_ccast"  # no conversion from `object`
        return Code(f"{cast}({operand.text}, {ref})", target)

    # --- generic LINQ calls ----------------------------------------------------------------------

    def x_Invoke(self, node: s.Invoke) -> Code:
        """`xs.ToArray<string>()`, `xs.Cast<JObject>()`: LINQ methods take their type arguments
        from the receiver; only Cast/OfType need them at run time (an extra argument)."""
        target = node.target
        if (
            isinstance(target, s.Member)
            and target.type_args
            and target.name in _SEQUENCE_GENERICS
            and self.static_target(target) is None
        ):
            code = super().x_Invoke(node)  # `Children<T, U>()`: a sequence of U
            element = self.resolve_type(target.type_args[-1]).stype
            return Code(code.text, sequence_of(element))
        linq = isinstance(target, s.Member) and target.type_args and target.name in LINQ_METHODS
        if not linq or self.static_target(target) is not None:  # type: ignore[arg-type]
            return super().x_Invoke(node)
        assert isinstance(target, s.Member) and target.type_args is not None
        member = s.Member(target.pos, target.target, target.name)
        outer, self.explicit_linq = self.explicit_linq, (member, target)  # type arguments given
        try:
            code = super().x_Invoke(s.Invoke(node.pos, member, node.args))
        finally:
            self.explicit_linq = outer
        last = self.resolve_type(target.type_args[-1]).stype
        if target.name in TYPED_GENERICS:
            ref = self.names.constant(self.type_ref(target.type_args[0]))
            text = code.text[:-1] + f", {ref})"
            return Code(text, sequence_of(last))
        if target.name == "ToArray":
            return Code(code.text, array_of(last))
        if target.name in ("Select", "SelectMany", "Where", "Skip", "Take", "Distinct"):
            return Code(code.text, sequence_of(last))
        return code

    def decimal_cast(self, operand: Code, target: SType, pos: int) -> Code:
        """`(decimal)x`, `(float)x` from any number or char, `(T)d`, `(T)f` to any number or
        char."""
        numbers = (CsDecimal, CsSingle, CsChar)
        if all(t.py in numbers or t.numeric for t in (operand.type, target)):
            checked = "True" if self.checked else "False"
            return Code(f"_nconv({operand.text}, {target.name!r}, {checked})", target)
        raise self.error(f"Cannot convert type '{operand.type.name}' to '{target.name}'", pos)

    def constant_fits(self, operand: s.Expr, target: str, pos: int) -> None:
        """csc refuses `(byte)300`: a constant out of range needs `unchecked`."""
        while isinstance(operand, s.Paren):
            operand = operand.inner
        negative = isinstance(operand, s.Unary) and operand.op == "-"
        literal = operand.operand if isinstance(operand, s.Unary) else operand
        if not isinstance(literal, s.Literal) or literal.kind not in (*INTEGER_KINDS, "double"):
            return
        number = literal.value
        assert isinstance(number, int | float)
        if isinstance(number, float) and not math.isfinite(number):
            return  # only literals reach here: they are finite
        value = -math.trunc(number) if negative else math.trunc(number)  # `(int)2.9` is 2
        low, high = RANGES[target]
        if not low <= value <= high:  # `(long)1e19`: csc's CS0221, `(byte)300`: CS0031
            short = {v: k for k, v in KEYWORDS.items()}.get(target, target)
            raise self.error(
                f"Constant value '{value}' cannot be converted to a '{short}' (use 'unchecked' "
                "syntax to override)",
                pos,
            )

    # --- bitwise operators ----------------------------------------------------------------------

    def x_Binary(self, node: s.Binary) -> Code:
        if node.op not in _BITWISE:
            return super().x_Binary(node)
        if node.op == ">>>":
            raise self.unsupported("operator '>>>' (C# 11)", node.pos)
        left, right = self.enum_zero(self.operand(node.left), self.operand(node.right), node)
        a, b = left.type, right.type
        if is_enum(a.py) and a.py is b.py and node.op in ("&", "|", "^"):
            combine = self.names.constant(enum_bitwise)  # RegexOptions.IgnoreCase | ...
            return Code(f"{combine}({node.op!r}, {left.text}, {right.text})", a)
        if a.py is bool and b.py is bool and node.op in ("&", "|", "^"):
            lifted = a.nullable or b.nullable  # bool?'s three-valued logic
            return Code(
                f"_bit({node.op!r}, {left.text}, {right.text})",
                BOOL.as_nullable() if lifted else BOOL,
            )
        if BOOL in (non_nullable(a), non_nullable(b)) and a.known and b.known:  # `1 & true`
            raise self.operand_error(node.op, a, b, node.pos)
        for side in (a, b):
            integral = side.py is int or side is CHAR
            if side.known and side is not NULL and not integral and side is not BOOL:
                raise self.operand_error(node.op, a, b, node.pos)
        shift = node.op in ("<<", ">>")
        if not (_integral(a) and (shift or _integral(b))):
            return Code(f"_bit({node.op!r}, {left.text}, {right.text})", UNKNOWN)
        # a shift has the type of its promoted left operand
        kind = promoted(a) if shift else self.integral_kind(node.op, a, b, node)
        code = f"_bit({node.op!r}, {left.text}, {right.text}, {_width(kind)})"
        lifted = a.nullable or (b.nullable and not shift)
        return Code(code, kind.as_nullable() if lifted else kind)

    def x_Unary(self, node: s.Unary) -> Code:
        if node.op != "~":
            return super().x_Unary(node)
        operand = self.operand(node.operand)
        kind = operand.type
        if is_enum(kind.py):  # `~RegexOptions.IgnoreCase`
            return Code(f"{self.names.constant(enum_complement)}({operand.text})", kind)
        if (kind.known or kind.is_object) and not (kind.py is int or kind is CHAR):
            raise self.error(
                f"Operator '~' cannot be applied to operand of type '{kind.name}'", node.pos
            )
        if not _integral(kind):
            return Code(f"_bit('^', {operand.text}, -1)", UNKNOWN)
        result = promoted(kind)
        code = f"_bit('^', {operand.text}, -1, {_width(result)})"
        return Code(code, result.as_nullable() if kind.nullable else result)


def _integral(stype: SType) -> bool:
    return stype.known and (stype.py is int or stype.py is CsChar)


def _width(kind: SType) -> int:
    """`_bit`'s width argument: 32 or 64 bits, negative for the unsigned types."""
    bits = 64 if kind in (LONG, ULONG) else 32
    return -bits if kind in (UINT, ULONG) else bits
