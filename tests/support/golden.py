"""Comparing a result with a golden expectation.

An expected value is a *subset* of the actual one: a dict names only the keys
it checks (each compared recursively), a list must have the same length and
each element must match, anything else must be equal. So a golden file says
exactly what its rule is about, and a key it names cannot silently change.
"""

from __future__ import annotations

from typing import Any


def mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place where ``actual`` does not match ``expected``; [] when it does."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(mismatches(value, actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}: {actual!r}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(mismatches(e, a, f"{path}[{i}]"))
        return out
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        return [] if abs(expected - actual) < 1e-9 else [f"{path}: expected {expected!r}, got {actual!r}"]
    if expected != actual or type(expected) is not type(actual) and not (
        isinstance(expected, (int, float)) and isinstance(actual, (int, float))
    ):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def check_reader_golden(expected: list[dict[str, Any]], results: list[Any], path: str,
                        reader_codes: set[str]) -> list[dict[str, Any]]:
    """Hold a reader's results for one fixture file to its ``NAME.expected.json``, in order.

    Each expected item is ``{"failure": {...}}`` (a failure at ``path`` saying what was expected)
    or ``{"record": {..., "warnings": [{code, field}]}}``: a subset of the checked canonical record,
    with the reader's own warnings (``reader_codes``; the normalisers may add others) exactly.
    Returns the canonical dicts of the records, for checks of the caller's own.
    """
    from registry_tool.errors import Failure
    from registry_tool.processing import check_record

    assert len(results) == len(expected)
    records = []
    for want, got in zip(expected, results):
        if "failure" in want:
            assert isinstance(got, Failure), f"expected a failure, got record {got.record_id}"
            assert mismatches(want["failure"], got.to_dict()) == []
            assert got.path == path
            assert "expected" in got.message
            continue
        assert not isinstance(got, Failure), got.describe()
        data, failure = check_record(got)
        assert failure is None, failure.describe()
        record = dict(want["record"])
        warnings = record.pop("warnings")
        assert mismatches(record, data) == []
        mine = [{"code": w["code"], "field": w["field"]} for w in data["warnings"] if w["code"] in reader_codes]
        assert mine == warnings
        records.append(data)
    return records
