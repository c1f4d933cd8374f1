"""The canonical record: typed dataclasses and their JSON form.

Every importer produces a :class:`Record`; every exporter consumes one. Plain
dicts appear only at the JSON boundary (:meth:`Record.to_dict` and
:meth:`Record.from_dict`). Field order in ``to_dict`` is the order of
``CONTRACT.md`` so the JSON output reads the same way as the contract.

The classes built many times a record (criteria, outcomes, time frames and
their points) write out their ``__init__``: mypyc compiles that one (see
setup.py), whereas the ``__init__`` that ``@dataclass`` generates runs as
interpreted Python and makes each object about four times slower to build.
``@dataclass`` still gives them their fields, ``repr`` and ``==``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# The JSON value kept in ``Record.extras``: a string for text entries, any
# JSON value (nested dicts / lists) for registry XML or JSON elements.
JsonValue = Any


def _opt(obj: Any) -> Any:
    return None if obj is None else obj.to_dict()


class Copyable:
    """Base of the model's dataclasses: ``copy``, ``deepcopy`` and ``pickle`` rebuild an
    object from its fields, in order. (A compiled class cannot be rebuilt the way
    ``copy`` rebuilds a plain one: without arguments, then filled in.)"""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]


@dataclass(slots=True)
class RecordWarning(Copyable):
    """A guess or a loss the reader must know about; stable ``code``."""

    code: str
    message: str
    field: str | None = None
    line: int | None = None

    def __init__(self, code: str, message: str, field: str | None = None, line: int | None = None) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.line = line

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field, "line": self.line}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RecordWarning:
        return cls(d["code"], d["message"], d.get("field"), d.get("line"))


@dataclass(slots=True)
class Source(Copyable):
    """Where a record came from."""

    format: str  # "text" | "ctgov-xml" | "ctgov-json"
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "path": self.path}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return cls(d["format"], d.get("path"))


@dataclass(slots=True)
class CodedText(Copyable):
    """A design-like field: the input's own wording and its contract code."""

    text: str
    code: str | None = None

    def __init__(self, text: str, code: str | None = None) -> None:
        self.text = text
        self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "code": self.code}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> CodedText | None:
        return None if d is None else cls(d["text"], d.get("code"))


@dataclass(slots=True)
class Design(Copyable):
    allocation: CodedText | None = None
    intervention_model: CodedText | None = None
    masking: CodedText | None = None
    primary_purpose: CodedText | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "allocation": _opt(self.allocation),
            "intervention_model": _opt(self.intervention_model),
            "masking": _opt(self.masking),
            "primary_purpose": _opt(self.primary_purpose),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Design:
        d = d or {}
        return cls(
            CodedText.from_dict(d.get("allocation")),
            CodedText.from_dict(d.get("intervention_model")),
            CodedText.from_dict(d.get("masking")),
            CodedText.from_dict(d.get("primary_purpose")),
        )


@dataclass(slots=True)
class Intervention(Copyable):
    name: str
    description: str | None = None
    type: str | None = None  # DRUG | DEVICE | ... | OTHER
    other_names: list[str] = field(default_factory=list)
    arm_group_labels: list[str] = field(default_factory=list)

    def __init__(
        self,
        name: str,
        description: str | None = None,
        type: str | None = None,
        other_names: list[str] | None = None,
        arm_group_labels: list[str] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.type = type
        self.other_names = [] if other_names is None else other_names
        self.arm_group_labels = [] if arm_group_labels is None else arm_group_labels

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "type": self.type,
            "other_names": list(self.other_names),
            "arm_group_labels": list(self.arm_group_labels),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Intervention:
        return cls(
            d["name"],
            d.get("description"),
            d.get("type"),
            list(d.get("other_names") or []),
            list(d.get("arm_group_labels") or []),
        )


@dataclass(slots=True)
class ArmGroup(Copyable):
    label: str
    type: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "type": self.type, "description": self.description}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArmGroup:
        return cls(d["label"], d.get("type"), d.get("description"))


@dataclass(slots=True)
class TimePoint(Copyable):
    """One time expression of a time frame, converted to days where fixed."""

    value: int | float  # a JSON number: an int where the value is whole
    unit: str  # minute | hour | day | week | month | year | cycle
    days: int | float | None
    relation: str  # at | up_to | about | from | to | baseline | every
    anchor: str | None = None  # the event the point counts from ("surgery")

    def __init__(
        self, value: int | float, unit: str, days: int | float | None, relation: str, anchor: str | None = None
    ) -> None:
        self.value = value
        self.unit = unit
        self.days = days
        self.relation = relation
        self.anchor = anchor

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "days": self.days,
            "relation": self.relation,
            "anchor": self.anchor,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TimePoint:
        return cls(d["value"], d["unit"], d.get("days"), d["relation"], d.get("anchor"))


@dataclass(slots=True)
class TimeFrame(Copyable):
    """A time frame: the text as written, its points and its horizon."""

    text: str
    points: list[TimePoint] = field(default_factory=list)
    max_days: int | float | None = None
    # Events without a fixed length the text names ("end of study").
    events: list[str] = field(default_factory=list)
    # True when every time expression became a point or a recognised event.
    fully_parsed: bool = False

    def __init__(
        self,
        text: str,
        points: list[TimePoint] | None = None,
        max_days: int | float | None = None,
        events: list[str] | None = None,
        fully_parsed: bool = False,
    ) -> None:
        self.text = text
        self.points = [] if points is None else points
        self.max_days = max_days
        self.events = [] if events is None else events
        self.fully_parsed = fully_parsed

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "points": [p.to_dict() for p in self.points],
            "max_days": self.max_days,
            "events": list(self.events),
            "fully_parsed": self.fully_parsed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> TimeFrame | None:
        if d is None:
            return None
        return cls(
            d["text"],
            [TimePoint.from_dict(p) for p in d.get("points") or []],
            d.get("max_days"),
            list(d.get("events") or []),
            bool(d.get("fully_parsed", False)),
        )


@dataclass(slots=True)
class Outcome(Copyable):
    measure: str
    type: str | None = None  # primary | secondary | other | None
    description: str | None = None
    time_frame: TimeFrame | None = None
    abbreviation: str | None = None  # "ORR" from "Overall Remission Rate (ORR)"
    assessors: list[str] = field(default_factory=list)

    def __init__(
        self,
        measure: str,
        type: str | None = None,
        description: str | None = None,
        time_frame: TimeFrame | None = None,
        abbreviation: str | None = None,
        assessors: list[str] | None = None,
    ) -> None:
        self.measure = measure
        self.type = type
        self.description = description
        self.time_frame = time_frame
        self.abbreviation = abbreviation
        self.assessors = [] if assessors is None else assessors

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "measure": self.measure,
            "description": self.description,
            "time_frame": _opt(self.time_frame),
            "abbreviation": self.abbreviation,
            "assessors": list(self.assessors),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Outcome:
        return cls(
            d["measure"],
            d.get("type"),
            d.get("description"),
            TimeFrame.from_dict(d.get("time_frame")),
            d.get("abbreviation"),
            list(d.get("assessors") or []),
        )


@dataclass(slots=True)
class Criterion(Copyable):
    """One eligibility item. ``parent`` is the 0-based index of the item it nests under."""

    text: str
    kind: str | None = None  # inclusion | exclusion | None
    number: str | None = None  # as written: "5", "2a", "iii"
    parent: int | None = None
    section: str | None = None  # heading the item falls under ("DISEASE CHARACTERISTICS")

    def __init__(
        self,
        text: str,
        kind: str | None = None,
        number: str | None = None,
        parent: int | None = None,
        section: str | None = None,
    ) -> None:
        self.text = text
        self.kind = kind
        self.number = number
        self.parent = parent
        self.section = section

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "text": self.text,
            "parent": self.parent,
            "section": self.section,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Criterion:
        return cls(d["text"], d.get("kind"), d.get("number"), d.get("parent"), d.get("section"))


@dataclass(slots=True)
class Eligibility(Copyable):
    criteria: list[Criterion] = field(default_factory=list)
    gender: CodedText | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    healthy_volunteers: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria": [c.to_dict() for c in self.criteria],
            "gender": _opt(self.gender),
            "minimum_age": self.minimum_age,
            "maximum_age": self.maximum_age,
            "healthy_volunteers": self.healthy_volunteers,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Eligibility:
        d = d or {}
        return cls(
            [Criterion.from_dict(c) for c in d.get("criteria") or []],
            CodedText.from_dict(d.get("gender")),
            d.get("minimum_age"),
            d.get("maximum_age"),
            d.get("healthy_volunteers"),
        )


@dataclass(slots=True)
class Variant(Copyable):
    """A gene-variant mention."""

    text: str
    kind: str  # protein_change | fusion | exon_deletion | exon_insertion | rsid | cdna | other
    hgvs: str | None = None
    gene: str | None = None
    marked: bool = False
    criterion: int | None = None  # 0-based index into eligibility.criteria
    found_in: str | None = None  # JSON path of the text it was found in
    candidate: bool = False  # a likely typo reported for review, with a warning

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "hgvs": self.hgvs,
            "gene": self.gene,
            "marked": self.marked,
            "criterion": self.criterion,
            "found_in": self.found_in,
            "candidate": self.candidate,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Variant:
        return cls(
            d["text"],
            d["kind"],
            d.get("hgvs"),
            d.get("gene"),
            bool(d.get("marked", False)),
            d.get("criterion"),
            d.get("found_in"),
            bool(d.get("candidate", False)),
        )


@dataclass(slots=True)
class Enrollment(Copyable):
    count: int | None = None
    type: str | None = None  # as written: "Actual", "Anticipated", "ESTIMATED"

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "type": self.type}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Enrollment | None:
        return None if d is None else cls(d.get("count"), d.get("type"))


@dataclass(slots=True)
class Sponsor(Copyable):
    agency: str
    agency_class: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "agency_class": self.agency_class}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Sponsor | None:
        return None if d is None else cls(d["agency"], d.get("agency_class"))


@dataclass(slots=True)
class Sponsors(Copyable):
    lead: Sponsor | None = None
    collaborators: list[Sponsor] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"lead": _opt(self.lead), "collaborators": [c.to_dict() for c in self.collaborators]}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Sponsors:
        d = d or {}
        return cls(
            Sponsor.from_dict(d.get("lead")),
            [s for s in (Sponsor.from_dict(c) for c in d.get("collaborators") or []) if s is not None],
        )


@dataclass(slots=True)
class Record(Copyable):
    """The canonical record every reader produces and every writer consumes."""

    record_id: str
    source: Source
    registry_ids: list[str] = field(default_factory=list)
    title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    summary: str | None = None
    detailed_description: str | None = None
    phases: list[str] = field(default_factory=list)
    study_type: CodedText | None = None
    overall_status: CodedText | None = None
    design: Design = field(default_factory=Design)
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    enrollment: Enrollment | None = None
    sponsors: Sponsors = field(default_factory=Sponsors)
    # The registry's <source> element: the organisation that provides the record.
    source_organization: str | None = None
    # Registry dates as written, keyed by the public schema's element name.
    dates: dict[str, str] = field(default_factory=dict)
    # The kind of each date where the registry says (ACTUAL / ESTIMATED in API v2,
    # Actual / Anticipated / Estimate in registry XML), as written, same keys as ``dates``.
    date_types: dict[str, str] = field(default_factory=dict)
    arm_groups: list[ArmGroup] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    eligibility: Eligibility = field(default_factory=Eligibility)
    variants: list[Variant] = field(default_factory=list)
    declared_variant_count: int | None = None
    warnings: list[RecordWarning] = field(default_factory=list)
    extras: dict[str, JsonValue] = field(default_factory=dict)

    def warn(self, code: str, message: str, field: str | None = None, line: int | None = None) -> None:
        """Attach a warning to this record."""
        self.warnings.append(RecordWarning(code, message, field, line))

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON form (CONTRACT.md), ready for ``json.dumps``."""
        return {
            "record_id": self.record_id,
            "source": self.source.to_dict(),
            "registry_ids": list(self.registry_ids),
            "title": self.title,
            "official_title": self.official_title,
            "acronym": self.acronym,
            "summary": self.summary,
            "detailed_description": self.detailed_description,
            "phases": list(self.phases),
            "study_type": _opt(self.study_type),
            "overall_status": _opt(self.overall_status),
            "design": self.design.to_dict(),
            "conditions": list(self.conditions),
            "keywords": list(self.keywords),
            "enrollment": _opt(self.enrollment),
            "sponsors": self.sponsors.to_dict(),
            "source_organization": self.source_organization,
            "dates": dict(self.dates),
            "date_types": dict(self.date_types),
            "arm_groups": [a.to_dict() for a in self.arm_groups],
            "interventions": [i.to_dict() for i in self.interventions],
            "outcomes": [o.to_dict() for o in self.outcomes],
            "eligibility": self.eligibility.to_dict(),
            "variants": [v.to_dict() for v in self.variants],
            "declared_variant_count": self.declared_variant_count,
            "warnings": [w.to_dict() for w in self.warnings],
            "extras": dict(self.extras),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        """Rebuild a record from its canonical JSON form (validate it first)."""
        return cls(
            record_id=d["record_id"],
            source=Source.from_dict(d["source"]),
            registry_ids=list(d.get("registry_ids") or []),
            title=d.get("title"),
            official_title=d.get("official_title"),
            acronym=d.get("acronym"),
            summary=d.get("summary"),
            detailed_description=d.get("detailed_description"),
            phases=list(d.get("phases") or []),
            study_type=CodedText.from_dict(d.get("study_type")),
            overall_status=CodedText.from_dict(d.get("overall_status")),
            design=Design.from_dict(d.get("design")),
            conditions=list(d.get("conditions") or []),
            keywords=list(d.get("keywords") or []),
            enrollment=Enrollment.from_dict(d.get("enrollment")),
            sponsors=Sponsors.from_dict(d.get("sponsors")),
            source_organization=d.get("source_organization"),
            dates=dict(d.get("dates") or {}),
            date_types=dict(d.get("date_types") or {}),
            arm_groups=[ArmGroup.from_dict(a) for a in d.get("arm_groups") or []],
            interventions=[Intervention.from_dict(i) for i in d.get("interventions") or []],
            outcomes=[Outcome.from_dict(o) for o in d.get("outcomes") or []],
            eligibility=Eligibility.from_dict(d.get("eligibility")),
            variants=[Variant.from_dict(v) for v in d.get("variants") or []],
            declared_variant_count=d.get("declared_variant_count"),
            warnings=[RecordWarning.from_dict(w) for w in d.get("warnings") or []],
            extras=dict(d.get("extras") or {}),
        )
