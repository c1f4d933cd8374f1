"""The ``registry-tool`` command line: options in, one library call, output and exit code out.

Exit status: 0 every record fine (or stdout closed early by its reader); 1
some records failed (each reported on stderr; the good ones are still
written) or an output could not be written; 2 bad usage or an input that
cannot be opened; 130 Ctrl-C; 143 SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator

import click

from . import commands
from .decoding import check_encoding
from .errors import Failure, OutputError, RegistryToolError, UsageError
from .formats import WRITERS
from .formats.base import WriteOptions
from .formats.ctgov_xml.settable import SETTABLE
from .overrides import Overrides, parse_overrides
from .pipeline import BatchReport
from .processing import Processed
from .screen import WarningReport
from .sources import Input, expand_inputs, skipped_summary
from .version import __version__
from .workers import default_jobs

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM  # 130, 143

# The options each writer uses; given to another, they are a usage error (--set and
# --fields are a curator's values, which every format takes).
OPTION_FORMATS = {"--strict": ("xml",), "--excel-safe": ("csv",),
                  "--replace": ("csv", "sqlite"), "--append": ("csv", "sqlite")}

FROM_CHOICES = ["auto", "text", "ctgov-xml", "ctgov-json", "ictrp", "canonical"]

# Below this many input files one process is faster: starting workers and
# sending records back costs more than they save (benchmarks/parse_throughput.py).
MIN_FILES_PER_WORKER = 100


# The progress bar on screen, if any: a line written to stderr clears it first.
_BAR: list[object] = []


def _stderr_line(line: str) -> None:
    """One line on stderr; the progress bar's line (which has no line end) is cleared first,
    so the line never glues onto the bar."""
    if _BAR:
        click.echo("\r\x1b[2K", err=True, nl=False)
    click.echo(line, err=True)


def _err(message: str) -> None:
    _stderr_line(f"registry-tool: {message}")


def _same_terminal(a: int, b: int) -> bool:
    try:
        return os.isatty(a) and os.isatty(b) and os.path.samestat(os.fstat(a), os.fstat(b))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _progress(total: int, label: str, out: str | None = None) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for batches, only when stderr is a terminal, and not when
    the data goes to that same terminal (stdout on it, no ``-o``): it would be drawn
    between the records."""
    try:
        stderr_tty = sys.stderr.isatty()
        fd_err, fd_out = sys.stderr.fileno(), sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # streams replaced (an embedding caller, tests)
        yield None
        return
    to_stdout = out in (None, "-")
    if total < 2 or not stderr_tty or (to_stdout and _same_terminal(fd_out, fd_err)):
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        _BAR.append(bar)
        try:
            yield bar.update
        finally:
            _BAR.clear()


def _report_failure(failure: Failure) -> None:
    _err(f"failed: {failure.describe()}")


def _warning_report(quiet: bool, warnings_path: str | None) -> WarningReport:
    """What prints each record's warnings (stderr) and writes ``--warnings FILE``."""
    return WarningReport(_stderr_line, quiet, warnings_path)


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


def _finish(report: BatchReport, errors_path: str | None, verb: str, warnings: WarningReport | None = None,
            skipped: list[str] | None = None) -> int:
    """Summary and exit status of a batch (``--quiet``: no summary)."""
    if errors_path:
        commands.write_failures(report.failures, errors_path)
    if warnings is not None:
        warnings.close()
    if warnings is None or not warnings.quiet:
        if skipped:
            _err(skipped_summary(skipped))
        if report.replaced:
            _err(f"replaced {report.replaced} record(s) already in the output (same record id)")
        strict = f", {report.strict_warnings} of them failures under --strict" if report.strict_warnings else ""
        _err(f"{verb} {report.records_in} record(s): {report.records_out} written, "
             f"{len(report.failures)} failed, {_warning_count(report, warnings)}{strict}")
    if any(f.code == "unreadable" for f in report.failures):
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_FAILED


def _warning_count(report: BatchReport, warnings: WarningReport | None) -> str:
    """``3 warning(s)``; with the notes kept off screen counted apart: ``0 warning(s), 1 note(s)``."""
    if warnings is None:
        return f"{report.warnings} warning(s)"
    shown = warnings.shown + report.strict_warnings  # --strict's are in its failure lines
    notes = report.warnings - shown
    return f"{shown} warning(s)" + (f", {notes} note(s) in the records" if notes else "")


class _Terminated(KeyboardInterrupt):
    """SIGTERM, stopping the run as Ctrl-C does (outputs discarded), with exit status 143."""


def _interrupt(signum: int, frame: object) -> None:
    raise _Terminated


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of a closed pipe or a
    full device does not fail again on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _guard(fn: Callable[[], int]) -> None:
    """Run a command body; usage problems exit 2 with a message, never a traceback.

    SIGTERM is handled like Ctrl-C, so a stopped batch discards its partial
    output (atomic files, SQLite rollback) instead of leaving temporary files;
    the exit status is 130 for Ctrl-C, 143 for SIGTERM. A closed pipe on
    stdout (``| head``) ends the run quietly with status 0; an output that
    cannot be written names the path the user gave (status 1).
    """
    try:
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread (the CLI embedded elsewhere): leave signals alone
        pass
    try:
        code = fn()
    except BrokenPipeError:
        _quiet_stdout()
        code = EXIT_OK
    except UsageError as exc:
        _err(f"error: {exc}")
        code = EXIT_USAGE
    except OutputError as exc:
        if exc.errno == errno.EPIPE and exc.path is None:
            _quiet_stdout()
            code = EXIT_OK
        else:
            if exc.path is None:
                _quiet_stdout()
            _err(str(exc))
            code = EXIT_FAILED
    except RegistryToolError as exc:
        _err(f"error: {exc}")
        code = EXIT_FAILED
    except _Terminated:
        _err("terminated")
        code = EXIT_SIGTERM
    except KeyboardInterrupt:
        _err("interrupted")
        code = EXIT_SIGINT
    except OSError as exc:  # an OS error no stage named a path for: still the system's words, never "internal"
        where = f" {exc.filename}" if exc.filename else ""
        _err(f"error:{where} {exc.strerror or exc}")
        code = EXIT_FAILED
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


def _jobs(asked: int | None, paths: list[Input]) -> int:
    """Worker processes for a batch: as asked, else one per CPU where the batch is large enough."""
    if asked is not None:
        if asked < 1:
            raise UsageError(f"--jobs {asked}: expected 1 or more")
        return asked
    return max(1, min(default_jobs(), len(paths) // MIN_FILES_PER_WORKER))


def _inputs(inputs: tuple[str, ...], skipped: list[str]) -> list[Input]:
    """The inputs of a command; reading stdin at a terminal is said on stderr (one line)."""
    paths = expand_inputs(inputs, skipped)
    if None in paths:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if sys.stdin.isatty():
                _err("reading standard input (end with Ctrl-D; or give files or folders to read)")
    return paths


def _encoding(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return check_encoding(name)
    except LookupError:
        raise UsageError(f"--encoding {name}: unknown encoding (e.g. utf-8, cp1252, latin-1, utf-16)") from None


def _check_options_used(to: str, given: dict[str, bool]) -> None:
    """Options given to a writer that does not use them are a usage error, not silence."""
    for option, used in given.items():
        if used and to not in OPTION_FORMATS[option]:
            formats_ = " and ".join(f"--to {name}" for name in OPTION_FORMATS[option])
            raise UsageError(f"{option} applies to {formats_} only; --to {to} does not use it")


def _refuse_errors_over_inputs(errors_path: str | None, out: str | None, paths: list[Input]) -> None:
    if errors_path is None:
        return
    commands.refuse_output_over_inputs(errors_path, paths, "--errors")
    if out not in (None, "-") and os.path.abspath(errors_path) == os.path.abspath(out):
        raise UsageError(f"--errors {errors_path} is the output (-o) too: give it another file")


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
_encoding_option = click.option(
    "--encoding", "encoding", metavar="NAME", default=None,
    help="Text encoding of the inputs (cp1252, latin-1, ...); default UTF-8, or UTF-16 where it is recognised.",
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
@click.option("--jsonl", "shape", flag_value="lines", default=None,
              help="Always JSON Lines, one record a line, whatever the number of records.")
@click.option("--json", "shape", flag_value="array",
              help="Always one JSON document: an array of records, whatever the number.")
@_errors_option
@_warnings_option
@_quiet_option
@_set_option
@_fields_option
@click.option("--no-validate", is_flag=True, help="Skip the record-schema check of each record.")
@_encoding_option
@_jobs_option
def parse(inputs: tuple[str, ...], from_format: str, out: str | None, shape: str | None, errors_path: str | None,
          warnings_path: str | None, quiet: bool, set_values: tuple[str, ...], fields_path: str | None,
          no_validate: bool, encoding: str | None, jobs: int | None):
    """Read entries and write canonical records.

    INPUTS are files, directories, .gz files, .zip archives or - (stdin; also
    when none is given). One record is written as one JSON object, several as
    JSON Lines; --jsonl and --json fix the form whatever the number.
    """

    def run() -> int:
        overrides = _overrides(set_values, fields_path)
        skipped: list[str] = []
        paths = _inputs(inputs, skipped)
        _refuse_errors_over_inputs(errors_path, out, paths)
        options = WriteOptions(json_shape=shape or "object-or-lines")
        warnings = _warning_report(quiet, warnings_path)
        with _progress(0 if quiet else len(paths), "parsing", out) as progress:
            report = commands.export(paths, "json", out, from_format=from_format, options=options,
                                     validate=not no_validate, jobs=_jobs(jobs, paths), progress=progress,
                                     on_failure=_report_failure, on_record=_record_warnings(warnings),
                                     overrides=overrides, encoding=_encoding(encoding))
        return _finish(report, errors_path, "parsed", warnings, skipped)

    _guard(run)


def _schema_location() -> str:
    from .validation import schema_path

    return schema_path()


@main.command(help=f"""Check canonical JSON / JSON Lines records against the record schema.

FILES are files, directories or - (stdin; also when none is given). Besides
the schema, the references inside each record are checked (a variant's
criterion, a criterion's parent must name an existing criterion).

\b
The schema, as installed (`registry-tool schema` prints it):
{_schema_location()}""")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print violations as JSON Lines on stdout.")
@_warnings_option
@_quiet_option
@_encoding_option
def validate(files: tuple[str, ...], as_json: bool, warnings_path: str | None, quiet: bool, encoding: str | None):
    def run() -> int:
        skipped: list[str] = []
        paths = _inputs(files, skipped)
        report = commands.validate_files(paths, _encoding(encoding))
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
            if skipped:
                _err(skipped_summary(skipped))
            _err(f"checked {report.records} record(s): {report.valid} valid, {report.invalid} invalid")
        if report.unreadable:
            return EXIT_USAGE if any(f.code == "unreadable" for f in report.unreadable) else EXIT_FAILED
        return EXIT_OK if report.ok else EXIT_FAILED

    _guard(run)


@main.command()
def schema() -> None:
    """Print the canonical record's JSON Schema (the one validate checks against)."""
    from .validation import schema_text

    def run() -> int:
        click.echo(schema_text("record.schema.json"), nl=False)
        return EXIT_OK

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
@click.option("--replace", "existing", flag_value="replace", default=None,
              help="csv/sqlite: replace an existing export (folder or database) with this one.")
@click.option("--append", "existing", flag_value="append",
              help="csv/sqlite: add to an existing export; a record already there (same id) is replaced.")
@_errors_option
@_warnings_option
@_quiet_option
@_encoding_option
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
    existing: str | None,
    errors_path: str | None,
    warnings_path: str | None,
    quiet: bool,
    encoding: str | None,
    jobs: int | None,
):
    """Convert entries, registry records or canonical records to another format.

    --to json writes one record as a JSON object and several as one JSON
    document (an array); --to jsonl writes JSON Lines. Exporting to csv or
    sqlite over an earlier export needs --replace or --append.
    """

    def run() -> int:
        _check_options_used(to, {"--strict": strict, "--excel-safe": excel_safe,
                                 "--replace": existing == "replace", "--append": existing == "append"})
        overrides = _overrides(set_values, fields_path)
        registry_values = {name: value for name, value in _parse_set(set_values).items() if name in SETTABLE}
        options = WriteOptions(strict=strict, set_values=registry_values, excel_safe=excel_safe, existing=existing)
        skipped: list[str] = []
        paths = _inputs(inputs, skipped)
        _refuse_errors_over_inputs(errors_path, out, paths)
        warnings = _warning_report(quiet, warnings_path)
        with _progress(0 if quiet else len(paths), f"exporting to {to}", out) as progress:
            report = commands.export(paths, to, out, from_format=from_format, options=options,
                                     jobs=_jobs(jobs, paths), progress=progress, on_failure=_report_failure,
                                     on_record=_record_warnings(warnings), overrides=overrides,
                                     encoding=_encoding(encoding))
        return _finish(report, errors_path, "exported", warnings, skipped)

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
