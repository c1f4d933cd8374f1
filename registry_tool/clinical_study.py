"""The ClinicalTrials.gov ``clinical_study`` XML layout and its mapping to the record.

This is the one declarative description of registry XML used in both
directions: the importer (:mod:`registry_tool.importers.ctgov_xml`) walks it
to fill a :class:`Record` from a document, the exporter
(:mod:`registry_tool.exporters.xml_export`) walks it to write a document from
a record. :data:`CLINICAL_STUDY` lists the elements in the order of the
registry's public schema (``public_v2019-02-14.xsd``); each is one of

- :class:`Field`: a text element bound to one attribute through a
  :class:`Codec` (``brief_title`` <-> ``title``; repeated: ``keyword`` <-> ``keywords``),
- :class:`Date`: a registry date, text in ``dates``, its ``type`` attribute in ``date_types``,
- :class:`Group`: an element with children, bound to the same or a sub-object
  (``study_design_info`` <-> ``design``),
- :class:`Items`: a repeated element bound to a list of objects
  (``intervention`` <-> ``interventions``; ``primary_outcome`` <-> the primary outcomes),
- :class:`Slot`: an element the model does not cover, kept in ``extras``,
- a few special bindings (``id_info``, ``required_header``, ``eligibility/criteria``).

**Extras.** Whatever a document holds that no binding takes is kept in
``record.extras`` under its *path* (element names from ``clinical_study``
down, joined by ``/``; ``[n]``, 1-based, numbers a repeated element; ``@name``
is an attribute; ``#text`` is text beside child elements), with its value in
one generic XML -> JSON form (:func:`element_to_json`): a text-only element is
its text, as written; an element with attributes or children is an object
(``"@attr"`` -> value, child name -> value, a repeated child -> a list of
values, ``"#text"`` -> text beside the children; children whose names
interleave, as in ``pending_results``, keep their order as ``"#children": [{name:
value}, ...]``); an element the schema lets repeat at the top level
(``location``, ``reference``, ...) is always a list.
Examples: ``extras["location"] = [{"facility": {...}, "status": "Recruiting"}]``,
``extras["eligibility/criteria"] = {"textblock": "<the block as written>"}``,
``extras["primary_outcome[2]/safety_issue"] = "No"``, ``extras["@rank"] = "3"``.
The exporter writes every extras value whose path is in this layout back in
its place, so a document round-trips.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .model import (
    ArmGroup,
    CodedText,
    Criterion,
    Enrollment,
    Intervention,
    Outcome,
    Record,
    Sponsor,
)
from .normalize import codes
from .normalize.criteria import split_criteria
from .normalize.text import fold_ws
from .normalize.timeframe import parse_time_frame

Element = etree._Element

# --- the generic XML <-> JSON convention for extras ------------------------------------------------


def element_to_json(el: Element) -> Any:
    """An element in the extras form: its text, or an object of attributes and children."""
    if not len(el):
        items = el.items()
        if not items:
            return el.text or ""
        value: dict[str, Any] = {"@" + k: v for k, v in items}
        if el.text:
            value["#text"] = el.text
        return value
    items = el.items()
    value = {"@" + k: v for k, v in items} if items else {}
    text = el.text
    repeated: set[str] | None = None
    last = None
    for child in el:
        tail = child.tail
        if tail:
            text = (text or "") + tail
        tag = child.tag
        if tag.__class__ is not str:  # a processing instruction: only its tail is content
            continue
        item = element_to_json(child)
        previous = value.get(tag)
        if previous is None:
            value[tag] = item
        elif tag != last:  # <a/><b/><a/>: an object cannot keep this order
            return _ordered_json(el)
        elif repeated is not None and tag in repeated:
            previous.append(item)
        else:
            value[tag] = [previous, item]
            repeated = {tag} if repeated is None else repeated | {tag}
        last = tag
    if text and not text.isspace():
        value["#text"] = text
    elif not value:  # only processing instructions inside
        return text or ""
    return value


def _ordered_json(el: Element) -> dict[str, Any]:
    """The extras form of an element whose children interleave (``pending_results``: submitted,
    returned, submitted): ``"#children"`` lists them in order, one ``{name: value}`` each."""
    value: dict[str, Any] = {"@" + k: v for k, v in el.items()}
    value["#children"] = [{child.tag: element_to_json(child)} for child in el if isinstance(child.tag, str)]
    text = (el.text or "") + "".join(child.tail or "" for child in el)
    if text.strip():
        value["#text"] = text
    return value


def is_element_json(value: Any) -> bool:
    """True when ``value`` has the shape :func:`element_to_json` gives (so it can be written back)."""
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, (str, dict)) and is_element_json(v) for v in value)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not k:
                return False
            if k == "#text" or k[0] == "@":
                if not isinstance(v, str):
                    return False
            elif k == "#children":
                if not (isinstance(v, list) and all(isinstance(c, dict) and len(c) == 1 and is_element_json(c)
                                                    for c in v)):
                    return False
            elif not (_XML_NAME.match(k) and is_element_json(v)):
                return False
        return True
    return False


_XML_NAME = re.compile(r"^[A-Za-z_][-\w.]*$")


def json_to_elements(parent: Element, tag: str, value: Any) -> None:
    """Append the element(s) ``value`` describes (extras form) to ``parent``."""
    if isinstance(value, list):
        for item in value:
            json_to_elements(parent, tag, item)
        return
    el = etree.SubElement(parent, tag)
    if isinstance(value, str):
        el.text = value
        return
    for key, item in value.items():
        if key == "#text":
            el.text = item
        elif key == "#children":
            for child in item:
                for tag, child_value in child.items():
                    json_to_elements(el, tag, child_value)
        elif key[0] == "@":
            el.set(key[1:], item)
        else:
            json_to_elements(el, key, item)


def join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


# --- per-record state ------------------------------------------------------------------------------


@dataclass(slots=True)
class LoadState:
    """What an import collects besides the bound fields: extras and warnings."""

    record: Record
    # the record field being filled, as a JSON path prefix for warnings: "design.", "outcomes[2]."
    where: str = ""

    def keep(self, path: str, value: Any, repeat: bool = False) -> None:
        """Put ``value`` in extras under ``path``; a second value there makes a list."""
        extras = self.record.extras
        if repeat:
            extras.setdefault(path, []).append(value)
        elif path in extras:
            previous = extras[path]
            extras[path] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            extras[path] = value

    def keep_attributes(self, el: Element, path: str, taken: tuple[str, ...] = ()) -> None:
        for name, value in el.attrib.items():
            if name not in taken:
                self.keep(f"{path}/@{name}" if path else f"@{name}", value)

    def warn(self, code: str, message: str, field: str | None) -> None:
        self.record.warn(code, message, field)


@dataclass(slots=True)
class Missing:
    """A required element the export could not fill."""

    path: str
    set_name: str | None  # the --set NAME that supplies it, where there is one
    what: str


@dataclass(slots=True)
class DumpState:
    """What an export collects: missing required elements, warnings, and the extras it can place."""

    record: Record
    where: str = ""  # as LoadState.where
    missing: list[Missing] = field(default_factory=list)
    warnings: list[tuple[str, str, str | None]] = field(default_factory=list)
    # extras attributes by the path of their element: {"enrollment": {"foo": "1"}}
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.record.extras.items():
            if isinstance(value, str) and "@" in key:
                owner, _, name = key.rpartition("@")
                owner = owner.rstrip("/")
                if _XML_NAME.match(name):
                    self.attributes.setdefault(owner, {})[name] = value

    def extra(self, path: str) -> Any:
        """The extras value kept under ``path`` if it can be written as XML, else None."""
        value = self.record.extras.get(path)
        return value if value is not None and is_element_json(value) else None

    def warn(self, code: str, message: str, field: str | None) -> None:
        self.warnings.append((code, message, field))

    def refuse(self, field: str, value: Any, path: str, expected: str = "") -> None:
        """Warn that ``value`` is left out: the registry schema does not accept it at ``path``."""
        self.warn("xml-value-refused", f"{field} {value!r} is not a value the registry schema accepts for "
                  f"<{path}>{f' ({expected})' if expected else ''}; left out", field)


# --- codecs: one element's text <-> one value ------------------------------------------------------


class Codec:
    """Turns an element's text into a model value and back.

    ``attributes`` names the attributes of the element the codec itself reads
    and writes; any other attribute is kept in extras.
    """

    attributes: tuple[str, ...] = ()

    def load(self, el: Element, state: LoadState, path: str, field_name: str) -> Any:
        raise NotImplementedError

    def dump(self, value: Any, state: DumpState, path: str, field_name: str) -> tuple[str, dict[str, str]] | None:
        """(text, attributes) for ``value``; None when nothing can be written."""
        raise NotImplementedError

    def accepts(self, text: str) -> bool:
        """Whether the schema accepts ``text`` as written (for a value kept in extras)."""
        return True


def _text(el: Element) -> str:
    text = el.text
    if len(el):  # processing instructions inside: their tails are text too
        text = "".join(el.itertext())
    return text or ""


class Text(Codec):
    """Free text: runs of white space folded to one space; empty -> None (or "" when ``required``)."""

    def __init__(self, required: bool = False):
        self.required = required

    def load(self, el, state, path, field_name):
        value = fold_ws(_text(el))
        return value if value or self.required else None

    def dump(self, value, state, path, field_name):
        return None if value is None else (value, {})


class AsWritten(Codec):
    """Text kept as written, ends stripped (ages, healthy volunteers); optional schema pattern."""

    def __init__(self, pattern: str | None = None):
        self.pattern = re.compile(pattern) if pattern else None

    def load(self, el, state, path, field_name):
        return _text(el).strip() or None

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        if self.pattern is not None and not self.pattern.fullmatch(value):
            state.refuse(field_name, value, path)
            return None
        return value, {}

    def accepts(self, value: str) -> bool:
        return self.pattern is None or bool(self.pattern.fullmatch(value))


class Coded(Codec):
    """A design-like value: ``CodedText(text as written, code)``.

    ``wording`` (code -> the registry's words) is given for elements the
    schema restricts to an enumeration: the exporter writes the record's text
    where the schema accepts it, else the registry's wording of its code. For
    free-text elements (allocation, masking, ...) the text is written as the
    record has it (an API v2 record's ``RANDOMIZED`` stays ``RANDOMIZED``).
    """

    def __init__(self, table: dict[str, str], wording: dict[str, str] | None = None):
        self.table = table
        self.wording = wording
        self.values = frozenset(wording.values()) if wording else None

    def code(self, text: str) -> str | None:
        code = self.table.get(codes.key(text))
        if code is None and "(" in text:  # "Double (Participant, Investigator)": the qualifier is detail
            code = self.table.get(codes.key(text.split("(", 1)[0]))
        return code

    def load(self, el, state, path, field_name):
        text = _text(el).strip()
        if not text:
            return None
        code = self.code(text)
        if code is None:
            state.warn("unknown-code", f"{field_name} {text!r} is not a value our tables know; "
                       "kept as text, code null", field_name)
        return CodedText(text, code)

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        if self.values is None or value.text in self.values:
            return value.text, {}
        registry = self.wording.get(value.code) if value.code else None
        if registry is None:
            registry = self.registry_value(value.text)
        if registry is None:
            state.refuse(field_name, value.text, path)
            return None
        return registry, {}

    def accepts(self, text: str) -> bool:
        return self.values is None or text in self.values

    def registry_value(self, text: str) -> str | None:
        """The schema's own spelling of ``text`` (any case, any punctuation), or None."""
        if self.values is None:
            return text
        if text in self.values:
            return text
        code = self.code(text)
        return self.wording.get(code) if code and self.wording else None


class Code(Codec):
    """A bare code (``interventions[].type``): an unknown text keeps its words in extras."""

    def __init__(self, table: dict[str, str], wording: dict[str, str]):
        self.table = table
        self.wording = wording

    def load(self, el, state, path, field_name):
        text = _text(el).strip()
        if not text:
            return None
        code = self.table.get(codes.key(text))
        if code is None:
            state.keep(path, _text(el))
            state.warn("unknown-code", f"{field_name} {text!r} is not a value our tables know; code null, "
                       f"the text kept in extras[{path!r}]", field_name)
        return code

    def dump(self, value, state, path, field_name):
        return None if value is None else (self.wording[value], {})

    def accepts(self, text: str) -> bool:
        return text in self.wording.values()

    def registry_value(self, text: str) -> str | None:
        code = self.table.get(codes.key(text))
        return self.wording.get(code) if code else None


class Choice(Codec):
    """Text from a closed list (``agency_class``): other spellings map through ``aliases``."""

    def __init__(self, values: tuple[str, ...], aliases: dict[str, str]):
        self.values = frozenset(values)
        self.by_key = {codes.key(v): v for v in values} | {codes.key(k): v for k, v in aliases.items()}

    def accepts(self, text: str) -> bool:
        return text in self.values

    def load(self, el, state, path, field_name):
        return _text(el).strip() or None

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        registry = value if value in self.values else self.by_key.get(codes.key(value))
        if registry is None:
            state.refuse(field_name, value, path)
            return None
        return registry, {}


class Phases(Codec):
    """``Phase 1/Phase 2`` <-> ``["PHASE1", "PHASE2"]``."""

    def accepts(self, text: str) -> bool:
        return text in PHASE_WORDING.values()

    def load(self, el, state, path, field_name):
        text = _text(el).strip()
        whole = codes.PHASE.get(codes.key(text))  # "N/A" as a whole, before splitting at "/"
        if whole is not None:
            return [whole]
        found = codes.phases_from_registry(text)
        parts = [p for p in re.split(r"[/,]|\band\b", text) if p.strip()]
        if text and len(found) < len(parts):
            state.keep(path, _text(el))
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
        return parse_time_frame(_text(el))

    def dump(self, value, state, path, field_name):
        return None if value is None else (value.text, {})


class EnrollmentCount(Codec):
    """``<enrollment type="Actual">120</enrollment>`` <-> ``Enrollment(120, "Actual")``."""

    attributes = ("type",)

    def accepts(self, text: str) -> bool:
        return text.strip().isdigit()

    def load(self, el, state, path, field_name):
        text = _text(el).strip()
        count = int(text) if text.isdigit() else None
        if text and count is None:
            state.keep(path, _text(el))
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


# --- bindings: one element <-> part of the record --------------------------------------------------


class Binding:
    """One element of the layout. ``required``: the public schema requires it where its parent is."""

    tag: str
    repeat: bool = False
    required: bool = False
    set_name: str | None = None  # the --set NAME that supplies this element
    # a repeated element's own path carries its number ("intervention[2]"); a Slot's list does not
    indexed: bool = True

    def load(self, el: Element, obj: Any, path: str, state: LoadState) -> None:
        raise NotImplementedError

    def dump(self, obj: Any, parent: Element, path: str, state: DumpState) -> None:
        raise NotImplementedError

    def write_extra(self, parent: Element, path: str, state: DumpState) -> bool:
        """Write the extras value kept for this element, if any."""
        value = state.extra(path)
        if value is None:
            return False
        json_to_elements(parent, self.tag, value)
        return True

    def report_missing(self, path: str, state: DumpState, what: str) -> None:
        state.missing.append(Missing(path, self.set_name, what))


@dataclass
class Slot(Binding):
    """An element the model does not cover: kept in extras as it is."""

    tag: str
    repeat: bool = False
    indexed: bool = False  # a repeated element's values are one list under its path

    def load(self, el, obj, path, state):
        state.keep(path, element_to_json(el), self.repeat)

    def dump(self, obj, parent, path, state):
        self.write_extra(parent, path, state)


@dataclass
class Field(Binding):
    """A text element <-> ``obj.<attr>`` (a list for a repeated element) through ``codec``."""

    tag: str
    attr: str
    codec: Codec = field(default_factory=Text)
    repeat: bool = False
    required: bool = False
    set_name: str | None = None
    what: str = ""  # how a missing-element warning names the value ("brief title")

    def load(self, el, obj, path, state):
        if len(el) and any(isinstance(c.tag, str) for c in el):  # child elements where text belongs
            state.keep(path, element_to_json(el))
            state.warn("unexpected-xml", f"<{path}> holds child elements where text was expected; "
                       f"kept in extras[{path!r}]", state.where + self.attr)
            return
        value = self.codec.load(el, state, path, state.where + self.attr)
        if el.attrib:
            state.keep_attributes(el, path, self.codec.attributes)
        if self.repeat:
            if value is not None:
                getattr(obj, self.attr).append(value)
        else:
            setattr(obj, self.attr, value)

    def dump(self, obj, parent, path, state):
        if self.repeat:
            for i, value in enumerate(getattr(obj, self.attr)):
                self._write(parent, value, f"{path}[{i + 1}]", state)
            return
        if not self._write(parent, getattr(obj, self.attr), path, state) and not self._write_kept(parent, path, state):
            if self.required:
                self.report_missing(path, state, self.what or self.attr)

    def _write_kept(self, parent: Element, path: str, state: DumpState) -> bool:
        """The text kept in extras for this element (one no table knew), where the schema accepts it."""
        kept = state.extra(path)
        if isinstance(kept, str) and not self.codec.accepts(kept.strip()):
            state.refuse(state.where + self.attr, kept.strip(), path, f"the source's text, kept in extras[{path!r}]")
            return False
        return self.write_extra(parent, path, state)

    def _write(self, parent: Element, value: Any, path: str, state: DumpState) -> bool:
        dumped = self.codec.dump(value, state, path, state.where + self.attr)
        if dumped is None:
            return False
        text, attributes = dumped
        el = etree.SubElement(parent, self.tag)
        el.text = text
        for name, v in attributes.items():
            el.set(name, v)
        for name, v in state.attributes.get(path, {}).items():
            if name not in attributes:
                el.set(name, v)
        return True


# Registry date "type" attributes: the schema's words, and the API v2 words they stand for.
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
        text = fold_ws(_text(el))
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


@dataclass
class Group(Binding):
    """An element with children, bound to ``obj`` itself or to ``obj.<attr>``."""

    tag: str
    children: tuple[Binding, ...]
    attr: str | None = None
    required: bool = False

    index: dict[str, Binding] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {child.tag: child for child in self.children}

    def load(self, el, obj, path, state):
        if self.attr is None:
            load_children(el, self.index, obj, path, state)
            return
        where = state.where
        state.where = f"{where}{self.attr}."
        load_children(el, self.index, getattr(obj, self.attr), path, state)
        state.where = where

    def build(self, obj: Any, path: str, state: DumpState) -> Element:
        """This element with its children, built from ``obj`` (a new, parentless element)."""
        target = getattr(obj, self.attr) if self.attr else obj
        where = state.where
        if self.attr:
            state.where = f"{where}{self.attr}."
        el = etree.Element(self.tag)
        for child in self.children:
            child.dump(target, el, join(path, child.tag), state)
        for name, v in state.attributes.get(path, {}).items():
            el.set(name, v)
        state.where = where
        return el

    def dump(self, obj, parent, path, state):
        missing_before = len(state.missing)
        el = self.build(obj, path, state)
        if len(el) or el.attrib:
            parent.append(el)
        elif not self.required:
            del state.missing[missing_before:]  # an optional element not written requires nothing


def load_children(el: Element, index: dict[str, Binding], obj: Any, path: str, state: LoadState) -> None:
    """Load every child element of ``el`` through its binding; the rest goes to extras."""
    prefix = f"{path}/" if path else ""
    seen: dict[str, int] = {}
    text = el.text if el.text and not el.text.isspace() else ""
    for child in el:
        tail = child.tail
        if tail and not tail.isspace():
            text += tail
        tag = child.tag
        if tag.__class__ is not str:  # a processing instruction
            continue
        binding = index.get(tag)
        if binding is None:
            state.keep(prefix + tag, element_to_json(child))
        elif binding.repeat:
            if binding.indexed:
                count = seen[tag] = seen.get(tag, 0) + 1
                binding.load(child, obj, f"{prefix}{tag}[{count}]", state)
            else:
                binding.load(child, obj, prefix + tag, state)
        elif tag in seen:
            count = seen[tag] = seen[tag] + 1
            state.keep(f"{prefix}{tag}[{count}]", element_to_json(child))
            state.warn("unexpected-xml", f"a second <{prefix}{tag}>; kept in extras", None)
        else:
            seen[tag] = 1
            binding.load(child, obj, prefix + tag, state)
    if text:
        state.keep(f"{prefix}#text", text)
    if el.attrib:
        state.keep_attributes(el, path)


@dataclass
class Items(Binding):
    """A repeated element <-> the objects of the list ``obj.<attr>``.

    ``make`` builds an empty object for each element. ``kind`` selects part of
    a shared list: the three outcome elements share ``outcomes``, told apart by
    ``Outcome.type``; ``also`` names a further value of ``kind`` written as this
    element (outcomes of unknown type are written as ``other_outcome``).
    """

    tag: str
    attr: str
    make: Callable[[], Any]
    children: tuple[Binding, ...]
    kind: str | None = None
    also: tuple[Any, ...] = ()
    repeat: bool = True
    index: dict[str, Binding] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {child.tag: child for child in self.children}

    def load(self, el, obj, path, state):
        item = self.make()
        if self.kind is not None:
            item.type = self.kind
        items = getattr(obj, self.attr)
        where = state.where
        state.where = f"{where}{self.attr}[{len(items)}]."
        load_children(el, self.index, item, path, state)
        state.where = where
        items.append(item)

    def selected(self, obj: Any) -> list[tuple[int, Any]]:
        """(index in the whole list, item) of the items written as this element."""
        items = getattr(obj, self.attr)
        if self.kind is None:
            return list(enumerate(items))
        return [(i, item) for i, item in enumerate(items) if item.type == self.kind or item.type in self.also]

    def dump(self, obj, parent, path, state):
        where = state.where
        for n, (i, item) in enumerate(self.selected(obj), 1):
            state.where = f"{where}{self.attr}[{i}]."
            el = etree.SubElement(parent, self.tag)
            item_path = f"{path}[{n}]"
            for child in self.children:
                child.dump(item, el, join(item_path, child.tag), state)
            for name, v in state.attributes.get(item_path, {}).items():
                el.set(name, v)
        state.where = where


@dataclass
class Single(Binding):
    """An element <-> an optional object ``obj.<attr>`` (``lead_sponsor`` <-> ``sponsors.lead``)."""

    tag: str
    attr: str
    make: Callable[[], Any]
    children: tuple[Binding, ...]
    required: bool = False
    set_name: str | None = None
    what: str = ""
    index: dict[str, Binding] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {child.tag: child for child in self.children}

    def load(self, el, obj, path, state):
        item = self.make()
        where = state.where
        state.where = f"{where}{self.attr}."
        load_children(el, self.index, item, path, state)
        state.where = where
        setattr(obj, self.attr, item)

    def dump(self, obj, parent, path, state):
        item = getattr(obj, self.attr)
        if item is None:
            if not self.write_extra(parent, path, state) and self.required:
                self.report_missing(path, state, self.what)
            return
        el = etree.SubElement(parent, self.tag)
        where = state.where
        state.where = f"{where}{self.attr}."
        for child in self.children:
            child.dump(item, el, join(path, child.tag), state)
        state.where = where


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
            value = _text(child).strip()
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
            eligibility.criteria = split_criteria(_text(block))
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
    def __init__(self):
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
                 "one of: " + ", ".join(sorted(STUDY_TYPE.values)), _set_if_none("study_type", _coded(STUDY_TYPE))),
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
