"""What a curator sees on screen: each record's warnings on stderr, --quiet, --warnings FILE.

The real console script runs in a subprocess, as a curator runs it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import FIXTURES
from tests.support.corpus import shared_dir

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
FLAWED = FIXTURES / "screen" / "flawed_entry.txt"
CLEAN = FIXTURES / "text" / "03_glued_labels.txt"  # an entry the parser reads without a guess
WARNING_LINE = re.compile(r"^(?P<path>[^:]+):(?:(?P<line>\d+):)? (?P<code>[a-z0-9-]+): (?P<message>.+)$")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def flawed(tmp_path) -> Path:
    path = tmp_path / "flawed_entry.txt"
    path.write_bytes(FLAWED.read_bytes())
    return path


def _record_id(path: Path) -> str:
    done = _run("parse", str(path))
    return json.loads(done.stdout)["record_id"]


def test_a_flawed_entry_prints_its_warnings_then_the_summary(flawed, tmp_path):
    done = _run("parse", flawed.name, "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    record = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert lines[0] == f"{record['record_id']} (flawed_entry.txt): 6 warning(s)"  # the record id first
    body = [WARNING_LINE.match(line) for line in lines[1:-1]]
    assert all(body), lines
    assert [(m["path"], m["line"], m["code"]) for m in body] == [  # type: ignore[index]
        ("flawed_entry.txt", "3", "label-misspelled"),
        ("flawed_entry.txt", "4", "label-misspelled"),
        ("flawed_entry.txt", "5", "label-misspelled"),
        ("flawed_entry.txt", "8", "mark-mismatch"),
        ("flawed_entry.txt", "9", "mark-malformed"),
        ("flawed_entry.txt", "10", "mark-mismatch"),
    ]
    assert "'Descripton:'" in lines[1] and "'Description:'" in lines[1]
    assert lines[-1] == ("registry-tool: parsed 1 record(s): 1 written, 0 failed, 6 warning(s), "
                         "1 note(s) in the records")
    # every warning printed is one of the record's (the note, phases-from-summary, is not printed)
    assert sorted(w["code"] for w in record["warnings"]) == sorted(
        [m["code"] for m in body] + ["phases-from-summary"])  # type: ignore[index]


def test_a_clean_entry_prints_only_the_summary(tmp_path):
    done = _run("parse", str(CLEAN), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 0
    assert done.stderr.splitlines() == ["registry-tool: parsed 1 record(s): 1 written, 0 failed, 0 warning(s)"]


def test_the_cnct19_seed_prints_only_the_summary(tmp_path):
    shared = shared_dir()
    seed = shared / "seeds" / "cnct19.txt" if shared else None
    if seed is None or not seed.is_file():
        pytest.skip("the shared seed is absent")
    done = _run("parse", str(seed), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 0
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("registry-tool: parsed 1 record(s)")


def test_quiet_silences_everything_but_errors(flawed, tmp_path):
    done = _run("parse", str(flawed), "-o", str(tmp_path / "out.json"), "--quiet")
    assert done.returncode == 0 and done.stderr == ""
    done = _run("export", str(flawed), "--to", "xml", "-o", str(tmp_path / "out.xml"), "-q")
    assert done.returncode == 0 and done.stderr == ""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = _run("parse", str(flawed), str(empty), "-q")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [line for line in done.stderr.splitlines() if "failed:" in line]
    assert "empty.txt" in done.stderr


def test_warnings_file_holds_every_warning_as_json_lines(flawed, tmp_path):
    out = tmp_path / "warnings.jsonl"
    done = _run("export", str(flawed), "--to", "xml", "-o", str(tmp_path / "out.xml"), "--warnings", str(out), "-q")
    assert done.returncode == 0 and done.stderr == ""
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    record = [r for r in rows if r["stage"] == "record"]
    export = [r for r in rows if r["stage"] == "export"]
    assert len(record) == 7 and {r["code"] for r in record} >= {"label-misspelled", "mark-mismatch",
                                                              "mark-malformed", "phases-from-summary"}
    assert {r["code"] for r in export} >= {"xml-missing-element"}
    assert all(r["path"] == str(flawed) and r["record_id"].startswith("text-") for r in rows)
    assert set(rows[0]) == {"record_id", "path", "code", "message", "field", "line", "stage"}
    assert next(r for r in record if r["code"] == "mark-malformed")["line"] == 9


def test_xml_export_prints_the_parse_warnings_before_the_missing_elements(flawed, tmp_path):
    done = _run("export", str(flawed), "--to", "xml", "-o", str(tmp_path / "out.xml"))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    first_parse = next(i for i, line in enumerate(lines) if "label-misspelled" in line)
    missing = [i for i, line in enumerate(lines) if "required element <" in line]
    assert missing and first_parse < min(missing)
    assert any("required element <id_info/nct_id> is missing" in line for line in lines)
    assert lines[-1].startswith("registry-tool: exported 1 record(s)")


def test_validate_prints_the_warnings_the_records_carry(flawed, tmp_path):
    records = tmp_path / "records.json"
    assert _run("parse", str(flawed), "-o", str(records)).returncode == 0
    done = _run("validate", str(records))
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert lines[0].endswith("(" + str(flawed) + "): 6 warning(s)")
    assert f"{flawed}:9: mark-malformed:" in done.stderr
    assert lines[-1] == "registry-tool: checked 1 record(s): 1 valid, 0 invalid"
    quiet = _run("validate", str(records), "--quiet", "--warnings", str(tmp_path / "w.jsonl"))
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert len((tmp_path / "w.jsonl").read_text("utf-8").splitlines()) == 7


def test_several_records_are_grouped_record_by_record(flawed, tmp_path):
    other = tmp_path / "other.txt"
    other.write_bytes((FIXTURES / "text" / "45_mark_digit_for_letter.txt").read_bytes())
    done = _run("parse", str(flawed), str(CLEAN), str(other), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0
    headers = [line for line in done.stderr.splitlines() if line.startswith("text-")]
    assert [h.split(" (")[1].split(")")[0] for h in headers] == [str(flawed), str(other)]  # the clean one: none
    assert done.stderr.splitlines()[-1].startswith("registry-tool: parsed 3 record(s): 3 written, 0 failed, 7 warning(s)")
