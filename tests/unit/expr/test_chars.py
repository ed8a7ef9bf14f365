"""`System.Char`'s statics (`certgate.core.expr.chars`): the .NET 6/7 members Mono lacks
(`IsAscii*`, `IsBetween`), named in `tests/conformance/unit_tested/chars.yaml`, and the points
where Python's own character tests differ from .NET 8's. The rest is checked against Mono by
`tests/conformance/vectors/chars.yaml`.
"""

from __future__ import annotations

from certgate.core.expr import CsChar

from .conftest import exception_of, load_error, text_of, value_of

# --- .NET 6: IsAscii; .NET 7: IsAsciiDigit, IsAsciiLetter*, IsAsciiHexDigit*, IsBetween ---------


def test_is_ascii() -> None:
    assert text_of("@(char.IsAscii('a') + \"|\" + char.IsAscii('\\u007F'))") == "True|True"
    assert text_of("@(char.IsAscii('\\u0080') + \"|\" + char.IsAscii('é'))") == "False|False"
    assert text_of("@(char.IsAscii(char.MinValue))") == "True"


def test_is_ascii_digit_takes_no_other_script() -> None:
    assert text_of("@(char.IsAsciiDigit('0') + \"|\" + char.IsAsciiDigit('9'))") == "True|True"
    assert text_of("@(char.IsAsciiDigit('٣') + \"|\" + char.IsAsciiDigit('a'))") == "False|False"
    assert text_of("@(char.IsDigit('٣'))") == "True"  # unlike IsDigit


def test_is_ascii_letter_family() -> None:
    assert text_of("@(char.IsAsciiLetter('q') + \"|\" + char.IsAsciiLetter('Q'))") == "True|True"
    assert text_of("@(char.IsAsciiLetter('é') + \"|\" + char.IsAsciiLetter('['))") == "False|False"
    assert text_of("@(char.IsAsciiLetterLower('a') + \"|\" + char.IsAsciiLetterLower('A'))") == (
        "True|False"
    )
    assert text_of("@(char.IsAsciiLetterLower('ж'))") == "False"
    assert text_of("@(char.IsAsciiLetterUpper('Z') + \"|\" + char.IsAsciiLetterUpper('z'))") == (
        "True|False"
    )
    assert text_of("@(char.IsAsciiLetterUpper('Ω'))") == "False"
    assert text_of(
        "@(char.IsAsciiLetterOrDigit('7') + \"|\" + char.IsAsciiLetterOrDigit('x')"
        " + \"|\" + char.IsAsciiLetterOrDigit('_') + \"|\" + char.IsAsciiLetterOrDigit('٣'))"
    ) == ("True|True|False|False")


def test_is_ascii_hex_digit_family() -> None:
    assert text_of(
        "@(char.IsAsciiHexDigit('f') + \"|\" + char.IsAsciiHexDigit('F')"
        " + \"|\" + char.IsAsciiHexDigit('9') + \"|\" + char.IsAsciiHexDigit('g'))"
    ) == ("True|True|True|False")
    assert text_of(
        "@(char.IsAsciiHexDigitLower('a') + \"|\" + char.IsAsciiHexDigitLower('A')"
        " + \"|\" + char.IsAsciiHexDigitLower('0'))"
    ) == ("True|False|True")
    assert text_of(
        "@(char.IsAsciiHexDigitUpper('A') + \"|\" + char.IsAsciiHexDigitUpper('a')"
        " + \"|\" + char.IsAsciiHexDigitUpper('0'))"
    ) == ("True|False|True")
    assert text_of("@(char.IsAsciiHexDigit('\\uFF21'))") == "False"  # fullwidth A


def test_is_between_is_inclusive_and_unsigned() -> None:
    assert text_of("@(char.IsBetween('c', 'a', 'z') + \"|\" + char.IsBetween('a', 'a', 'a'))") == (
        "True|True"
    )
    assert text_of("@(char.IsBetween('z', 'a', 'y') + \"|\" + char.IsBetween('A', 'a', 'z'))") == (
        "False|False"
    )
    # (uint)(c - min) <= (uint)(max - min): with max < min, chars above min wrap into the range
    assert text_of("@(char.IsBetween('d', 'c', 'a') + \"|\" + char.IsBetween('b', 'c', 'a'))") == (
        "True|False"
    )


def test_ascii_members_take_a_char_only() -> None:
    assert exception_of('@(char.IsAsciiDigit("1"))') == "InvalidCastException"


# --- where Python's str methods and .NET 8 part ------------------------------------------------


def test_white_space_is_not_pythons_isspace() -> None:
    assert "\x1c".isspace()  # Python counts the information separators, .NET does not
    assert text_of("@(char.IsWhiteSpace('\\u001C') + \"|\" + char.IsWhiteSpace('\\u001F'))") == (
        "False|False"
    )
    assert text_of("@(char.IsWhiteSpace('\\u2029') + \"|\" + char.IsWhiteSpace('\\u3000'))") == (
        "True|True"
    )


def test_upper_and_lower_are_categories_not_pythons_isupper() -> None:
    assert "Ⅷ".isupper()  # Other_Uppercase, a letter number (Nl) to .NET
    assert text_of("@(char.IsUpper('Ⅷ') + \"|\" + char.IsLower('ⅷ'))") == "False|False"
    assert text_of("@(char.IsLower('ª'))") == "False"  # Lo since Unicode 6.1


def test_numeric_value_ignores_unihan() -> None:
    # Python's unicodedata.numeric knows Unihan's values; .NET's table is UnicodeData.txt's
    assert text_of("@(char.GetNumericValue('五') + \"|\" + char.GetNumericValue('\\uF973'))") == (
        "-1|10"
    )
    assert value_of("@(char.GetNumericValue('5') / 2)") == 2.5  # a double


def test_invariant_casing_keeps_turkish_i_and_sharp_s() -> None:
    assert value_of("@(char.ToUpperInvariant('\\u0131'))") == CsChar("\u0131")  # dotless i
    assert value_of("@(char.ToLowerInvariant('İ'))") == CsChar("İ")
    assert value_of("@(char.ToUpper('ß'))") == CsChar("ß")
    assert value_of("@(char.ToUpper('ᾳ'))") == CsChar("ᾼ")  # the simple mapping: one letter
    assert value_of("@(char.ToUpper('a') + 1)") == 66  # a char: + 1 is an int


def test_a_char_of_astral_text_is_its_high_surrogate() -> None:
    assert text_of('@(char.IsHighSurrogate("😀"[0]) + "|" + char.IsSymbol("😀"[0]))') == (
        "True|False"
    )
    assert value_of('@(char.ToUpper("😀"[0]))') == CsChar("\ud83d")  # a surrogate has no case


def test_a_string_is_another_overload() -> None:
    """IsLetter(char) and IsLetter(string, int): csc refuses the other shapes at load."""
    assert "Char.IsLetter' has some invalid arguments" in load_error('@(char.IsLetter("a"))')
    assert "Char.IsLetter' has some invalid arguments" in load_error("@(char.IsLetter('a', 0))")
    assert exception_of('@(char.IsLetter("abc", 3))') == "ArgumentOutOfRangeException"


def test_try_parse_sets_the_out_value() -> None:
    assert text_of('@{ char c; return char.TryParse("ж", out c) + "|" + c; }') == "True|ж"
    assert text_of('@{ char c = \'x\'; return char.TryParse("", out c) + "|" + (int)c; }') == (
        "False|0"
    )


def test_unicode_category_prints_its_name() -> None:
    assert text_of("@(char.GetUnicodeCategory('ǅ'))") == "TitlecaseLetter"
    assert text_of("@(char.GetUnicodeCategory('\\u00AD'))") == "Format"
    assert text_of("@(char.GetUnicodeCategory('a').Equals(char.GetUnicodeCategory('z')))") == "True"
