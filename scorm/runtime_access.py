"""GetValue and SetValue against the declarative data model, with the error code of each failure.

SCORM 1.2 RTE 3.3 (LMSGetValue/LMSSetValue and error codes 201–405) and SCORM 2004 RTE 3.1.7 and
4.1 (GetValue/SetValue; 301, 351, 401–408). The two versions share one algorithm; `Codes` holds the
version-specific numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from scorm.datamodel import DataModel, Resolved, resolve
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
    if not name:
        return _fail(codes.set_failure, "SetValue needs a data model element name.")
    found = resolve(model, name)
    if found.kind in ("keyword", "children", "count"):
        return _fail(codes.keyword_set, f"{name} is a keyword and cannot be set.")
    if found.kind in ("bad_children", "bad_count") and model.family == "1.2":
        code = codes.bad_children if found.kind == "bad_children" else codes.bad_count
        return _fail(code, f"{found.template} has no {name.rsplit('.', 1)[-1]}.")
    if found.kind != "element" or found.element is None:
        return _fail(codes.undefined, f"{name} is not an element of the SCORM {model.family} data model.")
    element = found.element
    if element.access == "RO":
        return _fail(codes.read_only, f"{name} is read-only.")
    verdict = element.type.validate(value)
    if verdict == "ok" and element.settable is not None and value not in element.settable:
        verdict = "type"
    if verdict != "ok":
        code = codes.type if verdict == "type" else codes.range
        return _fail(code, f"{value[:80]!r} is not a valid {element.type.name} for {name}.")
    return _write(store, codes, found, value)


def _write(store: CmiStore, codes: Codes, found: Resolved, value: str) -> Outcome:
    if found.indices and not store.can_write(found):
        return _fail(codes.set_failure, f"{found.name}: records must be added in order; the next index is "
                     "the current _count.")
    requires = found.element.requires if found.element else None
    if requires and store.get(fill(requires, found.indices)) is None:
        return _fail(codes.dependency, f"{fill(requires, found.indices)} must be set before {found.name}.")
    collection = found.collection
    if collection is not None and collection.unique_identifier and found.template.endswith(".n.id"):
        instance, index = store.record_position(found) or ("", 0)
        other = store.find_identifier(instance, "id", value)
        current = store.get(found.name)
        if (other is not None and other != index) or (current is not None and current != value):
            return _fail(codes.set_failure, f"{found.name}: identifiers are unique and cannot change once set.")
    if collection is not None and found.indices and found.indices[-1] >= collection.max_items:
        return _fail(codes.set_failure, f"{found.name}: at most {collection.max_items} records are stored.")
    store.put(found, value)
    return Outcome("true", 0)
