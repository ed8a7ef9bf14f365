"""`certgate policy check PATH...`: validate policy documents standalone, as APIM does at save time.

Human output, one line per finding, in document order:

    path:line:column: element: message              (a failure)
    path:line:column: warning: element: message     (a warning; `--no-warnings` hides them)

then one summary line. `--json` prints one object instead:
`{"documents", "passed", "failed", "not_runnable", "expressions", "expressions_compiled",
"failures": [{"path", "element", "line", "column", "message"}]}`. `passed` counts documents without
failures (including the not-runnable ones), `not_runnable` those passed documents that use something
certgate cannot run yet. Exit status: 0 when every document passes, 1 otherwise, 2 on a usage error
(such as a path that does not exist).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO


def add_parser(commands: Any) -> None:
    """Add `policy check` to the `certgate` subcommands (an argparse subparsers action)."""
    policy = commands.add_parser("policy", help="work with APIM policy documents")
    actions = policy.add_subparsers(dest="policy_command", required=True)
    check = actions.add_parser(
        "check",
        help="validate policy documents the way APIM does when they are saved",
        description=(
            "Validate APIM policy documents (<policies>, <fragment> or bare snippets) the way "
            "APIM's save-time validation does. Folders are searched recursively for *.xml."
        ),
    )
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="file or folder")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--no-warnings", action="store_true", help="print failures only")


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the `policy` subcommand `args.policy_command`; returns the exit status."""
    from certgate.core.policy.check import check_paths  # noqa: PLC0415 (keeps --help fast)

    stream = out if out is not None else sys.stdout
    try:
        report = check_paths(args.paths)
    except FileNotFoundError as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report.as_json(), stream, indent=2)
        stream.write("\n")
    else:
        for document in report.documents:
            findings = [(f, "") for f in document.failures]
            if not args.no_warnings:
                findings += [(w, "warning: ") for w in document.warnings]
            findings.sort(key=lambda item: (item[0].line or 0, item[0].column or 0))
            for finding, label in findings:
                print(finding.render(label), file=stream)
        print(
            f"{len(report.documents)} documents: {report.passed} passed "
            f"({report.not_runnable} not runnable), {report.failed} failed; "
            f"{report.expressions} expressions, {report.expressions_compiled} compiled",
            file=stream,
        )
    return 0 if report.failed == 0 else 1
