"""The formats: one package each, holding its reader, its writer and its layout.

=================  ==============================  ==============================
name               reader                          writer
=================  ==============================  ==============================
text               ``formats/text``                ``formats/text`` (an entry)
ctgov-xml / xml    ``formats/ctgov_xml``           ``formats/ctgov_xml``
ctgov-json         ``formats/ctgov_json``          -
ictrp              ``formats/ictrp``               -
canonical / json   ``formats/canonical``           ``formats/canonical`` (json, jsonl)
csv, sqlite        -                               ``formats/tables``
=================  ==============================  ==============================

Readers and writers are named here by ``module:attribute`` and loaded on
first use, so reading flattened text never pays for importing lxml. Adding a
format is one line in a table below. See :mod:`registry_tool.formats.base`
for what a reader and a writer are.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from ..decoding import UTF16_BOMS, utf16_without_bom
from ..errors import UsageError
from .base import Canonical, Encoder, Prepared, ReadResult, Sink, WriteOptions

__all__ = [
    "READERS", "WRITERS", "Canonical", "Encoder", "Prepared", "ReadResult", "Sink", "WriteOptions",
    "detect_format", "reader", "writer",
]


@dataclass(frozen=True, slots=True)
class FormatEntry:
    name: str
    target: str  # "package.module:attribute", relative to this package
    summary: str

    def load(self) -> Any:
        loaded = _LOADED.get(self.target)
        if loaded is None:  # once per process
            module_name, _, attr = self.target.partition(":")
            loaded = _LOADED[self.target] = getattr(importlib.import_module(module_name, __package__), attr)
        return loaded


_LOADED: dict[str, Any] = {}

READERS: dict[str, FormatEntry] = {
    e.name: e
    for e in (
        FormatEntry("text", ".text.reader:read", "flattened registry text (FORMAT.md)"),
        FormatEntry("ctgov-xml", ".ctgov_xml.reader:read", "legacy ClinicalTrials.gov clinical_study XML"),
        FormatEntry("ctgov-json", ".ctgov_json.reader:read", "ClinicalTrials.gov API v2 JSON"),
        FormatEntry("ictrp", ".ictrp.reader:read", "WHO ICTRP export (XML or CSV)"),
        FormatEntry("canonical", ".canonical.reader:read_canonical", "canonical records (JSON / JSON Lines)"),
        FormatEntry("json", ".canonical.reader:read_json",
                    "any JSON: API v2 studies or canonical records, told apart per object"),
    )
}

WRITERS: dict[str, FormatEntry] = {
    e.name: e
    for e in (
        FormatEntry("json", ".canonical.writer:JsonSink",
                    "canonical JSON: one record an object, several an array (parse: JSON Lines)"),
        FormatEntry("jsonl", ".canonical.writer:JsonLinesSink", "canonical JSON Lines"),
        FormatEntry("csv", ".tables.csv_writer:CsvSink", "CSV tables + Frictionless datapackage.json"),
        FormatEntry("xml", ".ctgov_xml.writer:XmlSink", "ClinicalTrials.gov clinical_study XML"),
        FormatEntry("sqlite", ".tables.sqlite_writer:SqliteSink", "SQLite database of the CSV tables"),
    )
}


def reader(name: str) -> Any:
    """The ``read`` function of the reader called ``name``."""
    try:
        return READERS[name].load()
    except KeyError:
        raise UsageError(f"unknown input format {name!r}; known: {', '.join(READERS)}") from None


def writer(name: str) -> Any:
    """The :class:`Sink` class of the writer called ``name``."""
    try:
        return WRITERS[name].load()
    except KeyError:
        raise UsageError(f"unknown output format {name!r}; known: {', '.join(WRITERS)}") from None


def detect_format(data: bytes, path: str | None = None, encoding: str | None = None) -> str:
    """The reader a document needs, told from its content (``--from auto``).

    A WHO ICTRP export (the XML root ``Trials_downloaded_from_ICTRP``, or a
    CSV header naming ``TrialID`` and ``Public title``) means ``ictrp``; any
    other tag first (after white space and a byte-order mark) means registry XML;
    a JSON object or list means JSON (registry API v2 or canonical records,
    told apart per object by the ``json`` reader); anything else, ``<5 years
    ...`` or ``[Phase II] ...`` included, is flattened text, except in a file
    named ``.json``, ``.jsonl`` or ``.ndjson`` that starts with ``{`` or ``[``.
    """
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    other = encoding or ("utf-16" if head.startswith(UTF16_BOMS) else utf16_without_bom(data))
    if other:
        text = data[:2048].decode(other, "replace")
        head = text.lstrip("\ufeff \t\r\n")[:16].encode("utf-8", "replace")
    if _ICTRP_XML.search(head) or (head[:1] not in (b"<", b"{", b"[") and _ICTRP_CSV.match(head)
                                   and b"public" in head.split(b"\n", 1)[0].lower()):
        return "ictrp"
    if _XML_START.match(head):
        return "ctgov-xml"
    if _JSON_START.match(head):
        return "json"
    if head[:1] in (b"{", b"[") and path is not None and path.lower().removesuffix(".gz").endswith(_JSON_SUFFIXES):
        return "json"  # a .json / .jsonl file whose first value is broken: the JSON reader says where
    return "text"


# A WHO ICTRP export: its XML root (after the XML declaration), or a CSV header naming TrialID.
_ICTRP_XML = re.compile(rb"^(?:<\?[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<Trials_downloaded_from_ICTRP[\s>/]", re.DOTALL)
_ICTRP_CSV = re.compile(rb'^[^\n]*?(?:^|[,;\t])"?TrialID"?(?:[,;\t]|\r?$)', re.MULTILINE)
_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


# A tag, a declaration or a comment; "<5 years" starts a text entry.
_XML_START = re.compile(rb"<[?!A-Za-z_]")
# An object with a key or empty; a list of values or empty; "[Phase II] ..." is text.
_JSON_START = re.compile(rb'\{\s*["}]|\{\s*$|\[\s*[\[{"\d\-tfn\]]|\[\s*$')
