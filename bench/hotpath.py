"""certgate's cost per keep-alive request, alone and in ways that hold up on a busy machine.

    .venv/bin/python bench/hotpath.py [--tls stdlib] [--runs 5] [--requests 20000]
                                      [--access-log off|file] [--callgrind [--keep DIR]]
                                      [--py-spy OUT]

The same set-up as bench/run.py (fresh demo PKI, plain-HTTP nginx backend, `certgate serve` with
the seed thumbprint policy, `ab -k -f TLS1.3 -c 32` with the client certificate), without the
nginx anchor, for comparing one code change against another:

- default: CPU µs per request of the gateway process (utime+stime from /proc, the kernel's part
  shown apart) over each run, and the median. Less disturbed by other processes than req/s,
  not immune to them (caches, SMT).
- `--callgrind`: the gateway runs under valgrind's callgrind with instrumentation switched on
  only around the measured runs; instructions per request are the difference between a run of
  N and one of 2N requests over N, so the 32 TLS handshakes of each run cancel out. The count
  does not depend on the load of the machine; runs take about 50x longer. `--keep DIR` keeps
  each 2N run's dump for `callgrind_annotate`.
- `--py-spy OUT`: py-spy records the gateway during the measured runs (speedscope JSON at OUT;
  py-spy must be installed in the venv, it is not a project dependency).

The gateway imports certgate from PYTHONPATH when set: run the script once with
`PYTHONPATH=<other checkout>/src` and once without to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anchor import backend_site, start_nginx
from loadgen import run_ab
from procs import Pinning, Supervisor, free_port, on_cpu, tree_cpu_split, wait_listening
from run import Pki, Target, certgate_argv, certgate_config, check_target, make_pki

WARMUP_REQUESTS = 3000


def start_gateway(
    sup: Supervisor,
    work: Path,
    pki: Pki,
    backend_port: int,
    args: argparse.Namespace,
    cpu: int | None,
) -> Target:
    port = free_port()
    folder = work / "certgate"
    config = certgate_config(folder, pki, port, backend_port, log_file=args.access_log == "file")
    argv = [*certgate_argv(), "serve", "--config", str(config), "--tls-backend", args.tls]
    argv += ["--log-level", "warning"]
    if args.callgrind:
        argv = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no",
            f"--callgrind-out-file={folder / 'callgrind.out.%p'}", *argv,
        ]  # fmt: skip
    item = sup.start("certgate", on_cpu(cpu, argv), folder / "certgate.log")
    wait_listening(item, port, timeout=600.0 if args.callgrind else 30.0)
    return Target(item.name, port, item)


def ab_once(target: Target, pki: Pki, requests: int, work: Path, cpu: int | None) -> None:
    ab, raw = run_ab(target.url, pki.client_pem, requests, 32, work / "ab.csv", cpu)
    if not ab.valid:
        raise RuntimeError(f"ab run invalid: {ab.problems}\n{raw[-1500:]}")


def cpu_runs(target: Target, pki: Pki, args: argparse.Namespace, work: Path, pin: Pinning) -> None:
    figures = []
    for n in range(args.runs):
        user, system = tree_cpu_split(target.proc.proc.pid)
        started = time.monotonic()
        ab_once(target, pki, args.requests, work, pin.load_cpu)
        wall = time.monotonic() - started
        after = tree_cpu_split(target.proc.proc.pid)
        kernel = (after[1] - system) / args.requests * 1e6
        figures.append((after[0] - user) / args.requests * 1e6 + kernel)
        print(
            f"run {n + 1}: {figures[-1]:6.1f} µs/req CPU ({kernel:4.1f} kernel)"
            f"  {args.requests / wall:8,.0f} req/s",
            flush=True,
        )
    print(f"median: {statistics.median(figures):.1f} µs/req CPU (min {min(figures):.1f})")


def _callgrind(pid: int, *flags: str) -> None:
    subprocess.run(["callgrind_control", *flags, str(pid)], check=True, capture_output=True)


def _instructions(folder: Path, pid: int, part: int) -> int:
    text = (folder / f"callgrind.out.{pid}.{part}").read_text(errors="replace")
    found = re.search(r"^totals: (\d+)", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no instruction total in callgrind dump {part}")
    return int(found.group(1))


def callgrind_runs(
    target: Target, pki: Pki, args: argparse.Namespace, work: Path, pin: Pinning
) -> None:
    """Instructions per request from runs of N and 2N requests (handshakes cancel out)."""
    pid = target.proc.proc.pid  # `taskset` and valgrind exec in place: the gateway's own pid
    folder = work / "certgate"
    part = 0
    figures = []
    for n in range(args.runs):
        counts = []
        for requests in (args.requests, 2 * args.requests):
            _callgrind(pid, "--zero")
            _callgrind(pid, "--instr=on")
            ab_once(target, pki, requests, work, pin.load_cpu)
            _callgrind(pid, "--instr=off")
            _callgrind(pid, "--dump")
            part += 1
            counts.append(_instructions(folder, pid, part))
        figures.append((counts[1] - counts[0]) / args.requests)
        if args.keep is not None:  # the 2N run, for callgrind_annotate
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(folder / f"callgrind.out.{pid}.{part}", args.keep / f"run{n + 1}.out")
        print(f"run {n + 1}: {figures[-1]:,.0f} instructions/req", flush=True)
    print(f"median: {statistics.median(figures):,.0f} instructions/req")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tls", default="stdlib", choices=("stdlib", "pyopenssl"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--access-log", default="off", choices=("off", "file"))
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--keep", type=Path, help="with --callgrind: copy the dumps here")
    parser.add_argument("--py-spy", type=Path, help="record a speedscope profile to this file")
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 1000 if args.callgrind else 20000
    pin = Pinning.detect()
    with tempfile.TemporaryDirectory(prefix="certgate-hotpath-") as tmp, Supervisor() as sup:
        work = Path(tmp)
        pki = make_pki(work / "pki")
        backend_port = free_port()
        start_nginx(sup, backend_site(work / "backend", backend_port), pin.load_cpu)
        target = start_gateway(sup, work, pki, backend_port, args, pin.server_cpu)
        check_target(target, pki)
        ab_once(target, pki, min(WARMUP_REQUESTS, args.requests), work, pin.load_cpu)
        if args.callgrind:
            callgrind_runs(target, pki, args, work, pin)
            return 0
        spy = None
        if args.py_spy is not None:
            spy_argv = [str(Path(sys.executable).parent / "py-spy"), "record", "-r", "500"]
            spy_argv += ["-f", "speedscope", "-o", str(args.py_spy), "--nonblocking"]
            spy = subprocess.Popen([*spy_argv, "-p", str(target.proc.proc.pid)])
            time.sleep(1.0)  # py-spy attaches
        try:
            cpu_runs(target, pki, args, work, pin)
        finally:
            if spy is not None:
                spy.send_signal(2)
                spy.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
