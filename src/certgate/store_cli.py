"""`certgate import | export | cert | api | rotate-master-key`: the store from the command line.

They work on the store directly (the data folder, or `--db-url`), so they also work while no
gateway runs. Every command takes `--data DIR` (default `./.certgate`). Exit status: 0 done,
1 refused by the store (the reasons follow, one per line), 2 a usage or file error.

`prepare_serving` is what `certgate serve` uses: it applies the YAML file to the store and builds
the snapshot from the store; `reload_config` is its SIGHUP.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from certgate.config import Config
    from certgate.snapshot import Snapshot
    from certgate.store import Store

COMMANDS = ("import", "export", "cert", "api", "rotate-master-key")
DEFAULT_DATA = Path(".certgate")
ENV_DB_URL = "CERTGATE_DB_URL"
ACTOR = "cli"


# --- parser --------------------------------------------------------------------------------------


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        metavar="DIR",
        help="data folder: the SQLite store and the master key file (default ./.certgate)",
    )


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add_data_argument(common)
    common.add_argument(
        "--db-url",
        default=os.environ.get(ENV_DB_URL),
        metavar="URL",
        help=f"SQLAlchemy URL of another database, e.g. PostgreSQL (env {ENV_DB_URL})",
    )
    common.add_argument(
        "--master-key-file",
        type=Path,
        metavar="PATH",
        help="master key file (default: CERTGATE_MASTER_KEY, else DIR/master.key)",
    )
    return common


def add_parsers(commands: Any) -> None:
    """Add the store's subcommands to `certgate` (an argparse subparsers action)."""
    common = _common()
    imp = commands.add_parser(
        "import",
        parents=[common],
        help="apply a YAML configuration file or an APIOps folder to the store",
        description="Create or replace the resources of FILE (the YAML configuration) or of an "
        "APIOps extractor folder, in one change that is checked as a whole.",
    )
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, metavar="FILE", help="YAML configuration")
    source.add_argument("--apiops", type=Path, metavar="DIR", help="APIOps extractor output")

    exp = commands.add_parser(
        "export",
        parents=[common],
        help="write the store as a YAML configuration file",
        description="Write the store as a YAML configuration (certificates and policies inline). "
        "Private keys are written only inside password-protected PFX data.",
    )
    exp.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    exp.add_argument(
        "--password-env",
        metavar="VAR",
        help="environment variable holding the password that protects exported private keys",
    )
    exp.add_argument(
        "--include-secrets",
        action="store_true",
        help="also write secret named values (in plaintext)",
    )

    cert = commands.add_parser("cert", help="certificates in the store")
    cert_cmd = cert.add_subparsers(dest="cert_command", required=True)
    add = cert_cmd.add_parser(
        "add",
        parents=[common],
        help="add or replace a certificate (PFX, PEM bundle or DER file)",
    )
    add.add_argument("id", help="certificate id")
    add.add_argument("file", type=Path, help="PFX, PEM (certificate chain and optional key) or DER")
    add.add_argument(
        "--password-env", metavar="VAR", help="environment variable with the PFX password"
    )
    add.add_argument("--ca", action="store_true", help="add a CA certificate (trust store)")
    add.add_argument(
        "--store-name",
        choices=["Root", "CertificateAuthority"],
        default="Root",
        help="with --ca: Root (a trust anchor) or CertificateAuthority (an intermediate)",
    )
    for name, text in (("list", "list certificates"), ("show", "show one"), ("rm", "delete one")):
        sub = cert_cmd.add_parser(name, parents=[common], help=text)
        if name != "list":
            sub.add_argument("id", help="certificate id")
        sub.add_argument("--ca", action="store_true", help="CA certificates")
        if name == "list":
            sub.add_argument("--json", action="store_true", help="print JSON")

    api = commands.add_parser("api", help="APIs in the store")
    api_cmd = api.add_subparsers(dest="api_command", required=True)
    lst = api_cmd.add_parser("list", parents=[common], help="list APIs")
    lst.add_argument("--json", action="store_true", help="print JSON")
    for name, text in (("show", "show an API, its operations and policies"), ("rm", "delete")):
        api_cmd.add_parser(name, parents=[common], help=text).add_argument("id", help="API id")
    put = api_cmd.add_parser(
        "put",
        parents=[common],
        help="create or replace an API (served without a subscription)",
    )
    put.add_argument("id", help="API id")
    put.add_argument("--path", required=True, help="URL path suffix ('' for the root)")
    put.add_argument("--service-url", required=True, help="backend URL (http:// or https://)")
    put.add_argument("--display-name", help="display name")
    put.add_argument("--policy", type=Path, metavar="FILE", help="API-scope policy (raw XML)")

    rotate = commands.add_parser(
        "rotate-master-key",
        parents=[common],
        help="re-encrypt every secret in the store under a new master key",
        description="With a key file: a new key is generated and replaces the file. With "
        "CERTGATE_MASTER_KEY: give the new key in the variable named by --new-key-env, and set "
        "CERTGATE_MASTER_KEY to it before the next start.",
    )
    rotate.add_argument(
        "--new-key-env", metavar="VAR", help="environment variable with the new key"
    )


# --- running -------------------------------------------------------------------------------------


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run one of `COMMANDS`; returns the exit status."""
    from certgate.errors import LoadError, StoreError  # noqa: PLC0415 - keeps --help fast

    logging.basicConfig(level=logging.WARNING, format="certgate: %(levelname)s: %(message)s")
    stream = out if out is not None else sys.stdout
    handlers: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
        "import": _import,
        "export": _export,
        "cert": _cert,
        "api": _api,
        "rotate-master-key": _rotate,
    }
    try:
        return handlers[args.command](args, stream)
    except StoreError as exc:
        _report(exc, getattr(args, "origins", {}))
        return 2 if type(exc).__name__ == "MasterKeyError" else 1
    except LoadError as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return 2


def _report(exc: Any, origins: Mapping[str, str]) -> None:
    from certgate.store.resources import describe  # noqa: PLC0415

    def origin(text: str) -> str:
        named = [p for p in origins if text.startswith((p, f"cannot delete {p}"))]
        return f" (from {origins[max(named, key=len)]})" if named else ""

    print(f"certgate: error: {exc.message}{origin(exc.message)}", file=sys.stderr)
    for entry in exc.details:
        line = describe(entry)
        if line not in exc.message:
            print(f"  - {line}{origin(line)}", file=sys.stderr)


def _open(args: argparse.Namespace) -> Store:
    from certgate.io.live import publish_if_served  # noqa: PLC0415
    from certgate.store import Store  # noqa: PLC0415

    store = Store.open(args.data, url=args.db_url, master_key_file=args.master_key_file)
    publish_if_served(store)  # a gateway serving this folder applies our changes at once
    return store


def _import(args: argparse.Namespace, out: TextIO) -> int:
    from certgate.store import importer  # noqa: PLC0415

    if args.apiops is not None:
        plan = importer.from_apiops(args.apiops)
    else:
        plan = importer.from_config_file(args.file)
    args.origins = plan.origins
    for note in plan.notes:
        print(f"certgate: note: {note}", file=sys.stderr)
    with _open(args) as store:
        before = store.version()
        store.apply(plan.items, actor=ACTOR, source="import")
        changed = store.version() != before
    state = "applied" if changed else "nothing changed"
    print(f"imported {len(plan.items)} resources into {args.data} ({state})", file=out)
    return 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from certgate.store.exporter import export_config  # noqa: PLC0415

    with _open(args) as store:
        result = export_config(
            store, password_env=args.password_env, include_secrets=args.include_secrets
        )
    for note in result.notes:
        print(f"certgate: note: {note}", file=sys.stderr)
    if args.out is None:
        out.write(result.text)
    else:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(result.text)
        print(f"exported to {args.out}", file=sys.stderr)
    return 0


def _cert(args: argparse.Namespace, out: TextIO) -> int:
    collection = "caCertificates" if args.ca else "certificates"
    with _open(args) as store:
        if args.cert_command == "add":
            data = base64.b64encode(args.file.read_bytes()).decode()
            props: dict[str, Any]
            if args.ca:
                props = {"encodedCertificate": data, "storeName": args.store_name}
                password_field = "certificatePassword"  # noqa: S105 - a property name
            else:
                props = {"data": data}
                password_field = "password"  # noqa: S105 - a property name
            if args.password_env:
                password = os.environ.get(args.password_env)
                if password is None:
                    print(f"certgate: error: {args.password_env} is not set", file=sys.stderr)
                    return 2
                props[password_field] = password
            path = f"{collection}/{args.id}"
            resource, created = store.put(path, {"properties": props}, actor=ACTOR, source="cli")
            print(f"{'added' if created else 'replaced'} {path}", file=out)
            _print_cert_rows([resource], out)
            return 0
        if args.cert_command == "list":
            items, _ = store.list(collection, top=1000)
            if args.json:
                json.dump([r.to_json() for r in items], out, indent=2)
                out.write("\n")
            else:
                _print_cert_rows(items, out)
            return 0
        path = f"{collection}/{args.id}"
        if args.cert_command == "show":
            found = store.get(path)
            if found is None:
                print(f"certgate: error: '{path}' was not found", file=sys.stderr)
                return 1
            json.dump(found.to_json(), out, indent=2)
            out.write("\n")
            return 0
        deleted = store.delete(path, actor=ACTOR)
        print(f"deleted {path}" if deleted else f"nothing to delete: {path}", file=out)
        return 0 if deleted else 1


def _print_cert_rows(items: Sequence[Any], out: TextIO) -> None:
    rows = [("ID", "THUMBPRINT", "EXPIRES", "KEY", "SUBJECT")]
    for r in items:
        p = r.properties
        facts = p.get("certificate", p)  # CA certificates keep their facts under `certificate`
        expires = facts.get("expirationDate") or facts.get("expiry", "")
        key = "-" if "storeName" in p else ("yes" if p.get("hasPrivateKey") else "no")
        rows.append((r.name, facts.get("thumbprint", ""), expires, key, facts.get("subject", "")))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    for row in rows:
        cells = [str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, str(row[4])]).rstrip(), file=out)


def _api(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        if args.api_command == "list":
            items, _ = store.list("apis", top=1000)
            if args.json:
                json.dump([r.to_json() for r in items], out, indent=2)
                out.write("\n")
                return 0
            rows = [("ID", "PATH", "SERVICE URL")]
            rows += [
                (r.name, "/" + r.properties.get("path", ""), r.properties.get("serviceUrl", ""))
                for r in items
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(2)]
            for row in rows:
                print(f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}", file=out)
            return 0
        path = f"apis/{args.id}"
        if args.api_command == "show":
            return _show_api(store, path, out)
        if args.api_command == "rm":
            deleted = store.delete(path, actor=ACTOR)
            print(f"deleted {path}" if deleted else f"nothing to delete: {path}", file=out)
            return 0 if deleted else 1
        props: dict[str, Any] = {
            "path": args.path,
            "serviceUrl": args.service_url,
            "subscriptionRequired": False,
        }
        if args.display_name:
            props["displayName"] = args.display_name
        items_to_apply: list[tuple[str, dict[str, Any]]] = [(path, {"properties": props})]
        if args.policy is not None:
            policy = {"format": "rawxml", "value": args.policy.read_text(encoding="utf-8-sig")}
            items_to_apply.append((f"{path}/policies/policy", {"properties": policy}))
        store.apply(items_to_apply, actor=ACTOR, source="cli")
        print(f"stored {path}", file=out)
        return 0


def _show_api(store: Store, path: str, out: TextIO) -> int:
    api = store.get(path)
    if api is None:
        print(f"certgate: error: '{path}' was not found", file=sys.stderr)
        return 1
    shown = api.to_json()
    policy = store.get(f"{path}/policies/policy")
    if policy is not None:
        shown["policy"] = policy.to_json(policy_format="rawxml")["properties"]
    operations, _ = store.list(f"{path}/operations", top=1000)
    shown["operations"] = []
    for op in operations:
        entry = op.to_json()
        op_policy = store.get(f"{op.path}/policies/policy")
        if op_policy is not None:
            entry["policy"] = op_policy.to_json(policy_format="rawxml")["properties"]
        shown["operations"].append(entry)
    json.dump(shown, out, indent=2)
    out.write("\n")
    return 0


def _rotate(args: argparse.Namespace, out: TextIO) -> int:
    from certgate.store import crypto  # noqa: PLC0415

    new_key = None
    if args.new_key_env:
        value = os.environ.get(args.new_key_env)
        if not value:
            print(f"certgate: error: {args.new_key_env} is not set", file=sys.stderr)
            return 2
        new_key = crypto.parse_key(value, what=args.new_key_env)
    with _open(args) as store:
        old = store.master_key.key_id
        count = store.rotate_master_key(new_key)
        key = store.master_key
    print(f"re-sealed {count} secrets: master key {old} -> {key.key_id} ({key.source})", file=out)
    if key.path is None:
        print(f"set {crypto.ENV_KEY} to the new key before the next start", file=out)
    return 0


# --- serve ---------------------------------------------------------------------------------------


@dataclass
class Serving:
    """What `certgate serve` starts from."""

    store: Store
    snapshot: Snapshot
    config: Config  # the composed configuration: the file's node sections + the store
    base: Config | None  # the YAML file as read (its gateway:/admin: sections are node-local)
    version: int  # the store version `snapshot` was built from


def open_serving(
    config_path: Path | None, data_dir: Path, *, db_url: str | None = None
) -> tuple[Store, Snapshot]:
    """`prepare_serving`, for callers that want the store and the snapshot only."""
    serving = prepare_serving(config_path, data_dir, db_url=db_url)
    return serving.store, serving.snapshot


def prepare_serving(
    config_path: Path | None, data_dir: Path, *, db_url: str | None = None
) -> Serving:
    """`certgate serve`: apply the YAML file (if any) to the store, build the snapshot from the
    store. The file is first loaded on its own, so its errors read exactly as before the store
    existed (file, key, line, column); resources it no longer has, that it put there on an
    earlier start, are removed; resources created through the admin API stay. The store keeps
    the file's node sections (`node_config`), so later writes are checked against them."""
    from certgate.config import read_config  # noqa: PLC0415
    from certgate.errors import StoreError  # noqa: PLC0415
    from certgate.snapshot import build_snapshot, load_snapshot  # noqa: PLC0415
    from certgate.store import Store  # noqa: PLC0415
    from certgate.store.importer import from_config_file  # noqa: PLC0415

    base = None
    plan = None
    if config_path is not None:
        load_snapshot(config_path)
        base = read_config(config_path)
        plan = from_config_file(config_path)
    store = Store.open(data_dir, url=db_url or os.environ.get(ENV_DB_URL))
    try:
        store.node_config = base
        if plan is not None:
            store.apply(plan.items, actor="config", source="config", prune=True, base=base)
        version, config = store.versioned_config(base)
        if not config.hostnames:
            raise StoreError(
                f"nothing to serve: the store in {data_dir} has no gateway hostnames "
                "(give --config FILE, or add hostnames with the admin API)"
            )
        snapshot = build_snapshot(config, store.data_dir)
        return Serving(store, snapshot, config, base, version)
    except BaseException:
        store.close()
        raise


def reload_config(config_path: Path, store: Store) -> bool:
    """SIGHUP: apply the YAML file to the store again, as at start (checked as a whole against
    the running node sections; a bad file raises LoadError or StoreError and changes nothing).
    Returns whether the store changed. The node sections (`gateway:`, `admin:`, `crls:`) of the
    running process stay: a change there is logged and needs a restart."""
    from certgate.config import read_config  # noqa: PLC0415
    from certgate.snapshot import load_snapshot  # noqa: PLC0415
    from certgate.store.importer import from_config_file  # noqa: PLC0415

    load_snapshot(config_path)
    fresh = read_config(config_path)
    plan = from_config_file(config_path)
    base = store.node_config
    if base is not None:
        changed = [
            name
            for name in ("gateway", "admin", "crls")
            if getattr(fresh, name) != getattr(base, name)
        ]
        if changed:
            logging.getLogger("certgate.reload").warning(
                "%s: %s changed; these node settings take effect at the next start",
                config_path,
                ", ".join(f"{name}:" for name in changed),
            )
    before = store.version()
    store.apply(plan.items, actor="config", source="config", prune=True, base=base)
    return store.version() != before
