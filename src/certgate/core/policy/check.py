"""`certgate policy check`: read a policy document the way APIM's save-time validation does (§3.7).

A document is a `<policies>` document, a `<fragment>`, or a bare snippet of policy elements (read
with `rawxml.parse_many`; top-level section elements such as `<inbound>` are read as sections).
Every policy statement is validated:

* by its builder from `builders.REGISTRY` when certgate can run it (what `certgate serve` accepts);
* by the declarative schema (`schema.POLICIES`) in every case, which covers every APIM policy. A
  policy certgate cannot run yet is valid APIM: the document passes and is counted as not runnable.

Every expression in an attribute or element text is compiled with `compile_expression` (with
`context_type=RequestContext`). A construct the compiler does not support yet (`NotSupportedError`)
makes the document not runnable, not failed; a syntax error or a type or member outside APIM's
allow-list fails it. The compiler names members of context types it does not model yet in APIM's
own words; when APIM documents the member (`schema.CONTEXT_MEMBERS`, spec §2) or allows every
member of the type (`schema.UNRESTRICTED_TYPES`, LINQ, APIM's extension methods), that is a
certgate gap and counts as not runnable too.

Checked standalone, references only a gateway can resolve are warnings, not failures:

* `{{named-value}}` (names as APIM allows them: letters, digits, `.`, `-`, `_`). In a literal value
  the reference is left as is and the value's kind (bool, int, enum) is not checked, because the
  named value may hold anything, even an expression (spec §3.1). Inside an expression the reference
  is replaced, for compiling only, by a placeholder of the same length, so positions stay exact:
  inside a C# string literal by inert text (`__name__`), in code by a string literal (`"_name_"`),
  and if the expression then does not compile, by `0` and by `true` (a named value in code is
  usually a number or a Boolean). In a Liquid template (`template="liquid"`) `{{ }}` is Liquid.
* `backend-id` (and `embeddings-backend-id`) and `include-fragment@fragment-id`: the entity cannot
  be looked up; the included fragment's policies are not checked.

Other warnings: children out of the documented order (spec §3.2), and a `when` whose condition is
true exactly for the certificates uploaded to APIM while its body returns a 4xx response (the 2017
documentation policy without `!`, spec §7.1), found on the condition's syntax tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from certgate.core.context import RequestContext
from certgate.core.expr import compile_expression, is_expression
from certgate.core.expr import syntax as cs
from certgate.core.expr.lower_stmt import BlockLowerer
from certgate.core.expr.parse import parse as parse_csharp
from certgate.core.policy import document as _registers_builders  # noqa: F401
from certgate.core.policy import rawxml
from certgate.core.policy.builders import APIM_POLICIES, REGISTRY, Where
from certgate.core.policy.schema import (
    APIM_CONTEXT_TYPES,
    CONTEXT_MEMBERS,
    EXTENSION_METHODS,
    LINQ_METHODS,
    POLICIES,
    SECTIONS,
    UNRESTRICTED_TYPES,
    Attr,
    Child,
    Element,
    Kind,
    Order,
    Text,
)
from certgate.core.policy.xmltree import Pos, XmlAttr, XmlElement
from certgate.errors import ExpressionError, LoadError, NotSupportedError, PolicyError

__all__ = [
    "CheckReport",
    "DocumentReport",
    "Finding",
    "check_document",
    "check_paths",
    "collect_documents",
]

NAMED_VALUE: Final = re.compile(r"\{\{([A-Za-z0-9._-]+)\}\}")
# A whole value that a deployment template fills before upload: format strings `{name}`,
# Terraform/Bicep `${name}`, Azure Pipelines `$(name)`, replace-tokens `#{name}#`, `#name#`,
# `__name__`. Only consulted where a literal of another kind (integer, Boolean, enumeration,
# policy elements) is required, so an APIM URI template such as `{id}` is never mistaken for one.
_NAME = r"[A-Za-z_][\w.-]*"
TEMPLATE_PLACEHOLDER: Final = re.compile(
    rf"\{{{_NAME}\}}|\$\{{{_NAME}\}}|\$\({_NAME}\)|#\{{{_NAME}\}}#|#{_NAME}#|__{_NAME}__"
)
_MEMBER_ERROR: Final = re.compile(
    r"Usage of member '([^']+)' of type '([^']+)' is not supported within expressions"
)
_TYPE_ERROR: Final = re.compile(r"The type or namespace name '([^']+)' could not be found")
_SECTION_ELEMENTS: Final = {name: Element(name, statements=True) for name in SECTIONS}
_POLICIES_ROOT: Final = Element(
    "policies", children=tuple(Child(_SECTION_ELEMENTS[name]) for name in SECTIONS)
)
_FRAGMENT_ROOT: Final = Element("fragment", statements=True)


def _policy_parts() -> dict[str, tuple[str, Element]]:
    """Child elements of policies by name, with their policy, where the name has one meaning.

    An excerpt may show an element of a policy without the policy (a `query-request` of
    `cosmosdb-data-source`); it is checked against its schema there.
    """
    found: dict[str, list[tuple[str, Element]]] = {}

    def walk(policy: str, element: Element) -> None:
        for child in element.children:
            found.setdefault(child.element.name, []).append((policy, child.element))
            walk(policy, child.element)

    for name, policy in POLICIES.items():
        walk(name, policy)
    return {
        name: uses[0]
        for name, uses in found.items()
        if name not in POLICIES and all(use[1] == uses[0][1] for use in uses)
    }


_POLICY_PARTS: Final = _policy_parts()


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    element: str | None
    line: int | None
    column: int | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "element": self.element,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def render(self, label: str = "") -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column if self.column is not None else 1}"
        element = f"{self.element}: " if self.element else ""
        return f"{where}: {label}{element}{self.message}"


@dataclass(slots=True)
class DocumentReport:
    path: str
    failures: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    # Why certgate cannot run it yet: "policy 'cors'", "expression: C# statement 'foreach'", ...
    not_runnable: set[str] = field(default_factory=set)
    expressions: int = 0
    expressions_compiled: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def runnable(self) -> bool:
        return self.passed and not self.not_runnable


@dataclass(slots=True)
class CheckReport:
    documents: list[DocumentReport]

    @property
    def passed(self) -> int:
        return sum(1 for d in self.documents if d.passed)

    @property
    def failed(self) -> int:
        return len(self.documents) - self.passed

    @property
    def not_runnable(self) -> int:
        """Documents that pass but use something certgate cannot run yet."""
        return sum(1 for d in self.documents if d.passed and d.not_runnable)

    @property
    def expressions(self) -> int:
        return sum(d.expressions for d in self.documents)

    @property
    def expressions_compiled(self) -> int:
        return sum(d.expressions_compiled for d in self.documents)

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": len(self.documents),
            "passed": self.passed,
            "failed": self.failed,
            "not_runnable": self.not_runnable,
            "expressions": self.expressions,
            "expressions_compiled": self.expressions_compiled,
            "failures": [f.as_json() for d in self.documents for f in d.failures],
        }


# --- entry points -------------------------------------------------------------------------------


def collect_documents(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders searched recursively for `*.xml` (sorted); FileNotFoundError."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.xml") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return found


def check_paths(paths: Iterable[Path]) -> CheckReport:
    reports = []
    for path in collect_documents(paths):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            report = DocumentReport(str(path))
            report.failures.append(Finding(str(path), None, None, None, f"cannot read: {exc}"))
            reports.append(report)
            continue
        reports.append(check_document(text, str(path)))
    return CheckReport(reports)


def check_document(text: str, path: str) -> DocumentReport:
    """Check one document (any of the three shapes); never raises for a bad document."""
    checker = _Checker(path)
    elisions: list[Pos] = []
    try:
        roots = rawxml.parse_many(text, path, elisions=elisions)
    except PolicyError as exc:
        checker.fail_error(exc)
        return checker.report
    for pos in elisions:
        checker.elision(None, pos)
    if not roots:
        checker.fail(None, None, "The document holds no policy element.")
    for root in roots:
        checker.root(root)
    return checker.report


# --- named values and placeholders --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Site:
    start: int
    end: int
    name: str
    in_string: bool


def _named_value_sites(code: str) -> list[_Site]:
    """`{{name}}` references in C# text, each marked as inside a string literal or in code.

    A small C# lexer: regular, verbatim and interpolated strings (with nested holes), char
    literals and comments. A reference is one token wherever it is (APIM substitutes before C#
    sees the text, so `{{` here is never an interpolated string's escaped brace).
    """
    return _Lexer(code).sites()


class _Lexer:
    def __init__(self, code: str) -> None:
        self.code = code
        # One frame per nesting level: [mode, brace depth]; modes: code, str, verbatim,
        # interp, interp-verbatim, char, line-comment, block-comment. A code frame above an
        # interp frame is a hole.
        self.stack: list[list[Any]] = [["code", 0]]

    def sites(self) -> list[_Site]:
        found: list[_Site] = []
        i, code = 0, self.code
        while i < len(code):
            match = NAMED_VALUE.match(code, i)
            if match is not None:
                found.append(_Site(i, match.end(), match.group(1), self.stack[-1][0] != "code"))
                i = match.end()
            elif self.stack[-1][0] == "code":
                i = self.in_code(i)
            else:
                i = self.in_literal(i)
        return found

    def in_code(self, i: int) -> int:
        code, stack = self.code, self.stack
        char, pair = code[i], code[i : i + 2]
        if pair in ("//", "/*"):  # named values in comments are substituted too: inert there
            stack.append(["line-comment" if pair == "//" else "block-comment", 0])
            return i + 2
        if code.startswith(('$@"', '@$"'), i):
            stack.append(["interp-verbatim", 0])
            return i + 3
        if pair in ('@"', '$"'):
            stack.append(["verbatim" if pair == '@"' else "interp", 0])
            return i + 2
        if char in "\"'":
            stack.append(["str" if char == '"' else "char", 0])
        elif char == "{" and len(stack) > 1:
            stack[-1][1] += 1
        elif char == "}" and len(stack) > 1:
            if stack[-1][1] == 0:
                stack.pop()  # the end of an interpolation hole
            else:
                stack[-1][1] -= 1
        return i + 1

    def in_literal(self, i: int) -> int:
        mode = self.stack[-1][0]
        char, pair = self.code[i], self.code[i : i + 2]
        if mode.endswith("comment"):
            end = "\n" if mode == "line-comment" else "*/"
            if self.code.startswith(end, i):
                self.stack.pop()
                return i + len(end)
            return i + 1
        verbatim = mode in ("verbatim", "interp-verbatim")
        interpolated = mode in ("interp", "interp-verbatim")
        if (not verbatim and char == "\\") or (verbatim and pair == '""'):
            return i + 2
        if interpolated and pair in ("{{", "}}"):
            return i + 2
        if interpolated and char == "{":
            self.stack.append(["code", 0])
        elif (mode == "char" and char == "'") or (mode != "char" and char == '"'):
            self.stack.pop()
        return i + 1


def _placeholder_variants(code: str, sites: Sequence[_Site]) -> list[str]:
    """The expression with every reference replaced, in the variants tried in order."""
    if not sites:
        return [code]
    code_sites = [s for s in sites if not s.in_string]
    kinds = ["string", "int", "bool"] if code_sites else ["string"]
    variants = []
    for kind in kinds:
        out, last = [], 0
        for site in sites:
            width = site.end - site.start
            safe = re.sub(r"[^A-Za-z0-9_]", "_", site.name)
            if site.in_string:
                replacement = f"__{safe}__"
            elif kind == "string":
                replacement = f'"_{safe}_"'
            else:
                replacement = ("1" if kind == "int" else "true").ljust(width)  # 1: no x / 0
            out += [code[last : site.start], replacement]
            last = site.end
        out.append(code[last:])
        variants.append("".join(out))
    return variants


def _position(value: str, start: Pos, offset: int) -> Pos:
    newline = value.rfind("\n", 0, offset)
    if newline < 0:
        return Pos(start.line, start.column + offset)
    return Pos(start.line + value.count("\n", 0, offset), offset - newline)


def _line_column(pos: Pos | None) -> tuple[int | None, int | None]:
    return (pos.line, pos.column) if pos is not None else (None, None)


def _is_liquid(el: XmlElement) -> bool:
    template = el.attrs.get("template")
    return template is not None and template.value.strip().lower() == "liquid"


# --- classification of compiler errors ----------------------------------------------------------


def _short(type_name: str) -> str:
    return type_name.split("<", 1)[0].rstrip("[]?").rsplit(".", 1)[-1]


def certgate_gap(error: ExpressionError) -> str | None:
    """What certgate lacks, when the compiler refused something APIM documents; else None."""
    member = _MEMBER_ERROR.fullmatch(error.message)
    if member is not None:
        name, type_name = member.groups()
        short = _short(type_name)
        if name in LINQ_METHODS or name in EXTENSION_METHODS:
            return f"extension method '{name}' on type '{type_name}'"
        known = CONTEXT_MEMBERS.get(short)
        if known is not None:  # the members are documented: anything else is an error
            return f"member '{name}' of type '{type_name}'" if name in known else None
        if short in UNRESTRICTED_TYPES or type_name in UNRESTRICTED_TYPES:
            return f"member '{name}' of type '{type_name}'"
        return None
    missing = _TYPE_ERROR.fullmatch(error.message)
    if missing is not None and _short(missing.group(1)) in APIM_CONTEXT_TYPES:
        return f"APIM type '{missing.group(1)}'"
    return None


# --- the 2017 uploaded-certificates condition (spec §7.1) ---------------------------------------


def _rank(outcome: Exception | None) -> int:
    """Order of preference between the outcomes of compiling placeholder variants."""
    if outcome is None:
        return 0
    if isinstance(outcome, NotSupportedError):
        return 1
    if isinstance(outcome, ExpressionError):
        return 2 if certgate_gap(outcome) is not None else 4
    return 3


def _strip(node: cs.Expr) -> cs.Expr:
    while isinstance(node, cs.Paren):
        node = node.inner
    return node


def _chain(node: cs.Expr) -> list[str] | None:
    """`a.b.c` (also `a?.b.c`) as ["a", "b", "c"]; None for anything else."""
    node = _strip(node)
    if isinstance(node, cs.Name):
        return [node.name]
    if isinstance(node, cs.Hole):
        return []
    if isinstance(node, cs.Member) and node.type_args is None:
        head = _chain(node.target)
        return None if head is None else [*head, node.name]
    if isinstance(node, cs.NullCond):
        head, tail = _chain(node.receiver), _chain(node.body)
        return None if head is None or tail is None else head + tail
    return None


def _disjuncts(node: cs.Expr) -> Iterator[cs.Expr]:
    node = _strip(node)
    if isinstance(node, cs.Binary) and node.op == "||":
        yield from _disjuncts(node.left)
        yield from _disjuncts(node.right)
    else:
        yield node


def _is_uploaded_membership(node: cs.Expr) -> bool:
    """`context.Deployment.Certificates.Any(c => c.Value.Thumbprint == <request thumbprint>)`."""
    node = _strip(node)
    if not (isinstance(node, cs.Invoke) and len(node.args) == 1):
        return False
    target = _strip(node.target)
    if not (isinstance(target, cs.Member) and target.name == "Any"):
        return False
    if _chain(target.target) != ["context", "Deployment", "Certificates"]:
        return False
    lam = node.args[0].value
    if not (isinstance(lam, cs.Lambda) and len(lam.params) == 1):
        return False
    if isinstance(lam.body, cs.Block):
        return False
    body = _strip(lam.body)
    if not (isinstance(body, cs.Binary) and body.op == "=="):
        return False
    sides = {tuple(_chain(body.left) or ()), tuple(_chain(body.right) or ())}
    param = lam.params[0].name
    request = ("context", "Request", "Certificate", "Thumbprint")
    return sides == {(param, "Value", "Thumbprint"), request}


def _syntax_tree(text: str) -> cs.Expr | None:
    """The lowered syntax tree of an `@(...)` expression; None for blocks or what cannot lower."""
    try:
        parsed = parse_csharp(text, source=None, element=None, line=1, column=1)
        if parsed.is_block:
            return None
        tree = BlockLowerer(parsed.source_map).expr(parsed.body)
    except LoadError:
        return None
    return None if isinstance(tree, cs.Block) else tree


def _returns_4xx(statements: Sequence[XmlElement]) -> bool:
    for statement in statements:
        if statement.tag != "return-response":
            continue
        for child in statement.children:
            code = child.attrs.get("code") if child.tag == "set-status" else None
            if code is not None and re.fullmatch(r"\s*4\d\d\s*", code.value):
                return True
    return False


# --- the walker ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    section: str | None  # None: not known (a fragment or a bare snippet)
    in_fragment: bool = False
    only: frozenset[str] | None = None  # `wait`: the policies allowed as statements


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.report = DocumentReport(path)
        self._seen: set[tuple[int | None, int | None, str]] = set()
        self._compiled: dict[tuple[str, int, int], tuple[str, Exception | None]] = {}

    # findings

    def fail(self, element: str | None, pos: Pos | None, message: str) -> None:
        self._add(self.report.failures, Finding(self.path, element, *_line_column(pos), message))

    def fail_error(self, exc: LoadError) -> None:
        pos = Pos(exc.line, exc.column or 1) if exc.line is not None else None
        self.fail(exc.element, pos, exc.message)

    def warn(self, element: str | None, pos: Pos | None, message: str) -> None:
        self._add(self.report.warnings, Finding(self.path, element, *_line_column(pos), message))

    def _add(self, findings: list[Finding], finding: Finding) -> None:
        """Once per place and message (nested builders may see the same element twice)."""
        key = (finding.line, finding.column, finding.message)
        if key not in self._seen:
            self._seen.add(key)
            findings.append(finding)

    # document shapes

    def root(self, el: XmlElement) -> None:
        if el.tag == "policies":
            self.element(el, _POLICIES_ROOT, _Place(None))
        elif el.tag == "fragment":
            self.element(el, _FRAGMENT_ROOT, _Place(None, in_fragment=True))
        elif el.tag in _SECTION_ELEMENTS:
            self.element(el, _SECTION_ELEMENTS[el.tag], _Place(el.tag))
        elif el.tag == "base":
            self.base(el, allowed=True)
        elif el.tag in _POLICY_PARTS:
            policy, schema = _POLICY_PARTS[el.tag]
            self.warn(el.tag, el.pos, f"an excerpt: checked as an element of policy '{policy}'.")
            self.element(el, schema, _Place(None))
        else:
            self.statement(el, _Place(None), top=True)

    def base(self, el: XmlElement, *, allowed: bool, in_fragment: bool = False) -> None:
        if in_fragment:
            self.fail("base", el.pos, "The 'base' element is not allowed in a fragment.")
        elif not allowed:
            message = "The 'base' element is only allowed directly in a section."
            self.fail("base", el.pos, message)
        elif el.attrs or el.children:
            self.fail("base", el.pos, "The 'base' element takes no attributes or children.")
        elif el.text is not None and el.text.strip():
            self.fail("base", el.text_pos or el.pos, "The element 'base' cannot contain text.")

    # statements

    def statement(self, el: XmlElement, place: _Place, *, top: bool = False) -> None:
        failures = len(self.report.failures)
        schema = POLICIES.get(el.tag)
        if schema is None:
            if el.tag in _SECTION_ELEMENTS and place.in_fragment:
                message = f"A fragment cannot contain the section '{el.tag}'."
            elif el.tag in _SECTION_ELEMENTS:
                message = f"The section '{el.tag}' is only allowed directly in 'policies'."
            else:
                message = f"Unknown policy '{el.tag}'."
            self.fail(el.tag, el.pos, message)
            return
        sections = schema.sections or frozenset()
        if not sections and not top:
            self.fail(
                el.tag,
                el.pos,
                f"Policy '{el.tag}' is not allowed here; it is only used "
                "in a GraphQL resolver policy.",
            )
        elif place.section is not None and place.section not in sections:
            message = f"Policy '{el.tag}' is not allowed in the '{place.section}' section."
            self.fail(el.tag, el.pos, message)
        if place.only is not None and el.tag not in place.only:
            allowed = ", ".join(sorted(place.only))
            self.fail(el.tag, el.pos, f"Policy '{el.tag}' is not allowed here; allowed: {allowed}.")
        if place.in_fragment and el.tag == "include-fragment":
            self.fail(el.tag, el.pos, "A fragment cannot include another fragment.")
        self.element(el, schema, place)
        self.build(el, place, sections, schema_ok=len(self.report.failures) == failures)
        if el.tag == "choose":
            self.uploaded_certificates_check(el)

    def build(
        self, el: XmlElement, place: _Place, sections: frozenset[str], *, schema_ok: bool
    ) -> None:
        """Ask certgate's own builder (what `certgate serve` accepts) whether it can run `el`.

        The schema decides validity; the builder decides runnability. When the builder refuses an
        element the schema accepted, that is certgate's limit, not an APIM error: the document
        stays valid, is not runnable, and the refusal is shown as a warning. When the schema found
        a problem in the element already, the builder's view of it adds nothing.
        """
        if el.tag not in APIM_POLICIES:
            self.report.not_runnable.add(f"policy '{el.tag}'")
            return
        section = place.section or next((s for s in SECTIONS if s in sections), "inbound")
        where = Where(self.path, "api", section, f"{el.tag}[1]")
        literal_refs: set[tuple[int, int]] = set()
        try:
            REGISTRY.build(self.for_builder(el, literal_refs), where)
        except NotSupportedError as exc:
            self.report.not_runnable.add(exc.what)
        except PolicyError as exc:
            gap = certgate_gap(exc) if isinstance(exc, ExpressionError) else None
            if gap is not None:
                self.report.not_runnable.add(f"expression: {gap}")
            elif schema_ok and (exc.line, exc.column) not in literal_refs:
                self.report.not_runnable.add(f"refused by certgate: {exc.message}")
                pos = Pos(exc.line, exc.column or 1) if exc.line is not None else el.pos
                self.warn(exc.element or el.tag, pos, f"certgate cannot run this: {exc.message}")
        except Exception as exc:  # a builder bug must not stop the check of other documents
            self.internal_error(el, el.pos, exc)

    # elements

    def element(self, el: XmlElement, schema: Element, place: _Place) -> None:
        if schema.opaque:
            return
        liquid = _is_liquid(el)
        self.attributes(el, schema)
        if self.text(el, schema, liquid=liquid):
            return  # a template placeholder stands for the element's content
        if schema.statements:
            self.statements(el, schema, place)
        elif schema.text is Text.PAYLOAD:
            return  # an XML payload: not validated
        else:
            self.children(el, schema, place)

    def attributes(self, el: XmlElement, schema: Element) -> None:
        for name, attr in el.attrs.items():
            spec = schema.attr(name)
            if spec is None:
                if (name == "id" and schema.is_policy) or name.startswith(schema.extra_prefixes):
                    spec = Attr(name)
                else:
                    self.fail(el.tag, attr.pos, f"The '{name}' attribute is not declared.")
                    continue
            self.value(el, attr.value, attr.pos, spec, f"attribute '{name}'")
            if spec.ref is not None:
                self.reference(el, attr, spec.ref)
        for spec in schema.attrs:
            if spec.required and spec.name not in el.attrs:
                self.fail(el.tag, el.pos, f"The required attribute '{spec.name}' is missing.")
        for rule in schema.rules:
            present = [n for n in rule.names if n in el.attrs]
            names = " or ".join(f"'{n}'" for n in rule.names)
            if not present and rule.kind in ("exactly-one", "at-least-one"):
                self.fail(el.tag, el.pos, f"One of the attributes {names} is required.")
            elif len(present) > 1 and rule.kind in ("exactly-one", "at-most-one"):
                given = " and ".join(f"'{n}'" for n in present)
                self.fail(el.tag, el.pos, f"The attributes {given} cannot be used together.")

    def reference(self, el: XmlElement, attr: XmlAttr, ref: str) -> None:
        value = attr.value.strip()
        if is_expression(value) or NAMED_VALUE.search(value):
            return  # computed at run time, or already reported as a named value
        if ref == "fragment":
            message = (
                f"fragment '{value}' is resolved by the gateway; its policies are not checked here."
            )
        else:
            message = f"{ref} '{value}' is resolved by the gateway; it is not checked here."
        self.warn(el.tag, attr.pos, message)

    def text(self, el: XmlElement, schema: Element, *, liquid: bool) -> bool:
        """Check the element's text; True when a template placeholder is its whole content."""
        text = el.text or ""
        pos = el.text_pos or el.pos
        if not text.strip():
            return False
        if schema.text is Text.NONE or schema.statements:
            content = text.strip()
            if all(rawxml.ELISION.fullmatch(part) for part in content.split()):
                self.elision(el.tag, pos)
            elif TEMPLATE_PLACEHOLDER.fullmatch(content) and not el.children:
                self.template_placeholder(el, content, pos)
                return True
            else:
                self.fail(el.tag, pos, f"The element '{el.tag}' cannot contain text.")
        elif schema.text is Text.PAYLOAD:
            if not liquid and not el.children:
                self.value(el, text, pos, Attr("", expr=True), "text", liquid=liquid)
        else:
            spec = Attr("", expr=schema.text is Text.EXPR)
            self.value(el, text, pos, spec, "text")
        return False

    def statements(self, el: XmlElement, schema: Element, place: _Place) -> None:
        is_section = _SECTION_ELEMENTS.get(el.tag) is schema
        inner = _Place(
            el.tag if is_section else place.section,
            place.in_fragment,
            schema.statement_filter,
        )
        for child in el.children:
            if child.tag == "base":
                self.base(child, allowed=is_section, in_fragment=place.in_fragment)
            else:
                self.statement(child, inner)

    def children(self, el: XmlElement, schema: Element, place: _Place) -> None:
        counts: dict[str, int] = {}
        furthest = -1
        for child in el.children:
            entry = schema.child(child.tag)
            if entry is None:
                self.fail(child.tag, child.pos, _invalid_child(el.tag, child.tag, schema))
                continue
            index, spec = entry
            counts[child.tag] = counts.get(child.tag, 0) + 1
            if spec.max is not None and counts[child.tag] == spec.max + 1:
                self.fail(
                    child.tag,
                    child.pos,
                    f"The element '{el.tag}' cannot contain more than {spec.max} "
                    f"'{child.tag}' element{'s' if spec.max != 1 else ''}.",
                )
            if index < furthest and schema.order is not Order.ANY:
                message = (
                    f"'{child.tag}' is out of order in '{el.tag}'; the documented order is "
                    + ", ".join(c.element.name for c in schema.children)
                    + "."
                )
                if schema.order is Order.STRICT:
                    self.fail(child.tag, child.pos, message)
                else:
                    self.warn(child.tag, child.pos, message)
            furthest = max(furthest, index)
            self.element(child, spec.element, place)
        for spec in schema.children:
            if counts.get(spec.element.name, 0) < spec.min:
                self.fail(
                    el.tag,
                    el.pos,
                    f"The element '{el.tag}' needs a '{spec.element.name}' child element.",
                )

    # values

    def value(
        self,
        el: XmlElement,
        text: str,
        pos: Pos,
        spec: Attr,
        what: str,
        *,
        liquid: bool = False,
    ) -> None:
        if is_expression(text):
            self.report.expressions += 1
            if not spec.expr:
                self.fail(el.tag, pos, f"The {what} does not accept policy expressions.")
                return
            self.expression(el, text, pos)
            return
        refs = [] if liquid else list(NAMED_VALUE.finditer(text))
        for ref in refs:
            self.named_value(el, ref.group(1), _position(text, pos, ref.start()))
        if refs:
            return  # the named value's content decides the value's kind
        literal = text.strip()
        if spec.kind is not Kind.STRING and TEMPLATE_PLACEHOLDER.fullmatch(literal):
            self.template_placeholder(el, literal, pos)
        elif spec.kind is Kind.BOOL and literal.lower() not in ("true", "false"):
            tail = " or an expression" if spec.expr else ""
            self.fail(el.tag, pos, f"The {what} must be 'true' or 'false'{tail}.")
        elif spec.kind is Kind.INT and not re.fullmatch(r"[+-]?\d+", literal):
            tail = " or an expression" if spec.expr else ""
            self.fail(el.tag, pos, f"The {what} must be an integer{tail}.")
        elif spec.kind is Kind.NUMBER and not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", literal):
            self.fail(el.tag, pos, f"The {what} must be a number.")
        elif spec.kind is Kind.ENUM and literal.lower() not in {v.lower() for v in spec.values}:
            allowed = ", ".join(f"'{v}'" for v in spec.values)
            self.fail(el.tag, pos, f"The {what} must be one of {allowed}.")

    def for_builder(self, el: XmlElement, literal_refs: set[tuple[int, int]]) -> XmlElement:
        """A copy for the builder, with named values in expressions replaced by placeholders.

        Positions of literal values holding a named value or a template placeholder go to
        `literal_refs`: the builder cannot judge those (they may hold anything); the schema walk
        has warned about them.
        """

        def value(text: str, pos: Pos) -> str:
            if is_expression(text):
                return self.compiled(text, el.tag, pos)[0]
            if NAMED_VALUE.search(text) or TEMPLATE_PLACEHOLDER.fullmatch(text.strip()):
                literal_refs.add((pos.line, pos.column))
            return text

        attrs = {n: XmlAttr(n, value(a.value, a.pos), a.pos) for n, a in el.attrs.items()}
        text = el.text
        if text is not None and not _is_liquid(el):
            text = value(text, el.text_pos or el.pos)
            if not el.children and TEMPLATE_PLACEHOLDER.fullmatch(text.strip()):
                literal_refs.add((el.pos.line, el.pos.column))  # it stands for the content
        children = [self.for_builder(child, literal_refs) for child in el.children]
        return XmlElement(el.tag, el.pos, attrs, children, text, el.text_pos)

    def internal_error(self, el: XmlElement, pos: Pos, exc: Exception) -> None:
        what = f"internal error {type(exc).__name__}"
        self.report.not_runnable.add(what)
        self.warn(
            el.tag, pos, f"certgate failed on this ({type(exc).__name__}: {exc}); please report it."
        )

    def named_value(self, el: XmlElement, name: str, pos: Pos) -> None:
        message = f"named value '{name}' is resolved by the gateway; it is not checked here."
        self.warn(el.tag, pos, message)

    def template_placeholder(self, el: XmlElement, placeholder: str, pos: Pos) -> None:
        message = (
            f"'{placeholder}' is a deployment-template placeholder; fill it before upload "
            "(the value it stands for is not checked here)."
        )
        self.warn(el.tag, pos, message)

    def elision(self, element: str | None, pos: Pos) -> None:
        self.warn(element, pos, "an elision marker: this excerpt leaves content out here.")

    def expression(self, el: XmlElement, text: str, pos: Pos) -> None:
        sites = _named_value_sites(text)
        for site in sites:
            self.named_value(el, site.name, _position(text, pos, site.start))
        _, outcome = self.compiled(text, el.tag, pos)
        if outcome is None:
            self.report.expressions_compiled += 1
        elif isinstance(outcome, NotSupportedError):
            self.report.not_runnable.add(f"expression: {outcome.what}")
        elif isinstance(outcome, ExpressionError):
            gap = certgate_gap(outcome)
            if gap is not None:
                self.report.not_runnable.add(f"expression: {gap}")
            else:
                self.fail_error(outcome)
        else:  # a compiler bug must not stop the check of other documents
            self.internal_error(el, pos, outcome)

    def compiled(self, text: str, element: str, pos: Pos) -> tuple[str, Exception | None]:
        """Compile `text` with its named values replaced: the variant used and what went wrong.

        Variants are tried in order (see `_placeholder_variants`) until one compiles; otherwise
        the most telling outcome wins: a construct not supported yet, then a certgate gap, then a
        compiler crash, then (the first) error. Memoized per value, so the builder is handed the
        same variant.
        """
        key = (text, pos.line, pos.column)
        if key not in self._compiled:
            outcomes: list[tuple[int, str, Exception | None]] = []
            for variant in _placeholder_variants(text, _named_value_sites(text)):
                outcome = self._compile(variant, element, pos)
                outcomes.append((_rank(outcome), variant, outcome))
                if outcome is None:
                    break
            _, variant, outcome = min(outcomes, key=lambda o: o[0])
            self._compiled[key] = (variant, outcome)
        return self._compiled[key]

    def _compile(self, text: str, element: str, pos: Pos) -> Exception | None:
        try:
            compile_expression(
                text,
                source=self.path,
                element=element,
                line=pos.line,
                column=pos.column,
                context_type=RequestContext,
            )
        except Exception as exc:  # sorted out by the caller, a compiler crash included
            return exc
        return None

    # warnings on meaning

    def uploaded_certificates_check(self, choose: XmlElement) -> None:
        for when in choose.children:
            condition = when.attrs.get("condition") if when.tag == "when" else None
            if condition is None or not is_expression(condition.value):
                continue
            if not _returns_4xx(when.children):
                continue
            code = _placeholder_variants(condition.value, _named_value_sites(condition.value))[0]
            tree = _syntax_tree(code)
            if tree is None:
                continue
            if any(_is_uploaded_membership(d) for d in _disjuncts(tree)):
                self.warn(
                    "when",
                    condition.pos,
                    "the condition is true exactly for certificates uploaded to APIM: "
                    "'context.Deployment.Certificates.Any(...)' lacks '!', so this 4xx response "
                    "rejects the uploaded certificates and admits all others (the 2017 "
                    "documentation bug, spec §7.1).",
                )


def _invalid_child(parent: str, child: str, schema: Element) -> str:
    if not schema.children:
        return f"The element '{parent}' cannot contain child element '{child}'."
    expected = ", ".join(f"'{c.element.name}'" for c in schema.children)
    return (
        f"The element '{parent}' has invalid child element '{child}'. "
        f"List of possible elements expected: {expected}."
    )
