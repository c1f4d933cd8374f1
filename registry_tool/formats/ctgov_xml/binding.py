"""How an XML layout binds to a record: the extras convention, codecs and bindings.

Generic machinery; the registry's ``clinical_study`` layout itself is declared in
:mod:`registry_tool.formats.ctgov_xml.layout`. A layout is a tree of bindings, each for one
element: :class:`Field` (a text element <-> one attribute, through a
:class:`Codec`), :class:`Group` (an element with children <-> the same or a
sub-object), :class:`Items` (a repeated element <-> a list of objects),
:class:`Single` (an element <-> an optional object) and :class:`Slot` (an
element the model does not cover, kept in extras). Each binding both loads
(element -> record) and dumps (record -> element), so a mapping is written once.

The extras form of an element is :mod:`.extras_form`'s; the per-record state is
:mod:`.state`'s; the codecs (one element's text <-> one value) are :mod:`.codecs`'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .codecs import Codec, Text
from .extras_form import Element, element_to_json, join, json_to_elements
from .state import DumpState, LoadState, Missing


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
