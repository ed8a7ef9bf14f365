"""The APIM `context` object model, as policy expressions see it (spec §2).

One `RequestContext` per request. Everything an expression can reach is a `CsObject` whose
`CS_MEMBERS` lists the C# names; views that cost something to build (header dictionary, the
certificate view) are built on first use, so a request whose policies never look pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from certgate.core.certs import X509Certificate2
from certgate.core.expr import CsArray, ReadOnlyDictionary
from certgate.core.expr.types import CsObject
from certgate.core.model import Header, Response


class UrlInfo(CsObject):
    """`IUrl`: the URL the request goes to (or came in as)."""

    __slots__ = ("Host", "Path", "Port", "QueryString", "Scheme", "_query")
    CS_TYPE = "IUrl"
    CS_MEMBERS = frozenset(
        {"Host", "Path", "Port", "Query", "QueryString", "Scheme", "ToString", "ToUri"}
    )
    Scheme: str
    Host: str
    Port: int
    Path: str
    QueryString: str

    def __init__(self, scheme: str, host: str, port: int, path: str, query: str) -> None:
        self.Scheme = scheme
        self.Host = host
        self.Port = port
        self.Path = path
        self.QueryString = f"?{query}" if query else ""
        self._query: ReadOnlyDictionary | None = None

    @classmethod
    def parse(cls, url: str) -> UrlInfo:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        return cls(scheme, parts.hostname or "", port, parts.path or "/", parts.query)

    @property
    def Query(self) -> ReadOnlyDictionary:
        if self._query is None:
            grouped: dict[str, list[str]] = {}
            for key, value in parse_qsl(self.QueryString[1:], keep_blank_values=True):
                grouped.setdefault(key, []).append(value)
            self._query = ReadOnlyDictionary(
                {k: CsArray(v) for k, v in grouped.items()}, ignore_case=True, comma_join=True
            )
        return self._query

    def authority(self) -> str:
        default = 443 if self.Scheme == "https" else 80
        return self.Host if self.Port == default else f"{self.Host}:{self.Port}"

    def target(self) -> str:
        """Request target for the backend: path plus query."""
        return self.Path + self.QueryString

    def ToString(self) -> str:
        return f"{self.Scheme}://{self.authority()}{self.target()}"

    def ToUri(self) -> str:
        return self.ToString()


def headers_dictionary(headers: list[Header]) -> ReadOnlyDictionary:
    """`IReadOnlyDictionary<string, string[]>`, case-insensitive names, values in arrival order."""
    grouped: dict[str, list[str]] = {}
    by_lower: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1")
        key = by_lower.setdefault(name.lower(), name)
        grouped.setdefault(key, []).append(raw_value.decode("latin-1"))
    return ReadOnlyDictionary(
        {k: CsArray(v) for k, v in grouped.items()}, ignore_case=True, comma_join=True
    )


class RequestInfo(CsObject):
    __slots__ = ("IpAddress", "Method", "Url", "_cert", "_cert_loader", "_headers", "headers")
    CS_TYPE = "IRequest"
    CS_MEMBERS = frozenset({"Certificate", "Headers", "IpAddress", "Method", "Url"})
    Method: str
    Url: UrlInfo
    IpAddress: str

    def __init__(
        self,
        method: str,
        url: UrlInfo,
        headers: list[Header],
        ip_address: str,
        cert_loader: Callable[[], X509Certificate2 | None],
    ) -> None:
        self.Method = method
        self.Url = url
        self.IpAddress = ip_address
        self.headers = headers  # raw, forwarded as they are unless a policy changes them
        self._headers: ReadOnlyDictionary | None = None
        self._cert_loader = cert_loader
        self._cert: X509Certificate2 | bool | None = False  # False = not looked up yet

    @property
    def Headers(self) -> ReadOnlyDictionary:
        if self._headers is None:
            self._headers = headers_dictionary(self.headers)
        return self._headers

    @property
    def Certificate(self) -> X509Certificate2 | None:
        if self._cert is False:
            self._cert = self._cert_loader()
        return self._cert  # type: ignore[return-value]


class ResponseView(CsObject):
    """`context.Response`: the response being built (the backend's, or the error's)."""

    __slots__ = ("_response",)
    CS_TYPE = "IResponse"
    CS_MEMBERS = frozenset({"Headers", "StatusCode", "StatusReason"})

    def __init__(self, response: Response) -> None:
        self._response = response

    @property
    def StatusCode(self) -> int:
        return self._response.status

    @property
    def StatusReason(self) -> str:
        return self._response.reason_text

    @property
    def Headers(self) -> ReadOnlyDictionary:
        return headers_dictionary(self._response.headers)


class GatewayInfo(CsObject):
    __slots__ = ("Id", "InstanceId", "IsManaged")
    CS_TYPE = "IGateway"
    CS_MEMBERS = frozenset({"Id", "InstanceId", "IsManaged"})
    Id: str
    InstanceId: str
    IsManaged: bool

    def __init__(self, gateway_id: str, instance_id: str) -> None:
        self.Id = gateway_id
        self.InstanceId = instance_id
        self.IsManaged = False


class DeploymentInfo(CsObject):
    """`context.Deployment`; one instance per configuration snapshot, shared by requests."""

    __slots__ = ("Certificates", "Gateway", "GatewayId", "Region", "ServiceId", "ServiceName")
    CS_TYPE = "IDeployment"
    CS_MEMBERS = frozenset(
        {"Certificates", "Gateway", "GatewayId", "Region", "ServiceId", "ServiceName"}
    )
    Certificates: ReadOnlyDictionary
    Gateway: GatewayInfo
    GatewayId: str
    Region: str
    ServiceId: str
    ServiceName: str

    def __init__(
        self, certificates: Mapping[str, X509Certificate2], service_name: str, region: str
    ) -> None:
        # Keyed by thumbprint (spec §2.5, OBS O3/O4); ordinal keys, as .NET's default comparer.
        self.Certificates = ReadOnlyDictionary(dict(certificates))
        self.ServiceName = service_name
        self.ServiceId = service_name
        self.Region = region
        self.GatewayId = "self-hosted"
        self.Gateway = GatewayInfo("self-hosted", service_name)


class ApiInfo(CsObject):
    __slots__ = ("Id", "IsCurrentRevision", "Name", "Path", "Revision", "ServiceUrl", "Version")
    CS_TYPE = "IApi"
    CS_MEMBERS = frozenset(
        {"Id", "IsCurrentRevision", "Name", "Path", "Revision", "ServiceUrl", "Version"}
    )
    Id: str
    IsCurrentRevision: bool
    Name: str
    Path: str
    Revision: str
    ServiceUrl: UrlInfo
    Version: str

    def __init__(self, api_id: str, path: str, service_url: str) -> None:
        self.Id = api_id
        self.Name = api_id
        self.Path = path
        self.ServiceUrl = UrlInfo.parse(service_url)
        self.Revision = "1"
        self.IsCurrentRevision = True
        self.Version = ""


@dataclass(slots=True)
class ErrorInfo:
    source: str
    reason: str | None
    message: str
    scope: str | None
    section: str | None
    path: str | None
    policy_id: str | None


class LastError(CsObject):
    __slots__ = ("Message", "Path", "PolicyId", "Reason", "Scope", "Section", "Source")
    CS_TYPE = "ILastError"
    CS_MEMBERS = frozenset({"Message", "Path", "PolicyId", "Reason", "Scope", "Section", "Source"})
    Message: str
    Path: str | None
    PolicyId: str | None
    Reason: str | None
    Scope: str | None
    Section: str | None
    Source: str

    def __init__(self, info: ErrorInfo) -> None:
        self.Source = info.source
        self.Reason = info.reason
        self.Message = info.message
        self.Scope = info.scope
        self.Section = info.section
        self.Path = info.path
        self.PolicyId = info.policy_id


class RequestContext(CsObject):
    """The `context` variable of one request."""

    __slots__ = ("Api", "Deployment", "LastError", "Request", "RequestId", "Variables", "response")
    CS_TYPE = "IProxyRequestContext"
    CS_MEMBERS = frozenset(
        {"Api", "Deployment", "LastError", "Request", "RequestId", "Response", "Variables"}
    )
    Api: ApiInfo
    Deployment: DeploymentInfo
    LastError: LastError | None
    Request: RequestInfo
    RequestId: str
    Variables: ReadOnlyDictionary

    def __init__(
        self, request: RequestInfo, deployment: DeploymentInfo, api: ApiInfo, request_id: str
    ) -> None:
        self.Request = request
        self.Deployment = deployment
        self.Api = api
        self.RequestId = request_id
        self.Variables = ReadOnlyDictionary({})
        self.LastError = None
        self.response = Response()

    @property
    def Response(self) -> ResponseView:
        return ResponseView(self.response)
