"""Legacy XML ``clinical_results`` <-> the record's ``results``, both ways from one layout.

The layout below (:data:`CLINICAL_RESULTS`) works on the element in the
generic extras form (:mod:`.extras_form`: a text element is its text, an
element with attributes or children an object, a repeated child a list). Each
node both loads (extras form -> model) and dumps (model -> extras form), in
the order of the registry's public schema, so a document's results are read
and written back by the same declaration:

* :class:`Obj` - an element with children and attributes, bound to a model
  class; a key bound to no attribute (``point_of_contact``, ``safety_issue``)
  is kept in ``extras`` under its path, and so is any key the layout does not
  know (``clinical_results/outcome_list/outcome[2]/safety_issue``);
* :class:`ListOf` - a ``*_list`` element whose repeated child gives a list;
* leaves: :data:`TEXT`, :data:`NUMBER` (text and number), :data:`COUNT`
  (a whole number; anything else is kept in extras with ``bad-number``),
  :class:`Coded` (text and API v2 code; an unknown spelling warns
  ``unknown-code``), :class:`GroupId` (legacy ``O1`` <-> API v2 ``OG000``).

Reading is checked: the model and the extras it left are dumped again and
compared with the element as read (as values: attribute order has no meaning,
and children are written in the schema's order). Only where that gives the element
back exactly are the results taken out of extras; otherwise (a layout older
than the 2019 schema that this declaration does not reproduce) the element is
kept whole in ``extras["clinical_results"]`` as well, so the XML writer writes
it back as it was. Either way ``results`` holds what could be read.
"""

from __future__ import annotations

from collections.abc import Callable
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
    Results,
)
from ..results_values import api_group_code, legacy_group_id, number

TAG = "clinical_results"


class Context:
    """One load or dump: the extras kept under the results' paths, and the record's warnings."""

    def __init__(self, record: Record, kept: dict[str, Any] | None = None):
        self.record = record
        self.kept: dict[str, Any] = {} if kept is None else kept
        self.letter = ""  # the legacy group-id letter of the section being read: P, B, O, E
        self.totals: list[EventTotal] = []  # the adverse-event totals being read or written
        self._children: dict[str, list[tuple[str, Any]]] | None = None

    def keep(self, path: str, value: Any) -> None:
        self.kept[path] = value

    def children(self, path: str) -> list[tuple[str, Any]]:
        """Kept values directly under ``path`` (name, value), in the order they were kept."""
        if self._children is None:
            self._children = {}
            for key, value in self.kept.items():
                parent, _, name = key.rpartition("/")
                self._children.setdefault(parent, []).append((name, value))
        return self._children.get(path, [])


class Node:
    def load(self, value: Any, path: str, ctx: Context) -> Any:
        raise NotImplementedError

    def dump(self, value: Any, path: str, ctx: Context) -> Any:
        """The extras form of ``value``; None for nothing to write."""
        raise NotImplementedError


class _Text(Node):
    def load(self, value, path, ctx):
        if isinstance(value, str):
            return value
        ctx.keep(path, value)
        return None

    def dump(self, value, path, ctx):
        return value


class _Number(_Text):
    def load(self, value, path, ctx):
        text = super().load(value, path, ctx)
        return None if text is None else number(text)

    def dump(self, value, path, ctx):
        return None if value is None else value.text


class _Count(_Text):
    def load(self, value, path, ctx):
        text = super().load(value, path, ctx)
        if text is None:
            return None
        if text.isascii() and text.isdigit() and str(int(text)) == text:
            return int(text)
        ctx.keep(path, text)
        ctx.record.warn("bad-number", f"{path} {text!r} is not a whole number; the text kept in extras[{path!r}]",
                        "results")
        return None

    def dump(self, value, path, ctx):
        return None if value is None else str(value)


class Coded(_Text):
    """Text with its API v2 code from ``concept``."""

    def __init__(self, concept: vocabulary.Concept):
        self.concept = concept

    def load(self, value, path, ctx):
        text = super().load(value, path, ctx)
        if text is None:
            return None
        code = self.concept.code(text)
        if code is None and text.strip():
            ctx.record.warn("unknown-code", f"{path} {text!r} is not a {self.concept.described} our tables know; "
                            "kept as text, code null", "results")
        return CodedText(text, code)

    def dump(self, value, path, ctx):
        if value is None:
            return None
        return value.text if value.text or value.code is None else (self.concept.words(value.code) or value.code)


class GroupId(_Text):
    """A legacy ``group_id`` attribute <-> the API v2 group code."""

    def load(self, value, path, ctx):
        text = super().load(value, path, ctx)
        return None if text is None else api_group_code(text, ctx.letter)

    def dump(self, value, path, ctx):
        return None if value is None else legacy_group_id(value)


TEXT = _Text()
NUMBER = _Number()
COUNT = _Count()
GROUP_ID = GroupId()


def _dump_at(node: Node, value: Any, path: str, ctx: Context) -> Any:
    """What was kept whole at ``path``, else ``node``'s dump of ``value``."""
    if path in ctx.kept:
        return ctx.kept[path]
    return node.dump(value, path, ctx)


class Obj(Node):
    """An element bound to an object made by ``make``; ``fields`` are (key, attribute or None, node),
    in the schema's order. ``letter`` sets the group-id letter for what is inside."""

    def __init__(self, make: Callable[[], Any], fields: tuple[tuple[str, str | None, Node], ...],
                 letter: str | None = None):
        self.make = make
        self.fields = fields
        self.index = {key: (attr, node) for key, attr, node in fields}
        self.letter = letter

    def load(self, value, path, ctx):
        obj = self.make()
        if not isinstance(value, dict):
            ctx.keep(path, value)
            return obj
        letter = ctx.letter
        if self.letter:
            ctx.letter = self.letter
        for key, item in value.items():
            attr, node = self.index.get(key, (None, None))
            if attr is None or node is None:
                ctx.keep(f"{path}/{key}", item)
            else:
                setattr(obj, attr, node.load(item, f"{path}/{key}", ctx))
        ctx.letter = letter
        return obj

    def dump(self, value, path, ctx):
        if value is None:
            return None
        out: dict[str, Any] = {}
        for key, attr, node in self.fields:
            where = f"{path}/{key}"
            if where in ctx.kept:
                out[key] = ctx.kept[where]
            elif attr is not None:
                dumped = node.dump(getattr(value, attr), where, ctx)
                if dumped is not None:
                    out[key] = dumped
        for name, item in ctx.children(path):
            if name not in self.index:
                out[name] = item
        return out or None


class ListOf(Node):
    """A list element (``group_list``) whose repeated ``child`` elements give a list."""

    def __init__(self, child: str, node: Node):
        self.child = child
        self.node = node

    def load(self, value, path, ctx):
        if not isinstance(value, dict) or self.child not in value:
            ctx.keep(path, value)
            return []
        items: list[Any] = []
        for key, item in value.items():
            if key != self.child:
                ctx.keep(f"{path}/{key}", item)
                continue
            for i, one in enumerate(item if isinstance(item, list) else [item], 1):
                items.append(self.node.load(one, f"{path}/{self.child}[{i}]", ctx))
        return items

    def dump(self, value, path, ctx):
        dumped = [_dump_at(self.node, item, f"{path}/{self.child}[{i}]", ctx) for i, item in enumerate(value, 1)]
        dumped = ["" if d is None else d for d in dumped]
        out: dict[str, Any] = {}
        if dumped:
            out[self.child] = dumped[0] if len(dumped) == 1 else dumped
        for name, item in ctx.children(path):
            if not name.startswith(self.child + "["):
                out[name] = item
        return out or None


# --- the layout ------------------------------------------------------------------------------------

def _keep(key: str) -> tuple[str, None, Node]:
    """A key kept in extras as it is."""
    return (key, None, TEXT)


GROUP = Obj(lambda: ResultGroup(""), (("@group_id", "code", GROUP_ID), ("title", "title", TEXT),
                                      ("description", "description", TEXT)))
GROUPS = ListOf("group", GROUP)
PARTICIPANTS = ListOf("participants", Obj(lambda: GroupCount(""), (
    ("@group_id", "group", GROUP_ID), ("@count", "count", COUNT), ("#text", "comment", TEXT))))
PERIOD = Obj(Period, (
    ("title", "title", TEXT),
    ("milestone_list", "milestones", ListOf("milestone", Obj(Milestone, (
        ("title", "title", TEXT), ("participants_list", "counts", PARTICIPANTS))))),
    ("drop_withdraw_reason_list", "drop_withdrawals", ListOf("drop_withdraw_reason", Obj(DropWithdrawal, (
        ("title", "reason", TEXT), ("participants_list", "counts", PARTICIPANTS))))),
))
PARTICIPANT_FLOW = Obj(ParticipantFlow, (
    ("recruitment_details", "recruitment_details", TEXT),
    ("pre_assignment_details", "pre_assignment_details", TEXT),
    ("group_list", "groups", GROUPS),
    ("period_list", "periods", ListOf("period", PERIOD)),
), letter="P")

ANALYZED = ListOf("analyzed", Obj(Denominator, (
    ("units", "units", TEXT), ("scope", "scope", TEXT),
    ("count_list", "counts", ListOf("count", Obj(lambda: GroupCount(""), (
        ("@group_id", "group", GROUP_ID), ("@value", "count", COUNT))))),
)))
MEASUREMENT = Obj(lambda: Measurement(""), (
    ("@group_id", "group", GROUP_ID), ("@value", "value", NUMBER), ("@spread", "spread", NUMBER),
    ("@lower_limit", "lower_limit", NUMBER), ("@upper_limit", "upper_limit", NUMBER),
    ("#text", "comment", TEXT),
))
CATEGORIES = ListOf("category", Obj(ResultCategory, (
    ("title", "title", TEXT), ("sub_title", "sub_title", TEXT),
    ("measurement_list", "measurements", ListOf("measurement", MEASUREMENT)),
)))
CLASSES = ListOf("class", Obj(ResultClass, (
    ("title", "title", TEXT), ("analyzed_list", "denominators", ANALYZED), ("category_list", "categories", CATEGORIES),
)))
MEASURE = Obj(ResultMeasure, (
    ("title", "title", TEXT), ("description", "description", TEXT), ("population", "population", TEXT),
    ("units", "units", TEXT), ("param", "param_type", Coded(vocabulary.PARAM_TYPE)),
    ("dispersion", "dispersion_type", Coded(vocabulary.DISPERSION_TYPE)),
    ("units_analyzed", "units_analyzed", TEXT), ("analyzed_list", "denominators", ANALYZED),
    ("class_list", "classes", CLASSES), ("category_list", "categories", CATEGORIES),
))
BASELINE = Obj(Baseline, (
    ("population", "population", TEXT), ("group_list", "groups", GROUPS), ("analyzed_list", "denominators", ANALYZED),
    ("measure_list", "measures", ListOf("measure", MEASURE)),
), letter="B")

ANALYSIS = Obj(Analysis, (
    ("group_id_list", "groups", ListOf("group_id", GROUP_ID)),
    ("groups_desc", "groups_description", TEXT),
    ("non_inferiority", "non_inferiority", TEXT),
    ("non_inferiority_type", "non_inferiority_type", Coded(vocabulary.NON_INFERIORITY_TYPE)),
    ("non_inferiority_desc", "non_inferiority_description", TEXT),
    ("p_value", "p_value", NUMBER), ("p_value_desc", "p_value_description", TEXT),
    ("method", "method", TEXT), ("method_desc", "method_description", TEXT),
    ("param_type", "param_type", TEXT), ("param_value", "param_value", NUMBER),
    ("dispersion_type", "dispersion_type", Coded(vocabulary.DISPERSION_TYPE)),
    ("dispersion_value", "dispersion_value", NUMBER),
    ("ci_percent", "ci_percent", NUMBER), ("ci_n_sides", "ci_n_sides", Coded(vocabulary.CI_SIDES)),
    ("ci_lower_limit", "ci_lower_limit", NUMBER), ("ci_upper_limit", "ci_upper_limit", NUMBER),
    ("ci_lower_limit_na_comment", "ci_lower_limit_comment", TEXT),
    ("ci_upper_limit_na_comment", "ci_upper_limit_comment", TEXT),
    ("estimate_desc", "estimate_description", TEXT), ("other_analysis_desc", "other_description", TEXT),
))
OUTCOME = Obj(ResultOutcome, (
    ("type", "type", Coded(vocabulary.RESULT_OUTCOME_TYPE)), ("title", "title", TEXT),
    ("description", "description", TEXT), ("time_frame", "time_frame", TEXT),
    _keep("safety_issue"), _keep("posting_date"),
    ("population", "population", TEXT), ("group_list", "groups", GROUPS),
    ("measure", "measure", MEASURE), ("measure_list", "measures", ListOf("measure", MEASURE)),
    ("analysis_list", "analyses", ListOf("analysis", ANALYSIS)),
), letter="O")


EVENT_COUNT = Obj(lambda: EventCount(""), (
    ("@group_id", "group", GROUP_ID), ("@events", "events", COUNT),
    ("@subjects_affected", "subjects_affected", COUNT), ("@subjects_at_risk", "subjects_at_risk", COUNT),
))
TOTAL_TYPES = {"Total, serious adverse events": "serious", "Total, other adverse events": "other",
               "Total, all-cause mortality": "deaths"}


class EventsSection(Node):
    """``serious_events`` / ``other_events``: defaults, the totals category and the events."""

    def __init__(self, kind: str):
        self.kind = kind

    def load(self, value, path, ctx):
        out = EventList()
        if not isinstance(value, dict):
            ctx.keep(path, value)
            return out
        for key, item in value.items():
            where = f"{path}/{key}"
            if key in ("frequency_threshold", "default_vocab", "default_assessment"):
                setattr(out, {"frequency_threshold": "frequency_threshold", "default_vocab": "default_vocabulary",
                              "default_assessment": "default_assessment"}[key], TEXT.load(item, where, ctx))
            elif key == "category_list" and isinstance(item, dict) and set(item) == {"category"}:
                self._categories(item["category"], where, out, ctx)
            else:
                ctx.keep(where, item)
        return out

    def _categories(self, categories: Any, path: str, out: EventList, ctx: Context) -> None:
        categories = categories if isinstance(categories, list) else [categories]
        totals = ctx.totals
        for i, category in enumerate(categories, 1):
            where = f"{path}/category[{i}]"
            events = category.get("event_list", {}).get("event") if isinstance(category, dict) else None
            shape_ok = (isinstance(category, dict) and set(category) == {"title", "event_list"}
                        and isinstance(category["title"], str) and isinstance(category["event_list"], dict)
                        and set(category["event_list"]) == {"event"})
            if not shape_ok:
                ctx.keep(where, category)
                continue
            events = events if isinstance(events, list) else [events]
            title = category["title"]
            if i == 1 and title == "Total" and all(self._total(e) for e in events):
                for e in events:
                    for c in (e["counts"] if isinstance(e["counts"], list) else [e["counts"]]):
                        count = EVENT_COUNT.load(c, f"{where}/total", ctx)
                        totals.append(EventTotal(count.group, TOTAL_TYPES[e["sub_title"]], e["sub_title"],
                                                 count.subjects_affected, count.subjects_at_risk, count.events))
                continue
            for j, event in enumerate(events, 1):
                out.events.append(self._event(event, title, f"{where}/event_list/event[{j}]", ctx))

    @staticmethod
    def _total(event: Any) -> bool:
        return (isinstance(event, dict) and set(event) == {"sub_title", "counts"}
                and event["sub_title"] in TOTAL_TYPES and all(
                    isinstance(c, dict) and set(c) <= {"@group_id", "@subjects_affected", "@subjects_at_risk",
                                                       "@events"}
                    for c in (event["counts"] if isinstance(event["counts"], list) else [event["counts"]])))

    def _event(self, event: Any, organ_system: str, path: str, ctx: Context) -> AdverseEvent:
        out = AdverseEvent(organ_system=organ_system)
        if not isinstance(event, dict):
            ctx.keep(path, event)
            return out
        for key, item in event.items():
            where = f"{path}/{key}"
            if key == "sub_title":
                if isinstance(item, dict) and set(item) <= {"@vocab", "#text"}:
                    out.term = item.get("#text")
                    out.vocabulary = item.get("@vocab")
                else:
                    out.term = TEXT.load(item, where, ctx)
            elif key in ("assessment", "description"):
                setattr(out, key, TEXT.load(item, where, ctx))
            elif key == "counts":
                for k, c in enumerate(item if isinstance(item, list) else [item], 1):
                    out.counts.append(EVENT_COUNT.load(c, f"{where}[{k}]", ctx))
            else:
                ctx.keep(where, item)
        return out

    def dump(self, value: EventList | None, path, ctx):
        if value is None:
            return None
        out: dict[str, Any] = {}
        for key, attr in (("frequency_threshold", "frequency_threshold"), ("default_vocab", "default_vocabulary"),
                          ("default_assessment", "default_assessment")):
            if f"{path}/{key}" in ctx.kept:
                out[key] = ctx.kept[f"{path}/{key}"]
            elif getattr(value, attr) is not None:
                out[key] = getattr(value, attr)
        cat_path = f"{path}/category_list"
        if cat_path in ctx.kept:
            out["category_list"] = ctx.kept[cat_path]
        else:
            categories = self._dump_categories(value, cat_path, ctx)
            if categories:
                out["category_list"] = {"category": categories[0] if len(categories) == 1 else categories}
        for name, item in ctx.children(path):
            if name not in out:
                out[name] = item
        return out or None

    def _dump_categories(self, value: EventList, path: str, ctx: Context) -> list[Any]:
        categories: list[Any] = []
        totals = [t for t in ctx.totals if (t.event_type == "other") == (self.kind == "other")]
        if totals:
            by_title: dict[str, list[EventTotal]] = {}
            for t in totals:
                title = t.classification or {"serious": "Total, serious adverse events",
                                             "other": "Total, other adverse events",
                                             "deaths": "Total, all-cause mortality"}[t.event_type]
                by_title.setdefault(title, []).append(t)
            events = [{"sub_title": title, "counts": _one_or_many([EVENT_COUNT.dump(
                EventCount(t.group, t.subjects_affected, t.subjects_at_risk, t.events), "", ctx) for t in ts])}
                for title, ts in by_title.items()]
            categories.append({"title": "Total", "event_list": {"event": _one_or_many(events)}})
        kept_categories = {int(name[len("category["):-1]): item for name, item in ctx.children(path)
                           if name.startswith("category[")}
        current: dict[str, Any] | None = None
        for event in value.events:
            while len(categories) + 1 in kept_categories:
                categories.append(kept_categories.pop(len(categories) + 1))
                current = None
            if current is None or current["title"] != event.organ_system:
                current = {"title": event.organ_system, "event_list": {"event": []}}
                categories.append(current)
            n = len(current["event_list"]["event"]) + 1
            current["event_list"]["event"].append(
                self._dump_event(event, f"{path}/category[{len(categories)}]/event_list/event[{n}]", ctx))
        categories += [kept_categories[k] for k in sorted(kept_categories)]
        for c in categories:
            if isinstance(c.get("event_list"), dict) and isinstance(c["event_list"].get("event"), list):
                c["event_list"]["event"] = _one_or_many(c["event_list"]["event"])
        return categories

    @staticmethod
    def _dump_event(event: AdverseEvent, path: str, ctx: Context) -> Any:
        if path in ctx.kept:
            return ctx.kept[path]
        out: dict[str, Any] = {}
        if event.term is not None or event.vocabulary is not None:
            out["sub_title"] = ({"@vocab": event.vocabulary, "#text": event.term} if event.vocabulary is not None
                                else event.term)
            if event.term is None:
                del out["sub_title"]["#text"]
        for key in ("assessment", "description"):
            if getattr(event, key) is not None:
                out[key] = getattr(event, key)
        if event.counts:
            out["counts"] = _one_or_many([EVENT_COUNT.dump(c, "", ctx) for c in event.counts])
        for name, item in ctx.children(path):
            if name not in out:
                out[name] = item
        return out


def _one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items


class ReportedEvents(Node):
    """``reported_events``: time frame, description, groups, serious and other events."""

    def load(self, value, path, ctx):
        out = AdverseEvents()
        if not isinstance(value, dict):
            ctx.keep(path, value)
            return out
        letter, ctx.letter = ctx.letter, "E"
        ctx.totals = out.totals
        for key, item in value.items():
            where = f"{path}/{key}"
            if key == "time_frame":
                out.time_frame = TEXT.load(item, where, ctx)
            elif key == "desc":
                out.description = TEXT.load(item, where, ctx)
            elif key == "group_list":
                out.groups = GROUPS.load(item, where, ctx)
            elif key in ("serious_events", "other_events"):
                events = EventsSection(key.split("_")[0]).load(item, where, ctx)
                if key == "serious_events":
                    out.serious = events
                else:
                    out.other = events
            else:
                ctx.keep(where, item)
        ctx.letter = letter
        return out

    def dump(self, value, path, ctx):
        if value is None:
            return None
        ctx.totals = value.totals
        out: dict[str, Any] = {}
        for key, node, attr in (("time_frame", TEXT, "time_frame"), ("desc", TEXT, "description"),
                                ("group_list", GROUPS, "groups"),
                                ("serious_events", EventsSection("serious"), "serious"),
                                ("other_events", EventsSection("other"), "other")):
            dumped = _dump_at(node, getattr(value, attr), f"{path}/{key}", ctx)
            if dumped is not None:
                out[key] = dumped
        for name, item in ctx.children(path):
            if name not in out:
                out[name] = item
        return out or None


CLINICAL_RESULTS = Obj(lambda: Results(), (
    ("participant_flow", "participant_flow", PARTICIPANT_FLOW),
    ("baseline", "baseline", BASELINE),
    ("outcome_list", "outcomes", ListOf("outcome", OUTCOME)),
    ("reported_events", "adverse_events", ReportedEvents()),
    _keep("certain_agreements"), _keep("limitations_and_caveats"), _keep("point_of_contact"),
))


def load_results(value: Any, record: Record) -> tuple[Results, dict[str, Any], bool]:
    """The results of a ``clinical_results`` element (extras form), the extras they leave, and
    whether dumping them gives the element back exactly (else keep it whole)."""
    ctx = Context(record)
    results = CLINICAL_RESULTS.load(value, TAG, ctx)
    kept = ctx.kept
    back = dump_results(results, kept, record)
    # Compared as values: the order of attributes has no meaning, and the order of children is the
    # schema's, in which the layout writes them (a reader takes them by name either way).
    return results, kept, back == value


def dump_results(results: Results, kept: dict[str, Any], record: Record) -> Any:
    """The ``clinical_results`` element (extras form) of ``results`` and the extras kept under its paths."""
    ctx = Context(record, kept)
    return CLINICAL_RESULTS.dump(results, TAG, ctx)


def kept_extras(extras: dict[str, Any]) -> dict[str, Any]:
    """The extras kept under the results' paths."""
    prefix = TAG + "/"
    return {k: v for k, v in extras.items() if k.startswith(prefix)}
