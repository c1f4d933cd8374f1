"""The generic XML <-> JSON form in which elements the model does not cover are kept in extras.

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
from typing import Any, TypeAlias

from lxml import etree

Element: TypeAlias = etree._Element


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
            elif not (XML_NAME.match(k) and is_element_json(v)):
                return False
        return True
    return False


XML_NAME = re.compile(r"^[A-Za-z_][-\w.]*$")


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
