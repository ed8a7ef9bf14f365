"""Differential oracle: certgate's policy-expression runtime against real C# (Mono).

Vector files
------------
`tests/conformance/vectors/*.yaml`, one file per area, each a mapping::

    area: datetime                  # free text, for reports
    vectors:
      - id: dt-ctor-roundtrip       # unique across all files ([A-Za-z0-9_.-])
        expr: '@(new DateTime(2024, 1, 2, 3, 4, 5).ToString("o"))'   # or an @{ ... } block
        expected: "2024-01-02T03:04:05.0000000"    # .NET ToString() of the result; null -> ""
      - id: op-string-minus-int
        expr: '@("a" - 1)'
        refused: CS0019             # invalid C#: csc refuses it with this error when APIM saves
                                    # the policy; certgate must refuse it at load (not as
                                    # "not supported yet"), and mcs must report this code (or
                                    # one of several: "CS0029 CS0031", where mcs and csc differ)
        gap: "certgate checks no argument types"   # instead of agreeing: a known gap of
                                    # certgate's, reported apart (never counted as agreement)
      - id: int-parse-bad
        expr: '@(int.Parse("x"))'
        throws: FormatException     # instead of `expected`: the .NET exception type name
      - id: dbl-third
        expr: '@(1.0 / 3)'
        expected: "0.3333333333333333"
        deviation: "Mono prints 15 digits (.NET Framework); .NET Core 3.0+ prints the shortest
          round-trip form"          # Mono's output differs and certgate follows .NET 8
        context:                    # optional; omitted fields take the defaults below
          method: POST
          url: https://api.contoso.com:8443/orders/7?debug=1
          ip: 10.0.0.1
          headers: {Authorization: "Bearer x", X-Multi: [a, b]}
          variables: {n: 42, s: text, flag: true, ratio: 1.5, big: 5000000000}
          certificate: client       # a client certificate generated at run time

`context` is a small stand-in for APIM's: `context.Request.Method/Url/Headers/IpAddress/
Certificate` and `context.Variables` (with `GetValueOrDefault`), the same members on both sides
(`PyContext` here, class `Ctx` in the generated C#). Variables keep their YAML types: integers are
`int` (`long` beyond 32 bits), floats `double`, strings, booleans.

How a run works
---------------
certgate: each `expr` is compiled with `compile_expression` and evaluated on a `PyContext`;
the result is printed with `to_dotnet_string` (an exception prints as `!TypeName`).
C#: all vectors become static methods of ONE generated file, compiled once with `mcs` (against
Newtonsoft.Json from Debian's package, System.Web, System.Xml.Linq, System.Core) and run once
with `mono` under TZ=UTC and the invariant culture; each prints `@@V <id>\\t<text>` with `\\`,
newline, CR and tab escaped. A vector that `mcs` rejects is dropped from the C# run (recompiled
without it) and reported as `!mcs: CSxxxx`. Agreement = identical text. A disagreement is
explained only when the vector carries `deviation`. Expressions use APIM's own members too
(`AsJwt`, `AsBasic`, `GetValueOrDefault`, `Encrypt`/`Decrypt`): the C# side defines small
stand-ins for them.

Run it: `.venv/bin/python -m tests.conformance.oracle [--verbose] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from certgate.core.certs import X509Certificate2
from certgate.core.expr import (
    CsArray,
    CsObject,
    ReadOnlyDictionary,
    compile_expression,
    to_dotnet_string,
)
from certgate.core.expr.static import HEADERS, SType
from certgate.core.expr.variables import VariableDictionary
from certgate.errors import CertgateError, ExpressionRuntimeError, NotSupportedError

VECTORS = Path(__file__).with_name("vectors")
REFUSED = "!refused"  # the result of a `refused` vector that both sides refuse to compile
NEWTONSOFT = Path("/usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll")
_ID = re.compile(r"[A-Za-z0-9_.-]+\Z")
DEFAULT_CONTEXT: dict[str, Any] = {
    "method": "GET",
    "url": "https://api.contoso.com/orders/7?debug=1&tag=a",
    "ip": "10.0.0.1",
    "headers": {"Accept": "application/json", "X-Multi": ["a", "b"]},
    "variables": {"n": 42, "s": "text", "flag": True},
    "certificate": None,
}


@dataclass(frozen=True)
class Vector:
    id: str
    area: str
    file: str
    expr: str
    expected: str  # `!Type` for an exception, `!refused` for invalid C#
    deviation: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None  # the csc error code(s) of invalid C# ("CS0019", ...)
    gap: str | None = None  # a known gap of certgate's: why it does not agree yet

    @property
    def merged_context(self) -> dict[str, Any]:
        return {**DEFAULT_CONTEXT, **self.context}


def load_vectors(folder: Path = VECTORS) -> list[Vector]:
    vectors: list[Vector] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        area = str(document.get("area", path.stem))
        for raw in document.get("vectors", []):
            vector = _vector(raw, area, path.name)
            if vector.id in seen:
                raise ValueError(f"{path.name}: duplicate vector id '{vector.id}'")
            seen.add(vector.id)
            vectors.append(vector)
    return vectors


def _vector(raw: dict[str, Any], area: str, file: str) -> Vector:
    ident = str(raw.get("id", ""))
    if not _ID.match(ident):
        raise ValueError(f"{file}: bad vector id {ident!r}")
    if sum(key in raw for key in ("expected", "throws", "refused")) != 1:
        raise ValueError(f"{file}: vector '{ident}' needs one of expected/throws/refused")
    if "refused" in raw:
        expected = REFUSED
    elif "throws" in raw:
        expected = f"!{raw['throws']}"
    else:
        expected = _yaml_text(raw["expected"])
    unknown = set(raw) - {
        "id", "expr", "expected", "throws", "refused", "gap", "deviation", "context", "note",
    }  # fmt: skip
    if unknown:
        raise ValueError(f"{file}: vector '{ident}' has unknown keys {sorted(unknown)}")
    return Vector(
        ident,
        area,
        file,
        str(raw["expr"]).strip(),
        expected,
        raw.get("deviation"),
        dict(raw.get("context") or {}),
        raw.get("refused"),
        raw.get("gap"),
    )


def _yaml_text(value: object) -> str:
    """`expected` as written; YAML scalars that are not strings print as .NET would."""
    if value is None:
        return ""
    if value is True or value is False:
        return "True" if value else "False"
    return str(value)


def console_text(text: str) -> str:
    """Text as Mono's console writes it in UTF-8: a lone surrogate (in canonical form every
    surrogate is one) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


# --- certgate side --------------------------------------------------------------------------------


class PyUrl(CsObject):
    __slots__ = ("Host", "Path", "Port", "Query", "QueryString", "Scheme")
    CS_TYPE = "IUrl"
    CS_MEMBERS = frozenset({"Host", "Path", "Port", "Query", "QueryString", "Scheme", "ToString"})
    Host: str
    Path: str
    Port: int
    Query: ReadOnlyDictionary
    QueryString: str
    Scheme: str

    def __init__(self, url: str) -> None:
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(url)
        self.Scheme = parts.scheme
        self.Host = parts.hostname or ""
        self.Port = parts.port or (443 if parts.scheme == "https" else 80)
        self.Path = parts.path or "/"
        self.QueryString = f"?{parts.query}" if parts.query else ""
        grouped: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            grouped.setdefault(key, []).append(value)
        self.Query = ReadOnlyDictionary(
            {k: CsArray(v) for k, v in grouped.items()}, ignore_case=True, comma_join=True
        )

    def ToString(self) -> str:
        default = 443 if self.Scheme == "https" else 80
        port = "" if self.Port == default else f":{self.Port}"
        return f"{self.Scheme}://{self.Host}{port}{self.Path}{self.QueryString}"


class PyRequest(CsObject):
    __slots__ = ("Certificate", "Headers", "IpAddress", "Method", "Url")
    CS_TYPE = "IRequest"
    CS_MEMBERS = frozenset({"Certificate", "Headers", "IpAddress", "Method", "Url"})
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"Headers": HEADERS}  # as the gateway's
    Method: str
    Url: PyUrl
    Headers: ReadOnlyDictionary
    IpAddress: str
    Certificate: X509Certificate2 | None


class PyContext(CsObject):
    __slots__ = ("Request", "Variables")
    CS_TYPE = "IProxyRequestContext"
    CS_MEMBERS = frozenset({"Request", "Variables"})
    Request: PyRequest
    Variables: VariableDictionary
    TYPES: ClassVar[tuple[type, ...]] = ()


def _headers(raw: dict[str, Any]) -> dict[str, list[str]]:
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in raw.items()}


def py_context(spec: dict[str, Any], workdir: Path) -> PyContext:
    request = PyRequest()
    request.Method = spec["method"]
    request.Url = PyUrl(spec["url"])
    request.IpAddress = spec["ip"]
    request.Headers = ReadOnlyDictionary(
        {k: CsArray(v) for k, v in _headers(spec["headers"]).items()},
        ignore_case=True,
        comma_join=True,
    )
    request.Certificate = None
    if spec.get("certificate"):
        der = certificate_der(spec["certificate"], workdir)
        request.Certificate = X509Certificate2(der)
    context = PyContext()
    context.Request = request
    variables = dict(spec["variables"])
    context.Variables = VariableDictionary(variables, _integral_types(variables))
    return context


def _integral_types(variables: dict[str, Any]) -> dict[str, str]:
    """The .NET types `_cs_value` gives integers on the C# side (int, or long beyond it)."""
    return {
        key: "System.Int32" if -(2**31) <= value < 2**31 else "System.Int64"
        for key, value in variables.items()
        if type(value) is int
    }


def certificate_der(name: str, workdir: Path) -> bytes:
    """A client certificate made once per run (same file for both sides)."""
    path = workdir / f"{name}.cer"
    if not path.exists():
        from certgate.testing.pki import DemoPki

        pki = DemoPki.create(("localhost",))
        path.write_bytes(pki.client.der)
    return path.read_bytes()


def certgate_result(vector: Vector, workdir: Path) -> str:
    try:
        expression = compile_expression(vector.expr, context_type=PyContext)
    except CertgateError as error:
        refused = vector.refused is not None and not isinstance(error, NotSupportedError)
        return REFUSED if refused else f"!load: {error}"
    try:
        value = expression.evaluate(py_context(vector.merged_context, workdir))
        return escape(console_text(to_dotnet_string(value)))
    except ExpressionRuntimeError as error:
        return f"!{error.exception_type}"


# --- C# side --------------------------------------------------------------------------------------

_PRELUDE = r"""
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

public class Url {
    public string Scheme, Host, Path, QueryString; public int Port; public StrDict Query;
    public override string ToString() {
        int d = Scheme == "https" ? 443 : 80;
        return Scheme + "://" + Host + (Port == d ? "" : ":" + Port) + Path + QueryString;
    }
}
public class StrDict : Dictionary<string, string[]> {
    public StrDict() : base(StringComparer.OrdinalIgnoreCase) {}
    public string GetValueOrDefault(string name, string defaultValue = null) {
        string[] v; return TryGetValue(name, out v) ? string.Join(",", v) : defaultValue;
    }
}
public class Vars : Dictionary<string, object> {
    public T GetValueOrDefault<T>(string name, T defaultValue = default(T)) {
        object v; return TryGetValue(name, out v) ? (T)v : defaultValue;
    }
    public object GetValueOrDefault(string name, object defaultValue = null) {
        object v; return TryGetValue(name, out v) ? v : defaultValue;
    }
}
public class Request {
    public string Method, IpAddress; public Url Url; public StrDict Headers;
    public X509Certificate2 Certificate;
}
public class Ctx { public Request Request; public Vars Variables; }

public class BasicAuthCredentials { public string UserId, Password; }
public class Jwt {
    JObject h, p;
    public Jwt(JObject h, JObject p) { this.h = h; this.p = p;
        Claims = new Dictionary<string, string[]>();
        foreach (var prop in p.Properties()) {
            IEnumerable<JToken> items = prop.Value.Type == JTokenType.Array ? prop.Value.Children().ToArray() : new[] { prop.Value };
            Claims[prop.Name] = items.Select(Text).ToArray();
        }
    }
    static string Text(JToken t) {
        if (t.Type == JTokenType.String) return (string)t;
        if (t.Type == JTokenType.Boolean) return (bool)t ? "true" : "false";
        if (t.Type == JTokenType.Null) return "";
        return t.ToString(Formatting.None);
    }
    string S(JObject o, string n) { JToken t = o[n]; return t == null ? null : Text(t); }
    DateTime? D(string n) { JToken t = p[n];
        if (t == null || (t.Type != JTokenType.Integer && t.Type != JTokenType.Float)) return null;
        return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds((long)(double)t); }
    public Dictionary<string, string[]> Claims;
    public string Algorithm { get { return S(h, "alg"); } }
    public string Type { get { return S(h, "typ"); } }
    public string Id { get { return S(p, "jti"); } }
    public string Issuer { get { return S(p, "iss"); } }
    public string Subject { get { return S(p, "sub"); } }
    public IEnumerable<string> Audiences { get { JToken a = p["aud"];
        if (a == null) return new string[0];
        return a.Type == JTokenType.Array ? a.Children().Select(Text).ToArray() : new[] { Text(a) }; } }
    public DateTime? ExpirationTime { get { return D("exp"); } }
    public DateTime? NotBefore { get { return D("nbf"); } }
    public DateTime? IssuedAt { get { return D("iat"); } }
    public override string ToString() { return "Jwt"; }
}
public static class ApimExtensions {
    static byte[] B64Url(string s) {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
    public static Jwt AsJwt(this string input) {
        var parts = input.Trim().Split('.');
        if (parts.Length != 3 || parts[0] == "" || parts[1] == "") return null;
        try {
            var h = JToken.Parse(Encoding.UTF8.GetString(B64Url(parts[0]))) as JObject;
            var p = JToken.Parse(Encoding.UTF8.GetString(B64Url(parts[1]))) as JObject;
            return h == null || p == null ? null : new Jwt(h, p);
        } catch (Exception) { return null; }
    }
    public static bool TryParseJwt(this string input, out Jwt result) {
        result = AsJwt(input); return result != null;
    }
    public static BasicAuthCredentials AsBasic(this string input) {
        var v = input.Trim();
        int sp = v.IndexOf(' ');
        if (sp > 0 && v.Substring(0, sp).Equals("basic", StringComparison.OrdinalIgnoreCase))
            v = v.Substring(sp + 1).Trim();
        try {
            var text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(v));
            int colon = text.IndexOf(':');
            if (colon < 0) return null;
            return new BasicAuthCredentials { UserId = text.Substring(0, colon), Password = text.Substring(colon + 1) };
        } catch (Exception) { return null; }
    }
    public static bool TryParseBasic(this string input, out BasicAuthCredentials result) {
        result = AsBasic(input); return result != null;
    }
    static byte[] Crypt(byte[] input, string alg, byte[] key, byte[] iv, bool encrypt) {
        using (var a = SymmetricAlgorithm.Create(alg))
        using (var t = encrypt ? a.CreateEncryptor(key, iv) : a.CreateDecryptor(key, iv))
            return t.TransformFinalBlock(input, 0, input.Length);
    }
    public static byte[] Encrypt(this byte[] input, string alg, byte[] key, byte[] iv) {
        return Crypt(input, alg, key, iv, true);
    }
    public static byte[] Decrypt(this byte[] input, string alg, byte[] key, byte[] iv) {
        return Crypt(input, alg, key, iv, false);
    }
    static byte[] Run(ICryptoTransform t, byte[] input) {
        using (t) return t.TransformFinalBlock(input, 0, input.Length);
    }
    public static byte[] Encrypt(this byte[] input, SymmetricAlgorithm alg) {
        return Run(alg.CreateEncryptor(), input);
    }
    public static byte[] Encrypt(this byte[] input, SymmetricAlgorithm alg, byte[] key, byte[] iv) {
        return Run(alg.CreateEncryptor(key, iv), input);
    }
    public static byte[] Decrypt(this byte[] input, SymmetricAlgorithm alg) {
        return Run(alg.CreateDecryptor(), input);
    }
    public static byte[] Decrypt(this byte[] input, SymmetricAlgorithm alg, byte[] key, byte[] iv) {
        return Run(alg.CreateDecryptor(key, iv), input);
    }
}

public static class Oracle {
    static string Esc(string s) {
        return s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
    }
    static void Run(string id, Func<object> f) {
        string text;
        try { object r = f(); text = r == null ? "" : r.ToString(); }
        catch (Exception e) { text = "!" + e.GetType().Name; }
        Console.WriteLine("@@V " + id + "\t" + Esc(text));
    }
"""


def _cs_string(text: str) -> str:
    out: list[str] = []
    for c in text:
        code = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= code < 0x7F:
            out.append(c)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08X}")
        else:
            out.append(f"\\u{code:04X}")
    return '"' + "".join(out) + '"'


def _cs_value(value: object) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -(2**31) <= value < 2**31 else f"{value}L"
    if isinstance(value, float):
        return f"{value!r}d"
    if isinstance(value, list):
        return "new object[] {" + ", ".join(_cs_value(v) for v in value) + "}"
    return _cs_string(str(value))


def _cs_context(spec: dict[str, Any], workdir: Path) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(spec["url"])
    lines = [
        "var c = new Ctx { Request = new Request(), Variables = new Vars() };",
        f"c.Request.Method = {_cs_string(spec['method'])};",
        f"c.Request.IpAddress = {_cs_string(spec['ip'])};",
        "c.Request.Url = new Url { "
        f"Scheme = {_cs_string(parts.scheme)}, Host = {_cs_string(parts.hostname or '')}, "
        f"Port = {parts.port or (443 if parts.scheme == 'https' else 80)}, "
        f"Path = {_cs_string(parts.path or '/')}, "
        f"QueryString = {_cs_string('?' + parts.query if parts.query else '')}, "
        "Query = new StrDict() };",
        "c.Request.Headers = new StrDict();",
    ]
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        items = ", ".join(_cs_string(v) for v in values)
        lines.append(f"c.Request.Url.Query[{_cs_string(key)}] = new string[] {{{items}}};")
    for key, values in _headers(spec["headers"]).items():
        items = ", ".join(_cs_string(v) for v in values)
        lines.append(f"c.Request.Headers[{_cs_string(key)}] = new string[] {{{items}}};")
    for key, value in spec["variables"].items():
        lines.append(f"c.Variables[{_cs_string(key)}] = {_cs_value(value)};")
    if spec.get("certificate"):
        path = workdir / f"{spec['certificate']}.cer"
        certificate_der(spec["certificate"], workdir)
        lines.append(
            "c.Request.Certificate = new X509Certificate2("
            f"File.ReadAllBytes({_cs_string(str(path))}));"
        )
    lines.append("return c;")
    return lines


@dataclass
class CSharpFile:
    source: str
    spans: dict[str, tuple[int, int]]  # vector id -> (first line, last line), 1-based


def csharp_file(vectors: Sequence[Vector], workdir: Path) -> CSharpFile:
    lines = _PRELUDE.strip("\n").split("\n")
    spans: dict[str, tuple[int, int]] = {}
    contexts: dict[str, str] = {}
    for i, vector in enumerate(vectors):
        key = repr(sorted(vector.merged_context.items(), key=lambda kv: kv[0]))
        if key not in contexts:
            name = f"Context{len(contexts)}"
            contexts[key] = name
            lines.append(f"    static Ctx {name}() {{")
            lines += ["        " + line for line in _cs_context(vector.merged_context, workdir)]
            lines.append("    }")
        first = len(lines) + 1
        body = vector.expr[1:].strip()  # drop the '@'
        lines.append(f"    static object V{i}(Ctx context) // {vector.id}")
        if body.startswith("{"):
            lines += ["    " + line for line in body.split("\n")]
        else:
            lines.append("    {")
            lines += ["        return " + line for line in body.split("\n")[:1]]
            lines += ["        " + line for line in body.split("\n")[1:]]
            lines[-1] += ";"
            lines.append("    }")
        spans[vector.id] = (first, len(lines))
    lines.append("    public static void Main() {")
    lines.append("        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;")
    lines.append(
        "        System.Threading.Thread.CurrentThread.CurrentCulture = CultureInfo.InvariantCulture;"
    )
    lines.append("        Console.OutputEncoding = new UTF8Encoding(false);")
    for i, vector in enumerate(vectors):
        key = repr(sorted(vector.merged_context.items(), key=lambda kv: kv[0]))
        lines.append(f"        Run({_cs_string(vector.id)}, () => V{i}({contexts[key]}()));")
    lines.append("    }")
    lines.append("}")
    return CSharpFile("\n".join(lines) + "\n", spans)


def have_mono() -> bool:
    return bool(shutil.which("mcs") and shutil.which("mono") and NEWTONSOFT.exists())


_MCS_ERROR = re.compile(r"oracle\.cs\((\d+),\d+\): error (CS\d+)")


def run_mono(vectors: Sequence[Vector], workdir: Path) -> dict[str, str]:
    """Mono's printed result per vector id (`!mcs: CSxxxx` for vectors mcs rejects; `!refused`
    for a `refused` vector that mcs rejects with its code)."""
    valid = [v for v in vectors if v.refused is None]
    invalid = [v for v in vectors if v.refused is not None]
    results = _compile_errors(invalid, workdir, rounds=len(invalid) + 1)
    for vector in invalid:
        codes = (vector.refused or "").split()
        if results.get(vector.id, "").removeprefix("!mcs: ") in codes:
            results[vector.id] = REFUSED
        results.setdefault(vector.id, "!mcs: compiled")  # mcs accepted what should be refused
    return results | _run(valid, workdir)


def _mcs(vectors: list[Vector], workdir: Path) -> dict[str, str]:
    """Compile the vectors into `oracle.exe`; the first error code of each vector mcs rejects
    (empty when it compiles)."""
    generated = csharp_file(vectors, workdir)
    source = workdir / "oracle.cs"
    source.write_text(generated.source, encoding="utf-8")
    compiled = subprocess.run(
        [
            "mcs",
            "-nologo",
            "-codepage:utf8",
            "-warn:0",
            f"-r:{NEWTONSOFT}",
            "-r:System.Web.dll",
            "-r:System.Xml.Linq.dll",
            "-r:System.Core.dll",
            "-r:System.Numerics.dll",
            f"-out:{workdir / 'oracle.exe'}",
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        timeout=600,
    )
    if compiled.returncode == 0:
        return {}
    failed: dict[str, str] = {}
    for line_text, code in _MCS_ERROR.findall(compiled.stdout + compiled.stderr):
        line = int(line_text)
        for ident, (first, last) in generated.spans.items():
            if first <= line <= last:
                failed.setdefault(ident, code)
    if not failed:
        raise RuntimeError("mcs failed outside the vectors:\n" + compiled.stdout[-4000:])
    return failed


def _compile_errors(vectors: list[Vector], workdir: Path, rounds: int) -> dict[str, str]:
    """`!mcs: CSxxxx` for each vector mcs rejects (its first error), compiling again without
    them until the rest compiles."""
    results: dict[str, str] = {}
    remaining = list(vectors)
    for _ in range(rounds):
        if not remaining:
            break
        failed = _mcs(remaining, workdir)
        if not failed:
            break
        results.update((ident, f"!mcs: {code}") for ident, code in failed.items())
        remaining = [v for v in remaining if v.id not in failed]
    return results


def _run(vectors: list[Vector], workdir: Path) -> dict[str, str]:
    """Compile the valid vectors into one program (dropping those mcs rejects) and run it."""
    results: dict[str, str] = {}
    remaining = list(vectors)
    for _ in range(8):
        failed = _mcs(remaining, workdir)
        if not failed:
            break
        results.update((ident, f"!mcs: {code}") for ident, code in failed.items())
        remaining = [v for v in remaining if v.id not in failed]
    else:
        raise RuntimeError("mcs kept failing")
    env = dict(os.environ, TZ="UTC", MONO_PATH=str(NEWTONSOFT.parent), LANG="C.UTF-8")
    run = subprocess.run(
        ["mono", str(workdir / "oracle.exe")],
        capture_output=True,
        env=env,
        timeout=600,
        check=False,
    )
    for line in run.stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith("@@V "):
            ident, _, text = line[4:].partition("\t")
            results[ident] = text
    for vector in remaining:
        results.setdefault(vector.id, "!mono: no output")
    return results


# --- comparison -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    vector: Vector
    certgate: str
    mono: str | None

    @property
    def expected_ok(self) -> bool:
        return self.certgate == escape(self.vector.expected)

    @property
    def agrees(self) -> bool:
        return self.mono is not None and self.mono == self.certgate


@dataclass
class Report:
    outcomes: list[Outcome]

    @property
    def compared(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.mono is not None]

    @property
    def runtime(self) -> list[Outcome]:
        """The vectors of valid C#, whose printed results are compared (the ≥ 99 % figure)."""
        return [o for o in self.compared if o.vector.refused is None]

    @property
    def refusals(self) -> list[Outcome]:
        """The vectors of invalid C#: both compilers must refuse them."""
        return [o for o in self.compared if o.vector.refused is not None]

    @property
    def agreements(self) -> int:
        return sum(1 for o in self.runtime if o.agrees)

    @property
    def explained(self) -> list[Outcome]:
        return [o for o in self.compared if not o.agrees and o.vector.deviation]

    @property
    def gaps(self) -> list[Outcome]:
        return [o for o in self.compared if not o.agrees and o.vector.gap]

    @property
    def unexplained(self) -> list[Outcome]:
        return [
            o for o in self.compared if not o.agrees and not (o.vector.deviation or o.vector.gap)
        ]

    @property
    def stale_deviations(self) -> list[Outcome]:
        """Vectors that record a deviation or a gap although Mono now agrees."""
        return [o for o in self.compared if o.agrees and (o.vector.deviation or o.vector.gap)]

    @property
    def agreement(self) -> float:
        return self.agreements / len(self.runtime) if self.runtime else 0.0

    def summary(self) -> str:
        refused = sum(1 for o in self.refusals if o.agrees)
        lines = [
            f"vectors: {len(self.outcomes)}, run on Mono: {len(self.runtime)}, "
            f"agree: {self.agreements} ({100 * self.agreement:.2f} %), "
            f"explained deviations: {len(self.explained)}, unexplained: {len(self.unexplained)}",
            f"invalid C#: {len(self.refusals)}, refused by both: {refused}, "
            f"known gaps: {len(self.gaps)}",
        ]
        by_area: dict[str, list[Outcome]] = {}
        for outcome in self.compared:
            by_area.setdefault(outcome.vector.file, []).append(outcome)
        for name, items in sorted(by_area.items()):
            agree = sum(1 for o in items if o.agrees)
            lines.append(f"  {name}: {agree}/{len(items)}")
        for outcome in self.explained:
            lines.append(
                f"  deviation {outcome.vector.id}: certgate {outcome.certgate!r}, "
                f"mono {outcome.mono!r} -- {outcome.vector.deviation}"
            )
        for outcome in self.gaps:
            lines.append(f"  gap {outcome.vector.id}: {outcome.vector.gap}")
        for outcome in self.unexplained:
            lines.append(
                f"  DISAGREE {outcome.vector.id}: certgate {outcome.certgate!r}, "
                f"mono {outcome.mono!r}  [{outcome.vector.expr}]"
            )
        return "\n".join(lines)


def evaluate(vectors: Iterable[Vector], workdir: Path, *, mono: bool) -> Report:
    vectors = list(vectors)
    ours = {v.id: certgate_result(v, workdir) for v in vectors}
    theirs = run_mono(vectors, workdir) if mono else {}
    return Report([Outcome(v, ours[v.id], theirs.get(v.id)) for v in vectors])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every vector's results")
    parser.add_argument("--keep", type=Path, help="keep the generated C# in this folder")
    parser.add_argument("--no-mono", action="store_true", help="only check `expected`")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        workdir = args.keep or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        mono = have_mono() and not args.no_mono
        report = evaluate(load_vectors(), workdir, mono=mono)
    wrong = [o for o in report.outcomes if not o.expected_ok and not o.vector.gap]
    for outcome in wrong:
        print(
            f"EXPECTED {outcome.vector.id}: got {outcome.certgate!r}, "
            f"expected {escape(outcome.vector.expected)!r}"
        )
    if args.verbose:
        for o in report.outcomes:
            print(f"{o.vector.id}\t{o.certgate}\t{o.mono}")
    if mono:
        print(report.summary())
    else:
        print(f"vectors: {len(report.outcomes)} (mcs/mono not found: expected values only)")
    ok = not wrong and (not mono or not report.unexplained)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
