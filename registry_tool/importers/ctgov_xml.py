"""Legacy ClinicalTrials.gov ``clinical_study`` XML -> canonical record.

The element <-> field mapping is :data:`registry_tool.clinical_study.CLINICAL_STUDY`
(shared with the XML exporter); this module parses safely
(:mod:`registry_tool.xml_safety`), walks that layout, and finishes the record
with the shared normalisers. Elements the model does not cover land in
``extras`` under their path (see :mod:`registry_tool.clinical_study`); XML
comments (registry boilerplate such as "This xml conforms to an XML Schema
at ...") are not data and are dropped.

A document written by registry-tool's XML exporter may carry a
``<?registry-tool {...}?>`` note before its root element: the values of the
record that registry XML cannot hold (a text entry's record id, outcomes of
unknown type, marked variants, ...). It is applied only while the document
is unchanged since the export (a digest of its canonical form says so), so
a hand-edited document is read for what it says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ..clinical_study import CLINICAL_STUDY
from ..xml_binding import LoadState, load_children
from ..errors import Failure, RecordError
from ..model import Record, Source
from ..normalize import enrich_record
from ..xml_safety import parse_xml

NOTE_TARGET = "registry-tool"
NOTE_VERSION = 1


def read(data: bytes, path: str | None) -> Iterator[Record | Failure]:
    """The one record of a ``clinical_study`` document (or the Failure that stops it)."""
    try:
        root = parse_xml(data, path)
        yield record_from_xml(root, path, data)
    except RecordError as exc:
        if exc.failure.path is None:
            exc.failure.path = path
        yield exc.failure


def record_from_xml(root: etree._Element, path: str | None = None, data: bytes | None = None,
                    use_note: bool = True) -> Record:
    """The canonical record of a parsed ``clinical_study`` element.

    ``data`` (the document's bytes) gives a record without an NCT id a stable
    id derived from its content. ``use_note=False`` ignores a registry-tool
    note (the exporter's own round-trip check reads its document that way).
    """
    if root.tag != "clinical_study":
        raise RecordError(
            Failure(
                "not-clinical-study",
                f"the root element is <{root.tag}>, expected <clinical_study> "
                "(a legacy ClinicalTrials.gov record)",
                path=path,
                line=root.sourceline,
            )
        )
    record = Record(record_id="", source=Source("ctgov-xml", path))
    load_children(root, CLINICAL_STUDY.index, record, "", LoadState(record))
    if not record.record_id:
        digest = hashlib.sha1(data if data is not None else etree.tostring(root)).hexdigest()[:16]
        record.record_id = f"xml-{digest}"
        record.warn("no-nct-id", f"the document has no <id_info><nct_id>; record id {record.record_id} "
                    "derived from its content", "record_id")
    enrich_record(record)
    if use_note:
        note = _note(root)
        if note is not None:
            record = _apply_note(record, note, root)
    return record


# --- the exporter's note -----------------------------------------------------------------------------


def document_digest(root: etree._Element) -> str:
    """The digest of a document's content (its canonical XML), as the note records it."""
    return hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()


def make_note(values: list[tuple[list[str | int], Any]], root: etree._Element) -> etree._Element:
    """A ``<?registry-tool ...?>`` note for ``root``: canonical JSON values, each with its path
    (``["outcomes", 0, "type"]``), that reading the document alone would not give back."""
    # ASCII JSON: control characters and lone surrogates are escaped, so the note is always valid XML.
    body = json.dumps({"version": NOTE_VERSION, "sha256": document_digest(root), "values": values},
                      ensure_ascii=True, separators=(",", ":"))
    # ">" never occurs outside JSON strings; escaped inside them, "?>" cannot end the note early.
    return etree.ProcessingInstruction(NOTE_TARGET, body.replace(">", "\\u003e"))


def _note(root: etree._Element) -> etree._Element | None:
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == NOTE_TARGET:
            return node
    return None


def _apply_note(record: Record, note: etree._Element, root: etree._Element) -> Record:
    try:
        body = json.loads(note.text or "")
        if body.get("version") != NOTE_VERSION or not isinstance(body.get("values"), list):
            raise ValueError("unexpected note layout")
        values = body["values"]
    except (ValueError, AttributeError) as exc:
        record.warn("note-unreadable", f"the registry-tool note before <clinical_study> cannot be read ({exc}); "
                    "ignored", None)
        return record
    if body.get("sha256") != document_digest(root):
        record.warn("note-outdated", "the document was changed after registry-tool exported it, so its note "
                    "(record values registry XML cannot hold) is ignored", None)
        return record
    data = record.to_dict()
    try:
        for path, value in values:
            _assign(data, path, value)
            if path == ["record_id"]:  # the derived id the warning names is not the record's
                data["warnings"] = [w for w in data["warnings"] if w["code"] != "no-nct-id"]
        return Record.from_dict(data)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        record.warn("note-unreadable", f"the registry-tool note holds values that do not fit a record ({exc}); "
                    "ignored", None)
        return record


def _assign(data: Any, path: list[Any], value: Any) -> None:
    if not isinstance(path, list) or not path or path[0] in ("source", "warnings"):
        raise ValueError(f"bad path {path!r}")
    *owners, last = path
    for step in owners:
        data = data[step]
    if isinstance(data, list) and not isinstance(last, int) or isinstance(data, dict) and not isinstance(last, str):
        raise TypeError(f"bad path {path!r}")
    data[last] = value
