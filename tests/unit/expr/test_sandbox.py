"""Hostile expressions are refused at load or stopped at run time; never executed.

Each case compiles with and without the static context type. "load" cases must raise a load error
(ExpressionError/NotSupportedError); "run" cases may compile but must raise ExpressionRuntimeError.
A canary file proves nothing was read, and the generated Python is checked structurally.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from certgate.core.expr import compile_expression
from certgate.core.expr.compiler import HELPERS
from certgate.errors import ExpressionError, ExpressionRuntimeError, LoadError

from .conftest import Certificate, Context, make_context

USAGE_OF_TYPE = "Usage of type '{}' is not supported within expressions"

REFUSED_AT_LOAD: list[tuple[str, str | None]] = [
    ('@("".GetType())', "Usage of member 'GetType' of type 'System.String'"),
    ('@("".GetType().GetMethod("Trim"))', "Usage of member 'GetType'"),
    ("@(context.__class__)", "Usage of member '__class__'"),
    ("@(context.Request.__dict__)", "Usage of member '__dict__'"),
    ('@(context.Variables["s"].__class__.__bases__)', "Usage of member '__class__'"),
    ("@(context.Request.Certificate._valid)", "Usage of member '_valid'"),
    ('@(System.IO.File.ReadAllText("/etc/passwd"))', USAGE_OF_TYPE.format("System.IO.File")),
    ('@(File.ReadAllText("/etc/passwd"))', USAGE_OF_TYPE.format("System.IO.File")),
    (
        '@(System.Diagnostics.Process.Start("sh"))',
        USAGE_OF_TYPE.format("System.Diagnostics.Process"),
    ),
    ("@(typeof(object).Assembly)", USAGE_OF_TYPE.format("System.Type")),
    ("@(typeof(string).GetMethods())", USAGE_OF_TYPE.format("System.Type")),
    ("@(Activator.CreateInstance(typeof(string)))", USAGE_OF_TYPE.format("System.Activator")),
    (
        '@(new System.Net.WebClient().DownloadString("http://x"))',
        USAGE_OF_TYPE.format("System.Net.WebClient"),
    ),
    (
        '@(new System.IO.StreamReader("/etc/passwd").ReadToEnd())',
        USAGE_OF_TYPE.format("System.IO.StreamReader"),
    ),
    ("@(AppDomain.CurrentDomain.GetAssemblies())", USAGE_OF_TYPE.format("System.AppDomain")),
    ('@(Environment.GetEnvironmentVariable("HOME"))', USAGE_OF_TYPE.format("System.Environment")),
    ("@(System.Environment.Exit(1))", USAGE_OF_TYPE.format("System.Environment")),
    ("@{ dynamic d = context; return d.Request; }", "Dynamic member invocation is not supported"),
    ("@(((dynamic)context).Request)", "Dynamic member invocation is not supported"),
    ("@(__import__('os'))", ""),  # 'os' is not a valid char literal: a syntax error
    (
        '@(__import__("os").system("id"))',
        "The name '__import__' does not exist in the current context",
    ),
    ('@(eval("1"))', "The name 'eval' does not exist in the current context"),
    ('@(exec("import os"))', "The name 'exec' does not exist in the current context"),
    ("@(open('x'))", "The name 'open' does not exist in the current context"),
    ('@(open("/etc/passwd").read())', "The name 'open' does not exist in the current context"),
    ("@(globals())", "The name 'globals' does not exist in the current context"),
    ('@(_get(context, "Request"))', "The name '_get' does not exist in the current context"),
    ("@(ctx)", "The name 'ctx' does not exist in the current context"),
    ("@(k1)", "The name 'k1' does not exist in the current context"),
    ('@(System.Reflection.Assembly.Load("x"))', USAGE_OF_TYPE.format("System.Reflection.Assembly")),
    (
        "@(System.Runtime.InteropServices.Marshal.ReadByte(0))",
        USAGE_OF_TYPE.format("System.Runtime.InteropServices.Marshal"),
    ),
    ("@(System.Threading.Thread.Sleep(100000))", USAGE_OF_TYPE.format("System.Threading.Thread")),
    ("@(new System.Net.Http.HttpClient())", USAGE_OF_TYPE.format("System.Net.Http.HttpClient")),
    ("@(System.Console.ReadLine())", USAGE_OF_TYPE.format("System.Console")),
    ("@(GC.Collect())", USAGE_OF_TYPE.format("System.GC")),
    ("@(*(int*)0)", ""),  # pointer syntax: refused while parsing
    ("@(*p)", "Pointers and fixed size buffers may only be used in an unsafe context"),
    ('@("" + context.Request.Certificate.GetType().Assembly)', "Usage of member 'GetType'"),
    (
        "@(context.Deployment.Certificates.Any(c => c.GetType() != null))",
        "Usage of member 'GetType'",
    ),
    ('@("x".ToString().__len__())', "Usage of member '__len__'"),
    ("@(context.Request.Certificate.Thumbprint.__class__.__mro__)", "Usage of member '__class__'"),
    ("@{ var __builtins__ = 1; return __builtins__; }", None),  # a local: mangled, harmless
    ("@(System.IO.Path.GetTempPath())", USAGE_OF_TYPE.format("System.IO.Path")),
    # the language work (issue 4): creation, casts, type tests, generics, catch, lambdas
    ('@(new System.IO.FileInfo("/etc/passwd").Length)', USAGE_OF_TYPE.format("System.IO.FileInfo")),
    ("@(new Func<int>(() => 1).Invoke())", USAGE_OF_TYPE.format("System.Func")),
    ("@(new List<System.IO.File>())", USAGE_OF_TYPE.format("System.IO.File")),
    ('@((System.IO.Stream)context.Variables["s"])', USAGE_OF_TYPE.format("System.IO.Stream")),
    ('@(context.Variables["s"] is System.IO.Stream)', USAGE_OF_TYPE.format("System.IO.Stream")),
    ('@(context.Variables["s"] as System.IO.Stream)', USAGE_OF_TYPE.format("System.IO.Stream")),
    (
        '@(JsonConvert.DeserializeObject<System.IO.FileInfo>("{}"))',
        USAGE_OF_TYPE.format("System.IO.FileInfo"),
    ),
    ("@(typeof(JObject).Assembly)", USAGE_OF_TYPE.format("System.Type")),
    ("@(new { a = 1 }.GetType())", "Usage of member 'GetType'"),
    ("@(new JObject().GetType().Assembly)", "Usage of member 'GetType'"),
    (
        "@{ try { return 1; } catch (Exception e) { return e.GetType().Name; } }",
        "Usage of member 'GetType'",
    ),
    (
        "@{ foreach (dynamic d in new[] { 1 }) { return d.Foo; } return 0; }",
        "Dynamic member invocation",
    ),
    ("@{ var l = new List<int>(); l.__class__ = null; return 1; }", "Usage of member '__class__'"),
    ("@{ var o = new JObject(); o._index = null; return 1; }", "Usage of member '_index'"),
    ("@(new JObject { _index = null })", "does not contain a definition for '_index'"),
    ("@(new List<int> { 1 }.Select(x => { return x.GetType(); }))", "Usage of member 'GetType'"),
    ("@{ System.Action a = () => { }; return 1; }", USAGE_OF_TYPE.format("System.Action")),
    ('@(new Exception("x").InnerException.GetType())', "Usage of member 'GetType'"),
    # the runtime's own state behind the XML, RSA and certificate types stays unreachable
    ('@(XElement.Parse("<a/>").nodes)', "Usage of member 'nodes'"),
    ('@(XElement.Parse("<a/>")._parent)', "Usage of member '_parent'"),
    ('@(XElement.Parse("<a/>").cs_explicit)', "Usage of member 'cs_explicit'"),
    ("@(RSA.Create(1024)._private)", "Usage of member '_private'"),
    ("@(new X509Certificate2(new byte[0]).private_key)", "Usage of member 'private_key'"),
    ("@(new X509Certificate2(new byte[0]).cert)", "Usage of member 'cert'"),
    ('@(XDocument.Load("/etc/passwd"))', "Usage of member 'Load'"),
]

STOPPED_AT_RUN_TIME: list[tuple[str, str]] = [
    # The receiver's type is only known at run time: the runtime refuses the member.
    ('@(context.Variables["s"].Frobnicate())', "NotSupportedException"),
    ('@(context.Variables.GetValueOrDefault("s").Substring(100))', "ArgumentOutOfRangeException"),
    ('@(context.Variables["n"].Exit())', "NotSupportedException"),
    ('@(context.Variables["s"][99])', "IndexOutOfRangeException"),
    ('@(context.Variables["nope"])', "KeyNotFoundException"),
    ('@((string)context.Variables["n"])', "InvalidCastException"),
    ('@(context.Variables.GetValueOrDefault("missing").Length)', "NullReferenceException"),
    ('@(int.Parse("12x"))', "FormatException"),
    ('@(int.Parse("99999999999"))', "OverflowException"),
    ("@{ foreach (var x in context) { return 1; } return 0; }", "InvalidCastException"),
    (
        '@{ foreach (var x in context.Variables["n"]) { return 1; } return 0; }',
        "InvalidCastException",
    ),
    ('@{ context.Variables["s"].Length = 3; return 1; }', "NotSupportedException"),
    ("@{ context.Variables[\"s\"][0] = 'x'; return 1; }", "NotSupportedException"),
    ("@(JsonConvert.SerializeObject(new Random()))", "NotSupportedException"),
    (
        '@(context.Variables.GetValueOrDefault<int>("n") / '
        '(context.Variables.GetValueOrDefault<int>("n") - 42))',
        "DivideByZeroException",
    ),
    # XML from an attacker: no DTD, so no entity is expanded or fetched
    (
        '@(XDocument.Parse("<!DOCTYPE a [<!ENTITY e SYSTEM \\"file:///etc/passwd\\">]><a>&e;</a>"))',
        "XmlException",
    ),
    ('@(new X509Certificate2("/etc/passwd"))', "NotSupportedException"),
]


def _compile(text: str, typed: bool) -> object:
    return compile_expression(text, context_type=Context if typed else None, element="when")


@pytest.mark.parametrize(("text", "message"), REFUSED_AT_LOAD, ids=[t for t, _ in REFUSED_AT_LOAD])
def test_refused_at_load(text: str, message: str | None, typed: bool) -> None:
    if message is None:  # harmless: compiles to a mangled local
        expression = compile_expression(text)
        assert expression.evaluate(make_context()) == 1
        return
    with pytest.raises(LoadError) as info:
        _compile(text, typed)
    assert isinstance(info.value, ExpressionError)
    assert message in info.value.message
    assert info.value.line == 1 and info.value.column is not None


@pytest.mark.parametrize(
    ("text", "exception"), STOPPED_AT_RUN_TIME, ids=[t for t, _ in STOPPED_AT_RUN_TIME]
)
def test_stopped_at_run_time(text: str, exception: str, typed: bool) -> None:
    expression = compile_expression(text, context_type=Context if typed else None)
    with pytest.raises(ExpressionRuntimeError) as info:
        expression.evaluate(make_context(Certificate("AB")))
    assert info.value.exception_type == exception


def test_allowed_twins_still_work() -> None:
    context = make_context(Certificate("AB"))
    assert compile_expression('@(context.Variables["s"].ToUpper())').evaluate(context) == "TEXT"
    assert compile_expression('@(int.Parse(" 12 "))').evaluate(context) == 12
    assert compile_expression('@(context.Variables["s"].Substring(1, 2))').evaluate(context) == "ex"


def test_nothing_is_read_from_disk(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("SECRET")
    for text in (f'@(System.IO.File.ReadAllText("{canary}"))', f'@(open("{canary}"))'):
        with pytest.raises(LoadError):
            compile_expression(text)
    assert canary.read_text() == "SECRET"


NASTY = (
    '@(context.Request.Certificate?.Thumbprint.ToLower().Substring(1) + "__class__" + '
    'context.Deployment.Certificates.Where(c => c.Key.StartsWith("A"))'
    ".Any(__x => __x.Value == null) + "
    '$"{context.Variables["__dict__"]}" + \'\\\'\' + '
    '(context.Request.Headers.TryGetValue("h", out var __v) ? __v[0] : ""))'
)


def _python_tree(text: str) -> ast.Module:
    expression = compile_expression(text)
    return ast.parse(expression.python_source)  # type: ignore[attr-defined]


def test_generated_code_has_no_attribute_access_and_no_dunders() -> None:
    tree = _python_tree(NASTY)
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Attribute), ast.unparse(node)
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal))
        if isinstance(node, ast.Name):
            assert "__" not in node.id, node.id
            assert node.id in HELPERS or node.id == "ctx" or node.id[0] in "vtkh", node.id
        if isinstance(node, ast.Subscript):  # only our out-argument tuples
            assert isinstance(node.value, (ast.Name, ast.Subscript, ast.Tuple))
        if isinstance(node, ast.arg):
            assert "__" not in node.arg


def test_user_strings_are_literals_not_code() -> None:
    tree = _python_tree('@("\\")); import os; (" + "\'" + @"""")')
    strings = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    assert '")); import os; (' in strings and "'" in strings and '"' in strings
    assert not any(isinstance(n, ast.Import) for n in ast.walk(tree))


def test_generated_code_runs_without_builtins() -> None:
    expression = compile_expression(NASTY)
    fn = expression._fn  # the compiled function: its globals are the restricted namespace
    assert fn.__globals__["__builtins__"] == {}  # type: ignore[attr-defined]
    assert set(fn.__globals__) <= {"__builtins__", "_expr", *HELPERS} | {
        name for name in fn.__globals__ if name.startswith("k") and name[1:].isdigit()
    }


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("@(" + "(" * 300 + "1" + ")" * 300 + ")")
    with pytest.raises(ExpressionError):
        compile_expression("@(" + "!" * 500 + "true)")


def test_moderate_nesting_twin_works() -> None:
    assert compile_expression("@(" + "(" * 40 + "1" + ")" * 40 + ")").evaluate(None) == 1


def test_expression_objects_are_immutable() -> None:
    expression = compile_expression("@(1)")
    with pytest.raises(AttributeError):
        expression._fn = print  # type: ignore[misc]
    assert expression.evaluate(None) == 1


LANGUAGE_NASTY = """@{
    var __builtins__ = new List<string> { "__import__" };
    var total = 0;
    foreach (var x in new[] { 1, 2 }) { total += x; }
    for (var i = 0; i < 2; i++) { switch (i) { case 0: continue; default: break; } }
    try { throw new Exception("__class__"); } catch (Exception __e) when (__e.Message != "") { }
    using (var h = SHA256.Create()) { }
    var o = new JObject { { "__dict__", 1 } };
    o["__globals__"] = new { __a = 1 }.ToString();
    __builtins__.ForEach(s => { total += s.Length; });
    return $"{total,5:D3}" + (o is JObject j ? j.Count : 0);
}"""


def test_generated_code_for_statements_has_no_attribute_access_and_no_dunders() -> None:
    with pytest.raises(LoadError):  # `__a` as an anonymous member is refused by name
        compile_expression(LANGUAGE_NASTY)
    tree = _python_tree(LANGUAGE_NASTY.replace("new { __a = 1 }", "new { a = 1 }"))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Attribute), ast.unparse(node)
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Global))
        if isinstance(node, ast.Name):
            assert "__" not in node.id, node.id
            assert node.id in HELPERS or node.id == "ctx" or node.id[0] in "vtkh", node.id
        if isinstance(node, ast.Nonlocal):
            assert all(name.startswith("v") for name in node.names)
        if isinstance(node, ast.FunctionDef):
            assert node.name == "_expr" or node.name.startswith("t"), node.name
        if isinstance(node, ast.arg):
            assert "__" not in node.arg
        if isinstance(node, ast.keyword):  # named arguments: plain C# parameter names only
            assert node.arg is not None and not node.arg.startswith("_")


@pytest.mark.parametrize("name", ["type_args", "self", "lambda", "__class__"])
def test_named_arguments_cannot_reach_implementation_keywords(name: str) -> None:
    with pytest.raises(LoadError):
        compile_expression(f'@(context.Variables.GetValueOrDefault<int>("n", {name}: 1))')


def test_anonymous_types_cannot_shadow_runtime_attributes() -> None:
    for member in ("equality_key", "members", "FIELDS", "CS_TYPE", "_values", "ToString"):
        with pytest.raises(LoadError):
            compile_expression(f"@(new {{ {member} = 1 }})")
    assert compile_expression("@(new { Key = 1 }.Key)").evaluate(None) == 1
