"""Worker processes: documents prepared in parallel, handed back in input order.

Each worker runs :meth:`registry_tool.processing.Job.process_document` on a
chunk of documents (reading the files itself, so only paths travel to it)
and sends back what the writer writes. The main process keeps at most a few
chunks per worker in flight, so memory stays flat however long the batch, and
yields the chunks' results in the order the documents came in: the output is
the same whatever the number of workers.

Workers ignore Ctrl-C (the main process gets it, stops them and discards the
output) and are killed with the pool when the main process stops for any
reason. Documents from standard input are read in the main process, which
alone can read it; a document with an ``on_done`` callback is processed
there too, in its place in the order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from .errors import Failure
from .processing import Job, Processed
from .sources import Document

CHUNK = 16  # documents a task: enough to pay for the round trip, few enough to spread the work
CHUNK_BYTES = 1 << 20  # and at most about this much input a task: an export of hundreds of trials is one
IN_FLIGHT_PER_WORKER = 3

_JOB: Job | None = None  # the job of this worker process


def _start_worker(job: Job) -> None:
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _process_chunk(documents: list[Document]) -> list[list[Processed]]:
    assert _JOB is not None
    return [_JOB.process_document(document) for document in documents]


def _input_size(document: Document | Failure) -> int:
    if isinstance(document, Document):
        if document.data is not None:
            return len(document.data)
        if document.path is not None and document.member is None:
            try:
                return os.stat(document.path).st_size
            except OSError:
                return 0
    return 0


def _next_chunk(stream: Iterator[Document | Failure]) -> list[Document | Failure]:
    """The next task's documents: up to :data:`CHUNK` of them, ending sooner once they hold
    :data:`CHUNK_BYTES` of input, so that work in flight stays small however large the files."""
    chunk: list[Document | Failure] = []
    size = 0
    for document in stream:
        chunk.append(document)
        size += _input_size(document)
        if len(chunk) == CHUNK or size >= CHUNK_BYTES:
            break
    return chunk


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds and shares the loaded package; elsewhere, spawn
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def process_in_workers(job: Job, documents: Iterable[Document | Failure],
                       jobs: int) -> Iterator[tuple[Document | None, list[Processed]]]:
    """(document, its processed records) in input order, prepared by ``jobs`` worker processes."""
    pending: deque[tuple[list[Document | Failure], Future[list[list[Processed]]] | None]] = deque()
    limit = jobs * IN_FLIGHT_PER_WORKER
    stream = iter(documents)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_start_worker, initargs=(job,))
    finished = False
    try:
        while True:
            while len(pending) < limit:
                chunk = _next_chunk(stream)
                if not chunk:
                    break
                remote = [d for d in chunk if isinstance(d, Document) and d.path is not None and d.on_done is None]
                pending.append((chunk, pool.submit(_process_chunk, remote) if remote else None))
            if not pending:
                finished = True
                return
            chunk, future = pending.popleft()
            results = iter(future.result() if future is not None else ())
            for document in chunk:
                if isinstance(document, Failure):
                    yield None, [Processed(None, document)]
                elif document.path is not None and document.on_done is None:
                    yield document, next(results)
                else:
                    yield document, job.process_document(document)
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # interrupted, or the caller stopped early: stop the work in progress now
            processes = list(getattr(pool, "_processes", None) or {})
            result_queue = getattr(pool, "_result_queue", None)  # shutdown() forgets it
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                _kill(process)
            _unblock_pool_manager(result_queue)


def _unblock_pool_manager(result_queue: object) -> None:
    """Let the pool's manager thread end once its workers are killed.

    A worker killed while sending a result leaves half a message in the result
    pipe, and the manager thread waits for the rest for ever (the interpreter
    then hangs at exit, joining it). This process holds the pipe's write end
    too; closing it gives the manager end-of-file, so it marks the pool broken
    and ends (it then closes the task pipe, which frees its feeder thread).
    """
    writer = getattr(result_queue, "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:
            pass


def _kill(process: object) -> None:
    pid = getattr(process, "pid", process)
    try:
        os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]
    except (OSError, TypeError):
        pass
