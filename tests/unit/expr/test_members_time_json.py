"""TimeSpan, DateTimeOffset, Uri, Json.NET and LINQ to XML members: what the Mono oracle cannot
check. .NET 8's TimeSpan fraction rounding and Json.NET 13's Merge/BeforeSelf differ from Mono's
runtime and Json.NET 6; the allow-list refusals happen at load; relative URIs and inherited
statics are checked against their base types here. Everything Mono shares is in
`tests/conformance/vectors/members_time_json.yaml`."""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.core.expr.typenames import resolve
from certgate.errors import NotSupportedError

from .conftest import exception_of, load_error, text_of

# --- TimeSpan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ticks"),
    [
        ("0:0:0:0.00000004", 0),  # .NET Core 3.0+: rounded to seven digits
        ("0:0:0:0.00000005", 1),  # away from zero
        ("0:0:0:0.09999999", 1_000_000),
        ("0:0:0:0.0000001", 1),  # seven digits: as written
    ],
)
def test_general_format_rounds_a_long_fraction_that_starts_with_zero(text: str, ticks: int) -> None:
    assert text_of(f'@(TimeSpan.ParseExact("{text}", "G", null).Ticks)') == str(ticks)


def test_general_format_refuses_eight_digits_without_a_leading_zero() -> None:
    assert exception_of('@(TimeSpan.ParseExact("0:0:0:0.12345678", "G", null))') == (
        "OverflowException"
    )


def test_multiply_and_divide_name_their_parameter_for_nan() -> None:
    for member, param in (("Multiply", "factor"), ("Divide", "divisor")):
        with pytest.raises(Exception) as info:
            compile_expression(f"@(TimeSpan.FromTicks(1).{member}(double.NaN))").evaluate(None)
        assert f"(Parameter '{param}')" in str(info.value)


def test_multiply_to_exactly_two_to_the_63_ticks_is_max_value() -> None:
    # 2**63 as a double is not above long.MaxValue in C#'s double comparison
    assert text_of("@(TimeSpan.FromTicks(1L << 62).Multiply(2.0) == TimeSpan.MaxValue)") == "True"


def test_timespan_styles_cannot_be_named() -> None:
    message = load_error('@(TimeSpan.ParseExact("1", "c", null, TimeSpanStyles.None))')
    assert "Usage of type 'System.Globalization.TimeSpanStyles'" in message


# --- DateTimeOffset ------------------------------------------------------------------------------


def test_tryparseexact_stops_at_a_bad_format_after_a_match_is_missed() -> None:
    text = (
        '@{ DateTimeOffset r; var ok = DateTimeOffset.TryParseExact("2024-01-02", '
        'new [] {"yyyy", null, "yyyy-MM-dd"}, null, 0, out r); return ok; }'
    )
    assert text_of(text) == "False"


def test_datetime_styles_cannot_be_named() -> None:
    message = load_error(
        '@{ DateTimeOffset r; return DateTimeOffset.TryParseExact("2024", "yyyy", null, '
        "DateTimeStyles.None, out r); }"
    )
    assert "Usage of type 'System.Globalization.DateTimeStyles'" in message


# --- Uri -----------------------------------------------------------------------------------------


def test_relative_uri_keeps_its_text_and_refuses_absolute_parts() -> None:
    relative = 'new Uri("http://a/b/c").MakeRelativeUri(new Uri("http://a/x/y?q=1"))'
    assert text_of(f"@({relative}.ToString())") == "../x/y?q=1"
    assert text_of(f"@({relative}.IsAbsoluteUri)") == "False"
    for member in ("Host", "AbsolutePath", "Query", "Scheme", "Segments"):
        assert exception_of(f"@({relative}.{member})") == "InvalidOperationException"


def test_relative_uri_resolves_against_a_base() -> None:
    relative = 'new Uri("http://a/b/c").MakeRelativeUri(new Uri("http://a/x/y"))'
    assert text_of(f'@(new Uri(new Uri("http://h/p/q/r"), {relative}).AbsoluteUri)') == (
        "http://h/p/x/y"
    )


def test_uri_kind_and_host_name_type_cannot_be_named() -> None:
    for text, name in (
        ("@(UriKind.Relative)", "System.UriKind"),
        ('@(Uri.CheckHostName("a") == UriHostNameType.Dns)', "System.UriHostNameType"),
    ):
        assert f"Usage of type '{name}'" in load_error(text)


def test_check_host_name_result_prints_and_compares() -> None:
    assert text_of('@(Uri.CheckHostName("a.b").ToString() + Uri.CheckHostName("[::1]"))') == (
        "DnsIPv6"
    )
    assert text_of('@(Uri.CheckHostName("a") == Uri.CheckHostName("b"))') == "True"


def test_hex_unescape_needs_a_ref_argument() -> None:
    with pytest.raises(NotSupportedError) as info:
        compile_expression('@{ int i = 0; return Uri.HexUnescape("%41", ref i); }')
    assert "'ref' arguments" in info.value.message


# --- Json.NET 13 ---------------------------------------------------------------------------------


def _merged(target: str, content: str) -> str:
    return text_of(
        f'@{{ var t = JToken.Parse("{target}") as JContainer; t.Merge({content}); '
        "return t.ToString(Formatting.None); }"
    )


def test_merge_concatenates_plain_values_as_jvalues() -> None:
    assert _merged("[1]", 'new object[] {2, "x", null}') == '[1,2,"x",null]'


def test_merge_ignores_null_values_over_containers_and_scalars() -> None:
    source = 'JObject.Parse("{\\"a\\":null,\\"b\\":null}")'
    assert _merged('{\\"a\\":{\\"x\\":1},\\"b\\":2}', source) == '{"a":{"x":1},"b":2}'


def test_merge_replaces_a_container_of_another_kind() -> None:
    assert _merged('{\\"a\\":[1]}', 'JObject.Parse("{\\"a\\":{\\"b\\":1}}")') == '{"a":{"b":1}}'


def test_merge_refuses_content_that_is_no_json() -> None:
    text = '@{ var a = new JArray(); a.Merge("text"); return a; }'
    assert exception_of(text) == "ArgumentException"
    assert exception_of("@{ var a = new JArray(); a.Merge(5); return a; }") == "ArgumentException"


def test_merge_with_null_settings_is_the_default_merge() -> None:
    assert _merged("[1]", "new JArray(2), null") == "[1,2]"


def test_merge_settings_cannot_be_named() -> None:
    message = load_error(
        "@{ var a = new JArray(); a.Merge(a, new JsonMergeSettings()); return a; }"
    )
    assert "Usage of type 'Newtonsoft.Json.Linq.JsonMergeSettings'" in message


def test_before_self_of_a_root_is_empty() -> None:
    assert text_of('@(JObject.Parse("{}").BeforeSelf().Count())') == "0"


# --- inherited statics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subclass", "base", "members"),
    [
        ("JValue", "JToken", ("Parse", "FromObject", "DeepEquals")),
        ("JProperty", "JToken", ("Parse", "FromObject", "DeepEquals")),
        ("JRaw", "JValue", ("CreateComment", "CreateNull", "CreateString", "CreateUndefined")),
        ("XElement", "XNode", ("DeepEquals", "CompareDocumentOrder")),
        ("XCData", "XNode", ("DeepEquals", "CompareDocumentOrder")),
    ],
)
def test_subclasses_see_the_statics_of_their_base(
    subclass: str, base: str, members: tuple[str, ...]
) -> None:
    for member in members:
        assert resolve(subclass).statics[member] is resolve(base).statics[member]


def test_a_subclass_keeps_its_own_static() -> None:
    assert resolve("JObject").statics["Parse"] is not resolve("JToken").statics["Parse"]
    assert exception_of('@(JArray.Parse("{}"))') == "JsonReaderException"
