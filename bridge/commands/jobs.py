"""``bridge worker`` and ``bridge beat`` (Celery with Redis), ``bridge jobs list|run`` (one job, foreground)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from celery import Celery


def register(main: click.Group) -> None:
    main.add_command(worker)
    main.add_command(beat)
    main.add_command(jobs)


def _celery() -> Celery:
    from bridge.cli import _app
    from bridge.jobs.celery_app import make_celery

    app = _app()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("BRIDGE_REDIS_URL is not set: Celery needs Redis (e.g. redis://localhost:6379/0)")
    return make_celery(app)


@click.command(help="Run a Celery worker: syncs courses, evaluates awards, delivers grades (needs BRIDGE_REDIS_URL).")
@click.option("--concurrency", "-c", type=int, default=None, help="Worker processes (default: CPU count).")
@click.option("--pool", type=click.Choice(["prefork", "solo", "threads"]), default="prefork", show_default=True)
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int | None, pool: str, loglevel: str) -> None:
    from bridge.jobs.celery_app import QUEUE

    argv = ["worker", "--pool", pool, "--queues", QUEUE, "--loglevel", loglevel, "--hostname",
            f"bridge-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    _celery().start(argv)


@click.command(help="Run Celery beat: sends the scheduled jobs to the workers (run exactly one).")
@click.option("--schedule-file", default=None, help="Where beat keeps its state (default: instance folder).")
@click.option("--loglevel", default="INFO", show_default=True)
def beat(schedule_file: str | None, loglevel: str) -> None:
    celery = _celery()
    instance = celery.bridge_context.config["INSTANCE_DIR"]
    os.makedirs(instance, exist_ok=True)
    celery.start(["beat", "--loglevel", loglevel, "--schedule", schedule_file or os.path.join(instance, "celerybeat")])


@click.group(help="Scheduled jobs: their schedule, and running one now in the foreground.")
def jobs() -> None:
    pass


@jobs.command("list", help="The schedule: each entry, its job and cron expression.")
def jobs_list() -> None:
    from bridge.cli import _app
    from bridge.jobs.registry import plan

    for entry in plan(_app().config):
        click.echo(f"{entry.key:<24} {entry.job:<14} {entry.cron}")


@jobs.command("run", help="Run one scheduled entry now, in this process, under the same locks.")
@click.argument("key")
def jobs_run(key: str) -> None:
    from bridge.cli import _app
    from bridge.jobs.context import JobContext
    from bridge.jobs.dispatch import run_entry
    from bridge.jobs.registry import plan

    app = _app()
    entries = {entry.key: entry for entry in plan(app.config)}
    if key not in entries:
        raise click.ClickException(f"no scheduled entry {key!r}; see `bridge jobs list`")
    outcomes = run_entry(JobContext.from_app(app), entries[key], runner="cli")
    for outcome in outcomes:
        click.echo(f"run {outcome.run_id}: {outcome.status} {outcome.counts} {outcome.error}".rstrip())
    if any(outcome.status in ("failed", "dead") for outcome in outcomes):
        raise SystemExit(1)
