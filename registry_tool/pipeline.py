"""The pipeline: sources -> readers -> the normalise stack -> validation -> one sink.

Every command is a composition of these pieces, and the batch loop is written
once, here (:func:`run`)::

    documents = file_documents(expand_inputs(paths))          # or the registry API source
    results = read_documents(documents, "auto")               # raw records, canonical ones, failures
    record = normalize(raw)                                   # the stack, once per raw record
    data, failure = check_record(record)                      # the record schema
    sink.write(sink.encoder.prepare(record, data))            # one writer per output format

:func:`run` does all of it for a batch, in worker processes where ``jobs`` >
1: each worker reads, normalises, checks and prepares whole documents, and
the main process writes what they give back in input order, so the output
does not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import formats
from .errors import Failure, RecordError
from .formats.base import Canonical, Sink, WriteOptions
from .model import Record
from .normalize import Step
from .processing import Job, Processed
from .sources import Document
from .workers import process_in_workers

Progress = Callable[[int], None]  # called with the number of documents just finished


@dataclass(slots=True)
class BatchReport:
    """What a batch did. ``records_in == records_out + len(failures)``."""

    records_in: int = 0
    records_out: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: int = 0  # of the records written, and those failures were made of (--strict)
    strict_warnings: int = 0  # of ``warnings``: those --strict made failures
    replaced: int = 0  # records that replaced one of the same id already in the output (--append)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {"records_in": self.records_in, "records_out": self.records_out, "failed": len(self.failures),
                "warnings": self.warnings, "replaced": self.replaced}


# --- the batch ---------------------------------------------------------------------------------


def run(
    documents: Iterable[Document | Failure],
    sink: Sink,
    *,
    from_format: str = "auto",
    steps: Sequence[Step] | None = None,
    validate: bool = True,
    jobs: int = 1,
    progress: Progress | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_record: Callable[[Processed], None] | None = None,
    overrides: Any = None,
) -> BatchReport:
    """Read, normalise, check and write a batch; failures are counted, reported and skipped.

    ``jobs`` > 1 prepares the records in that many worker processes (see
    :mod:`registry_tool.workers`); the sink writes them in input order either
    way. ``on_record`` sees each record written (its own and its export's
    warnings); ``on_failure`` each failure. On any exception (Ctrl-C,
    SIGTERM, a full disk) the sink discards its output and the exception goes on.
    ``overrides`` (:class:`registry_tool.overrides.Overrides`) are a curator's
    values, applied to each record after the normalise stack.
    """
    job = Job(sink.encoder, from_format, steps, validate, overrides)
    return write_all(_processed(job, documents, jobs), sink, progress, on_failure, on_record)


def convert(
    results: Iterable[Record | Failure],
    to: str,
    out: str | None,
    options: WriteOptions | None = None,
    *,
    validate: bool = True,
    steps: Sequence[Step] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_record: Callable[[Processed], None] | None = None,
) -> BatchReport:
    """Write records (normalised already, as :func:`registry_tool.iter_records` gives them) and
    failures with the writer ``to``; each record is checked against the schema first."""
    sink = formats.writer(to)(out, options or WriteOptions())
    job = Job(sink.encoder, steps=steps, validate=validate)
    stream = ((None, [job.process(Canonical(r) if isinstance(r, Record) else r)]) for r in results)
    return write_all(stream, sink, None, on_failure, on_record)


def write_all(
    stream: Iterable[tuple[Document | None, list[Processed]]],
    sink: Sink,
    progress: Progress | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_record: Callable[[Processed], None] | None = None,
) -> BatchReport:
    """The batch loop: write each processed record in order, count, report; close or discard the sink."""
    report = BatchReport()

    def failed(failure: Failure) -> None:
        report.failures.append(failure)
        report.warnings += failure.warnings
        report.strict_warnings += failure.warnings
        if on_failure is not None:
            on_failure(failure)

    try:
        for document, processed in stream:
            for item in processed:
                report.records_in += 1
                if item.failure is not None:
                    failed(item.failure)
                    continue
                assert item.prepared is not None
                try:
                    sink.write(item.prepared)
                except RecordError as exc:
                    exc.failure.record_id = exc.failure.record_id or item.prepared.record_id
                    exc.failure.path = exc.failure.path or item.prepared.path
                    failed(exc.failure)
                    continue
                report.records_out += 1
                report.warnings += len(item.warnings) + len(item.prepared.warnings)
                if on_record is not None:
                    on_record(item)
            if document is not None:
                if document.on_done is not None:
                    document.on_done()
                if progress is not None:
                    progress(1)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    report.replaced = getattr(sink, "replaced", 0)
    return report


def _processed(job: Job, documents: Iterable[Document | Failure],
               jobs: int) -> Iterator[tuple[Document | None, list[Processed]]]:
    """(document, its processed records) in input order; a failure in place of a document stands alone."""
    if jobs > 1:
        yield from process_in_workers(job, documents, jobs)
        return
    for document in documents:
        if isinstance(document, Failure):
            yield None, [Processed(None, document)]
        else:
            yield document, job.process_document(document)
