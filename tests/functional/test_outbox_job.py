"""The scheduled "outbox" job: it is planned from JOB_OUTBOX_CRON and, run through the job runner under its lease,
completes due EDC deposits (against a `responses` mock of the EDC Wallet API) and records the counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import responses
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import run_global
from bridge.jobs.registry import plan
from bridge.models import Award, EdcDelivery, EdcSettings, JobRun
from bridge.services import awards, edc_delivery
from bridge.services import credential_templates as templates
from connectors.retry import RetryPolicy
from tests.support.awards_data import make_tenant, sample_template

WALLET = "https://wallet.edc.example.eu"


def _queued(app: Flask) -> int:
    services = app.extensions["bridge"]
    with services.db.session() as s:
        tenant = make_tenant(s)
        tpl = templates.save_template(s, registration_pk=tenant.registration.id, course_pk=tenant.course.id,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, tenant.learners[0].id, tenant.course.id, reason="Prior learning",
                                      by=None, now=datetime.now(UTC))
        s.add(EdcSettings(registration_id=tenant.registration.id, route="wallet", wallet_url=WALLET, auth="none",
                          username=""))
        s.commit()
        row = edc_delivery.request_delivery(s, services.box, s.get_one(Award, award.id),
                                            registration_id=tenant.registration.id, wallet_address="w-9")
        return row.id


def test_outbox_job_is_scheduled_and_delivers_due_edc_deposits(app: Flask) -> None:
    assert [e.cron for e in plan(app.config) if e.job == "outbox"] == ["* * * * *"]
    delivery_id = _queued(app)
    ctx = JobContext.from_app(app, retry=RetryPolicy(max_attempts=1))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{WALLET}/api/v1/wallets/w-9/credentials", status=503)
        first = run_global(ctx, "outbox", runner="test")
        mock.replace(responses.POST, f"{WALLET}/api/v1/wallets/w-9/credentials", json={"uuid": "u-9"})
        second = run_global(ctx, "outbox", runner="test")  # not due yet: the backoff holds it back
    assert first.status == "done" and first.counts["edc_delivered"] == 0 and first.counts["edc_pending"] == 1
    assert second.counts["edc_delivered"] == 0
    with app.extensions["bridge"].db.session() as s:
        row = s.get_one(EdcDelivery, delivery_id)
        assert row.state == "pending" and row.last_error.startswith("The EDC service could not be reached.")
        row.next_attempt_at = datetime.now(UTC)
        s.commit()
    with responses.RequestsMock() as mock:
        mock.post(f"{WALLET}/api/v1/wallets/w-9/credentials", json={"uuid": "u-9"})
        third = run_global(ctx, "outbox", runner="test")
    assert third.counts["edc_delivered"] == 1 and third.counts["edc_pending"] == 0
    with app.extensions["bridge"].db.session() as s:
        assert s.get_one(EdcDelivery, delivery_id).state == "done"
        runs: list[Any] = list(s.query(JobRun).filter(JobRun.job == "outbox").order_by(JobRun.id))
        assert [r.status for r in runs] == ["done", "done", "done"] and runs[-1].counts["edc_delivered"] == 1
    metrics = {f.name: f for f in text_string_to_metric_families(app.test_client().get("/metrics").get_data(
        as_text=True))}
    assert [(s.labels, s.value) for s in metrics["bridge_edc_deliveries"].samples] == [({"status": "done"}, 1.0)]
