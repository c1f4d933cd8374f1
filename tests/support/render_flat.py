"""Render a legacy registry XML record into the flattened text layout (FORMAT.md).

Used by the breadth test and the parse benchmark: the truth comes straight
from the XML (with lxml, independently of the package's importers), the
rendering follows FORMAT.md, and the parser must give every rendered field
back. A rendered entry looks like a curator's: summary lines, ``Name:``
lines, ``Description:`` before each ``Measure: m. Time: t`` with the next
label glued to the time frame, ``Allocation:``, the model line, a variant
count line, and the criteria lines.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from lxml import etree

# Lines a value's continuation must not start with: they would start a field
# (FORMAT rule 6). Criteria headings may stand in the criteria block only.
_FIELD_START = re.compile(
    r"^(?:name|description|measure|allocation|intervention\s+model)\s*:"
    r"|^(?:single[ \t-]*group|parallel|cross[ \t-]*over|factorial|sequential)([ \t]+assignment)?[ \t]*\.?$"
    r"|^there\s+(?:is|are)\s+\S+\s+snps?\.?$",
    re.IGNORECASE,
)
_STRUCTURAL_START = re.compile(
    _FIELD_START.pattern + r"|^(?:key\s+)?(?:inclusion|exclusion)\s+criteria\b", re.IGNORECASE
)


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass
class Truth:
    """What the rendered entry states, taken from the XML."""

    nct_id: str
    summary: str | None
    interventions: list[str] = field(default_factory=list)
    intervention_description: str | None = None  # of the last intervention, where rendered
    # (measure, description lines, time frame) of each outcome, in order
    outcomes: list[tuple[str, list[str], str | None]] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    allocation: str | None = None
    model: str | None = None
    criteria_lines: list[str] = field(default_factory=list)


def _value_lines(text: str | None) -> list[str]:
    """A multi-line value as lines, none starting like a label (those join the line above)."""
    out: list[str] = []
    for raw in (text or "").splitlines():
        line = fold(raw)
        if not line:
            continue
        if out and _STRUCTURAL_START.match(line):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def _criteria_lines(text: str | None) -> list[str]:
    """The criteria block's lines with their relative indentation (nesting) kept.

    Only lines that would start another field (a label, the model or
    variant-count line) join the line above; criteria headings stay.
    """
    out: list[str] = []
    for raw in textwrap.dedent((text or "").replace("\r\n", "\n").replace("\r", "\n")).splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if out and _FIELD_START.match(line.strip()):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def truth_from_xml(data: bytes) -> Truth | None:
    """The fields to render, or None for a record with no outcomes."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    outcomes = []
    for tag in ("primary_outcome", "secondary_outcome", "other_outcome"):
        for el in root.iterfind(tag):
            outcomes.append((fold(el.findtext("measure")), _value_lines(el.findtext("description")),
                             fold(el.findtext("time_frame")) or None))
    if not outcomes:
        return None
    summary_lines = _value_lines(root.findtext("brief_summary/textblock"))
    truth = Truth(
        nct_id=root.findtext("id_info/nct_id") or "",
        summary=" ".join(summary_lines) or None,
        summary_lines=summary_lines,
        interventions=[fold(el.findtext("intervention_name")) for el in root.iterfind("intervention")],
        allocation=fold(root.findtext("study_design_info/allocation")) or None,
        model=fold(root.findtext("study_design_info/intervention_model")) or None,
        outcomes=outcomes,
    )
    truth.interventions = [n for n in truth.interventions if n]
    last = root.findall("intervention")
    if truth.interventions and last and outcomes[0][1]:
        # Rule 5: a description right after the Name line, then the first outcome's description.
        truth.intervention_description = fold(last[-1].findtext("description")) or None
    truth.criteria_lines = _criteria_lines(root.findtext("eligibility/criteria/textblock"))
    return truth


def render(truth: Truth) -> str:
    """The flattened entry for ``truth`` (LF line ends, no final newline)."""
    lines: list[str] = list(truth.summary_lines)
    lines += [f"Name: {name}" for name in truth.interventions]
    if truth.intervention_description:
        lines.append(f"Description: {truth.intervention_description}")
    glued = ""  # the line ending in a time frame, to which the next label is glued (rule 2)
    for measure, description, time in truth.outcomes:
        if description:
            first, *more = description
            lines.append(f"{glued}Description: {first}")
            lines.extend(more)
            glued = ""
        glued += f"Measure: {measure}. Time: {time or ''}"
    lines.append(f"{glued}Allocation: {truth.allocation}" if truth.allocation else glued)
    if truth.model:
        lines.append(truth.model)
    lines.append("There is no SNP")
    lines.extend(truth.criteria_lines)
    return "\n".join(lines)
