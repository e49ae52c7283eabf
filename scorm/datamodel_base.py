"""Building blocks of a declarative run-time data model (SCORM 1.2 RTE 3.4; SCORM 2004 RTE 4.2).

An element path uses `n` for a collection index ("cmi.interactions.n.objectives.n.id"). A collection
("cmi.objectives") has `_count` and `_children`; a group ("cmi.core.score") has only `_children`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from scorm.datatypes import TypeSpec

Access = Literal["RO", "WO", "RW"]
Family = Literal["1.2", "2004"]


@dataclass(frozen=True, slots=True)
class ElementDef:
    path: str
    type: TypeSpec
    access: Access
    settable: tuple[str, ...] | None = None  # vocabulary subset a SCO may set (e.g. not "not attempted")
    requires: str | None = None  # element that must be set first (2004 error 408); same indices
    initial: str | None = None  # value before any SetValue; None means "not initialized" (2004: 403)
    implemented: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"access": self.access, "type": self.type.to_json()}
        if self.settable is not None:
            out["settable"] = list(self.settable)
        if self.requires:
            out["requires"] = self.requires
        if self.initial is not None:
            out["initial"] = self.initial
        if not self.implemented:
            out["implemented"] = False
        return out


@dataclass(frozen=True, slots=True)
class CollectionDef:
    """An array element: children are addressed as `<path>.<n>.<child>`; n must be ≤ `_count`."""

    path: str
    children: tuple[str, ...]
    identifier: str | None = "id"  # the child that must be set first (2004) and is unique (objectives)
    unique_identifier: bool = False
    max_items: int = 1000  # our storage cap, far above what the SPM requires

    def to_json(self) -> dict[str, Any]:
        return {"children": ",".join(self.children), "identifier": self.identifier,
                "unique_identifier": self.unique_identifier, "max_items": self.max_items}


@dataclass(frozen=True, slots=True)
class DataModel:
    family: Family
    elements: dict[str, ElementDef]
    collections: dict[str, CollectionDef]
    groups: dict[str, tuple[str, ...]]  # non-array elements with `_children`
    keywords: dict[str, str] = field(default_factory=dict)  # fixed RO values such as cmi._version
    # Element name → its resolution, filled by `scorm.datamodel.resolve` (the model is immutable, so is this).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Element name → (codes, its compiled SetValue), filled by `scorm.runtime_access.set_value`.
    setters: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "elements": {path: e.to_json() for path, e in sorted(self.elements.items())},
            "collections": {path: c.to_json() for path, c in sorted(self.collections.items())},
            "groups": {path: ",".join(children) for path, children in sorted(self.groups.items())},
            "keywords": dict(self.keywords),
        }


def build(
    family: Family,
    rows: list[tuple[str, TypeSpec, Access]],
    collections: list[CollectionDef],
    groups: dict[str, tuple[str, ...]],
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    keywords: dict[str, str] | None = None,
) -> DataModel:
    """Assemble a DataModel from compact (path, type, access) rows plus per-path overrides."""
    overrides = overrides or {}
    elements = {path: ElementDef(path, spec, access, **overrides.get(path, {})) for path, spec, access in rows}
    return DataModel(family, elements, {c.path: c for c in collections}, groups, keywords or {})
