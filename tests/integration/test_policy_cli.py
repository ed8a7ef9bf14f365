"""`certgate policy check` as a user runs it: exit codes, one line per finding, the JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CERTGATE = [sys.executable, "-m", "certgate.cli", "policy", "check"]

GOOD = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null)">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
    <set-header name="X-Environment" exists-action="override"><value>{{environment}}</value></set-header>
  </inbound>
  <backend><forward-request /></backend>
</policies>
"""

NOT_RUNNABLE = """<fragment>
  <cors><allowed-origins><origin>*</origin></allowed-origins></cors>
</fragment>
"""

BAD = """<policies>
  <inbound>
    <set-variable name="a" value="@(1 +)" />
    <frobnicate />
  </inbound>
</policies>
"""


def check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CERTGATE, *map(str, args)], capture_output=True, text=True, timeout=60)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_passing_documents_exit_0_with_warnings_and_a_summary(tmp_path: Path) -> None:
    good = write(tmp_path, "good.xml", GOOD)
    fragment = write(tmp_path, "fragments/cors.xml", NOT_RUNNABLE)
    result = check(good, fragment)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{good}:9:70: warning: value: named value 'environment' is resolved "
        "by the gateway; it is not checked here."
    )
    assert lines[-1] == (
        "2 documents: 2 passed (1 not runnable), 0 failed; 1 expressions, 1 compiled"
    )


def test_a_failing_document_exits_1_with_path_line_column(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.xml", BAD)
    result = check(bad, "--no-warnings")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:3:")
    assert ": set-variable: " in lines[0]
    assert lines[1] == f"{bad}:4:5: frobnicate: Unknown policy 'frobnicate'."
    assert lines[-1].endswith("0 passed (0 not runnable), 1 failed; 1 expressions, 0 compiled")
    assert "Traceback" not in result.stderr


def test_folders_are_searched_recursively_for_xml(tmp_path: Path) -> None:
    write(tmp_path, "a/good.xml", GOOD)
    write(tmp_path, "a/b/bad.xml", BAD)
    write(tmp_path, "a/b/notes.txt", "not a policy")
    result = check(tmp_path, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert list(report) == [
        "documents",
        "passed",
        "failed",
        "not_runnable",
        "expressions",
        "expressions_compiled",
        "failures",
    ]
    assert (report["documents"], report["passed"], report["failed"]) == (2, 1, 1)
    assert report["not_runnable"] == 0
    assert (report["expressions"], report["expressions_compiled"]) == (2, 1)
    assert [set(f) for f in report["failures"]] == [
        {"path", "element", "line", "column", "message"}
    ] * 2
    assert report["failures"][1] == {
        "path": str(tmp_path / "a" / "b" / "bad.xml"),
        "element": "frobnicate",
        "line": 4,
        "column": 5,
        "message": "Unknown policy 'frobnicate'.",
    }


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = check(tmp_path / "nope.xml")
    assert result.returncode == 2
    assert result.stderr.strip() == f"certgate: error: no such file or folder: {tmp_path}/nope.xml"
    assert result.stdout == ""


def test_no_paths_is_a_usage_error() -> None:
    result = check()
    assert result.returncode == 2
    assert "usage:" in result.stderr
