"""The pure award-rules engine: properties (iff, monotone, order-independent) and explanations."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bridge.services.award_rules import (
    Combination,
    Condition,
    Criterion,
    CriterionKind,
    Fact,
    Rule,
    check_rule,
    evaluate,
    fact_from_activity,
)

ACTIVITIES = ["a", "b", "c"]
AGS, SCORM, CRED = CriterionKind.AGS_LINE_ITEM, CriterionKind.SCORM_ACTIVITY, CriterionKind.CREDENTIAL

facts_st = st.builds(
    Fact, learner=st.just("u1"), activity_kind=st.sampled_from([AGS, SCORM]),
    activity_id=st.sampled_from(ACTIVITIES), completed=st.booleans(), passed=st.none() | st.booleans(),
    score=st.none() | st.floats(0, 100, allow_nan=False), maximum=st.none() | st.sampled_from([0.0, 10.0, 100.0]))
criterion_st = st.one_of(
    st.builds(Criterion, kind=st.sampled_from([AGS, SCORM]), target=st.sampled_from(ACTIVITIES),
              condition=st.sampled_from([Condition.COMPLETED, Condition.PASSED])),
    st.builds(Criterion, kind=st.sampled_from([AGS, SCORM]), target=st.sampled_from(ACTIVITIES),
              condition=st.just(Condition.MIN_SCORE), min_score=st.floats(0, 100, allow_nan=False)),
    st.builds(Criterion, kind=st.just(CRED), target=st.sampled_from(["1", "2"])),
)


@st.composite
def rules_st(draw: st.DrawFn) -> Rule:
    criteria = tuple(draw(st.lists(criterion_st, min_size=1, max_size=4)))
    if draw(st.booleans()):
        return Rule(criteria, Combination.ALL_OF)
    return Rule(criteria, Combination.AT_LEAST_N, draw(st.integers(1, len(criteria))))


def holds(c: Criterion, facts: list[Fact], held: set[str]) -> bool:
    """An independent statement of when a criterion holds."""
    if c.kind is CRED:
        return c.target in held
    for f in facts:
        if (f.activity_kind, f.activity_id) != (c.kind, c.target):
            continue
        if c.condition is Condition.COMPLETED and f.completed:
            return True
        if c.condition is Condition.PASSED and f.passed:
            return True
        if (c.condition is Condition.MIN_SCORE and f.score is not None and f.maximum
                and f.score / f.maximum * 100 >= (c.min_score or 0) - 1e-9):
            return True
    return False


@given(rules_st(), st.lists(facts_st, max_size=8), st.sets(st.sampled_from(["1", "2"])))
def test_satisfied_iff_enough_criteria_hold(rule: Rule, facts: list[Fact], held: set[str]) -> None:
    met = sum(holds(c, facts, held) for c in rule.criteria)
    needed = len(rule.criteria) if rule.combination is Combination.ALL_OF else rule.required
    assert needed is not None
    assert evaluate(rule, facts, held).satisfied == (met >= needed)


@given(rules_st(), st.lists(facts_st, max_size=8), st.lists(facts_st, max_size=4),
       st.sets(st.sampled_from(["1", "2"])), st.sets(st.sampled_from(["1", "2"])))
def test_adding_facts_or_credentials_never_unsatisfies(rule: Rule, facts: list[Fact], more: list[Fact],
                                                       held: set[str], more_held: set[str]) -> None:
    if evaluate(rule, facts, held).satisfied:
        assert evaluate(rule, facts + more, held | more_held).satisfied


@given(rules_st(), st.lists(facts_st, max_size=8), st.randoms(use_true_random=False))
def test_evaluation_is_order_independent(rule: Rule, facts: list[Fact], rnd: object) -> None:
    shuffled = list(facts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate(rule, facts, ["1"]) == evaluate(rule, shuffled, ["1"])
    assert evaluate(rule, facts).explanation() == evaluate(rule, list(reversed(facts))).explanation()


def test_explanation_names_the_facts_that_satisfied_each_criterion() -> None:
    rule = Rule((Criterion(AGS, "quiz", Condition.MIN_SCORE, 80.0, "Quiz 1"), Criterion(SCORM, "golf")))
    quiz = Fact("u1", AGS, "quiz", True, None, 9.0, 10.0)
    evaluation = evaluate(rule, [quiz, Fact("u1", SCORM, "golf", False)])
    assert not evaluation.satisfied
    assert [r.satisfied for r in evaluation.results] == [True, False]
    explained = evaluation.explanation()
    assert explained["criteria"][0]["facts"] == [quiz.as_json()]
    assert explained["criteria"][0]["description"] == "score at least 80% in Quiz 1"
    assert evaluation.missing == (Criterion(SCORM, "golf"),)


def test_score_without_maximum_never_meets_a_minimum() -> None:
    rule = Rule((Criterion(AGS, "q", Condition.MIN_SCORE, 0.0),))
    assert not evaluate(rule, [Fact("u", AGS, "q", True, None, 5.0, None)]).satisfied
    assert not evaluate(rule, [Fact("u", AGS, "q", True, None, 5.0, 0.0)]).satisfied


def test_rule_problems_are_all_listed() -> None:
    rule = Rule((Criterion(AGS, " ", Condition.MIN_SCORE, 120.0),), Combination.AT_LEAST_N, 3, valid_days=0)
    assert len(check_rule(rule)) == 4
    assert check_rule(Rule(())) == ["Add at least one criterion."]
    assert not evaluate(Rule(()), []).satisfied


def test_progress_fact_activity_keys_map_to_kinds() -> None:
    fact = fact_from_activity("7", "ags:https://lms/li/1", completed=True, passed=None, score=None, maximum=None)
    assert fact is not None and (fact.activity_kind, fact.activity_id) == (AGS, "https://lms/li/1")
    fact = fact_from_activity("7", "connector:moodle:cm:3", completed=True, passed=None, score=None, maximum=None)
    assert fact is not None and (fact.activity_kind, fact.activity_id) == (CriterionKind.CONNECTOR, "moodle:cm:3")
    assert fact_from_activity("7", "xapi:verb/3", completed=True, passed=None, score=None, maximum=None) is None
