""".NET runtime types: what the Mono oracle cannot check (APIM's allow-list at load time, .NET 8
behaviour that Mono's .NET-Framework-era class library lacks) and the runtime's own guarantees
(regex time budget, pattern cache, per-evaluation clocks)."""

from __future__ import annotations

import time

import pytest

from certgate.core.certs import X509Certificate2
from certgate.core.expr import CsObject, compile_expression, regexp, to_dotnet_string
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError
from certgate.testing.pki import DemoPki


def run(text: str) -> object:
    return compile_expression(text).evaluate(None)


def text_of(text: str) -> str:
    return to_dotnet_string(run(text))


@pytest.mark.parametrize(
    ("text", "member", "type_name"),
    [
        ("@(DateTime.UtcNow.ToUniversalTime())", "ToUniversalTime", "System.DateTime"),
        ("@(DateTime.UtcNow.Kind)", "Kind", "System.DateTime"),
        ('@(DateTime.TryParse("x", out var d))', "TryParse", "System.DateTime"),
        ('@(DateTime.ParseExact("x", "y", null))', "ParseExact", "System.DateTime"),
        ("@(DateTimeKind.Local)", "Local", "System.DateTimeKind"),
        ('@(Regex.Escape("a.b"))', "Escape", "System.Text.RegularExpressions.Regex"),
        (
            '@(Regex.Match("a", "a").NextMatch())',
            "NextMatch",
            "System.Text.RegularExpressions.Match",
        ),
        ('@(Regex.Match("a", "a").Name)', "Name", "System.Text.RegularExpressions.Match"),
    ],
)
def test_members_outside_the_allow_list_fail_at_load(
    text: str, member: str, type_name: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert info.value.message == (
        f"Usage of member '{member}' of type '{type_name}' is not supported within expressions"
    )


def test_allowed_but_unimplemented_members_say_so_at_load() -> None:
    with pytest.raises(NotSupportedError) as info:
        compile_expression("@(Math.FusedMultiplyAdd(1, 2, 3))")
    assert (
        info.value.message == "not supported yet: member 'FusedMultiplyAdd' of type 'System.Math'"
    )
    with pytest.raises(NotSupportedError):
        compile_expression('@(XElement.Parse("<a/>").CreateReader())')


def test_httputility_is_not_an_allowed_type() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression('@(HttpUtility.UrlEncode("x"))')
    assert "Usage of type 'System.Web.HttpUtility'" in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # .NET 5+ APIs Mono's class library does not have
        ("@(Convert.ToHexString(new byte[] { 0, 171, 255 }))", "00ABFF"),
        ('@(Convert.FromHexString("00abFF").Length)', "3"),
        (
            '@(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("message"))))',
            "q1MKE+RZFJgrefm34/uplM/R8/si9xzqGvvwK0YMbR0=",
        ),
        (
            '@(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), '
            'Encoding.UTF8.GetBytes("message"))))',
            "i19IcCmVwVmMVz2x4hhmqbgl1KeU0WnXBgoDYFeWNgs=",
        ),
        # .NET Core 3.0+ double formatting and parsing
        ("@((1.0 / 0).ToString())", "Infinity"),
        ("@((-0.0).ToString())", "-0"),
        ('@(double.Parse("1e400").ToString())', "Infinity"),
        ("@((1.0 / 3).ToString())", "0.3333333333333333"),
        ('@(2.5.ToString("F0") + 3.5.ToString("F0"))', "24"),
        ("@(1e15.ToString())", "1000000000000000"),
        ("@(1e17.ToString())", "1E+17"),
        # .NET 7+ AddX keeps sub-millisecond fractions; FromX does not round to milliseconds
        ("@(new DateTime(2024, 1, 1).AddMilliseconds(0.5).Ticks % 10000)", "5000"),
        ("@(TimeSpan.FromMilliseconds(0.25).Ticks)", "2500"),
    ],
)
def test_modern_dotnet_behaviour(text: str, expected: str) -> None:
    assert text_of(text) == expected


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ("@(new HMACSHA256(null))", "ArgumentNullException"),  # Mono: NullReferenceException
        ('@(Convert.FromHexString("abc"))', "FormatException"),
        (
            "@{ var h = SHA256.Create(); h.Dispose(); return h.ComputeHash(new byte[0]); }",
            "ObjectDisposedException",
        ),
        ("@(DateTime.MaxValue.AddYears(1))", "ArgumentOutOfRangeException"),
    ],
)
def test_modern_dotnet_exceptions(text: str, exception: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        run(text)
    assert info.value.exception_type == exception


def test_nullable_dates_of_a_jwt() -> None:
    jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."  # no exp claim
    assert run(f'@("{jwt}".AsJwt().ExpirationTime.HasValue)') is False
    with pytest.raises(ExpressionRuntimeError) as info:
        run(f'@("{jwt}".AsJwt().ExpirationTime.Value)')
    assert info.value.exception_type == "InvalidOperationException"


def test_pathological_regex_stays_inside_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexp, "MATCH_TIMEOUT", 0.2)
    expression = compile_expression('@(Regex.IsMatch("' + "a" * 40 + '!", "^(a|aa)+$"))')
    started = time.monotonic()
    with pytest.raises(ExpressionRuntimeError) as info:
        expression.evaluate(None)
    assert info.value.exception_type == "RegexMatchTimeoutException"
    assert time.monotonic() - started < 5


def test_literal_patterns_are_translated_and_compiled_once() -> None:
    expression = compile_expression('@(Regex.IsMatch("abc", "^(?<x>[a-c]+)$"))')
    expression.evaluate(None)
    before = regexp.compile_pattern.cache_info()
    for _ in range(50):
        assert expression.evaluate(None) is True
    after = regexp.compile_pattern.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 50
    assert after.maxsize is not None  # bounded


def test_clock_members_are_read_per_evaluation() -> None:
    expression = compile_expression("@(DateTime.UtcNow.Ticks)")
    first = expression.evaluate(None)
    time.sleep(0.002)
    assert expression.evaluate(None) > first  # type: ignore[operator]


def test_certificate_bytes_and_dates_work_with_the_runtime() -> None:
    pki = DemoPki.create(("localhost",))
    cert = X509Certificate2(pki.client.der)

    class Context(CsObject):
        __slots__ = ("Certificate",)
        CS_MEMBERS = frozenset({"Certificate"})
        Certificate: X509Certificate2

    context = Context()
    context.Certificate = cert
    expression = compile_expression(
        "@(Convert.ToBase64String(context.Certificate.RawData).Length > 100 && "
        "context.Certificate.NotAfter > DateTime.Now && "
        "(context.Certificate.NotAfter - context.Certificate.NotBefore).TotalDays > 1)",
        context_type=Context,
    )
    assert expression.evaluate(context) is True
