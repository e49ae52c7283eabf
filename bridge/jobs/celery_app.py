"""Celery with Redis for scale-out: ``bridge beat`` fires the schedule, ``bridge worker`` processes run it.

Beat sends one ``bridge.fanout`` per schedule entry; the fan-out sends one ``bridge.course`` task per course,
so courses sync in parallel over every worker; issuance sends ``JOB_ISSUANCE_SHARDS`` tasks per course (the
awards whose id is k modulo n), so the workers share one big course too. Tasks are idempotent (the sync
service upserts, awards are unique per learner and template) and take the same database leases as the embedded
scheduler, so a duplicate delivery or a concurrent ``bridge sync`` never runs a course (or shard) twice at once.

Faults: tasks are acknowledged only when done (``acks_late``); a worker killed mid-task leaves the message
unacknowledged and Redis hands it out again after ``CELERY_VISIBILITY_TIMEOUT`` seconds; the new run waits
for the dead worker's lease to expire, then resumes the course sync from its last committed page. LMS or
network failures are retried with exponential backoff and jitter, ``JOB_MAX_RETRIES`` times; the last
failure is recorded with status ``dead`` (the dead-letter list of the admin jobs screen).
"""

from __future__ import annotations

import random
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init
from flask import Flask

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import courses_for, run_course, run_global, shard_count
from bridge.jobs.registry import JOBS, Entry, plan
from bridge.jobs.runner import Outcome

QUEUE = "bridge"


def _crontab(cron: str) -> crontab:
    minute, hour, day, month, weekday = cron.split()
    return crontab(minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday)


def beat_schedule(entries: list[Entry]) -> dict[str, dict[str, Any]]:
    return {entry.key: {"task": "bridge.fanout", "schedule": _crontab(entry.cron), "args": (entry.key,)}
            for entry in entries}


def backoff(retries: int, base: float, rng: random.Random | None = None) -> float:
    """Seconds before retry number ``retries + 1``: exponential, capped at an hour, with jitter."""
    return min(3600.0, base * 2 ** retries) * (rng or random).uniform(0.5, 1.0)


def make_celery(app: Flask, ctx: JobContext | None = None) -> Celery:
    """A Celery application bound to ``app``'s configuration and collaborators (one per process)."""
    ctx = ctx or JobContext.from_app(app)
    config = app.config
    entries = {entry.key: entry for entry in plan(config)}
    max_retries, base = int(config["JOB_MAX_RETRIES"]), float(config["JOB_RETRY_BACKOFF_SECONDS"])
    celery = Celery("bridge", broker=config["REDIS_URL"] or None, set_as_current=False)
    celery.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1, task_ignore_result=True,
        task_default_queue=QUEUE, timezone="UTC", enable_utc=True, worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True, beat_schedule=beat_schedule(list(entries.values())),
        broker_transport_options={"visibility_timeout": int(config["CELERY_VISIBILITY_TIMEOUT"])})

    def settle(task: Task, outcome: Outcome) -> str:
        if outcome.status == "retrying":
            raise task.retry(countdown=backoff(task.request.retries, base), max_retries=max_retries)
        if outcome.status == "skipped" and task.request.retries < max_retries:
            # Another process holds the lease: maybe a worker that died mid-job, whose lease must expire first.
            raise task.retry(countdown=ctx.lock_ttl, max_retries=max_retries)
        return outcome.status

    def attempt(task: Task) -> tuple[int, bool]:
        return task.request.retries + 1, task.request.retries >= max_retries

    @celery.task(name="bridge.course", bind=True)
    def course(task: Task, course_pk: int, job: str = "sync", shard: int = 0, shards: int = 1) -> str:
        number, final = attempt(task)
        return settle(task, run_course(ctx, course_pk, runner="celery", job=job, attempt=number,
                                       final_attempt=final, shard=(shard, shards)))

    @celery.task(name="bridge.global", bind=True)
    def global_job(task: Task, job: str) -> str:
        number, final = attempt(task)
        return settle(task, run_global(ctx, job, runner="celery", attempt=number, final_attempt=final))

    @celery.task(name="bridge.fanout")
    def fanout(entry_key: str) -> int:
        entry = entries[entry_key]
        if JOBS[entry.job][1] != "course":
            global_job.delay(entry.job)
            return 1
        courses, shards = courses_for(ctx, entry), shard_count(ctx, entry.job)
        for course_pk in courses:
            for k in range(shards):  # one task per shard: every worker can take a part of a big course
                course.delay(course_pk, entry.job, k, shards)
        return len(courses) * shards

    def fresh_connections(**_kwargs: Any) -> None:
        ctx.db.engine.dispose()  # prefork children must not share the parent's database connections

    worker_process_init.connect(fresh_connections, weak=False)
    celery.bridge_context = ctx
    return celery


def queue_length(redis_url: str, *, timeout: float = 0.5) -> int | None:
    """Tasks waiting in the queue, or None when Redis is not configured or does not answer."""
    if not redis_url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return int(client.llen(QUEUE))
    except redis.RedisError:
        return None
