"""Sources: where documents come from (files, directories, stdin, the registry's API).

Every source yields :class:`Document` objects (or a :class:`Failure` where a
document could not be had); readers turn documents into records.
"""

from __future__ import annotations

from .files import DIRECTORY_SUFFIXES, Document, Input, Member, expand_inputs, file_documents, skipped_summary

__all__ = ["DIRECTORY_SUFFIXES", "Document", "Input", "Member", "expand_inputs", "file_documents", "skipped_summary"]
