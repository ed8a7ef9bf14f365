"""Json.NET 13's JPath, JToken.Path and Date/Bytes values where Mono's Json.NET 6.0.8 cannot
show APIM's behaviour (tests/conformance/vectors/json_paths_values.yaml has the rest): `..` before
a quoted indexer, `*` before an indexer, JSON escapes in quoted names, JsonPosition's quoting,
.NET 8's exception messages, BigInteger bytes, and DateTime kinds an expression cannot make.
"""

from __future__ import annotations

import pytest

from certgate.core.expr.binary import CsBytes
from certgate.core.expr.datetime import LOCAL, UNSPECIFIED, UTC, DateTime, DateTimeOffset
from certgate.core.expr.jcontainer import JProperty
from certgate.core.expr.jobject import JObject
from certgate.core.expr.jsonconvert import serialize_object
from certgate.core.expr.jsonio import parse
from certgate.core.expr.jsonpath import parse_path, path_of, select
from certgate.core.expr.jtoken import FORMATTING, JToken, JValue
from certgate.errors import ExpressionRuntimeError

from .conftest import path_failure, text_of

TICKS_2020 = 637135310450000000  # 2020-01-02T03:04:05
NONE = FORMATTING["None"]


def texts(json: str, path: str) -> list[str]:
    return [token.ToString(NONE) for token in select(parse(json), path, False)]


# --- what JPath parses differently from 6.0.8 ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("..['a']", ["3", "1"]),  # ScanFilter: every `a` below, in document order
        ("$..['a','b']", ["3", "4", "1"]),  # ScanMultipleFilter
        ("$.x..['a']", ["3"]),
        ("..[ 'b' ]", ["4"]),
    ],
)
def test_scan_before_a_quoted_indexer(path: str, expected: list[str]) -> None:
    assert texts('{"x":{"a":3,"b":4},"a":1}', path) == expected


def test_scan_steps_and_plain_index_after_scan() -> None:
    assert parse_path("$..['a','b']") == [("deep", ["a", "b"])]
    assert parse_path("..['a']") == [("deep", "a")]
    assert parse_path("..[0]") == [("index", [0])]  # ParseArrayIndexer ignores the scan
    assert parse_path("a(1)") == [("name", "a"), ("index", [1])]
    assert parse_path("$") == [] and parse_path("") == [] and parse_path("$a") == [("name", "$a")]


def test_star_before_an_indexer_is_every_value() -> None:
    """Json.NET 13 makes a `*` part before `[` every property value (6.0.8: a property "*")."""
    assert texts('{"a":[5],"b":[6]}', "*[0]") == ["5", "6"]
    assert texts('{"a":[5]}', "..*[0]") == ["5"]
    assert texts('{"*":[7],"a":[5]}', "*[0]") == ["7", "5"]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("a\nb", "['a\\nb']"),
        ("a\tb", "['a\\tb']"),
        ("a/b", "['a\\/b']"),
        ('a"b', "['a\\\"b']"),
        ("a\\b", "['a\\\\b']"),
        ("a\bb\fc\rd", "['a\\bb\\fc\\rd']"),
    ],
)
def test_json_escapes_in_quoted_names(name: str, path: str) -> None:
    root = JObject(JProperty(name, 1))
    assert [t.ToString() for t in select(root, path, False)] == ["1"]


def test_unknown_escape_message_is_spelled_right() -> None:
    assert (
        path_failure("{}", "['a\\q']").message == "Unknown escape character: \\q"
    )  # 6.0.8: chracter


def test_indexes_inside_a_filter_path_use_the_same_parser() -> None:
    doc = '[{"a":[1,2]},{"a":[3]}]'
    assert texts(doc, "$[?(@.a[1] == 2)].a[0]") == ["1"]
    assert texts(doc, "$[?(@.a[ 0 ] == 3)].a[0]") == ["3"]
    error = path_failure(doc, "$[?(@.a[1 2] == 2)]")
    assert error.message == "Unexpected character while parsing path indexer: 2"
    assert path_failure(doc, '$[?(@["a"])]').message == (
        'Unexpected character while parsing path indexer: "'
    )


# --- .NET 8's messages for the exceptions JPath lets escape ---------------------------------------


def test_dotnet8_messages_of_escaping_exceptions() -> None:
    error = path_failure('{"a":[1,2]}', "a[-1]")
    assert error.exception_type == "ArgumentOutOfRangeException"
    assert error.message == (
        "Index was out of range. Must be non-negative and less than the size of the collection. "
        "(Parameter 'index')"
    )
    error = path_failure('{"a":[1,2]}', "a[1-]")
    assert (error.exception_type, error.message) == (
        "FormatException",
        "The input string '1-' was not in a correct format.",
    )
    error = path_failure("[1]", "[\u0663]")  # char.IsDigit, but not an ASCII digit for Int32.Parse
    assert error.exception_type == "FormatException"
    assert path_failure("[1]", " $").exception_type == "IndexOutOfRangeException"
    with pytest.raises(ExpressionRuntimeError) as info:
        parse("{}").SelectToken(None)
    assert info.value.message == "Value cannot be null. (Parameter 'expression')"


# --- SelectToken: lazy, so a later comparison error is never reached ------------------------------


def test_select_token_stops_before_a_later_comparison_error() -> None:
    root = parse('[6, 7, "2020-01-02T00:00:00Z"]')  # the last is a Date: `> 5` fails on it
    with pytest.raises(ExpressionRuntimeError) as info:
        root.SelectToken("$[?(@ > 5)]")
    assert info.value.message == "Path returned multiple tokens."
    date_first = parse('["2020-01-02T00:00:00Z", 6, 7]')
    with pytest.raises(ExpressionRuntimeError) as info:
        date_first.SelectToken("$[?(@ > 5)]")
    assert info.value.exception_type == "InvalidCastException"  # Convert.ToDateTime(5L)


def test_select_tokens_is_lazy_and_reevaluated() -> None:
    root = parse('{"a":[{"b":1},{"c":2}]}')
    tokens = root.SelectTokens("a[*].b", True)  # no error until enumerated
    iterator = iter(tokens)  # type: ignore[call-overload]
    assert next(iterator).ToString() == "1"
    with pytest.raises(ExpressionRuntimeError) as info:
        next(iterator)
    assert info.value.message == "Property 'b' does not exist on JObject."


# --- JToken.Path (JsonPosition.BuildPath) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "path"),
    [
        (["[x]", "(y)"], "['[x]']['(y)']"),  # 6.0.8 puts a dot between them
        (["it's", "b\\s"], "['it\\'s']['b\\\\s']"),
        (['q"q', "t\tt"], "['q\"q']['t\\tt']"),  # `"` stays: the quote is `'`
        (["\u2028", "\x01"], "['\\u2028'].\x01"),  # U+0001 is no special character
        (["", "a"], "a"),  # an empty name adds nothing, not even the dot after it
        (["a-b", "é", "$"], "a-b.é.$"),
    ],
)
def test_path_quotes_names_with_special_characters(names: list[str], path: str) -> None:
    token: JToken = JValue(1)
    for name in reversed(names):
        token = JObject(JProperty(name, token))
    leaf = token
    while not isinstance(leaf, JValue):
        leaf = leaf.child_tokens()[0]
    assert path_of(leaf) == path


# --- values ---------------------------------------------------------------------------------------


def test_big_integer_to_byte_array() -> None:
    assert text_of(
        '@(BitConverter.ToString((byte[])JToken.Parse("123456789012345678901234567890")))'
    ) == ("D2-0A-3F-4E-EE-E0-73-C3-F6-0F-E9-8E-01")
    assert text_of('@(BitConverter.ToString((byte[])JToken.Parse("-12345678901234567890")))') == (
        "2E-F5-E0-14-73-56-AB-54-FF"
    )
    with pytest.raises(ExpressionRuntimeError) as info:  # an Int64 is no BigInteger
        text_of('@((byte[])JToken.Parse("5"))')
    assert info.value.message == "Can not convert Integer to byte array."


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(UTC, '"2020-01-02T03:04:05.5Z"'), (LOCAL, '"2020-01-02T03:04:05.5+00:00"'),
     (UNSPECIFIED, '"2020-01-02T03:04:05.5"')],
)  # fmt: skip
def test_datetime_kinds_in_json(kind: object, expected: str) -> None:
    moment = DateTime(TICKS_2020 + 5_000_000, kind)  # type: ignore[arg-type]
    value = JValue(moment)
    assert value.ToString(NONE) == expected
    assert serialize_object(moment) == expected
    assert value.ToString() == "01/02/2020 03:04:05"  # JValue.ToString(): the DateTime's own


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(840, '"2020-01-02T03:04:05+14:00"'), (-840, '"2020-01-02T03:04:05-14:00"'),
     (-30, '"2020-01-02T03:04:05-00:30"'), (0, '"2020-01-02T03:04:05+00:00"')],
)  # fmt: skip
def test_datetimeoffset_offsets_in_json(minutes: int, expected: str) -> None:
    value = JValue(DateTimeOffset(TICKS_2020, minutes))
    assert value.Type.ToString() == "Date"
    assert value.ToString(NONE) == expected
    assert serialize_object(DateTimeOffset(TICKS_2020, minutes)) == expected


def test_bytes_value_keeps_the_array_and_clones_share_it() -> None:
    data = CsBytes(b"\x01\x02\x03")
    value = JValue(data)
    assert value.Type.ToString() == "Bytes" and value.raw is data
    assert value.DeepClone().raw is data  # JValue(JValue) copies the reference, as Json.NET does
    assert value.ToString(NONE) == '"AQID"'
    assert JValue(CsBytes(b"")).ToString(NONE) == '""'
