"""Errors and problem reports of the EU micro-credential record (Council Rec. 2022/C 243/02, Annex I).

Validation never stops at the first fault: it returns every :class:`Problem`, each naming the field, a stable
machine code and a message an instructor can act on.  Import and building raise :class:`RecordError`
subclasses carrying those problems.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One missing or invalid element: ``field`` is a dotted path such as ``learning_outcomes[1].text.de``."""

    field: str
    code: str
    message: str


class RecordError(Exception):
    """Root of the micro-credential record errors."""


class InvalidRecord(RecordError):
    """A record or template does not satisfy Annex I; ``problems`` lists every fault."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class TemplateImportError(InvalidRecord):
    """An exported template could not be imported (wrong format, wrong types or invalid content)."""
