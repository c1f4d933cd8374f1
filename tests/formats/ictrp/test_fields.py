"""The helpers that split and code one ICTRP column: properties (hypothesis) and the shapes of each."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry_tool.formats.ictrp import fields
from registry_tool.formats.ictrp.design import read_design
from registry_tool.formats.ictrp.items import split_interventions, split_outcomes
from registry_tool.textclean import fold_ws

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
labels = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs")), min_size=1, max_size=20).filter(
    lambda s: s.strip() and not s.strip().isdigit())


@given(dates, st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%Y%m%d", "%B %d, %Y", "%d %B %Y", "%b %d, %Y"]))
def test_every_written_form_of_a_date_gives_its_iso_form(day, form):
    assert fields.iso_date(day.strftime(form)) == day.isoformat()


@given(dates)
def test_a_month_gives_a_month(day):
    assert fields.iso_date(day.strftime("%B %Y")) == day.strftime("%Y-%m")


def test_what_is_no_date_gives_none():
    assert [fields.iso_date(t) for t in ("31/02/2020", "2020-13-01", "soon", "", "3/18/2020")] == [None] * 5


@given(st.lists(st.tuples(labels, st.integers(0, 100000)), min_size=1, max_size=8,
                unique_by=lambda g: fields.label_key(g[0])), st.booleans())
def test_target_size_is_the_sum_of_its_groups(groups, trailing):
    groups = [(fold_ws(label), n) for label, n in groups]
    if len({fields.label_key(g[0]) for g in groups}) < len(groups):
        return  # two labels that differ only in spacing are one group
    text = ";".join(f"{label}:{n}" for label, n in groups) + (";" if trailing else "")
    count, found, problem = fields.target_size(text)
    assert problem is None and count == sum(n for _, n in groups) and found == groups


def test_target_size_that_does_not_add_up_has_no_count():
    assert fields.target_size("500") == (500, [], None)
    assert fields.target_size("1,200") == (1200, [], None)
    count, groups, problem = fields.target_size("Cases VS controls; Severe group:40;")
    assert count is None and groups == [("Cases VS controls", None), ("Severe group", 40)] and "no count" in problem
    count, _, problem = fields.target_size("control group:30;Control group:30;")
    assert count is None and "twice" in problem


@given(st.text(max_size=200))
def test_markup_decoding_never_fails_and_keeps_plain_text(text):
    decoded = fields.decode_markup(text)
    if not any(c in text for c in "&<\r\xa0"):
        assert decoded == text


@pytest.mark.parametrize("raw, decoded", [
    ("a&lt;br&gt;b", "a\nb"), ("a\r<br>b", "a\nb"), ("a\n<br>b", "a\nb"), ("a<br />b<br/>c", "a\nb\nc"),
    ("x&#32;y", "x y"), ("5&amp;nbsp;mg", "5 mg"), ("<p>one</p>", "\none\n"), ("AT&amp;T", "AT&T"),
])
def test_html_remnants_become_line_breaks_and_characters(raw, decoded):
    assert fields.decode_markup(raw) == decoded


@given(st.integers(0, 120), st.sampled_from(["", " Years", " years", " Year", "(Year)", "age old", "years-old"]))
def test_ages_in_years(n, unit):
    assert fields.age_years(f"{n}{unit}") == (n, True)


@pytest.mark.parametrize("text, years", [
    ("6 Months", 0.5), (">= 18age old", 18), ("<= 90age old", 90), ("2 Weeks", round(14 / 365.25, 6)),
    ("N/A", None), ("-", None), ("None", None), ("Not applicable", None), ("no limit", None), ("", None),
])
def test_age_shapes(text, years):
    assert fields.age_years(text) == (years, True)


@pytest.mark.parametrize("text, years", [
    ("18.00 Year(s)", 18), ("6.00 Month(s)", 0.5), ("18Y", 18), ("6M", 0.5), ("0D", 0), ("60(Year)", 60),
])
def test_age_shapes_of_ctri_rebec_cris(text, years):
    assert fields.age_years(text) == (years, True)


def test_dates_with_a_time_of_day_and_ctri_target_size():
    assert fields.iso_date("2020-02-15 00:00:00") == fields.iso_date("15/02/2020 10:30") == "2020-02-15"
    text = 'Total Sample Size="60" Sample Size from India="40" Final Enrollment numbers achieved (Total)= "n/a"'
    assert fields.target_size(text) == (60, [], None) and fields.target_size_says_more(text)
    assert not fields.target_size_says_more("experimental group:10;")


def test_an_age_not_understood_says_so():
    assert fields.age_years("??") == (None, False)
    assert fields.age_years("adults") == (None, False)


@given(st.sets(st.sampled_from([1, 2, 3, 4]), min_size=1, max_size=2),
       st.sampled_from(["Phase {}", "Phase{}", "{}"]), st.sampled_from(["/", "-", " and "]))
def test_phases_joined_in_any_style(numbers, form, sep):
    numbers = sorted(numbers)
    text = sep.join(form.format(n) for n in numbers)
    assert fields.phase_codes(text) == ([f"PHASE{n}" for n in numbers], None)


@pytest.mark.parametrize("text, codes, problem", [
    ("Phase I/II", ["PHASE1", "PHASE2"], None), ("Phase III", ["PHASE3"], None), ("N/A", ["NA"], None),
    ("Retrospective study", ["NA"], None), ("Early Phase 1", ["EARLY_PHASE1"], None), ("0", [], "ambiguous"),
    ("Therapeutic exploratory (Phase II): yes\nTherapeutic confirmatory - (Phase III): no", ["PHASE2"], None),
    ("Phase X", [], "unknown"),
])
def test_phase_shapes(text, codes, problem):
    assert fields.phase_codes(text) == (codes, problem)


@pytest.mark.parametrize("text, code", [
    ("Both", "ALL"), ("All", "ALL"), ("Male", "MALE"), ("Both, male and female", "ALL"),
    ("<br>Female: yes<br>Male: yes<br>", "ALL"), ("Female: no Male: yes", "MALE"), ("Unknown", None),
])
def test_sex_codes(text, code):
    assert fields.gender_code(fields.decode_markup(text)) == code


def _codes(text, study_type="INTERVENTIONAL"):
    reading = read_design(fields.decode_markup(text), study_type)
    d = reading.design
    return ({k: getattr(d, k).code for k in ("allocation", "intervention_model", "masking", "primary_purpose")
             if getattr(d, k) is not None}, [code for code, _ in reading.warnings], reading.complete)


def test_design_in_both_styles():
    assert _codes("Allocation: Randomized. Intervention model: Parallel Assignment. Primary purpose: Treatment. "
                  "Masking: Double (Participant, Investigator).") == (
        {"allocation": "RANDOMIZED", "intervention_model": "PARALLEL", "masking": "DOUBLE",
         "primary_purpose": "TREATMENT"}, [], True)
    assert _codes("Parallel") == ({"intervention_model": "PARALLEL"}, [], True)
    assert _codes("Single arm") == ({"intervention_model": "SINGLE_GROUP"}, [], True)
    assert _codes("Non randomized control") == ({"allocation": "NON_RANDOMIZED"}, [], True)
    assert _codes("Cohort study", "OBSERVATIONAL") == ({}, [], False)


def test_ambiguous_design_words_get_no_code_and_a_warning():
    assert _codes("Sequential", "OBSERVATIONAL") == ({"intervention_model": None}, ["ambiguous-value"], True)
    assert _codes("Sequential") == ({"intervention_model": "SEQUENTIAL"}, [], True)
    assert _codes("Controlled: no\nRandomised: no\nOpen: yes")[0:2] == (
        {"allocation": None, "masking": "NONE"}, ["ambiguous-value"])
    assert _codes("Randomized: No, Masking: None")[0:2] == ({"allocation": None, "masking": "NONE"},
                                                            ["ambiguous-value"])
    assert _codes("Allocation: Randomized. Intervention model: Others.")[0:2] == (
        {"allocation": "RANDOMIZED", "intervention_model": None}, ["unknown-code"])


def test_interventions_split_only_between_entries():
    found = split_interventions("Drug: A;Drug: B, 200 mg;Other: standard care", [])
    assert [(i.name, i.type) for i in found.items] == [("A", "DRUG"), ("B, 200 mg", "DRUG"), ("standard care", "OTHER")]
    found = split_interventions("experimental group:drug X 5 mg; oral; daily;control group:placebo;",
                                ["experimental group", "control group"])
    assert [(i.name, i.arm_group_labels) for i in found.items] == [
        ("drug X 5 mg; oral; daily", ["experimental group"]), ("placebo", ["control group"])]
    found = split_interventions("Case series:Nil;", ["Case series"])
    assert found.items == [] and found.placeholders == ["Case series:Nil"]
    assert [i.name for i in split_interventions("aspirin; 100 mg daily", []).items] == ["aspirin; 100 mg daily"]
    found = split_interventions("Intervention 1: Control group: standard care. Intervention 2: Drug group: "
                                "drug Z, 200 mg daily. Company: Example", [])
    assert [i.name for i in found.items] == ["Intervention 1: Control group: standard care.",
                                             "Intervention 2: Drug group: drug Z, 200 mg daily. Company: Example"]
    found = split_interventions("Intervention1: yoga<br>Control Intervention1: usual care".replace("<br>", "\n"), [])
    assert [i.name for i in found.items] == ["Intervention1: yoga", "Control Intervention1: usual care"]
    found = split_interventions("Intervention 1: mild cases Intervention 2: severe cases", [])
    assert [i.name for i in found.items] == ["Intervention 1: mild cases", "Intervention 2: severe cases"]
    found = split_interventions("Early drug X arm: from day 1\nLate drug X arm: from day 6", [])
    assert [i.name for i in found.items] == ["Early drug X arm: from day 1", "Late drug X arm: from day 6"]
    found = split_interventions("Radiation : tracer X\nvolume: 5 ml\nnumber: 1", [])  # no numbered family
    assert [(i.name, i.type) for i in found.items] == [("tracer X volume: 5 ml number: 1", "RADIATION")]
    found = split_interventions("试验组:中药颗粒;对照组:安慰剂;", ["试验组", "对照组"])  # labels in any script
    assert [(i.name, i.arm_group_labels) for i in found.items] == [("中药颗粒", ["试验组"]), ("安慰剂", ["对照组"])]


def test_outcomes_split_with_their_time_frames():
    found = split_outcomes("Mortality;Time frame: 28 days;Length of stay", "primary")
    assert [(o.measure, o.time_frame and o.time_frame.text) for o in found.items] == [
        ("Mortality", "28 days"), ("Length of stay", None)]
    found = split_outcomes("Walk distance[12 weeks];Score at rest\nPain score", "secondary")
    assert [(o.measure, o.time_frame and o.time_frame.text) for o in found.items] == [
        ("Walk distance", "12 weeks"), ("Score at rest", None), ("Pain score", None)]
    found = split_outcomes("Change in the score and\nthe scale at week 4", "primary")
    assert [o.measure for o in found.items] == ["Change in the score and the scale at week 4"]


# --- the reader as a whole ------------------------------------------------------------------------

from registry_tool.formats.ictrp.layout import COLUMNS  # noqa: E402
from registry_tool.formats.ictrp.reader import record_from_columns  # noqa: E402
from registry_tool.normalize import normalize  # noqa: E402
from registry_tool.processing import check_record  # noqa: E402

cell = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["0", "N/A", "18 Years", "??", "-", "Phase 2/Phase 3", "a:1;b:x;", "x;;y", "<br>", "&lt;br&gt;",
                     "Allocation: ; Masking:", "Drug: ;", "Time frame:", "[", "((;", "30/02/2020", "Female: yes"]),
)


@given(st.lists(st.tuples(st.sampled_from([c.name for c in COLUMNS] + ["Unknown_column"]), cell), max_size=25))
def test_any_columns_give_a_valid_record_and_lose_no_column(columns):
    record = record_from_columns(columns)
    data, failure = check_record(normalize(record))
    assert failure is None, failure.describe()
    given = {name for name, value in columns if value.strip()}
    assert {k.split("/")[0].split("[")[0] for k in data["extras"]} <= given
