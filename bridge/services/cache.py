"""A small key-value store with expiry on the database, shared by every worker and process.

Used for OIDC login state and nonces (single use: ``take`` deletes atomically) and platform JWKS fetch marks.
Service access tokens have their own cache (``bridge.services.service_tokens``: database, or Redis when
configured). The launch needs no Redis, so launches keep working while Redis is down.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import CacheEntry
from bridge.models.base import utcnow

# Dialects with INSERT … ON CONFLICT DO UPDATE; others take the portable SELECT-then-write path.
_UPSERTS: dict[str, Any] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
_TABLE = cast(Table, CacheEntry.__table__)


def _upsert_statement(insert: Any) -> Any:
    statement = insert(_TABLE).values(key=bindparam("key"), value=bindparam("value"), expires_at=bindparam("expires"))
    return statement.on_conflict_do_update(index_elements=[_TABLE.c.key],
                                           set_={"value": statement.excluded.value,
                                                 "expires_at": statement.excluded.expires_at})


# Built once (OIDC login and launch run these on every round trip).
_UPSERT_STATEMENTS = {name: _upsert_statement(insert) for name, insert in _UPSERTS.items()}
_TAKE = delete(_TABLE).where(_TABLE.c.key == bindparam("key")).returning(_TABLE.c.value, _TABLE.c.expires_at)


class KeyValueStore(Protocol):
    def get(self, key: str) -> Any | None: ...
    def set(self, key: str, value: Any, ttl: int) -> None: ...
    def take(self, key: str) -> Any | None: ...
    def delete(self, key: str) -> None: ...


class DbKeyValueStore:
    """KeyValueStore over the ``cache_entries`` table; each call commits its own short transaction."""

    def __init__(self, session: Session, *, now: datetime | None = None) -> None:
        self.session = session
        self._now = now

    def _clock(self) -> datetime:
        return self._now or utcnow()

    def _connection(self) -> Connection:
        """The session's connection; in autocommit when nothing else is in flight (a lone statement needs no
        BEGIN/COMMIT: on PostgreSQL one network round trip instead of three)."""
        if self.session.in_transaction():
            return self.session.connection()
        return self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    def get(self, key: str) -> Any | None:
        row = self.session.get(CacheEntry, key)
        if row is None or row.expires_at <= self._clock():
            return None
        return row.value.get("v")

    def set(self, key: str, value: Any, ttl: int) -> None:
        expires = self._clock() + timedelta(seconds=ttl)
        upsert = _UPSERT_STATEMENTS.get(self.session.get_bind().dialect.name)
        loaded = self.session.identity_map.get(Session.identity_key(CacheEntry, key))
        if upsert is not None and loaded is None:
            # One statement instead of SELECT + INSERT/UPDATE (OIDC state and nonce keys are always new).
            self._connection().execute(upsert, {"key": key, "value": {"v": value}, "expires": expires})
            self.session.commit()
            return
        row = loaded if loaded is not None else self.session.get(CacheEntry, key)
        if row is None:
            self.session.add(CacheEntry(key=key, value={"v": value}, expires_at=expires))
        else:
            row.value, row.expires_at = {"v": value}, expires
        try:
            self.session.commit()
        except IntegrityError:
            # Another worker wrote the same key first; last writer wins.
            self.session.rollback()
            self.session.merge(CacheEntry(key=key, value={"v": value}, expires_at=expires))
            self.session.commit()

    def take(self, key: str) -> Any | None:
        """Return the value and delete it, atomically: only one caller ever gets a given value."""
        if self.session.get_bind().dialect.delete_returning:
            # One statement: only the caller whose DELETE removed the row gets its value back.
            taken = self._connection().execute(_TAKE, {"key": key}).first()
            self.session.commit()
            if taken is None or taken.expires_at <= self._clock():
                return None
            return taken.value.get("v")
        row = self.session.execute(select(CacheEntry.value, CacheEntry.expires_at).where(CacheEntry.key == key)).first()
        if row is None:
            return None
        deleted = self.session.execute(delete(CacheEntry).where(CacheEntry.key == key)).rowcount  # type: ignore[attr-defined]
        self.session.commit()
        if deleted != 1 or row.expires_at <= self._clock():
            return None
        return row.value.get("v")

    def delete(self, key: str) -> None:
        self.session.execute(delete(CacheEntry).where(CacheEntry.key == key))
        self.session.commit()

    def purge_expired(self) -> int:
        count = self.session.execute(delete(CacheEntry).where(CacheEntry.expires_at <= self._clock())).rowcount  # type: ignore[attr-defined]
        self.session.commit()
        return int(count or 0)
