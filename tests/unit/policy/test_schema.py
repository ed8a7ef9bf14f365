"""The declarative schema of every APIM policy agrees with the spec and the policy reference."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from certgate.core.policy.builders import APIM_POLICIES
from certgate.core.policy.rawxml import parse_many
from certgate.core.policy.schema import (
    ALL_SECTIONS,
    POLICIES,
    Element,
    Kind,
    Order,
    Text,
)
from certgate.core.policy.xmltree import XmlElement
from certgate.errors import PolicyError

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"

# Names in builders.APIM_POLICIES that the policy reference does not document.


def test_serve_and_check_know_the_same_policies() -> None:
    assert frozenset(POLICIES) == APIM_POLICIES


def test_policies_are_policies_and_children_are_not() -> None:
    def walk(element: Element, seen: set[int]) -> None:
        if id(element) in seen:
            return
        seen.add(id(element))
        assert element.sections is None or element.sections <= ALL_SECTIONS
        for child in element.children:
            assert child.min >= 0 and (child.max is None or child.max >= max(child.min, 1))
            walk(child.element, seen)

    seen: set[int] = set()
    for name, policy in POLICIES.items():
        assert policy.name == name and policy.is_policy
        walk(policy, seen)


# spec §3.6: attributes that do not accept expressions.
LITERAL_ONLY = [
    ("validate-client-certificate", "validate-revocation"),
    ("validate-client-certificate", "validate-trust"),
    ("validate-client-certificate", "validate-not-before"),
    ("validate-client-certificate", "validate-not-after"),
    ("validate-client-certificate", "ignore-error"),
    ("set-variable", "name"),
    ("return-response", "response-variable-name"),
    ("mock-response", "status-code"),
    ("mock-response", "content-type"),
    ("include-fragment", "fragment-id"),
    ("trace", "source"),
    ("trace", "severity"),
    ("rate-limit-by-key", "retry-after-header-name"),
    ("rate-limit-by-key", "retry-after-variable-name"),
    ("rate-limit-by-key", "remaining-calls-header-name"),
    ("rate-limit-by-key", "remaining-calls-variable-name"),
    ("rate-limit-by-key", "total-calls-header-name"),
    ("quota-by-key", "calls"),
    ("quota-by-key", "bandwidth"),
    ("quota-by-key", "renewal-period"),
    ("quota-by-key", "first-period-start"),
    ("forward-request", "buffer-response"),
    ("forward-request", "fail-on-error-status-code"),
    ("send-request", "ignore-error"),
    ("log-to-eventhub", "logger-id"),
    ("log-to-eventhub", "partition-id"),
    ("emit-metric", "name"),
    ("emit-metric", "namespace"),
    ("limit-concurrency", "max-count"),
    ("cache-lookup", "caching-type"),
    ("set-body", "xsi-nil"),
    ("json-to-xml", "parse-date"),
]


@pytest.mark.parametrize(("policy", "attribute"), LITERAL_ONLY)
def test_literal_only_attributes(policy: str, attribute: str) -> None:
    spec = POLICIES[policy].attr(attribute)
    assert spec is not None and spec.expr is False


def test_send_request_method_child_is_literal() -> None:
    entry = POLICIES["send-request"].child("set-method")
    assert entry is not None and entry[1].element.text is Text.LITERAL
    assert POLICIES["set-method"].text is Text.EXPR  # as a statement it takes expressions


@pytest.mark.parametrize(
    ("policy", "attribute", "kind", "required"),
    [
        ("set-status", "code", Kind.INT, True),
        ("set-status", "reason", Kind.STRING, False),  # erratum 6
        ("set-variable", "value", Kind.STRING, True),
        ("when", "condition", Kind.BOOL, True),
        ("rate-limit-by-key", "counter-key", Kind.STRING, True),
        ("forward-request", "timeout", Kind.INT, False),
        ("forward-request", "http-version", Kind.ENUM, False),
        ("set-header", "exists-action", Kind.ENUM, False),
        ("check-header", "ignore-case", Kind.BOOL, True),
    ],
)
def test_attribute_kinds(policy: str, attribute: str, kind: Kind, required: bool) -> None:
    if policy == "when":
        entry = POLICIES["choose"].child("when")
        assert entry is not None
        element = entry[1].element
    else:
        element = POLICIES[policy]
    spec = element.attr(attribute)
    assert spec is not None
    assert (spec.kind, spec.required) == (kind, required)


def test_choose_children() -> None:
    choose = POLICIES["choose"]
    assert choose.order is Order.STRICT
    when, otherwise = choose.child("when"), choose.child("otherwise")
    assert when is not None and otherwise is not None
    assert (when[0], when[1].min, when[1].max) == (0, 1, None)
    assert (otherwise[0], otherwise[1].min, otherwise[1].max) == (1, 0, 1)
    assert when[1].element.statements and otherwise[1].element.statements


def test_return_response_children_in_documented_order() -> None:
    policy = POLICIES["return-response"]
    assert [c.element.name for c in policy.children] == ["set-status", "set-header", "set-body"]
    assert [c.max for c in policy.children] == [1, None, 1]


def test_wait_holds_only_three_policies() -> None:
    assert POLICIES["wait"].statement_filter == {"send-request", "cache-lookup-value", "choose"}


# spec §4.4: policies usable in on-error (2026 list plus the per-policy usage tables).
ON_ERROR = """choose set-variable find-and-replace return-response set-header set-method set-status
send-request send-one-way-request log-to-eventhub json-to-xml xml-to-json limit-concurrency
mock-response retry trace include-fragment emit-metric""".split()


@pytest.mark.parametrize("policy", ON_ERROR)
def test_policies_allowed_in_on_error(policy: str) -> None:
    sections = POLICIES[policy].sections
    assert sections is not None and "on-error" in sections


@pytest.mark.parametrize(
    ("policy", "sections"),
    [
        # D26 leaves out on-error, but APIM runs set-body there (azure-docs#59226)
        ("set-body", {"inbound", "outbound", "backend", "on-error"}),
        ("forward-request", {"backend"}),
        # Learn lists inbound; AI-Gateway's labs deploy it in outbound (docs/compatibility.md)
        ("authentication-managed-identity", {"inbound", "outbound"}),
        ("validate-client-certificate", {"inbound"}),
        ("rate-limit-by-key", {"inbound"}),
        ("set-backend-service", {"inbound", "backend"}),
        ("rewrite-uri", {"inbound"}),
        ("http-data-source", set()),  # a GraphQL resolver policy: never a section statement
    ],
)
def test_sections(policy: str, sections: set[str]) -> None:
    assert POLICIES[policy].sections == sections


def _templates() -> list[str]:
    if not CORPUS.is_dir():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as rows:
        manifest = csv.DictReader(rows, delimiter="\t")
        return sorted(r["path"] for r in manifest if r["kind"] == "docs-syntax-template")


def _undeclared(el: XmlElement, schema: Element) -> list[str]:
    if schema.opaque:
        return []
    missing = [
        f"{el.tag}@{name}" for name in el.attrs if schema.attr(name) is None and name != "id"
    ]
    if schema.statements or schema.opaque or schema.text is Text.PAYLOAD:
        return missing
    for child in el.children:
        entry = schema.child(child.tag)
        if entry is None:
            missing.append(f"{el.tag}/{child.tag}")
        else:
            missing += _undeclared(child, entry[1].element)
    return missing


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"policy corpus not found at {CORPUS}")
@pytest.mark.parametrize("relative", _templates())
def test_reference_syntax_templates_use_only_declared_names(relative: str) -> None:
    """The policy statements of the reference pages (kept in the corpus) declare every element
    and attribute the schema knows; templates that are not well-formed even for APIM are skipped.
    """
    try:
        roots = parse_many((CORPUS / relative).read_text(encoding="utf-8"), relative)
    except PolicyError:
        pytest.skip("template not well-formed (documentation placeholders)")
    for root in roots:
        schema = POLICIES.get(root.tag)
        assert schema is not None, root.tag
        assert _undeclared(root, schema) == []
