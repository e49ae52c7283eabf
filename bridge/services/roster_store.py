"""Storing a roster page (NRPS 2.0 members) and the users a sync meets: bulk statements, no unit of work.

Part of the course sync (``bridge.services.sync``), which owns the transaction and the resume point: these
functions only write a page's users and memberships, as idempotent upserts. Users are keyed by (registration,
``sub``); their personal fields (name, e-mail) are stored only when the platform sent them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bridge.models import Course, LmsUser, Membership
from bridge.models.base import utcnow
from bridge.services.bulk import driver_statement
from connectors.lti_nrps import Member

if TYPE_CHECKING:
    from bridge.services.sync import SyncReport

USERS: Table = LmsUser.__table__  # type: ignore[assignment]
MEMBERSHIPS: Table = Membership.__table__  # type: ignore[assignment]
# Built once (bulk lookups by a page's keys): no statement construction or per-key coercion per page.
_USERS_BY_SUB = select(USERS.c.sub, USERS.c.id).where(USERS.c.registration_id == bindparam("registration"),
                                                      USERS.c.sub.in_(bindparam("subs", expanding=True)))


def _user_insert() -> tuple[Any, Sequence[str], Table]:
    return insert(USERS), ("registration_id", "sub", *_PERSONAL, "updated_at"), USERS


def _membership_insert() -> tuple[Any, Sequence[str], Table]:
    return insert(MEMBERSHIPS), ("course_id", "user_id", "roles", "status", "updated_at"), MEMBERSHIPS


_MEMBERSHIPS_BY_USER = select(MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.id).where(
    MEMBERSHIPS.c.course_id == bindparam("course"), MEMBERSHIPS.c.user_id.in_(bindparam("users", expanding=True)))
_PERSONAL = ("name", "given_name", "family_name", "email")


def _personal(member: Member) -> dict[str, str]:
    """The personal fields the platform sent (a platform withholding them must not erase what a launch told us)."""
    return {key: value[:320] for key in _PERSONAL if (value := getattr(member, key))}


def ensure_users(session: Session, registration_id: int, subs: Iterable[str], report: SyncReport,
                 known: dict[str, int], personal: Mapping[str, Mapping[str, str]] | None = None, *,
                 insert_first: bool = False) -> set[str]:
    """Fill ``known`` (sub -> pk) with these ``subs``, creating the missing users; returns the subs created.

    Subs already in ``known`` cost nothing; the others take one query, and the missing ones one bulk insert
    (with their ``personal`` fields) and one query for their keys. ``insert_first`` (a roster page, whose
    members are mostly new on a first sync): one INSERT … ON CONFLICT DO NOTHING RETURNING instead, and a
    query only for the users that existed.
    """
    wanted = [sub for sub in dict.fromkeys(subs) if sub not in known]
    if not wanted:
        return set()
    dialect = session.get_bind().dialect.name
    if insert_first and dialect in _INSERT_IGNORING:
        return _insert_users_first(session, registration_id, wanted, report, known, personal or {}, dialect)
    rows = session.execute(_USERS_BY_SUB, {"registration": registration_id, "subs": wanted})
    known.update({sub: pk for sub, pk in rows})
    missing = [sub for sub in wanted if sub not in known]
    if missing:
        extra, now = personal or {}, utcnow()
        new_rows = [{"registration_id": registration_id, "sub": sub, **{key: None for key in _PERSONAL},
                     "updated_at": now, **extra.get(sub, {})} for sub in missing]
        connection = session.connection()
        driver_statement(connection, "sync:users", _user_insert).executemany(connection, new_rows)
        known.update({sub: pk for sub, pk in session.execute(
            _USERS_BY_SUB, {"registration": registration_id, "subs": missing})})
        report.users_created += len(missing)
    return set(missing)


_INSERT_IGNORING = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def _user_insert_first(dialect: str = "sqlite") -> tuple[Any, Sequence[str], Table]:
    """INSERT of users skipping those that exist, returning (sub, id) of the ones inserted."""
    dialect_insert: Any = _INSERT_IGNORING[dialect]
    statement = dialect_insert(USERS).on_conflict_do_nothing(
        index_elements=[USERS.c.registration_id, USERS.c.sub]).returning(USERS.c.sub, USERS.c.id)
    return statement, ("registration_id", "sub", *_PERSONAL, "updated_at"), USERS


def _insert_users_first(session: Session, registration_id: int, wanted: Sequence[str], report: SyncReport,
                        known: dict[str, int], personal: Mapping[str, Mapping[str, str]], dialect: str) -> set[str]:
    now = utcnow()
    rows = [{"registration_id": registration_id, "sub": sub, **dict.fromkeys(_PERSONAL), "updated_at": now,
             **personal.get(sub, {})} for sub in wanted]
    if dialect == "sqlite":  # one multi-row statement, rows handed to the driver as they are
        connection = session.connection()
        returned = driver_statement(connection, "sync:users-first", _user_insert_first).fetch_all(connection, rows)
    else:
        returned = list(session.execute(_user_insert_first(dialect)[0], rows))
    created: dict[str, int] = {sub: pk for sub, pk in returned}
    known.update(created)
    existing = [sub for sub in wanted if sub not in created]
    if existing:
        known.update({sub: pk for sub, pk in session.execute(
            _USERS_BY_SUB, {"registration": registration_id, "subs": existing})})
    report.users_created += len(created)
    return set(created)


def store_members(session: Session, course: Course, members: Sequence[Member], report: SyncReport,
                  users: dict[str, int]) -> None:
    personal = {m.user_id: fields for m in members if (fields := _personal(m))}
    created = ensure_users(session, course.registration_id, [m.user_id for m in members], report, users,
                           personal, insert_first=True)
    # Users created just now got their personal fields in the insert; the others are updated if any were sent.
    updates = [{"id": users[sub], **fields} for sub, fields in personal.items() if sub not in created]
    for keys in {tuple(sorted(row)) for row in updates}:  # one executemany per set of columns sent
        session.execute(update(LmsUser), [row for row in updates if tuple(sorted(row)) == keys])
    # A user created in this page has no membership yet: look up only the others.
    older = list({users[m.user_id] for m in members if m.user_id not in created})
    existing: dict[int, int] = {}
    if older:
        existing = {user_pk: pk for user_pk, pk in session.execute(
            _MEMBERSHIPS_BY_USER, {"course": course.id, "users": older})}
    new_rows, changed, now = [], [], utcnow()
    for member in members:
        values = {"roles": list(member.roles), "status": str(member.status)}
        user_pk = users[member.user_id]
        if user_pk in existing:
            changed.append({"id": existing[user_pk], **values})
        else:
            existing[user_pk] = -1  # a member listed twice in one page is inserted once
            new_rows.append({"course_id": course.id, "user_id": user_pk, "updated_at": now, **values})
        report.deleted += member.status == "Deleted"
    if new_rows:
        connection = session.connection()
        driver_statement(connection, "sync:memberships", _membership_insert).executemany(connection, new_rows)
    if changed:
        session.execute(update(Membership), changed)
    report.members += len(members)
