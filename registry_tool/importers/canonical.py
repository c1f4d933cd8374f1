"""Canonical records (JSON / JSON Lines) back into :class:`Record` objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Failure, RecordError
from ..model import Record


def record_from_dict(value: Any, path: str | None, where: str = "$") -> Record:
    """A record from its canonical JSON form; schema-checked first."""
    from ..validation import validate

    if not isinstance(value, dict):
        raise RecordError(Failure("bad-record", "expected a JSON object", json_path="$"))
    violations = validate(value)
    if violations:
        first = violations[0]
        more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
        raise RecordError(
            Failure(
                "schema",
                f"canonical record breaks the record schema: {first.message}{more}",
                record_id=value.get("record_id") if isinstance(value.get("record_id"), str) else None,
                json_path=first.path,
            )
        )
    return Record.from_dict(value)


def read(data: bytes, path: str | None) -> Iterator[Record | Failure]:
    from .json_router import read as read_json

    return read_json(data, path, force="canonical")
