"""GetValue and SetValue against the declarative data model, with the error code of each failure.

SCORM 1.2 RTE 3.3 (LMSGetValue/LMSSetValue and error codes 201–405) and SCORM 2004 RTE 3.1.7 and
4.1 (GetValue/SetValue; 301, 351, 401–408). The two versions share one algorithm; `Codes` holds the
version-specific numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from scorm.datamodel import DataModel, Resolved, resolve
from scorm.datamodel_base import ElementDef
from scorm.runtime_rules import evaluated_completion, evaluated_success
from scorm.runtime_store import CmiStore, fill


@dataclass(frozen=True, slots=True)
class Codes:
    init_twice: int
    init_after_term: int
    term_before_init: int
    term_after_term: int
    get_before_init: int
    get_after_term: int
    set_before_init: int
    set_after_term: int
    commit_before_init: int
    commit_after_term: int
    argument: int
    get_failure: int
    set_failure: int
    undefined: int
    bad_children: int
    bad_count: int
    keyword_set: int
    read_only: int
    write_only: int
    type: int
    range: int
    not_initialized_value: int | None
    dependency: int


CODES_12 = Codes(101, 101, 301, 301, 301, 301, 301, 301, 301, 301, 201, 201, 201, 201, 202, 203, 402, 403,
                 404, 405, 407, None, 201)
CODES_2004 = Codes(103, 104, 112, 113, 122, 123, 132, 133, 142, 143, 201, 301, 351, 401, 301, 301, 404, 404,
                   405, 406, 407, 403, 408)


class Outcome(NamedTuple):  # a tuple: one per API call, cheaper than a frozen dataclass
    value: str
    code: int
    diagnostic: str = ""


def _fail(code: int, diagnostic: str) -> Outcome:
    return Outcome("", code, diagnostic)


def get_value(model: DataModel, store: CmiStore, codes: Codes, name: str) -> Outcome:
    if not name:
        return _fail(codes.get_failure, "GetValue needs a data model element name.")
    found = resolve(model, name)
    if found.kind == "unknown":
        return _fail(codes.undefined, f"{name} is not an element of the SCORM {model.family} data model.")
    if found.kind == "keyword":
        return Outcome(model.keywords[name], 0)
    if found.kind in ("bad_children", "bad_count"):
        code = codes.bad_children if found.kind == "bad_children" else codes.bad_count
        return _fail(code, f"{found.template} has no {name.rsplit('.', 1)[-1]}.")
    if found.indices and not _records_exist(store, found):
        return _fail(codes.get_failure, f"{name}: no record at that index yet (check _count first).")
    if found.kind == "children":
        return Outcome(",".join(found.children), 0)
    if found.kind == "count":
        return Outcome(str(store.count(fill(found.template, found.indices))), 0)
    return _read_element(store, codes, found)


def _records_exist(store: CmiStore, found: Resolved) -> bool:
    # For `_count`/`_children` of a nested collection the levels are those of the enclosing records.
    return store.exists(found)


def _read_element(store: CmiStore, codes: Codes, found: Resolved) -> Outcome:
    element = found.element
    if element is None or not element.implemented:
        return _fail(402 if codes is CODES_2004 else 401, f"{found.name} is not implemented.")
    if element.access == "WO":
        return _fail(codes.write_only, f"{found.name} is write-only.")
    if found.name == "cmi.completion_status":
        return Outcome(evaluated_completion(store), 0)
    if found.name == "cmi.success_status":
        return Outcome(evaluated_success(store), 0)
    value = store.get(found.name)
    if value is None:
        value = element.initial
    if value is None:
        if codes.not_initialized_value is None:
            return Outcome("", 0)
        return _fail(codes.not_initialized_value, f"{found.name} has not been set yet.")
    return Outcome(value, 0)


def set_value(model: DataModel, store: CmiStore, codes: Codes, name: str, value: str) -> Outcome:
    """SetValue of `name` to `value` (a string): "true" or the failure with its error code."""
    entry = model.setters.get(name)
    if entry is None or entry[0] is not codes:
        entry = (codes, _compile_setter(model, codes, name))
        if len(model.setters) >= _SETTER_LIMIT:
            model.setters.clear()  # hostile input (endless distinct names) must not grow memory without bound
        model.setters[name] = entry
    setter: Setter = entry[1]
    return setter(store, value)


# Every replayed SetValue of every commit lands here, so what depends on the element name alone (resolution,
# keyword/read-only refusals, the type's validator, vocabulary subset, dependency and collection positions) is
# worked out once per name and model; a call then checks only the value and the store's counts.
Setter = Callable[[CmiStore, str], Outcome]
_SETTER_LIMIT = 20_000
_TRUE = Outcome("true", 0)


def _compile_setter(model: DataModel, codes: Codes, name: str) -> Setter:
    if not name:
        return _refusal(codes.set_failure, "SetValue needs a data model element name.")
    found = resolve(model, name)
    if found.kind in ("keyword", "children", "count"):
        return _refusal(codes.keyword_set, f"{name} is a keyword and cannot be set.")
    if found.kind in ("bad_children", "bad_count") and model.family == "1.2":
        code = codes.bad_children if found.kind == "bad_children" else codes.bad_count
        return _refusal(code, f"{found.template} has no {name.rsplit('.', 1)[-1]}.")
    if found.kind != "element" or found.element is None:
        return _refusal(codes.undefined, f"{name} is not an element of the SCORM {model.family} data model.")
    if found.element.access == "RO":
        return _refusal(codes.read_only, f"{name} is read-only.")
    return _element_setter(codes, found, found.element)


def _refusal(code: int, diagnostic: str) -> Setter:
    refused = _fail(code, diagnostic)
    return lambda store, value: refused


def _element_setter(codes: Codes, found: Resolved, element: ElementDef) -> Setter:
    name, validate, type_name = found.name, element.type.validate, element.type.name
    settable = frozenset(element.settable) if element.settable is not None else None
    records = tuple(zip(found.levels, found.indices, strict=True))
    position = CmiStore.record_position(found)
    requires = fill(element.requires, found.indices) if element.requires else None
    collection = found.collection
    unique = collection is not None and collection.unique_identifier and found.template.endswith(".n.id")
    over_limit = (f"{name}: at most {collection.max_items} records are stored."
                  if collection is not None and found.indices and found.indices[-1] >= collection.max_items else "")

    def setter(store: CmiStore, value: str) -> Outcome:
        verdict = validate(value)
        if verdict == "ok" and settable is not None and value not in settable:
            verdict = "type"
        if verdict != "ok":
            code = codes.type if verdict == "type" else codes.range
            return _fail(code, f"{value[:80]!r} is not a valid {type_name} for {name}.")
        if records and not store.can_write(records):
            return _fail(codes.set_failure, f"{name}: records must be added in order; the next index is "
                         "the current _count.")
        if requires is not None and store.get(requires) is None:
            return _fail(codes.dependency, f"{requires} must be set before {name}.")
        if unique and not _identifier_free(store, position, name, value):
            return _fail(codes.set_failure, f"{name}: identifiers are unique and cannot change once set.")
        if over_limit:
            return _fail(codes.set_failure, over_limit)
        store.put(name, value, position)
        return _TRUE

    return setter


def _identifier_free(store: CmiStore, position: tuple[str, int] | None, name: str, value: str) -> bool:
    """An identifier may be set once and is not used by another record of its collection."""
    instance, index = position or ("", 0)
    other = store.find_identifier(instance, "id", value)
    current = store.get(name)
    return (other is None or other == index) and (current is None or current == value)
