"""Fetches tools' JWKS over HTTP, caches them, and re-fetches once when a `kid` is unknown."""

from __future__ import annotations

import threading
from typing import Any

import jwt
import requests

from .errors import ToolKeyError

TIMEOUT = (3.05, 10.0)  # connect, read (seconds)


class ToolKeys:
    """A small JWKS cache keyed by jwks_uri, sharing one `requests.Session`."""

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = "credential-bridge-sandbox/0.1"
        self._cache: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def key_for(self, jwks_uri: str, kid: str | None) -> Any:
        """The public key with `kid` (or the only key when no kid is given) from the tool's JWKS."""
        with self._lock:
            cached = self._cache.get(jwks_uri)
        found = _pick(cached, kid) if cached is not None else None
        if found is None:  # first use, or the tool rotated its keys: fetch once more
            found = _pick(self._fetch(jwks_uri), kid)
        if found is None:
            raise ToolKeyError(f"no key with kid {kid!r} in the tool's JWKS at {jwks_uri}")
        try:
            return jwt.PyJWK(found).key
        except jwt.PyJWTError as err:
            raise ToolKeyError(f"unusable key in the tool's JWKS: {err}") from err

    def _fetch(self, jwks_uri: str) -> list[dict[str, Any]]:
        try:
            response = self.session.get(jwks_uri, timeout=TIMEOUT)
            response.raise_for_status()
            keys = response.json()["keys"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as err:
            raise ToolKeyError(f"could not fetch the tool's JWKS from {jwks_uri}: {err}") from err
        if not isinstance(keys, list):
            raise ToolKeyError(f"the JWKS at {jwks_uri} has no key list")
        with self._lock:
            self._cache[jwks_uri] = keys
        return keys


def _pick(keys: list[dict[str, Any]], kid: str | None) -> dict[str, Any] | None:
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((k for k in keys if k.get("kid") == kid), None)
