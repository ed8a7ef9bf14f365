"""certgate against nginx doing the same work on the same machine, in one run (`make bench`).

    .venv/bin/python bench/run.py [--rounds 5] [--requests 30000] [--concurrency 32]
                                  [--out bench/out] [--quick] [--write-docs]

One run makes a fresh demo PKI, starts a plain-HTTP nginx backend (CPU 0, shared with ab), and
three targets on CPU 1, each proxying to that backend:

- nginx: the anchor, one worker, TLS with the client certificate requested and any accepted,
  SHA-1 thumbprint compared per request, keep-alive upstream pool (see anchor.py);
- certgate-stdlib and certgate-pyopenssl: `certgate serve --tls-backend X` with the seed
  thumbprint policy of scripts/quickstart.py on an API at the root path.

Every target must answer 200 with the client certificate and 401 without before anything is
measured. Then each round runs `ab -k -f TLS1.3 -c C -n N -E client.pem` once per target, in an
order that rotates each round, and reads the target's CPU time from /proc before and after. Any
failed, non-2xx or non-keep-alive response makes the whole run invalid (exit status 1, no docs).
Raw results go to OUT/*.jsonl; medians and ratios to stdout and, with --write-docs, to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import os
import shlex
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from anchor import BACKEND_BODY, anchor_site, backend_site, start_nginx
from loadgen import AbRun, run_ab
from machine import loadavg, machine_facts
from procs import (
    Pinning,
    Started,
    Supervisor,
    cpu_busy_seconds,
    free_port,
    on_cpu,
    reaped_children_cpu_seconds,
    tree_cpu_seconds,
    tree_cpu_split,
    wait_listening,
)
from report import (
    ANCHOR,
    Measurement,
    Summary,
    disturbance_warning,
    docs_body,
    markdown_table,
    replace_section,
    summarize,
)

from certgate.config import GatewayConfig
from certgate.testing.pki import DemoPki

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Gateway vs nginx (keep-alive, thumbprint check)"
TLS_BACKENDS = ("stdlib", "pyopenssl")
TARGETS = (ANCHOR, *(f"certgate-{b}" for b in TLS_BACKENDS))
QUICK_REQUESTS = 5000
WARMUP_REQUESTS = 2000


@dataclass(frozen=True)
class Pki:
    """The files the benchmark needs from a fresh DemoPki."""

    pki: DemoPki
    folder: Path
    client_pem: Path  # client cert + intermediate + key, for ab -E and the checks
    root_crt: Path

    @property
    def thumbprint(self) -> str:
        return self.pki.client.thumbprint  # uppercase, as APIM prints it


@dataclass(frozen=True)
class Outcome:
    """What one benchmark run produced."""

    rows: list[Measurement]
    summaries: list[Summary]
    problems: list[str]  # reasons the run is invalid; empty when it is valid


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    proc: Started

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"


# --- setup ----------------------------------------------------------------------------------------


def make_pki(folder: Path) -> Pki:
    pki = DemoPki.create()
    files = pki.write(folder)
    return Pki(pki, folder, files["client"], files["root"])


def seed_thumbprint_policy(thumbprint: str) -> str:
    """The demo's seed policy, read from scripts/quickstart.py so both always agree."""
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "scripts" / "quickstart.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    template: str = module.THUMBPRINT_POLICY
    return template.format(thumbprint=thumbprint)


def certgate_config(
    folder: Path, pki: Pki, port: int, backend_port: int, *, log_file: bool = False
) -> Path:
    """A config with one TLS hostname and one API at the root path, guarded by the seed policy;
    the access log off, or with `log_file` written to `folder`/access.log."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thumbprint.xml").write_text(seed_thumbprint_policy(pki.thumbprint))
    config = folder / "config.yaml"
    text = f"""hostnames:
  - hostName: localhost
    listen: 127.0.0.1:{port}
    certificateId: gateway-tls
    negotiateClientCertificate: true
    defaultSslBinding: true  # ab connects to 127.0.0.1, so it sends no SNI
certificates:
  gateway-tls: {{file: {pki.folder / "gateway.pem"}}}
apis:
  bench:
    path: ""
    serviceUrl: http://127.0.0.1:{backend_port}
    policy: thumbprint.xml
"""
    if (key := access_log_key()) and log_file:
        text += f'gateway:\n  {key}: "{folder / "access.log"}"\n'
    elif key:
        text += f'gateway:\n  {key}: "off"  # like the anchor\'s `access_log off`\n'
    config.write_text(text)
    return config


def access_log_key() -> str | None:
    """The YAML key that turns certgate's access log off, when this version of certgate has one.

    The anchor runs with `access_log off`, so certgate must too for the same work; versions
    without the setting log to stderr (here: a file) and pay for it.
    """
    field = GatewayConfig.model_fields.get("access_log")
    return None if field is None else field.alias or "access_log"


def certgate_argv() -> list[str]:
    script = Path(sys.executable).parent / "certgate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "certgate.cli"]


def start_certgate(
    sup: Supervisor, work: Path, pki: Pki, backend_port: int, tls: str, cpu: int | None
) -> Target:
    port = free_port()
    folder = work / f"certgate-{tls}"
    config = certgate_config(folder, pki, port, backend_port)
    argv = [*certgate_argv(), "serve", "--config", str(config), "--tls-backend", tls]
    argv += ["--log-level", "warning"]
    item = sup.start(f"certgate-{tls}", on_cpu(cpu, argv), folder / "certgate.log")
    wait_listening(item, port)
    return Target(item.name, port, item)


def start_all(sup: Supervisor, work: Path, pki: Pki, pin: Pinning) -> tuple[Started, list[Target]]:
    """The backend, then the anchor and both certgates; returns (backend, targets)."""
    backend_port = free_port()
    backend = start_nginx(sup, backend_site(work / "backend", backend_port), pin.load_cpu)
    gateway = pki.pki.gateway
    site = anchor_site(
        work / "anchor",
        free_port(),
        backend_port,
        gateway.cert_pem(with_chain=True),
        gateway.key_pem(),
        pki.thumbprint,
    )
    targets = [Target(ANCHOR, site.port, start_nginx(sup, site, pin.server_cpu))]
    for tls in TLS_BACKENDS:
        targets.append(start_certgate(sup, work, pki, backend_port, tls, pin.server_cpu))
    return backend, targets


# --- checks before measuring ----------------------------------------------------------------------


def get(port: int, pki: Pki, with_cert: bool) -> tuple[int, bytes]:
    """GET / over TLS 1.3 without SNI (like ab); the server chain is verified against the root."""
    ctx = ssl.create_default_context(cafile=str(pki.root_crt))
    ctx.check_hostname = False  # the certificate names localhost; we dial the IP, as ab does
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if with_cert:
        ctx.load_cert_chain(pki.client_pem)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_target(target: Target, pki: Pki) -> None:
    """200 with the backend's body when the certificate is presented, 401 without one."""
    status, body = get(target.port, pki, with_cert=True)
    if status != 200 or body != BACKEND_BODY.encode():
        _check_failed(target, f"with the client certificate got {status} {body[:300]!r}")
    status, body = get(target.port, pki, with_cert=False)
    if status != 401:
        _check_failed(target, f"without a client certificate got {status} {body[:300]!r}")


def _check_failed(target: Target, what: str) -> None:
    raise RuntimeError(f"{target.name}: {what}; its log ends with:\n{target.proc.log_tail(40)}")


# --- measuring ------------------------------------------------------------------------------------


def round_order(round_index: int, targets: list[Target]) -> list[Target]:
    """Rotate by one each round so no target always runs first (cold) or last (warm machine)."""
    k = round_index % len(targets)
    return targets[k:] + targets[:k]


def measure(
    target: Target,
    backend: Started,
    pki: Pki,
    args: argparse.Namespace,
    pin: Pinning,
    csv_path: Path,
    requests: int,
) -> tuple[dict[str, Any], AbRun, str]:
    """One ab run against `target`; returns the raw record, the parsed run and ab's output."""
    if target.proc.proc.poll() is not None:
        raise RuntimeError(f"{target.name} died:\n{target.proc.log_tail()}")
    load_before = loadavg()
    before = _counters(target, backend)
    started = time.monotonic()
    ab, raw = run_ab(target.url, pki.client_pem, requests, args.concurrency, csv_path, pin.load_cpu)
    wall = time.monotonic() - started
    used = {k: v - before[k] for k, v in _counters(target, backend).items()}
    done = max(ab.complete, 1)
    record = {
        "kind": "run",
        "target": target.name,
        "ab": ab.as_dict(),
        "wall_s": round(wall, 3),
        "server_cpu_s": round(used["server"], 3),
        "server_cpu_us_per_req": round(used["server"] / done * 1e6, 2),
        "server_sys_us_per_req": round(used["server_sys"] / done * 1e6, 2),
        "backend_cpu_us_per_req": round(used["backend"] / done * 1e6, 2),
        "ab_cpu_us_per_req": round(used["ab"] / done * 1e6, 2),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }
    if pin.pinned:
        # What else ran on each core meanwhile: other engineers' tests, steal. Rough (softirq
        # time lands where the kernel runs it), but a large share flags a disturbed run.
        server_core = used[f"cpu{pin.server_cpu}"] - used["server"]
        load_core = used[f"cpu{pin.load_cpu}"] - used["ab"] - used["backend"]
        record["others_on_server_cpu"] = round(max(server_core, 0.0) / wall, 3)
        record["others_on_load_cpu"] = round(max(load_core, 0.0) / wall, 3)
    return record, ab, raw


def _counters(target: Target, backend: Started) -> dict[str, float]:
    """CPU seconds so far: the target's and backend's process trees, finished ab runs, each CPU."""
    user, system = tree_cpu_split(target.proc.proc.pid)
    counters = {
        "server": user + system,
        "server_sys": system,
        "backend": tree_cpu_seconds(backend.proc.pid),
        "ab": reaped_children_cpu_seconds(),
    }
    counters.update({f"cpu{n}": busy for n, busy in cpu_busy_seconds().items()})
    return counters


def warm_up(
    targets: list[Target],
    backend: Started,
    pki: Pki,
    args: argparse.Namespace,
    pin: Pinning,
    work: Path,
) -> None:
    """A short unrecorded run per target: first-connection costs stay out of round 1."""
    for target in targets:
        _, ab, raw = measure(
            target,
            backend,
            pki,
            args,
            pin,
            work / "warmup.csv",
            min(WARMUP_REQUESTS, args.requests),
        )
        if not ab.valid:
            raise RuntimeError(f"{target.name} warm-up failed: {ab.problems}\n{raw[-2000:]}")


def run_rounds(
    targets: list[Target],
    backend: Started,
    pki: Pki,
    args: argparse.Namespace,
    pin: Pinning,
    work: Path,
    out: TextIO,
) -> tuple[list[Measurement], list[str]]:
    """All rounds; returns the measurements and the problems that invalidate the run."""
    rows: list[Measurement] = []
    problems: list[str] = []
    for r in range(args.rounds):
        for position, target in enumerate(round_order(r, targets)):
            record, ab, raw = measure(
                target, backend, pki, args, pin, work / "ab.csv", args.requests
            )
            record.update(round=r + 1, position=position)
            out.write(json.dumps(record) + "\n")
            out.flush()
            rows.append(Measurement.from_record(record))
            print(_progress(record), flush=True)
            if not ab.valid:
                problems += [f"round {r + 1} {target.name}: {p}" for p in ab.problems]
                print(_loud(f"{target.name} run is INVALID", ab.problems, raw), file=sys.stderr)
    return rows, problems


def _progress(record: dict[str, Any]) -> str:
    ab = record["ab"]
    p50, p99 = ab["p50_ms"] or 0.0, ab["p99_ms"] or 0.0
    return (
        f"round {record['round']} {record['target']:19} {ab['requests_per_s']:9,.0f} req/s  "
        f"p50 {p50:5.2f} ms  p99 {p99:5.2f} ms  "
        f"CPU {record['server_cpu_us_per_req']:6.1f} µs/req  load {record['loadavg_before'][0]:.2f}"
        f"  others on cores 1/0: {_pct(record.get('others_on_server_cpu'))}"
        f"/{_pct(record.get('others_on_load_cpu'))}"
    )


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _loud(title: str, problems: list[str], detail: str = "") -> str:
    bar = "!" * 100
    lines = [bar, f"!!! {title}", *(f"!!!   {p}" for p in problems)]
    if detail:
        lines += ["!!! ab output (tail):", detail[-1500:]]
    return "\n".join([*lines, bar])


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--requests", type=int, help="requests per ab run (default 30000)")
    parser.add_argument("--concurrency", type=int, default=32, help="ab -c (default 32)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="raw results")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: 1 round of {QUICK_REQUESTS} requests"
    )
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    args = parser.parse_args(argv)
    if args.quick and args.write_docs:
        parser.error("--quick results are a smoke test, not numbers for the docs")
    if args.quick:
        args.rounds = 1
    if args.requests is None:
        args.requests = QUICK_REQUESTS if args.quick else 30000
    if args.rounds < 1 or args.requests < 1 or args.concurrency < 1:
        parser.error("--rounds, --requests and --concurrency must be positive")
    return args


def missing_tools() -> list[str]:
    hints = {"nginx": "nginx", "ab": "apache2-utils"}
    return [f"{t} (apt-get install -y {p})" for t, p in hints.items() if not shutil.which(t)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if missing := missing_tools():
        print(f"bench: missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    pin = Pinning.detect()
    if not pin.pinned:
        print("bench: WARNING: CPUs 0 and 1 not both available: running unpinned", file=sys.stderr)
    command = shown_command(sys.argv[1:] if argv is None else argv)
    facts = machine_facts(pin.pinned)
    facts["certgate_access_log"] = "off" if access_log_key() else "on (to a file; no setting yet)"
    stamp = dt.datetime.now(dt.UTC)
    facts["date"] = stamp.strftime("%Y-%m-%d %H:%M UTC")
    args.out.mkdir(parents=True, exist_ok=True)
    out_path = args.out / f"gateway-vs-nginx-{stamp:%Y%m%dT%H%M%SZ}.jsonl"
    try:
        with out_path.open("w") as out:
            meta = {"kind": "meta", "command": command, "args": _jsonable(args), **facts}
            out.write(json.dumps(meta) + "\n")
            outcome = benchmark(args, pin, out)
    except RuntimeError as exc:  # a target did not start or failed its check: nothing measured
        print(_loud("BENCHMARK ABORTED", str(exc).splitlines()), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; everything it started has been stopped", file=sys.stderr)
        return 130
    facts["loadavg_at_end"] = loadavg()
    print(f"raw results: {out_path}")
    return finish(outcome, facts, command, args)


def shown_command(argv: list[str]) -> str:
    """The command line as run from the project root (PYTHONPATH included: it picks the code)."""
    command = shlex.join([".venv/bin/python", "bench/run.py", *argv])
    if pythonpath := os.environ.get("PYTHONPATH"):
        command = f"PYTHONPATH={shlex.quote(pythonpath)} {command}"
    return command


def benchmark(args: argparse.Namespace, pin: Pinning, out: TextIO) -> Outcome:
    """Set up, check, warm up, measure; everything started is stopped before this returns."""
    with (
        tempfile.TemporaryDirectory(prefix="certgate-bench-") as tmp,
        Supervisor() as sup,  # exits first: everything is stopped before the folder goes
    ):
        work = Path(tmp)
        pki = make_pki(work / "pki")
        backend, targets = start_all(sup, work, pki, pin)
        for target in targets:
            check_target(target, pki)
        print("all targets answer 200 with the client certificate and 401 without", flush=True)
        warm_up(targets, backend, pki, args, pin, work)
        rows, problems = run_rounds(targets, backend, pki, args, pin, work, out)
    summaries = summarize(rows, TARGETS)
    for summary in summaries:
        out.write(json.dumps({"kind": "summary", **asdict(summary)}) + "\n")
    return Outcome(rows, summaries, problems)


def finish(outcome: Outcome, facts: dict[str, Any], command: str, args: argparse.Namespace) -> int:
    """Print the table; write the docs only for a valid run."""
    print()
    print(markdown_table(outcome.summaries))
    for s in outcome.summaries:
        if s.target != ANCHOR:
            print(
                f"{s.target}: {s.vs_anchor:.2f}x nginx req/s (per-round median {s.paired:.2f}x), "
                f"{s.cpu_vs_anchor:.2f}x by CPU per request"
            )
    if warning := disturbance_warning(outcome.rows):
        print(_loud(warning.replace("**", ""), []), file=sys.stderr)
    if outcome.problems:
        title = "RUN INVALID: failed, non-2xx or non-keep-alive responses"
        print(_loud(title, outcome.problems), file=sys.stderr)
        return 1
    if args.write_docs:
        warmup = min(WARMUP_REQUESTS, args.requests)
        body = docs_body(outcome.summaries, outcome.rows, facts, command, args, warmup)
        replace_section(DOCS, HEADING, body)
        print(f"updated {DOCS.relative_to(ROOT)}")
    return 0


def _jsonable(args: argparse.Namespace) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


if __name__ == "__main__":
    sys.exit(main())
