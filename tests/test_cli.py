"""The CLI prints exactly what the library returns; exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import registry_tool
from registry_tool.cli import main
from tests.support import FIXTURES

FIXTURES = FIXTURES / "text"
GOOD = [FIXTURES / "01_minimal_entry.txt", FIXTURES / "02_description_precedes_measure.txt"]
BAD = FIXTURES / "36_empty_entry.txt"


@pytest.fixture
def runner():
    return CliRunner()


def _library(path: Path) -> dict:
    return registry_tool.parse_file(str(path)).to_dict()


def test_help_lists_the_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("parse", "validate", "export", "fetch"):
        assert command in result.output


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert registry_tool.__version__ in result.output


def test_one_record_is_one_json_object(runner):
    result = runner.invoke(main, ["parse", str(GOOD[0])])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == _library(GOOD[0])
    assert result.stdout.startswith("{\n")  # one object, indented


def test_several_records_are_json_lines(runner):
    result = runner.invoke(main, ["parse", *map(str, GOOD)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [_library(p) for p in GOOD]


def test_directory_input(runner, tmp_path):
    for p in GOOD:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    (tmp_path / "notes.md").write_text("not an entry")  # not a known ending: skipped in a directory
    result = runner.invoke(main, ["parse", str(tmp_path)])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_stdin(runner):
    text = GOOD[0].read_text("utf-8")
    for args in (["parse"], ["parse", "-"]):
        result = runner.invoke(main, args, input=text)
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        expected = registry_tool.parse_text(text).to_dict()
        assert data == expected
        assert data["source"]["path"] is None


def test_output_file(runner, tmp_path):
    out = tmp_path / "out.json"
    result = runner.invoke(main, ["parse", str(GOOD[0]), "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text("utf-8")) == _library(GOOD[0])
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_bad_record_in_batch(runner, tmp_path):
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(main, ["parse", str(GOOD[0]), str(BAD), str(GOOD[1]), "--errors", str(errors)])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2  # the good records are still written
    assert "36_empty_entry.txt" in result.stderr and "empty" in result.stderr
    assert "3 record(s): 2 written, 1 failed" in result.stderr
    failures = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [f["code"] for f in failures] == ["empty-entry"]
    assert failures[0]["path"] == str(BAD)


def test_missing_input_is_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_unknown_option_is_usage_error(runner):
    assert runner.invoke(main, ["parse", "--frobnicate"]).exit_code == 2


def test_validate_good_and_bad(runner, tmp_path):
    good = tmp_path / "good.jsonl"
    records = [_library(p) for p in GOOD]
    good.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = runner.invoke(main, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 valid, 0 invalid" in result.stderr

    bad_record = dict(records[0])
    bad_record["outcomes"] = [dict(records[0]["outcomes"][0], type="tertiary")]
    del bad_record["summary"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_record))
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert bad_record["record_id"] in result.stdout
    assert "$.outcomes[0].type" in result.stdout
    assert "summary" in result.stdout
    assert len(result.stdout.splitlines()) == 2  # every violation, not the first


def test_validate_reports_unparseable_json(runner, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"record_id": ')
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.json:1:" in result.stderr


def test_parse_writes_to_dev_null_in_place(runner):
    """-o /dev/null must not replace the device with a file (atomic writes skip devices)."""
    null = Path("/dev/null")
    if not null.is_char_device():
        pytest.skip("no /dev/null")
    result = runner.invoke(main, ["parse", str(GOOD[0]), "-o", "/dev/null"])
    assert result.exit_code == 0
    assert null.is_char_device()


def test_export_json_equals_parse(runner):
    parsed = runner.invoke(main, ["parse", str(GOOD[0])])
    exported = runner.invoke(main, ["export", str(GOOD[0]), "--to", "json"])
    assert exported.exit_code == 0
    assert json.loads(exported.stdout) == json.loads(parsed.stdout)


def test_canonical_records_read_back(runner, tmp_path):
    parsed = runner.invoke(main, ["parse", *map(str, GOOD)])
    canonical = tmp_path / "records.jsonl"
    canonical.write_text(parsed.stdout)
    again = runner.invoke(main, ["export", str(canonical), "--to", "jsonl"])
    assert again.exit_code == 0
    assert again.stdout == parsed.stdout


def test_set_needs_name_value(runner):
    result = runner.invoke(main, ["export", str(GOOD[0]), "--to", "xml", "--set", "oops"])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


def test_export_warnings_reach_the_user(runner, tmp_path):
    """Warnings about an export (missing registry elements) are not in the output: stderr names each."""
    out = tmp_path / "entry.xml"
    result = runner.invoke(main, ["export", str(GOOD[0]), "--to", "xml", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    record_id = _library(GOOD[0])["record_id"]
    for element in ("id_info/nct_id", "brief_title", "sponsors/lead_sponsor", "overall_status", "study_type"):
        assert f"warning: {record_id} ({element}): required element <{element}> is missing" in result.stderr
