"""Storage of run-time values: a flat map of element names plus collection counts (JSON-serialisable).

Collection rules of SCORM 1.2 RTE 3.4.3 and SCORM 2004 RTE 4.1.3 ("Data Model Element Collections"):
records are addressed by 0-based index, a new record may only be created at index `_count` (so
indices stay dense), and an existing record is addressed by any index below `_count`.
"""

from __future__ import annotations

from typing import Any

from scorm.datamodel import Resolved, fill

__all__ = ["CmiStore", "fill"]


class CmiStore:
    """Values by concrete element name ("cmi.objectives.0.id") and counts by collection instance."""

    def __init__(self, values: dict[str, str] | None = None, counts: dict[str, int] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.counts: dict[str, int] = dict(counts or {})

    def count(self, collection_instance: str) -> int:
        return self.counts.get(collection_instance, 0)

    @staticmethod
    def record_position(resolved: Resolved) -> tuple[str, int] | None:
        """(collection instance path, index) of the record an element belongs to, if in a collection."""
        if resolved.collection is None or not resolved.indices:
            return None
        return resolved.levels[-1], resolved.indices[-1]

    def can_write(self, records: tuple[tuple[str, int], ...]) -> bool:
        """Enclosing records exist and the innermost index is at most `_count` (append or overwrite);
        `records` are the (collection instance path, index) pairs of an element name, outermost first."""
        counts, last = self.counts, len(records) - 1
        for depth, (instance, index) in enumerate(records):
            count = counts.get(instance, 0)
            if index > count or (index == count and depth < last):
                return False
        return True

    def exists(self, resolved: Resolved) -> bool:
        """For reads: every index addresses an existing record."""
        counts = self.counts
        return all(index < counts.get(instance, 0)
                   for instance, index in zip(resolved.levels, resolved.indices, strict=True))

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def put(self, name: str, value: str, position: tuple[str, int] | None) -> None:
        """Store a value; a record at `position` (from `record_position`) extends its collection's count."""
        self.values[name] = value
        if position is not None:
            instance, index = position
            if self.counts.get(instance, 0) <= index:
                self.counts[instance] = index + 1

    def find_identifier(self, collection_instance: str, child: str, value: str) -> int | None:
        for index in range(self.count(collection_instance)):
            if self.values.get(f"{collection_instance}.{index}.{child}") == value:
                return index
        return None

    def to_json(self) -> dict[str, Any]:
        return {"values": dict(self.values), "counts": dict(self.counts)}
