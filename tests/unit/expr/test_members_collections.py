"""Collection and LINQ members the Mono oracle cannot run: the operators .NET 6 and 7 added
(`Chunk`, `MaxBy`/`MinBy`, the `...By` set operators, `Order`, `TryGetNonEnumeratedCount`),
`List<T>.Slice`/`EnsureCapacity`, `Queue`/`Stack.EnsureCapacity`, `Array.Clear(array)`, and the
places where .NET 8 behaves unlike Mono's older class library (enumerator versions, `TrimExcess`).

Each test asserts .NET 8's documented behaviour; `tests/conformance/unit_tested/
members_collections.yaml` names them for the coverage check. The members Mono has are oracle
vectors in `tests/conformance/vectors/members_collections.yaml`.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.errors import NotSupportedError

from .conftest import exception_of, load_error, text_of

# --- Chunk ------------------------------------------------------------------------------------


def test_chunk_cuts_arrays_the_last_one_shorter() -> None:
    assert (
        text_of(
            '@(string.Join("|", new[] { 1, 2, 3, 4, 5 }.Chunk(2).Select(c => string.Join(",", c))))'
        )
        == "1,2|3,4|5"
    )
    assert text_of("@(new[] { 1, 2, 3, 4 }.Chunk(2).Count())") == "2"
    assert text_of("@(new[] { 1, 2, 3 }.Chunk(5).First().Length)") == "3"
    assert text_of("@(new int[0].Chunk(3).Count())") == "0"


def test_chunk_checks_its_size_at_once_and_reads_the_source_late() -> None:
    assert exception_of("@(new[] { 1 }.Chunk(0))") == "ArgumentOutOfRangeException"
    assert exception_of("@{ int[] a = null; return a.Chunk(1); }") == "ArgumentNullException"
    deferred = "@{ var l = new List<int> { 1 }; var c = l.Chunk(2); l.Add(2); l.Add(3); return c.Count(); }"
    assert text_of(deferred) == "2"


# --- MaxBy / MinBy ----------------------------------------------------------------------------


def test_max_by_and_min_by_keep_the_first_of_equal_keys() -> None:
    words = 'new[] { "bb", "a", "ccc", "dd", "e" }'
    assert text_of(f"@({words}.MaxBy(x => x.Length) + {words}.MinBy(x => x.Length))") == "ccca"
    assert text_of('@(new[] { "bb", "cc" }.MaxBy(x => x.Length))') == "bb"
    assert text_of('@(new[] { "b", "A", "c" }.MinBy(x => x, StringComparer.Ordinal))') == "A"
    assert text_of('@(new[] { "b", "A", "c" }.MinBy(x => x))') == "A"  # culture order: a < b


def test_max_by_skips_null_keys_and_answers_the_first_when_all_are_null() -> None:
    assert text_of('@(new[] { "x", "yy", "z" }.MaxBy(x => x == "z" ? null : x))') == "yy"
    assert text_of('@(new[] { "x", "yy" }.MaxBy(x => (string)null))') == "x"


def test_max_by_of_nothing_is_null_or_throws_for_a_value_type() -> None:
    assert text_of("@(new string[0].MaxBy(x => x.Length) == null)") == "True"
    assert exception_of("@(new List<int>().MinBy(x => x))") == "InvalidOperationException"
    assert exception_of("@(new[] { 1 }.MaxBy<int, int>(null))") == "ArgumentNullException"


# --- DistinctBy / ExceptBy / IntersectBy / UnionBy --------------------------------------------

FRUIT = 'new[] { "apple", "avocado", "banana", "cherry", "blueberry" }'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"{FRUIT}.DistinctBy(x => x[0])", "apple,banana,cherry"),
        ('new[] { "a", "A", "b" }.DistinctBy(x => x, StringComparer.OrdinalIgnoreCase)', "a,b"),
        (f"{FRUIT}.ExceptBy(new[] {{ 'a' }}, x => x[0])", "banana,cherry"),
        ('new[] { "A1", "a2", "b" }.ExceptBy(new[] { "x" }, x => x.Substring(0, 1))', "A1,a2,b"),
        (
            'new[] { "A1", "a2", "b" }.ExceptBy(new[] { "B" }, x => x.Substring(0, 1), '
            "StringComparer.OrdinalIgnoreCase)",
            "A1",
        ),
        (f"{FRUIT}.IntersectBy(new[] {{ 'a', 'c' }}, x => x[0])", "apple,cherry"),
        (f"{FRUIT}.IntersectBy(new char[0], x => x[0])", ""),
        (
            'new[] { "apple", "banana" }.UnionBy(new[] { "avocado", "cherry" }, x => x[0])',
            "apple,banana,cherry",
        ),
        (
            'new[] { "a" }.UnionBy(new[] { "A", "b" }, x => x, StringComparer.OrdinalIgnoreCase)',
            "a,b",
        ),
    ],
)
def test_by_set_operators(query: str, expected: str) -> None:
    assert text_of(f'@(string.Join(",", {query}))') == expected


def test_by_set_operators_are_deferred_and_check_arguments_at_once() -> None:
    deferred = (
        '@{ var l = new List<string> { "a" }; var q = l.DistinctBy(x => x.Length); '
        'l.Insert(0, "bb"); return string.Join(",", q); }'
    )
    assert text_of(deferred) == "bb,a"
    assert (
        exception_of('@(new[] { "a" }.ExceptBy((string[])null, x => x))') == "ArgumentNullException"
    )
    assert (
        exception_of('@(new[] { "a" }.UnionBy((string[])null, x => x))') == "ArgumentNullException"
    )
    assert (
        exception_of('@(new[] { "a" }.IntersectBy((string[])null, x => x))')
        == "ArgumentNullException"
    )


# --- Order / OrderDescending (.NET 7) ---------------------------------------------------------


def test_order_sorts_by_the_elements_and_takes_then_by() -> None:
    assert text_of('@(string.Join(",", new[] { 3, 1, 2 }.Order()))') == "1,2,3"
    assert text_of('@(string.Join(",", new[] { 3, 1, 2 }.OrderDescending()))') == "3,2,1"
    assert text_of('@(string.Join(",", new[] { "b", "B", "a" }.Order()))') == "a,b,B"
    assert (
        text_of('@(string.Join(",", new[] { "b", "B", "a" }.Order(StringComparer.Ordinal)))')
        == "B,a,b"
    )
    then = '@(string.Join(",", new[] { "bb", "a", "b" }.OrderDescending().ThenBy(x => x.Length)))'
    assert text_of(then) == "bb,b,a"
    assert exception_of("@{ int[] a = null; return a.Order(); }") == "ArgumentNullException"


# --- TryGetNonEnumeratedCount (.NET 6) --------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("new[] { 1, 2, 3 }", "True,3"),
        ("new List<int> { 1, 2 }", "True,2"),
        ("new HashSet<int> { 1, 2 }", "True,2"),
        ('new Dictionary<string, int> { { "a", 1 } }', "True,1"),
        ("new Queue<int>(new[] { 1, 2 })", "True,2"),
        ("Enumerable.Range(1, 10)", "True,10"),
        ("Enumerable.Range(1, 10).Skip(3).Take(4)", "True,4"),
        ('Enumerable.Repeat("x", 5)', "True,5"),
        ("Enumerable.Empty<int>()", "True,0"),
        ("new[] { 1, 2, 3 }.Select(x => x * 2)", "True,3"),
        ("new[] { 3, 1 }.OrderBy(x => x)", "True,2"),
        ("new List<int> { 1, 2 }.Append(3)", "True,3"),
        ("new List<int> { 1, 2 }.AsEnumerable().Reverse()", "True,2"),
        ('new[] { "a" }.ToLookup(x => x)', "True,1"),
        ("new[] { 1, 2, 3 }.Where(x => x > 1)", "False,0"),
        ("new[] { 1, 2, 3 }.Select((x, i) => x)", "False,0"),
        ("new[] { 1, 1 }.Distinct()", "False,0"),
        ("new HashSet<int> { 1, 2 }.Skip(1)", "False,0"),
        ("new Queue<int>(new[] { 1 }).Append(2)", "False,0"),
        ('"abc"', "False,0"),
    ],
)
def test_try_get_non_enumerated_count(source: str, expected: str) -> None:
    text = f'@{{ var ok = {source}.TryGetNonEnumeratedCount(out var n); return ok + "," + n; }}'
    assert text_of(text) == expected


def test_try_get_non_enumerated_count_follows_the_collection_and_checks_null() -> None:
    live = (
        "@{ var l = new List<int> { 1 }; var q = l.Select(x => x); l.Add(2); int n; "
        "q.TryGetNonEnumeratedCount(out n); return n; }"
    )
    assert text_of(live) == "2"
    assert exception_of(
        "@{ int[] a = null; int n; return a.TryGetNonEnumeratedCount(out n); }"
    ) == ("ArgumentNullException")


# --- List<T>.Slice (.NET 8), EnsureCapacity (.NET 6) ------------------------------------------


def test_list_slice_is_get_range() -> None:
    assert (
        text_of(
            '@{ var l = new List<int> { 1, 2, 3, 4 }; return string.Join(",", l.Slice(1, 2)); }'
        )
        == "2,3"
    )
    assert text_of("@(new List<int> { 1, 2 }.Slice(2, 0).Count)") == "0"
    assert exception_of("@(new List<int> { 1, 2 }.Slice(1, 2))") == "ArgumentException"
    assert exception_of("@(new List<int> { 1, 2 }.Slice(-1, 1))") == "ArgumentOutOfRangeException"


def test_list_ensure_capacity_grows_by_doubling_to_at_least_the_request() -> None:
    text = (
        '@{ var l = new List<int>(); return l.EnsureCapacity(0) + "," + l.EnsureCapacity(3) + '
        '"," + l.EnsureCapacity(5) + "," + l.EnsureCapacity(20) + "," + l.Capacity; }'
    )
    assert text_of(text) == "0,4,8,20,20"
    assert exception_of("@(new List<int>().EnsureCapacity(-1))") == "ArgumentOutOfRangeException"
    # growing is a new version (a running foreach throws); not growing is not
    loop = "@{ var l = new List<int> { 1 }; foreach (var x in l) { l.EnsureCapacity(%d); } return l.Capacity; }"
    assert text_of(loop % 4) == "4"
    assert exception_of(loop % 100) == "InvalidOperationException"


def test_queue_and_stack_ensure_capacity() -> None:
    queue = (
        '@{ var q = new Queue<int>(); return q.EnsureCapacity(0) + "," + q.EnsureCapacity(1) + '
        '"," + q.EnsureCapacity(5) + "," + q.EnsureCapacity(6); }'
    )
    assert text_of(queue) == "0,4,8,8"  # grows by doubling, by at least 4
    stack = (
        '@{ var s = new Stack<int>(); return s.EnsureCapacity(0) + "," + s.EnsureCapacity(1) + '
        '"," + s.EnsureCapacity(5) + "," + s.EnsureCapacity(9); }'
    )
    assert text_of(stack) == "0,4,8,16"
    assert exception_of("@(new Queue<int>().EnsureCapacity(-1))") == "ArgumentOutOfRangeException"
    growing = "@{ var s = new Stack<int>(new[] { 1 }); foreach (var x in s) { s.EnsureCapacity(50); } return 0; }"
    assert exception_of(growing) == "InvalidOperationException"


def test_array_clear_of_a_whole_array() -> None:
    text = (
        '@{ var a = new[] { 1, 2 }; Array.Clear(a); var s = new[] { "x" }; Array.Clear(s); '
        'var b = new[] { true }; Array.Clear(b); return string.Join(",", a) + "," + (s[0] == null) + "," + b[0]; }'
    )
    assert text_of(text) == "0,0,True,False"
    assert exception_of("@{ int[] a = null; Array.Clear(a); return 0; }") == "ArgumentNullException"


# --- .NET 8 where Mono's older class library differs ------------------------------------------


def test_dictionary_ensure_capacity_that_grows_is_a_new_version() -> None:
    grows = '@{ var d = new Dictionary<string, int> { { "a", 1 } }; foreach (var kv in d) { d.EnsureCapacity(100); } return 0; }'
    assert exception_of(grows) == "InvalidOperationException"
    same = '@{ var d = new Dictionary<string, int> { { "a", 1 } }; foreach (var kv in d) { d.EnsureCapacity(1); } return d.Count; }'
    assert text_of(same) == "1"


def test_dictionary_remove_with_out_does_not_stop_a_foreach() -> None:
    text = (
        '@{ var d = new Dictionary<string, int> { { "a", 1 }, { "b", 2 } }; var s = 0; '
        'foreach (var kv in d) { d.Remove(kv.Key, out var v); s += v; } return d.Count + "," + s; }'
    )
    assert text_of(text) == "0,3"


@pytest.mark.parametrize(
    "change",
    [
        "h.Remove(x);",
        "h.Clear();",
        "h.RemoveWhere(y => y == 3);",
        "h.ExceptWith(new[] { 2 });",
        "h.IntersectWith(new[] { 1 });",
        "h.UnionWith(new[] { 1 });",
        "h.Add(1);",
    ],
)
def test_hash_set_removing_does_not_stop_a_foreach(change: str) -> None:
    """.NET 5+ (dotnet/runtime#71281): only an addition is a new version, as for Dictionary."""
    text = f"@{{ var h = new HashSet<int> {{ 1, 2, 3 }}; foreach (var x in h) {{ {change} }} return 0; }}"
    assert text_of(text) == "0"


def test_hash_set_adding_stops_a_foreach() -> None:
    text = "@{ var h = new HashSet<int> { 1 }; foreach (var x in h) { h.Add(2); } return 0; }"
    assert exception_of(text) == "InvalidOperationException"
    union = "@{ var h = new HashSet<int> { 1 }; foreach (var x in h) { h.UnionWith(new[] { 5 }); } return 0; }"
    assert exception_of(union) == "InvalidOperationException"


def test_hash_set_trim_excess_only_rebuilds_when_it_shrinks() -> None:
    # {1, 2, 3} has 3 slots; 2 elements still need 3, so the hole stays and 4 fills it
    same = '@{ var h = new HashSet<int> { 1, 2, 3 }; h.Remove(2); h.TrimExcess(); h.Add(4); return string.Join(",", h); }'
    assert text_of(same) == "1,4,3"
    shrinks = (
        "@{ var h = new HashSet<int>(); for (int i = 0; i < 30; i++) h.Add(i); "
        "for (int i = 0; i < 28; i++) h.Remove(i); foreach (var x in h) { h.TrimExcess(); } return 0; }"
    )
    assert exception_of(shrinks) == "InvalidOperationException"


# --- refusals ---------------------------------------------------------------------------------


def test_zip_without_a_result_selector_is_not_supported_yet() -> None:
    for text in (
        "@(new[] { 1 }.Zip(new[] { 2 }).Count())",
        "@(new[] { 1 }.Zip(new[] { 2 }, new[] { 3 }).Count())",
    ):
        with pytest.raises(Exception) as info:
            compile_expression(text).evaluate(None)
        assert "not supported yet" in str(info.value)


def test_collection_members_certgate_lacks_are_not_supported_yet_and_typos_refused() -> None:
    for text in (
        "@(new Dictionary<string, int>().Comparer)",
        "@(new HashSet<int>().Comparer)",
    ):
        with pytest.raises(NotSupportedError):
            compile_expression(text)
    assert "Usage of member 'Lenght'" in load_error("@(new List<int>().Lenght)")
    assert "Usage of member 'Pusj'" in load_error(
        "@{ var s = new Stack<int>(); s.Pusj(1); return 0; }"
    )
