"""``Study_design`` of a WHO ICTRP export: allocation, intervention model, masking and purpose codes.

The registers write it in three styles, each read here:

* **labelled** (ClinicalTrials.gov, ANZCTR, DRKS, IRCT, CRIS, NTR):
  ``Allocation: Randomized. Intervention model: Parallel Assignment. Primary purpose: Treatment.
  Masking: None (Open Label).``, ``Purpose: Treatment; Allocation: Randomised controlled trial; ...``,
  ``Randomization: Randomized, Blinding: Single blinded, Assignment: Parallel``;
* **flags** (EU CTR): ``Controlled: yes Randomised: yes Open: no ... Parallel group: yes Cross over: no``;
* **terms** (ChiCTR's one word: ``Parallel``, ``Single arm``, ``Non randomized control``; JPRN and
  NL-OMON's comma lists: ``randomized controlled trial, open(masking not used), parallel assignment,
  treatment purpose``).

A value that maps to no code keeps its text (``unknown-code``); one that could mean more than one
(``Randomized: No`` in a trial that may be single-arm, ChiCTR's ``Sequential`` or ``Factorial`` in a
study that is not interventional) keeps its text with no code (``ambiguous-value``). The caller keeps the whole text in
``extras`` whenever some part of it fitted no field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import vocabulary
from ...model import CodedText, Design
from ...textclean import fold_ws

_LABELS = vocabulary.ICTRP_DESIGN_LABELS
# The labels ClinicalTrials.gov rows use, which the field names say.
_OWN_LABELS = frozenset({"allocation", "interventionmodel", "primarypurpose", "masking"})
_CONCEPTS = {
    "allocation": vocabulary.ALLOCATION, "intervention_model": vocabulary.INTERVENTION_MODEL,
    "masking": vocabulary.MASKING, "primary_purpose": vocabulary.PRIMARY_PURPOSE,
}
# A label: words and / ( ) after the start or a separator, then a colon.
_LABEL = re.compile(r"(?:^|(?<=[.;,\n]))\s*([A-Za-z][A-Za-z /()-]{0,40}?)\s*:")

_TERMS = vocabulary.ICTRP_DESIGN_TERMS
_VALUES = vocabulary.ICTRP_DESIGN_VALUES
_EU_FLAG = re.compile(r"([A-Za-z][A-Za-z ,()]*?)\s*:\s*(yes|no)\b", re.IGNORECASE)


@dataclass(slots=True)
class DesignReading:
    """What ``Study_design`` gave: the design, the warnings to give, and whether all of it was read."""

    design: Design = field(default_factory=Design)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    complete: bool = True


def read_design(text: str, study_type: str | None) -> DesignReading:
    """The design codes ``Study_design`` gives (see the module's docstring); ``study_type`` is the record's
    study type code, which tells whether ChiCTR's ``Sequential`` is an intervention model."""
    reading = DesignReading()
    folded = fold_ws(text)
    if not folded:
        return reading
    if re.search(r"\bRandomised\s*:\s*(yes|no)", text, re.IGNORECASE) and "ontrolled:" in text:
        _read_flags(text, reading)
    elif _LABEL.search(folded):
        _read_labelled(folded, reading)
    else:
        _read_terms(folded, reading, study_type)
    return reading


def _set(reading: DesignReading, name: str, text: str, code: str | None) -> None:
    if getattr(reading.design, name) is not None:  # given twice: the first stays, the text is kept in extras
        reading.complete = False
        return
    setattr(reading.design, name, CodedText(text, code))


def _value(reading: DesignReading, name: str, label: str, value: str) -> None:
    concept = _CONCEPTS[name]
    k = vocabulary.key(value)
    why = vocabulary.AMBIGUOUS.get(name, {}).get(k)
    if why is not None:
        _set(reading, name, value, None)
        reading.warnings.append(("ambiguous-value", f"Study_design {label}: {value!r} is ambiguous ({why}); "
                                 "text kept, no code"))
        return
    code = concept.code(value) or _VALUES.get(name, {}).get(k)
    if code is None and name == "allocation":
        code = "NON_RANDOMIZED" if k.startswith(("nonrandom", "notrandom")) else (
            "RANDOMIZED" if k.startswith("random") else None)
    if code is None:
        reading.warnings.append(("unknown-code", f"Study_design {label}: {value!r} is not a known "
                                 f"{concept.described}; text kept, code null"))
    _set(reading, name, value, code)


def _read_labelled(text: str, reading: DesignReading) -> None:
    marks = list(_LABEL.finditer(text))
    if marks[0].start(1) > 0 and text[: marks[0].start()].strip(" .;,"):
        reading.complete = False  # text before the first label
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        label = mark[1].strip()
        value = text[mark.end():end].strip(" .;,")
        name = _LABELS.get(vocabulary.key(label))
        if name is None:  # a label no field has (Control:, Type of endpoint:), even with no value
            reading.complete = False
            continue
        if vocabulary.key(label) not in _OWN_LABELS:
            reading.complete = False  # the register's own word for the field (Blinding): the text is kept
        if value:
            _value(reading, name, label, value)


def _read_flags(text: str, reading: DesignReading) -> None:
    reading.complete = False  # comparator, placebo and arm counts have no field: the text is kept
    flags = {vocabulary.key(name): answer.lower() == "yes" for name, answer in _EU_FLAG.findall(text)}
    controlled = flags.get("controlled")
    if "randomised" in flags:
        if flags["randomised"]:
            _set(reading, "allocation", "Randomised: yes", "RANDOMIZED")
        elif controlled:
            _set(reading, "allocation", "Randomised: no", "NON_RANDOMIZED")
        else:
            _set(reading, "allocation", "Randomised: no", None)
            reading.warnings.append(("ambiguous-value", "Study_design Randomised: no in an uncontrolled trial may "
                                     "be non-randomised or single-arm (not applicable); text kept, no code"))
    models = [(n, c) for n, w, c in (("Parallel group: yes", "parallelgroup", "PARALLEL"),
                                     ("Cross over: yes", "crossover", "CROSSOVER")) if flags.get(w)]
    if len(models) == 1:
        _set(reading, "intervention_model", *models[0])
    elif models:
        _set(reading, "intervention_model", "; ".join(n for n, _ in models), None)
        reading.warnings.append(("ambiguous-value", "Study_design flags both parallel group and cross over; "
                                 "text kept, no code"))
    maskings = [(n, c) for n, w, c in (("Open: yes", "open", "NONE"), ("Single blind: yes", "singleblind", "SINGLE"),
                                       ("Double blind: yes", "doubleblind", "DOUBLE")) if flags.get(w)]
    if len(maskings) == 1:
        _set(reading, "masking", *maskings[0])
    elif maskings:
        _set(reading, "masking", "; ".join(n for n, _ in maskings), None)
        reading.warnings.append(("ambiguous-value", "Study_design flags more than one masking; text kept, no code"))


def _read_terms(text: str, reading: DesignReading, study_type: str | None) -> None:
    for term in (t.strip(" .;") for t in text.split(",")):
        k = vocabulary.key(term)
        if not k:
            continue
        if k.endswith("purpose") and vocabulary.PRIMARY_PURPOSE.code(term[: -len("purpose")]):
            _set(reading, "primary_purpose", term, vocabulary.PRIMARY_PURPOSE.code(term[: -len("purpose")]))
            continue
        found = _TERMS.get(k)
        if found is None:
            purpose = vocabulary.PRIMARY_PURPOSE.code(term)
            if purpose is not None and reading.design.primary_purpose is None:
                _set(reading, "primary_purpose", term, purpose)
            else:
                reading.complete = False
            continue
        if study_type != "INTERVENTIONAL" and any(name == "intervention_model" for name, _ in found):
            # ChiCTR gives its design words (Sequential, Factorial, Parallel) to observational and
            # diagnostic studies too, where they are no intervention model
            _set(reading, "intervention_model", term, None)
            reading.warnings.append(("ambiguous-value", f"Study_design {term!r} in a study that is not (known to "
                                     "be) interventional is not surely an intervention model; text kept, no code"))
            found = tuple(f for f in found if f[0] != "intervention_model")
        for name, code in found:
            _set(reading, name, term, code)
