"""Type names in expressions: APIM's allow-list, what we implement, and the rest.

A type name (in `System.IO.File.ReadAllText`, a cast, `new T()`, `typeof(T)`, `M<T>`) is
* implemented -> a `TypeInfo` with its static members;
* on APIM's allow-list (apim-reference §3.3) but not implemented yet -> NotSupportedError;
* anything else -> "Usage of type 'X' is not supported within expressions", as APIM says at save.
Short names resolve against every allowed namespace (APIM imports them implicitly).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import exceptions as exc
from . import strings
from .static import BOOL, CHAR, DOUBLE, INT, LONG, OBJECT, REFS, STRING, SType, class_stype
from .types import CsObject, CsTypeRef


def _names(text: str) -> list[str]:
    return text.split()


_ALLOWED = _names(
    """
Newtonsoft.Json.Formatting Newtonsoft.Json.JsonConvert Newtonsoft.Json.Linq.Extensions
Newtonsoft.Json.Linq.JArray Newtonsoft.Json.Linq.JConstructor Newtonsoft.Json.Linq.JContainer
Newtonsoft.Json.Linq.JObject Newtonsoft.Json.Linq.JProperty Newtonsoft.Json.Linq.JRaw
Newtonsoft.Json.Linq.JToken Newtonsoft.Json.Linq.JTokenType Newtonsoft.Json.Linq.JValue
System.Array System.BitConverter System.Boolean System.Byte System.Char System.Convert
System.DateTime System.DateTimeKind System.DateTimeOffset System.Decimal System.Double System.Enum
System.Exception System.Guid System.Int16 System.Int32 System.Int64 System.Math
System.MidpointRounding System.Nullable System.Random System.SByte System.Single System.String
System.StringComparer System.StringComparison System.StringSplitOptions System.TimeSpan
System.TimeZone System.TimeZoneInfo System.Tuple System.UInt16 System.UInt32 System.UInt64
System.Uri System.UriPartial System.Object System.Collections.Generic.Dictionary
System.Collections.Generic.HashSet System.Collections.Generic.ICollection
System.Collections.Generic.IDictionary System.Collections.Generic.IEnumerable
System.Collections.Generic.IEnumerator System.Collections.Generic.IList
System.Collections.Generic.IReadOnlyCollection System.Collections.Generic.IReadOnlyDictionary
System.Collections.Generic.ISet System.Collections.Generic.KeyValuePair
System.Collections.Generic.List System.Collections.Generic.Queue System.Collections.Generic.Stack
System.IO.StringReader System.IO.StringWriter System.Linq.Enumerable System.Net.IPAddress
System.Net.WebUtility System.Security.Cryptography.AsymmetricAlgorithm
System.Security.Cryptography.CipherMode System.Security.Cryptography.HashAlgorithm
System.Security.Cryptography.HashAlgorithmName System.Security.Cryptography.HMAC
System.Security.Cryptography.HMACMD5 System.Security.Cryptography.HMACSHA1
System.Security.Cryptography.HMACSHA256 System.Security.Cryptography.HMACSHA384
System.Security.Cryptography.HMACSHA512 System.Security.Cryptography.KeyedHashAlgorithm
System.Security.Cryptography.MD5 System.Security.Cryptography.Oid
System.Security.Cryptography.PaddingMode System.Security.Cryptography.RNGCryptoServiceProvider
System.Security.Cryptography.RSA System.Security.Cryptography.RSAEncryptionPadding
System.Security.Cryptography.RSASignaturePadding System.Security.Cryptography.SHA1
System.Security.Cryptography.SHA1Managed System.Security.Cryptography.SHA256
System.Security.Cryptography.SHA256Managed System.Security.Cryptography.SHA384
System.Security.Cryptography.SHA384Managed System.Security.Cryptography.SHA512
System.Security.Cryptography.SHA512Managed System.Security.Cryptography.SymmetricAlgorithm
System.Security.Cryptography.X509Certificates.PublicKey
System.Security.Cryptography.X509Certificates.RSACertificateExtensions
System.Security.Cryptography.X509Certificates.X500DistinguishedName
System.Security.Cryptography.X509Certificates.X509Certificate
System.Security.Cryptography.X509Certificates.X509Certificate2
System.Security.Cryptography.X509Certificates.X509ContentType
System.Security.Cryptography.X509Certificates.X509NameType System.Text.Encoding
System.Text.StringBuilder System.Text.RegularExpressions.Capture
System.Text.RegularExpressions.CaptureCollection System.Text.RegularExpressions.Group
System.Text.RegularExpressions.GroupCollection System.Text.RegularExpressions.Match
System.Text.RegularExpressions.Regex System.Text.RegularExpressions.RegexOptions
System.Xml.Linq.Extensions System.Xml.Linq.XAttribute System.Xml.Linq.XCData
System.Xml.Linq.XComment System.Xml.Linq.XContainer System.Xml.Linq.XDeclaration
System.Xml.Linq.XDocument System.Xml.Linq.XDocumentType System.Xml.Linq.XElement
System.Xml.Linq.XName System.Xml.Linq.XNamespace System.Xml.Linq.XNode System.Xml.Linq.XObject
System.Xml.Linq.XProcessingInstruction System.Xml.Linq.XText System.Xml.XmlNodeType
"""
)

# Well-known types outside the allow-list, so that short names get APIM's full-name message.
_FORBIDDEN = _names(
    """
System.Activator System.AppDomain System.Console System.Environment System.GC System.Type
System.Delegate System.Action System.Func System.IntPtr System.Lazy System.Buffer System.IO.File
System.IO.Directory System.IO.Path System.IO.FileStream System.IO.StreamReader
System.IO.StreamWriter System.IO.FileInfo System.IO.DirectoryInfo System.IO.Stream
System.Diagnostics.Process System.Diagnostics.ProcessStartInfo System.Diagnostics.Debugger
System.Net.WebClient System.Net.WebRequest System.Net.HttpWebRequest System.Net.Dns
System.Net.Http.HttpClient System.Net.Sockets.Socket System.Net.Sockets.TcpClient
System.Reflection.Assembly System.Reflection.MethodInfo System.Reflection.BindingFlags
System.Runtime.InteropServices.Marshal System.Threading.Thread System.Threading.Tasks.Task
System.Globalization.CultureInfo System.Text.Json.JsonSerializer
System.UriKind System.UriHostNameType System.UriComponents System.UriFormat
System.Globalization.DateTimeStyles System.Globalization.TimeSpanStyles
Newtonsoft.Json.Linq.JsonMergeSettings
System.Security.Cryptography.X509Certificates.X509Chain
System.Security.Cryptography.X509Certificates.X509Store System.Web.HttpUtility
"""
)

NAMESPACES = frozenset(
    {
        name.rsplit(".", i)[0]
        for name in _ALLOWED + _FORBIDDEN
        for i in range(1, name.count(".") + 1)
    }
    | {"Microsoft", "Microsoft.Win32", "System.Runtime", "System.Threading", "System.Web"}
)
KEYWORDS = {
    "string": "System.String",
    "int": "System.Int32",
    "long": "System.Int64",
    "bool": "System.Boolean",
    "double": "System.Double",
    "char": "System.Char",
    "object": "System.Object",
    "float": "System.Single",
    "decimal": "System.Decimal",
    "byte": "System.Byte",
    "sbyte": "System.SByte",
    "short": "System.Int16",
    "ushort": "System.UInt16",
    "uint": "System.UInt32",
    "ulong": "System.UInt64",
}


# Types registered with every .NET member (the enums): a member they lack does not exist.
_COMPLETE: set[str] = set()


@dataclass(frozen=True, slots=True)
class StaticMember:
    value: object  # the function (methods) or the value (properties, enum members)
    result: SType
    is_method: bool = True
    outs: int = 0  # trailing `out` parameters; the function returns (result, outs...)
    generic: bool = False  # `M<T>(...)`: the function receives `type_args=` (DeserializeObject<T>)
    dynamic: bool = False  # a property read at run time (`value()`), e.g. DateTime.UtcNow
    # result type from the argument types (overloads: Math.Max(int, int) is int); None: `result`
    typer: Callable[[tuple[SType, ...]], SType] | None = None
    # generic: result type from the type argument's (`Empty<T>` is IEnumerable<T>); None: T itself
    of_type_arg: Callable[[SType], SType] | None = None
    # the function also receives `arg_types=`, the arguments' static .NET type names, for
    # overloads that only the static type tells apart (`BitConverter.GetBytes(long)`)
    arg_types: bool = False


@dataclass(frozen=True)
class TypeInfo:
    full_name: str
    stype: SType  # static type of its instances
    ref: CsTypeRef | None  # runtime test for casts / type arguments; None: not usable there yet
    statics: dict[str, StaticMember] = field(default_factory=dict)
    ctor: Callable[..., object] | None = None  # `new T(args)`; None: not creatable (yet)

    @classmethod
    def of(
        cls,
        runtime: type[CsObject],
        statics: dict[str, StaticMember] | None = None,
        ctor: Callable[..., object] | None = None,
    ) -> TypeInfo:
        """The type a runtime class stands for, named by its `CS_TYPE`."""
        ref = CsTypeRef(runtime.CS_TYPE, (runtime,))
        return cls(runtime.CS_TYPE, class_stype(runtime), ref, statics or {}, ctor)

    @classmethod
    def enum(cls, members: Mapping[str, strings.CsEnum]) -> TypeInfo:
        """An enum type from its named values: a value type whose default is the value 0."""
        runtime = type(next(iter(members.values())))
        stype = class_stype(runtime)
        statics = {k: StaticMember(v, stype, is_method=False) for k, v in members.items()}
        default = runtime.cs_from_integer(0)
        ref = CsTypeRef(runtime.CS_TYPE, (runtime,), default, is_value_type=True)
        _COMPLETE.add(runtime.CS_TYPE)
        return cls(runtime.CS_TYPE, stype, ref, statics)


class OverloadRefused(Exception):
    """Raised by a `StaticMember.typer` for an overload APIM's allow-list takes out; the
    compiler reports `message` at the call's position."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TypeLookupError(Exception):
    def __init__(self, message: str, *, supported_later: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.supported_later = supported_later  # True: allowed by APIM, not implemented yet


def _parse_int(bits: int) -> Callable[[object], int]:
    """int.Parse / long.Parse (NumberStyles.Integer: see `numbers.parse_integer`)."""
    from .numbers import parse_integer  # noqa: PLC0415 - import cycle

    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    name = "an Int32" if bits == 32 else "an Int64"

    def parse(text: object) -> int:
        return parse_integer(text, low, high, name)

    return parse


def _try_parse(parse: Callable[[object], int]) -> Callable[[object], tuple[bool, int]]:
    def try_parse(text: object) -> tuple[bool, int]:
        try:
            return True, parse(text)
        except exc.ExpressionRuntimeError:
            return False, 0

    return try_parse


def _parse_bool(text: object) -> bool:
    if text is None:
        raise exc.argument_null("value")
    value = str(text).strip().lower() if type(text) is str else None
    if value not in ("true", "false"):
        raise exc.format_error(f"String '{text}' was not recognized as a valid Boolean.")
    return value == "true"


def _int_statics(bits: int, stype: SType) -> dict[str, StaticMember]:
    parse = _parse_int(bits)
    return {
        "MaxValue": StaticMember(2 ** (bits - 1) - 1, stype, is_method=False),
        "MinValue": StaticMember(-(2 ** (bits - 1)), stype, is_method=False),
        "Parse": StaticMember(parse, stype),
        "TryParse": StaticMember(_try_parse(parse), BOOL, outs=1),
    }


def _string_static_type(name: str) -> SType:
    if name.startswith("Compare"):
        return INT
    return BOOL if name.startswith(("Is", "Equals")) else STRING


# their `params object[]` overloads are chosen by the arguments' static types
_PARAMS_OBJECT = frozenset({"Format", "Join", "Concat"})
_STRING_STATICS = {
    name: StaticMember(fn, _string_static_type(name), arg_types=name in _PARAMS_OBJECT)
    for name, fn in strings.STRING_STATICS.items()
} | {"Empty": StaticMember("", STRING, is_method=False)}

IMPLEMENTED: dict[str, TypeInfo] = {
    info.full_name: info
    for info in (
        TypeInfo("System.String", STRING, REFS["System.String"], _STRING_STATICS),
        TypeInfo("System.Int32", INT, REFS["System.Int32"], _int_statics(32, INT)),
        TypeInfo("System.Int64", LONG, REFS["System.Int64"], _int_statics(64, LONG)),
        TypeInfo(
            "System.Boolean",
            BOOL,
            REFS["System.Boolean"],
            {
                "Parse": StaticMember(_parse_bool, BOOL),
                "TrueString": StaticMember("True", STRING, is_method=False),
                "FalseString": StaticMember("False", STRING, is_method=False),
            },
        ),
        TypeInfo("System.Double", DOUBLE, REFS["System.Double"]),
        TypeInfo("System.Char", CHAR, REFS["System.Char"]),
        TypeInfo("System.Object", OBJECT, REFS["System.Object"]),
        TypeInfo.enum(strings.STRING_COMPARISON),
        TypeInfo.enum(strings.STRING_SPLIT_OPTIONS),
    )
}
_SHORT: dict[str, str] = {name.rsplit(".", 1)[-1]: name for name in _FORBIDDEN + _ALLOWED}
# short names two imported namespaces share (csc: CS0104): `Extensions` (Json.NET, LINQ to XML)
_AMBIGUOUS = {
    short: sorted(full for full in _FORBIDDEN + _ALLOWED if full.endswith("." + short))
    for short in ("Extensions",)
}


def register(*infos: TypeInfo) -> None:
    """Add implemented types (the .NET runtime modules register theirs, see `bcl`); a type
    outside the allow-list (APIM's own `Jwt`, ...) also gets its short name."""
    for info in infos:
        IMPLEMENTED[info.full_name] = info
        _RUNTIME_TYPES.add(info.full_name)
        _SHORT.setdefault(info.full_name.rsplit(".", 1)[-1], info.full_name)


_RUNTIME_TYPES: set[str] = set()  # registered by the runtime modules (`register`)


# Allowed types whose members APIM lists one by one (spec §3.3); every other allowed type: "All".
_PARTIAL_MEMBERS: dict[str, frozenset[str]] = {
    name: frozenset(members.split())
    for name, members in {
        "System.DateTime": "Add AddDays AddHours AddMilliseconds AddMinutes AddMonths AddSeconds "
        "AddTicks AddYears Date Day DayOfWeek DayOfYear DaysInMonth Hour IsDaylightSavingTime "
        "IsLeapYear MaxValue Millisecond Minute MinValue Month Now Parse Second Subtract Ticks "
        "TimeOfDay Today ToString UtcNow Year",
        "System.DateTimeKind": "Utc",
        "System.Enum": "Parse TryParse ToString",
        "Newtonsoft.Json.JsonConvert": "SerializeObject DeserializeObject",
        "System.Net.IPAddress": "AddressFamily Equals GetAddressBytes IsLoopback Parse TryParse "
        "ToString",
        "System.Security.Cryptography.X509Certificates.X500DistinguishedName": "Name",
        "System.Text.RegularExpressions.Capture": "Index Length Value",
        "System.Text.RegularExpressions.CaptureCollection": "Count Item",
        "System.Text.RegularExpressions.Group": "Captures Success Index Length Value",
        "System.Text.RegularExpressions.GroupCollection": "Count Item",
        "System.Text.RegularExpressions.Match": "Empty Groups Result Captures Success Index "
        "Length Value",
        "System.Text.RegularExpressions.Regex": "IsMatch Match Matches Replace Unescape Split",
    }.items()
}


_NUMBER_MEMBERS = """CompareTo Equals GetHashCode GetTypeCode ToString TryFormat MaxValue
    MinValue Parse TryParse Abs Clamp CopySign CreateChecked CreateSaturating CreateTruncating
    IsNegative IsPositive Max MaxMagnitude Min MinMagnitude Sign IsCanonical IsComplexNumber
    IsFinite IsImaginaryNumber IsInfinity IsInteger IsNaN IsNegativeInfinity IsNormal
    IsPositiveInfinity IsRealNumber IsSubnormal IsZero"""
_INTEGER_MEMBERS = (
    _NUMBER_MEMBERS
    + """ DivRem IsEvenInteger IsOddInteger IsPow2
    LeadingZeroCount Log2 PopCount RotateLeft RotateRight TrailingZeroCount"""
)
# Allowed types whose .NET members are listed here, so that one certgate lacks is "not supported
# yet" and a name .NET does not have (a typo: `"abc".Lenght`) is refused, as csc refuses it.
# The certificate is a view; the others are the types whose members policies call most.
_NET_MEMBERS: dict[str, frozenset[str]] = {
    "System.String": frozenset(
        _names(
            """Length Chars Clone CompareTo Contains CopyTo EndsWith EnumerateRunes Equals
        GetEnumerator GetHashCode GetPinnableReference GetTypeCode IndexOf IndexOfAny Insert
        IsNormalized LastIndexOf LastIndexOfAny Normalize PadLeft PadRight Remove Replace
        ReplaceLineEndings Split StartsWith Substring ToCharArray ToLower ToLowerInvariant
        ToString ToUpper ToUpperInvariant Trim TrimEnd TrimStart TryCopyTo Compare
        CompareOrdinal Concat Copy Create Empty Format Intern IsInterned IsNullOrEmpty
        IsNullOrWhiteSpace Join"""
        )
    ),
    "System.Math": frozenset(
        _names(
            """Abs Acos Acosh Asin Asinh Atan Atan2 Atanh BigMul BitDecrement BitIncrement Cbrt
        Ceiling Clamp CopySign Cos Cosh DivRem E Exp Floor FusedMultiplyAdd IEEERemainder ILogB
        Log Log10 Log2 Max MaxMagnitude Min MinMagnitude PI Pow ReciprocalEstimate
        ReciprocalSqrtEstimate Round ScaleB Sign Sin SinCos Sinh Sqrt Tan Tanh Tau Truncate"""
        )
    ),
    "System.Int32": frozenset(_names(_INTEGER_MEMBERS)),
    "System.Int64": frozenset(_names(_INTEGER_MEMBERS)),
    "System.Double": frozenset(
        _names(
            _NUMBER_MEMBERS
            + """ Epsilon NaN NegativeInfinity PositiveInfinity NegativeZero E Pi Tau Acos Acosh
        Asin Asinh Atan Atan2 Atanh BitDecrement BitIncrement Cbrt Ceiling Cos Cosh Exp Floor
        FusedMultiplyAdd Hypot Ieee754Remainder ILogB Lerp Log Log10 Log2 Pow Round ScaleB Sin
        Sinh Sqrt Tan Tanh Truncate IsEvenInteger IsOddInteger IsPow2 ConvertToInteger
        ConvertToIntegerNative DegreesToRadians RadiansToDegrees"""
        )
    ),
    "System.Boolean": frozenset(
        _names(
            "CompareTo Equals GetHashCode GetTypeCode ToString TryFormat Parse TryParse "
            "FalseString TrueString"
        )
    ),
    "System.Security.Cryptography.X509Certificates.X509Certificate2": frozenset(
        _names(
            """Archived Extensions FriendlyName HasPrivateKey Issuer IssuerName NotAfter NotBefore
        PrivateKey PublicKey RawData SerialNumber SignatureAlgorithm Subject SubjectName
        Thumbprint Version Handle Equals Export GetCertHash GetCertHashString
        GetEffectiveDateString GetExpirationDateString GetFormat GetHashCode GetKeyAlgorithm
        GetKeyAlgorithmParameters GetKeyAlgorithmParametersString GetNameInfo GetPublicKey
        GetPublicKeyString GetRawCertData GetRawCertDataString GetSerialNumber
        GetSerialNumberString ToString Verify GetRSAPublicKey GetRSAPrivateKey
        GetECDsaPublicKey GetECDsaPrivateKey"""
        )
    ),
}
# LINQ's extension methods (.NET 8), which every sequence has, and the public members of the
# generic collections APIM allows whole: one certgate lacks is "not supported yet".
_LINQ_NAMES = """Aggregate All Any Append AsEnumerable Average Cast Chunk Concat Contains Count
    DefaultIfEmpty Distinct DistinctBy ElementAt ElementAtOrDefault Except ExceptBy First
    FirstOrDefault GroupBy GroupJoin Intersect IntersectBy Join Last LastOrDefault LongCount Max
    MaxBy Min MinBy OfType Order OrderBy OrderByDescending OrderDescending Prepend Reverse Select
    SelectMany SequenceEqual Single SingleOrDefault Skip SkipLast SkipWhile Sum Take TakeLast
    TakeWhile ThenBy ThenByDescending ToArray ToDictionary ToHashSet ToList ToLookup
    TryGetNonEnumeratedCount Union UnionBy Where Zip Equals GetHashCode ToString GetEnumerator"""
_GENERIC = "System.Collections.Generic."
_ICOLLECTION = "Count IsReadOnly Add Clear Contains CopyTo Remove"
# an array: System.Array's members and LINQ's (`headers["Accept"].Split(',')` is refused: the
# value is a string[])
_NET_MEMBERS["System.Array"] = frozenset(
    _names(
        _LINQ_NAMES
        + """ IsFixedSize IsReadOnly IsSynchronized Length LongLength Rank SyncRoot Clone CopyTo
        GetLength GetLongLength GetLowerBound GetUpperBound GetValue Initialize SetValue AsReadOnly
        BinarySearch Clear ConstrainedCopy ConvertAll Copy CreateInstance Empty Exists Fill Find
        FindAll FindIndex FindLast FindLastIndex ForEach IndexOf LastIndexOf Resize Sort
        TrueForAll"""
    )
)
_NET_MEMBERS["System.Guid"] = frozenset(
    _names(
        """Empty CompareTo Equals GetHashCode ToByteArray ToString TryFormat TryWriteBytes NewGuid
        Parse ParseExact TryParse TryParseExact"""
    )
)
_NET_MEMBERS.update(
    {
        _GENERIC + name: frozenset(_names(_LINQ_NAMES + " " + members))
        for name, members in {
            "IEnumerable": "",
            "IReadOnlyCollection": "Count",
            "ICollection": _ICOLLECTION,
            "IList": _ICOLLECTION + " Item IndexOf Insert RemoveAt",
            "ISet": _ICOLLECTION
            + """ ExceptWith IntersectWith IsProperSubsetOf IsProperSupersetOf IsSubsetOf
            IsSupersetOf Overlaps SetEquals SymmetricExceptWith UnionWith""",
            "IDictionary": _ICOLLECTION + " Item Keys Values ContainsKey TryGetValue",
            "IReadOnlyDictionary": """Count Item Keys Values ContainsKey TryGetValue
            GetValueOrDefault""",
            "List": """Capacity Count Add AddRange AsReadOnly BinarySearch Clear Contains
            ConvertAll CopyTo EnsureCapacity Exists Find FindAll FindIndex FindLast FindLastIndex
            ForEach GetRange IndexOf Insert InsertRange LastIndexOf Remove RemoveAll RemoveAt
            RemoveRange Reverse Slice Sort TrimExcess TrueForAll""",
            "Dictionary": """Comparer Count Keys Values Add Clear ContainsKey ContainsValue
            EnsureCapacity GetObjectData GetValueOrDefault OnDeserialization Remove TrimExcess
            TryAdd TryGetValue""",
            "HashSet": """Comparer Count Add Clear Contains CopyTo CreateSetComparer EnsureCapacity
            ExceptWith GetObjectData IntersectWith IsProperSubsetOf IsProperSupersetOf IsSubsetOf
            IsSupersetOf OnDeserialization Overlaps Remove RemoveWhere SetEquals
            SymmetricExceptWith TrimExcess TryGetValue UnionWith""",
            "Queue": """Count Clear Contains CopyTo Dequeue Enqueue EnsureCapacity Peek ToArray
            TrimExcess TryDequeue TryPeek""",
            "Stack": """Count Clear Contains CopyTo EnsureCapacity Peek Pop Push ToArray
            TrimExcess TryPeek TryPop""",
        }.items()
    }
)
_NET_MEMBERS["System.Linq.Enumerable"] = frozenset(_names(_LINQ_NAMES + " Empty Range Repeat"))
_NET_MEMBERS[_GENERIC + "IEnumerator"] = frozenset(
    _names("Current MoveNext Reset Dispose Equals GetHashCode GetType ToString")
)
_NET_MEMBERS[_GENERIC + "KeyValuePair"] = frozenset(
    _names("Key Value Deconstruct Equals GetHashCode ToString")
)


def _members_of(namespace: str, members: dict[str, str]) -> dict[str, frozenset[str]]:
    return {namespace + name: frozenset(_names(text)) for name, text in members.items()}


# Json.NET 13's public members (from its sources and, for the names 6.0.8 shares, Mono's copy
# by reflection), with LINQ's and Linq.Extensions' (a token is an IEnumerable<JToken>):
# `jarray.ContainsKey("a")` is refused, as csc refuses it.
_JTOKEN = " ".join(
    (
        _LINQ_NAMES,
        """AddAfterSelf AddAnnotation AddBeforeSelf AfterSelf Ancestors AncestorsAndSelf Annotation
    Annotations AsJEnumerable BeforeSelf Children CreateReader DeepClone DeepEquals
    EqualityComparer First FromObject GetType HasValues Item Last Load LoadAsync Next Parent Parse
    Path Previous ReadFrom ReadFromAsync ReferenceEquals Remove RemoveAnnotations Replace Root
    SelectToken SelectTokens ToObject Type Value Values WriteTo WriteToAsync""",
    )
)
_JCONTAINER = (
    _JTOKEN
    + """ Add AddFirst AddingNew CollectionChanged Count CreateWriter Descendants
    DescendantsAndSelf ListChanged Merge RemoveAll ReplaceAll"""
)
_JVALUE = _JTOKEN + " CompareTo CreateComment CreateNull CreateString CreateUndefined"
_JSON_LINQ = "Newtonsoft.Json.Linq."
_NET_MEMBERS.update(
    _members_of(
        _JSON_LINQ,
        {
            "JToken": _JTOKEN,
            "JContainer": _JCONTAINER,
            "JObject": _JCONTAINER
            + """ ContainsKey GetValue Properties Property PropertyChanged PropertyChanging
            PropertyValues TryGetValue""",
            "JArray": _JCONTAINER + " Clear Contains CopyTo IndexOf Insert IsReadOnly RemoveAt",
            "JProperty": _JCONTAINER + " Name",
            "JConstructor": _JCONTAINER + " Name",
            "JValue": _JVALUE,
            "JRaw": _JVALUE + " Create CreateAsync",
        },
    )
)
# LINQ to XML's public members (Mono's System.Xml.Linq by reflection; .NET 8 has the same names)
_XOBJECT = """AddAnnotation Annotation Annotations BaseUri Changed Changing Document Equals
    GetHashCode GetType NodeType Parent ReferenceEquals RemoveAnnotations ToString"""
_XNODE = (
    _XOBJECT
    + """ AddAfterSelf AddBeforeSelf Ancestors CompareDocumentOrder CreateReader DeepEquals
    DocumentOrderComparer ElementsAfterSelf ElementsBeforeSelf EqualityComparer IsAfter IsBefore
    NextNode NodesAfterSelf NodesBeforeSelf PreviousNode ReadFrom ReadFromAsync Remove
    ReplaceWith WriteTo WriteToAsync"""
)
_XCONTAINER = (
    _XNODE
    + """ Add AddFirst CreateWriter DescendantNodes Descendants Element Elements FirstNode
    LastNode Nodes RemoveNodes ReplaceNodes"""
)
_XML_LINQ = "System.Xml.Linq."
_NET_MEMBERS.update(
    _members_of(
        _XML_LINQ,
        {
            "XObject": _XOBJECT,
            "XNode": _XNODE,
            "XContainer": _XCONTAINER,
            "XElement": _XCONTAINER
            + """ AncestorsAndSelf Attribute Attributes DescendantNodesAndSelf
            DescendantsAndSelf EmptySequence FirstAttribute GetDefaultNamespace
            GetNamespaceOfPrefix GetPrefixOfNamespace HasAttributes HasElements IsEmpty
            LastAttribute Load LoadAsync Name Parse RemoveAll RemoveAttributes ReplaceAll
            ReplaceAttributes Save SaveAsync SetAttributeValue SetElementValue SetValue Value""",
            "XDocument": _XCONTAINER
            + " Declaration DocumentType Load LoadAsync Parse Root Save SaveAsync",
            "XAttribute": _XOBJECT
            + """ EmptySequence IsNamespaceDeclaration Name NextAttribute PreviousAttribute
            Remove SetValue Value""",
            "XText": _XNODE + " Value",
            "XCData": _XNODE + " Value",
            "XComment": _XNODE + " Value",
            "XProcessingInstruction": _XNODE + " Data Target",
            "XDocumentType": _XNODE + " InternalSubset Name PublicId SystemId",
            "XName": "Equals Get GetHashCode GetType LocalName Namespace NamespaceName ToString",
            "XNamespace": """Equals Get GetHashCode GetName GetType NamespaceName None ToString
            Xml Xmlns""",
            "XDeclaration": "Encoding Equals GetHashCode GetType Standalone ToString Version",
        },
    )
)
# Allowed types with "All except" members (spec §3.3).
_EXCEPT_MEMBERS: dict[str, frozenset[str]] = {"System.Xml.Linq.XDocument": frozenset({"Load"})}


def json_lacks(type_name: str, member: str) -> bool:
    """Does a Json.NET token or LINQ to XML type lack `member`? certgate's classes share their
    methods down the hierarchy, where .NET's do not (`jvalue.Descendants()` is refused by csc).
    (Other listed types take APIM's extension methods: `"...".AsJwt()`, `bytes.Encrypt(...)`.)"""
    members = _NET_MEMBERS.get(type_name)
    own = type_name.startswith((_JSON_LINQ, _XML_LINQ))
    return own and members is not None and member not in members


def member_allowed(type_name: str, member: str) -> bool:
    """For a registered runtime type: is `member` on APIM's allow-list, so that lacking it is
    ours to fix ("not supported yet") rather than the policy's error?"""
    full = full_name(type_name) or type_name
    if full in _COMPLETE or member in _EXCEPT_MEMBERS.get(full, ()):
        return False  # every member is known (a missing one does not exist), or APIM's except
    if full in _NET_MEMBERS:
        return member in _NET_MEMBERS[full]
    if full not in _RUNTIME_TYPES:
        return False
    if full in _PARTIAL_MEMBERS:
        return member in _PARTIAL_MEMBERS[full]
    return full in _ALLOWED


def full_name(name: str) -> str | None:
    """Full .NET name for a keyword, short or qualified name; None if we do not know it."""
    if name in KEYWORDS:
        return KEYWORDS[name]
    if "." in name:
        return name
    return _SHORT.get(name)


def resolve(name: str) -> TypeInfo:
    """TypeInfo for a type name as written; raises TypeLookupError (see module docstring)."""
    if name == "dynamic":
        raise TypeLookupError("Dynamic member invocation is not supported")
    if name in _AMBIGUOUS:
        first, second = _AMBIGUOUS[name]
        raise TypeLookupError(
            f"'{name}' is an ambiguous reference between '{first}' and '{second}'"
        )
    full = full_name(name)
    if full is None:
        raise TypeLookupError(f"The type or namespace name '{name}' could not be found")
    if full in IMPLEMENTED:
        return IMPLEMENTED[full]
    if full in _ALLOWED:
        raise TypeLookupError(f"type '{full}'", supported_later=True)
    raise TypeLookupError(f"Usage of type '{full}' is not supported within expressions")


def is_namespace(name: str) -> bool:
    return name in NAMESPACES
