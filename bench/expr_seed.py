"""Median time per evaluation of the seed conditions (target: <= 5 µs each), and the time to
check and compile the whole policy corpus (target: < 10 s).

Run: .venv/bin/python bench/expr_seed.py [--corpus ../shared/corpus]
Uses a minimal fake context built from ReadOnlyDictionary and small CsObject classes (the real
context lives in certgate.core.context); certificates are found in a dictionary of 1, 5 or 20
uploads, the matching one enumerated last.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from certgate.core.expr import CsArray, CsObject, ReadOnlyDictionary, compile_expression
from certgate.core.policy.check import check_paths, collect_documents

T1 = "0F5E4A4C8B1D2E3F405162738495A6B7C8D9E0F1"


class Cert(CsObject):
    __slots__ = ("Thumbprint",)
    CS_TYPE = "X509Certificate2"
    CS_MEMBERS = frozenset({"Thumbprint", "Verify", "VerifyNoRevocation"})
    CS_IMMUTABLE = True  # as the gateway's certificate view
    Thumbprint: str

    def __init__(self, thumbprint: str) -> None:
        self.Thumbprint = thumbprint

    def Verify(self) -> bool:
        return True

    def VerifyNoRevocation(self) -> bool:
        return True


class Request(CsObject):
    __slots__ = ("Certificate", "Headers")
    CS_MEMBERS = frozenset({"Certificate", "Headers"})
    Certificate: Cert | None
    Headers: ReadOnlyDictionary


class Deployment(CsObject):
    __slots__ = ("Certificates",)
    CS_MEMBERS = frozenset({"Certificates"})
    Certificates: ReadOnlyDictionary


class Context(CsObject):
    __slots__ = ("Deployment", "Request", "Variables")
    CS_MEMBERS = frozenset({"Request", "Deployment", "Variables"})
    Request: Request
    Deployment: Deployment
    Variables: ReadOnlyDictionary


CERT = "context.Request.Certificate"
ANY_UPLOADED = f"context.Deployment.Certificates.Any(c => c.Value.Thumbprint == {CERT}.Thumbprint)"
SEEDS = {
    "TV-04 thumbprint": f'@({CERT} == null || {CERT}.Thumbprint != "{T1}")',
    "TV-05 2017 inverted": f"@({CERT} == null || {ANY_UPLOADED})",
    "TV-07 current": f"@({CERT} == null || !{CERT}.VerifyNoRevocation() || !{ANY_UPLOADED})",
    "TV-21 null-safe": f'@({CERT}?.Thumbprint ?? "none")',
    "TV-28 ContainsKey": (
        f'@(context.Deployment.Certificates.ContainsKey("{T1}") + "|" + '
        'context.Deployment.Certificates.ContainsKey("client01"))'
    ),
}


def make_context(uploads: int = 20) -> Context:
    request = Request()
    request.Certificate = Cert(T1)
    request.Headers = ReadOnlyDictionary({"Host": CsArray(["x"])}, ignore_case=True)
    deployment = Deployment()
    # the matching certificate is the last one enumerated: Any() walks all of them
    others = {f"{i:040X}": Cert(f"{i:040X}") for i in range(uploads - 1)}
    deployment.Certificates = ReadOnlyDictionary({**others, T1: Cert(T1)})
    context = Context()
    context.Request, context.Deployment = request, deployment
    context.Variables = ReadOnlyDictionary({})
    return context


def median_us(fn: object, *, rounds: int = 25, number: int = 20_000) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def corpus_seconds(corpus: Path) -> tuple[float, int, int]:
    """Wall time of `certgate policy check` over every document (parse, schema, compile)."""
    documents = collect_documents([corpus])
    start = time.perf_counter()
    report = check_paths(documents)
    return time.perf_counter() - start, len(documents), report.expressions_compiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--corpus", type=Path, default=root.parent / "shared" / "corpus")
    options = parser.parse_args()
    if options.corpus.is_dir():
        seconds, documents, compiled = corpus_seconds(options.corpus)
        print(f"corpus: {documents} documents, {compiled} expressions compiled in {seconds:.2f} s")
    for uploads in (1, 5, 20):
        context = make_context(uploads)
        for typed in (True, False):
            known = "known" if typed else "unknown"
            print(f"{uploads} uploaded certificate(s), context type {known} at load:")
            for name, text in SEEDS.items():
                expression = compile_expression(text, context_type=Context if typed else None)
                us = median_us(lambda e=expression: e.evaluate(context))
                print(f"  {name:22} {us:6.2f} µs  -> {expression.evaluate(context)!r}")


if __name__ == "__main__":
    main()
