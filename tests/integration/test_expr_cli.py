"""`certgate expr eval` as a user runs it: stdout/stderr exactly, exit codes 0 (value),
1 (a .NET exception) and 2 (does not compile, unusable context file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from certgate.testing.pki import DemoPki

CERTGATE = [sys.executable, "-m", "certgate.cli", "expr", "eval"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTGATE, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def pki() -> DemoPki:
    return DemoPki.create(("localhost",))


@pytest.fixture
def context_file(tmp_path: Path, pki: DemoPki) -> Path:
    (tmp_path / "client.pem").write_bytes(pki.client.cert_pem())
    (tmp_path / "client.cer").write_bytes(pki.client.der)
    path = tmp_path / "context.json"
    path.write_text(
        json.dumps(
            {
                "method": "POST",
                "url": "https://api.contoso.com/orders/7?debug=1",
                "ip": "10.1.2.3",
                "headers": {"Content-Type": "application/json", "X-Multi": ["a", "b"]},
                "body": {"model": "gpt-4o", "messages": [{"role": "user"}]},
                "certificate": "client.pem",
                "variables": {"n": 42, "s": "text", "flag": True, "doc": {"a": [1, 2]}},
                "deployment": {"certificates": ["client.cer"]},
                "matchedParameters": {"id": "7"},
            }
        )
    )
    return path


@pytest.mark.parametrize(
    ("expression", "stdout"),
    [
        ("1 + 1", "2\n"),
        ("@(1 + 1)", "2\n"),
        ('@{ var s = 0; foreach (var c in "abc") { s += c; } return s; }', "294\n"),
        ("true", "True\n"),
        ("0.1 + 0.2", "0.30000000000000004\n"),
        ("null", "\n"),
        ('new JObject { { "a", 1 } }.ToString(Formatting.None)', '{"a":1}\n'),
        ('new[] { "x" }', "System.String[]\n"),
        ("(string)null", "\n"),
    ],
)
def test_prints_the_dotnet_tostring_and_exits_0(expression: str, stdout: str) -> None:
    result = run(expression)
    assert (result.returncode, result.stdout, result.stderr) == (0, stdout, "")


@pytest.mark.parametrize(
    ("expression", "stdout"),
    [
        ("context.Request.Method", "POST\n"),
        ('context.Request.Headers.GetValueOrDefault("x-multi")', "a,b\n"),
        (
            'context.Request.Url.Query.GetValueOrDefault("debug") + context.Request.IpAddress',
            "110.1.2.3\n",
        ),
        ('(int)context.Variables["n"] * 2', "84\n"),
        ('((JObject)context.Variables["doc"])["a"].ToString(Formatting.None)', "[1,2]\n"),
        ('context.Variables.GetValueOrDefault<bool>("flag")', "True\n"),
        ("context.Request.Certificate.Subject", "CN=Client 01, O=Contoso\n"),
        # as the gateway, whose template names match case-insensitively
        ('context.Request.MatchedParameters["ID"]', "7\n"),
        ("context.Request.Body.As<byte[]>().Length", "47\n"),  # the compact JSON
        (
            "context.Deployment.Certificates.Any(c => c.Value.Thumbprint == "
            "context.Request.Certificate.Thumbprint)",
            "True\n",
        ),
    ],
)
def test_context_file_describes_the_request(
    context_file: Path, expression: str, stdout: str
) -> None:
    result = run(expression, "--context", context_file)
    assert (result.returncode, result.stdout, result.stderr) == (0, stdout, "")


def test_certificate_may_be_der(context_file: Path, pki: DemoPki) -> None:
    spec = json.loads(context_file.read_text())
    spec["certificate"] = "client.cer"
    context_file.write_text(json.dumps(spec))
    result = run("context.Request.Certificate.Thumbprint", "--context", context_file)
    assert (result.returncode, result.stdout) == (0, pki.client.thumbprint + "\n")


def test_no_context_means_no_certificate() -> None:
    result = run("context.Request.Certificate == null")
    assert (result.returncode, result.stdout) == (0, "True\n")


@pytest.mark.parametrize(
    ("expression", "stderr"),
    [
        ('int.Parse("x")', "FormatException: The input string 'x' was not in a correct format.\n"),
        ('@{ throw new Exception("boom"); }', "Exception: boom\n"),
        ('JObject.Parse("[1]")["a"]', "JsonReaderException: "),
        (
            "((string)null).Length",
            "NullReferenceException: Object reference not set to an instance of an object.\n",
        ),
    ],
)
def test_a_dotnet_exception_prints_type_and_message_and_exits_1(
    expression: str, stderr: str
) -> None:
    result = run(expression)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(stderr)
    if stderr.endswith("\n"):
        assert result.stderr == stderr


@pytest.mark.parametrize(
    ("expression", "stderr"),
    [
        ("a b", "certgate: error: line 1, column 3: ) expected\n"),
        ("1 +", "certgate: error: line 1, column 4: Invalid expression term ')'\n"),
        ("@{ return 1 }", "certgate: error: line 1, column 12: ; expected\n"),
        ("@{\n  var x = 1;\n  return x }", "certgate: error: line 3, column 11: ; expected\n"),
        (
            'System.IO.File.ReadAllText("/etc/passwd")',
            "certgate: error: line 1, column 1: Usage of type 'System.IO.File' is not "
            "supported within expressions\n",
        ),
        (
            "@{ L: goto L; }",
            "certgate: error: line 1, column 4: not supported yet: C# statement "
            "'labeled statement'\n",
        ),
    ],
)
def test_a_load_error_prints_its_position_and_exits_2(expression: str, stderr: str) -> None:
    result = run(expression)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", stderr)


def test_unusable_context_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("1", "--context", bad)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"certgate: error: {bad}: line 1, column 2:")
    missing = run("1", "--context", tmp_path / "missing.json")
    assert missing.returncode == 2 and "missing.json" in missing.stderr
    bad.write_text(json.dumps({"certificate": "nope.pem"}))
    result = run("1", "--context", bad)
    assert result.returncode == 2 and "nope.pem" in result.stderr


def test_valid_twin_of_each_failure_runs(context_file: Path) -> None:
    for expression in ('int.Parse("7")', "a", "1 + 1"):
        result = run(expression, "--context", context_file)
        assert result.returncode in (0, 2)
    assert run('int.Parse("7")').stdout == "7\n"


def test_context_integers_are_int32_and_the_request_id_a_guid(tmp_path: Path) -> None:
    """A JSON integer is stored as `set-variable value="@(5)"` would: an int (a long beyond),
    so unboxing it as a long throws, as in APIM; `requestId` must be a GUID."""
    path = tmp_path / "context.json"
    rid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    path.write_text(json.dumps({"variables": {"n": 5, "big": 5_000_000_000}, "requestId": rid}))
    assert run('(int)context.Variables["n"]', "--context", path).stdout == "5\n"
    assert run('(long)context.Variables["big"]', "--context", path).stdout == "5000000000\n"
    refused = run('(long)context.Variables["n"]', "--context", path)
    assert (refused.returncode, refused.stderr) == (
        1,
        "InvalidCastException: Unable to cast object of type 'System.Int32' to type "
        "'System.Int64'.\n",
    )
    assert (
        run('context.RequestId.ToString("N")', "--context", path).stdout
        == rid.replace("-", "") + "\n"
    )
    path.write_text(json.dumps({"requestId": "not-a-guid"}))
    bad = run("1", "--context", path)
    assert bad.returncode == 2 and "Unrecognized Guid format" in bad.stderr
