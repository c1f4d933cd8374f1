"""A small ClinicalTrials.gov API v2 on 127.0.0.1 for the fetch tests, with faults on demand.

It serves ``/api/v2/studies/{nct_id}`` and the paged search
``/api/v2/studies?query.term=...&pageSize=...&pageToken=...&countTotal=true``
(every study matches any query) from the studies it is given, and logs each
request it answers. Faults are queued per request key (an NCT id, or
``page N`` counting from 1): each request for that key takes the next one.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import corpus

FIXTURES = corpus.REPO / "tests" / "fixtures" / "ctgov_json"


@dataclass
class Fault:
    """What to do instead of answering well: ``kind`` is one of

    an HTTP status such as ``429`` / ``503`` / ``400`` (that status, with
    ``retry_after`` if given), ``slow`` (answer after ``seconds``),
    ``truncate`` (send half the body, then close), ``garbage`` (200 with a
    body that is not JSON), ``shape`` (200 with JSON that is neither a study
    nor a page), ``drop`` (close without answering).
    """

    kind: str
    retry_after: str | None = None
    seconds: float = 0.0


@dataclass
class Request:
    key: str  # "NCT01234567" or "page 3"
    outcome: str  # "ok", "404", "400" or the fault kind
    params: dict[str, str] = field(default_factory=dict)
    user_agent: str = ""


class FakeRegistry:
    def __init__(self, studies: list[dict[str, Any]]):
        self.order = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
        self.studies = dict(zip(self.order, studies))
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[Request] = []
        self.total_offset = 0  # added to totalCount: makes the registry's count lie
        self.report_total = True
        self.down_from_page: int | None = None  # this page and every later one answer 503
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- control ---------------------------------------------------------------------

    def start(self) -> str:
        """Start serving; returns the API root (the ``--base-url``)."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.registry = self  # type: ignore[attr-defined]
        server.handle_error = lambda request, address: None  # a client that hung up is not news
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self._server = server
        return f"http://127.0.0.1:{server.server_address[1]}/api/v2"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail(self, key: str, *faults: Fault) -> None:
        self.faults.setdefault(key, []).extend(faults)

    def requests_for(self, key: str) -> list[str]:
        """Outcomes of the requests for ``key``, in order."""
        return [r.outcome for r in self.log if r.key == key]

    # --- answering -------------------------------------------------------------------

    def _next_fault(self, key: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None

    def _record(self, request: Request) -> None:
        with self._lock:
            self.log.append(request)


def token_for(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset={offset}".encode()).decode().rstrip("=")


def offset_of(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:
        return None
    name, _, value = text.partition("=")
    return int(value) if name == "offset" and value.isdigit() else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        registry: FakeRegistry = self.server.registry  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        agent = self.headers.get("User-Agent", "")
        if url.path.startswith("/api/v2/studies/"):
            key = url.path.rsplit("/", 1)[1]
            study = registry.studies.get(key)
            status, body = (200, study) if study is not None else (404, {"message": f"{key} not found"})
        elif url.path == "/api/v2/studies":
            key, status, body = self._page(registry, params)
        else:
            key, status, body = url.path, 404, {"message": "no such endpoint"}
        fault = registry._next_fault(key)
        if fault is None and key.startswith("page ") and registry.down_from_page is not None:
            if int(key.split()[1]) >= registry.down_from_page:
                fault = Fault("503")
        outcome = fault.kind if fault else ("ok" if status == 200 else str(status))
        registry._record(Request(key, outcome, params, agent))
        payload = json.dumps(body).encode()
        if fault is None:
            self._send(status, payload)
        elif fault.kind.isdigit():
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(int(fault.kind), b'{"message": "try later"}', headers)
        elif fault.kind == "slow":
            time.sleep(fault.seconds)
            self._send(status, payload)
        elif fault.kind == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.close_connection = True
        elif fault.kind == "garbage":
            self._send(200, b"<html><body>Service temporarily unavailable</body></html>")
        elif fault.kind == "shape":
            self._send(200, b'["not", "what", "was", "asked"]')
        elif fault.kind == "drop":
            self.close_connection = True
        else:  # pragma: no cover - a test asked for a fault that does not exist
            raise ValueError(fault.kind)

    def _page(self, registry: FakeRegistry, params: dict[str, str]) -> tuple[str, int, Any]:
        size = int(params.get("pageSize", "10"))
        token = params.get("pageToken")
        offset = 0 if token is None else offset_of(token)
        if offset is None or not params.get("query.term"):
            return "page ?", 400, {"message": "bad pageToken or no query"}
        key = f"page {offset // size + 1}"
        ids = registry.order[offset : offset + size]
        body: dict[str, Any] = {"studies": [registry.studies[i] for i in ids]}
        if offset + size < len(registry.order):
            body["nextPageToken"] = token_for(offset + size)
        if registry.report_total and params.get("countTotal") == "true" and token is None:
            body["totalCount"] = len(registry.order) + registry.total_offset
        return key, 200, body

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a slow answer past its timeout)
            self.close_connection = True


def fixture_studies() -> list[dict[str, Any]]:
    """The team-written API v2 studies of tests/fixtures/ctgov_json (the good ones)."""
    studies: list[dict[str, Any]] = []
    for path in sorted(FIXTURES.iterdir()):
        if path.name.endswith(".expected.json") or path.name.startswith("bad_"):
            continue
        text = path.read_text("utf-8")
        if path.suffix == ".jsonl":
            values = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            value = json.loads(text)
            values = value if isinstance(value, list) else value.get("studies", [value])
        studies.extend(values)
    return studies


def corpus_studies() -> list[dict[str, Any]]:
    """The shared corpus's API v2 studies, or the team's fixtures where the corpus is absent."""
    files = corpus.corpus_files("ctgov-json")
    if not files:
        return fixture_studies()
    return [json.loads(p.read_text("utf-8")) for p in files]


def synthetic_studies(count: int) -> list[dict[str, Any]]:
    """``count`` small studies with ids NCT5xxxxxxx, for result sets past 1,000."""
    return [
        {
            "protocolSection": {
                "identificationModule": {"nctId": f"NCT5{i:07d}", "briefTitle": f"Synthetic study {i}"},
                "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
                "outcomesModule": {"primaryOutcomes": [{"measure": "Response", "timeFrame": "8 weeks"}]},
            }
        }
        for i in range(count)
    ]
