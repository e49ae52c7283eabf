"""Job leases in the database: only one process runs a given job at a time, on SQLite and PostgreSQL.

``acquire`` is one INSERT (the primary key refuses a second holder) or, when the row exists, one conditional
UPDATE that takes the lease only if it expired or is already ours; both are single statements, so two
processes racing for the same job cannot both win. Each call commits on its own short-lived session, never
on the job's session, so a lease is visible to others at once and is not rolled back with the job's work.
A holder renews its lease while it works (``renew``); a holder that dies stops renewing and the lease
expires after ``ttl`` seconds, when another process may take the job over (and resume it).
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bridge.models import JobLock
from bridge.models.base import utcnow


def new_owner() -> str:
    """A holder name unique to this process and call: ``host:pid:random`` (ids only, nothing personal)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


def acquire(sessions: sessionmaker[Session], name: str, owner: str, *, ttl: float) -> bool:
    """Take the lease ``name`` for ``ttl`` seconds; False when someone else holds an unexpired one."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    with sessions() as session:
        try:
            session.add(JobLock(name=name, owner=owner, acquired_at=now, expires_at=expires))
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
        taken = session.execute(
            update(JobLock).where(JobLock.name == name, (JobLock.expires_at <= now) | (JobLock.owner == owner))
            .values(owner=owner, acquired_at=now, expires_at=expires).execution_options(synchronize_session=False))
        session.commit()
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def renew(sessions: sessionmaker[Session], name: str, owner: str, *, ttl: float) -> bool:
    """Extend our lease; False when it was lost (expired and taken by another process)."""
    with sessions() as session:
        renewed = session.execute(
            update(JobLock).where(JobLock.name == name, JobLock.owner == owner)
            .values(expires_at=utcnow() + timedelta(seconds=ttl)).execution_options(synchronize_session=False))
        session.commit()
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


def release(sessions: sessionmaker[Session], name: str, owner: str) -> None:
    """Give the lease back (only if it is still ours)."""
    with sessions() as session:
        session.execute(delete(JobLock).where(JobLock.name == name, JobLock.owner == owner)
                        .execution_options(synchronize_session=False))
        session.commit()


def other_partition_held(sessions: sessionmaker[Session], whole: str, mine: str) -> bool:
    """True when a lease over the same work cut differently is held: ``whole`` or one of its ``whole:shard:k/n``.

    A job split into shards takes one lease per shard (``issuance:course:12:shard:0/4``); a run of the whole
    (``issuance:course:12``) or of another cut (``…/2``) covers the same items. Checked *after* taking our own
    lease, so of two racers with different cuts at least one sees the other (both may back off and retry).
    """
    cut = mine.rsplit("/", 1)[-1] if mine != whole else ""
    with sessions() as session:
        names = session.scalars(select(JobLock.name).where(
            (JobLock.name == whole) | JobLock.name.startswith(f"{whole}:shard:", autoescape=True),
            JobLock.expires_at > utcnow()))
        return any(name != mine and (name.rsplit("/", 1)[-1] if name != whole else "") != cut for name in names)
