"""Eligibility criteria: a block of text to items with kind, number, nesting and section.

One splitter reads the three shapes criteria come in:

* legacy registry XML text blocks: indented, ``-`` bullets, hard-wrapped
  lines continued at the text's column, headings such as
  ``DISEASE CHARACTERISTICS:``, ``Age:`` or ``--Prior/Concurrent Therapy--``;
* API v2 Markdown: ``* `` / ``- `` bullets, ``1.`` numbers, nesting by
  indentation (``  - ``), a paragraph a line;
* the criteria region of a flattened text entry: numbered lines (``5. ...``),
  ``Inclusion Criteria:`` blocks with bulleted and nested items.

Each item is a :class:`~registry_tool.model.Criterion`:

* ``kind``: set by the last ``Inclusion Criteria`` / ``Exclusion Criteria``
  heading (any case, with or without colon, "Key inclusion criteria", a
  bulleted "- INCLUSION CRITERIA:"); None before one, and under
  "Inclusion/Exclusion Criteria" or "Eligibility Criteria".
* ``number``: the item's own number or letter as written, without its
  punctuation (``5``, ``2a``, ``ii``, ``B``); None for a bullet or a paragraph.
* ``text``: the item's words, its lines joined with one space.
* ``parent``: the 0-based index of the item it nests under: a deeper-indented
  item, or an item numbered in another style right after an item that ends
  with a colon ("... any of the following:" then "i) ...").
* ``section``: the headings the item falls under, outermost first, joined by
  `` > `` ("PATIENT CHARACTERISTICS > Age"). A kind heading with more words
  than "Inclusion Criteria" ("Key Inclusion Criteria", "Exclusion criteria for
  donors") is a section too, so no word of the block is lost. A heading with
  no item under it becomes an item of its own.

Headings are not items. Apart from the bullets and numbers and the words of
plain kind headings (kept as ``kind``), every word of the block is in an
item's text, number or section.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from msgspec import Struct
from msgspec import field as msgspec_field

from ..model import CriteriaBlock, Criterion
from ..textclean import clean, unescape_markdown

SECTION_SEPARATOR = " > "

# A marker at the start of a line: a bullet, a number, a letter or a roman numeral.
_BULLETS = "-*•·▪◦‣–+"
_MARKER = re.compile(
    rf"(?P<bullet>[{_BULLETS}])(?=\s|$)"
    r"|\((?P<paren>\d{1,3}[a-z]?|[a-zA-Z]|[ivxIVX]{1,5})\)(?=\s|$)"
    r"|(?P<num>\d{1,3}(?:\.\d{1,2})?[a-z]?|[a-zA-Z]|[ivxIVX]{1,5})(?P<punct>[.)])(?=\s|$)"
)
_KIND_PHRASE = re.compile(
    r"^(?P<pre>.*?)\b(?P<kind>inclusion|exclusion|eligibility)(?P<both>\s*/\s*exclusion)?\s+criteri\w*\b(?P<post>.*)$",
    re.IGNORECASE,
)
_KIND_PREFIXES = frozenset({"key", "main", "general", "other", "overall", "additional", "specific", "major", "study"})
_HEADING_NOUNS = frozenset({"part", "cohort", "arm", "group", "phase", "stage", "period", "step", "substudy"})
_QUALIFIER = re.compile(r"^\s*(?:[-–]\s+[^():]{1,60}?|\([^()]{1,60}\))\s*:?\s*-?\s*$")
_DASHED_HEADING = re.compile(r"^-{2,}\s*(?P<title>[^-].*?)\s*-{2,}$")
_LABEL_WORD = re.compile(r"[A-Za-z][\w/'’&().,-]*")
# Words that make a short line ending with a colon a lead-in sentence, not a heading.
_SENTENCE_WORDS = frozenset({
    "must", "have", "has", "had", "are", "is", "be", "will", "should", "can", "may", "following", "any",
    "all", "one", "of", "with", "who", "which", "that", "these", "those", "if", "meet", "include", "includes",
    "including", "either", "both", "criteria", "not", "no", "and", "or", "and/or",
})
# What follows "criteria" in a heading: only a colon (and a dash), a colon then an item's text.
_COLON_TO_END = re.compile(r"\s*:\s*-?\s*$")
_COLON_FIRST = re.compile(r"\s*:")
_COLON_LEAD = re.compile(r"^\s*:\s*-?\s*")
_COLON_END = re.compile(r":\s*-?\s*$")
_ROMAN = re.compile(r"^(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)$", re.IGNORECASE)
_TERMINAL = (".", ";", "!", "?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Registry XML wraps its text blocks at about 90-100 characters.
_WRAP_MIN, _WRAP_MAX = 60, 100


class CriterionSpan(Struct):
    """A criterion and the 0-based lines of the block it was built from."""

    criterion: Criterion
    first_line: int
    last_line: int
    # the texts of the lines that continue it, joined to its text when the block ends
    # (joining as each line comes would copy the text once a line: quadratic in the lines)
    continued: list[str] = msgspec_field(default_factory=list)

    def ends_with_colon(self) -> bool:
        """Whether its text, as it stands, ends with a colon (spaces and full stops aside)."""
        for part in reversed(self.continued):  # a part of only spaces and full stops: look further back
            end = part.rstrip(" .")
            if end:
                return end.endswith(":")
        return self.criterion.text.rstrip(" .").endswith(":")


class _Line(Struct, gc=False):
    index: int
    indent: int
    content: str  # the line without its marker
    family: str | None  # bullet | digit | lower | upper | roman | None (no marker)
    number: str | None
    content_col: int  # where the text after the marker starts


class _Open(Struct, gc=False):
    """An item that later lines may continue or nest under."""

    item: int  # index into the spans
    indent: int
    content_col: int
    family: str | None
    last_line: str  # its latest line, as written


def _family(number: str) -> str:
    if number[0].isdigit():
        return "digit"
    if _ROMAN.match(number) and (len(number) > 1 or number in "iIvVxX"):
        return "roman"
    return "upper" if number.isupper() else "lower"


def _read_line(index: int, raw: str) -> _Line:
    expanded = (raw.replace("\t", "    ") if "\t" in raw else raw).rstrip()
    stripped = expanded.lstrip()
    indent = len(expanded) - len(stripped)
    first = stripped[:1]
    if first.isalpha() and stripped[1:2].isalpha() and first not in "ivxIVX":
        return _Line(index, indent, stripped, None, None, indent)  # a word: no marker can start here
    if first and first in _BULLETS and (len(stripped) == 1 or stripped[1].isspace()):  # what _MARKER takes first
        content = stripped[1:].lstrip()
        return _Line(index, indent, content, "bullet", None, indent + len(stripped) - len(content))
    m = _MARKER.match(stripped)
    if m is None:
        return _Line(index, indent, stripped, None, None, indent)
    rest = stripped[m.end():]
    content = rest.lstrip()
    col = indent + m.end() + (len(rest) - len(content))
    if m.group("bullet"):
        return _Line(index, indent, content, "bullet", None, col)
    number = m.group("paren") or m.group("num")
    family = _family(number)
    if family in ("upper", "lower", "roman") and not (content[:1].isupper() or content[:1].isdigit()):
        # "e. coli", "a. baumannii": a letter and a full stop that open a sentence, not a marker
        if family != "roman":
            return _Line(index, indent, stripped, None, None, indent)
    return _Line(index, indent, content, family, number, col)


class _Heading(Struct, gc=False):
    kind: str | None | bool  # False: no kind change (a section heading)
    title: str | None  # section text, None for a plain kind heading
    level: int  # 0 kind heading, 1 capitals / dashed, 2 label ("Age:")
    rest: str  # text after the heading on the same line (an item)


def _kind_heading(content: str, marked: bool) -> _Heading | None:
    """"Inclusion Criteria:", "Key Exclusion Criteria", "Inclusion criteria for donors:", and
    "Inclusion criteria: age 18 or over" (a heading and an item); None for a sentence that
    merely names criteria ("Failure to meet inclusion criteria.")."""
    if len(content) > 160 or "criteri" not in content.lower():
        return None
    text = content.strip().strip("*").strip()
    m = _KIND_PHRASE.match(text)
    if m is None:
        return None
    pre = m.group("pre").strip()
    post = m.group("post")
    rest = ""
    if _COLON_TO_END.match(post) or not post.strip():
        post = ""
    elif not pre and _COLON_FIRST.match(post):
        rest = _COLON_LEAD.sub("", post)  # "Inclusion criteria: age 18 or over"
        post = ""
    elif _QUALIFIER.match(post):
        post = post.strip()  # "Inclusion Criteria - Phases 1 and 2", "Inclusion Criteria (Parts 1 and 2)"
    elif _COLON_END.search(post) and len(post.split()) <= 10 and not marked:
        post = post.strip()  # "Exclusion criteria for donors:"
    else:
        return None
    pre_words = pre.split()
    capitals = m.group("kind").isupper()
    if pre_words and (len(pre_words) > 4 or not all(_prefix_word(w, capitals, marked) for w in pre_words)):
        return None
    word = m.group("kind").lower()
    kind = None if (m.group("both") or word == "eligibility") else word
    plain = not pre_words and not post and word != "eligibility" and not m.group("both")
    title = None if plain else _COLON_TO_END.sub("", text if not rest else text[: m.start("post")]).strip()
    return _Heading(kind, title or None, 0, rest)


def _prefix_word(word: str, capitals: bool, marked: bool) -> bool:
    """A word that may come before "inclusion criteria" in a heading ("Key", "Part 1 additional")."""
    low = word.lower()
    if low in _KIND_PREFIXES:
        return True
    if marked:
        return False
    return low in _HEADING_NOUNS or word.isdigit() or len(word) == 1 or (capitals and word.isupper() and word.isalpha())


def _section_heading(line: _Line) -> _Heading | None:
    text = line.content
    if line.family not in (None, "bullet") or not text:
        return None
    if line.family is None:
        if text.startswith("--"):
            dashed = _DASHED_HEADING.match(text)
            if dashed:
                return _Heading(False, dashed.group("title").strip(), 1, "")
        elif text.startswith("#"):
            title = text.lstrip("#").strip()
            return _Heading(False, title, 1, "") if title else None
    head, colon, rest = text.partition(":")
    if len(head) > 80 or (line.family == "bullet" and not colon):
        return None
    words = head.split()
    if not words or len(words) > 8:
        return None
    capitals = head.isupper() and sum(c.isalpha() for c in head) >= 3
    if capitals:  # "DISEASE CHARACTERISTICS:"; not "- HIV POSITIVE" nor "- DONOR: ...", items in capitals
        if line.family == "bullet" and rest.strip():
            return None
        if not colon and len(words) > 5:
            return None
        return _Heading(False, head.strip(), 1, rest.strip() if colon else "")
    if line.family is None and colon and not rest.strip() and len(words) <= 4:
        if any(w.lower().strip("(),") in _SENTENCE_WORDS for w in words):
            return None
        if all(_LABEL_WORD.fullmatch(w) for w in words):
            return _Heading(False, head.strip(), 2, "")
    return None


class _Splitter:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.spans: list[CriterionSpan] = []
        self.kind: str | None = None
        self.path: list[tuple[int, str]] = []  # (level, title) of the headings in force
        self.pending_headings: list[tuple[int, str, int]] = []  # headings no item has used yet
        self.stack: list[_Open] = []
        self.blank_before = False
        self.empty_marker: _Line | None = None
        self._section: tuple[list[tuple[int, str]], str | None] = ([], None)  # (path, its section text)

    # -- items --

    def section(self) -> str | None:
        path, text = self._section
        if path is not self.path:  # the headings in force changed (self.path is replaced, never mutated)
            text = SECTION_SEPARATOR.join(title for _, title in self.path) or None
            self._section = (self.path, text)
        return text

    def add(self, line: _Line, text: str, parent: int | None) -> None:
        if self.pending_headings:
            self.pending_headings.clear()
        criterion = Criterion(kind=self.kind, number=line.number, text=text, parent=parent, section=self.section())
        self.spans.append(CriterionSpan(criterion, line.index, line.index))

    def continue_item(self, line: _Line) -> None:
        top = self.stack[-1]
        span = self.spans[top.item]
        if line.content:
            span.continued.append(line.content)
        span.last_line = line.index
        top.last_line = self.lines[line.index]

    def is_continuation(self, line: _Line) -> bool:
        if not self.stack or line.family is not None:
            return False
        top = self.stack[-1]
        if self.blank_before:
            # a second paragraph of a bulleted item, at the item's text column
            return top.family is not None and line.indent >= top.content_col and line.indent > top.indent
        if top.family is not None and line.indent > top.indent:
            return True
        if line.indent > top.content_col:
            return True
        if line.indent < top.indent:
            return False
        previous = top.last_line.rstrip()
        if previous.endswith(":"):
            return False
        if _WRAP_MIN <= len(previous) <= _WRAP_MAX and not previous.endswith(_TERMINAL):
            return True  # a hard-wrapped line
        return not previous.endswith(_TERMINAL) and line.content[:1].islower() and len(previous) <= _WRAP_MAX

    def parent_for(self, line: _Line) -> int | None:
        """Pop the items this line does not nest under; the parent is what is left on top."""
        while self.stack:
            top = self.stack[-1]
            if top.indent < line.indent and (top.family is not None or self.leads_in(top)):
                return top.item
            if top.indent == line.indent and self.nests_by_style(top, line):
                return top.item
            self.stack.pop()
        return None

    def leads_in(self, top: _Open) -> bool:
        """A paragraph that ends with a colon takes the deeper items after it."""
        return self.spans[top.item].ends_with_colon()

    def nests_by_style(self, top: _Open, line: _Line) -> bool:
        """"... any of the following:" then "i) ...": numbered in another style, at the same indent."""
        return (
            line.family not in (None, "bullet")
            and top.family != line.family
            and self.leads_in(top)
        )

    # -- headings --

    def heading(self, line: _Line) -> bool:
        content = line.content
        if ":" not in content and "criteri" not in content.lower():
            # neither kind of heading can be on this line, but for an unmarked "--Title--",
            # "# Title" or one in capitals
            if line.family is not None or not (content.startswith(("--", "#")) or content.isupper()):
                return False
        h = _kind_heading(line.content, line.family is not None) if line.family in (None, "bullet", "digit") else None
        if h is not None and line.family == "digit" and (h.rest or h.title):
            h = None  # "4. BMI 19-40. Exclusion criteria:" is an item; "1) Inclusion Criteria" a heading
        if h is None:
            h = _section_heading(line)
        if h is None:
            return False
        self.flush_pending(h.level)
        self.stack.clear()
        if h.kind is not False:
            self.kind = h.kind  # type: ignore[assignment]
            self.path = []
        self.path = [(lvl, t) for lvl, t in self.path if lvl < h.level]
        if h.title:
            self.path.append((h.level, h.title))
            self.pending_headings.append((h.level, h.title, line.index))
        if h.rest:  # "Exclusion Criteria: 1. Age less than 40 years": an item after the heading
            rest = _read_line(line.index, " " * line.content_col + h.rest)
            self.add(rest, rest.content, None)
            self.stack.append(_Open(len(self.spans) - 1, rest.indent, rest.content_col, rest.family, self.lines[line.index]))
        return True

    def flush_pending(self, level: int = -1) -> None:
        """A heading closed with no item under it is kept as an item, so its words are not lost.

        Headings still open above ``level`` stay pending; the item made for the
        deepest closed heading carries the ones above it in its section.
        """
        closed = [h for h in self.pending_headings if h[0] >= level]
        if not closed:
            return
        deepest_level, title, index = closed[-1]
        path, self.path = self.path, [(lvl, t) for lvl, t in self.path if lvl < deepest_level]
        criterion = Criterion(text=title, kind=self.kind, number=None, parent=None, section=self.section())
        self.spans.append(CriterionSpan(criterion, index, index))
        self.path = path
        self.pending_headings = []

    # -- the pass --

    def run(self) -> list[CriterionSpan]:
        for index, raw in enumerate(self.lines):
            if not raw or raw.isspace():
                self.blank_before = True
                continue
            line = _read_line(index, raw)
            if self.empty_marker is not None:
                line = self.take_empty_marker(line)
            if line.family is not None and not line.content:
                if line.family == "bullet" or self.blank_before or not self.stack:
                    self.empty_marker = line  # "-" or "3." alone: its text is on the next line
                    continue
                line = _Line(index, line.indent, raw.strip(), None, None, line.indent)  # "4)" ending a wrapped line
            if line.family is None and self.stack and self.is_continuation(line):
                self.continue_item(line)
            elif not self.heading(line):
                parent = self.parent_for(line)
                self.add(line, line.content, parent)
                self.stack.append(_Open(len(self.spans) - 1, line.indent, line.content_col, line.family, raw))
            self.blank_before = False
        self.flush_pending()
        if self.empty_marker is not None and self.empty_marker.number:
            self.add(self.empty_marker, "", self.parent_for(self.empty_marker))  # keep its number
        for span in self.spans:
            if span.continued:
                span.criterion.text = " ".join([span.criterion.text, *span.continued]).strip()
                span.continued = []
        return self.spans

    def take_empty_marker(self, line: _Line) -> _Line:
        """An unmarked line after a marker that stood alone is that marker's item."""
        marker, self.empty_marker = self.empty_marker, None
        if line.family is not None or marker is None:
            if marker is not None and marker.number:
                self.add(marker, "", self.parent_for(marker))
                self.stack.append(_Open(len(self.spans) - 1, marker.indent, marker.content_col, marker.family, ""))
            return line
        return _Line(line.index, marker.indent, line.content, marker.family, marker.number, line.indent)


def split_criteria_lines(lines: list[str]) -> list[CriterionSpan]:
    """Criteria from the lines of a criteria block, each with the lines it came from.

    ``first_line`` / ``last_line`` are 0-based indexes into ``lines``; a
    heading is not an item and no span covers it.
    """
    return _Splitter(lines).run()


def split_criteria(text: str) -> list[Criterion]:
    """Criteria from a registry criteria block (XML text block or API v2 Markdown)."""
    return [s.criterion for s in split_criteria_lines(_LINE_BREAK.split(text))]


def criteria_from_block(block: CriteriaBlock) -> list[Criterion]:
    """The items of one criteria block as its source wrote it.

    Markdown (API v2) is split as given, so an escaped ``\\*`` or ``1\\.`` is
    text, not a bullet or a number; then each item's text and section drop
    their escapes and fold their white space. An item the block's headings
    give no kind gets the block's own kind (an ICTRP inclusion block, say).
    """
    # Cached by the block's text: the XML writer asks again for the block it writes, and
    # registries repeat blocks. Each call gets its own copies of the items.
    return [copy.copy(c) for c in _split_block(block.text, block.markup, block.kind)]


@lru_cache(maxsize=1024)
def _split_block(text: str, markup: str, kind: str | None) -> tuple[Criterion, ...]:
    """The items of a block, split once per distinct block (see :func:`criteria_from_block`)."""
    items = split_criteria(text)
    if markup == "markdown":
        kept: dict[int, int] = {}  # old index -> new index of the items that keep some text
        cleaned: list[Criterion] = []
        for i, criterion in enumerate(items):
            item_text = clean(unescape_markdown(criterion.text))
            if not item_text:  # only escapes: no item (an item nested under it moves up to its parent)
                continue
            criterion.text = item_text
            if criterion.section:
                criterion.section = clean(unescape_markdown(criterion.section))
            parent = criterion.parent
            while parent is not None and parent not in kept:
                parent = items[parent].parent
            criterion.parent = None if parent is None else kept[parent]
            kept[i] = len(cleaned)
            cleaned.append(criterion)
        items = cleaned
    if kind is not None:
        for criterion in items:
            if criterion.kind is None:
                criterion.kind = kind
    return tuple(items)
