"""Property tests (hypothesis) for the flattened-text parser."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry_tool
from registry_tool.commands import iter_records
from registry_tool.errors import Failure, RecordError
from registry_tool.formats.text.layout import STRUCTURAL as _STRUCTURAL

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_any_text(text: str) -> None:
    try:
        record = registry_tool.parse_text(text)
    except RecordError as exc:
        assert exc.failure.code in {"empty-entry", "binary-input", "not-an-entry"}
        assert exc.failure.message
        return
    assert registry_tool.validate(record.to_dict()) == []


@SETTINGS
@given(st.text())
def test_any_text_gives_a_record_or_a_clear_error(text):
    _check_any_text(text)


@SETTINGS
@given(st.binary())
def test_random_bytes_decoded_with_replacement(data):
    _check_any_text(data.decode("utf-8", errors="replace"))


_LINE_PIECES = st.sampled_from(
    ["Name: ", "Description: ", "Measure: ", "Allocation: ", ". Time: ", "Time: ", "--- T315I ---", "\r\n", "\n",
     "There is one SNP", "Parallel Assignment", "5. ", "Inclusion Criteria:", "  - ", "\ufeff", ":", "..", "---"]
)


@SETTINGS
@given(st.lists(st.one_of(_LINE_PIECES, st.text(max_size=12)), max_size=40))
def test_label_soup_never_crashes(pieces):
    _check_any_text("".join(pieces))


@SETTINGS
@given(st.binary(max_size=400))
def test_any_file_through_the_reader_gives_records_or_failures(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("in") / "entry.txt"
    path.write_bytes(data)
    for result in iter_records([str(path)]):
        if isinstance(result, Failure):
            assert result.code != "internal-error", result.message
            assert result.message and result.path == str(path)
        else:
            assert registry_tool.validate(result.to_dict()) == []


# --- well-formed entries round-trip ---------------------------------------------------

_WORDS = st.text(alphabet=string.ascii_letters + string.digits + " ,;()%/-'", min_size=1, max_size=40).map(
    lambda s: " ".join(s.split())
).filter(lambda s: s and not _STRUCTURAL.match(s) and "---" not in s)
_TIMES = st.sampled_from(["3 months", "28 days", "2 years", "Up to 24 weeks", "12 hours", "Week 52", None])


@st.composite
def entries(draw):
    summary = draw(st.lists(_WORDS, max_size=3))
    names = draw(st.lists(_WORDS, max_size=3))
    outcomes = draw(st.lists(st.tuples(_WORDS, st.one_of(st.none(), _WORDS), _TIMES), min_size=1, max_size=6))
    allocation = draw(st.sampled_from([None, "Randomized", "N/A", "Non-Randomized"]))
    model = draw(st.sampled_from([None, "Single Group Assignment", "Parallel Assignment", "Crossover Assignment"]))
    crlf = draw(st.booleans())
    lines = list(summary) + [f"Name: {n}" for n in names]
    glued = ""
    for measure, description, time in outcomes:
        if description:
            lines.append(f"{glued}Description: {description}")
            glued = ""
        glued += f"Measure: {measure}. Time: {time or ''}"
    lines.append(f"{glued}Allocation: {allocation}" if allocation else glued)
    if model:
        lines.append(model)
    text = ("\r\n" if crlf else "\n").join(lines)
    return text, summary, names, outcomes, allocation, model


@SETTINGS
@given(entries())
def test_well_formed_entries_round_trip(entry):
    text, summary, names, outcomes, allocation, model = entry
    record = registry_tool.parse_text(text)
    assert record.summary == (" ".join(summary) or None)
    assert [i.name for i in record.interventions] == names
    assert [(o.measure, o.description, o.time_frame.text if o.time_frame else None) for o in record.outcomes] == [
        (m, d, t) for m, d, t in outcomes
    ]
    assert (record.design.allocation.text if record.design.allocation else None) == allocation
    assert (record.design.intervention_model.text if record.design.intervention_model else None) == model
    assert record.extras == {}


# --- batches: bad records never stop the good ones, counts add up ----------------------

_GOOD_ENTRY = "Name: drug\nMeasure: Response. Time: 3 months\n"
_BAD_ENTRIES = [b"", b"   \n\t\n", b"Name: x\x00y\n", b"Name: caf\xe9\n", b"\xff\xfe\x00"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.just(None), st.sampled_from(_BAD_ENTRIES)), min_size=1, max_size=12))
def test_batch_counts_add_up(tmp_path_factory, plan):
    from registry_tool import convert, iter_records

    folder = tmp_path_factory.mktemp("batch")
    for i, bad in enumerate(plan):
        (folder / f"{i:02d}.txt").write_bytes(_GOOD_ENTRY.encode() + str(i).encode() if bad is None else bad)
    out = folder / "out.jsonl"
    report = convert(iter_records([str(folder)]), "jsonl", str(out))
    good = sum(1 for bad in plan if bad is None)
    assert report.records_in == len(plan) == report.records_out + len(report.failures)
    assert report.records_out == good
    assert len(out.read_text("utf-8").splitlines()) == good
    assert all(f.path and f.code != "internal-error" for f in report.failures)
