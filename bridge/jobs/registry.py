"""Job names and their schedules: defaults from configuration, overridable per tenant.

Schedules are five-field cron expressions in UTC (``minute hour day month weekday``). ``course`` jobs fan out
per registered course that has service endpoints; tenants may override the cron of a job with
``JOB_TENANT_SCHEDULES`` (JSON: ``{"<registration id>": {"sync": "0 2 * * *"}}``; per-registration settings in
the admin screens can feed the same mapping later).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.cron import CronTrigger

# name → (config key of the default cron, scope). "course": one run per course, "global": one per instance.
JOBS: dict[str, tuple[str, str]] = {
    "sync": ("JOB_SYNC_CRON", "course"),
    "delivery": ("JOB_DELIVERY_CRON", "global"),
    "outbox": ("JOB_OUTBOX_CRON", "global"),
    "issuance": ("JOB_ISSUANCE_CRON", "course"),
    "status_lists": ("JOB_STATUS_LISTS_CRON", "global"),
    "platform_keys": ("JOB_PLATFORM_KEYS_CRON", "global"),
    "cleanup": ("JOB_CLEANUP_CRON", "global"),
}


class ScheduleError(ValueError):
    """A cron expression or tenant override is malformed; the message says which."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One scheduled trigger: ``job`` at ``cron``; ``tenants`` limits a course job (None: every other tenant)."""

    key: str
    job: str
    cron: str
    tenants: tuple[int, ...] | None = None
    exclude: tuple[int, ...] = ()


def check_cron(cron: str, where: str) -> str:
    try:
        CronTrigger.from_crontab(cron, timezone="UTC")
    except ValueError as err:
        raise ScheduleError(f"{where}: {cron!r} is not a cron expression (minute hour day month weekday)") from err
    return cron


def tenant_overrides(config: Mapping[str, Any]) -> dict[int, dict[str, str]]:
    raw = config.get("JOB_TENANT_SCHEDULES") or "{}"
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return {int(reg): {str(job): check_cron(str(cron), f"tenant {reg} job {job}")
                           for job, cron in jobs.items() if job in JOBS} for reg, jobs in dict(data).items()}
    except (TypeError, ValueError, AttributeError) as err:
        raise ScheduleError(f"BRIDGE_JOB_TENANT_SCHEDULES is not valid: {err}") from err


def plan(config: Mapping[str, Any], overrides: Mapping[int, Mapping[str, str]] | None = None) -> list[Entry]:
    """Every trigger to schedule: defaults, plus one entry per tenant that overrides a course job."""
    overrides = tenant_overrides(config) if overrides is None else overrides
    entries: list[Entry] = []
    for job, (key, scope) in JOBS.items():
        cron = check_cron(str(config.get(key) or ""), f"BRIDGE_{key}")
        custom = {reg: jobs[job] for reg, jobs in overrides.items() if job in jobs}
        entries.append(Entry(key=job, job=job, cron=cron, exclude=tuple(sorted(custom)) if scope == "course" else ()))
        if scope == "course":
            entries.extend(Entry(key=f"{job}:tenant:{reg}", job=job, cron=c, tenants=(reg,))
                           for reg, c in sorted(custom.items()))
    return entries


def course_scope(entry: Entry, registrations: Iterable[int]) -> list[int]:
    """Tenants a course-job entry covers, given every registration id."""
    if entry.tenants is not None:
        return list(entry.tenants)
    return [reg for reg in registrations if reg not in entry.exclude]
