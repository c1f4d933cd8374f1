"""Outcome enrichment from the measure text: the abbreviation it defines and who assesses it.

``abbreviation``: the abbreviation defined for the measure's own name, its
head phrase: "Overall Remission Rate (ORR), which includes Complete Remission
(CR) ..." gives ORR, not CR. The head phrase starts the measure, after a
label such as "Part 1:" and optionally a lead-in such as "Assessment of" or
"Change from baseline in"; its abbreviation follows it in parentheses and
its letters are the initials (or letters, in order) of the phrase's words
("Progression-Free Survival (PFS)", "Maximum Tolerated Dose (MTD)"). An
abbreviation defined later in the measure ("In vivo Pharmacokinetic (PK)
profile") is not the measure's: the field stays null.

``assessors``: who assesses the measure where the measure says so ("as
determined by", "assessed by", "per", "by ... and ...", "investigator-
assessed"), in the order written, each once, in these normal forms:

========================================================  =================
written                                                   normal form
========================================================  =================
Blinded Independent Central Review, BICR                  BICR
Blinded Independent Review Committee, BIRC                BIRC
Independent Review Committee / Panel, IRC                 IRC
Independent Response Review Committee, IRRC               IRRC
Independent Central Review, ICR                           ICR
Independent Review Facility, IRF                          IRF
Independent Radiology Review, IRR                         IRR
central review / central reader / central laboratory      Central review
Investigator(s), the investigator's, local investigator   Investigator
Sponsor                                                   Sponsor
physician(s), clinician(s), radiologist(s), ...           Physician, Clinician, Radiologist, ...
participant(s), patient(s), subject(s), self-report       Participant
========================================================  =================

Instruments and criteria ("by RECIST 1.1", "by CTCAE", "by the Oura
ring") are not assessors.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Outcome

_ASSESSORS: list[tuple[str, str]] = [
    (r"blinded\s+independent\s+central\s+review(?:\s+committee)?(?:\s*\(BICR\))?|BICR", "BICR"),
    (r"blinded\s+independent\s+review\s+committee(?:\s*\(BIRC\))?|BIRC", "BIRC"),
    (r"independent\s+response\s+review\s+committee(?:\s*\(IRRC\))?|IRRC", "IRRC"),
    (r"independent\s+(?:central\s+)?review\s+(?:committee|panel|board)(?:\s*\(IRC\))?|IRC", "IRC"),
    (r"independent\s+central\s+review(?:\s*\(ICR\))?|ICR", "ICR"),
    (r"independent\s+review\s+facility(?:\s*\(IRF\))?|IRF", "IRF"),
    (r"independent\s+radiolog(?:y|ic|ical)\s+review(?:\s*\(IRR\))?|IRR", "IRR"),
    (r"central\s+(?:review|reader|reading|laboratory|lab|radiology\s+review)s?", "Central review"),
    (r"(?:local\s+|site\s+|treating\s+|study\s+)?investigators?(?:'s?|’s?)?", "Investigator"),
    (r"(?:the\s+)?sponsor", "Sponsor"),
    (r"(?:treating\s+)?physicians?", "Physician"),
    (r"clinicians?", "Clinician"),
    (r"radiologists?", "Radiologist"),
    (r"pathologists?", "Pathologist"),
    (r"physiotherapists?|physical\s+therapists?", "Physiotherapist"),
    (r"occupational\s+therapists?", "Occupational Therapist"),
    (r"nurses?", "Nurse"),
    (r"caregivers?|carers?", "Caregiver"),
    (r"parents?", "Parent"),
    (r"participants?|patients?|subjects?|self[- ]report(?:ed|s)?", "Participant"),
]
_ASSESSOR = re.compile(
    r"(?:the\s+|an?\s+|both\s+|either\s+)?(?:" + "|".join(f"(?P<a{i}>{p})" for i, (p, _) in enumerate(_ASSESSORS)) + r")\b",
    re.IGNORECASE,
)
_CUE = re.compile(r"\b(?P<cue>by|per|according\s+to)\s+", re.IGNORECASE)
# People in general (not a review body) assess a measure only after a verb: "as reported by the
# patient", "assessed by the physician"; "events per participant", "opioid use by patient" are not.
_PEOPLE = frozenset({"Physician", "Clinician", "Radiologist", "Pathologist", "Physiotherapist",
                     "Occupational Therapist", "Nurse", "Caregiver", "Parent", "Participant"})
_ASSESSING_VERB = re.compile(
    r"\b(?:assessed|determined|evaluated|measured|reported|rated|judged|reviewed|confirmed|considered|observed|"
    r"completed|documented|recorded|graded|scored|performed|done)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_NOT_ASSESSING = re.compile(r"\s+(?:who|that|which|with|whose|receiving|treated|taking)\b", re.IGNORECASE)
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*|\s*&\s*|\s+as\s+well\s+as\s+)", re.IGNORECASE)
_SUFFIXED = re.compile(
    r"\b(?P<who>BICR|IRC|ICR|IRF|IRRC|investigator|sponsor)[-\s](?:assessed|assessment|reviewed|review|evaluated|"
    r"evaluation|determined|reported)\b",
    re.IGNORECASE,
)

# "Part 1:", "Phase 3:", "PK:", "R1:": a label before the measure's name
_LABEL = re.compile(r"^\s*(?:[\w.-]+\s+){0,2}[\w.-]+\s*:\s+")
_LEAD_INS = re.compile(
    r"^(?:(?:assessment|evaluation|determination|measurement|estimation|analysis)\s+of\s+(?:the\s+)?"
    r"|(?:(?:mean|median|percent(?:age)?|absolute|relative)\s+)?change\s+(?:from\s+baseline\s+)?in\s+(?:the\s+)?)",
    re.IGNORECASE,
)
_PAREN_ABBREVIATION = re.compile(r"\((?P<abbr>[A-Za-z][\w&/-]{0,11})\)")


def _assessor_name(m: re.Match[str]) -> str:
    for i, (_, name) in enumerate(_ASSESSORS):
        if m.group(f"a{i}"):
            return name
    raise AssertionError("an assessor alternative always matches")


def _may_contain(text: str, words: tuple[str, ...]) -> bool:
    """False when a case-blind pattern that needs one of ``words`` cannot match ``text``.

    Only ASCII text is ruled out: there ``str.lower`` folds case exactly as
    the patterns' IGNORECASE does.
    """
    if not text.isascii():
        return True
    low = text.lower()
    return any(word in low for word in words)


_CUE_WORDS = ("by", "per", "according")
_SUFFIX_WORDS = ("assess", "review", "evaluat", "determined", "reported")


def assessors_of(measure: str) -> list[str]:
    """Who assesses a measure, where it says so (normal forms in the module docstring)."""
    found: list[tuple[int, str]] = []
    cues = _CUE.finditer(measure) if _may_contain(measure, _CUE_WORDS) else ()
    for cue in cues:
        pos = cue.end()
        after_verb = bool(_ASSESSING_VERB.search(measure, max(0, cue.start() - 40), cue.start()))
        while True:
            m = _ASSESSOR.match(measure, pos)
            if m is None or not _word_ends(measure, m.end()):
                break
            name = _assessor_name(m)
            cue_word = cue.group("cue").lower()
            if name in _PEOPLE and (
                cue_word == "per" or (cue_word == "by" and not after_verb) or _NOT_ASSESSING.match(measure, m.end())
            ):
                break
            found.append((m.start(), name))
            joined = _JOIN.match(measure, m.end())
            if joined is None:
                break
            pos = joined.end()
    for m in _SUFFIXED.finditer(measure) if _may_contain(measure, _SUFFIX_WORDS) else ():
        inner = _ASSESSOR.match(measure, m.start("who"))
        if inner is not None:
            found.append((m.start(), _assessor_name(inner)))
    names: list[str] = []
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names


_WORD = re.compile(r"[\w']+")
_WORD_BREAK = re.compile(r"[\s-]+")
_PUNCTUATION = re.compile(r"[,;:()]")


def _word_ends(text: str, end: int) -> bool:
    return end >= len(text) or not text[end].isalnum()


def _definition_start(before: str, abbreviation: str) -> int | None:
    """Where the phrase an abbreviation stands for starts in ``before`` (Schwartz-Hearst), or None."""
    letters = [c.lower() for c in abbreviation if c.isalnum()]
    if len(letters) < 2:
        return None
    i = len(before) - 1
    for k in range(len(letters) - 1, -1, -1):
        c = letters[k]
        while i >= 0 and (before[i].lower() != c or (k == 0 and i > 0 and before[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    start = i + 1
    words = _WORD.findall(before[start:])
    if len(words) > min(len(letters) + 5, len(letters) * 2 + 1):
        return None
    return start


_MINOR_WORDS = frozenset({"of", "the", "to", "in", "and", "for", "with", "a", "an", "on", "at", "by", "or"})


def _initials_match(phrase: str, abbreviation: str) -> bool:
    """Whether the abbreviation is the initials of the phrase's words, minor words left out or not."""
    letters = "".join(c for c in abbreviation.lower() if c.isalpha())
    words = [w for w in _WORD_BREAK.split(phrase.lower()) if w and w[0].isalnum()]
    if len(letters) < 2 or not words:
        return False
    initials = "".join(w[0] for w in words)
    major = "".join(w[0] for w in words if w not in _MINOR_WORDS)
    return letters in (initials, major)


def _one_word_or_none(text: str) -> bool:
    return len(text.split()) <= 1 and not _PUNCTUATION.search(text)


def abbreviation_of(measure: str) -> str | None:
    """The abbreviation the measure defines for its own name (see the module docstring)."""
    if "(" not in measure:
        return None
    label = _LABEL.match(measure) if ":" in measure else None
    head = label.end() if label else 0
    starts = {head}
    lead = _LEAD_INS.match(measure, head)
    if lead:
        starts.add(lead.end())
    for m in _PAREN_ABBREVIATION.finditer(measure):
        abbr = m.group("abbr")
        if not any(c.isupper() for c in abbr) or abbr.lower() in ("i", "ii", "iii", "iv", "e.g", "ie"):
            continue
        before = measure[: m.start()].rstrip()
        if any(_initials_match(before[s:], abbr) for s in starts):
            return abbr  # "Time to Treatment Failure (TTF)": the initials of the head phrase
        start = _definition_start(before, abbr)
        # the phrase starts the measure, or its second word does ("3-year Disease-free Survival (DFS)")
        if start is not None and any(s <= start and _one_word_or_none(before[s:start]) for s in starts):
            return abbr
        if start is not None and start > max(starts):
            return None  # the first abbreviation names something inside the measure
    return None


@lru_cache(maxsize=8192)
def _measure_facts(measure: str) -> tuple[str | None, tuple[str, ...]]:
    """(abbreviation, assessors) of a measure, worked out once per distinct measure: registries
    repeat their measures ("Overall survival", "Number of participants with adverse events")."""
    return abbreviation_of(measure), tuple(assessors_of(measure))


def enrich_outcome(outcome: Outcome) -> None:
    """Fill ``abbreviation`` and ``assessors`` from the measure where it states them and they are empty."""
    abbreviation, assessors = _measure_facts(outcome.measure or "")
    if outcome.abbreviation is None:
        outcome.abbreviation = abbreviation
    if not outcome.assessors:
        outcome.assessors = list(assessors)
