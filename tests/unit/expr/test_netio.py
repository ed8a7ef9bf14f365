"""IPAddress, Tuple, StringReader/StringWriter: what the Mono oracle cannot check (APIM's
allow-list at load time, the CR LF of APIM's Windows hosts, .NET 8 behaviour Mono lacks, the
memory bound, the sandbox). Behaviour Mono shares is in `tests/conformance/vectors/netio.yaml`."""

from __future__ import annotations

import pytest

from certgate.core.expr import budget, compile_expression
from certgate.errors import (
    ExpressionError,
    ExpressionRuntimeError,
    NotSupportedError,
    PolicyError,
)

from .conftest import evaluate, exception_of, load_error, text_of

# --- IPAddress ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("@(IPAddress.Any)", "Any"),
        ("@(IPAddress.Loopback)", "Loopback"),
        ("@(IPAddress.HostToNetworkOrder(1))", "HostToNetworkOrder"),
        ('@(IPAddress.Parse("::1").ScopeId)', "ScopeId"),
        ('@(IPAddress.Parse("::1").MapToIPv4())', "MapToIPv4"),
        ('@(IPAddress.Parse("::1").IsIPv6LinkLocal)', "IsIPv6LinkLocal"),
        ('@(IPAddress.Parse("::1").GetHashCode())', "GetHashCode"),
    ],
)
def test_ipaddress_members_outside_apims_list_fail_at_load(text: str, member: str) -> None:
    assert load_error(text) == (
        f"Usage of member '{member}' of type 'System.Net.IPAddress' is not supported within "
        "expressions"
    )


def test_address_family_values_cannot_be_named() -> None:
    """`System.Net.Sockets.AddressFamily` is not on APIM's list: compare the text instead."""
    assert load_error("@(System.Net.Sockets.AddressFamily.InterNetwork)") == (
        "Usage of type 'System.Net.Sockets.AddressFamily' is not supported within expressions"
    )
    assert load_error("@(AddressFamily.InterNetwork)") == (
        "The name 'AddressFamily' does not exist in the current context"
    )
    assert (
        text_of('@(IPAddress.Parse("::1").AddressFamily.ToString() == "InterNetworkV6")') == "True"
    )


def test_runtime_internals_are_unreachable() -> None:
    for member in ("is_loopback", "equality_key", "_packed"):
        with pytest.raises(ExpressionError):
            compile_expression(f'@(IPAddress.Parse("::1").{member})')
    with pytest.raises(ExpressionError):
        compile_expression("@(Tuple.Create(1).equality_key())")


def test_ipaddress_parse_is_typed(typed: bool) -> None:
    """`IPAddress.Parse(...)` has a static type: members are checked at load, typed or not."""
    text = '@(IPAddress.Parse((string)context.Variables.GetValueOrDefault("ip", "::1")).ToString())'
    assert evaluate(text, typed=typed) == "::1"
    with pytest.raises(ExpressionError):
        compile_expression('@(IPAddress.Parse("::1").Nope)')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # .NET 8 takes a scope that is no uint as an interface name; unknown ones read as 0
        ("::1%4294967296", "::1"),
        # interface names are never looked up (an expression must not see the host's NICs)
        ("fe80::1%lo", "fe80::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::1%" + "0" * 5000 + "7", "::1%7"),  # leading zeros are still a number
        ("::1%" + "9" * 5000, "::1"),  # no Python int-size error on a huge scope
    ],
)
def test_ipv6_scope_ids(text: str, expected: str) -> None:
    assert text_of(f'@(IPAddress.Parse("{text}").ToString())') == expected


def test_single_leading_colon_is_refused() -> None:
    """.NET Framework and current .NET refuse ":1::2"; Mono's copy reads it as 0:1::2."""
    with pytest.raises(ExpressionRuntimeError) as info:
        text_of('@(IPAddress.Parse(":1::2"))')
    assert info.value.exception_type == "FormatException"
    assert str(info.value).endswith("An invalid IP address was specified.")
    assert text_of('@(IPAddress.TryParse(":1:2:3:4:5:6:7:8", out var a))') == "False"


def test_long_garbage_fails_fast() -> None:
    for text in ("9" * 100_000, "1." * 50_000, ":" + "1:" * 50_000, "[" + "a" * 100_000):
        expression = compile_expression("@(IPAddress.TryParse((string)context, out var a))")
        assert expression.evaluate(text) is False


def test_ipaddress_loopback_net8() -> None:
    """.NET Core 3.0+: the IPv4-mapped 127.0.0.1 is loopback, other mapped 127/8 are not."""
    assert text_of('@(IPAddress.IsLoopback(IPAddress.Parse("::ffff:127.0.0.1")))') == "True"
    assert text_of('@(IPAddress.IsLoopback(IPAddress.Parse("::ffff:127.0.0.2")))') == "False"


def test_static_is_loopback_is_not_an_instance_member() -> None:
    """Refused at load (csc: CS0176); the message is the translator's for allowed members."""
    for text in ('@(IPAddress.Parse("::1").IsLoopback)', '@(IPAddress.Parse("::1").Parse("x"))'):
        with pytest.raises(PolicyError):
            compile_expression(text)


# --- Tuple -------------------------------------------------------------------------------------


def test_tuple_generic_type_takes_one_to_eight_type_arguments() -> None:
    assert text_of('@(new Tuple<int, string>(1, "a"))') == "(1, a)"
    nine = ", ".join(["int"] * 9)
    assert "9 type arguments" in load_error(f"@(new Tuple<{nine}>(1, 2, 3, 4, 5, 6, 7, 8, 9))")


def test_tuple_generic_constructor_checks_its_arguments() -> None:
    """csc refuses these when the policy is saved; certgate stops them when they run."""
    assert exception_of('@(new Tuple<int>("a"))') == "InvalidCastException"
    assert exception_of("@(new Tuple<int>(null))") == "InvalidCastException"
    assert exception_of("@(new Tuple<int, int>(1))") == "ArgumentException"


def test_tuple_members_follow_the_arity() -> None:
    assert "Item3" in load_error("@(Tuple.Create(1, 2).Item3)")
    assert "Rest" in load_error("@(Tuple.Create(1, 2, 3, 4, 5, 6, 7).Rest)")
    assert text_of("@(Tuple.Create(1, 2, 3, 4, 5, 6, 7, 8).Rest.Item1)") == "8"


def test_tuple_of_doubles_prints_net8_digits() -> None:
    assert text_of("@(Tuple.Create(0.1 + 0.2, 1e20))") == "(0.30000000000000004, 1E+20)"


# --- StringWriter / StringReader ---------------------------------------------------------------


def test_writeline_ends_lines_with_crlf() -> None:
    """APIM's hosts run Windows: Environment.NewLine, TextWriter's default NewLine, is CR LF."""
    text = '@{ var w = new StringWriter(); w.WriteLine("a"); w.WriteLine(); return w.ToString(); }'
    assert text_of(text) == "a\r\n\r\n"
    assert text_of("@(new StringWriter().NewLine)") == "\r\n"


def test_reader_splits_what_writer_wrote() -> None:
    text = """@{
        var w = new StringWriter();
        w.WriteLine("x"); w.Write("y");
        var r = new StringReader(w.ToString());
        return r.ReadLine() + "|" + r.ReadLine() + "|" + (r.ReadLine() == null);
    }"""
    assert text_of(text) == "x|y|True"


def test_writer_growth_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """`w.Write(w.ToString())` in a loop doubles the text: the memory bound stops it."""
    monkeypatch.setattr(budget, "MAX_LENGTH", 4096)
    text = """@{
        var w = new StringWriter(); w.Write("ab");
        for (var i = 0; i < 40; i++) { w.Write(w.ToString()); }
        return w.ToString().Length;
    }"""
    with pytest.raises(ExpressionRuntimeError) as info:
        text_of(text)
    assert info.value.exception_type == "OutOfMemoryException"


def test_unimplemented_text_members_say_not_supported_yet() -> None:
    with pytest.raises(NotSupportedError):
        compile_expression("@(new StringWriter().Encoding)")
    with pytest.raises(NotSupportedError):
        compile_expression('@(new StringReader("x").ReadLineAsync())')


def test_string_writer_provider_overload() -> None:
    """A non-null IFormatProvider would be a CultureInfo, which APIM does not allow."""
    text = '@{ var w = new StringWriter(new StringBuilder("a"), null); w.Write(1); return w; }'
    assert text_of(text) == "a1"
