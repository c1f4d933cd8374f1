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
from .formats.ctgov_xml.settable import SETTABLE
from .overrides import Overrides, parse_overrides
from .pipeline import BatchReport
from .processing import Processed
from .screen import WarningReport
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


def _warning_report(quiet: bool, warnings_path: str | None) -> WarningReport:
    """What prints each record's warnings (stderr) and writes ``--warnings FILE``."""
    return WarningReport(lambda line: click.echo(line, err=True), quiet, warnings_path)


def _record_warnings(warnings: WarningReport) -> Callable[[Processed], None]:
    """``on_record`` of a batch: the record's own warnings first, then its export's lines."""

    def on_record(item: Processed) -> None:
        prepared = item.prepared
        assert prepared is not None
        export_lines = []
        for warning in prepared.warnings:
            where = f" ({warning.field})" if warning.field else ""
            export_lines.append(f"registry-tool: warning: {prepared.record_id}{where}: {warning.message}")
        warnings.record(prepared.record_id, prepared.path, item.warnings, export_lines, prepared.warnings)

    return on_record


def _finish(report: BatchReport, errors_path: str | None, verb: str, warnings: WarningReport | None = None) -> int:
    """Summary and exit status of a batch (``--quiet``: no summary)."""
    if errors_path:
        commands.write_failures(report.failures, errors_path)
    if warnings is not None:
        warnings.close()
    if warnings is None or not warnings.quiet:
        _err(f"{verb} {report.records_in} record(s): {report.records_out} written, "
             f"{len(report.failures)} failed, {_warning_count(report, warnings)}")
    if any(f.code == "unreadable" for f in report.failures):
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_FAILED


def _warning_count(report: BatchReport, warnings: WarningReport | None) -> str:
    """``3 warning(s)``; with the notes kept off screen counted apart: ``0 warning(s), 1 note(s)``."""
    if warnings is None:
        return f"{report.warnings} warning(s)"
    notes = report.warnings - warnings.shown
    return f"{warnings.shown} warning(s)" + (f", {notes} note(s) in the records" if notes else "")


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


def _overrides(set_values: tuple[str, ...], fields_path: str | None) -> Overrides:
    """The curator's ``--set`` / ``--fields`` values, checked (a usage error names what is wrong)."""
    return parse_overrides(_parse_set(set_values), fields_path)


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
_set_option = click.option(
    "--set", "set_values", multiple=True, metavar="NAME=VALUE",
    help="A curator's value: outcome_type.N, outcome_type, phases, conditions, enrollment, or a registry XML "
         "value (nct_id, brief_title, ...); see the README.",
)
_fields_option = click.option(
    "--fields", "fields_path", type=click.Path(dir_okay=False),
    help="A JSON object of the same NAME: VALUE pairs as --set (which wins over it).",
)
_quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing on stderr but errors (no warnings, summary or progress)."
)
_warnings_option = click.option(
    "--warnings", "warnings_path", type=click.Path(dir_okay=False),
    help="Write every record's warnings here as JSON Lines.",
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
@_warnings_option
@_quiet_option
@_set_option
@_fields_option
@click.option("--no-validate", is_flag=True, help="Skip the record-schema check of each record.")
@_jobs_option
def parse(inputs: tuple[str, ...], from_format: str, out: str | None, errors_path: str | None,
          warnings_path: str | None, quiet: bool, set_values: tuple[str, ...], fields_path: str | None,
          no_validate: bool, jobs: int | None):
    """Read entries and write canonical records.

    INPUTS are files, directories or - (stdin; also when none is given). One
    record is written as one JSON object, several as JSON Lines.
    """

    def run() -> int:
        overrides = _overrides(set_values, fields_path)
        paths = expand_inputs(inputs)
        warnings = _warning_report(quiet, warnings_path)
        with _progress(0 if quiet else len(paths), "parsing") as progress:
            report = commands.export(paths, "json", out, from_format=from_format, validate=not no_validate,
                                     jobs=_jobs(jobs, paths), progress=progress, on_failure=_report_failure,
                                     on_record=_record_warnings(warnings), overrides=overrides)
        return _finish(report, errors_path, "parsed", warnings)

    _guard(run)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print violations as JSON Lines on stdout.")
@_warnings_option
@_quiet_option
def validate(files: tuple[str, ...], as_json: bool, warnings_path: str | None, quiet: bool):
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
        warnings = _warning_report(quiet, warnings_path)
        for record_id, path, record_warnings in report.warnings:
            warnings.record(record_id, path, record_warnings)
        warnings.close()
        if not quiet:
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
@_set_option
@_fields_option
@click.option("--excel-safe", is_flag=True, help="CSV: neutralise cells a spreadsheet would run as formulas.")
@_errors_option
@_warnings_option
@_quiet_option
@_jobs_option
def export(
    inputs: tuple[str, ...],
    from_format: str,
    to: str,
    out: str | None,
    strict: bool,
    set_values: tuple[str, ...],
    fields_path: str | None,
    excel_safe: bool,
    errors_path: str | None,
    warnings_path: str | None,
    quiet: bool,
    jobs: int | None,
):
    """Convert entries, registry records or canonical records to another format."""

    def run() -> int:
        overrides = _overrides(set_values, fields_path)
        registry_values = {name: value for name, value in _parse_set(set_values).items() if name in SETTABLE}
        options = WriteOptions(strict=strict, set_values=registry_values, excel_safe=excel_safe)
        paths = expand_inputs(inputs)
        warnings = _warning_report(quiet, warnings_path)
        with _progress(0 if quiet else len(paths), f"exporting to {to}") as progress:
            report = commands.export(paths, to, out, from_format=from_format, options=options,
                                     jobs=_jobs(jobs, paths), progress=progress, on_failure=_report_failure,
                                     on_record=_record_warnings(warnings), overrides=overrides)
        return _finish(report, errors_path, "exported", warnings)

    _guard(run)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@_from_option
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="The HTML file (default stdout).")
@_quiet_option
def review(inputs: tuple[str, ...], from_format: str, out: str | None, quiet: bool):
    """Write one self-contained HTML page to review what the parser read and guessed.

    Per record: the source text with each field it was read into highlighted,
    the parsed fields beside it, each warning under its line; records with
    warnings first, and a filter for them.
    """

    def run() -> int:
        report = commands.review(inputs, out, from_format=from_format)
        for failure in report.failures:
            _report_failure(failure)
        if not quiet:
            _err(f"reviewed {report.records + len(report.failures)} input record(s): {report.flagged} with "
                 f"warnings, {len(report.failures)} failed" + (f"; page written to {out}" if out else ""))
        if any(f.code == "unreadable" for f in report.failures):
            return EXIT_USAGE
        return EXIT_OK if not report.failures else EXIT_FAILED

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
