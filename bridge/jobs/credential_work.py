"""The credential jobs: "issuance" of pending awards (per course) and "status_lists" publication (global).

Issuance runs under the course's lease (``issuance:course:<id>``), or under Celery one lease per shard of the
course (``issuance:course:<id>:shard:k/n``, ``JOB_ISSUANCE_SHARDS``: the awards whose id is k modulo n), so
several workers share a course but never an award; it is idempotent (an award with a credential is no longer
pending, see ``bridge.services.award_issuance``). Publication signs every Bitstring Status List whose bits
changed since it was last signed (Bitstring Status List v1.0 §2.2), so ``/status/<id>`` serves a fresh signed
list without signing on the request path; a list already signed for its version is left alone.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bridge.jobs.context import JobContext
from bridge.jobs.work import Counts
from bridge.models import Course, StatusList
from bridge.services import award_issuance, status_lists


def issue_pending(ctx: JobContext, course_pk: int, shard: tuple[int, int] | None = None) -> Counts:
    """Sign a credential for each pending award of the course (or of its shard) whose learner has an e-mail."""
    with ctx.db.session() as session:
        report = award_issuance.issue_pending(session, ctx.box, ctx.config, course_pk, shard=shard)
        return {**report.as_counts(), **({"shard": f"{shard[0]}/{shard[1]}"} if shard else {})}


def courses_with_pending(session: Session, registration_id: int) -> list[int]:
    """The tenant's courses with pending awards (the issuance fan-out list)."""
    tenant = set(session.scalars(select(Course.id).where(Course.registration_id == registration_id)))
    return [pk for pk in award_issuance.courses_with_pending(session) if pk in tenant]


def publish_status_lists(ctx: JobContext) -> Counts:
    """Re-sign every status list whose current version has not been signed yet."""
    published = 0
    base_url = str(ctx.config["BASE_URL"])
    with ctx.db.session() as session:
        stale = list(session.scalars(select(StatusList).where(
            or_(StatusList.signed.is_(None), StatusList.signed_version < StatusList.version)).order_by(StatusList.id)))
        for status_list in stale:
            status_lists.signed_list(session, ctx.box, status_list, base_url=base_url)
            published += 1
        total = len(list(session.scalars(select(StatusList.id))))
    return {"published": published, "current": total - published}
