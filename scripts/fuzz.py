"""Long fuzz run over the tests in tests/fuzz/ (docs/reliability.md, "Fuzzing").

`make test` runs each fuzz test with a small budget (a few hundred inputs). This script runs the
same tests for a given time: each target gets an equal share and is run in rounds, each round a
pytest process with a fresh Hypothesis seed and `FUZZ_EXAMPLES` inputs per test, sized so that a
round takes about a minute. It counts the inputs executed (Hypothesis statistics), the rounds that
failed (a crash, hang or wrong answer: pytest's output is kept in bench/out/fuzz/), and the
slowest single HTTP case.

    .venv/bin/python scripts/fuzz.py --minutes 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "fuzz"
TARGETS = {
    "http": "tests/fuzz/test_http_fuzz.py",  # request glue over real TLS, both TLS backends
    "rawxml": "tests/fuzz/test_rawxml_fuzz.py",
    "expr": "tests/fuzz/test_expr_fuzz.py",
}
ROUND_SECONDS = 60.0
_COUNTS = re.compile(r"(\d+) passing, (\d+) failing, and (\d+) invalid")


@dataclass
class Target:
    name: str
    path: str
    inputs: int = 0
    rounds: int = 0
    failed_rounds: int = 0
    seconds: float = 0.0
    http_cases: int = 0
    http_answered: int = 0
    slowest_case: float = 0.0
    failures: list[str] = field(default_factory=list)


def run_round(target: Target, examples: int) -> float:
    """One pytest process over the target's tests; returns its wall time."""
    seed = random.randrange(2**32)
    stats = OUT / f"{target.name}-stats.jsonl"
    stats.unlink(missing_ok=True)
    env = {**os.environ, "FUZZ_EXAMPLES": str(examples), "FUZZ_STATS": str(stats)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        f"--hypothesis-seed={seed}",
        f"--timeout={int(ROUND_SECONDS * 10)}",
        target.path,
    ]
    started = time.monotonic()
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    target.rounds += 1
    target.seconds += took
    target.inputs += sum(int(p) + int(f) for p, f, _ in _COUNTS.findall(done.stdout))
    if done.returncode != 0:
        target.failed_rounds += 1
        report = OUT / f"{target.name}-failure-{target.rounds}-seed{seed}.txt"
        report.write_text(done.stdout + done.stderr)
        target.failures.append(str(report.relative_to(ROOT)))
    if stats.exists():
        for line in stats.read_text().splitlines():
            row = json.loads(line)
            target.http_cases += row["cases"]
            target.http_answered += row["answered"]
            target.slowest_case = max(target.slowest_case, row["slowest_case_s"])
    return took


def fuzz(target: Target, budget: float) -> None:
    examples = 300
    deadline = time.monotonic() + budget
    while (left := deadline - time.monotonic()) > 5:
        before = target.inputs
        took = run_round(target, examples)
        done = max(1, target.inputs - before)
        rate = done / took  # inputs per second, pytest start-up included
        examples = max(50, int(rate * min(ROUND_SECONDS, left - took) / _tests_in(target)))
        print(
            f"  {target.name}: round {target.rounds}: {done} inputs in {took:.0f} s"
            f"{' FAILED' if target.failed_rounds else ''}",
            flush=True,
        )


def _tests_in(target: Target) -> int:
    """How many test items share a round's FUZZ_EXAMPLES (the HTTP ones run per backend)."""
    text = (ROOT / target.path).read_text()
    tests = len(re.findall(r"^@given", text, re.MULTILINE))
    return tests * (2 if target.name == "http" else 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="total run time")
    parser.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=list(TARGETS))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    targets = [Target(name, TARGETS[name]) for name in args.targets]
    share = args.minutes * 60 / len(targets)
    started = time.monotonic()
    for target in targets:
        print(f"fuzzing {target.name} for {share:.0f} s", flush=True)
        fuzz(target, share)
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    print(f"{'target':8} {'inputs':>9} {'inputs/s':>9} {'rounds':>6} {'failed':>6} {'time s':>7}")
    for t in targets:
        rate = t.inputs / t.seconds if t.seconds else 0.0
        print(
            f"{t.name:8} {t.inputs:>9} {rate:>9.0f} {t.rounds:>6} {t.failed_rounds:>6} "
            f"{t.seconds:>7.0f}"
        )
        if t.http_cases:
            print(
                f"         HTTP cases {t.http_cases}, answered {t.http_answered}, "
                f"slowest case {t.slowest_case:.3f} s"
            )
        for path in t.failures:
            print(f"         failure: {path}")
    summary = OUT / "summary.json"
    summary.write_text(json.dumps([t.__dict__ for t in targets], indent=2))
    sys.exit(1 if any(t.failed_rounds for t in targets) else 0)


if __name__ == "__main__":
    main()
