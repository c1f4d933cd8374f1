"""What readers give and what writers are.

A **reader** is a function ``read(document) -> Iterator[Record | Canonical | Failure]``:
a raw :class:`Record` (the source's values, nothing derived: the normalise
stack runs next), a :class:`Canonical` record (one that is already canonical,
read back from canonical JSON: it is not normalised again), or a
:class:`Failure` for a record it could not read (the batch goes on).

A **writer** has two halves, so records can be prepared in worker processes
and written in input order by one:

* an :class:`Encoder` (no open files; picklable) whose :meth:`Encoder.prepare`
  turns one checked record into what the writer writes (bytes, table rows, an
  XML document), with the warnings that export gives, or raises
  :class:`RecordError` to refuse it (``--strict``);
* a :class:`Sink` (built once in the main process) whose :meth:`Sink.write`
  writes a prepared record, and :meth:`Sink.close` / :meth:`Sink.abort`
  finish or discard the output.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from ..atomic import AtomicFile
from ..errors import Failure, output_error
from ..model import Record, RecordWarning


class Canonical(NamedTuple):
    """A record that is canonical already (read from canonical JSON): the normalise stack skips it."""

    record: Record


ReadResult = Record | Canonical | Failure


@dataclass(slots=True)
class WriteOptions:
    """Options every writer receives; each uses those that concern it."""

    strict: bool = False
    set_values: dict[str, str] = field(default_factory=dict)  # --set NAME=VALUE (registry XML)
    excel_safe: bool = False
    json_shape: str | None = None  # canonical JSON: see formats.canonical.writer.JsonSink (None: object-or-array)
    existing: str | None = None  # csv / sqlite into an existing export: "replace" or "append" (None: refuse)


@dataclass(slots=True)
class Prepared:
    """One record made ready for its writer: the payload, and the warnings of its export."""

    record_id: str
    path: str | None  # the input it came from
    payload: Any
    warnings: list[RecordWarning] = field(default_factory=list)


class Encoder:
    """The half of a writer that may run in a worker process: record -> :class:`Prepared`."""

    def prepare(self, record: Record, data: dict[str, Any] | None = None) -> Prepared:
        """The record ready to write; ``data`` is its canonical dict where the caller has built it."""
        raise NotImplementedError


class Sink:
    """The half of a writer that writes, in input order, in the main process.

    ``write`` may raise :class:`RecordError` to refuse one record (a record id
    written twice); the batch goes on. ``close`` finishes the output (commit,
    rename); ``abort`` discards it, leaving what was there before.
    """

    encoder: Encoder

    def __init__(self, out: str | None, options: WriteOptions):
        self.out = None if out in (None, "-") else out
        self.options = options

    def write(self, prepared: Prepared) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class StreamOutput:
    """A byte output that is stdout, or a file written atomically."""

    def __init__(self, path: str | None):
        self._file: AtomicFile | None = None
        if path is None:
            sys.stdout.flush()
            self.handle: IO[bytes] = sys.stdout.buffer
        else:
            self._file = AtomicFile(path, "wb")
            self.handle = self._file.handle

    def write(self, data: bytes) -> Any:
        try:
            return self.handle.write(data)
        except OSError as exc:
            raise output_error(self._file.path if self._file is not None else None, exc) from None

    def commit(self) -> None:
        try:
            if self._file is not None:
                self._file.commit()
            else:
                self.handle.flush()
        except OSError as exc:
            raise output_error(self._file.path if self._file is not None else None, exc) from None

    def discard(self) -> None:
        if self._file is not None:
            self._file.discard()


def failure_of(record: Record, code: str, message: str) -> Failure:
    """A failure about ``record`` (its id and input named)."""
    return Failure(code, message, record_id=record.record_id, path=record.source.path)
