"""The APIM-tolerant raw-XML reader: what it accepts, what it refuses, and where it says so.

Each accepting test has a refusing twin next to it, so a reader that accepts everything (or
nothing) fails the pair.
"""

from __future__ import annotations

import pytest

from certgate.core.policy.rawxml import MAX_DEPTH, parse, parse_many
from certgate.core.policy.xmltree import Pos, XmlElement
from certgate.errors import PolicyError


def fail(text: str, *, many: bool = False) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        (parse_many if many else parse)(text, source="policy.xml")
    assert info.value.source == "policy.xml"
    return info.value


def assert_fails(
    text: str,
    message: str,
    line: int,
    column: int,
    element: str | None,
    *,
    many: bool = False,
) -> None:
    error = fail(text, many=many)
    assert (error.message, error.line, error.column, error.element) == (
        message,
        line,
        column,
        element,
    )


def attr(text: str, name: str = "v") -> str:
    """Value of attribute `name` on the root of `text`."""
    return parse(text).attrs[name].value


def find(root: XmlElement, tag: str) -> XmlElement:
    stack = [root]
    while stack:
        element = stack.pop()
        if element.tag == tag:
            return element
        stack.extend(reversed(element.children))
    raise AssertionError(f"no <{tag}>")


# --- the two seed policies of the client-certificate documentation --------------------------------

SEED_THUMBPRINT = """\
<policies>
    <inbound>
        <choose>
            <when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "DESIRED-THUMBPRINT-IN-UPPER-CASE")">
                <return-response>
                    <set-status code="403" reason="Invalid client certificate" />
                </return-response>
            </when>
        </choose>
        <base />
    </inbound>
</policies>
"""

SEED_UPLOADED = """\
<choose>
    <when condition="@(context.Request.Certificate == null || context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
    </when>
</choose>
"""


def test_seed_thumbprint_check_with_nested_quotes() -> None:
    root = parse(SEED_THUMBPRINT)
    when = find(root, "when")
    condition = when.attrs["condition"]
    assert condition.value == (
        "@(context.Request.Certificate == null || "
        'context.Request.Certificate.Thumbprint != "DESIRED-THUMBPRINT-IN-UPPER-CASE")'
    )
    assert condition.pos == Pos(4, 30)
    assert when.pos == Pos(4, 13)
    assert [c.tag for c in when.children] == ["return-response"]
    status = find(root, "set-status")
    assert {k: a.value for k, a in status.attrs.items()} == {
        "code": "403",
        "reason": "Invalid client certificate",
    }
    assert [c.tag for c in find(root, "inbound").children] == ["choose", "base"]


def test_seed_thumbprint_with_broken_literal_is_located_at_the_literal() -> None:
    # A literal wrapped onto two lines (copy and paste): C# strings cannot hold a newline.
    broken = SEED_THUMBPRINT.replace("THUMBPRINT-IN", "THUMBPRINT-\nIN")
    assert_fails(broken, "Unterminated string literal.", 4, 113, "when")


def test_seed_thumbprint_with_unterminated_expression_is_located_at_its_start() -> None:
    # Closing quote lost: the attribute's own quote ends the C# string, so the expression
    # never ends; the error names the `@(` that started it.
    broken = SEED_THUMBPRINT.replace('UPPER-CASE")', "UPPER-CASE)")
    assert_fails(broken, "Unexpected end of file while parsing expression.", 4, 30, "when")


def test_seed_uploaded_certificates_lambda() -> None:
    condition = find(parse(SEED_UPLOADED), "when").attrs["condition"]
    assert condition.value.endswith(
        "Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"
    )
    assert condition.pos == Pos(2, 22)


def test_seed_uploaded_certificates_missing_parenthesis() -> None:
    # One `)` short: the attribute's closing quote now opens a C# string that never ends.
    broken = SEED_UPLOADED.replace("Thumbprint))", "Thumbprint)")
    assert_fails(broken, "Unterminated string literal.", 2, 165, "when")


# --- C# inside attributes and text ---------------------------------------------------------------


def test_generics_and_comparisons_in_attribute_and_text() -> None:
    root = parse(
        '<set-variable v="@(context.Variables.GetValueOrDefault<bool>("flag", false))">'
        "@(context.Response.StatusCode >= 400 && (int)x < 3)</set-variable>"
    )
    assert root.attrs["v"].value == '@(context.Variables.GetValueOrDefault<bool>("flag", false))'
    assert root.text == "@(context.Response.StatusCode >= 400 && (int)x < 3)"
    assert root.text_pos == Pos(1, 79)


def test_less_than_in_a_literal_attribute_is_refused() -> None:
    message = "'<', hexadecimal value 0x3C, is an invalid attribute character."
    assert_fails('<set-variable v="List<bool>" />', message, 1, 22, "set-variable")


def test_less_than_in_literal_text_is_refused() -> None:
    # Outside an expression `<` starts markup, as in XML.
    message = "Name cannot begin with the ' ' character, hexadecimal value 0x20."
    assert_fails("<value>1 < 2</value>", message, 1, 11, "value")


def test_raw_and_encoded_and_and_read_the_same() -> None:
    raw = attr('<when v="@(a && b)" />')
    encoded = attr('<when v="@(a &amp;&amp; b)" />')
    assert raw == encoded == "@(a && b)"


def test_bare_ampersand_outside_expression_is_refused() -> None:
    assert_fails(
        '<rewrite-uri v="/x?a=1&b=2" />',
        "Unescaped '&'; write '&amp;' outside expressions.",
        1,
        23,
        "rewrite-uri",
    )


def test_unknown_entity_is_kept_in_expressions_and_refused_elsewhere() -> None:
    assert attr('<a v="@(x &nbsp; y)" />') == "@(x &nbsp; y)"
    assert_fails('<a v="x &nbsp; y" />', "Reference to undeclared entity 'nbsp'.", 1, 9, "a")


def test_multi_line_block_with_comments_and_tricky_literals() -> None:
    code = "\n".join(
        [
            "@{",
            "    // a comment with ) and } and \" and < and '",
            '    var s = "a ) } \\" < &amp;";',
            '    var v = @"verbatim "" ) } \\";',
            '    var i = $"hole {s.Length} {{literal}} {(s == "x" ? "}" : ")")}";',
            '    var j = $@"{s}"" {{ )" + @$"{v}";',
            "    char c = '}';",
            "    char q = '\\'';",
            "    /* block ) } \" ' */",
            "    return s + c + q; // trailing ) comment",
            "}",
        ]
    )
    root = parse(f'<set-variable name="x" value="{code}" />')
    value = root.attrs["value"]
    assert value.value == code.replace("&amp;", "&")
    assert value.pos == Pos(1, 31)
    text_root = parse(f"<set-body>{code}</set-body>")
    assert text_root.text == code.replace("&amp;", "&")


def test_multi_line_attribute_expression_keeps_newlines_for_line_comments() -> None:
    value = attr('<a v="@{\n  // first\n  return 1; // ) }\n}" />')
    assert value == "@{\n  // first\n  return 1; // ) }\n}"


def test_line_comment_swallows_the_rest_of_a_single_line_expression() -> None:
    assert_fails(
        '<a v="@(x // comment)" />',
        "Unexpected end of file while parsing expression.",
        1,
        7,
        "a",
    )


@pytest.mark.parametrize(
    ("code", "what", "column"),
    [
        ('@{ var s = @"never closed ) }', "string literal", 12),
        ('@{ var s = $@"never {x} closed }', "string literal", 12),
        ('@{ var s = @$"never closed }', "string literal", 12),
        ('@{ var s = $"{"}" }', "string literal", 12),
        ("@{ /* never closed } }", "comment", 4),
        ("@{ char c = '} }", "character literal", 13),
    ],
)
def test_unterminated_literals_and_comments_point_at_their_start(
    code: str, what: str, column: int
) -> None:
    # In text, nothing after the literal can close it, so it runs to the end of the document.
    assert_fails(f"<a>{code}</a>", f"Unterminated {what}.", 1, 3 + column, "a")


def test_interpolated_strings_with_nested_holes_and_strings() -> None:
    code = '@($"a{(b ? $"c{d("}")}" : "e")}f{{g}}h\\"{i}")'
    assert attr(f"<a v='{code}' />") == code
    verbatim = '@(@$"x{y}""z" + $@"p{q(")")}")'
    assert attr(f"<a v='{verbatim}' />") == verbatim


def test_interpolated_string_newline_in_regular_literal_is_refused() -> None:
    assert_fails('<a v="@($"x{y}\n")" />', "Unterminated string literal.", 1, 9, "a")


def test_char_literals_including_escaped_quote() -> None:
    code = "@(s.Split(')')[0] + '\\'' + '\"' + (char)40)"
    assert attr(f'<a v="{code}" />') == code


def test_char_literal_broken_by_newline_is_refused() -> None:
    assert_fails('<a v="@(s.Split(\')\n))" />', "Unterminated character literal.", 1, 17, "a")


def test_entity_encoded_expression_acts_like_raw_csharp() -> None:
    # An encoded quote opens a C# string: the `)` inside it must not end the expression.
    encoded = (
        '<a v="@(context.Variables.GetValueOrDefault&lt;int&gt;(&quot;a)b&quot;, 0) &gt; 1 '
        '&amp;&amp; x == "y")" />'
    )
    assert attr(encoded) == '@(context.Variables.GetValueOrDefault<int>("a)b", 0) > 1 && x == "y")'


def test_entity_encoded_string_left_open_is_located_at_the_encoded_quote() -> None:
    assert_fails('<a v="@(x == &quot;abc)\n" />', "Unterminated string literal.", 1, 14, "a")


def test_numeric_character_references_decode_once() -> None:
    assert attr('<a v="&#65;&#x42;&amp;lt;" />') == "AB&lt;"
    assert parse("<a>&lt;&#x1F600;</a>").text == "<\U0001f600"


@pytest.mark.parametrize("reference", ["&#0;", "&#xD800;", "&#x110000;", "&#99999999999999999;"])
def test_invalid_character_references_are_refused(reference: str) -> None:
    assert_fails(f"<a>x{reference}</a>", "Invalid character reference.", 1, 5, "a")


def test_expression_in_text_keeps_following_text() -> None:
    root = parse("<message>@(a) and @b and x@(c.ToString())!</message>")
    assert root.text == "@(a) and @b and x@(c.ToString())!"


def test_unterminated_expression_in_text_is_located_at_its_start() -> None:
    assert_fails(
        "<root>\n  <set-body>@{ return (1;</set-body>\n</root>",
        "Unexpected end of file while parsing expression.",
        2,
        13,
        "set-body",
    )


# --- nested quotes outside expressions (documentation example of validate-client-certificate) -----

D2_IDENTITY = """\
<validate-client-certificate validate-trust="true">
    <identities>
        <identity
            subject="C=US, ST=Illinois, L=Chicago, O="Contoso, Inc.", CN=*.contoso.com"
            issuer-subject="C=BE, O=FabrikamSign nv-sa, OU=Root CA, CN=FabrikamSign Root CA" />
    </identities>
</validate-client-certificate>
"""


def test_d2_subject_with_nested_quotes_is_one_value() -> None:
    identity = find(parse(D2_IDENTITY), "identity")
    assert identity.attrs["subject"].value == (
        'C=US, ST=Illinois, L=Chicago, O="Contoso, Inc.", CN=*.contoso.com'
    )
    assert identity.attrs["subject"].pos == Pos(4, 22)
    assert identity.attrs["issuer-subject"].value.startswith("C=BE, O=FabrikamSign")


def test_nested_quote_followed_by_space_still_ends_the_value() -> None:
    # Limit of the heuristic: after `Inc"` comes a space, so the value ends there, and `CN=x"`
    # is read as an attribute without a quoted value.
    assert_fails(
        '<identity subject="O="Contoso Inc" CN=x" />',
        "'x' is an unexpected token. The expected token is '\"' or '''.",
        1,
        39,
        "identity",
    )


def test_nested_quotes_at_the_end_and_in_single_quoted_values() -> None:
    assert attr('<i v="CN=x, O="Contoso"" />') == 'CN=x, O="Contoso"'
    assert attr("<i v='it's' />") == "it's"
    assert attr("<i v='say \"hi\"' />") == 'say "hi"'


def test_quote_glued_to_other_text_is_still_refused_at_the_next_tag() -> None:
    # `"c>` cannot end a value, so the value runs on; the `<` of the next tag stops it.
    assert_fails(
        '<a b="x"c>\n<d/></a>',
        "'<', hexadecimal value 0x3C, is an invalid attribute character.",
        2,
        1,
        "a",
    )


def test_quote_followed_by_an_attribute_is_a_missing_space_not_a_nested_quote() -> None:
    assert_fails(
        '<i a="1"b="2" />',
        "'b' is an unexpected token. Expecting white space.",
        1,
        9,
        "i",
    )


# --- CDATA, comments, declarations ----------------------------------------------------------------


def test_cdata_is_verbatim_and_joins_the_text() -> None:
    root = parse('<set-body>a<![CDATA[<raw & "text" @( &amp;]]>b</set-body>')
    assert root.text == 'a<raw & "text" @( &amp;b'
    assert root.text_pos == Pos(1, 11)
    only_cdata = parse("<b>\n<![CDATA[x]]></b>")
    assert only_cdata.text == "\nx"


def test_unterminated_cdata_is_located_at_its_start() -> None:
    assert_fails("<b>\n  <![CDATA[x]]</b>", "Unterminated CDATA section.", 2, 3, "b")


def test_comments_are_skipped_without_scanning_csharp() -> None:
    root = parse('<a><!-- @( "unbalanced { --><b/><!----></a><!-- after -->')
    assert [c.tag for c in root.children] == ["b"]
    assert root.text is None


def test_unterminated_comment_is_located_at_its_start() -> None:
    assert_fails("<a>\n <!-- x -- >\n</a>", "Unterminated comment.", 2, 2, "a")


def test_declaration_and_processing_instructions_are_skipped() -> None:
    root = parse('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<a><?pi x?>t</a>\n<?tail?>')
    assert root.tag == "a"
    assert root.text == "t"
    assert root.pos == Pos(2, 1)


def test_unterminated_processing_instruction_is_refused() -> None:
    assert_fails('<?xml version="1.0"\n<a/>', "Unterminated processing instruction.", 1, 1, None)


@pytest.mark.parametrize(
    "text",
    [
        '<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>',
        '<!ENTITY x "y"><a/>',
    ],
)
def test_dtd_is_refused(text: str) -> None:
    assert_fails(text, "DTD is not allowed.", 1, 1, None)


def test_dtd_inside_an_element_is_refused_with_the_element() -> None:
    assert_fails("<a>\n<!DOCTYPE a></a>", "DTD is not allowed.", 2, 1, "a")
    assert_fails("<a><!-x --></a>", "Invalid markup declaration.", 1, 4, "a")


# --- structure and positions ---------------------------------------------------------------------


def test_positions_count_characters_with_crlf_bom_and_tabs() -> None:
    text = "\ufeff<a>\r\n\t<b  x='é€😀'  y=\"2\"/>\r\n\t<c>z</c></a>"
    root = parse(text)
    b, c = root.children
    assert root.pos == Pos(1, 1)
    assert b.pos == Pos(2, 2)
    assert b.attrs["x"].pos == Pos(2, 9)
    assert b.attrs["y"].pos == Pos(2, 18)
    assert c.pos == Pos(3, 2)
    assert c.text_pos == Pos(3, 5)
    assert root.text == "\n\t\n\t"  # CRLF read as one line break
    assert root.text_pos == Pos(1, 4)


def test_error_position_after_crlf_counts_one_line_break() -> None:
    assert_fails("<a>\r\n\r\n  <b></a>", _mismatch("b", 3, 4, "a"), 3, 8, "b")


def _mismatch(start: str, line: int, position: int, end: str) -> str:
    return (
        f"The '{start}' start tag on line {line} position {position} does not match "
        f"the end tag of '{end}'."
    )


def test_text_is_concatenated_around_children_and_comments() -> None:
    root = parse("<a>x<b/>y<!-- c -->z<c>inner</c></a>")
    assert root.text == "xyz"
    assert root.text_pos == Pos(1, 4)
    assert [child.text for child in root.children] == [None, "inner"]
    empty = parse("<a></a>")
    assert (empty.text, empty.text_pos) == (None, None)


def test_attribute_whitespace_is_normalised_outside_expressions_only() -> None:
    assert attr('<a v="x\n\ty&#10;" />') == "x  y\n"
    assert attr('<a v="@(x\n\t+ y)" />') == "@(x\n\t+ y)"


def test_mismatched_end_tag() -> None:
    text = '<policies>\n  <inbound>\n <choose>\n   <when condition="@(true)">\n </choose>'
    assert_fails(text, _mismatch("when", 4, 5, "choose"), 5, 4, "when")


def test_matched_end_tags_with_space_before_close() -> None:
    root = parse("<a><b></b ></a  >")
    assert [c.tag for c in root.children] == ["b"]


def test_unexpected_end_tag_at_top_level() -> None:
    assert_fails("<a/></a>", "Unexpected end tag 'a'.", 1, 7, None, many=True)


def test_duplicate_attribute() -> None:
    assert_fails(
        '<set-header name="a"\n  name="b" />', "Duplicate attribute 'name'.", 2, 3, "set-header"
    )
    assert parse('<set-header name="a" Name="b" />').attrs.keys() == {"name", "Name"}


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("<a b>", "'>' is an unexpected token. The expected token is '='.", 5),
        ("<a b=c>", "'c' is an unexpected token. The expected token is '\"' or '''.", 6),
        ('<a b="c"/ >', "' ' is an unexpected token. The expected token is '>'.", 10),
        ("<a 1='x'/>", "Name cannot begin with the '1' character, hexadecimal value 0x31.", 4),
        ('<a b="c', "Unterminated attribute value.", 6),
        ("<a b", "Unexpected end of file.", 5),
        ("<a", "Unexpected end of file.", 3),
        ("<", "Unexpected end of file.", 2),
        ("<a'b'=\"c\"/>", "''' is an unexpected token. Expecting white space.", 3),
    ],
)
def test_malformed_start_tags(text: str, message: str, column: int) -> None:
    assert_fails(text, message, 1, column, "a" if text.startswith("<a") else None)


def test_unclosed_elements_at_end_of_file() -> None:
    message = "Unexpected end of file has occurred. The following elements are not closed: b, a."
    assert_fails("<a>\n  <b>text", message, 2, 10, "b")


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "<e>" * MAX_DEPTH + "</e>" * MAX_DEPTH
    element = parse(text)
    depth = 1
    while element.children:
        (element,) = element.children
        depth += 1
    assert depth == MAX_DEPTH


def test_nesting_beyond_the_limit_is_refused() -> None:
    text = "<e>" * (MAX_DEPTH + 1) + "</e>" * (MAX_DEPTH + 1)
    message = f"Elements are nested more than {MAX_DEPTH} levels deep."
    assert_fails(text, message, 1, 3 * MAX_DEPTH + 1, "e")


def test_parse_needs_exactly_one_root() -> None:
    assert_fails("  <!-- only -->\n", "Root element is missing.", 2, 1, None)
    assert_fails("<a/>\n<b/>", "There are multiple root elements.", 2, 1, None)


def test_parse_many_reads_snippets() -> None:
    snippet = '<!-- x -->\n<set-header name="a" /><base/>\n'
    assert [e.tag for e in parse_many(snippet)] == ["set-header", "base"]
    assert parse_many("") == []
    assert parse_many(" \n<!-- nothing -->") == []


@pytest.mark.parametrize("marker", ["[...]", "...", "\u2026", "[\u2026]"])
def test_parse_many_skips_elision_markers_only_when_asked(marker: str) -> None:
    snippet = f"{marker}\n<base/>\n  {marker}"
    elisions: list[Pos] = []
    assert [e.tag for e in parse_many(snippet, elisions=elisions)] == ["base"]
    assert elisions == [Pos(1, 1), Pos(3, 3)]
    assert_fails(snippet, "Data at the root level is invalid.", 1, 1, None, many=True)


@pytest.mark.parametrize("text", ["[..]\n<base/>", "...x <base/>", "[...] etc <base/>"])
def test_parse_many_refuses_other_root_text_even_in_an_excerpt(text: str) -> None:
    with pytest.raises(PolicyError, match=r"Data at the root level is invalid\."):
        parse_many(text, elisions=[])


def test_text_at_the_root_level_is_refused() -> None:
    assert_fails("<a/>\n[...]\n<b/>", "Data at the root level is invalid.", 2, 1, None, many=True)
    assert_fails("<![CDATA[x]]><a/>", "Data at the root level is invalid.", 1, 1, None)


def test_invalid_characters_are_refused() -> None:
    assert_fails("<a>\n x\x01</a>", "Hexadecimal value 0x01 is an invalid character.", 2, 3, None)
    assert parse("<a>\u0085\u00a0</a>").text == "\u0085\u00a0"


def test_names_may_use_xml_name_characters() -> None:
    root = parse('<p:ä-1._x xmlns:p="u" 名="v"/>')
    assert root.tag == "p:ä-1._x"
    assert root.attrs["名"].value == "v"


# --- hostile input: linear time, no recursion ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '<a v="' + 'x"' * 200_000 + '" />',  # many nested-quote candidates
        '<a v="@(' + '$"{' * 50_000 + "x" + '}"' * 50_000 + ')" />',  # deep interpolation
        "<a>" + "@(x)" * 50_000 + "</a>",
        "<a " + " ".join(f'a{i}="{i}"' for i in range(20_000)) + "/>",
        "<a>" + "&amp;" * 100_000 + "</a>",
        '<a v="@(' + "(" * 100_000 + ")" * 100_000 + ')"/>',
    ],
)
@pytest.mark.timeout(60)  # a hang guard, not a speed target: speed lives in bench/
def test_hostile_inputs_are_read_without_blowing_up(text: str) -> None:
    root = parse(text)
    assert root.tag == "a"


@pytest.mark.timeout(60)
def test_hostile_unterminated_inputs_fail_with_our_error() -> None:
    for text in ('<a v="@(' + "(" * 200_000, "<a>" * 100_000, '<a v="' + "x'" * 200_000):
        fail(text)


def test_a_100_kb_policy_parses() -> None:
    statement = (
        '<choose><when condition="@(context.Variables.GetValueOrDefault<int>("n{i}", 0) > 3 '
        '&amp;&amp; x != "a)")"><set-variable name="v{i}" value="@{{\n  // comment ) }}\n'
        '  var s = $"a{{b}}{{(c ? "}}" : ")")}}";\n  return s;\n}}" /></when></choose>\n'
    )
    body = "".join(statement.format(i=i) for i in range(500))
    text = f"<policies><inbound>{body}</inbound></policies>"
    assert len(text) > 100_000
    root = parse(text)
    assert len(root.children[0].children) == 500
