"""The ``<?registry-tool {...}?>`` note: what registry XML cannot hold, carried beside it.

A record that registry XML holds whole (a registry record read and written
back) gets no note: reading the document and normalising gives it back. Any
other record gets a note before the root element: the SHA-256 of the
document's canonical XML, and every canonical JSON value, with its path in the
record (``["outcomes", 0, "type"]``), that reading the document alone would not
give, derived values (time points, criteria items, variants) included. The
reader applies the values to the record it read, only while the digest
matches, and the result is the canonical record itself: it is not normalised
again, so values a curator corrected stay as they are. A document edited
after export is read for what it says (and normalised), with a
``note-outdated`` warning.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from lxml import etree

from ...model import Record
from ...normalize.criteria import criteria_from_block
from ..base import Canonical
from .binding import load_children
from .layout import CLINICAL_STUDY, source_block
from .state import LoadState

NOTE_TARGET = "registry-tool"
NOTE_VERSION = 1

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


def find_note(root: etree._Element) -> etree._Element | None:
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == NOTE_TARGET:
            return node
    return None


def apply_note(record: Record, note: etree._Element, root: etree._Element) -> Canonical | None:
    """The canonical record the note and the document give; None (with a warning on ``record``)
    where the note is unreadable or the document was changed after export."""
    try:
        body = json.loads(note.text or "")
        if body.get("version") != NOTE_VERSION or not isinstance(body.get("values"), list):
            raise ValueError("unexpected note layout")
        values = body["values"]
    except (ValueError, AttributeError) as exc:
        record.warn("note-unreadable", f"the registry-tool note before <clinical_study> cannot be read ({exc}); "
                    "ignored", None)
        return None
    if body.get("sha256") != document_digest(root):
        record.warn("note-outdated", "the document was changed after registry-tool exported it, so its note "
                    "(record values registry XML cannot hold) is ignored", None)
        return None
    data = record.to_dict()
    try:
        for path, value in values:
            _assign(data, path, value)
            if path == ["record_id"]:  # the derived id the warning names is not the record's
                data["warnings"] = [w for w in data["warnings"] if w["code"] != "no-nct-id"]
        return Canonical(Record.from_dict(data))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        record.warn("note-unreadable", f"the registry-tool note holds values that do not fit a record ({exc}); "
                    "ignored", None)
        return None


def _assign(data: Any, path: list[Any], value: Any) -> None:
    if not isinstance(path, list) or not path or path[0] in ("source", "warnings"):
        raise ValueError(f"bad path {path!r}")
    *owners, last = path
    for step in owners:
        data = data[step]
    if isinstance(data, list) and not isinstance(last, int) or isinstance(data, dict) and not isinstance(last, str):
        raise TypeError(f"bad path {path!r}")
    data[last] = value


# --- what the note must carry ------------------------------------------------------------------------

# Not compared: where the record came from, and its warnings.
_NOT_COMPARED = frozenset({"source", "warnings"})


def note_values(record: Record, data: dict[str, Any], root: etree._Element,
                trusted: dict[str, Any] | None = None) -> tuple[list[tuple[list[Any], Any]], str]:
    """The record's values that reading ``root`` back would not give (path, value), and a summary.

    The built tree is walked with the reader's layout, in memory (no parsing,
    no normalising), which gives exactly the raw record the reader will make;
    ``trusted`` holds the extras the writer wrote whole and unchanged (elements
    the model does not cover), which are taken as they are instead of being
    converted back from their elements.
    Where it differs from the record (``data`` is its canonical JSON) only in
    values the normalise stack derives on import, there is no note; those
    are compared by what they are derived from:

    * a time frame by its text (its points are parsed from it again);
    * an outcome's abbreviation and assessors not at all (they come from its measure);
    * the criteria items by the block written: the source's own block gives
      them again (the writer writes it only while it does, see
      :func:`.layout.source_block`), and so may a block rendered from the
      items (it is split again here to see);
    * the variants: found variants are found again in the same texts; marked
      ones (flattened text) and typo candidates are not.

    Any other difference makes a note, and then the note holds every value
    that differs, derived ones included, since the reader takes a noted
    record as canonical. Round-tripping is guarded by tests over the corpus
    and the fixtures (``tests/formats/ctgov_xml``), not by reading every
    document back.
    """
    raw = Record(record_id="", source=record.source)
    load_children(root, CLINICAL_STUDY.index, raw, "", LoadState(raw, trusted=trusted or {}))
    got = raw.to_dict()
    written = raw.eligibility.criteria_blocks
    criteria_come_back = source_block(record.eligibility) is not None or (
        len(written) == 1 and criteria_from_block(written[0]) == record.eligibility.criteria)
    needed: list[tuple[list[Any], Any]] = []
    for key, value in data.items():
        if key in _NOT_COMPARED:
            continue
        if key == "variants":
            if any(v.get("marked") or v.get("candidate") for v in value):
                needed.append((["variants"], value))
            continue
        _differences(value, got.get(key), [key], needed, criteria_come_back)
    if not needed:
        return [], ""
    found: list[tuple[list[Any], Any]] = []
    for key, value in data.items():
        if key not in _NOT_COMPARED:
            _differences(value, got.get(key), [key], found, None)
    shapes: dict[str, int] = {}
    for path, _ in found:
        shape = re.sub(r"\[\d+\]", "[]", "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:])
        shapes[shape] = shapes.get(shape, 0) + 1
    summary = ", ".join(f"{s} (x{n})" if n > 1 else s for s, n in shapes.items())
    return found, summary


def _differences(expected: Any, got: Any, path: list[Any], found: list[tuple[list[Any], Any]],
                 criteria_come_back: bool | None) -> None:
    """Collect where ``got`` (read back, raw) differs from ``expected``: down into dicts with the
    same keys and lists of the same length, else the whole value. With ``criteria_come_back``
    (True / False), values the normalise stack derives are compared by their rules; with None,
    like any other value."""
    if criteria_come_back is not None:
        if len(path) == 3 and path[0] == "outcomes":
            if path[2] in ("abbreviation", "assessors"):
                return
            if path[2] == "time_frame":
                if (expected is None) != (got is None) or (expected is not None and expected["text"] != got["text"]):
                    found.append((path, expected))
                return
        if path == ["eligibility", "criteria"]:
            if not criteria_come_back and expected:
                found.append((path, expected))
            return
    if expected == got:
        return
    if isinstance(expected, dict) and isinstance(got, dict) and expected.keys() == got.keys():
        for key in expected:
            _differences(expected[key], got[key], [*path, key], found, criteria_come_back)
    elif isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (e, g) in enumerate(zip(expected, got)):
            _differences(e, g, [*path, i], found, criteria_come_back)
    else:
        found.append((path, expected))
