"""The ClinicalTrials.gov ``clinical_study`` XML layout and its mapping to the record.

This is the one declarative description of registry XML used in both
directions: the importer (:mod:`registry_tool.importers.ctgov_xml`) walks it
to fill a :class:`Record` from a document, the exporter
(:mod:`registry_tool.exporters.xml_export`) walks it to write a document from
a record. :data:`CLINICAL_STUDY` lists the elements in the order of the
registry's public schema (``public_v2019-02-14.xsd``), each with its binding
(:mod:`registry_tool.xml_binding`): ``Field("brief_title", "title")``,
``Group("study_design_info", ..., attr="design")``, ``Items("intervention",
"interventions", ...)``, ``Slot("location", repeat=True)`` for what the model
does not cover; a registry date is a :class:`Date` (text in ``dates``, its
``type`` attribute in ``date_types``), and ``id_info``, ``required_header``
and ``eligibility/criteria`` have bindings of their own below.

What no binding takes is kept in ``record.extras`` under its element path, in
the generic form :mod:`registry_tool.xml_binding` describes, for example
``extras["location"] = [{"facility": {...}, "status": "Recruiting"}]``,
``extras["eligibility/criteria"] = {"textblock": "<the block as written>"}``,
``extras["primary_outcome[2]/safety_issue"] = "No"``, ``extras["@rank"] = "3"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .model import ArmGroup, CodedText, Criterion, Enrollment, Intervention, Outcome, Record, Sponsor
from .normalize import codes
from .normalize.criteria import split_criteria
from .normalize.text import fold_ws
from .normalize.timeframe import parse_time_frame
from .xml_binding import (
    AsWritten,
    Binding,
    Choice,
    Code,
    Codec,
    Coded,
    Field,
    Group,
    Items,
    Single,
    Slot,
    Text,
    element_to_json,
    join,
    json_to_elements,
    text_of,
)

# --- registry values ---------------------------------------------------------------------------------


class Phases(Codec):
    """``Phase 1/Phase 2`` <-> ``["PHASE1", "PHASE2"]``."""

    def accepts(self, text: str) -> bool:
        return text in PHASE_WORDING.values()

    def load(self, el, state, path, field_name):
        text = text_of(el).strip()
        whole = codes.PHASE.get(codes.key(text))  # "N/A" as a whole, before splitting at "/"
        if whole is not None:
            return [whole]
        found = codes.phases_from_registry(text)
        parts = [p for p in re.split(r"[/,]|\band\b", text) if p.strip()]
        if text and len(found) < len(parts):
            state.keep(path, text_of(el))
            state.warn("unknown-code", f"phase {text!r} is not (wholly) a phase our tables know; "
                       f"the text kept in extras[{path!r}]", field_name)
        return found

    def dump(self, value, state, path, field_name):
        if not value:
            return None
        text = PHASE_WORDING.get(tuple(value))
        if text is None:
            state.refuse(field_name, value, path, "it allows " + ", ".join(PHASE_WORDING.values()))
            return None
        return text, {}


class TimeFrameText(Codec):
    """An outcome's time frame: parsed by the shared time-frame normaliser, written as its text."""

    def load(self, el, state, path, field_name):
        return parse_time_frame(text_of(el))

    def dump(self, value, state, path, field_name):
        return None if value is None else (value.text, {})


class EnrollmentCount(Codec):
    """``<enrollment type="Actual">120</enrollment>`` <-> ``Enrollment(120, "Actual")``."""

    attributes: tuple[str, ...] = ("type",)

    def accepts(self, text: str) -> bool:
        return text.strip().isdigit()

    def load(self, el, state, path, field_name):
        text = text_of(el).strip()
        count = int(text) if text.isdigit() else None
        if text and count is None:
            state.keep(path, text_of(el))
            state.warn("bad-number", f"enrollment {text!r} is not a whole number; the text kept in "
                       f"extras[{path!r}]", field_name)
        kind = el.get("type")
        return Enrollment(count, kind) if count is not None or kind is not None else None

    def dump(self, value, state, path, field_name):
        if value is None or value.count is None:
            return None
        attributes = {}
        if value.type:
            kind = _registry_date_type(value.type, posted=False)
            if kind is None:
                state.refuse(f"{field_name}.type", value.type, f"{path}/@type", "Actual, Anticipated, Estimate")
            else:
                attributes["type"] = kind
        return str(value.count), attributes


_DATE_TYPES = ("Actual", "Anticipated", "Estimate")


def _registry_date_type(kind: str, posted: bool) -> str | None:
    if kind in _DATE_TYPES:
        return kind
    k = codes.key(kind)
    if k == "actual":
        return "Actual"
    if k in ("anticipated", "estimate", "estimated"):
        return "Estimate" if posted else "Anticipated"
    return None


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_REGISTRY_DATE = re.compile(
    rf"Unknown|(?:{'|'.join(_MONTHS)}) (?:(?:[12]?[0-9]|30|31), )?[12][0-9]{{3}}"
)
_ISO_DATE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?")


def registry_date(text: str) -> str | None:
    """``text`` as the schema writes dates (``March 5, 2019`` / ``March 2019``), or None."""
    if _REGISTRY_DATE.fullmatch(text):
        return text
    m = _ISO_DATE.fullmatch(text)
    if m is None:
        return None
    month = _MONTHS[int(m.group(2)) - 1]
    return f"{month} {int(m.group(3))}, {m.group(1)}" if m.group(3) else f"{month} {m.group(1)}"


@dataclass
class Date(Binding):
    """A registry date: its text in ``record.dates[tag]``, its ``type`` in ``record.date_types[tag]``."""

    tag: str
    typed: bool = True  # the schema gives this date a type attribute

    def load(self, el, record, path, state):
        text = fold_ws(text_of(el))
        if text:
            record.dates[self.tag] = text
        kind = el.get("type")
        if kind is not None:
            record.date_types[self.tag] = kind
        if el.attrib:
            state.keep_attributes(el, path, ("type",))

    def dump(self, record, parent, path, state):
        text = record.dates.get(self.tag)
        if text is None:
            self.write_extra(parent, path, state)
            return
        written = registry_date(text)
        if written is None:
            state.refuse(f"dates.{self.tag}", text, path, "a date such as 'March 5, 2019'")
            return
        el = etree.SubElement(parent, self.tag)
        el.text = written
        kind = record.date_types.get(self.tag)
        if kind is not None and self.typed:
            registry_kind = _registry_date_type(kind, posted=self.tag.endswith("_posted"))
            if registry_kind is not None:
                el.set("type", registry_kind)
        for name, v in state.attributes.get(path, {}).items():
            if name != "type":
                el.set(name, v)


# --- the special elements --------------------------------------------------------------------------

NCT_ID = re.compile(r"NCT\d{8}")


@dataclass
class IdInfo(Binding):
    """``id_info`` <-> ``registry_ids`` (and ``record_id``).

    Import: the NCT id first, then org_study_id, secondary ids and NCT aliases,
    in document order. Export: an NCT id first in the list is ``nct_id``; the
    next id is ``org_study_id``; later ids are ``nct_alias`` when they look
    like NCT ids, else ``secondary_id`` -- which gives back the same list.
    """

    tag: str = "id_info"
    required: bool = True
    set_name: str | None = "nct_id"

    def load(self, el, record, path, state):
        found: dict[str, list[str]] = {"nct_id": [], "org_study_id": [], "secondary_id": [], "nct_alias": []}
        seen: dict[str, int] = {}
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            seen[tag] = seen.get(tag, 0) + 1
            value = text_of(child).strip()
            if tag in found and not (tag in ("nct_id", "org_study_id") and seen[tag] > 1) and value:
                found[tag].append(value)
                if child.attrib:
                    state.keep_attributes(child, join(path, tag))
            else:
                state.keep(f"{join(path, tag)}[{seen[tag]}]" if seen[tag] > 1 else join(path, tag),
                           element_to_json(child))
        record.registry_ids = [*found["nct_id"], *found["org_study_id"], *found["secondary_id"],
                               *found["nct_alias"]]
        if found["nct_id"]:
            record.record_id = found["nct_id"][0]

    def dump(self, record, parent, path, state):
        ids = list(record.registry_ids)
        nct = ids.pop(0) if ids and NCT_ID.fullmatch(ids[0]) else None
        el = etree.Element(self.tag)
        if ids:
            etree.SubElement(el, "org_study_id").text = ids.pop(0)
        for other in ids:
            if not NCT_ID.fullmatch(other):
                etree.SubElement(el, "secondary_id").text = other
        if nct is not None:
            etree.SubElement(el, "nct_id").text = nct
        else:
            self.report_missing(join(path, "nct_id"), state, "NCT id")
        for other in ids:
            if NCT_ID.fullmatch(other):
                etree.SubElement(el, "nct_alias").text = other
        if len(el):
            parent.append(el)


# The download_date of a header the exporter builds; such a header holds no
# registry data, so the importer does not keep it.
BUILT_HEADER = "Not downloaded from ClinicalTrials.gov: written by registry-tool"


@dataclass
class RequiredHeader(Binding):
    """``required_header``: the registry's (download date, link) kept in extras; the exporter
    writes it back, or builds one for a record that has none."""

    tag: str = "required_header"

    def load(self, el, record, path, state):
        if el.findtext("download_date") != BUILT_HEADER:
            state.keep(path, element_to_json(el))

    def dump(self, record, parent, path, state):
        if self.write_extra(parent, path, state):
            return
        nct = record.registry_ids[0] if record.registry_ids and NCT_ID.fullmatch(record.registry_ids[0]) else None
        el = etree.SubElement(parent, self.tag)
        etree.SubElement(el, "download_date").text = BUILT_HEADER
        etree.SubElement(el, "link_text").text = "Link to the current ClinicalTrials.gov record."
        etree.SubElement(el, "url").text = f"https://clinicaltrials.gov/show/{nct}" if nct else ""


@dataclass
class CriteriaBlock(Binding):
    """``eligibility/criteria``: the text block split by the shared criteria normaliser.

    The block itself, as written, is kept in ``extras["eligibility/criteria"]``
    so the exporter can write it back exactly. A record whose criteria no
    longer match that block (edited, or from another input) gets a block
    rendered from its criteria: headings for the kind, the number as written.
    """

    tag: str = "criteria"

    def load(self, el, eligibility, path, state):
        block = el.find("textblock")
        if block is not None:
            eligibility.criteria = split_criteria(text_of(block))
        state.keep(path, element_to_json(el))

    def dump(self, eligibility, parent, path, state):
        kept = state.extra(path)
        block = kept.get("textblock") if isinstance(kept, dict) else None
        if isinstance(block, str) and _same_criteria(split_criteria(block), eligibility.criteria):
            json_to_elements(parent, self.tag, kept)
        elif eligibility.criteria:
            el = etree.SubElement(parent, self.tag)
            etree.SubElement(el, "textblock").text = render_criteria(eligibility.criteria)
        elif kept is not None:
            json_to_elements(parent, self.tag, kept)


def _same_criteria(a: list[Criterion], b: list[Criterion]) -> bool:
    return len(a) == len(b) and all(x.to_dict() == y.to_dict() for x, y in zip(a, b))


def render_criteria(criteria: list[Criterion]) -> str:
    """A registry-style criteria block: kind headings, one item a line, nested items indented."""
    lines: list[str] = []
    kind: str | None = None
    depth: dict[int, int] = {}
    for i, c in enumerate(criteria):
        if c.kind != kind and c.kind is not None:
            if lines:
                lines.append("")
            lines.append("Inclusion Criteria:" if c.kind == "inclusion" else "Exclusion Criteria:")
            lines.append("")
        kind = c.kind
        level = depth[i] = depth.get(c.parent, -1) + 1 if c.parent is not None else 0
        marker = f"{c.number}." if c.number else "-"
        lines.append(f"{'  ' * level}{marker} {c.text}")
    return "\n".join(lines)


# --- registry wording of codes ---------------------------------------------------------------------

PHASE_WORDING: dict[tuple[str, ...], str] = {
    ("NA",): "N/A",
    ("EARLY_PHASE1",): "Early Phase 1",
    ("PHASE1",): "Phase 1",
    ("PHASE1", "PHASE2"): "Phase 1/Phase 2",
    ("PHASE2",): "Phase 2",
    ("PHASE2", "PHASE3"): "Phase 2/Phase 3",
    ("PHASE3",): "Phase 3",
    ("PHASE4",): "Phase 4",
}
OVERALL_STATUS_WORDING = {
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "RECRUITING": "Recruiting",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "WITHDRAWN": "Withdrawn",
    "AVAILABLE": "Available",
    "NO_LONGER_AVAILABLE": "No longer available",
    "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
    "APPROVED_FOR_MARKETING": "Approved for marketing",
    "WITHHELD": "Withheld",
    "UNKNOWN": "Unknown status",
}
STUDY_TYPE_WORDING = {
    "INTERVENTIONAL": "Interventional",
    "OBSERVATIONAL": "Observational",
    "EXPANDED_ACCESS": "Expanded Access",
    "NA": "N/A",
}
# Spellings the schema accepts beyond the code's own wording.
STUDY_TYPE_VALUES = ("Observational [Patient Registry]",)
GENDER_WORDING = {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}
INTERVENTION_TYPE_WORDING = {
    "BEHAVIORAL": "Behavioral",
    "BIOLOGICAL": "Biological",
    "COMBINATION_PRODUCT": "Combination Product",
    "DEVICE": "Device",
    "DIAGNOSTIC_TEST": "Diagnostic Test",
    "DIETARY_SUPPLEMENT": "Dietary Supplement",
    "DRUG": "Drug",
    "GENETIC": "Genetic",
    "PROCEDURE": "Procedure",
    "RADIATION": "Radiation",
    "OTHER": "Other",
}
AGENCY_CLASSES = ("NIH", "U.S. Fed", "Industry", "Other")
# API v2 agency classes (the closest registry class; the exact text stays in the record).
AGENCY_CLASS_ALIASES = {"FED": "U.S. Fed", "OTHER_GOV": "Other", "NETWORK": "Other", "INDIV": "Other",
                        "INDUSTRY": "Industry", "OTHER": "Other"}
AGE_PATTERN = r"N/A|[1-9][0-9]* (?:Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)"


class _StudyType(Coded):
    def __init__(self) -> None:
        super().__init__(codes.STUDY_TYPE, STUDY_TYPE_WORDING)
        self.values = frozenset(STUDY_TYPE_WORDING.values()) | frozenset(STUDY_TYPE_VALUES)


OVERALL_STATUS = Coded(codes.OVERALL_STATUS, OVERALL_STATUS_WORDING)
STUDY_TYPE = _StudyType()
GENDER = Coded(codes.GENDER, GENDER_WORDING)
INTERVENTION_TYPE = Code(codes.INTERVENTION_TYPE, INTERVENTION_TYPE_WORDING)
AGE = AsWritten(AGE_PATTERN)

# --- the layout --------------------------------------------------------------------------------------

_SPONSOR = (
    Field("agency", "agency", Text(required=True), required=True),
    Field("agency_class", "agency_class", Choice(AGENCY_CLASSES, AGENCY_CLASS_ALIASES)),
)
_OUTCOME = (
    Field("measure", "measure", Text(required=True), required=True),
    Field("time_frame", "time_frame", TimeFrameText()),
    Field("description", "description"),
)


def _outcomes(tag: str, kind: str, also: tuple[Any, ...] = ()) -> Items:
    return Items(tag, "outcomes", lambda: Outcome(""), _OUTCOME, kind=kind, also=also)


def _submission_dates(stage: str) -> tuple[Date, Date, Date]:
    """``<stage>_submitted``, ``<stage>_submitted_qc`` and ``<stage>_posted`` (only the last has a type)."""
    return Date(f"{stage}_submitted", typed=False), Date(f"{stage}_submitted_qc", typed=False), Date(f"{stage}_posted")


CLINICAL_STUDY = Group(
    "clinical_study",
    (
        RequiredHeader(),
        IdInfo(),
        Field("brief_title", "title", required=True, set_name="brief_title", what="brief title"),
        Field("acronym", "acronym"),
        Field("official_title", "official_title"),
        Group(
            "sponsors",
            (
                Single("lead_sponsor", "lead", lambda: Sponsor(""), _SPONSOR, required=True,
                       set_name="lead_sponsor", what="lead sponsor"),
                Items("collaborator", "collaborators", lambda: Sponsor(""), _SPONSOR),
            ),
            attr="sponsors",
            required=True,
        ),
        Field("source", "source_organization", required=True, set_name="source",
              what="source (the organisation that provides the record)"),
        Slot("oversight_info"),
        Group("brief_summary", (Field("textblock", "summary"),)),
        Group("detailed_description", (Field("textblock", "detailed_description"),)),
        Field("overall_status", "overall_status", OVERALL_STATUS, required=True, set_name="overall_status",
              what="overall status"),
        Slot("last_known_status"),
        Slot("why_stopped"),
        Date("start_date"),
        Date("completion_date"),
        Date("primary_completion_date"),
        Field("phase", "phases", Phases()),
        Field("study_type", "study_type", STUDY_TYPE, required=True, set_name="study_type", what="study type"),
        Slot("has_expanded_access"),
        Slot("expanded_access_info"),
        Group(
            "study_design_info",
            (
                Field("allocation", "allocation", Coded(codes.ALLOCATION)),
                Field("intervention_model", "intervention_model", Coded(codes.INTERVENTION_MODEL)),
                Slot("intervention_model_description"),
                Field("primary_purpose", "primary_purpose", Coded(codes.PRIMARY_PURPOSE)),
                Slot("observational_model"),
                Slot("time_perspective"),
                Field("masking", "masking", Coded(codes.MASKING)),
                Slot("masking_description"),
            ),
            attr="design",
        ),
        Slot("target_duration"),
        _outcomes("primary_outcome", "primary"),
        _outcomes("secondary_outcome", "secondary"),
        _outcomes("other_outcome", "other", also=(None,)),
        Slot("number_of_arms"),
        Slot("number_of_groups"),
        Field("enrollment", "enrollment", EnrollmentCount()),
        Field("condition", "conditions", repeat=True),
        Items(
            "arm_group",
            "arm_groups",
            lambda: ArmGroup(""),
            (
                Field("arm_group_label", "label", Text(required=True), required=True),
                Field("arm_group_type", "type"),
                Field("description", "description"),
            ),
        ),
        Items(
            "intervention",
            "interventions",
            lambda: Intervention(""),
            (
                Field("intervention_type", "type", INTERVENTION_TYPE, required=True, set_name="intervention_type",
                      what="intervention type"),
                Field("intervention_name", "name", Text(required=True), required=True),
                Field("description", "description"),
                Field("arm_group_label", "arm_group_labels", repeat=True),
                Field("other_name", "other_names", repeat=True),
            ),
        ),
        Slot("biospec_retention"),
        Slot("biospec_descr"),
        Group(
            "eligibility",
            (
                Slot("study_pop"),
                Slot("sampling_method"),
                CriteriaBlock(),
                Field("gender", "gender", GENDER, required=True, set_name="gender", what="eligible gender"),
                Slot("gender_based"),
                Slot("gender_description"),
                Field("minimum_age", "minimum_age", AGE, required=True, set_name="minimum_age",
                      what="minimum age"),
                Field("maximum_age", "maximum_age", AGE, required=True, set_name="maximum_age",
                      what="maximum age"),
                Field("healthy_volunteers", "healthy_volunteers", AsWritten()),
            ),
            attr="eligibility",
        ),
        Slot("overall_official", repeat=True),
        Slot("overall_contact"),
        Slot("overall_contact_backup"),
        Slot("location", repeat=True),
        Slot("location_countries"),
        Slot("removed_countries"),
        Slot("link", repeat=True),
        Slot("reference", repeat=True),
        Slot("results_reference", repeat=True),
        Date("verification_date", typed=False),
        *_submission_dates("study_first"),
        *_submission_dates("results_first"),
        *_submission_dates("disposition_first"),
        *_submission_dates("last_update"),
        Slot("responsible_party"),
        Field("keyword", "keywords", repeat=True),
        Slot("condition_browse"),
        Slot("intervention_browse"),
        Slot("patient_data"),
        Slot("study_docs"),
        Slot("provided_document_section"),
        Slot("pending_results"),
        Slot("clinical_results"),
    ),
)
"""The ``clinical_study`` element: every child in the public schema's order."""


# --- values a curator may supply with --set ----------------------------------------------------------


@dataclass
class Settable:
    """A ``--set NAME=VALUE``: how to check the value and where it goes in the record."""

    name: str
    example: str
    check: Callable[[str], str | None]  # the value to use (registry spelling), or None if refused
    expected: str  # what a refused value should have been
    apply: Callable[[Record, str], None]  # fill the record where it has no value


def _enum_check(codec: Coded | Code) -> Callable[[str], str | None]:
    return lambda value: codec.registry_value(value.strip())


def _text_check(value: str) -> str | None:
    return fold_ws(value) or None


def _set_nct_id(record: Record, value: str) -> None:
    if not (record.registry_ids and NCT_ID.fullmatch(record.registry_ids[0])):
        record.registry_ids.insert(0, value)
        record.record_id = value


def _set_if_none(attr_path: str, make: Callable[[str], Any] = lambda v: v) -> Callable[[Record, str], None]:
    *owners, attr = attr_path.split(".")

    def apply(record: Record, value: str) -> None:
        obj: Any = record
        for owner in owners:
            obj = getattr(obj, owner)
        if getattr(obj, attr) is None:
            setattr(obj, attr, make(value))

    return apply


def _set_intervention_type(record: Record, value: str) -> None:
    code = INTERVENTION_TYPE.table[codes.key(value)]
    for i, intervention in enumerate(record.interventions):
        if intervention.type is None and f"intervention[{i + 1}]/intervention_type" not in record.extras:
            intervention.type = code


def _coded(codec: Coded) -> Callable[[str], CodedText]:
    return lambda value: CodedText(value, codec.code(value))


SETTABLE: dict[str, Settable] = {
    s.name: s
    for s in (
        Settable("nct_id", "NCT01234567", lambda v: v.strip() if NCT_ID.fullmatch(v.strip()) else None,
                 "NCT followed by 8 digits", _set_nct_id),
        Settable("brief_title", "A Study of ...", _text_check, "a non-empty title", _set_if_none("title")),
        Settable("lead_sponsor", "Example University", _text_check, "a non-empty agency name",
                 _set_if_none("sponsors.lead", lambda v: Sponsor(v))),
        Settable("source", "Example University", _text_check, "a non-empty organisation name",
                 _set_if_none("source_organization")),
        Settable("overall_status", "Recruiting", _enum_check(OVERALL_STATUS),
                 "one of: " + ", ".join(OVERALL_STATUS_WORDING.values()),
                 _set_if_none("overall_status", _coded(OVERALL_STATUS))),
        Settable("study_type", "Interventional", _enum_check(STUDY_TYPE),
                 "one of: " + ", ".join(sorted(STUDY_TYPE.values or ())), _set_if_none("study_type", _coded(STUDY_TYPE))),
        Settable("gender", "All", _enum_check(GENDER), "one of: All, Female, Male",
                 _set_if_none("eligibility.gender", _coded(GENDER))),
        Settable("minimum_age", "18 Years", lambda v: v.strip() if AGE.accepts(v.strip()) else None,
                 "N/A or a number and a unit, e.g. '18 Years'", _set_if_none("eligibility.minimum_age")),
        Settable("maximum_age", "N/A", lambda v: v.strip() if AGE.accepts(v.strip()) else None,
                 "N/A or a number and a unit, e.g. '65 Years'", _set_if_none("eligibility.maximum_age")),
        Settable("intervention_type", "Biological", _enum_check(INTERVENTION_TYPE),
                 "one of: " + ", ".join(INTERVENTION_TYPE_WORDING.values()), _set_intervention_type),
    )
}
