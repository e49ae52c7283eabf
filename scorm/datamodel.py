"""The authoritative run-time data models and element-name resolution (SCORM 1.2 RTE 3.4; 2004 RTE 4.2).

`model_for(version)` returns the declarative model; `resolve(model, name)` turns a dotted element name
into its definition plus collection indices; `datamodel_json(version)` exports the same definition so
the browser adapter validates exactly as the server does.

Resolution runs on every replayed call of every commit, so it is table-driven: element names without
indices are classified once per model, and indexed names ("cmi.interactions.7.result") are remembered in a
bounded table per model (a SCO reuses a few hundred names at most), each carrying its collection instance
paths so the store checks `_count` without re-deriving them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from scorm.api_errors import ERROR_STRINGS_12, ERROR_STRINGS_2004
from scorm.datamodel_12 import MODEL_12
from scorm.datamodel_2004 import MODEL_2004
from scorm.datamodel_base import CollectionDef, DataModel, ElementDef
from scorm.manifest_model import SCORM_VERSIONS

__all__ = ["DataModel", "Resolved", "datamodel_json", "model_for", "resolve"]

Kind = Literal["element", "children", "count", "keyword", "bad_children", "bad_count", "unknown"]
_TARGET = re.compile(r"^(adl\.nav\.request_valid\.(?:choice|jump))\.\{target=([^}]+)\}$")


@dataclass(frozen=True, slots=True)
class Resolved:
    kind: Kind
    name: str
    template: str = ""
    indices: tuple[int, ...] = ()
    element: ElementDef | None = None
    collection: CollectionDef | None = None
    children: tuple[str, ...] = ()
    # Collection instance path of each index, outermost first ("cmi.interactions", "cmi.interactions.3.objectives").
    levels: tuple[str, ...] = ()


def model_for(version: str) -> DataModel:
    """The data model for a manifest version ("1.2", "2004 2nd", "2004 3rd", "2004 4th")."""
    if version not in SCORM_VERSIONS:
        raise ValueError(f"unknown SCORM version {version!r}; expected one of {', '.join(SCORM_VERSIONS)}")
    return MODEL_12 if version == "1.2" else MODEL_2004


def _template(name: str) -> tuple[str, tuple[int, ...]] | None:
    target = _TARGET.match(name)
    if target:
        return target.group(1) + ".{target}", ()
    parts: list[str] = []
    indices: list[int] = []
    for segment in name.split("."):
        if segment.isdecimal() and segment.isascii():
            parts.append("n")
            indices.append(int(segment))
        elif segment in ("n", "{target}", ""):
            return None  # the placeholders themselves are not valid element names
        else:
            parts.append(segment)
    return ".".join(parts), tuple(indices)


def _is_known_prefix(model: DataModel, template: str) -> bool:
    prefix = template + "."
    return (template in model.elements or template in model.collections or template in model.groups
            or any(path.startswith(prefix) for path in model.elements))


def _keyword(model: DataModel, name: str, template: str, indices: tuple[int, ...]) -> Resolved:
    parent, _, keyword = template.rpartition(".")
    if keyword == "_children":
        if parent in model.collections:
            return Resolved("children", name, parent, indices, collection=model.collections[parent],
                            children=model.collections[parent].children)
        if parent in model.groups:
            return Resolved("children", name, parent, indices, children=model.groups[parent])
        return Resolved("bad_children" if _is_known_prefix(model, parent) else "unknown", name, parent, indices)
    if parent in model.collections:
        return Resolved("count", name, parent, indices, collection=model.collections[parent])
    return Resolved("bad_count" if _is_known_prefix(model, parent) else "unknown", name, parent, indices)


_MEMO_LIMIT = 20_000


def resolve(model: DataModel, name: str) -> Resolved:
    """Classify a dotted element name against `model` (no state is consulted)."""
    memo: dict[str, Resolved] = model.memo
    found = memo.get(name)
    if found is None:
        found = _with_levels(_classify(model, name))
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()  # hostile input (endless distinct names) must not grow memory without bound
        memo[name] = found
    return found


def _with_levels(found: Resolved) -> Resolved:
    if not found.indices or not found.template:
        return found
    head = found.template.split(".n.")
    levels = tuple(fill(".n.".join(head[: depth + 1]), found.indices[:depth]) for depth in range(len(found.indices)))
    return replace(found, levels=levels)


def fill(template: str, indices: tuple[int, ...]) -> str:
    """Replace the `n` segments of `template` with `indices`, in order (fewer indices leave the rest)."""
    out: list[str] = []
    remaining = list(indices)
    for segment in template.split("."):
        if segment == "n" and remaining:
            out.append(str(remaining.pop(0)))
        else:
            out.append(segment)
    return ".".join(out)


def _classify(model: DataModel, name: str) -> Resolved:
    if name in model.keywords:
        return Resolved("keyword", name, name)
    parsed = _template(name)
    if parsed is None:
        return Resolved("unknown", name)
    template, indices = parsed
    if template.endswith(("._children", "._count")):
        return _keyword(model, name, template, indices)
    element = model.elements.get(template)
    if element is None:
        return Resolved("unknown", name, template, indices)
    collection_path = template.rsplit(".n.", 1)[0] if ".n." in template else ""
    return Resolved("element", name, template, indices, element=element,
                    collection=model.collections.get(collection_path))


def datamodel_json(version: str) -> dict[str, Any]:
    """JSON-ready export of the data model for `version`, including the error-code strings."""
    model = model_for(version)
    errors = ERROR_STRINGS_12 if model.family == "1.2" else ERROR_STRINGS_2004
    return {"version": version, **model.to_json(), "errors": {str(k): v for k, v in errors.items()}}
