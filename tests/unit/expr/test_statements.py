"""C# statements of `@{ ... }`: loops, switch, try/catch/finally, using, jumps, assignments.

Behaviour against real C# is in tests/conformance/vectors/statements.yaml (run with Mono); here:
the load-time refusals csc gives, reachability, scoping, and what the generated Python looks like.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import evaluate, load_error, make_context


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "@{ var t = 0; foreach (var h in context.Request.Headers) { t += h.Value.Length; } return t; }",
            2,
        ),
        (
            "@{ var s = 0; for (var i = 0; i < 10; i++) { if (i % 3 == 0) continue; s += i; } return s; }",
            27,
        ),
        ("@{ var i = 0; do { i += 2; } while (i < 7); return i; }", 8),
        ("@{ var i = 0; while (i < 5) i++; return i; }", 5),
        ("@{ for (;;) { return 1; } }", 1),
        ("@{ while (true) { break; } return 2; }", 2),
        ('@{ switch ("b") { case "a": return 1; case "b": return 2; } return 0; }', 2),
        (
            "@{ var r = 0; switch (1) { case 1: r = 10; break; default: r = 20; break; } return r; }",
            10,
        ),
        ('@{ try { return int.Parse("z"); } catch (FormatException) { return -1; } }', -1),
        ('@{ try { throw new Exception("m"); } catch (Exception e) { return e.Message; } }', "m"),
        ('@{ var l = ""; try { l += 1; } finally { l += 2; } return l; }', "12"),
        ("@{ int x = 1; x <<= 3; x |= 1; x ^= 2; x &= 11; return x; }", 11),
        ("@{ var a = new int[2]; a[1] += 5; a[1]++; ++a[0]; return a[0] + a[1]; }", 7),
        ("@{ unchecked { var b = (byte)257; return b; } }", 1),
        (
            '@{ string s; if (int.TryParse("4", out var n)) s = "n" + n; else s = "none"; return s; }',
            "n4",
        ),
        ("@{ { var a = 1; } { var a = 2; return a; } }", 2),
    ],
)
def test_statement_semantics(text: str, expected: object) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@{ break; return 1; }", "No enclosing loop out of which to break or continue"),
        ("@{ continue; }", "No enclosing loop out of which to break or continue"),
        ("@{ switch (1) { case 1: continue; } return 1; }", "No enclosing loop"),
        ("@{ for (var i = 0; i < 3; i++) { } }", "Not all code paths return a value"),
        ('@{ while (context.Request.Method == "GET") { return 1; } }', "Not all code paths"),
        ("@{ while (true) { if (1 > 0) break; } }", "Not all code paths return a value"),
        ("@{ switch (2) { case 1: return 1; } }", "Not all code paths return a value"),
        (
            "@{ switch (1) { case 1: var x = 1; default: return 2; } }",
            "Control cannot fall through",
        ),
        ("@{ switch (1) { case 1: return 1; case 1: return 2; } return 0; }", "multiple cases"),
        (
            "@{ var k = 1; switch (1) { case k: return 1; } return 0; }",
            "A constant value is expected",
        ),
        (
            "@{ try { return 1; } catch (Exception) { return 2; } catch (FormatException) { return 3; } }",
            "A previous catch clause already catches all exceptions",
        ),
        (
            "@{ try { return 1; } catch (String) { return 2; } }",
            "The type caught or thrown must be derived from System.Exception",
        ),
        ("@{ try { return 1; } catch (Frobnicate) { return 2; } }", "could not be found"),
        ("@{ throw; }", "A throw statement with no arguments is not allowed outside of a catch"),
        (
            "@{ for (var i = 0; i < 2; i++) { try { } finally { break; } } return 1; }",
            "Control cannot leave the body of a finally clause",
        ),
        (
            "@{ foreach (var x in new[] { 1 }) { x = 2; } return 1; }",
            "Cannot assign to 'x' because it is a 'foreach iteration variable'",
        ),
        ("@{ using (var s = SHA256.Create()) { s = null; } return 1; }", "'using variable'"),
        ("@{ \"x\"[0] = 'y'; return 1; }", "cannot be assigned to -- it is read only"),
        ("@{ context = null; return 1; }", "Cannot assign to 'context'"),
        ('@{ int x = "s"; return x; }', "Cannot implicitly convert type 'System.String'"),
        ("@{ byte b = 300; return b; }", "Constant value '300' cannot be converted to a 'byte'"),
        ("@(2147483647 + 1)", "The operation overflows at compile time in checked mode"),
        ('@{ string s = "a"; s++; return s; }', "Operator '++' cannot be applied to operand"),
        ("@{ throw 5; }", "The type caught or thrown must be derived from System.Exception"),
        ('@(true ? 1 : "a")', "Type of conditional expression cannot be determined"),
        ('@("a" ?? 1)', "Operator '??' cannot be applied to operands of type 'string' and 'int'"),
        ("@{ return; }", "An object of a type convertible to 'object' is required"),
        ("@{ string[] a = 5; return a; }", "Cannot implicitly convert type"),
        ("@{ var a = { 1 }; return a; }", "array initializer"),
    ],
)
def test_csc_errors_at_load(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert message in info.value.message
    assert info.value.line == 1 and info.value.column is not None


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("@{ goto x; }", "C# statement 'goto'"),
        ("@{ lock (context) { } return 1; }", "C# statement 'lock'"),
        ("@{ yield return 1; }", "C# statement 'yield'"),
        ("@{ T F<T>(T x) => x; return F(1); }", "generic local functions"),
        ("@{ foreach (var (a, b) in new[] { 1 }) { } return 1; }", "deconstruction in foreach"),
        ("@{ var (a, b) = (1, 2); return a; }", None),
        (
            "@{ switch (1) { case int n when n > 0: return 1; } return 0; }",
            "pattern matching in switch (C# 7 case patterns)",
        ),
        ("@{ using var s = SHA256.Create(); return 1; }", None),
    ],
)
def test_unimplemented_statements_refused_by_name(text: str, what: str | None) -> None:
    with pytest.raises((NotSupportedError, ExpressionError)) as info:
        compile_expression(text)
    if what is not None:
        assert isinstance(info.value, NotSupportedError)
        assert info.value.what == what


def test_user_catch_never_swallows_a_certgate_limitation() -> None:
    # a "not supported yet" thrown at run time must escape `catch (Exception)`
    text = '@{ try { return JsonConvert.SerializeObject(new Random()); } catch (Exception) { return "caught"; } }'
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(text)
    assert info.value.exception_type == "NotSupportedException"
    assert info.value.message.startswith("not supported yet: ")


def test_exception_object_members() -> None:
    text = '@{ try { int.Parse(null); return ""; } catch (ArgumentNullException e) { return e.Message + "|" + e.ToString(); } }'
    assert evaluate(text) == (
        "Value cannot be null. (Parameter 's')|System.ArgumentNullException: Value cannot be null."
        " (Parameter 's')"
    )


def test_finally_runs_when_an_exception_leaves() -> None:
    text = """@{ var log = new List<string>();
        try { try { throw new Exception("x"); } finally { log.Add("finally"); } }
        catch (Exception) { log.Add("caught"); }
        return string.Join(",", log); }"""
    assert evaluate(text) == "finally,caught"


def test_switch_continue_reaches_the_loop() -> None:
    text = """@{ var s = "";
        foreach (var x in new[] { 1, 2, 3 }) {
            switch (x) { case 2: continue; default: break; }
            s += x;
        }
        return s; }"""
    assert evaluate(text) == "13"
    source = compile_expression(text).python_source
    assert source.count("while True:") == 1  # the switch's one-pass loop


def test_for_without_continue_has_no_flag_but_with_continue_does() -> None:
    plain = compile_expression("@{ var s = 0; for (var i = 0; i < 3; i++) s += i; return s; }")
    flagged = compile_expression(
        "@{ var s = 0; for (var i = 0; i < 3; i++) { if (i == 1) continue; s += i; } return s; }"
    )
    assert plain.evaluate(None) == 3 and flagged.evaluate(None) == 2
    assert "= False" not in plain.python_source and "= False" in flagged.python_source


def test_block_lambda_becomes_a_def_with_nonlocal() -> None:
    text = "@{ var n = 0; new List<int> { 1, 2 }.ForEach(x => { n += x; }); return n; }"
    expression = compile_expression(text)
    assert expression.evaluate(None) == 3
    assert "nonlocal" in expression.python_source and "def t" in expression.python_source


def test_loop_variables_are_fresh_per_iteration_for_lambdas() -> None:
    text = """@{ var qs = new List<IEnumerable<int>>();
        foreach (var i in new[] { 1, 2, 3 }) { qs.Add(new[] { 0 }.Select(z => z + i)); }
        return string.Join(",", qs.Select(q => q.First())); }"""
    assert evaluate(text) == "1,2,3"


def test_reassigned_local_is_not_hoisted_out_of_a_lambda() -> None:
    text = """@{ var t = "a"; var q = new[] { "a", "bb" }.Where(x => x.Length == t.Length);
        t = "bb"; return q.First(); }"""
    assert evaluate(text) == "bb"


def test_assignment_through_a_property_setter() -> None:
    assert evaluate('@{ var p = new JProperty("a", 1); p.Value = 2; return (int)p.Value; }') == 2


def test_context_member_assignment_is_refused_at_load_or_run() -> None:
    from .conftest import Context

    with pytest.raises(ExpressionError):
        compile_expression("@{ context.Request.StatusCode = 5; return 1; }", context_type=Context)
    expression = compile_expression("@{ context.Request.StatusCode = 5; return 1; }")
    with pytest.raises(ExpressionRuntimeError) as info:
        expression.evaluate(make_context())
    assert info.value.exception_type == "NotSupportedException"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '@{ int F(int x, string y = "a") { return x + y.Length; } return F(1) + F(2, "bcd"); }',
            7,
        ),
        ("@{ var n = 0; void Add(int k) { n += k; } Add(2); Add(3); return n; }", 5),
        ("@{ return Twice(4); int Twice(int v) => v * 2; }", 8),
        (
            "@{ int Fact(int k) { if (k <= 1) return 1; return k * Fact(k - 1); } return Fact(5); }",
            120,
        ),
    ],
)
def test_local_functions(text: str, expected: object) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '@{ string G() { if (1 > 2) return "x"; } return G(); }',
            "Not all code paths return a value",
        ),
        (
            "@{ int F() => 1; F = null; return 1; }",
            "Cannot assign to 'F' because it is a 'method group'",
        ),
        ("@{ int F() => 1; int F() => 2; return F(); }", "A local or parameter named 'F'"),
    ],
)
def test_local_function_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert message in info.value.message


def test_a_local_function_may_read_a_local_assigned_before_it_runs() -> None:
    """csc judges definite assignment at the call; certgate does not judge reads inside local
    functions and lambdas at all, so it never refuses what csc accepts (mcs cannot run local
    functions, so this is no vector)."""
    assert evaluate("@{ int x; int F() => x * 2; x = 4; return F(); }") == 8
    assert "Use of unassigned local variable 'x'" in load_error("@{ int x; return x + 1; }")
