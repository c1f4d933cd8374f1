"""The ctgov-xml importer: the whole shared corpus, values checked against the XML itself, golden files."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from registry_tool import Record, validate
from registry_tool.errors import Failure
from registry_tool.formats.ctgov_xml.reader import read, record_from_xml
from tests.support import read_normalized
from tests.support.golden import mismatches
from tests.support.xml_support import FIXTURES, corpus_documents, fold, imported_corpus

OUTCOME_TAGS = {"primary_outcome": "primary", "secondary_outcome": "secondary", "other_outcome": "other"}
# The registry's own words for the codes, written out here independently of the importer's tables.
ALLOCATION = {"Randomized": "RANDOMIZED", "Non-Randomized": "NON_RANDOMIZED", "N/A": "NA"}
PHASES = {
    "N/A": ["NA"], "Early Phase 1": ["EARLY_PHASE1"], "Phase 0": ["EARLY_PHASE1"], "Phase 1": ["PHASE1"],
    "Phase 1/Phase 2": ["PHASE1", "PHASE2"], "Phase 2": ["PHASE2"], "Phase 2/Phase 3": ["PHASE2", "PHASE3"],
    "Phase 3": ["PHASE3"], "Phase 4": ["PHASE4"],
}


def _text(el: etree._Element | None) -> str | None:
    return fold(el.text) or None if el is not None else None


def expected_from_xml(data: bytes) -> dict:
    """The values a record must hold, read straight from the document with lxml."""
    root = etree.fromstring(data)
    design = root.find("study_design_info")
    allocation = design.findtext("allocation") if design is not None else None
    model = design.findtext("intervention_model") if design is not None else None
    phase = root.findtext("phase")
    ids = root.find("id_info")
    return {
        "record_id": ids.findtext("nct_id"),
        "registry_ids": [ids.findtext("nct_id"), *[e.text for e in ids.iterfind("org_study_id")],
                         *[e.text for e in ids.iterfind("secondary_id")], *[e.text for e in ids.iterfind("nct_alias")]],
        "title": fold(root.findtext("brief_title")) or None,
        "phases": PHASES[phase] if phase else [],
        "allocation": None if allocation is None else {"text": allocation, "code": ALLOCATION[allocation]},
        "intervention_model": None if model is None else {
            "text": model, "code": model.replace(" Assignment", "").upper().replace(" ", "_")},
        "interventions": [
            {"name": fold(i.findtext("intervention_name")), "description": _text(i.find("description")),
             "type": i.findtext("intervention_type").upper().replace(" ", "_")}
            for i in root.iterfind("intervention")
        ],
        "outcomes": [
            {"type": OUTCOME_TAGS[el.tag], "measure": fold(el.findtext("measure")),
             "description": _text(el.find("description")), "time_frame": _text(el.find("time_frame"))}
            for el in root if el.tag in OUTCOME_TAGS
        ],
    }


def actual_values(record: Record) -> dict:
    d = record.to_dict()
    return {
        "record_id": d["record_id"],
        "registry_ids": d["registry_ids"],
        "title": d["title"],
        "phases": d["phases"],
        "allocation": d["design"]["allocation"],
        "intervention_model": d["design"]["intervention_model"],
        "interventions": [{k: i[k] for k in ("name", "description", "type")} for i in d["interventions"]],
        "outcomes": [
            {"type": o["type"], "measure": o["measure"], "description": o["description"],
             "time_frame": o["time_frame"]["text"] if o["time_frame"] else None}
            for o in d["outcomes"]
        ],
    }


# --- the whole shared corpus ----------------------------------------------------------------------


def test_every_corpus_record_imports_and_is_schema_valid(xml_corpus):
    problems = []
    for (path, _), result in zip(corpus_documents(), imported_corpus()):
        if isinstance(result, Failure):
            problems.append(f"{path}: {result.describe()}")
        elif violations := validate(result.to_dict()):
            problems.append(f"{path}: {violations[:3]}")
    assert len(imported_corpus()) == len(xml_corpus)
    assert problems == []


def test_corpus_values_equal_the_xml(xml_corpus):
    """Title, ids, phases, design, interventions and outcomes (type, order, measure, description,
    time frame) equal what the document says, white space folded."""
    wrong = []
    for (path, data), record in zip(corpus_documents(), imported_corpus()):
        if actual_values(record) != expected_from_xml(data):
            wrong.append(path)
    assert wrong == []


def test_corpus_text_blocks_are_kept_and_summaries_folded(xml_corpus):
    for (path, data), record in zip(corpus_documents(), imported_corpus()):
        root = etree.fromstring(data)
        assert record.summary == (fold(root.findtext("brief_summary/textblock")) or None), path
        block = root.findtext("eligibility/criteria/textblock")
        if block is not None:
            assert [b.to_dict() for b in record.eligibility.criteria_blocks] == [
                {"kind": None, "markup": "plain", "text": block}], path
            assert "eligibility/criteria" not in record.extras, path


# --- golden files ---------------------------------------------------------------------------------

GOLDEN = sorted(FIXTURES.glob("0*.xml"))
# Warnings the importer itself gives (the shared normalisers add their own).
IMPORTER_CODES = {"unknown-code", "bad-number", "unexpected-xml", "no-nct-id"}


def _comparable(record: Record) -> dict:
    d = record.to_dict()
    d["warnings"] = [{"code": w["code"], "field": w["field"]} for w in d["warnings"] if w["code"] in IMPORTER_CODES]
    return d


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_record(path):
    """Each team-written document gives the record its .json file describes (a subset: the shared
    normalisers' own output -- time points, criteria items, variants -- is tested with them)."""
    (record,) = read_normalized(read, path.read_bytes(), str(path))
    assert isinstance(record, Record), record
    expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
    assert mismatches(expected, _comparable(record)) == []
    assert record.source.format == "ctgov-xml" and record.source.path == str(path)
    assert validate(record.to_dict()) == []


def test_golden_files_cover_the_layout():
    """Between them the golden documents exercise the special cases they are written for."""
    expected = {p.stem: json.loads(p.with_suffix(".json").read_text("utf-8")) for p in GOLDEN}
    legacy = expected["02_legacy_layout_and_unknown_values"]
    assert legacy["extras"]["oversight_info"]["authority"]  # an element the 2019 schema dropped
    assert legacy["extras"]["primary_outcome[1]/safety_issue"] == "No"
    assert legacy["extras"]["intervention[1]/intervention_type"] == "Herbal"
    assert legacy["extras"]["phase"] == "Phase 5"
    assert legacy["extras"]["brief_title/@lang"] == "en"
    assert "last_update_submitted" in legacy["extras"]["#text"]  # stray text from a broken comment
    assert legacy["eligibility"]["gender"] == {"text": "Both", "code": "ALL"}
    complete = expected["01_complete_interventional"]
    assert complete["extras"]["@rank"] == "7"
    assert complete["date_types"]["completion_date"] == "Anticipated"
    assert complete["design"]["masking"] == {"text": "Double (Participant, Investigator)", "code": "DOUBLE"}


# --- single behaviours ----------------------------------------------------------------------------

MINIMAL = b"""<clinical_study><id_info><nct_id>NCT09900009</nct_id></id_info>
<brief_title>T</brief_title>%s</clinical_study>"""


def _one(body: bytes) -> Record:
    (record,) = read_normalized(read, MINIMAL % body, "x.xml")
    assert isinstance(record, Record), record
    return record


def test_phase_na_and_combined_phases():
    assert _one(b"<phase>N/A</phase>").phases == ["NA"]
    assert _one(b"<phase>Phase 2/Phase 3</phase>").phases == ["PHASE2", "PHASE3"]
    record = _one(b"<phase>Phase 9</phase>")
    assert record.phases == [] and record.extras["phase"] == "Phase 9"
    assert [w.code for w in record.warnings] == ["unknown-code"]


def test_outcomes_keep_document_order_and_type():
    body = (b"<primary_outcome><measure>A</measure></primary_outcome>"
            b"<secondary_outcome><measure>B</measure><time_frame> </time_frame></secondary_outcome>"
            b"<other_outcome><measure>C</measure><description>  c\n  d </description></other_outcome>")
    record = _one(body)
    assert [(o.type, o.measure, o.description, o.time_frame) for o in record.outcomes] == [
        ("primary", "A", None, None), ("secondary", "B", None, None), ("other", "C", "c d", None)]


def test_unknown_intervention_type_keeps_its_words():
    record = _one(b"<intervention><intervention_type>Herbal</intervention_type>"
                  b"<intervention_name>Tea</intervention_name></intervention>")
    assert record.interventions[0].type is None
    assert record.extras["intervention[1]/intervention_type"] == "Herbal"
    assert record.warnings[0].field == "interventions[0].type"


def test_a_second_single_element_is_kept_not_lost():
    record = _one(b"<acronym>A</acronym><acronym>B</acronym>")
    assert record.acronym == "A" and record.extras["acronym[2]"] == "B"


def test_record_from_xml_refuses_another_root():
    root = etree.fromstring(b"<study><nct_id>NCT1</nct_id></study>")
    with pytest.raises(Exception) as info:
        record_from_xml(root, "x.xml")
    assert info.value.failure.code == "not-clinical-study"
    assert "<study>" in info.value.failure.message and "<clinical_study>" in info.value.failure.message


def test_no_nct_id_gives_a_stable_content_id():
    data = b"<clinical_study><brief_title>T</brief_title></clinical_study>"
    first, second = read_normalized(read, data)[0], read_normalized(read, data)[0]
    assert first.record_id == second.record_id and first.record_id.startswith("xml-")
    assert [w.code for w in first.warnings] == ["no-nct-id"]


def test_parse_through_the_cli_auto_detects_xml(tmp_path):
    from click.testing import CliRunner

    from registry_tool.cli import main

    path = GOLDEN[0]
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["record_id"] == "NCT09900001"


def test_usual_masking_spellings_have_codes():
    from registry_tool.vocabulary import MASKING

    assert MASKING.code("Double Blind") == "DOUBLE"
    assert MASKING.code("Double-Blind") == "DOUBLE"
    assert MASKING.code("Single Blind") == "SINGLE"
    assert MASKING.code("No masking") == "NONE"
    assert MASKING.code("None (Open Label)") == "NONE"


def test_phase_not_applicable_is_one_value():
    from registry_tool.vocabulary import phases_from_registry

    assert phases_from_registry("N/A") == (["NA"], True)
    assert phases_from_registry("Phase 1/Phase 2") == (["PHASE1", "PHASE2"], True)
