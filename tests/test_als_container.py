"""Live's gzip layer and lexical conventions: parse + serialize reproduces real sets byte for byte.

The gzip byte-equality of ``live`` files depends on the deflate implementation: these tests were
checked with zlib 1.2.13 (what :data:`ZLIB_VERSION` reports on the CI machine).  With another
zlib build the compressed bytes may differ while staying valid, so the gzip-level assertion
runs only on the zlib version the corpus was verified with; the XML-level ones always run.
"""

from __future__ import annotations

import gzip
import zlib

import pytest
from als_corpus import MANIFEST, corpus_files, corpus_path, needs_corpus

from dawkit.formats.als.container import (
    ZLIB_VERSION,
    document_from_bytes,
    document_to_bytes,
    gunzip_live,
    gzip_live,
    serialize_live_xml,
)

VERIFIED_ZLIB = "1.2.13"
BYTE_EXACT = corpus_files("live", "regzipped")


@needs_corpus
@pytest.mark.parametrize("name", BYTE_EXACT)
def test_xml_layer_is_byte_identical(name: str) -> None:
    raw = corpus_path(name).read_bytes()
    doc = document_from_bytes(raw, source=name)
    assert serialize_live_xml(doc) == gzip.decompress(raw)
    assert doc.newline == (b"\r\n" if MANIFEST[name]["eol"] == "CRLF" else b"\n")
    assert doc.single_quotes == (MANIFEST[name]["xml_roundtrip"] == "identical(single-quote)")


@needs_corpus
@pytest.mark.skipif(ZLIB_VERSION != VERIFIED_ZLIB, reason=f"deflate bytes verified with zlib {VERIFIED_ZLIB}, this is {ZLIB_VERSION}")
@pytest.mark.parametrize("name", corpus_files("live"))
def test_live_files_are_byte_identical_including_gzip(name: str) -> None:
    raw = corpus_path(name).read_bytes()
    doc = document_from_bytes(raw, source=name)
    assert doc.live_gzip
    assert document_to_bytes(doc) == raw


@needs_corpus
@pytest.mark.parametrize("name", corpus_files("regzipped"))
def test_regzipped_files_are_rewritten_with_lives_header(name: str) -> None:
    raw = corpus_path(name).read_bytes()
    doc = document_from_bytes(raw, source=name)
    assert not doc.live_gzip
    out = document_to_bytes(doc)
    # FLG=0, MTIME=0, XFL=0 and an OS byte Live uses; the XML inside is unchanged.
    assert out[:9] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00" and out[9] in (3, 11)
    assert gzip.decompress(out) == gzip.decompress(raw)


def test_gzip_member_matches_the_documented_settings() -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Ableton />\n' * 50
    member = gzip_live(xml, 19)
    assert member[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x13"
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    assert member[10:-8] == deflater.compress(xml) + deflater.flush()
    assert gunzip_live(member, source="x") == (xml, 19, True)


SMALL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<Ableton MajorVersion="5" MinorVersion="12.0_12300" Creator="Ableton Live 12.3.2">\r\n'
    b"\t<LiveSet>\r\n"
    b"\t\t<Name Value='{\"a\": \"b\"}' />\r\n"
    b'\t\t<Annotation Value="line 1&#x0A;line 2 &amp; &lt;3&gt;" />\r\n'
    b"\t</LiveSet>\r\n"
    b"</Ableton>\r\n"
)


def test_plain_xml_set_keeps_its_lexical_form_and_stays_plain() -> None:
    doc = document_from_bytes(SMALL, source="plain.als")
    assert doc.gzip_os is None and doc.newline == b"\r\n" and doc.single_quotes
    assert doc.version.line == 12 and doc.version.build == 12300
    assert document_to_bytes(doc) == SMALL
    assert gzip.decompress(document_to_bytes(doc, gzip=True)) == SMALL


def test_edited_values_follow_lives_quoting() -> None:
    doc = document_from_bytes(SMALL, source="plain.als")
    name = doc.live_set.find("Name")
    assert name is not None
    name.set("Value", 'say "hi" and it\'s fine')
    doc.live_set.find("Annotation").set("Value", "a\nb")  # type: ignore[union-attr]
    out = serialize_live_xml(doc)
    # A value holding both quote kinds cannot be single-quoted: it keeps &quot;.
    assert b'<Name Value="say &quot;hi&quot; and it\'s fine" />' in out
    assert b'<Annotation Value="a&#x0A;b" />' in out
