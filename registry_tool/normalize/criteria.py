"""Eligibility criteria: a block of text to items with kind, number and nesting.

PROVISIONAL minimal version (foundation); issue 5 replaces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Criterion

_NUMBERED = re.compile(r"^\s*(\d+[a-z]?)[.)]\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*\u2022]\s+(.*)$")
_HEADING = re.compile(r"^\s*(inclusion|exclusion)\s+criteria\s*:?\s*(.*)$", re.IGNORECASE)


@dataclass(slots=True)
class CriterionSpan:
    """A criterion and the 0-based lines of the block it was built from."""

    criterion: Criterion
    first_line: int
    last_line: int


def split_criteria_lines(lines: list[str]) -> list[CriterionSpan]:
    """Criteria from the lines of a block (flattened text or registry text block)."""
    spans: list[CriterionSpan] = []
    kind = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        h = _HEADING.match(line)
        if h:
            kind = h.group(1).lower()
            if not h.group(2).strip():
                continue
            line = h.group(2)
        m = _NUMBERED.match(line)
        if m:
            spans.append(CriterionSpan(Criterion(m.group(2).strip(), kind, m.group(1)), i, i))
            continue
        b = _BULLET.match(line)
        text = (b.group(1) if b else line).strip()
        spans.append(CriterionSpan(Criterion(text, kind, None), i, i))
    return spans


def split_criteria(text: str) -> list[Criterion]:
    """Criteria from a registry criteria text block."""
    return [s.criterion for s in split_criteria_lines(text.splitlines())]
