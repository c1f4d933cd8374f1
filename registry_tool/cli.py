"""The ``registry-tool`` command line: options in, one library call, output and exit code out.

Exit status: 0 every record fine; 1 some records failed (each reported on
stderr; the good ones are still written); 2 bad usage or an input that cannot
be opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator

import click

from . import commands
from .errors import Failure, RegistryToolError, UsageError
from .formats import WRITERS
from .formats.base import WriteOptions
from .pipeline import BatchReport
from .processing import Processed
from .sources import expand_inputs
from .version import __version__
from .workers import default_jobs

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

FROM_CHOICES = ["auto", "text", "ctgov-xml", "ctgov-json", "ictrp", "canonical"]

# Below this many input files one process is faster: starting workers and
# sending records back costs more than they save (benchmarks/parse_throughput.py).
MIN_FILES_PER_WORKER = 100


def _err(message: str) -> None:
    click.echo(f"registry-tool: {message}", err=True)


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for batches, only when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def _report_failure(failure: Failure) -> None:
    _err(f"failed: {failure.describe()}")


def _report_export_warnings(item: Processed) -> None:
    assert item.prepared is not None
    for warning in item.prepared.warnings:
        where = f" ({warning.field})" if warning.field else ""
        _err(f"warning: {item.prepared.record_id}{where}: {warning.message}")


def _finish(report: BatchReport, errors_path: str | None, verb: str) -> int:
    """Summary and exit status of a batch."""
    if errors_path:
        commands.write_failures(report.failures, errors_path)
    if report.records_in != 1 or report.failures:
        _err(
            f"{verb} {report.records_in} record(s): {report.records_out} written, "
            f"{len(report.failures)} failed, {report.warnings} warning(s)"
        )
    if any(f.code == "unreadable" for f in report.failures):
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_FAILED


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _guard(fn: Callable[[], int]) -> None:
    """Run a command body; usage problems exit 2 with a message, never a traceback.

    SIGTERM is handled like Ctrl-C, so a stopped batch discards its partial
    output (atomic files, SQLite rollback) instead of leaving temporary files.
    """
    try:
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread (the CLI embedded elsewhere): leave signals alone
        pass
    try:
        code = fn()
    except UsageError as exc:
        _err(f"error: {exc}")
        code = EXIT_USAGE
    except RegistryToolError as exc:
        _err(f"error: {exc}")
        code = EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted")
        code = 130
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a user
        if os.environ.get("REGISTRY_TOOL_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (set REGISTRY_TOOL_DEBUG=1 for a traceback)")
        code = EXIT_FAILED
    sys.exit(code)


def _parse_set(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def _jobs(asked: int | None, paths: list[str | None]) -> int:
    """Worker processes for a batch: as asked, else one per CPU where the batch is large enough."""
    if asked is not None:
        if asked < 1:
            raise UsageError(f"--jobs {asked}: expected 1 or more")
        return asked
    return max(1, min(default_jobs(), len(paths) // MIN_FILES_PER_WORKER))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="registry-tool")
def main() -> None:
    """Turn clinical-trial registry entries into clean, validated, structured data."""


_from_option = click.option(
    "--from",
    "from_format",
    type=click.Choice(FROM_CHOICES),
    default="auto",
    show_default=True,
    help="Input format; auto tells text, registry XML, WHO ICTRP exports and JSON apart by content.",
)
_errors_option = click.option(
    "--errors", "errors_path", type=click.Path(dir_okay=False), help="Write failures here as JSON Lines."
)
_jobs_option = click.option(
    "--jobs", "-j", "jobs", type=int, default=None,
    help=f"Worker processes (default: one per CPU for batches of {MIN_FILES_PER_WORKER}+ files per worker, "
         "else 1). The output is the same whatever the number.",
)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@_from_option
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Output file (default stdout).")
@_errors_option
@click.option("--no-validate", is_flag=True, help="Skip the record-schema check of each record.")
@_jobs_option
def parse(inputs: tuple[str, ...], from_format: str, out: str | None, errors_path: str | None, no_validate: bool,
          jobs: int | None):
    """Read entries and write canonical records.

    INPUTS are files, directories or - (stdin; also when none is given). One
    record is written as one JSON object, several as JSON Lines.
    """

    def run() -> int:
        paths = expand_inputs(inputs)
        with _progress(len(paths), "parsing") as progress:
            report = commands.export(paths, "json", out, from_format=from_format, validate=not no_validate,
                                     jobs=_jobs(jobs, paths), progress=progress, on_failure=_report_failure)
        return _finish(report, errors_path, "parsed")

    _guard(run)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print violations as JSON Lines on stdout.")
def validate(files: tuple[str, ...], as_json: bool):
    """Check canonical JSON / JSON Lines files against schemas/record.schema.json."""

    def run() -> int:
        report = commands.validate_files(files)
        for p in report.problems:
            if as_json:
                click.echo(json.dumps(p, ensure_ascii=False))
            else:
                where = f"{p['path'] or '<stdin>'} ({p['where']})"
                click.echo(f"{where} record {p['record_id'] or '?'}: {p['json_path']}: {p['message']}")
        for f in report.unreadable:
            _err(f"failed: {f.describe()}")
        _err(f"checked {report.records} record(s): {report.records - report.invalid} valid, {report.invalid} invalid")
        if report.unreadable:
            return EXIT_USAGE if any(f.code == "unreadable" for f in report.unreadable) else EXIT_FAILED
        return EXIT_OK if report.ok else EXIT_FAILED

    _guard(run)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@_from_option
@click.option("--to", "to", type=click.Choice(sorted(WRITERS)), required=True, help="Output format.")
@click.option("-o", "--output", "out", type=click.Path(), help="Output file or folder (csv: a folder).")
@click.option("--strict", is_flag=True, help="Treat missing required registry elements as errors.")
@click.option("--set", "set_values", multiple=True, metavar="NAME=VALUE", help="Supply a missing XML value.")
@click.option("--excel-safe", is_flag=True, help="CSV: neutralise cells a spreadsheet would run as formulas.")
@_errors_option
@_jobs_option
def export(
    inputs: tuple[str, ...],
    from_format: str,
    to: str,
    out: str | None,
    strict: bool,
    set_values: tuple[str, ...],
    excel_safe: bool,
    errors_path: str | None,
    jobs: int | None,
):
    """Convert entries, registry records or canonical records to another format."""

    def run() -> int:
        options = WriteOptions(strict=strict, set_values=_parse_set(set_values), excel_safe=excel_safe)
        paths = expand_inputs(inputs)
        with _progress(len(paths), f"exporting to {to}") as progress:
            report = commands.export(paths, to, out, from_format=from_format, options=options,
                                     jobs=_jobs(jobs, paths), progress=progress, on_failure=_report_failure,
                                     on_record=_report_export_warnings)
        return _finish(report, errors_path, "exported")

    _guard(run)


@main.command()
@click.argument("nct_ids", nargs=-1)
@click.option("--query", help="Search term (query.term) whose every result is fetched.")
@click.option(
    "--base-url", default="https://clinicaltrials.gov/api/v2", show_default=True, help="API v2 root."
)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Output file (default stdout).")
@click.option("--resume", is_flag=True, help="Continue an interrupted download into -o OUT without duplicates.")
@click.option("--page-size", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=click.IntRange(0, 20), default=5, show_default=True)
@_errors_option
def fetch(
    nct_ids: tuple[str, ...],
    query: str | None,
    base_url: str,
    out: str | None,
    resume: bool,
    page_size: int,
    timeout: float,
    retries: int,
    errors_path: str | None,
):
    """Download records from the ClinicalTrials.gov API v2 as canonical records."""

    def run() -> int:
        if not nct_ids and not query:
            raise UsageError("give NCT ids, --query TEXT, or both")
        if resume and not out:
            raise UsageError("--resume needs -o OUT")
        with _progress(len(nct_ids) if not query else 0, "fetching") as progress:
            report = commands.fetch(list(nct_ids), query=query, base_url=base_url, out=out, resume=resume,
                                    page_size=page_size, timeout=timeout, retries=retries, progress=progress,
                                    on_failure=_report_failure)
        return _finish(report, errors_path, "fetched")

    _guard(run)


if __name__ == "__main__":  # pragma: no cover
    main()
