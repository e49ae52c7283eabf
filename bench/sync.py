"""End-to-end scheduled sync and issuance: the embedded runner (one process) vs two Celery workers.

    python bench/sync.py                     # readable figures (default: 4 courses, 2,000 learners, 10 line items)
    python bench/sync.py --learners 10000 --courses 1   # the issue's size (slow on a shared 2-core machine)
    python bench/sync.py --json              # {"metric": "sync_e2e_10k", "value", "unit", "baseline", "ratio"}

Both modes start from a cold database, on the same sandbox platform over loopback HTTP (page size 100):
learners (each with an e-mail address) are spread over ``--courses`` courses (the sync fans out per course, so
one course's sync runs on one worker; issuance fans out ``--shards`` tasks per course), each with
``--line-items`` graded line items and an award rule ("at least 50 % in unit 0") that about half of the
learners meet. Timed, in two stages: the ``sync`` job (roster, line items
and results into progress facts, award evaluation) and then the ``issuance`` job (one signed eddsa-rdfc-2022
Open Badge per new award), until every course's runs are recorded ``done``.
Embedded: ``bridge jobs run sync`` then ``bridge jobs run issuance`` in subprocesses (the code path of the
in-process scheduler), each stage timed from its first course run's start to its last one's end, so process
start-up is not counted. Celery: two ``bridge worker --pool solo`` subprocesses fed by ``bridge.fanout``
through Redis (``BRIDGE_TEST_REDIS_URL``, default redis://127.0.0.1:56379/0), each stage timed from sending its
fan-out to the end its last course (or shard) run recorded, with both workers already up; the bench looks for
that end only every 0.5 s, because this process also serves the sandbox platform the workers fetch from
(polling every 50 ms competed with it for this process's GIL). Value: seconds with two
workers (both stages); baseline: embedded seconds; ratio: embedded / two workers (goal ≥ 1.6). CPU seconds of
the job processes per stage are printed too (the sandbox LMS, the database and Redis are not counted), and how
many of the machine's cores were busy meanwhile (with anyone's work: on a shared machine, not only ours).
``--database-url ADMIN_URL`` (alias ``--postgres``) runs both modes on a fresh PostgreSQL database each.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the live-server helpers live in tests/support

from sqlalchemy import select  # noqa: E402

from bridge.jobs.celery_app import make_celery  # noqa: E402
from bridge.models import Course, JobRun  # noqa: E402
from bridge.models.base import utcnow  # noqa: E402
from bridge.services import award_issuance, awards  # noqa: E402
from bridge.services import credential_templates as templates  # noqa: E402
from bridge.services.award_rules import Combination, Condition, Criterion, CriterionKind, Rule  # noqa: E402
from tests.conftest import TEST_SECRET, postgres_database  # noqa: E402
from tests.support.awards_data import sample_template  # noqa: E402
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
            platform.add_user(user, "Learner", user, f"{user}@example.edu")
            platform.enroll(course, user, [LEARNER])
        first_item = ""
        for n in range(line_items):
            item = platform.add_line_item(course, f"Unit {n}", 100, resource_id=f"unit-{n}", tag="bench")
            for i, user in enumerate(users):
                platform.record_score(item, "platform", {
                    "userId": user, "scoreGiven": (i * 7 + n) % 101, "scoreMaximum": 100,
                    "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                    "timestamp": "2026-01-01T10:00:00+00:00"})
            first_item = first_item or f"{live.sandbox.url}/api/lti/courses/{course}/lineitems/{item.id}"
        assert live.lti.launch("instructor-1", f"rl-bench-{k}").status_code == 303
        award_rule(live, course, first_item)


def award_rule(live: Live, context_id: str, line_item_url: str) -> None:
    """A credential for at least 50 % in the course's first line item (about half of the learners)."""
    with live.session() as session:
        course = session.scalars(select(Course).where(Course.context_id == context_id)).one()
        template = templates.save_template(session, registration_pk=course.registration_id, course_pk=course.id,
                                           template=sample_template())
        awards.set_rule(session, template, course.id, Rule(
            (Criterion(CriterionKind.AGS_LINE_ITEM, line_item_url, Condition.MIN_SCORE, 50.0),), Combination.ALL_OF))
        session.commit()


def environment(live: Live, redis_url: str, shards: int = 1) -> dict[str, str]:
    return {**os.environ, "BRIDGE_DATABASE_URL": live.app.config["DATABASE_URL"], "BRIDGE_SECRET_KEY": TEST_SECRET,
            "BRIDGE_BASE_URL": live.app.config["BASE_URL"], "BRIDGE_INSTANCE_DIR": live.app.config["INSTANCE_DIR"],
            "BRIDGE_REDIS_URL": redis_url, "BRIDGE_LOG_LEVEL": "WARNING", "BRIDGE_JOB_ISSUANCE_SHARDS": str(shards)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot, every core (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def busy_cores(before: tuple[float, float]) -> float:
    """How many of the machine's cores were busy (anyone's work) since ``before``."""
    busy, total = machine_busy()
    return (busy - before[0]) / max(total - before[1], 1) * (os.cpu_count() or 1)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


STAGES = ("sync", "issuance")


def done_runs(live: Live, job: str = "sync") -> list[JobRun]:
    with live.session() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job, JobRun.status == "done")))


def embedded(live: Live, redis_url: str, args: argparse.Namespace) -> dict[str, float]:
    """Each stage from its first course run's start to its last one's end (process start-up is not counted)."""
    seconds = {}
    for job in STAGES:
        cpu, machine = children_cpu(), machine_busy()
        subprocess.run([sys.executable, "-m", "bridge.cli", "jobs", "run", job], env=environment(live, ""),
                       check=True, stdout=subprocess.DEVNULL)
        seconds[f"{job}_cpu"] = children_cpu() - cpu  # includes start-up (≈ 1 s)
        seconds[f"{job}_busy_cores"] = busy_cores(machine)
        runs = done_runs(live, job)
        last = max(r.finished_at for r in runs if r.finished_at is not None)
        seconds[job] = (last - min(r.started_at for r in runs)).total_seconds()
    return seconds


def expected_runs(live: Live, job: str, courses: int, shards: int) -> int:
    if job == "sync":
        return courses
    with live.session() as session:
        return len(award_issuance.courses_with_pending(session)) * shards


def celery_workers(live: Live, redis_url: str, args: argparse.Namespace, workers: int = 2) -> dict[str, float]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    live.app.config["REDIS_URL"] = redis_url
    live.app.config["JOB_ISSUANCE_SHARDS"] = args.shards
    celery = make_celery(live.app)
    processes = [subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--pool", "solo",
                                   "--loglevel", "WARNING"], env=environment(live, redis_url, args.shards),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        deadline = time.monotonic() + 60
        while len(celery.control.ping(timeout=0.5) or []) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        seconds = {}
        for job in STAGES:
            expected = expected_runs(live, job, args.courses, args.shards)
            cpu, machine = sum(cpu_seconds(p.pid) for p in processes), machine_busy()
            sent = utcnow()
            celery.send_task("bridge.fanout", args=(job,))
            deadline = time.monotonic() + 3600
            while len(runs := done_runs(live, job)) < expected:
                if time.monotonic() > deadline:
                    raise SystemExit("the workers did not finish within an hour")
                # Seldom: this process also serves the sandbox platform the workers are fetching from.
                time.sleep(0.5)
            seconds[job] = (max(r.finished_at for r in runs if r.finished_at is not None) - sent).total_seconds()
            seconds[f"{job}_cpu"] = sum(cpu_seconds(p.pid) for p in processes) - cpu
            seconds[f"{job}_busy_cores"] = busy_cores(machine)
        return seconds
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def measure(mode: str, args: argparse.Namespace, redis_url: str) -> tuple[dict[str, float], dict[str, list[JobRun]]]:
    if args.postgres:  # a fresh PostgreSQL database for each mode (SQLite: a fresh file)
        with postgres_database(args.postgres) as url:
            os.environ["BRIDGE_TEST_DATABASE_URL"] = url
            try:
                return _measure(mode, args, redis_url)
            finally:
                os.environ.pop("BRIDGE_TEST_DATABASE_URL", None)
    return _measure(mode, args, redis_url)


def _measure(mode: str, args: argparse.Namespace, redis_url: str) -> tuple[dict[str, float], dict[str, list[JobRun]]]:
    with tempfile.TemporaryDirectory() as tmp:
        live = start_live(Path(tmp), page_size=PAGE_SIZE)
        try:
            live.lti.register()
            seed(live, args.courses, args.learners, args.line_items)
            if mode == "embedded":
                seconds = embedded(live, redis_url, args)
            else:
                seconds = celery_workers(live, redis_url, args)
            return seconds, {job: done_runs(live, job) for job in STAGES}
        finally:
            stop_live(live)


def total(seconds: dict[str, float]) -> float:
    return sum(seconds[job] for job in STAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--courses", type=int, default=4)
    parser.add_argument("--line-items", type=int, default=10)
    parser.add_argument("--database-url", "--postgres", dest="postgres", metavar="ADMIN_URL", default="",
                        help="run on PostgreSQL (e.g. postgresql+psycopg://postgres@127.0.0.1:55432/postgres); "
                             "a fresh database is created on that server for each mode")
    parser.add_argument("--shards", type=int, default=4, help="Celery issuance tasks per course (default 4)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    redis_url = os.environ.get("BRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:56379/0")
    embedded_s, runs = measure("embedded", args, redis_url)
    celery_s, celery_runs = measure("celery", args, redis_url)
    ratio = total(embedded_s) / total(celery_s)
    issued = sum(int(r.counts.get("issued", 0)) for r in runs["issuance"])
    if args.json:
        print(json.dumps({"metric": "sync_e2e_10k", "value": round(total(celery_s), 3), "unit": "s",
                          "baseline": round(total(embedded_s), 3), "ratio": round(ratio, 3), "shards": args.shards,
                          "learners": args.learners, "courses": args.courses, "issued": issued,
                          "database": "postgresql" if args.postgres else "sqlite",
                          "stages": {"embedded": embedded_s, "celery": celery_s}}))
        return
    members = sum(int(r.counts.get("members", 0)) for r in runs["sync"])
    results = sum(int(r.counts.get("results", 0)) for r in runs["sync"])
    awarded = sum(int(r.counts.get("awards", 0)) for r in runs["sync"])
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: {args.courses} courses, {args.learners} learners, "
          f"{args.line_items} line items: "
          f"{members} members, {results} results, {awarded} awards, {issued} credentials issued per mode")
    for name, seconds, recorded in (("embedded", embedded_s, runs), ("2 celery workers", celery_s, celery_runs)):
        made = sum(int(r.counts.get("issued", 0)) for r in recorded["issuance"])
        print(f"{name:>17}: {total(seconds):7.2f} s   sync {seconds['sync']:6.2f} s "
              f"({members / seconds['sync']:7.1f} members/s, {results / seconds['sync']:8.1f} results/s; "
              f"CPU {seconds['sync_cpu']:5.1f} s, machine {seconds['sync_busy_cores']:.2f} cores busy)   "
              f"issuance {seconds['issuance']:6.2f} s ({made / seconds['issuance']:6.1f} credentials/s, "
              f"{1000 * seconds['issuance'] / max(made, 1):5.1f} ms each; CPU {seconds['issuance_cpu']:5.1f} s, "
              f"machine {seconds['issuance_busy_cores']:.2f} cores busy)")
    print(f"{'ratio':>17}: {ratio:7.2f} × (embedded / two workers; goal ≥ 1.6)")
    print(f"{'celery runs':>17}: " + timeline(celery_runs))


def timeline(recorded: dict[str, list[JobRun]]) -> str:
    """Each run's scope, start (seconds after its stage's first run started) and length: the shards side by side."""
    parts = []
    for job in STAGES:
        runs = sorted(recorded[job], key=lambda r: r.started_at)
        for run in runs:
            start = (run.started_at - runs[0].started_at).total_seconds()
            length = ((run.finished_at or run.started_at) - run.started_at).total_seconds()
            parts.append(f"{job} {run.scope} +{start:.1f} s {length:.1f} s")
    return "; ".join(parts)


if __name__ == "__main__":
    main()
