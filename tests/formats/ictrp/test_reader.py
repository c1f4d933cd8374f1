"""The WHO ICTRP reader: golden fixtures written by us, the shared sample whole, nothing lost.

``tests/fixtures/ictrp/NAME.xml`` / ``NAME.csv`` is a team-written export;
``NAME.expected.json`` lists what each of its trials must give, in order: a
subset of the canonical record (tests/support/golden.py), with the reader's
warnings as ``{code, field}``, or a failure. Time frames are checked by their
text and criteria by kind, number and text: the normalisers derive the rest.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import registry_tool
from registry_tool.commands import iter_records
from registry_tool.errors import Failure
from registry_tool.formats import detect_format
from registry_tool.formats.ictrp.layout import BY_NAME, column_name
from registry_tool.formats.ictrp.reader import record_from_columns
from registry_tool.processing import check_record
from tests.support import FIXTURES
from tests.support.corpus import corpus_files
from tests.support.golden import check_reader_golden

FIXTURES = FIXTURES / "ictrp"
CASES = sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))
READER_CODES = {"ambiguous-value", "target-size-unclear", "unparsed-value", "no-trial-id", "unknown-code",
                "unexpected-xml"}
SAMPLES = [p for p in corpus_files("ictrp") if p.suffix in (".xml", ".csv")]
needs_samples = pytest.mark.skipif(not SAMPLES, reason="shared ICTRP sample not available")


def test_fixtures_cover_both_forms_and_bad_input():
    assert {".xml", ".csv"} <= {Path(c).suffix for c in CASES}
    assert len(CASES) >= 5


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    expected = json.loads((FIXTURES / (name.rsplit(".", 1)[0] + ".expected.json")).read_text("utf-8"))
    results = list(iter_records([str(FIXTURES / name)]))  # --from auto: told apart by content
    check_reader_golden(expected, results, str(FIXTURES / name), READER_CODES)


# --- the forms ---------------------------------------------------------------------------------


def test_detection_by_content():
    assert detect_format(b"<?xml version='1.0' encoding='UTF-8' ?><Trials_downloaded_from_ICTRP>\n<Trial>") == "ictrp"
    assert detect_format(b"\xef\xbb\xbf<Trials_downloaded_from_ICTRP><Trial>") == "ictrp"
    assert detect_format(b"\xef\xbb\xbfTrialID,Last Refreshed on,Public title\r\nNCT1,x,y\r\n") == "ictrp"
    assert detect_format(b'"TrialID","Public_title"\nNCT1,y\n') == "ictrp"
    assert detect_format(b"<?xml version='1.0'?><clinical_study><id_info/></clinical_study>") == "ctgov-xml"
    assert detect_format(b"TrialID, a word in a text entry\nSummary: public health") == "text"
    assert detect_format(b"Title: TrialID,Public title: not a header") == "text"


def _trial_columns() -> list[tuple[str, str]]:
    return [
        ("TrialID", "ChiCTR2099000901"), ("Public_title", "Same trial, two forms"),
        ("Date_registration", "2099-05-06"), ("Source_Register", "ChiCTR"),
        ("Target_size", "experimental group:12;control group:8;"), ("Study_design", "Parallel"), ("Phase", "1-2"),
        ("Intervention", "experimental group:drug X 5 mg; oral;control group:placebo;"),
        ("Inclusion_Criteria", "Inclusion criteria: 1. Adults;\n<br>2. Consent."),
        ("Primary_outcome", "Response rate;Time frame: 12 weeks;"), ("Countries", "China;China"),
        ("Retrospective_flag", "No"),
    ]


def test_xml_and_csv_forms_of_a_trial_give_the_same_record(tmp_path):
    columns = _trial_columns()
    root = etree.Element("Trials_downloaded_from_ICTRP")
    trial = etree.SubElement(root, "Trial")
    for name, value in columns:
        etree.SubElement(trial, name).text = value
    (tmp_path / "export.xml").write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name.replace("_", " ") for name, _ in columns])
    writer.writerow([value for _, value in columns])
    (tmp_path / "export.csv").write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    from_xml = registry_tool.parse_file(str(tmp_path / "export.xml")).to_dict()
    from_csv = registry_tool.parse_file(str(tmp_path / "export.csv")).to_dict()
    assert from_xml["source"]["path"] != from_csv["source"]["path"]
    from_xml.pop("source"), from_csv.pop("source")
    assert from_xml == from_csv
    assert from_xml["enrollment"]["count"] == 20
    assert [i["name"] for i in from_xml["interventions"]] == ["drug X 5 mg; oral", "placebo"]
    assert from_xml["outcomes"][0]["time_frame"]["max_days"] == 84
    assert from_xml["countries"] == ["China"]


def test_a_spreadsheet_csv_with_semicolons_is_read(tmp_path):
    (tmp_path / "export.csv").write_bytes(
        "\ufeffTrialID;Public title;Countries\r\nChiCTR2099000902;\"A; title\";China\r\n".encode())
    (record,) = iter_records([str(tmp_path / "export.csv")])
    assert (record.record_id, record.title, record.countries) == ("ChiCTR2099000902", "A; title", ["China"])


def test_csv_header_spelling_is_the_element_name():
    assert column_name("Public title") == "Public_title"
    assert column_name(" Inclusion  agemin ") == "Inclusion_agemin"
    assert column_name("results date posted") == "results_date_posted"
    assert column_name("A register's own column") == "A_register's_own_column"


def test_a_trial_without_id_gets_a_stable_one_and_a_warning():
    first = record_from_columns([("Public_title", "No id"), ("Phase", "4")])
    again = record_from_columns([("Public_title", "No id"), ("Phase", "4")])
    assert first.record_id == again.record_id and first.record_id.startswith("ictrp-")
    assert [w.code for w in first.warnings] == ["no-trial-id"]
    assert first.registry_ids == []


def test_from_ictrp_on_another_document_fails_naming_what_was_expected(tmp_path):
    (tmp_path / "study.xml").write_text("<clinical_study><id_info><nct_id>NCT1</nct_id></id_info></clinical_study>")
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    results = list(iter_records([str(tmp_path / "study.xml"), str(tmp_path / "table.csv")], "ictrp"))
    assert [r.code for r in results] == ["not-ictrp", "not-ictrp"]
    assert "Trials_downloaded_from_ICTRP" in results[0].message and "TrialID" in results[1].message


def test_hostile_xml_is_refused_unread(tmp_path):
    (tmp_path / "bomb.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<Trials_downloaded_from_ICTRP><Trial><TrialID>&b;</TrialID></Trial></Trials_downloaded_from_ICTRP>"
    )
    (result,) = iter_records([str(tmp_path / "bomb.xml")], "ictrp")
    assert isinstance(result, Failure) and result.code == "unsafe-xml"


def test_cli_reads_an_export_in_a_subprocess(tmp_path):
    out = tmp_path / "out.jsonl"
    script = Path(sys.executable).with_name("registry-tool")
    proc = subprocess.run([str(script), "parse", str(FIXTURES / "02_ctgov_rows.csv"), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    ids = [json.loads(line)["record_id"] for line in out.read_text().splitlines()]
    assert ids == ["NCT09990101", "NCT09990102", "ChiCTR2099000201"]
    proc = subprocess.run([str(script), "parse", str(FIXTURES / "04_broken_quoting.csv"), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "04_broken_quoting.csv [record 2]:3:" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_reads_an_export_from_stdin():
    script = Path(sys.executable).with_name("registry-tool")
    proc = subprocess.run([str(script), "parse", "-"], input=(FIXTURES / "01_chictr.xml").read_bytes(),
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert [json.loads(line)["source"] for line in lines][0] == {"format": "ictrp", "path": None, "registry": "ChiCTR"}
    assert len(lines) == 4


# --- the shared sample --------------------------------------------------------------------------


def _sample_trials(path: Path) -> list[list[tuple[str, str]]]:
    """Each trial's columns as given, read independently of the reader (the standard library)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        return [list(zip(rows[0], row)) for row in rows[1:] if any(c.strip() for c in row)]
    import xml.etree.ElementTree as ET  # the sample is trusted here; the reader parses safely

    return [[(c.tag, "".join(c.itertext())) for c in trial] for trial in ET.parse(path).getroot()]


_WORD = re.compile(r"[^\W_]+")
# Markup and the labels that become structure (a time frame, a block's kind), not text.
_STRUCTURE = {"br", "p"}
_LABELS = re.compile(r"time\s*frame\s*:|time\s*points?\s*:|timepoint\(s\) of evaluation of this end point:|"
                     r"(primary|secondary) end point\(s\):|(?<=\[)time\s*frame|"
                     r"^\s*(inclusion|exclusion) criteria\s*:", re.IGNORECASE)


@needs_samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_every_trial_read_and_every_field_landed(path):
    trials = _sample_trials(path)
    results = list(iter_records([str(path)]))
    failures = [r for r in results if isinstance(r, Failure)]
    assert failures == []
    assert len(results) == len(trials)  # records in = records out + failures
    for columns, record in zip(trials, results):
        data, failure = check_record(record)
        assert failure is None, failure.describe()
        text = json.dumps(data, ensure_ascii=False).lower()
        for header, value in columns:
            name = column_name(header)
            if not value.strip():
                continue
            if name == "Date_registration3" and "Date_registration3" not in data["extras"]:
                compact = value.strip()
                assert data["dates"]["registration"] == f"{compact[:4]}-{compact[4:6]}-{compact[6:]}"
                continue
            value = _LABELS.sub(" ", html.unescape(html.unescape(value)))  # entities are characters
            words = _WORD.findall(value.lower())
            structure = _STRUCTURE | ({"i", "ii", "iii", "iv"} if name == "Phase" else set())  # PHASE3
            missing = [w for w in words if w not in text and w not in structure]
            assert missing == [], f"{record.record_id} {name}: {missing[:5]} not in the record"


@needs_samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_extras_are_the_trials_own_columns(path):
    """What goes to extras is a column of that trial (or a part of one: ``Primary_outcome/Main Objective``),
    as given; a column no field takes is there whole."""
    for columns, record in zip(_sample_trials(path), iter_records([str(path)])):
        given = {column_name(h): v.strip() for h, v in columns if v.strip()}
        for key, value in record.extras.items():
            assert key.split("/")[0].split("[")[0] in given, (record.record_id, key)
        for name, value in given.items():
            column = BY_NAME.get(name)
            if column is None or column.target.startswith("extras"):
                assert record.extras.get(name) == value, (record.record_id, name)


def test_stray_text_and_other_elements_of_an_export_are_kept(tmp_path):
    (tmp_path / "odd.xml").write_text(
        "<Trials_downloaded_from_ICTRP><Trial>loose words<TrialID>NCT09990601</TrialID>and more</Trial>"
        "<Study><TrialID>NCT09990602</TrialID></Study></Trials_downloaded_from_ICTRP>")
    first, second = iter_records([str(tmp_path / "odd.xml")])
    assert first.extras == {"(text)": "loose words and more"}
    assert (second.record_id, second.extras) == ("NCT09990602", {"(element)": "Study"})


def test_a_column_no_layout_names_is_kept_in_both_forms(tmp_path):
    (tmp_path / "new.csv").write_text("TrialID,Public title,Brand new column\r\nNCT09990501,T,some value\r\n")
    (record,) = iter_records([str(tmp_path / "new.csv")])
    assert record.extras == {"Brand_new_column": "some value"}
    eu_trial = next(iter_records([str(FIXTURES / "03_newer_layout.xml")]))
    assert eu_trial.extras["Registry_specific_flag"] == "new field of a later export"
