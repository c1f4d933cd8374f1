"""Canonical records (JSON / JSON Lines) read back, and any JSON document told apart per object.

:func:`read_json` hands each object to the reader its keys call for:
``protocolSection`` means an API v2 study (:mod:`registry_tool.formats.ctgov_json`),
``record_id`` a canonical record (:func:`record_from_dict`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from ...errors import Failure, RecordError
from ...model import record_from_builtins
from ...validation import validate
from ..base import Canonical, ReadResult
from ..ctgov_json.reader import record_from_study
from ..json_documents import Converter, read_values


def classify(value: Any) -> str | None:
    """``ctgov-json`` / ``canonical`` from an object's keys; None if neither."""
    if isinstance(value, dict):
        if "protocolSection" in value:
            return "ctgov-json"
        if "record_id" in value:
            return "canonical"
    return None


def record_from_dict(value: Any, path: str | None, where: str = "$") -> Canonical:
    """A canonical record from its JSON form, schema-checked first."""
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
    try:
        return Canonical(record_from_builtins(value))
    except msgspec.ValidationError as exc:  # the schema and the model disagree: say where
        raise RecordError(Failure("schema", f"canonical record does not fit the model: {exc}",
                                  json_path="$")) from None


def _by_keys(value: Any) -> Converter | None:
    kind = classify(value)
    return record_from_dict if kind == "canonical" else record_from_study if kind == "ctgov-json" else None


def read_json(document: Any) -> Iterator[ReadResult]:
    """Records from any JSON document: each object read as an API v2 study or a canonical record."""
    return read_values(document, _by_keys)


def read_canonical(document: Any) -> Iterator[ReadResult]:
    """Canonical records from a JSON / JSON Lines document."""
    return read_values(document, lambda value: record_from_dict)


