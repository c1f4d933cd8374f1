"""ClinicalTrials.gov API v2 JSON studies to raw records (the normalise stack runs next).

A study is read object by object through :class:`Node` views, which check
each value's type and remember what was taken. Whatever was never taken is
kept in ``extras`` under its JSON path, values as given: whole sections
(``derivedSection``, ``resultsSection``, ``hasResults``) and modules
(``protocolSection.contactsLocationsModule``), or, for a module partly read,
the keys left over (``protocolSection.designModule.designInfo.maskingInfo.whoMasked``).
A list partly read (``secondaryIdInfos``: the ids went to ``registry_ids``) is
kept with the keys taken removed, each item in its position.

Text is Markdown in API v2: canonical text drops the backslash escapes and
folds runs of white space (CONTRACT). Enumerations keep the enum as given as
text, with the contract code from :mod:`registry_tool.vocabulary`. The criteria
Markdown and the time frames are kept as given; the normalise stack splits
and parses them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ... import vocabulary
from ...errors import Failure, RecordError
from ...identifiers import NCT_ID, json_path, nct_id_of
from ...model import (
    ArmGroup,
    CodedText,
    CriteriaBlock,
    Design,
    Eligibility,
    Enrollment,
    Intervention,
    Outcome,
    Record,
    Source,
    Sponsor,
    TimeFrame,
)
from ...textclean import clean, unescape_markdown
from ..base import ReadResult
from ..json_documents import read_values
from .results import read_results

FORMAT = "ctgov-json"

# Registry dates: the public XML schema's element name <- the API v2 statusModule key.
# A ``...Struct`` holds {date, type}; the others are a bare date string.
DATES = {
    "start_date": "startDateStruct",
    "primary_completion_date": "primaryCompletionDateStruct",
    "completion_date": "completionDateStruct",
    "verification_date": "statusVerifiedDate",
    "study_first_submitted": "studyFirstSubmitDate",
    "study_first_submitted_qc": "studyFirstSubmitQcDate",
    "study_first_posted": "studyFirstPostDateStruct",
    "results_first_submitted": "resultsFirstSubmitDate",
    "results_first_submitted_qc": "resultsFirstSubmitQcDate",
    "results_first_posted": "resultsFirstPostDateStruct",
    "disposition_first_submitted": "dispFirstSubmitDate",
    "disposition_first_submitted_qc": "dispFirstSubmitQcDate",
    "disposition_first_posted": "dispFirstPostDateStruct",
    "last_update_submitted": "lastUpdateSubmitDate",
    "last_update_posted": "lastUpdatePostDateStruct",
}

# healthyVolunteers as the legacy XML writes it.
HEALTHY_VOLUNTEERS = {True: "Accepts Healthy Volunteers", False: "No"}

OUTCOME_LISTS = (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes"))

_EXPECTED = {str: "a string", bool: "true or false", int: "an integer", list: "an array", dict: "an object"}
_JSON_TYPE = {
    str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"
}

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """The ``extras`` key of a path: ``protocolSection.designModule.phases``."""
    return ".".join(str(p) for p in path)


class Node:
    """One JSON object of a study, read key by key, remembering what was taken.

    The marks of what was taken mirror the study: keys read into a field map
    to ``True``, objects and lists read in part to a dict of their own (list
    positions as int keys). A node's marks are made when it first takes
    something, so an object only looked into leaves no marks and is kept
    whole. :func:`leftovers` turns what is not marked into ``extras``.
    """

    __slots__ = ("value", "path", "study", "_marks", "_owner", "_keys")

    def __init__(self, value: dict[str, Any], path: Path, study: Any, owner: Node | None = None, keys: Path = ()):
        self.value = value
        self.path = path
        self.study = study
        self._marks: dict[Any, Any] | None = None if owner is not None else {}
        self._owner = owner
        self._keys = keys  # where this node's marks go in its owner's

    @property
    def taken(self) -> dict[Any, Any]:
        if self._marks is None:
            marks = self._owner.taken  # type: ignore[union-attr]
            for key in self._keys:
                marks = marks.setdefault(key, {})
            self._marks = marks
        return self._marks

    def get(self, key: str, kind: type, take: bool = True) -> Any:
        """The value of ``key`` if it is a ``kind``; None if absent or null.

        Raises :class:`RecordError` naming the JSON path for a value of another type.
        """
        value = self.value.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.wrong(self.path + (key,), kind, value)
        if take:
            self.taken[key] = True
        return value

    def child(self, key: str) -> Node:
        """The object at ``key``, read in part (an empty one where absent)."""
        value = self.get(key, dict, take=False)
        return Node(value or {}, self.path + (key,), self.study, self, (key,))

    def items(self, key: str) -> Iterator[Node]:
        """Each object of the list at ``key``."""
        values = self.get(key, list, take=False) or []
        for i, item in enumerate(values):
            if not isinstance(item, dict):
                self.wrong(self.path + (key, i), dict, item)
            yield Node(item, self.path + (key, i), self.study, self, (key, i))

    def strings(self, key: str) -> list[str]:
        """The list of strings at ``key`` ([] when absent)."""
        values = self.get(key, list) or []
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.wrong(self.path + (key, i), str, value)
        return values

    def text(self, key: str) -> str | None:
        """Canonical text of the Markdown string at ``key``: escapes dropped, white space folded."""
        value = self.get(key, str)
        return None if value is None else canonical_text(value)

    def take(self, key: str) -> None:
        self.taken[key] = True

    def wrong(self, path: Path, kind: type, value: Any) -> None:
        got = "null" if value is None else f"{_JSON_TYPE.get(type(value), type(value).__name__)} {_sample(value)}"
        tail = len(path)
        while tail > 0 and isinstance(path[tail - 1], int):
            tail -= 1
        name = json_path(path[tail - 1 :])[2:] if tail else "the study"
        raise RecordError(
            Failure(
                "bad-study",
                f"expected {_EXPECTED.get(kind, kind.__name__)} for {name}, got {got}",
                record_id=nct_id_of(self.study),
                json_path=json_path(path),
            )
        )


def canonical_text(markdown: str) -> str | None:
    """API v2 Markdown as canonical text: backslash escapes dropped, white space folded."""
    return clean(unescape_markdown(markdown))


def leftovers(root: Node) -> dict[str, Any]:
    """What was never taken, keyed by JSON path (the ``extras`` of the record)."""
    out: dict[str, Any] = {}
    _collect(root.value, root.taken, (), out)
    return out


_NOTHING = object()


def _collect(node: dict[str, Any], taken: dict[Any, Any], path: Path, out: dict[str, Any]) -> None:
    for key, value in node.items():
        mark = taken.get(key)
        if mark is True:
            continue
        if not mark:
            out[dotted(path + (key,))] = value
        elif isinstance(value, dict):
            _collect(value, mark, path + (key,), out)
        else:
            rest = _residual(value, mark)
            if rest is not _NOTHING:
                out[dotted(path + (key,))] = rest


def _residual(value: Any, taken: Any) -> Any:
    """``value`` without what ``taken`` marks; ``_NOTHING`` when nothing is left."""
    if taken is True:
        return _NOTHING
    if not taken:
        return value
    if isinstance(value, dict):
        rest = {k: r for k, v in value.items() if (r := _residual(v, taken.get(k))) is not _NOTHING}
        return rest or _NOTHING
    if isinstance(value, list):
        items = [_residual(v, taken.get(i)) for i, v in enumerate(value)]
        if all(item is _NOTHING for item in items):
            return _NOTHING
        return [{} if item is _NOTHING else item for item in items]
    return value


def _sample(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return f"({text[:40]}...)" if len(text) > 43 else f"({text})"


# --- the study, module by module ----------------------------------------------------


def record_from_study(study: Any, path: str | None, where: str = "$") -> Record:
    """A canonical record from one API v2 study object.

    Raises :class:`RecordError` (with the JSON path and what was expected) for
    a study without ``protocolSection`` or ``nctId``, or with a value of the
    wrong type.
    """
    if not isinstance(study, dict):
        got = _JSON_TYPE.get(type(study), type(study).__name__)
        raise RecordError(Failure("bad-study", f"expected a study object, got {got} {_sample(study)}", json_path="$"))
    root = Node(study, (), study)
    if root.get("protocolSection", dict, take=False) is None:
        raise RecordError(
            Failure("bad-study", "no protocolSection; expected an API v2 study object", json_path="$.protocolSection")
        )
    protocol = root.child("protocolSection")
    ident = protocol.child("identificationModule")
    nct_id = ident.get("nctId", str)
    if nct_id is None or not nct_id.strip():
        raise RecordError(
            Failure(
                "no-nct-id",
                "study has no nctId; expected a string such as NCT01234567",
                json_path="$.protocolSection.identificationModule.nctId",
            )
        )
    nct_id = nct_id.strip()
    record = Record(record_id=nct_id, source=Source(FORMAT, path))
    if not NCT_ID.fullmatch(nct_id):
        record.warn("nct-id-format", f"nctId {nct_id!r} is not NCT followed by 8 digits", "record_id")
    for module, read_module in MODULES.items():
        read_module(protocol.child(module), record)
    record.results = read_results(root.child("resultsSection"), record)
    record.extras.update(leftovers(root))
    return record


def read(document: Any) -> Iterator[ReadResult]:
    """Raw records from an API v2 document: one study, a list, a search page or JSON Lines."""
    return read_values(document, lambda value: record_from_study)


def _identification(m: Node, record: Record) -> None:
    record.registry_ids.append(record.record_id)
    org_study_id = m.child("orgStudyIdInfo").get("id", str)
    if org_study_id:
        record.registry_ids.append(org_study_id)
    for item in m.items("secondaryIdInfos"):
        secondary = item.get("id", str)
        if secondary:
            record.registry_ids.append(secondary)
    record.registry_ids.extend(m.strings("nctIdAliases"))
    record.title = m.text("briefTitle")
    record.official_title = m.text("officialTitle")
    record.acronym = m.text("acronym")
    # The legacy XML <source> is the organisation that provides the record.
    record.source_organization = m.child("organization").text("fullName")


def _status(m: Node, record: Record) -> None:
    record.overall_status = _coded(m, "overallStatus", vocabulary.OVERALL_STATUS, record, "overall_status")
    for name, key in DATES.items():
        if key.endswith("Struct"):
            struct = m.child(key)
            date, kind = struct.get("date", str), struct.get("type", str)
        else:
            date, kind = m.get(key, str), None
        if date:
            record.dates[name] = date
        if kind:
            record.date_types[name] = kind
            _warn_unknown(vocabulary.DATE_TYPE, kind, record, f"date_types.{name}")


def _sponsors(m: Node, record: Record) -> None:
    if m.get("leadSponsor", dict, take=False) is not None:
        record.sponsors.lead = _sponsor(m.child("leadSponsor"), record)
    for item in m.items("collaborators"):
        sponsor = _sponsor(item, record)
        if sponsor is not None:
            record.sponsors.collaborators.append(sponsor)


def _sponsor(m: Node, record: Record) -> Sponsor | None:
    name = _required_text(m, "name", record, "sponsors")
    agency_class = m.get("class", str)
    _warn_unknown(vocabulary.AGENCY_CLASS, agency_class, record, "sponsors")
    return None if name is None else Sponsor(name, agency_class)


def _description(m: Node, record: Record) -> None:
    record.summary = m.text("briefSummary")
    record.detailed_description = m.text("detailedDescription")


def _conditions(m: Node, record: Record) -> None:
    record.conditions = _texts(m, "conditions")
    record.keywords = _texts(m, "keywords")


def _design(m: Node, record: Record) -> None:
    record.study_type = _coded(m, "studyType", vocabulary.STUDY_TYPE, record, "study_type")
    for phase in m.strings("phases"):
        code = vocabulary.PHASE.code(phase)
        if code is None:
            record.warn("unknown-code", f"phase {phase!r} is not a known API v2 phase; left out of phases", "phases")
        elif code not in record.phases:
            record.phases.append(code)
    info = m.child("designInfo")
    record.design = Design(
        allocation=_coded(info, "allocation", vocabulary.ALLOCATION, record, "design.allocation"),
        intervention_model=_coded(
            info, "interventionModel", vocabulary.INTERVENTION_MODEL, record, "design.intervention_model"
        ),
        masking=_coded(info.child("maskingInfo"), "masking", vocabulary.MASKING, record, "design.masking"),
        primary_purpose=_coded(info, "primaryPurpose", vocabulary.PRIMARY_PURPOSE, record, "design.primary_purpose"),
    )
    enrollment = m.child("enrollmentInfo")
    count, kind = enrollment.get("count", int), enrollment.get("type", str)
    _warn_unknown(vocabulary.DATE_TYPE, kind, record, "enrollment.type")
    if count is not None or kind is not None:
        record.enrollment = Enrollment(count, kind)


def _arms_interventions(m: Node, record: Record) -> None:
    for item in m.items("armGroups"):
        label = _required_text(item, "label", record, "arm_groups")
        if label is not None:
            kind = item.get("type", str)
            _warn_unknown(vocabulary.ARM_GROUP_TYPE, kind, record, f"arm_groups[{len(record.arm_groups)}].type")
            record.arm_groups.append(ArmGroup(label, kind, item.text("description")))
    for item in m.items("interventions"):
        name = _required_text(item, "name", record, "interventions")
        if name is None:
            continue
        kind = item.get("type", str)
        code = vocabulary.INTERVENTION_TYPE.code(kind)
        if kind is not None and code is None:
            record.warn(
                "unknown-code",
                f"intervention type {kind!r} is not a known API v2 value; type left null",
                f"interventions[{len(record.interventions)}].type",
            )
        record.interventions.append(
            Intervention(
                name, item.text("description"), code, _texts(item, "otherNames"), _texts(item, "armGroupLabels")
            )
        )


def _outcomes(m: Node, record: Record) -> None:
    for outcome_type, key in OUTCOME_LISTS:
        for item in m.items(key):
            measure = _required_text(item, "measure", record, "outcomes")
            if measure is not None:
                record.outcomes.append(
                    Outcome(type=outcome_type, measure=measure, description=item.text("description"),
                            time_frame=_time_frame(item.text("timeFrame")))
                )


def _eligibility(m: Node, record: Record) -> None:
    criteria = m.get("eligibilityCriteria", str)
    healthy = m.get("healthyVolunteers", bool)
    record.eligibility = Eligibility(
        gender=_coded(m, "sex", vocabulary.GENDER, record, "eligibility.gender"),
        minimum_age=m.text("minimumAge"),
        maximum_age=m.text("maximumAge"),
        healthy_volunteers=None if healthy is None else HEALTHY_VOLUNTEERS[healthy],
        # The Markdown as given: the criteria step splits it before dropping escapes.
        criteria_blocks=[CriteriaBlock(markup="markdown", text=criteria)] if criteria else [],
    )


def _time_frame(text: str | None) -> TimeFrame | None:
    """A time frame as written (the normalise stack parses it); None where there is none."""
    return TimeFrame(text) if text else None


# protocolSection modules read into fields, in the order of the record.
MODULES = {
    "identificationModule": _identification,
    "statusModule": _status,
    "sponsorCollaboratorsModule": _sponsors,
    "descriptionModule": _description,
    "conditionsModule": _conditions,
    "designModule": _design,
    "armsInterventionsModule": _arms_interventions,
    "outcomesModule": _outcomes,
    "eligibilityModule": _eligibility,
}


# --- helpers --------------------------------------------------------------------------


def _coded(m: Node, key: str, concept: vocabulary.Concept, record: Record, field: str) -> CodedText | None:
    coded = concept.coded(m.get(key, str))
    if coded is not None and coded.code is None:
        record.warn(
            "unknown-code",
            f"{dotted(m.path[1:] + (key,))} {coded.text!r} is not a known API v2 value; kept as text, code null",
            field,
        )
    return coded


def _warn_unknown(concept: vocabulary.Concept, text: str | None, record: Record, field: str) -> None:
    if text and concept.code(text) is None:
        record.warn("unknown-code", f"{concept.described} {text!r} is not a known API v2 value; kept as given, "
                    "no code", field)


def _texts(m: Node, key: str) -> list[str]:
    return [t for t in map(canonical_text, m.strings(key)) if t]


def _required_text(m: Node, key: str, record: Record, field: str) -> str | None:
    """The text at ``key``; when missing, the whole item is left untaken (kept in extras) with a warning."""
    value = m.get(key, str, take=False)
    text = None if value is None else canonical_text(value)
    if text is None:
        record.warn("missing-value", f"{json_path(m.path)} has no {key}; kept in extras, not in {field}", field)
        return None
    m.take(key)
    return text
