"""fetch against a real HTTP server on 127.0.0.1 (tests/fake_registry.py) that injects faults.

Backoff waits go through a recording ``sleep`` that does not sleep, so the
tests are fast and can check which waits were asked for (Retry-After).
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from click.testing import CliRunner

from registry_tool import __version__
from registry_tool.cli import main
from registry_tool.commands import fetch as fetch_to
from registry_tool.errors import UsageError
from registry_tool.sources.registry_api import RetryPolicy, retry_after_seconds
from tests.support.fake_registry import (
    FakeRegistry,
    Fault,
    corpus_studies,
    fixture_studies,
    synthetic_studies,
)

QUERY = "leukemia"


class Waits(list):
    """A ``sleep`` that records the waits asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def serving(studies):
    fake = FakeRegistry(studies)
    fake.base_url = fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def registry():
    """The team's fixture studies."""
    yield from serving(fixture_studies())


@pytest.fixture
def corpus_registry():
    """The shared corpus's studies (the fixtures where it is absent)."""
    yield from serving(corpus_studies())


def fetch(fake, ids=(), waits=None, **options):
    options.setdefault("timeout", 2.0)
    options.setdefault("retries", 3)
    return fetch_to(list(ids), base_url=fake.base_url, sleep=waits if waits is not None else Waits(), **options)


def read_ids(path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if text.startswith("{\n"):
        return [json.loads(text)["record_id"]]
    return [json.loads(line)["record_id"] for line in text.splitlines()]


# --- by NCT id -----------------------------------------------------------------------------


def test_ids_with_faults_are_retried_until_each_study_is_had(registry, tmp_path):
    a, b, c, d, e = registry.order[:5]
    registry.fail(a, Fault("429", retry_after="2"))
    registry.fail(b, Fault("503"), Fault("500"))
    registry.fail(c, Fault("slow", seconds=1.0))
    registry.fail(d, Fault("truncate"), Fault("garbage"), Fault("drop"))
    waits = Waits()
    out = tmp_path / "out.jsonl"
    report = fetch(registry, [a, b, c, d, e, "NCT00000000"], waits, out=str(out), timeout=0.3)

    assert registry.requests_for(a) == ["429", "ok"]
    assert registry.requests_for(b) == ["503", "500", "ok"]
    assert registry.requests_for(c) == ["slow", "ok"]
    assert registry.requests_for(d) == ["truncate", "garbage", "drop", "ok"]
    assert registry.requests_for(e) == ["ok"]
    assert registry.requests_for("NCT00000000") == ["404"]  # an unknown id is not retried
    assert 2.0 in waits  # Retry-After honoured
    assert len(waits) == 1 + 2 + 1 + 3

    assert read_ids(out) == [a, b, c, d, e]
    assert (report.records_in, report.records_out) == (6, 5)
    assert [(f.code, f.record_id) for f in report.failures] == [("not-found", "NCT00000000")]
    assert "NCT00000000" in report.failures[0].message
    assert not os.path.exists(f"{out}.part") and not os.path.exists(f"{out}.part.state")


def test_records_are_the_importers_and_name_their_url(registry, tmp_path):
    nct_id = "NCT09990001"
    out = tmp_path / "one.json"
    report = fetch(registry, [nct_id], out=str(out))
    assert report.ok
    text = out.read_text("utf-8")
    assert text.startswith("{\n")  # one record: one indented object, like parse
    data = json.loads(text)
    assert data["source"] == {"format": "ctgov-json", "path": f"{registry.base_url}/studies/{nct_id}", "registry": None}
    assert data["title"] == "Imatinib <400 mg> Versus Nilotinib in CML [Phase 3]"
    assert registry.log[0].user_agent.startswith(f"registry-tool/{__version__}")


def test_a_request_that_keeps_failing_is_a_clear_failure_and_the_part_file_stays(registry, tmp_path):
    good, bad = registry.order[:2]
    registry.fail(bad, *[Fault("503")] * 10)
    out = tmp_path / "out.jsonl"
    report = fetch(registry, [bad, good], out=str(out), retries=2)
    assert registry.requests_for(bad) == ["503"] * 3
    [failure] = report.failures
    assert failure.code == "unavailable" and failure.record_id == bad
    assert "3 attempt(s)" in failure.message and "HTTP 503" in failure.message and "--resume" in failure.message
    assert not out.exists()
    assert read_ids(f"{out}.part") == [good]

    registry.faults.clear()  # the registry is back
    report = fetch(registry, [bad, good], out=str(out), resume=True)
    assert report.ok and report.records_out == 1
    assert registry.requests_for(good) == ["ok"]  # not fetched again
    assert sorted(read_ids(out)) == sorted([good, bad])


def test_a_server_that_is_not_there_gives_up_per_id(tmp_path):
    fake = FakeRegistry(fixture_studies())
    fake.base_url = fake.start()
    fake.stop()
    report = fetch(fake, fake.order[:2], retries=1, out=str(tmp_path / "out.jsonl"))
    assert [f.code for f in report.failures] == ["unavailable", "unavailable"]
    assert "connection failed" in report.failures[0].message
    assert report.records_in == 2 and report.records_out == 0


def test_a_study_the_importer_refuses_fails_alone(registry, tmp_path):
    broken = json.loads(json.dumps(registry.studies[registry.order[0]]))
    broken["protocolSection"]["identificationModule"]["briefTitle"] = ["not", "a", "string"]
    registry.studies[registry.order[0]] = broken
    report = fetch(registry, registry.order[:2], out=str(tmp_path / "o.jsonl"))
    [failure] = report.failures
    assert failure.code == "bad-study" and failure.record_id == registry.order[0]
    assert failure.json_path == "$.protocolSection.identificationModule.briefTitle"
    assert failure.path == f"{registry.base_url}/studies/{registry.order[0]}"
    assert report.records_out == 1


def test_an_answer_of_the_wrong_shape_or_a_client_error_is_not_retried(registry, tmp_path):
    a, b = registry.order[:2]
    registry.fail(a, Fault("shape"))
    registry.fail(b, Fault("400"))
    report = fetch(registry, [a, b], out=str(tmp_path / "o.jsonl"))
    assert [(f.code, f.record_id) for f in report.failures] == [("bad-response", a), ("http-error", b)]
    assert "HTTP 400" in report.failures[1].message
    assert registry.requests_for(a) == ["shape"] and registry.requests_for(b) == ["400"]

    registry.fail("page 1", Fault("shape"))
    report = fetch(registry, query=QUERY, out=str(tmp_path / "q.jsonl"))
    [failure] = report.failures
    assert failure.code == "bad-response" and "page 1" in failure.message and "studies" in failure.message


def test_an_alias_answered_with_its_study_is_written_once_with_a_warning(registry, tmp_path):
    registry.studies["NCT09990000"] = registry.studies["NCT09990001"]  # the registry's redirect of an alias
    out = tmp_path / "o.jsonl"
    report = fetch(registry, ["NCT09990000", "NCT09990001"], out=str(out))
    assert report.ok and read_ids(out) == ["NCT09990001"]
    data = json.loads(out.read_text("utf-8"))
    assert [w["code"] for w in data["warnings"] if w["code"] == "id-differs"] == ["id-differs"]


def test_a_page_study_the_importer_refuses_fails_alone_and_still_counts(registry, tmp_path):
    broken = json.loads(json.dumps(registry.studies[registry.order[4]]))
    broken["protocolSection"]["conditionsModule"] = {"conditions": "Asthma"}
    registry.studies[registry.order[4]] = broken
    out = tmp_path / "q.jsonl"
    report = fetch(registry, query=QUERY, page_size=3, out=str(out))
    [failure] = report.failures  # no count mismatch: the study was received
    assert failure.code == "bad-study" and failure.record_id == registry.order[4]
    assert failure.json_path == "$.studies[1].protocolSection.conditionsModule.conditions"
    assert read_ids(out) == registry.order[:4] + registry.order[5:]


@pytest.mark.parametrize("bad", ["NCT12", "nct0123456789", "12345678", ""])
def test_malformed_ids_are_a_usage_error_before_any_request(registry, bad):
    with pytest.raises(UsageError, match="NCT"):
        fetch(registry, ["NCT09990001", bad])
    assert registry.log == []


def test_ids_are_upper_cased_and_fetched_once(registry, tmp_path):
    report = fetch(registry, ["nct09990001", "NCT09990001"], out=str(tmp_path / "o.json"))
    assert report.records_in == 1 and registry.requests_for("NCT09990001") == ["ok"]


def test_progress_ticks_once_per_id(registry, tmp_path):
    ticks = []
    fetch(registry, registry.order[:3], out=str(tmp_path / "o.jsonl"), progress=ticks.append)
    assert ticks == [1, 1, 1]


def test_stdout_gets_json_lines_for_several_records(registry, capsysbinary):
    report = fetch(registry, registry.order[:2])
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert report.records_out == 2
    assert [json.loads(line)["record_id"] for line in lines] == registry.order[:2]


# --- Retry-After and backoff ------------------------------------------------------------------


def test_retry_after_as_an_http_date_and_its_cap(registry):
    nct_id = registry.order[0]
    now = datetime.now(timezone.utc)
    registry.fail(nct_id, Fault("429", retry_after=format_datetime(now + timedelta(seconds=30), usegmt=True)))
    registry.fail(nct_id, Fault("503", retry_after="3600"))
    waits = Waits()
    report = fetch(registry, [nct_id], waits, max_delay=45.0)
    assert report.ok
    assert 25.0 <= waits[0] <= 30.0
    assert waits[1] == 45.0  # capped


def test_retry_after_parsing():
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:10 GMT", now) == 10.0
    assert retry_after_seconds("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_backoff_grows_exponentially_with_jitter():
    policy = RetryPolicy(backoff=1.0, max_delay=10.0)
    for attempt, full in enumerate([1.0, 2.0, 4.0, 8.0, 10.0, 10.0]):
        delays = {policy.delay(attempt, None) for _ in range(20)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1  # jittered


# --- a query, page by page ---------------------------------------------------------------------


def test_a_query_follows_every_page_past_1000_records(tmp_path):
    server = serving(synthetic_studies(1234))
    fake = next(server)
    out = tmp_path / "all.jsonl"
    report = fetch(fake, query=QUERY, page_size=100, out=str(out))
    server.close()
    assert report.ok, [f.describe() for f in report.failures]
    assert read_ids(out) == fake.order
    assert report.records_in == report.records_out == 1234
    pages = [r for r in fake.log if r.key.startswith("page")]
    assert [r.key for r in pages] == [f"page {n}" for n in range(1, 14)]
    assert all(r.params["query.term"] == QUERY and r.params["pageSize"] == "100" for r in pages)
    assert all(r.params["countTotal"] == "true" for r in pages)


def test_a_query_over_the_corpus_in_small_pages_survives_faults(corpus_registry, tmp_path):
    fake = corpus_registry
    size = 7 if len(fake.order) > 20 else 2
    pages = math.ceil(len(fake.order) / size)
    fake.fail("page 2", Fault("429", retry_after="1"))
    fake.fail("page 3", Fault("truncate"))
    fake.fail(f"page {pages}", Fault("503"), Fault("slow", seconds=1.0))
    fake.fail("page 4", Fault("garbage"))
    out = tmp_path / "corpus.jsonl"
    report = fetch(fake, query=QUERY, page_size=size, out=str(out), timeout=0.3)
    assert report.ok, [f.describe() for f in report.failures]
    assert read_ids(out) == fake.order  # every study exactly once, in order
    assert report.records_in == report.records_out == len(fake.order)
    assert fake.requests_for("page 2") == ["429", "ok"]
    assert fake.requests_for("page 3") == ["truncate", "ok"]
    assert fake.requests_for("page 4") == ["garbage", "ok"]
    assert fake.requests_for(f"page {pages}") == ["503", "slow", "ok"]


@pytest.mark.parametrize("offset", [2, -1])
def test_a_total_count_that_does_not_add_up_is_a_failure(registry, tmp_path, offset):
    registry.total_offset = offset
    out = tmp_path / "q.jsonl"
    report = fetch(registry, query=QUERY, page_size=3, out=str(out))
    [failure] = report.failures
    assert failure.code == "count-mismatch"
    assert f"reported {len(registry.order) + offset} studies" in failure.message
    assert f"{len(registry.order)} were received" in failure.message
    assert read_ids(out) == registry.order  # what came is still written
    assert report.records_in == report.records_out + len(report.failures)


def test_a_registry_that_reports_no_total_is_not_taken_on_trust(registry, tmp_path):
    registry.report_total = False
    report = fetch(registry, query=QUERY, page_size=4, out=str(tmp_path / "q.jsonl"))
    assert [f.code for f in report.failures] == ["count-unknown"]


def test_ids_and_a_query_together_write_each_study_once(registry, tmp_path):
    out = tmp_path / "both.jsonl"
    report = fetch(registry, registry.order[:2], query=QUERY, page_size=4, out=str(out))
    assert report.ok
    assert read_ids(out) == registry.order


# --- resume ------------------------------------------------------------------------------------


def test_resume_after_the_server_dies_mid_query(corpus_registry, tmp_path):
    fake = corpus_registry
    size = 7 if len(fake.order) > 20 else 2
    fake.down_from_page = 3
    out = tmp_path / "q.jsonl"
    report = fetch(fake, query=QUERY, page_size=size, out=str(out), retries=2)
    assert [f.code for f in report.failures] == ["unavailable"]
    assert "page 3" in report.failures[0].message
    assert not out.exists()
    assert read_ids(f"{out}.part") == fake.order[: 2 * size]
    state = json.loads(open(f"{out}.part.state", encoding="utf-8").read())
    assert state["pages"] == 2 and state["page_token"]

    fake.down_from_page = None
    fake.log.clear()
    report = fetch(fake, query=QUERY, page_size=size, out=str(out), resume=True)
    assert report.ok, [f.describe() for f in report.failures]
    assert read_ids(out) == fake.order  # complete, no duplicates
    assert "page 1" not in [r.key for r in fake.log]  # continued from the saved page
    assert report.records_out == len(fake.order) - 2 * size
    assert not os.path.exists(f"{out}.part") and not os.path.exists(f"{out}.part.state")


def test_resume_after_an_interruption_mid_page_and_a_half_written_line(registry, tmp_path):
    out = tmp_path / "q.jsonl"

    def stop_after_five(_):
        stop_after_five.count += 1
        if stop_after_five.count == 5:
            raise KeyboardInterrupt

    stop_after_five.count = 0
    with pytest.raises(KeyboardInterrupt):
        fetch(registry, query=QUERY, page_size=3, out=str(out), progress=stop_after_five)
    done = read_ids(f"{out}.part")
    assert done == registry.order[:5]  # progress ticks once a study is written: the fifth was
    with open(f"{out}.part", "ab") as fh:
        fh.write(b'{"record_id": "NCT0999')  # the write the interruption cut short

    report = fetch(registry, query=QUERY, page_size=3, out=str(out), resume=True)
    assert report.ok
    assert read_ids(out) == registry.order


def test_resume_with_an_expired_page_token_starts_the_query_over_without_duplicates(registry, tmp_path):
    out = tmp_path / "q.jsonl"
    registry.down_from_page = 2
    fetch(registry, query=QUERY, page_size=3, out=str(out), retries=0)
    state_path = f"{out}.part.state"
    state = json.loads(open(state_path, encoding="utf-8").read())
    state["page_token"] = "expired!"
    with open(state_path, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
    registry.down_from_page = None
    report = fetch(registry, query=QUERY, page_size=3, out=str(out), resume=True)
    assert report.ok, [f.describe() for f in report.failures]
    assert read_ids(out) == registry.order


def test_without_resume_an_old_part_file_is_started_afresh(registry, tmp_path):
    out = tmp_path / "o.jsonl"
    with open(f"{out}.part", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"record_id": "NCT09999999"}) + "\n")
    fetch(registry, registry.order[:2], out=str(out))
    assert read_ids(out) == registry.order[:2]


def test_resume_of_a_different_query_is_refused(registry, tmp_path):
    out = tmp_path / "q.jsonl"
    registry.down_from_page = 2
    fetch(registry, query=QUERY, page_size=3, out=str(out), retries=0)
    with pytest.raises(UsageError, match="--query"):
        fetch(registry, query="asthma", page_size=3, out=str(out), resume=True)


def test_an_output_that_cannot_be_written_is_a_usage_error(registry, tmp_path):
    with pytest.raises(UsageError, match="directory"):
        fetch(registry, registry.order[:1], out=str(tmp_path))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write"):
        fetch(registry, registry.order[:1], out=str(blocker / "out.json"))
    fetch(registry, registry.order[:1], out=str(tmp_path / "new" / "dir" / "out.json"))
    assert read_ids(tmp_path / "new" / "dir" / "out.json") == registry.order[:1]


def test_resume_needs_an_output_file(registry):
    with pytest.raises(UsageError, match="-o OUT"):
        fetch(registry, registry.order[:1], resume=True)


# --- the command line ---------------------------------------------------------------------------


def test_cli_fetch_exit_codes_and_errors_file(registry, tmp_path):
    runner = CliRunner()
    out, errors = tmp_path / "o.jsonl", tmp_path / "errors.jsonl"
    base = ["fetch", "--base-url", registry.base_url, "-o", str(out)]

    result = runner.invoke(main, [*base, *registry.order[:2]])
    assert result.exit_code == 0, result.output
    assert read_ids(out) == registry.order[:2]

    result = runner.invoke(main, [*base, registry.order[0], "NCT00000000", "--errors", str(errors)])
    assert result.exit_code == 1
    assert "NCT00000000" in result.stderr
    [line] = errors.read_text("utf-8").splitlines()
    assert json.loads(line)["code"] == "not-found" and json.loads(line)["record_id"] == "NCT00000000"
    assert read_ids(out) == registry.order[:1]

    result = runner.invoke(main, [*base, "NCT12"])
    assert result.exit_code == 2 and "NCT12" in result.stderr

    result = runner.invoke(main, ["fetch", "--base-url", registry.base_url, "--resume", registry.order[0]])
    assert result.exit_code == 2


def test_cli_fetch_query_to_stdout(registry):
    result = CliRunner().invoke(main, ["fetch", "--base-url", registry.base_url, "--query", QUERY, "--page-size", "4"])
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["record_id"] for line in result.stdout.splitlines()] == registry.order
