"""Strings in UTF-16 units (`utf16`): the canonical form every member returns (a pair is one
code point, so joined halves equal the literal, hash alike and find the same dictionary key),
the fast path for narrow text (the very same object back), and the .NET 8 behaviour Mono cannot
show. What Mono can show is in `tests/conformance/vectors/utf16_strings.yaml`.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import utf16
from certgate.core.expr.strings import (
    concat,
    join,
    pad_left,
    replace,
    split,
    substring,
    to_char_array,
    trim,
)
from certgate.core.expr.types import CsChar

from .conftest import load_error, text_of, value_of

GRIN = "\U0001f600"
HIGH, LOW = "\ud83d", "\ude00"

# --- the two forms --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "plain ascii", "café ñ", "日本語"])
def test_narrow_text_is_its_own_unit_form(text: str) -> None:
    assert utf16.narrow(text)
    assert utf16.units(text) is text
    assert utf16.text(text) is text
    assert utf16.length(text) == len(text)


@pytest.mark.parametrize("text", [GRIN, "a" + GRIN, HIGH, "x" + LOW])
def test_wide_text_is_not_narrow(text: str) -> None:
    assert not utf16.narrow(text)


def test_units_and_text_round_trip() -> None:
    text = "a" + GRIN + "b" + HIGH
    assert utf16.units(text) == "a" + HIGH + LOW + "b" + HIGH
    assert utf16.text(utf16.units(text)) == text
    assert utf16.length(text) == 5


def test_text_keeps_lone_and_reversed_halves() -> None:
    assert utf16.text(LOW + HIGH) == LOW + HIGH  # the wrong order is not a pair
    assert utf16.text(HIGH + HIGH + LOW) == HIGH + GRIN


# --- the fast path returns the same object --------------------------------------------------------


def test_narrow_members_return_the_same_object() -> None:
    text = "héllo wörld"
    assert substring(text, 0) is text
    assert trim(text) is text
    assert pad_left(text, 3) is text
    assert concat(text) is text


def test_wide_members_return_canonical_text() -> None:
    text = "a" + GRIN + "b"
    assert substring(text, 1, 2) == GRIN
    assert substring(text, 2, 1) == LOW
    assert [str(c) for c in to_char_array(text)] == ["a", HIGH, LOW, "b"]
    assert replace("a" + HIGH + "b", "b", LOW) == "a" + GRIN
    assert list(split(text, CsChar(HIGH))) == ["a", LOW + "b"]  # type: ignore[call-overload]


# --- canonical form: joined halves equal the literal ----------------------------------------------


@pytest.mark.parametrize(
    "joined",
    [
        '"\\uD83D" + "\\uDE00"',
        "'\\uD83D'.ToString() + '\\uDE00'",
        'string.Concat("\\uD83D", "\\uDE00")',
        'string.Join("", new[] { "\\uD83D", "\\uDE00" })',
        'string.Format("{0}{1}", "\\uD83D", "\\uDE00")',
        "$\"{'\\uD83D'}{'\\uDE00'}\"",
        "new string(new[] { '\\uD83D', '\\uDE00' })",
        '"\\uD83Dx\\uDE00".Remove(1, 1)',
        '"\\uDE00".Insert(0, "\\uD83D")',
        "\"\\uDE00\".PadLeft(2, '\\uD83D')",
        '"\\uD83D\\uDE00"',
        '"😀".Substring(0, 1) + "😀".Substring(1)',
    ],
)
def test_joined_halves_are_the_literal(joined: str) -> None:
    assert value_of(f"@({joined})") == GRIN
    assert text_of(f'@(({joined}) == "😀")') == "True"


def test_joined_halves_hash_and_key_like_the_literal() -> None:
    assert text_of('@("😀".GetHashCode() == ("\\uD83D" + "\\uDE00").GetHashCode())') == "True"
    expr = (
        '@{ var d = new Dictionary<string, int>(); d["\\uD83D" + "\\uDE00"] = 1; d["😀"] = 2; '
        'return d.Count + "|" + d["😀"]; }'
    )
    assert text_of(expr) == "1|2"
    assert text_of('@(new HashSet<string> { "😀", "\\uD83D" + "\\uDE00" }.Count)') == "1"


def test_a_lone_surrogate_literal_stays_lone() -> None:
    assert value_of('@("\\uD83D")') == HIGH  # not U+FFFD
    assert value_of("@('\\uDE00')") == CsChar(LOW)
    assert value_of('@("a\\uDE00\\uD83D")') == "a" + LOW + HIGH


def test_a_char_is_one_unit() -> None:
    assert value_of('@("😀"[0])') == CsChar(HIGH)
    assert "Too many characters" in load_error("@('😀')")


def test_join_and_concat_of_pieces() -> None:
    assert join("", HIGH, LOW) == GRIN
    assert concat(HIGH, LOW) == GRIN


# --- .NET 8 behaviour Mono cannot show ------------------------------------------------------------


def test_ordinal_ignore_case_folds_a_pair_as_its_character() -> None:
    # Deseret capital/small long I (U+10400/U+10428): .NET 5+ OrdinalCasing folds pairs
    assert text_of('@("a𐐨b".IndexOf("𐐀", StringComparison.OrdinalIgnoreCase))') == "1"
    assert text_of('@("a𐐨b".IndexOf("B", StringComparison.OrdinalIgnoreCase))') == "3"
    assert text_of('@("a𐐨b".Contains("𐐀", StringComparison.OrdinalIgnoreCase))') == "True"


def test_encoding_get_bytes_string_range_counts_units() -> None:
    # Encoding.GetBytes(string, int, int) is .NET Core 3.0+
    assert text_of('@(Encoding.UTF8.GetBytes("a😀b", 1, 2).Length)') == "4"
    assert text_of('@(Encoding.UTF8.GetBytes("a😀b", 3, 1)[0])') == "98"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (r'@(Uri.EscapeDataString("a\uD83Db"))', "a%EF%BF%BDb"),  # a lone half: U+FFFD
        (r'@(Uri.EscapeUriString("a\uDE00b"))', "a%EF%BF%BDb"),
        (r'@(Uri.EscapeDataString("a\uD83D\uDE00b"))', "a%F0%9F%98%80b"),  # a pair: the emoji
        (r'@(WebUtility.UrlEncode("a\uD83Db"))', "a%EF%BF%BDb"),
    ],
)
def test_uri_escaping_writes_a_lone_surrogate_as_the_replacement_character(
    text: str, escaped: str
) -> None:
    """.NET 8's `UriHelper.EscapeStringToBuilder` takes `Rune.ReplacementChar` for a lone
    surrogate (Mono, like .NET Framework, throws UriFormatException, so no vector)."""
    assert text_of(text) == escaped
