"""LTI service access tokens shared between workers: a database cache, a Redis cache, and the client factory.

Tokens are cached per (issuer, client_id, scope set) (``connectors.token_cache.TokenKey``) until shortly
before expiry, so a scheduled sync and a grade pass-back running in different processes share one token.
The database cache uses its own short sessions: a token fetched in the middle of a sync page must never
commit (or roll back) that page's writes.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bridge.models import Registration
from bridge.services.cache import DbKeyValueStore
from bridge.services.keys import signing_key
from bridge.services.secrets_box import SecretBox
from connectors.lti_token import AccessTokenClient, PemSigner, TokenEndpoint
from connectors.token_cache import AccessToken, TokenCache, TokenKey

log = logging.getLogger("bridge.service_tokens")


def _encode(token: AccessToken) -> dict[str, Any]:
    return {"value": token.value, "expires_at": token.expires_at, "scopes": sorted(token.scopes),
            "token_type": token.token_type}


def _decode(data: Any) -> AccessToken | None:
    if not isinstance(data, dict):
        return None
    try:
        return AccessToken(value=str(data["value"]), expires_at=float(data["expires_at"]),
                           scopes=frozenset(data["scopes"]), token_type=str(data.get("token_type", "Bearer")))
    except (KeyError, TypeError, ValueError):
        return None


def _ttl(token: AccessToken, now: float) -> int:
    return max(1, math.ceil(token.expires_at - now))


class DbTokenCache:
    """A :class:`~connectors.token_cache.TokenCache` on the ``cache_entries`` table (one session per call)."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Callable[[], float] = time.time) -> None:
        self._sessions, self._clock = sessions, clock

    def get(self, key: TokenKey) -> AccessToken | None:
        with self._sessions() as session:
            return _decode(DbKeyValueStore(session).get(key.as_string()))

    def set(self, key: TokenKey, token: AccessToken) -> None:
        try:
            with self._sessions() as session:
                DbKeyValueStore(session).set(key.as_string(), _encode(token), _ttl(token, self._clock()))
        except OperationalError:
            # Caching is an optimisation: a busy database (SQLite write lock) must not fail the service call.
            log.warning("access token not cached: the database is busy")

    def delete(self, key: TokenKey, token: AccessToken | None = None) -> None:
        with self._sessions() as session:
            store = DbKeyValueStore(session)
            if token is not None and _decode(store.get(key.as_string())) != token:
                return  # a fresh token was stored meanwhile: keep it
            store.delete(key.as_string())


# Compare-and-delete in one step, so a token refreshed by another worker is never dropped.
_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisTokenCache:
    """A :class:`~connectors.token_cache.TokenCache` on Redis; entries expire with the token."""

    def __init__(self, client: Any, *, clock: Callable[[], float] = time.time) -> None:
        self._redis, self._clock = client, clock

    def get(self, key: TokenKey) -> AccessToken | None:
        raw = self._redis.get(key.as_string())
        return _decode(json.loads(raw)) if raw else None

    def set(self, key: TokenKey, token: AccessToken) -> None:
        self._redis.set(key.as_string(), json.dumps(_encode(token)), ex=_ttl(token, self._clock()))

    def delete(self, key: TokenKey, token: AccessToken | None = None) -> None:
        if token is None:
            self._redis.delete(key.as_string())
        else:
            self._redis.eval(_DELETE_IF, 1, key.as_string(), json.dumps(_encode(token)))


def token_cache(sessions: sessionmaker[Session], redis_url: str | None = None) -> TokenCache:
    """Redis when ``redis_url`` is set and the ``redis`` package is installed, else the database."""
    if redis_url and importlib.util.find_spec("redis") is not None:
        import redis

        return RedisTokenCache(redis.Redis.from_url(redis_url))
    return DbTokenCache(sessions)


def token_endpoint(registration: Registration) -> TokenEndpoint:
    return TokenEndpoint(issuer=registration.issuer, client_id=registration.client_id,
                         token_url=registration.auth_token_url, audience=registration.auth_token_audience or None)


def access_token_client(
    session: Session,
    box: SecretBox,
    registration: Registration,
    *,
    cache: TokenCache,
    http: requests.Session | None = None,
    **options: Any,
) -> AccessTokenClient:
    """An :class:`AccessTokenClient` for ``registration``, signing with the tool's active key."""
    key = signing_key(session, box)
    signer = PemSigner(kid=key.kid, private_key_pem=key.private_pem, algorithm=key.alg)
    return AccessTokenClient(token_endpoint(registration), signer, cache=cache, session=http, **options)
