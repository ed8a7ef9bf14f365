"""Newtonsoft.Json as the runtime provides it: reading, writing, the token tree, conversions.

Agreement with Json.NET itself is measured by tests/conformance/vectors/json.yaml (Mono + Debian's
Json.NET); these tests pin the Python-level contracts and the places where we follow Json.NET 13
(APIM's) rather than Mono's 5.0.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.core.expr.jcontainer import JProperty
from certgate.core.expr.jobject import JArray, JObject
from certgate.core.expr.jsonconvert import BODY_CONVERTERS, from_object, serialize_object
from certgate.core.expr.jsonio import MAX_DEPTH, NEWLINE, parse, write_token
from certgate.core.expr.jtoken import JValue
from certgate.errors import ExpressionRuntimeError

from .conftest import evaluate


def test_indented_output_uses_two_spaces_and_the_windows_newline() -> None:
    token = parse('{"a":[1,{"b":null}],"c":{},"d":[]}')
    assert NEWLINE == "\r\n"
    assert write_token(token, True).split(NEWLINE) == [
        "{",
        '  "a": [',
        "    1,",
        "    {",
        '      "b": null',
        "    }",
        "  ],",
        '  "c": {},',
        '  "d": []',
        "}",
    ]


@pytest.mark.parametrize(
    ("text", "compact"),
    [
        ('{"x": 1.0}', '{"x":1.0}'),
        ('{"x": 1e20}', '{"x":1E+20}'),
        ('{"x": 0.1}', '{"x":0.1}'),
        ('{"x": -0.0}', '{"x":-0.0}'),
        ('{"x": 12345678901234567890}', '{"x":12345678901234567890}'),
        ('{"x": 0x1F}', '{"x":31}'),
        ('{"x": NaN}', '{"x":"NaN"}'),
        ("{'x': 'it''s'}".replace("''", "\\'"), '{"x":"it\'s"}'),
        ('{"x": "\\u2028\\u0085\\u001f"}', '{"x":"\\u2028\\u0085\\u001f"}'),
        ('{"x": "2024-05-06T07:08:09.1230000Z"}', '{"x":"2024-05-06T07:08:09.123Z"}'),
        ('{"x": "2024-05-06T07:08:09"}', '{"x":"2024-05-06T07:08:09"}'),
        ('/* c */ {"x": [1, /* d */ 2,],} // e', '{"x":[1,2]}'),
    ],
)
def test_read_then_write_like_json_net(text: str, compact: str) -> None:
    assert write_token(parse(text), False) == compact


@pytest.mark.parametrize(
    "text",
    ["", "{", '{"a" 1}', '{"a": tru}', "[1,,2]", '"\\q"', "{} x", "[" * (MAX_DEPTH + 1)],
)
def test_bad_json_is_a_json_reader_exception(text: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        parse(text)
    assert info.value.exception_type == "JsonReaderException"


def test_depth_limit_is_not_a_python_recursion_error() -> None:
    assert write_token(parse("[" * MAX_DEPTH + "]" * MAX_DEPTH), False).count("[") == MAX_DEPTH


def test_tree_parents_and_copies() -> None:
    source = parse('{"a": {"b": 1}}')
    assert isinstance(source, JObject)
    target = JObject()
    target.set_item("copy", source.get_item("a"))  # already parented: Json.NET adds a copy
    copy = target.get_item("copy")
    assert copy is not source.get_item("a") and copy.Parent is target.Property("copy")
    array = JArray(1, 2)
    assert [t.Path for t in array.child_tokens()] == ["[0]", "[1]"]
    assert JProperty("a b", 1).property_value().Path == "['a b']"  # the parentless property too


def test_serialization_of_runtime_values() -> None:
    assert serialize_object(None) == "null"
    assert serialize_object("x") == '"x"'
    assert serialize_object(1.5) == "1.5"
    assert write_token(from_object(JValue(True)), False) == "true"
    with pytest.raises(ExpressionRuntimeError) as info:
        serialize_object(object())
    assert info.value.message.startswith("not supported yet: JSON serialization")


def test_body_converters_for_message_bodies() -> None:
    body = b'\xef\xbb\xbf{"model": "gpt"}'
    token = BODY_CONVERTERS["Newtonsoft.Json.Linq.JObject"](body)
    assert isinstance(token, JObject) and str(token.get_item("model").ToString()) == "gpt"
    with pytest.raises(ExpressionRuntimeError):
        BODY_CONVERTERS["Newtonsoft.Json.Linq.JArray"](body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '@(JObject.Parse("{\\"a\\": {\\"b\\": [10, 20]}}").SelectToken("a.b[-1:]").ToString())',
            "20",
        ),
        (
            '@(JObject.Parse("{\\"a\\": [{\\"n\\": 1}, {\\"n\\": 2}]}").SelectTokens("$..n").Count())',
            2,
        ),
        ('@(JObject.Parse("{\\"a\\": 1}").Properties().First().Name)', "a"),
        ('@(JArray.Parse("[3, 1, 2]").OrderBy(t => (int)t).First().ToString())', "1"),
        ('@(JArray.Parse("[1, 2]").Select(t => (int)t * 2).Sum())', 6),
        ('@(((JValue)JToken.Parse("7")).Value)', 7),
        ('@{ var v = new JValue("a"); v.Value = 5; return v.Type.ToString(); }', "Integer"),
        ('@(JToken.Parse("{}").Type == JTokenType.Object)', True),
        ('@(JObject.Parse("{\\"a\\": 1}").Value<string>("a"))', "1"),
        ('@(JObject.Parse("{\\"a\\": [1, 2]}")["a"].Values<int>().Max())', 2),
        ('@(JObject.Parse("{\\"a\\": 1}").ToString(Formatting.None) == "{\\"a\\":1}")', True),
        # Json.NET 11+ (APIM's; Debian's 5.0 for the Mono oracle lacks it)
        ('@(JObject.Parse("{\\"a\\": null}").ContainsKey("a"))', True),
    ],
)
def test_json_in_expressions(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_static_types_reach_members_of_parsed_tokens() -> None:
    # a member no JToken has is refused at load, because the compiler knows the type
    with pytest.raises(Exception) as info:
        compile_expression('@(JObject.Parse("{}").Frobnicate())')
    assert "Frobnicate" in str(info.value)
