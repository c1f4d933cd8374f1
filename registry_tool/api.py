"""The library API: composes reading, importing, validation and exporting.

Each CLI command is one call here. Results stream: records are read, checked
and written one at a time, so memory does not grow with the batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import formats
from .errors import Failure, RecordError
from .model import Copyable, Record, RecordWarning
from .reading import detect_format, expand_inputs, read_document

__all__ = [
    "BatchReport",
    "ExportOptions",
    "check_record",
    "convert",
    "expand_inputs",
    "fetch",
    "iter_records",
    "parse_file",
    "parse_text",
    "read_path",
    "validate_files",
    "write_failures",
]

Result = Record | Failure
Progress = Callable[[int], None]  # called with the number of inputs just finished


@dataclass(slots=True)
class BatchReport(Copyable):
    """What a batch did. ``records_in == records_out + len(failures)``."""

    records_in: int = 0
    records_out: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: int = 0

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "records_in": self.records_in,
            "records_out": self.records_out,
            "failed": len(self.failures),
            "warnings": self.warnings,
        }


# --- reading ---------------------------------------------------------------------------


def iter_records(
    inputs: Iterable[str | None] = (),
    from_format: str = "auto",
    progress: Progress | None = None,
) -> Iterator[Result]:
    """Records (or failures) from files, directories or stdin (``-`` / no input).

    ``from_format`` is ``auto`` (by content), or an importer name from
    :data:`registry_tool.formats.IMPORTERS`. Raises :class:`UsageError` for a
    path that does not exist or an unknown format; every other problem is a
    :class:`Failure` in the stream.
    """
    paths = expand_inputs(inputs)
    if from_format != "auto":
        formats.importer(from_format)  # fail early on an unknown name
    for path in paths:
        yield from read_path(path, from_format)
        if progress is not None:
            progress(1)


def read_path(path: str | None, from_format: str = "auto") -> Iterator[Result]:
    """Records (or failures) from one file; ``None`` reads stdin."""
    try:
        doc = read_document(path)
        fmt = detect_format(doc.data, path) if from_format == "auto" else from_format
        read = formats.importer(fmt)
        results = read(doc.data, path)
    except RecordError as exc:
        yield exc.failure
        return
    except Exception as exc:  # noqa: BLE001 - an importer that cannot even start fails this input only
        yield Failure("internal-error", f"unexpected {type(exc).__name__}: {exc} (please report this input)", path=path)
        return
    yield from guarded(results, path)


def guarded(results: Iterator[Result], path: str | None) -> Iterator[Result]:
    """Pass results on, turning any unexpected exception into a Failure.

    No traceback reaches a user: a bug in an importer fails that input, with
    the exception named, and the batch goes on.
    """
    index = 0
    try:
        for result in results:
            yield result
            index += 1
    except RecordError as exc:
        if exc.failure.path is None:
            exc.failure.path = path
        yield exc.failure
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a batch
        yield Failure(
            "internal-error",
            f"unexpected {type(exc).__name__}: {exc} (please report this input)",
            path=path,
            index=index,
        )


def parse_text(text: str, path: str | None = None) -> Record:
    """Parse one flattened registry entry (FORMAT.md) into a record.

    Raises :class:`registry_tool.errors.ParseError` when the text holds no entry.
    """
    from .importers.text import parse_text as _parse

    return _parse(text, path)


def parse_file(path: str, from_format: str = "auto") -> Record:
    """Read the one record a file holds (text, registry XML or JSON).

    Raises :class:`RecordError` when the file cannot be read, holds no record
    or more than one (use :func:`iter_records` for batches).
    """
    found: Record | None = None
    for result in read_path(path, from_format):
        if isinstance(result, Failure):
            raise RecordError(result)
        if found is not None:
            raise RecordError(Failure("many-records", "file holds more than one record; use iter_records()", path=path))
        found = result
    if found is None:
        raise RecordError(Failure("no-record", "file holds no record", path=path))
    return found


def fetch(nct_ids: list[str], **options: Any) -> BatchReport:
    """Download studies from the ClinicalTrials.gov API v2 and write canonical records.

    The options are those of :func:`registry_tool.fetch.fetch_to` (``query``,
    ``base_url``, ``out``, ``resume``, ``page_size``, ``timeout``, ``retries``,
    ``progress``, ``on_failure``, ...); the HTTP client is loaded only here.
    """
    from .fetch import fetch_to

    return fetch_to(nct_ids, **options)


# --- checking --------------------------------------------------------------------------


def check_record(record: Record) -> tuple[dict[str, Any] | None, Failure | None]:
    """The record's JSON form if it is schema-valid, else a Failure listing every violation."""
    from .validation import validate

    data = record.to_dict()
    violations = validate(data)
    if not violations:
        return data, None
    detail = "; ".join(f"{v.path}: {v.message}" for v in violations[:5])
    more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
    return None, Failure(
        "schema",
        f"record breaks the record schema: {detail}{more}",
        record_id=record.record_id,
        path=record.source.path,
        json_path=violations[0].path,
    )


@dataclass(slots=True)
class ValidationReport(Copyable):
    """Per-record violations of canonical JSON files."""

    records: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {path, line, record_id, code, json_path, message}
    unreadable: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.unreadable


def validate_files(paths: Iterable[str]) -> ValidationReport:
    """Check canonical JSON / JSON Lines files against the record schema."""
    from .importers.json_router import iter_json_values
    from .validation import validate

    report = ValidationReport()
    for path in expand_inputs(paths):
        try:
            doc = read_document(path)
            values = iter_json_values(doc.data, path)
            for value, where in values:
                report.records += 1
                record_id = value.get("record_id") if isinstance(value, dict) else None
                violations = (
                    validate(value)
                    if isinstance(value, dict)
                    else [_not_an_object(value)]
                )
                if violations:
                    report.invalid += 1
                for v in violations:
                    report.problems.append(
                        {
                            "path": path,
                            "where": where,
                            "record_id": record_id,
                            "code": v.code,
                            "json_path": v.path,
                            "message": v.message,
                        }
                    )
        except RecordError as exc:
            report.unreadable.append(exc.failure)
    return report


def _not_an_object(value: Any) -> Any:
    from .validation import Violation

    return Violation("type", "$", f"{json.dumps(value)[:60]} is not a record object")


# --- writing ---------------------------------------------------------------------------


@dataclass(slots=True)
class ExportOptions(Copyable):
    """Options every exporter receives; each uses those that concern it."""

    strict: bool = False
    set_values: dict[str, str] = field(default_factory=dict)
    excel_safe: bool = False
    validate: bool = True


def convert(
    results: Iterable[Result],
    to: str,
    out: str | None,
    options: ExportOptions | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_export_warning: Callable[[Record, RecordWarning], None] | None = None,
) -> BatchReport:
    """Write records with the exporter ``to``; failures are counted, reported, and skipped.

    Records are schema-checked first when ``options.validate`` is set; a record
    that breaks the schema is a failure, never written. An exporter may refuse
    a record (``--strict``) by raising :class:`RecordError`; the batch goes on.
    Warnings an exporter gives about a record's export (a required registry
    element missing, say) go to ``on_export_warning``: they are not in the
    record itself.
    """
    options = options or ExportOptions()
    sink = formats.exporter(to)(out, options)
    report = BatchReport()

    def failed(failure: Failure) -> None:
        report.fail(failure)
        if on_failure is not None:
            on_failure(failure)

    try:
        for result in results:
            report.records_in += 1
            if isinstance(result, Failure):
                failed(result)
                continue
            data = None
            if options.validate:
                data, failure = check_record(result)
                if failure is not None:
                    failed(failure)
                    continue
            try:
                if data is not None and hasattr(sink, "write_dict"):
                    extra: list[RecordWarning] = sink.write_dict(result, data) or []
                else:
                    extra = sink.write(result) or []
            except RecordError as exc:
                exc.failure.record_id = exc.failure.record_id or result.record_id
                exc.failure.path = exc.failure.path or result.source.path
                failed(exc.failure)
                continue
            report.records_out += 1
            report.warnings += len(result.warnings) + len(extra)
            if on_export_warning is not None:
                for warning in extra:
                    on_export_warning(result, warning)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return report


def write_failures(failures: Iterable[Failure], path: str) -> None:
    """Write failures as JSON Lines, one a line (``--errors FILE``)."""
    from .atomic import atomic_writer

    with atomic_writer(path, "w") as fh:
        for failure in failures:
            fh.write(json.dumps(failure.to_dict(), ensure_ascii=False) + "\n")
