"""Bitstring Status List v1.0 per issuer and purpose: random index allocation, revoke / suspend / reinstate.

Atomicity: an index is taken by inserting a :class:`StatusEntry` under a unique (list, index) constraint, so
two workers can never share one (``allocate`` takes one inside the caller's transaction; ``reserve`` takes a
block for a batch job in a short transaction of its own, so the list row is not held locked while credentials
are signed, and ``release`` gives back what the batch did not use); a status change updates the entry row and
bumps the list's ``version`` first (a row lock on PostgreSQL, the write lock on SQLite) and only then rebuilds
the bitstring from the entries, inside one transaction.  The list credential (§2.2) is signed with the
issuer's Ed25519 key (eddsa-rdfc-2022) and cached per version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import IssuedCredential, Issuer, StatusEntry, StatusList
from bridge.models.base import utcnow
from bridge.services import issuers as issuer_service
from bridge.services.credential_contexts import canonicalizer
from bridge.services.secrets_box import SecretBox
from credentials.sign import sign_credential
from credentials.status_list import MIN_ENTRIES, PURPOSES, Bitstring, allocate_index, status_list_credential

_ATTEMPTS = 20


class StatusError(Exception):
    """A status change is not possible (unknown purpose, no entry for it); the message says why."""


def by_id(session: Session, list_id: int) -> StatusList | None:
    return session.get(StatusList, list_id)


def list_url(base_url: str, status_list: StatusList | int) -> str:
    list_id = status_list if isinstance(status_list, int) else status_list.id
    return f"{base_url}/status/{list_id}"


@dataclass(frozen=True, slots=True)
class ReservedIndex:
    """An index taken ahead of its credential (its entry row exists, ``credential_id`` still empty)."""

    entry_id: int
    status_list_id: int
    list_index: int


def _open_list(session: Session, issuer: Issuer, purpose: str, size: int) -> StatusList:
    found = session.scalars(
        select(StatusList)
        .where(StatusList.issuer_id == issuer.id, StatusList.purpose == purpose, StatusList.full.is_(False))
        .order_by(StatusList.id)
    ).first()
    if found is not None:
        return found
    created = StatusList(issuer_id=issuer.id, purpose=purpose, size=size, used=0, bits=bytes(size // 8), version=1,
                         signed_version=0, full=False)
    session.add(created)
    session.flush()
    return created


def allocate(session: Session, issuer: Issuer, purpose: str, *, size: int = MIN_ENTRIES) -> StatusEntry:
    """Take a random free index in the issuer's open list for ``purpose`` (flushed, not committed)."""
    if purpose not in PURPOSES:
        raise StatusError(f"The status purpose must be one of {', '.join(PURPOSES)}.")
    for _ in range(_ATTEMPTS):
        status_list = _open_list(session, issuer, purpose, size)
        used = set(session.scalars(select(StatusEntry.list_index).where(StatusEntry.status_list_id == status_list.id)))
        if len(used) >= status_list.size:
            status_list.full = True
            session.flush()
            continue
        entry = StatusEntry(status_list_id=status_list.id, list_index=allocate_index(used, status_list.size))
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue  # another worker took the same index a moment ago: draw again
        session.execute(update(StatusList).where(StatusList.id == status_list.id)
                        .values(used=StatusList.used + 1, full=StatusList.used + 1 >= StatusList.size))
        return entry
    raise StatusError("No free status-list index could be allocated; try again.")


def reserve(session: Session, issuer: Issuer, purpose: str, count: int, *, size: int = MIN_ENTRIES
            ) -> list[ReservedIndex]:
    """Take ``count`` random free indices of the issuer's open list(s) for ``purpose``; committed.

    One query for the used indices and one insert per block instead of one of each per credential; a process
    that dies before using its block leaves never-set indices behind, which a verifier cannot tell from free
    ones.
    """
    if purpose not in PURPOSES:
        raise StatusError(f"The status purpose must be one of {', '.join(PURPOSES)}.")
    reserved: list[ReservedIndex] = []
    for _ in range(_ATTEMPTS):
        if len(reserved) >= count:
            return reserved
        status_list = _open_list(session, issuer, purpose, size)
        used = set(session.scalars(select(StatusEntry.list_index).where(StatusEntry.status_list_id == status_list.id)))
        take = min(count - len(reserved), status_list.size - len(used))
        if take <= 0:
            status_list.full = True
            session.commit()
            continue
        entries = []
        for _n in range(take):
            index = allocate_index(used, status_list.size)
            used.add(index)
            entries.append(StatusEntry(status_list_id=status_list.id, list_index=index))
        try:
            with session.begin_nested():
                session.add_all(entries)
        except IntegrityError:
            continue  # another worker took one of these indices a moment ago: draw the block again
        session.execute(update(StatusList).where(StatusList.id == status_list.id)
                        .values(used=StatusList.used + take, full=StatusList.used + take >= StatusList.size))
        session.commit()
        reserved.extend(ReservedIndex(e.id, e.status_list_id, e.list_index) for e in entries)
    if len(reserved) < count:
        raise StatusError("No free status-list index could be allocated; try again.")
    return reserved


def release(session: Session, reserved: list[ReservedIndex]) -> None:
    """Give back reserved indices that no credential took (committed)."""
    for list_id in {r.status_list_id for r in reserved}:
        ids = [r.entry_id for r in reserved if r.status_list_id == list_id]
        gone = session.execute(delete(StatusEntry).where(StatusEntry.id.in_(ids), StatusEntry.credential_id.is_(None))
                               ).rowcount  # type: ignore[attr-defined]
        if gone:
            session.execute(update(StatusList).where(StatusList.id == list_id)
                            .values(used=StatusList.used - gone, full=False))
    session.commit()


def set_status(
    session: Session, credential: IssuedCredential, purpose: str, value: bool, *, reason: str = "",
    now: datetime | None = None
) -> bool:
    """Set (revoke/suspend) or clear (reinstate) the credential's bit for ``purpose``; True when it changed."""
    entry = next((e for e in credential.status_entries if e.status_list.purpose == purpose), None)
    if entry is None:
        raise StatusError(f"This credential has no {purpose} status entry, so its {purpose} cannot change.")
    if entry.is_set == value:
        return False
    list_id = entry.status_list_id
    session.execute(update(StatusList).where(StatusList.id == list_id)
                    .values(version=StatusList.version + 1, updated_at=now or utcnow()))
    session.execute(update(StatusEntry).where(StatusEntry.id == entry.id).values(is_set=value))
    status_list = session.get(StatusList, list_id)
    if status_list is None:  # the FK makes this impossible; keep mypy and readers honest
        raise StatusError("The status list is gone.")
    session.refresh(status_list)
    status_list.bits = _bits_from_entries(session, status_list)
    moment = (now or utcnow()) if value else None
    if purpose == "revocation":
        credential.revoked_at = moment
    else:
        credential.suspended_at = moment
    credential.status_reason = reason
    session.commit()
    return True


def _bits_from_entries(session: Session, status_list: StatusList) -> bytes:
    bits = bytearray(status_list.size // 8)
    query = select(StatusEntry.list_index).where(StatusEntry.status_list_id == status_list.id,
                                                 StatusEntry.is_set.is_(True))
    for index in session.scalars(query):
        bits[index // 8] |= 0x80 >> (index % 8)  # Bitstring Status List §3.1: index 0 is the left-most bit
    return bytes(bits)


def revoke(session: Session, credential: IssuedCredential, *, reason: str = "") -> bool:
    return set_status(session, credential, "revocation", True, reason=reason)


def suspend(session: Session, credential: IssuedCredential, *, reason: str = "") -> bool:
    return set_status(session, credential, "suspension", True, reason=reason)


def reinstate(session: Session, credential: IssuedCredential, *, reason: str = "") -> bool:
    """Lift a suspension (a revocation is final, as Bitstring Status List §2.1 intends)."""
    return set_status(session, credential, "suspension", False, reason=reason)


def signed_list(session: Session, box: SecretBox, status_list: StatusList, *, base_url: str) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` for the list's current version (re-signed when stale)."""
    if status_list.signed is not None and status_list.signed_version == status_list.version:
        cached: dict[str, Any] = json.loads(status_list.signed)
        return cached
    issuer = session.get(Issuer, status_list.issuer_id)
    if issuer is None:
        raise StatusError("The status list has no issuer.")
    version = status_list.version
    unsigned = status_list_credential(list_url(base_url, status_list), issuer.did,
                                      Bitstring(status_list.size, status_list.bits), status_list.purpose,
                                      valid_from=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"))
    key = issuer_service.signing_key(box, issuer, "ob3-rdfc")
    signed = sign_credential(unsigned, key, "ob3-rdfc", canonicalizer=canonicalizer())
    session.execute(update(StatusList).where(StatusList.id == status_list.id, StatusList.signed_version < version)
                    .values(signed=json.dumps(signed, ensure_ascii=False), signed_version=version))
    session.commit()
    return dict(signed) if isinstance(signed, dict) else {}
