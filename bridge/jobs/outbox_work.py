"""The "outbox" job: credential deliveries that are due — wallet deliveries (OpenID4VCI deferred issuance,
VC-API) and EDC deposits — each attempted once per run, retried by the outbox's backoff on later runs.

Failures of single deliveries are recorded on their rows (plain words for learners and admins) and never fail the
run; the run's counts say how many were completed, how many are still waiting and how many have failed for good.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bridge.jobs.context import JobContext
from bridge.jobs.work import Counts
from bridge.models import Delivery, EdcDelivery
from bridge.services import edc_delivery, notices, wallet_issuer


def deliver_credentials(ctx: JobContext) -> Counts:
    """Attempt every due wallet delivery and EDC deposit; returns completed, pending and failed counts."""
    options = {**({"retry": ctx.retry} if ctx.retry else {}), **ctx.connector_options}
    with ctx.db.session() as session:
        wallet = wallet_issuer.run_outbox(session, wallet_issuer.Signer(ctx.box, ctx.config))
        edc = edc_delivery.run_due(session, edc_delivery.EdcContext(box=ctx.box, config=ctx.config, http=ctx.http,
                                                                    connector_options=options),
                                   mailer=notices.mailer_from_config(ctx.config))
        counts: Counts = {"wallet_delivered": wallet, "edc_delivered": edc}
        for name, model in (("wallet", Delivery), ("edc", EdcDelivery)):
            for state in ("pending", "failed"):
                counts[f"{name}_{state}"] = int(session.scalar(select(func.count()).select_from(model)
                                                               .where(model.state == state)) or 0)
    return counts
