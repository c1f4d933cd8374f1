"""A curator's overrides (--set, --fields): outcome types, phases, conditions, enrollment and the registry
XML values, for any output format, each with a curator-set warning; an override naming no field is an error."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import registry_tool
from registry_tool.errors import RecordError, UsageError
from registry_tool.overrides import parse_overrides
from tests.support import FIXTURES

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
ENTRY = FIXTURES / "screen" / "flawed_entry.txt"  # two outcomes of unknown type, PHASE2 from the summary


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120)


def _record():
    return registry_tool.parse_text(ENTRY.read_text("utf-8"))


def _curated(record) -> dict[str, str]:
    return {w.field: w.message for w in record.warnings if w.code == "curator-set"}


def test_every_name_sets_its_field_with_a_warning():
    overrides = parse_overrides({"outcome_type.1": "primary", "outcome_type": "Secondary", "phases": "Phase 1/Phase 2",
                                 "conditions": "CML; ALL", "enrollment": "60 Anticipated", "nct_id": "NCT01234567",
                                 "gender": "all"})
    record = overrides.apply(_record())
    assert [o.type for o in record.outcomes] == ["primary", "secondary"]
    assert record.phases == ["PHASE1", "PHASE2"]
    assert record.conditions == ["CML", "ALL"]
    assert (record.enrollment.count, record.enrollment.type) == (60, "Anticipated")
    assert record.record_id == "NCT01234567" and record.registry_ids[0] == "NCT01234567"
    assert record.eligibility.gender is not None and record.eligibility.gender.code == "ALL"
    notes = _curated(record)
    assert set(notes) == {"outcomes[0].type", "outcomes[1].type", "phases", "conditions", "enrollment", "record_id",
                          "eligibility.gender"}
    assert "--set outcome_type.1=primary" in notes["outcomes[0].type"]
    assert "['PHASE2']" in notes["phases"]  # what the record had before
    assert registry_tool.validate(record.to_dict()) == []
    again = overrides.apply(record)  # applied twice: no second warning
    assert len(_curated(again)) == len(notes)


@pytest.mark.parametrize("values, said", [
    ({"outcome_typ": "primary"}, "unknown name"),
    ({"outcome_type.1": "tertiary"}, "primary, secondary, other"),
    ({"outcome_type.0": "primary"}, "from 1"),
    ({"phases": "Phase 7"}, "not a phase"),
    ({"enrollment": "sixty"}, "a count"),
    ({"conditions": " ; "}, "one or more"),
    ({"gender": "Men"}, "expected"),
])
def test_a_bad_override_is_a_usage_error(values, said):
    with pytest.raises(UsageError, match=said):
        parse_overrides(values)


def test_an_outcome_the_record_does_not_have_fails_that_record():
    with pytest.raises(RecordError) as caught:
        parse_overrides({"outcome_type.3": "primary"}).apply(_record())
    assert caught.value.failure.code == "override-no-field"
    assert caught.value.failure.json_path == "$.outcomes[2].type"


def test_fields_file(tmp_path):
    fields = tmp_path / "entry.fields.json"
    fields.write_text(json.dumps({"outcome_type.2": "secondary", "phases": ["PHASE2"], "conditions": ["CML", "ALL"],
                                  "enrollment": 40}))
    overrides = parse_overrides({"outcome_type.2": "other"}, str(fields))  # --set wins
    record = overrides.apply(_record())
    assert record.outcomes[1].type == "other" and record.conditions == ["CML", "ALL"]
    assert record.enrollment.count == 40 and record.phases == ["PHASE2"]
    for bad, said in (("[1]", "a JSON object"), ("{", "not JSON"), ('{"phases": {"a": 1}}', "expected text")):
        fields.write_text(bad)
        with pytest.raises(UsageError, match=said):
            parse_overrides({}, str(fields))
    with pytest.raises(UsageError, match="cannot be read"):
        parse_overrides({}, str(tmp_path / "missing.json"))


def test_overrides_reach_every_output_format(tmp_path):
    args = ["--set", "outcome_type.1=primary", "--set", "outcome_type.2=secondary", "--set", "enrollment=60"]
    parsed = _run("parse", str(ENTRY), *args, "-q")
    assert parsed.returncode == 0, parsed.stderr
    assert [o["type"] for o in json.loads(parsed.stdout)["outcomes"]] == ["primary", "secondary"]
    out = tmp_path / "tables"
    assert _run("export", str(ENTRY), "--to", "csv", "-o", str(out), *args, "-q").returncode == 0
    with open(out / "outcomes.csv", newline="", encoding="utf-8") as fh:
        assert [row["type"] for row in csv.DictReader(fh)] == ["primary", "secondary"]
    xml = tmp_path / "entry.xml"
    done = _run("export", str(ENTRY), "--to", "xml", "-o", str(xml), *args)
    assert done.returncode == 0
    text = xml.read_text("utf-8")
    assert "<primary_outcome>" in text and "<secondary_outcome>" in text and "<other_outcome>" not in text
    assert "outcome(s) have no type" not in done.stderr
    assert "curator-set: outcomes[0].type set to 'primary'" in done.stderr


def test_the_command_line_refuses_a_bad_override_and_fails_a_record_without_the_field(tmp_path):
    done = _run("export", str(ENTRY), "--to", "json", "--set", "primary_outcome=1")
    assert done.returncode == 2 and "unknown name 'primary_outcome'" in done.stderr and "outcome_type.N" in done.stderr
    other = FIXTURES / "text" / "04_no_allocation_line.txt"  # one outcome
    done = _run("parse", str(ENTRY), str(other), "--set", "outcome_type.2=primary", "--jobs", "2")
    assert done.returncode == 1  # the entry with one outcome fails, the other is written
    assert json.loads(done.stdout)["source"]["path"] == str(ENTRY)
    assert "there is no outcome 2" in done.stderr
