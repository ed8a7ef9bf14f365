"""Registers the .NET runtime types (static members, constructors, static types) with
`typenames`, and the instance members of the primitive mappings with `members`.

Imported once by the package `__init__`. Static members listed here are exactly the implemented
ones: an allow-listed member missing here is refused at load with "not supported yet", any other
with APIM's "Usage of member ... is not supported within expressions" (`typenames.member_allowed`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import (
    arraystatics,
    auth,
    binary,
    convert,
    crypto,
    datefmt,
    encoding,
    enumerable,
    guid,
    nullables,
    numbers,
    regexp,
    scalars,
    singles,
    strings,
    strings_more,
    uri,
)
from . import datetime as dates
from .arrays import CsArray
from .binary import BYTES
from .static import (
    BOOL,
    BYTE,
    CHAR,
    DOUBLE,
    INT,
    LONG,
    REFS,
    SBYTE,
    SHORT,
    SINGLE,
    STRING,
    UINT,
    ULONG,
    UNKNOWN,
    USHORT,
    SType,
    array_of,
    class_stype,
    sequence_of,
)
from .strings import CsEnum, enum_members
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsObject, CsTypeRef


def _stype(cls: type) -> SType:
    return class_stype(cls)


def _value(value: object, result: SType) -> StaticMember:
    return StaticMember(value, result, is_method=False)


def _method(fn: Callable[..., object], result: SType, outs: int = 0) -> StaticMember:
    return StaticMember(fn, result, outs=outs)


def _now(fn: Callable[[], object], result: SType) -> StaticMember:
    return StaticMember(fn, result, is_method=False, dynamic=True)


def _type(
    name: str,
    cls: type,
    statics: dict[str, StaticMember] | None = None,
    ctor: Callable[..., object] | None = None,
    *,
    value_type: bool = False,
    default: object = None,
) -> TypeInfo:
    stype = SType(name, cls) if not issubclass(cls, CsObject) else _stype(cls)
    ref = CsTypeRef(name, (cls,), default, is_value_type=value_type)
    return TypeInfo(name, stype, ref, statics or {}, ctor)


def _numeric_result(types: tuple[SType, ...]) -> SType:
    """Overload of Math.Max/Min/Abs/Clamp: double if any argument is, else long/int."""
    if any(t is DOUBLE for t in types):
        return DOUBLE
    if types and all(t.numeric for t in types):
        return LONG if LONG in types else INT
    return UNKNOWN


def _typed(fn: Callable[..., object]) -> StaticMember:
    return StaticMember(fn, UNKNOWN, typer=_numeric_result)


# --- dates ---------------------------------------------------------------------------------------

DATETIME = _stype(dates.DateTime)
TIMESPAN = _stype(dates.TimeSpan)
DATETIMEOFFSET = _stype(dates.DateTimeOffset)

_DATETIME = _type(
    "System.DateTime",
    dates.DateTime,
    {
        "MinValue": _value(dates.MIN_VALUE, DATETIME),
        "MaxValue": _value(dates.MAX_VALUE, DATETIME),
        "Now": _now(dates.local_now, DATETIME),
        "UtcNow": _now(dates.utc_now, DATETIME),
        "Today": _now(dates.today, DATETIME),
        "Parse": _method(datefmt.parse_datetime, DATETIME),
        "DaysInMonth": _method(dates.static_days_in_month, INT),
        "IsLeapYear": _method(dates.static_is_leap_year, BOOL),
    },
    dates.new_datetime,
    value_type=True,
    default=dates.MIN_VALUE,
)
_TICKS = {
    "TicksPerDay": dates.TICKS_PER_DAY,
    "TicksPerHour": dates.TICKS_PER_HOUR,
    "TicksPerMinute": dates.TICKS_PER_MINUTE,
    "TicksPerSecond": dates.TICKS_PER_SECOND,
    "TicksPerMillisecond": dates.TICKS_PER_MS,
}
_TIMESPAN = _type(
    "System.TimeSpan",
    dates.TimeSpan,
    {
        "Zero": _value(dates.TimeSpan(0), TIMESPAN),
        "MaxValue": _value(dates.TimeSpan(2**63 - 1), TIMESPAN),
        "MinValue": _value(dates.TimeSpan(-(2**63)), TIMESPAN),
        "FromDays": _method(dates.timespan_from(dates.TICKS_PER_DAY), TIMESPAN),  # type: ignore[arg-type]
        "FromHours": _method(dates.timespan_from(dates.TICKS_PER_HOUR), TIMESPAN),  # type: ignore[arg-type]
        "FromMinutes": _method(dates.timespan_from(dates.TICKS_PER_MINUTE), TIMESPAN),  # type: ignore[arg-type]
        "FromSeconds": _method(dates.timespan_from(dates.TICKS_PER_SECOND), TIMESPAN),  # type: ignore[arg-type]
        "FromMilliseconds": _method(dates.timespan_from(dates.TICKS_PER_MS), TIMESPAN),  # type: ignore[arg-type]
        "FromTicks": _method(dates.new_timespan, TIMESPAN),
        "Parse": _method(datefmt.parse_timespan, TIMESPAN),
        "TryParse": _method(
            datefmt.try_parser(datefmt.parse_timespan, dates.TimeSpan(0)), BOOL, outs=1
        ),
        **{name: _value(value, LONG) for name, value in _TICKS.items()},
    },
    dates.new_timespan,
    value_type=True,
    default=dates.TimeSpan(0),
)
_DATETIMEOFFSET = _type(
    "System.DateTimeOffset",
    dates.DateTimeOffset,
    {
        "Now": _now(dates.offset_now, DATETIMEOFFSET),
        "UtcNow": _now(dates.offset_now, DATETIMEOFFSET),
        "MinValue": _value(dates.DateTimeOffset(0, 0), DATETIMEOFFSET),
        "MaxValue": _value(dates.DateTimeOffset(dates.MAX_TICKS, 0), DATETIMEOFFSET),
        "UnixEpoch": _value(dates.DateTimeOffset(dates.UNIX_EPOCH_TICKS, 0), DATETIMEOFFSET),
        "FromUnixTimeSeconds": _method(dates.from_unix_seconds, DATETIMEOFFSET),
        "FromUnixTimeMilliseconds": _method(dates.from_unix_milliseconds, DATETIMEOFFSET),
        "Parse": _method(datefmt.parse_datetimeoffset, DATETIMEOFFSET),
        "TryParse": _method(
            datefmt.try_parser(datefmt.parse_datetimeoffset, dates.DateTimeOffset(0, 0)),
            BOOL,
            outs=1,
        ),
        "ParseExact": _method(datefmt.parse_exact_datetimeoffset, DATETIMEOFFSET),
    },
    dates.new_datetimeoffset,
    value_type=True,
    default=dates.DateTimeOffset(0, 0),
)

# --- numbers -------------------------------------------------------------------------------------


def _double_predicate(test: Callable[[float], bool]) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return test(singles.as_double(value))  # a float argument widens implicitly

    return check


_DOUBLE_STATICS = {
    "Parse": _method(numbers.parse_double, DOUBLE),
    "TryParse": _method(numbers.try_parse(numbers.parse_double, 0.0), BOOL, outs=1),  # type: ignore[arg-type]
    "MaxValue": _value(1.7976931348623157e308, DOUBLE),
    "MinValue": _value(-1.7976931348623157e308, DOUBLE),
    "Epsilon": _value(5e-324, DOUBLE),
    "NaN": _value(math.nan, DOUBLE),
    "PositiveInfinity": _value(math.inf, DOUBLE),
    "NegativeInfinity": _value(-math.inf, DOUBLE),
    "IsNaN": _method(_double_predicate(math.isnan), BOOL),
    "IsInfinity": _method(_double_predicate(math.isinf), BOOL),
    "IsPositiveInfinity": _method(_double_predicate(lambda x: x == math.inf), BOOL),
    "IsNegativeInfinity": _method(_double_predicate(lambda x: x == -math.inf), BOOL),
    "IsFinite": _method(_double_predicate(math.isfinite), BOOL),
    "IsNegative": _method(_double_predicate(lambda x: binary.bc_double_to_int64_bits(x) < 0), BOOL),
    "IsNormal": _method(_double_predicate(numbers.is_normal), BOOL),
    "IsSubnormal": _method(_double_predicate(numbers.is_subnormal), BOOL),
}


class MidpointRounding(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.MidpointRounding"


_MIDPOINT = enum_members(
    MidpointRounding,
    "ToEven",
    "AwayFromZero",
    "ToZero",
    "ToNegativeInfinity",
    "ToPositiveInfinity",
)
_MATH_DOUBLE = {
    "Round",
    "Floor",
    "Ceiling",
    "Truncate",
    "Sqrt",
    "Pow",
    "Log",
    "Log10",
    "Log2",
    "Exp",
    "Sin",
    "Cos",
    "Tan",
    "Asin",
    "Acos",
    "Atan",
    "Sinh",
    "Cosh",
    "Tanh",
    "Asinh",
    "Acosh",
    "Atanh",
    "Cbrt",
    "Atan2",
    "IEEERemainder",
}
_MATH = TypeInfo(
    "System.Math",
    UNKNOWN,
    None,
    {
        **{
            name: _method(fn, DOUBLE) if name in _MATH_DOUBLE else _typed(fn)
            for name, fn in numbers.MATH_FUNCTIONS.items()
            if name not in ("Sign", "BigMul")
        },
        "Sign": _method(numbers.math_sign, INT),
        "BigMul": _method(numbers.math_big_mul, LONG),
        "DivRem": StaticMember(numbers.math_div_rem, UNKNOWN, outs=1, typer=_numeric_result),
        "PI": _value(math.pi, DOUBLE),
        "E": _value(math.e, DOUBLE),
        "Tau": _value(math.tau, DOUBLE),
    },
)

# --- Convert, BitConverter, Encoding, WebUtility --------------------------------------------------

_CONVERT = TypeInfo(
    "System.Convert",
    UNKNOWN,
    None,
    {
        "ToBase64String": _method(convert.to_base64_string, STRING),
        "FromBase64String": _method(convert.from_base64_string, BYTES),
        "ToBase64CharArray": _method(convert.to_base64_char_array, INT),
        "FromBase64CharArray": _method(convert.from_base64_char_array, BYTES),
        "ToHexString": _method(convert.to_hex_string, STRING),
        "FromHexString": _method(convert.from_hex_string, BYTES),
        "ToInt32": _method(convert.to_int32, INT),
        "ToInt64": _method(convert.to_int64, LONG),
        "ToInt16": _method(convert.to_int16, SHORT),
        "ToByte": _method(convert.to_byte, BYTE),
        "ToSByte": _method(convert.to_sbyte, SBYTE),
        "ToUInt16": _method(convert.to_uint16, USHORT),
        "ToUInt32": _method(convert.to_uint32, UINT),
        "ToUInt64": _method(convert.to_uint64, ULONG),
        "ToDouble": _method(convert.to_double, DOUBLE),
        "ToBoolean": _method(convert.to_boolean, BOOL),
        "ToChar": _method(convert.to_char, CHAR),
        "ToString": StaticMember(convert.to_string_, STRING, arg_types=True),
        "ToDateTime": _method(datefmt.convert_to_datetime, DATETIME),
    },
)
_BITCONVERTER = TypeInfo(
    "System.BitConverter",
    UNKNOWN,
    None,
    {
        "ToString": _method(binary.bc_to_string, STRING),
        "GetBytes": StaticMember(binary.bc_get_bytes, BYTES, arg_types=True),
        "ToInt16": _method(binary.bc_to_int16, SHORT),
        "ToInt32": _method(binary.bc_to_int32, INT),
        "ToInt64": _method(binary.bc_to_int64, LONG),
        "ToUInt16": _method(binary.bc_to_uint16, USHORT),
        "ToUInt32": _method(binary.bc_to_uint32, UINT),
        "ToUInt64": _method(binary.bc_to_uint64, ULONG),
        "ToDouble": _method(binary.bc_to_double, DOUBLE),
        "ToBoolean": _method(binary.bc_to_boolean, BOOL),
        "ToChar": _method(binary.bc_to_char, CHAR),
        "ToSingle": _method(binary.bc_to_single, SINGLE),
        "DoubleToInt64Bits": _method(binary.bc_double_to_int64_bits, LONG),
        "Int64BitsToDouble": _method(binary.bc_int64_bits_to_double, DOUBLE),
        "SingleToInt32Bits": _method(binary.bc_single_to_int32_bits, INT),
        "Int32BitsToSingle": _method(binary.bc_int32_bits_to_single, SINGLE),
        "IsLittleEndian": _value(True, BOOL),
    },
)
ENCODING = _stype(encoding.Encoding)
_ENCODING = TypeInfo(
    "System.Text.Encoding",
    ENCODING,
    CsTypeRef("System.Text.Encoding", (encoding.Encoding,)),
    {
        "UTF8": _value(encoding.UTF8, ENCODING),
        "ASCII": _value(encoding.ASCII, ENCODING),
        "Unicode": _value(encoding.UNICODE, ENCODING),
        "BigEndianUnicode": _value(encoding.BIG_ENDIAN_UNICODE, ENCODING),
        "UTF32": _value(encoding.UTF32, ENCODING),
        "Latin1": _value(encoding.LATIN1, ENCODING),
        "Default": _value(encoding.DEFAULT, ENCODING),
        "GetEncoding": _method(encoding.get_encoding, ENCODING),
        "Convert": _method(encoding.convert, BYTES),
    },
)
_WEBUTILITY = TypeInfo(
    "System.Net.WebUtility",
    UNKNOWN,
    None,
    {
        "UrlEncode": _method(encoding.url_encode, STRING),
        "UrlDecode": _method(encoding.url_decode, STRING),
        "HtmlEncode": _method(encoding.html_encode, STRING),
        "HtmlDecode": _method(encoding.html_decode, STRING),
        "UrlEncodeToBytes": _method(encoding.url_encode_to_bytes, BYTES),
        "UrlDecodeToBytes": _method(encoding.url_decode_to_bytes, BYTES),
    },
)

# --- Uri, Guid, Random ---------------------------------------------------------------------------

URI = _stype(uri.Uri)
_URI = _type(
    "System.Uri",
    uri.Uri,
    {
        "EscapeDataString": _method(uri.escape_data_string, STRING),
        "UnescapeDataString": _method(uri.unescape_data_string, STRING),
        "EscapeUriString": _method(uri.escape_uri_string, STRING),
        "CheckSchemeName": _method(uri.check_scheme_name, BOOL),
        "UriSchemeHttp": _value("http", STRING),
        "UriSchemeHttps": _value("https", STRING),
        "SchemeDelimiter": _value("://", STRING),
    },
    uri.new_uri,
)
GUID = _stype(guid.Guid)
_GUID = _type(
    "System.Guid",
    guid.Guid,
    {
        "Empty": _value(guid.EMPTY, GUID),
        "NewGuid": _method(guid.new_guid, GUID),
        "Parse": _method(guid.parse, GUID),
        "ParseExact": _method(guid.parse_exact, GUID),
        "TryParse": _method(guid.try_parse, BOOL, outs=1),
        "TryParseExact": _method(guid.try_parse_exact, BOOL, outs=1),
    },
    guid.new,
    value_type=True,
    default=guid.EMPTY,
)
_RANDOM = _type("System.Random", guid.Random, {}, guid.Random)

# --- Regex ---------------------------------------------------------------------------------------

MATCH = _stype(regexp.Match)
_NS = "System.Text.RegularExpressions."
_REGEX_TYPES = (
    _type(
        _NS + "Regex",
        regexp.Regex,
        {
            "IsMatch": _method(regexp.is_match, BOOL),
            "Match": _method(regexp.match, MATCH),
            "Matches": _method(regexp.matches, _stype(regexp.MatchCollection)),
            "Replace": _method(regexp.replace, STRING),
            "Split": _method(regexp.split, array_of(STRING)),
            "Unescape": _method(regexp.unescape, STRING),
        },
        regexp.new_regex,
    ),
    _type(_NS + "Match", regexp.Match, {"Empty": _value(regexp.EMPTY_MATCH, MATCH)}),
    _type(_NS + "Group", regexp.Group),
    _type(_NS + "Capture", regexp.Capture),
    _type(_NS + "GroupCollection", regexp.GroupCollection),
    _type(_NS + "CaptureCollection", regexp.CaptureCollection),
    TypeInfo.enum(regexp.REGEX_OPTIONS),
)

# --- cryptography --------------------------------------------------------------------------------

_CRYPTO = "System.Security.Cryptography."
HASH = _stype(crypto.HashAlgorithm)
HMAC = _stype(crypto.Hmac)


def _hash_types() -> list[TypeInfo]:
    infos = [
        _type(_CRYPTO + "HashAlgorithm", crypto.HashAlgorithm),
        TypeInfo(
            _CRYPTO + "KeyedHashAlgorithm",
            HMAC,
            CsTypeRef(_CRYPTO + "KeyedHashAlgorithm", (crypto.Hmac,)),
        ),
        TypeInfo(_CRYPTO + "HMAC", HMAC, CsTypeRef(_CRYPTO + "HMAC", (crypto.Hmac,))),
    ]
    for name in ("MD5", "SHA1", "SHA256", "SHA384", "SHA512"):
        algorithm = name.lower()
        ref = CsTypeRef(_CRYPTO + name, (crypto.HashAlgorithm,))
        statics = {
            "Create": _method(crypto.hash_factory(algorithm), HASH),
            "HashData": _method(crypto.hash_data(algorithm), BYTES),
        }
        infos.append(TypeInfo(_CRYPTO + name, HASH, ref, statics))
        if name != "MD5":
            managed = _CRYPTO + name + "Managed"
            infos.append(
                TypeInfo(
                    managed,
                    HASH,
                    CsTypeRef(managed, (crypto.HashAlgorithm,)),
                    {},
                    crypto.hash_factory(algorithm),
                )
            )
        keyed = _CRYPTO + "HMAC" + name
        infos.append(
            TypeInfo(
                keyed,
                HMAC,
                CsTypeRef(keyed, (crypto.Hmac,)),
                {"HashData": _method(crypto.hmac_data(algorithm), BYTES)},
                crypto.hmac_factory(algorithm),
            )
        )
    return infos


# --- System.Array's static members (its instance members are in `arrays`) ---------------------

_ARRAY = TypeInfo(
    "System.Array",
    SType("System.Array", CsArray),
    CsTypeRef("System.Array", (CsArray,)),
    {
        "Copy": _method(arraystatics.copy, UNKNOWN),
        "Exists": _method(arraystatics.exists, BOOL),
        "TrueForAll": _method(arraystatics.true_for_all, BOOL),
        "Find": _method(arraystatics.find, UNKNOWN),
        "FindIndex": _method(arraystatics.find_index, INT),
        "IndexOf": _method(arraystatics.index_of, INT),
        "Reverse": _method(arraystatics.reverse, UNKNOWN),
        "Empty": StaticMember(arraystatics.empty, UNKNOWN, generic=True, of_type_arg=array_of),
    },
)

# --- System.Linq.Enumerable's generators (its extension methods are instance members) ----------

_ENUMERABLE = TypeInfo(
    "System.Linq.Enumerable",
    UNKNOWN,
    None,
    {
        "Range": _method(enumerable.range_, sequence_of(INT)),
        "Repeat": _method(enumerable.repeat, sequence_of(UNKNOWN)),
        "Empty": StaticMember(
            enumerable.empty,
            UNKNOWN,
            generic=True,
            of_type_arg=sequence_of,
        ),
    },
)

# --- APIM's own types ----------------------------------------------------------------------------

_APIM = (
    _type("Jwt", auth.Jwt),
    _type("BasicAuthCredentials", auth.BasicAuthCredentials),
)


def _replace_statics(
    name: str, extra: dict[str, StaticMember], ctor: Callable[..., object] | None = None
) -> TypeInfo:
    info = IMPLEMENTED[name]
    return TypeInfo(
        info.full_name, info.stype, info.ref, {**info.statics, **extra}, ctor or info.ctor
    )


register(
    _DATETIME,
    _TIMESPAN,
    _DATETIMEOFFSET,
    TypeInfo.enum({"Utc": dates.UTC}),
    TypeInfo.enum(_MIDPOINT),
    TypeInfo.enum(uri.URI_PARTIAL),
    _MATH,
    _CONVERT,
    _BITCONVERTER,
    _ENCODING,
    _WEBUTILITY,
    _URI,
    _GUID,
    _RANDOM,
    _ENUMERABLE,
    _ARRAY,
    nullables.NULLABLE,
    *_REGEX_TYPES,
    *_hash_types(),
    *_APIM,
    _replace_statics("System.Double", _DOUBLE_STATICS),
    _replace_statics(
        "System.String",
        {name: _method(fn, STRING) for name, fn in strings_more.STRING_STATICS.items()},
        strings.new_string,
    ),
    _replace_statics(
        "System.Boolean",
        {
            "Parse": _method(scalars.parse_bool, BOOL),
            "TryParse": _method(scalars.try_parse_bool, BOOL, outs=1),
        },
    ),
)
_ = (REFS, BYTES)
