"""The pieces a table layout is declared with: columns, keys, tables, and the cell helpers.

:mod:`.layout` declares the record's tables with them, :mod:`.results_layout`
the results tables; the CSV and SQLite writers read the declarations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from ...model import Record


@dataclass(frozen=True, slots=True)
class Item:
    """What one row is made from: the record id, the row's 1-based index(es) and the object."""

    record_id: str
    index: tuple[int, ...]
    obj: Any


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, Frictionless type, description, constraints and value."""

    name: str
    type: str  # Frictionless: string | integer | number | boolean | array | object
    description: str
    value: Callable[[Any], Any]  # the cell (None, str, int, float or bool) from the row's item
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    pattern: str | None = None

    def field_descriptor(self) -> dict[str, Any]:
        """The Frictionless Table Schema field for this column."""
        field: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            field["constraints"] = constraints
        return field


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """Columns of this table that name a row of ``table``.

    An ``optional`` key may be empty (a top-level criterion has no parent).
    Frictionless takes a composite key that is partly empty for a broken
    reference, so optional keys are declared in SQLite only; in the data
    package the column's description names what it refers to.
    """

    columns: tuple[str, ...]
    table: str
    table_columns: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    items: Callable[[Record], Iterable[Any]]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()  # SQLite indexes beyond the primary key

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def rows(self, record: Record) -> list[tuple[Any, ...]]:
        """The rows ``record`` gives this table, cells in column order."""
        getters = [c.value for c in self.columns]
        return [tuple(get(item) for get in getters) for item in self.items(record)]

    def schema_descriptor(self) -> dict[str, Any]:
        """The Frictionless Table Schema of this table."""
        schema: dict[str, Any] = {
            "fields": [c.field_descriptor() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(fk.columns),
                    "reference": {"resource": fk.table, "fields": list(fk.table_columns)},
                }
                for fk in self.foreign_keys
                if not fk.optional
            ]
        return schema


# --- cell helpers -------------------------------------------------------------------------


def json_text(value: Any) -> str:
    """Compact UTF-8 JSON text: orjson (several times faster), or the json module for what orjson
    refuses (a lone surrogate, an integer beyond 64 bits, a non-string key)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, an integer beyond 64 bits, ...
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_list(values: list[Any]) -> str | None:
    """A list as JSON text; an empty list is no value."""
    return json_text(values) if values else None


def joined(values: list[str]) -> str | None:
    """Codes joined by ``;``; an empty list is no value."""
    return ";".join(values) if values else None


def attr(name: str) -> Callable[[Item], Any]:
    """The item object's attribute ``name`` as it is."""
    return lambda item: getattr(item.obj, name)


def key(position: int) -> Callable[[Item], int]:
    """The item's 1-based index at ``position`` (0: its own, or its parent's in a nested table)."""
    return lambda item: item.index[position]


def record_id_column(what: str) -> Column:
    return Column(
        "record_id", "string", f"The id of the record (trials.record_id) the {what} belongs to.",
        lambda item: item.record_id, required=True,
    )


def children_of(get: Callable[[Record], list[Any]]) -> Callable[[Record], Iterator[Item]]:
    def items(record: Record) -> Iterator[Item]:
        for i, obj in enumerate(get(record), 1):
            yield Item(record.record_id, (i,), obj)

    return items


TO_TRIALS = ForeignKey(("record_id",), "trials", ("record_id",))


def child_table(
    name: str,
    description: str,
    index: str,
    what: str,
    columns: tuple[Column, ...],
    items: Callable[[Record], list[Any]],
    foreign_keys: tuple[ForeignKey, ...] = (),
    indexes: tuple[tuple[str, ...], ...] = (),
) -> Table:
    """A table of a record's items: ``record_id`` and the 1-based ``index`` first, both the key,
    ``record_id`` referring to ``trials``; ``items`` gives the record's list of them."""
    return Table(
        name,
        description,
        (
            record_id_column(what),
            Column(index, "integer", f"1-based position of the {what} within its record.", key(0), True, minimum=1),
            *columns,
        ),
        ("record_id", index),
        children_of(items),
        (TO_TRIALS, *foreign_keys),
        indexes,
    )
