"""The review page: one self-contained HTML file showing, per record, what the parser read and guessed.

For each record: the source text of a flattened-text entry with every field
it was read into highlighted and labelled (from :attr:`Record.spans`), the
parsed fields beside it, and each warning right under the line it concerns
(its ``line``, else the line of its field's span); warnings with no line are
listed above the record. Registry XML/JSON records show their fields and
warnings without source. Records with warnings come first, and a filter
shows only them (or only those with one code).

The file needs nothing else: CSS and JS are inline, no URL is fetched.
Highlights carry ``data-field="<JSON path>"`` (``outcomes[0].measure``) and
warnings ``data-warning="<code>"``, so tests and links can find them; each
record is ``<section id="record-<n>" data-record-id="...">``. Sections are
laid out only when scrolled to (CSS ``content-visibility``), so a page of a
thousand entries opens quickly.
"""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...catalogue import on_screen
from ...version import __version__

_LINE_END = re.compile(r"\r\n?|\n")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(slots=True)
class ReviewItem:
    """One record for the page: its canonical dict, its source text (flattened text only),
    or, for an input that gave no record, the failure's description."""

    record: dict[str, Any] | None
    source: str | None = None
    failure: str | None = None
    path: str | None = None


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def field_label(path: str) -> str:
    """A field's name for a reader: ``outcomes[0].measure`` -> ``outcome 1 measure``."""
    label = path.replace("eligibility.criteria", "criterion").replace("design.", "")
    label = label.replace("interventions", "intervention").replace("outcomes", "outcome")
    label = label.replace("variants", "mark").replace("declared_variant_count", "variant count")
    label = _INDEX.sub(lambda m: f" {int(m.group(1)) + 1}", label)
    return label.replace(".", " ").replace("_", " ").replace('["', " ").replace('"]', "")


# --- the fields panel ---------------------------------------------------------------------------


def _coded(value: Any) -> str | None:
    if isinstance(value, dict):
        code = value.get("code")
        return f"{value.get('text')}" + (f" ({code})" if code else " (no code)")
    return None


def field_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON path, value as text) of the fields a curator checks, in record order."""
    rows: list[tuple[str, str]] = []

    def add(path: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            rows.append((path, value if isinstance(value, str) else _text(value)))

    add("record_id", record.get("record_id"))
    add("title", record.get("title"))
    add("summary", record.get("summary"))
    add("phases", ", ".join(record.get("phases") or []))
    add("conditions", "; ".join(record.get("conditions") or []))
    enrollment = record.get("enrollment") or {}
    add("enrollment", enrollment.get("count"))
    design = record.get("design") or {}
    for name in ("allocation", "intervention_model", "masking", "primary_purpose"):
        add(f"design.{name}", _coded(design.get(name)))
    for i, item in enumerate(record.get("interventions") or []):
        add(f"interventions[{i}].name", item.get("name") or "(empty)")
        add(f"interventions[{i}].description", item.get("description"))
        add(f"interventions[{i}].type", item.get("type"))
    for i, outcome in enumerate(record.get("outcomes") or []):
        add(f"outcomes[{i}].type", outcome.get("type") or "(not given)")
        add(f"outcomes[{i}].measure", outcome.get("measure"))
        add(f"outcomes[{i}].description", outcome.get("description"))
        tf = outcome.get("time_frame")
        if tf:
            days = tf.get("max_days")
            add(f"outcomes[{i}].time_frame", tf.get("text") + (f" (up to {days:g} days)" if days else ""))
    for i, criterion in enumerate((record.get("eligibility") or {}).get("criteria") or []):
        number = f"{criterion['number']}. " if criterion.get("number") else ""
        kind = f" [{criterion['kind']}]" if criterion.get("kind") else ""
        add(f"eligibility.criteria[{i}]", f"{number}{criterion.get('text')}{kind}")
    for i, v in enumerate(record.get("variants") or []):
        parts = [v.get("text"), v.get("kind"), v.get("hgvs"), v.get("gene")]
        where = "marked" if v.get("marked") else f"found in {v.get('found_in')}"
        add(f"variants[{i}]", " · ".join(str(p) for p in parts if p) + f" ({where})")
    add("declared_variant_count", record.get("declared_variant_count"))
    for key, value in (record.get("extras") or {}).items():
        add(f"extras[{_json_key(key)}]", value)
    return rows


def _json_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


# --- the source panel ---------------------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, its line break left out."""
    out, at = [], 0
    for m in _LINE_END.finditer(text):
        out.append((at, m.start()))
        at = m.end()
    out.append((at, len(text)))
    return out


def _highlighted(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """``text[start:end]`` as HTML, each piece inside the innermost field span covering it."""
    inside = [(max(s, start), min(e, end), p) for s, e, p in spans if s < end and e > start]
    if not inside:
        return _e(text[start:end])
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [(e - s, p) for s, e, p in inside if s <= a and e >= b]
        piece = _e(text[a:b])
        if covering:
            path = min(covering)[1]
            out.append(f'<mark data-field="{_e(path)}" data-label="{_e(field_label(path))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _warning_html(warning: dict[str, Any], line: int | None) -> str:
    code = warning.get("code", "")
    note = "" if on_screen(code) else " note"
    field = warning.get("field")
    where = f' data-line="{line}"' if line else ""
    target = f' data-target="{_e(field)}"' if field else ""
    return (f'<div class="warning{note}" data-warning="{_e(code)}"{where}{target}>'
            f'<b>{_e(code)}</b> {_e(warning.get("message", ""))}'
            + (f' <code>{_e(field)}</code>' if field else "") + "</div>")


def _warning_line(warning: dict[str, Any], spans: dict[str, Any]) -> int | None:
    """The line a warning concerns: its own, else the line its field (or the field's parent) starts on."""
    if warning.get("line"):
        return int(warning["line"])
    field = warning.get("field") or ""
    while field:
        if field in spans:
            return int(spans[field][2])
        cut = max(field.rfind("."), field.rfind("["))
        field = field[:cut] if cut > 0 else ""
    return None


def _source_html(text: str, spans: dict[str, Any], by_line: dict[int, list[str]]) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _lines(text)
    starts = [s for s, _ in lines]
    per_line: dict[int, list[tuple[int, int, str]]] = {}
    for path, (start, end, _) in spans.items():
        if end <= start:
            continue
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, max(start, end - 1)) - 1
        for k in range(max(first, 0), last + 1):
            per_line.setdefault(k, []).append((start, end, path))
    out = ['<div class="source">']
    for k, (start, end) in enumerate(lines):
        number = k + 1
        body = _highlighted(text, start, end, per_line.get(k, []))
        out.append(f'<div class="ln" data-line="{number}"><span class="no">{number}</span>'
                   f'<span class="tx">{body or " "}</span></div>')
        out.extend(by_line.get(number, ()))
    out.append("</div>")
    return "".join(out)


# --- the page -------------------------------------------------------------------------------------


def _shown(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [w for w in (record or {}).get("warnings") or [] if on_screen(str(w.get("code")))]


def _section(n: int, item: ReviewItem) -> str:
    record = item.record
    if record is None:
        return (f'<section class="record failed has-warnings" id="record-{n}" data-codes="failure">'
                f'<h2><span class="rid">failed</span> <small>{_e(item.path or "<stdin>")}</small></h2>'
                f'<div class="warning failure" data-warning="failure">{_e(item.failure or "")}</div></section>')
    warnings = record.get("warnings") or []
    shown = _shown(record)
    spans = record.get("spans") or {}
    source = item.source if item.source is not None and spans else None
    by_line: dict[int, list[str]] = {}
    loose: list[str] = []
    for warning in warnings:
        line = _warning_line(warning, spans) if source is not None else None
        (by_line.setdefault(line, []) if line else loose).append(_warning_html(warning, line))
    codes = " ".join(sorted({str(w.get("code")) for w in shown}))
    classes = "record has-warnings" if shown else "record"
    path = (record.get("source") or {}).get("path") or item.path
    flagged = {w.get("field") for w in warnings if w.get("field")}
    rows = "".join(
        f'<tr data-field-row="{_e(p)}"{" class=flagged" if p in flagged else ""}>'
        f'<th>{_e(field_label(p))}</th><td>{_e(v)}</td></tr>'
        for p, v in field_rows(record)
    )
    count = f'{len(shown)} warning(s)' if shown else "no warnings"
    notes = len(warnings) - len(shown)
    count += f", {notes} note(s)" if notes else ""
    head = (f'<section class="{classes}" id="record-{n}" data-record-id="{_e(record.get("record_id"))}" '
            f'data-codes="{_e(codes)}"><h2><span class="rid">{_e(record.get("record_id"))}</span> '
            f'<small>{_e(path or "<stdin>")} · {_e((record.get("source") or {}).get("format"))}</small> '
            f'<span class="count">{count}</span></h2>')
    body = [head]
    if loose:
        body.append('<div class="loose">' + "".join(loose) + "</div>")
    body.append('<div class="cols">')
    if source is not None:
        body.append(_source_html(source, spans, by_line))
    else:
        fmt = (record.get("source") or {}).get("format")
        why = ("the fields of a registry record are shown as read" if fmt != "text"
               else "the entry this record was parsed from is not at its path, or has changed")
        body.append(f'<div class="source none">No source highlighting: {why}.</div>')
    body.append(f'<table class="fields">{rows}</table></div></section>')
    return "".join(body)


def render_page(items: Iterable[ReviewItem], title: str = "registry-tool review") -> str:
    """The whole page, as one HTML string: records with warnings first, then the others, each in input order."""
    items = list(items)
    order = sorted(range(len(items)), key=lambda i: (not (_shown(items[i].record) or items[i].record is None), i))
    flagged = sum(1 for item in items if item.record is None or _shown(item.record))
    codes = sorted({str(w.get("code")) for item in items for w in _shown(item.record)})
    options = "".join(f'<option value="{_e(c)}">{_e(c)}</option>' for c in codes)
    sections = "".join(_section(n, items[i]) for n, i in enumerate(order, 1))
    nav = "".join(
        f'<li class="{"w" if (items[i].record is None or _shown(items[i].record)) else ""}">'
        f'<a href="#record-{n}">{_e((items[i].record or {}).get("record_id") or "failed")}</a></li>'
        for n, i in enumerate(order, 1)
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><p class="summary">{len(items)} record(s), '
        f'<span id="flagged">{flagged}</span> with warnings (listed first) · registry-tool {_e(__version__)}</p>'
        '<p class="filters"><label><input type="checkbox" id="only-warnings"> only records with warnings</label> '
        f'<label>code <select id="code"><option value="">any</option>{options}</select></label> '
        '<span id="showing"></span></p></header>'
        f'<nav><ol>{nav}</ol></nav><main>{sections}</main>'
        f"<script>{_JS}</script></body></html>\n"
    )


_CSS = """
body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d1d1f;background:#f5f5f7}
header{position:fixed;top:0;left:0;right:0;height:92px;box-sizing:border-box;z-index:2;background:#fff;
border-bottom:1px solid #ccc;padding:.4em 1em;overflow:hidden}
h1{font-size:1.2em;margin:.2em 0}header p{margin:.2em 0}
nav{position:fixed;top:92px;bottom:0;left:0;width:210px;overflow:auto;font-size:12px;background:#fff;
border-right:1px solid #ddd}nav ol{margin:0;padding:.5em 0 .5em 2.8em}nav li{white-space:nowrap}
nav li.w a{color:#b3261e;font-weight:600}
main{margin:92px 0 0 210px;padding:.8em 1em}
.record{scroll-margin-top:7.5em}
.record{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0 0 1em;padding:.5em .8em;
content-visibility:auto;contain-intrinsic-size:auto 700px}
.record.has-warnings{border-left:5px solid #d93025}
h2{font-size:1em;margin:.2em 0 .5em}h2 small{color:#666;font-weight:400}.count{float:right;color:#b3261e}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1em}
.source{font:12.5px/1.5 ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.source.none{font:inherit;color:#666;font-style:italic}
.ln{display:flex}.no{flex:0 0 3em;color:#999;text-align:right;padding-right:.8em;user-select:none}.tx{flex:1}
mark{background:#e3f0ff;border-radius:3px;outline:1px solid #9cc3f5;position:relative}
mark::before{content:attr(data-label);font:10px/1 system-ui,sans-serif;color:#fff;background:#3b78c2;
border-radius:2px;padding:0 3px;margin-right:3px;vertical-align:1px}
mark[data-field^="outcomes"]{background:#e6f6e6;outline-color:#8fcf8f}
mark[data-field^="outcomes"]::before{background:#2f8a3b}
mark[data-field^="variants"]{background:#fde7f3;outline-color:#e79bc4}mark[data-field^="variants"]::before{background:#b0407c}
mark[data-field^="design"],mark[data-field="declared_variant_count"]{background:#fff4d6;outline-color:#e8c66a}
mark[data-field^="design"]::before,mark[data-field="declared_variant_count"]::before{background:#9a7300}
mark[data-field^="extras"]{background:#eee;outline-color:#aaa}mark[data-field^="extras"]::before{background:#666}
.warning{margin:.15em 0 .35em 3.8em;padding:.15em .5em;background:#fdecea;border-left:3px solid #d93025;
font:12px/1.4 system-ui,sans-serif}.warning.note{background:#f1f3f4;border-left-color:#888}
.loose .warning{margin-left:0}.warning code{color:#555}
table.fields{border-collapse:collapse;font-size:12.5px;align-self:start}
.fields th{text-align:left;vertical-align:top;color:#555;font-weight:500;padding:.1em .6em .1em 0;white-space:nowrap}
.fields td{padding:.1em 0;word-break:break-word}.fields tr.flagged th{color:#b3261e}
.flash{animation:flash 1.2s}@keyframes flash{from{background:#ffd54f}}
body.only-warnings .record:not(.has-warnings),body.only-warnings nav li:not(.w){display:none}
.record.hidden,nav li.hidden{display:none}
"""

_JS = """
(function(){
var only=document.getElementById('only-warnings'),code=document.getElementById('code'),
showing=document.getElementById('showing'),sections=document.querySelectorAll('main > section'),
items=document.querySelectorAll('nav li');
function apply(){
  document.body.classList.toggle('only-warnings',only.checked);
  var c=code.value,n=0;
  for(var i=0;i<sections.length;i++){
    var s=sections[i],hide=!!c&&(' '+s.getAttribute('data-codes')+' ').indexOf(' '+c+' ')<0;
    s.classList.toggle('hidden',hide);items[i].classList.toggle('hidden',hide);
    if(!hide&&(!only.checked||s.classList.contains('has-warnings')))n++;
  }
  showing.textContent=n+' shown';
}
only.addEventListener('change',apply);code.addEventListener('change',apply);
// #warnings and #code=CODE in the address open the page filtered (links to a page can use them)
var hash=decodeURIComponent(location.hash.slice(1));
if(hash==='warnings')only.checked=true;
if(hash.indexOf('code=')===0){code.value=hash.slice(5);only.checked=true;}
function flash(el){if(!el)return;el.scrollIntoView({block:'center'});el.classList.remove('flash');
  void el.offsetWidth;el.classList.add('flash');}
document.addEventListener('click',function(ev){
  var m=ev.target.closest('mark[data-field]'),r=ev.target.closest('tr[data-field-row]'),
  w=ev.target.closest('.warning[data-target]');
  var sec=ev.target.closest('section');if(!sec)return;
  if(m)flash(sec.querySelector('tr[data-field-row="'+CSS.escape(m.getAttribute('data-field'))+'"]'));
  else if(r)flash(sec.querySelector('mark[data-field="'+CSS.escape(r.getAttribute('data-field-row'))+'"]'));
  else if(w)flash(sec.querySelector('tr[data-field-row="'+CSS.escape(w.getAttribute('data-target'))+'"]'));
});
apply();
document.documentElement.setAttribute('data-ready-ms',String(Math.round(performance.now())));
})();
"""
