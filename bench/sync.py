"""End-to-end scheduled sync: the embedded runner (one process, course after course) vs two Celery workers.

    python bench/sync.py                     # readable figures (default: 4 courses, 2,000 learners, 10 line items)
    python bench/sync.py --learners 10000    # the issue's size (slow on a shared 2-core machine)
    python bench/sync.py --json              # {"metric": "sync_e2e_10k", "value", "unit", "baseline", "ratio"}

Both modes start from a cold database, on the same sandbox platform over loopback HTTP (page size 100):
learners are spread over ``--courses`` courses (work fans out per course, so one course cannot use two
workers), each with ``--line-items`` graded line items. Timed: every course's roster, line items and results
into progress facts, plus award evaluation, until every course's job run is recorded ``done``.
Embedded: ``bridge jobs run sync`` in a subprocess (the code path of the in-process scheduler), timed from the
first course run's start to the last one's end, so process start-up is not counted.
Celery: two ``bridge worker --pool solo`` subprocesses fed by ``bridge.fanout`` through Redis
(``BRIDGE_TEST_REDIS_URL``, default redis://127.0.0.1:56379/0), timed from sending the fan-out to the
last course run recorded done, with both workers already up. Value: seconds with two workers;
baseline: embedded seconds; ratio: embedded / two workers (goal ≥ 1.6). Issuance of credentials is not part
of the scheduled jobs yet, so it is not measured here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the live-server helpers live in tests/support

from sqlalchemy import select  # noqa: E402

from bridge.jobs.celery_app import make_celery  # noqa: E402
from bridge.models import JobRun  # noqa: E402
from tests.conftest import TEST_SECRET  # noqa: E402
from tests.support.live_services import Live, start_live, stop_live  # noqa: E402

PAGE_SIZE = 100
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def seed(live: Live, courses: int, learners: int, line_items: int) -> None:
    platform = live.platform
    for k in range(courses):
        course = f"bench-{k}"
        platform.add_course(course, f"Bench course {k}", f"B{k}")
        platform.enroll(course, "instructor-1", [INSTRUCTOR])
        platform.add_resource_link(f"rl-bench-{k}", course, "Bench activity")
        users = [f"bench-{k}-{n:05d}" for n in range(learners // courses)]
        for user in users:
            platform.add_user(user, "Learner", user)
            platform.enroll(course, user, [LEARNER])
        for n in range(line_items):
            item = platform.add_line_item(course, f"Unit {n}", 100, resource_id=f"unit-{n}", tag="bench")
            for i, user in enumerate(users):
                platform.record_score(item, "platform", {
                    "userId": user, "scoreGiven": (i * 7 + n) % 101, "scoreMaximum": 100,
                    "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                    "timestamp": "2026-01-01T10:00:00+00:00"})
        assert live.lti.launch("instructor-1", f"rl-bench-{k}").status_code == 303


def environment(live: Live, redis_url: str) -> dict[str, str]:
    return {**os.environ, "BRIDGE_DATABASE_URL": live.app.config["DATABASE_URL"], "BRIDGE_SECRET_KEY": TEST_SECRET,
            "BRIDGE_BASE_URL": live.app.config["BASE_URL"], "BRIDGE_INSTANCE_DIR": live.app.config["INSTANCE_DIR"],
            "BRIDGE_REDIS_URL": redis_url, "BRIDGE_LOG_LEVEL": "WARNING"}


def done_runs(live: Live) -> list[JobRun]:
    with live.session() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == "sync", JobRun.status == "done")))


def embedded(live: Live, redis_url: str) -> float:
    """From the first course run's start to the last one's end (process start-up is not counted)."""
    subprocess.run([sys.executable, "-m", "bridge.cli", "jobs", "run", "sync"], env=environment(live, ""),
                   check=True, stdout=subprocess.DEVNULL)
    runs = done_runs(live)
    last = max(r.finished_at for r in runs if r.finished_at is not None)
    return (last - min(r.started_at for r in runs)).total_seconds()


def celery_workers(live: Live, redis_url: str, courses: int, workers: int = 2) -> float:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    live.app.config["REDIS_URL"] = redis_url
    celery = make_celery(live.app)
    processes = [subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--pool", "solo",
                                   "--loglevel", "WARNING"], env=environment(live, redis_url),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        deadline = time.monotonic() + 60
        while len(celery.control.ping(timeout=0.5) or []) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        started = time.perf_counter()
        celery.send_task("bridge.fanout", args=("sync",))
        deadline = time.monotonic() + 3600
        while len(done_runs(live)) < courses:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not finish within an hour")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def measure(mode: str, args: argparse.Namespace, redis_url: str) -> tuple[float, list[JobRun]]:
    with tempfile.TemporaryDirectory() as tmp:
        live = start_live(Path(tmp), page_size=PAGE_SIZE)
        try:
            live.lti.register()
            seed(live, args.courses, args.learners, args.line_items)
            if mode == "embedded":
                seconds = embedded(live, redis_url)
            else:
                seconds = celery_workers(live, redis_url, args.courses)
            return seconds, done_runs(live)
        finally:
            stop_live(live)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--courses", type=int, default=4)
    parser.add_argument("--line-items", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    redis_url = os.environ.get("BRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:56379/0")
    embedded_s, runs = measure("embedded", args, redis_url)
    celery_s, celery_runs = measure("celery", args, redis_url)
    ratio = embedded_s / celery_s
    if args.json:
        print(json.dumps({"metric": "sync_e2e_10k", "value": round(celery_s, 3), "unit": "s",
                          "baseline": round(embedded_s, 3), "ratio": round(ratio, 3),
                          "learners": args.learners, "courses": args.courses}))
        return
    members = sum(int(r.counts.get("members", 0)) for r in runs)
    results = sum(int(r.counts.get("results", 0)) for r in runs)
    print(f"{args.courses} courses, {args.learners} learners, {args.line_items} line items: "
          f"{members} members, {results} results per mode")
    for name, seconds, recorded in (("embedded", embedded_s, runs), ("2 celery workers", celery_s, celery_runs)):
        busy: dict[str, Any] = {"runs": len(recorded)}
        print(f"{name:>17}: {seconds:7.2f} s   {members / seconds:8.1f} members/s   {results / seconds:8.1f} results/s"
              f"   ({busy['runs']} course runs)")
    print(f"{'ratio':>17}: {ratio:7.2f} × (embedded / two workers; goal ≥ 1.6)")


if __name__ == "__main__":
    main()
