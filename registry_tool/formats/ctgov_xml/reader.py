"""Legacy ClinicalTrials.gov ``clinical_study`` XML -> raw record (the normalise stack runs next).

The element <-> field mapping is :data:`.layout.CLINICAL_STUDY` (shared with
the writer); this module parses safely (:mod:`.safety`) and walks that layout.
Elements the model does not cover land in ``extras`` under their path (see
:mod:`.layout`); XML comments (registry boilerplate such as "This xml
conforms to an XML Schema at ...") are not data and are dropped.

A document written by registry-tool's XML writer may carry a
``<?registry-tool {...}?>`` note before its root element (:mod:`.note`): the
values of the record that registry XML cannot hold. While the document is
unchanged since the export, the note is applied and the record it gives is
canonical already (it is not normalised again); a hand-edited document is
read for what it says, and normalised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ...errors import Failure, RecordError
from ...model import Record, Source
from ..base import ReadResult
from .binding import load_children
from .layout import CLINICAL_STUDY
from .note import apply_note, find_note
from .safety import parse_xml
from .state import LoadState


def read(document: Any) -> Iterator[ReadResult]:
    """The one raw record of a ``clinical_study`` document (or the Failure that stops it)."""
    path = document.path
    try:
        data = document.bytes()
        root = parse_xml(data, path)
        record = record_from_xml(root, path, data)
        note = find_note(root)
        if note is None:
            yield record
        else:
            noted = apply_note(record, note, root)
            yield noted if noted is not None else record
    except RecordError as exc:
        if exc.failure.path is None:
            exc.failure.path = path
        yield exc.failure


def record_from_xml(root: etree._Element, path: str | None = None, data: bytes | None = None) -> Record:
    """The raw record of a parsed ``clinical_study`` element.

    ``data`` (the document's bytes) gives a record without an NCT id a stable
    id derived from its content. A registry-tool note is not applied here (see :func:`read`).
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
    return record
