"""Access-token values and their cache, keyed by (issuer, client_id, scopes).

LTI Advantage service tokens (1EdTech Security Framework 1.0 §4.1) are valid for ``expires_in`` seconds and
should be reused, not fetched per call. The key is the registration plus the scope set: hosted Canvas shares
one issuer among all customers, so the issuer alone would mix tenants (see shared/reference/lti.md).
:class:`TokenCache` is the protocol; :class:`InMemoryTokenCache` serves one process, and database or Redis
implementations live with the application.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol


class TokenKey(NamedTuple):
    """Cache key: one registration (issuer, client_id) and the exact set of scopes asked for."""

    issuer: str
    client_id: str
    scopes: frozenset[str]

    @classmethod
    def of(cls, issuer: str, client_id: str, scopes: Iterable[str]) -> TokenKey:
        return cls(issuer, client_id, frozenset(scopes))

    def as_string(self) -> str:
        """A stable string form for external caches (Redis keys, DB columns); scopes are hashed."""
        digest = hashlib.sha256(" ".join(sorted(self.scopes)).encode()).hexdigest()[:32]
        return f"lti-token:{self.issuer}|{self.client_id}|{digest}"


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token; ``expires_at`` is in epoch seconds. The value never appears in ``repr``."""

    value: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]
    token_type: str = "Bearer"

    def fresh(self, now: float, skew: float) -> bool:
        """True while the token is still usable ``skew`` seconds from ``now``."""
        return now + skew < self.expires_at


class TokenCache(Protocol):
    """Where access tokens live between calls. Implementations must be safe to share between threads."""

    def get(self, key: TokenKey) -> AccessToken | None:
        """The cached token for ``key``, or None (expired tokens may be returned; callers check)."""
        ...

    def set(self, key: TokenKey, token: AccessToken) -> None:
        """Store ``token``; it may be dropped once ``token.expires_at`` has passed."""
        ...

    def delete(self, key: TokenKey, token: AccessToken | None = None) -> None:
        """Forget the token for ``key`` (only if it is still ``token``, when given)."""
        ...


class InMemoryTokenCache:
    """A process-local :class:`TokenCache` (dict + lock) that drops tokens once they have expired."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._tokens: dict[TokenKey, AccessToken] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: TokenKey) -> AccessToken | None:
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.expires_at <= self._clock():
                del self._tokens[key]
                return None
            return token

    def set(self, key: TokenKey, token: AccessToken) -> None:
        with self._lock:
            self._tokens[key] = token

    def delete(self, key: TokenKey, token: AccessToken | None = None) -> None:
        with self._lock:
            if token is None or self._tokens.get(key) == token:
                self._tokens.pop(key, None)


class LayeredTokenCache:
    """A process-local memo in front of a shared :class:`TokenCache` (database, Redis), for one batch of calls.

    A sync makes hundreds of service calls with the same token: reading it back from the shared cache before
    each one costs a database round trip per page. Here the shared cache is read once per key, and written and
    deleted through, so other workers still see every token fetched and every token dropped after a 401. A
    token another worker dropped stays in use here until the platform refuses it (a 401: one refresh, which
    goes through :meth:`delete`, then one retry), exactly as it would for a token read just before the drop.
    """

    def __init__(self, shared: TokenCache, *, clock: Callable[[], float] = time.time) -> None:
        self.shared = shared
        self._memo = InMemoryTokenCache(clock=clock)

    def get(self, key: TokenKey) -> AccessToken | None:
        token = self._memo.get(key)
        if token is None:
            token = self.shared.get(key)
            if token is not None:
                self._memo.set(key, token)
        return token

    def set(self, key: TokenKey, token: AccessToken) -> None:
        self.shared.set(key, token)
        self._memo.set(key, token)

    def delete(self, key: TokenKey, token: AccessToken | None = None) -> None:
        self._memo.delete(key, token)
        self.shared.delete(key, token)
