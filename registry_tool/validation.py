"""Validation of canonical records against ``schemas/record.schema.json``.

Violations are data (:class:`Violation`: a stable code, a JSON path and a
message), and every violation of a record is reported, not only the first.

The schema is compiled once per process. Valid records, the common case, are
checked by ``jsonschema-rs`` (a compiled JSON Schema 2020-12 validator, about
250 times faster than the pure-Python one here); only a record that fails is
explained by ``jsonschema``, whose error tree says best what a ``oneOf``
expected. Both honour the same schema file; where ``jsonschema-rs`` is not
installed, ``jsonschema`` does both jobs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .identifiers import json_path


@dataclass(frozen=True, slots=True)
class Violation:
    code: str  # the JSON Schema keyword that failed: "required", "enum", "type", ...
    path: str  # JSON path into the record: "$.outcomes[3].time_frame.points[0].unit"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "path": self.path, "message": self.message}


def schema_text(name: str) -> str:
    """The text of one of the project's schema files (``schemas/`` in the repository).

    An installed package carries them as ``registry_tool.schemas``; an
    editable install reads them from the repository itself.
    """
    try:
        return resources.files("registry_tool.schemas").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return (Path(__file__).resolve().parent.parent / "schemas" / name).read_text("utf-8")


def schema_path(name: str = "record.schema.json") -> str:
    """Where the schema file ``name`` is, as installed (what ``validate --help`` names)."""
    try:
        found = resources.files("registry_tool.schemas").joinpath(name)
        if found.is_file():
            return str(found)
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    return str(Path(__file__).resolve().parent.parent / "schemas" / name)


def load_schema(name: str = "record.schema.json") -> dict[str, Any]:
    """One of the JSON schemas the project ships, as a dict."""
    return json.loads(schema_text(name))


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The explaining validator (pure Python ``jsonschema``)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _fast_is_valid() -> Any:
    """``is_valid`` of the compiled validator, or of the explaining one as a fallback."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a dependency
        return _validator().is_valid
    return jsonschema_rs.Draft202012Validator(load_schema()).is_valid


def validate(record: dict[str, Any]) -> list[Violation]:
    """Every way ``record`` (a canonical JSON dict) breaks the schema; [] when valid."""
    if _fast_is_valid()(record):
        return []
    validator = _validator()
    violations = []
    for error in validator.iter_errors(record):
        # oneOf/anyOf failures say little on their own; their best sub-error says what was expected.
        leaf = _best_leaf(error)
        violations.append(Violation(leaf.validator, json_path(leaf.absolute_path), leaf.message))
    if not violations:  # the two validators disagree: trust the stricter one, say so
        violations.append(Violation("schema", "$", "record breaks the record schema (compiled validator)"))
    violations.sort(key=lambda v: v.path)
    return violations


def _best_leaf(error: Any) -> Any:
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

    if error.context:
        return best_match(error.context) or error
    return error


def check_references(record: dict[str, Any]) -> list[Violation]:
    """Every index inside a (schema-valid) canonical record that points at no item:
    a variant's ``criterion`` and a criterion's ``parent`` must name an existing
    criterion (a parent one before it). Code ``reference``; [] when all hold."""
    eligibility = record.get("eligibility") or {}
    criteria = eligibility.get("criteria") or []
    count = len(criteria)
    found = []
    for i, criterion in enumerate(criteria):
        parent = criterion.get("parent") if isinstance(criterion, dict) else None
        if parent is not None and not (isinstance(parent, int) and 0 <= parent < i):
            found.append(Violation("reference", f"$.eligibility.criteria[{i}].parent",
                                   f"{parent} names no criterion before this one (expected 0 to {i - 1}, or null)"
                                   if i else f"{parent}: the first criterion cannot have a parent (expected null)"))
    for i, variant in enumerate(record.get("variants") or []):
        target = variant.get("criterion") if isinstance(variant, dict) else None
        if target is not None and not (isinstance(target, int) and 0 <= target < count):
            found.append(Violation("reference", f"$.variants[{i}].criterion",
                                   f"{target} names no criterion: the record has {count} "
                                   f"(expected a 0-based index below {count}, or null)"))
    return found
