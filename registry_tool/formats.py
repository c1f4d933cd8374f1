"""The one registry of input and output formats.

Importers and exporters are named here by ``module:attribute`` and loaded on
first use, so reading flattened text never pays for importing lxml or
requests. Adding a format is one line in a table below, never an if/elif.

An importer is a callable ``read(data: bytes, path: str | None) ->
Iterator[Record | Failure]`` (one file may hold several records), plus a
``sniff(head: str) -> bool`` used by ``--from auto``.

An exporter is a class built as ``Exporter(out, options)`` with
``write(record) -> list[RecordWarning]`` and ``close()``; see
:class:`registry_tool.exporters.base.Exporter`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from .errors import UsageError


@dataclass(frozen=True, slots=True)
class FormatEntry:
    name: str
    target: str  # "package.module:attribute"
    summary: str

    def load(self) -> Any:
        loaded = _LOADED.get(self.target)
        if loaded is None:  # once per format: a batch asks for its importer once a file
            module_name, _, attr = self.target.partition(":")
            loaded = _LOADED[self.target] = getattr(importlib.import_module(module_name, __package__), attr)
        return loaded


_LOADED: dict[str, Any] = {}


IMPORTERS: dict[str, FormatEntry] = {}
EXPORTERS: dict[str, FormatEntry] = {}


def register_importer(name: str, target: str, summary: str) -> None:
    IMPORTERS[name] = FormatEntry(name, target, summary)


def register_exporter(name: str, target: str, summary: str) -> None:
    EXPORTERS[name] = FormatEntry(name, target, summary)


def importer(name: str) -> Any:
    """The ``read`` callable of the importer called ``name``."""
    try:
        return IMPORTERS[name].load()
    except KeyError:
        raise UsageError(f"unknown input format {name!r}; known: {', '.join(IMPORTERS)}") from None


def exporter(name: str) -> Any:
    """The exporter class called ``name``."""
    try:
        return EXPORTERS[name].load()
    except KeyError:
        raise UsageError(f"unknown output format {name!r}; known: {', '.join(EXPORTERS)}") from None


register_importer("text", ".importers.text:read", "flattened registry text (FORMAT.md)")
register_importer("ctgov-xml", ".importers.ctgov_xml:read", "legacy ClinicalTrials.gov clinical_study XML")
register_importer("ctgov-json", ".importers.ctgov_json:read", "ClinicalTrials.gov API v2 JSON")
register_importer("canonical", ".importers.canonical:read", "canonical records (JSON / JSON Lines)")
register_importer("json", ".importers.json_router:read", "any JSON: API v2 studies or canonical records, told apart per object")

register_exporter("json", ".exporters.json_export:JsonExporter", "canonical JSON (one record) / JSON Lines")
register_exporter("jsonl", ".exporters.json_export:JsonLinesExporter", "canonical JSON Lines")
register_exporter("csv", ".exporters.csv_export:CsvExporter", "CSV tables + Frictionless datapackage.json")
register_exporter("xml", ".exporters.xml_export:XmlExporter", "ClinicalTrials.gov clinical_study XML")
register_exporter("sqlite", ".exporters.sqlite_export:SqliteExporter", "SQLite database of the CSV tables")
