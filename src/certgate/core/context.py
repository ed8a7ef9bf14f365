"""The APIM `context` object model, as policy expressions see it (spec §2).

One `RequestContext` per request. Everything an expression can reach is a `CsObject` whose
`CS_MEMBERS` lists the C# names; views that cost something to build (header dictionary, the
certificate view) are built on first use, so a request whose policies never look pays nothing.
The request and response views live in `messages`, the URL in `url`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from certgate.core.backends import EMPTY_DIRECTORY, BackendDirectory, BackendEntity
from certgate.core.certs import LoadedCertificate, X509Certificate2
from certgate.core.expr import DateTime, ReadOnlyDictionary, guid
from certgate.core.expr.budget import DEFAULT_BUDGET_MS, ExpressionBudget
from certgate.core.expr.datetime import TimeSpan
from certgate.core.expr.guid import Guid
from certgate.core.expr.static import BOOL, STRING, SType, class_stype, read_only_dictionary
from certgate.core.expr.types import CsObject
from certgate.core.expr.variables import INTEGRAL_TYPES, VariableDictionary
from certgate.core.messages import MessageBody, RequestInfo, ResponseView, headers_dictionary
from certgate.core.model import Response as HttpResponse
from certgate.core.principals import ProductInfo, SubscriptionInfo, UserInfo
from certgate.core.url import UrlInfo

__all__ = [
    "ApiInfo",
    "DeploymentInfo",
    "ErrorInfo",
    "GatewayInfo",
    "LastError",
    "MessageBody",
    "OperationInfo",
    "RequestContext",
    "RequestInfo",
    "ResponseView",
    "UrlInfo",
    "headers_dictionary",
]

trace_log = logging.getLogger("certgate.trace")


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

    __slots__ = (
        "Certificates",
        "Gateway",
        "GatewayId",
        "Region",
        "ServiceId",
        "ServiceName",
        "backends",
    )
    CS_TYPE = "IDeployment"
    CS_MEMBERS = frozenset(
        {"Certificates", "Gateway", "GatewayId", "Region", "ServiceId", "ServiceName"}
    )
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "Certificates": read_only_dictionary(STRING, class_stype(X509Certificate2))
    }
    Certificates: ReadOnlyDictionary
    Gateway: GatewayInfo
    GatewayId: str
    Region: str
    ServiceId: str
    ServiceName: str

    def __init__(
        self,
        certificates: Mapping[str, X509Certificate2],
        service_name: str,
        region: str,
        backends: BackendDirectory = EMPTY_DIRECTORY,
    ) -> None:
        # Keyed by thumbprint (spec §2.5, OBS O3/O4); ordinal keys, as .NET's default comparer.
        self.Certificates = ReadOnlyDictionary(dict(certificates))
        self.ServiceName = service_name
        self.ServiceId = service_name
        self.Region = region
        self.GatewayId = "self-hosted"
        self.Gateway = GatewayInfo("self-hosted", service_name)
        # Not C#: what set-backend-service and authentication-certificate refer to.
        self.backends = backends


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


class OperationInfo(CsObject):
    """`context.Operation`. An API without operations reports a catch-all one."""

    __slots__ = ("Id", "Method", "Name", "UrlTemplate")
    CS_TYPE = "IOperation"
    CS_MEMBERS = frozenset({"Id", "Method", "Name", "UrlTemplate"})
    Id: str
    Method: str
    Name: str
    UrlTemplate: str

    def __init__(self, operation_id: str, method: str, url_template: str, name: str) -> None:
        self.Id = operation_id
        self.Method = method
        self.UrlTemplate = url_template
        self.Name = name


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

    __slots__ = (
        "Api",
        "Deployment",
        "LastError",
        "Operation",
        "Request",
        "_budget",
        "_budget_ms",
        "_clock",
        "_now",
        "_request_guid",
        "_response",
        "_response_view",
        "_timestamp",
        "_variable_types",
        "_variables",
        "_variables_view",
        "backend",
        "backend_identity",
        "request_id",
    )
    CS_TYPE = "IProxyRequestContext"
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "Tracing": BOOL,
        "Product": class_stype(ProductInfo),
        "Subscription": class_stype(SubscriptionInfo),
        "User": class_stype(UserInfo),
    }
    CS_MEMBERS = frozenset(
        {
            "Api",
            "Deployment",
            "Elapsed",
            "LastError",
            "Operation",
            "Product",
            "Request",
            "RequestId",
            "Response",
            "Subscription",
            "Timestamp",
            "Trace",
            "Tracing",
            "User",
            "Variables",
        }
    )
    Api: ApiInfo
    Deployment: DeploymentInfo
    LastError: LastError | None
    Operation: OperationInfo
    Request: RequestInfo
    _response: HttpResponse | None
    _response_view: ResponseView | None
    # No subscriptions, users or products yet: APIM reports null when a request has none.
    Product = None
    Subscription = None
    User = None
    Tracing = False

    def __init__(
        self,
        request: RequestInfo,
        deployment: DeploymentInfo,
        api: ApiInfo,
        operation: OperationInfo,
        request_id: str,
        timestamp: dt.datetime | float,
        clock: Callable[[], dt.datetime] | None = None,
        expression_budget_ms: float = DEFAULT_BUDGET_MS,
    ) -> None:
        self.Request = request
        # Not C#: what this request's expression loops may take in all (made on first use).
        self._budget_ms = expression_budget_ms
        self._budget: ExpressionBudget | None = None
        self.Deployment = deployment
        self.Api = api
        self.Operation = operation
        # Not C#: the id as text (logs, error bodies); `RequestId` is the Guid, made on first read
        self.request_id = request_id
        self._request_guid: Guid | None = None
        # `Timestamp` is built on first read: few policies look, and the DateTime costs a
        # conversion to ticks on every request otherwise. The data plane passes POSIX seconds.
        self._now = timestamp
        self._clock = clock  # the core reads no clock itself: the I/O shell hands one in
        self._timestamp: DateTime | None = None
        self.LastError = None
        # Not C#: the backend entity set-backend-service chose, the certificate
        # authentication-certificate presents (spec §5.2, §5.8).
        self.backend: BackendEntity | None = None
        self.backend_identity: LoadedCertificate | None = None
        self._variables: dict[str, object] = {}
        self._variable_types: dict[str, str] = {}  # name -> .NET integral type, where known
        self._variables_view: VariableDictionary | None = None
        self._response = None  # made on first use: most are replaced by the backend's
        self._response_view = None

    @property
    def response(self) -> HttpResponse:
        """The response being built or relayed (the backend's, the error's, a policy's)."""
        if self._response is None:
            self._response = HttpResponse()
        return self._response

    @response.setter
    def response(self, value: HttpResponse) -> None:
        self._response = value
        self._response_view = None

    @property
    def expression_budget(self) -> ExpressionBudget:
        """Not C#: the time budget of this request's expressions (only loops ever ask)."""
        if self._budget is None:
            self._budget = ExpressionBudget(self._budget_ms)
        return self._budget

    @property
    def now(self) -> dt.datetime:
        """Not C#: the request's time (when its head arrived), as a datetime."""
        if isinstance(self._now, float):
            self._now = dt.datetime.fromtimestamp(self._now, dt.UTC)
        return self._now

    @property
    def Timestamp(self) -> DateTime:
        if self._timestamp is None:
            self._timestamp = DateTime(self.now)
        return self._timestamp

    @property
    def Elapsed(self) -> TimeSpan:
        """Time since `Timestamp` (spec §2.1); zero without a clock (tools like `expr eval`)."""
        if self._clock is None:
            return TimeSpan(0)
        delta = self._clock() - self.now
        return TimeSpan(
            (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
        )

    @property
    def Response(self) -> ResponseView:
        if self._response_view is None:
            self._response_view = ResponseView(self.response)
        return self._response_view

    @property
    def Variables(self) -> VariableDictionary:
        if self._variables_view is None:
            types = dict(self._variable_types)  # a snapshot, like the values
            self._variables_view = VariableDictionary(self._variables, types)
        return self._variables_view

    def set_variable(self, name: str, value: object, clr_type: str | None = None) -> None:
        """Store a variable; `clr_type`: the .NET type of an integral value, when known (the
        static type of the expression), so that unboxing it as another type throws."""
        self._variables[name] = value
        if clr_type in INTEGRAL_TYPES and type(value) is int:
            self._variable_types[name] = clr_type
        else:
            self._variable_types.pop(name, None)
        self._variables_view = None

    @property
    def RequestId(self) -> Guid:
        """A `Guid`, as in APIM: `context.RequestId.ToString("N")`."""
        if self._request_guid is None:
            self._request_guid = guid.parse(self.request_id)
        return self._request_guid

    def Trace(self, message: object) -> None:
        trace_log.debug("request %s: %s", self.request_id, message)

    def final_response(self) -> HttpResponse:
        """The response to send: a body consumed without `preserveContent` is not sent."""
        response = self.response
        view = self._response_view
        if view is not None and view.body_consumed():
            response.body = b""
        return response
