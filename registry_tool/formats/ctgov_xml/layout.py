"""The ClinicalTrials.gov ``clinical_study`` XML layout and its mapping to the record.

This is the one declarative description of registry XML used in both
directions: the reader (:mod:`.reader`) walks it to fill a raw
:class:`Record` from a document, the writer (:mod:`.writer`) walks it to
write a document from a record. :data:`CLINICAL_STUDY` lists the elements in the order of the
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
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ... import vocabulary
from ...identifiers import NCT_ID
from ...model import (
    ArmGroup,
    CriteriaBlock,
    Criterion,
    Enrollment,
    Intervention,
    Outcome,
    Sponsor,
    TimeFrame,
)
from ...normalize.criteria import criteria_from_block
from ...textclean import fold_ws
from .binding import Binding, Field, Group, Items, Single, Slot
from .codecs import AsWritten, Choice, Code, Codec, Coded, Text, Worded, text_of, warn_unknown
from .extras_form import element_to_json, join, json_to_elements
from .results import dump_results, kept_extras, load_results

# --- registry values ---------------------------------------------------------------------------------


class Phases(Codec):
    """``Phase 1/Phase 2`` <-> ``["PHASE1", "PHASE2"]``."""

    def accepts(self, text: str) -> bool:
        return text in vocabulary.PHASE_WORDING.values()

    def load(self, el, state, path, field_name):
        text = text_of(el).strip()
        found, whole = vocabulary.phases_from_registry(text)
        if not whole:
            state.keep(path, text_of(el))
            state.warn("unknown-code", f"phase {text!r} is not (wholly) a phase our tables know; "
                       f"the text kept in extras[{path!r}]", field_name)
        return found

    def dump(self, value, state, path, field_name):
        if not value:
            return None
        text = vocabulary.PHASE_WORDING.get(tuple(value))
        if text is None:
            state.refuse(field_name, value, path, "it allows " + ", ".join(vocabulary.PHASE_WORDING.values()))
            return None
        return text, {}


class TimeFrameText(Codec):
    """An outcome's time frame: its text (the normalise stack parses it), written back as its text."""

    def load(self, el, state, path, field_name):
        text = fold_ws(text_of(el))
        return TimeFrame(text) if text else None

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
        warn_unknown(state, vocabulary.DATE_TYPE, kind, f"{field_name}.type")
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


def _registry_date_type(kind: str, posted: bool) -> str | None:
    if kind in vocabulary.DATE_TYPE_XML_VALUES:
        return kind
    k = vocabulary.key(kind)
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
            warn_unknown(state, vocabulary.DATE_TYPE, kind, f"date_types.{self.tag}")
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
class CriteriaText(Binding):
    """``eligibility/criteria``: its text block, as written, is ``eligibility.criteria_blocks[0]``
    (the normalise stack splits it into items).

    The writer writes that block back exactly while the record's items are
    still the ones it gives; a record whose items differ (edited, or from
    another input) gets a block rendered from its items: headings for the
    kind, the number as written. Anything else the element holds (attributes,
    other children) is kept in extras.
    """

    tag: str = "criteria"

    def load(self, el, eligibility, path, state):
        block = el.find("textblock")
        if block is not None:
            eligibility.criteria_blocks.append(CriteriaBlock(text=text_of(block)))
        if block is None or len(el) > 1 or el.attrib or (el.text and el.text.strip()) or (block.tail or "").strip():
            state.keep(path, element_to_json(el))

    def dump(self, eligibility, parent, path, state):
        kept = state.extra(path)
        if kept is not None:  # an element holding more than its text block: written back whole
            json_to_elements(parent, self.tag, kept)
            return
        written = source_block(eligibility)
        if written is not None:
            etree.SubElement(etree.SubElement(parent, self.tag), "textblock").text = written
        elif eligibility.criteria:
            el = etree.SubElement(parent, self.tag)
            etree.SubElement(el, "textblock").text = render_criteria(eligibility.criteria)


def source_block(eligibility: Any) -> str | None:
    """The source's own criteria text block, where the record's items are still what it gives."""
    blocks = eligibility.criteria_blocks
    if len(blocks) != 1 or blocks[0].markup != "plain" or blocks[0].kind is not None:
        return None
    block = blocks[0]
    return block.text if criteria_from_block(block) == eligibility.criteria else None


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


@dataclass
class ClinicalResults(Binding):
    """``clinical_results`` <-> ``record.results`` (:mod:`.results`), what the model does not hold
    kept in extras under its path (``clinical_results/point_of_contact``). An element the results
    layout does not give back exactly is also kept whole in ``extras["clinical_results"]``, and
    written back from there."""

    tag: str = "clinical_results"

    def load(self, el, record, path, state):
        value = element_to_json(el)
        results, kept, exact = load_results(value, record)
        record.results = results
        if exact:
            record.extras.update(kept)
        else:
            state.keep(path, value)

    def dump(self, record, parent, path, state):
        if self.write_extra(parent, path, state):
            return
        if record.results is not None:
            value = dump_results(record.results, kept_extras(record.extras), record)
            if value is not None:
                json_to_elements(parent, self.tag, value)


# --- registry values -------------------------------------------------------------------------------

AGE_PATTERN = r"N/A|[1-9][0-9]* (?:Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)"


OVERALL_STATUS = Coded(vocabulary.OVERALL_STATUS, restricted=True)
STUDY_TYPE = Coded(vocabulary.STUDY_TYPE, restricted=True, also=vocabulary.STUDY_TYPE_XML_VALUES)
GENDER = Coded(vocabulary.GENDER, restricted=True)
INTERVENTION_TYPE = Code(vocabulary.INTERVENTION_TYPE)
AGE = AsWritten(AGE_PATTERN)

# --- the layout --------------------------------------------------------------------------------------

_SPONSOR = (
    Field("agency", "agency", Text(required=True), required=True),
    Field("agency_class", "agency_class",
          Choice(vocabulary.AGENCY_CLASS_XML_VALUES, vocabulary.AGENCY_CLASS_XML_ALIASES, vocabulary.AGENCY_CLASS)),
)
_OUTCOME = (
    Field("measure", "measure", Text(required=True), required=True),
    Field("time_frame", "time_frame", TimeFrameText()),
    Field("description", "description"),
)


def _outcomes(tag: str, kind: str, also: tuple[Any, ...] = ()) -> Items:
    return Items(tag, "outcomes", lambda: Outcome(measure=""), _OUTCOME, kind=kind, also=also)


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
                Field("allocation", "allocation", Coded(vocabulary.ALLOCATION)),
                Field("intervention_model", "intervention_model", Coded(vocabulary.INTERVENTION_MODEL)),
                Slot("intervention_model_description"),
                Field("primary_purpose", "primary_purpose", Coded(vocabulary.PRIMARY_PURPOSE)),
                Slot("observational_model"),
                Slot("time_perspective"),
                Field("masking", "masking", Coded(vocabulary.MASKING)),
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
                Field("arm_group_type", "type", Worded(vocabulary.ARM_GROUP_TYPE)),
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
                CriteriaText(),
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
        ClinicalResults(),
    ),
)
"""The ``clinical_study`` element: every child in the public schema's order."""
