"""Registers the remaining allow-listed statics of TimeSpan, DateTimeOffset, Uri, Json.NET and
LINQ to XML, and the statics each of their subclasses inherits, as C# resolves `JValue.Parse`
to `JToken.Parse` and `XElement.DeepEquals` to `XNode.DeepEquals`.

Imported once by `compiler`, after `bcl`, `jsonconvert` and `xlinq` have registered the types.
"""

from __future__ import annotations

from . import bcl, datefmt, jsonconvert, tsparse, uristatics, xlinq
from . import datetime as dates
from . import exceptions as exc
from .jtoken import JValue
from .static import BOOL, INT, STRING, UNKNOWN, VOID, SType, class_stype, sequence_of
from .strings import to_string
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .xtree import XNode, compare_order

_TIMESPAN = class_stype(dates.TimeSpan)
_DATETIMEOFFSET = class_stype(dates.DateTimeOffset)


def _add(type_name: str, statics: dict[str, StaticMember]) -> None:
    IMPLEMENTED[type_name].statics.update(statics)


def _inherit(base: str, *subclasses: str) -> None:
    """Each subclass sees the base's statics it does not declare itself (`new` hides)."""
    for name in subclasses:
        own = IMPLEMENTED[name].statics
        for member, static in IMPLEMENTED[base].statics.items():
            own.setdefault(member, static)


_add(
    "System.TimeSpan",
    {
        "Compare": StaticMember(dates.compare_timespans, INT),
        "Equals": StaticMember(dates.timespans_equal, BOOL),
        "ParseExact": StaticMember(tsparse.parse_exact, _TIMESPAN),
        "TryParseExact": StaticMember(tsparse.try_parse_exact, BOOL, outs=1),
    },
)
_add(
    "System.DateTimeOffset",
    {
        "Compare": StaticMember(dates.compare_offsets, INT),
        "Equals": StaticMember(dates.offsets_equal, BOOL),
        "FromFileTime": StaticMember(dates.from_file_time, _DATETIMEOFFSET),
        "TryParseExact": StaticMember(datefmt.try_parse_exact_datetimeoffset, BOOL, outs=1),
    },
)


_add(
    "System.Uri",
    {
        "FromHex": StaticMember(uristatics.from_hex, INT),
        "HexEscape": StaticMember(uristatics.hex_escape, STRING),
        "IsHexDigit": StaticMember(uristatics.is_hex_digit, BOOL),
        "IsHexEncoding": StaticMember(uristatics.is_hex_encoding, BOOL),
        "CheckHostName": StaticMember(
            uristatics.check_host_name, class_stype(uristatics.UriHostNameType)
        ),
        "TryCreate": StaticMember(uristatics.try_create, BOOL, outs=1),
    },
)


def _comment(text: object) -> JValue:
    """`JValue.CreateComment(s)`: a Comment token, written as `/*s*/`."""
    return JValue(None if text is None else to_string(text), "Comment")


_J = "Newtonsoft.Json.Linq."
_add(_J + "JValue", {"CreateComment": StaticMember(_comment, class_stype(JValue))})
_inherit(_J + "JToken", *(_J + name for name in ("JContainer", "JValue")))
_inherit(_J + "JContainer", *(_J + name for name in ("JObject", "JArray", "JProperty")))
_inherit(_J + "JContainer", _J + "JConstructor")
_inherit(_J + "JValue", _J + "JRaw")


def _compare_document_order(first: object, second: object) -> int:
    """`XNode.CompareDocumentOrder(n1, n2)`: null sorts first; nodes of different trees throw."""
    if first is second:
        return 0
    if first is None:
        return -1
    if second is None:
        return 1
    if not isinstance(first, XNode):
        raise exc.invalid_cast(first, XNode.CS_TYPE)
    return compare_order(first, second)


_X = "System.Xml.Linq."
_add(_X + "XNode", {"CompareDocumentOrder": StaticMember(_compare_document_order, INT)})
_inherit(_X + "XNode", *(_X + n for n in ("XText", "XComment", "XProcessingInstruction")))
_inherit(_X + "XNode", _X + "XDocumentType", _X + "XContainer")
_inherit(_X + "XText", _X + "XCData")
_inherit(_X + "XContainer", _X + "XElement", _X + "XDocument")
_NODES = sequence_of(UNKNOWN)
register(
    TypeInfo(
        _X + "Extensions",
        SType(_X + "Extensions", None),
        None,
        {
            name: StaticMember(fn, VOID if name == "Remove" else _NODES)
            for name, fn in xlinq.EXTENSIONS.items()
        },
    )
)
_ = (bcl, jsonconvert)  # imported for the types they register
