"""The award-rules engine: pure, deterministic functions over typed values (no database, no clock).

A :class:`Rule` combines :class:`Criterion` values ``all_of`` or ``at_least_n``. A criterion names an activity
(an AGS line item URL, a SCORM activity id) with a condition — completed, passed, or a minimum score in percent
of the maximum — or another credential template the learner must hold (stackability).

:func:`evaluate` is order-independent (facts are sorted before use) and monotone: a criterion is satisfied by
*any* matching fact, so adding facts or held credentials can only satisfy more criteria, never fewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class CriterionKind(StrEnum):
    AGS_LINE_ITEM = "ags_line_item"
    SCORM_ACTIVITY = "scorm_activity"
    CONNECTOR = "connector"  # a fact read by a connector beyond LTI (Moodle Web Services, Canvas REST)
    CREDENTIAL = "credential"


class Condition(StrEnum):
    COMPLETED = "completed"
    PASSED = "passed"
    MIN_SCORE = "min_score"


class Combination(StrEnum):
    ALL_OF = "all_of"
    AT_LEAST_N = "at_least_n"


# Progress-fact activity keys are "<prefix>:<id>" (bridge.models.progress); the kinds map onto the prefixes.
ACTIVITY_PREFIX = {CriterionKind.AGS_LINE_ITEM: "ags", CriterionKind.SCORM_ACTIVITY: "scorm",
                   CriterionKind.CONNECTOR: "connector"}


@dataclass(frozen=True, slots=True)
class Fact:
    """What one learner did in one activity (a typed view of a progress fact)."""

    learner: str
    activity_kind: CriterionKind
    activity_id: str
    completed: bool
    passed: bool | None = None
    score: float | None = None
    maximum: float | None = None

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.maximum or self.maximum <= 0:
            return None
        return 100.0 * self.score / self.maximum

    def sort_key(self) -> tuple[Any, ...]:
        def num(x: float | None) -> tuple[bool, float]:
            return (x is not None, x or 0.0)
        return (self.learner, self.activity_kind.value, self.activity_id, self.completed,
                num(None if self.passed is None else float(self.passed)), num(self.score), num(self.maximum))

    def as_json(self) -> dict[str, Any]:
        return {"activity_kind": self.activity_kind.value, "activity_id": self.activity_id,
                "completed": self.completed, "passed": self.passed, "score": self.score, "maximum": self.maximum}


@dataclass(frozen=True, slots=True)
class Criterion:
    kind: CriterionKind
    target: str  # line item URL, SCORM activity id, or a credential template id
    condition: Condition = Condition.COMPLETED
    min_score: float | None = None  # percent, with Condition.MIN_SCORE
    label: str = ""

    def describe(self) -> str:
        what = self.label or self.target
        if self.kind is CriterionKind.CREDENTIAL:
            return f"hold the credential {what}"
        if self.condition is Condition.MIN_SCORE:
            return f"score at least {self.min_score:g}% in {what}"
        return f"{'pass' if self.condition is Condition.PASSED else 'complete'} {what}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "target": self.target, "condition": self.condition.value,
                "min_score": self.min_score, "label": self.label}


@dataclass(frozen=True, slots=True)
class Rule:
    criteria: tuple[Criterion, ...]
    combination: Combination = Combination.ALL_OF
    required: int | None = None  # N for at_least_n
    valid_days: int | None = None

    @property
    def needed(self) -> int:
        if self.combination is Combination.AT_LEAST_N:
            return self.required or 0
        return len(self.criteria)

    def as_json(self) -> dict[str, Any]:
        return {"combination": self.combination.value, "required": self.required, "valid_days": self.valid_days,
                "criteria": [c.as_json() for c in self.criteria]}


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    satisfied: bool
    facts: tuple[Fact, ...]  # the facts (sorted) that satisfy it; empty for credentials and unmet criteria

    def as_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion.as_json(), "description": self.criterion.describe(),
                "satisfied": self.satisfied, "facts": [f.as_json() for f in self.facts]}


@dataclass(frozen=True, slots=True)
class Evaluation:
    satisfied: bool
    results: tuple[CriterionResult, ...]
    needed: int

    @property
    def met(self) -> int:
        return sum(r.satisfied for r in self.results)

    @property
    def missing(self) -> tuple[Criterion, ...]:
        return tuple(r.criterion for r in self.results if not r.satisfied)

    def explanation(self) -> dict[str, Any]:
        """The evidence stored on an award: which facts satisfied which criterion."""
        return {"satisfied": self.satisfied, "met": self.met, "needed": self.needed,
                "criteria": [r.as_json() for r in self.results]}


class RuleProblem(ValueError):
    """A rule that cannot be evaluated; ``problems`` lists every fault as a sentence."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def check_rule(rule: Rule) -> list[str]:
    """Every problem of a rule (empty list = usable)."""
    problems: list[str] = []
    if not rule.criteria:
        problems.append("Add at least one criterion.")
    if rule.combination is Combination.AT_LEAST_N and not (
            rule.required is not None and 1 <= rule.required <= len(rule.criteria)):
        problems.append(f"'At least N' needs N between 1 and the number of criteria ({len(rule.criteria)}).")
    if rule.valid_days is not None and not 1 <= rule.valid_days <= 36500:
        problems.append("The validity period must be between 1 and 36500 days.")
    for i, c in enumerate(rule.criteria, 1):
        if not c.target.strip():
            problems.append(f"Criterion {i}: choose an activity or a credential.")
        if c.condition is Condition.MIN_SCORE and (c.min_score is None or not 0 <= c.min_score <= 100):
            problems.append(f"Criterion {i}: the minimum score must be a percentage from 0 to 100.")
    return problems


def _meets(criterion: Criterion, fact: Fact) -> bool:
    if fact.activity_kind is not criterion.kind or fact.activity_id != criterion.target:
        return False
    if criterion.condition is Condition.COMPLETED:
        return fact.completed
    if criterion.condition is Condition.PASSED:
        return fact.passed is True
    percent = fact.percent
    return percent is not None and criterion.min_score is not None and percent + 1e-9 >= criterion.min_score


def _check(criterion: Criterion, facts: tuple[Fact, ...], held: frozenset[str]) -> CriterionResult:
    if criterion.kind is CriterionKind.CREDENTIAL:
        return CriterionResult(criterion, criterion.target in held, ())
    matching = tuple(f for f in facts if _meets(criterion, f))
    return CriterionResult(criterion, bool(matching), matching)


def evaluate(rule: Rule, facts: Iterable[Fact], held_credentials: Iterable[str] = ()) -> Evaluation:
    """Evaluate ``rule`` over one learner's ``facts`` and the template ids of the credentials they hold."""
    ordered = tuple(sorted(set(facts), key=Fact.sort_key))
    held = frozenset(held_credentials)
    results = tuple(_check(c, ordered, held) for c in rule.criteria)
    met = sum(r.satisfied for r in results)
    needed = rule.needed
    satisfied = bool(rule.criteria) and needed > 0 and met >= needed
    return Evaluation(satisfied=satisfied, results=results, needed=needed)


def fact_from_activity(learner: str, activity: str, *, completed: bool, passed: bool | None, score: float | None,
                       maximum: float | None) -> Fact | None:
    """A :class:`Fact` from a progress-fact activity key (``ags:<url>``, ``scorm:<id>``); None for other kinds."""
    prefix, _, ident = activity.partition(":")
    for kind, known in ACTIVITY_PREFIX.items():
        if prefix == known and ident:
            return Fact(learner, kind, ident, completed, passed, score, maximum)
    return None


def _enum(kind: type[StrEnum], raw: object, where: str, problems: list[str]) -> Any:
    try:
        return kind(str(raw))
    except ValueError:
        problems.append(f"{where}: '{raw}' is not one of {', '.join(m.value for m in kind)}.")
        return None


def _number(raw: object, where: str, problems: list[str], *, whole: bool = False) -> Any:
    if raw is None or raw == "":
        return None
    try:
        value = int(str(raw)) if whole else float(str(raw))
    except ValueError:
        problems.append(f"{where}: '{raw}' is not a {'whole ' if whole else ''}number.")
        return None
    return value if value == value else None  # NaN is not a number here


def rule_from_json(raw: object) -> Rule:
    """A :class:`Rule` from its JSON shape (``Rule.as_json``); :class:`RuleProblem` lists every fault."""
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("criteria"), list):
        raise RuleProblem(["Send an object with 'combination' and a list of 'criteria'."])
    combination = _enum(Combination, raw.get("combination", "all_of"), "combination", problems)
    criteria = []
    for i, item in enumerate(raw["criteria"], 1):
        if not isinstance(item, dict):
            problems.append(f"Criterion {i}: expected an object.")
            continue
        kind = _enum(CriterionKind, item.get("kind"), f"Criterion {i} kind", problems)
        condition = _enum(Condition, item.get("condition", "completed"), f"Criterion {i} condition", problems)
        min_score = _number(item.get("min_score"), f"Criterion {i} min_score", problems)
        criteria.append(Criterion(kind, str(item.get("target", "")), condition, min_score,
                                  str(item.get("label", ""))[:512]))
    rule = Rule(tuple(criteria), combination or Combination.ALL_OF,
                _number(raw.get("required"), "required", problems, whole=True),
                _number(raw.get("valid_days"), "valid_days", problems, whole=True))
    problems += check_rule(rule) if not problems else []
    if problems:
        raise RuleProblem(problems)
    return rule
