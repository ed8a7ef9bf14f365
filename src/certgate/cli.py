"""`certgate` command line."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from certgate import __version__, expr_cli, policy_cli, store_cli
from certgate.errors import LoadError, TLSSetupError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certgate",
        description="Self-hosted API gateway that runs Azure API Management policies.",
    )
    parser.add_argument("--version", action="version", version=f"certgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", type=Path, help="YAML configuration file (applied to the store)")
    store_cli.add_data_argument(serve)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on the same ports (SO_REUSEPORT) under a supervisor that "
        "restarts them (default 1: one process, no supervisor)",
    )
    serve.add_argument(
        "--tls-backend", choices=["stdlib", "pyopenssl"], help="TLS mechanism (default: measured)"
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    policy_cli.add_parser(commands)
    expr_cli.add_parser(commands)
    store_cli.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "policy":
        return policy_cli.run(args)
    if args.command == "expr":
        return expr_cli.run(args)
    if args.command in store_cli.COMMANDS:
        return store_cli.run(args)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "serve":
        return _serve(args)
    return 2  # pragma: no cover - argparse requires a command


def _serve(args: argparse.Namespace) -> int:
    from certgate.errors import StoreError
    from certgate.workers import (
        MAX_WORKERS,
        Settings,
        Supervisor,
        check_admin,
        check_ports_free,
        serve_single,
    )

    if not 1 <= args.workers <= MAX_WORKERS:
        print(f"certgate: error: --workers must be 1 to {MAX_WORKERS}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # until the reload handler is in place
    try:
        serving = store_cli.prepare_serving(args.config, args.data)
    except (LoadError, StoreError) as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return 2
    try:
        check_admin(serving, args.config)
        if args.workers > 1:
            fixed = [f"{h}:{p}" for h, p in serving.snapshot.listeners if p == 0]
            if fixed:
                print(
                    f"certgate: error: --workers {args.workers} needs fixed ports; "
                    f"{', '.join(fixed)} asks for any free port",
                    file=sys.stderr,
                )
                return 2
            check_ports_free(serving.snapshot.listeners)
        settings = Settings(serving, args.tls_backend, args.config)
        if args.workers == 1:
            serve_single(settings)
            return 0
        return Supervisor(settings, args.workers).run()
    except (LoadError, TLSSetupError, StoreError) as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"certgate: error: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        serving.store.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
