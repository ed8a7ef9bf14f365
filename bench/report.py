"""Medians per target, the markdown table, and the generated section of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import statistics
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchor import BACKEND_BODY

ANCHOR = "nginx"
TARGET_RATIO = 0.5  # certgate must reach at least half of nginx's requests/s
DISTURBED = 0.10  # median share of the target's core taken by other work that voids req/s


@dataclass(frozen=True)
class Measurement:
    """One ab run against one target in one round (a row of the raw JSON lines)."""

    round: int
    target: str
    requests_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    server_cpu_us_per_req: float
    others_on_server_cpu: float | None  # share of the target's core used by someone else
    server_sys_us_per_req: float | None = None  # of the CPU, the kernel's (older runs: None)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Measurement:
        ab = record["ab"]
        return cls(
            record["round"],
            record["target"],
            ab["requests_per_s"],
            ab["p50_ms"],
            ab["p99_ms"],
            record["server_cpu_us_per_req"],
            record.get("others_on_server_cpu"),
            record.get("server_sys_us_per_req"),
        )


@dataclass(frozen=True)
class Summary:
    target: str
    runs: int
    rps: float  # median requests/s
    rps_min: float
    rps_max: float
    vs_anchor: float  # median req/s over the anchor's median req/s
    paired: float  # median over rounds of (this round's req/s / the anchor's in the same round)
    cpu_us: float  # median server CPU µs per request
    cpu_vs_anchor: float  # the anchor's CPU per request over this one's: capacity on one core
    sys_us: float | None  # median kernel (system) CPU µs per request, part of cpu_us
    p50_ms: float | None
    p99_ms: float | None


def summarize(rows: Sequence[Measurement], targets: Sequence[str]) -> list[Summary]:
    anchor = {m.round: m.requests_per_s for m in rows if m.target == ANCHOR}
    anchor_median = statistics.median(anchor.values())
    anchor_cpu = statistics.median(m.server_cpu_us_per_req for m in rows if m.target == ANCHOR)
    out = []
    for target in targets:
        mine = [m for m in rows if m.target == target]
        rps = [m.requests_per_s for m in mine]
        # Rounds alternate, so the ratio within one round cancels slow drifts of the machine.
        paired = [m.requests_per_s / anchor[m.round] for m in mine if m.round in anchor]
        cpu = statistics.median(m.server_cpu_us_per_req for m in mine)
        out.append(
            Summary(
                target=target,
                runs=len(mine),
                rps=statistics.median(rps),
                rps_min=min(rps),
                rps_max=max(rps),
                vs_anchor=statistics.median(rps) / anchor_median,
                paired=statistics.median(paired),
                cpu_us=cpu,
                cpu_vs_anchor=anchor_cpu / cpu if cpu else 0.0,
                sys_us=_median_or_none(m.server_sys_us_per_req for m in mine),
                p50_ms=_median_or_none(m.p50_ms for m in mine),
                p99_ms=_median_or_none(m.p99_ms for m in mine),
            )
        )
    return out


def _median_or_none(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def markdown_table(summaries: Sequence[Summary]) -> str:
    head = (
        "| target | runs | req/s (median) | req/s min-max | x nginx | x nginx, per round "
        "| p50 ms | p99 ms | server CPU µs/req | of which kernel | x nginx by CPU |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return head + "".join(_row(s) for s in summaries)


def _row(s: Summary) -> str:
    name = f"**{s.target}**" if s.target == ANCHOR else s.target
    return (
        f"| {name} | {s.runs} | {s.rps:,.0f} | {s.rps_min:,.0f}-{s.rps_max:,.0f} "
        f"| {s.vs_anchor:.2f} | {s.paired:.2f} | {_ms(s.p50_ms)} | {_ms(s.p99_ms)} "
        f"| {s.cpu_us:.1f} | {_us(s.sys_us)} | {s.cpu_vs_anchor:.2f} |\n"
    )


def _us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def docs_body(
    summaries: list[Summary],
    rows: list[Measurement],
    facts: dict[str, Any],
    command: str,
    args: argparse.Namespace,
    warmup: int,
) -> str:
    """The generated section of docs/benchmarks.md: verdict, table, method, machine,
    disturbance, command. `args` are the run's settings (rounds, requests, concurrency)."""
    verdicts = ", ".join(
        f"{s.target} **{s.vs_anchor:.2f}x** "
        f"({'met' if s.vs_anchor >= TARGET_RATIO else 'NOT met'}; {s.cpu_vs_anchor:.2f}x by CPU)"
        for s in summaries
        if s.target != ANCHOR
    )
    parts = [
        _para(
            f"_Generated by `bench/run.py --write-docs` on {facts['date']}; rerun it to refresh "
            "this section (hand edits here are overwritten)._"
        ),
        _para(
            f"**Target: certgate >= {TARGET_RATIO}x nginx requests/s.** Measured (median req/s "
            f"over nginx's median req/s): {verdicts}."
        ),
        *([_para(warning)] if (warning := disturbance_warning(rows)) else []),
        markdown_table(summaries).rstrip("\n"),
        _para(
            '"x nginx, per round" is the median of the per-round ratios (rounds alternate, so '
            "this cancels slow drifts of the machine). p50/p99 are ab's `-e` percentiles of the "
            "total request time. Server CPU is utime+stime of the target's process tree from "
            '`/proc`, per request, "of which kernel" its stime (the system calls and the '
            'loopback TCP stack, work both gateways share); "x nginx by CPU" is nginx\'s CPU '
            "per request over the target's, the ratio of what one core can carry, which other "
            "processes sharing the machine disturb far less than req/s."
        ),
        "\n".join(_bullet(text) for text in _method_notes(rows, facts, args, warmup)),
        f"Command (from the project root):\n\n```bash\n{command}\n```",
    ]
    return "\n\n".join(parts) + "\n"


def _method_notes(
    rows: list[Measurement], facts: dict[str, Any], args: argparse.Namespace, warmup: int
) -> list[str]:
    rounds = f"{args.rounds} round{'s' if args.rounds != 1 else ''}"
    pinning = (
        "each target alone on CPU 1; ab and the backend share CPU 0"
        if facts["pinned"]
        else "NOT pinned (CPUs 0 and 1 were not both available)"
    )
    return [
        "**Same work for all three:** TLS 1.3 (`ab -f TLS1.3`), ECDSA P-256 server and client "
        "certificates from a fresh `DemoPki`, the client certificate requested and any "
        "certificate accepted (nginx `ssl_verify_client optional_no_ca`), the client's SHA-1 "
        "thumbprint compared on every request (nginx `if ($ssl_client_fingerprint != ...) "
        "{ return 401; }`, certgate the seed thumbprint policy of `scripts/quickstart.py`), then "
        "one hop over a keep-alive pool to a plain-HTTP nginx backend that returns a "
        f"{len(BACKEND_BODY)}-byte body. Before measuring, every target answered 200 with the "
        "client certificate and 401 without one.",
        f"**Load:** `ab -k -f TLS1.3 -c {args.concurrency} -n {args.requests} -E client.pem`. "
        f"ab speaks HTTP/1.0 keep-alive: {args.concurrency} connections, each kept for the whole "
        f"run, so this measures request round trips, not handshakes. {rounds}, target order "
        f"rotated every round, one unrecorded {warmup}-request "
        "warm-up per target; figures are medians. Every measured run had 0 failed and 0 non-2xx "
        "responses and kept all its connections.",
        f"**Pinning:** {pinning}. nginx runs `worker_processes 1`; certgate runs one process.",
        "**Access log:** nginx `access_log off`; certgate access log "
        f"{facts['certgate_access_log']}.",
        f"**Machine:** {facts['nproc']} CPUs ({facts['cpu_model']}), Linux {facts['kernel']}; "
        f"Python {facts['python']} with {facts['stdlib_openssl']} (stdlib `ssl`) and "
        f"{facts['pyopenssl_openssl']} (pyOpenSSL, via `cryptography`); nginx {facts['nginx']}.",
        f"**Code measured:** {facts['source']}.",
        f"**Disturbance:** load average (1/5/15 min) {_load(facts['loadavg_at_start'])} before "
        f"the run and {_load(facts['loadavg_at_end'])} after it (the benchmark itself keeps "
        f"about 2 CPUs busy). {_disturbance(rows)}",
    ]


def _para(text: str) -> str:
    return textwrap.fill(text, width=100, break_on_hyphens=False, break_long_words=False)


def _bullet(text: str) -> str:
    return textwrap.fill(
        text,
        width=100,
        initial_indent="- ",
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def disturbance_warning(rows: list[Measurement]) -> str:
    """A warning when other processes took a large share of the target's core, else ''."""
    shares = [m.others_on_server_cpu for m in rows if m.others_on_server_cpu is not None]
    if not shares or statistics.median(shares) <= DISTURBED:
        return ""
    median = statistics.median(shares)
    return (
        f"**Warning: disturbed run.** Other processes took a median {median:.0%} "
        "of the target's core during the measurements, so the req/s figures are depressed and "
        'noisy; "x nginx by CPU" is the more reliable ratio. Rerun on a quiet machine.'
    )


def _disturbance(rows: list[Measurement]) -> str:
    shares = [m.others_on_server_cpu for m in rows if m.others_on_server_cpu is not None]
    if not shares:
        return ""
    return (
        "CPU time on the target's core that the target did not use (other processes, "
        f"interrupts): median {statistics.median(shares):.0%} of each run, worst "
        f"{max(shares):.0%}."
    )


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def replace_section(path: Path, heading: str, body: str, title: str = "# Benchmarks") -> None:
    """Put `heading` + `body` into the markdown file, replacing that section (up to the next
    `## ` heading) if present, appending it otherwise; other sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    lines = text.splitlines()
    section = [heading, "", *body.strip("\n").splitlines(), ""]
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = section
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *section]
    while lines and not lines[-1].strip():
        lines.pop()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
