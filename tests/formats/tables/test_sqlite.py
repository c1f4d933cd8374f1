"""The SQLite export (``--to sqlite -o FILE.db``)."""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry_tool import (
    ExportOptions,
    Failure,
    Record,
    UsageError,
    convert,
    iter_records,
)
from registry_tool.cli import main
from registry_tool.formats.tables.layout import LAYOUT_VERSION, TABLES
from registry_tool.formats.tables.sqlite_writer import APPLICATION_ID
from tests.support.export_support import (
    GOLDEN,
    RECORDS,
    fixture_records,
    kill_mid_export,
    read_csv_package,
    read_sqlite,
    records_from_tables,
    rendered_corpus,
)


def export_db(records, db: Path, on_failure=None, **options):
    validate = options.pop("validate", True)
    options.setdefault("existing", "append")  # into an existing database: add and replace by record id
    return convert(records, "sqlite", str(db), ExportOptions(**options), validate=validate, on_failure=on_failure)


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t.name: conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump()) + [str(conn.execute("PRAGMA user_version").fetchone()[0])]
    finally:
        conn.close()


# --- content ------------------------------------------------------------------------------------


def test_read_back_equals_records(tmp_path):
    records = fixture_records()
    report = export_db(records, tmp_path / "x.db")
    assert report.records_out == 3 and report.ok
    rebuilt = records_from_tables(read_sqlite(tmp_path / "x.db"))
    for record in records:
        assert rebuilt[record.record_id] == record.to_dict(), record.record_id


def test_empty_string_and_null_stay_apart(tmp_path):
    export_db(fixture_records(), tmp_path / "x.db")
    conn = sqlite3.connect(tmp_path / "x.db")
    rows = conn.execute(
        "SELECT name, description FROM interventions WHERE record_id = 'text-00000000000000aa'"
    ).fetchall()
    assert rows == [("", None)]


def test_same_tables_and_columns_as_the_csv_export():
    """The SQLite tables are the CSV tables: same names, same columns in the same order."""
    conn = sqlite3.connect(":memory:")
    from registry_tool.formats.tables.sqlite_writer import layout_sql

    for statement in layout_sql():
        conn.execute(statement)
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')]
        with open(GOLDEN / f"{table.name}.csv", encoding="utf-8", newline="") as fh:
            assert columns == next(csv.reader(fh)), table.name


def test_keys_and_indexes(tmp_path):
    db = tmp_path / "x.db"
    export_db(fixture_records(), db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LAYOUT_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    pk = [r[1] for r in sorted(conn.execute('PRAGMA table_info("time_points")'), key=lambda r: r[5]) if r[5]]
    assert pk == ["record_id", "outcome_index", "point_index"]
    for table in TABLES[1:]:
        targets = {(r[2], r[3], r[4]) for r in conn.execute(f'PRAGMA foreign_key_list("{table.name}")')}
        assert ("trials", "record_id", "record_id") in targets, table.name
    fks = {(r[2], r[3], r[4]) for r in conn.execute('PRAGMA foreign_key_list("variants")')}
    assert ("criteria", "criterion_index", "criterion_index") in fks
    indexed = {
        (table, info[2])
        for (table, name) in conn.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'")
        for info in conn.execute(f'PRAGMA index_info("{name}")')
    }
    assert {("outcomes", "max_days"), ("variants", "hgvs"), ("variants", "gene")} <= indexed
    # record_id lookups on every child table go through its primary key's index
    for table in TABLES[1:]:
        plan = conn.execute(f'EXPLAIN QUERY PLAN SELECT * FROM "{table.name}" WHERE record_id = ?', ("x",)).fetchall()
        assert "USING" in plan[0][3] and "INDEX" in plan[0][3], (table.name, plan)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_query_users_run(tmp_path):
    """Trials with a T315I mention and a primary outcome within a year."""
    db = tmp_path / "x.db"
    export_db(fixture_records(), db)
    conn = sqlite3.connect(db)
    rows = conn.execute(
        """SELECT DISTINCT t.record_id FROM trials t
           JOIN variants v ON v.record_id = t.record_id AND v.hgvs = 'p.Thr315Ile'
           JOIN outcomes o ON o.record_id = t.record_id AND o.type = 'primary' AND o.max_days <= 366
           ORDER BY 1"""
    ).fetchall()
    assert rows == [("NCT09000001",)]


# --- re-export ----------------------------------------------------------------------------------


def test_reexport_is_idempotent(tmp_path):
    db = tmp_path / "x.db"
    records = fixture_records()
    export_db(records, db)
    first = counts(db)
    export_db(records, db)
    assert counts(db) == first
    assert first["trials"] == 3 and first["time_points"] == 5


def test_changed_record_replaces_its_rows(tmp_path):
    db = tmp_path / "x.db"
    records = fixture_records()
    export_db(records, db)
    changed = Record.from_dict(records[0].to_dict())
    changed.outcomes = changed.outcomes[2:]  # 3 outcomes (4 time points) down to 1 (none)
    changed.variants = []
    changed.title = "Retitled"
    export_db([changed], db)
    c = counts(db)
    assert (c["trials"], c["outcomes"], c["time_points"], c["variants"]) == (3, 3, 1, 1)
    rebuilt = records_from_tables(read_sqlite(db))
    assert rebuilt["NCT09000001"] == changed.to_dict()
    assert rebuilt["text-00000000000000bb"] == records[2].to_dict()


def test_duplicate_in_one_batch_keeps_the_first(tmp_path):
    records = fixture_records()
    again = Record.from_dict(records[1].to_dict())
    again.summary = "second copy"
    failures: list[Failure] = []
    report = export_db(records + [again], tmp_path / "x.db", on_failure=failures.append)
    assert report.records_out == 3
    assert [(f.code, f.record_id) for f in failures] == [("duplicate-record-id", "text-00000000000000aa")]
    assert records_from_tables(read_sqlite(tmp_path / "x.db"))["text-00000000000000aa"]["summary"] is None


def test_record_the_database_refuses_leaves_no_rows(tmp_path):
    """A record that breaks a CHECK constraint half-way fails alone; its earlier rows are rolled back."""
    records = fixture_records()
    bad = Record.from_dict(records[0].to_dict())
    bad.record_id = "NCT-BAD"
    bad.outcomes[2].type = "tertiary"  # rows of trials, sponsors, ... are written before outcomes
    failures: list[Failure] = []
    report = export_db([bad] + records, tmp_path / "x.db", on_failure=failures.append, validate=False)
    assert report.records_out == 3
    assert [(f.code, f.record_id) for f in failures] == [("sqlite-refused", "NCT-BAD")]
    assert "CHECK constraint failed" in failures[0].message
    tables = read_sqlite(tmp_path / "x.db")
    assert all(row["record_id"] != "NCT-BAD" for rows in tables.values() for row in rows)


def test_dangling_reference_fails_that_record_only(tmp_path):
    records = fixture_records()
    bad = Record.from_dict(records[0].to_dict())
    bad.record_id = "NCT-BAD"
    bad.eligibility.criteria[3].parent = 7
    failures: list[Failure] = []
    export_db([bad] + records, tmp_path / "x.db", on_failure=failures.append)
    assert [(f.code, f.json_path) for f in failures] == [("bad-reference", "$.eligibility.criteria[3].parent")]
    assert counts(tmp_path / "x.db")["trials"] == 3


# --- interrupted exports ------------------------------------------------------------------------


def test_interrupted_batch_leaves_the_database_as_it_was(tmp_path):
    db = tmp_path / "x.db"
    records = fixture_records()
    export_db(records[:2], db)
    before = dump(db)
    changed = Record.from_dict(records[0].to_dict())
    changed.outcomes = []

    def interrupted():
        yield changed
        yield records[2]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_db(interrupted(), db)
    assert dump(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_interrupted_first_export_leaves_no_file(tmp_path):
    def failing():
        yield fixture_records()[0]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        export_db(failing(), tmp_path / "new.db")
    assert list(tmp_path.iterdir()) == []


def test_killed_export_leaves_the_database_as_it_was(tmp_path):
    """SIGKILL mid-batch: no cleanup runs; SQLite's journal restores the database on next open."""
    if sys.platform.startswith("win"):
        pytest.skip("needs POSIX signals")
    db = tmp_path / "x.db"
    records = fixture_records()
    export_db(records[:1], db)
    before = dump(db)
    assert kill_mid_export("registry_tool.formats.tables.sqlite_writer:SqliteSink", db, "append") == -9
    assert dump(db) == before
    export_db(records, db)  # and the database is usable afterwards
    assert counts(db)["trials"] == 3


# --- databases the export does not own ----------------------------------------------------------


def _made_db(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path)
    for s in statements:
        conn.execute(s)
    conn.commit()
    conn.close()
    return path


def test_refuses_an_older_layout(tmp_path):
    db = _made_db(tmp_path / "old.db", f"PRAGMA application_id = {APPLICATION_ID}", "PRAGMA user_version = 0",
                  "CREATE TABLE trials (record_id TEXT PRIMARY KEY)")
    before = dump(db)
    with pytest.raises(UsageError, match="older registry-tool"):
        export_db(fixture_records(), db)
    assert dump(db) == before


def test_refuses_a_newer_layout(tmp_path):
    db = _made_db(tmp_path / "new.db", f"PRAGMA application_id = {APPLICATION_ID}",
                  f"PRAGMA user_version = {LAYOUT_VERSION + 1}")
    with pytest.raises(UsageError, match="newer registry-tool"):
        export_db(fixture_records(), db)


def test_refuses_another_programs_database(tmp_path):
    db = _made_db(tmp_path / "app.db", "CREATE TABLE accounts (id INTEGER)", "INSERT INTO accounts VALUES (1)")
    before = dump(db)
    with pytest.raises(UsageError, match="did not write"):
        export_db(fixture_records(), db)
    assert dump(db) == before


def test_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some text, long enough to be read as a header " * 4)
    with pytest.raises(UsageError, match="cannot write to it as an SQLite database"):
        export_db(fixture_records(), path)
    assert path.read_text().startswith("just some text")


def test_refuses_a_folder(tmp_path):
    with pytest.raises(UsageError, match="not a file"):
        export_db(fixture_records(), tmp_path)


def test_an_empty_file_becomes_a_database(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    export_db(fixture_records(), path)
    assert counts(path)["trials"] == 3


# --- the command line ---------------------------------------------------------------------------


def test_cli_export_sqlite(tmp_path):
    db = tmp_path / "trials.db"
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "sqlite", "-o", str(db)])
    assert result.exit_code == 0, result.output
    assert counts(db)["outcomes"] == 5


def test_cli_sqlite_needs_an_output_file():
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "sqlite"])
    assert result.exit_code == 2
    assert "--to sqlite needs -o FILE.db" in result.output


def test_cli_foreign_database_is_a_usage_error(tmp_path):
    db = _made_db(tmp_path / "app.db", "CREATE TABLE accounts (id INTEGER)")
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "sqlite", "-o", str(db), "--append"])
    assert result.exit_code == 2
    assert "did not write" in result.output


def test_rendered_corpus_same_rows_as_csv_and_idempotent(tmp_path):
    """On real-world wording the database holds exactly the CSV package's rows, keys hold,
    and exporting the batch again changes nothing."""
    rendered = rendered_corpus()
    db = tmp_path / "corpus.db"
    records = [r for r in iter_records([str(rendered)]) if isinstance(r, Record)]
    assert export_db(records, db).ok
    convert(records, "csv", str(tmp_path / "csv"))
    in_csv = read_csv_package(tmp_path / "csv")
    in_db = read_sqlite(db)
    for name, rows in in_db.items():
        # CSV has one empty cell for an empty string and a null; compare the same way
        as_csv = [{k: (None if v == "" else v) for k, v in row.items()} for row in rows]
        assert as_csv == in_csv[name], name
    first = counts(db)
    assert first["trials"] == len(records) > 500 and first["outcomes"] > first["trials"]
    assert export_db(records, db).ok
    assert counts(db) == first
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_cnct19_exports(cnct19_path, tmp_path):
    db = tmp_path / "cnct19.db"
    result = CliRunner().invoke(main, ["export", str(cnct19_path), "--to", "sqlite", "-o", str(db)])
    assert result.exit_code == 0, result.output
    record = next(r for r in iter_records([str(cnct19_path)]) if isinstance(r, Record))
    assert records_from_tables(read_sqlite(db))[record.record_id] == record.to_dict()
    assert counts(db)["outcomes"] == 15
    assert os.path.getsize(db) > 0
