"""Phases stated in prose: "a Phase II, single-arm trial" -> PHASE2."""

from __future__ import annotations

import re

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}

# "Phase II", "phase 1/2", "Phase I/II", "phase 2b", "Phase III-IV", "Phase 0", "early phase 1"
_PHASE_IN_PROSE = re.compile(
    r"\b(early\s+)?phase\s*[- ]?\s*(0|iv|iii|ii|i|[1-4])[ab]?"
    r"(?:\s*(?:/|-|and|or|to)\s*(?:phase\s*)?(iv|iii|ii|i|[1-4])[ab]?)?\b",
    re.IGNORECASE,
)


def phases_in_prose(text: str | None) -> tuple[list[str], list[str]]:
    """Phases a summary states ("Phase II" -> PHASE2) and the phrases that said so."""
    if not text or "phase" not in text.lower():
        return [], []
    codes: list[str] = []
    phrases: list[str] = []
    for m in _PHASE_IN_PROSE.finditer(text):
        found = []
        if m.group(1):
            found.append("EARLY_PHASE1")
        else:
            for g in (m.group(2), m.group(3)):
                if g:
                    g = _ROMAN.get(g.lower(), g)
                    found.append("EARLY_PHASE1" if g == "0" else f"PHASE{g}")
        for code in found:
            if code not in codes:
                codes.append(code)
        phrases.append(m.group(0))
    order = ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]
    codes.sort(key=order.index)
    return codes, phrases
