"""BCL members of coverage share C that the Mono oracle cannot run (APIs added in .NET Core 3.0
and later), and fixes whose effect Mono's 15-digit double printing hides.

Each test asserts .NET 8's documented behaviour; `tests/conformance/unit_tested/covc.yaml` names
them for the coverage check.
"""

from __future__ import annotations

import pytest

from .conftest import exception_of, text_of, value_of

# --- Math (.NET Core 3.0: Log2; .NET 5: Tau) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(Math.Log2(8))", "3"),
        ("@(Math.Log2(0.5))", "-1"),
        ("@(Math.Log2(1))", "0"),
        ('@(Math.Log2(10).ToString("F10"))', "3.3219280949"),
        ("@(Math.Log2(1024L) + 1)", "11"),
        ("@(double.IsNaN(Math.Log2(-1)))", "True"),
        ("@(double.IsNegativeInfinity(Math.Log2(0)))", "True"),
        ("@(double.IsPositiveInfinity(Math.Log2(double.PositiveInfinity)))", "True"),
    ],
)
def test_math_log2(text: str, expected: str) -> None:
    assert text_of(text) == expected


def test_math_tau() -> None:
    assert value_of("@(Math.Tau)") == 6.283185307179586
    assert text_of("@(Math.Tau == 2 * Math.PI)") == "True"
    assert text_of('@(Math.Tau.ToString("F5"))') == "6.28319"
    assert text_of("@(Math.Cos(Math.Tau))") == "1"


# --- MidpointRounding's directed modes (.NET Core 3.0): they round every value, not only ties --


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(Math.Round(2.7, MidpointRounding.ToZero))", "2"),
        ("@(Math.Round(-2.7, MidpointRounding.ToZero))", "-2"),
        ("@(Math.Round(2.5, MidpointRounding.ToZero))", "2"),
        ("@(Math.Round(-1.239, 2, MidpointRounding.ToZero))", "-1.23"),
        ("@(Math.Round(2.1, MidpointRounding.ToPositiveInfinity))", "3"),
        ("@(Math.Round(-2.9, MidpointRounding.ToPositiveInfinity))", "-2"),
        ("@(Math.Round(1.234, 2, MidpointRounding.ToPositiveInfinity))", "1.24"),
        ("@(Math.Round(2.9, MidpointRounding.ToNegativeInfinity))", "2"),
        ("@(Math.Round(-2.1, MidpointRounding.ToNegativeInfinity))", "-3"),
        ("@(Math.Round(1.239, 2, MidpointRounding.ToNegativeInfinity))", "1.23"),
    ],
)
def test_directed_rounding_modes(text: str, expected: str) -> None:
    assert text_of(text) == expected


def test_directed_rounding_modes_are_distinct_enum_values() -> None:
    assert (
        text_of(
            "@(MidpointRounding.ToZero != MidpointRounding.ToNegativeInfinity && "
            "MidpointRounding.ToNegativeInfinity != MidpointRounding.ToPositiveInfinity)"
        )
        == "True"
    )
    assert text_of("@(MidpointRounding.ToPositiveInfinity.ToString())") == "ToPositiveInfinity"


# --- Encoding.Latin1 (.NET 5) -----------------------------------------------------------------


def test_encoding_latin1() -> None:
    # one byte per char below U+0100; anything else is '?' (the replacement fallback)
    assert text_of('@(BitConverter.ToString(Encoding.Latin1.GetBytes("Aé€")))') == "41-E9-3F"
    # every byte decodes, 0x80-0x9F to the C1 controls (not Windows-1252)
    assert value_of("@(Encoding.Latin1.GetString(new byte[] {0xE9, 0x80, 0xFF}))") == "é\x80ÿ"
    assert text_of('@(Encoding.Latin1.CodePage + "|" + Encoding.Latin1.WebName)') == (
        "28591|iso-8859-1"
    )
    assert text_of("@(Encoding.Latin1.GetPreamble().Length)") == "0"
    assert text_of("@(Encoding.Latin1.GetMaxByteCount(4))") == "5"
    assert (
        text_of('@(Encoding.Latin1.CodePage == Encoding.GetEncoding("iso-8859-1").CodePage)')
        == "True"
    )


# --- StringSplitOptions.TrimEntries (.NET 5) ---------------------------------------------------


def test_split_trim_entries() -> None:
    assert (
        text_of('@(string.Join("|", " a , b ,, c ".Split(",", StringSplitOptions.TrimEntries)))')
        == "a|b||c"
    )
    assert (
        text_of(
            '@(string.Join("|", " a , , c".Split(new[] {","}, StringSplitOptions.TrimEntries)))'
        )
        == "a||c"
    )
    assert text_of('@(" x ".Split(";", StringSplitOptions.TrimEntries)[0].Length)') == "1"


# --- Random.NextInt64 (.NET 6) -----------------------------------------------------------------
# A seeded Random keeps .NET's legacy generator (its `Next` is checked against Mono). .NET 6+'s
# NextInt64 on it takes 64 bits from three draws, Next(2^22) | Next(2^22) << 22 | Next(2^20) << 44,
# and keeps the top 63 (no bound) or the top Log2Ceiling(range) bits, drawing again until the
# value is inside the range.


def _draws(seed: int, count: int) -> list[int]:
    """Next(2^22), Next(2^22), Next(2^20), ... of `new Random(seed)`: what NextInt64 consumes."""
    text = value_of(
        f"@{{ var r = new Random({seed}); var draws = new List<int>(); "
        f"for (int i = 0; i < {count}; i++) {{ draws.Add(r.Next(i % 3 == 2 ? 1 << 20 : 1 << 22)); }} "
        'return string.Join(",", draws); }'
    )
    assert isinstance(text, str)
    return [int(v) for v in text.split(",")]


def _uint64s(seed: int, count: int) -> list[int]:
    draws = _draws(seed, 3 * count)
    return [draws[i] | draws[i + 1] << 22 | draws[i + 2] << 44 for i in range(0, len(draws), 3)]


def _bounded(seed: int, low: int, high: int, count: int) -> list[int]:
    """What `count` calls of NextInt64(low, high) return, per .NET's algorithm."""
    bits = (high - low - 1).bit_length()
    results: list[int] = []
    for value in _uint64s(seed, 64):
        candidate = value >> (64 - bits)
        if candidate < high - low:
            results.append(candidate + low)
            if len(results) == count:
                return results
    raise AssertionError("ran out of draws")


def test_random_next_int64_takes_the_top_63_bits() -> None:
    text = value_of('@{ var r = new Random(42); return r.NextInt64() + "," + r.NextInt64(); }')
    assert isinstance(text, str)
    assert [int(v) for v in text.split(",")] == [v >> 1 for v in _uint64s(42, 2)]
    assert value_of("@(new Random(42).NextInt64())") == 1157699022552916256


@pytest.mark.parametrize(("low", "high"), [(0, 1000), (-5, 5), (0, 3), (5000000000, 5000000100)])
def test_random_next_int64_in_a_range(low: int, high: int) -> None:
    calls = ' + "," + '.join(f"r.NextInt64({low}L, {high}L)" for _ in range(5))
    text = value_of(f"@{{ var r = new Random(7); return {calls}; }}")
    assert isinstance(text, str)
    assert [int(v) for v in text.split(",")] == _bounded(7, low, high, 5)


def test_random_next_int64_max_only_and_degenerate_ranges() -> None:
    assert value_of("@(new Random(9).NextInt64(1000))") == _bounded(9, 0, 1000, 1)[0]
    assert value_of("@(new Random(7).NextInt64(5000000000L, 5000000001L))") == 5000000000
    assert value_of("@(new Random(7).NextInt64(3, 3))") == 3
    in_range = value_of(
        "@{ var r = new Random(); for (int i = 0; i < 200; i++) { long v = r.NextInt64(-5, 5); "
        "if (v < -5 || v >= 5) return false; } return true; }"
    )
    assert in_range is True
    # a long: arithmetic on it does not wrap at 32 bits
    assert value_of("@(new Random(42).NextInt64() / 1000000000000L)") == 1157699


def test_random_next_int64_arguments() -> None:
    assert exception_of("@(new Random(1).NextInt64(-1))") == "ArgumentOutOfRangeException"
    assert exception_of("@(new Random(1).NextInt64(5, 4))") == "ArgumentOutOfRangeException"


# --- Convert.ToHexString / FromHexString (.NET 5) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(Convert.ToHexString(new byte[] { 0, 171, 255 }))", "00ABFF"),
        ("@(Convert.ToHexString(new byte[0]))", ""),
        ('@(Convert.ToHexString(Encoding.UTF8.GetBytes("é")))', "C3A9"),
        ('@(Convert.FromHexString("00abFF").Length)', "3"),
        ('@(BitConverter.ToString(Convert.FromHexString("00abFF")))', "00-AB-FF"),
        ('@(Convert.FromHexString("").Length)', "0"),
        ('@(Convert.ToHexString(Convert.FromHexString("DEADbeef")))', "DEADBEEF"),
    ],
)
def test_convert_hex_strings(text: str, expected: str) -> None:
    assert text_of(text) == expected


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ('@(Convert.FromHexString("abc"))', "FormatException"),  # odd length
        ('@(Convert.FromHexString("zz"))', "FormatException"),
        ("@(Convert.FromHexString(null))", "ArgumentNullException"),
        ("@(Convert.ToHexString(null))", "ArgumentNullException"),
    ],
)
def test_convert_hex_string_errors(text: str, exception: str) -> None:
    assert exception_of(text) == exception


# --- fixes Mono's 15-digit output cannot show ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "root"), [(27.0, 3.0), (-27.0, -3.0), (375.0**3, 375.0), (1e-300, 1e-100)]
)
def test_math_cbrt_is_correctly_rounded(value: float, root: float) -> None:
    # glibc's cbrt returns 3.0000000000000004 for 27 and is two ulps off for 375**3
    assert value_of(f"@(Math.Cbrt({value!r}))") == root
    assert text_of("@(Math.Cbrt(1000))") == "10"
