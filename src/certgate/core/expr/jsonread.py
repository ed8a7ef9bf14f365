"""JSON text -> tokens, the way Json.NET's JsonTextReader reads it (see `jsonio` for the rules)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from . import exceptions as exc
from . import utf16
from .datetime import LOCAL, MAX_TICKS, UNSPECIFIED, UTC, DateTime, date_ticks, time_ticks
from .decimals import parse as decimal_parse
from .jcontainer import JProperty
from .jobject import JArray, JObject
from .jspecial import JConstructor
from .jtoken import JToken, JValue, json_error
from .strings import WHITE_SPACE, to_string

MAX_DEPTH = 64
# Json.NET's DateTimeParser: an offset may be `+02:00`, `+0200` or `+02`
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?\Z"
)
# WCF's and ASP.NET's "/Date(ms)/" and "/Date(ms+hhmm)/" (Json.NET's TryParseMicrosoftDate)
_MICROSOFT_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{2}(?:\d{2})?)?\)/\Z")
_UNIX_EPOCH_TICKS = 621_355_968_000_000_000
_ESCAPES = dict(zip("\"\\/'bfnrt", "\"\\/'\b\f\n\r\t", strict=True))
_DELIMITERS = frozenset(" \t\r\n,]}/)")
_CONSTRUCTOR = re.compile(r"new\s+([A-Za-z0-9_]+)\s*\(")


class _Reader:
    def __init__(
        self, text: str, dates: bool = True, decimals: bool = False, strings: bool = False
    ) -> None:
        self.text = text
        self.i = 0
        self.depth = 0
        self.dates = dates  # DateParseHandling.DateTime (JToken reads) or None (string reads)
        self.decimals = decimals  # ReadAsDecimal: a fraction keeps its digits ("0.10")
        self.strings = strings  # ReadAsString: a number or bool is its text ("1.50", "true")

    def fail(self, message: str, at: int | None = None) -> Exception:
        at = self.i if at is None else at
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return json_error(f"{message} Path '', line {line}, position {column}.")

    def skip(self) -> None:
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c in WHITE_SPACE or c == "\ufeff":
                self.i += 1
            elif text.startswith("//", self.i):
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            elif text.startswith("/*", self.i):
                end = text.find("*/", self.i + 2)
                if end < 0:
                    raise self.fail("Unexpected end while parsing comment.", len(text))
                self.i = end + 2
            else:
                return

    def value(self) -> JToken:
        self.skip()
        if self.i >= len(self.text):
            raise self.fail("Unexpected end of content while loading JObject.")
        c = self.text[self.i]
        if c in "{[":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded.")
            token: JToken = self.object() if c == "{" else self.array()
            self.depth -= 1
            return token
        if c == "n" and _CONSTRUCTOR.match(self.text, self.i):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded.")
            constructor = self.constructor()
            self.depth -= 1
            return constructor
        if c in "\"'":
            text = self.string(c)
            if self.dates and (_DATE.match(text) or text.startswith("/Date(")):
                return JValue(parse_date(text) or text)
            return JValue(text)
        return self.literal()

    def object(self) -> JObject:
        result = JObject()
        self.i += 1
        while True:
            self.skip()
            if self.i >= len(self.text):
                raise self.fail("Unexpected end while parsing object.")
            if self.text[self.i] == "}":
                self.i += 1
                return result
            name = self.name()
            self.skip()
            if self.text[self.i : self.i + 1] != ":":
                got = self.text[self.i : self.i + 1]
                raise self.fail(
                    f"Invalid character after parsing property name. Expected ':' but got: {got}."
                )
            self.i += 1
            value = self.value()
            existing = result._index.get(name)
            if existing is not None:
                existing._set_value(value)
            else:
                result.Add(JProperty(name, value))
            self.skip()
            c = self.text[self.i : self.i + 1]
            if c == ",":
                self.i += 1
            elif c != "}":
                raise self.fail(
                    f"After parsing a value an unexpected character was encountered: {c}."
                )

    def name(self) -> str:
        c = self.text[self.i]
        if c in "\"'":
            return self.string(c)
        start = self.i
        while self.i < len(self.text) and (
            self.text[self.i].isalnum() or self.text[self.i] in "_$"
        ):
            self.i += 1
        if self.i == start:
            raise self.fail(f"Invalid property identifier character: {c}.")
        return self.text[start : self.i]

    def array(self) -> JArray:
        result = JArray()
        self.i += 1
        while True:
            self.skip()
            if self.i >= len(self.text):
                raise self.fail("Unexpected end while parsing array.")
            if self.text[self.i] == "]":
                self.i += 1
                return result
            if self.text[self.i] == ",":
                raise self.fail("Unexpected character encountered while parsing value: ,.")
            result.Add(self.value())
            self.skip()
            c = self.text[self.i : self.i + 1]
            if c == ",":
                self.i += 1
            elif c != "]":
                raise self.fail(
                    f"After parsing a value an unexpected character was encountered: {c}."
                )

    def constructor(self) -> JConstructor:
        """`new Name(value, ...)`, Json.NET's constructor syntax."""
        match = _CONSTRUCTOR.match(self.text, self.i)
        assert match is not None
        result = JConstructor(match.group(1))
        self.i = match.end()
        while True:
            self.skip()
            if self.i >= len(self.text):
                raise self.fail("Unexpected end while parsing constructor.")
            if self.text[self.i] == ")":
                self.i += 1
                return result
            result.Add(self.value())
            self.skip()
            c = self.text[self.i : self.i + 1]
            if c == ",":
                self.i += 1
            elif not c:
                raise self.fail("Unexpected end while parsing constructor.")
            elif c != ")":
                raise self.fail(
                    f"After parsing a value an unexpected character was encountered: {c}."
                )

    def string(self, quote: str) -> str:
        text, start = self.text, self.i
        self.i += 1
        out: list[str] = []
        while self.i < len(text):
            c = text[self.i]
            if c == quote:
                self.i += 1
                return utf16.text("".join(out))  # `\uD83D\uDE00`: one character
            if c == "\\":
                kind = text[self.i + 1 : self.i + 2]
                if kind == "u":
                    digits = text[self.i + 2 : self.i + 6]
                    if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                        raise self.fail(f"Invalid Unicode escape sequence: \\u{digits}.")
                    out.append(chr(int(digits, 16)))
                    self.i += 6
                    continue
                if kind not in _ESCAPES:
                    raise self.fail(f"Bad JSON escape sequence: \\{kind}.")
                out.append(_ESCAPES[kind])
                self.i += 2
                continue
            out.append(c)
            self.i += 1
        raise self.fail(f"Unterminated string. Expected delimiter: {quote}.", start)

    def literal(self) -> JValue:
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in _DELIMITERS:
            self.i += 1
        word = self.text[start : self.i]
        constants: dict[str, JValue] = {
            "true": JValue(True), "false": JValue(False), "null": JValue(None),
            "undefined": JValue(None, "Undefined"), "NaN": JValue(math.nan),
            "Infinity": JValue(math.inf), "-Infinity": JValue(-math.inf),
        }  # fmt: skip
        if word in constants:
            if self.strings and word in ("true", "false"):
                return JValue(word)
            return constants[word]
        if not word or word[0] == "+":  # Json.NET reads no leading plus sign
            got = self.text[start : start + 1]
            raise self.fail(f"Unexpected character encountered while parsing value: {got}.", start)
        number = self.number(word, start)  # (validates the text either way)
        return JValue(word if self.strings else number)

    def number(self, word: str, start: int) -> int | float:
        body = word.lstrip("-")
        try:
            if body[:2].lower() == "0x":
                return int(word.replace("0x", "").replace("0X", ""), 16)
            if any(c in word for c in ".eE"):
                if self.decimals:  # the text as a decimal, scale kept (1.50e1 is 15.0)
                    plain = format(Decimal(word), "f") if word.strip("-.0123456789") else word
                    return decimal_parse(plain)  # type: ignore[return-value]
                return float(word)
            if len(body) > 1 and body.startswith("0"):
                return int(word, 8)  # Json.NET reads a leading zero as octal
            return int(word)
        except ValueError:
            if word[0].isdigit() or word[0] in "-.":
                raise self.fail(f"Input string '{word}' is not a valid number.", start) from None
            raise self.fail(
                f"Unexpected character encountered while parsing value: {word[0]}.", start
            ) from None


def parse_date(text: str) -> object:
    """A Date value for an ISO-8601 date-time string (Kind Utc for 'Z', Local for an offset,
    converted to the machine's zone, which is UTC; Unspecified without a zone), or for a
    Microsoft date (milliseconds since 1970 UTC; Local with an offset, which only marks it)."""
    if text.startswith("/Date("):
        return _microsoft_date(text)
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        ticks = date_ticks(year, month, day) + time_ticks(hour, minute, second)
    except Exception:
        return None
    ticks += int((match.group(7) or "0").ljust(7, "0"))
    zone = match.group(8)
    if zone is None:
        return DateTime(ticks, UNSPECIFIED)
    if zone == "Z":
        return DateTime(ticks, UTC)
    minutes = zone[3:].lstrip(":")
    offset = (int(zone[1:3]) * 60 + int(minutes or 0)) * 600_000_000
    return DateTime(ticks - offset if zone[0] == "+" else ticks + offset, LOCAL)


def _microsoft_date(text: str) -> DateTime | None:
    match = _MICROSOFT_DATE.match(text)
    if match is None:
        return None
    ticks = _UNIX_EPOCH_TICKS + int(match.group(1)) * 10_000
    if not 0 <= ticks <= MAX_TICKS:
        return None
    return DateTime(ticks, LOCAL if match.group(2) else UTC)


def parse(
    text: object,
    expect: type[JToken] | None = None,
    *,
    dates: bool = True,
    decimals: bool = False,
    strings: bool = False,
) -> JToken:
    """`JToken.Parse` / `JObject.Parse` / `JArray.Parse`; `dates=False` keeps ISO date strings
    as strings (what the serializer's ReadAsString gives a string target), `strings=True` also
    keeps numbers and booleans as their text (Json.NET 9+'s ReadAsString: "1.50", "true"),
    `decimals=True` reads fractions as decimals (its ReadAsDecimal)."""
    if text is None:
        raise exc.argument_null("json")
    reader = _Reader(
        to_string(text) if not isinstance(text, str) else text, dates, decimals, strings
    )
    reader.skip()
    if reader.i >= len(reader.text):
        what = "JToken" if expect in (None, JToken) else (expect.__name__)
        raise json_error(f"Error reading {what} from JsonReader. Path '', line 0, position 0.")
    token = reader.value()
    if expect is not None and not isinstance(token, expect):
        noun = "an object" if expect is JObject else "an array"
        got = {"Object": "StartObject", "Array": "StartArray"}.get(token.KIND_NAME, token.KIND_NAME)
        raise json_error(
            f"Error reading {expect.__name__} from JsonReader. Current JsonReader item is not "
            f"{noun}: {got}. Path '', line 1, position 1."
        )
    reader.skip()
    if reader.i < len(reader.text):
        c = reader.text[reader.i]
        raise reader.fail(f"Additional text encountered after finished reading JSON content: {c}.")
    return token


def string_text(text: str) -> str | None:
    """The text of a JSON document that is one string (quotes and escapes removed), else None:
    what Json.NET's `ReadAsDateTimeOffset` reads before any date parsing."""
    reader = _Reader(text)
    reader.skip()
    quote = text[reader.i : reader.i + 1]
    return reader.string(quote) if quote in ('"', "'") else None
