"""The API v2 JSON importer: golden fixtures, the whole shared corpus, nothing lost.

``tests/fixtures/ctgov_json/NAME.json`` (or ``.jsonl``) is a team-written
input; ``NAME.expected.json`` lists what each of its records or failures must
be: a subset of the canonical record (tests/golden.py) or of the failure.
Outcome time frames are checked by their text and criteria by kind, number
and text only: what the shared normalisers derive from them is theirs to test.
"""

from __future__ import annotations

import json
import re

import pytest

import registry_tool
from registry_tool.commands import iter_records
from registry_tool.errors import Failure, RecordError
from registry_tool.formats.ctgov_json.reader import record_from_study
from registry_tool.normalize import normalize
from registry_tool.processing import check_record
from registry_tool.textclean import clean, unescape_markdown
from tests.support import FIXTURES
from tests.support.golden import check_reader_golden

FIXTURES = FIXTURES / "ctgov_json"
CASES = sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))
# Warnings this importer gives; the shared normalisers may add their own.
IMPORTER_CODES = {"unknown-code", "nct-id-format", "missing-value", "sponsor-without-name"}


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def _study(**modules) -> dict:
    return {"protocolSection": {"identificationModule": {"nctId": "NCT09990099", "briefTitle": "T"}, **modules}}


def test_fixtures_cover_each_shape_of_document():
    assert {"one_study.json", "list.json", "search_page.json", "studies.jsonl", "unknown_enums.json"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected = json.loads((FIXTURES / (name.rsplit(".", 1)[0] + ".expected.json")).read_text("utf-8"))
    results = list(iter_records([str(FIXTURES / name)], "ctgov-json"))
    for data in check_reader_golden(expected, results, str(FIXTURES / name), IMPORTER_CODES):
        assert data["source"] == {"format": "ctgov-json", "path": str(FIXTURES / name), "registry": None}


def test_auto_detection_reads_api_v2_json():
    results = list(registry_tool.iter_records([str(FIXTURES / "search_page.json")]))
    assert [r.record_id for r in results] == ["NCT09990005", "NCT09990006", "NCT09990007"]
    assert all(r.source.format == "ctgov-json" for r in results)


def test_markdown_escapes_are_dropped_from_text_but_kept_in_the_criteria_block():
    record = registry_tool.parse_file(str(FIXTURES / "one_study.json"))
    assert record.title == "Imatinib <400 mg> Versus Nilotinib in CML [Phase 3]"
    assert record.summary.endswith("10^9/L & above *not* bold.")
    assert record.outcomes[0].description == "BCR-ABL1 <= 0.1% on the international scale."
    assert [c.text for c in record.eligibility.criteria] == [
        "Age >= 18 years",
        "BCR-ABL1 T315I mutation",
        "Prior nilotinib",
        "QTc > 450 ms",
    ]
    (block,) = record.eligibility.criteria_blocks  # the Markdown as given, which the items are split from
    assert block.markup == "markdown"
    assert block.text == _load("one_study.json")["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert "protocolSection.eligibilityModule.eligibilityCriteria" not in record.extras


def test_an_escaped_bullet_is_text_not_a_new_criterion():
    criteria = "Inclusion Criteria:\n\n* Adults\n\\* footnote: see 1\\. above"
    study = _study(eligibilityModule={"eligibilityCriteria": criteria})
    record = normalize(record_from_study(study, None))
    assert [c.text for c in record.eligibility.criteria][-1].startswith("* footnote: see 1. above")


def test_a_partly_read_module_keeps_the_rest_under_its_path():
    record = registry_tool.parse_file(str(FIXTURES / "one_study.json"))
    assert record.extras["protocolSection.identificationModule.secondaryIdInfos"] == [
        {"type": "EUDRACT_NUMBER"},
        {"type": "OTHER", "domain": "WHO UTN"},
    ]
    assert record.extras["protocolSection.designModule.designInfo.maskingInfo.whoMasked"] == [
        "PARTICIPANT",
        "OUTCOMES_ASSESSOR",
    ]
    assert record.extras["hasResults"] is False
    assert "protocolSection.identificationModule.nctId" not in record.extras


def test_an_item_without_its_name_stays_whole_in_extras_with_a_warning():
    study = _study(
        armsInterventionsModule={
            "interventions": [{"type": "DRUG", "description": "no name given"}, {"type": "DRUG", "name": "Aspirin"}]
        },
        outcomesModule={"primaryOutcomes": [{"timeFrame": "1 year", "description": "measure missing"}]},
    )
    record = record_from_study(study, None)
    assert [i.name for i in record.interventions] == ["Aspirin"]
    assert record.outcomes == []
    assert record.extras["protocolSection.armsInterventionsModule.interventions"] == [
        {"type": "DRUG", "description": "no name given"},
        {},
    ]
    assert record.extras["protocolSection.outcomesModule"] == {
        "primaryOutcomes": [{"timeFrame": "1 year", "description": "measure missing"}]
    }
    assert [w.code for w in record.warnings] == ["missing-value", "missing-value"]


def test_a_malformed_nct_id_is_kept_with_a_warning():
    study = _study()
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT123"
    record = record_from_study(study, None)
    assert record.record_id == "NCT123"
    assert [w.code for w in record.warnings] == ["nct-id-format"]


@pytest.mark.parametrize(
    "study, json_path",
    [
        ([], "$"),
        ({"protocolSection": "x"}, "$.protocolSection"),
        ({"protocolSection": {"identificationModule": []}}, "$.protocolSection.identificationModule"),
        ({"protocolSection": {"identificationModule": {"nctId": " "}}}, "$.protocolSection.identificationModule.nctId"),
        (
            _study(eligibilityModule={"healthyVolunteers": "Yes"}),
            "$.protocolSection.eligibilityModule.healthyVolunteers",
        ),
        (_study(designModule={"phases": "PHASE2"}), "$.protocolSection.designModule.phases"),
    ],
)
def test_a_study_that_cannot_be_read_names_the_json_path(study, json_path):
    with pytest.raises(RecordError) as caught:
        record_from_study(study, "x.json")
    assert caught.value.failure.json_path == json_path
    assert "expected" in caught.value.failure.message


# --- the shared corpus -------------------------------------------------------------------


def test_every_corpus_study_imports_and_validates(json_corpus):
    for path in json_corpus:
        results = list(iter_records([str(path)], "auto"))
        assert len(results) == 1, path
        record = results[0]
        assert not isinstance(record, Failure), record.describe()
        assert record.record_id == path.stem
        assert record.registry_ids[0] == path.stem
        assert record.title
        data, failure = check_record(record)
        assert failure is None, failure.describe()


def test_corpus_text_has_no_markdown_escapes_left(json_corpus):
    escaped = re.compile(r"\\[!-/:-@\[-`{-~]")
    for path in json_corpus:
        data = registry_tool.parse_file(str(path)).to_dict()
        data.pop("extras")
        data["eligibility"].pop("criteria_blocks")  # the Markdown as given
        for text in _strings(data):
            assert not escaped.search(text), (path.name, text)


def test_corpus_nothing_is_lost(json_corpus):
    """Every string and number of a study is in a field (as canonical text) or in extras (as given)."""
    for path in json_corpus:
        study = json.loads(path.read_text("utf-8"))
        data = registry_tool.parse_file(str(path)).to_dict()
        extras = data.pop("extras")
        found = {clean(s) for s in _strings(data)} | set(_numbers(data))
        for json_path, value in _leaves(study, "$"):
            if _under_extras(json_path, extras):
                continue
            if isinstance(value, bool):
                continue  # healthyVolunteers: checked by the golden tests
            want = clean(unescape_markdown(value)) if isinstance(value, str) else value
            if want is None:
                continue
            # a results count given as text ("numSubjects": "12") is a whole number in its field
            as_count = isinstance(value, str) and value.isascii() and value.isdigit() and int(value) in found
            assert want in found or as_count or json_path.endswith(".eligibilityCriteria"), (path.name, json_path, value)


def test_corpus_enum_values_all_have_codes(json_corpus):
    for path in json_corpus:
        record = registry_tool.parse_file(str(path))
        assert [w for w in record.warnings if w.code == "unknown-enum"] == [], path.name


def test_same_study_from_legacy_xml_and_api_v2_json_agrees(json_corpus, xml_corpus):
    """Where the corpus has a study in both forms, the fields both sources state agree.

    The two files are different versions of the record (years apart), so only
    fields that did not change between them are compared.
    """
    pytest.importorskip("registry_tool.formats.ctgov_xml.reader")
    xml_by_id = {p.stem: p for p in xml_corpus}
    pairs = [(p, xml_by_id[p.stem]) for p in json_corpus if p.stem in xml_by_id]
    assert pairs
    for json_path, xml_path in pairs:
        from_json = registry_tool.parse_file(str(json_path))
        from_xml = registry_tool.parse_file(str(xml_path))
        for name, get in STABLE_FIELDS.items():
            value = get(from_json)
            if value in (None, [], ""):
                continue  # the JSON version does not state it
            assert _agrees(value, get(from_xml)), (json_path.stem, name, value, get(from_xml))


def _agrees(stated, other) -> bool:
    """``stated`` (from a possibly sparse API v2 projection) agrees with ``other``.

    What the JSON leaves out (None, [] inside an item) is not compared; a list
    of ids the JSON gives in part must appear in the same order in the other.
    """
    if isinstance(stated, tuple):
        return len(stated) == len(other) and all(s in (None, []) or _agrees(s, o) for s, o in zip(stated, other))
    if isinstance(stated, list) and stated and isinstance(stated[0], tuple):
        return len(stated) == len(other) and all(_agrees(s, o) for s, o in zip(stated, other))
    if isinstance(stated, list) and isinstance(other, list) and len(stated) < len(other):
        found = iter(other)
        return all(any(item == o for o in found) for item in stated)
    return stated == other


STABLE_FIELDS = {
    "record_id": lambda r: r.record_id,
    "registry_ids": lambda r: r.registry_ids,  # a sparse projection may give only the NCT id
    "title": lambda r: r.title,
    "official_title": lambda r: r.official_title,
    "acronym": lambda r: r.acronym,
    "source_organization": lambda r: r.source_organization,
    "phases": lambda r: r.phases,
    "study_type": lambda r: r.study_type and r.study_type.code,
    "overall_status": lambda r: r.overall_status and r.overall_status.code,
    "allocation": lambda r: r.design.allocation and r.design.allocation.code,
    "intervention_model": lambda r: r.design.intervention_model and r.design.intervention_model.code,
    "masking": lambda r: r.design.masking and r.design.masking.code,
    "primary_purpose": lambda r: r.design.primary_purpose and r.design.primary_purpose.code,
    "conditions": lambda r: r.conditions,
    "keywords": lambda r: r.keywords,
    "enrollment": lambda r: r.enrollment and r.enrollment.count,
    "lead_sponsor": lambda r: r.sponsors.lead and r.sponsors.lead.agency,
    "collaborators": lambda r: [c.agency for c in r.sponsors.collaborators],
    "arm_groups": lambda r: [(a.label, a.description) for a in r.arm_groups],
    "interventions": lambda r: [(i.name, i.type, i.arm_group_labels) for i in r.interventions],
    "summary": lambda r: r.summary,
    "gender": lambda r: r.eligibility.gender and r.eligibility.gender.code,
    "minimum_age": lambda r: r.eligibility.minimum_age,
    "healthy_volunteers": lambda r: r.eligibility.healthy_volunteers,
}


# --- helpers ---------------------------------------------------------------------------


def _strings(value):
    return (v for _, v in _leaves(value, "$") if isinstance(v, str))


def _numbers(value):
    return (v for _, v in _leaves(value, "$") if isinstance(v, (int, float)) and not isinstance(v, bool))


def _leaves(value, path):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    elif value is not None:
        yield path, value


def _under_extras(json_path: str, extras: dict) -> bool:
    """True when ``json_path`` lies in a value kept in extras (a list kept partly counts as kept)."""
    dotted = json_path[2:]
    for key in extras:
        if dotted == key or dotted.startswith(key + ".") or dotted.startswith(key + "["):
            return _in_residual(dotted[len(key):], extras[key])
    return False


def _in_residual(rest: str, value) -> bool:
    for part in re.findall(r"\[(\d+)\]|\.([^.\[]+)", rest):
        index, key = part
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return False
            value = value[int(index)]
        else:
            if not isinstance(value, dict) or key not in value:
                return False
            value = value[key]
    return True
