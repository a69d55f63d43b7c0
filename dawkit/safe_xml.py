"""Hardened XML parsing.

Every XML document dawkit reads goes through :func:`parse_xml`.  It never resolves entities,
never loads a DTD, never touches the network, and refuses documents that declare entities at
all, so entity-expansion ("billion laughs") and external-entity (XXE) attacks fail before they
start.  Whitespace, comments, processing instructions and CDATA sections are kept so documents
can be written back byte-for-byte.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from lxml import etree

from dawkit.errors import EntityExpansionError, MalformedXMLError, UnsafeInputError

__all__ = ["element_path", "parse_xml", "xml_declaration"]

_ENTITY_REFUSAL: Final = "XML declares entities (DTD with <!ENTITY); refused to prevent entity expansion"

# Byte-order marks, longest first: the UTF-32LE mark starts with the UTF-16LE one.
_BOMS: Final[tuple[tuple[bytes, str], ...]] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# BOM-less encodings libxml2 recognises from the first four bytes (XML 1.0 appendix F).  They
# are transcoded too, so the entity pre-scan below never has to read anything but ASCII bytes.
_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
)

_DECLARATION: Final = re.compile(rb"<\?xml[ \t\r\n][^<>]*?\?>")
_ENCODING_PSEUDO_ATTR: Final = re.compile(r"""[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[^"']*\1""")
# lxml appends the position to its messages; dawkit reports the position in ``where`` instead.
_POSITION_SUFFIX: Final = re.compile(r", line \d+, column \d+$")
_WHITESPACE: Final = b" \t\r\n"
_CONTENT: Final = re.compile(b"[^" + re.escape(_WHITESPACE) + b"]")


def parse_xml(data: bytes, *, source: str, huge: bool = False, keep_blank_text: bool = True) -> etree._ElementTree:
    """Parse ``data`` safely and return the document tree.

    ``source`` names the file (or archive entry) in error messages.  ``huge`` lifts libxml2's
    size and depth limits (text nodes over 10 MB, nesting deeper than 256 levels); leave it off
    for untrusted input unless a legitimate file needs it.  ``keep_blank_text=False`` drops
    whitespace-only text between elements (indentation): a quarter faster on Live's heavily
    indented XML, for readers that only read the tree and never write it back.

    Raises:
        MalformedXMLError: empty or not well-formed document, or undecodable text.
        EntityExpansionError: the document declares entities.
        UnsafeInputError: the document exceeds a libxml2 safety limit (depth, node size).
    """
    data = bytes(data)
    if _CONTENT.search(data) is None:  # a search, not a strip: no copy of a 30 MB document
        raise MalformedXMLError("empty document", source=source, where="line 1, column 1")
    data = _to_utf8(data, source=source)

    entity_offset = _entity_declaration_offset(data)
    if entity_offset is not None:
        line = data.count(b"\n", 0, entity_offset) + 1
        raise EntityExpansionError(_ENTITY_REFUSAL, source=source, where=f"line {line}")

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=huge,
        remove_blank_text=not keep_blank_text,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, parser, source) from None
    except (etree.LxmlError, ValueError) as exc:
        raise MalformedXMLError(f"cannot parse XML: {exc}", source=source) from None
    if root is None:  # lxml returns None instead of raising for some recover-mode edge cases
        raise MalformedXMLError("document has no root element", source=source)
    tree = root.getroottree()

    # Backstop for encodings the byte-level pre-scan cannot read (e.g. EBCDIC): libxml2 records
    # every declaration of the internal subset even though nothing was expanded.
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]  # missing from lxml-stubs
        raise EntityExpansionError(_ENTITY_REFUSAL, source=source, where="DOCTYPE")
    return tree


def xml_declaration(data: bytes) -> bytes | None:
    """Return the document's XML declaration exactly as written, or None if it has none.

    A leading byte-order mark is skipped.  For UTF-16/UTF-32 documents the declaration is
    returned transcoded to UTF-8 (its text, including ``encoding="UTF-16"``, is unchanged).
    """
    data = bytes(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding != "utf-8":
                data = _decode_prefix(data[len(bom) :], encoding)
            else:
                data = data[len(bom) :]
            break
    else:
        for signature, encoding in _SIGNATURES:
            if data.startswith(signature):
                data = _decode_prefix(data, encoding)
                break
    match = _DECLARATION.match(data)
    return match.group(0) if match else None


def element_path(el: etree._Element) -> str:
    """Return a readable XPath-like location such as ``/Project/Structure/Track[2]/Channel``.

    Positions are 1-based among siblings with the same tag and are omitted when the element is
    the only child with that tag.  Namespaced tags show their prefix (or local name only).
    """
    steps: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        steps.append(_step(node))
        node = node.getparent()
    steps.reverse()
    return "/" + "/".join(steps)


def _step(node: etree._Element) -> str:
    tag = node.tag
    if isinstance(node, etree._Comment):
        name = "comment()"
    elif isinstance(node, etree._ProcessingInstruction):
        name = "processing-instruction()"
    elif isinstance(node, etree._Entity):
        name = f"&{node.name};"
    else:
        qname = etree.QName(node)
        name = f"{node.prefix}:{qname.localname}" if node.prefix else qname.localname
    parent = node.getparent()
    if parent is None:
        return name
    same = [sibling for sibling in parent if sibling.tag == tag]
    if len(same) == 1:
        return name
    return f"{name}[{same.index(node) + 1}]"


def _to_utf8(data: bytes, *, source: str) -> bytes:
    """Strip a UTF-8 BOM; transcode UTF-16/UTF-32 documents (with or without BOM) to UTF-8."""
    encoding: str | None = None
    body = data
    for bom, candidate in _BOMS:
        if data.startswith(bom):
            encoding, body = candidate, data[len(bom) :]
            break
    else:
        for signature, candidate in _SIGNATURES:
            if data.startswith(signature):
                encoding = candidate
                break
    if encoding is None or encoding == "utf-8":
        return body
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise MalformedXMLError(
            f"invalid {encoding.upper()} text: {exc.reason}", source=source, where=f"byte {exc.start}"
        ) from None
    # The bytes handed to libxml2 are UTF-8 now; a stale encoding="UTF-16" would make it decode
    # them wrongly.
    match = _DECLARATION.match(text.encode("utf-8"))
    if match:
        declaration = match.group(0).decode("utf-8")
        text = _ENCODING_PSEUDO_ATTR.sub("", declaration, count=1) + text[len(declaration) :]
    return text.encode("utf-8")


def _decode_prefix(data: bytes, encoding: str) -> bytes:
    """Decode the first few hundred bytes of a UTF-16/32 document and re-encode them as UTF-8."""
    unit = 4 if "32" in encoding else 2
    head = data[: 1024 - 1024 % unit]
    return head.decode(encoding, errors="replace").encode("utf-8")


def _entity_declaration_offset(data: bytes) -> int | None:
    """Return the offset of a ``<!ENTITY`` declaration in the prolog, or None.

    Walks the prolog (XML declaration, comments, PIs, whitespace, DOCTYPE) up to the root
    element, honouring comments, PIs and quoted literals inside the internal subset so a
    commented-out declaration is not mistaken for a real one.  Anything unexpected ends the walk
    and is left to libxml2 (which then reports it as malformed, and whose own record of the
    internal subset is checked after parsing).
    """
    i, n = 0, len(data)
    while i < n:
        if data[i] in _WHITESPACE:
            i += 1
        elif data.startswith(b"<?", i):
            end = data.find(b"?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif data.startswith(b"<!DOCTYPE", i):
            return _doctype_entity_offset(data, i + len(b"<!DOCTYPE"))
        else:
            return None
    return None


def _doctype_entity_offset(data: bytes, i: int) -> int | None:
    n = len(data)
    in_subset = False
    while i < n:
        byte = data[i : i + 1]
        if byte in (b'"', b"'"):
            end = data.find(byte, i + 1)
            if end < 0:
                return None
            i = end + 1
        elif not in_subset and byte == b"[":
            in_subset = True
            i += 1
        elif not in_subset and byte == b">":
            return None
        elif in_subset and byte == b"]":
            in_subset = False
            i += 1
        elif in_subset and data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif in_subset and data.startswith(b"<?", i):
            end = data.find(b"?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif in_subset and data.startswith(b"<!ENTITY", i):
            return i
        else:
            i += 1
    return None


def _syntax_error(
    exc: etree.XMLSyntaxError, parser: etree.XMLParser, source: str
) -> MalformedXMLError | UnsafeInputError:
    """Turn lxml's syntax error into a dawkit error carrying the first (root-cause) problem."""
    errors = parser.error_log.filter_from_errors()
    if errors:
        first = errors[0]
        line, column, message, code = first.line, first.column, first.message, first.type
    else:
        line, column, code = exc.lineno or 0, (exc.offset or 0) + 1, getattr(exc, "code", None)
        message = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
    where = f"line {line}, column {column}"
    if code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        return UnsafeInputError(f"XML exceeds a parser safety limit: {message}", source=source, where=where)
    return MalformedXMLError(message, source=source, where=where)
