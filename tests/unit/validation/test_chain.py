"""Chain building relaxed to .NET's basic policy, the EKU deviation, and the verdict cache."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509

from certgate.core.validation.chain import ChainCache, TrustStore
from certgate.core.validation.revocation import NO_FETCHED_DATA
from certgate.core.validation.validator import (
    TimeStatus,
    ValidationSettings,
    Validator,
    WhenUnknown,
)
from certgate.testing.pki import Issued
from tests.validation_certs import CLIENT_AUTH, DAY, SERVER_AUTH_ONLY, der, make, now

ROOT = make("Test Root CA", ca=True)
INT = make("Test Intermediate CA", ROOT, ca=True)


def validator(
    *entries: tuple[str, Issued], skew: float = 0, cache: ChainCache | None = None
) -> Validator:
    store = TrustStore.build((name, issued.cert) for name, issued in entries)
    settings = ValidationSettings(clock_skew=dt.timedelta(seconds=skew))
    return Validator(store, settings=settings, cache=cache or ChainCache())


def trusted(
    v: Validator, leaf: Issued, *sent: Issued | x509.Certificate, at: dt.datetime | None = None
) -> bool:
    verdict = v.chain(leaf.cert, der(leaf), [der(s) for s in sent], at or now())
    return verdict.trusted


UPLOADED_ROOT = ("Root", ROOT)
UPLOADED_INT = ("CertificateAuthority", INT)


def test_intermediate_sent_by_the_client() -> None:
    leaf = make("Client 01", INT, dns=("c.test",))
    assert trusted(validator(UPLOADED_ROOT), leaf, INT)


def test_intermediate_uploaded_as_certificate_authority() -> None:
    leaf = make("Client 01", INT)
    assert trusted(validator(UPLOADED_ROOT, UPLOADED_INT), leaf)


def test_intermediate_missing() -> None:
    leaf = make("Client 01", INT)
    v = validator(UPLOADED_ROOT)
    verdict = v.chain(leaf.cert, der(leaf), [], now())
    assert not verdict.trusted and verdict.error


def test_intermediate_alone_is_not_an_anchor_in_the_ca_store() -> None:
    leaf = make("Client 01", INT)
    assert not trusted(validator(UPLOADED_INT), leaf)


def test_intermediate_uploaded_as_root_is_an_anchor() -> None:
    leaf = make("Client 01", INT)
    assert trusted(validator(("Root", INT)), leaf)


def test_unknown_ca() -> None:
    other_root = make("Other Root", ca=True)
    leaf = make("Stranger", other_root)
    assert not trusted(validator(UPLOADED_ROOT), leaf, other_root)


def test_no_root_uploaded_trusts_nothing() -> None:
    leaf = make("Client 01", INT)
    verdict = validator().chain(leaf.cert, der(leaf), [der(INT)], now())
    assert not verdict.trusted and verdict.error == "no Root certificate uploaded"


def test_self_signed_uploaded_as_root() -> None:
    self_signed = make("Self")
    assert trusted(validator(("Root", self_signed)), self_signed)
    assert not trusted(validator(UPLOADED_ROOT), self_signed)


def test_self_signed_ca_true_client_uploaded_as_root() -> None:
    # `openssl req -x509` writes CA:TRUE by default; .NET accepts such a client certificate.
    self_signed = make("Self CA", ca=True)
    assert trusted(validator(("Root", self_signed)), self_signed)


def test_cn_without_san() -> None:
    assert trusted(validator(UPLOADED_ROOT), make("Only CN", INT), INT)


def test_leaf_without_aki() -> None:
    assert trusted(validator(UPLOADED_ROOT), make("No AKI", INT, aki=False), INT)


def test_ca_without_key_usage() -> None:
    bare = make("Bare CA", ROOT, ca=True, key_usage=False)
    assert trusted(validator(UPLOADED_ROOT), make("Client", bare), bare)


def test_server_auth_only_eku_is_refused_deliberately() -> None:
    v = validator(UPLOADED_ROOT)
    assert not trusted(v, make("Server only", INT, eku=SERVER_AUTH_ONLY), INT)
    assert trusted(v, make("Client auth", INT, eku=CLIENT_AUTH), INT)


def test_expired_intermediate_breaks_the_chain() -> None:
    old = make("Old CA", ROOT, ca=True, not_before=now() - 30 * DAY, not_after=now() - DAY)
    leaf = make("Client", old, not_before=now() - 20 * DAY)
    assert not trusted(validator(UPLOADED_ROOT), leaf, old)


def test_expired_leaf_chain_is_judged_inside_its_validity() -> None:
    # Time checks belong to validate-not-before/-after; the chain itself is still trusted.
    leaf = make("Expired", INT, not_before=now() - 30 * DAY, not_after=now() - DAY)
    v = validator(UPLOADED_ROOT)
    assert trusted(v, leaf, INT)
    assert v.time_status(leaf.cert, now()) is TimeStatus.EXPIRED
    assert not v.verify(
        leaf.cert,
        der(leaf),
        [der(INT)],
        now(),
        revocation=False,
        lookup=NO_FETCHED_DATA,
        api_id="a",
    )


def test_clock_skew_window() -> None:
    soon = make("Soon", INT, not_before=now() + dt.timedelta(seconds=30))
    assert validator(UPLOADED_ROOT).time_status(soon.cert, now()) is TimeStatus.NOT_YET_VALID
    tolerant = validator(UPLOADED_ROOT, skew=60)
    assert tolerant.time_status(soon.cert, now()) is TimeStatus.VALID
    just_expired = make("Late", INT, not_after=now() - dt.timedelta(seconds=30))
    assert tolerant.time_status(just_expired.cert, now()) is TimeStatus.VALID
    assert validator(skew=10).time_status(just_expired.cert, now()) is TimeStatus.EXPIRED


def test_verify_and_verify_no_revocation_without_revocation_data() -> None:
    leaf = make("Client 01", INT)
    args = (leaf.cert, der(leaf), [der(INT)], now())
    v = validator(UPLOADED_ROOT)
    assert v.verify(*args, revocation=False, lookup=NO_FETCHED_DATA, api_id="a")
    assert not v.verify(*args, revocation=True, lookup=NO_FETCHED_DATA, api_id="a")
    store = TrustStore.build([("Root", ROOT.cert)])
    lenient = Validator(
        store,
        settings=ValidationSettings(
            when_unknown=WhenUnknown.FAIL, api_when_unknown={"lenient": WhenUnknown.ALLOW}
        ),
        cache=ChainCache(),
    )
    assert lenient.verify(*args, revocation=True, lookup=NO_FETCHED_DATA, api_id="lenient")
    assert not lenient.verify(*args, revocation=True, lookup=NO_FETCHED_DATA, api_id="other")


# --- the verdict cache --------------------------------------------------------------------------


def test_repeat_validation_builds_no_chain() -> None:
    cache = ChainCache()
    v = validator(UPLOADED_ROOT, cache=cache)
    leaf = make("Client 01", INT)
    assert trusted(v, leaf, INT)
    assert (cache.builds, cache.hits) == (1, 0)
    for _ in range(5):
        assert trusted(v, leaf, INT)
    assert (cache.builds, cache.hits) == (1, 5)
    assert trusted(v, leaf, INT, at=now() + dt.timedelta(hours=1))  # still inside the CAs' validity
    assert cache.builds == 1


def test_a_different_sent_chain_or_store_builds_again() -> None:
    cache = ChainCache()
    leaf = make("Client 01", INT)
    v = validator(UPLOADED_ROOT, cache=cache)
    trusted(v, leaf, INT)
    assert not trusted(v, leaf)  # no intermediate this time: another key
    assert cache.builds == 2
    v2 = validator(UPLOADED_ROOT, UPLOADED_INT, cache=cache)  # another store version
    assert trusted(v2, leaf)
    assert cache.builds == 3
    same = validator(UPLOADED_ROOT, cache=cache)  # a reload with the same CAs: same version
    assert same.store.version == v.store.version
    trusted(same, leaf, INT)
    assert cache.builds == 3


def test_untrusted_verdicts_expire() -> None:
    cache = ChainCache()
    v = validator(UPLOADED_ROOT, cache=cache)
    stranger = make("Stranger")
    assert not trusted(v, stranger)
    assert not trusted(v, stranger, at=now() + dt.timedelta(seconds=10))
    assert cache.builds == 1
    assert not trusted(v, stranger, at=now() + dt.timedelta(minutes=5))
    assert cache.builds == 2


def test_cache_is_bounded() -> None:
    cache = ChainCache(size=3)
    v = validator(UPLOADED_ROOT, cache=cache)
    leaves = [make(f"c{i}", INT) for i in range(5)]
    for leaf in leaves:
        trusted(v, leaf, INT)
    trusted(v, leaves[0], INT)
    assert cache.builds == 6


def test_issuer_is_found_without_trust() -> None:
    v = validator()  # nothing uploaded
    leaf = make("Client", INT)
    verdict = v.chain(leaf.cert, der(leaf), [der(INT)], now())
    assert not verdict.trusted and verdict.issuer == INT.cert
    self_signed = make("Self")
    verdict = v.chain(self_signed.cert, der(self_signed), [], now())
    assert verdict.self_signed and verdict.issuer == self_signed.cert


@pytest.mark.parametrize("garbage", [b"", b"not a certificate"])
def test_garbage_in_the_sent_chain_is_ignored(garbage: bytes) -> None:
    leaf = make("Client", INT)
    v = validator(UPLOADED_ROOT)
    assert v.chain(leaf.cert, der(leaf), [garbage, der(INT)], now()).trusted


def test_issued_by_entity_is_memoized() -> None:
    cache = ChainCache()
    store = TrustStore.build(())
    v = Validator(store, certificates={"int": der(INT), "root": der(ROOT)}, cache=cache)
    leaf = make("Client", INT)
    assert v.issued_by_entity(leaf.cert, der(leaf), "int")
    assert not v.issued_by_entity(leaf.cert, der(leaf), "root")
    assert not v.issued_by_entity(leaf.cert, der(leaf), "missing")
