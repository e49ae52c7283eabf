"""LTI Advantage service access tokens: client_credentials with a JWT client assertion.

Implements 1EdTech Security Framework 1.0 §4.1 ("Using JSON Web Tokens with OAuth 2.0 Client Credentials
Grant") on RFC 7523 §2.2/§3: the tool POSTs ``grant_type=client_credentials``,
``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``, a ``client_assertion``
signed RS256 by the tool key (``iss`` = ``sub`` = client_id, ``aud`` = token URL or the platform's audience,
``iat``, ``exp`` ≤ 5 minutes, random ``jti``) and the space-separated ``scope``. The answer is RFC 6749 §5.1
JSON (``access_token``, ``token_type`` Bearer, ``expires_in``, ``scope``); errors are §5.2 JSON.
Tokens are cached per (issuer, client_id, scopes) and concurrent callers share one fetch.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import jwt

from connectors import errors
from connectors.http import HttpConnector
from connectors.token_cache import AccessToken, InMemoryTokenCache, TokenCache, TokenKey

T = TypeVar("T")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
BRIGHTSPACE_TOKEN_AUDIENCE = "https://api.brightspace.com/auth/token"
MAX_ASSERTION_LIFETIME = 300
DEFAULT_EXPIRES_IN = 3600.0


class Signer(Protocol):
    """Signs the client assertion with the tool's private key (its ``kid`` goes in the JWT header)."""

    def sign(self, claims: Mapping[str, Any]) -> str:
        """Return the compact JWS (RS256) of ``claims``."""
        ...


@dataclass(frozen=True, slots=True)
class PemSigner:
    """A :class:`Signer` from a PEM private key and its key id, as published in the tool's JWKS."""

    kid: str
    private_key_pem: str | bytes = field(repr=False)
    algorithm: str = "RS256"

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self.private_key_pem, algorithm=self.algorithm,
                          headers={"kid": self.kid, "typ": "JWT"})


@dataclass(frozen=True, slots=True)
class TokenEndpoint:
    """Where and as whom to ask: a registration's issuer, client_id and token URL.

    ``audience`` overrides the assertion's ``aud`` (Brightspace: :data:`BRIGHTSPACE_TOKEN_AUDIENCE`).
    """

    issuer: str
    client_id: str
    token_url: str
    audience: str | None = None


class TokenSource(Protocol):
    """What service connectors need: run ``fn(token)``, refreshing the token once on a 401."""

    def call_with_token(self, scopes: Iterable[str], fn: Callable[[str], T]) -> T: ...


class AccessTokenClient(HttpConnector):
    """Fetches, caches and refreshes service tokens for one registration (a :class:`TokenSource`)."""

    name = "lti-token"
    DEFAULT_HEADERS = {"Accept": "application/json"}

    def __init__(
        self,
        endpoint: TokenEndpoint,
        signer: Signer,
        *,
        cache: TokenCache | None = None,
        skew: float = 60.0,
        assertion_lifetime: int = MAX_ASSERTION_LIFETIME,
        clock: Callable[[], float] = time.time,
        **http: Any,
    ) -> None:
        super().__init__(**http)
        if not 0 < assertion_lifetime <= MAX_ASSERTION_LIFETIME:
            raise ValueError(f"assertion_lifetime must be 1..{MAX_ASSERTION_LIFETIME} seconds")
        self.endpoint, self._signer = endpoint, signer
        self.cache: TokenCache = cache if cache is not None else InMemoryTokenCache(clock=clock)
        self.skew, self.assertion_lifetime, self._clock = skew, assertion_lifetime, clock
        self._locks: dict[TokenKey, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def key(self, scopes: Iterable[str]) -> TokenKey:
        return TokenKey.of(self.endpoint.issuer, self.endpoint.client_id, scopes)

    def get_token(self, scopes: Iterable[str]) -> AccessToken:
        """A token for ``scopes``: the cached one while fresh, else one fetch shared by concurrent callers."""
        key = self.key(scopes)
        cached = self.cache.get(key)
        if cached is not None and cached.fresh(self._clock(), self.skew):
            return cached
        with self._lock_for(key):
            cached = self.cache.get(key)  # another thread may have fetched it while we waited
            if cached is not None and cached.fresh(self._clock(), self.skew):
                return cached
            token = self._fetch(key.scopes)
            self.cache.set(key, token)
            return token

    def invalidate(self, scopes: Iterable[str], token: AccessToken | None = None) -> None:
        """Drop the cached token (only if it is still ``token``, so a fresh one fetched meanwhile stays)."""
        self.cache.delete(self.key(scopes), token)

    def call_with_token(self, scopes: Iterable[str], fn: Callable[[str], T]) -> T:
        """Call ``fn(token_value)``; on a 401 from the service, fetch a new token and call it once more."""
        scope_set = frozenset(scopes)
        token = self.get_token(scope_set)
        try:
            return fn(token.value)
        except errors.ConnectorAuthError as err:
            if err.status != 401:
                raise
            self.invalidate(scope_set, token)
        return fn(self.get_token(scope_set).value)

    def client_assertion(self) -> str:
        """A fresh signed client assertion (RFC 7523 §3; Security Framework §4.1)."""
        now = int(self._clock())
        return self._signer.sign({
            "iss": self.endpoint.client_id,
            "sub": self.endpoint.client_id,
            "aud": self.endpoint.audience or self.endpoint.token_url,
            "iat": now,
            "exp": now + self.assertion_lifetime,
            "jti": secrets.token_urlsafe(24),
        })

    def _lock_for(self, key: TokenKey) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _fetch(self, scopes: frozenset[str]) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self.client_assertion(),
            "scope": " ".join(sorted(scopes)),
        }
        url = self.endpoint.token_url
        try:
            data, result = self.request_json("POST", url, accept="application/json", data=form)
        except (errors.ConnectorRequestError, errors.ConnectorAuthError) as err:
            raise self._token_error(err) from err
        return self._parse_token(data, scopes, url)

    def _token_error(self, err: errors.ConnectorError) -> errors.ConnectorAuthError:
        code = "unknown error"
        if err.response is not None:
            try:
                code = str(err.response.json().get("error", code))
            except (ValueError, AttributeError):
                pass
        return errors.ConnectorAuthError(self.name, err.url, f"token request refused: {code}",
                                         status=err.status, response=err.response)

    def _parse_token(self, data: Any, asked: frozenset[str], url: str) -> AccessToken:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) \
                or not data["access_token"]:
            raise self.bad_response(url, "token answer has no access_token")
        if str(data.get("token_type", "Bearer")).lower() != "bearer":
            raise self.bad_response(url, "token answer is not a Bearer token")
        expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN)
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
            raise self.bad_response(url, "token answer has an invalid expires_in")
        granted = data.get("scope")
        scopes = frozenset(granted.split()) if isinstance(granted, str) and granted.strip() else asked
        return AccessToken(value=data["access_token"], expires_at=self._clock() + float(expires_in),
                           scopes=scopes)
