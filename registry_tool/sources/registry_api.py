"""The ClinicalTrials.gov API v2 as a source: each study it sends is a document.

``GET {base}/studies/{nct_id}`` for each id, and for ``--query`` the search
endpoint ``GET {base}/studies?query.term=...&pageSize=...&countTotal=true``
followed page by page through ``nextPageToken`` until the result set ends;
the number of studies received is then checked against the ``totalCount``
the registry reported. Each study is a :class:`Document` for the
``ctgov-json`` reader; the pipeline does the rest, as for files.

Requests that fail for a reason that may pass (HTTP 429 and 5xx, a timeout,
a dropped connection, a truncated or non-JSON body) are retried with
exponential backoff and jitter, honouring ``Retry-After``. A study that
cannot be had is a :class:`Failure` naming its id (``not-found`` for an
unknown id) and the batch goes on.

The source keeps its place in a :class:`FetchState` (the query and the token
of the next page), saved after every page once the page's records are
written; with ``OUT.part`` (:mod:`registry_tool.formats.canonical.partfile`)
that is what ``fetch --resume`` continues from.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from ..atomic import atomic_writer
from ..errors import Failure, UsageError
from ..identifiers import NCT_ID, nct_id_of
from ..version import __version__
from .files import Document

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000
USER_AGENT = f"registry-tool/{__version__} (clinical-trial registry records; python-requests)"

# Failure code of a request that still failed after its last retry: the only
# kind of failure that leaves OUT.part for --resume rather than finishing OUT.
UNAVAILABLE = "unavailable"



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


# --- where a download stands ---------------------------------------------------------


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

    def save(self, path: str) -> None:
        """Write the state to ``path`` (atomically)."""
        with atomic_writer(path, "wb") as fh:
            fh.write(json.dumps(self.to_dict()).encode("utf-8"))

    @classmethod
    def load(cls, path: str) -> FetchState | None:
        """The state saved at ``path``; None if there is none. Raises :class:`UsageError` if unreadable."""
        try:
            with open(path, "rb") as fh:
                return cls.from_dict(json.loads(fh.read()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UsageError(f"{path}: unreadable ({exc}); run without --resume to start afresh") from None


# --- the source -------------------------------------------------------------------------------


@dataclass(slots=True)
class ApiSource:
    """The studies of one run, as documents: the ids asked for, then every study of the query.

    ``skip`` holds ids already written (an earlier run's ``OUT.part``): they
    are neither fetched nor given again, and a study the query gives twice,
    or that an id already gave, is given once. ``save_state`` is called when
    a page's records are written. A study that cannot be had is a
    :class:`Failure` (``not-found``, ``unavailable``, ...) in the stream.
    """

    client: ApiClient
    nct_ids: list[str]
    query: str | None
    page_size: int
    state: FetchState
    skip: set[str] = field(default_factory=set)
    save_state: Callable[[], None] = lambda: None
    resumed_token: bool = False
    unavailable: bool = False  # a request failed after its last retry

    def documents(self) -> Iterator[Document | Failure]:
        """Documents and failures, in order."""
        emitted = set(self.skip)
        for nct_id in self.nct_ids:
            if nct_id in emitted:
                continue
            try:
                study = self.client.study(nct_id)
            except FetchError as exc:
                yield self._failed(exc)
                continue
            emitted.add(nct_id_of(study) or nct_id)
            yield Document(self.client.study_url(nct_id), value=study, expected_id=nct_id)
        if self.query is not None:
            yield from self._query_documents(emitted)

    def _query_documents(self, emitted: set[str]) -> Iterator[Document | Failure]:
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
            documents = []
            for i, study in enumerate(page["studies"]):
                nct_id = nct_id_of(study)
                if nct_id is not None:
                    if nct_id in seen:
                        continue  # the same study twice in one result set: once is enough
                    seen.add(nct_id)
                state.received += 1
                if nct_id is not None:
                    if nct_id in emitted:
                        continue
                    emitted.add(nct_id)
                url = self.client.study_url(nct_id) if nct_id else self.client.page_url(params)
                documents.append(Document(url, value=study, where=f"$.studies[{i}]"))
            state.page_token = page.get("nextPageToken")
            state.pages += 1
            if documents:
                documents[-1].on_done = self.save_state  # the page is done once its last record is written
                yield from documents
            else:
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

    def _failed(self, exc: FetchError) -> Failure:
        if exc.failure.code == UNAVAILABLE:
            self.unavailable = True
        return exc.failure


def normalize_ids(nct_ids: Iterable[str]) -> list[str]:
    """NCT ids upper-cased and without repeats; a :class:`UsageError` names every malformed one."""
    ids: list[str] = []
    bad: list[str] = []
    for raw in nct_ids:
        text = raw.strip().upper()
        if not NCT_ID.fullmatch(text):
            bad.append(raw)
        elif text not in ids:
            ids.append(text)
    if bad:
        listed = ", ".join(repr(b) for b in bad[:5]) + (f" (+{len(bad) - 5} more)" if len(bad) > 5 else "")
        raise UsageError(f"not an NCT id: {listed}; expected NCT and 8 digits, e.g. NCT01234567")
    return ids
