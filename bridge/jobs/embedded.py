"""The in-process scheduler of ``bridge serve`` (``BRIDGE_SCHEDULER=embedded``, the default).

Every gunicorn worker starts one; the database leases make sure a given course or job runs in only one of
them (and not while ``bridge sync`` or a Celery worker is on it). Jobs run in a small thread pool so a long
sync does not hold up grade delivery; ``coalesce`` and ``max_instances=1`` stop a slow job from piling up.
"""

from __future__ import annotations

import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import run_entry
from bridge.jobs.registry import Entry, plan

log = logging.getLogger("bridge.jobs")


class EmbeddedScheduler:
    def __init__(self, ctx: JobContext, entries: list[Entry], *, threads: int = 2) -> None:
        self.ctx, self.entries = ctx, entries
        self.scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(threads)}, timezone="UTC",
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 300})
        for entry in entries:
            self.scheduler.add_job(self.run, CronTrigger.from_crontab(entry.cron, timezone="UTC"), args=[entry],
                                   id=entry.key, name=entry.key)

    def run(self, entry: Entry) -> None:
        try:
            run_entry(self.ctx, entry, runner="embedded")
        except Exception:  # noqa: BLE001 - e.g. the database is restarting; the next trigger tries again
            log.exception("scheduled job could not run", extra={"job": entry.key})

    def run_now(self, key: str) -> None:
        """Trigger an entry at once, on the scheduler's threads (admin action, tests)."""
        job = self.scheduler.get_job(key)
        if job is None:
            raise KeyError(key)
        self.scheduler.add_job(self.run, args=job.args, id=f"{key}:now", replace_existing=True)

    def start(self) -> EmbeddedScheduler:
        self.scheduler.start()
        log.info("embedded scheduler started", extra={"jobs": len(self.entries)})
        return self

    def shutdown(self, wait: bool = True) -> None:
        self.scheduler.shutdown(wait=wait)


def start_embedded(app: Flask, **context: object) -> EmbeddedScheduler | None:
    """Start the scheduler for ``app`` unless ``BRIDGE_SCHEDULER`` is ``off`` (Celery beat or cron drive jobs)."""
    if str(app.config.get("SCHEDULER", "embedded")).lower() != "embedded":
        return None
    ctx = JobContext.from_app(app, **context)
    return EmbeddedScheduler(ctx, plan(app.config)).start()
