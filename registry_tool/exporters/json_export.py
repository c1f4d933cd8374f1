"""Canonical JSON: one record as one JSON object, several as JSON Lines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..model import Record, RecordWarning
from .base import Exporter, StreamOutput

if TYPE_CHECKING:
    from ..api import ExportOptions


try:  # orjson encodes a record about ten times faster than the json module
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]


def encode_record(data: dict[str, Any], pretty: bool = False) -> bytes:
    """A canonical record dict as UTF-8 JSON, newline-terminated."""
    if orjson is not None:
        option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
        return orjson.dumps(data, option=option)
    if pretty:
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def dumps_record(record: Record | dict[str, Any], pretty: bool = False) -> str:
    """A record (or its canonical dict) as JSON text, no trailing newline."""
    data = record.to_dict() if isinstance(record, Record) else record
    return encode_record(data, pretty).decode("utf-8").rstrip("\n")


class JsonLinesExporter(Exporter):
    """One compact JSON object a line."""

    def __init__(self, out: str | None, options: ExportOptions) -> None:
        super().__init__(out, options)
        self._stream = StreamOutput(self.out)

    def write(self, record: Record) -> list[RecordWarning]:
        return self.write_dict(record, record.to_dict())

    def write_dict(self, record: Record, data: dict[str, Any]) -> list[RecordWarning]:
        """Write a record whose canonical dict the caller already built."""
        self._stream.write(encode_record(data))
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

    def __init__(self, out: str | None, options: ExportOptions) -> None:
        super().__init__(out, options)
        self._first: dict[str, Any] | None = None
        self._count = 0

    def write_dict(self, record: Record, data: dict[str, Any]) -> list[RecordWarning]:
        self._count += 1
        if self._count == 1:
            self._first = data
            return []
        if self._first is not None:
            super().write_dict(record, self._first)
            self._first = None
        return super().write_dict(record, data)

    def close(self) -> None:
        if self._count == 1 and self._first is not None:
            self._stream.write(encode_record(self._first, pretty=True))
        super().close()
