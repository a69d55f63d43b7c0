"""Tests for dawkit.safe_xml: hardened parsing, declarations, element paths."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dawkit.errors import DawkitError, EntityExpansionError, MalformedXMLError, UnsafeInputError
from dawkit.safe_xml import element_path, parse_xml, xml_declaration

BITWIG_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project version="1.0"><Application name="&xxe;" version="1"/></Project>
"""


def _passwd_marker() -> bytes:
    """A string from /etc/passwd that must never show up in parser output or errors."""
    return b"root:"


# --- entity refusal -------------------------------------------------------------------------


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(EntityExpansionError, match="declares entities") as info:
        parse_xml(BILLION_LAUGHS, source="lolz.xml")
    assert info.value.source == "lolz.xml"
    assert info.value.where == "line 3"
    assert "lolz.xml: line 3: XML declares entities" in str(info.value)


def test_external_entity_is_refused_and_never_read() -> None:
    with pytest.raises(EntityExpansionError, match="entity expansion") as info:
        parse_xml(XXE, source="project.xml")
    assert _passwd_marker().decode() not in str(info.value)
    assert "\n" not in str(info.value)


def test_parameter_entity_is_refused() -> None:
    doc = b'<!DOCTYPE a [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]><a/>'
    with pytest.raises(EntityExpansionError):
        parse_xml(doc, source="a.xml")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("bom", [True, False])
def test_entities_hidden_in_wide_encodings_are_refused(codec: str, bom: bool) -> None:
    text = (
        '<?xml version="1.0" encoding="{}"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    )
    data = ("\ufeff" if bom else "") + text.format(codec.upper()[:6])
    with pytest.raises(EntityExpansionError):
        parse_xml(data.encode(codec), source="wide.xml")


def test_entity_text_inside_a_comment_is_not_a_declaration() -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!-- <!ENTITY x "y"> -->\n'
        b'<!DOCTYPE a [<!-- <!ENTITY z "w"> --><!ELEMENT a ANY>]>\n<a/>'
    )
    assert parse_xml(doc, source="a.xml").getroot().tag == "a"


def test_plain_doctype_is_accepted() -> None:
    assert parse_xml(b"<!DOCTYPE Project>\n<Project/>", source="p.xml").getroot().tag == "Project"


def test_external_dtd_reference_is_accepted_but_not_loaded() -> None:
    # MusicXML files carry a PUBLIC/SYSTEM doctype; it must parse without fetching anything.
    doc = b'<!DOCTYPE score-partwise SYSTEM "file:///etc/passwd">\n<score-partwise version="4.0"/>'
    tree = parse_xml(doc, source="score.musicxml")
    assert tree.getroot().tag == "score-partwise"
    assert _passwd_marker() not in etree.tostring(tree)


# --- well-formedness and limits ------------------------------------------------------------


def test_malformed_reports_line_and_column() -> None:
    doc = b'<?xml version="1.0"?>\n<Project>\n  <Structure>\n</Project>\n'
    with pytest.raises(MalformedXMLError) as info:
        parse_xml(doc, source="project.xml")
    err = info.value
    assert err.where is not None and err.where.startswith("line 4, column ")
    assert "Opening and ending tag mismatch" in err.message
    assert str(err).startswith("project.xml: line 4, column ")
    assert ", line " not in err.message  # lxml's own position suffix is not repeated


@pytest.mark.parametrize("data", [b"", b"   \n\t "])
def test_empty_document(data: bytes) -> None:
    with pytest.raises(MalformedXMLError, match="empty document"):
        parse_xml(data, source="empty.xml")


def test_undefined_entity_is_malformed() -> None:
    with pytest.raises(MalformedXMLError, match="'foo' not defined"):
        parse_xml(b"<a>&foo;</a>", source="a.xml")


def test_truncated_utf16_is_malformed() -> None:
    with pytest.raises(MalformedXMLError, match="invalid UTF-16"):
        parse_xml(codecs.BOM_UTF16_LE + "<a/>".encode("utf-16-le") + b"\x00", source="a.xml")


def test_excessive_depth_is_refused_unless_huge() -> None:
    doc = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(UnsafeInputError, match="Excessive depth"):
        parse_xml(doc, source="deep.xml")
    assert parse_xml(doc, source="deep.xml", huge=True).getroot().tag == "a"


def test_errors_are_one_line() -> None:
    with pytest.raises(MalformedXMLError) as info:
        parse_xml(b"<a>\n<b>\n</a>", source="x.xml")
    assert "\n" not in str(info.value)


@settings(max_examples=300, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=0, max_size=9)), max_size=5))
def test_damaged_xml_raises_only_dawkit_errors(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(
        b'<?xml version="1.0"?><!DOCTYPE a [<!ELEMENT a ANY>]><a x="1"><![CDATA[c]]><!--k--><b/></a>'
    )
    for position, chunk in edits:
        position %= len(data) + 1
        data[position : position + len(chunk) // 2] = chunk
    xml_declaration(bytes(data))
    try:
        parse_xml(bytes(data), source="fuzz.xml")
    except DawkitError as exc:
        assert "\n" not in str(exc)


# --- what is kept --------------------------------------------------------------------------


def test_whitespace_comments_pis_and_cdata_are_kept() -> None:
    body = b"<Project>\n    <!-- note -->\n    <?app x?>\n    <A><![CDATA[a<b]]></A>\n</Project>"
    tree = parse_xml(BITWIG_DECLARATION + b"\n" + body + b"\n", source="p.xml")
    assert etree.tostring(tree.getroot()) == body


def test_utf8_bom_is_stripped() -> None:
    tree = parse_xml(codecs.BOM_UTF8 + BITWIG_DECLARATION + b"\n<Project/>", source="p.xml")
    assert tree.getroot().tag == "Project"
    assert tree.docinfo.encoding == "UTF-8"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(codec: str) -> None:
    text = '\ufeff<?xml version="1.0" encoding="UTF-16"?>\n<Project name="Ünïcødé ♪"/>'
    tree = parse_xml(text.encode(codec), source="p.xml")
    assert tree.getroot().get("name") == "Ünïcødé ♪"


def test_utf16_line_numbers_survive_transcoding() -> None:
    text = '\ufeff<?xml version="1.0" encoding="UTF-16"?>\n<a>\n<b>\n</a>'
    with pytest.raises(MalformedXMLError) as info:
        parse_xml(text.encode("utf-16-le"), source="p.xml")
    assert info.value.where is not None and info.value.where.startswith("line 4,")


# --- xml_declaration -----------------------------------------------------------------------


def test_declaration_is_returned_verbatim() -> None:
    assert xml_declaration(BITWIG_DECLARATION + b"\n<Project/>") == BITWIG_DECLARATION
    assert xml_declaration(b"<?xml version='1.0'?><a/>") == b"<?xml version='1.0'?>"


def test_declaration_after_bom() -> None:
    assert xml_declaration(codecs.BOM_UTF8 + BITWIG_DECLARATION + b"\n<a/>") == BITWIG_DECLARATION
    utf16 = '\ufeff<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16-be")
    assert xml_declaration(utf16) == b'<?xml version="1.0" encoding="UTF-16"?>'


@pytest.mark.parametrize(
    "data",
    [b"<Project/>", b"\n<?xml version='1.0'?><a/>", b'<?xml-stylesheet href="x"?><a/>', b""],
)
def test_no_declaration(data: bytes) -> None:
    assert xml_declaration(data) is None


# --- element_path --------------------------------------------------------------------------


def test_element_path() -> None:
    doc = b"""<Project>
  <Structure>
    <Track id="t1"><Channel><Volume/></Channel></Track>
    <Track id="t2"><Channel><Volume/></Channel></Track>
    <Channel id="c"/>
  </Structure>
</Project>"""
    root = parse_xml(doc, source="p.xml").getroot()
    assert element_path(root) == "/Project"
    volume = root.find("Structure/Track[@id='t2']/Channel/Volume")
    first = root.find("Structure/Track[@id='t1']")
    channel = root.find("Structure/Channel")
    assert volume is not None and first is not None and channel is not None
    assert element_path(volume) == "/Project/Structure/Track[2]/Channel/Volume"
    assert element_path(first) == "/Project/Structure/Track[1]"
    assert element_path(channel) == "/Project/Structure/Channel"


def test_element_path_round_trips_through_xpath() -> None:
    doc = b"<r><!--x--><a/><b><a/><?pi?><a><c/><!--y--></a><!--z--></b><a/></r>"
    root = parse_xml(doc, source="r.xml").getroot()
    for el in root.iter():
        path = element_path(el)
        assert root.getroottree().xpath(path) == [el], path


def test_element_path_with_namespace_prefix() -> None:
    root = parse_xml(b'<x:r xmlns:x="urn:x"><x:a/><a xmlns="urn:y"/></x:r>', source="n.xml").getroot()
    assert element_path(root[0]) == "/x:r/x:a"
    assert element_path(root[1]) == "/x:r/a"
