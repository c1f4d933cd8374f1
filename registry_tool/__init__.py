"""registry-tool: clinical-trial registry entries to clean, validated, structured data.

The public API::

    import registry_tool
    record = registry_tool.parse_text(text)       # a flattened entry -> Record
    record = registry_tool.parse_file(path)       # text, registry XML or API v2 JSON
    data = record.to_dict()                       # canonical JSON (CONTRACT.md)
    problems = registry_tool.validate(data)       # [] when schema-valid
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import (  # noqa: E402
    BatchReport,
    ExportOptions,
    convert,
    iter_records,
    parse_file,
    parse_text,
    validate_files,
)
from .errors import Failure, ParseError, RecordError, RegistryToolError, UsageError  # noqa: E402
from .model import Record  # noqa: E402
from .validation import Violation, validate  # noqa: E402

__all__ = [
    "BatchReport",
    "ExportOptions",
    "Failure",
    "ParseError",
    "Record",
    "RecordError",
    "RegistryToolError",
    "UsageError",
    "Violation",
    "__version__",
    "convert",
    "iter_records",
    "parse_file",
    "parse_text",
    "validate",
    "validate_files",
]
