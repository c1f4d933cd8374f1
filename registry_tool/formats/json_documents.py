"""JSON documents: one object, a list, an API v2 search page, or JSON Lines.

What the JSON readers share: a document's top-level values, each with where it
is (``$[2]``, ``$.studies[3]``, ``line 7``), and the loop that turns each value
into a record with failures located.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from ..decoding import decode_text
from ..errors import Failure, RecordError
from .base import ReadResult

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]

Located = tuple[Any, str]  # a JSON value and where it is: "$[2]", "line 7"


def iter_json_values(data: bytes, path: str | None, encoding: str | None = None) -> Iterator[Located | Failure]:
    """The top-level record values of a JSON or JSON Lines document.

    A list is unpacked; an API v2 page (``{"studies": [...]}``) gives its
    studies. Raises :class:`RecordError` for a document that is not JSON. In
    JSON Lines each line stands alone: a bad line is given as a
    :class:`Failure` (``bad-json``, its line number and the JSON error) in
    its place, and every other line is still read.
    """
    text = decode_text(data, path, encoding)
    exact = has_long_digit_run(data)
    if path is not None and path.lower().removesuffix(".gz").endswith(JSON_LINES_SUFFIXES):
        yield from _iter_json_lines(text, path, exact)
        return
    try:
        value = _loads(text, exact)
    except json.JSONDecodeError as exc:
        if _looks_like_json_lines(text, exc):
            yield from _iter_json_lines(text, path, exact)
            return
        raise RecordError(
            Failure(
                "bad-json",
                f"not valid JSON: {exc.msg} (expected a JSON object, a list of objects, or JSON Lines)",
                path=path,
                line=exc.lineno,
                column=exc.colno,
            )
        ) from None
    yield from _unpack(value)


# File endings that say JSON Lines whatever the content.
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


# orjson turns an integer beyond 64 bits into a rounded float, silently; a document
# holding a run of 19 digits anywhere is read by the json module, which keeps it exact.
# Found with one bytes.translate (digits to "0", the rest to " ") and one substring
# search: about 0.6 us a kilobyte, a quarter of orjson's parse (a regex takes 12 us).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19


def has_long_digit_run(data: bytes) -> bool:
    """Whether ``data`` holds 19 digits in a row (an integer orjson might round)."""
    return _LONG_RUN in data.translate(_DIGITS_ONLY)


def _loads(text: str, exact: bool = False) -> Any:
    """Parse JSON: orjson when it can (about twice as fast on registry studies),
    else the json module, whose errors name the line and column and which also
    reads exactly what orjson refuses or rounds (``exact``: integers beyond 64
    bits; NaN)."""
    if orjson is not None and not exact:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def _looks_like_json_lines(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether a document that is not one JSON value is JSON Lines: a second value after
    the first ("Extra data"), or, where an early line is the broken one, another of its
    first lines that is a whole JSON object by itself."""
    if not text.lstrip().startswith("{"):
        return False
    if exc.msg == "Extra data":
        return True
    lines = [line.strip() for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for line in lines:
        if line.startswith("{") and line.endswith("}"):
            try:
                if isinstance(_loads(line), dict):
                    return True
            except json.JSONDecodeError:
                continue
    return False


def _iter_json_lines(text: str, path: str | None, exact: bool = False) -> Iterator[Located | Failure]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = _loads(line, exact)
        except json.JSONDecodeError as exc:
            yield Failure(
                "bad-json",
                f"line {number} is not valid JSON: {exc.msg} (expected one JSON object a line)",
                path=path,
                line=number,
                column=exc.colno,
            )
            continue
        yield value, f"line {number}"


def _unpack(value: Any) -> Iterator[Located]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield item, f"$[{i}]"
    elif isinstance(value, dict) and isinstance(value.get("studies"), list) and "protocolSection" not in value:
        for i, item in enumerate(value["studies"]):
            yield item, f"$.studies[{i}]"
    else:
        yield value, "$"



Converter = Callable[[Any, "str | None", str], ReadResult]
Converters = Callable[[Any], "Converter | None"]


def read_values(document: Any, convert: Converters) -> Iterator[ReadResult]:
    """Records from a JSON document: each top-level value through the converter ``convert`` picks.

    ``convert(value)`` gives the function for one value (None: a value no
    reader takes, an ``unknown-json`` failure). A bad value fails alone, its
    position named; the others are read.
    """
    path = document.path
    if document.value is not None:
        values: Iterator[Located | Failure] = iter([(document.value, document.where)])
    else:
        values = iter_json_values(document.bytes(), path, getattr(document, "encoding", None))
    index = 0
    while True:
        try:
            item = next(values)
        except StopIteration:
            return
        except RecordError as exc:
            exc.failure.index = index
            yield exc.failure
            return
        if isinstance(item, Failure):  # a bad line of JSON Lines: one failure, the next lines are read
            item.index = index
            yield item
            index += 1
            continue
        value, where = item
        converter = convert(value)
        if converter is None:
            yield Failure(
                "unknown-json",
                "JSON object is neither an API v2 study (no 'protocolSection') nor a canonical record "
                "(no 'record_id')",
                path=path,
                index=index,
                json_path=where if where.startswith("$") else None,
                line=int(where[5:]) if where.startswith("line ") else None,
            )
        else:
            try:
                yield converter(value, path, where)
            except RecordError as exc:
                f = exc.failure
                f.path, f.index = path, index
                if f.json_path is None and where.startswith("$"):
                    f.json_path = where
                elif f.json_path is not None and f.json_path.startswith("$") and where != "$":
                    f.json_path = where + f.json_path[1:]
                if where.startswith("line ") and f.line is None:
                    f.line = int(where[5:])
                yield f
        index += 1
