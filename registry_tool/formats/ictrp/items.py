"""Interventions and outcomes of a WHO ICTRP export, split from their one text field each.

**Interventions** split at ``;`` only between entries: where what follows opens a new entry with a
label and a colon, the label being an intervention type (``Drug: X;Drug: Y``, ClinicalTrials.gov
rows) or a group ``Target_size`` names (``experimental group:...;control group:...``, ChiCTR), so a
``;`` inside a dose does not split. A type label gives the intervention's type code, a group label
its arm. Placeholder entries (``N/A``, ``None``, ``Nil``) are no interventions. A list the export
repeats whole (``Drug: A;Other: B;Drug: A;Other: B``, one copy per arm of ClinicalTrials.gov rows) is
kept once. EU CTR lists products as blocks of ``Product Name: ...`` lines: one intervention each,
named by its product (or trade) name, the block its description.

**Outcomes** split at ``;`` and at line breaks (a line starting in lower case continues the one
before: hard-wrapped text). A time frame is taken where the text gives one: ``Measure[Timepoint]``
(ANZCTR), ``... Timepoint: daily up to 14 days`` (IRCT), ``[Timeframe ...]``, an entry
``Time frame: 28 days`` or a bare duration (``5 years``, JPRN) after its measure. A line ending in
a colon (``Secondary endpoints:``) is a heading, kept aside; a ``;`` inside brackets does not split.
EU CTR's labelled sections (``Primary end point(s):``, ``Timepoint(s) of evaluation of this end
point:``) give one measure and its time frame, and its objectives are kept aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ... import vocabulary
from ...model import Intervention, Outcome, TimeFrame
from ...textclean import fold_ws
from .fields import label_key, split_outside_brackets

# Entries that are no intervention (by fields.label_key).
PLACEHOLDERS = frozenset({"na", "none", "nil", "no", "notapplicable", "null", "nointervention", "无"})

_ENTRY_LABEL = re.compile(r"\s*([^;:\n]{1,200}?)\s*[:：]")


@dataclass(slots=True)
class Interventions:
    items: list[Intervention] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # entries that are no intervention, as written
    collapsed: bool = False  # the export gave the whole list more than once; it is kept once


def _type_of(label: str) -> str | None:
    return vocabulary.INTERVENTION_TYPE.code(label)


_EU_PRODUCT = re.compile(r"^\s*(Product Name|Trade Name|INN or Proposed INN)\s*:\s*(\S.*)$", re.MULTILINE)


def collapse_repeats(items: list[Any]) -> list[Any]:
    """A list the export gives whole several times over (``A;B;A;B;A;B``), once; any other list as it is."""
    n = len(items)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and items == items[:size] * (n // size):
            return items[:size]
    return items


def split_interventions(text: str, groups: list[str]) -> Interventions:
    """The interventions of an ``Intervention`` field (see the module's docstring); ``groups`` are the
    group labels ``Target_size`` names."""
    result = Interventions()
    if _EU_PRODUCT.search(text):  # EU CTR: one block of "Label: value" lines a product, blank lines between
        for block in re.split(r"\n\s*\n", text):
            names = {label.lower(): value.strip() for label, value in _EU_PRODUCT.findall(block)}
            name = names.get("product name") or names.get("trade name") or names.get("inn or proposed inn")
            if name:
                result.items.append(Intervention(fold_ws(name), fold_ws(block), None))
            elif fold_ws(block):
                result.placeholders.append(fold_ws(block))  # a block naming no product: kept as written
        return result
    group_keys = {label_key(g): g for g in groups if label_key(g)}
    entries = _entries(text, group_keys)
    for entry in entries:
        folded = fold_ws(entry)
        if not folded:
            continue
        m = _ENTRY_LABEL.match(folded)
        name, kind, arm = folded, None, None
        if m:
            label = m[1].strip()
            rest = folded[m.end():].strip()
            if _type_of(label) is not None and rest:
                name, kind = rest, _type_of(label)
            elif label_key(label) in group_keys:
                name, arm = rest, label
        if label_key(name) in PLACEHOLDERS or not label_key(name):
            result.placeholders.append(folded)
            continue
        result.items.append(Intervention(name, None, kind, [], [arm] if arm else []))
    result.collapsed = len(collapse_repeats(result.items)) < len(result.items)
    result.items = collapse_repeats(result.items)
    return result


_DIGITS = re.compile(r"\d+")


def _family(label: str) -> str:
    """A numbered label's family: ``Intervention 2`` and ``Control Intervention1`` are of ``intervention``."""
    return label_key(_DIGITS.sub("", label))


# Labels that name an arm by their last word ("Immediate favipiravir arm:", "Control group:").
_ARM_WORDS = frozenset({"arm", "group", "cohort"})


def _same_family(label: str, first: str) -> bool:
    """Whether ``label`` opens an entry of the kind ``first`` does: numbered labels of one family
    (``Intervention 2`` after ``Intervention1``, ``Control Intervention1``), or arm labels
    (``Delayed favipiravir arm`` after ``Immediate favipiravir arm``)."""
    if _DIGITS.search(first):
        return bool(_DIGITS.search(label)) and _family(label).endswith(_family(first))
    last = first.split()[-1].lower() if first.split() else ""
    return last in _ARM_WORDS and label.split()[-1:] != [] and label.split()[-1].lower() == last


def _numbered_lines(text: str) -> list[str] | None:
    """Entries one a line where the lines open with labels of one family (CTRI's
    ``Intervention1: ...<br>Control Intervention1: ...``, DRKS's ``Group 1: ...<br>Group 2: ...``, JPRN's
    ``Immediate X arm: ...<br>Delayed X arm: ...``); a line without such a label continues the entry
    before. Numbered labels on one line split too (IRCT, DRKS: ``Intervention 1: ... Intervention 2:
    ...``). None where the text is not so written."""
    lines = text.split("\n")
    first = _ENTRY_LABEL.match(lines[0].strip())
    if first is None or not _family(first[1]):
        return None
    entries = [lines[0]]
    for line in lines[1:]:
        m = _ENTRY_LABEL.match(line.strip())
        if m and _same_family(m[1], first[1]):
            entries.append(line)
        else:
            entries[-1] += "\n" + line
    if len(entries) > 1:
        return entries
    if not _DIGITS.search(first[1]):
        return None
    words = _DIGITS.sub(" ", first[1]).split()
    inline = re.compile(r"(?<=\s)(?=" + r"\s*".join(map(re.escape, words)) + r"\s*\d+\s*:)", re.IGNORECASE)
    parts = inline.split(text)
    return parts if len(parts) > 1 else None


def _entries(text: str, group_keys: dict[str, str]) -> list[str]:
    if ";" not in text:
        numbered = _numbered_lines(text.strip())
        if numbered is not None:
            return numbered
    parts = text.split(";")
    entries = [parts[0]]
    # With no type or group to go by, an entry opens with any label where the first one does
    # (ChiCTR diagnostic studies: "Gold Standard:...;Index test:...").
    first = _ENTRY_LABEL.match(parts[0])
    any_label = bool(first) and _type_of(first[1]) is None and label_key(first[1]) not in group_keys
    for part in parts[1:]:
        m = _ENTRY_LABEL.match(part)
        opens = m is not None and (any_label or _type_of(m[1]) is not None or label_key(m[1]) in group_keys)
        if opens or not part.strip() or not entries[-1].strip():
            entries.append(part)
        else:
            entries[-1] += ";" + part
    return entries


# --- outcomes ---------------------------------------------------------------------------------

_EU_SECTION = re.compile(
    r"(?:^|;)\s*(Main Objective|Secondary Objective|Primary end point\(s\)|Secondary end point\(s\)|"
    r"Timepoint\(s\) of evaluation of this end point)\s*:",
    re.IGNORECASE,
)
_TIME_LABEL = re.compile(r"^(?P<measure>.*?)[\s.;,]*\b(?:time\s*frames?|time\s*points?|timepoints?)\s*[:：]\s*"
                         r"(?P<time>.+)$", re.IGNORECASE | re.DOTALL)
_BRACKET_TIME = re.compile(r"^(?P<measure>.*\S)\s*\[(?:time\s*frame\s*:?\s*|timepoint\s*:?\s*)?(?P<time>[^\[\]]+)\]"
                           r"\s*$", re.IGNORECASE | re.DOTALL)
_ONLY_TIME = re.compile(r"^\s*(?:time\s*frames?|time\s*points?|timepoints?)\s*[:：]\s*(?P<time>.+)$",
                        re.IGNORECASE | re.DOTALL)


# A line that is only a duration, after its measure (JPRN: "measure<br>5 years"): that measure's time frame.
_BARE_DURATION = re.compile(r"^(?P<time>\d+(?:\.\d+)?\s*(?:minutes?|hours?|days?|weeks?|months?|years?))$",
                            re.IGNORECASE)


@dataclass(slots=True)
class Outcomes:
    items: list[Outcome] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # label -> text that is no measure (EU CTR objectives)


def split_outcomes(text: str, kind: str) -> Outcomes:
    """The outcomes of a ``Primary_outcome`` / ``Secondary_outcome`` field (``kind``: primary/secondary)."""
    result = Outcomes()
    sections = list(_EU_SECTION.finditer(text))
    if sections:
        _eu_outcomes(text, sections, kind, result)
        return result
    headings: list[str] = []
    for entry in _outcome_entries(text):
        only = _ONLY_TIME.match(entry) or _BARE_DURATION.match(entry)
        if only and result.items and result.items[-1].time_frame is None:
            result.items[-1].time_frame = TimeFrame(fold_ws(only["time"]))
            continue
        if entry.endswith(":") and len(entry) <= 80:  # a heading over the measures (Secondary endpoints:)
            headings.append(entry)
            continue
        measure, time = entry, None
        m = _BRACKET_TIME.match(entry) or _TIME_LABEL.match(entry)
        if m and m["measure"].strip(" .;,"):
            measure, time = m["measure"], m["time"]
        measure = fold_ws(measure)
        time = fold_ws(time) if time else None
        result.items.append(Outcome(type=kind, measure=measure, time_frame=TimeFrame(time) if time else None))
    if headings:
        result.kept["headings"] = "\n".join(headings)
    return result


def _outcome_entries(text: str) -> list[str]:
    entries: list[str] = []
    for part in split_outside_brackets(text):
        lines = [line for line in part.split("\n") if line.strip()]
        merged: list[str] = []
        for line in lines:
            if merged and (line.lstrip()[:1].islower() or merged[-1].rstrip().endswith((",", " and", " or"))):
                merged[-1] += " " + line
            else:
                merged.append(line)
        entries.extend(fold_ws(m) for m in merged if fold_ws(m))
    return entries


def _eu_outcomes(text: str, sections: list[re.Match[str]], kind: str, result: Outcomes) -> None:
    """EU CTR's labelled sections, in any order: each end point section is a measure, paired with the
    time point section of the same rank (the n-th end point with the n-th time point)."""
    before = fold_ws(text[: sections[0].start()])
    if before:
        result.kept["(before the sections)"] = before
    measures: list[str] = []
    times: list[str] = []
    for i, section in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(text)
        label = section[1]
        body = fold_ws(text[section.end():end])
        if not body:
            continue
        k = vocabulary.key(label)
        if k.endswith("endpoints"):
            measures.append(body)
        elif k.startswith("timepoints"):
            times.append(body)
        else:
            result.kept[label] = body if label not in result.kept else result.kept[label] + " " + body
    for i, measure in enumerate(measures):
        time = times[i] if i < len(times) else None
        result.items.append(Outcome(type=kind, measure=measure, time_frame=TimeFrame(time) if time else None))
    for time in times[len(measures):]:
        label = "Timepoint(s) of evaluation of this end point"
        result.kept[label] = time if label not in result.kept else result.kept[label] + " " + time
