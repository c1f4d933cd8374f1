"""What every exporter is: built with (out, options), fed records, then closed."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any

from ..atomic import AtomicFile
from ..model import Record, RecordWarning

if TYPE_CHECKING:
    from ..api import ExportOptions


class Exporter:
    """Base class of exporters.

    ``write`` is called once per record and may return extra warnings about
    that record's export (missing elements, ...) or raise
    :class:`registry_tool.errors.RecordError` to refuse it (``--strict``).
    ``close`` finishes the output (commit, rename); ``abort`` discards it.
    """

    def __init__(self, out: str | None, options: ExportOptions):
        self.out = None if out in (None, "-") else out
        self.options = options

    def write(self, record: Record) -> list[RecordWarning]:
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
        return self.handle.write(data)

    def commit(self) -> None:
        if self._file is not None:
            self._file.commit()
        else:
            self.handle.flush()

    def discard(self) -> None:
        if self._file is not None:
            self._file.discard()
