"""Newtonsoft.Json.Linq, part 1: `JToken`, `JValue`, `JTokenType`, `Formatting`.

A JValue holds a Python value: str, int (Int64 or BigInteger), float, bool, None (Null or
Undefined), a `DateTime` or `DateTimeOffset` (Date), a `byte[]` (Bytes, written as Base64) or a
Guid/TimeSpan/Uri object. Json.NET's conversions (`(int)token`, `Value<T>()`) are in `jvalues`,
containers in `jcontainer`/`jobject`, reading and writing JSON text in `jsonread`/`jsonio`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, cast

from . import exceptions as exc
from .arrays import CsArray
from .binary import to_bytes
from .collections import LinqSeq, value_equals
from .keys import compare
from .runtime import call
from .static import SType, class_stype, sequence_of
from .strings import CsEnum, compare_ordinal_static, enum_members, format_double, to_string
from .types import CsChar, CsObject, CsTypeRef

if TYPE_CHECKING:
    from .jcontainer import JContainer

_MISSING: Any = object()
JSON_EXCEPTIONS = ("JsonReaderException", "JsonSerializationException", "JsonException")


class JTokenType(CsEnum):
    __slots__ = ()
    CS_TYPE = "Newtonsoft.Json.Linq.JTokenType"


class Formatting(CsEnum):
    __slots__ = ()
    CS_TYPE = "Newtonsoft.Json.Formatting"


# fmt: off
KIND_NAMES = enum_members(
    JTokenType,
    "None", "Object", "Array", "Constructor", "Property", "Comment", "Integer", "Float", "String",
    "Boolean", "Null", "Undefined", "Date", "Raw", "Bytes", "Guid", "Uri", "TimeSpan",
)
# fmt: on
FORMATTING = enum_members(Formatting, "None", "Indented")
INDENTED = FORMATTING["Indented"]


def json_error(message: str, kind: str = "JsonReaderException") -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(kind, message)


class JToken(CsObject):
    __slots__ = ("_parent",)
    CS_TYPE = "Newtonsoft.Json.Linq.JToken"
    CS_FORMATTABLE = False  # ToString(Formatting, converters) is no IFormattable's
    CS_MEMBERS = frozenset(
        {
            "Type", "Parent", "Root", "HasValues", "First", "Last", "Next", "Previous", "Path",
            "ToString", "Value", "Values", "Children", "ToObject", "SelectToken", "SelectTokens",
            "DeepClone", "Remove", "Replace", "AddAfterSelf", "AddBeforeSelf", "Ancestors",
            "Equals", "AfterSelf", "BeforeSelf", "AncestorsAndSelf", "AsJEnumerable",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"
    CS_GENERIC_METHODS = frozenset({"Value", "Values", "ToObject", "Children"})
    KIND_NAME: ClassVar[str] = "None"

    def __init__(self) -> None:
        self._parent: JToken | None = None

    # --- tree -----------------------------------------------------------------------------------

    @property
    def Type(self) -> JTokenType:
        return KIND_NAMES[self.KIND_NAME]

    @property
    def Parent(self) -> JToken | None:
        return self._parent

    @property
    def Root(self) -> JToken:
        token = self
        while token._parent is not None:
            token = token._parent
        return token

    @property
    def HasValues(self) -> bool:
        return False

    @property
    def First(self) -> JToken | None:
        raise self.no_children()

    @property
    def Last(self) -> JToken | None:
        raise self.no_children()

    def siblings(self) -> list[JToken]:
        return [] if self._parent is None else self._parent.child_tokens()

    @property
    def Next(self) -> JToken | None:
        items = self.siblings()
        index = next((i for i, t in enumerate(items) if t is self), -1)
        return items[index + 1] if 0 <= index < len(items) - 1 else None

    @property
    def Previous(self) -> JToken | None:
        items = self.siblings()
        index = next((i for i, t in enumerate(items) if t is self), -1)
        return items[index - 1] if index > 0 else None

    @property
    def Path(self) -> str:
        from .jsonpath import path_of  # noqa: PLC0415 - import cycle

        return path_of(self)

    def Ancestors(self) -> object:
        def run() -> Iterator[JToken]:
            token = self._parent
            while token is not None:
                yield token
                token = token._parent

        return LinqSeq(run)

    def AncestorsAndSelf(self) -> object:
        def run() -> Iterator[JToken]:
            token: JToken | None = self
            while token is not None:
                yield token
                token = token._parent

        return LinqSeq(run)

    def AfterSelf(self) -> object:
        """The later siblings, each found from the one before (as Json.NET walks `Next`)."""

        def run() -> Iterator[JToken]:
            token = self.Next if self._parent is not None else None
            while token is not None:
                yield token
                token = token.Next

        return LinqSeq(run)

    def BeforeSelf(self) -> object:
        def run() -> Iterator[JToken]:
            token = self._parent.First if self._parent is not None else None
            while token is not None and token is not self:
                yield token
                token = token.Next

        return LinqSeq(run)

    def child_tokens(self) -> list[JToken]:
        return []

    def AsJEnumerable(self) -> JEnumerable:
        """Extensions.AsJEnumerable: a token is an IJEnumerable<JToken> of its children."""
        return JEnumerable(lambda: iter(self.child_tokens()))

    def Children(self, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """`Children<T>()`: those that are a T. `Children<JToken, U>()` is the extension over
        the token as a sequence of its children: their children, each converted to U."""
        children = JEnumerable(lambda: iter(self.child_tokens()))  # read when enumerated
        if len(type_args) == 2:
            return children.Children(type_args=type_args)
        if type_args:
            target = type_args[0]
            return LinqSeq(lambda: (t for t in self.child_tokens() if target.accepts(t)))
        return children

    def no_children(self) -> exc.ExpressionRuntimeError:
        return exc.invalid_operation(f"Cannot access child value on {self.CS_TYPE}.")

    def get_item(self, key: object) -> JToken | None:
        raise self.no_children()

    def set_item(self, key: object, value: object) -> None:
        raise exc.invalid_operation(f"Cannot set child value on {self.CS_TYPE}.")

    def __iter__(self) -> Iterator[object]:
        return iter(self.child_tokens())

    # --- values ---------------------------------------------------------------------------------

    def Value(self, key: object = _MISSING, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """`token.Value<T>()` (Extensions) or `token.Value<T>(key)` (the child's value)."""
        if not type_args:
            raise exc.unsupported_member("Value", self.CS_TYPE)
        from .jvalues import convert_token  # noqa: PLC0415 - import cycle

        token = self if key is _MISSING else self.get_item(key)
        return convert_token(token, type_args[-1])  # `Value<T, U>()`: U

    def Values(self, key: object = _MISSING, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """`token.Values<T>()`: the children, each converted (a nested array or a property
        cannot be an int: InvalidCastException). `Values()` and `Values(key)` are the extension
        over the children: each child's value (a property's value, an array's items), or each
        child's value by that key."""
        from .jvalues import convert_token  # noqa: PLC0415 - import cycle

        target = type_args[0] if type_args else JTOKEN_REF
        if key is _MISSING and type_args:
            return LinqSeq(lambda: (convert_token(t, target) for t in self.child_tokens()))
        if key is None or key is _MISSING:  # the extension `Values()`, over the children
            return LinqSeq(lambda: (convert_token(t, target) for t in _value_tokens(self)))

        def by_key() -> Iterator[object]:
            for child in self.child_tokens():
                value = child.get_item(key)
                if value is not None:
                    yield convert_token(value, target)

        return LinqSeq(by_key)

    def ToObject(self, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        from .jsonconvert import to_object  # noqa: PLC0415 - import cycle

        if not type_args:
            raise exc.unsupported_member("ToObject", self.CS_TYPE)
        return to_object(self, type_args[0])

    def SelectToken(self, path: object, error_when_no_match: object = False) -> JToken | None:
        """The one token `path` selects: Json.NET stops at a second one ("Path returned
        multiple tokens."), before anything later in the document can fail."""
        from .jsonpath import evaluate, parse_path  # noqa: PLC0415 - import cycle

        found: JToken | None = None
        for token in evaluate(parse_path(path), self, self, bool(error_when_no_match)):
            if found is not None:
                raise json_error("Path returned multiple tokens.", "JsonException")
            found = token
        return found

    def SelectTokens(self, path: object, error_when_no_match: object = False) -> object:
        """Parsed now (a bad path throws here), evaluated anew each time it is enumerated."""
        from .jsonpath import evaluate, parse_path  # noqa: PLC0415 - import cycle

        steps, strict = parse_path(path), bool(error_when_no_match)
        return LinqSeq(lambda: evaluate(steps, self, self, strict))

    # --- editing --------------------------------------------------------------------------------

    def DeepClone(self) -> JToken:
        raise NotImplementedError

    def Remove(self, *args: object) -> object:
        if args:
            raise exc.unsupported_member("Remove", self.CS_TYPE)
        if self._parent is None:
            raise exc.invalid_operation("The parent is missing.")
        self._parent.remove_child(self)
        return None

    def Replace(self, value: object) -> None:
        if self._parent is None:
            raise exc.invalid_operation("The parent is missing.")
        self._parent.replace_child(self, to_token(value))

    def AddAfterSelf(self, content: object) -> None:
        if self._parent is None:
            raise exc.invalid_operation("The parent is missing.")
        self._parent.insert_near(self, content, after=True)

    def AddBeforeSelf(self, content: object) -> None:
        if self._parent is None:
            raise exc.invalid_operation("The parent is missing.")
        self._parent.insert_near(self, content, after=False)

    def remove_child(self, child: JToken) -> None:
        raise exc.invalid_operation(f"Cannot remove child from {self.CS_TYPE}.")

    def replace_child(self, old: JToken, new: JToken) -> None:
        raise exc.invalid_operation(f"Cannot replace child on {self.CS_TYPE}.")

    def insert_near(self, anchor: JToken, content: object, after: bool) -> None:
        raise exc.invalid_operation(f"Cannot add content to {self.CS_TYPE}.")

    def Equals(self, other: object) -> bool:
        return other is self

    def cs_explicit(self, target: CsTypeRef) -> object:
        """`(T)token` for the casts the translator leaves to a type check (`(byte[])token`,
        `(int?)token`): Json.NET's explicit operators; any other type is an invalid cast."""
        from .jvalues import OPERATOR_TARGETS, explicit  # noqa: PLC0415 - import cycle

        if target.name in OPERATOR_TARGETS:
            return explicit(self, target)
        raise exc.invalid_cast(self, target.name)

    # --- text -----------------------------------------------------------------------------------

    def ToString(self, formatting: object = INDENTED, *converters: object) -> str:
        from .jsonio import write_token  # noqa: PLC0415 - import cycle

        if converters:
            raise exc.unsupported_member("ToString", self.CS_TYPE)
        if not isinstance(formatting, Formatting):
            raise exc.invalid_cast(formatting, "Newtonsoft.Json.Formatting")
        return write_token(self, formatting is INDENTED)


class JEnumerable(LinqSeq):
    """`JEnumerable<JToken>`, what `Children()` returns: a sequence of tokens with Json.NET's
    extensions (`Children()`, `Values<T>()`) and an indexer (`o["items"].Children()["id"]`:
    each token's child by that key, where it has one)."""

    __slots__ = ()
    CS_TYPE = "Newtonsoft.Json.Linq.JEnumerable"
    CS_MEMBERS = frozenset(
        {"ToString", "Children", "Values", "Value", "Properties", "AsJEnumerable"}
        | {"Ancestors", "AncestorsAndSelf", "Descendants", "DescendantsAndSelf"}
    )
    CS_INDEXER = "get_item"
    CS_GENERIC_METHODS = frozenset({"Children", "Values", "Value", "AsJEnumerable"})

    @classmethod
    def of(cls, source: object) -> JEnumerable:
        """Any sequence of tokens (`SelectTokens(...)`, a `List<JToken>`), as Json.NET's
        extension methods take it (`this IEnumerable<JToken> source`)."""
        if source is None:
            raise exc.argument_null("source")
        return cls(lambda: cast("Iterable[object]", source))

    def tokens(self) -> Iterator[JToken]:
        for item in self:
            if not isinstance(item, JToken):
                raise exc.invalid_cast(item, JToken.CS_TYPE)
            yield item

    def get_item(self, key: object) -> JEnumerable:
        return JEnumerable(lambda: (v for t in self.tokens() if (v := t.get_item(key)) is not None))

    def Children(self, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """Extensions.Children: every token's children (`Children<T>()`: T is the source's
        element type; `Children<T, U>()`: each converted to U)."""
        children = JEnumerable(lambda: (c for t in self.tokens() for c in t.child_tokens()))
        return children if len(type_args) < 2 else _converted(children, type_args[1])

    def AncestorsAndSelf(self) -> JEnumerable:
        return self._each("AncestorsAndSelf")

    def Ancestors(self) -> JEnumerable:
        """Only as `Extensions.Ancestors(source)`: `source.Ancestors()` is ambiguous in C# 7."""
        return self._each("Ancestors")

    def Descendants(self) -> JEnumerable:
        return self._each("Descendants")

    def DescendantsAndSelf(self) -> JEnumerable:
        """`where T : JContainer`: the compiler refuses other element types."""
        return self._each("DescendantsAndSelf")

    def _each(self, method: str) -> JEnumerable:
        """Every token's `method()`, in order (what Json.NET's SelectMany gives)."""
        return JEnumerable(
            lambda: (r for t in self.tokens() for r in cast("LinqSeq", call(t, method)))
        )

    def Values(self, key: object = _MISSING, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """Extensions.Values: a JValue itself, else its children; with a key, each token's
        child by that key (converted to T for `Values<T>()`)."""
        from .jvalues import convert_token  # noqa: PLC0415 - import cycle

        target = type_args[0] if type_args else JTOKEN_REF

        def run() -> Iterator[object]:
            for token in self.tokens():
                if key is not _MISSING and key is not None:
                    value = token.get_item(key)
                    if value is not None:
                        yield convert_token(value, target)
                elif isinstance(token, JValue):
                    yield convert_token(token, target)
                else:
                    yield from (convert_token(c, target) for c in token.child_tokens())

        return LinqSeq(run)

    def Value(self, *, type_args: tuple[CsTypeRef, ...] = ()) -> object:
        """Extensions.Value<U>(this IEnumerable<JToken>): only a token itself converts."""
        raise exc.ExpressionRuntimeError("ArgumentException", "Source value must be a JToken.")

    def Properties(self) -> JEnumerable:
        """Extensions.Properties(this IEnumerable<JObject>): each object's properties."""
        return self._each("Properties")

    def AsJEnumerable(self, *, type_args: tuple[CsTypeRef, ...] = ()) -> JEnumerable:
        return self


def _converted(tokens: JEnumerable, target: CsTypeRef) -> LinqSeq:
    from .jvalues import convert_token  # noqa: PLC0415 - import cycle

    return LinqSeq(lambda: (convert_token(t, target) for t in tokens.tokens()))


def _value_tokens(token: JToken) -> Iterator[JToken]:
    """What Extensions.Values walks: a JValue itself, else each child's own children (so a
    JObject's properties yield their values)."""
    for child in token.child_tokens():
        if isinstance(child, JValue):
            yield child
        else:
            yield from child.child_tokens()


class JValue(JToken):
    __slots__ = ("_kind", "_value")
    CS_TYPE = "Newtonsoft.Json.Linq.JValue"
    CS_FORMATTABLE = True
    CS_MEMBERS = JToken.CS_MEMBERS | {"CompareTo"}

    def __init__(self, value: object = None, kind: str | None = None) -> None:
        super().__init__()
        if isinstance(value, JValue):
            kind = value._kind
            value = value._value
        self._value: object = value
        self._kind: str = kind or value_kind(value)

    @classmethod
    def create(cls, value: object = None) -> JValue:
        """`new JValue(x)`."""
        return cls(value)

    @property
    def KIND_NAME(self) -> str:  # type: ignore[override]
        return self._kind

    @property
    def Type(self) -> JTokenType:
        return KIND_NAMES[self._kind]

    @property
    def raw(self) -> object:
        return self._value

    @property
    def kind(self) -> str:
        return self._kind

    def _get_value(self) -> object:
        return self._value

    def _set_value(self, value: object) -> None:
        if type(value) is CsChar:
            value = value.value
        self._kind = value_kind(value)
        self._value = value

    def DeepClone(self) -> JValue:
        return JValue(self._value, self._kind)

    def Equals(self, other: object) -> bool:
        return isinstance(other, JValue) and values_equal(self, other)

    def equality_key(self) -> tuple[object, ...]:
        """For hashing (Distinct, HashSet<JToken>, GroupBy): JValue's GetHashCode is its
        value's."""
        return (self._value,)

    def CompareTo(self, other: object) -> int:
        theirs = other._value if isinstance(other, JValue) else other
        if self._kind == "Bytes" and self._value is not None and theirs is not None:
            return _compare_bytes(self._value, theirs)
        if type(self._value) is str and type(theirs) is str:  # Json.NET: string.CompareOrdinal
            return compare_ordinal_static(self._value, theirs)
        return compare(self._value, theirs)

    def ToString(self, formatting: object = _MISSING, *rest: object) -> str:
        if formatting is _MISSING:
            return plain_text(self)
        if isinstance(formatting, Formatting):
            return super().ToString(formatting, *rest)
        # IFormattable.ToString(format, provider) of the value (interpolation `{v:N2}`)
        if self._value is None:
            return ""
        if self._kind in ("Bytes", "Uri"):  # not IFormattable: their plain ToString()
            return plain_text(self)
        if type(self._value) in (int, float) or isinstance(self._value, CsObject):
            return str(call(self._value, "ToString", formatting))
        return plain_text(self)


def plain_text(token: JValue) -> str:
    """JValue.ToString(): the value's own ToString() (culture-invariant here)."""
    value = token.raw
    if value is None:
        return ""
    if type(value) is float:
        return format_double(value)
    return to_string(value)


def value_kind(value: object) -> str:
    kind = type(value)
    if value is None:
        return "Null"
    if kind is str or kind is CsChar:
        return "String"
    if kind is bool:
        return "Boolean"
    if kind is int:
        return "Integer"
    if kind is float:
        return "Float"
    if is_byte_array(value):
        return "Bytes"
    name = getattr(value, "CS_TYPE", "")
    special = {
        "System.DateTime": "Date",
        "System.DateTimeOffset": "Date",
        "System.Guid": "Guid",
        "System.Decimal": "Float",
        "System.Single": "Float",
        "System.TimeSpan": "TimeSpan",
        "System.Uri": "Uri",
    }.get(name)
    if special is None:
        raise json_error(
            f"Could not determine JSON object type for type {exc.clr_name(value)}.",
            "ArgumentException",
        )
    return special


def is_byte_array(value: object) -> bool:
    """A `byte[]`: one a BCL call made (`CsBytes`) or `new byte[...]` (an array whose creation
    recorded its element type); an `int[]` holding small numbers is not one."""
    if getattr(value, "CS_TYPE", "") == "System.Byte[]":
        return True
    return isinstance(value, CsArray) and getattr(value, "element_name", None) == "System.Byte"


def _compare_bytes(mine: object, theirs: object) -> int:
    """MiscellaneousUtils.ByteArrayCompare: the shorter array first, then byte by byte."""
    if not is_byte_array(theirs):
        raise json_error("Object must be of type byte[].", "ArgumentException")
    a, b = to_bytes(mine), to_bytes(theirs)
    if len(a) != len(b):
        return -1 if len(a) < len(b) else 1
    return (a > b) - (a < b)


def values_equal(a: JValue, b: JValue) -> bool:
    """Json.NET's JValue.ValuesEquals (`Equals`, `DeepEquals`): the same JTokenType and values
    that compare equal; floats within a few ULPs (MathUtils.ApproxEquals, NaN equal to NaN), dates
    by ticks whatever their kind, strings ordinally."""
    if a is b:
        return True
    if a.kind != b.kind:
        return False
    x, y = a.raw, b.raw
    if x is None or y is None:
        return x is y
    if a.kind == "Float":
        return _floats_equal(float(x), float(y))  # type: ignore[arg-type]
    if a.kind in ("Integer", "Boolean"):
        return x == y
    if a.kind == "Uri":
        return to_string(x) == to_string(y)
    if a.kind == "Bytes":
        return _compare_bytes(x, y) == 0
    key_x, key_y = getattr(x, "value_key", None), getattr(y, "value_key", None)
    if key_x is not None and key_y is not None:
        return bool(key_x() == key_y())
    return value_equals(x, y)


def _floats_equal(x: float, y: float) -> bool:
    if x == y or (math.isnan(x) and math.isnan(y)):
        return True
    tolerance = (abs(x) + abs(y) + 10.0) * 2.2204460492503131e-16
    return -tolerance < x - y < tolerance


def deep_equals(a: JToken, b: JToken) -> bool:
    """JToken.DeepEquals: values as `values_equal`, arrays item by item in order, objects by
    property name whatever the order, properties by name and value."""
    from .jcontainer import JProperty  # noqa: PLC0415 - import cycle
    from .jobject import JArray, JObject  # noqa: PLC0415 - import cycle
    from .jspecial import JConstructor  # noqa: PLC0415 - import cycle

    if a is b:
        return True
    if isinstance(a, JValue):
        return isinstance(b, JValue) and values_equal(a, b)
    if isinstance(a, JProperty):
        return (
            isinstance(b, JProperty)
            and a.Name == b.Name
            and deep_equals(a.property_value(), b.property_value())
        )
    if isinstance(a, JObject):
        if not isinstance(b, JObject) or len(a) != len(b):
            return False
        for prop in a.properties():
            other = b.find(prop.Name)
            if other is None or not deep_equals(prop.property_value(), other.property_value()):
                return False
        return True
    if isinstance(a, JArray):
        return isinstance(b, JArray) and _items_equal(a, b)
    if isinstance(a, JConstructor):
        return isinstance(b, JConstructor) and a.Name == b.Name and _items_equal(a, b)
    return False


def _items_equal(a: JContainer, b: JContainer) -> bool:
    mine, theirs = a.child_tokens(), b.child_tokens()
    return len(mine) == len(theirs) and all(
        deep_equals(x, y) for x, y in zip(mine, theirs, strict=True)
    )


def to_token(value: object) -> JToken:
    """JToken's implicit conversions: a token stays, anything else becomes a JValue. JToken
    has no operator for char: C# converts it through ushort, so `o["c"] = 'A'` stores 65."""
    if isinstance(value, JToken):
        return value
    if type(value) is CsChar:
        return JValue(ord(value.value))
    return JValue(value)


JValue.CS_PROPERTIES = {"Value": property(JValue._get_value, JValue._set_value)}
JTOKEN_REF = CsTypeRef(JToken.CS_TYPE, (JToken,))
JToken.CS_ELEMENT = JToken  # type: ignore[attr-defined]
# the sequences of tokens the members return (`Children<T>()`/`Values<T>()`: T, by the compiler)
TOKENS = sequence_of(class_stype(JToken))
JTOKENS = SType(JEnumerable.CS_TYPE, JEnumerable, element=class_stype(JToken))
JToken.CS_RESULT_TYPES = dict.fromkeys(
    ("Ancestors", "AncestorsAndSelf", "AfterSelf", "BeforeSelf", "Values"), TOKENS
) | {"SelectTokens": TOKENS, "Children": JTOKENS}
JEnumerable.CS_RESULT_TYPES = {
    "Children": JTOKENS,
    "AsJEnumerable": JTOKENS,
    "this[]": JTOKENS,
    "Values": TOKENS,
}


class BoxedKey(CsObject):
    """A `long`, `uint` or `ulong` index of a token: C# passes it to the `this[object key]`
    indexer boxed, so a JArray refuses it (ArgumentException: "Int32 array index expected"),
    where certgate's ints alone cannot tell it from an `int`."""

    __slots__ = ("value",)
    CS_TYPE = "System.Int64"

    def __init__(self, value: int) -> None:
        self.value = value

    def ToString(self) -> str:
        return str(self.value)
