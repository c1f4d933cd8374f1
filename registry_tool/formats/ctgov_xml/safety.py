"""Safe parsing of untrusted XML documents.

Registry XML comes from files curators downloaded or were sent, so a document
is treated as hostile until parsed. The parser never loads a DTD, never
touches the network and never substitutes entities; on top of that a document
is refused outright (code ``unsafe-xml``) when it

- declares entities (the "billion laughs" bomb, external entities that would
  read a local file such as ``/etc/passwd``, parameter entities that would
  fetch a URL), or
- names an external DTD (``<!DOCTYPE x SYSTEM "...">``),

and (code ``too-large``) when it is larger than :data:`MAX_XML_BYTES`.
The check runs twice: on the raw bytes before parsing (so a refused document
is never handed to libxml2 at all), and on the parsed document's DTD
information (which also covers encodings the byte scan cannot read, such as
UTF-16). A plain ``<!DOCTYPE clinical_study>`` with nothing in it is allowed.
"""

from __future__ import annotations

import re

from lxml import etree

from ...errors import Failure, RecordError

# Largest document accepted. The biggest registry record in the shared corpus
# (a trial with posted results and a thousand sites) is under 2 MiB.
MAX_XML_BYTES = 64 * 1024 * 1024

# A DOCTYPE that only names the root element: harmless, allowed.
_BARE_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[A-Za-z_:][-\w.:]*\s*>")
_EXTERNAL_DTD = re.compile(rb"<!DOCTYPE\s+[^\s\[>]+\s+(?:SYSTEM|PUBLIC)\b")
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_PROLOG_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        # white space between elements is layout, not content (text blocks keep theirs)
        remove_blank_text=True,
        collect_ids=False,
    )


_PARSER = _parser()


def parse_xml(data: bytes, path: str | None = None, expected: str = "a clinical_study document") -> etree._Element:
    """The root element of a document, parsed safely (``expected`` names what the caller reads, for messages).

    Raises :class:`RecordError` with ``too-large``, ``unsafe-xml`` (entity
    declarations, external DTD) or ``bad-xml`` (not well-formed; line and
    column of the first error).
    """
    if len(data) > MAX_XML_BYTES:
        raise RecordError(
            Failure(
                "too-large",
                f"document is {len(data):,} bytes; the limit is {MAX_XML_BYTES:,} bytes "
                "(registry records are far smaller; split the file or check what it is)",
                path=path,
            )
        )
    _refuse_unsafe_doctype(_doctype_declaration(data), path)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        message = exc.msg or str(exc)
        # libxml2's own entity-amplification guard, for a bomb in an encoding the byte scan cannot read
        code = "unsafe-xml" if "amplification" in message else "bad-xml"
        raise RecordError(
            Failure(code, f"not well-formed XML: {message} (expected {expected})",
                    path=path, line=line, column=column)
        ) from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise RecordError(Failure("bad-xml", f"cannot parse XML: {exc}", path=path)) from None
    _refuse_unsafe_dtd(root, path)
    return root


def _doctype_declaration(data: bytes) -> bytes | None:
    """The document from its ``<!DOCTYPE`` on, or None when no DOCTYPE stands before the root.

    UTF-16/32 documents are decoded first so their DOCTYPE can be seen too.
    """
    head = data
    if data.startswith(_UTF16_32_BOMS) or data[:4].count(b"\x00") >= 2:
        for codec in ("utf-32", "utf-16", "utf-16-be", "utf-16-le"):
            try:
                head = data.decode(codec).encode("utf-8", "replace")
                break
            except UnicodeError:
                continue
    at = head.find(b"<!DOCTYPE")
    if at < 0:  # the common case: one fast scan
        return None
    prolog = _PROLOG_SKIP.sub(b"", head[:at])
    if _ROOT_START.search(prolog):  # the text is inside the content (a CDATA section), not a DOCTYPE
        return None
    return head[at:]


def _refuse_unsafe_doctype(declaration: bytes | None, path: str | None) -> None:
    if declaration is None or _BARE_DOCTYPE.match(declaration):
        return
    if b"<!ENTITY" in declaration[: declaration.find(b"]>") + 2 or len(declaration)]:
        what = "declares entities (entity expansion and external entities are refused)"
    elif _EXTERNAL_DTD.match(declaration):
        what = "names an external DTD (DTDs are never loaded)"
    else:
        what = "has a DOCTYPE with an internal subset (DTDs are not used; remove the DOCTYPE)"
    raise RecordError(Failure("unsafe-xml", f"refused: the document {what}", path=path))


def _refuse_unsafe_dtd(root: etree._Element, path: str | None) -> None:
    info = root.getroottree().docinfo
    if info.system_url or info.public_id:
        raise RecordError(
            Failure("unsafe-xml", "refused: the document names an external DTD (DTDs are never loaded)", path=path)
        )
    dtd = info.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements())):
        raise RecordError(
            Failure("unsafe-xml", "refused: the document declares a DTD with entities or elements", path=path)
        )
