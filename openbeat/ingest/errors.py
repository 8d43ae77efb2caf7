"""Errors that say what was wrong, where, and what to do."""

from __future__ import annotations


class IngestError(Exception):
    """A source that cannot be loaded at all. Nothing from it reaches the lake.

    ``source`` is the path (``archive.zip!member.csv`` for zip members); ``line`` and
    ``column`` point at the problem where there is one.
    """

    def __init__(self, source: str, message: str, *, line: int | None = None,
                 column: str | None = None, hint: str | None = None):
        self.source, self.message, self.line, self.column, self.hint = source, message, line, column, hint
        where = source
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        text = f"{where}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
