"""ICTRP records out: the CSV data package, SQLite and registry XML exports (with the warnings
for what the registry schema needs and ICTRP does not give), on our fixtures and the shared sample."""

from __future__ import annotations

import pytest
from lxml import etree

from registry_tool import ExportOptions, Record, convert, iter_records
from registry_tool.formats.ctgov_xml.reader import read
from registry_tool.formats.ctgov_xml.writer import build_document, document_bytes
from tests.support import FIXTURES, read_normalized
from tests.support.export_support import read_csv_package, read_sqlite, records_from_tables
from tests.support.xml_support import partial_schema
from tests.formats.ictrp.test_reader import SAMPLES

INPUTS = [FIXTURES / "ictrp" / n for n in ("01_chictr.xml", "02_ctgov_rows.csv", "03_newer_layout.xml")]


def _records(paths) -> list[Record]:
    results = list(iter_records([str(p) for p in paths]))
    assert all(isinstance(r, Record) for r in results), results
    return results


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return _records(INPUTS)


def test_csv_package_holds_every_ictrp_record_whole(records, tmp_path):
    report = convert(records, "csv", str(tmp_path / "out"), ExportOptions())
    assert report.ok and report.records_out == len(records)
    tables = read_csv_package(tmp_path / "out")
    rebuilt = records_from_tables(tables)
    for record in records:
        assert rebuilt[record.record_id] == record.to_dict(), record.record_id
    trial = next(t for t in tables["trials"] if t["record_id"] == "ChiCTR2099000001")
    assert trial["source_registry"] == "ChiCTR" and trial["countries"] == ["China"]
    assert trial["enrollment_count"] == 60
    assert trial["enrollment_groups"] == [{"label": "experimental group", "count": 30},
                                          {"label": "control group", "count": 30}]
    assert (trial["minimum_age_years"], trial["maximum_age_years"]) == (18, 75)


def test_csv_package_of_ictrp_records_validates_with_frictionless(records, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    convert(records, "csv", str(tmp_path / "out"), ExportOptions())
    report = frictionless.validate(str(tmp_path / "out" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])


def test_sqlite_holds_every_ictrp_record_whole(records, tmp_path):
    report = convert(records, "sqlite", str(tmp_path / "out.db"), ExportOptions())
    assert report.ok and report.records_out == len(records)
    rebuilt = records_from_tables(read_sqlite(tmp_path / "out.db"))
    for record in records:
        assert rebuilt[record.record_id] == record.to_dict(), record.record_id


def test_xml_export_warns_for_what_the_registry_schema_needs(records):
    by_id = {r.record_id: r for r in records}
    root, _, warnings = build_document(by_id["ChiCTR2099000002"], {})
    missing = {w.field for w in warnings if w.code == "xml-missing-element"}
    # ICTRP gives no NCT id for a ChiCTR trial, no <source>, and 'Not Recruiting' is no registry status
    assert {"id_info/nct_id", "source", "overall_status"} <= missing
    assert partial_schema().validate(root), partial_schema().error_log
    back = read_normalized(read, document_bytes(root), "exported.xml")
    assert len(back) == 1 and back[0].to_dict()["extras"] == by_id["ChiCTR2099000002"].to_dict()["extras"]


def test_xml_export_of_every_ictrp_record_comes_back_whole(records):
    for record in records:
        root, _, warnings = build_document(record, {})
        assert partial_schema().validate(root), (record.record_id, partial_schema().error_log)
        (back,) = read_normalized(read, document_bytes(root), "exported.xml")
        mine, theirs = record.to_dict(), back.to_dict()
        assert [k for k in mine if k not in ("source", "warnings") and mine[k] != theirs[k]] == [], record.record_id
        assert etree.fromstring(document_bytes(root)).findtext("brief_title") == record.title


@pytest.mark.skipif(not SAMPLES, reason="shared ICTRP sample not available")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_exports_to_every_table_form(sample, tmp_path):
    records = _records([sample])  # one export at a time: the samples share trials
    for to, out in (("csv", tmp_path / "csv"), ("sqlite", tmp_path / "s.db"), ("xml", tmp_path / "xml")):
        report = convert(records, to, str(out), ExportOptions())
        assert report.ok and report.records_out == len(records), (to, report.failures[:3])
    rebuilt = records_from_tables(read_csv_package(tmp_path / "csv"))
    assert all(rebuilt[r.record_id] == r.to_dict() for r in records)
    assert records_from_tables(read_sqlite(tmp_path / "s.db")) == rebuilt
    assert len(list((tmp_path / "xml").iterdir())) == len(records)
