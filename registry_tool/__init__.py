"""registry-tool: clinical-trial registry entries to clean, validated, structured data.

The public API::

    import registry_tool
    record = registry_tool.parse_text(text)       # a flattened entry -> Record
    record = registry_tool.parse_file(path)       # text, registry XML or API v2 JSON
    data = record.to_dict()                       # canonical JSON (CONTRACT.md)
    problems = registry_tool.validate(data)       # [] when schema-valid

The pipeline behind them (sources -> readers -> normalise stack -> validation
-> sinks) is :mod:`registry_tool.pipeline`; the commands' library functions
are :mod:`registry_tool.commands`.
"""

from __future__ import annotations

from .commands import (  # noqa: E402
    ValidationReport,
    export,
    fetch,
    iter_records,
    parse_file,
    parse_text,
    validate_files,
)
from .errors import Failure, ParseError, RecordError, RegistryToolError, UsageError  # noqa: E402
from .formats.base import WriteOptions  # noqa: E402
from .model import Record  # noqa: E402
from .normalize import STACK, normalize  # noqa: E402
from .pipeline import BatchReport, convert  # noqa: E402
from .validation import Violation, validate  # noqa: E402
from .version import __version__  # noqa: E402, F401

ExportOptions = WriteOptions  # the name earlier versions used

__all__ = [
    "STACK",
    "BatchReport",
    "ExportOptions",
    "Failure",
    "ParseError",
    "Record",
    "RecordError",
    "RegistryToolError",
    "UsageError",
    "ValidationReport",
    "Violation",
    "WriteOptions",
    "__version__",
    "convert",
    "export",
    "fetch",
    "iter_records",
    "normalize",
    "parse_file",
    "parse_text",
    "validate",
    "validate_files",
]
