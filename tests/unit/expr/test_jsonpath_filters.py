"""JSONPath filters in SelectToken/SelectTokens, as Json.NET 13 (APIM's) parses and runs them.

tests/conformance/vectors/json_filters.yaml measures agreement with Mono's Json.NET 6.0.8. These
tests cover what 6.0.8 lacks: `=~` (Json.NET 11+), `===`/`!==` (12+), values Mono cannot build,
and Json.NET 13's exact parse error messages.
"""

from __future__ import annotations

import pytest

from certgate.core.expr.binary import CsBytes
from certgate.core.expr.datetime import DateTimeOffset, TimeSpan
from certgate.core.expr.guid import Guid
from certgate.core.expr.jcontainer import JProperty
from certgate.core.expr.jobject import JArray
from certgate.core.expr.jsonfilter import Comparison, Composite
from certgate.core.expr.jsonio import parse
from certgate.core.expr.jsonpath import parse_path, select
from certgate.core.expr.jtoken import JToken, JValue
from certgate.errors import ExpressionRuntimeError

from .conftest import path_failure, text_of

ITEMS = '[{"n":1,"s":"abc"},{"n":2,"s":"ABD"},{"n":2.0,"s":"x/y"},{"n":"2","s":5},{"m":null}]'


def paths(json: str, path: str) -> list[str]:
    return [token.Path for token in select(parse(json), path, False)]


def texts(root: JToken, path: str) -> list[str]:
    return [token.ToString() for token in select(root, path, False)]


# --- =~ (RegexEquals) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$[?(@.s =~ /^ab/)]", ["[0]"]),
        ("$[?(@.s =~ /^ab/i)]", ["[0]", "[1]"]),
        ("$[?(@.s =~ /x\\/y/)]", ["[2]"]),  # an escaped slash stays in the pattern
        ("$[?(@.s =~ '/^AB/i')]", ["[0]", "[1]"]),  # a quoted string works as the pattern too
        ("$[?(@.s =~ /^AB/q)]", ["[1]"]),  # flags other than i, m, s, x are ignored
        ("$[?(@.s =~ /5/)]", []),  # only strings match: not the number 5
        ("$[?(@.n =~ /2/)]", ["[3]"]),
    ],
)
def test_regex_equals_matches_strings_with_dotnet_regex(path: str, expected: list[str]) -> None:
    assert paths(ITEMS, path) == expected


def test_regex_flags_multiline_singleline_and_explicit_capture() -> None:
    doc = '["a\\nb", "a\\nB"]'
    assert paths(doc, "$[?(@ =~ /^b$/m)]") == ["[0]"]
    assert paths(doc, "$[?(@ =~ /^b$/mi)]") == ["[0]", "[1]"]
    assert paths(doc, "$[?(@ =~ /a.b/)]") == []
    assert paths(doc, "$[?(@ =~ /a.b/s)]") == ["[0]"]
    assert paths('["a\\na"]', "$[?(@ =~ /(a)\\n\\1/)]") == ["[0]"]
    error = path_failure('["a\\na"]', "$[?(@ =~ /(a)\\n\\1/x)]")  # ExplicitCapture: no group 1
    assert error.exception_type in ("RegexParseException", "ArgumentException")


def test_regex_pattern_from_a_path_and_without_slashes() -> None:
    doc = '{"p":"/^a/","items":["ab","ba"],"bad":"abc"}'
    assert paths(doc, "$.items[?(@ =~ $.p)]") == ["items[0]"]
    error = path_failure(doc, "$.items[?(@ =~ $.bad)]")  # "abc".Substring(1, LastIndexOf('/') - 1)
    assert error.exception_type == "ArgumentOutOfRangeException"


def test_regex_in_a_policy_expression_and_a_bad_pattern() -> None:
    text = '@(string.Join(",", JArray.Parse("[\\"abc\\",\\"xbc\\"]").SelectTokens("$[?(@ =~ /^[a-b]\\\\w+$/)]")))'
    assert text_of(text) == "abc"
    error = path_failure('["a"]', "$[?(@ =~ /(/)]")
    assert error.exception_type in ("RegexParseException", "ArgumentException")


def test_regex_that_never_closes() -> None:
    error = path_failure('["a"]', "$[?(@ =~ /abc)]")
    assert (error.exception_type, error.message) == (
        "JsonException",
        "Path ended with an open regex.",
    )


# --- === and !== (strict) ------------------------------------------------------------------------


def test_strict_equality_needs_the_same_type_except_integer_and_float() -> None:
    doc = '[1, 1.0, "1", true, null, 2]'
    assert paths(doc, "$[?(@ === 1)]") == ["[0]", "[1]"]
    assert paths(doc, "$[?(@ == '1')]") == ["[2]"]
    assert paths(doc, "$[?(@ === '1')]") == ["[2]"]
    assert paths(doc, "$[?(@ === true)]") == ["[3]"]
    assert paths(doc, "$[?(@ === null)]") == ["[4]"]
    assert paths(doc, "$[?(@ !== 1)]") == ["[2]", "[3]", "[4]", "[5]"]


def test_strict_equality_does_not_coerce_dates_to_text() -> None:
    doc = '["2020-01-02T00:00:00Z"]'
    assert paths(doc, "$[?(@ == '2020-01-02T00:00:00Z')]") == ["[0]"]
    assert paths(doc, "$[?(@ === '2020-01-02T00:00:00Z')]") == []
    assert paths(doc, "$[?(@ !== '2020-01-02T00:00:00Z')]") == ["[0]"]


def test_integer_equals_float_but_not_their_text() -> None:
    # EqualsWithStringCoercion: Integer against Float through JValue.Compare (6.0.8: never)
    doc = '[100, 1000, 1.0, "100", 1.0000000000000002]'
    assert paths(doc, "$[?(@ == 1e2 || @ == 1)]") == ["[0]", "[2]", "[4]"]  # ApproxEquals
    assert paths(doc, "$[?(@ != 100)]") == ["[1]", "[2]", "[3]", "[4]"]


def test_strict_not_equals_with_a_container_is_false() -> None:
    # only `!=` (and existence) is true when a side is not a JValue
    assert paths('[{"a":1},[1],1]', "$[?(@ !== 5)]") == ["[2]"]
    assert paths('[{"a":1},[1],1]', "$[?(@ != 5)]") == ["[0]", "[1]", "[2]"]


# --- values Json.NET 13 compares as text or by type ---------------------------------------------


def test_equality_with_string_coercion_of_typed_values() -> None:
    root = JArray()
    root.Add(JValue(Guid(bytes.fromhex("a1b2c3d4000000000000000000000001"))))
    root.Add(JValue(TimeSpan(36_000_000_000)))
    root.Add(JValue(CsBytes(b"\x01\x02\x03")))
    root.Add(JValue(DateTimeOffset(637_135_310_455_000_000, 60)))
    assert texts(root, "$[?(@ == 'a1b2c3d4-0000-0000-0000-000000000001')]") == [
        "a1b2c3d4-0000-0000-0000-000000000001"
    ]
    assert texts(root, "$[?(@ == '01:00:00')]") == ["01:00:00"]
    assert len(select(root, "$[?(@ == 'AQID')]", False)) == 1
    assert len(select(root, "$[?(@ == '2020-01-02T03:04:05.5+01:00')]", False)) == 1
    assert select(root, "$[?(@ == 1)]", False) == []


def test_ordering_converts_or_refuses_the_other_value() -> None:
    error = path_failure('[1, "x"]', "$[?(@ > 'a')]")
    assert error.exception_type == "FormatException"
    error = path_failure('["2020-01-02T00:00:00Z"]', "$[?(@ > 5)]")
    assert error.exception_type == "InvalidCastException"
    root = JArray()
    root.Add(JValue(TimeSpan(0)))
    with pytest.raises(ExpressionRuntimeError) as info:
        select(root, "$[?(@ < 5)]", False)
    assert (info.value.exception_type, info.value.message) == (
        "ArgumentException",
        "Object must be of type TimeSpan.",
    )


def test_string_on_the_left_compares_as_the_right_values_type() -> None:
    assert paths('["2", "10"]', "$[?(@ > 5)]") == ["[1]"]
    assert paths('["2", "10", "1e1"]', "$[?(@ > 5.0)]") == ["[1]", "[2]"]
    assert path_failure('["1e1"]', "$[?(@ > 5)]").exception_type == "FormatException"  # ToInt64
    assert paths('["b", "B", "a"]', "$[?(@ >= 'b')]") == ["[0]"]  # ordinal: "B" < "a"
    assert paths("[true, false]", "$[?(@ > 'false')]") == ["[0]"]  # Convert.ToBoolean


def test_dates_compare_with_date_strings() -> None:
    doc = '["2020-01-02T10:00:00Z", "2020-01-01T00:00:00.25"]'
    assert paths(doc, "$[?(@ > '2020-01-02')]") == ["[0]"]
    assert paths(doc, "$[?(@ == '2020-01-01T00:00:00.25')]") == ["[1]"]
    assert paths(doc, "$[?(@ == '2020-01-01T00:00:00.250')]") == []  # the ISO text, exactly


def test_big_integers_and_floats_compare_exactly() -> None:
    doc = "[18446744073709551616, 1e20]"
    assert paths(doc, "$[?(@ > 9223372036854775807)]") == ["[0]", "[1]"]
    assert paths(doc, "$[?(@ < 1.8446744073709552e19)]") == []


# --- the parser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "exception", "message"),
    [
        ("$[?(@ == 1)", "JsonException", "Path ended with open indexer."),
        ("$[?@ == 1)]", "JsonException", "Unexpected character while parsing path indexer: @"),
        ("$[?", "JsonException", "Path ended with open indexer."),
        ("$[?(", "JsonException", "Path ended with open query."),
        ("$[?()]", "JsonException", "Unexpected character while parsing path query: )"),
        ("$[?(@ = 1)]", "JsonException", "Could not read query operator."),
        ("$[?(@ == x)]", "JsonException", "Unexpected character while parsing path query: x"),
        ('$[?(@ == "1")]', "JsonException", 'Unexpected character while parsing path query: "'),
        ("$[?(!@.a)]", "JsonException", "Unexpected character while parsing path query: !"),
        ("$[?((@ == 1))]", "JsonException", "Unexpected character while parsing path query: ("),
        ("$[?(@ == 1 & @)]", "JsonException", "Unexpected character while parsing path query: &"),
        ("$[?(@.)]", "JsonException", "Unexpected end while parsing path."),
        ("$[?(@.a", "JsonException", "Path ended with open query."),
        ("$[?(@.a .b)]", "JsonException", "Could not read query operator."),
        ("$[?(@[0]x == 1)]", "JsonException", "Unexpected character following indexer: x"),
        ("$[?(@ == 'ab)]", "JsonException", "Path ended with an open string."),
        ("$[?(@ == 'a\\qb')]", "JsonException", "Unknown escape character: \\q"),
        ("$[?(@ == 1)x]", "JsonException", "Unexpected character while parsing path indexer: x"),
        (
            "$[?(@ == 9223372036854775808)]",
            "JsonException",
            "Unexpected character while parsing path query: )",
        ),
        # Json.NET's parser reads past the end of the text in these
        ("$[?(@ == 1]", "IndexOutOfRangeException", "Index was outside the bounds of the array."),
        ("$[?( ", "IndexOutOfRangeException", "Index was outside the bounds of the array."),
        ("$[?(@ &&", "IndexOutOfRangeException", "Index was outside the bounds of the array."),
        ("$[?(@ ==", "IndexOutOfRangeException", "Index was outside the bounds of the array."),
        ("$[?(@) ", "IndexOutOfRangeException", "Index was outside the bounds of the array."),
    ],
)
def test_malformed_filters_fail_as_in_json_net_13(path: str, exception: str, message: str) -> None:
    error = path_failure("[1]", path)
    assert (error.exception_type, error.message) == (exception, message)


def test_literals() -> None:
    doc = "[1000.5, -0.5, 100000, 3, 1]"
    assert paths(doc, "$[?(@ == 1,000.5)]") == ["[0]"]  # NumberStyles.AllowThousands
    assert paths(doc, "$[?(@ == -.5)]") == ["[1]"]
    assert paths(doc, "$[?(@ == 1E5)]") == ["[2]"]
    assert paths('["a\'b", "a\\\\b", "a/b", "\\b\\f\\n\\r\\t"]', "$[?(@ == 'a\\'b')]") == ["[0]"]
    assert paths('["a\\\\b", "a/b"]', "$[?(@ == 'a\\\\b' || @ == 'a\\/b')]") == ["[0]", "[1]"]
    assert paths('["\\b\\f\\n\\r\\t\\""]', "$[?(@ == '\\b\\f\\n\\r\\t\\\"')]") == ["[0]"]
    assert (
        path_failure(doc, "$[?(@ == 1e)]").message
        == "Unexpected character while parsing path query: )"
    )
    assert (
        path_failure(doc, "$[?(@ == +1)]").message
        == "Unexpected character while parsing path query: +"
    )


def test_and_or_nest_to_the_right_as_json_net_builds_them() -> None:
    [step] = parse_path("[?(@.a && @.b || @.c && @.d)]")  # one indexer, to the end
    assert step[0] == "query"
    query = step[1]
    assert isinstance(query, Composite) and query.op == "&&"
    assert isinstance(query.parts[0], Comparison)
    inner = query.parts[1]
    assert isinstance(inner, Composite) and inner.op == "||"
    assert isinstance(inner.parts[1], Composite) and inner.parts[1].op == "&&"
    # a && (b || (c && d)): an item without `a` never matches
    doc = '[{"b":1}, {"a":1,"b":1}, {"a":1,"c":1}, {"a":1,"c":1,"d":1}]'
    assert paths(doc, "$[?(@.a && @.b || @.c && @.d)]") == ["[1]", "[3]"]


def test_values_and_paths_on_either_side() -> None:
    doc = '{"limit":2,"items":[{"n":1},{"n":2},{"n":3}]}'
    assert paths(doc, "$.items[?(2 <= @.n)]") == ["items[1]", "items[2]"]
    assert paths(doc, "$.items[?(@.n == $.limit)]") == ["items[1]"]
    assert paths(doc, "$.items[?($.limit)]") == ["items[0]", "items[1]", "items[2]"]
    assert paths(doc, "$.items[?($.missing)]") == []
    assert paths(doc, "$.items[?(true)]") == ["items[0]", "items[1]", "items[2]"]
    assert paths(doc, "$.items[?(1 == 2)]") == []


def test_root_in_a_filter_is_the_token_select_token_was_called_on() -> None:
    root = parse('{"limit":9,"inner":{"limit":2,"items":[1,2,3]}}')
    inner = root.get_item("inner")
    assert inner is not None
    assert texts(inner, "items[?(@ == $.limit)]") == ["2"]
    assert texts(root, "inner.items[?(@ == $.limit)]") == []


def test_paths_inside_filters() -> None:
    doc = '[{"a":{"b":[{"c":1}],"x y":2,"d":{"k":3}}},{"a":{"b":[{"c":4}]}}]'
    assert paths(doc, "$[?(@.a.b[0].c == 4)]") == ["[1]"]
    assert paths(doc, "$[?(@['a']['x y'] == 2)]") == ["[0]"]
    assert paths(doc, "$[?(@.a['x y','d'] == 2)]") == ["[0]"]
    assert paths(doc, "$[?(@..k == 3)]") == ["[0]"]
    assert paths(doc, "$[?(@..['c'] == 4)]") == ["[1]"]
    assert paths(doc, "$[?(@.a.b[?(@.c == 1)])]") == ["[0]"]  # a filter inside a filter
    assert paths(doc, "$[?(@a.b[0].c == 1)]") == ["[0]"]  # `@name` is `@.name`


def test_filters_on_objects_test_their_properties() -> None:
    root = parse('{"o":{"x":{"n":1},"y":{"n":2}}}')
    found = select(root, "$.o[?(@)]", False)
    assert [type(t) for t in found] == [JProperty, JProperty]
    assert select(root, "$.o[?(@.n == 2)]", False) == []
    assert select(root, "$.o[?(@ != 1)]", False) == found  # a JProperty is not a JValue
    assert select(root, "$.o.x[?(@ == 1)]", False) == []


def test_scan_filter_tests_every_token_below() -> None:
    doc = '{"a":[{"n":1},{"n":2,"b":{"n":3}}],"n":0}'
    assert paths(doc, "$..[?(@.n > 1)]") == ["a[1]", "a[1].b"]
    assert paths(doc, "$..[?(@.n >= 0)]") == ["", "a[0]", "a[1]", "a[1].b"]
    kinds = [t.Type.ToString() for t in select(parse('{"a":[1]}'), "$..[?(@)]", False)]
    assert kinds == ["Object", "Property", "Array", "Integer"]
    assert paths(doc, "$.a[1].n..[?(@ == 2)]") == ["a[1].n"]  # a value tests itself


def test_select_token_and_error_when_no_match() -> None:
    text = '@(JObject.Parse("{\\"a\\":[{\\"b\\":1},{\\"b\\":2}]}").SelectToken("a[?(@.b > 1)].b", true).ToString())'
    assert text_of(text) == "2"
    root = parse('{"a":[{"b":1},{"b":2}]}')
    assert select(root, "a[?(@.c)]", True) == []  # the filter itself never fails
    with pytest.raises(ExpressionRuntimeError) as info:
        select(root, "a[?(@.b)].c", True)
    assert info.value.message == "Property 'c' does not exist on JObject."


def test_paths_run_lazily_one_token_at_a_time() -> None:
    # Json.NET's chained enumerators take the first item through every step before the second
    root = parse('{"a":[{"x":1},{"z":1}]}')
    with pytest.raises(ExpressionRuntimeError) as info:
        select(root, "a[*].x.y", True)
    assert info.value.message == "Property 'y' not valid on JValue."


def test_existing_subset_is_unchanged() -> None:
    doc = '{"a":{"b":[10,20,30]},"c d":1}'
    assert paths(doc, "$.a.b[1:]") == ["a.b[1]", "a.b[2]"]
    assert paths(doc, "['c d']") == ["['c d']"]
    assert (
        path_failure(doc, '["c d"]').message == 'Unexpected character while parsing path indexer: "'
    )
    assert paths(doc, "$..b[0,2]") == ["a.b[0]", "a.b[2]"]
    assert paths(doc, "a.*[*]") == ["a.b[0]", "a.b[1]", "a.b[2]"]
