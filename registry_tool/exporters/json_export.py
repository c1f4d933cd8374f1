"""Canonical JSON: one record as one JSON object, several as JSON Lines."""

from __future__ import annotations

import json

from ..model import Record, RecordWarning
from .base import Exporter, StreamOutput


def dumps_record(record: Record, pretty: bool = False) -> str:
    """A record as canonical JSON text (no trailing newline)."""
    if pretty:
        return json.dumps(record.to_dict(), ensure_ascii=False, indent=2)
    return json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))


class JsonLinesExporter(Exporter):
    """One compact JSON object a line."""

    def __init__(self, out, options):
        super().__init__(out, options)
        self._stream = StreamOutput(self.out)

    def write(self, record: Record) -> list[RecordWarning]:
        self._stream.write(dumps_record(record) + "\n")
        return []

    def close(self) -> None:
        self._stream.commit()

    def abort(self) -> None:
        self._stream.discard()


class JsonExporter(JsonLinesExporter):
    """One record: one indented JSON object. More: JSON Lines.

    The first record is held back until a second arrives (or the batch ends),
    because only then is it known which form the output takes.
    """

    def __init__(self, out, options):
        super().__init__(out, options)
        self._first: Record | None = None
        self._count = 0

    def write(self, record: Record) -> list[RecordWarning]:
        self._count += 1
        if self._count == 1:
            self._first = record
            return []
        if self._first is not None:
            super().write(self._first)
            self._first = None
        return super().write(record)

    def close(self) -> None:
        if self._count == 1 and self._first is not None:
            self._stream.write(dumps_record(self._first, pretty=True) + "\n")
        super().close()
