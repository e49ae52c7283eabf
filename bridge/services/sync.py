"""Course sync: pull the roster (NRPS 2.0) and the gradebook results (AGS 2.0) of one course, with no one present.

Transactions: **whole pages, with their resume point**. Each page's rows (users, memberships, line items,
progress facts) are written together with the run's resume point (the URL of the next page); a transaction
holds whole pages only and is committed once it holds about ``COMMIT_ROWS`` rows, whenever the next page has
not arrived yet (so no lock is held while waiting for the fetching thread), and at every phase change: when
the database is the slower side, a commit per page of 100 rows would cost more than the rows. Connectors are
called only between pages, so when a page fails to arrive or to parse, the pages stored before it are
committed, nothing of the failed page is written, the run is marked ``failed`` with the URL it stopped at,
and the next ``sync_course`` call for the course continues from that page instead of starting over. Should
the process die instead, the run resumes from its last commit. Every write is an idempotent upsert, so
repeating a page is harmless.

Roster: the first sync reads the full membership (members listed as Active/Inactive); each complete read
keeps NRPS ``rel="differences"``, and the next sync asks only for the changes (including ``Deleted``
members). Names and e-mails are stored only when the platform sent them. Results become progress facts with
``activity = "ags:<line item URL>"`` and ``source = "ags"``; the results of up to ``PREFETCH_SOURCES`` (3)
line items are fetched and parsed side by side (a small pool, so the platform sees at most three of our
requests at once; each honours 429 Retry-After), their pages stored as they arrive, the resume point kept per
line item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bridge.models import Course, CourseLineItem, CourseSync, Registration
from bridge.models.base import utcnow
from bridge.services.prefetch import prefetched, prefetched_many
from bridge.services.progress import has_facts, record_activity_facts
from bridge.services.roster_store import ensure_users, store_members
from bridge.services.secrets_box import SecretBox
from bridge.services.service_tokens import access_token_client
from connectors.errors import ConnectorError
from connectors.lti_ags import (
    RESULT_CONTAINER,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    AgsConnector,
    LineItem,
    Platform,
    Result,
    as_list_of,
    service_url,
)
from connectors.lti_nrps import MembershipPage, NrpsConnector
from connectors.paging import Page
from connectors.token_cache import LayeredTokenCache, TokenCache

# The run's resume point is saved with a statement built once (no unit of work); the roster's users and
# memberships are written by bridge.services.roster_store, the results' facts by bridge.services.progress.
RUNS: Table = CourseSync.__table__  # type: ignore[assignment]
_SAVE_RESUME = update(RUNS).where(RUNS.c.id == bindparam("run")).values(
    resume=bindparam("resume", type_=RUNS.c.resume.type))
AGS_READ_SCOPES = frozenset({SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY})
COMMIT_ROWS = 5000  # rows per transaction, about (pages are never split)


class SyncError(Exception):
    """Root of sync errors; the message is meant for an administrator."""


class SyncNotPossible(SyncError):
    """The course cannot be synced: no service endpoints remembered, or no such course."""


class SyncFailed(SyncError):
    """A page could not be fetched or understood. Nothing of that page was written; the next run resumes there."""

    def __init__(self, message: str, *, run_id: int, phase: str, url: str | None, cause: ConnectorError) -> None:
        super().__init__(message)
        self.run_id, self.phase, self.url, self.cause = run_id, phase, url, cause


@dataclass(frozen=True, slots=True)
class CourseConnectors:
    """The services a sync may call for one course (None: the platform did not offer it)."""

    nrps: NrpsConnector | None
    ags: AgsConnector | None


@dataclass(frozen=True, slots=True)
class SyncProgress:
    phase: str  # "roster" | "lineitems" | "results"
    step: int  # completed steps (roster = 1 step, then one per line item)
    steps: int | None  # total steps, None until the line items are known
    items: int  # members or results stored from the page just handled


@dataclass
class SyncReport:
    course_pk: int
    run_id: int
    resumed: bool = False
    incremental: bool = False
    pages: int = 0
    members: int = 0
    users_created: int = 0
    deleted: int = 0
    line_items: int = 0
    results: int = 0
    facts: dict[str, int] = field(default_factory=lambda: {"created": 0, "changed": 0, "unchanged": 0, "stale": 0})

    def summary(self) -> str:
        mode = "differences" if self.incremental else "full roster"
        return (f"course {self.course_pk}: {self.members} members ({mode}, {self.users_created} new users, "
                f"{self.deleted} deleted), {self.line_items} line items, {self.results} results → facts "
                f"{self.facts['created']} new, {self.facts['changed']} changed, {self.facts['unchanged']} unchanged "
                f"in {self.pages} pages{' (resumed)' if self.resumed else ''}")


ProgressCallback = Callable[[SyncProgress], None]


# -- finding courses and building connectors ------------------------------------------------------------
def find_course(session: Session, ref: str, *, registration_id: int | None = None) -> Course:
    """A course by primary key (digits) or LMS context id; ``registration_id`` disambiguates context ids."""
    query = select(Course).where(Course.context_id == ref)
    if registration_id is not None:
        query = query.where(Course.registration_id == registration_id)
    courses = list(session.scalars(query))
    if not courses and ref.isdigit():
        course = session.get(Course, int(ref))
        courses = [course] if course is not None and registration_id in (None, course.registration_id) else []
    if not courses:
        raise SyncNotPossible(f"no course {ref!r} (give its number or its LMS context id)")
    if len(courses) > 1:
        raise SyncNotPossible(f"context id {ref!r} exists on several platforms: add --platform REG_ID")
    return courses[0]


def _platform_kind(registration: Registration) -> Platform:
    family = (registration.product_family or "").lower()
    return next((kind for kind in Platform if kind.value in family), Platform.GENERIC)


def course_connectors(session: Session, box: SecretBox, course: Course, *, cache: TokenCache,
                      http: requests.Session | None = None, token_options: Mapping[str, Any] | None = None,
                      **options: Any) -> CourseConnectors:
    """NRPS and AGS connectors for ``course``, asking only for the scopes its launches granted.

    ``options`` go to every connector (``retry``, ``sleep``…), ``token_options`` to the token client only
    (``skew``, ``clock``).
    """
    registration = session.get(Registration, course.registration_id)
    if registration is None:
        raise SyncNotPossible(f"course {course.id} has no platform registration")
    # The shared cache is read once per token, not before every page (a database round trip each).
    clock = (token_options or {}).get("clock")
    layered = LayeredTokenCache(cache, **({"clock": clock} if clock is not None else {}))
    tokens = access_token_client(session, box, registration, cache=layered, http=http,
                                 **{**options, **(token_options or {})})
    nrps = NrpsConnector(tokens, session=http, **options) if course.memberships_url else None
    ags_scopes = AGS_READ_SCOPES & set(course.ags_scopes or ())
    ags = None
    if course.lineitems_url and ags_scopes:
        ags = AgsConnector(tokens, scopes=ags_scopes, platform=_platform_kind(registration), session=http, **options)
    return CourseConnectors(nrps=nrps, ags=ags)


# -- the run --------------------------------------------------------------------------------------------
def _open_run(session: Session, course: Course, *, full: bool) -> tuple[CourseSync, bool, bool]:
    """The run to continue (a failed one) or a new one; returns (run, resumed, incremental)."""
    runs = select(CourseSync).where(CourseSync.course_id == course.id).order_by(CourseSync.id.desc())
    last = session.scalars(runs.limit(1)).first()
    if last is not None and last.status in ("failed", "running") and last.resume:
        last.status, last.error = "running", ""
        session.commit()
        return last, True, bool(last.resume.get("incremental"))
    previous = session.scalars(runs.where(CourseSync.status == "done", CourseSync.differences_url.is_not(None))
                               .limit(1)).first()
    differences = None if full or previous is None else previous.differences_url
    start = {"phase": "roster", "url": differences or course.memberships_url, "incremental": bool(differences)}
    run = CourseSync(course_id=course.id, status="running", resume=start, counts={}, started_at=utcnow())
    session.add(run)
    session.commit()
    return run, False, bool(differences)


def _advance(session: Session, run: CourseSync, *, rows: int = 0, commit: bool = True, **resume: Any) -> None:
    """Move the resume point past the page just stored (``rows`` rows); commit once the transaction holds about
    ``COMMIT_ROWS`` rows, or at once with ``commit=True``. The point is saved (a Core UPDATE: no ORM flush) in
    the same transaction as the pages it follows."""
    state = {**run.resume, **resume}
    set_committed_value(run, "resume", state)
    pending = session.info.get("sync_pending_rows", 0) + rows
    if commit or pending >= COMMIT_ROWS:
        _checkpoint(session, run)
    else:
        session.info["sync_pending_rows"] = pending


def _checkpoint(session: Session, run: CourseSync, *, only_pending: bool = False) -> None:
    """Commit the pages stored so far with the resume point after them (``only_pending``: if there are any)."""
    if only_pending and not session.info.get("sync_pending_rows"):
        return
    session.execute(_SAVE_RESUME, {"run": run.id, "resume": run.resume})
    session.commit()
    session.info["sync_pending_rows"] = 0


def sync_course(session: Session, course: Course, connectors: CourseConnectors, *, full: bool = False,
                page_size: int | None = None, progress: ProgressCallback | None = None,
                now: Callable[[], datetime] = utcnow) -> SyncReport:
    """Sync ``course`` once (roster, then line items and their results); resumes a failed run.

    Raises :class:`SyncNotPossible` when the course offers neither service, :class:`SyncFailed` (carrying the
    connector error) when a page fails; pages committed before the failure stay.
    """
    if connectors.nrps is None and connectors.ags is None:
        raise SyncNotPossible(f"course {course.id} offers no roster or gradebook service: launch it once with "
                              "a platform that grants NRPS or AGS")
    run, resumed, incremental = _open_run(session, course, full=full)
    session.info["sync_pending_rows"] = 0
    report = SyncReport(course_pk=course.id, run_id=run.id, resumed=resumed, incremental=incremental)
    notify = progress or (lambda _p: None)
    observed = now()
    users: dict[str, int] = {}  # sub -> LmsUser pk, of the users this run has seen (one query per page at most)
    try:
        if run.resume.get("phase") == "roster":
            if connectors.nrps is not None and run.resume.get("url"):
                _sync_roster(session, course, run, connectors.nrps, report, notify, page_size, users)
            _advance(session, run, phase="lineitems", url=course.lineitems_url)
        if run.resume.get("phase") == "lineitems":
            items = _sync_line_items(session, course, connectors.ags) if connectors.ags else []
            _advance(session, run, phase="results", lineitems=[item.url for item in items], done=[], open={},
                     url=None)
        if run.resume.get("phase") == "results" and connectors.ags is not None:
            _sync_results(session, course, run, connectors.ags, report, notify, observed, page_size, users)
    except ConnectorError as err:
        _checkpoint(session, run)  # the pages stored before the failed one (connectors run between pages only)
        run.status, run.error = "failed", str(err)[:2000]
        session.commit()
        raise SyncFailed(f"sync of course {course.id} stopped in {run.resume.get('phase')}: {err}", run_id=run.id,
                         phase=str(run.resume.get("phase")), url=run.resume.get("url") or err.url,
                         cause=err) from err
    run.status, run.resume, run.finished_at = "done", {}, utcnow()
    run.counts = {"members": report.members, "results": report.results, **report.facts}
    session.commit()
    return report


# -- roster ---------------------------------------------------------------------------------------------
def _sync_roster(session: Session, course: Course, run: CourseSync, nrps: NrpsConnector, report: SyncReport,
                 notify: ProgressCallback, page_size: int | None, users: dict[str, int]) -> None:
    url = str(run.resume["url"])
    # ``limit`` goes on the first request only: next and differences URLs already carry their query.
    pages: Iterator[MembershipPage] = nrps.membership_pages(
        url, limit=page_size if url == course.memberships_url else None)
    for page in prefetched(pages, before_wait=lambda: _checkpoint(session, run, only_pending=True)):
        store_members(session, course, page.members, report, users)
        if page.differences_url:
            run.differences_url = page.differences_url
        report.pages += 1
        _advance(session, run, rows=2 * len(page.members), commit=False, url=page.next_url)
        notify(SyncProgress("roster", 0, None, len(page.members)))
    notify(SyncProgress("roster", 1, None, 0))


# -- gradebook ------------------------------------------------------------------------------------------
def _sync_line_items(session: Session, course: Course, ags: AgsConnector) -> list[CourseLineItem]:
    """List every line item (all pages, one transaction: the list is small) and remember them."""
    found = ags.list_line_items(str(course.lineitems_url))
    existing = {row.url: row for row in session.scalars(select(CourseLineItem).where(
        CourseLineItem.course_id == course.id))}
    rows = []
    for item in found:
        row = existing.get(str(item.id)) or CourseLineItem(course_id=course.id, url=str(item.id))
        _copy_line_item(row, item)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _copy_line_item(row: CourseLineItem, item: LineItem) -> None:
    row.label, row.score_maximum, row.tag = item.label[:512], item.score_maximum, item.tag
    row.resource_id, row.resource_link_id, row.synced_at = item.resource_id, item.resource_link_id, utcnow()


def _results_plan(resume: Mapping[str, Any]) -> tuple[list[str], set[int], dict[int, str | None]]:
    """The results phase's line item URLs, the indexes of those finished, and those begun (index → the URL of
    their next page): what is stored, whatever order the line items' pages arrived in."""
    urls = [str(url) for url in resume.get("lineitems") or []]
    if "done" in resume:
        return urls, {int(i) for i in resume["done"]}, {int(i): url for i, url in (resume.get("open") or {}).items()}
    # A run saved while line items were read one after another: those before ``index`` are finished.
    index = int(resume.get("index") or 0)
    return urls, set(range(index)), {index: resume["url"]} if resume.get("url") and index < len(urls) else {}


def _sync_results(session: Session, course: Course, run: CourseSync, ags: AgsConnector, report: SyncReport,
                  notify: ProgressCallback, observed: datetime, page_size: int | None,
                  users: dict[str, int]) -> None:
    """The results of every line item not finished yet, a few line items fetched (and parsed) side by side.

    Pages are stored as they arrive; the resume point records, per line item, the pages stored (``open``:
    index → next URL) and the line items complete (``done``), so a failed run resumes each one where it stopped.
    """
    urls, done, begun = _results_plan(run.resume)
    maxima = {row.url: row.score_maximum for row in session.scalars(
        select(CourseLineItem).where(CourseLineItem.course_id == course.id))}
    report.line_items, steps = len(urls), 1 + len(urls)
    notify(SyncProgress("lineitems", 1, steps, 0))
    likely_new: dict[int, bool] = {}

    def source(index: int) -> tuple[int, Callable[[], Iterator[tuple[Page, list[Result]]]]]:
        resume_at = begun.get(index)
        params = {"limit": str(page_size)} if page_size and not resume_at else None

        def pages() -> Iterator[tuple[Page, list[Result]]]:  # runs in a fetching thread: parsing too
            for page in ags.iter_pages(resume_at or service_url(urls[index], "results"), accept=RESULT_CONTAINER,
                                       params=params):
                yield page, as_list_of(ags, page, Result.from_json, "result container")
        return index, pages

    todo = (source(index) for index in range(len(urls)) if index not in done)
    for index, fetched in prefetched_many(todo, before_wait=lambda: _checkpoint(session, run, only_pending=True)):
        rows = 0
        if fetched is not None:
            page, results = fetched
            if index not in likely_new:  # a column without facts yet (a first sync) is written insert-first
                likely_new[index] = not has_facts(session, course.id, "ags:" + urls[index])
            _store_results(session, course, urls[index], maxima.get(urls[index]), results, observed, report,
                           users, likely_new[index])
            report.pages, rows, begun[index] = report.pages + 1, len(results), page.next_url
        if fetched is None or begun[index] is None:  # the line item's last page is stored
            done.add(index)
            begun.pop(index, None)
        _advance(session, run, rows=rows, commit=False, done=sorted(done),
                 open={str(i): url for i, url in begun.items()}, url=None)
        notify(SyncProgress("results", 1 + len(done), steps, rows))
    _advance(session, run)


def _store_results(session: Session, course: Course, lineitem_url: str, maximum: float | None,
                   results: Sequence[Result], observed: datetime, report: SyncReport,
                   users: dict[str, int], likely_new: bool) -> None:
    ensure_users(session, course.registration_id, [r.user_id for r in results], report, users)
    counts = record_activity_facts(session, course.id, "ags:" + lineitem_url, "ags", observed, [
        (users[r.user_id], r.result_score is not None, None, r.result_score, r.result_maximum or maximum)
        for r in results], likely_new=likely_new)
    for name in report.facts:
        report.facts[name] += getattr(counts, name)
    report.results += len(results)
