"""Base for LTI Advantage service connectors (AGS 2.0, NRPS 2.0): bearer tokens, refresh-once, payloads.

Every service call carries ``Authorization: Bearer <token>`` (1EdTech Security Framework 1.0 §4.1 and
RFC 6750 §2.1). The token comes from a :class:`~connectors.lti_token.TokenSource`; a 401 from the service
invalidates it and the call is repeated once with a new token (``AccessTokenClient.call_with_token``).
The payload helpers turn the services' JSON objects into typed records; a field that is missing or of the
wrong type raises :class:`PayloadError`, which the connector reports as ``ConnectorBadResponse``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from connectors.http import HttpConnector
from connectors.lti_token import TokenSource

T = TypeVar("T")


class PayloadError(ValueError):
    """A service answered JSON that does not have the shape the specification requires."""


class LtiServiceConnector(HttpConnector):
    """An :class:`HttpConnector` authorised by LTI service tokens for ``scopes``.

    ``scopes`` defaults to the class's ``SCOPES``; pass the scopes the platform granted in the launch's
    service claim, since asking for a scope the registration lacks makes some platforms refuse the token.
    """

    SCOPES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, tokens: TokenSource, *, scopes: Iterable[str] | None = None, **http: Any) -> None:
        super().__init__(**http)
        self.tokens = tokens
        self.scopes = frozenset(scopes) if scopes is not None else self.SCOPES

    def authorize(self, send: Callable[[Mapping[str, str]], T]) -> T:
        return self.tokens.call_with_token(
            self.scopes, lambda token: send({"Authorization": f"Bearer {token}"})
        )

    def parse(self, url: str, parser: Callable[[Any], T], data: Any) -> T:
        """Apply ``parser`` to a decoded answer from ``url``; shape errors become ``ConnectorBadResponse``."""
        try:
            return parser(data)
        except PayloadError as err:
            raise self.bad_response(url, str(err)) from err


def as_object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise PayloadError(f"{what} is not a JSON object")
    return data


def as_list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise PayloadError(f"{what} is not a JSON array")
    return data


def required_str(data: Mapping[str, Any], key: str) -> str:
    """A non-empty string (a number is accepted and converted: Moodle sends some ids unquoted)."""
    value = optional_str(data, key)
    if value is None or value == "":
        raise PayloadError(f"missing field {key!r}")
    return value


def optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"field {key!r} is not a string")


def optional_number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"field {key!r} is not a number")
    return float(value)


def optional_datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or offset), or None when absent or empty."""
    value = optional_str(data, key)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as err:
        raise PayloadError(f"field {key!r} is not an ISO 8601 date-time") from err
