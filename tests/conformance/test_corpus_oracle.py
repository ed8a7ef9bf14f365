"""certgate against real C# (Mono) on every distinct expression of the policy corpus
(`corpus_oracle.py`): no difference, and only the refusals listed here."""

from __future__ import annotations

import pytest

from .corpus_oracle import BODIES, Outcome, evaluate, summary
from .oracle import have_mono
from .test_corpus_check import CORPUS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"policy corpus not found at {CORPUS}"),
    pytest.mark.skipif(
        not have_mono(), reason="mcs/mono or Debian's Newtonsoft.Json not installed (see .ci/run)"
    ),
]

# Keyed by `CorpusExpression.key` (the start of the SHA-256 of the expression text).
REFUSED_BY_CERTGATE_ONLY = {  # correct refusals: APIM refuses them too
    "3f8fa1ce": "RSACng is outside APIM's allow-list (Get OAuth2 access token ... key vault ...xml)",
}
REFUSED_BY_MCS_ONLY = {  # limits of the C# side
    "0f7ad5cb": "C# 7 local function, which mcs cannot compile (Backend for Frontend ...xml)",
    "0c726bad": "C# 7 local functions, which mcs cannot compile (Filter on IP Address ...xml)",
}
MIN_AGREEMENTS = 850  # per body variant (CR LF apart included); a broken run has far fewer


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    outcomes = evaluate(tmp_path_factory.mktemp("corpus-oracle"))
    print("\n" + summary(outcomes))
    return outcomes


def test_certgate_and_mono_do_not_differ(outcomes: list[Outcome]) -> None:
    differ = [o.describe() for o in outcomes if o.kind == "differ"]
    assert not differ, "\n".join(["certgate and Mono differ:", *differ])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("refused by certgate only", REFUSED_BY_CERTGATE_ONLY),
        ("refused by mcs only", REFUSED_BY_MCS_ONLY),
    ],
    ids=["certgate", "mcs"],
)
def test_only_the_listed_expressions_are_refused_by_one_side(
    outcomes: list[Outcome], kind: str, expected: dict[str, str]
) -> None:
    found = {o.expression.key: o for o in outcomes if o.kind == kind}
    problems = [found[key].describe() for key in sorted(found.keys() - expected.keys())]
    problems += [
        f"{key}: no longer {kind} ({why})" for key, why in expected.items() if key not in found
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("variant", BODIES)
def test_most_expressions_agree(outcomes: list[Outcome], variant: str) -> None:
    kinds = [o.kind for o in outcomes if o.variant == variant]
    agreements = kinds.count("agree") + kinds.count("agree apart from CR LF")
    assert agreements >= MIN_AGREEMENTS, f"{variant} body: {agreements} agreements"
