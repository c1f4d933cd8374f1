"""Canonical JSON: one record as one indented JSON object and several as one JSON array
(``json``; ``parse`` keeps its JSON Lines for several, see :class:`JsonSink`), or always
JSON Lines (``jsonl``)."""

from __future__ import annotations

import json
from typing import Any

import orjson

from ...model import Record
from ..base import Encoder, Prepared, Sink, StreamOutput, WriteOptions


def encode_record(data: dict[str, Any], pretty: bool = False) -> bytes:
    """A canonical record dict as UTF-8 JSON, newline-terminated.

    orjson writes it (about ten times faster than the json module); the json
    module takes what orjson refuses (a lone surrogate, an integer beyond 64 bits).
    """
    try:
        option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
        return orjson.dumps(data, option=option)
    except TypeError:  # orjson.JSONEncodeError
        text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None,
                          separators=None if pretty else (",", ":"))
        return (text + "\n").encode("utf-8", "surrogatepass")


def dumps_record(record: Record | dict[str, Any], pretty: bool = False) -> str:
    """A record (or its canonical dict) as JSON text, no trailing newline."""
    data = record.to_dict() if isinstance(record, Record) else record
    return encode_record(data, pretty).decode("utf-8", "surrogatepass").rstrip("\n")


class JsonEncoder(Encoder):
    """A record as one compact line of canonical JSON."""

    def prepare(self, record: Record, data: dict[str, Any] | None = None) -> Prepared:
        return Prepared(record.record_id, record.source.path,
                        encode_record(data if data is not None else record.to_dict()))


class JsonLinesSink(Sink):
    """One compact JSON object a line."""

    def __init__(self, out: str | None, options: WriteOptions) -> None:
        super().__init__(out, options)
        self.encoder = JsonEncoder()
        self._stream = StreamOutput(self.out)

    def write(self, prepared: Prepared) -> None:
        self._stream.write(prepared.payload)

    def close(self) -> None:
        self._stream.commit()

    def abort(self) -> None:
        self._stream.discard()


class JsonSink(JsonLinesSink):
    """Canonical JSON in the shape ``options.json_shape`` names:

    * ``object-or-array`` (``export --to json``, the default): one record is
      one indented JSON object; more are one JSON document, an array of
      records (one compact record a line);
    * ``object-or-lines`` (``parse``, ``fetch``, the CONTRACT): one record
      indented, more as JSON Lines;
    * ``array`` (``parse --json``): always an array, ``[]`` for no record;
    * ``lines`` (``parse --jsonl``): always JSON Lines.

    Where the shape depends on the count, the first record is held back until
    a second arrives (or the batch ends).
    """

    def __init__(self, out: str | None, options: WriteOptions) -> None:
        super().__init__(out, options)
        self.shape = options.json_shape or "object-or-array"
        if self.shape not in JSON_SHAPES:
            raise ValueError(f"unknown JSON shape {self.shape!r}; known: {', '.join(JSON_SHAPES)}")
        self._first: Prepared | None = None
        self._count = 0

    def write(self, prepared: Prepared) -> None:
        self._count += 1
        if self.shape == "lines":
            super().write(prepared)
            return
        if self.shape == "array":
            self._stream.write(b"[\n" if self._count == 1 else b",\n")
            self._stream.write(prepared.payload.rstrip(b"\n"))
            return
        if self._count == 1:
            self._first = prepared
            return
        if self._first is not None:
            first, self._first = self._first, None
            if self.shape == "object-or-array":
                self._stream.write(b"[\n" + first.payload.rstrip(b"\n"))
            else:
                super().write(first)
        if self.shape == "object-or-array":
            self._stream.write(b",\n" + prepared.payload.rstrip(b"\n"))
        else:
            super().write(prepared)

    def close(self) -> None:
        if self._count == 1 and self._first is not None:
            data = json.loads(self._first.payload)  # the json module reads whatever was written
            self._stream.write(encode_record(data, pretty=True))
        elif self.shape == "array" or (self.shape == "object-or-array" and self._count > 1):
            self._stream.write(b"[]\n" if self._count == 0 else b"\n]\n")
        super().close()


JSON_SHAPES = ("object-or-array", "object-or-lines", "array", "lines")
