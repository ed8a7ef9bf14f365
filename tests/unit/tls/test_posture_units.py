"""The TLS policy both backends build their server contexts with: versions, suites, options.

The behaviour on the wire is proven in tests/integration/tls/test_posture.py and by the testssl
audit; these pin the settings themselves, per backend, without a socket.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import weakref
from typing import Any

import pytest
import trustme
from OpenSSL import SSL

from certgate.io.tls import _libssl, pyopenssl, selfcheck, stdlib
from certgate.io.tls._common import TLS12_CIPHERS
from certgate.io.tls.base import TlsHostname


def _host() -> TlsHostname:
    leaf = trustme.CA().issue_cert("a.test")
    chain = b"".join(b.bytes() for b in leaf.cert_chain_pems)
    return TlsHostname("a.test", chain, leaf.private_key_pem.bytes(), True)


def _strong_tls12(cipher: dict[str, Any]) -> bool:
    """ECDHE key exchange and an AEAD cipher (stdlib `get_ciphers()` description)."""
    return cipher["kea"] == "kx-ecdhe" and cipher["aead"] and cipher["auth"] != "auth-null"


def test_the_tls12_list_is_ecdhe_with_aead_only() -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(TLS12_CIPHERS)
    tls12 = [c for c in ctx.get_ciphers() if c["protocol"] == "TLSv1.2"]
    assert [c["name"] for c in tls12] == TLS12_CIPHERS.split(":")
    assert all(_strong_tls12(c) for c in tls12)


def test_the_strength_check_rejects_openssls_default_list() -> None:
    """Twin: the predicate above is not vacuous; OpenSSL's DEFAULT set fails it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT")
    weak = {c["name"] for c in ctx.get_ciphers() if not _strong_tls12(c)}
    assert {"AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA"} <= weak


def test_stdlib_context_settings() -> None:
    ctx = stdlib._server_context(_host()).ssl
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_3
    for option in (
        ssl.OP_NO_COMPRESSION,
        ssl.OP_NO_RENEGOTIATION,
        ssl.OP_CIPHER_SERVER_PREFERENCE,
    ):
        assert ctx.options & option, option
    assert not ctx.options & ssl.OP_NO_TICKET  # stateless tickets carry the client chain
    names = [c["name"] for c in ctx.get_ciphers() if c["protocol"] == "TLSv1.2"]
    assert names == TLS12_CIPHERS.split(":")


def test_pyopenssl_context_settings() -> None:
    ctx = pyopenssl._server_context(_host())
    options = ctx.set_options(0)  # adds nothing, returns the options in force
    for option in (
        SSL.OP_NO_COMPRESSION,
        SSL.OP_NO_RENEGOTIATION,
        SSL.OP_CIPHER_SERVER_PREFERENCE,
        SSL.OP_NO_TICKET,  # stateful resumption: the session cache keeps the chain
    ):
        assert options & option, option
    # TLS 1.3: OpenSSL's default suites, all AEAD. (pyOpenSSL cannot read the version bounds
    # back; the wire tests prove them.)
    assert SSL.Connection(ctx, None).get_cipher_list()[:3] == [
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256",
    ]
    names = SSL.Connection(ctx, None).get_cipher_list()
    assert [n for n in names if not n.startswith("TLS_")] == TLS12_CIPHERS.split(":")


@pytest.mark.parametrize("backend", ["stdlib", "pyopenssl"])
def test_a_weak_tls12_list_would_be_noticed(backend: str) -> None:
    """Twin of the two above: a context given a wider list does not pass their comparison."""
    if backend == "stdlib":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("ECDHE+AESGCM:ECDHE+AES:!aNULL")
        names = [c["name"] for c in ctx.get_ciphers() if not c["name"].startswith("TLS_")]
    else:
        pctx = SSL.Context(SSL.TLS_SERVER_METHOD)
        pctx.set_cipher_list(b"ECDHE+AESGCM:ECDHE+AES:!aNULL")
        names = [n for n in SSL.Connection(pctx, None).get_cipher_list() if "TLS_" not in n]
    assert names != TLS12_CIPHERS.split(":")
    assert "ECDHE-ECDSA-AES128-SHA" in names


# --- session ticket keys (stdlib backend) ------------------------------------------------------


def _client() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def test_rotated_ticket_keys_end_resumption_of_older_tickets() -> None:
    table = stdlib.build_table([_host()])
    listening = table.default.context.ssl
    new_server = lambda: stdlib._MemoryServer(listening)  # noqa: E731
    client = _client()
    _, old = selfcheck._handshake(client, new_server, "a.test")
    resumed, _ = selfcheck._handshake(client, new_server, "a.test", old)
    assert resumed.resumed  # before the rotation the ticket works
    keys = _libssl.ticket_keys(table.default.context.ptr)
    loop = asyncio.new_event_loop()
    try:
        assert stdlib.rotate_ticket_keys(loop, weakref.ref(table)) is not None
    finally:
        loop.close()
    assert _libssl.ticket_keys(table.default.context.ptr) != keys
    refused, fresh = selfcheck._handshake(client, new_server, "a.test", old)
    assert not refused.resumed  # the old ticket no longer decrypts: full handshake
    again, _ = selfcheck._handshake(client, new_server, "a.test", fresh)
    assert again.resumed  # tickets under the new keys do


def test_rotation_reschedules_itself_and_ends_with_the_listener() -> None:
    table = stdlib.build_table([_host()])
    ref = weakref.ref(table)
    loop = asyncio.new_event_loop()
    try:
        handle = stdlib.rotate_ticket_keys(loop, ref)
        assert handle is not None
        assert handle.when() - loop.time() == pytest.approx(stdlib.TICKET_KEY_ROTATION, abs=60)
        handle.cancel()
        del table
        gc.collect()
        assert stdlib.rotate_ticket_keys(loop, ref) is None
    finally:
        loop.close()
