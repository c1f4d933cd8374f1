"""``--to xml``: public-schema documents, the partial form, --set/--strict, round trips, where files go."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner
from lxml import etree

from registry_tool import (
    ExportOptions,
    Record,
    UsageError,
    convert,
    iter_records,
    parse_file,
)
from registry_tool.cli import main
from registry_tool.errors import RecordError
from registry_tool.formats.ctgov_xml.reader import read
from registry_tool.formats.ctgov_xml.writer import (
    XmlSink,
    build_document,
    document_bytes,
    file_name,
)
from tests.support import read_normalized
from tests.support.xml_support import (
    COMPLETING_SET,
    FIXTURES,
    corpus_documents,
    fold,
    imported_corpus,
    partial_schema,
    public_valid_flags,
    xml_schema,
)

# Every element the flattened text cannot give, as the missing-element warnings name them.
TEXT_MISSING = [
    "id_info/nct_id", "brief_title", "sponsors/lead_sponsor", "source", "overall_status", "study_type",
    "intervention[1]/intervention_type", "eligibility/gender", "eligibility/minimum_age", "eligibility/maximum_age",
]


def export(record: Record, set_values: dict | None = None) -> tuple[bytes, list]:
    root, _, warnings = build_document(record, set_values)
    return document_bytes(root), warnings


def reimport(data: bytes) -> Record:
    (record,) = read_normalized(read, data, "exported.xml")
    assert isinstance(record, Record), record
    return record


def same_record(a: Record, b: Record) -> list[str]:
    """The top-level fields that differ (where it came from and the warnings aside)."""
    da, db = a.to_dict(), b.to_dict()
    return [k for k in da if k not in ("source", "warnings") and da[k] != db[k]]


def content(data: bytes) -> list[tuple]:
    """A document's elements in order: path, attributes, text with white space folded (no comments)."""
    root = etree.fromstring(data, etree.XMLParser(remove_comments=True, remove_pis=True))
    tree = root.getroottree()
    return [(tree.getpath(el), dict(el.attrib), fold(el.text)) for el in root.iter()]


# --- the shared corpus -----------------------------------------------------------------------------


def test_public_valid_corpus_records_export_valid_and_round_trip(xml_corpus, public_xsd):
    schema = xml_schema(str(public_xsd))
    flags = public_valid_flags(str(public_xsd))
    assert sum(flags) >= 1400  # 1,450 of 1,719 corpus records are valid against public.xsd as they are
    problems = []
    for (path, original), record, valid in zip(corpus_documents(), imported_corpus(), flags):
        if not valid:
            continue
        data, warnings = export(record)
        if not schema.validate(etree.fromstring(data)):
            problems.append(f"{path}: invalid: {schema.error_log.last_error}")
        if warnings:
            problems.append(f"{path}: warnings {[w.code for w in warnings]}")
        if b"<?registry-tool" in data:
            problems.append(f"{path}: needed a note")
        if diff := same_record(record, reimport(data)):
            problems.append(f"{path}: round trip changed {diff}")
        if content(data) != content(original):
            problems.append(f"{path}: elements, attributes or text differ from the original")
    assert problems == []


def test_every_corpus_record_round_trips(xml_corpus):
    """Records the public schema refuses (retired elements, 'Phase 0', '0 Years', ...) round-trip too:
    what the schema has no place for travels in the note."""
    problems = []
    for (path, _), record in zip(corpus_documents(), imported_corpus()):
        data, _ = export(record)
        if diff := same_record(record, reimport(data)):
            problems.append(f"{path}: {diff}")
        if not partial_schema().validate(etree.fromstring(data)):
            problems.append(f"{path}: invalid against the partial schema: {partial_schema().error_log.last_error}")
    assert problems == []


# --- golden documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("0*.xml")), ids=lambda p: p.stem)
def test_golden_documents_round_trip(path):
    (record,) = read_normalized(read, path.read_bytes(), str(path))
    data, warnings = export(record)
    back = reimport(data)
    assert same_record(record, back) == []
    assert partial_schema().validate(etree.fromstring(data)), partial_schema().error_log


def test_complete_golden_document_comes_back_as_written(public_xsd):
    path = FIXTURES / "01_complete_interventional.xml"
    (record,) = read_normalized(read, path.read_bytes(), str(path))
    data, warnings = export(record)
    assert warnings == []
    assert content(data) == content(path.read_bytes())
    assert xml_schema(str(public_xsd)).validate(etree.fromstring(data))


def _without_note(text: str) -> str:
    return re.sub(r"<\?registry-tool .*?\?>\n", "", text)


def test_golden_export_of_a_text_like_record():
    """A record as flattened text gives it (no ids, sponsor, status; outcomes without a type) exports
    to the document in the golden file, then with --set to the completed one. (The note's content
    depends on the shared normalisers, so it is checked by the round trip, not byte for byte.)"""
    record = Record.from_dict(json.loads((FIXTURES / "10_text_like_record.json").read_text("utf-8")))
    for set_values, golden in ((None, "10_text_like_record.xml"), (COMPLETING_SET, "10_text_like_record_set.xml")):
        data, _ = export(record, set_values)
        assert _without_note(data.decode("utf-8")) == _without_note((FIXTURES / golden).read_text("utf-8"))
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<?registry-tool {"version":1,')
        back = reimport(data)
        assert [o.type for o in back.outcomes] == [None, None]
        assert back.declared_variant_count == 1 and back.variants[0].marked
        assert back.extras == {"line 9": "a line that fitted no field"}


# --- the partial form: a record from flattened text ------------------------------------------------


@pytest.fixture
def cnct19(cnct19_path) -> Record:
    return parse_file(str(cnct19_path))


def test_text_record_exports_partial_with_one_warning_per_missing_element(cnct19, public_xsd):
    data, warnings = export(cnct19)
    missing = [w for w in warnings if w.code == "xml-missing-element"]
    assert [w.field for w in missing] == TEXT_MISSING
    assert all("--set " in w.message for w in missing)
    doc = etree.fromstring(data)
    assert partial_schema().validate(doc), partial_schema().error_log
    assert not xml_schema(str(public_xsd)).validate(doc)
    codes = {w.code for w in warnings}
    assert "outcome-type-unknown" in codes and "xml-note" in codes
    assert len(doc.findall("other_outcome")) == len(cnct19.outcomes)


def test_text_record_with_set_values_is_publicly_valid(cnct19, public_xsd):
    data, warnings = export(cnct19, COMPLETING_SET)
    assert not [w for w in warnings if w.code == "xml-missing-element"]
    doc = etree.fromstring(data)
    assert xml_schema(str(public_xsd)).validate(doc), xml_schema(str(public_xsd)).error_log
    assert doc.findtext("id_info/nct_id") == "NCT09912345"
    assert doc.findtext("intervention/intervention_type") == "Biological"
    assert doc.findtext("phase") == "Phase 2"
    back = reimport(data)
    assert back.record_id == "NCT09912345" and back.registry_ids == ["NCT09912345"]
    assert back.overall_status.code == "RECRUITING" and back.eligibility.gender.code == "ALL"


def test_text_record_round_trips_through_the_note(cnct19):
    data, _ = export(cnct19)
    back = reimport(data)
    assert same_record(cnct19, back) == []
    assert [o.type for o in back.outcomes] == [None] * len(cnct19.outcomes)
    assert back.record_id == cnct19.record_id and back.declared_variant_count == 1
    assert [w.code for w in back.warnings if w.code.startswith("note")] == []


def test_an_edited_document_is_read_for_what_it_says(cnct19):
    data, _ = export(cnct19)
    edited = data.replace(b"<measure>Concentration of ferritin in Serum</measure>",
                          b"<measure>Serum ferritin</measure>")
    back = reimport(edited)
    assert "note-outdated" in [w.code for w in back.warnings]
    assert "Serum ferritin" in [o.measure for o in back.outcomes]
    assert {o.type for o in back.outcomes} == {"other"}


def test_set_never_replaces_a_value_the_record_has():
    path = FIXTURES / "01_complete_interventional.xml"
    (record,) = read_normalized(read, path.read_bytes(), str(path))
    data, _ = export(record, {"source": "Someone Else", "overall_status": "Completed"})
    doc = etree.fromstring(data)
    assert doc.findtext("source") == "Example University Hospital"
    assert doc.findtext("overall_status") == "Recruiting"


# --- the command line ------------------------------------------------------------------------------


def _set_args(values: dict) -> list[str]:
    return [arg for name, value in values.items() for arg in ("--set", f"{name}={value}")]


def test_cli_strict_refuses_a_partial_record(cnct19_path, tmp_path):
    out = tmp_path / "out.xml"
    result = CliRunner().invoke(main, ["export", str(cnct19_path), "--to", "xml", "--strict", "-o", str(out)])
    assert result.exit_code == 1
    assert "<id_info/nct_id>" in result.stderr and "<eligibility/maximum_age>" in result.stderr
    assert not out.exists() and os.listdir(tmp_path) == []


def test_cli_strict_passes_with_set_values(cnct19_path, tmp_path, public_xsd):
    out = tmp_path / "out.xml"
    args = ["export", str(cnct19_path), "--to", "xml", "--strict", "-o", str(out), *_set_args(COMPLETING_SET)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert xml_schema(str(public_xsd)).validate(etree.parse(str(out)))


def test_cli_unknown_set_name_lists_the_known_ones(cnct19_path):
    result = CliRunner().invoke(main, ["export", str(cnct19_path), "--to", "xml", "--set", "sponsor=X"])
    assert result.exit_code == 2
    for name in COMPLETING_SET:
        assert name in result.stderr


@pytest.mark.parametrize("item", ["overall_status=Ongoing", "minimum_age=18", "gender=Men", "nct_id=12345",
                                  "study_type=Clinical", "intervention_type=Herbal", "brief_title= "])
def test_cli_value_the_schema_refuses_is_a_usage_error(cnct19_path, item):
    result = CliRunner().invoke(main, ["export", str(cnct19_path), "--to", "xml", "--set", item])
    assert result.exit_code == 2
    assert "expected" in result.stderr and item.split("=")[0] in result.stderr


def test_set_values_are_written_in_the_registry_spelling(cnct19):
    from registry_tool.formats.ctgov_xml.writer import check_set_values

    spelled = check_set_values({"study_type": "interventional", "gender": "ALL", "overall_status": "active not recruiting"})
    assert spelled == {"study_type": "Interventional", "gender": "All", "overall_status": "Active, not recruiting"}
    data, _ = export(cnct19, {**COMPLETING_SET, **spelled})
    assert etree.fromstring(data).findtext("overall_status") == "Active, not recruiting"


def test_one_record_goes_to_stdout_or_a_file(tmp_path):
    src = str(FIXTURES / "01_complete_interventional.xml")
    result = CliRunner().invoke(main, ["export", src, "--to", "xml"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<clinical_study rank="7">')
    out = tmp_path / "one.xml"
    assert CliRunner().invoke(main, ["export", src, "--to", "xml", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == result.stdout_bytes


def test_several_records_make_a_folder(tmp_path):
    inputs = [str(p) for p in sorted(FIXTURES.glob("0*.xml"))]
    out = tmp_path / "docs"
    result = CliRunner().invoke(main, ["export", *inputs, "--to", "xml", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    records = [r for r in iter_records(inputs)]
    assert sorted(os.listdir(out)) == sorted(file_name(r.record_id) for r in records)
    for record in records:
        assert same_record(record, reimport((out / file_name(record.record_id)).read_bytes())) == []
    assert sorted(os.listdir(tmp_path)) == ["docs"]  # no temporary folder left beside it


@pytest.mark.parametrize("target", [None, "many.xml"])
def test_several_records_need_a_folder(tmp_path, target):
    inputs = [str(p) for p in sorted(FIXTURES.glob("0*.xml"))]
    args = ["export", *inputs, "--to", "xml"] + (["-o", str(tmp_path / target)] if target else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "-o DIR" in result.stderr
    assert result.stdout == "" and os.listdir(tmp_path) == []


def test_an_existing_folder_is_replaced_only_when_it_is_an_earlier_export(tmp_path):
    src = str(FIXTURES / "01_complete_interventional.xml")
    out = tmp_path / "docs"
    out.mkdir()
    (out / "old.xml").write_text("<old/>")
    assert CliRunner().invoke(main, ["export", src, "--to", "xml", "-o", str(out)]).exit_code == 0
    assert os.listdir(out) == ["NCT09900001.xml"]  # an existing folder gets one file for one record
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["export", src, "--to", "xml", "-o", str(out)])
    assert result.exit_code == 2 and "refusing" in result.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_duplicate_record_ids_keep_the_first(tmp_path):
    src = FIXTURES / "01_complete_interventional.xml"
    copy = tmp_path / "copy.xml"
    copy.write_bytes(src.read_bytes().replace(b"Drug X Plus", b"Drug X Or"))
    out = tmp_path / "docs"
    result = CliRunner().invoke(main, ["export", str(src), str(copy), "--to", "xml", "-o", str(out)])
    assert result.exit_code == 1
    assert f"record id NCT09900001 is in both {src} and {copy}; the first was written" in result.stderr
    assert b"Drug X Plus" in (out / "NCT09900001.xml").read_bytes()


def test_an_interrupted_export_leaves_nothing(tmp_path):
    inputs = [str(p) for p in sorted(FIXTURES.glob("0*.xml"))]
    out = tmp_path / "docs"

    def interrupted():
        for i, result in enumerate(iter_records(inputs)):
            if i == 2:
                raise KeyboardInterrupt
            yield result

    with pytest.raises(KeyboardInterrupt):
        convert(interrupted(), "xml", str(out), ExportOptions())
    assert os.listdir(tmp_path) == []


def test_exporter_rejects_bad_set_values_up_front():
    with pytest.raises(UsageError):
        XmlSink(None, ExportOptions(set_values={"phase": "Phase 2"}))


def test_strict_is_a_record_error_naming_each_element(cnct19):
    exporter = XmlSink(None, ExportOptions(strict=True)).encoder
    with pytest.raises(RecordError) as info:
        exporter.prepare(cnct19)
    for path in TEXT_MISSING:
        assert f"<{path}>" in info.value.failure.message
    assert info.value.failure.code == "xml-missing-element"


def test_file_names_are_safe():
    assert file_name("NCT01234567") == "NCT01234567.xml"
    assert file_name("../etc/passwd") == "_etc_passwd.xml"
    assert file_name("a b/c") == "a_b_c.xml"


def test_api_v2_style_values_get_registry_wording():
    """Enumerated elements get the registry's words for the record's code; free-text design fields
    keep the record's own text; ISO dates become registry dates; the note keeps the exact values."""
    path = FIXTURES / "01_complete_interventional.xml"
    (record,) = read_normalized(read, path.read_bytes(), str(path))
    d = record.to_dict()
    d["study_type"] = {"text": "INTERVENTIONAL", "code": "INTERVENTIONAL"}
    d["design"]["allocation"] = {"text": "RANDOMIZED", "code": "RANDOMIZED"}
    d["dates"]["start_date"], d["date_types"]["start_date"] = "2024-01-15", "ACTUAL"
    d["sponsors"]["collaborators"][0]["agency_class"] = "INDUSTRY"
    record = Record.from_dict(d)
    data, warnings = export(record)
    doc = etree.fromstring(data)
    assert doc.findtext("study_type") == "Interventional"
    assert doc.findtext("study_design_info/allocation") == "RANDOMIZED"
    assert doc.find("start_date").text == "January 15, 2024" and doc.find("start_date").get("type") == "Actual"
    assert doc.findtext("sponsors/collaborator/agency_class") == "Industry"
    assert same_record(record, reimport(data)) == []
    assert [w.code for w in warnings] == ["xml-note"]


def test_characters_xml_cannot_hold_are_replaced_and_kept_in_the_note():
    record = Record.from_dict({**json.loads((FIXTURES / "10_text_like_record.json").read_text("utf-8")),
                               "title": "Drug Z\x0b in CML", "summary": "line\x0cbreak ?> end"})
    data, warnings = export(record)
    doc = etree.fromstring(data)
    assert doc.findtext("brief_title") == "Drug Z\ufffd in CML"
    back = reimport(data)
    assert back.title == "Drug Z\x0b in CML" and back.summary == "line\x0cbreak ?> end"
    assert same_record(record, back) == []


def test_api_v2_corpus_records_export_and_round_trip(json_corpus):
    """Records from the API v2 importer: every one exports valid against the partial schema (the
    public one wants what API v2 may not state: source, a maximum age of N/A) and comes back the same."""
    problems = []
    for result in iter_records([str(p) for p in json_corpus]):
        assert isinstance(result, Record), result
        data, _ = export(result)
        if not partial_schema().validate(etree.fromstring(data)):
            problems.append(f"{result.record_id}: {partial_schema().error_log.last_error}")
        if diff := same_record(result, reimport(data)):
            problems.append(f"{result.record_id}: round trip changed {diff}")
    assert problems == []


@pytest.mark.parametrize("note", [b"not json", b'{"version": 9, "values": []}',
                                  b'{"version": 1, "sha256": "%s", "values": [[["source"], {}]]}'])
def test_a_broken_note_is_ignored_with_a_warning(note):
    path = FIXTURES / "01_complete_interventional.xml"
    original = path.read_bytes()
    root = etree.fromstring(original, etree.XMLParser(remove_blank_text=True, remove_comments=True))
    from registry_tool.formats.ctgov_xml.note import document_digest

    if b"%s" in note:
        note = note % document_digest(root).encode()
    data = original.replace(b"<clinical_study", b"<?registry-tool " + note + b"?>\n<clinical_study", 1)
    record = reimport(data)
    assert "note-unreadable" in [w.code for w in record.warnings]
    (plain,) = read_normalized(read, original, "exported.xml")
    assert same_record(plain, record) == []
