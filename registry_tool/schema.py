"""The record's JSON Schema, built from the model and the vocabulary.

``schemas/record.schema.json`` is this function's output, written by
``python -m registry_tool.schema > schemas/record.schema.json`` (a test holds
the file to it, and ``registry-tool schema`` prints the installed one). From
:mod:`registry_tool.model` it takes each class's fields and types (a class
becomes one ``$defs`` entry, a field's type its JSON type, ``X | None``
a null too), constraints (``Meta(min_length=..., ge=...)``), descriptions,
and the fields a valid record must hold (``__schema_required__``); from
:mod:`registry_tool.vocabulary` the enumeration of every field whose
metadata names a concept (``extra={"codes": "allocation"}``).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import msgspec.inspect as mi
from msgspec import Struct

from . import model, vocabulary

SCHEMA_VERSION = "1.1"
SCHEMA_ID = f"https://registry-tool.example/schemas/record/{SCHEMA_VERSION}/record.schema.json"


def record_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a canonical record."""
    defs: dict[str, Any] = {}
    root = _struct_schema(model.Record, defs)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "registry-tool canonical record",
        "description": f"One clinical-trial registry record in canonical form (CONTRACT.md). Version {SCHEMA_VERSION}.",
        **root,
        "$defs": dict(sorted(defs.items())),
    }
    return schema


def schema_text() -> str:
    """The schema as the file holds it: indented JSON, a newline at the end."""
    return json.dumps(record_schema(), indent=2, ensure_ascii=False) + "\n"


def _def_name(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def _struct_schema(cls: type[Struct], defs: dict[str, Any]) -> dict[str, Any]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    required = list(getattr(cls, "__schema_required__", ()))
    properties = {f.encode_name: _field_schema(f.type, defs) for f in info.fields}
    unknown = set(required) - set(properties)
    assert not unknown, f"{cls.__name__}.__schema_required__ names no field: {unknown}"
    out: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if cls.__doc__ and cls is not model.Record:
        out["description"] = " ".join(cls.__doc__.split())
    out["required"] = required
    out["properties"] = properties
    return out


def _field_schema(t: Any, defs: dict[str, Any]) -> dict[str, Any]:
    extra_schema: dict[str, Any] = {}
    codes: str | None = None
    while isinstance(t, mi.Metadata):
        extra_schema.update(t.extra_json_schema or {})
        codes = (t.extra or {}).get("codes", codes)
        t = t.type
    schema = _type_schema(t, defs, codes)
    schema.update(extra_schema)
    return schema


def _type_schema(t: Any, defs: dict[str, Any], codes: str | None) -> dict[str, Any]:
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        nullable = len(members) < len(t.types)
        if len(members) == 1 and isinstance(members[0], mi.StructType):
            ref = _type_schema(members[0], defs, codes)
            return {"oneOf": [{"type": "null"}, ref]} if nullable else ref
        parts = [_type_schema(m, defs, codes) for m in members]
        if all(set(p) <= {"type"} for p in parts) or all("enum" in p and set(p) == {"enum"} for p in parts):
            if all("enum" in p for p in parts):
                values = [v for p in parts for v in p["enum"]]
                return {"enum": values + [None] if nullable else values}
            types = []
            for p in parts:
                for name in p["type"] if isinstance(p["type"], list) else [p["type"]]:
                    if name not in types:
                        types.append(name)
            if "integer" in types and "number" in types:
                types.remove("integer")
            if nullable:
                types.append("null")
            return {"type": types[0] if len(types) == 1 else types}
        merged = parts[0]
        if nullable:  # a constrained scalar or null: "minimum" only applies to numbers
            merged = {**merged, "type": [merged["type"], "null"]}
        return merged
    if codes is not None and isinstance(t, mi.StrType):
        return {"enum": list(vocabulary.CONCEPTS[codes].codes)}
    if isinstance(t, mi.StructType):
        name = _def_name(t.cls)
        if name not in defs:
            defs[name] = {}  # a placeholder, for classes that refer to themselves
            defs[name] = _struct_schema(t.cls, defs)
        if t.cls is model.CodedText and codes is not None:
            return {"allOf": [{"$ref": f"#/$defs/{name}"}],
                    "properties": {"code": {"enum": [*vocabulary.CONCEPTS[codes].codes, None]}}}
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(t, mi.ListType):
        return {"type": "array", "items": _type_schema(t.item_type, defs, codes)}
    if isinstance(t, mi.DictType):
        out: dict[str, Any] = {"type": "object"}
        if not isinstance(t.value_type, mi.AnyType):
            out["additionalProperties"] = _type_schema(t.value_type, defs, None)
        return out
    if isinstance(t, mi.StrType):
        out = {"type": "string"}
        if t.min_length is not None:
            out["minLength"] = t.min_length
        return out
    if isinstance(t, mi.BoolType):
        return {"type": "boolean"}
    if isinstance(t, (mi.IntType, mi.FloatType)):
        out = {"type": "integer" if isinstance(t, mi.IntType) else "number"}
        if t.ge is not None:
            out["minimum"] = t.ge
        return out
    if isinstance(t, mi.AnyType):
        return {}
    raise TypeError(f"no JSON Schema for {t!r}")


if __name__ == "__main__":
    sys.stdout.write(schema_text())
