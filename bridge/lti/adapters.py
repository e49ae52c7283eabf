"""Glue between pylti1p3 and our storage: request, cookies and the DB-backed launch-data storage.

pylti1p3's own Flask adapters read Flask globals and keep launch data in the Flask session (one
process, needs cookies); these take plain values so the same launch works across workers and without
third-party cookies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request

from bridge.services.cache import KeyValueStore


class LaunchRequest(Request):
    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], *, secure: bool) -> None:
        self._params = params
        self._cookies = cookies
        self._secure = secure

    @property
    def session(self) -> None:
        return None

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> str:
        return self._params.get(key) or ""

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)


class CollectingCookieService(CookieService):
    """Records cookies to set; the view copies them onto the response (SameSite=None; Secure over TLS)."""

    def __init__(self, request: LaunchRequest) -> None:
        self._request = request
        self.to_set: dict[str, tuple[str, int | None]] = {}

    def _key(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._key(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set[self._key(name)] = (str(value), exp)


class UrlRedirect(Redirect[str]):
    def __init__(self, location: str) -> None:
        self._location = location

    def do_redirect(self) -> str:
        return self._location

    def do_js_redirect(self) -> str:
        return self._location

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class StoreLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3 launch-data storage over our KeyValueStore (the database table ``cache_entries``).

    No per-browser session id: state and nonce values are random and unguessable, so keys need no
    cookie-bound namespace — which is what lets a launch complete without cookies. The nonce travels inside the
    state record, which the launch takes (reads and deletes atomically), so both are single use.
    """

    _session_cookie_name = ""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._store.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._store.set(self._prepare_key(key), value, exp or 600)

    def check_value(self, key: str) -> bool:
        return self._store.get(self._prepare_key(key)) is not None

    def take_value(self, key: str) -> Any:
        """Read and delete atomically: a login state can be used by one launch only."""
        return self._store.take(self._prepare_key(key))
