"""Canonical record -> ClinicalTrials.gov ``clinical_study`` XML (``--to xml``).

Elements, nesting and order follow the registry's public schema; the mapping
is :data:`.layout.CLINICAL_STUDY`, the same one the reader reads with, and
the writer builds ``required_header`` itself.

- **Missing required elements** (a flattened-text entry has no NCT id,
  sponsor, source, status, study type, gender or ages): the document is still
  written, valid against the project's ``schemas/clinical_study_partial.xsd``,
  with one warning naming each missing element and the ``--set NAME=VALUE``
  that supplies it. ``--strict`` refuses such a record instead.
- **--set NAME=VALUE** supplies a value where the record has none (a record's
  own value is never replaced); values are checked against the public schema.
- **Outcomes of unknown type** are written as ``other_outcome`` (a registry
  reader then sees them as neither primary nor secondary, the one claim the
  entry does not make), with a warning.
- **Design fields** (allocation, intervention model, masking, primary
  purpose) are free text in the schema and are written as the record has them,
  so an API v2 record's ``RANDOMIZED`` stays ``RANDOMIZED``; elements the
  schema restricts to a list (status, study type, phase, gender, intervention
  type) get the registry's wording of the record's code.
- **Always schema-valid.** The built document is checked against the
  partial schema; what it refuses (elements the 2019 schema retired, such as
  ``oversight_info/authority``, that came back from extras; values such as
  ``0 Years``) is left out, with a warning. Characters XML 1.0 cannot hold
  are written as U+FFFD.
- **Round trip.** Every value of the record that reading the document back
  would not give (a text entry's record id, outcome types, marked variants,
  ``declared_variant_count``, extras with no place in the schema, wording or
  values the schema does not accept) is kept, with its path, in a
  ``<?registry-tool {...}?>`` note before the root element, with a digest of
  the document; one warning names them (:mod:`.note` says how they are
  found: the built tree walked with the reader's layout, in memory, not
  parsed and normalised again). Importing the untouched document gives back
  the same record; a registry reader ignores the note; a document edited
  after export is read for what it says.

Output: ``-o FILE`` (or stdout) for one record; several records need
``-o DIR`` and give ``DIR/<record_id>.xml``. ``-o NAME.xml`` always means a
file, an existing folder always means a folder. All written atomically.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from functools import lru_cache
from typing import Any

import orjson
from lxml import etree

from ...atomic import AtomicDirectory, atomic_writer, is_special_file, sync_filesystem
from ...errors import Failure, RecordError, RegistryToolError, UsageError
from ...model import Record, RecordWarning
from ...validation import schema_text
from ..base import Encoder, Prepared, Sink, WriteOptions
from .layout import CLINICAL_STUDY
from .note import make_note, note_values
from .settable import apply_set_values, check_set_values
from .state import DumpState, Missing


def build_document(record: Record, set_values: dict[str, str] | None = None,
                   data: dict[str, Any] | None = None) -> tuple[etree._Element, list[Missing], list[RecordWarning]]:
    """The ``clinical_study`` element for ``record`` (with ``--set`` values applied, already checked).

    ``data`` is the record's canonical dict where the caller has it. Returns
    the root (with the round-trip note before it where needed), the required
    elements still missing, and the export's warnings.
    """
    if set_values:
        record = copy.deepcopy(record)
        apply_set_values(record, set_values)
        data = None
    if data is None:
        data = record.to_dict()
    # Written from a copy without the characters XML 1.0 cannot hold (control characters);
    # the note compares with the record itself, so it keeps the exact text.
    state = DumpState(Record.from_dict(xml_safe(data)) if _has_non_xml(data) else record)
    root = CLINICAL_STUDY.build(state.record, "", state)
    _fit_partial_schema(root, state)
    warnings = [RecordWarning(code, message, field) for code, message, field in state.warnings]
    warnings += _outcome_warnings(record)
    kept, described = note_values(record, data, root, _unchanged_slots(state))
    if kept:
        root.addprevious(make_note(kept, root))
        warnings.append(RecordWarning(
            "xml-note",
            f"registry XML cannot hold {described} as the record has it; kept in the <?registry-tool?> note "
            "before <clinical_study>, so importing this document gives the record back",
            None,
        ))
    for m in state.missing:
        warnings.append(RecordWarning("xml-missing-element", _missing_message(m), m.path))
    return root, state.missing, warnings


def _unchanged_slots(state: DumpState) -> dict[str, Any]:
    """The Slot values written as they are: nothing in them was left out to fit the schema."""
    return {
        path: value for path, value in state.slots_written.items()
        if not any(w == path or w.startswith((path + "/", path + "[")) for w in state.left_out)
    }


def document_bytes(root: etree._Element) -> bytes:
    """The serialised document: declaration, note (if any), indented elements."""
    etree.indent(root, space="  ")
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n']
    parts += [etree.tostring(node, encoding="UTF-8") + b"\n" for node in reversed(list(root.itersiblings(preceding=True)))]
    parts.append(etree.tostring(root, encoding="UTF-8") + b"\n")
    return b"".join(parts)


# Characters XML 1.0 does not allow (lxml refuses to write them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# The same characters as orjson writes them: \u0000-\u001f escapes (but \t \n \r), \b, \f,
# and U+FFFE / U+FFFF as UTF-8. (An escaped backslash before b or f also matches: only a slower check.)
_NOT_XML_JSON = re.compile(rb"\\u00[01][0-9a-fA-F]|\\[bf]|\xef\xbf[\xbe\xbf]")


def _has_non_xml(data: dict[str, Any]) -> bool:
    """Whether a record's JSON holds a character XML cannot (one C-speed pass instead of a walk)."""
    try:
        return _NOT_XML_JSON.search(orjson.dumps(data)) is not None
    except orjson.JSONEncodeError:  # a lone surrogate
        return True


def xml_safe(value: Any) -> Any:
    """``value`` (canonical JSON) with every character XML cannot hold replaced by U+FFFD."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value) if _NOT_XML.search(value) else value
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {xml_safe(k): xml_safe(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=1)
def partial_schema() -> etree.XMLSchema:
    """The project's ``schemas/clinical_study_partial.xsd``, compiled once."""
    return etree.XMLSchema(etree.fromstring(schema_text("clinical_study_partial.xsd").encode("utf-8")))


_ATTRIBUTE = re.compile(r"attribute '([^']+)'")


def _fit_partial_schema(root: etree._Element, state: DumpState) -> None:
    """Leave out what the registry schema has no place for, so every export is valid.

    The model's own values are checked as they are written; this catches what
    comes back from extras as it was imported (elements the 2019 schema
    retired, such as ``oversight_info/authority``; attributes it does not
    know). What is left out stays in the record and so in the note.
    """
    schema = partial_schema()
    tree = root.getroottree()
    for _ in range(100):  # each pass removes at least one node, or stops
        if schema.validate(root):
            return
        removed = False
        for entry in schema.error_log:
            nodes = tree.xpath(entry.path) if entry.path and entry.path != "/clinical_study" else []
            reason = entry.message.split(": ", 1)[-1]
            where = entry.path[len("/clinical_study/"):] if entry.path else "?"
            attribute = _ATTRIBUTE.search(entry.message)
            for node in nodes:
                if attribute and node.get(attribute.group(1)) is not None:
                    del node.attrib[attribute.group(1)]
                    where = f"{where}/@{attribute.group(1)}"
                elif not attribute and node.getparent() is not None:
                    node.getparent().remove(node)
                else:
                    continue
                removed = True
                state.left_out.append(where)
                state.warn("xml-left-out", f"<{where}> left out of the XML: {reason}", None)
        if not removed:
            break
    state.warn("xml-invalid", f"the document still breaks the registry schema: {schema.error_log.last_error}", None)


def _outcome_warnings(record: Record) -> list[RecordWarning]:
    warnings = []
    untyped = [i for i, o in enumerate(record.outcomes) if o.type is None]
    if untyped:
        warnings.append(RecordWarning(
            "outcome-type-unknown",
            f"{len(untyped)} outcome(s) have no type (primary/secondary/other); written as <other_outcome>, "
            "which claims neither primary nor secondary",
            f"outcomes[{untyped[0]}].type",
        ))
    order = {"primary": 0, "secondary": 1, "other": 2, None: 2}
    ranks = [order.get(o.type, 2) for o in record.outcomes]
    if ranks != sorted(ranks):
        warnings.append(RecordWarning(
            "outcomes-reordered",
            "the schema lists primary, then secondary, then other outcomes; the outcomes are written in that order",
            "outcomes",
        ))
    return warnings


def _missing_message(m: Missing) -> str:
    how = f"; supply it with --set {m.set_name}=VALUE" if m.set_name else ""
    return f"required element <{m.path}> is missing: the record has no {m.what} the registry schema accepts{how}"


# --- the exporter --------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(record_id: str) -> str:
    """``<record_id>.xml`` with characters a file name cannot safely hold replaced by ``_``."""
    name = _UNSAFE_NAME.sub("_", record_id).strip(".") or "record"
    return f"{name}.xml"


class XmlEncoder(Encoder):
    """A record as its ``clinical_study`` document (bytes), with the export's warnings."""

    def __init__(self, set_values: dict[str, str], strict: bool):
        self.set_values = set_values
        self.strict = strict

    def prepare(self, record: Record, data: dict[str, Any] | None = None) -> Prepared:
        root, missing, warnings = build_document(record, self.set_values, data)
        if missing and self.strict:
            raise RecordError(Failure(
                "xml-missing-element",
                f"--strict: {len(missing)} required registry element(s) missing: "
                + "; ".join(f"<{m.path}>" + (f" (--set {m.set_name}=...)" if m.set_name else "") for m in missing),
                record_id=record.record_id,
                path=record.source.path,
                warnings=len(missing),
            ))
        return Prepared(record.record_id, record.source.path, document_bytes(root), warnings)


class XmlSink(Sink):
    """``--to xml``: one document a record (see the module docstring for where they go)."""

    def __init__(self, out: str | None, options: WriteOptions):
        super().__init__(out, options)
        self.encoder = XmlEncoder(check_set_values(options.set_values), options.strict)
        self._folder: AtomicDirectory | None = None
        self._first: Prepared | None = None
        self._names: dict[str, str | None] = {}  # file name -> the input it came from
        self._count = 0
        if self.out is not None and os.path.isdir(self.out):
            self._open_folder()

    def write(self, prepared: Prepared) -> None:
        self._count += 1
        if self._folder is not None:
            self._write_file(prepared)
        elif self._count == 1:
            self._first = prepared
        else:
            self._become_folder()
            self._write_file(prepared)

    def _become_folder(self) -> None:
        if self.out is None:
            raise UsageError("--to xml: the input holds several records; give -o DIR to write one file each")
        if self.out.lower().endswith(".xml") or is_special_file(self.out):
            raise UsageError(f"--to xml: the input holds several records, but -o {self.out} names a file; "
                             "give a folder (-o DIR) to write one file each")
        self._open_folder()
        assert self._first is not None
        self._write_file(self._first)
        self._first = None

    def _open_folder(self) -> None:
        assert self.out is not None
        _check_replaceable(self.out)
        try:
            self._folder = AtomicDirectory(self.out)
        except OSError as exc:
            raise UsageError(f"cannot write the folder {self.out}: {exc.strerror or exc}") from None

    def _write_file(self, prepared: Prepared) -> None:
        assert self._folder is not None
        name = file_name(prepared.record_id)
        if name in self._names:
            raise RecordError(Failure(
                "duplicate-record-id",
                f"record id {prepared.record_id} is in both {self._names[name] or '<stdin>'} and "
                f"{prepared.path or '<stdin>'}; the first was written to {name}, this one is left out",
                record_id=prepared.record_id,
                path=prepared.path,
            ))
        self._names[name] = prepared.path
        data = prepared.payload
        try:
            with open(os.path.join(self._folder.path, name), "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise RegistryToolError(f"cannot write {name} in the export to {self.out}: {exc.strerror or exc}; "
                                    "nothing was replaced") from None

    def close(self) -> None:
        if self._folder is not None:
            try:
                sync_filesystem(self._folder.path)  # every file on disk before the folder is renamed into place
                self._folder.commit()
            except OSError as exc:
                raise RegistryToolError(f"cannot finish the export to {self.out}: {exc.strerror or exc}; "
                                        "nothing was replaced") from None
        elif self._first is not None:
            data = self._first.payload
            if self.out is None:
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                try:
                    with atomic_writer(self.out, "wb") as fh:
                        fh.write(data)
                except OSError as exc:
                    raise UsageError(f"cannot write {self.out}: {exc.strerror or exc}") from None

    def abort(self) -> None:
        if self._folder is not None:
            self._folder.discard()


def _check_replaceable(path: str) -> None:
    """Replace an existing folder only when it is empty or holds only ``.xml`` files (an earlier export)."""
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        raise UsageError(f"{path} exists and is not a folder; several records are written to a folder (-o DIR)")
    others = [n for n in os.listdir(path) if not n.lower().endswith(".xml")]
    if others:
        raise UsageError(f"{path} holds files other than .xml ({others[0]}, ...), so it is not an earlier export; "
                         "refusing to replace it (choose a new or empty folder)")
