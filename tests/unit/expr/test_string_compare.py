"""`String.Compare`/`CompareOrdinal` beyond the Mono vectors (text.yaml): the invariant culture's
ICU order, .NET 8's ordinal quirks, argument checks and the static result type."""

from __future__ import annotations

import functools
import itertools
import random

import pytest

from certgate.core.expr import strings, typenames
from certgate.core.expr.static import INT
from certgate.errors import ExpressionRuntimeError

from .conftest import evaluate, load_error

# Printable ASCII in ICU root order (read off ICU 72's root collator), ties broken lower case first.
ICU_ASCII = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789" + "".join(
    c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"
)


def test_printable_ascii_sorts_as_icu_root() -> None:
    chars = sorted(ICU_ASCII, key=ord)
    ordered = sorted(chars, key=functools.cmp_to_key(strings.compare_culture))
    assert "".join(ordered) == ICU_ASCII


def _general(a: str, b: str, ignore_case: bool) -> int:
    """The collation-key path, which the all-ASCII fast path must agree with."""
    ka, kb = strings._collation_key(a), strings._collation_key(b)
    for level in range(2 if ignore_case else 3):
        if ka[level] != kb[level]:
            return -1 if ka[level] < kb[level] else 1
    return 0


def test_ascii_fast_path_matches_the_collation_keys() -> None:
    rnd = random.Random(5)
    alphabet = [chr(i) for i in range(128)]
    for _ in range(3000):
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 4)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 4)))
        for ignore_case in (False, True):
            assert strings.compare_culture(a, b, ignore_case) == _general(a, b, ignore_case), (a, b)


@pytest.mark.parametrize(
    ("a", "b", "expected", "ignoring_case"),
    [
        # ICU 72 root collator results (`Collator.compare`, tertiary / secondary strength)
        ("a", "A", -1, 0),
        ("Ab", "aB", 1, 0),
        ("resume", "résumé", -1, -1),
        ("Résumé", "résumé", 1, 0),
        ("é", "E", 1, 1),
        ("à", "á", 1, 1),
        ("a\u0301", "á", 0, 0),
        ("ø", "oz", -1, -1),
        ("ø", "p", -1, -1),
        ("Ø", "o", 1, 1),
        ("ł", "lz", -1, -1),
        ("ð", "dz", -1, -1),
        ("ß", "ss", 1, 0),
        ("ß", "st", -1, -1),
        ("Straße", "Strasse", 1, 0),
        ("æ", "ae", 1, 0),
        ("æ", "af", -1, -1),
        ("\u0131", "iz", 1, 1),
        ("\u0131", "j", -1, -1),
        ("ŋ", "nz", 1, 1),
        ("ς", "\u03c3", 1, 0),
        ("Ω", "ω", 1, 0),
        ("\u03b1", "z", 1, 1),
        ("\u0661", "1", 0, 0),
        ("\u0661", "2", -1, -1),
        ("²", "2", 1, 0),
        ("²", "3", -1, -1),
        ("\uff21", "A", 1, 0),
        ("\uff41", "A", -1, 0),
        ("\u00a0", " ", 1, 0),
        ("€", "$", 1, 1),
        ("€", "0", -1, -1),
        ("\U0001f600", "a", -1, -1),
        ("a\u200bb", "ab", 0, 0),
        ("\u00ad", "", 0, 0),
        ("a\x00", "a", 0, 0),
        ("\t", " ", -1, -1),
        ("co-op", "coop", -1, -1),
    ],
)
def test_culture_order_follows_icu(a: str, b: str, expected: int, ignoring_case: int) -> None:
    assert strings.compare_culture(a, b) == expected
    assert strings.compare_culture(b, a) == -expected
    assert strings.compare_culture(a, b, ignore_case=True) == ignoring_case


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 0),
        ("", "a", -97),  # .NET compares the first units before anything else
        ("a", "ab", -98),  # ... then the second: "a"'s NUL terminator against "b"
        ("ab", "abc", -1),  # two at a time: an even prefix ends with the lengths
        ("abc", "abcd", -100),  # an odd one reads the terminator once more
        ("abcd", "abcde", -1),
        ("ab", "abcd", -2),
        ("", "\x00", -1),  # an empty string's padding is zero too
        ("\x00", "", 1),
        ("a\x00", "a", 1),
        ("abcdefghijklmnopq", "abcdefghijklmnopqr", -114),  # past the unrolled blocks
        ("abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz012345678X", -31),
        ("\U0001f600", "a", 0xD83D - 0x61),  # UTF-16 units, not code points
        ("\U0001f600", "\U0001f601", -1),
    ],
)
def test_ordinal_is_dotnet_to_the_unit(a: str, b: str, expected: int) -> None:
    assert strings.compare_ordinal(a, b) == expected
    assert strings.compare_ordinal(b, a) == -expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("a", "A", 0),
        ("a", "C", -2),
        ("", "a", -1),  # no terminator trick here: the lengths
        ("Z", "a", 25),
        ("ß", "SS", 0xDF - 0x53),  # no single upper case: compared as it is
        ("ÿ", "Ÿ", 0),
        ("\u0131", "I", 0x131 - 0x49),  # .NET's ordinal casing keeps dotless i and long s
        ("\u017f", "S", 0x17F - 0x53),
        ("\U00010428", "\U00010400", 0),  # Deseret: upper-cased as one code point
    ],
)
def test_ordinal_ignore_case(a: str, b: str, expected: int) -> None:
    assert strings.compare_ordinal_ignore_case(a, b) == expected


def test_compare_is_typed_int() -> None:
    statics = typenames.resolve("String").statics
    assert statics["Compare"].result is INT and statics["CompareOrdinal"].result is INT
    assert evaluate('@(String.Compare("b", "a") + 1)') == 2
    assert evaluate('@(string.CompareOrdinal("a", "c") - 1)') == -3


@pytest.mark.parametrize(
    ("text", "param"),
    [
        ('@(String.Compare(null, 0, "abc", 0, 2))', "string1"),
        ('@(String.Compare("abc", 0, null, 0, 2, true))', "string2"),
        ('@(String.Compare("ab", 3, "abc", 0, 1))', "length1"),
        ('@(String.Compare("ab", -1, "abc", 0, 1))', "offset1"),
        ('@(String.Compare("a", 0, "b", 0, -1, StringComparison.Ordinal))', "length"),
        ('@(String.Compare("a", 0, "b", 2, 1, StringComparison.Ordinal))', "indexB"),
        ('@(string.CompareOrdinal("abc", 4, "abc", 0, 0))', "indexA"),
        ('@(string.CompareOrdinal("abc", 0, "abc", -1, 0))', "indexB"),
        ('@(string.CompareOrdinal("abc", 0, "abc", 0, -1))', "length"),
    ],
)
def test_range_checks_name_the_parameter(text: str, param: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        evaluate(text)
    assert caught.value.exception_type == "ArgumentOutOfRangeException"
    assert f"(Parameter '{param}')" in caught.value.message


def test_nulls_come_first_before_any_check() -> None:
    assert evaluate("@(String.Compare(null, -1, null, -1, -1, StringComparison.Ordinal))") == 0
    assert evaluate('@(string.CompareOrdinal(null, -5, "x", 9, -1))') == -1
    assert evaluate('@(String.Compare("x", 0, null, 0, 0))') == 1


def test_wrong_arguments_throw() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        evaluate('@(string.CompareOrdinal("a"))')
    assert caught.value.exception_type == "ArgumentException"


@pytest.mark.parametrize(
    "text",
    [
        '@(String.Compare("a", "b", 1))',  # a bool or a StringComparison: 1 is neither
        '@(String.Compare("a", "b", "c", 1))',
    ],
)
def test_wrong_argument_types_are_refused_at_load(text: str) -> None:
    """csc's CS1503: only the constant 0 converts to an enum."""
    assert "has some invalid arguments" in load_error(text)


def test_the_constant_zero_is_a_string_comparison() -> None:
    """`String.Compare(a, b, 0)`: (string, string, StringComparison.CurrentCulture)."""
    assert evaluate('@(String.Compare("a", "B", 0))') == -1
    assert evaluate('@(String.Compare("b", "B", StringComparison.CurrentCulture))') == -1


def test_compare_to_is_the_culture_comparison() -> None:
    """`string.CompareTo` (not reachable from expressions yet: see `strings.compare_to`)."""
    assert strings.compare_to("a", "B") == -1 and strings.compare_to("b", "a") == 1
    assert strings.compare_to("a", None) == 1
    with pytest.raises(ExpressionRuntimeError, match="Object must be of type String"):
        strings.compare_to("a", 1)


def test_culture_comparison_is_a_total_order_on_a_mixed_sample() -> None:
    sample = ["", " ", *"a A á Á ab aB b ß ss SS ø o 1 \u0661 -".split()]
    for a, b, c in itertools.product(sample, repeat=3):
        ab, bc = strings.compare_culture(a, b), strings.compare_culture(b, c)
        if ab <= 0 and bc <= 0:
            assert strings.compare_culture(a, c) <= 0, (a, b, c)


def test_a_char_for_a_string_is_refused_at_load() -> None:
    """csc: no overload of Compare takes (string, char); certgate reads Mono's overload list."""
    assert "String.Compare' has some invalid arguments" in load_error(
        "@(String.Compare(\"a\", 'b'))"
    )
