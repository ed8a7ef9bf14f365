"""The store on a real database: CRUD, ETag/If-Match, paging, the whole-configuration check that
makes a refused write store nothing, cascades, versions, audit, secrets at rest, migrations."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

import certgate.store.migrations
from certgate.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from certgate.snapshot import build_snapshot
from certgate.store import Store
from certgate.store.schema import HEAD_REVISION, audit, metadata
from tests.unit.store.conftest import (
    CERT_POLICY,
    KEY,
    Certs,
    api_body,
    hostname_body,
    pfx_body,
    policy_body,
    public_body,
    serving,
)

NV = "namedValues/partner"


def nv_body(value: str = "ABC", secret: bool = False, name: str = "partner") -> dict[str, Any]:
    return {"properties": {"displayName": name, "value": value, "secret": secret}}


def op_body(method: str = "GET", template: str = "/items/{id}") -> dict[str, Any]:
    return {"properties": {"displayName": "Get item", "method": method, "urlTemplate": template}}


def unchanged(store: Store, version: int, *absent: str) -> None:
    assert store.version() == version
    for path in absent:
        assert store.get(path) is None


# --- CRUD and idempotence ------------------------------------------------------------------------


def test_put_creates_then_replaces_and_the_same_body_is_one_change(store: Store) -> None:
    assert store.version() == 0
    created, was_created = store.put("apis/orders", api_body(), actor="alice")
    assert was_created and store.version() == 1
    assert created.to_json()["id"] == "/apis/orders"
    again, was_created = store.put("apis/orders", api_body(), actor="alice")
    assert not was_created and again.etag == created.etag and store.version() == 1
    replaced, was_created = store.put("apis/orders", api_body("v2"), actor="alice")
    assert not was_created and replaced.etag != created.etag and store.version() == 2
    found = store.get("apis/orders")
    assert found is not None and found.properties["path"] == "v2" and found.etag == replaced.etag


def test_get_missing_is_none_and_bad_path_is_refused(store: Store) -> None:
    assert store.get("apis/none") is None
    with pytest.raises(ValidationFailed):
        store.get("apis/../x")


def test_list_pages_in_name_order_with_the_total(store: Store) -> None:
    for name in ["c", "a", "e", "b", "d"]:
        store.put(f"apis/{name}", api_body(name), actor="t")
    page, total = store.list("apis", skip=1, top=2)
    assert total == 5 and [r.name for r in page] == ["b", "c"]
    assert [r.name for r in store.list("apis", skip=4)[0]] == ["e"]
    assert store.list("apis", skip=10) == ([], 5)


def test_list_under_a_missing_parent_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.list("apis/none/operations")
    store.put("apis/orders", api_body(), actor="t")
    assert store.list("apis/orders/operations") == ([], 0)


def test_child_before_parent_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.put("apis/orders/operations/get", op_body(), actor="t")
    with pytest.raises(NotFound):
        store.put("apis/orders/policies/policy", policy_body("<policies/>"), actor="t")
    unchanged(store, 0)


def test_delete_returns_whether_something_was_deleted(store: Store) -> None:
    store.put("apis/orders", api_body(), actor="t")
    assert store.delete("apis/orders", actor="t") is True
    assert store.get("apis/orders") is None
    assert store.delete("apis/orders", actor="t") is False


def test_patch_merges_and_keeps_the_rest(store: Store) -> None:
    store.put("apis/orders", api_body(displayName="Orders"), actor="t")
    patched = store.patch("apis/orders", {"properties": {"path": "o2"}}, actor="t")
    assert patched.properties["path"] == "o2" and patched.properties["displayName"] == "Orders"
    with pytest.raises(NotFound):
        store.patch("apis/none", {"properties": {}}, actor="t")
    version = store.version()
    store.patch("apis/orders", {"properties": {"path": "o2"}}, actor="t")  # no change
    assert store.version() == version


def test_patch_keeps_a_secret_and_can_reveal_it(store: Store) -> None:
    store.put(NV, nv_body("hush", secret=True), actor="t")
    patched = store.patch(NV, {"properties": {"tags": ["a"]}}, actor="t")
    assert "value" not in patched.properties
    assert store.secret_value(NV, actor="t") == "hush"
    opened = store.patch(NV, {"properties": {"secret": False}}, actor="t")
    assert opened.properties["value"] == "hush"


# --- ETag / If-Match -----------------------------------------------------------------------------


def test_if_match_guards_replace_patch_and_delete(store: Store) -> None:
    first, _ = store.put("apis/orders", api_body(), actor="t")
    second, _ = store.put("apis/orders", api_body("v2"), if_match=first.etag, actor="t")
    version = store.version()
    with pytest.raises(PreconditionFailed):
        store.put("apis/orders", api_body("v3"), if_match=first.etag, actor="t")
    with pytest.raises(PreconditionFailed):
        store.patch("apis/orders", {"properties": {"path": "v3"}}, if_match=first.etag, actor="t")
    with pytest.raises(PreconditionFailed):
        store.delete("apis/orders", if_match=first.etag, actor="t")
    unchanged(store, version)
    found = store.get("apis/orders")
    assert found is not None and found.properties["path"] == "v2"
    quoted = f'W/"{second.etag}"'
    store.patch("apis/orders", {"properties": {"path": "v3"}}, if_match=quoted, actor="t")
    current = store.get("apis/orders")
    assert current is not None
    assert store.delete("apis/orders", if_match=f'"{current.etag}"', actor="t")


def test_if_match_star_needs_an_existing_resource(store: Store) -> None:
    with pytest.raises(PreconditionFailed):
        store.put("apis/orders", api_body(), if_match="*", actor="t")
    unchanged(store, 0, "apis/orders")
    store.put("apis/orders", api_body(), actor="t")
    store.put("apis/orders", api_body("v2"), if_match="*", actor="t")
    with pytest.raises(PreconditionFailed):
        store.delete("apis/none", if_match="AAAA", actor="t")
    assert store.delete("apis/none", if_match="*", actor="t") is False


# --- the whole-configuration check: refused writes store nothing ---------------------------------


def test_invalid_policy_is_refused_with_its_location_and_nothing_stored(store: Store) -> None:
    store.put("apis/orders", api_body(), actor="t")
    version = store.version()
    bad = CERT_POLICY.replace("== null ||", "== null || ||").replace("{{partner}}", "X")
    with pytest.raises(ValidationFailed) as info:
        store.put("apis/orders/policies/policy", policy_body(bad), actor="t")
    entry = info.value.details[0]
    assert entry["target"] == "apis/orders/policies/policy"
    assert entry["element"] == "when" and entry["line"] == 4 and entry["column"]
    unchanged(store, version, "apis/orders/policies/policy")


def test_unknown_policy_and_undefined_named_value_are_refused(store: Store) -> None:
    store.put("apis/orders", api_body(), actor="t")
    rate = "<policies><inbound><rate-limit calls='1' renewal-period='1'/></inbound></policies>"
    with pytest.raises(ValidationFailed, match="not supported yet: policy 'rate-limit'"):
        store.put("policies/policy", policy_body(rate), actor="t")
    with pytest.raises(ValidationFailed, match="Named value 'partner' is not defined"):
        store.put("apis/orders/policies/policy", policy_body(CERT_POLICY), actor="t")
    store.put(NV, nv_body(), actor="t")
    store.put("apis/orders/policies/policy", policy_body(CERT_POLICY), actor="t")


def test_wrong_pfx_password_stores_nothing(store: Store, certs: Certs) -> None:
    body = pfx_body(certs.gateway)
    body["properties"]["password"] = "wrong"
    with pytest.raises(ValidationFailed):
        store.put("certificates/gw", body, actor="t")
    unchanged(store, 0, "certificates/gw")


def test_hostname_certificate_must_exist_and_have_its_key(store: Store, certs: Certs) -> None:
    store.put("gateways/default", {"properties": {}}, actor="t")
    store.put("certificates/public", public_body(certs.gateway), actor="t")
    version = store.version()
    path = "gateways/default/hostnameConfigurations/localhost"
    with pytest.raises(ValidationFailed, match="has no private key") as info:
        store.put(path, hostname_body("public"), actor="t")
    assert info.value.details[0]["target"] == path
    with pytest.raises(ValidationFailed, match="does not exist"):
        store.put(path, hostname_body("none"), actor="t")
    unchanged(store, version, path)
    store.put("certificates/gw", pfx_body(certs.gateway), actor="t")
    store.put(path, hostname_body("gw"), actor="t")


def test_replacing_a_certificate_by_one_without_key_is_refused(store: Store, certs: Certs) -> None:
    serving(store, certs)
    before = store.get("certificates/gw")
    with pytest.raises(ValidationFailed, match="no private key"):
        store.put("certificates/gw", public_body(certs.gateway), actor="t")
    assert store.get("certificates/gw") == before


def test_backend_client_certificates_need_their_keys(store: Store, certs: Certs) -> None:
    store.put("certificates/public", public_body(certs.public_only), actor="t")
    body = {
        "properties": {
            "url": "https://b",
            "protocol": "http",
            "credentials": {"certificateIds": ["public"]},
        }
    }
    with pytest.raises(ValidationFailed, match="no private key"):
        store.put("backends/b", body, actor="t")
    store.put("certificates/gw", pfx_body(certs.gateway), actor="t")
    body["properties"]["credentials"]["certificateIds"] = ["gw"]
    store.put("backends/b", body, actor="t")
    with pytest.raises(Conflict):
        store.delete("certificates/gw", actor="t")


def test_a_stored_backend_reaches_the_snapshot_with_its_credentials(
    store: Store, certs: Certs
) -> None:
    store.put("certificates/gw", pfx_body(certs.gateway), actor="t")
    body = {
        "properties": {
            "url": "https://orders.test/v1/",
            "protocol": "http",
            "credentials": {"certificateIds": ["gw"]},
            "tls": {"validateCertificateChain": False},
        }
    }
    store.put("backends/Orders", body, actor="t")
    entity = store.snapshot().deployment.backends.entity("orders")
    assert entity.url == "https://orders.test/v1"
    assert entity.tls.client_thumbprint == certs.gateway.thumbprint
    assert entity.tls.validate_chain is False and entity.tls.validate_name is True


def test_duplicate_hostnames_and_named_value_names_are_refused(store: Store, certs: Certs) -> None:
    serving(store, certs)
    with pytest.raises(ValidationFailed, match="configured twice"):
        store.put("gateways/default/hostnameConfigurations/again", hostname_body(), actor="t")
    store.put(NV, nv_body(), actor="t")
    with pytest.raises(ValidationFailed, match="already used"):
        store.put("namedValues/other", nv_body(name="Partner"), actor="t")


def test_deleting_what_others_use_is_a_conflict(store: Store, certs: Certs) -> None:
    serving(store, certs)
    store.put(NV, nv_body(), actor="t")
    store.put("apis/orders", api_body(), actor="t")
    store.put("apis/orders/policies/policy", policy_body(CERT_POLICY), actor="t")
    version = store.version()
    with pytest.raises(Conflict) as info:
        store.delete("certificates/gw", actor="t")
    assert info.value.details[0]["target"] == "gateways/default/hostnameConfigurations/localhost"
    with pytest.raises(Conflict, match="Named value 'partner' is not defined"):
        store.delete(NV, actor="t")
    unchanged(store, version)
    assert store.get("certificates/gw") is not None and store.get(NV) is not None


def test_invalid_product_policy_is_refused(store: Store) -> None:
    store.put("products/p", {"properties": {"displayName": "P"}}, actor="t")
    with pytest.raises(ValidationFailed) as info:
        store.put("products/p/policies/policy", policy_body("<policies><inbound>"), actor="t")
    assert info.value.details[0]["target"] == "products/p/policies/policy"
    store.put(
        "products/p/policies/policy", policy_body("<policies><inbound/></policies>"), actor="t"
    )


def test_product_api_links_need_the_api_and_go_with_it(store: Store) -> None:
    store.put("products/p", {"properties": {"displayName": "P"}}, actor="t")
    with pytest.raises(ValidationFailed, match="does not exist"):
        store.put("products/p/apis/orders", {}, actor="t")
    store.put("apis/orders", api_body(), actor="t")
    store.put("products/p/apis/orders", {}, actor="t")
    store.delete("apis/orders", actor="t")
    assert store.get("products/p/apis/orders") is None


# --- cascades, versions, audit -------------------------------------------------------------------


def test_deleting_an_api_deletes_its_operations_and_policies(store: Store) -> None:
    store.put("apis/orders", api_body(), actor="t")
    store.put("apis/orders/operations/get", op_body(), actor="t")
    store.put("apis/orders/operations/get/policies/policy", policy_body("<policies/>"), actor="t")
    store.put("apis/orders/policies/policy", policy_body("<policies/>"), actor="t")
    store.put("apis/other", api_body("other"), actor="t")
    store.delete("apis/orders", actor="bob")
    assert store.list("apis")[1] == 1
    assert store.get("apis/orders/operations/get/policies/policy") is None
    entries, _ = store.audit_log(top=4)
    assert {(e.method, e.path) for e in entries} == {
        ("DELETE", "apis/orders"),
        ("DELETE", "apis/orders/operations/get"),
        ("DELETE", "apis/orders/operations/get/policies/policy"),
        ("DELETE", "apis/orders/policies/policy"),
    }
    assert all(e.actor == "bob" and e.etag_after is None and e.etag_before for e in entries)


def test_version_is_visible_to_another_store_on_the_same_database(
    store: Store, tmp_path: Path
) -> None:
    other = Store.open(
        store.data_dir, url=None if store.url.startswith("sqlite") else store.url, master_key=KEY
    )
    assert other.version() == 0
    store.put("apis/orders", api_body(), actor="t")
    assert other.version() == 1
    other.put("apis/more", api_body("more"), actor="t")
    assert store.version() == 2 and store.get("apis/more") is not None
    other.close()


def test_audit_records_changes_and_never_secrets(store: Store, certs: Certs) -> None:
    store.put("certificates/gw", pfx_body(certs.gateway, "pfx-pass-123"), actor="token:ci")
    store.put(NV, nv_body("very-secret-value", secret=True), actor="token:ci")
    store.secret_value(NV, actor="certificate:ops")
    store.audit(actor="token:x", method="PUT", path="apis/x", status=400, detail="refused")
    entries, total = store.audit_log()
    assert total == 4
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("PUT", "apis/x", 400),
        ("POST listValue", NV, 200),
        ("PUT", NV, 201),
        ("PUT", "certificates/gw", 201),
    ]
    assert entries[-1].actor == "token:ci" and entries[-1].etag_after and entries[-1].at.tzinfo
    assert store.audit_log(path=NV)[1] == 2
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit)).all()
    engine.dispose()
    dumped = repr(rows)
    assert "very-secret-value" not in dumped and "pfx-pass-123" not in dumped


def test_concurrent_writers_are_serialized(store: Store) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(10):
                store.put(
                    f"namedValues/w{worker}-{i}", nv_body(str(i), name=f"w{worker}-{i}"), actor="t"
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.version() == 40 and store.list("namedValues")[1] == 40


# --- the configuration it serves -----------------------------------------------------------------


def test_to_config_builds_the_snapshot_with_decrypted_keys(store: Store, certs: Certs) -> None:
    serving(store, certs)
    store.put("certificates/partner", public_body(certs.public_only), actor="t")
    store.put(
        "caCertificates/root",
        {
            "properties": {
                "encodedCertificate": base64.b64encode(certs.demo.root.der).decode(),
                "storeName": "Root",
            }
        },
        actor="t",
    )
    store.put(
        "gateways/default/certificateAuthorities/partner",
        {"properties": {"isTrusted": False}},
        actor="t",
    )
    store.put(NV, nv_body(certs.public_only.thumbprint, secret=True), actor="t")
    store.put("apis/orders", api_body(displayName="Orders"), actor="t")
    store.put("apis/orders/operations/get", op_body(), actor="t")
    store.put("apis/orders/operations/get/policies/policy", policy_body(CERT_POLICY), actor="t")
    config = store.to_config()
    assert [h.host_name for h in config.hostnames] == ["localhost"]
    assert [c.store_name for c in config.ca_certificates] == ["Root", "CertificateAuthority"]
    assert config.apis["orders"].operations["get"].policy == CERT_POLICY
    snapshot = build_snapshot(config, store.data_dir)
    assert snapshot.hostnames["localhost"].key_pem.startswith(b"-----BEGIN PRIVATE KEY")
    assert certs.public_only.thumbprint in snapshot.deployment.Certificates.Keys
    assert store.snapshot().router is not None


def test_apply_is_one_change_checked_as_a_whole(store: Store, certs: Certs) -> None:
    items: list[tuple[str, dict[str, Any]]] = [
        ("apis/a", api_body("a")),
        ("apis/a/policies/policy", policy_body(CERT_POLICY)),  # needs the named value below
        (NV, nv_body()),
    ]
    store.apply(items, actor="t")
    assert store.version() == 1
    bad = [("apis/b", api_body("b")), ("apis/b/policies/policy", policy_body("<policies>"))]
    with pytest.raises(ValidationFailed):
        store.apply(bad, actor="t")
    unchanged(store, 1, "apis/b")
    store.apply(items, actor="t")  # the same again: nothing changes
    assert store.version() == 1


def test_apply_with_prune_removes_only_its_own_leftovers(store: Store) -> None:
    store.apply(
        [("apis/a", api_body("a")), ("apis/b", api_body("b"))],
        actor="config",
        source="config",
        prune=True,
    )
    store.put("apis/mine", api_body("mine"), actor="admin")
    store.put("apis/b/operations/added", op_body(), actor="admin")
    store.apply([("apis/a", api_body("a"))], actor="config", source="config", prune=True)
    assert sorted(r.name for r in store.list("apis")[0]) == ["a", "mine"]


# --- at rest -------------------------------------------------------------------------------------


def test_database_holds_no_plaintext_key_or_secret(
    store: Store, certs: Certs, tmp_path: Path
) -> None:
    if not store.url.startswith("sqlite"):
        pytest.skip("inspects the SQLite file")
    serving(store, certs)
    store.put(NV, nv_body("secret-named-value-0123456789", secret=True), actor="t")
    key_pem = certs.gateway.key_pem()
    key_der = certs.gateway.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    body = b"".join(key_pem.splitlines()[1:-1])
    store.close()
    blob = b"".join(p.read_bytes() for p in store.data_dir.glob("certgate.db*"))
    # The search finds what is there: the public certificate, in the clear (PEM).
    assert certs.gateway.cert_pem().splitlines()[1] in blob
    for needle in (key_der, body, key_pem.splitlines()[1], b"secret-named-value-0123456789"):
        assert needle not in blob


# --- migrations ----------------------------------------------------------------------------------


def test_migrations_head_matches_and_schema_matches_the_tables(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    location = Path(certgate.store.migrations.__file__).parent
    config.set_main_option("script_location", str(location))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_reopening_does_not_migrate_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise AssertionError("migrated twice")

    monkeypatch.setattr("certgate.store.repository._run_migrations", boom)
    again = Store.open(
        store.data_dir, url=None if store.url.startswith("sqlite") else store.url, master_key=KEY
    )
    again.close()
