"""Newtonsoft.Json, part 3: objects <-> tokens (`JToken.FromObject`, `ToObject<T>`,
`JsonConvert.SerializeObject/DeserializeObject`) and the type registrations of the family.

Serialization knows the values expressions make: primitives, dates (DateTime, DateTimeOffset),
byte arrays (a Bytes value, written as Base64), other arrays and collections,
dictionaries, `KeyValuePair`, anonymous types (members in declaration order), enums (as their
number, Json.NET's default), tokens. Anything else is "not supported yet" rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import exceptions as exc
from .anon import AnonymousObject
from .arrays import CsArray, is_enumerable
from .collections import KeyValuePair, ReadOnlyDictionary
from .datefmt import parse_datetimeoffset
from .datetime import DateTime, DateTimeOffset
from .dictionary import CsDictionary
from .generic import CsList
from .gentypes import GenericRef, InterfaceRef
from .jcontainer import JContainer, JProperty, is_null_token
from .jobject import JArray, JObject
from .jsonio import iso_date, parse, write_token
from .jsonread import string_text
from .jspecial import JConstructor, JRaw
from .jtoken import (
    FORMATTING,
    INDENTED,
    KIND_NAMES,
    Formatting,
    JToken,
    JTokenType,
    JValue,
    deep_equals,
    is_byte_array,
    json_error,
    to_token,
)
from .jvalues import explicit
from .sets import CsHashSet
from .static import BOOL, STRING, SType, class_stype
from .strings import CsEnum, to_string
from .tuples import CsTuple
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsChar, CsTypeRef


def from_object(value: object) -> JToken:
    """`JToken.FromObject(value)` (also what `SerializeObject` writes)."""
    if isinstance(value, JToken):
        return value.DeepClone()
    if type(value) is CsChar:  # the serializer writes a char as a one-character string
        return JValue(value.value)
    if value is None or type(value) in (str, int, float, bool):
        return to_token(value)
    if isinstance(value, CsEnum):
        return JValue(value.value)
    if isinstance(value, AnonymousObject):
        return JObject(*(JProperty(name, from_object(v)) for name, v in value.members()))
    if isinstance(value, CsTuple):  # Tuple<...>: its Item1, Item2, ... (and Rest)
        names = [f"Item{i + 1}" for i in range(min(value.ARITY, 7))] + ["Rest"]
        return JObject(
            *(JProperty(n, from_object(getattr(value, n))) for n in names[: value.ARITY])
        )
    if isinstance(value, KeyValuePair):
        return JObject(
            JProperty("Key", from_object(value.Key)), JProperty("Value", from_object(value.Value))
        )
    if isinstance(value, (CsDictionary, ReadOnlyDictionary)):
        pairs = [p for p in value if isinstance(p, KeyValuePair)]
        return JObject(*(JProperty(_property_name(p.Key), from_object(p.Value)) for p in pairs))
    name = getattr(value, "CS_TYPE", "")
    if is_byte_array(value) or name in (
        "System.DateTime",
        "System.DateTimeOffset",
        "System.Decimal",
        "System.Single",
        "System.Guid",
        "System.TimeSpan",
        "System.Uri",
    ):
        return JValue(value)
    if is_enumerable(value):
        return JArray(*(from_object(item) for item in value))  # type: ignore[attr-defined]
    raise exc.ExpressionRuntimeError(
        "NotSupportedException", f"not supported yet: JSON serialization of '{exc.clr_name(value)}'"
    )


def serialize_object(value: object, formatting: object = None, *settings: object) -> str:
    """`JsonConvert.SerializeObject(value[, formatting])`: compact unless Indented."""
    if settings or (formatting is not None and not isinstance(formatting, Formatting)):
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: JsonSerializerSettings"
        )
    return write_token(from_object(value), formatting is INDENTED)


def deserialize_object(
    text: object, *rest: object, type_args: tuple[CsTypeRef, ...] = ()
) -> object:
    if rest:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: DeserializeObject with settings"
        )
    if text is None:
        raise exc.argument_null("value")
    target = type_args[0] if type_args else OBJECT_REF
    if isinstance(text, str) and not text.strip(" \t\r\n"):  # no JSON content: null for T?
        if target.is_value_type:
            raise json_error(
                f"No JSON content found and type '{target.name}' is not nullable.",
                "JsonSerializationException",
            )
        return None
    strings = _reads_leaf(target, "System.String")
    token = parse(
        text, dates=not strings, decimals=_reads_leaf(target, "System.Decimal"), strings=strings
    )
    if is_null_token(token) and target.name in _TOKEN_TARGETS:
        return token  # a JToken/JValue target reads `null` as a Null token
    if is_null_token(token):  # `null` is null for any class, an error for a struct
        if target.is_value_type:
            raise json_error(
                f"Error converting value {{null}} to type '{target.name}'. Path '', line 1, "
                f"position {len(text) if isinstance(text, str) else 4}.",
                "JsonSerializationException",
            )
        return None
    if target.name == "System.DateTimeOffset" and _date_value(token):
        # Json.NET reads a DateTimeOffset target with ReadAsDateTimeOffset: the string's own
        # offset is kept (parsing it as a DateTime first would turn it into local time)
        return parse_datetimeoffset(string_text(str(text)))
    return to_object(token, target, strict=True)


def _reads_leaf(target: CsTypeRef, leaf: str) -> bool:
    """Whether the serializer reads `target`'s values as `leaf`: a string (ReadAsString, which
    keeps a date-like string as written; an object or JToken slot reads dates as DateTime) or
    a decimal (ReadAsDecimal, which keeps "0.10"); the target itself, or the values of a
    List, array or Dictionary, however deeply nested."""
    if target.name.removesuffix("[]") == leaf:  # T, T[], T[][]
        return True
    args: tuple[CsTypeRef, ...] = getattr(target, "args", ())
    return bool(args) and _reads_leaf(args[-1], leaf)  # List<T>, Dictionary<K, List<T>>


def _date_value(token: JToken) -> bool:
    return isinstance(token, JValue) and isinstance(token.raw, DateTime)


_INTEGER_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*\Z")
_SHAPE_ERROR = (
    "Cannot deserialize the current JSON {found} into type '{target}' because the type requires "
    "a JSON {needed} to deserialize correctly."
)


def to_object(token: JToken, target: CsTypeRef, *, strict: bool = False) -> object:
    """`token.ToObject<T>()` / `DeserializeObject<T>` (`strict`: the serializer reads an
    integer slot with ReadAsInt32 & co., which refuse 1.5 and true where a cast converts)."""
    if isinstance(target, InterfaceRef) and target.concrete is not None:
        target = target.concrete  # `ToObject<IList<int>>()`: a List<int>
    classes = target.classes
    if not classes:  # object: JSON primitives come back as .NET values
        return token.raw if isinstance(token, JValue) else token.DeepClone()
    cls = classes[0]
    if issubclass(cls, JToken):
        if is_null_token(token) and cls in (JObject, JArray):  # a null slot of that type
            return None
        if not isinstance(token, cls):
            noun = "an object" if cls is JObject else "an array" if cls is JArray else "a value"
            raise json_error(
                f"Error reading {cls.__name__} from JsonReader. Current JsonReader item is not "
                f"{noun}: {token.KIND_NAME}. Path ''."
            )
        return token.DeepClone()
    args = target.args if isinstance(target, GenericRef) else ()
    if target.name == "System.Byte[]" and isinstance(token, JValue):  # Base64 text or bytes
        return explicit(token, target)
    if issubclass(cls, (CsArray, CsList, CsHashSet)):
        if not isinstance(token, JArray):
            raise _shape(token, target, "array (e.g. [1,2,3])")
        element = args[0] if args else _array_element(target)
        items = [to_object(item, element, strict=strict) for item in token.child_tokens()]
        if cls is CsArray or issubclass(cls, CsArray):
            return CsArray(items)
        return cls(element, CsArray(items))
    if issubclass(cls, CsDictionary):
        if not isinstance(token, JObject):
            raise _shape(token, target, 'object (e.g. {"name":"value"})')
        key, value = args if len(args) == 2 else (STRING_REF, OBJECT_REF)
        result = CsDictionary(key, value)
        for prop in token.properties():
            item = to_object(prop.property_value(), value, strict=strict)
            result.Add(_key(prop.Name, key), item)
        return result
    if isinstance(token, JValue) or cls in (str, int, float, bool, CsChar):
        if strict and _empty_text(token) and _nullable_struct(target):
            return None  # Json.NET reads "" into an int?, bool?, DateTime? ... as null
        if strict and target.name in _INTEGRAL_READS and isinstance(token, JValue):
            _check_integer_read(token, target)
        return explicit(token, target)
    raise exc.ExpressionRuntimeError(
        "NotSupportedException", f"not supported yet: deserializing into '{target.name}'"
    )


_TOKEN_TARGETS = frozenset({"Newtonsoft.Json.Linq.JToken", "Newtonsoft.Json.Linq.JValue"})


def _empty_text(token: JToken) -> bool:
    return isinstance(token, JValue) and token.raw == ""


def _nullable_struct(target: CsTypeRef) -> bool:
    """`int?`, `DateTime?`: a value type's ref that takes null."""
    info = IMPLEMENTED.get(target.name)
    struct = info is not None and info.ref is not None and info.ref.is_value_type
    return struct and not target.is_value_type


def _array_element(target: CsTypeRef) -> CsTypeRef:
    """T of a `T[]` target (`int[]` reads ints); object when it cannot be told."""
    info = IMPLEMENTED.get(target.name.removesuffix("[]")) if target.name.endswith("[]") else None
    return info.ref if info is not None and info.ref is not None else OBJECT_REF


_INTEGRAL_READS = frozenset(
    f"System.{name}" for name in ("Int32", "Int64", "Int16", "Byte", "SByte", "UInt16", "UInt32")
)


def _check_integer_read(token: JValue, target: CsTypeRef) -> None:
    """What Json.NET's integer reads refuse: a float or a bool token, a string that is not an
    integer; a null in a non-nullable slot."""
    raw = token.raw
    if raw is None and target.is_value_type:
        raise json_error(
            f"Error converting value {{null}} to type '{target.name}'.",
            "JsonSerializationException",
        )
    if type(raw) is bool or type(raw) is float:
        raise json_error(f"Input string '{to_string(token)}' is not a valid integer.")
    if type(raw) is str and not _INTEGER_TEXT.match(raw):
        raise json_error(f"Could not convert string to integer: {raw}.")


def _property_name(key: object) -> str:
    """A dictionary key as a JSON name: a date in ISO form (DateTimeUtils), else its text."""
    return iso_date(key) if isinstance(key, (DateTime, DateTimeOffset)) else to_string(key)


def _key(name: str, key: CsTypeRef) -> object:
    return name if key.name in ("System.String", "System.Object") else explicit(JValue(name), key)


def _shape(token: JToken, target: CsTypeRef, needed: str) -> exc.ExpressionRuntimeError:
    found = {"Object": 'object (e.g. {"name":"value"})', "Array": "array (e.g. [1,2,3])"}.get(
        token.KIND_NAME, "value"
    )
    return json_error(
        _SHAPE_ERROR.format(found=found, target=target.name, needed=needed),
        "JsonSerializationException",
    )


OBJECT_REF = CsTypeRef("System.Object", ())
STRING_REF = CsTypeRef("System.String", (str,))


# --- registration -----------------------------------------------------------------------------


def _parser(expect: type[JToken] | None) -> Callable[..., JToken]:
    def parse_text(text: object, *settings: object) -> JToken:
        if settings:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "not supported yet: JsonLoadSettings"
            )
        return parse(text, expect)

    return parse_text


def _from_object(expect: type[JContainer] | None) -> Callable[..., JToken]:
    def convert(value: object, *serializer: object) -> JToken:
        if serializer:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "not supported yet: FromObject with a serializer"
            )
        if value is None:
            raise exc.argument_null("o")
        token = from_object(value)
        if expect is not None and not isinstance(token, expect):
            raise json_error(
                f"Object serialized to {token.KIND_NAME}. {expect.CS_TYPE} instance expected.",
                "ArgumentException",
            )
        return token

    return convert


def _deep_equals(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return isinstance(a, JToken) and isinstance(b, JToken) and deep_equals(a, b)


def _token_type(
    cls: type[JToken], statics: dict[str, StaticMember], ctor: Callable[..., object] | None
) -> TypeInfo:
    stype = class_stype(cls)
    return TypeInfo(cls.CS_TYPE, stype, CsTypeRef(cls.CS_TYPE, (cls,)), statics, ctor=ctor)


def _register() -> None:
    token, obj, arr = class_stype(JToken), class_stype(JObject), class_stype(JArray)
    value = class_stype(JValue)
    register(
        _token_type(
            JToken,
            {
                "Parse": StaticMember(_parser(None), token),
                "FromObject": StaticMember(_from_object(None), token),
                "DeepEquals": StaticMember(_deep_equals, BOOL),
            },
            None,
        ),
        _token_type(
            JObject,
            {
                "Parse": StaticMember(_parser(JObject), obj),
                "FromObject": StaticMember(_from_object(JObject), obj),
            },
            JObject,
        ),
        _token_type(
            JArray,
            {
                "Parse": StaticMember(_parser(JArray), arr),
                "FromObject": StaticMember(_from_object(JArray), arr),
            },
            JArray,
        ),
        _token_type(
            JValue,
            {
                "CreateNull": StaticMember(lambda: JValue(None), value),
                "CreateString": StaticMember(lambda text: JValue(text, "String"), value),
                "CreateUndefined": StaticMember(lambda: JValue(None, "Undefined"), value),
            },
            JValue.create,
        ),
        _token_type(JProperty, {}, JProperty),
        _token_type(JRaw, {}, JRaw),
        _token_type(JConstructor, {}, JConstructor),
        _token_type(JContainer, {}, None),
        TypeInfo.enum(KIND_NAMES),
        TypeInfo.enum(FORMATTING),
        TypeInfo(
            "Newtonsoft.Json.JsonConvert",
            SType("Newtonsoft.Json.JsonConvert", None),
            None,
            {
                "SerializeObject": StaticMember(serialize_object, STRING),
                "DeserializeObject": StaticMember(
                    deserialize_object, SType("System.Object", None), generic=True
                ),
            },
        ),
        TypeInfo(
            "Newtonsoft.Json.Linq.Extensions", SType("Newtonsoft.Json.Linq.Extensions", None), None
        ),
    )


_register()
__all__ = ["JTokenType", "from_object", "serialize_object", "to_object"]


def _body(expect: type[JToken] | None) -> Callable[[bytes], object]:
    def convert(data: bytes) -> object:
        return parse(data.decode("utf-8-sig", errors="replace"), expect)

    return convert


#: `IMessageBody.As<T>()` for the Json.NET types: CLR name -> conversion of the body's bytes
#: (`certgate.core.messages.MessageBody.CONVERTERS` takes these).
BODY_CONVERTERS: dict[str, Callable[[bytes], object]] = {
    JObject.CS_TYPE: _body(JObject),
    JArray.CS_TYPE: _body(JArray),
    JToken.CS_TYPE: _body(None),
}
