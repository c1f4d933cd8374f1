"""The CSV data package export (``--to csv -o DIR``), and the JSON / JSON Lines exports."""

from __future__ import annotations

import csv
import json
import os
import shutil
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
    validate,
)
from registry_tool.cli import main
from registry_tool.formats.tables.layout import LAYOUT_VERSION, TABLES
from registry_tool.formats.tables.results_layout import RESULT_TABLES
from tests.support.export_support import (
    GOLDEN,
    RECORDS,
    fixture_records,
    kill_mid_export,
    read_csv_package,
    records_from_tables,
    rendered_corpus,
)

TABLE_FILES = sorted(f"{t.name}.csv" for t in TABLES)


def export_csv(records, out: Path, **options) -> object:
    return convert(records, "csv", str(out), ExportOptions(**options))


def siblings(path: Path) -> list[str]:
    """Entries beside ``path`` other than ``path`` itself (temporary folders would show here)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


# --- golden files and read-back -----------------------------------------------------------------


def test_golden_tables(tmp_path):
    out = tmp_path / "out"
    report = export_csv(fixture_records(), out)
    assert report.records_out == 3 and report.ok
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES + ["datapackage.json"])
    for name in TABLE_FILES:
        assert (out / name).read_bytes() == (GOLDEN / name).read_bytes(), name


def test_rfc4180_quoting_and_encoding(tmp_path):
    out = tmp_path / "out"
    export_csv(fixture_records(), out)
    raw = (out / "trials.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte-order mark
    text = raw.decode("utf-8")
    assert text.startswith("record_id,source_format,source_path,registry_ids,title,")
    assert text.split("\r\n", 1)[0].count('"') == 0
    # a title with quotes and commas is quoted, its quotes doubled
    assert '"A ""Basket"" Study of Drug X, Drug Y, and Z in CML"' in text
    # a line break inside a value stays inside the quoted cell
    assert '"Phase I/II Study of Drug X\nin Chronic Myeloid Leukaemia (CML) — Dose Escalation"' in text


def test_read_back_equals_records(tmp_path):
    records = fixture_records()
    export_csv(records, tmp_path / "out")
    rebuilt = records_from_tables(read_csv_package(tmp_path / "out"))
    assert list(rebuilt) == [r.record_id for r in records]
    for record in records:
        assert rebuilt[record.record_id] == record.to_dict(), record.record_id


def test_row_counts_add_up(tmp_path):
    records = fixture_records()
    export_csv(records, tmp_path / "out")
    tables = read_csv_package(tmp_path / "out")
    expected = {
        "trials": len(records),
        "sponsors": sum((r.sponsors.lead is not None) + len(r.sponsors.collaborators) for r in records),
        "arm_groups": sum(len(r.arm_groups) for r in records),
        "interventions": sum(len(r.interventions) for r in records),
        "outcomes": sum(len(r.outcomes) for r in records),
        "time_points": sum(len(o.time_frame.points) for r in records for o in r.outcomes if o.time_frame),
        "criteria": sum(len(r.eligibility.criteria) for r in records),
        "variants": sum(len(r.variants) for r in records),
        "warnings": sum(len(r.warnings) for r in records),
        "extras": sum(len(r.extras) for r in records),
        "spans": sum(len(r.spans) for r in records),
        "conditions": sum(len(r.conditions) for r in records),
        "keywords": sum(len(r.keywords) for r in records),
        "mesh_terms": 0, "locations": 1,  # 01_tricky_values keeps a registry XML <location> in extras
        "arm_group_interventions": 1,  # Drug X is given to Arm A: Drug X (01_tricky_values)
        **{t.name: 0 for t in RESULT_TABLES},  # the fixtures carry no results (test_results.py has those)
    }
    assert {name: len(rows) for name, rows in tables.items()} == expected
    assert expected["time_points"] == 5 and expected["criteria"] == 6


def test_nested_criteria_and_variant_links(tmp_path):
    export_csv(fixture_records(), tmp_path / "out")
    tables = read_csv_package(tmp_path / "out")
    criteria = {(c["record_id"], c["criterion_index"]): c for c in tables["criteria"]}
    nested = [c for c in tables["criteria"] if c["parent_index"] is not None]
    assert [(c["number"], criteria[(c["record_id"], c["parent_index"])]["number"]) for c in nested] == [
        ("2a", "2"),
        ("2b", "2"),
    ]
    linked = [v for v in tables["variants"] if v["criterion_index"] is not None]
    assert [(v["text"], criteria[(v["record_id"], v["criterion_index"])]["number"]) for v in linked] == [
        ("T315I", "2a"),
        ("T315I", "5"),
    ]


# --- the data package ---------------------------------------------------------------------------


def test_datapackage_describes_every_column(tmp_path):
    export_csv(fixture_records(), tmp_path / "out")
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["registry_tool"]["layout_version"] == LAYOUT_VERSION
    assert package["registry_tool"]["excel_safe"] is False
    names = [r["name"] for r in package["resources"]]
    assert names[0] == "trials" and sorted(f"{n}.csv" for n in names) == TABLE_FILES
    for resource in package["resources"]:
        schema = resource["schema"]
        with open(tmp_path / "out" / resource["path"], encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert [f["name"] for f in schema["fields"]] == header
        assert header[0] == "record_id"
        for field in schema["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean", "array", "object"}
            assert len(field["description"]) > 10, (resource["name"], field["name"])
        if resource["name"] == "trials":
            assert schema["primaryKey"] == ["record_id"]
            continue
        # a child table: record_id, then its 1-based index, and a key to trials
        assert schema["primaryKey"][0] == "record_id" and header[1].endswith("_index")
        assert {"fields": ["record_id"], "reference": {"resource": "trials", "fields": ["record_id"]}} in schema[
            "foreignKeys"
        ]


def test_contract_minimum_columns(tmp_path):
    export_csv(fixture_records(), tmp_path / "out")
    tables = read_csv_package(tmp_path / "out")
    for table, columns in {
        "trials": ["record_id", "title", "summary", "phases", "allocation", "intervention_model",
                   "declared_variant_count"],
        "outcomes": ["record_id", "outcome_index", "type", "measure", "description", "time_frame", "max_days"],
        "time_points": ["record_id", "outcome_index", "point_index", "value", "unit", "days", "relation", "anchor"],
        "criteria": ["record_id", "criterion_index", "kind", "number", "text", "parent_index", "section"],
        "variants": ["record_id", "variant_index", "text", "kind", "hgvs", "gene", "marked", "criterion_index",
                     "found_in", "candidate"],
        "interventions": ["record_id", "intervention_index", "name", "description", "type"],
    }.items():
        assert set(columns) <= set(tables[table][0]), table
    trial = tables["trials"][0]
    assert trial["phases"] == "PHASE1;PHASE2"
    assert (trial["allocation"], trial["allocation_text"]) == ("RANDOMIZED", "Randomized")
    assert (trial["masking"], trial["masking_text"]) == (None, "None (Open Label)")


def test_package_validates_with_frictionless(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    export_csv(fixture_records(), tmp_path / "out")
    report = frictionless.validate(str(tmp_path / "out" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])


@pytest.mark.parametrize(
    "table, edit, error",
    [
        # a second row with the same primary key
        ("outcomes.csv", lambda rows: rows + [rows[1]], "primary-key"),
        # a time point of an outcome that does not exist
        ("time_points.csv", lambda rows: rows + [["NCT09000001", "9", "1", "3", "day", "3", "at", ""]],
         "foreign-key"),
        # a child row of a record that is not in trials.csv
        ("warnings.csv", lambda rows: rows + [["NCT-NONE", "1", "x", "", "", ""]], "foreign-key"),
        # a unit outside the enumeration
        ("time_points.csv", lambda rows: [rows[0], rows[1][:4] + ["fortnight"] + rows[1][5:]] + rows[2:],
         "constraint-error"),
    ],
)
def test_frictionless_catches_a_broken_package(tmp_path, table, edit, error):
    """The validation above can fail: break one rule in a copy and frictionless says so."""
    frictionless = pytest.importorskip("frictionless")
    out = tmp_path / "out"
    export_csv(fixture_records(), out)
    with open(out / table, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(out / table, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(edit(rows))
    report = frictionless.validate(str(out / "datapackage.json"))
    assert not report.valid
    assert error in {e.type for task in report.tasks for e in task.errors}


# --- --excel-safe -------------------------------------------------------------------------------


def test_excel_safe_off_keeps_values_exact(tmp_path):
    export_csv(fixture_records(), tmp_path / "out")
    tables = read_csv_package(tmp_path / "out")
    formula = [t for t in tables["trials"] if t["record_id"] == "text-00000000000000bb"][0]
    assert formula["title"] == '=HYPERLINK("http://example.invalid","click")'
    assert formula["summary"] == "+1 more arm was added in 2021"


def test_excel_safe_neutralises_formula_cells(tmp_path):
    export_csv(fixture_records(), tmp_path / "out", excel_safe=True)
    tables = read_csv_package(tmp_path / "out")
    rid = "text-00000000000000bb"

    def cell(table, column):
        return [r[column] for r in tables[table] if r["record_id"] == rid][0]

    assert cell("trials", "title") == "'=HYPERLINK(\"http://example.invalid\",\"click\")"
    assert cell("trials", "summary") == "'+1 more arm was added in 2021"
    assert cell("interventions", "name") == "'@SUM(A1:A9)"
    assert cell("interventions", "description") == "'\tindented with a tab"
    assert cell("outcomes", "measure") == "'-5 point change in pain score"
    assert cell("outcomes", "description") == "'\rcarriage return first"
    assert cell("criteria", "text") == "'- dash-led criterion, with T315I --- marks removed"
    assert cell("extras", "text") == "'=cmd|' /C calc'!A0"
    # numbers, codes and other cells stay as they were
    assert cell("outcomes", "max_days") == 730.5
    assert cell("trials", "phases") == "NA"
    assert cell("interventions", "type") == "OTHER"
    others = records_from_tables(tables)["NCT09000001"]
    assert others["title"] == 'A "Basket" Study of Drug X, Drug Y, and Z in CML'
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text("utf-8"))
    assert package["registry_tool"]["excel_safe"] is True
    assert "--excel-safe" in package["description"] and "apostrophe" in package["description"]


# --- atomic output ------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_reexport_replaces_the_folder(tmp_path):
    out = tmp_path / "out"
    records = fixture_records()
    export_csv(records, out)
    (out / "stale.csv").write_text("from an older export\n")
    export_csv(records[:1], out, existing="replace")
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES + ["datapackage.json"])
    assert len(read_csv_package(out)["trials"]) == 1
    assert siblings(out) == []


def test_interrupted_export_keeps_the_old_folder(tmp_path):
    out = tmp_path / "out"
    records = fixture_records()
    export_csv(records, out)
    before = _snapshot(out)

    def interrupted():
        yield records[0]
        yield records[1]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_csv(interrupted(), out, existing="replace")
    assert _snapshot(out) == before
    assert siblings(out) == []


def test_interrupted_first_export_leaves_nothing(tmp_path):
    out = tmp_path / "out"

    def failing():
        yield fixture_records()[0]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        export_csv(failing(), out)
    assert list(tmp_path.iterdir()) == []


def test_killed_export_keeps_the_old_folder(tmp_path):
    """A process killed outright mid-export (SIGKILL: no cleanup runs) leaves the old folder intact."""
    if not hasattr(os, "kill") or sys.platform.startswith("win"):
        pytest.skip("needs POSIX signals")
    out = tmp_path / "out"
    export_csv(fixture_records(), out)
    before = _snapshot(out)
    assert kill_mid_export("registry_tool.formats.tables.csv_writer:CsvSink", out, "replace") == -9
    assert _snapshot(out) == before
    # what a killed process cannot clean up is a hidden temporary folder, never a half-written DIR
    assert all(name.startswith(".out.") and name.endswith(".part") for name in siblings(out))


def test_refuses_to_replace_a_folder_that_is_not_an_export(tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    with pytest.raises(UsageError, match="not an earlier export"):
        export_csv(fixture_records(), precious)
    assert (precious / "thesis.docx").read_text() == "years of work"
    assert siblings(precious) == []


def test_refuses_a_file_as_output_folder(tmp_path):
    target = tmp_path / "tables.csv"
    target.write_text("keep me")
    with pytest.raises(UsageError, match="not a folder"):
        export_csv(fixture_records(), target)
    assert target.read_text() == "keep me"


def test_an_empty_folder_is_filled(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    export_csv(fixture_records(), out)
    assert len(read_csv_package(out)["trials"]) == 3


def test_output_gets_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        export_csv(fixture_records(), tmp_path / "out")
    finally:
        os.umask(old)
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == oct(0o755)
    assert oct((tmp_path / "out" / "trials.csv").stat().st_mode & 0o777) == oct(0o644)


# --- records the tables cannot hold -------------------------------------------------------------


def test_duplicate_record_id_keeps_the_first(tmp_path):
    records = fixture_records()
    again = Record.from_dict(records[0].to_dict())
    again.title = "a second record with the same id"
    failures: list[Failure] = []
    report = convert(records + [again], "csv", str(tmp_path / "out"), ExportOptions(), on_failure=failures.append)
    assert report.records_in == 4 and report.records_out == 3
    assert [f.code for f in failures] == ["duplicate-record-id"]
    assert failures[0].record_id == "NCT09000001" and "registry/NCT09000001.xml" in failures[0].message
    titles = [t["title"] for t in read_csv_package(tmp_path / "out")["trials"]]
    assert titles[0] == 'A "Basket" Study of Drug X, Drug Y, and Z in CML' and len(titles) == 3


def test_dangling_criterion_reference_fails_that_record_only(tmp_path):
    records = fixture_records()
    broken = Record.from_dict(records[2].to_dict())
    broken.record_id = "text-broken"
    broken.variants[0].criterion = 4  # the record has 1 criterion
    failures: list[Failure] = []
    report = convert([broken] + records, "csv", str(tmp_path / "out"), ExportOptions(), on_failure=failures.append)
    assert report.records_out == 3
    assert [(f.code, f.json_path) for f in failures] == [("bad-reference", "$.variants[0].criterion")]
    tables = read_csv_package(tmp_path / "out")
    assert all(row["record_id"] != "text-broken" for rows in tables.values() for row in rows)


# --- the command line ---------------------------------------------------------------------------


def test_cli_export_csv(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "trials.csv").read_bytes() == (GOLDEN / "trials.csv").read_bytes()


def test_cli_csv_needs_an_output_folder():
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "csv"])
    assert result.exit_code == 2
    assert "--to csv needs -o DIR" in result.output


def test_cli_refuses_unrelated_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "csv", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "refusing to replace it" in result.output


def test_cli_bad_record_exits_1_and_writes_the_others(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(RECORDS, inputs)
    (inputs / "04_bad.json").write_text('{"record_id": "bad", "source": {"format": "fax"}}')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(inputs), "--to", "csv", "-o", str(out)])
    assert result.exit_code == 1
    assert "04_bad.json" in result.output
    assert len(read_csv_package(out)["trials"]) == 3


def test_cli_excel_safe(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(RECORDS), "--to", "csv", "-o", str(out), "--excel-safe"])
    assert result.exit_code == 0, result.output
    assert "'=HYPERLINK(" in (out / "trials.csv").read_text("utf-8")


# --- the CNCT19 example -------------------------------------------------------------------------


def test_cnct19_exports(cnct19_path, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(cnct19_path), "--to", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    tables = read_csv_package(out)
    record = next(r for r in iter_records([str(cnct19_path)]) if isinstance(r, Record))
    assert records_from_tables(tables)[record.record_id] == record.to_dict()
    trial = tables["trials"][0]
    assert (trial["allocation"], trial["allocation_text"]) == ("NA", "N/A")
    assert (trial["intervention_model"], trial["intervention_model_text"]) == (
        "SINGLE_GROUP",
        "Single Group Assignment",
    )
    assert trial["declared_variant_count"] == 1
    assert len(tables["outcomes"]) == 15
    assert [(c["number"], c["criterion_index"]) for c in tables["criteria"]] == [("5", 1)]
    assert [(v["text"], v["hgvs"], v["marked"], v["criterion_index"]) for v in tables["variants"]] == [
        ("T315I", "p.Thr315Ile", True, 1)
    ]
    assert {o["max_days"] for o in tables["outcomes"]} == {28.0, 91.3125, 730.5}


# --- the whole shared corpus --------------------------------------------------------------------


def _export_and_validate(inputs: list[str], out: Path) -> tuple[object, list[Failure]]:
    """Export ``inputs`` to ``out`` as CSV, check the trials add up and frictionless finds the
    package valid; return the report and the failures."""
    frictionless = pytest.importorskip("frictionless")
    failures: list[Failure] = []
    report = convert(iter_records(inputs), "csv", str(out), ExportOptions(), on_failure=failures.append)
    assert len(read_csv_package(out)["trials"]) == report.records_out
    result = frictionless.validate(str(out / "datapackage.json"))
    assert result.valid, result.flatten(["resourceName", "rowNumber", "type", "note"])[:10]
    return report, failures


def test_corpus_package_validates(xml_corpus, json_corpus, tmp_path):
    """Every shared-corpus record (registry XML and API v2 JSON) exports to a valid package."""
    pytest.importorskip("registry_tool.formats.ctgov_xml.reader", reason="registry XML importer not merged yet")
    pytest.importorskip("registry_tool.formats.ctgov_json.reader", reason="API v2 JSON importer not merged yet")
    inputs = [str(xml_corpus[0].parent), str(json_corpus[0].parent)]
    report, failures = _export_and_validate(inputs, tmp_path / "corpus")
    # the exporter's own refusals: only the trials given twice (as XML and as JSON) may be refused
    in_both = {p.stem for p in xml_corpus} & {p.stem for p in json_corpus}
    refused = [f for f in failures if f.code in ("duplicate-record-id", "bad-reference")]
    assert {(f.code, f.record_id) for f in refused} <= {("duplicate-record-id", rid) for rid in in_both}
    assert report.records_out >= 0.95 * (len(xml_corpus) + len(json_corpus)), [f.describe() for f in failures[:5]]


def test_rendered_corpus_package_validates(tmp_path):
    """The XML corpus rendered as flattened text: real wording, parsed and exported to a valid package."""
    rendered = rendered_corpus()
    report, failures = _export_and_validate([str(rendered)], tmp_path / "rendered")
    assert failures == [] and report.records_out == len(list(rendered.iterdir())) > 500


# --- JSON and JSON Lines ------------------------------------------------------------------------


def test_json_export_of_one_record_is_one_valid_object(tmp_path):
    out = tmp_path / "one.json"
    records = fixture_records()
    report = convert(records[:1], "json", str(out))
    assert report.ok
    data = json.loads(out.read_text("utf-8"))
    assert validate(data) == []
    assert data == records[0].to_dict()


def test_json_lines_export_is_schema_valid(tmp_path):
    out = tmp_path / "all.jsonl"
    records = fixture_records()
    report = convert(records, "jsonl", str(out))
    assert report.records_out == 3
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 3
    for line, record in zip(lines, records):
        data = json.loads(line)
        assert validate(data) == []
        assert data == record.to_dict()


def test_the_readme_lists_every_table():
    readme = (Path(__file__).parents[3] / "README.md").read_text("utf-8")
    section = readme[readme.index("### CSV data package and SQLite"):readme.index("## For analysts")]
    assert [t.name for t in TABLES if f"`{t.name}`" not in section] == []


def test_json_export_of_several_records_is_one_array(tmp_path):
    out = tmp_path / "all.json"
    records = fixture_records()
    assert convert(records, "json", str(out)).records_out == 3
    data = json.loads(out.read_text("utf-8"))
    assert data == [record.to_dict() for record in records]
