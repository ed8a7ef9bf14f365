"""SNI table, identity loading, ticket chain encoding, backend selection and the self-checks."""

from __future__ import annotations

import ctypes

import pytest
import trustme

from certgate.errors import TLSSetupError
from certgate.io.tls import DEFAULT_BACKEND, _libssl, get_backend, pyopenssl
from certgate.io.tls._common import Binding, HostTable, load_identity, normalize_name
from certgate.io.tls.base import TlsHostname
from certgate.io.tls.pyopenssl import PyOpenSSLBackend
from certgate.io.tls.stdlib import StdlibBackend


def _host(name: str, default: bool = False) -> TlsHostname:
    return TlsHostname(name, b"", b"", False, default)


def _table(*hosts: TlsHostname) -> HostTable[None]:
    return HostTable([Binding(h, None) for h in hosts])


# --- SNI selection -----------------------------------------------------------------------------


def test_exact_names_match_case_insensitively() -> None:
    table = _table(_host("a.test"), _host("B.Test"))
    assert table.select("b.TEST").hostname.name == "B.Test"
    assert table.select("a.test.").hostname.name == "a.test"


def test_default_flag_wins_over_position_for_unknown_and_missing_sni() -> None:
    table = _table(_host("a.test"), _host("b.test", default=True))
    assert table.select(None).hostname.name == "b.test"
    assert table.select("zzz.test").hostname.name == "b.test"
    assert table.select("a.test").hostname.name == "a.test"


def test_without_a_default_flag_the_first_hostname_is_the_default() -> None:
    table = _table(_host("a.test"), _host("b.test"))
    assert table.select(None).hostname.name == "a.test"
    assert table.select("").hostname.name == "a.test"


def test_wildcard_matches_one_label_and_exact_names_win() -> None:
    table = _table(_host("plain.test"), _host("*.w.test"), _host("exact.w.test"))
    assert table.select("x.w.test").hostname.name == "*.w.test"
    assert table.select("EXACT.w.test").hostname.name == "exact.w.test"
    assert table.select("w.test").hostname.name == "plain.test"
    assert table.select("x.y.w.test").hostname.name == "plain.test"


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        ((), "no TLS hostnames"),
        ((_host("a.test"), _host("A.TEST")), "configured twice"),
        ((_host("a.test", True), _host("b.test", True)), "more than one"),
        ((_host("a.*.test"),), "wildcard"),
        ((_host("*"),), "wildcard"),
    ],
)
def test_invalid_hostname_sets_are_refused(hosts: tuple[TlsHostname, ...], message: str) -> None:
    with pytest.raises(TLSSetupError, match=message):
        _table(*hosts)


def test_names_are_normalized_to_lower_case_a_labels() -> None:
    assert normalize_name("Bücher.Example.") == "xn--bcher-kva.example"
    assert normalize_name(" API.Example.com ") == "api.example.com"


# --- certificates and keys ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def leaf() -> trustme.LeafCert:
    return trustme.CA().issue_cert("a.test")


def test_matching_chain_and_key_load(leaf: trustme.LeafCert) -> None:
    chain = b"".join(b.bytes() for b in leaf.cert_chain_pems)
    certs, _ = load_identity(TlsHostname("a.test", chain, leaf.private_key_pem.bytes(), False))
    assert len(certs) == 1


@pytest.mark.parametrize("defect", ["no-pem", "bad-key", "wrong-key"])
def test_unusable_certificate_or_key_names_the_hostname(
    leaf: trustme.LeafCert, defect: str
) -> None:
    chain, key = leaf.cert_chain_pems[0].bytes(), leaf.private_key_pem.bytes()
    if defect == "no-pem":
        chain = b"not a certificate"
    elif defect == "bad-key":
        key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    else:
        key = trustme.CA().issue_cert("b.test").private_key_pem.bytes()
    with pytest.raises(TLSSetupError, match=r"hostname 'api\.test'"):
        load_identity(TlsHostname("api.test", chain, key, False))


@pytest.mark.parametrize("name", ["stdlib", "pyopenssl"])
def test_backends_refuse_an_unusable_key_at_start(leaf: trustme.LeafCert, name: str) -> None:
    other_key = trustme.CA().issue_cert("b.test").private_key_pem.bytes()
    host = TlsHostname("api.test", leaf.cert_chain_pems[0].bytes(), other_key, True)
    build = {"stdlib": "certgate.io.tls.stdlib", "pyopenssl": "certgate.io.tls.pyopenssl"}[name]
    module = __import__(build, fromlist=["_server_context"])
    with pytest.raises(TLSSetupError, match=r"hostname 'api\.test'"):
        module._server_context(host)


# --- ticket chain data -------------------------------------------------------------------------


def test_ticket_tail_round_trips() -> None:
    for tail in [(), (b"\x30\x01",), (b"a" * 2000, b"b" * 7000)]:
        data = _libssl.encode_tail(tail)
        assert data is not None
        assert _libssl.decode_tail(data) == tail


def test_foreign_truncated_or_oversized_ticket_data_is_not_used() -> None:
    good = _libssl.encode_tail((b"cert",))
    assert good is not None
    assert _libssl.decode_tail(None) is None
    assert _libssl.decode_tail(b"something else") is None
    assert _libssl.decode_tail(good[:-1]) is None
    assert _libssl.encode_tail((b"x" * 40000,)) is None  # would bloat every ticket


# --- backend selection and self-checks ---------------------------------------------------------


def test_get_backend_by_name_and_default() -> None:
    assert get_backend("stdlib").name == "stdlib"
    assert get_backend("pyopenssl").name == "pyopenssl"
    assert get_backend("default") is get_backend(DEFAULT_BACKEND)
    with pytest.raises(TLSSetupError, match="unknown TLS backend 'nope'"):
        get_backend("nope")


@pytest.mark.parametrize("backend", [StdlibBackend(), PyOpenSSLBackend()], ids=lambda b: b.name)
def test_self_check_passes(backend: StdlibBackend | PyOpenSSLBackend) -> None:
    backend.self_check()


def test_stdlib_self_check_fails_cleanly_when_the_layout_probe_is_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Point the SSL* probe at zeroed memory of our own: every check reads only from there.
    decoy = ctypes.create_string_buffer(1 << 16)
    monkeypatch.setattr(_libssl, "ssl_pointer", lambda _obj: ctypes.addressof(decoy))
    with pytest.raises(TLSSetupError) as caught:
        StdlibBackend().self_check()
    message = str(caught.value)
    assert message.startswith("TLS self-check failed (stdlib backend): ")
    assert "SSL pointer check failed" in message
    assert message.endswith("; use --tls-backend pyopenssl")


def test_stdlib_self_check_fails_cleanly_when_the_chain_is_not_captured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_libssl, "_sent_chain", lambda _store: ())
    with pytest.raises(TLSSetupError, match=r"stdlib backend\): client chain not captured"):
        StdlibBackend().self_check()


def test_pyopenssl_self_check_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyopenssl, "_ossl_lib", None)
    with pytest.raises(TLSSetupError) as caught:
        PyOpenSSLBackend().self_check()
    assert str(caught.value).startswith("TLS self-check failed (pyopenssl backend): ")
    assert str(caught.value).endswith("; use --tls-backend stdlib")
