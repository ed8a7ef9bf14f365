"""Differential oracle over the policy corpus: each distinct C# expression of the corpus check set,
run by certgate and by real C# (Mono) on the same fixed request, in the manner of `oracle.py`.

The expressions are those `certgate policy check` compiles in `test_corpus_check.py`'s check set
(named values replaced by its placeholders). certgate runs them on its real `RequestContext`, built
as `certgate expr eval` builds it; C# on a stand-in of APIM's context (`_STANDIN`, on top of
`oracle.py`'s prelude), all in one file compiled once with `mcs` (what mcs rejects is dropped) and
run by `mono` under TZ=UTC and the invariant culture. Both read the values of `CONTEXT` (C# from a
JSON file), once per body variant (`BODIES`), with the variables the expressions read, typed by
how they read them and set from the same C# text on both sides (`variables`).

Each expression is classified per variant: agree; agree apart from CR LF (Mono on Linux writes LF
where APIM and certgate write CR LF); nondeterministic (`NONDETERMINISTIC`: clocks, GUIDs, random
numbers); refused by both, by certgate only or by mcs only; differ. `test_corpus_oracle.py` lists
the expected refusals.

Run it: `.venv/bin/python -m tests.conformance.corpus_oracle [--verbose]` (needs the corpus at
`../shared/corpus` and Mono; `--verbose` lists every outcome but agreements).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from certgate.core.context import ErrorInfo, LastError, RequestContext
from certgate.core.expr import Expression, compile_expression, to_dotnet_string
from certgate.core.model import Response
from certgate.core.policy import check
from certgate.errors import CertgateError, ExpressionRuntimeError
from certgate.expr_cli import _context

from .oracle import _PRELUDE, NEWTONSOFT, _cs_string, console_text, escape, have_mono
from .test_corpus_check import CORPUS, _check_set

# Expressions that read a clock, a new GUID or a random number: two runs may print different text
NONDETERMINISTIC = re.compile(r"NewGuid|UtcNow|\.Now\b|Random|TickCount|Stopwatch")
KINDS = (  # in the order of the summary
    "agree", "agree apart from CR LF", "nondeterministic", "refused by both",
    "refused by certgate only", "refused by mcs only", "differ",
)  # fmt: skip

# --- The fixed context ----------------------------------------------------------------------------


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _b64url(value: object) -> str:
    return base64.urlsafe_b64encode(_compact(value).encode()).decode().rstrip("=")


JWT = ".".join([_b64url({"alg": "RS256", "typ": "JWT", "kid": "k1"}), _b64url({
    "iss": "https://login.microsoftonline.com/72f988bf/v2.0", "sub": "user-1", "aud": "api://certgate",
    "exp": 1893456000, "nbf": 1700000000, "iat": 1700000000, "oid": "11111111-2222-3333-4444-555555555555",
    "tid": "72f988bf", "roles": ["reader", "writer"], "name": "Ada Lovelace", "appid": "app-1", "azp": "app-1",
    "scp": "read write", "email": "ada@example.com", "preferred_username": "ada@example.com", "ver": "2.0",
}), "c2ln"])  # fmt: skip
QUERY = "api-version=2024-02-01&state=xyz&tag=a&tag=b&client_id=app-1&redirect_uri=https%3A%2F%2Fapp.contoso.com%2Fcb&code=c0de"
CONTEXT: dict[str, Any] = {  # `certgate expr eval`'s context file, and what it cannot describe
    "method": "POST", "ip": "203.0.113.7",
    "url": f"https://orders-backend.contoso.com/api/orders/42?{QUERY}",
    "originalUrl": f"https://apim-contoso.azure-api.net/orders/42?{QUERY}",
    "headers": {
        "Authorization": f"Bearer {JWT}", "Content-Type": "application/json",
        "Accept": "application/json", "Host": "apim-contoso.azure-api.net",
        "User-Agent": "curl/8.5.0", "X-Forwarded-For": "203.0.113.7, 10.0.0.4",
        "Origin": "https://app.contoso.com", "Cookie": "session=abc123; theme=dark",
        "Ocp-Apim-Subscription-Key": "0123456789abcdef0123456789abcdef", "api-key": "key-123",
        "Destination-System": "SNL", "Source-System": "CFT", "x-user-id": "user-42",
        "Request-Created-At": "2024-05-06T07:00:00Z", "X-Multi": ["a", "b"],
    },
    "matchedParameters": {
        "id": "42", "orderId": "42", "storageAccountName": "contosostore", "containerName": "docs",
        "blobName": "report.pdf", "deployment-id": "gpt-4o", "city": "Paris", "category": "books",
    },
    "api": {"id": "orders-api", "path": "orders", "serviceUrl": "https://orders-backend.contoso.com/api"},
    "operation": {"id": "get-order", "method": "POST", "urlTemplate": "/orders/{id}", "name": "GetOrder"},
    "deployment": {"serviceName": "apim-contoso", "region": "West Europe"},
    "requestId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "timestamp": "2024-05-06T07:08:09.123Z",
    "responseHeaders": {  # status 200
        "Content-Type": "application/json; charset=utf-8", "x-ratelimit-remaining-tokens": "9000",
        "x-ratelimit-remaining-requests": "99", "x-ratelimit-reset-tokens": "1s",
        "x-ratelimit-reset-requests": "6ms", "Retry-After": "10", "Set-Cookie": "a=1; Path=/",
        "Location": "https://app.contoso.com/cb?code=c0de", "x-ms-region": "West Europe",
    },
    "lastError": {  # in the order of ErrorInfo's fields
        "Source": "validate-jwt", "Reason": "TokenNotPresent", "Message": "JWT not present.",
        "Scope": "api", "Section": "inbound", "Path": "choose[1]\\when[1]", "PolicyId": "jwt-check",
    },
}  # fmt: skip
REQUEST_JSON = {
    "model": "gpt-4o", "stream": False, "max_tokens": 100, "temperature": 0.7,
    "messages": [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "Hello"}],
    "order": {"id": 42, "created": "2024-01-02T03:04:05Z", "total": 19.99, "paid": True,
              "items": [{"sku": "A-1", "qty": 2, "price": 5.5}, {"sku": "B-2", "qty": 1, "price": 8.99}]},
    "customer": {"name": "Ada", "email": "ada@example.com", "tags": ["vip", "beta"]},
    "id": "req-1", "name": "widget", "value": 12, "input": "some text", "prompt": "Say hi",
    "client_name": "demo-client", "redirect_uris": ["https://app.contoso.com/cb"],
    "stream_options": {"include_usage": True},
}  # fmt: skip
RESPONSE_JSON = {
    "id": "chatcmpl-123", "object": "chat.completion", "created": 1715000000, "model": "gpt-4o",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    "access_token": "tok-abc", "token_type": "Bearer", "expires_in": 3599, "refresh_token": "ref-xyz",
    "id_token": JWT, "value": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
    "status": "ok", "error": None, "when": "2024-03-04T05:06:07.5+01:00", "ratio": 0.1,
}  # fmt: skip
XML = '<?xml version="1.0" encoding="utf-8"?><order id="42"><customer>Ada</customer><items><item sku="A-1" qty="2">5.5</item><item sku="B-2" qty="1">8.99</item></items></order>'
BODIES: dict[str, tuple[str | None, str]] = {  # variant -> request body, response body
    "json": (_compact(REQUEST_JSON), _compact(RESPONSE_JSON)),
    "xml": (XML, XML),
    "empty": (None, ""),
}
VARIABLE_OBJECT = {
    "id": "x-1", "access_token": "tok-abc", "refresh_token": "ref-1", "id_token": "idt-1",
    "expires_in": 3600, "name": "n", "url": "https://b1.contoso.com", "priority": 1, "value": [1, 2],
    "nested": {"a": "b"}, "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
    "subject": "s", "eventTime": "2024-05-06T07:00:00Z", "dataVersion": "1", "metadataVersion": "1",
    "topic": "t", "data": {"validationCode": "abc"}, "reason": "r", "body": {"x": 1.25},
    "accountSasToken": "sv=2024", "redirect_uris": ["https://app.contoso.com/cb"],
    "userPromptAnalysis": {"attackDetected": False}, "status": 200, "amount": 12.5,
}  # fmt: skip
VARIABLE_ARRAY = [
    {"url": "https://b1.contoso.com", "priority": 1, "isThrottling": False, "retryAfter": "2024-05-06T07:00:00Z", "weight": 50},
    {"url": "https://b2.contoso.com", "priority": 2, "isThrottling": True, "retryAfter": "2024-05-06T07:10:00Z", "weight": 50},
]  # fmt: skip
_OBJECT, _ARRAY = _cs_string(_compact(VARIABLE_OBJECT)), _cs_string(_compact(VARIABLE_ARRAY))
TYPED_VALUES = {  # a variable's type (as expressions cast it) -> its value, in C#
    "int": "3", "Int32": "3", "long": "1715000000L", "bool": "true", "double": "1.5",
    "JObject": f"JObject.Parse({_OBJECT})", "JToken": f"JToken.Parse({_OBJECT})",
    "JArray": f"JArray.Parse({_ARRAY})", "Jwt": f"{_cs_string(JWT)}.AsJwt()",
    "DateTime": "new DateTime(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc)",
    "IResponse": "context.Response", "string[]": 'new string[] {"a", "b"}',
}  # fmt: skip
STRING_VALUES = [  # other variables: the first value whose pattern their lowercased name matches
    (r"^iv|iv$", "0f8fad5b-d9cb-469f-a165-70867728950e"),
    (r"^encrypted", "AAECAwQFBgcICQoLDA0ODw==.1"),
    (r"key$|secret", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
    (r"expiry|size|count|index", "3600"),
    (r"base64", "AAECAwQ="),
    (r"url|uri|^redirect$", "https://app.contoso.com/cb"),
    (r"^(?!.*expir).*token", JWT),
    (r"date|time|^now$", "2024-05-06T07:00:00Z"),
    (r"json|body", '{"a":1,"b":"x"}'),
]


def context_spec(variant: str) -> dict[str, Any]:
    request, response = BODIES[variant]
    return {**CONTEXT, "body": request, "responseBody": response}


# --- The corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusExpression:
    text: str  # as `policy check` compiles it
    sites: tuple[str, ...]  # "path:line"

    @property
    def key(self) -> str:
        """A short stable name: the start of the text's SHA-256."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:8]


def corpus_expressions() -> list[CorpusExpression]:
    """The distinct expressions of the check set, recorded from `policy check`'s checker (it has
    no public hook), so that named values are replaced as it replaces them."""
    sites: dict[str, list[str]] = {}
    compiled = check._Checker.compiled

    def record(self: Any, text: str, element: str, pos: Any) -> tuple[str, Exception | None]:
        variant, outcome = compiled(self, text, element, pos)
        sites.setdefault(variant, []).append(f"{self.path}:{pos.line}")
        return variant, outcome

    with mock.patch.object(check._Checker, "compiled", record):
        for path in _check_set():
            check.check_document((CORPUS / path).read_text(encoding="utf-8-sig"), path)
    return [CorpusExpression(text, tuple(dict.fromkeys(where))) for text, where in sites.items()]


_CAST = re.compile(r'\(\s*(\w+(?:\[\])?)\s*\)\s*context\.Variables\[\s*"([^"]+)"\]')
_GENERIC = re.compile(r'Variables\.GetValueOrDefault<\s*([\w\[\]]+)\s*>\(\s*"([^"]+)"')
_READ = re.compile(r'Variables(?:\[|\.(?:GetValueOrDefault(?:<[^>]*>)?|ContainsKey)\()\s*"([^"]+)"')


def variables(texts: Iterable[str]) -> dict[str, str]:
    """Each variable the expressions read -> its value in C#: of the type it is cast to most
    often (`TYPED_VALUES`), else a string chosen by its name (`STRING_VALUES`)."""
    code = "\n".join(texts)
    votes: dict[str, Counter[str]] = {}
    for type_name, name in _CAST.findall(code) + _GENERIC.findall(code):
        if type_name in TYPED_VALUES:
            votes.setdefault(name, Counter())[type_name] += 1
    values = {}
    for name in dict.fromkeys(_READ.findall(code)):
        if name in votes:
            values[name] = TYPED_VALUES[votes[name].most_common(1)[0][0]]
        else:
            found = (v for pattern, v in STRING_VALUES if re.search(pattern, name.lower()))
            values[name] = _cs_string(next(found, f"val-{name}"))
    return values


# --- certgate -------------------------------------------------------------------------------------


def _py_context(spec: dict[str, Any], inits: dict[str, Expression]) -> RequestContext:
    context = _context(spec, CORPUS)
    assert isinstance(context, RequestContext)
    headers = [(k.encode(), v.encode()) for k, v in spec["responseHeaders"].items()]
    context.response = Response(headers=headers, body=spec["responseBody"].encode())
    context.LastError = LastError(ErrorInfo(*spec["lastError"].values()))
    for name, init in inits.items():  # as set-variable stores them
        context.set_variable(name, init.evaluate(context), init.clr_type)
    return context


def certgate_results(
    expressions: Sequence[CorpusExpression], values: dict[str, str], variants: Sequence[str]
) -> dict[str, dict[str, str]]:
    """variant -> key -> certgate's printed result (`!load: ...` when it refuses the text)."""
    inits = {
        n: compile_expression(f"@({v})", context_type=RequestContext) for n, v in values.items()
    }
    compiled: dict[str, Expression | str] = {}
    for expression in expressions:
        try:
            compiled[expression.key] = compile_expression(
                expression.text, context_type=RequestContext
            )
        except CertgateError as error:
            compiled[expression.key] = f"!load: {error}"
    return {
        variant: {key: _evaluate(c, context_spec(variant), inits) for key, c in compiled.items()}
        for variant in variants
    }


def _evaluate(
    expression: Expression | str, spec: dict[str, Any], inits: dict[str, Expression]
) -> str:
    if isinstance(expression, str):
        return expression
    try:
        value = expression.evaluate(_py_context(spec, inits))  # a fresh one: expressions mutate it
    except ExpressionRuntimeError as error:
        return f"!{error.exception_type}"
    except Exception as error:  # a certgate bug: shown as a difference, not a stopped run
        return f"!crash: {type(error).__name__}: {error}"
    return escape(console_text(to_dotnet_string(value)))


# --- C# -------------------------------------------------------------------------------------------

_STANDIN = r"""
public class IMessageBody {
    string text; bool consumed;
    public IMessageBody(string text) { this.text = text; }
    static readonly Dictionary<Type, Func<string, object>> Converters = new Dictionary<Type, Func<string, object>> {
        { typeof(string), s => s }, { typeof(byte[]), s => Encoding.UTF8.GetBytes(s) },
        { typeof(JObject), s => JObject.Parse(s) }, { typeof(JArray), s => JArray.Parse(s) },
        { typeof(JToken), s => JToken.Parse(s) }, { typeof(XElement), s => XElement.Parse(s) },
        { typeof(XDocument), s => XDocument.Parse(s) }, { typeof(XNode), s => XDocument.Parse(s) },
    };
    string Read(bool preserve) {
        if (consumed) throw new InvalidOperationException("body already read");
        consumed = !preserve;
        return text;
    }
    public T As<T>(bool preserveContent = false) { return (T)Converters[typeof(T)](Read(preserveContent)); }
    public Dictionary<string, IList<string>> AsFormUrlEncodedContent(bool preserveContent = false) {
        var form = new Dictionary<string, IList<string>>();
        foreach (var field in Read(preserveContent).Split('&').Where(f => f != "")) {
            var pair = field.Split(new[] { '=' }, 2).Select(p => Uri.UnescapeDataString(p.Replace('+', ' '))).ToArray();
            IList<string> list;
            if (!form.TryGetValue(pair[0], out list)) form[pair[0]] = list = new List<string>();
            list.Add(pair.Length > 1 ? pair[1] : "");
        }
        return form;
    }
}
public class ParamDict : Dictionary<string, string> {
    public ParamDict() : base(StringComparer.OrdinalIgnoreCase) {}
    public string GetValueOrDefault(string name, string defaultValue = null) { string v; return TryGetValue(name, out v) ? v : defaultValue; }
}
public class IRequest {
    public string Method, IpAddress; public Url Url, OriginalUrl; public StrDict Headers;
    public X509Certificate2 Certificate; public ParamDict MatchedParameters; public IMessageBody Body;
}
public class IResponse { public int StatusCode; public string StatusReason; public StrDict Headers; public IMessageBody Body; }
public class IApi { public string Id, Name, Path, Revision, Version; public bool IsCurrentRevision; public Url ServiceUrl; }
public class IOperation { public string Id, Method, Name, UrlTemplate; }
public class IGateway { public string Id, InstanceId; public bool IsManaged; }
public class IDeployment { public IGateway Gateway; public string GatewayId, Region, ServiceId, ServiceName;
    public Dictionary<string, X509Certificate2> Certificates = new Dictionary<string, X509Certificate2>(); }
public class ILastError { public string Source, Reason, Message, Scope, Section, Path, PolicyId; }
public class Authorization { public string AccessToken; public IReadOnlyDictionary<string, object> Claims; }
// certgate has no users, subscriptions or products: null on both sides, members for mcs only
public class IGroup { public string Id, Name; }
public class IUserIdentity { public string Id, Provider; }
public class IUser { public string Email, FirstName, Id, LastName, Note; public DateTime RegistrationDate; public IEnumerable<IGroup> Groups; public IEnumerable<IUserIdentity> Identities; }
public class ISubscription { public DateTime CreatedDate, CreatedTime; public DateTime? EndDate, StartDate; public string Id, Key, Name, PrimaryKey, SecondaryKey; }
public class IProduct { public bool ApprovalRequired, SubscriptionRequired; public IEnumerable<IGroup> Groups; public string Id, Name; public int? SubscriptionsLimit, SubscriptionLimit; public IEnumerable<IApi> Apis; }
public class IProxyRequestContext {
    public IRequest Request; public IResponse Response; public Vars Variables;
    public IApi Api; public IOperation Operation; public IDeployment Deployment; public ILastError LastError;
    public IUser User; public ISubscription Subscription; public IProduct Product;
    public Guid RequestId; public DateTime Timestamp; public TimeSpan Elapsed; public bool Tracing;
    public void Trace(string message) {}
}
public static class StandIn {
    public static JObject Spec;  // corpus_oracle.context_spec(variant), from the file named on the command line
    public static void Load(string path) {
        var settings = new JsonSerializerSettings { DateParseHandling = DateParseHandling.None };
        Spec = JsonConvert.DeserializeObject<JObject>(File.ReadAllText(path), settings);
    }
    static StrDict Fields(JToken values) {
        var d = new StrDict();
        foreach (JProperty p in values) d[p.Name] = p.Value.Type == JTokenType.Array ? p.Value.ToObject<string[]>() : new[] { (string)p.Value };
        return d;
    }
    static Url ParseUrl(JToken text) {
        var uri = new Uri((string)text);
        var parsed = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var query = new StrDict();
        foreach (string key in parsed) query[key] = parsed.GetValues(key);
        return new Url { Scheme = uri.Scheme, Host = uri.Host, Port = uri.Port, Path = uri.AbsolutePath, QueryString = uri.Query, Query = query };
    }
    // The members certgate fixes itself (Api.Revision, Deployment.Gateway, ...) have its values
    public static IProxyRequestContext Context() {
        JObject s = Spec;
        string service = (string)s["deployment"]["serviceName"], api = (string)s["api"]["id"];
        return new IProxyRequestContext {
            Request = new IRequest { Method = (string)s["method"], IpAddress = (string)s["ip"], Url = ParseUrl(s["url"]),
                OriginalUrl = ParseUrl(s["originalUrl"]), Headers = Fields(s["headers"]), MatchedParameters = s["matchedParameters"].ToObject<ParamDict>(),
                Body = s["body"].Type == JTokenType.Null ? null : new IMessageBody((string)s["body"]) },
            Response = new IResponse { StatusCode = 200, StatusReason = "OK", Headers = Fields(s["responseHeaders"]),
                Body = new IMessageBody((string)s["responseBody"]) },
            Api = new IApi { Id = api, Name = api, Path = (string)s["api"]["path"], Revision = "1", Version = "",
                IsCurrentRevision = true, ServiceUrl = ParseUrl(s["api"]["serviceUrl"]) },
            Operation = s["operation"].ToObject<IOperation>(),
            Deployment = new IDeployment { ServiceName = service, ServiceId = service, Region = (string)s["deployment"]["region"],
                GatewayId = "self-hosted", Gateway = new IGateway { Id = "self-hosted", InstanceId = service } },
            LastError = s["lastError"].ToObject<ILastError>(),
            RequestId = new Guid((string)s["requestId"]),
            Timestamp = DateTime.Parse((string)s["timestamp"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            Variables = new Vars(),
        };
    }
}
public static class StandInExtensions {
    public static Uri ToUri(this Url url) { return new Uri(url.ToString()); }
    // Json.NET 13's JObject.ContainsKey, missing in Debian's Json.NET 6
    public static bool ContainsKey(this JObject o, string name) { JToken t; return o.TryGetValue(name, out t); }
    // APIM's Jwt.Claims.GetValueOrDefault(name, string); a string[] default picks .NET's generic one
    public static string GetValueOrDefault(this Dictionary<string, string[]> claims, string name, string defaultValue = null) {
        string[] v; return claims.TryGetValue(name, out v) ? string.Join(",", v) : defaultValue;
    }
    public static string ToFormUrlEncodedContent(this IDictionary<string, IList<string>> form) {
        return string.Join("&", form.SelectMany(f => f.Value.Select(v => Encode(f.Key) + "=" + Encode(v))));
    }
    static string Encode(string text) { return Uri.EscapeDataString(text).Replace("%20", "+"); }
}
"""


def csharp_file(
    expressions: Sequence[CorpusExpression], values: dict[str, str]
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The program, and the lines of each expression in it (key -> first, last; 1-based)."""
    head, oracle_class, tail = _PRELUDE.strip("\n").partition("public static class Oracle {")
    lines = f"{head}{_STANDIN.strip()}\n{oracle_class}{tail}".split("\n")
    lines.append("    static IProxyRequestContext Context() {")
    lines.append("        var context = StandIn.Context();")
    lines += [f"        context.Variables[{_cs_string(n)}] = {v};" for n, v in values.items()]
    lines += ["        return context;", "    }"]
    spans: dict[str, tuple[int, int]] = {}
    for expression in expressions:
        first, body = len(lines) + 1, expression.text.strip()[1:].strip()  # without the '@'
        lines.append(f"    static object E{expression.key}(IProxyRequestContext context)")
        if body.startswith("{"):
            lines += body.split("\n")  # not re-indented: verbatim strings keep their text
        else:
            lines += ["    {", *f"        return {body};".split("\n"), "    }"]
        spans[expression.key] = (first, len(lines))
    lines += [
        "    public static void Main(string[] args) {",
        "        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;",
        "        System.Threading.Thread.CurrentThread.CurrentCulture = CultureInfo.InvariantCulture;",
        "        Console.OutputEncoding = new UTF8Encoding(false);",
        "        StandIn.Load(args[0]);",
        *(f'        Run("{key}", () => E{key}(Context()));' for key in spans),
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n", spans


_MCS_ERROR = re.compile(r"corpus\.cs\((\d+),\d+\): error (CS\d+: .*)")
_REFERENCES = ["System.Web", "System.Xml", "System.Xml.Linq", "System.Core", "System.Numerics"]


def _mcs(options: list[str], spans: dict[str, tuple[int, int]], workdir: Path) -> dict[str, str]:
    """Compile corpus.cs: key -> `CSxxxx: message` for each expression mcs rejects."""
    run = subprocess.run(
        ["mcs", "-nologo", "-codepage:utf8", *options, "corpus.cs"],
        capture_output=True, text=True, cwd=workdir, timeout=300,
    )  # fmt: skip
    failed: dict[str, str] = {}
    for line, error in _MCS_ERROR.findall(run.stdout + run.stderr):
        key = next((k for k, (first, last) in spans.items() if first <= int(line) <= last), None)
        if key is not None:
            failed.setdefault(key, error)
    if run.returncode != 0 and not failed:
        raise RuntimeError(f"mcs failed outside the expressions:\n{run.stdout}{run.stderr}")
    return failed


def mono_results(
    expressions: Sequence[CorpusExpression], values: dict[str, str], variants: Sequence[str],
    workdir: Path,
) -> dict[str, dict[str, str]]:  # fmt: skip
    """variant -> key -> Mono's printed result (`!mcs: CSxxxx: ...` when mcs rejects the text)."""
    rejected: dict[str, str] = {}
    while True:
        kept = [e for e in expressions if e.key not in rejected]
        source, spans = csharp_file(kept, values)
        (workdir / "corpus.cs").write_text(source, encoding="utf-8")
        # What mcs reports after a syntax error is unreliable: drop only the first one's expression
        failed = dict(list(_mcs(["--parse"], spans, workdir).items())[:1])
        if not failed:
            references = [f"-r:{NEWTONSOFT}", *(f"-r:{name}.dll" for name in _REFERENCES)]
            failed = _mcs(["-warn:0", *references, "-out:corpus.exe"], spans, workdir)
        if not failed:
            break
        rejected.update(failed)
    rejections = {key: f"!mcs: {error}" for key, error in rejected.items()}
    return {variant: _run_mono(variant, workdir) | rejections for variant in variants}


def _run_mono(variant: str, workdir: Path) -> dict[str, str]:
    (workdir / "context.json").write_text(json.dumps(context_spec(variant)), encoding="utf-8")
    env = dict(os.environ, TZ="UTC", MONO_PATH=str(NEWTONSOFT.parent), LANG="C.UTF-8")
    run = subprocess.run(
        ["mono", "corpus.exe", "context.json"],
        capture_output=True,
        env=env,
        cwd=workdir,
        timeout=300,
    )
    results: dict[str, str] = {}
    for line in run.stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith("@@V "):
            key, _, text = line[4:].partition("\t")
            results[key] = text
    return results


# --- Comparison -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    expression: CorpusExpression
    variant: str
    certgate: str
    mono: str

    @property
    def kind(self) -> str:
        refused_by_certgate = self.certgate.startswith("!load: ")
        refused_by_mcs = self.mono.startswith("!mcs: ")
        if refused_by_certgate or refused_by_mcs:
            if refused_by_certgate and refused_by_mcs:
                return "refused by both"
            return "refused by certgate only" if refused_by_certgate else "refused by mcs only"
        if self.certgate == self.mono:
            return "agree"
        if self.certgate.replace("\\r\\n", "\\n") == self.mono:
            return "agree apart from CR LF"
        if NONDETERMINISTIC.search(self.expression.text):
            return "nondeterministic"
        return "differ"

    def describe(self) -> str:
        return (
            f"{self.kind} [{self.variant}] {self.expression.key} {self.expression.sites[0]}: "
            f"certgate {self.certgate[:300]!r}, mono {self.mono[:300]!r}"
        )


def evaluate(workdir: Path, variants: Sequence[str] = tuple(BODIES)) -> list[Outcome]:
    expressions = corpus_expressions()
    values = variables(e.text for e in expressions)
    with ThreadPoolExecutor(1) as pool:  # mcs and mono run while certgate does
        theirs = pool.submit(mono_results, expressions, values, variants, workdir)
        ours = certgate_results(expressions, values, variants)
        mono = theirs.result()
    return [
        Outcome(e, variant, ours[variant][e.key], mono[variant].get(e.key, "!mono: no output"))
        for variant in variants
        for e in expressions
    ]


def summary(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for variant in dict.fromkeys(o.variant for o in outcomes):
        counts = Counter(o.kind for o in outcomes if o.variant == variant)
        figures = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS)
        lines.append(f"{variant} body: {counts.total()} expressions: {figures}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every outcome but agreements")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir() or not have_mono():
        print(f"skipped: needs the corpus at {CORPUS} and mcs/mono with Debian's Newtonsoft.Json")
        return 0
    with tempfile.TemporaryDirectory() as temp:
        outcomes = evaluate(Path(temp))
    for outcome in outcomes:
        if outcome.kind == "differ" or (args.verbose and outcome.kind != "agree"):
            print(outcome.describe())
    print(summary(outcomes))
    return 1 if any(o.kind == "differ" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
