"""Delivery outbox: each delivery is a row processed by a job, retried with exponential backoff.

A delivery is made by a *deliverer* handed in by the caller (signing for a wallet, a push to an EDC wallet…);
it returns the issued credential's id or raises :class:`DeliveryFailed` with a sentence a learner or an
admin can read.  After ``MAX_ATTEMPTS`` the delivery is marked failed and its reason stays visible;
:class:`DeliveryRejected` (the receiving side refused for good, e.g. an EDC wallet's 400) fails it at once.
Any outbox row with the fields of :class:`OutboxRow` can go through :func:`attempt` (wallet deliveries,
EDC deposits in :mod:`bridge.services.edc_delivery`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Delivery

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


class DeliveryFailed(Exception):
    """A delivery attempt failed; ``str(err)`` is the reason in plain words."""


class DeliveryRejected(DeliveryFailed):
    """The receiving side refused the delivery for good: retrying would get the same answer."""


class OutboxRow(Protocol):
    id: int
    state: str
    attempts: int
    next_attempt_at: datetime
    issued_credential_id: int | None
    last_error: str


Deliverer = Callable[[Session, Any], int | None]


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 2 min … at most an hour between attempts."""
    return timedelta(seconds=min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)))


def attempt(session: Session, delivery: OutboxRow, deliver: Deliverer, *, now: datetime | None = None) -> bool:
    """Try one delivery now; record the outcome; commit.  True when it is done."""
    moment = now or datetime.now(UTC)
    delivery.attempts += 1
    session.commit()  # the attempt counts even if the process dies while delivering
    try:
        delivery.issued_credential_id = deliver(session, delivery)
    except DeliveryFailed as err:
        session.rollback()
        _record_failure(session, delivery, str(err), moment, final=isinstance(err, DeliveryRejected))
        return False
    delivery.state, delivery.last_error = "done", ""
    session.commit()
    return True


def _record_failure(session: Session, delivery: OutboxRow, reason: str, moment: datetime, *,
                    final: bool = False) -> None:
    log.warning("delivery %s failed (attempt %s)", delivery.id, delivery.attempts)
    if final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = "failed"
        delivery.last_error = reason if final else f"{reason} We gave up after {delivery.attempts} attempts."
        if isinstance(delivery, Delivery):
            delivery.offer.state, delivery.offer.last_error = "failed", delivery.last_error
    else:
        delivery.last_error = f"{reason} We will try again automatically."
        delivery.next_attempt_at = moment + backoff(delivery.attempts)
    session.commit()


def due(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[Delivery]:
    moment = now or datetime.now(UTC)
    return list(session.scalars(select(Delivery).where(Delivery.state == "pending", Delivery.next_attempt_at <= moment)
                                .order_by(Delivery.next_attempt_at).limit(limit)))


def process_due(session: Session, deliverers: dict[str, Deliverer], *, now: datetime | None = None) -> int:
    """The job: attempt every pending delivery whose time has come; returns how many were completed."""
    done = 0
    for delivery in due(session, now=now):
        deliver = deliverers.get(delivery.channel)
        if deliver is not None and attempt(session, delivery, deliver, now=now):
            done += 1
    return done


def with_problems(session: Session, *, limit: int = 100) -> list[Delivery]:
    """Wallet deliveries that failed or are being retried, newest first (for the admin screen)."""
    return list(session.scalars(select(Delivery).where(Delivery.last_error != "").order_by(Delivery.id.desc())
                                .limit(limit)))
