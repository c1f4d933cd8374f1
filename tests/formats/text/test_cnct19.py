"""The reference entry (../shared/seeds/cnct19.txt) parses to what curators expect."""

from __future__ import annotations

import pytest

import registry_tool


@pytest.fixture(scope="module")
def cnct19(cnct19_path):
    return registry_tool.parse_file(str(cnct19_path))


def test_fifteen_outcomes(cnct19):
    assert len(cnct19.outcomes) == 15


def test_first_outcome(cnct19):
    first = cnct19.outcomes[0]
    assert first.measure == (
        "Overall Remission Rate (ORR), which includes Complete Remission (CR) and Complete Remission "
        "with Incomplete Blood Count Recovery (CRi) as determined by Independent Review Committee (IRC)"
    )
    assert first.description == "The Investigators' evaluation results of ORR will be subjected to sensitivity analysis."
    assert first.time_frame.text == "3 months"
    assert len(first.time_frame.points) == 1
    point = first.time_frame.points[0]
    assert (point.value, point.unit, point.days) == (3, "month", 91.3125)


def test_description_precedes_its_measure(cnct19):
    assert cnct19.outcomes[1].description == "MRD negative status as determined using flow cytometry."
    assert cnct19.outcomes[1].measure.startswith("Overall Remission Rate (ORR) with minimal residual disease")


def test_third_outcome_is_28_days(cnct19):
    assert cnct19.outcomes[2].time_frame.text == "28 days"
    assert cnct19.outcomes[2].time_frame.max_days == 28


def test_last_outcome(cnct19):
    last = cnct19.outcomes[-1]
    assert last.measure == "Prevalence and incidence of humoral immunogenicity (anti-drug antibodies) to CNCT19"
    assert last.description == "Collected as Immunogenicity data."
    assert last.time_frame.max_days == 730.5


def test_intervention(cnct19):
    assert [(i.name, i.description) for i in cnct19.interventions] == [("single dose of CNCT19", None)]


def test_design(cnct19):
    assert (cnct19.design.allocation.text, cnct19.design.allocation.code) == ("N/A", "NA")
    model = cnct19.design.intervention_model
    assert (model.text, model.code) == ("Single Group Assignment", "SINGLE_GROUP")


def test_criterion_and_variant(cnct19):
    assert cnct19.declared_variant_count == 1
    assert len(cnct19.eligibility.criteria) == 1
    criterion = cnct19.eligibility.criteria[0]
    assert criterion.number == "5"
    assert "---" not in criterion.text
    assert criterion.text.endswith("if the patient has a T315I mutation.")
    marked = [v for v in cnct19.variants if v.marked]
    assert len(marked) == 1 and len(cnct19.variants) == 1
    variant = marked[0]
    assert (variant.text, variant.hgvs, variant.criterion) == ("T315I", "p.Thr315Ile", 0)


def test_phases_from_summary_with_warning(cnct19):
    assert cnct19.phases == ["PHASE2"]
    assert [w.code for w in cnct19.warnings if w.field == "phases"] == ["phases-from-summary"]


def test_nothing_unplaced_and_valid(cnct19):
    assert cnct19.extras == {}
    assert not [w for w in cnct19.warnings if w.code == "unplaced-text"]
    assert registry_tool.validate(cnct19.to_dict()) == []


def test_every_character_is_accounted_for(cnct19, cnct19_path):
    """Every word of the entry is in a field (labels and the time separator aside)."""
    import re

    text = re.sub(r"(Description|Measure|Allocation):", r" \1:", cnct19_path.read_text("utf-8"))
    words = re.findall(r"\w+", text)
    found = " ".join(
        [cnct19.summary or ""]
        + [i.name for i in cnct19.interventions]
        + [f"{o.measure} {o.description or ''} {o.time_frame.text if o.time_frame else ''}" for o in cnct19.outcomes]
        + [cnct19.design.allocation.text, cnct19.design.intervention_model.text]
        + [f"{c.number} {c.text}" for c in cnct19.eligibility.criteria]
        + [v.text for v in cnct19.variants]
    )
    labels = {"Name", "Description", "Measure", "Time", "Allocation", "There", "is", "one", "SNP"}
    missing = [w for w in words if w not in labels and w not in found]
    assert missing == []
