"""API v2 ``resultsSection`` -> the record's ``results`` (the shape legacy XML results get too).

Read through the study reader's :class:`~.reader.Node` views, so whatever is
not read here (``moreInfoModule``, ``calculatePct``, ``denomUnitsSelected``,
a count that is not a whole number) stays in ``extras`` under its JSON path.
Free text loses its Markdown escapes (as everywhere in API v2 reading);
numbers keep their text beside the number parsed from it; group codes are
API v2's own (``OG000``).
"""

from __future__ import annotations

from typing import Any

from ... import vocabulary
from ...model import (
    AdverseEvent,
    AdverseEvents,
    Analysis,
    Baseline,
    CodedText,
    Denominator,
    DropWithdrawal,
    EventCount,
    EventList,
    EventTotal,
    GroupCount,
    Measurement,
    Milestone,
    ParticipantFlow,
    Period,
    Record,
    ResultCategory,
    ResultClass,
    ResultGroup,
    ResultMeasure,
    ResultOutcome,
    ResultNumber,
    Results,
)
from ..results_values import number

# The study reader's Node (a view of one JSON object that remembers what was taken); not imported,
# since the reader imports this module.
Node = Any


def read_results(section: Node, record: Record) -> Results | None:
    """The results of a study's ``resultsSection`` (None where it has none)."""
    if not section.value:
        return None
    results = Results()
    flow = section.child("participantFlowModule")
    if flow.value:
        results.participant_flow = _flow(flow, record)
    baseline = section.child("baselineCharacteristicsModule")
    if baseline.value:
        results.baseline = Baseline(
            population=baseline.text("populationDescription"),
            groups=_groups(baseline),
            denominators=_denominators(baseline, record),
            measures=[_measure(m, record, m.text("title")) for m in baseline.items("measures")],
        )
    outcomes = section.child("outcomeMeasuresModule")
    results.outcomes = [_outcome(o, record) for o in outcomes.items("outcomeMeasures")]
    events = section.child("adverseEventsModule")
    if events.value:
        results.adverse_events = _adverse_events(events, record)
    return results


def _groups(m: Node) -> list[ResultGroup]:
    return [ResultGroup(g.get("id", str) or "", g.text("title"), g.text("description")) for g in m.items("groups")]


def _count(m: Node, key: str, record: Record) -> int | None:
    """A whole number given as a number or as text; anything else stays in extras (bad-number)."""
    value = m.value.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        m.take(key)
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        m.take(key)
        return int(value)
    where = ".".join(str(p) for p in m.path + (key,))
    record.warn("bad-number", f"{where} {value!r} is not a whole number; kept in extras", "results")
    return None


def _number(m: Node, key: str) -> ResultNumber | None:
    value = m.value.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        m.take(key)
        return ResultNumber(str(value), value)
    text = m.get(key, str)
    return None if text is None else number(text)


def _coded(m: Node, key: str, concept: vocabulary.Concept, record: Record) -> CodedText | None:
    coded = concept.coded(m.get(key, str))
    if coded is not None and coded.code is None:
        where = ".".join(str(p) for p in m.path + (key,))
        record.warn("unknown-code", f"{where} {coded.text!r} is not a {concept.described} our tables know; "
                    "kept as text, code null", "results")
    return coded


def _group_counts(m: Node, key: str, record: Record) -> list[GroupCount]:
    return [GroupCount(c.get("groupId", str) or "", _count(c, "numSubjects", record), c.text("comment"),
                       _count(c, "numUnits", record)) for c in m.items(key)]


def _flow(m: Node, record: Record) -> ParticipantFlow:
    periods = []
    for p in m.items("periods"):
        periods.append(Period(
            p.text("title"),
            [Milestone(s.text("type"), _group_counts(s, "achievements", record), s.text("comment"))
             for s in p.items("milestones")],
            [DropWithdrawal(d.text("type"), _group_counts(d, "reasons", record), d.text("comment"))
             for d in p.items("dropWithdraws")],
        ))
    return ParticipantFlow(m.text("recruitmentDetails"), m.text("preAssignmentDetails"), _groups(m), periods)


def _denominators(m: Node, record: Record) -> list[Denominator]:
    out = []
    for d in m.items("denoms"):
        counts = [GroupCount(c.get("groupId", str) or "", _count(c, "value", record)) for c in d.items("counts")]
        out.append(Denominator(d.text("units"), None, counts))
    return out


def _measurement(m: Node) -> Measurement:
    return Measurement(m.get("groupId", str) or "", _number(m, "value"), _number(m, "spread"),
                       _number(m, "lowerLimit"), _number(m, "upperLimit"), m.text("comment"))


def _classes(m: Node, record: Record) -> list[ResultClass]:
    return [
        ResultClass(
            c.text("title"),
            _denominators(c, record),
            [ResultCategory(k.text("title"), None, [_measurement(x) for x in k.items("measurements")])
             for k in c.items("categories")],
        )
        for c in m.items("classes")
    ]


def _measure(m: Node, record: Record, title: str | None) -> ResultMeasure:
    return ResultMeasure(
        title=title,
        description=m.text("description") if title is not None else None,
        population=m.text("populationDescription") if title is not None else None,
        units=m.text("unitOfMeasure"),
        param_type=_coded(m, "paramType", vocabulary.PARAM_TYPE, record),
        dispersion_type=_coded(m, "dispersionType", vocabulary.DISPERSION_TYPE, record),
        units_analyzed=m.text("typeUnitsAnalyzed"),
        denominators=_denominators(m, record),
        classes=_classes(m, record),
    )


def _analysis(a: Node, record: Record) -> Analysis:
    return Analysis(
        groups=a.strings("groupIds"),
        groups_description=a.text("groupDescription"),
        non_inferiority_type=_coded(a, "nonInferiorityType", vocabulary.NON_INFERIORITY_TYPE, record),
        non_inferiority_description=a.text("nonInferiorityComment"),
        p_value=_number(a, "pValue"),
        p_value_description=a.text("pValueComment"),
        method=a.text("statisticalMethod"),
        method_description=a.text("statisticalComment"),
        param_type=a.text("paramType"),
        param_value=_number(a, "paramValue"),
        dispersion_type=_coded(a, "dispersionType", vocabulary.DISPERSION_TYPE, record),
        dispersion_value=_number(a, "dispersionValue"),
        ci_percent=_number(a, "ciPctValue"),
        ci_n_sides=_coded(a, "ciNumSides", vocabulary.CI_SIDES, record),
        ci_lower_limit=_number(a, "ciLowerLimit"),
        ci_upper_limit=_number(a, "ciUpperLimit"),
        ci_lower_limit_comment=a.text("ciLowerLimitComment"),
        ci_upper_limit_comment=a.text("ciUpperLimitComment"),
        estimate_description=a.text("estimateComment"),
        other_description=a.text("otherAnalysisDescription"),
    )


def _outcome(o: Node, record: Record) -> ResultOutcome:
    return ResultOutcome(
        type=_coded(o, "type", vocabulary.RESULT_OUTCOME_TYPE, record),
        title=o.text("title"),
        description=o.text("description"),
        time_frame=o.text("timeFrame"),
        population=o.text("populationDescription"),
        reporting_status=o.get("reportingStatus", str),
        groups=_groups(o),
        measure=_measure(o, record, None),
        analyses=[_analysis(a, record) for a in o.items("analyses")],
    )


_TOTALS = (("deaths", "deathsNumAffected", "deathsNumAtRisk"), ("serious", "seriousNumAffected", "seriousNumAtRisk"),
           ("other", "otherNumAffected", "otherNumAtRisk"))


def _events(m: Node, key: str, record: Record) -> list[AdverseEvent]:
    return [
        AdverseEvent(
            organ_system=e.text("organSystem"),
            term=e.text("term"),
            vocabulary=e.text("sourceVocabulary"),
            assessment=e.get("assessmentType", str),
            description=e.text("notes"),
            counts=[EventCount(s.get("groupId", str) or "", _count(s, "numAffected", record),
                               _count(s, "numAtRisk", record), _count(s, "numEvents", record))
                    for s in e.items("stats")],
        )
        for e in m.items(key)
    ]


def _adverse_events(m: Node, record: Record) -> AdverseEvents:
    out = AdverseEvents(time_frame=m.text("timeFrame"), description=m.text("description"),
                        mortality_comment=m.text("allCauseMortalityComment"))
    groups = list(m.items("eventGroups"))
    for g in groups:
        out.groups.append(ResultGroup(g.get("id", str) or "", g.text("title"), g.text("description")))
    for kind, affected, at_risk in _TOTALS:  # in the legacy XML's order: mortality, serious, other
        for g, group in zip(groups, out.groups):
            n_affected, n_at_risk = _count(g, affected, record), _count(g, at_risk, record)
            if n_affected is not None or n_at_risk is not None:
                out.totals.append(EventTotal(group.code, kind, None, n_affected, n_at_risk))
    serious = _events(m, "seriousEvents", record)
    other = _events(m, "otherEvents", record)
    threshold = m.get("frequencyThreshold", str)
    if serious:
        out.serious = EventList(events=serious)
    if other or threshold is not None:
        out.other = EventList(frequency_threshold=threshold, events=other)
    return out

