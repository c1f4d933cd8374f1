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
