"""The library functions behind the commands: each one a composition of the pipeline's pieces.

``registry-tool parse`` and ``export`` are :func:`export`, ``validate`` is
:func:`validate_files`, ``fetch`` is :func:`fetch`; :mod:`registry_tool.cli`
only turns options into these calls and reports into lines and exit codes.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import formats, pipeline
from .atomic import atomic_writer, is_special_file
from .catalogue import on_screen
from .decoding import decode_text
from .errors import Failure, RecordError, UsageError
from .formats.base import Canonical, WriteOptions
from .formats.canonical.partfile import PartFileSink
from .formats.json_documents import iter_json_values
from .formats.review.page import ReviewItem, render_page
from .model import Record
from .normalize import Step, normalize
from .overrides import Overrides
from .pipeline import BatchReport, Progress
from .processing import Processed, check_record, read_document
from .sources import Document, Input, Member, expand_inputs, file_documents
from .sources.registry_api import (
    DEFAULT_BASE_URL,
    MAX_PAGE_SIZE,
    UNAVAILABLE,
    ApiClient,
    ApiSource,
    FetchState,
    RetryPolicy,
    normalize_ids,
)
from .validation import Violation, check_references, validate

Result = Record | Failure


# --- reading ------------------------------------------------------------------------------------


def iter_records(
    inputs: Iterable[str | None] = (),
    from_format: str = "auto",
    progress: Progress | None = None,
    steps: Sequence[Step] | None = None,
) -> Iterator[Result]:
    """Normalised records (or failures) from files, directories or stdin (``-`` / no input).

    ``from_format`` is ``auto`` (by content) or a reader name of
    :data:`registry_tool.formats.READERS`; ``steps`` replaces the default
    normalise stack. Raises :class:`UsageError` for a path that does not
    exist, a directory holding no input file, or an unknown format; every
    other problem is a :class:`Failure` in the stream. ``.gz`` files and
    ``.zip`` archives are read unpacked.
    """
    paths = expand_inputs(inputs)
    if from_format != "auto":
        formats.reader(from_format)  # fail early on an unknown name
    for document in file_documents(paths):
        for result in read_document(document, from_format):
            if isinstance(result, Canonical):
                yield result.record
            elif isinstance(result, Record):
                yield normalize(result, steps)
            else:
                yield result
        if progress is not None:
            progress(1)


def parse_text(text: str, path: str | None = None, steps: Sequence[Step] | None = None) -> Record:
    """Parse one flattened registry entry (FORMAT.md) into a normalised record.

    Raises :class:`registry_tool.errors.ParseError` when the text holds no entry.
    """
    from .formats.text.reader import read_entry

    return normalize(read_entry(text, path), steps)


def parse_file(path: str, from_format: str = "auto") -> Record:
    """Read the one record a file holds (text, registry XML or JSON), normalised.

    Raises :class:`RecordError` when the file cannot be read, holds no record
    or more than one (use :func:`iter_records` for batches).
    """
    found: Record | None = None
    for result in iter_records([path], from_format):
        if isinstance(result, Failure):
            raise RecordError(result)
        if found is not None:
            raise RecordError(Failure("many-records", "file holds more than one record; use iter_records()", path=path))
        found = result
    if found is None:
        raise RecordError(Failure("no-record", "file holds no record", path=path))
    return found


# --- parse and export ------------------------------------------------------------------------------


def export(
    inputs: Iterable[Input],
    to: str,
    out: str | None,
    *,
    from_format: str = "auto",
    options: WriteOptions | None = None,
    validate: bool = True,
    steps: Sequence[Step] | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_record: Callable[[Processed], None] | None = None,
    overrides: Overrides | None = None,
    encoding: str | None = None,
) -> BatchReport:
    """Read every input, normalise, check and write with the writer ``to``.

    ``parse`` is ``to="json"`` with ``options.json_shape="object-or-lines"``.
    ``overrides`` (:func:`registry_tool.overrides.parse_overrides`) are a
    curator's values (``--set``, ``--fields``), applied to every record.
    ``encoding`` names the text encoding of the inputs (None: UTF-8, or
    UTF-16). Raises :class:`UsageError` where ``out`` is one of the inputs
    (or a folder holding one).
    """
    paths = expand_inputs(inputs)
    if from_format != "auto":
        formats.reader(from_format)
    refuse_output_over_inputs(out, paths)
    sink = formats.writer(to)(out, options or WriteOptions())
    return pipeline.run(file_documents(paths, encoding), sink, from_format=from_format, steps=steps,
                        validate=validate, jobs=jobs, progress=progress, on_failure=on_failure,
                        on_record=on_record, overrides=overrides)


# --- review ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReviewReport:
    """What a review page holds: records, how many have warnings, the inputs that gave none."""

    records: int = 0
    flagged: int = 0
    failures: list[Failure] = field(default_factory=list)


def review(inputs: Iterable[str | None], out: str | None, *, from_format: str = "auto",
           steps: Sequence[Step] | None = None) -> ReviewReport:
    """Write the review page of every input (``registry-tool review``) to ``out`` (None: stdout).

    Each document goes through its reader, the normalise stack and the record
    schema as in ``parse``; a flattened-text entry keeps its source text, so the
    page can highlight where each field came from (the record's ``spans``). A
    record the schema refuses is still shown, with the failure as a warning.
    """
    paths = expand_inputs(inputs)
    if from_format != "auto":
        formats.reader(from_format)
    report = ReviewReport()
    items: list[ReviewItem] = []
    for document in file_documents(paths):
        if isinstance(document, Failure):
            report.failures.append(document)
            items.append(ReviewItem(None, failure=document.describe(), path=document.path))
            continue
        for result in read_document(document, from_format):
            if isinstance(result, Failure):
                report.failures.append(result)
                items.append(ReviewItem(None, failure=result.describe(), path=result.path))
                continue
            record = result.record if isinstance(result, Canonical) else normalize(result, steps)
            _, failure = check_record(record)
            if failure is not None:
                record.warn("schema", failure.message)
            source = None
            if record.source.format == "text" and record.spans:
                source = (_entry_text(record) if isinstance(result, Canonical)
                          else decode_text(document.bytes(), document.path))
            report.records += 1
            report.flagged += any(on_screen(w.code) for w in record.warnings)
            items.append(ReviewItem(record.to_dict(), source, path=document.path))
    page = render_page(items)
    if out in (None, "-"):
        sys.stdout.write(page)
        sys.stdout.flush()
    else:
        with atomic_writer(out, "w") as fh:
            fh.write(page)
    return report


def _entry_text(record: Record) -> str | None:
    """The entry a canonical text record was parsed from, if its file is still there unchanged
    (its content gives the record's id), so the review page can show its source."""
    from .formats.text.reader import split_lines, stable_id

    path = record.source.path
    try:
        text = decode_text(Document(path).bytes(), path) if path else None
    except (OSError, RecordError, UsageError):
        return None
    return text if text is not None and stable_id(split_lines(text)) == record.record_id else None


def refuse_output_over_inputs(out: str | None, inputs: Iterable[Input], option: str = "-o") -> None:
    """Raise :class:`UsageError` if the output ``out`` is one of the inputs, or a folder
    holding one: writing it would destroy what is being read."""
    if out is None or out == "-" or not os.path.exists(out):
        return
    try:
        out_stat = os.stat(out)
    except OSError:
        return
    if not os.path.isfile(out) and not os.path.isdir(out):
        return  # a device or a pipe (/dev/null, /dev/stdout) is written in place, never replaced
    folder = os.path.realpath(out) + os.sep if os.path.isdir(out) else None
    for item in inputs:
        if item is None:
            continue
        path = item.archive if isinstance(item, Member) else item
        try:
            same = os.path.samestat(os.stat(path), out_stat)
        except OSError:
            continue
        if same or (folder is not None and os.path.realpath(path).startswith(folder)):
            what = "is" if same else "holds"
            raise UsageError(f"{option} {out} {what} one of the inputs ({path}); writing it would destroy the "
                             "input: choose another output")


# --- validate ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class ValidationReport:
    """Per-record violations of canonical JSON files."""

    records: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {path, where, record_id, code, json_path, message}
    unreadable: list[Failure] = field(default_factory=list)
    # (record id, the input its warnings' lines refer to, its warnings) of each record that has warnings
    warnings: list[tuple[str | None, str | None, list[dict[str, Any]]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.unreadable

    @property
    def valid(self) -> int:
        return self.records - self.invalid


def validate_files(paths: Iterable[Input] = (), encoding: str | None = None,
                   skipped: list[str] | None = None) -> ValidationReport:
    """Check canonical JSON / JSON Lines files (``-`` or nothing: stdin) against the record
    schema and the references inside each record (:func:`registry_tool.validation.check_references`).

    Every record read is counted once: valid, invalid (its violations in
    ``problems``), or unreadable (a bad JSON Lines line, a file that is not
    JSON: in ``unreadable``, and counted invalid), so ``records`` is always
    the valid plus the invalid.
    """
    report = ValidationReport()
    for document in file_documents(expand_inputs(paths, skipped), encoding):
        path = document.path
        try:
            for index, item in enumerate(iter_json_values(document.bytes(), path, encoding)):
                report.records += 1
                if isinstance(item, Failure):
                    item.index = index
                    report.invalid += 1
                    report.unreadable.append(item)
                    continue
                value, where = item
                record_id = value.get("record_id") if isinstance(value, dict) else None
                if isinstance(value, dict):
                    violations = validate(value) or check_references(value)
                else:
                    violations = [_not_an_object(value)]
                if violations:
                    report.invalid += 1
                _collect_warnings(report, value, path)
                for v in violations:
                    report.problems.append({"path": path, "where": where, "record_id": record_id, "code": v.code,
                                            "json_path": v.path, "message": v.message})
        except RecordError as exc:
            report.records += 1
            report.invalid += 1
            report.unreadable.append(exc.failure)
    return report


def _collect_warnings(report: ValidationReport, value: Any, path: str | None) -> None:
    """A canonical record's warnings, named by the input they came from (else the file checked)."""
    if not isinstance(value, dict) or not isinstance(value.get("warnings"), list):
        return
    warnings = [w for w in value["warnings"] if isinstance(w, dict)]
    if warnings:
        source = value.get("source")
        origin = source.get("path") if isinstance(source, dict) and isinstance(source.get("path"), str) else path
        report.warnings.append((value.get("record_id"), origin, warnings))


def _not_an_object(value: Any) -> Violation:
    return Violation("type", "$", f"{json.dumps(value)[:60]} is not a record object")


def write_failures(failures: Iterable[Failure], path: str) -> None:
    """Write failures as JSON Lines, one a line (``--errors FILE``)."""
    with atomic_writer(path, "w") as fh:
        for failure in failures:
            fh.write(json.dumps(failure.to_dict(), ensure_ascii=False) + "\n")


# --- fetch ---------------------------------------------------------------------------------------------


def fetch(
    nct_ids: Iterable[str],
    *,
    query: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    out: str | None = None,
    resume: bool = False,
    page_size: int = 100,
    timeout: float = 30.0,
    retries: int = 5,
    progress: Progress | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_record: Callable[[Processed], None] | None = None,
    backoff: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    session: Any = None,
) -> BatchReport:
    """Download studies by NCT id and/or search ``query`` and write canonical records.

    The registry API is a source like any other: its studies go through the
    ``ctgov-json`` reader, the normalise stack and the record schema, then to
    stdout (``out`` None or ``-``: one record indented, more as JSON Lines) or
    to ``OUT.part``, which becomes ``OUT`` when the download is complete and
    stays, with ``OUT.part.state``, when it is not (interrupted, or a request
    still failing after its last retry): ``resume=True`` continues it
    without duplicates. ``backoff`` (seconds), ``max_delay`` (the cap of one
    wait, ``Retry-After`` included) and ``sleep`` tune the retries. Raises
    :class:`UsageError` for a malformed id, page size or base URL.
    """
    ids = normalize_ids(nct_ids)
    if query is not None and not query.strip():
        raise UsageError("--query is empty")
    if not ids and query is None:
        raise UsageError("give NCT ids, a query, or both")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"page size {page_size} is outside 1..{MAX_PAGE_SIZE}")
    if not re.match(r"https?://[^/\s]+", base_url):
        raise UsageError(f"base URL {base_url!r} is not an http(s) URL")
    if timeout <= 0 or retries < 0:
        raise UsageError("the timeout must be positive and the number of retries at least 0")
    out = None if out in (None, "-") else out
    client = ApiClient(base_url, RetryPolicy(retries, timeout, backoff, max_delay, sleep), session)
    state = FetchState(query, client.base_url)
    source = ApiSource(client, ids, query, page_size, state)

    if out is None or is_special_file(out):
        if resume:
            raise UsageError("--resume needs -o OUT, a regular file")
        sink: Any = formats.writer("json")(out, WriteOptions(json_shape="object-or-lines"))
        report_failure = on_failure
    else:
        sink = PartFileSink(out, WriteOptions(), resume, keep_if=lambda: source.unavailable)
        if resume:
            saved = FetchState.load(sink.state_path)
            if saved is not None:
                if (saved.query, saved.base_url) != (state.query, state.base_url):
                    sink.abort()
                    raise UsageError(
                        f"{sink.part} was started for query {saved.query!r} at {saved.base_url}; "
                        "give the same --query and --base-url, or run without --resume to start afresh"
                    )
                source.state = state = saved
                source.resumed_token = bool(saved.page_token)
        source.skip = set(sink.done)
        source.save_state = lambda: state.save(sink.state_path)
        source.save_state()

        def report_failure(failure: Failure) -> None:
            if failure.code == UNAVAILABLE:
                failure.message += f" ({sink.part} kept: run again with --resume to continue)"
            if on_failure is not None:
                on_failure(failure)

    return pipeline.run(source.documents(), sink, from_format="ctgov-json", progress=progress,
                        on_failure=report_failure, on_record=on_record)
