"""JSON Schema validation of Open Badges 3.0 credentials.

Implements Open Badges 3.0 §B.1 "JSON Schema" for ``AchievementCredential`` /
``OpenBadgeCredential``, with the bundled 1EdTech schema (draft 2019-09).  That schema wants
``proof`` as an array, so a single proof is wrapped before validating (the credential itself
is not changed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

from credentials.errors import SchemaError

OB3_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


@cache
def _validator(name: str) -> Draft201909Validator:
    try:
        text = (resources.files("credentials") / "data" / "schemas" / name).read_text(encoding="utf-8")
        schema = json.loads(text)
    except (OSError, ValueError) as err:
        raise SchemaError(f"the bundled schema {name!r} cannot be read") from err
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def is_open_badge(credential: Mapping[str, Any]) -> bool:
    """True when the credential's type names an Open Badges 3.0 credential."""
    types = credential.get("type")
    return bool(OB3_TYPES & set(types if isinstance(types, list) else [types]))


def ob3_schema_errors(credential: Mapping[str, Any]) -> list[str]:
    """Every way ``credential`` breaks the OB 3.0 AchievementCredential schema (empty when valid).

    Validation is a pure function of the credential's JSON, so the answer for a credential seen
    recently (a shared credential verified again and again) is remembered, keyed by its content.
    """
    instance = dict(credential)
    if isinstance(instance.get("proof"), Mapping):
        instance["proof"] = [instance["proof"]]
    try:
        key = json.dumps(instance, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON: validate without remembering
        return _errors(instance)
    found = _RECENT.get(key)
    if found is None:
        if len(_RECENT) >= _RECENT_SIZE:
            _RECENT.clear()
        _RECENT[key] = found = tuple(_errors(instance))
    return list(found)


_RECENT: dict[str, tuple[str, ...]] = {}
_RECENT_SIZE = 512


def _errors(instance: Mapping[str, Any]) -> list[str]:
    errors = sorted(_validator(OB3_SCHEMA).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}" for error in errors]
