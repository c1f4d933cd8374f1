"""The results tables (CONTRACT "Results"), named and shaped as AACT's.

One row a group, an outcome, a count, a measurement, an analysis, a milestone
or a reported event, keyed by ``record_id`` and 1-based indexes; group codes
as API v2 writes them (``OG000``). Every number gives two cells where the
registry wrote text: the text as written (``param_value``, ``*_raw``) and the
number (``param_value_num``, ``*_limit``; a number with a modifier such as
``<0.001`` gives a number only where a ``*_modifier`` column says so:
``p_value``). Codes are the API v2 enums (vocabulary.py), the source's
wording in the ``*_text`` column beside them.

Columns beyond CONTRACT's, so that every number of a results section has its
row: ``result_groups.result_group_index`` / ``result_outcome_index`` (outcome
groups are per outcome), ``*_count_index`` and ``classification`` /
``measure_index`` on the count tables (denominators of a class or a measure),
``measure_title`` / ``units`` on ``outcome_measurements`` (the older legacy
layout gives several measures an outcome).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ... import vocabulary
from ...model import CodedText, Denominator, Record, ResultMeasure, ResultNumber, Results
from ..results_values import plain_number
from .table import TO_TRIALS, Column, ForeignKey, Item, Table, record_id_column

Row = dict[str, Any]


def _cell(name: str) -> Callable[[Item], Any]:
    return lambda item: item.obj.get(name)


def col(name: str, type_: str, description: str, required: bool = False, enum: tuple[str, ...] = (),
        minimum: int | None = None) -> Column:
    """A column whose cell is the row dict's ``name``."""
    return Column(name, type_, description, _cell(name), required, enum, minimum)


def _index(name: str, what: str) -> Column:
    return col(name, "integer", f"1-based position of the {what} within its record.", True, minimum=1)


class ResultTable(Table):
    """A results table: its row generator gives each row as a dict keyed by column name, so a
    row's cells are looked up in one pass (tens of thousands of rows a batch)."""

    __slots__ = ("row_dicts",)

    def rows(self, record: Record) -> list[tuple[Any, ...]]:
        if record.results is None:
            return []
        names = self.column_names[1:]
        rid = record.record_id
        return [(rid, *map(row.get, names)) for row in self.row_dicts(record.results)]


def _table(name: str, description: str, columns: tuple[Column, ...], key: tuple[str, ...],
           rows: Callable[[Results], Iterator[Row]], foreign: tuple[ForeignKey, ...] = (),
           indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
    def items(record: Record) -> Iterator[Item]:
        if record.results is not None:
            for row in rows(record.results):
                yield Item(record.record_id, (), row)

    table = ResultTable(name, description, (record_id_column("result"), *columns), ("record_id", *key), items,
                        (TO_TRIALS, *foreign), indexes)
    object.__setattr__(table, "row_dicts", rows)
    return table


def _code(value: CodedText | None) -> str | None:
    return None if value is None else value.code


def _words(value: CodedText | None) -> str | None:
    return None if value is None else value.text


def _raw(value: ResultNumber | None) -> str | None:
    return None if value is None else value.text


GROUP_CODE = col("ctgov_group_code", "string", "The group's API v2 code (OG000; legacy XML O1 is OG000).")
TO_OUTCOME = ForeignKey(("record_id", "result_outcome_index"), "result_outcomes", ("record_id", "result_outcome_index"))
OUTCOME_INDEX = col("result_outcome_index", "integer", "The outcome (result_outcomes.result_outcome_index).",
                    True, minimum=1)

# --- groups and outcomes ----------------------------------------------------------------------------------


def _group_rows(results: Results) -> Iterator[Row]:
    sections: list[tuple[str, int | None, list[Any]]] = []
    if results.participant_flow is not None:
        sections.append(("participant_flow", None, results.participant_flow.groups))
    if results.baseline is not None:
        sections.append(("baseline", None, results.baseline.groups))
    for i, outcome in enumerate(results.outcomes, 1):
        sections.append(("outcome", i, outcome.groups))
    if results.adverse_events is not None:
        sections.append(("reported_event", None, results.adverse_events.groups))
    n = 0
    for result_type, outcome_index, groups in sections:
        for g in groups:
            n += 1
            yield {"result_group_index": n, "result_type": result_type, "result_outcome_index": outcome_index,
                   "ctgov_group_code": g.code, "title": g.title, "description": g.description}


RESULT_GROUPS = _table(
    "result_groups", "The groups (arms) of each results section; an outcome's groups are its own.",
    (
        _index("result_group_index", "group"),
        col("result_type", "string", "The section the group belongs to.", True,
            ("participant_flow", "baseline", "outcome", "reported_event")),
        col("result_outcome_index", "integer", "For an outcome's group: the outcome (result_outcomes).", minimum=1),
        GROUP_CODE,
        col("title", "string", "The group's title."),
        col("description", "string", "The group's description."),
    ),
    ("result_group_index",), _group_rows, indexes=(("ctgov_group_code",),),
)


def _measure_of(outcome: Any) -> ResultMeasure | None:
    return outcome.measure if outcome.measure is not None else (outcome.measures[-1] if outcome.measures else None)


def _outcome_rows(results: Results) -> Iterator[Row]:
    for i, o in enumerate(results.outcomes, 1):
        m = _measure_of(o)
        yield {
            "result_outcome_index": i, "outcome_type": _code(o.type), "outcome_type_text": _words(o.type),
            "title": o.title, "description": o.description, "time_frame": o.time_frame,
            "population": o.population, "units": m.units if m else None,
            "param_type": _code(m.param_type) if m else None, "param_type_text": _words(m.param_type) if m else None,
            "dispersion_type": _code(m.dispersion_type) if m else None,
            "dispersion_type_text": _words(m.dispersion_type) if m else None,
            "reporting_status": o.reporting_status,
        }


RESULT_OUTCOMES = _table(
    "result_outcomes", "The reported outcome measures of each record.",
    (
        _index("result_outcome_index", "reported outcome"),
        col("outcome_type", "string", "The outcome's type.", enum=vocabulary.RESULT_OUTCOME_TYPE.codes),
        col("outcome_type_text", "string", "The outcome's type as the source wrote it."),
        col("title", "string", "The outcome's title."),
        col("description", "string", "The outcome's description."),
        col("time_frame", "string", "The time frame as written."),
        col("population", "string", "Who was analysed, as written."),
        col("units", "string", "The unit of the measurements."),
        col("param_type", "string", "The measurements' parameter (API v2 code).", enum=vocabulary.PARAM_TYPE.codes),
        col("param_type_text", "string", "The parameter as the source wrote it."),
        col("dispersion_type", "string", "The measurements' dispersion (API v2 code).",
            enum=vocabulary.DISPERSION_TYPE.codes),
        col("dispersion_type_text", "string", "The dispersion as the source wrote it."),
        col("reporting_status", "string", "API v2 reportingStatus (POSTED, NOT_POSTED)."),
    ),
    ("result_outcome_index",), _outcome_rows, indexes=(("outcome_type",),),
)

# --- counts (denominators) -----------------------------------------------------------------------------


def _denominator_rows(denominators: list[Denominator], extra: Row) -> Iterator[Row]:
    for d in denominators:
        for c in d.counts:
            yield {**extra, "ctgov_group_code": c.group, "units": d.units, "scope": d.scope, "count": c.count}


def _measure_denominators(m: ResultMeasure, extra: Row) -> Iterator[Row]:
    yield from _denominator_rows(m.denominators, extra)
    for c in m.classes:
        yield from _denominator_rows(c.denominators, {**extra, "classification": c.title})


def _outcome_count_rows(results: Results) -> Iterator[Row]:
    for i, o in enumerate(results.outcomes, 1):
        n = 0
        for m in ([o.measure] if o.measure else []) + o.measures:
            for row in _measure_denominators(m, {"result_outcome_index": i}):
                n += 1
                yield {"count_index": n, **row}


_COUNT_COLUMNS = (
    GROUP_CODE,
    col("classification", "string", "The class the count is for; empty for the whole measure."),
    col("scope", "string", "Legacy XML: Overall or Measure."),
    col("units", "string", "What is counted (Participants)."),
    col("count", "integer", "The number analysed.", minimum=0),
)

OUTCOME_COUNTS = _table(
    "outcome_counts", "How many were analysed for each outcome, per group (and class, where given).",
    (OUTCOME_INDEX, col("count_index", "integer", "1-based position of the count within its outcome.", True,
                        minimum=1), *_COUNT_COLUMNS),
    ("result_outcome_index", "count_index"), _outcome_count_rows, (TO_OUTCOME,),
)


def _baseline_count_rows(results: Results) -> Iterator[Row]:
    if results.baseline is None:
        return
    rows = list(_denominator_rows(results.baseline.denominators, {}))
    for i, m in enumerate(results.baseline.measures, 1):
        rows += _measure_denominators(m, {"measure_index": i})
    for n, row in enumerate(rows, 1):
        yield {"baseline_count_index": n, **row}


BASELINE_COUNTS = _table(
    "baseline_counts", "How many were analysed at baseline, per group: overall, and per measure or class where given.",
    (_index("baseline_count_index", "baseline count"),
     col("measure_index", "integer", "The baseline measure the count is for; empty for the whole baseline.",
         minimum=1),
     *_COUNT_COLUMNS),
    ("baseline_count_index",), _baseline_count_rows,
)

# --- measurements ------------------------------------------------------------------------------------


def _measurement_cells(m: ResultMeasure) -> Iterator[Row]:
    classes = [(c.title, c.categories) for c in m.classes] + ([(None, m.categories)] if m.categories else [])
    for classification, categories in classes:
        for category in categories:
            for x in category.measurements:
                yield {
                    "ctgov_group_code": x.group, "classification": classification,
                    "category": category.title if category.title is not None else category.sub_title,
                    "param_type": _code(m.param_type), "param_value": _raw(x.value),
                    "param_value_num": plain_number(x.value),
                    "dispersion_type": _code(m.dispersion_type), "dispersion_value": _raw(x.spread),
                    "dispersion_value_num": plain_number(x.spread),
                    "dispersion_lower_limit": plain_number(x.lower_limit),
                    "dispersion_upper_limit": plain_number(x.upper_limit),
                    "dispersion_lower_limit_raw": _raw(x.lower_limit),
                    "dispersion_upper_limit_raw": _raw(x.upper_limit),
                    "explanation_of_na": x.comment,
                }


def _outcome_measurement_rows(results: Results) -> Iterator[Row]:
    for i, o in enumerate(results.outcomes, 1):
        n = 0
        for m in ([o.measure] if o.measure else []) + o.measures:
            for row in _measurement_cells(m):
                n += 1
                yield {"result_outcome_index": i, "measurement_index": n, "measure_title": m.title,
                       "units": m.units, **row}


_MEASUREMENT_COLUMNS = (
    GROUP_CODE,
    col("classification", "string", "The class (row group) of the measurement, where given."),
    col("category", "string", "The category of the measurement, where given."),
    col("param_type", "string", "The parameter (API v2 code).", enum=vocabulary.PARAM_TYPE.codes),
    col("param_value", "string", "The value as the registry wrote it."),
    col("param_value_num", "number", "The value as a number; empty where the text is not a plain number."),
    col("dispersion_type", "string", "The dispersion (API v2 code).", enum=vocabulary.DISPERSION_TYPE.codes),
    col("dispersion_value", "string", "The spread as the registry wrote it."),
    col("dispersion_value_num", "number", "The spread as a number."),
    col("dispersion_lower_limit", "number", "The lower limit as a number."),
    col("dispersion_upper_limit", "number", "The upper limit as a number."),
    col("dispersion_lower_limit_raw", "string", "The lower limit as written."),
    col("dispersion_upper_limit_raw", "string", "The upper limit as written."),
    col("explanation_of_na", "string", "Why a value is not given, where the registry says."),
)

OUTCOME_MEASUREMENTS = _table(
    "outcome_measurements", "Each outcome's values, one a group, class and category.",
    (OUTCOME_INDEX, col("measurement_index", "integer", "1-based position within its outcome.", True, minimum=1),
     col("measure_title", "string", "The measure's own title (legacy XML), where given."),
     col("units", "string", "The unit of the value."),
     *_MEASUREMENT_COLUMNS),
    ("result_outcome_index", "measurement_index"), _outcome_measurement_rows, (TO_OUTCOME,),
    (("ctgov_group_code",),),
)


def _number_analyzed(m: ResultMeasure, classification: str | None, group: str,
                     overall: list[Denominator]) -> tuple[int | None, str | None]:
    """The denominator of a baseline measurement: its class's, else its measure's, else the baseline's."""
    levels = [c.denominators for c in m.classes if c.title == classification] + [m.denominators, overall]
    for denominators in levels:
        for d in denominators:
            for c in d.counts:
                if c.group == group:
                    return c.count, d.units
    return None, None


def _baseline_measurement_rows(results: Results) -> Iterator[Row]:
    if results.baseline is None:
        return
    n = 0
    for i, m in enumerate(results.baseline.measures, 1):
        for row in _measurement_cells(m):
            n += 1
            count, units = _number_analyzed(m, row["classification"], row["ctgov_group_code"],
                                            results.baseline.denominators)
            yield {"measurement_index": n, "measure_index": i, "title": m.title, "description": m.description,
                   "population_description": m.population, "units": m.units, **row,
                   "number_analyzed": count, "number_analyzed_units": units}


BASELINE_MEASUREMENTS = _table(
    "baseline_measurements", "Baseline characteristics, one value a group, class and category.",
    (_index("measurement_index", "baseline measurement"),
     col("measure_index", "integer", "1-based position of the measure in the baseline.", True, minimum=1),
     col("title", "string", "The measure's title (Age, Sex)."),
     col("description", "string", "The measure's description."),
     col("population_description", "string", "Who was analysed, as written."),
     col("units", "string", "The unit of the value."),
     *_MEASUREMENT_COLUMNS,
     col("number_analyzed", "integer", "How many were analysed in the group (class, measure or baseline "
         "denominator).", minimum=0),
     col("number_analyzed_units", "string", "What number_analyzed counts.")),
    ("measurement_index",), _baseline_measurement_rows, indexes=(("title",),),
)

# --- analyses --------------------------------------------------------------------------------------------

_SIDES = {"ONE_SIDED": 1, "TWO_SIDED": 2}


def _analysis_rows(results: Results) -> Iterator[Row]:
    for i, o in enumerate(results.outcomes, 1):
        for j, a in enumerate(o.analyses, 1):
            yield {
                "result_outcome_index": i, "analysis_index": j,
                "non_inferiority_type": _code(a.non_inferiority_type),
                "non_inferiority_type_text": _words(a.non_inferiority_type),
                "non_inferiority_description": a.non_inferiority_description,
                "param_type": a.param_type, "param_value": _raw(a.param_value),
                "param_value_num": plain_number(a.param_value),
                "dispersion_type": _code(a.dispersion_type), "dispersion_type_text": _words(a.dispersion_type),
                "dispersion_value": _raw(a.dispersion_value),
                "p_value_modifier": a.p_value.modifier if a.p_value else None,
                "p_value": a.p_value.value if a.p_value else None, "p_value_raw": _raw(a.p_value),
                "p_value_description": a.p_value_description,
                "ci_n_sides": _SIDES.get(_code(a.ci_n_sides) or ""), "ci_n_sides_text": _words(a.ci_n_sides),
                "ci_percent": plain_number(a.ci_percent),
                "ci_lower_limit": plain_number(a.ci_lower_limit), "ci_upper_limit": plain_number(a.ci_upper_limit),
                "ci_lower_limit_raw": _raw(a.ci_lower_limit), "ci_upper_limit_raw": _raw(a.ci_upper_limit),
                "method": a.method, "method_description": a.method_description,
                "estimate_description": a.estimate_description, "groups_description": a.groups_description,
                "other_analysis_description": a.other_description,
            }


OUTCOME_ANALYSES = _table(
    "outcome_analyses", "The statistical analyses of each outcome.",
    (
        OUTCOME_INDEX,
        col("analysis_index", "integer", "1-based position of the analysis within its outcome.", True, minimum=1),
        col("non_inferiority_type", "string", "Non-inferiority or superiority (API v2 code).",
            enum=vocabulary.NON_INFERIORITY_TYPE.codes),
        col("non_inferiority_type_text", "string", "As the source wrote it."),
        col("non_inferiority_description", "string", "The non-inferiority comment."),
        col("param_type", "string", "The estimate's parameter as written (Hazard Ratio (HR))."),
        col("param_value", "string", "The estimate as the registry wrote it."),
        col("param_value_num", "number", "The estimate as a number."),
        col("dispersion_type", "string", "The estimate's dispersion (API v2 code).",
            enum=vocabulary.DISPERSION_TYPE.codes),
        col("dispersion_type_text", "string", "As the source wrote it."),
        col("dispersion_value", "string", "The dispersion as written."),
        col("p_value_modifier", "string", "The comparison before the p-value (<, <=, >, >=).",
            enum=vocabulary.NUMBER_MODIFIER.codes),
        col("p_value", "number", "The p-value's number (0.001 for <0.001)."),
        col("p_value_raw", "string", "The p-value as written."),
        col("p_value_description", "string", "The p-value comment."),
        col("ci_n_sides", "integer", "1 or 2: a one- or two-sided interval.", minimum=1),
        col("ci_n_sides_text", "string", "As the source wrote it (2-Sided, TWO_SIDED)."),
        col("ci_percent", "number", "The confidence level in percent (95)."),
        col("ci_lower_limit", "number", "The interval's lower limit."),
        col("ci_upper_limit", "number", "The interval's upper limit."),
        col("ci_lower_limit_raw", "string", "The lower limit as written."),
        col("ci_upper_limit_raw", "string", "The upper limit as written."),
        col("method", "string", "The statistical method."),
        col("method_description", "string", "The method comment."),
        col("estimate_description", "string", "The estimate comment."),
        col("groups_description", "string", "What the analysis compares, as written."),
        col("other_analysis_description", "string", "Any other description of the analysis."),
    ),
    ("result_outcome_index", "analysis_index"), _analysis_rows, (TO_OUTCOME,),
)


def _analysis_group_rows(results: Results) -> Iterator[Row]:
    for i, o in enumerate(results.outcomes, 1):
        for j, a in enumerate(o.analyses, 1):
            for k, code in enumerate(a.groups, 1):
                yield {"result_outcome_index": i, "analysis_index": j, "analysis_group_index": k,
                       "ctgov_group_code": code}


OUTCOME_ANALYSIS_GROUPS = _table(
    "outcome_analysis_groups", "The groups each analysis compares.",
    (OUTCOME_INDEX, col("analysis_index", "integer", "The analysis (outcome_analyses.analysis_index).", True,
                        minimum=1),
     col("analysis_group_index", "integer", "1-based position of the group within its analysis.", True, minimum=1),
     GROUP_CODE),
    ("result_outcome_index", "analysis_index", "analysis_group_index"), _analysis_group_rows,
    (ForeignKey(("record_id", "result_outcome_index", "analysis_index"), "outcome_analyses",
                ("record_id", "result_outcome_index", "analysis_index")),),
)

# --- participant flow ----------------------------------------------------------------------------------


def _flow_rows(results: Results, kind: str) -> Iterator[Row]:
    if results.participant_flow is None:
        return
    n = 0
    for period in results.participant_flow.periods:
        for item in period.milestones if kind == "milestones" else period.drop_withdrawals:
            for c in item.counts:
                n += 1
                if kind == "milestones":
                    yield {"milestone_index": n, "period": period.title, "ctgov_group_code": c.group,
                           "title": item.title, "description": c.comment or item.comment, "count": c.count}
                else:
                    yield {"drop_withdrawal_index": n, "period": period.title, "ctgov_group_code": c.group,
                           "reason": item.reason, "count": c.count}


MILESTONES = _table(
    "milestones", "Participant flow: how many started, completed, ... each period, per group.",
    (_index("milestone_index", "milestone count"), col("period", "string", "The period's title."), GROUP_CODE,
     col("title", "string", "The milestone (STARTED, COMPLETED, ...)."),
     col("description", "string", "The milestone's comment."),
     col("count", "integer", "Participants.", minimum=0)),
    ("milestone_index",), lambda r: _flow_rows(r, "milestones"),
)

DROP_WITHDRAWALS = _table(
    "drop_withdrawals", "Participant flow: why participants left each period, per group.",
    (_index("drop_withdrawal_index", "drop-out count"), col("period", "string", "The period's title."), GROUP_CODE,
     col("reason", "string", "Why they left (Adverse Event, Lost to Follow-up, ...)."),
     col("count", "integer", "Participants.", minimum=0)),
    ("drop_withdrawal_index",), lambda r: _flow_rows(r, "drop_withdrawals"),
)

# --- adverse events -----------------------------------------------------------------------------------


def _event_rows(results: Results) -> Iterator[Row]:
    ae = results.adverse_events
    if ae is None:
        return
    n = 0
    for event_type, events in (("serious", ae.serious), ("other", ae.other)):
        if events is None:
            continue
        for e in events.events:
            assessment = e.assessment or events.default_assessment
            for c in e.counts:
                n += 1
                yield {
                    "event_index": n, "ctgov_group_code": c.group, "event_type": event_type,
                    "organ_system": e.organ_system, "adverse_event_term": e.term,
                    "subjects_affected": c.subjects_affected, "subjects_at_risk": c.subjects_at_risk,
                    "event_count": c.events, "vocab": e.vocabulary or events.default_vocabulary,
                    "assessment": vocabulary.ASSESSMENT_TYPE.code(assessment) if assessment else None,
                    "assessment_text": assessment,
                    "frequency_threshold": events.frequency_threshold, "time_frame": ae.time_frame,
                    "description": e.description,
                }


REPORTED_EVENTS = _table(
    "reported_events", "Adverse events: one row an event (organ system, term) and group.",
    (
        _index("event_index", "event row"), GROUP_CODE,
        col("event_type", "string", "serious or other.", True, ("serious", "other")),
        col("organ_system", "string", "The organ system (category)."),
        col("adverse_event_term", "string", "The event's term."),
        col("subjects_affected", "integer", "Participants affected.", minimum=0),
        col("subjects_at_risk", "integer", "Participants at risk.", minimum=0),
        col("event_count", "integer", "Events counted, where given.", minimum=0),
        col("vocab", "string", "The vocabulary of the term (MedDRA 20.0), the section's default where the event "
            "names none."),
        col("assessment", "string", "Systematic or non-systematic assessment (API v2 code).",
            enum=vocabulary.ASSESSMENT_TYPE.codes),
        col("assessment_text", "string", "The assessment as the source wrote it."),
        col("frequency_threshold", "string", "The frequency threshold above which other events are reported (%)."),
        col("time_frame", "string", "The adverse events' time frame."),
        col("description", "string", "The event's own description."),
    ),
    ("event_index",), _event_rows, indexes=(("adverse_event_term",), ("organ_system",)),
)


def _total_rows(results: Results) -> Iterator[Row]:
    if results.adverse_events is None:
        return
    for n, t in enumerate(results.adverse_events.totals, 1):
        yield {"total_index": n, "ctgov_group_code": t.group, "event_type": t.event_type,
               "classification": t.classification, "subjects_affected": t.subjects_affected,
               "subjects_at_risk": t.subjects_at_risk, "event_count": t.events}


REPORTED_EVENT_TOTALS = _table(
    "reported_event_totals", "Participants with any serious or other adverse event, or who died, per group.",
    (_index("total_index", "total"), GROUP_CODE,
     col("event_type", "string", "serious, other or deaths.", True, vocabulary.EVENT_TOTAL_TYPE.codes),
     col("classification", "string", "The total's title in legacy XML (Total, serious adverse events)."),
     col("subjects_affected", "integer", "Participants affected.", minimum=0),
     col("subjects_at_risk", "integer", "Participants at risk.", minimum=0),
     col("event_count", "integer", "Events counted, where given.", minimum=0)),
    ("total_index",), _total_rows,
)

RESULT_TABLES: tuple[Table, ...] = (
    RESULT_GROUPS, RESULT_OUTCOMES, OUTCOME_COUNTS, OUTCOME_MEASUREMENTS, OUTCOME_ANALYSES, OUTCOME_ANALYSIS_GROUPS,
    BASELINE_COUNTS, BASELINE_MEASUREMENTS, MILESTONES, DROP_WITHDRAWALS, REPORTED_EVENTS, REPORTED_EVENT_TOTALS,
)
"""The results tables, in dependency order."""
