"""The award engine: award rules stored per (template, course), evaluation of learners, manual decisions.

:func:`evaluate_learner` runs on new progress facts and after a sync. It reads the learner's progress facts
(``bridge.models.progress``) and held credentials, evaluates every enabled rule of the course with the pure
engine (``award_rules.evaluate``) and creates the award for the template's current version. Exactly one award
exists per (learner, template version): the insert runs in a SAVEPOINT and a unique-constraint violation —
another worker was faster — is answered with the award that worker created. A learner who holds any version
of a template is not awarded it again. Revocation, suspension and reinstatement need a reason and are
appended to the award's status history. The caller owns the transaction (commit after these calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.lti.context import TEACHING_ROLES
from bridge.models import (
    Award,
    AwardCriterion,
    AwardRule,
    AwardStatusChange,
    CourseLineItem,
    CredentialTemplate,
    Membership,
    ProgressFact,
    ResourceLink,
    ScormActivity,
)
from bridge.services import award_rules as rules
from bridge.services.credential_templates import InvalidInput, NotFound, current_version, get_template, problem
from credentials.microcredential import unsafe_text
from credentials.record_errors import Problem

TRANSITIONS = {("active", "revoked"), ("active", "suspended"), ("suspended", "active"), ("suspended", "revoked")}


@dataclass(frozen=True, slots=True)
class Activity:
    kind: rules.CriterionKind
    target: str
    label: str


def course_activities(session: Session, course_pk: int) -> list[Activity]:
    """The course's gradebook line items (AGS), SCORM activities and connector facts learners have progress in."""
    items = session.scalars(select(CourseLineItem).where(CourseLineItem.course_id == course_pk)
                            .order_by(CourseLineItem.label, CourseLineItem.url))
    found = [Activity(rules.CriterionKind.AGS_LINE_ITEM, i.url, i.label or i.url) for i in items]
    # SCORM progress facts are keyed "scorm:<ScormActivity.id>" (bridge.services.scorm_attempts).
    scorm = session.execute(select(ScormActivity.id, ResourceLink.title).join(
        ResourceLink, ResourceLink.id == ScormActivity.resource_link_pk).where(ResourceLink.course_id == course_pk)
        .order_by(ResourceLink.title, ScormActivity.id))
    labels = {str(pk): title or f"SCORM activity {pk}" for pk, title in scorm}
    keys = session.scalars(select(ProgressFact.activity).where(ProgressFact.course_id == course_pk,
                                                               ProgressFact.activity.like("scorm:%")).distinct())
    labels.update({k[6:]: k[6:] for k in sorted(keys) if k[6:] not in labels})
    found += [Activity(rules.CriterionKind.SCORM_ACTIVITY, pk, label) for pk, label in labels.items()]
    # Facts read by a tenant's connector (bridge.services.connector_sync): "connector:<kind>:<what>:<id>".
    keys = session.scalars(select(ProgressFact.activity).where(ProgressFact.course_id == course_pk,
                                                               ProgressFact.activity.like("connector:%")).distinct())
    found += [Activity(rules.CriterionKind.CONNECTOR, k[10:], k[10:]) for k in sorted(keys)]
    return found


def rule_of(row: AwardRule) -> rules.Rule:
    criteria = tuple(rules.Criterion(rules.CriterionKind(c.kind), c.target, rules.Condition(c.condition),
                                     c.min_score, c.label) for c in row.criteria)
    return rules.Rule(criteria, rules.Combination(row.combination), row.required, row.valid_days)


def get_rule(session: Session, template_id: int, course_pk: int) -> AwardRule | None:
    return session.scalars(select(AwardRule).where(AwardRule.template_id == template_id,
                                                   AwardRule.course_id == course_pk)).first()


def _check_targets(session: Session, template: CredentialTemplate, course_pk: int, rule: rules.Rule) -> list[str]:
    known = course_activities(session, course_pk)
    problems = []
    for i, c in enumerate(rule.criteria, 1):
        if c.kind is rules.CriterionKind.CREDENTIAL:
            if not c.target.isdigit() or int(c.target) == template.id:
                problems.append(f"Criterion {i}: choose another credential template of this platform.")
                continue
            try:
                get_template(session, template.registration_id, int(c.target))
            except NotFound:
                problems.append(f"Criterion {i}: there is no credential template {c.target} on this platform.")
            continue
        of_kind = {a.target for a in known if a.kind is c.kind}
        # Free text only while the course has no activity of this kind to pick from.
        if of_kind and c.target not in of_kind:
            problems.append(f"Criterion {i}: '{c.target}' is not an activity of this course.")
        if unsafe_text(c.target) or unsafe_text(c.label):
            problems.append(f"Criterion {i}: use plain text (no markup or script).")
    return problems


def set_rule(session: Session, template: CredentialTemplate, course_pk: int, rule: rules.Rule) -> AwardRule:
    """Replace the rule by which learners of ``course_pk`` earn ``template``; nothing is stored when invalid."""
    faults = rules.check_rule(rule) + _check_targets(session, template, course_pk, rule)
    if faults:
        raise InvalidInput([Problem("rule", "invalid_rule", f) for f in faults])
    row = get_rule(session, template.id, course_pk) or AwardRule(template_id=template.id, course_id=course_pk)
    row.combination, row.required, row.valid_days = rule.combination.value, rule.required, rule.valid_days
    row.criteria.clear()
    session.add(row)
    session.flush()
    labels = {(a.kind, a.target): a.label for a in course_activities(session, course_pk)}
    for pos, c in enumerate(rule.criteria):
        label = c.label or labels.get((c.kind, c.target), "")
        row.criteria.append(AwardCriterion(position=pos, kind=c.kind.value, target=c.target,
                                           condition=c.condition.value, min_score=c.min_score, label=label))
    session.flush()
    return row


def learner_facts(session: Session, course_pk: int, user_pk: int) -> list[rules.Fact]:
    rows = session.scalars(select(ProgressFact).where(ProgressFact.course_id == course_pk,
                                                      ProgressFact.user_id == user_pk))
    facts = (rules.fact_from_activity(str(user_pk), r.activity, completed=r.completed, passed=r.passed,
                                      score=r.score, maximum=r.maximum) for r in rows)
    return [f for f in facts if f is not None]


def awards_of(session: Session, user_pk: int) -> list[Award]:
    return list(session.scalars(select(Award).where(Award.user_id == user_pk).order_by(Award.id)))


def held_templates(session: Session, user_pk: int, now: datetime) -> set[str]:
    """Template ids (as text) of the learner's active, unexpired awards — in any course of the tenant."""
    return {str(a.template_id) for a in awards_of(session, user_pk)
            if a.status == "active" and (a.valid_until is None or a.valid_until > now)}


def _insert_award(session: Session, award: Award) -> tuple[Award, bool]:
    """Insert ``award``; when the (learner, version) award already exists, return that one and False."""
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError:
        # Another worker created this (learner, version) award first: theirs is the award.
        existing = session.scalars(select(Award).where(Award.user_id == award.user_id,
                                                       Award.template_version_id == award.template_version_id)).one()
        return existing, False
    return award, True


def _new_award(template: CredentialTemplate, user_pk: int, course_pk: int | None, *, method: str,
               evidence: dict[str, object], now: datetime, valid_days: int | None, by: int | None,
               reason: str = "", version_pk: int | None = None) -> Award:
    version = current_version(template).id if version_pk is None else version_pk
    award = Award(user_id=user_pk, template_id=template.id, template_version_id=version,
                  course_id=course_pk, evidence=evidence, method=method, status="active", status_reason=reason,
                  status_changed_at=now, awarded_at=now,
                  valid_until=now + timedelta(days=valid_days) if valid_days else None)
    award.history.append(AwardStatusChange(from_status=None, to_status="active", reason=reason or method,
                                           changed_by=by, changed_at=now))
    return award


def _course_rules(session: Session, course_pk: int) -> list[AwardRule]:
    return list(session.scalars(select(AwardRule).where(AwardRule.course_id == course_pk,
                                                        AwardRule.enabled.is_(True)).order_by(AwardRule.id)))


def _earn(pending: list[tuple[AwardRule, rules.Rule]], facts: list[rules.Fact], holding: set[int], held: set[str],
          now: datetime) -> list[tuple[AwardRule, rules.Evaluation]]:
    """The rules a learner now satisfies, repeated until nothing changes (an award earned here can satisfy a
    stacked rule of the same course). ``holding``: templates the learner has any award of (never awarded
    again); ``held``: template ids (text) of active, unexpired awards. Both are updated with what is earned."""
    earned_all: list[tuple[AwardRule, rules.Evaluation]] = []
    while pending:
        evaluated = [(row, rule, rules.evaluate(rule, facts, held)) for row, rule in pending
                     if row.template_id not in holding]
        earned = [(row, evaluation) for row, _, evaluation in evaluated if evaluation.satisfied]
        for row, _ in earned:
            holding.add(row.template_id)
            valid_until = now + timedelta(days=row.valid_days) if row.valid_days else None
            if valid_until is None or valid_until > now:  # as held_templates reads the new award back
                held.add(str(row.template_id))
        earned_all += earned
        pending = [(row, rule) for row, rule, evaluation in evaluated if not evaluation.satisfied] if earned else []
    return earned_all


def evaluate_learner(session: Session, course_pk: int, user_pk: int, *, now: datetime) -> list[Award]:
    """Award every credential of the course whose rule the learner now satisfies; returns the new awards."""
    pending = [(row, rule_of(row)) for row in _course_rules(session, course_pk)]
    holding = {a.template_id for a in awards_of(session, user_pk)}
    earned = _earn(pending, learner_facts(session, course_pk, user_pk), holding,
                   held_templates(session, user_pk, now), now)
    created: list[Award] = []
    for row, evaluation in earned:
        award, new = _insert_award(session, _rule_award(session, row, evaluation, user_pk, course_pk, now))
        if new:
            created.append(award)
    return created


def _rule_award(session: Session, row: AwardRule, evaluation: rules.Evaluation, user_pk: int, course_pk: int,
                now: datetime, versions: dict[int, tuple[CredentialTemplate, int]] | None = None) -> Award:
    """The award ``row`` grants; ``versions`` keeps each template and its current version for a whole run."""
    known = versions if versions is not None else {}
    if row.template_id not in known:
        template = session.get_one(CredentialTemplate, row.template_id)
        known[row.template_id] = template, current_version(template).id
    template, version_pk = known[row.template_id]
    return _new_award(template, user_pk, course_pk, method="rule", evidence=evaluation.explanation(), now=now,
                      valid_days=row.valid_days, by=None, version_pk=version_pk)


def course_learners(session: Session, course_pk: int) -> list[int]:
    """Users with progress in the course, and members of the course (roster) without a teaching role, by id."""
    with_facts = session.scalars(select(ProgressFact.user_id).where(ProgressFact.course_id == course_pk).distinct())
    members = session.execute(select(Membership.user_id, Membership.roles).where(Membership.course_id == course_pk))
    learners = {user for user, roles in members if not set(roles) & TEACHING_ROLES}
    return sorted(set(with_facts) | learners)


EVALUATION_CHUNK = 500  # learners whose holdings are read, and awards inserted, together


def evaluate_course(session: Session, course_pk: int, *, now: datetime) -> list[Award]:
    """:func:`evaluate_learner` for every learner of the course (after a sync), read and written in bulk.

    The same decisions, but the course's facts come in one query, what learners hold in one query per chunk of
    learners, and a chunk's new awards are inserted in one SAVEPOINT; if that meets an award another worker
    created meanwhile, the chunk's awards are inserted one by one as :func:`evaluate_learner` does.
    """
    pending = [(row, rule_of(row)) for row in _course_rules(session, course_pk)]
    if not pending:
        return []
    facts: dict[int, list[rules.Fact]] = {}
    rows = session.execute(select(ProgressFact.user_id, ProgressFact.activity, ProgressFact.completed,
                                  ProgressFact.passed, ProgressFact.score, ProgressFact.maximum)
                           .where(ProgressFact.course_id == course_pk))
    for user, activity, completed, passed, score, maximum in rows:
        fact = rules.fact_from_activity(str(user), activity, completed=completed, passed=passed, score=score,
                                        maximum=maximum)
        if fact is not None:
            facts.setdefault(user, []).append(fact)
    created: list[Award] = []
    versions: dict[int, tuple[CredentialTemplate, int]] = {}
    learners = course_learners(session, course_pk)
    for start in range(0, len(learners), EVALUATION_CHUNK):
        chunk = learners[start:start + EVALUATION_CHUNK]
        holding: dict[int, set[int]] = {user: set() for user in chunk}
        held: dict[int, set[str]] = {user: set() for user in chunk}
        for user, template_id, status, valid_until in session.execute(
                select(Award.user_id, Award.template_id, Award.status, Award.valid_until)
                .where(Award.user_id.in_(chunk))):
            holding[user].add(template_id)
            if status == "active" and (valid_until is None or valid_until > now):
                held[user].add(str(template_id))
        decided = [(user, row, evaluation) for user in chunk
                   for row, evaluation in _earn(pending, facts.get(user, []), holding[user], held[user], now)]
        created += _insert_awards(session, decided, course_pk, now, versions)
    return created


def _insert_awards(session: Session, decided: list[tuple[int, AwardRule, rules.Evaluation]], course_pk: int,
                   now: datetime, versions: dict[int, tuple[CredentialTemplate, int]]) -> list[Award]:
    if not decided:
        return []
    try:
        with session.begin_nested():
            made = [_rule_award(session, row, evaluation, user, course_pk, now, versions)
                    for user, row, evaluation in decided]
            session.add_all(made)
            session.flush()
        return made
    except IntegrityError:  # another worker was faster for one of them: one SAVEPOINT per award
        fresh = (_insert_award(session, _rule_award(session, row, evaluation, user, course_pk, now, versions))
                 for user, row, evaluation in decided)
        return [award for award, new in fresh if new]


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise problem("reason", "Give a reason; it is kept with the award's history.", "missing")
    if unsafe_text(text):
        raise problem("reason", "Use plain text for the reason (no markup or script).", "script")
    return text[:2000]


def award_manually(session: Session, template: CredentialTemplate, user_pk: int, course_pk: int, *, reason: str,
                   by: int | None, now: datetime) -> Award:
    """Award the template's current version by decision of an instructor (idempotent per learner × version)."""
    text = _reason(reason)
    if any(a.template_id == template.id for a in awards_of(session, user_pk)):
        raise problem("user", "This learner already holds this credential.", "duplicate")
    rule = get_rule(session, template.id, course_pk)
    award = _new_award(template, user_pk, course_pk, method="manual", evidence={"manual": True, "reason": text},
                       now=now, valid_days=rule.valid_days if rule else None, by=by, reason=text)
    inserted, new = _insert_award(session, award)
    if not new:
        raise problem("user", "This learner already holds this credential.", "duplicate")
    return inserted


def get_award(session: Session, registration_pk: int, award_id: int, course_pk: int | None = None) -> Award:
    award = session.get(Award, award_id)
    if award is not None:
        template = session.get_one(CredentialTemplate, award.template_id)
        if template.registration_id == registration_pk and (course_pk is None or award.course_id == course_pk):
            return award
    raise NotFound(f"There is no award {award_id} in this course.")


def change_status(session: Session, award: Award, to_status: str, *, reason: str, by: int | None,
                  now: datetime) -> Award:
    """Revoke, suspend or reinstate an award; the change and its reason are appended to the history."""
    text = _reason(reason)
    if (award.status, to_status) not in TRANSITIONS:
        raise problem("status", f"An award that is {award.status} cannot become {to_status}.", "invalid_transition")
    award.history.append(AwardStatusChange(from_status=award.status, to_status=to_status, reason=text,
                                           changed_by=by, changed_at=now))
    award.status, award.status_reason, award.status_changed_at = to_status, text, now
    session.flush()
    return award
