"""The review page: self-contained, every field highlighted with its JSON path, each warning under
its line, records with warnings first; checked in a real headless browser where one exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from registry_tool import commands
from registry_tool.formats.review.page import field_label
from tests.support import FIXTURES
from tests.support.browser import SCREENSHOT_INPUTS, browser, dump_dom, screenshot

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
FLAWED = FIXTURES / "screen" / "flawed_entry.txt"
CLEAN = FIXTURES / "text" / "03_glued_labels.txt"
XML = FIXTURES / "ctgov_xml" / "02_legacy_layout_and_unknown_values.xml"
needs_browser = pytest.mark.skipif(browser() is None, reason="no headless browser (chromium) installed")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "review.html"
    done = subprocess.run([SCRIPT, "review", str(CLEAN), str(FLAWED), str(XML), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "reviewed 3 input record(s): 2 with warnings, 0 failed" in done.stderr
    return out


def _record(path: Path) -> dict:
    return commands.parse_file(str(path)).to_dict()


def _sections(doc) -> list:
    return doc.xpath("//main/section")


def test_the_page_is_self_contained(page):
    text = page.read_text("utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)  # nothing fetched
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "<style>" in text and "<script>" in text


def test_every_span_is_highlighted_with_its_json_path(page):
    doc = lxml_html.fromstring(page.read_bytes())
    record = _record(FLAWED)
    section = doc.xpath(f'//section[@data-record-id="{record["record_id"]}"]')[0]
    fields = {m.get("data-field") for m in section.xpath(".//mark[@data-field]")}
    assert fields == set(record["spans"])
    source = FLAWED.read_text("utf-8")
    for path, (start, end, _) in record["spans"].items():
        marks = section.xpath(f'.//mark[@data-field="{path}"]')
        assert "".join(m.text_content() for m in marks).replace("\n", "") in source[start:end].replace("\n", "")
    measure = section.xpath('.//mark[@data-field="outcomes[0].measure"]')[0]
    assert measure.text_content() == record["outcomes"][0]["measure"]
    assert measure.get("data-label") == field_label("outcomes[0].measure") == "outcome 1 measure"
    # the source text is all there, line by line
    lines = [ln.xpath('./span[@class="tx"]')[0].text_content() for ln in section.xpath('.//div[@class="ln"]')]
    assert "\n".join(lines).rstrip() == source.rstrip()


def test_each_warning_is_under_the_line_it_concerns(page):
    doc = lxml_html.fromstring(page.read_bytes())
    record = _record(FLAWED)
    section = doc.xpath(f'//section[@data-record-id="{record["record_id"]}"]')[0]
    for code, line in [("label-misspelled", "3"), ("mark-malformed", "9"), ("mark-mismatch", "8")]:
        warning = section.xpath(f'.//div[@data-warning="{code}"][@data-line="{line}"]')[0]
        above = warning.getprevious()
        while above.get("class") != "ln":
            above = above.getprevious()
        assert above.get("data-line") == line
    # a warning with no line or field span is listed above the record
    assert section.xpath('.//div[@class="loose"]/div[@data-warning="phases-from-summary"]')
    codes = sorted(w.get("data-warning") for w in section.xpath(".//div[@data-warning]"))
    assert codes == sorted(w["code"] for w in record["warnings"])


def test_records_with_warnings_come_first_and_registry_records_have_no_source(page):
    doc = lxml_html.fromstring(page.read_bytes())
    sections = _sections(doc)
    assert [s.get("data-record-id") for s in sections] == [
        _record(FLAWED)["record_id"], _record(XML)["record_id"], _record(CLEAN)["record_id"]]
    assert ["has-warnings" in s.get("class") for s in sections] == [True, True, False]
    xml = sections[1]
    assert not xml.xpath(".//mark") and xml.xpath('.//div[contains(@class, "none")]')
    assert xml.xpath('.//tr[@data-field-row="outcomes[0].measure"]')


def test_an_input_that_fails_is_shown_first(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = tmp_path / "review.html"
    report = commands.review([str(CLEAN), str(empty)], str(out))
    assert report.records == 1 and [f.code for f in report.failures] == ["empty-entry"]
    doc = lxml_html.fromstring(out.read_bytes())
    first = _sections(doc)[0]
    assert "failed" in first.get("class") and "empty" in first.text_content()


@needs_browser
def test_the_page_in_a_real_browser(page):
    dom = lxml_html.fromstring(dump_dom(page).encode("utf-8"))
    assert dom.get("data-ready-ms") is not None  # the page's script ran to its end
    record = _record(FLAWED)
    measure = dom.xpath(f'//section[@data-record-id="{record["record_id"]}"]//mark[@data-field="outcomes[1].measure"]')
    assert measure and measure[0].text_content() == "Progression free survival"
    assert dom.xpath('//div[@data-warning="mark-mismatch"]')
    assert dom.xpath('//span[@id="showing"]')[0].text_content() == "3 shown"
    assert "only-warnings" not in (dom.xpath("//body")[0].get("class") or "")
    # the filter: #warnings shows only records with warnings, #code=CODE those with that code
    filtered = lxml_html.fromstring(dump_dom(page, "#warnings").encode("utf-8"))
    assert "only-warnings" in filtered.xpath("//body")[0].get("class")
    assert filtered.xpath('//span[@id="showing"]')[0].text_content() == "2 shown"
    by_code = lxml_html.fromstring(dump_dom(page, "#code=mark-malformed").encode("utf-8"))
    hidden = [s.get("data-record-id") for s in by_code.xpath("//main/section") if "hidden" in s.get("class")]
    assert hidden == [_record(XML)["record_id"], _record(CLEAN)["record_id"]]


@needs_browser
def test_the_readme_screenshot_is_made_by_the_browser(tmp_path):
    page = tmp_path / "review.html"
    commands.review([str(p) for p in SCREENSHOT_INPUTS], str(page))
    png = tmp_path / "review.png"
    screenshot(page, png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real picture, not a blank page
    committed = Path(__file__).resolve().parents[3] / "docs" / "review-page.png"
    assert committed.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the README's copy (python -m tests.support.browser)


def _thousand_entries(root: Path) -> list[str]:
    """1,000 distinct entries: the text fixtures and the flawed entry, each numbered apart."""
    sources = [p for p in sorted((FIXTURES / "text").glob("*.txt"))
               if "error" not in json.loads(p.with_suffix(".json").read_text("utf-8"))] + [FLAWED]
    paths = []
    for i in range(1000):
        path = root / f"entry{i:04d}.txt"
        path.write_bytes(sources[i % len(sources)].read_bytes() + f"\n{i + 900}. Entry {i}.\n".encode())
        paths.append(str(path))
    return paths


@needs_browser
def test_a_page_of_a_thousand_entries_opens_in_under_two_seconds(tmp_path):
    page = tmp_path / "review.html"
    report = commands.review(_thousand_entries(tmp_path), str(page))
    assert report.records == 1000
    started = time.perf_counter()
    dom = lxml_html.fromstring(dump_dom(page).encode("utf-8"))
    wall = time.perf_counter() - started
    ready = int(dom.get("data-ready-ms"))  # from navigation start to the end of the page's script
    assert len(dom.xpath("//main/section")) == 1000
    assert ready < 2000, f"the page took {ready} ms to open ({wall:.1f} s with the browser's start)"


def test_a_canonical_text_record_shows_its_entry_while_the_entry_is_unchanged(tmp_path):
    entry = tmp_path / "entry.txt"
    entry.write_bytes(FLAWED.read_bytes())
    canonical = tmp_path / "entry.json"
    canonical.write_text(json.dumps(commands.parse_file(str(entry)).to_dict()), "utf-8")
    out = tmp_path / "review.html"
    commands.review([str(canonical)], str(out))
    assert lxml_html.fromstring(out.read_bytes()).xpath('//mark[@data-field="outcomes[0].measure"]')
    entry.write_text(entry.read_text("utf-8").replace("drug Z", "drug Y"), "utf-8")  # edited since: spans may lie
    commands.review([str(canonical)], str(out))
    doc = lxml_html.fromstring(out.read_bytes())
    assert not doc.xpath("//mark") and "has changed" in doc.xpath('//div[contains(@class, "none")]')[0].text_content()
