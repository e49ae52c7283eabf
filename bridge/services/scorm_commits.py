"""The run-time commit path: one SELECT, the replay, one UPDATE, one commit (SCORM 1.2 RTE 3.3 LMSCommit;
SCORM 2004 RTE 3.1.4.4 Commit — "the LMS persists all data set since the last commit").

Every open SCO posts its batches here every few seconds, so this path skips the ORM's unit of work:
it reads the attempt row (with the learner and the package folder it needs) in one joined SELECT —
``FOR UPDATE`` on PostgreSQL, so concurrent posts of one attempt queue up — replays the calls through
``scorm.runtime`` exactly as ``scorm_attempts.apply_batches`` does, and writes the SCO states back in one
UPDATE guarded by the row version (``ScormAttempt.commits``, the same optimistic lock the ORM uses), all in
one transaction, with the interaction values the calls set appended to their journal in one statement
(``scorm_interactions``). Batches that end a session (Terminate / LMSFinish) are not taken here: they roll the attempt
up into progress facts, grades and awards, which is ORM work (``scorm_attempts.apply_batches``).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Dialect, Engine, PoolProxiedConnection, Table, bindparam, insert, select, update

from bridge.models import LmsUser, ScormActivity, ScormAttempt, ScormPackage
from bridge.models.base import utcnow
from bridge.models.scorm import ScormInteractionLog
from bridge.services.packages import Storage, find_sco, manifest_at
from bridge.services.scorm_attempts import AttemptError, Batch, CommitOutcome, Learner, Replayed, replay_batches
from bridge.services.scorm_interactions import fold
from scorm.errors import ScormError
from scorm.manifest_model import Manifest, Sco

_ATTEMPT = cast(Table, ScormAttempt.__table__)
_TARGET = (
    select(ScormAttempt.id, ScormAttempt.user_id, ScormAttempt.sco_states, ScormAttempt.commits,
           ScormAttempt.status, ScormAttempt.preview, ScormPackage.storage_path, LmsUser.sub, LmsUser.name,
           LmsUser.given_name, LmsUser.family_name)
    .join(ScormActivity, ScormActivity.id == ScormAttempt.activity_id)
    .join(ScormPackage, ScormPackage.id == ScormActivity.package_id)
    .join(LmsUser, LmsUser.id == ScormAttempt.user_id)
    .where(ScormAttempt.id == bindparam("attempt_id"))
    .with_for_update(of=_ATTEMPT)  # PostgreSQL: row lock; SQLite: no-op (the version check below still holds)
)
_SAVE = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.id == bindparam("attempt_id"), _ATTEMPT.c.commits == bindparam("seen"))
    .values(sco_states=bindparam("states"), current_sco=bindparam("sco"), commits=bindparam("next_version"),
            updated_at=bindparam("now"))
)

_LOG = cast(Table, ScormInteractionLog.__table__)
_LOGGED = (select(_LOG.c.element, _LOG.c.value)
           .where(_LOG.c.attempt_id == bindparam("attempt_id"), _LOG.c.sco == bindparam("sco"),
                  _LOG.c.run == bindparam("run"))
           .order_by(_LOG.c.id))
_APPEND = insert(_LOG).values(attempt_id=bindparam("attempt_id"), sco=bindparam("sco"), run=bindparam("run"),
                              element=bindparam("element"), value=bindparam("value"))


class AttemptNotFound(AttemptError):
    status = 404


class TokenRejected(AttemptError):
    status = 403


class ContentMissing(AttemptError):
    status = 500


class CommitConflict(AttemptError):
    status = 503


@dataclass(frozen=True, slots=True)
class CommitRequest:
    """A parsed commit: the attempt and its token from the URL, the SCO, session and batches from the body."""

    attempt_id: int
    token: str
    sco_id: str
    session_id: str
    batches: Sequence[Batch]


def commit(engine: Engine, storage: Storage, request: CommitRequest, *,
           token_for: Callable[[int, int], str]) -> tuple[CommitOutcome, str]:
    """Apply a commit that does not end the session, in its own transaction, committed before this returns
    (so the answer is sent only once the state is stored). Returns the outcome and the attempt's status.

    The transaction runs on a pooled DBAPI connection (pre-pinged like any checkout): the driver begins it at
    the first statement that needs one (psycopg: the SELECT … FOR UPDATE; pysqlite: the UPDATE, with the row
    version covering the SELECT before it) and it is committed or rolled back here."""
    sql = _statements(engine.dialect)
    connection = engine.raw_connection()
    cursor = connection.cursor()
    try:
        outcome, status = _apply(cursor, sql, storage, request, token_for)
        connection.commit()
    except BaseException as err:
        _abandon(engine.dialect, connection, cursor, err)
        raise
    finally:
        cursor.close()
        connection.close()  # back to the pool
    return outcome, status


def _apply(cursor: Any, sql: _Statements, storage: Storage, request: CommitRequest,
           token_for: Callable[[int, int], str]) -> tuple[CommitOutcome, str]:
    target = _load(cursor, sql, storage, request, token_for)

    def logged(run: int) -> dict[str, str]:
        cursor.execute(sql.logged, sql.logged_params({
            "attempt_id": target.attempt_id, "sco": target.sco.identifier, "run": run}))
        return fold(cursor.fetchall())

    replayed = replay_batches(target.states, target.manifest, target.sco, target.learner, request.session_id,
                              request.batches, preview=target.preview, logged=logged)
    if replayed.changed:
        _save(cursor, sql, target, replayed)
    return replayed.outcome, target.status


def _abandon(dialect: Dialect, connection: PoolProxiedConnection, cursor: Any, err: BaseException) -> None:
    """Roll back after a failure; a connection the database dropped is not handed out again."""
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        connection.rollback()
    except dbapi_error:
        connection.invalidate()
        return
    if isinstance(err, dbapi_error) and dialect.is_disconnect(err, connection.dbapi_connection, cursor):
        connection.invalidate()


@dataclass(frozen=True, slots=True)
class _Target:
    attempt_id: int
    version: int
    status: str
    preview: bool
    states: dict[str, Any]
    manifest: Manifest
    sco: Sco
    learner: Learner


def _load(cursor: Any, sql: _Statements, storage: Storage, request: CommitRequest,
          token_for: Callable[[int, int], str]) -> _Target:
    cursor.execute(sql.load, sql.load_params({"attempt_id": request.attempt_id}))
    row = cursor.fetchone()
    if row is None:
        raise AttemptNotFound("This attempt does not exist (any more). Launch the activity again.")
    attempt_id, user_pk, raw_states, version, status, preview, storage_path, sub, *names = row
    if not hmac.compare_digest(request.token.encode(), token_for(attempt_id, user_pk).encode()):
        raise TokenRejected("This link is not valid for this activity. Launch the activity again from the course.")
    try:
        manifest = manifest_at(storage, storage_path)
    except (OSError, ScormError) as err:
        raise ContentMissing("The package's files are missing from content storage; ask an administrator.") from err
    sco = find_sco(manifest, request.sco_id)
    if sco is None:
        raise AttemptNotFound("This package has no such SCO.")
    # SQLite hands the JSON column over as text, psycopg already decoded.
    states = json.loads(raw_states) if isinstance(raw_states, str | bytes) else raw_states
    return _Target(attempt_id, version, str(status), bool(preview), states, manifest, sco,
                   Learner(user_pk, sub, _display_name(*names)))


def _save(cursor: Any, sql: _Statements, target: _Target, replayed: Replayed) -> None:
    values = {"attempt_id": target.attempt_id, "seen": target.version, "next_version": target.version + 1,
              "states": json.dumps(replayed.sco_states), "sco": target.sco.identifier, "now": sql.time(utcnow())}
    cursor.execute(sql.save, sql.save_params(values))
    if cursor.rowcount != 1:
        raise CommitConflict("The attempt was being saved by another request; try again.")
    if replayed.log:
        attempt_id, bind = target.attempt_id, sql.append_params
        cursor.executemany(sql.append, [bind({"attempt_id": attempt_id, "sco": entry.sco, "run": entry.run,
                                              "element": entry.element, "value": entry.value})
                                        for entry in replayed.log])


def _display_name(name: str | None, given_name: str | None, family_name: str | None) -> str:
    return ", ".join(p for p in (family_name, given_name) if p) or name or ""


class _Statements:
    """The load and save statements compiled once for a dialect and run as plain DBAPI calls: Core's
    per-execution work (cache key, parameter and result processing) cost more than the database's."""

    def __init__(self, dialect: Dialect) -> None:
        self.load, self.load_params = _compile(_TARGET, dialect)
        self.save, self.save_params = _compile(_SAVE, dialect)
        self.logged, self.logged_params = _compile(_LOGGED, dialect)
        self.append, self.append_params = _compile(_APPEND, dialect)
        process = _ATTEMPT.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.time: Callable[[Any], Any] = process or (lambda value: value)


Binder = Callable[[Mapping[str, Any]], Any]


def _compile(statement: Any, dialect: Dialect) -> tuple[str, Binder]:
    """The statement's SQL and a function turning named values into the driver's parameters."""
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or compiled.binds)
    if not dialect.positional:
        return str(compiled), lambda values: {name: values[name] for name in names}
    if len(names) == 1:
        (name,) = names
        return str(compiled), lambda values: (values[name],)
    return str(compiled), itemgetter(*names)  # a tuple in placeholder order, built in C


_compiled: dict[Any, _Statements] = {}


def _statements(dialect: Dialect) -> _Statements:
    key = (dialect.name, dialect.driver, dialect.paramstyle)  # not the dialect object: one per engine
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = _Statements(dialect)
    return found
