"""One record, one document: read, normalise, check and prepare for a writer.

What every batch does to each document, wherever it runs (in the main
process, or in a worker of :mod:`registry_tool.workers`): the reader its
content calls for, the normalise stack for raw records, the record schema,
then the writer's encoder. :mod:`registry_tool.pipeline` runs it over a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import formats
from .errors import Failure, RecordError
from .formats.base import Canonical, Prepared, ReadResult
from .model import Record, RecordWarning
from .normalize import Step, normalize
from .sources import Document
from .validation import validate


@dataclass(slots=True)
class Processed:
    """One record through the pipeline up to its writer: ready to write, or failed.

    ``warnings`` are the record's own (the reader's and the normalisers'
    guesses); the export's warnings travel in ``prepared.warnings``.
    """

    prepared: Prepared | None
    failure: Failure | None
    warnings: list[RecordWarning] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


def read_documents(documents: Iterable[Document | Failure], from_format: str = "auto") -> Iterator[ReadResult]:
    """What each document holds, read by the reader its content (or ``from_format``) calls for."""
    for document in documents:
        if isinstance(document, Failure):
            yield document
        else:
            yield from read_document(document, from_format)


def read_document(document: Document, from_format: str = "auto") -> Iterator[ReadResult]:
    """The records (raw or canonical) and failures one document holds.

    No traceback reaches a user: an unexpected exception in a reader fails
    that input, with the exception named, and the batch goes on.
    """
    path = document.path
    index = 0
    try:
        if from_format == "auto":
            fmt = "json" if document.value is not None else formats.detect_format(document.bytes(), path)
        else:
            fmt = from_format
        for result in formats.reader(fmt)(document):
            if document.expected_id is not None and isinstance(result, Record):
                _check_expected_id(result, document.expected_id)
            yield result
            index += 1
    except RecordError as exc:
        if exc.failure.path is None:
            exc.failure.path = path
        yield exc.failure
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a batch
        yield Failure("internal-error", f"unexpected {type(exc).__name__}: {exc} (please report this input)",
                      path=path, index=index)


def _check_expected_id(record: Record, expected: str) -> None:
    if record.record_id != expected:
        record.warn("id-differs", f"asked for {expected}; the registry answered with {record.record_id}",
                    "record_id")


# --- checking ---------------------------------------------------------------------------------


def check_record(record: Record) -> tuple[dict[str, Any] | None, Failure | None]:
    """The record's canonical dict if it is schema-valid, else a Failure listing its violations."""
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


# --- one record, one document ------------------------------------------------------------------


@dataclass(slots=True)
class Job:
    """What every record of a batch goes through after reading; picklable for worker processes."""

    encoder: formats.Encoder
    from_format: str = "auto"
    steps: Sequence[Step] | None = None  # None: the default stack
    validate: bool = True
    overrides: Any = None  # registry_tool.overrides.Overrides: a curator's values, applied after the stack

    def process(self, result: ReadResult) -> Processed:
        """A read result normalised (raw records only), checked and prepared for the writer."""
        if isinstance(result, Failure):
            return Processed(None, result)
        record = result.record if isinstance(result, Canonical) else normalize(result, self.steps)
        data = None
        try:
            if self.overrides:
                record = self.overrides.apply(record)
            if self.validate:
                data, failure = check_record(record)
                if failure is not None:
                    return Processed(None, failure, record.warnings)
            return Processed(self.encoder.prepare(record, data), None, record.warnings)
        except RecordError as exc:
            exc.failure.record_id = exc.failure.record_id or record.record_id
            exc.failure.path = exc.failure.path or record.source.path
            return Processed(None, exc.failure, record.warnings)
        except Exception as exc:  # noqa: BLE001 - one record must not stop the batch
            return Processed(None, Failure("internal-error", f"unexpected {type(exc).__name__}: {exc} "
                                           "(please report this input)", record.record_id, record.source.path),
                             record.warnings)

    def process_document(self, document: Document) -> list[Processed]:
        """Every record of one document, processed."""
        return [self.process(result) for result in read_document(document, self.from_format)]
