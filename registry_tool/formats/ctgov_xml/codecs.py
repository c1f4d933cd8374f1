"""Codecs: one element's text <-> one value of the record (free text, codes, closed lists)."""

from __future__ import annotations

import re
from typing import Any

from ...model import CodedText
from ...textclean import fold_ws
from ...vocabulary import Concept
from ...vocabulary import key as spelling_key
from .extras_form import Element
from .state import DumpState, LoadState


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


class Worded(Text):
    """Free text that spells a code of ``concept`` (``Active Comparator``): kept as written; a
    spelling the concept does not know is warned about (``unknown-code``)."""

    def __init__(self, concept: Concept):
        super().__init__()
        self.concept = concept

    def load(self, el, state, path, field_name):
        value = super().load(el, state, path, field_name)
        warn_unknown(state, self.concept, value, field_name)
        return value


def warn_unknown(state: LoadState, concept: Concept, text: str | None, field_name: str) -> None:
    """Warn (``unknown-code``) where ``text`` spells no code of ``concept``."""
    if text and concept.code(text) is None:
        state.warn("unknown-code", f"{concept.described} {text!r} is not a spelling our tables know; "
                   "kept as written, no code", field_name)


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

    def __init__(self, values: tuple[str, ...], aliases: dict[str, str], concept: Concept | None = None):
        self.values = frozenset(values)
        self.by_key = {spelling_key(v): v for v in values} | {spelling_key(k): v for k, v in aliases.items()}
        self.concept = concept

    def accepts(self, text: str) -> bool:
        return text in self.values

    def load(self, el, state, path, field_name):
        value = text_of(el).strip() or None
        if self.concept is not None:
            warn_unknown(state, self.concept, value, field_name)
        return value

    def dump(self, value, state, path, field_name):
        if value is None:
            return None
        registry = value if value in self.values else self.by_key.get(spelling_key(value))
        if registry is None:
            state.refuse(field_name, value, path)
            return None
        return registry, {}
