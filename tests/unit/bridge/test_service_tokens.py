"""The database token cache: shared across sessions, keyed by (issuer, client_id, scopes), compare-and-delete."""

from __future__ import annotations

import time
from pathlib import Path

from bridge.db import Database
from bridge.services.service_tokens import DbTokenCache, token_cache
from connectors.token_cache import AccessToken, TokenKey


def _db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'cache.sqlite'}")
    db.upgrade()
    return db


def test_tokens_are_shared_and_keyed_by_registration_and_scopes(tmp_path: Path) -> None:
    db = _db(tmp_path)
    token = AccessToken("secret", time.time() + 600, frozenset({"a", "b"}))
    DbTokenCache(db.sessionmaker).set(TokenKey.of("https://canvas", "client-1", {"a", "b"}), token)
    other = DbTokenCache(db.sessionmaker)  # another worker
    assert other.get(TokenKey.of("https://canvas", "client-1", {"b", "a"})) == token
    assert other.get(TokenKey.of("https://canvas", "client-2", {"a", "b"})) is None  # same issuer, other tenant
    assert other.get(TokenKey.of("https://canvas", "client-1", {"a"})) is None
    db.dispose()


def test_delete_keeps_a_token_refreshed_meanwhile(tmp_path: Path) -> None:
    db = _db(tmp_path)
    cache, key = DbTokenCache(db.sessionmaker), TokenKey.of("iss", "cid", {"s"})
    old = AccessToken("old", time.time() + 600, frozenset({"s"}))
    new = AccessToken("new", time.time() + 600, frozenset({"s"}))
    cache.set(key, new)
    cache.delete(key, old)
    assert cache.get(key) == new
    cache.delete(key, new)
    assert cache.get(key) is None
    db.dispose()


def test_without_the_redis_package_the_database_is_used(tmp_path: Path) -> None:
    db = _db(tmp_path)
    import importlib.util

    if importlib.util.find_spec("redis") is None:
        assert isinstance(token_cache(db.sessionmaker, "redis://localhost:6379/0"), DbTokenCache)
    assert isinstance(token_cache(db.sessionmaker, None), DbTokenCache)
    db.dispose()
