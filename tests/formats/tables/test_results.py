"""Results: read from legacy XML and API v2 JSON into one shape, and written as the results tables.

The golden pair ``tests/fixtures/results/NCT09900001.{xml,json}`` (written by
us) is one study in both formats, every results section in it; its expected
rows are ``NCT09900001.expected.json``. The corpus checks: every number of
every results section in the source is in the tables, and the package with
results validates with frictionless.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from registry_tool import Record, iter_records, parse_file
from registry_tool.commands import export
from registry_tool.formats.ctgov_xml.reader import record_from_xml
from registry_tool.formats.ctgov_xml.safety import parse_xml
from registry_tool.formats.ctgov_xml.writer import build_document, document_bytes
from registry_tool.formats.results_values import api_group_code, legacy_group_id, number
from registry_tool.formats.tables.results_layout import RESULT_TABLES
from registry_tool.model import ResultNumber
from tests.support.export_support import read_csv_package, read_sqlite

FIXTURES = Path(__file__).parents[2] / "fixtures" / "results"
STUDY_XML = FIXTURES / "NCT09900001.xml"
STUDY_JSON = FIXTURES / "NCT09900001.json"
EXPECTED = json.loads((FIXTURES / "NCT09900001.expected.json").read_text("utf-8"))
RESULT_NAMES = [t.name for t in RESULT_TABLES]

# Cells that say how a source wrote a value rather than what it is: its wording (*_text), legacy
# XML's scope, a measure's own title and a total's title, API v2's reporting status. The XML and
# the JSON of one study agree on every other cell.
SOURCE_WORDING = {"scope", "measure_title", "reporting_status"}


def _export(paths: list[Path], out: Path) -> dict[str, list[dict]]:
    report = export([str(p) for p in paths], "csv", str(out))
    assert report.ok, report
    return read_csv_package(out)


def _what_it_says(table: str, row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.endswith("_text") and k not in SOURCE_WORDING
            and not (table == "reported_event_totals" and k == "classification")}


# --- numbers and group codes -------------------------------------------------------------------------


@pytest.mark.parametrize("text, value, modifier", [
    ("12", 12, None), ("-4.5", -4.5, None), ("<0.001", 0.001, "<"), ("<= 0.05", 0.05, "<="), ("≥10", 10, ">="),
    (">100", 100, ">"), ("1e-5", 1e-5, None), ("NA", None, None), ("see text", None, None), ("1,234", None, None),
])
def test_a_registry_number_keeps_its_text(text, value, modifier):
    assert number(text) == ResultNumber(text, value, modifier)


@given(st.text())
def test_a_number_always_keeps_its_text(text):
    parsed = number(text)
    assert parsed.text == text
    assert parsed.modifier is None or parsed.value is not None  # no modifier without a number
    assert parsed.value is None or any(c.isdigit() for c in text)


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", "<", "<=", ">", ">="]))
def test_a_written_number_reads_back(value, modifier):
    parsed = number(f"{modifier}{value!r}")
    assert (parsed.value, parsed.modifier) == (value, modifier or None)


@given(st.integers(min_value=1, max_value=999), st.sampled_from("PBOE"))
def test_group_codes_round_trip(n, letter):
    assert legacy_group_id(api_group_code(f"{letter}{n}", letter)) == f"{letter}{n}"


def test_legacy_group_ids_are_api_codes_by_position():
    assert [api_group_code(g, g[0]) for g in ("O1", "B2", "P3", "E10")] == ["OG000", "BG001", "FG002", "EG009"]
    assert [legacy_group_id(c) for c in ("OG000", "BG001", "FG002", "EG009")] == ["O1", "B2", "P3", "E10"]
    assert api_group_code("O1", "B") == "O1"  # another section's id is kept as written
    assert api_group_code("Arm A", "O") == "Arm A"


# --- the golden study, from both formats ---------------------------------------------------------------


@pytest.mark.parametrize("name", RESULT_NAMES)
def test_golden_results_rows_from_xml(tmp_path, name):
    tables = _export([STUDY_XML], tmp_path / "out")
    assert tables[name] == EXPECTED[name]


@pytest.mark.parametrize("name", RESULT_NAMES)
def test_the_json_of_the_same_study_gives_the_same_rows(tmp_path, name):
    tables = _export([STUDY_JSON], tmp_path / "out")
    assert EXPECTED[name], name  # every table has rows in the golden study
    assert [_what_it_says(name, r) for r in tables[name]] == [_what_it_says(name, r) for r in EXPECTED[name]]


def test_codes_are_api_v2_whatever_the_source(tmp_path):
    xml = _export([STUDY_XML], tmp_path / "xml")
    js = _export([STUDY_JSON], tmp_path / "json")
    for tables in (xml, js):
        assert [r["param_type"] for r in tables["result_outcomes"]] == ["LEAST_SQUARES_MEAN"]
        assert {r["assessment"] for r in tables["reported_events"]} == {"SYSTEMATIC_ASSESSMENT"}
        assert [r["ci_n_sides"] for r in tables["outcome_analyses"]] == [2]
    assert [r["param_type_text"] for r in xml["result_outcomes"]] == ["Least Squares Mean"]
    assert [r["param_type_text"] for r in js["result_outcomes"]] == ["LEAST_SQUARES_MEAN"]


def test_what_no_table_holds_stays_in_extras():
    xml = parse_file(str(STUDY_XML))
    assert sorted(k for k in xml.extras if k.startswith("clinical_results")) == [
        "clinical_results/certain_agreements", "clinical_results/point_of_contact"]
    js = parse_file(str(STUDY_JSON))
    assert "resultsSection.moreInfoModule" in js.extras
    assert not any(k.startswith("resultsSection.") and "moreInfo" not in k for k in js.extras)


def test_an_unknown_spelling_keeps_its_text_gets_no_code_and_one_warning(tmp_path):
    text = STUDY_XML.read_text("utf-8").replace("<param>Mean</param>", "<param>Trimmed Mean</param>")
    record = record_from_xml(parse_xml(text.encode(), "x.xml"), "x.xml", text.encode())
    measure = record.results.baseline.measures[0]
    assert (measure.param_type.text, measure.param_type.code) == ("Trimmed Mean", None)
    assert [w.code for w in record.warnings] == ["unknown-code"]


def test_the_xml_writer_writes_the_results_back(tmp_path):
    record = parse_file(str(STUDY_XML))
    root, _, warnings = build_document(record)
    assert not [w for w in warnings if w.code == "xml-note"]  # the document alone gives the record back
    data = document_bytes(root)
    again = record_from_xml(parse_xml(data, "again.xml"), "again.xml", data)
    assert again.results == record.results
    assert {k: v for k, v in again.extras.items()} == record.extras


def test_json_results_exported_as_xml_read_back_the_same(tmp_path):
    record = parse_file(str(STUDY_JSON))
    out = tmp_path / "study.xml"
    export([str(STUDY_JSON)], "xml", str(out))
    assert parse_file(str(out)).results == record.results


def test_sqlite_holds_the_same_results_rows(tmp_path):
    export([str(STUDY_XML)], "sqlite", str(tmp_path / "db.sqlite"))
    tables = read_sqlite(tmp_path / "db.sqlite")
    for name in RESULT_NAMES:
        assert tables[name] == EXPECTED[name], name


def test_a_study_without_results_has_none(tmp_path):
    text = re.sub(r"<clinical_results>.*</clinical_results>", "", STUDY_XML.read_text("utf-8"), flags=re.S)
    record = record_from_xml(parse_xml(text.encode(), "x.xml"), "x.xml", text.encode())
    assert record.results is None and record.to_dict()["results"] is None


# --- the corpus -------------------------------------------------------------------------------------------

# Every number a legacy XML results section gives, by where it is written, and the table cells it goes to.
_XML_NUMBERS = {
    "measurement/@value": [("outcome_measurements", "param_value"), ("baseline_measurements", "param_value")],
    "measurement/@spread": [("outcome_measurements", "dispersion_value"),
                            ("baseline_measurements", "dispersion_value")],
    "measurement/@lower_limit": [("outcome_measurements", "dispersion_lower_limit_raw"),
                                 ("baseline_measurements", "dispersion_lower_limit_raw")],
    "measurement/@upper_limit": [("outcome_measurements", "dispersion_upper_limit_raw"),
                                 ("baseline_measurements", "dispersion_upper_limit_raw")],
    "count/@value": [("outcome_counts", "count"), ("baseline_counts", "count")],
    "participants/@count": [("milestones", "count"), ("drop_withdrawals", "count")],
    "counts/@subjects_affected": [("reported_events", "subjects_affected"),
                                  ("reported_event_totals", "subjects_affected")],
    "counts/@subjects_at_risk": [("reported_events", "subjects_at_risk"),
                                 ("reported_event_totals", "subjects_at_risk")],
    "counts/@events": [("reported_events", "event_count"), ("reported_event_totals", "event_count")],
    "analysis/p_value": [("outcome_analyses", "p_value_raw")],
    "analysis/param_value": [("outcome_analyses", "param_value")],
    "analysis/dispersion_value": [("outcome_analyses", "dispersion_value")],
    "analysis/ci_lower_limit": [("outcome_analyses", "ci_lower_limit_raw")],
    "analysis/ci_upper_limit": [("outcome_analyses", "ci_upper_limit_raw")],
}


def _source_numbers(paths: list[Path]) -> dict[str, Counter]:
    found: dict[str, Counter] = {kind: Counter() for kind in _XML_NUMBERS}
    for path in paths:
        results = etree.parse(str(path)).find("clinical_results")
        for kind in _XML_NUMBERS:
            element, _, attribute = kind.partition("/")
            if attribute.startswith("@"):
                values = results.xpath(f"//{element}/{attribute}")
            else:
                values = [e.text for e in results.iter(attribute) if e.getparent().tag == element]
            found[kind].update(str(v) for v in values)
    return found


@pytest.fixture(scope="module")
def corpus_with_results(xml_corpus, tmp_path_factory):
    paths = [p for p in xml_corpus if b"<clinical_results>" in p.read_bytes()]
    out = tmp_path_factory.mktemp("results") / "out"
    return paths, out, _export(paths, out)


def test_every_results_number_of_the_corpus_is_in_the_tables(corpus_with_results):
    paths, _, tables = corpus_with_results
    assert len(paths) == 148
    source = _source_numbers(paths)
    for kind, cells in _XML_NUMBERS.items():
        written = Counter(str(row[column]) for table, column in cells for row in tables[table]
                          if row[column] is not None)
        assert written == source[kind], kind
    assert sum(sum(c.values()) for c in source.values()) == 83_732  # cells read = cells written


def test_every_corpus_results_section_is_written_back_from_the_model(corpus_with_results):
    paths, _, _ = corpus_with_results
    for path in paths:
        record = parse_file(str(path))
        assert record.results is not None
        assert "clinical_results" not in record.extras, path.name  # nothing kept whole: all read


def test_frictionless_validates_the_package_with_results(corpus_with_results):
    frictionless = pytest.importorskip("frictionless")
    _, out, tables = corpus_with_results
    assert len(tables["reported_events"]) > 10_000
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_every_api_v2_results_count_is_read(json_corpus):
    studies = [r for r in iter_records([str(p) for p in json_corpus]) if isinstance(r, Record) and r.results]
    assert len(studies) == 4
    for record in studies:
        unread = [k for k, v in record.extras.items()
                  if k.startswith("resultsSection.") and "moreInfo" not in k and not _only_unread_flags(v)]
        assert unread == [], record.record_id


def _only_unread_flags(value) -> bool:
    """True for a leftover holding nothing but the flags the model does not keep (calculatePct, ...)."""
    if isinstance(value, list):
        return all(_only_unread_flags(v) for v in value)
    if isinstance(value, dict):
        return all(k in ("calculatePct", "denomUnitsSelected") or _only_unread_flags(v) for k, v in value.items())
    return False


def test_a_canonical_record_exports_the_same_rows(tmp_path):
    canonical = tmp_path / "NCT09900001.json"
    export([str(STUDY_XML)], "json", str(canonical))
    tables = _export([canonical], tmp_path / "out")
    for name in RESULT_NAMES:
        assert tables[name] == EXPECTED[name], name
