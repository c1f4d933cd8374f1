"""Downloading studies from the ClinicalTrials.gov API v2 as canonical records.

``GET {base}/studies/{nct_id}`` for each id, and for ``--query`` the search
endpoint ``GET {base}/studies?query.term=...&pageSize=...&countTotal=true``
followed page by page through ``nextPageToken`` until the result set ends;
the number of studies received is then checked against the ``totalCount``
the registry reported. Each study goes through the ``ctgov-json`` importer.

Requests that fail for a reason that may pass (HTTP 429 and 5xx, a timeout,
a dropped connection, a truncated or non-JSON body) are retried with
exponential backoff and jitter, honouring ``Retry-After``. A study that
cannot be had is a :class:`Failure` naming its id (``not-found`` for an
unknown id) and the batch goes on.

With ``out``, records go to ``OUT.part`` (JSON Lines, flushed a record at a
time) beside a small state file ``OUT.part.state`` (the query and the token
of the next page). When the download is complete ``OUT.part`` becomes
``OUT``. When it is not (interrupted, or a request still failing after its
last retry), both stay, and ``resume=True`` continues: the ids already in
``OUT.part`` are skipped and the query goes on from the saved page.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from . import __version__
from .api import BatchReport, ExportOptions, check_record, convert
from .atomic import atomic_writer, is_special_file
from .errors import Failure, RecordError, UsageError
from .exporters.json_export import encode_record
from .importers.ctgov_json import nct_id_of, record_from_study
from .model import Record

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
NCT_ID = re.compile(r"NCT\d{8}", re.IGNORECASE)
MAX_PAGE_SIZE = 1000
USER_AGENT = f"registry-tool/{__version__} (clinical-trial registry records; python-requests)"

# Failure code of a request that still failed after its last retry: the only
# kind of failure that leaves OUT.part for --resume rather than finishing OUT.
UNAVAILABLE = "unavailable"

Result = Record | Failure
Progress = Callable[[int], None]


@dataclass(slots=True)
class RetryPolicy:
    """How requests are timed and retried. Attempt ``n`` (0-based) that fails waits
    ``backoff * 2**n`` seconds (half of it jittered), or what ``Retry-After`` says,
    at most ``max_delay``."""

    retries: int = 5
    timeout: float = 30.0
    backoff: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        full = min(self.max_delay, self.backoff * 2**attempt)
        return full / 2 + random.uniform(0, full / 2)


class FetchError(Exception):
    """A request that gave no usable answer; carries the :class:`Failure`."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date); None if absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class ApiClient:
    """JSON from the API v2 over one requests Session, with retries."""

    def __init__(self, base_url: str, policy: RetryPolicy, session: Any = None):
        import requests

        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def study_url(self, nct_id: str) -> str:
        return f"{self.base_url}/studies/{nct_id}"

    def page_url(self, params: dict[str, Any]) -> str:
        return f"{self.base_url}/studies?{urlencode(params)}"

    def study(self, nct_id: str) -> dict[str, Any]:
        """The study object of one NCT id."""
        url = self.study_url(nct_id)
        data = self._get(url, None, f"study {nct_id}", nct_id)
        if not isinstance(data, dict):
            raise FetchError(
                Failure("bad-response", f"study {nct_id}: the answer is not a study object", nct_id, url)
            )
        return data

    def page(self, params: dict[str, Any], what: str) -> dict[str, Any]:
        """One search page, its shape checked: ``studies`` list, optional token and count."""
        url = self.page_url(params)
        data = self._get(self.base_url + "/studies", params, what, None)
        problem = None
        if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
            problem = "has no 'studies' list"
        elif not isinstance(data.get("nextPageToken"), (str, type(None))):
            problem = "has a nextPageToken that is not a string"
        elif not isinstance(data.get("totalCount"), (int, type(None))) or isinstance(data.get("totalCount"), bool):
            problem = "has a totalCount that is not an integer"
        if problem:
            raise FetchError(Failure("bad-response", f"{what}: the answer {problem}", path=url))
        return data

    def _get(self, url: str, params: dict[str, Any] | None, what: str, record_id: str | None) -> Any:
        import requests

        policy = self.policy
        shown_url = self.page_url(params) if params else url
        reason = ""
        retry_after: float | None = None
        for attempt in range(policy.retries + 1):
            if attempt:
                policy.sleep(policy.delay(attempt - 1, retry_after))
            retry_after = None
            try:
                response = self.session.get(url, params=params, timeout=policy.timeout)
            except requests.Timeout:
                reason = f"no answer within {policy.timeout:g} s"
                continue
            except requests.RequestException as exc:
                reason = f"connection failed ({type(exc).__name__})"
                continue
            status = response.status_code
            if status == 200:
                try:
                    return json.loads(response.content)
                except ValueError:
                    reason = "the answer was truncated or is not JSON"
                    continue
            if status == 429 or status >= 500:
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                reason = f"HTTP {status} {response.reason or ''}".rstrip()
                continue
            if status == 404 and record_id is not None:
                raise FetchError(
                    Failure("not-found", f"{what}: the registry has no such study (HTTP 404)", record_id, url)
                )
            snippet = " ".join(response.text.split())[:200]
            raise FetchError(
                Failure("http-error", f"{what}: HTTP {status} {response.reason or ''}: {snippet}", record_id, shown_url)
            )
        attempts = policy.retries + 1
        raise FetchError(
            Failure(UNAVAILABLE, f"{what}: gave up after {attempts} attempt(s): {reason}", record_id, shown_url)
        )


# --- resumable output ----------------------------------------------------------------


@dataclass(slots=True)
class FetchState:
    """Where a download stands; saved beside ``OUT.part`` after every page."""

    query: str | None = None
    base_url: str = DEFAULT_BASE_URL
    page_token: str | None = None
    pages: int = 0  # pages of the query done
    received: int = 0  # studies those pages held
    total_count: int | None = None  # what the registry reported

    def to_dict(self) -> dict[str, Any]:
        return {"format": "registry-tool fetch state", "version": 1, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FetchState:
        return cls(
            d.get("query"), d.get("base_url", DEFAULT_BASE_URL), d.get("page_token"),
            int(d.get("pages", 0)), int(d.get("received", 0)), d.get("total_count"),
        )


class PartFile:
    """``OUT.part`` (JSON Lines, flushed per record) and ``OUT.part.state``."""

    def __init__(self, out: str, state: FetchState, resume: bool):
        self.out = out
        self.part = out + ".part"
        self.state_path = out + ".part.state"
        self.done: set[str] = set()
        self.count = 0
        self.first_line = b""
        if os.path.isdir(out):
            raise UsageError(f"{out} is a directory; -o names the output file")
        try:
            self._open(state, resume)
        except OSError as exc:
            raise UsageError(f"cannot write {exc.filename or self.part}: {exc.strerror or exc}") from None

    def _open(self, state: FetchState, resume: bool) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(self.part)), exist_ok=True)
        if resume and os.path.exists(self.part):
            saved = self._load_state()
            if saved is not None:
                if (saved.query, saved.base_url) != (state.query, state.base_url):
                    raise UsageError(
                        f"{self.part} was started for query {saved.query!r} at {saved.base_url}; "
                        "give the same --query and --base-url, or run without --resume to start afresh"
                    )
                state = saved
            self._scan_part()
        else:
            open(self.part, "wb").close()
        self.state = state
        self.save_state()
        self.handle = open(self.part, "ab")

    def _load_state(self) -> FetchState | None:
        try:
            with open(self.state_path, "rb") as fh:
                return FetchState.from_dict(json.loads(fh.read()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UsageError(f"{self.state_path}: unreadable ({exc}); run without --resume to start afresh") from None

    def _scan_part(self) -> None:
        """Ids of the complete records in ``OUT.part``; an unfinished last line is cut off."""
        keep = 0
        with open(self.part, "rb") as fh:
            for line in fh:
                try:
                    record_id = json.loads(line)["record_id"] if line.endswith(b"\n") else None
                except (ValueError, KeyError, TypeError):
                    record_id = None
                if not isinstance(record_id, str):
                    break
                if not self.count:
                    self.first_line = line
                self.done.add(record_id)
                self.count += 1
                keep += len(line)
        os.truncate(self.part, keep)

    def write(self, record_id: str, data: dict[str, Any]) -> None:
        line = encode_record(data)
        self.handle.write(line)
        self.handle.flush()
        if not self.count:
            self.first_line = line
        self.done.add(record_id)
        self.count += 1

    def save_state(self) -> None:
        with atomic_writer(self.state_path, "wb") as fh:
            fh.write(json.dumps(self.state.to_dict()).encode("utf-8"))

    def finish(self) -> None:
        """``OUT.part`` becomes ``OUT``: one record as an indented object, more as JSON Lines (like ``parse``)."""
        self.handle.close()
        if self.count == 1:
            with atomic_writer(self.out, "wb") as fh:
                fh.write(encode_record(json.loads(self.first_line), pretty=True))
            os.unlink(self.part)
        else:
            os.replace(self.part, self.out)
        os.unlink(self.state_path)

    def keep(self) -> None:
        """Leave ``OUT.part`` and its state for ``--resume``."""
        self.handle.close()


# --- the download ----------------------------------------------------------------------


@dataclass(slots=True)
class Download:
    """One run: what to fetch, what is done, and where it stands."""

    client: ApiClient
    nct_ids: list[str]
    query: str | None
    page_size: int
    state: FetchState
    emitted: set[str] = field(default_factory=set)  # record ids already written (or yielded)
    save_state: Callable[[], None] = lambda: None
    resumed_token: bool = False
    unavailable: bool = False  # a request failed after its last retry

    def results(self) -> Iterator[Result | None]:
        """Records and failures in order; None for an id skipped as already done."""
        for nct_id in self.nct_ids:
            if nct_id in self.emitted:
                yield None
                continue
            try:
                study = self.client.study(nct_id)
            except FetchError as exc:
                yield self._failed(exc)
                continue
            result = self._import(study, self.client.study_url(nct_id), "$")
            if isinstance(result, Record) and result.record_id != nct_id:
                result.warn(
                    "id-differs", f"asked for {nct_id}; the registry answered with {result.record_id}", "record_id"
                )
            yield from self._new(result)
        if self.query is not None:
            yield from self._query_results()

    def _query_results(self) -> Iterator[Result]:
        state = self.state
        seen: set[str] = set()
        # A resumed download whose pages were all read (no token left) only checks the count.
        while state.pages == 0 or state.page_token:
            params: dict[str, Any] = {"query.term": self.query, "pageSize": self.page_size, "countTotal": "true"}
            if state.page_token:
                params["pageToken"] = state.page_token
            what = f"page {state.pages + 1} of query {self.query!r}"
            try:
                page = self.client.page(params, what)
            except FetchError as exc:
                if self.resumed_token and exc.failure.code != UNAVAILABLE:
                    # The saved page token is no longer accepted: start the query over;
                    # the studies already written are skipped, not written twice.
                    self.resumed_token = False
                    state.page_token, state.pages, state.received, state.total_count = None, 0, 0, None
                    continue
                yield self._failed(exc)
                return
            self.resumed_token = False
            if state.total_count is None:
                state.total_count = page.get("totalCount")
            for i, study in enumerate(page["studies"]):
                nct_id = nct_id_of(study)
                if nct_id is not None:
                    if nct_id in seen:
                        continue  # the same study twice in one result set: once is enough
                    seen.add(nct_id)
                state.received += 1
                if nct_id is not None and nct_id in self.emitted:
                    continue
                url = self.client.study_url(nct_id) if nct_id else self.client.page_url(params)
                yield from self._new(self._import(study, url, f"$.studies[{i}]"))
            state.page_token = page.get("nextPageToken")
            state.pages += 1
            self.save_state()
        failure = self._count_check()
        if failure is not None:
            yield failure

    def _count_check(self) -> Failure | None:
        state = self.state
        where = self.client.page_url({"query.term": self.query})
        if state.total_count is None:
            return Failure(
                "count-unknown",
                f"query {self.query!r}: the registry reported no totalCount, so the {state.received} "
                "studies received cannot be checked for completeness",
                path=where,
            )
        if state.total_count != state.received:
            return Failure(
                "count-mismatch",
                f"query {self.query!r}: the registry reported {state.total_count} studies but "
                f"{state.received} were received over {state.pages} page(s) (the result set changed "
                "while it was read, or pages went missing)",
                path=where,
            )
        return None

    def _new(self, result: Result) -> Iterator[Result]:
        if isinstance(result, Record):
            if result.record_id in self.emitted:
                return
            self.emitted.add(result.record_id)
        yield result

    def _failed(self, exc: FetchError) -> Failure:
        if exc.failure.code == UNAVAILABLE:
            self.unavailable = True
        return exc.failure

    @staticmethod
    def _import(study: Any, url: str, where: str) -> Result:
        try:
            return record_from_study(study, url, where)
        except RecordError as exc:
            failure = exc.failure
            failure.path = failure.path or url
            failure.record_id = failure.record_id or nct_id_of(study)
            if where != "$" and failure.json_path and failure.json_path.startswith("$"):
                failure.json_path = where + failure.json_path[1:]
            return failure
        except Exception as exc:  # noqa: BLE001 - one bad study must not stop the batch
            return Failure(
                "internal-error",
                f"unexpected {type(exc).__name__}: {exc} (please report this study)",
                nct_id_of(study),
                url,
            )


def normalize_ids(nct_ids: Iterable[str]) -> list[str]:
    """NCT ids upper-cased and without repeats; a :class:`UsageError` names every malformed one."""
    ids: list[str] = []
    bad: list[str] = []
    for raw in nct_ids:
        text = raw.strip()
        if not NCT_ID.fullmatch(text):
            bad.append(raw)
        elif text.upper() not in ids:
            ids.append(text.upper())
    if bad:
        listed = ", ".join(repr(b) for b in bad[:5]) + (f" (+{len(bad) - 5} more)" if len(bad) > 5 else "")
        raise UsageError(f"not an NCT id: {listed}; expected NCT and 8 digits, e.g. NCT01234567")
    return ids


def fetch_to(
    nct_ids: Iterable[str],
    *,
    query: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    out: str | None = None,
    resume: bool = False,
    page_size: int = 100,
    timeout: float = 30.0,
    retries: int = 5,
    progress: Progress | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    backoff: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    session: Any = None,
) -> BatchReport:
    """Download studies by NCT id and/or search ``query`` and write canonical records.

    ``out`` None (or ``-``) writes to stdout; else see the module docstring for
    ``OUT.part`` and ``resume``. ``backoff`` (seconds), ``max_delay`` (the cap
    of one wait, ``Retry-After`` included) and ``sleep`` tune the retries.
    Raises :class:`UsageError` for a malformed id, page size or base URL.
    """
    ids = normalize_ids(nct_ids)
    if query is not None and not query.strip():
        raise UsageError("--query is empty")
    if not ids and query is None:
        raise UsageError("give NCT ids, a query, or both")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"page size {page_size} is outside 1..{MAX_PAGE_SIZE}")
    if not re.match(r"https?://[^/\s]+", base_url):
        raise UsageError(f"base URL {base_url!r} is not an http(s) URL")
    if timeout <= 0 or retries < 0:
        raise UsageError("the timeout must be positive and the number of retries at least 0")
    out = None if out in (None, "-") else out
    policy = RetryPolicy(retries, timeout, backoff, max_delay, sleep)
    client = ApiClient(base_url, policy, session)
    state = FetchState(query, client.base_url)

    if out is None or is_special_file(out):
        if resume:
            raise UsageError("--resume needs -o OUT, a regular file")
        download = Download(client, ids, query, page_size, state)
        return convert(_counted(download.results(), progress), "json", out, ExportOptions(), on_failure)

    part = PartFile(out, state, resume)
    download = Download(client, ids, query, page_size, part.state, set(part.done), part.save_state)
    download.resumed_token = bool(part.state.page_token)
    report = BatchReport()
    try:
        for result in _counted(download.results(), progress):
            report.records_in += 1
            if isinstance(result, Record):
                data, failure = check_record(result)
                if failure is None:
                    assert data is not None  # check_record gives the data exactly when there is no failure
                    part.write(result.record_id, data)
                    report.records_out += 1
                    report.warnings += len(result.warnings)
                    continue
                result = failure
            if result.code == UNAVAILABLE:
                result.message += f" ({part.part} kept: run again with --resume to continue)"
            report.fail(result)
            if on_failure is not None:
                on_failure(result)
    except BaseException:
        part.keep()
        raise
    if download.unavailable:
        part.keep()
    else:
        part.finish()
    return report


def _counted(results: Iterator[Result | None], progress: Progress | None) -> Iterator[Result]:
    """Results without the skipped (None) ones, ticking ``progress`` for each."""
    for result in results:
        if progress is not None:
            progress(1)
        if result is not None:
            yield result
