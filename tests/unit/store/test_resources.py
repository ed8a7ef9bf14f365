"""Resource kinds without a database: paths and ids, property validation (every bad input the
issue lists), APIM output shapes, and the two policy formats."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from certgate.core.policy import rawxml
from certgate.core.policy.xmltree import XmlElement
from certgate.errors import PolicyError, ValidationFailed
from certgate.store import policytext
from certgate.store.resources import (
    MAX_BODY_BYTES,
    Content,
    Resource,
    body_properties,
    parse_collection,
    parse_path,
)
from tests.unit.store.conftest import Certs, pfx_body, public_body

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"


def prepare(path: str, body: dict[str, Any]) -> Content:
    address = parse_path(path)
    return address.kind.prepare(address, body_properties(body))


def refused(path: str, body: dict[str, Any]) -> dict[str, object]:
    with pytest.raises(ValidationFailed) as info:
        prepare(path, body)
    assert info.value.details, "a refusal says what is wrong"
    return info.value.details[0]


# --- paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("apis/orders", "api"),
        ("/apis/orders/", "api"),
        ("apis/orders/operations/get-1", "operation"),
        ("policies/policy", "policy"),
        ("apis/orders/policies/policy", "apiPolicy"),
        ("apis/o/operations/x/policies/policy", "operationPolicy"),
        ("products/p/policies/policy", "productPolicy"),
        ("products/p/apis/orders", "productApi"),
        ("certificates/gw.tls_1", "certificate"),
        ("caCertificates/root", "caCertificate"),
        ("backends/b", "backend"),
        ("namedValues/nv", "namedValue"),
        ("gateways/default/hostnameConfigurations/h", "hostname"),
        ("gateways/default/certificateAuthorities/root", "gatewayCa"),
    ],
)
def test_paths_of_every_kind(path: str, kind: str) -> None:
    assert parse_path(path).kind.name == kind


@pytest.mark.parametrize(
    "path",
    [
        "apis/..",
        "apis/a..b",
        "apis/.hidden",
        "apis/a b",
        "apis/a%2Fb",
        "apis/a/b",  # an id with '/' is another (unknown) path
        "apis//operations/x",
        "apis/" + "a" * 81,
        "apis/orders/policies/other",
        "nothing/here",
        "",
    ],
)
def test_bad_paths_and_ids_are_refused(path: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_path(path)


def test_longest_id_is_accepted() -> None:
    assert parse_path("apis/" + "a" * 80).name == "a" * 80


def test_collections() -> None:
    assert parse_collection("apis")[1] is None
    kind, parent = parse_collection("apis/orders/operations")
    assert (kind.name, parent) == ("operation", "apis/orders")
    with pytest.raises(ValidationFailed):
        parse_collection("apis/../operations")


# --- bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [[], "x", {"properties": []}, {"properties": "x"}, {"properties": {"x": b"\x00"}}]
)
def test_bodies_that_are_not_json_objects_are_refused(body: Any) -> None:
    with pytest.raises(ValidationFailed):
        body_properties(body)


def test_a_20_mb_body_is_refused() -> None:
    body = {"properties": {"value": "x" * (20 * 1024 * 1024)}}
    with pytest.raises(ValidationFailed, match="larger than"):
        body_properties(body)
    assert body_properties({"properties": {"value": "x" * (MAX_BODY_BYTES // 2)}})


# --- certificates ----------------------------------------------------------------------------------


def test_pfx_with_its_password_is_read_and_facts_filled(certs: Certs) -> None:
    content = prepare("certificates/gw", pfx_body(certs.gateway))
    assert content.properties == {
        "subject": "CN=localhost",
        "thumbprint": certs.gateway.thumbprint,
        "expirationDate": content.properties["expirationDate"],
        "hasPrivateKey": True,
    }
    assert content.properties["expirationDate"].endswith("Z")
    assert b"PRIVATE KEY" in content.secrets["key"]
    assert content.public is not None and b"PRIVATE" not in content.public
    assert content.public.count(b"BEGIN CERTIFICATE") == 2  # with its intermediate


def test_public_certificate_has_no_key(certs: Certs) -> None:
    content = prepare("certificates/partner", public_body(certs.public_only))
    assert content.properties["hasPrivateKey"] is False and not content.secrets


def test_pem_bundle_as_base64(certs: Certs) -> None:
    pem = certs.gateway.cert_pem(True) + certs.gateway.key_pem()
    content = prepare("certificates/gw", {"properties": {"data": base64.b64encode(pem).decode()}})
    assert content.properties["hasPrivateKey"] is True


def test_wrong_pfx_password_is_refused_on_password(certs: Certs) -> None:
    body = pfx_body(certs.gateway)
    body["properties"]["password"] = "wrong"
    entry = refused("certificates/gw", body)
    assert entry["target"] == "password" and "wrong password" in str(entry["message"])


def test_pfx_without_its_password_is_refused(certs: Certs) -> None:
    body = pfx_body(certs.gateway)
    del body["properties"]["password"]
    assert refused("certificates/gw", body)["target"] == "data"


@pytest.mark.parametrize("cut", [1, 2, 4, 100])
def test_truncated_base64_is_refused(certs: Certs, cut: int) -> None:
    body = pfx_body(certs.gateway)
    body["properties"]["data"] = body["properties"]["data"][:-cut]
    assert refused("certificates/gw", body)["target"] == "data"


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"data": ""},
        {"data": "!!!!"},
        {"data": base64.b64encode(b"not a certificate").decode()},
        {"data": 42},
        {"keyVault": {"secretIdentifier": "https://kv/secrets/x"}},
    ],
)
def test_bad_certificate_data_is_refused(props: dict[str, Any]) -> None:
    refused("certificates/x", {"properties": props})


def test_ca_certificate_keeps_no_key(certs: Certs) -> None:
    pem = certs.demo.root.cert_pem() + certs.demo.root.key_pem()
    content = prepare(
        "caCertificates/root",
        {"properties": {"encodedCertificate": base64.b64encode(pem).decode(), "storeName": "Root"}},
    )
    assert not content.secrets and content.public is not None
    assert b"PRIVATE" not in content.public
    assert content.properties["certificate"]["thumbprint"] == certs.demo.root.thumbprint


@pytest.mark.parametrize(
    "props", [{"storeName": "Root"}, {"encodedCertificate": "QQ==", "storeName": "My"}]
)
def test_bad_ca_certificates_are_refused(props: dict[str, Any]) -> None:
    refused("caCertificates/x", {"properties": props})


# --- APIs and operations -------------------------------------------------------------------------


def test_api_defaults_and_unknown_properties_ignored() -> None:
    content = prepare(
        "apis/orders",
        {
            "properties": {
                "path": "orders",
                "serviceUrl": "https://backend",
                "subscriptionRequired": False,
                "authenticationSettings": {},
                "somethingNew": 1,
            }
        },
    )
    assert content.properties == {
        "path": "orders",
        "serviceUrl": "https://backend",
        "subscriptionRequired": False,
        "protocols": ["https"],
    }


def test_api_requiring_a_subscription_is_refused_by_default() -> None:
    entry = refused("apis/orders", {"properties": {"path": "o", "serviceUrl": "http://b"}})
    assert entry["target"] == "subscriptionRequired"
    assert "no subscriptions" in str(entry["message"])


@pytest.mark.parametrize(
    ("change", "target"),
    [
        ({"subscriptionRequired": True}, "subscriptionRequired"),
        ({"subscriptionRequired": "false"}, "subscriptionRequired"),  # strictly a Boolean
        ({"serviceUrl": None}, "serviceUrl"),
        ({"serviceUrl": "ftp://x"}, "serviceUrl"),
        ({"serviceUrl": "http://b:99999"}, "serviceUrl"),
        ({"serviceUrl": "http://b<x>/"}, "serviceUrl"),
        ({"path": "a b"}, "path"),
        ({"type": "soap"}, "type"),
        ({"isCurrent": False}, "isCurrent"),
        ({"protocols": ["gopher"]}, "protocols.0"),
    ],
)
def test_bad_apis_are_refused(change: dict[str, Any], target: str) -> None:
    props = {"path": "o", "serviceUrl": "http://b", "subscriptionRequired": False, **change}
    assert refused("apis/o", {"properties": props})["target"] == target


def test_operation_method_is_upper_cased() -> None:
    content = prepare(
        "apis/o/operations/get",
        {"properties": {"displayName": "Get", "method": "get", "urlTemplate": "/items/{id}"}},
    )
    assert content.properties["method"] == "GET"


@pytest.mark.parametrize(
    "props",
    [
        {"method": "GET", "urlTemplate": "/x"},  # displayName is required
        {"displayName": "x", "method": "G E T", "urlTemplate": "/x"},
        {"displayName": "x", "method": "GET", "urlTemplate": "x"},
    ],
)
def test_bad_operations_are_refused(props: dict[str, Any]) -> None:
    refused("apis/o/operations/x", {"properties": props})


# --- named values, hostnames, backends, products -------------------------------------------------


def test_secret_named_value_is_sealed_and_never_read_back() -> None:
    content = prepare(
        "namedValues/key", {"properties": {"displayName": "key", "value": "s3", "secret": True}}
    )
    assert "value" not in content.properties and content.secrets == {"value": b"s3"}
    plain = prepare("namedValues/env", {"properties": {"displayName": "env", "value": "prod"}})
    assert plain.properties["value"] == "prod" and not plain.secrets


@pytest.mark.parametrize(
    "props",
    [
        {"displayName": "a b", "value": "x"},
        {"displayName": "a", "value": "x" * 4097},
        {"displayName": "a"},
        {"displayName": "a", "value": "x", "keyVault": {"secretIdentifier": "https://kv"}},
    ],
)
def test_bad_named_values_are_refused(props: dict[str, Any]) -> None:
    refused("namedValues/a", {"properties": props})


def test_hostname_accepts_apim_certificate_ids() -> None:
    content = prepare(
        "gateways/g/hostnameConfigurations/h",
        {
            "properties": {
                "hostName": "api.contoso.com",
                "certificateId": "/subscriptions/s/resourceGroups/r/providers/"
                "Microsoft.ApiManagement/service/x/certificates/gw",
                "listen": "127.0.0.1:8443",
            }
        },
    )
    assert content.properties["certificateId"] == "gw"
    assert content.properties["hostname"] == "api.contoso.com"


@pytest.mark.parametrize(
    "change",
    [
        {"listen": "nowhere"},
        {"tls10Enabled": True},
        {"http2Enabled": True},
        {"certificateId": "../x"},
        {"hostname": "bad host"},
    ],
)
def test_bad_hostnames_are_refused(change: dict[str, Any]) -> None:
    props = {"hostname": "h", "certificateId": "gw", "listen": "127.0.0.1:1", **change}
    refused("gateways/g/hostnameConfigurations/h", {"properties": props})


def test_backend_with_client_certificates() -> None:
    content = prepare(
        "backends/b",
        {
            "properties": {
                "url": "https://backend",
                "protocol": "http",
                "credentials": {"certificateIds": ["gw"]},
                "tls": {"validateCertificateChain": False},
            }
        },
    )
    assert content.properties["credentials"]["certificateIds"] == ["gw"]
    assert content.properties["tls"] == {
        "validateCertificateChain": False,
        "validateCertificateName": True,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"url": "ftp://x"},
        {"protocol": "grpc"},
        {"proxy": {"url": "http://p"}},
        {"type": "Pool"},
        {"credentials": {"certificateIds": ["a/../b"]}},
        {"credentials": {"certificate": ["AB"]}},
    ],
)
def test_bad_backends_are_refused(change: dict[str, Any]) -> None:
    refused("backends/b", {"properties": {"url": "http://b", "protocol": "http", **change}})


def test_product_defaults() -> None:
    content = prepare("products/p", {"properties": {"displayName": "P"}})
    assert content.properties["state"] == "notPublished"
    assert content.properties["subscriptionRequired"] is True  # stored; it opens nothing


# --- policies ------------------------------------------------------------------------------------

RAW = """<policies>
  <inbound>
    <!-- keep -->
    <set-header name="x" exists-action="override">
      <value>@(context.Request.Headers.FirstOrDefault(h => h.Key == "Via").Value?.FirstOrDefault())</value>
    </set-header>
    <choose><when condition="@(context.Request.Certificate == null || x < 3 && y > 1)"><base /></when></choose>
  </inbound>
</policies>"""


def test_rawxml_policy_reads_back_entity_encoded_as_xml() -> None:
    content = prepare("policies/policy", {"properties": {"format": "rawxml", "value": RAW}})
    resource = Resource("policies/policy", "policy", "t", content.properties, "e")
    as_xml = resource.to_json()["properties"]
    assert as_xml["format"] == "xml"
    assert "h =&gt; h.Key" in as_xml["value"]  # element text: <, >, & encoded
    assert "x &lt; 3 &amp;&amp; y &gt; 1" in as_xml["value"]  # attribute: quotes as well
    assert "<!-- keep -->" in as_xml["value"]
    policytext.check_xml(as_xml["value"])
    assert resource.to_json(policy_format="rawxml")["properties"]["value"] == RAW


def test_xml_policy_must_be_well_formed() -> None:
    entry = refused("policies/policy", {"properties": {"format": "xml", "value": RAW}})
    assert entry["target"] == "value" and entry["line"] == 7  # '<' in an attribute
    encoded = policytext.to_xml(RAW)
    content = prepare("policies/policy", {"properties": {"format": "xml", "value": encoded}})
    assert content.properties == {"format": "xml", "value": encoded}
    assert policytext.to_rawxml(encoded) == RAW


@pytest.mark.parametrize(
    "props",
    [
        {"format": "xml-link", "value": "https://x/policy.xml"},
        {"format": "json", "value": "<policies/>"},
        {"format": "rawxml", "value": ""},
        {"format": "xml", "value": '<!DOCTYPE x [<!ENTITY a "b">]><policies>&a;</policies>'},
    ],
)
def test_bad_policies_are_refused(props: dict[str, Any]) -> None:
    refused("policies/policy", {"properties": props})


def _tree(element: XmlElement) -> object:
    return (
        element.tag,
        sorted((a.name, a.value) for a in element.attrs.values()),
        element.text,
        [_tree(c) for c in element.children],
    )


def _corpus_documents() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.xml"))


@pytest.mark.skipif(not _corpus_documents(), reason="policy corpus not present")
def test_xml_form_of_every_corpus_policy_is_well_formed_and_reads_the_same() -> None:
    converted = 0
    for path in _corpus_documents():
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        try:
            roots = rawxml.parse_many(text)
        except PolicyError:
            continue
        as_xml = policytext.to_xml(text)
        if len(roots) == 1:
            policytext.check_xml(as_xml)  # raises if it is not strict XML
        assert [_tree(r) for r in rawxml.parse_many(as_xml)] == [_tree(r) for r in roots], path
        back = policytext.to_rawxml(as_xml)
        assert [_tree(r) for r in rawxml.parse_many(back)] == [_tree(r) for r in roots], path
        converted += 1
    assert converted > 100


def test_resource_json_shape() -> None:
    resource = Resource(
        "apis/orders", "orders", "Microsoft.ApiManagement/service/apis", {"path": "o"}, "e"
    )
    assert json.loads(json.dumps(resource.to_json())) == {
        "id": "/apis/orders",
        "type": "Microsoft.ApiManagement/service/apis",
        "name": "orders",
        "properties": {"path": "o"},
    }
