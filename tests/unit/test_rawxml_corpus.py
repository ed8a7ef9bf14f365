"""The raw-XML reader over the shared corpus of real-world APIM policies (`shared/corpus`).

Every document must be read, except the few listed in `KNOWN_BROKEN`, which must fail with the
stated error (so the list cannot go stale). Documents a strict XML parser also reads must give
the same tree as `xml.etree.ElementTree`.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import pytest

from certgate.core.policy.rawxml import parse_many
from certgate.core.policy.xmltree import XmlElement
from certgate.errors import PolicyError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"policy corpus not found at {CORPUS} (it lives outside the repo)"
)


class Broken(NamedTuple):
    kind: str  # the document's `kind` in MANIFEST.tsv
    why: str
    message: str  # start of the error message the reader must give
    line: int


TEMPLATE = "docs-syntax-template"
EXAMPLE = "docs-example"
_UNCLOSED = "Unexpected end of file has occurred. The following elements are not closed"
_ROOT_TEXT = "Data at the root level is invalid."

# Documents that are not valid even by APIM's rules; the reader must refuse each, at the line given.
KNOWN_BROKEN: dict[str, Broken] = {
    # Syntax templates from the policy reference pages: placeholders, not policies.
    "apim-docs-examples/azure-openai-semantic-cache-lookup-policy-1.xml": Broken(
        TEMPLATE, "the start tag is never closed with '>'", "Name cannot begin with the '<'", 7
    ),
    "apim-docs-examples/choose-policy-1.xml": Broken(
        TEMPLATE, "comments written '<!—' (em dash)", "Invalid markup declaration.", 3
    ),
    "apim-docs-examples/cross-domain-policy-1.xml": Broken(
        TEMPLATE, "comment written '<!-'", "Invalid markup declaration.", 2
    ),
    "apim-docs-examples/limit-concurrency-policy-1.xml": Broken(
        TEMPLATE, "comment written '<!—' (em dash)", "Invalid markup declaration.", 2
    ),
    "apim-docs-examples/forward-request-policy-1.xml": Broken(
        TEMPLATE, "'|' between attributes", "Name cannot begin with the '|'", 1
    ),
    "apim-docs-examples/validate-content-policy-1.xml": Broken(
        TEMPLATE, "attribute written 'from | when='", "'|' is an unexpected token.", 3
    ),
    "apim-docs-examples/http-data-source-policy-1.xml": Broken(
        TEMPLATE, "<backend> is never closed", "The 'backend' start tag on line 12", 21
    ),
    # Documentation examples with mistakes.
    "apim-docs-examples/api-management-sample-cache-by-key-11.xml": Broken(
        EXAMPLE, "excerpt: <choose>/<when> never closed", _UNCLOSED, 3
    ),
    "apim-docs-examples/api-management-sample-send-request-6.xml": Broken(
        EXAMPLE, "<set-variable ...> written without '/'", _UNCLOSED, 3
    ),
    "apim-docs-examples/api-management-sample-send-request-9.xml": Broken(
        EXAMPLE, "<set-variable ...> written without '/'", "The 'set-variable' start tag", 40
    ),
    "apim-docs-examples/cosmosdb-data-source-policy-3.xml": Broken(
        EXAMPLE, "<read-request> never closed", "The 'read-request' start tag", 17
    ),
    "apim-docs-examples/cosmosdb-data-source-policy-6.xml": Broken(
        EXAMPLE, "'[...]' elision marker outside any element", _ROOT_TEXT, 1
    ),
    "apim-docs-examples/cosmosdb-data-source-policy-7.xml": Broken(
        EXAMPLE, "'[...]' elision marker outside any element", _ROOT_TEXT, 1
    ),
    "apim-docs-examples/cosmosdb-data-source-policy-8.xml": Broken(
        EXAMPLE, "'[...]' elision marker outside any element", _ROOT_TEXT, 1
    ),
    "apim-docs-examples/include-fragment-policy-2.xml": Broken(
        EXAMPLE, "'[...]' elision marker outside any element", _ROOT_TEXT, 5
    ),
    "apim-docs-examples/proxy-policy-2.xml": Broken(
        EXAMPLE, "unquoted attribute values", "'{' is an unexpected token.", 1
    ),
    "apim-docs-examples/rewrite-uri-policy-2.xml": Broken(
        EXAMPLE, "bare '&' in a literal query string", "Unescaped '&'", 4
    ),
    "apim-docs-examples/set-backend-service-policy-3.xml": Broken(
        EXAMPLE, "expression misses its closing ')'", "Unterminated string literal.", 3
    ),
    "apim-docs-examples/validate-jwt-policy-5.xml": Broken(
        EXAMPLE, "'<tenant-name>' placeholder inside an attribute value", "'<', hexadecimal", 2
    ),
    # Corrupted in the upstream snippets repository (garbled attribute values; see README.md).
    "apim-policy-snippets/examples/Call out to an HTTP endpoint and cache the response"
    ".policy.xml": Broken("policy-file", "garbled expression", "Unterminated string literal.", 41),
}


def _documents() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*.xml"))


def _manifest() -> dict[str, str]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as rows:
        return {row["path"]: row["kind"] for row in csv.DictReader(rows, delimiter="\t")}


DOCUMENTS = _documents()


def _read(relative: str) -> str:
    return (CORPUS / relative).read_text(encoding="utf-8")


@pytest.mark.parametrize("relative", DOCUMENTS)
def test_document_is_read_or_fails_as_listed(relative: str) -> None:
    text = _read(relative)
    broken = KNOWN_BROKEN.get(relative)
    if broken is None:
        parse_many(text, source=relative)
        return
    with pytest.raises(PolicyError) as info:
        parse_many(text, source=relative)
    assert info.value.message.startswith(broken.message), broken.why
    assert info.value.line == broken.line
    assert info.value.source == relative


def test_corpus_figure_and_known_broken_list_match_the_manifest() -> None:
    manifest = _manifest()
    assert set(DOCUMENTS) <= manifest.keys()
    for relative, broken in KNOWN_BROKEN.items():
        assert relative in DOCUMENTS, f"listed but not in the corpus: {relative}"
        assert manifest[relative] == broken.kind, relative
    read = len(DOCUMENTS) - len(KNOWN_BROKEN)
    # The figure for the record: 551 of 571 documents at the time of writing.
    assert read / len(DOCUMENTS) > 0.95, f"{read}/{len(DOCUMENTS)}"


# --- agreement with a strict XML parser where one applies ----------------------------------------


def _strict_tree(text: str) -> list[ET.Element] | None:
    """Top-level elements as ElementTree reads them (wrapped, so snippets work), or None."""
    body = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text)
    try:
        return list(ET.fromstring(f"<wrapper>{body}</wrapper>"))
    except ET.ParseError:
        return None


Shape = tuple[str, dict[str, str], str | None, list["Shape"]]


def _et_shape(element: ET.Element) -> Shape:
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    return (element.tag, dict(element.attrib), text or None, [_et_shape(c) for c in element])


def _our_shape(element: XmlElement) -> Shape:
    # XML folds newlines and tabs in attribute values to spaces; we keep them inside
    # expressions (a `//` comment must end at its newline), so compare folded.
    attrs = {name: re.sub(r"[\t\n]", " ", a.value) for name, a in element.attrs.items()}
    return (element.tag, attrs, element.text, [_our_shape(c) for c in element.children])


def test_documents_a_strict_parser_reads_give_the_same_tree() -> None:
    compared = 0
    for relative in DOCUMENTS:
        text = _read(relative)
        # ElementTree resolves namespace prefixes ('{uri}name'); we keep names as written.
        if relative in KNOWN_BROKEN or "xmlns" in text:
            continue
        strict = _strict_tree(text)
        if strict is None:
            continue
        ours = parse_many(text, source=relative)
        assert [_our_shape(e) for e in ours] == [_et_shape(e) for e in strict], relative
        compared += 1
    assert compared > 300
