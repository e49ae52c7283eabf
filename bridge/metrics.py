"""Prometheus metrics: launches, job runs (syncs, deliveries…), awards, issuance and delivery outcomes.

Two kinds: in-process counters and histograms (launch latency, job durations) observed where things happen,
and totals read from the database at scrape time (awards, issued credentials, grade outbox, job runs by
status), which stay right however many processes or machines do the work. Labels are job names and
statuses only: never user, course or tenant ids (cardinality) and nothing personal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

disable_created_metrics()  # the *_created series only add noise here
REGISTRY = CollectorRegistry(auto_describe=True)

LAUNCHES = Counter("bridge_launches", "LTI launches handled, by outcome", ["outcome"], registry=REGISTRY)
LAUNCH_SECONDS = Histogram("bridge_launch_seconds", "LTI launch handling time", registry=REGISTRY)
REQUESTS = Counter("bridge_http_requests", "HTTP requests, by status class", ["status"], registry=REGISTRY)
_REQUESTS_BY_CLASS = {n: REQUESTS.labels(f"{n}xx") for n in range(1, 6)}  # resolved once, not per request


def requests_of(status_code: int) -> Any:
    """The request counter of ``status_code``'s class (1xx … 5xx)."""
    return _REQUESTS_BY_CLASS.get(status_code // 100) or REQUESTS.labels(f"{status_code // 100}xx")
JOB_RUNS = Counter("bridge_job_runs", "Job runs in this process, by job and outcome", ["job", "status"],
                   registry=REGISTRY)
JOB_SECONDS = Histogram("bridge_job_seconds", "Job run time (sync of one course, one delivery pass…)", ["job"],
                        buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800), registry=REGISTRY)
SYNC_ITEMS = Counter("bridge_sync_items", "Roster members and results read by syncs in this process", ["kind"],
                     registry=REGISTRY)
AWARDS_MADE = Counter("bridge_awards_made", "Awards made by rule evaluation in this process", registry=REGISTRY)
GRADE_DELIVERIES = Counter("bridge_grade_deliveries", "Grade pass-back attempts in this process", ["outcome"],
                           registry=REGISTRY)


def job_finished(job: str, status: str, seconds: float, counts: Mapping[str, Any] | None = None) -> None:
    JOB_RUNS.labels(job, status).inc()
    if status == "skipped":
        return
    JOB_SECONDS.labels(job).observe(seconds)
    counts = counts or {}
    if job == "sync":
        SYNC_ITEMS.labels("members").inc(int(counts.get("members") or 0))
        SYNC_ITEMS.labels("results").inc(int(counts.get("results") or 0))
        AWARDS_MADE.inc(int(counts.get("awards") or 0))
    if job == "delivery":
        for outcome in ("sent", "retrying", "failed", "superseded"):
            GRADE_DELIVERIES.labels(outcome).inc(int(counts.get(outcome) or 0))


class DatabaseTotals(Collector):
    """Totals read from the database at scrape time (shared by every process)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from bridge.models import Award, CourseSync, Delivery, EdcDelivery, GradeOutbox, IssuedCredential, JobRun

        with self.sessions() as session:
            yield self._grouped(session, "bridge_awards", "Awards by status", Award.status)
            yield self._grouped(session, "bridge_issued_credentials", "Issued credentials by format",
                                IssuedCredential.format, label="format")
            yield self._grouped(session, "bridge_grade_outbox", "Grade outbox rows by status", GradeOutbox.status)
            yield self._grouped(session, "bridge_wallet_deliveries", "Wallet deliveries by state", Delivery.state)
            yield self._grouped(session, "bridge_edc_deliveries", "EDC deposits by state", EdcDelivery.state)
            yield self._grouped(session, "bridge_course_syncs", "Course sync runs by status", CourseSync.status)
            runs = GaugeMetricFamily("bridge_job_runs_recorded", "Recorded job runs by job and status",
                                     labels=["job", "status"])
            for job, status, count in session.execute(select(JobRun.job, JobRun.status, func.count())
                                                      .group_by(JobRun.job, JobRun.status)):
                runs.add_metric([job, status], count)
            yield runs

    @staticmethod
    def _grouped(session: Session, name: str, doc: str, column: Any, label: str = "status") -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, doc, labels=[label])
        for value, count in session.execute(select(column, func.count()).group_by(column)):
            family.add_metric([str(value)], count)
        return family
