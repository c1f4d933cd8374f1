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
from ...errors import OutputError, RegistryToolError, UsageError
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


def check_replaceable(path: str, existing: str | None = "replace") -> bool:
    """Refuse an output folder whose replacement would destroy something else; True where
    ``path`` holds an earlier export.

    An export replaces an existing folder only when it is empty or holds a
    ``datapackage.json`` (an earlier export), and an earlier export only with
    ``existing`` ``replace`` or ``append`` (``--replace`` / ``--append``); a
    file or any other folder is a usage error, so ``-o ~`` cannot wipe a home
    folder.
    """
    if not os.path.lexists(path):
        return False
    if not os.path.isdir(path) or os.path.islink(path):
        raise UsageError(
            f"{path} exists and is not a folder (or is a symbolic link); --to csv writes a folder of tables (-o DIR)"
        )
    if not os.listdir(path):
        return False
    if not os.path.isfile(os.path.join(path, PACKAGE_FILE)):
        raise UsageError(
            f"{path} is a folder that holds no {PACKAGE_FILE}, so it is not an earlier export; "
            "refusing to replace it (choose a new or empty folder)"
        )
    if existing is None:
        raise UsageError(
            f"{path} holds an earlier export ({PACKAGE_FILE} and its tables): give --replace to replace it, "
            "or --append to add these records to it (a record already there is replaced by its id)"
        )
    return True


def _check_appendable(path: str, excel_safe: bool) -> None:
    """An earlier export can take more records only if it has this version's tables and the same cell form."""
    try:
        with open(os.path.join(path, PACKAGE_FILE), encoding="utf-8") as fh:
            meta = json.load(fh).get("registry_tool") or {}
    except (OSError, ValueError, AttributeError) as exc:
        raise UsageError(f"{path}: cannot read its {PACKAGE_FILE} to append to it: {exc}") from None
    if meta.get("layout_version") != LAYOUT_VERSION:
        raise UsageError(
            f"{path} holds table layout {meta.get('layout_version')}, this version writes layout {LAYOUT_VERSION}: "
            "cannot append to it (export again with --replace, or to a new folder)"
        )
    if bool(meta.get("excel_safe")) != excel_safe:
        was = "with" if meta.get("excel_safe") else "without"
        raise UsageError(f"{path} was written {was} --excel-safe: append to it the same way")
    for table in TABLES:
        if not os.path.isfile(os.path.join(path, f"{table.name}.csv")):
            raise UsageError(f"{path} has no {table.name}.csv: cannot append to it (export again with --replace)")


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
        earlier = check_replaceable(self.out, options.existing)
        self._append = earlier and options.existing == "append"
        if self._append:
            _check_appendable(self.out, options.excel_safe)
        self.replaced = 0
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
        try:
            for file, table_rows in zip(self._files, rows):
                file.write_rows(table_rows)
        except OSError as exc:
            raise OutputError(self.out, exc) from None

    def close(self) -> None:
        try:
            with open(os.path.join(self._folder.path, PACKAGE_FILE), "w", encoding="utf-8") as fh:
                json.dump(package_descriptor(self.options.excel_safe), fh, ensure_ascii=False, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            for file in self._files:
                file.close(sync=not self._append)
            if self._append:
                self._merge_earlier()
            self._folder.commit()
        except OSError as exc:
            self.abort()
            raise OutputError(self.out, exc) from None
        except BaseException:
            self.abort()
            raise

    def _merge_earlier(self) -> None:
        """--append: each table becomes the earlier export's rows of the records not written
        now, then this batch's rows (a record written again replaces its earlier rows)."""
        assert self.out is not None
        ids = set(self._written)
        for table in TABLES:
            new_path = os.path.join(self._folder.path, f"{table.name}.csv")
            merged_path = new_path + ".merged"
            with open(os.path.join(self.out, f"{table.name}.csv"), encoding="utf-8", newline="") as old, \
                    open(new_path, encoding="utf-8", newline="") as new, \
                    open(merged_path, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, lineterminator="\r\n")
                old_rows = csv.reader(old)
                header = next(old_rows, None)
                if header != table.column_names:
                    raise UsageError(f"{self.out}/{table.name}.csv has other columns than this version writes: "
                                     "cannot append to it (export again with --replace)")
                writer.writerow(header)
                for row in old_rows:
                    if row and row[0] in ids:
                        if table.name == "trials":
                            self.replaced += 1
                        continue
                    writer.writerow(row)
                new_rows = csv.reader(new)
                next(new_rows, None)
                writer.writerows(new_rows)
                out.flush()
                os.fsync(out.fileno())
            os.replace(merged_path, new_path)

    def abort(self) -> None:
        for file in self._files:
            try:
                file.close(sync=False)
            except OSError:
                pass
        self._folder.discard()
