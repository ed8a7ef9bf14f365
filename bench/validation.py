"""Cost of client-certificate validation, first request vs repeat (median µs per validation).

Run: .venv/bin/python bench/validation.py [--rounds N]

Measured on the real code paths, without sockets:

* `chain first`: `Validator.chain` for a certificate never seen (a chain build: cryptography's
  ClientVerifier over leaf → intermediate (sent) → root, ECDSA P-256);
* `chain repeat`: the same certificate again (verdict cache hit: no chain build);
* `policy first` / `policy repeat`: the whole `validate-client-certificate` node (time checks,
  trust, revocation from an uploaded CRL, one identity with thumbprint and issuer-subject), run
  through the engine on a real `RequestContext`, as a request would;
* `Verify() repeat`: `context.Request.Certificate.Verify()` on a bound view, revocation from an
  uploaded CRL.

The build counter (`ChainCache.builds`) is printed to show a repeat builds nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from certgate.core.certs import X509Certificate2
from certgate.core.context import (
    ApiInfo,
    DeploymentInfo,
    OperationInfo,
    RequestContext,
    RequestInfo,
)
from certgate.core.expr import ReadOnlyDictionary
from certgate.core.policy.document import EffectivePolicy, load_document
from certgate.core.policy.engine import execute
from certgate.core.url import UrlInfo
from certgate.core.validation.binding import CertificateCheck, bind
from certgate.core.validation.chain import ChainCache, TrustStore
from certgate.core.validation.revocation import CrlIndex
from certgate.core.validation.validator import Validator
from certgate.testing.pki import Issued, issue


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def crl_of(ca: Issued) -> CrlIndex:
    now = dt.datetime.now(dt.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=1))
        .sign(ca.key, hashes.SHA256())
    )
    return CrlIndex.parse(crl.public_bytes(serialization.Encoding.DER), "bench")


def median_us(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def context(view: X509Certificate2, check: CertificateCheck) -> RequestContext:
    bound = bind(view, check)
    url = UrlInfo.parse("http://backend/x")
    request = RequestInfo("GET", url, url, [], "127.0.0.1", lambda: bound, ReadOnlyDictionary({}))
    return RequestContext(
        request,
        DeploymentInfo({}, "bench", "local"),
        ApiInfo("echo", "echo", "http://backend"),
        OperationInfo("op", "GET", "/", "op"),
        "rid",
        check.now,
    )


def run_policy(policy: EffectivePolicy, ctx: RequestContext) -> None:
    steps = execute(policy, ctx)
    try:
        steps.send(None)  # type: ignore[arg-type]
    except StopIteration as stop:
        assert stop.value.status == 200, ctx.LastError and ctx.LastError.Reason
        return
    raise AssertionError("forwarded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds

    root = issue("Bench Root CA", ca=True)
    inter = issue("Bench Intermediate CA", root, ca=True)
    leaves = [issue(f"Client {i}", inter, client=True) for i in range(rounds + 1)]
    cache = ChainCache(size=rounds * 4)
    store = TrustStore.build([("Root", root.cert)])
    validator = Validator(store, crls=[crl_of(inter), crl_of(root)], cache=cache)
    sent = [der(inter.cert)]
    now = dt.datetime.now(dt.UTC)

    fresh = iter(leaves[1:])

    def chain_first() -> object:
        leaf = next(fresh)
        return validator.chain(leaf.cert, der(leaf.cert), sent, now)

    first = median_us(chain_first, rounds)
    builds_before = cache.builds
    leaf = leaves[0]
    leaf_der = der(leaf.cert)
    validator.chain(leaf.cert, leaf_der, sent, now)
    repeat = median_us(lambda: validator.chain(leaf.cert, leaf_der, sent, now), rounds)
    repeat_builds = cache.builds - builds_before - 1

    policy_text = (
        "<policies><inbound><validate-client-certificate><identities>"
        f'<identity thumbprint="{leaf.thumbprint.lower()}" '
        f'issuer-subject="CN={inter.cert.subject.rfc4514_string()[3:]}" />'
        "</identities></validate-client-certificate><return-response/></inbound></policies>"
    )
    policy = EffectivePolicy.compose(
        [load_document(policy_text, source="bench.xml", scope="operation")]
    )
    check = CertificateCheck(validator, tuple(sent), now, "echo")
    view = X509Certificate2(leaf_der)

    # One fresh RequestContext per run, built outside the timed part (the gateway builds one
    # per request whatever the policies do).
    contexts = iter([context(view, check) for _ in range(2 * rounds + 1)])

    def policy_run() -> None:
        run_policy(policy, next(contexts))

    def policy_run_cold() -> None:
        cache.clear()
        policy_run()

    policy_first = median_us(policy_run_cold, rounds)
    policy_run()
    builds_before = cache.builds
    policy_repeat = median_us(policy_run, rounds)
    policy_builds = cache.builds - builds_before

    bound = bind(view, check)
    assert bound.Verify()
    verify_repeat = median_us(bound.Verify, rounds)

    print(f"rounds per figure: {rounds} (median)")
    print(f"chain first          {first:8.1f} µs   (one chain build each)")
    print(f"chain repeat         {repeat:8.1f} µs   (chain builds during repeats: {repeat_builds})")
    print(f"policy first         {policy_first:8.1f} µs   (verdict cache cleared before each run)")
    print(f"policy repeat        {policy_repeat:8.1f} µs   (chain builds: {policy_builds})")
    print(f"Verify() repeat      {verify_repeat:8.1f} µs")


if __name__ == "__main__":
    main()
