"""How an XML layout binds to a record: the extras convention, codecs and bindings.

Generic machinery; the registry's ``clinical_study`` layout itself is declared in
:mod:`registry_tool.formats.ctgov_xml.layout`. A layout is a tree of bindings, each for one
element: :class:`Field` (a text element <-> one attribute, through a
:class:`Codec`), :class:`Group` (an element with children <-> the same or a
sub-object), :class:`Items` (a repeated element <-> a list of objects),
:class:`Single` (an element <-> an optional object) and :class:`Slot` (an
element the model does not cover, kept in extras). Each binding both loads
(element -> record) and dumps (record -> element), so a mapping is written once.

**Extras.** Whatever a document holds that no binding takes is kept in
``record.extras`` under its *path* (element names from the root down, joined by
``/``; ``[n]``, 1-based, numbers a repeated element; ``@name`` is an attribute;
``#text`` is text beside child elements), with its value in one generic XML ->
JSON form (:func:`element_to_json`): a text-only element is its text, as
written; an element with attributes or children is an object (``"@attr"`` ->
value, child name -> value, a repeated child -> a list of values, ``"#text"``
-> text beside the children; children whose names interleave keep their order
as ``"#children": [{name: value}, ...]``); a :class:`Slot` for an element the
schema lets repeat is always a list. The exporter writes every extras value
whose path is in the layout back in its place, so a document round-trips.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from lxml import etree

from ...model import CodedText, Record
from ...textclean import fold_ws
from ...vocabulary import Concept
from ...vocabulary import key as spelling_key

Element: TypeAlias = etree._Element

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
    # Slot values known to be what their elements say: the writer's own, read back from the tree it
    # built (json_to_elements then element_to_json gives the value back), so not converted again
    trusted: dict[str, Any] = field(default_factory=dict)

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
    slots_written: dict[str, Any] = field(default_factory=dict)  # Slot path -> the extras value written
    left_out: list[str] = field(default_factory=list)  # paths of what the registry schema made us drop

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


def text_of(el: Element) -> str:
    """The text of a text-only element (a processing instruction inside does not cut it)."""
    text = el.text
    if len(el):  # processing instructions inside: their tails are text too
        text = "".join(el.itertext())
    return text or ""


class Text(Codec):
    """Free text: runs of white space folded to one space; empty -> None (or "" when ``required``)."""

    def __init__(self, required: bool = False):
        self.required = required

    def load(self, el, state, path, field_name):
        value = fold_ws(text_of(el))
        return value if value or self.required else None

    def dump(self, value, state, path, field_name):
        return None if value is None else (value, {})


class AsWritten(Codec):
    """Text kept as written, ends stripped (ages, healthy volunteers); optional schema pattern."""

    def __init__(self, pattern: str | None = None):
        self.pattern = re.compile(pattern) if pattern else None

    def load(self, el, state, path, field_name):
        return text_of(el).strip() or None

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
    """A design-like value: ``CodedText(text as written, code)``, the code from ``concept``.

    Where the schema restricts the element to the registry's words
    (``restricted``: status, study type, gender) the writer writes the
    record's text where the schema accepts it, else the registry's wording of
    its code. Free-text elements (allocation, masking, ...) are written as the
    record has them (an API v2 record's ``RANDOMIZED`` stays ``RANDOMIZED``).
    """

    def __init__(self, concept: Concept, restricted: bool = False, also: tuple[str, ...] = ()):
        self.concept = concept
        self.values = frozenset(concept.wording.values()) | frozenset(also) if restricted else None

    def load(self, el, state, path, field_name):
        text = text_of(el).strip()
        return CodedText(text, _code_of(self.concept, text, state, field_name)) if text else None

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        if self.values is None or value.text in self.values:
            return value.text, {}
        registry = self.concept.words(value.code) if value.code else None
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
        if self.values is None or text in self.values:
            return text
        return self.concept.words_for(text)


def _code_of(concept: Concept, text: str, state: LoadState, field_name: str, kept_in: str | None = None) -> str | None:
    """The code ``text`` spells; an ``unknown-code`` warning where there is none (``kept_in``: the
    extras path its words are kept under, where they are)."""
    code = concept.code(text)
    if code is None:
        what = f"code null, the text kept in extras[{kept_in!r}]" if kept_in else "kept as text, code null"
        state.warn("unknown-code", f"{field_name} {text!r} is not a value our tables know; {what}", field_name)
    return code


class Code(Codec):
    """A bare code (``interventions[].type``): an unknown text keeps its words in extras."""

    def __init__(self, concept: Concept):
        self.concept = concept

    def load(self, el, state, path, field_name):
        text = text_of(el).strip()
        if not text:
            return None
        code = _code_of(self.concept, text, state, field_name, kept_in=path)
        if code is None:
            state.keep(path, text_of(el))
        return code

    def dump(self, value, state, path, field_name):
        return None if value is None else (self.concept.wording[value], {})

    def accepts(self, text: str) -> bool:
        return text in self.concept.wording.values()

    def registry_value(self, text: str) -> str | None:
        return self.concept.words_for(text)


class Choice(Codec):
    """Text from a closed list (``agency_class``): other spellings map through ``aliases``."""

    def __init__(self, values: tuple[str, ...], aliases: dict[str, str]):
        self.values = frozenset(values)
        self.by_key = {spelling_key(v): v for v in values} | {spelling_key(k): v for k, v in aliases.items()}

    def accepts(self, text: str) -> bool:
        return text in self.values

    def load(self, el, state, path, field_name):
        return text_of(el).strip() or None

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        registry = value if value in self.values else self.by_key.get(spelling_key(value))
        if registry is None:
            state.refuse(field_name, value, path)
            return None
        return registry, {}


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
        trusted = state.trusted.get(path, _UNTRUSTED)
        if trusted is _UNTRUSTED:
            state.keep(path, element_to_json(el), self.repeat)
        elif path not in state.record.extras:  # a repeated element's list is taken whole, once
            state.record.extras[path] = trusted

    def dump(self, obj, parent, path, state):
        if self.write_extra(parent, path, state):
            state.slots_written[path] = state.record.extras[path]


_UNTRUSTED = object()


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
