"""LINQ to XML as the runtime provides it: what Mono cannot show, and the security limits.

Agreement with .NET itself is measured by tests/conformance/vectors/xml.yaml (Mono); these tests
pin the hardening (no DTD, bounded depth, iterative walks, weak name interning), the Windows line
breaks, and the members refused at load time.
"""

from __future__ import annotations

import gc
import time

import pytest

from certgate.core.expr import compile_expression
from certgate.core.expr.budget import ExpressionBudget
from certgate.core.expr.jsonio import NEWLINE
from certgate.core.expr.xlinq import BODY_CONVERTERS, _deep_equals
from certgate.core.expr.xnames import NONE, XName, XNamespace
from certgate.core.expr.xparse import MAX_DEPTH, parse_document, parse_element
from certgate.core.expr.xtree import XElement
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import Context, evaluate, make_context

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]><lolz>&lol9;</lolz>"
)
EXTERNAL_ENTITY = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
EXTERNAL_DTD = '<!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>'


def _xml_error(text: str) -> ExpressionRuntimeError:
    with pytest.raises(ExpressionRuntimeError) as info:
        parse_document(text)
    assert info.value.exception_type == "XmlException"
    return info.value


# --- DTDs and entities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, "<!DOCTYPE a><a/>"]
)
def test_any_dtd_is_refused_before_anything_is_expanded(text: str) -> None:
    # .NET's XDocument.Parse would process an internal subset (entity expansion capped at 10
    # million characters); certgate refuses every DTD outright, so nothing is ever declared,
    # expanded or fetched.
    started = time.perf_counter()
    error = _xml_error(text)
    assert "DTD is prohibited" in str(error)
    assert "Line 1" in str(error)
    assert time.perf_counter() - started < 1.0


def test_dtd_refused_in_an_expression_and_in_a_request_body(typed: bool) -> None:
    literal = BILLION_LAUGHS.replace('"', '\\"')
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(f'@(XDocument.Parse("{literal}").Root.Value.Length)', typed=typed)
    assert info.value.exception_type == "XmlException"
    with pytest.raises(ExpressionRuntimeError) as body:
        BODY_CONVERTERS["System.Xml.Linq.XDocument"](EXTERNAL_ENTITY.encode())
    assert body.value.exception_type == "XmlException"


def test_an_entity_without_a_declaration_is_an_error_not_an_expansion() -> None:
    assert "undefined entity" in str(_xml_error("<a>&lol9;</a>")).lower()


def test_body_converters_skip_the_byte_order_mark() -> None:
    document = BODY_CONVERTERS["System.Xml.Linq.XDocument"]("\ufeff<a>é</a>".encode())
    element = BODY_CONVERTERS["System.Xml.Linq.XElement"](b"<a><b>1</b></a>")
    assert document.Root.Value == "é"  # type: ignore[attr-defined]
    assert isinstance(element, XElement)
    assert element.Parent is None and element.Document is None


# --- depth ---------------------------------------------------------------------------------------


def test_nesting_up_to_max_depth_parses() -> None:
    root = parse_element("<a>" * MAX_DEPTH + "x" + "</a>" * MAX_DEPTH)
    assert root.Value == "x"
    assert sum(1 for _ in root.DescendantsAndSelf()) == MAX_DEPTH


def test_nesting_deeper_than_max_depth_is_an_xml_exception() -> None:
    depth = MAX_DEPTH + 1
    error = _xml_error("<a>" * depth + "</a>" * depth)
    assert f"deeper than {MAX_DEPTH}" in str(error)
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(f'@(XElement.Parse("{"<a>" * depth}{"</a>" * depth}"))')
    assert info.value.exception_type == "XmlException"


def _deep_tree(depth: int) -> XElement:
    root = XElement("l0")
    current = root
    for i in range(1, depth):
        child = XElement(f"l{i}")
        current.Add(child)
        current = child
    current.Value = "leaf"
    return root


class _PatientContext(Context):
    """The test context with a budget that measures recursion, not speed."""

    __slots__ = ("expression_budget",)


def test_a_tree_5000_levels_deep_built_in_an_expression_walks() -> None:
    # printing 50 million characters does not fit even a generous budget: the walks are checked
    # here, ToString() and the copies on a tree built in Python below
    context = _PatientContext()
    template = make_context()
    context.Request, context.Deployment, context.Variables = (
        template.Request,
        template.Deployment,
        template.Variables,
    )
    context.expression_budget = ExpressionBudget(5_000)
    result = evaluate(
        '@{ var root = new XElement("l0"); var cur = root;'
        ' for (int i = 1; i < 5000; i++) { var next = new XElement("l" + i); cur.Add(next);'
        ' cur = next; } cur.Value = "leaf";'
        ' return root.Value + "," + cur.Ancestors().Count() + "," + root.Descendants().Count()'
        ' + "," + cur.IsAfter(root) + "," + XNode.DeepEquals(root, root); }',
        context,
    )
    assert result == "leaf,4999,4999,True,True"


def test_a_deep_tree_prints_copies_and_compares_without_recursion() -> None:
    root = _deep_tree(5000)
    copy = XElement(root)
    assert copy.ToString() == root.ToString()
    assert _deep_equals(root, copy)
    leaf = next(iter(copy.Descendants("l4999")))
    assert isinstance(leaf, XElement)
    leaf.Value = "other"
    assert not _deep_equals(root, copy)


def test_a_deep_tree_prints_the_same_as_a_shallow_one_nests() -> None:
    text = _deep_tree(5000).ToString()
    lines = text.split(NEWLINE)
    assert len(lines) == 2 * 4999 + 1
    assert lines[0] == "<l0>"
    assert lines[4999] == " " * (2 * 4999) + "<l4999>leaf</l4999>"
    assert lines[-1] == "</l0>"


def test_a_deep_tree_copies_when_added_under_another_parent() -> None:
    root = _deep_tree(5000)
    holder = XElement("holder", next(iter(root.Elements())))  # parented: .NET adds a copy
    copy = next(iter(holder.Elements()))
    assert copy is not next(iter(root.Elements()))
    assert copy.Value == "leaf"
    assert sum(1 for _ in holder.Descendants()) == 4999


# --- output details Mono cannot show ---------------------------------------------------------------


def test_indented_output_breaks_lines_with_the_windows_newline() -> None:
    assert NEWLINE == "\r\n"
    text = parse_element("<a><b>1\n2</b><!--c\rd--><c/></a>").ToString()
    assert text == "<a>\r\n  <b>1\r\n2</b>\r\n  <!--c\r\nd-->\r\n  <c />\r\n</a>"


def test_attribute_values_keep_line_breaks_as_character_references() -> None:
    element = XElement("a")
    element.SetAttributeValue("v", "1\r\n2")
    assert element.ToString() == '<a v="1&#xD;&#xA;2" />'


# --- members refused at load time --------------------------------------------------------------------


def test_xdocument_load_is_refused_as_apim_refuses_it() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression('@(XDocument.Load("https://example.com/a.xml").Root.Value)')
    assert (
        "Usage of member 'Load' of type 'System.Xml.Linq.XDocument' is not supported within "
        in (str(info.value))
    )


def test_xelement_load_is_not_supported_yet() -> None:
    with pytest.raises(NotSupportedError) as info:
        compile_expression('@(XElement.Load("a.xml").Value)')
    assert "not supported yet" in str(info.value)
    assert "'Load'" in str(info.value)


# --- interning ------------------------------------------------------------------------------------


def test_names_are_interned() -> None:
    assert XName.get("{urn:intern-test}a") is XNamespace.get("urn:intern-test").GetName("a")
    assert XName.get("a") is NONE.GetName("a")


def test_names_from_a_parsed_document_do_not_outlive_it(typed: bool) -> None:
    uri = "urn:certgate-weak-intern-test"
    local = "certgate_weak_intern_local"
    document = parse_document(f'<{local} xmlns="{uri}"><{local}_child a_{local}="1"/></{local}>')
    assert uri in XNamespace._interned
    assert f"{local}_child" in XNamespace.get(uri)._names
    del document
    gc.collect()
    assert uri not in XNamespace._interned
    assert local not in NONE._names and f"a_{local}" not in NONE._names
    # the same through an expression: nothing the compiled code keeps pins the names
    text = f"<{local}_expr><x_{local}/></{local}_expr>".replace('"', '\\"')
    assert evaluate(f'@(XElement.Parse("{text}").Elements().Count())', typed=typed) == 1
    gc.collect()
    assert f"{local}_expr" not in NONE._names
    assert f"x_{local}" not in NONE._names
