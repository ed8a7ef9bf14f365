"""System.Collections.Generic and LINQ breadth (behaviour against C# in vectors/collections.yaml)."""

from __future__ import annotations

import pytest

from certgate.core.expr.hashed import Slots
from certgate.core.expr.keys import compare, hash_key
from certgate.core.expr.types import CsChar
from certgate.errors import ExpressionRuntimeError

from .conftest import evaluate


def test_dictionary_slots_enumerate_like_dotnet() -> None:
    slots = Slots()
    for key in "abcd":
        slots.put(key, key.upper(), replace=False)
    slots.remove("b")
    slots.remove("c")
    slots.put("e", "E", replace=False)  # takes the slot freed last ("c")
    slots.put("f", "F", replace=False)  # then "b"'s
    assert [k for k, _ in slots.items()] == ["a", "f", "e", "d"]
    assert not slots.put("a", "x", replace=False) and slots.get("a") == (True, "A")


def test_default_equality_keeps_types_apart() -> None:
    assert hash_key(1) != hash_key(True) and hash_key(1) != hash_key(1.0)
    assert hash_key("A", ignore_case=True) == hash_key("a", ignore_case=True)
    assert hash_key(CsChar("a")) != hash_key("a")


def test_default_comparer_orders_strings_culture_like() -> None:
    words = ["b", "B", "a", "A", "10", "9", "_x", "ab"]
    ordered = sorted(words, key=__import__("functools").cmp_to_key(compare))
    assert ordered == ["_x", "10", "9", "a", "A", "ab", "b", "B"]
    with pytest.raises(ExpressionRuntimeError):
        compare("a", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(new List<int> { 3, 1, 2 }.OrderBy(x => x).Last())", 3),
        (
            '@(string.Join(",", new List<int> { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Select(x => x * x)))',
            "4,16",
        ),
        ("@(new[] { 1, 2, 3 }.Aggregate(0, (a, x) => a + x, a => a * 10))", 60),
        ('@(new[] { "a", "B", "c" }.OrderByDescending(x => x).First())', "c"),
        ('@(new[] { "a", "b" }.Concat(new List<string> { "c" }).Count())', 3),
        ('@(new[] { "x", "y" }.Zip(new[] { 1, 2 }, (s, n) => s + n).Last())', "y2"),
        (
            '@(new Dictionary<string, int> { { "a", 1 } }.ToDictionary(p => p.Key, p => p.Value + 1)["a"])',
            2,
        ),
        ("@(new[] { 1, 2 }.Select((x, i) => x).Count())", 2),
        ("@(new[] { 5 }.DefaultIfEmpty().Single())", 5),
        ('@(new[] { "a" }.Cast<string>().First())', "a"),
        ("@(new[] { 1, 2, 3 }.LongCount(x => x > 1))", 2),
        ("@(new List<int> { 1, 2 }.Exists(x => x == 2))", True),
        ("@(new List<int> { 1, 2 }.TrueForAll(x => x > 0))", True),
        ("@(new List<int> { 5, 6, 7 }.GetRange(1, 2).Sum())", 13),
        ("@(new List<int> { 5, 6, 7 }.FindIndex(x => x == 7))", 2),
        ("@(new HashSet<int> { 1, 2 }.SetEquals(new[] { 2, 1 }))", True),
        ("@(new HashSet<int> { 1, 2 }.IsSubsetOf(new[] { 1, 2, 3 }))", True),
        ('@(new Stack<string>(new[] { "a", "b" }).ToArray()[0])', "b"),
        ("@(new Queue<int>(new[] { 1, 2 }).ToArray()[0])", 1),
        (
            '@(new List<string> { "a" }.ToString())',
            "System.Collections.Generic.List`1[System.String]",
        ),
    ],
)
def test_collections_and_linq(text: str, expected: object) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ("@(new List<int>().First())", "InvalidOperationException"),
        ("@(new List<int> { 1 }.GetRange(0, 2))", "ArgumentException"),
        ('@(new Dictionary<string, int>()["x"])', "KeyNotFoundException"),
        ("@(new Stack<int>().Pop())", "InvalidOperationException"),
        ("@(new[] { 1 }.ElementAt(3))", "ArgumentOutOfRangeException"),
        ("@(new[] { 2147483647L, 9223372036854775807L }.Sum())", "OverflowException"),
        (
            '@{ var d = new Dictionary<string, int> { { "a", 1 } }; foreach (var kv in d) { d["b"] = 2; } return 0; }',
            "InvalidOperationException",
        ),
    ],
)
def test_collection_exceptions(text: str, exception: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(text)
    assert info.value.exception_type == exception


def test_a_runtime_byte_array_follows_element_writes() -> None:
    # byte[] from the runtime keeps packed bytes (for hashing, Base64); a write repacks them
    text = '@{ var b = Encoding.UTF8.GetBytes("ab"); b[0] = 65; return Convert.ToBase64String(b); }'
    assert evaluate(text) == "QWI="
    copied = (
        '@{ var b = Convert.FromBase64String("AAAA"); Array.Copy(new byte[] { 1 }, b, 1);'
        " return Convert.ToBase64String(b); }"
    )
    assert evaluate(copied) == "AQAA"
