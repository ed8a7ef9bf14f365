"""The conformance vectors: certgate against each vector's `expected` (everywhere), and against
real C# compiled and run by Mono (when `mcs` and `mono` are installed; `.ci/run` installs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import oracle

VECTORS = oracle.load_vectors()


def test_vector_files_are_well_formed() -> None:
    assert len(VECTORS) >= 400
    assert len({v.id for v in VECTORS}) == len(VECTORS)
    for vector in VECTORS:
        assert vector.expr.startswith(("@(", "@{")), vector.id
        if vector.deviation is not None:
            assert len(vector.deviation) > 20, f"{vector.id}: say why Mono differs"
        if vector.gap is not None:
            assert vector.refused is not None, f"{vector.id}: gaps are for refused vectors"
            assert len(vector.gap) > 20, f"{vector.id}: say what certgate lacks"


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_certgate_matches_expected(
    vector: oracle.Vector, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.getbasetemp() / "oracle-certs"
    workdir.mkdir(exist_ok=True)
    got = oracle.certgate_result(vector, workdir)
    if vector.gap is not None:  # a known gap: it must still be one (or lose its `gap`)
        assert got != oracle.escape(vector.expected), f"{vector.id}: the gap is closed"
        return
    assert got == oracle.escape(vector.expected)


@pytest.mark.slow
@pytest.mark.skipif(
    not oracle.have_mono(),
    reason="mcs/mono or Debian's Newtonsoft.Json not installed "
    "(apt-get install mono-mcs mono-runtime libnewtonsoft-json5.0-cil ...; see .ci/run)",
)
def test_agreement_with_real_csharp(tmp_path: Path) -> None:
    report = oracle.evaluate(VECTORS, tmp_path, mono=True)
    print("\n" + report.summary())
    assert not report.unexplained, "disagreements without a recorded deviation"
    assert not report.stale_deviations, "deviations recorded where Mono now agrees"
    assert len(report.compared) >= 400
    assert report.agreement >= 0.99
