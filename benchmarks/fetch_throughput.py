"""Fetch throughput: the API v2 corpus fetched over HTTP from a local registry.

The studies of ``corpus/ctgov-json`` are served on 127.0.0.1 by a small
registry stand-in (``/studies/{nct_id}`` and paged ``/studies?query.term=``,
as API v2 answers them) and fetched in process with
``registry_tool.fetch``: by query (pages of 100) and one by one by NCT id,
through the ``ctgov-json`` reader and the normalise stack, written to a JSON
Lines file. Loopback HTTP, so this is the tool's own cost per record, not the
registry's. (Reading the same corpus from files is timed by import_throughput.py.)

    python benchmarks/fetch_throughput.py [--repeat N]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from common import corpus_files, start

import registry_tool


def corpus_studies() -> list[dict]:
    """Every study of the API v2 corpus, each NCT id once."""
    studies: dict[str, dict] = {}
    for path in corpus_files("ctgov-json"):
        value = json.loads(path.read_bytes())
        for study in value if isinstance(value, list) else value.get("studies", [value]):
            studies.setdefault(study["protocolSection"]["identificationModule"]["nctId"], study)
    return list(studies.values())


def serve(studies: list[dict]) -> tuple[ThreadingHTTPServer, str]:
    """A registry stand-in on a free loopback port; returns the server and its API root."""
    encoded = [json.dumps(s).encode() for s in studies]  # encoded once: the stand-in's own cost stays small
    by_id = {s["protocolSection"]["identificationModule"]["nctId"]: e for s, e in zip(studies, encoded)}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path.startswith("/api/v2/studies/"):
                body = by_id.get(url.path.rsplit("/", 1)[1])
                return self._send(200 if body else 404, body or b"{}")
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            start_at, size = int(params.get("pageToken", "0")), int(params.get("pageSize", "10"))
            more = f',"nextPageToken":"{start_at + size}"' if start_at + size < len(studies) else ""
            body = b'{"studies":[' + b",".join(encoded[start_at:start_at + size]) + b"]"
            self._send(200, body + f',"totalCount":{len(studies)}{more}}}'.encode())

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/v2"


def bench_fetch(repeat: int) -> None:
    studies = corpus_studies()
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    server, base_url = serve(studies)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.jsonl")
            for label, asked, query in (("by query", [], "all"), ("by NCT id", ids, None)):
                best = float("inf")
                for _ in range(repeat):
                    started = time.perf_counter()
                    report = registry_tool.fetch(asked, query=query, base_url=base_url, out=out, page_size=100)
                    best = min(best, time.perf_counter() - started)
                    assert report.ok and report.records_out == len(ids), report.to_dict()
                print(f"fetch {label:<9}: {len(ids):5d} records in {best:5.2f} s = {len(ids) / best:6.0f} records/s")
    finally:
        server.shutdown()


def main() -> int:
    args = start(__doc__.splitlines()[0], needs="ctgov-json")
    if args is None:
        return 2
    bench_fetch(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
