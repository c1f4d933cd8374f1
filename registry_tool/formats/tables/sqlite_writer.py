"""SQLite export: the tables of the CSV export in one database file.

Tables, keys and indexes come from :mod:`.layout`.
Every child table's rows belong to a ``trials`` row through a foreign key with
``ON DELETE CASCADE``, so re-exporting a record deletes its old rows and
writes the new ones: a database never holds a record twice. A batch is one
transaction (each record a savepoint inside it): an export that is
interrupted, by an exception, Ctrl-C or a killed process, leaves the database
as it was. The file records its table layout (``PRAGMA user_version``) and
that registry-tool made it (``PRAGMA application_id``); a database of another
layout or another program is refused, never half-updated.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from ...atomic import make_parent
from ...errors import Failure, OutputError, RecordError, RegistryToolError, UsageError
from ..base import WriteOptions
from .layout import LAYOUT_VERSION, TABLES, Column, Table, TableSink

# "RTOL" in ASCII: tells a registry-tool database from any other SQLite file.
APPLICATION_ID = 0x52544F4C

SQL_TYPES = {
    "string": "TEXT",
    "array": "TEXT",  # JSON text
    "object": "TEXT",  # JSON text
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",  # 0 / 1
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_sql(column: Column) -> str:
    parts = [_quote(column.name), SQL_TYPES[column.type]]
    if column.required:
        parts.append("NOT NULL")
    name = _quote(column.name)
    if column.enum:
        parts.append(f"CHECK ({name} IN ({', '.join(_literal(v) for v in column.enum)}))")
    if column.type == "boolean":
        parts.append(f"CHECK ({name} IN (0, 1))")
    if column.minimum is not None:
        parts.append(f"CHECK ({name} >= {column.minimum})")
    return " ".join(parts)


def create_table_sql(table: Table) -> str:
    """``CREATE TABLE`` for one table; each column's description is a comment beside it."""
    lines = [f"{_column_sql(c)},  -- {c.description}" for c in table.columns]
    constraints = [f"PRIMARY KEY ({', '.join(map(_quote, table.primary_key))})"]
    for fk in table.foreign_keys:
        constraints.append(
            f"FOREIGN KEY ({', '.join(map(_quote, fk.columns))}) "
            f"REFERENCES {_quote(fk.table)} ({', '.join(map(_quote, fk.table_columns))}) ON DELETE CASCADE"
        )
    body = "\n  ".join(lines) + "\n  " + ",\n  ".join(constraints)
    return f"CREATE TABLE {_quote(table.name)} (  -- {table.description}\n  {body}\n)"


def create_index_sql(table: Table) -> list[str]:
    """``CREATE INDEX`` for the columns users query (record_id lookups use the primary key)."""
    return [
        f"CREATE INDEX {_quote(table.name + '_' + '_'.join(columns))} "
        f"ON {_quote(table.name)} ({', '.join(map(_quote, columns))})"
        for columns in table.indexes
    ]


def insert_sql(table: Table) -> str:
    names = ", ".join(_quote(n) for n in table.column_names)
    return f"INSERT INTO {_quote(table.name)} ({names}) VALUES ({', '.join('?' * len(table.columns))})"


def layout_sql() -> list[str]:
    """Every statement that creates the layout in an empty database."""
    statements = []
    for table in TABLES:
        statements.append(create_table_sql(table))
        statements.extend(create_index_sql(table))
    return statements


def prepare_layout(conn: sqlite3.Connection, path: str) -> None:
    """Create the tables in an empty database, or check an existing one is ours and current.

    Runs inside the export's transaction, so a new layout is rolled back with it.
    """
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchone()[0]
    if application_id == 0 and version == 0 and not has_tables:
        for statement in layout_sql():
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")
        return
    if application_id != APPLICATION_ID:
        raise UsageError(
            f"{path} is an SQLite database that registry-tool did not write; "
            "refusing to add tables to it (export to a new file)"
        )
    if version < LAYOUT_VERSION:
        raise UsageError(
            f"{path} holds table layout {version}, written by an older registry-tool; this version writes "
            f"layout {LAYOUT_VERSION} and cannot update it in place: export the records again to a new file"
        )
    if version > LAYOUT_VERSION:
        raise UsageError(
            f"{path} holds table layout {version}, written by a newer registry-tool (this one writes layout "
            f"{LAYOUT_VERSION}): upgrade registry-tool, or export to a new file"
        )


def _check_ours(path: str) -> None:
    """Refuse to replace a file that is not a registry-tool database (``--replace``)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        application_id = None
    if application_id != APPLICATION_ID:
        raise UsageError(f"{path} is not a database registry-tool wrote; refusing to replace it "
                         "(remove it yourself, or export to a new file)")


class SqliteSink(TableSink):
    """``--to sqlite -o FILE.db``: add or replace records in a database of the CSV tables."""

    format_name = "sqlite"
    usage = "-o FILE.db: the database file to write"

    def __init__(self, out: str | None, options: WriteOptions):
        super().__init__(out, options)
        assert self.out is not None
        path: str = self.out
        self.path = path
        if os.path.exists(path) and not os.path.isfile(path):
            raise UsageError(f"{path} exists and is not a file; --to sqlite writes a database file (-o FILE.db)")
        self._existed = os.path.exists(path) and os.path.getsize(path) > 0
        self.replaced = 0
        self._fresh: str | None = None  # --replace: the new database, built beside and renamed onto path at close
        if self._existed:
            if options.existing is None:
                raise UsageError(
                    f"{path} exists: give --append to add these records to it (a record already there is "
                    "replaced by its id), or --replace to write a new database in its place"
                )
            if options.existing == "replace":
                _check_ours(path)
                self._fresh = path = f"{path}.{os.getpid()}.part"
                self._existed = False
        self._conn: sqlite3.Connection | None = None
        try:
            make_parent(path)
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("BEGIN IMMEDIATE")
            prepare_layout(self._conn, path)
        except OutputError:
            self.abort()
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            self.abort()
            raise UsageError(f"{path}: cannot write to it as an SQLite database: {exc}") from None
        except BaseException:
            self.abort()
            raise
        self._inserts = [insert_sql(table) for table in TABLES]

    def write_rows(self, record_id: str, path: str | None, rows: list[list[tuple[Any, ...]]]) -> None:
        conn = self._connection()
        conn.execute("SAVEPOINT record")
        try:
            if conn.execute("DELETE FROM trials WHERE record_id = ?", (record_id,)).rowcount > 0:
                self.replaced += 1
            for sql, table_rows in zip(self._inserts, rows):
                if table_rows:
                    conn.executemany(sql, table_rows)
        except (sqlite3.IntegrityError, sqlite3.InterfaceError) as exc:
            conn.execute("ROLLBACK TO record")
            conn.execute("RELEASE record")
            raise RecordError(
                Failure(
                    "sqlite-refused",
                    f"the database refused the record: {exc}",
                    record_id=record_id,
                    path=path,
                )
            ) from None
        except sqlite3.Error as exc:
            raise RegistryToolError(f"{self.out}: {exc}; the export stopped and the database is left as it was") from None
        conn.execute("RELEASE record")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RegistryToolError(f"{self.out}: the export was already closed")
        return self._conn

    def close(self) -> None:
        conn = self._connection()
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.abort()
            raise RegistryToolError(f"{self.out}: cannot commit: {exc}; the database is left as it was") from None
        self._conn = None
        conn.close()
        if self._fresh is not None:
            try:
                os.replace(self._fresh, self.out)  # type: ignore[arg-type]
            except OSError as exc:
                self.abort()
                raise RegistryToolError(f"{self.out}: cannot replace it: {exc.strerror or exc}; "
                                        "the database is left as it was") from None
            self._fresh = None

    def abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            finally:
                conn.close()
        if self._fresh is not None:
            leftovers: tuple[str, ...] = (self._fresh, f"{self._fresh}-journal")
        elif not self._existed:
            leftovers = (self.path, f"{self.path}-journal")
        else:
            leftovers = ()
        if leftovers:
            for leftover in leftovers:
                try:
                    os.unlink(leftover)
                except OSError:
                    pass
