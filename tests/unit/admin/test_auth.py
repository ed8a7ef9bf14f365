"""Admin authentication: tokens (constant-time, named), pinned client certificates, the
insecure-local mode, and the start-up refusals of `AdminAuth.from_config`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from pydantic import ValidationError

from certgate.admin.auth import AdminAuth, Principal, Refusal
from certgate.config import AdminConfig
from certgate.errors import ConfigError
from certgate.testing.pki import Issued, issue

TOKEN = "ci-token-0123456789abcdef"


@pytest.fixture(scope="module")
def admin_cert() -> Issued:
    return issue("Admin One", client=True)


@pytest.fixture(scope="module")
def other_cert() -> Issued:
    return issue("Admin One", client=True)  # same name, another key: another thumbprint


def scope(
    authorization: list[bytes] | None = None,
    der: bytes | None = None,
    client: str = "127.0.0.1",
) -> dict[str, Any]:
    headers = [(b"authorization", v) for v in authorization or []]
    extensions = {} if der is None else {"tls": {"client_cert_der": der}}
    return {"type": "http", "headers": headers, "extensions": extensions, "client": (client, 1)}


# --- tokens --------------------------------------------------------------------------------------------


def test_named_tokens_give_their_actor() -> None:
    auth = AdminAuth({"ci": TOKEN, "ops": "ops-token-0123456789abcdef"})
    assert auth.authenticate(scope([b"Bearer " + TOKEN.encode()])) == Principal("token:ci", "token")
    ops = auth.authenticate(scope([b"bearer ops-token-0123456789abcdef"]))
    assert ops == Principal("token:ops", "token")


@pytest.mark.parametrize(
    "values",
    [
        [b"Bearer wrong"],
        [b"Bearer " + TOKEN.encode() + b"x"],
        [b"Bearer " + TOKEN[:-1].encode()],
        [b"Basic " + TOKEN.encode()],
        [b"Bearer "],
        [b"Bearer " + TOKEN.encode(), b"Bearer " + TOKEN.encode()],
        [TOKEN.encode()],
    ],
)
def test_wrong_tokens_are_refused(values: list[bytes]) -> None:
    verdict = AdminAuth({"ci": TOKEN}).authenticate(scope(values))
    assert isinstance(verdict, Refusal)
    assert verdict.code == "InvalidAuthenticationToken"
    assert verdict.reason == "token"


def test_missing_credentials_are_refused() -> None:
    verdict = AdminAuth({"ci": TOKEN}).authenticate(scope())
    assert isinstance(verdict, Refusal)
    assert (verdict.code, verdict.reason) == ("AuthenticationFailed", "missing")


def test_tokens_are_kept_as_digests_only() -> None:
    auth = AdminAuth({"ci": TOKEN})
    assert TOKEN not in repr(vars(auth))


# --- client certificates -------------------------------------------------------------------------------


def test_pinned_certificate_by_sha1_or_sha256(admin_cert: Issued) -> None:
    sha256 = admin_cert.cert.fingerprint(hashes.SHA256()).hex()
    by_sha1 = AdminAuth(thumbprints={admin_cert.thumbprint: "certificate:ops"})
    by_sha256 = AdminAuth(thumbprints={sha256.lower(): "certificate:ops"})
    for auth in (by_sha1, by_sha256):
        verdict = auth.authenticate(scope(der=admin_cert.der))
        assert verdict == Principal("certificate:ops", "certificate")


def test_unknown_certificate_is_refused(admin_cert: Issued, other_cert: Issued) -> None:
    auth = AdminAuth(thumbprints={admin_cert.thumbprint: "certificate:ops"})
    verdict = auth.authenticate(scope(der=other_cert.der))
    assert isinstance(verdict, Refusal)
    assert verdict.code == "InvalidClientCertificate"


def test_no_certificate_and_no_token_is_refused(admin_cert: Issued) -> None:
    auth = AdminAuth(thumbprints={admin_cert.thumbprint: "certificate:ops"})
    assert isinstance(auth.authenticate(scope()), Refusal)


def test_expired_pinned_certificate_is_refused() -> None:
    now = dt.datetime.now(dt.UTC)
    old = issue(
        "Old Admin",
        client=True,
        not_before=now - dt.timedelta(days=10),
        not_after=now - dt.timedelta(days=1),
    )
    verdict = AdminAuth(thumbprints={old.thumbprint: "certificate:old"}).authenticate(
        scope(der=old.der)
    )
    assert isinstance(verdict, Refusal)
    assert verdict.reason == "certificate_expired"


def test_a_wrong_token_is_refused_even_with_an_admin_certificate(admin_cert: Issued) -> None:
    auth = AdminAuth({"ci": TOKEN}, {admin_cert.thumbprint: "certificate:ops"})
    verdict = auth.authenticate(scope([b"Bearer nope"], der=admin_cert.der))
    assert isinstance(verdict, Refusal)
    good = auth.authenticate(scope([b"Bearer " + TOKEN.encode()], der=admin_cert.der))
    assert good == Principal("token:ci", "token")


def test_certificate_when_only_tokens_are_configured_is_refused(admin_cert: Issued) -> None:
    verdict = AdminAuth({"ci": TOKEN}).authenticate(scope(der=admin_cert.der))
    assert isinstance(verdict, Refusal)


# --- insecure local ------------------------------------------------------------------------------------


def test_insecure_local_lets_loopback_clients_in_only() -> None:
    auth = AdminAuth(insecure_local=True)
    assert auth.authenticate(scope(client="127.0.0.1")) == Principal(
        "local:insecure", "insecure-local"
    )
    assert auth.authenticate(scope(client="::1")) == Principal("local:insecure", "insecure-local")
    assert isinstance(auth.authenticate(scope(client="10.0.0.5")), Refusal)


def test_insecure_local_is_off_once_credentials_exist() -> None:
    auth = AdminAuth({"ci": TOKEN}, insecure_local=True)
    assert isinstance(auth.authenticate(scope()), Refusal)


# --- from_config ---------------------------------------------------------------------------------------


def admin(**fields: Any) -> AdminConfig:
    return AdminConfig.model_validate(fields)


def test_from_config_reads_named_tokens_from_the_environment() -> None:
    config = admin(tokenEnv="ADMIN_T", tokens={"ci": {"env": "CI_T"}})
    auth = AdminAuth.from_config(config, {"ADMIN_T": TOKEN, "CI_T": "c" * 20})
    assert sorted(auth.token_names) == ["ci", "default"]
    assert auth.authenticate(scope([b"Bearer " + b"c" * 20])) == Principal("token:ci", "token")


@pytest.mark.parametrize(
    ("environ", "message"),
    [({}, "not set"), ({"ADMIN_T": ""}, "not set"), ({"ADMIN_T": "short"}, "at least 16")],
)
def test_from_config_refuses_missing_or_weak_tokens(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AdminAuth.from_config(admin(tokenEnv="ADMIN_T"), environ)


def test_from_config_refuses_to_start_without_credentials() -> None:
    with pytest.raises(ConfigError, match="needs credentials"):
        AdminAuth.from_config(admin(), {})


def test_insecure_local_only_on_loopback_starts_without_credentials() -> None:
    auth = AdminAuth.from_config(admin(insecureLocalOnly=True), {})
    assert auth.insecure_local


def test_thumbprint_list_and_named_mapping(admin_cert: Issued) -> None:
    listed = admin(certificateId="tls", clientCertificateThumbprints=[admin_cert.thumbprint])
    named = admin(certificateId="tls", clientCertificateThumbprints={"ops": admin_cert.thumbprint})
    for config, actor in (
        (listed, f"certificate:{admin_cert.thumbprint}"),
        (named, "certificate:ops"),
    ):
        auth = AdminAuth.from_config(config, {})
        assert auth.wants_client_certificates
        assert auth.authenticate(scope(der=admin_cert.der)) == Principal(actor, "certificate")


# --- the config model ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"listen": "0.0.0.0:9080"}, "only over TLS"),
        ({"listen": "10.1.2.3:9080", "insecureLocalOnly": True}, "only over TLS"),
        ({"clientCertificateThumbprints": ["A" * 40]}, "need TLS"),
        ({"certificateId": "t", "clientCertificateThumbprints": ["XYZ"]}, "thumbprint"),
        ({"tokenEnv": "not a name"}, "environment variable"),
        ({"tokens": {"ci": {"env": "1BAD"}}}, "environment variable"),
        ({"tokens": {"a/b": {"env": "X"}}}, "token name"),
        ({"tokenEnv": "X", "tokens": {"default": {"env": "Y"}}}, "default"),
        ({"listen": "nowhere"}, "HOST:PORT"),
        ({"maxRequestBodyBytes": 0}, "greater than 0"),
        ({"tokenEnv": "X", "unknown": 1}, "Extra inputs"),
    ],
)
def test_admin_config_rejects_unsafe_or_wrong_settings(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        AdminConfig.model_validate(fields)


def test_admin_config_defaults() -> None:
    config = AdminConfig()
    assert config.listen == "127.0.0.1:9080"
    assert config.loopback
    assert config.max_request_body_bytes == 4 * 1024 * 1024
    assert admin(listen="[::1]:0").loopback
    assert admin(listen="localhost:1").loopback
    remote = admin(listen="0.0.0.0:9443", certificateId="tls", tokenEnv="T")
    assert not remote.loopback
