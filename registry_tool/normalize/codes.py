"""Design fields and enumerations: the usual spellings to contract codes.

Each table maps a *key* (lower case, letters and digits only) to a code, so
``Non-Randomized``, ``non randomised`` and ``NON_RANDOMIZED`` all meet. A
spelling no table knows gives ``None``; callers keep the text and warn.
"""

from __future__ import annotations

import re

from ..model import CodedText

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def key(text: str) -> str:
    """Lower case with everything but letters and digits removed."""
    return _NON_ALNUM.sub("", text.lower())


ALLOCATION = {
    "randomized": "RANDOMIZED",
    "randomised": "RANDOMIZED",
    "random": "RANDOMIZED",
    "nonrandomized": "NON_RANDOMIZED",
    "nonrandomised": "NON_RANDOMIZED",
    "notrandomized": "NON_RANDOMIZED",
    "notrandomised": "NON_RANDOMIZED",
    "na": "NA",
    "notapplicable": "NA",
}

INTERVENTION_MODEL = {
    "singlegroupassignment": "SINGLE_GROUP",
    "singlegroup": "SINGLE_GROUP",
    "singlearm": "SINGLE_GROUP",
    "parallelassignment": "PARALLEL",
    "parallel": "PARALLEL",
    "parallelgroup": "PARALLEL",
    "crossoverassignment": "CROSSOVER",
    "crossover": "CROSSOVER",
    "factorialassignment": "FACTORIAL",
    "factorial": "FACTORIAL",
    "sequentialassignment": "SEQUENTIAL",
    "sequential": "SEQUENTIAL",
}

INTERVENTION_TYPE = {
    "drug": "DRUG",
    "device": "DEVICE",
    "biological": "BIOLOGICAL",
    "biologicalvaccine": "BIOLOGICAL",
    "procedure": "PROCEDURE",
    "proceduresurgery": "PROCEDURE",
    "radiation": "RADIATION",
    "behavioral": "BEHAVIORAL",
    "behavioural": "BEHAVIORAL",
    "genetic": "GENETIC",
    "dietarysupplement": "DIETARY_SUPPLEMENT",
    "combinationproduct": "COMBINATION_PRODUCT",
    "diagnostictest": "DIAGNOSTIC_TEST",
    "other": "OTHER",
}

STUDY_TYPE = {
    "interventional": "INTERVENTIONAL",
    "observational": "OBSERVATIONAL",
    "observationalpatientregistry": "OBSERVATIONAL",
    "expandedaccess": "EXPANDED_ACCESS",
    "na": "NA",
}

OVERALL_STATUS = {
    "activenotrecruiting": "ACTIVE_NOT_RECRUITING",
    "completed": "COMPLETED",
    "enrollingbyinvitation": "ENROLLING_BY_INVITATION",
    "notyetrecruiting": "NOT_YET_RECRUITING",
    "recruiting": "RECRUITING",
    "suspended": "SUSPENDED",
    "terminated": "TERMINATED",
    "withdrawn": "WITHDRAWN",
    "available": "AVAILABLE",
    "nolongeravailable": "NO_LONGER_AVAILABLE",
    "temporarilynotavailable": "TEMPORARILY_NOT_AVAILABLE",
    "approvedformarketing": "APPROVED_FOR_MARKETING",
    "withheld": "WITHHELD",
    "unknownstatus": "UNKNOWN",
    "unknown": "UNKNOWN",
}

GENDER = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}

MASKING = {
    "none": "NONE",
    "noneopenlabel": "NONE",
    "openlabel": "NONE",
    "nomasking": "NONE",
    "single": "SINGLE",
    "singleblind": "SINGLE",
    "double": "DOUBLE",
    "doubleblind": "DOUBLE",
    "tripleblind": "TRIPLE",
    "quadrupleblind": "QUADRUPLE",
    "triple": "TRIPLE",
    "quadruple": "QUADRUPLE",
}

PRIMARY_PURPOSE = {
    "treatment": "TREATMENT",
    "prevention": "PREVENTION",
    "diagnostic": "DIAGNOSTIC",
    "supportivecare": "SUPPORTIVE_CARE",
    "screening": "SCREENING",
    "healthservicesresearch": "HEALTH_SERVICES_RESEARCH",
    "basicscience": "BASIC_SCIENCE",
    "devicefeasibility": "DEVICE_FEASIBILITY",
    "educationalcounselingtraining": "EDUCATIONAL_COUNSELING_TRAINING",
    "other": "OTHER",
    "ect": "ECT",
}

# Phases: registry XML ("Phase 1/Phase 2", "Early Phase 1", "N/A"), API v2
# enums ("PHASE1"), and prose ("Phase II", "phase 1b").
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
PHASE = {
    "earlyphase1": "EARLY_PHASE1",
    "phase0": "EARLY_PHASE1",
    "phase1": "PHASE1",
    "phase2": "PHASE2",
    "phase3": "PHASE3",
    "phase4": "PHASE4",
    "na": "NA",
    "notapplicable": "NA",
}


def lookup(table: dict[str, str], text: str | None) -> str | None:
    """The code ``text`` spells in ``table``, or None."""
    if text is None:
        return None
    return table.get(key(text))


def coded(table: dict[str, str], text: str | None) -> CodedText | None:
    """``CodedText(text, code)``; None for a missing or blank text."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    return CodedText(text, table.get(key(text)))


def phases_from_registry(text: str | None) -> list[str]:
    """Codes of a registry phase value: ``Phase 1/Phase 2`` -> [PHASE1, PHASE2].

    Unknown parts are left out; callers compare lengths to warn.
    """
    if not text:
        return []
    whole = PHASE.get(key(text))
    if whole is not None:  # "N/A" is one value, not "N" and "A"
        return [whole]
    out: list[str] = []
    for part in re.split(r"[/,]|\band\b", text):
        code = PHASE.get(key(part))
        if code and code not in out:
            out.append(code)
    return out


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
