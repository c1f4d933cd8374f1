"""Analysis-ready tables (CONTRACT): one vocabulary per concept, NA-safe CSV, protocol columns
and the child tables, on the whole registry corpus (legacy XML and API v2 JSON)."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

from registry_tool.commands import export
from registry_tool.formats.tables.layout import TABLES
from registry_tool.formats.tables.protocol import age_years, healthy_volunteers, iso_date

# What pandas' read_csv (default na_values) and R's read.csv (na.strings = "NA") read as missing.
READ_AS_MISSING = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                   "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
CODE_COLUMNS = {t.name: [c.name for c in t.columns if c.enum or c.name == "phases"] for t in TABLES}


@pytest.fixture(scope="module")
def corpus_tables(xml_corpus, json_corpus, tmp_path_factory):
    """The XML corpus and the JSON corpus, each exported to a CSV package: {source: folder}."""
    out = {}
    for name, corpus in (("xml", xml_corpus), ("json", json_corpus)):
        folder = tmp_path_factory.mktemp(name) / "out"
        report = export([str(corpus[0].parent)], "csv", str(folder))
        assert report.records_out == len(corpus) or name == "json"
        out[name] = folder
    return out


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)  # extras cells of registry XML elements are large
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- one vocabulary per concept ----------------------------------------------------------------------


@pytest.mark.parametrize("table, column, codes", [
    ("trials", "enrollment_type", {"ACTUAL", "ESTIMATED"}),
    ("trials", "start_date_type", {"ACTUAL", "ESTIMATED"}),
    ("trials", "study_first_posted_date_type", {"ACTUAL", "ESTIMATED"}),
    ("trials", "gender", {"ALL", "FEMALE", "MALE"}),
    ("arm_groups", "type", {"EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR",
                            "NO_INTERVENTION", "OTHER"}),
    ("sponsors", "agency_class", {"NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER",
                                  "UNKNOWN"}),
])
def test_a_concept_has_one_vocabulary_whatever_the_source(corpus_tables, table, column, codes):
    seen = set()
    for source, folder in corpus_tables.items():
        rows = _rows(folder, table)
        # every wording the source gives maps to a code: no GROUP BY splits a category in two
        assert [r for r in rows if r.get(f"{column}_text", r.get(column)) and not r[column]
                and not column.endswith("_date_type")] == [], (source, column)
        seen |= {r[column] for r in rows if r[column]}
    assert seen <= codes and len(seen) >= 2, seen


def test_legacy_wording_stays_beside_the_code(corpus_tables):
    rows = _rows(corpus_tables["xml"], "trials")
    pairs = {(r["enrollment_type"], r["enrollment_type_text"]) for r in rows if r["enrollment_type"]}
    assert pairs == {("ACTUAL", "Actual"), ("ESTIMATED", "Anticipated")}
    sponsors = {(r["agency_class"], r["agency_class_text"]) for r in _rows(corpus_tables["xml"], "sponsors")}
    assert ("FED", "U.S. Fed") in sponsors and ("INDUSTRY", "Industry") in sponsors


# --- NA-safe CSV -------------------------------------------------------------------------------------


def test_no_code_cell_reads_as_missing(corpus_tables):
    not_applicable = 0
    for folder in corpus_tables.values():
        for table, columns in CODE_COLUMNS.items():
            for row in _rows(folder, table):
                for column in columns:
                    cell = row[column]
                    if cell:
                        parts = cell.split(";") if column == "phases" else [cell]
                        assert not READ_AS_MISSING & set(parts), (table, column, cell)
                        not_applicable += parts.count("NOT_APPLICABLE")
    assert not_applicable >= 313 + 171  # phase N/A of 313 XML trials, allocation N/A of 171


def test_pandas_reads_every_code(corpus_tables):
    pd = pytest.importorskip("pandas")
    folder = corpus_tables["xml"]
    default = pd.read_csv(folder / "trials.csv")  # the default reader, as an analyst calls it
    raw = _rows(folder, "trials")
    for column in ("phases", "allocation", "study_type"):
        assert default[column].isna().sum() == sum(1 for r in raw if not r[column]), column
    exact = pd.read_csv(folder / "trials.csv", keep_default_na=False, na_values=[""])  # README's call
    assert (exact["allocation_text"] == "N/A").sum() == sum(1 for r in raw if r["allocation_text"] == "N/A") > 0


# --- protocol columns and child tables ---------------------------------------------------------------


@pytest.mark.parametrize("text, iso", [
    ("September 1991", "1991-09"), ("March 5, 2019", "2019-03-05"), ("2003-10", "2003-10"),
    ("2019-03-05", "2019-03-05"), ("Unknown", None), (None, None),
])
def test_dates_are_iso(text, iso):
    assert iso_date(text) == iso


@pytest.mark.parametrize("text, years", [
    ("18 Years", 18), ("6 Months", 0.5), ("N/A", None), ("1 Year", 1), ("2 Weeks", 0.038330), ("28 Days", 0.076660),
    (None, None),
])
def test_ages_are_years(text, years):
    assert age_years(text) == (pytest.approx(years, abs=1e-5) if years else years)


def test_healthy_volunteers_is_a_boolean():
    assert [healthy_volunteers(t) for t in ("Accepts Healthy Volunteers", "No", None)] == [True, False, None]


def test_protocol_columns_on_the_corpus(corpus_tables):
    rows = _rows(corpus_tables["xml"], "trials")
    iso = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
    starts = [r["start_date"] for r in rows if r["start_date"]]
    assert len(starts) > 1000 and all(iso.fullmatch(d) for d in starts)
    assert {r["healthy_volunteers"] for r in rows} <= {"true", "false", ""}
    assert {r["has_results"] for r in rows} == {"true", "false"}
    assert sum(r["has_results"] == "true" for r in rows) == 148
    assert sum(1 for r in rows if r["why_stopped"]) > 0
    ages = [float(r["minimum_age_years"]) for r in rows if r["minimum_age_years"]]
    assert ages and all(0 <= a < 120 for a in ages)


@pytest.mark.parametrize("table", ["conditions", "keywords", "mesh_terms", "locations", "arm_group_interventions"])
def test_child_tables_have_rows_from_both_sources(corpus_tables, table):
    for source, folder in corpus_tables.items():
        assert len(_rows(folder, table)) > 0, (source, table)
