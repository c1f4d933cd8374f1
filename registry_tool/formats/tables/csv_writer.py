"""CSV data package: one CSV file a table and a Frictionless ``datapackage.json``.

The tables are those of :mod:`.layout`. Rows are
written as records arrive, so memory stays flat however long the batch; the
folder is built in a hidden temporary sibling and renamed into place at close,
so an interrupted export leaves the old folder (or none) behind, never half a
package. Files are UTF-8 without a byte-order mark, with a header row and
RFC 4180 quoting (CRLF row ends; a value holding a comma, a quote or a line
break is quoted, its quotes doubled).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from typing import IO, Any

from ...atomic import AtomicDirectory
from ...errors import RegistryToolError, UsageError
from ...version import __version__
from ..base import WriteOptions
from .layout import LAYOUT_VERSION, TABLES, Column, Table, TableSink

PACKAGE_FILE = "datapackage.json"

# A cell starting with one of these is run as a formula by spreadsheets
# (OWASP "CSV injection": = + - @, and tab / carriage return).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

EXCEL_SAFE_NOTE = (
    "Written with --excel-safe: a text cell that began with =, +, -, @, a tab or a carriage return "
    "has a ' (apostrophe) put in front, so a spreadsheet shows it as text instead of running it as a "
    "formula. Remove that leading apostrophe before using such values as data."
)

Cell = Any
Formatter = Callable[[Cell], str]


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` where a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def format_number(value: int | float | None) -> str:
    """A number as its shortest exact text (``3``, ``91.3125``); empty for None."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _format_text(value: str | None) -> str:
    return "" if value is None else value


def _format_safe_text(value: str | None) -> str:
    return "" if value is None else neutralise_formula(value)


def _format_boolean(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


_FORMATTERS: dict[str, Formatter] = {
    "string": _format_text,
    "array": _format_text,
    "object": _format_text,
    "integer": format_number,
    "number": format_number,
    "boolean": _format_boolean,
}


# The not-applicable code as CSV writes it: "NA" is read as a missing value by pandas' read_csv and
# R's read.csv unless told otherwise (CONTRACT); the JSON record and SQLite keep API v2's NA.
NOT_APPLICABLE = "NOT_APPLICABLE"


def na_coded(column: Column) -> bool:
    """Whether a column holds codes among which is ``NA`` (written ``NOT_APPLICABLE`` in CSV)."""
    return column.name == "phases" or "NA" in column.enum


def _format_code(value: str | None) -> str:
    return "" if value is None else (NOT_APPLICABLE if value == "NA" else value)


def _format_codes(value: str | None) -> str:
    if value is None:
        return ""
    return ";".join(NOT_APPLICABLE if code == "NA" else code for code in value.split(";"))


def csv_field_descriptor(column: Column) -> dict[str, Any]:
    """The column's Table Schema field as the CSV writes it (``NOT_APPLICABLE`` for ``NA``)."""
    field = column.field_descriptor()
    constraints = field.get("constraints", {})
    if "enum" in constraints:
        constraints["enum"] = [NOT_APPLICABLE if v == "NA" else v for v in constraints["enum"]]
    if column.name == "phases" and "pattern" in constraints:
        constraints["pattern"] = constraints["pattern"].replace("|NA)", f"|{NOT_APPLICABLE})")
    return field


# Formatters the csv module's own conversion matches: None -> "", text as it is, a number as str()
# (which is repr() for a float).
_PLAIN = frozenset({_format_text, format_number})


def cell_formatters(table: Table, excel_safe: bool = False) -> list[Formatter]:
    """How each column's cells become CSV text; ``excel_safe`` guards the text columns."""
    out: list[Formatter] = []
    for column in table.columns:
        if na_coded(column):
            out.append(_format_codes if column.name == "phases" else _format_code)
        elif excel_safe and column.type == "string":
            out.append(_format_safe_text)
        else:
            out.append(_FORMATTERS[column.type])
    return out


def package_descriptor(excel_safe: bool = False) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of a CSV export."""
    description = (
        "Clinical-trial registry records exported by registry-tool: one row a trial in trials.csv, "
        "the trials' outcomes, time points, interventions, arms, sponsors, eligibility criteria, "
        "gene-variant mentions, parser warnings and unplaced input in the other tables, each keyed by "
        "record_id and a 1-based index, with the results tables (result_groups, result_outcomes, ...). "
        "Empty cells are missing values. phases is a ';'-joined list of codes; the not-applicable code is "
        "written NOT_APPLICABLE (never NA, which CSV readers take for a missing value); columns of type "
        "array/object hold JSON text."
    )
    if excel_safe:
        description += " " + EXCEL_SAFE_NOTE
    resources = []
    for table in TABLES:
        resource: dict[str, Any] = {
            "name": table.name,
            "path": f"{table.name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": table.description,
            "schema": {**table.schema_descriptor(), "fields": [csv_field_descriptor(c) for c in table.columns]},
        }
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": "registry-tool-export",
        "title": "Clinical-trial registry records",
        "description": description,
        "registry_tool": {
            "version": __version__,
            "layout_version": LAYOUT_VERSION,
            "excel_safe": excel_safe,
        },
        "resources": resources,
    }


def check_replaceable(path: str) -> None:
    """Refuse an output folder whose replacement would destroy something else.

    An export replaces an existing folder only when it is empty or holds a
    ``datapackage.json`` (an earlier export); a file or any other folder is a
    usage error, so ``-o ~`` cannot wipe a home folder.
    """
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        raise UsageError(
            f"{path} exists and is not a folder (or is a symbolic link); --to csv writes a folder of tables (-o DIR)"
        )
    if os.listdir(path) and not os.path.isfile(os.path.join(path, PACKAGE_FILE)):
        raise UsageError(
            f"{path} is a folder that holds no {PACKAGE_FILE}, so it is not an earlier export; "
            "refusing to replace it (choose a new or empty folder)"
        )


class _TableFile:
    """One table's CSV file in the temporary folder."""

    def __init__(self, folder: str, table: Table, excel_safe: bool):
        self.handle: IO[str] = open(os.path.join(folder, f"{table.name}.csv"), "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.formatters = cell_formatters(table, excel_safe)
        # the columns whose cells need more than the csv module's own conversion
        self.formatted = [(i, f) for i, f in enumerate(self.formatters) if f not in _PLAIN]
        self.writer.writerow(table.column_names)

    def write_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if not self.formatted:  # text and numbers only: the csv module writes None as "" and a number as
            self.writer.writerows(rows)  # its shortest text (str), as the formatters would
            return
        formatted = self.formatted
        out = []
        for row in rows:
            cells = list(row)
            for i, fmt in formatted:
                cells[i] = fmt(cells[i])
            out.append(cells)
        self.writer.writerows(out)

    def close(self, sync: bool) -> None:
        if sync:
            self.handle.flush()
            os.fsync(self.handle.fileno())
        self.handle.close()


class CsvSink(TableSink):
    """``--to csv -o DIR``: the tables as CSV files plus ``datapackage.json``."""

    format_name = "csv"
    usage = "-o DIR: the folder to write the tables and datapackage.json to"

    def __init__(self, out: str | None, options: WriteOptions):
        super().__init__(out, options)
        assert self.out is not None
        check_replaceable(self.out)
        self._files: list[_TableFile] = []
        try:
            self._folder = AtomicDirectory(self.out)
        except OSError as exc:
            raise UsageError(f"cannot write the folder {self.out}: {exc.strerror or exc}") from None
        try:
            for table in TABLES:
                self._files.append(_TableFile(self._folder.path, table, options.excel_safe))
        except OSError as exc:
            self.abort()
            raise UsageError(f"cannot write the folder {self.out}: {exc.strerror or exc}") from None
        except BaseException:
            self.abort()
            raise

    def write_rows(self, record_id: str, path: str | None, rows: list[list[tuple[Any, ...]]]) -> None:
        for file, table_rows in zip(self._files, rows):
            file.write_rows(table_rows)

    def close(self) -> None:
        try:
            with open(os.path.join(self._folder.path, PACKAGE_FILE), "w", encoding="utf-8") as fh:
                json.dump(package_descriptor(self.options.excel_safe), fh, ensure_ascii=False, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            for file in self._files:
                file.close(sync=True)
            self._folder.commit()
        except OSError as exc:
            self.abort()
            raise RegistryToolError(f"cannot finish the export to {self.out}: {exc}; nothing was replaced") from None
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        for file in self._files:
            try:
                file.close(sync=False)
            except OSError:
                pass
        self._folder.discard()
