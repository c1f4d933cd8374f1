"""Trust in daily use (issue 12): no silent loss, clean errors, outputs users expect.

Each test is one item of the issue, run through the real console script in a
subprocess (pipes, /dev/full, terminals and signals are real).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.support import FIXTURES, REPO

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
TEXT = FIXTURES / "text"
ENTRY = TEXT / "01_minimal_entry.txt"
ENTRIES = [TEXT / "01_minimal_entry.txt", TEXT / "02_description_precedes_measure.txt",
           TEXT / "12_criterion_number_and_mark.txt", TEXT / "19_inclusion_exclusion_blocks.txt"]


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None,
        stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess:
    """The console script with ``args``; stdin is empty (never the test runner's) unless given."""
    return subprocess.run([SCRIPT, *map(str, args)], input=stdin if stdin is not None else b"",
                          stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, timeout=120)


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace")


def no_traceback(result: subprocess.CompletedProcess) -> None:
    text = err(result)
    assert "Traceback" not in text and "internal error" not in text, text


def records_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def canonical_lines(tmp_path: Path) -> list[str]:
    """Canonical JSON Lines of the test entries, one record a line."""
    done = run("parse", *ENTRIES)  # several records: JSON Lines
    assert done.returncode == 0, err(done)
    lines = done.stdout.decode().splitlines()
    assert len(lines) == len(ENTRIES)
    return lines


# --- 1. a broken JSON Lines line is one failure ---------------------------------------------------


def test_item01_broken_json_lines_line_is_one_failure(tmp_path):
    good = canonical_lines(tmp_path)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join([good[0], '{"record_id": "broken", ', good[1], good[2]]) + "\n")
    for command in (["parse"], ["export", "--to", "jsonl"]):
        done = run(*command, batch)
        assert done.returncode == 1
        assert [r["record_id"] for r in records_of(done.stdout.decode())] == [
            json.loads(good[i])["record_id"] for i in (0, 1, 2)]
        assert "4 record(s): 3 written, 1 failed" in err(done)
        assert "batch.jsonl [record 2]:2:" in err(done) and "line 2 is not valid JSON" in err(done)
    # the broken line first: still JSON Lines, still every other line read
    first_broken = tmp_path / "first.ndjson"
    first_broken.write_text("\n".join(["{not json", good[0], good[1]]) + "\n")
    done = run("parse", first_broken)
    assert "3 record(s): 2 written, 1 failed" in err(done)
    # validate: 6 records, line 4 broken
    six = tmp_path / "six.jsonl"
    six.write_text("\n".join([good[0], good[1], good[2], "{oops", good[3], good[0]]) + "\n")
    done = run("validate", six)
    assert done.returncode == 1
    assert "checked 6 record(s): 5 valid, 1 invalid" in err(done)
    assert "six.jsonl [record 4]:4:" in err(done)


# --- 2. a directory with no input file ------------------------------------------------------------


def test_item02_directory_without_inputs_is_a_usage_error_and_skips_are_counted(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run("parse", empty, stdin=b"x\n")
    assert done.returncode == 2 and done.stdout == b""
    assert f"{empty}: the folder holds no input file" in err(done)

    others = tmp_path / "others"
    others.mkdir()
    (others / "notes.md").write_text("hello")
    (others / "scan.pdf").write_bytes(b"%PDF-1.4")
    done = run("parse", others, stdin=b"x\n")  # stdin is never read in place of the folder
    assert done.returncode == 2 and done.stdout == b""
    assert "skipped 2 files of other kinds: .md .pdf" in err(done)

    shutil.copy(ENTRY, others / "entry.txt")
    done = run("export", others, "--to", "jsonl")
    assert done.returncode == 0, err(done)
    assert len(records_of(done.stdout.decode())) == 1
    assert "registry-tool: skipped 2 files of other kinds: .md .pdf" in err(done)


def test_item02_bare_parse_at_a_terminal_says_it_reads_stdin():
    pty = pytest.importorskip("pty")
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen([SCRIPT, "parse"], stdin=secondary, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        os.close(secondary)
        os.write(primary, ENTRY.read_bytes() + b"\n\x04")  # the entry, then Ctrl-D
        out, error = process.communicate(timeout=60)
    finally:
        os.close(primary)
    assert process.returncode == 0, error
    assert error.decode().startswith("registry-tool: reading standard input (end with Ctrl-D")
    assert sum("standard input" in line for line in error.decode().splitlines()) == 1
    assert json.loads(out)["source"]["path"] is None


def test_item02_piped_stdin_is_read_as_before():
    done = run("parse", stdin=ENTRY.read_bytes())
    assert done.returncode == 0 and "standard input" not in err(done)
    assert json.loads(done.stdout)["summary"]


# --- 3. any text is not an entry ------------------------------------------------------------------


def test_item03_text_with_no_field_and_xml_as_text_are_refused(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("hello\n")
    done = run("parse", notes, "--errors", tmp_path / "errors.jsonl")
    assert done.returncode == 1 and done.stdout == b""
    assert "no field of the flattened layout found" in err(done)
    assert [json.loads(line)["code"] for line in (tmp_path / "errors.jsonl").read_text().splitlines()] == [
        "not-an-entry"]

    xml = tmp_path / "study.xml"
    xml.write_text("<?xml version='1.0'?>\n<clinical_study><brief_title>x</brief_title></clinical_study>\n")
    done = run("parse", "--from", "text", xml)
    assert done.returncode == 1 and done.stdout == b""
    assert "looks like registry XML" in err(done) and "--from ctgov-xml" in err(done)
    study = tmp_path / "study.json"
    study.write_text('{"protocolSection": {}}')
    done = run("parse", "--from", "text", study)
    assert done.returncode == 1 and "looks like JSON" in err(done) and "--from ctgov-json" in err(done)


# --- 4. output is input ---------------------------------------------------------------------------


def test_item04_output_that_is_an_input_is_refused(tmp_path):
    entry = tmp_path / "in.txt"
    shutil.copy(ENTRY, entry)
    before = entry.read_bytes()
    for args in (["parse", entry, "-o", entry], ["export", entry, "--to", "jsonl", "-o", entry],
                 ["parse", entry, "-o", tmp_path / "out.json", "--errors", entry]):
        done = run(*args)
        assert done.returncode == 2, args
        assert "is one of the inputs" in err(done)
        assert entry.read_bytes() == before
    # a folder of tables over the folder being read
    done = run("export", tmp_path, "--to", "csv", "-o", tmp_path, "--replace")
    assert done.returncode == 2 and "holds one of the inputs" in err(done)
    assert entry.read_bytes() == before


# --- 5. pipes, full and unwritable outputs --------------------------------------------------------


def test_item05_closed_pipe_full_device_and_unwritable_outputs(tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    entry = ENTRY.read_text()
    for i in range(300):
        (many / f"{i:03}.txt").write_text(entry + f"\nName: drug {i}\n")
    pipeline = subprocess.run(f"'{SCRIPT}' parse '{many}' | head -n 1", shell=True,
                              capture_output=True, timeout=120, executable="/bin/bash")
    assert len(pipeline.stdout.splitlines()) == 1
    assert b"BrokenPipe" not in pipeline.stderr and b"internal" not in pipeline.stderr, pipeline.stderr
    with_status = subprocess.run(f"set -o pipefail; '{SCRIPT}' parse '{many}' | head -c 10 >/dev/null",
                                 shell=True, capture_output=True, timeout=120, executable="/bin/bash")
    assert with_status.returncode == 0 and with_status.stderr == b""

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        done = run("parse", ENTRY, stdout=full)
    assert done.returncode == 1
    assert err(done) == "registry-tool: cannot write standard output: No space left on device\n"
    done = run("parse", ENTRY, "-o", "/dev/full")
    assert done.returncode == 1
    assert err(done) == "registry-tool: cannot write /dev/full: No space left on device\n"
    done = run("export", ENTRY, "--to", "json", "-o", "/proc/x.json")
    assert done.returncode == 1
    assert err(done).startswith("registry-tool: cannot write /proc/x.json: ")
    no_traceback(done)
    (tmp_path / "afile").write_text("")
    for args in (["parse", ENTRY, "-o", "afile/sub/x.json"], ["parse", ENTRY, "--errors", "afile/e.jsonl"],
                 ["export", ENTRY, "--to", "sqlite", "-o", "afile/t.db"]):
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 1, args
        assert f"cannot write {args[-1]}: afile is a file, not a folder" in err(done)


# --- 6. gzip and zip inputs -----------------------------------------------------------------------


def test_item06_gzip_files_and_zip_archives_are_read(tmp_path):
    gz = tmp_path / "entry.txt.gz"
    gz.write_bytes(gzip.compress(ENTRY.read_bytes()))
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in ENTRIES[:3]:
            zf.write(path, f"entries/{path.name}")
        zf.writestr("README.pdf", b"%PDF")
    done = run("parse", gz, archive, cwd=tmp_path)
    assert done.returncode == 0, err(done)
    paths = [r["source"]["path"] for r in records_of(done.stdout.decode())]
    assert paths == [str(gz)] + [f"{archive}/entries/{p.name}" for p in ENTRIES[:3]]
    assert "skipped 1 file of other kinds: .pdf" in err(done)
    assert "UTF-8" not in err(done)

    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.move(archive, folder / "download.zip")
    shutil.move(gz, folder / "entry.txt.gz")
    done = run("parse", "downloads", cwd=tmp_path)
    assert done.returncode == 0, err(done)
    assert len(records_of(done.stdout.decode())) == 4

    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    done = run("parse", broken)
    assert done.returncode == 1 and "cannot unpack the archive" in err(done)
    assert "UTF-8" not in err(done)

    unnamed = tmp_path / "entry-download"  # gzip by its content, whatever its name
    unnamed.write_bytes(gzip.compress(ENTRY.read_bytes()))
    zipped = tmp_path / "archive.dat"
    shutil.copy(folder / "download.zip", zipped)
    bz2 = tmp_path / "entry.txt.bz2"
    bz2.write_bytes(b"BZh91AY&SY" + bytes(range(200)))
    done = run("parse", "--jsonl", unnamed, zipped, bz2)
    assert done.returncode == 1
    assert len(records_of(done.stdout.decode())) == 1
    assert "archive.dat: this is a .zip archive, not an entry or a record: name it .zip" in err(done)
    assert "entry.txt.bz2: this is bzip2-compressed" in err(done)
    assert "UTF-8" not in err(done) and "binary" not in err(done)


# --- 7. other encodings ---------------------------------------------------------------------------


def test_item07_windows_1252_latin_1_and_utf16_without_bom(tmp_path):
    text = ENTRY.read_text().replace("drug X", "drug \u00e9\u2019X")
    cp1252 = tmp_path / "entry.txt"
    cp1252.write_bytes(text.encode("cp1252"))
    done = run("parse", cp1252)
    assert done.returncode == 1 and "--encoding" in err(done)
    done = run("parse", cp1252, "--encoding", "cp1252")
    assert done.returncode == 0, err(done)
    assert "drug \u00e9\u2019X" in json.loads(done.stdout)["summary"]
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(ENTRY.read_text().replace("drug X", "drug \u00e9X").encode("latin-1"))
    done = run("parse", latin1, "--encoding", "latin-1")
    assert done.returncode == 0 and "drug \u00e9X" in json.loads(done.stdout)["summary"]
    done = run("parse", latin1, "--encoding", "klingon")
    assert done.returncode == 2 and "unknown encoding" in err(done)

    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16-le"))  # no byte-order mark
    done = run("parse", utf16)
    assert done.returncode == 0, err(done)
    assert "drug \u00e9\u2019X" in json.loads(done.stdout)["summary"]


# --- 8. a large record stops at once --------------------------------------------------------------


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_item08_ctrl_c_and_sigterm_stop_a_large_record_within_a_second(tmp_path, signum, status):
    from tests.test_bounded_work import large_entry

    big = tmp_path / "big.txt"
    big.write_text(large_entry(150_000))  # about 11 MB: several seconds of parsing
    out = tmp_path / "out.json"
    process = subprocess.Popen([SCRIPT, "parse", str(big), "-o", str(out)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert process.poll() is None, "the record was parsed before the signal: make it larger"
    sent = time.monotonic()
    process.send_signal(signum)
    _, error = process.communicate(timeout=30)
    stopped_after = time.monotonic() - sent
    assert process.returncode == status, error
    assert stopped_after < 1.0, stopped_after
    assert b"Traceback" not in error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]  # no out.json, no .part


def test_item08_a_text_entry_over_16_mib_is_refused_unread(tmp_path):
    big = tmp_path / "huge.txt"
    line = b"1. Adequate organ function with creatinine below 1.5 x ULN\n"
    with open(big, "wb") as fh:
        fh.write(b"Name: drug\n")
        fh.write(line * (16 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 16 * 1024 * 1024
    errors = tmp_path / "errors.jsonl"
    done = run("parse", big, "--errors", errors)
    assert done.returncode == 1 and done.stdout == b""
    assert "more than the 16 MiB limit of a text entry" in err(done)
    assert json.loads(errors.read_text())["code"] == "too-large"


# --- 9. outputs of the shape asked for ------------------------------------------------------------


def test_item09_json_is_one_document_and_parse_shapes_are_fixed(tmp_path):
    done = run("export", *ENTRIES[:2], "--to", "json", "-o", tmp_path / "two.json")
    assert done.returncode == 0, err(done)
    with open(tmp_path / "two.json", encoding="utf-8") as fh:
        both = json.load(fh)
    assert isinstance(both, list) and len(both) == 2
    one = run("export", ENTRY, "--to", "json")
    assert isinstance(json.loads(one.stdout), dict)  # one record: one object, as before

    assert json.loads(run("parse", "--json", ENTRY).stdout) == [json.loads(one.stdout)]
    assert json.loads(run("parse", "--json", *ENTRIES[:2]).stdout) == both
    assert records_of(run("parse", "--jsonl", ENTRY).stdout.decode()) == [json.loads(one.stdout)]
    assert len(run("parse", "--jsonl", ENTRY).stdout.splitlines()) == 1
    assert records_of(run("parse", *ENTRIES[:2]).stdout.decode()) == both  # the CONTRACT default
    empty = tmp_path / "nothing.jsonl"
    empty.write_text("")
    assert json.loads(run("parse", "--json", empty).stdout) == []


# --- 10. re-export into an existing package or database --------------------------------------------


def test_item10_reexport_needs_replace_or_append(tmp_path):
    out, db = tmp_path / "tables", tmp_path / "trials.db"
    for target, to in ((out, "csv"), (db, "sqlite")):
        assert run("export", *ENTRIES[:3], "--to", to, "-o", target).returncode == 0
        done = run("export", ENTRIES[3], "--to", to, "-o", target)
        assert done.returncode == 2
        assert str(target) in err(done) and "--replace" in err(done) and "--append" in err(done)

        done = run("export", *ENTRIES[1:], "--to", to, "-o", target, "--append")
        assert done.returncode == 0, err(done)
        assert "replaced 2 record(s) already in the output" in err(done)
        assert trial_ids(target) == sorted(trial_id(p) for p in ENTRIES)

        done = run("export", ENTRIES[3], "--to", to, "-o", target, "--replace")
        assert done.returncode == 0, err(done)
        assert trial_ids(target) == [trial_id(ENTRIES[3])]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables", "trials.db"]  # nothing left beside


def trial_id(path: Path) -> str:
    return json.loads(run("parse", path).stdout)["record_id"]


def trial_ids(target: Path) -> list[str]:
    if target.is_dir():
        import csv

        with open(target / "trials.csv", encoding="utf-8", newline="") as fh:
            return sorted(row["record_id"] for row in csv.DictReader(fh))
    with sqlite3.connect(target) as conn:
        return sorted(row[0] for row in conn.execute("SELECT record_id FROM trials"))


# --- 11. options a format ignores; --strict counts ------------------------------------------------


def test_item11_options_a_format_ignores_are_usage_errors_and_strict_counts(tmp_path):
    for args in (["--to", "csv", "-o", tmp_path / "t", "--strict"],
                 ["--to", "json", "--strict"], ["--to", "sqlite", "-o", tmp_path / "x.db", "--strict"],
                 ["--to", "xml", "--excel-safe"], ["--to", "jsonl", "--append"]):
        done = run("export", ENTRY, *args)
        assert done.returncode == 2, args
        assert "applies to --to" in err(done) and "does not use it" in err(done)
    assert not (tmp_path / "t").exists() and not (tmp_path / "x.db").exists()

    done = run("export", *ENTRIES[:2], "--to", "xml", "--strict", "-o", tmp_path / "xml")
    assert done.returncode == 1
    summary = err(done).splitlines()[-1]
    assert summary.startswith("registry-tool: exported 2 record(s): 0 written, 2 failed, ")
    count = int(summary.split("failed, ")[1].split(" warning")[0])
    assert count >= 2 * 5  # id, title, sponsor, status, study type at least, each record
    assert summary.endswith(f"{count} of them failures under --strict")


# --- 12. the progress bar -------------------------------------------------------------------------


def _on_terminal(args: list[str], stdout_too: bool, tmp_path: Path) -> tuple[str, bytes]:
    """Run with stderr (and stdout, if ``stdout_too``) on a pseudo-terminal; what the terminal
    showed, and what went to stdout otherwise (a file, so neither side waits on the other)."""
    pty = pytest.importorskip("pty")
    primary, secondary = pty.openpty()
    data = open(tmp_path / "stdout", "w+b")
    process = subprocess.Popen([SCRIPT, *args], stdin=subprocess.DEVNULL, stderr=secondary,
                               stdout=secondary if stdout_too else data)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(primary)
    data.seek(0)
    out = data.read()
    data.close()
    return shown.decode("utf-8", "replace"), out


def test_item12_failure_lines_clear_the_bar_and_no_bar_over_data(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(40):
        (batch / f"{i:02}.txt").write_text(ENTRY.read_text() + f"\nName: drug {i}\n" if i != 20 else "")
    shown, out = _on_terminal(["parse", str(batch)], stdout_too=False, tmp_path=tmp_path)
    assert len(out.splitlines()) == 39
    assert "parsing" in shown  # the bar is drawn
    failure = next(line for line in shown.replace("\r\n", "\n").split("\n") if "failed:" in line)
    assert failure.rsplit("\r", 1)[-1].lstrip("\x1b[2K").startswith("registry-tool: failed:")
    assert "\x1b[2K" + "registry-tool: failed:" in shown  # the bar's line is cleared first
    summary = [line for line in shown.replace("\r", "\n").split("\n") if "parsed 40" in line]
    assert summary and summary[-1].lstrip("\x1b[2K").startswith("registry-tool: parsed 40 record(s)")

    shown, _ = _on_terminal(["parse", str(batch)], stdout_too=True, tmp_path=tmp_path)
    assert "parsing" not in shown  # data on the terminal: no bar between the records
    assert shown.count('"record_id"') == 39


# --- 13. validate ---------------------------------------------------------------------------------


def test_item13_validate_reads_stdin_checks_references_and_names_the_schema(tmp_path):
    good = canonical_lines(tmp_path)
    done = run("validate", stdin=("\n".join(good) + "\n").encode())
    assert done.returncode == 0, err(done)
    assert f"checked {len(good)} record(s): {len(good)} valid, 0 invalid" in err(done)
    assert run("validate", "-", stdin=good[0].encode()).returncode == 0

    record = json.loads(good[2])  # the entry with a marked variant on criterion 0
    assert record["variants"] and record["variants"][0]["criterion"] == 0
    record["variants"][0]["criterion"] = 7
    done = run("validate", "--json", stdin=json.dumps(record).encode())
    assert done.returncode == 1
    problems = records_of(done.stdout.decode())
    assert [(p["code"], p["json_path"]) for p in problems] == [("reference", "$.variants[0].criterion")]
    record["variants"][0]["criterion"] = 0
    record["eligibility"]["criteria"][0]["parent"] = 0  # an item nesting under itself
    done = run("validate", "--json", stdin=json.dumps(record).encode())
    assert [(p["code"], p["json_path"]) for p in records_of(done.stdout.decode())] == [
        ("reference", "$.eligibility.criteria[0].parent")]

    shown = run("validate", "--help").stdout.decode()
    assert "record.schema.json" in " ".join(shown.split()) and "registry-tool schema" in shown
    schema = json.loads(run("schema").stdout)
    assert schema == json.loads((REPO / "schemas" / "record.schema.json").read_text("utf-8"))


# --- 14. small ones -------------------------------------------------------------------------------


def test_item14_readme_example_duplicate_message_and_relative_paths(tmp_path):
    readme = (REPO / "README.md").read_text("utf-8")
    assert "WHERE max_days <= 91\"" not in readme  # 3 months are 91.3125 days
    assert "max_days <= 91.3125" in readme

    copy = tmp_path / "copy.txt"
    shutil.copy(ENTRY, copy)
    done = run("export", ENTRY, copy, "--to", "csv", "-o", tmp_path / "tables")
    assert done.returncode == 1
    assert f"is in both {ENTRY} and {copy}; the first is kept" in err(done)

    (tmp_path / "in").mkdir()
    shutil.copy(ENTRY, tmp_path / "in" / "entry.txt")
    done = run("parse", "in", "./in/entry.txt", cwd=tmp_path)
    assert [r["source"]["path"] for r in records_of(done.stdout.decode())] == ["in/entry.txt", "./in/entry.txt"]
