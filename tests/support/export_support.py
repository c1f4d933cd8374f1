"""Support for the export tests: the fixture records, reading CSV / SQLite
exports back into canonical record dicts, and killing an export mid-batch.

The read-back is written independently of ``registry_tool.exporters.tables``: it reads the
tables as a user would (the csv module and datapackage.json types, or
sqlite3) and rebuilds each record from the documented layout, so a test can
compare the result with ``record.to_dict()`` field for field.
"""

from __future__ import annotations

import atexit
import csv
import functools
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from registry_tool import Record, iter_records
from tests.support import FIXTURES, REPO, corpus

Rows = dict[str, list[dict[str, Any]]]

FIXTURES = FIXTURES / "export"
RECORDS = FIXTURES / "records"  # canonical records written by hand
GOLDEN = FIXTURES / "golden"  # the CSV tables those records export to


def fixture_records() -> list[Record]:
    """The hand-written canonical records of ``fixtures/export/records``, in file order."""
    results = list(iter_records([str(RECORDS)]))
    assert all(isinstance(r, Record) for r in results), results
    return results


@functools.lru_cache(maxsize=1)
def _render_corpus() -> Path | None:
    from tests.support.render_flat import render, truth_from_xml

    files = corpus.corpus_files("ctgov-xml")
    if not files:
        return None
    folder = Path(tempfile.mkdtemp(prefix="rendered-corpus-"))
    atexit.register(shutil.rmtree, folder, True)
    for path in files:
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            (folder / f"{path.stem}.txt").write_text(render(truth), encoding="utf-8")
    return folder


def rendered_corpus() -> Path:
    """A folder of the shared XML corpus rendered as flattened text entries (tests/render_flat.py):
    real-world wording through the text parser, whatever importers are installed. Rendered once
    a test run; skips the test where the corpus is absent."""
    folder = _render_corpus()
    if folder is None:
        pytest.skip("shared corpus (ctgov-xml) not present")
    return folder


def kill_mid_export(exporter: str, out: Path, existing: str | None = None) -> int:
    """Run ``exporter`` (``module:Class``) in a child process on the fixture records and
    SIGKILL it before it closes, so no cleanup runs; return the child's exit status.
    ``existing`` is ``--replace`` / ``--append`` (``replace``, ``append``) for an existing output."""
    module, _, name = exporter.partition(":")
    script = textwrap.dedent(
        f"""
        import os, signal
        from registry_tool import ExportOptions, iter_records
        from {module} import {name}
        sink = {name}({str(out)!r}, ExportOptions(existing={existing!r}))
        for record in iter_records([{str(RECORDS)!r}]):
            sink.write(sink.encoder.prepare(record))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    return subprocess.run([sys.executable, "-c", script], cwd=REPO).returncode


def _decode_csv_cell(text: str, kind: str) -> Any:
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        assert text in ("true", "false"), text
        return text == "true"
    if kind in ("array", "object"):
        return json.loads(text)
    return text


def _na(cell: str) -> str:
    return ";".join("NA" if code == "NOT_APPLICABLE" else code for code in cell.split(";")) if cell else cell


def read_csv_package(folder: Path) -> Rows:
    """Every table of a CSV export as typed rows, decoded by the types datapackage.json declares."""
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    tables: Rows = {}
    for resource in package["resources"]:
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        # codes that CSV writes NOT_APPLICABLE for the JSON record's NA
        na_coded = {f["name"] for f in resource["schema"]["fields"]
                    if f["name"] == "phases" or "NOT_APPLICABLE" in f.get("constraints", {}).get("enum", [])}
        with open(folder / resource["path"], encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == list(types), resource["name"]
            tables[resource["name"]] = [
                {name: _decode_csv_cell(_na(value) if name in na_coded else value, types[name])
                 for name, value in row.items()}
                for row in reader
            ]
    return tables


_JSON_COLUMNS = {
    "trials": ("registry_ids", "conditions", "keywords", "dates", "date_types", "criteria_blocks", "countries",
               "enrollment_groups"),
    "interventions": ("other_names", "arm_group_labels"),
    "outcomes": ("time_frame_events", "assessors"),
    "variants": ("genes",),
}
_BOOLEAN_COLUMNS = {"outcomes": ("time_frame_fully_parsed",), "variants": ("marked", "candidate"),
                    "trials": ("has_results", "healthy_volunteers")}


def read_sqlite(path: Path) -> Rows:
    """Every table of a SQLite export as typed rows (JSON text and 0/1 decoded)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables: Rows = {}
        for name in names:
            rows = []
            for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                d = dict(row)
                for col in _JSON_COLUMNS.get(name, ()):
                    d[col] = None if d[col] is None else json.loads(d[col])
                for col in _BOOLEAN_COLUMNS.get(name, ()):
                    d[col] = None if d[col] is None else bool(d[col])
                rows.append(d)
            tables[name] = rows
        return tables
    finally:
        conn.close()


def _coded(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    if row[f"{name}_text"] is None:
        return None
    return {"text": row[f"{name}_text"], "code": row[name]}


def _index(value: int | None) -> int | None:
    return None if value is None else value - 1


def _by_record(rows: list[dict[str, Any]], index: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["record_id"], r[index])):
        out.setdefault(row["record_id"], []).append(row)
    return out


def records_from_tables(tables: Rows) -> dict[str, dict[str, Any]]:
    """Canonical record dicts (as ``Record.to_dict`` gives them) rebuilt from the tables, by record id."""
    sponsors = _by_record(tables["sponsors"], "sponsor_index")
    arms = _by_record(tables["arm_groups"], "arm_group_index")
    interventions = _by_record(tables["interventions"], "intervention_index")
    outcomes = _by_record(tables["outcomes"], "outcome_index")
    criteria = _by_record(tables["criteria"], "criterion_index")
    variants = _by_record(tables["variants"], "variant_index")
    warnings = _by_record(tables["warnings"], "warning_index")
    extras = _by_record(tables["extras"], "extra_index")
    spans = _by_record(tables["spans"], "span_index")
    points: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for p in sorted(tables["time_points"], key=lambda r: (r["record_id"], r["outcome_index"], r["point_index"])):
        points.setdefault((p["record_id"], p["outcome_index"]), []).append(p)

    records = {}
    for t in tables["trials"]:
        rid = t["record_id"]
        lead = [s for s in sponsors.get(rid, []) if s["role"] == "lead"]
        records[rid] = {
            "record_id": rid,
            "source": {"format": t["source_format"], "path": t["source_path"], "registry": t["source_registry"]},
            "registry_ids": t["registry_ids"] or [],
            "title": t["title"],
            "official_title": t["official_title"],
            "acronym": t["acronym"],
            "summary": t["summary"],
            "detailed_description": t["detailed_description"],
            "phases": t["phases"].split(";") if t["phases"] else [],
            "study_type": _coded(t, "study_type"),
            "overall_status": _coded(t, "overall_status"),
            "design": {
                "allocation": _coded(t, "allocation"),
                "intervention_model": _coded(t, "intervention_model"),
                "masking": _coded(t, "masking"),
                "primary_purpose": _coded(t, "primary_purpose"),
            },
            "conditions": t["conditions"] or [],
            "countries": t["countries"] or [],
            "keywords": t["keywords"] or [],
            "enrollment": None
            if t["enrollment_count"] is None and t["enrollment_type_text"] is None and not t["enrollment_groups"]
            else {"count": t["enrollment_count"], "type": t["enrollment_type_text"], "groups": t["enrollment_groups"] or []},
            "sponsors": {
                "lead": {"agency": lead[0]["agency"], "agency_class": lead[0]["agency_class_text"]} if lead else None,
                "collaborators": [
                    {"agency": s["agency"], "agency_class": s["agency_class_text"]}
                    for s in sponsors.get(rid, [])
                    if s["role"] == "collaborator"
                ],
            },
            "source_organization": t["source_organization"],
            "dates": t["dates"] or {},
            "date_types": t["date_types"] or {},
            "arm_groups": [
                {"label": a["label"], "type": a["type_text"], "description": a["description"]}
                for a in arms.get(rid, [])
            ],
            "interventions": [
                {
                    "name": i["name"] or "",
                    "description": i["description"],
                    "type": i["type"],
                    "other_names": i["other_names"] or [],
                    "arm_group_labels": i["arm_group_labels"] or [],
                }
                for i in interventions.get(rid, [])
            ],
            "outcomes": [_outcome(o, points.get((rid, o["outcome_index"]), [])) for o in outcomes.get(rid, [])],
            "eligibility": {
                "criteria": [
                    {
                        "kind": c["kind"],
                        "number": c["number"],
                        "text": c["text"] or "",
                        "parent": _index(c["parent_index"]),
                        "section": c["section"],
                    }
                    for c in criteria.get(rid, [])
                ],
                "gender": _coded(t, "gender"),
                "minimum_age": t["minimum_age"],
                "maximum_age": t["maximum_age"],
                "healthy_volunteers": t["healthy_volunteers_text"],
                "minimum_age_years": t["minimum_age_years"] if t["source_registry"] else None,
                "maximum_age_years": t["maximum_age_years"] if t["source_registry"] else None,
                "criteria_blocks": t["criteria_blocks"] or [],
            },
            "variants": [
                {
                    "text": v["text"],
                    "kind": v["kind"],
                    "hgvs": v["hgvs"],
                    "gene": v["gene"],
                    "marked": v["marked"],
                    "criterion": _index(v["criterion_index"]),
                    "found_in": v["found_in"],
                    "candidate": v["candidate"],
                    "genes": v["genes"],
                    "name": v["name"],
                    "mention": v["mention"],
                }
                for v in variants.get(rid, [])
            ],
            "declared_variant_count": t["declared_variant_count"],
            "warnings": [
                {"code": w["code"], "message": w["message"] or "", "field": w["field"], "line": w["line"]}
                for w in warnings.get(rid, [])
            ],
            "extras": {
                e["label"] or "": e["text"] if e["text"] is not None else json.loads(e["json"])
                for e in extras.get(rid, [])
            },
            "spans": {s["field"]: [s["start"], s["end"], s["line"]] for s in spans.get(rid, [])},
            # the results are not rebuilt here: tests/formats/tables/test_results.py checks their rows
            "results": None if not t["has_results"] else {"in": "result tables"},
        }
    return records


def _outcome(o: dict[str, Any], points: list[dict[str, Any]]) -> dict[str, Any]:
    time_frame = None
    if o["time_frame"] is not None:
        time_frame = {
            "text": o["time_frame"],
            "points": [
                {"value": p["value"], "unit": p["unit"], "days": p["days"], "relation": p["relation"],
                 "anchor": p["anchor"]}
                for p in points
            ],
            "max_days": o["max_days"],
            "events": o["time_frame_events"] or [],
            "fully_parsed": o["time_frame_fully_parsed"],
        }
    else:
        assert not points, "time points of an outcome with no time frame"
    return {
        "type": o["type"],
        "measure": o["measure"] or "",
        "description": o["description"],
        "time_frame": time_frame,
        "abbreviation": o["abbreviation"],
        "assessors": o["assessors"] or [],
    }
