"""Navigation requests through the sequencing engine (SCORM 2004 4th Ed. SN NB.2.1, SB.2.x, TB.2.x, DB.x)."""

from __future__ import annotations

import json
import zipfile

from scorm_builders import GOLF_12, GOLF_2004
from sequencing_builders import (
    finish,
    flow_mode,
    item,
    manifest,
    objectives,
    result,
    rollup_rule,
    rule,
    rules,
    sequencer,
)

from scorm.manifest import parse_manifest
from scorm.sequencing import Sequencer

THREE = item("a") + item("b") + item("c")
MODULES = item("m1", flow_mode(), item("a") + item("b")) + item("m2", flow_mode(), item("c") + item("d"))


def delivered(seq: Sequencer, request: str, target: str | None = None) -> str | None:
    outcome = seq.navigate(request, target)
    assert outcome.kind == "deliver", outcome
    return outcome.activity_id


def test_flow_start_continue_previous_and_end_of_course() -> None:
    seq = sequencer(MODULES)
    assert delivered(seq, "start") == "a"
    assert [delivered(seq, "continue") for _ in range(3)] == ["b", "c", "d"]
    assert delivered(seq, "previous") == "c"
    assert delivered(seq, "previous") == "b"  # backward into a cluster lands on its last child
    seq.navigate("continue")
    seq.navigate("continue")
    ended = seq.navigate("continue")
    assert ended.kind == "ended" and seq.tree.current is None


def test_previous_from_the_first_activity_is_refused() -> None:
    seq = sequencer(THREE)
    seq.navigate("start")
    outcome = seq.navigate("previous")
    assert (outcome.kind, outcome.code) == ("refused", "SB.2.1-3")
    assert seq.tree.current is not None and seq.tree.current.identifier == "a"
    assert seq.tree.current.is_active  # a refused request changes nothing


def test_without_flow_start_and_continue_are_refused_but_choice_works() -> None:
    seq = sequencer(THREE, org_sequencing=flow_mode(flow="false"))
    assert seq.navigate("start").code == "SB.2.2-1"
    assert delivered(seq, "choice", "b") == "b"
    assert seq.navigate("continue").code == "NB.2.1-4"
    assert seq.valid_requests().continue_ is False


def test_navigation_request_codes() -> None:
    seq = sequencer(THREE)
    assert seq.navigate("continue").code == "NB.2.1-2"
    assert seq.navigate("resumeAll").code == "NB.2.1-3"
    assert seq.navigate("choice", "nope").code == "NB.2.1-11"
    assert seq.navigate("jump", "a").code == "SB.2.13-1"  # jump needs a current activity
    assert seq.navigate("leap", "a").code == "NB.2.1-13"
    seq.navigate("start")
    assert seq.navigate("start").code == "NB.2.1-1"
    assert seq.navigate("abandon").kind == "idle"
    assert seq.navigate("exit").code == "NB.2.1-12"


def test_forward_only_refuses_previous_and_backward_choice() -> None:
    seq = sequencer(THREE, org_sequencing=flow_mode(forwardOnly="true"))
    seq.navigate("start")
    assert delivered(seq, "continue") == "b"
    assert seq.navigate("previous").code == "NB.2.1-5"
    assert seq.navigate("choice", "a").code == "SB.2.4-2"
    assert delivered(seq, "choice", "c") == "c"
    valid = seq.valid_requests()
    assert (valid.previous, valid.choice["a"], valid.choice["b"]) == (False, False, False)


def test_choice_refused_when_the_parent_forbids_choice() -> None:
    seq = sequencer(item("m1", flow_mode(choice="false"), item("a") + item("b")) + item("c"))
    assert seq.navigate("choice", "b").code == "NB.2.1-10"
    assert delivered(seq, "choice", "m1") == "a"  # choosing a cluster flows into it
    assert seq.valid_requests().choice == {"org": True, "m1": True, "a": False, "b": False, "c": True}


def test_choice_exit_false_keeps_the_learner_inside_the_cluster() -> None:
    seq = sequencer(item("m1", flow_mode(choiceExit="false"), item("a") + item("b")) + item("c"))
    seq.navigate("start")
    assert seq.navigate("choice", "c").code == "NB.2.1-8"
    assert delivered(seq, "choice", "b") == "b"
    assert seq.valid_requests().choice["c"] is False
    assert delivered(seq, "continue") == "c"  # flow out of the cluster is still allowed


def test_skip_precondition_is_passed_over_by_flow() -> None:
    seq = sequencer(item("a") + item("b", rules(rule("pre", "skip", "always"))) + item("c"))
    seq.navigate("start")
    assert delivered(seq, "continue") == "c"
    assert delivered(seq, "previous") == "a"


def test_disabled_until_a_global_prerequisite_is_satisfied() -> None:
    writes = '<imsss:mapInfo targetObjectiveID="g_lesson" writeSatisfiedStatus="true"/>'
    gate = rules(rule("pre", "disabled", "not satisfied@gate", "not objectiveStatusKnown@gate",
                      combination="any"))
    by_content = '<imsss:deliveryControls objectiveSetByContent="true"/>'
    seq = sequencer(item("lesson", objectives("lesson_obj", primary_maps=writes) + by_content)
                    + item("quiz", gate + objectives("q", "gate->g_lesson")))
    seq.navigate("start")
    assert seq.navigate("choice", "quiz").code == "DB.1.1-3"
    finish(seq, success="failed")
    assert seq.navigate("continue").code == "SB.2.2-2"
    seq.navigate("choice", "lesson")
    finish(seq, success="passed")
    assert seq.tree.global_objectives["g_lesson"].satisfied_status is True
    assert delivered(seq, "continue") == "quiz"


def test_disabled_activity_is_refused_by_choice_and_stops_flow() -> None:
    seq = sequencer(item("a") + item("b", rules(rule("pre", "disabled", "always"))) + item("c"))
    seq.navigate("start")
    assert seq.navigate("choice", "b").code == "DB.1.1-3"
    assert seq.navigate("continue").code == "SB.2.2-2"
    assert seq.valid_requests().choice["b"] is False


def test_hidden_from_choice_hides_the_subtree_in_the_toc() -> None:
    seq = sequencer(item("m1", flow_mode() + rules(rule("pre", "hiddenFromChoice", "always")),
                         item("a") + item("b")) + item("c", attrs=' isvisible="false"'))
    assert seq.navigate("choice", "a").code == "SB.2.9-4"
    toc = {e.identifier: e for e in seq.toc()}
    assert toc["m1"].hidden and toc["a"].hidden and not toc["a"].enabled
    assert toc["c"].hidden and toc["c"].enabled  # isvisible="false" hides it, choice stays possible
    assert delivered(seq, "start") == "a"  # flow still reaches it


def test_stop_forward_traversal_blocks_forward_choice() -> None:
    seq = sequencer(item("a", rules(rule("pre", "stopForwardTraversal", "not completed"))) + item("b"))
    seq.navigate("start")
    finish(seq, completion="incomplete")
    assert seq.navigate("choice", "b").code == "SB.2.4-1"
    assert seq.valid_requests().choice["b"] is False
    finish(seq, completion="completed")
    assert delivered(seq, "choice", "b") == "b"


def test_attempt_limit_and_attempt_limit_exceeded_condition() -> None:
    seq = sequencer(item("a", "<imsss:limitConditions attemptLimit=\"2\"/>") + item("b"))
    assert seq.tree.by_id["a"].sequencing.attempt_limit == 2
    seq.navigate("start")
    seq.navigate("choice", "a")
    assert seq.tree.by_id["a"].attempt_count == 2
    assert seq.navigate("choice", "b").kind == "deliver"
    assert seq.navigate("choice", "a").code == "DB.1.1-3"
    assert seq.valid_requests().choice["a"] is False
    assert seq.navigate("previous").code == "SB.2.2-2"


def test_attempt_limit_exceeded_rule_skips_the_activity() -> None:
    seq = sequencer(item("a", "<imsss:limitConditions attemptLimit=\"1\"/>"
                        + rules(rule("pre", "skip", "attemptLimitExceeded"))) + item("b"))
    seq.navigate("start")
    seq.navigate("exitAll")
    assert delivered(seq, "start") == "b"


def test_post_condition_retry_until_passed() -> None:
    seq = sequencer(item("quiz", rules(rule("post", "retry", "not satisfied"))) + item("next"))
    seq.navigate("start")
    finish(seq, success="failed")
    assert delivered(seq, "continue") == "quiz"
    assert seq.tree.by_id["quiz"].attempt_count == 2
    finish(seq, success="passed")
    assert delivered(seq, "continue") == "next"


def test_post_condition_continue_and_previous_replace_the_request() -> None:
    seq = sequencer(item("a") + item("b", rules(rule("post", "continue", "completed"),
                                                rule("post", "previous", "not completed"))) + item("c"))
    seq.navigate("start")
    seq.navigate("continue")
    finish(seq, completion="incomplete")
    assert delivered(seq, "choice", "c") == "a"  # "previous" replaced the choice (TB.2.3)
    assert delivered(seq, "choice", "b") == "b"
    finish(seq, completion="completed")
    assert delivered(seq, "continue") == "c"


def test_post_condition_exit_parent_and_exit_all() -> None:
    seq = sequencer(item("m1", flow_mode() + rules(rule("post", "exitAll", "completed")),
                         item("a", rules(rule("post", "exitParent", "completed")))) + item("b"))
    seq.navigate("start")
    finish(seq)
    outcome = seq.navigate("continue")
    assert outcome.kind == "ended"
    assert seq.tree.by_id["m1"].attempt_completion_status is True


def test_exit_action_rule_ends_the_cluster_and_flow_moves_on() -> None:
    any_satisfied = f"<imsss:rollupRules>{rollup_rule('satisfied', 'satisfied', child_set='any')}</imsss:rollupRules>"
    seq = sequencer(item("m1", flow_mode() + rules(rule("exit", "exit", "satisfied")) + any_satisfied,
                         item("a") + item("b")) + item("c"))
    seq.navigate("start")
    finish(seq, success="passed")  # m1 becomes satisfied by its rollup rule, so its exit rule fires
    assert delivered(seq, "continue") == "c"
    assert seq.tree.by_id["m1"].is_active is False


def test_exit_at_a_leaf_is_idle_and_exit_all_ends_the_session() -> None:
    seq = sequencer(THREE)
    seq.navigate("start")
    assert seq.navigate("exit").kind == "idle"
    assert seq.tree.by_id["a"].attempt_completion_status is True  # completion set by the LMS (UP.4)
    assert delivered(seq, "continue") == "b"
    assert seq.navigate("exitAll").kind == "ended"
    assert not any(a.is_active for a in seq.tree.preorder())


def test_suspend_all_and_resume_all_keep_the_attempt() -> None:
    seq = sequencer(MODULES)
    seq.navigate("start")
    seq.navigate("continue")
    assert seq.navigate("suspendAll").kind == "ended"
    saved = json.loads(json.dumps(seq.to_state()))
    again = Sequencer.from_state(manifest(MODULES), saved)
    assert again.tree.suspended is not None and again.tree.suspended.identifier == "b"
    assert delivered(again, "resumeAll") == "b"
    assert again.tree.by_id["b"].attempt_count == 1  # resumed, not a new attempt
    assert again.tree.by_id["m1"].attempt_count == 1


def test_completion_set_by_content_is_not_assumed() -> None:
    by_content = "<imsss:deliveryControls completionSetByContent=\"true\" objectiveSetByContent=\"true\"/>"
    seq = sequencer(item("a", by_content) + item("b"))
    seq.navigate("start")
    seq.navigate("continue")
    a = seq.tree.by_id["a"]
    assert (a.attempt_progress_status, a.primary.progress_status) == (False, False)


def test_valid_requests_and_toc_change_as_the_learner_moves() -> None:
    seq = sequencer(THREE)
    seq.navigate("start")
    valid = seq.valid_requests()
    assert (valid.continue_, valid.previous) == (True, False)
    seq.navigate("continue")
    seq.record("b", result(success="passed", scaled=0.9))
    toc = {e.identifier: e for e in seq.toc()}
    assert toc["b"].current and toc["b"].satisfied is True and toc["b"].completed is True
    assert toc["a"].completed is True and toc["a"].attempts == 1 and toc["c"].completed is None
    assert seq.valid_requests().previous is True


def test_valid_requests_with_a_current_activity_given() -> None:
    from scorm.sequencing import valid_requests

    seq = sequencer(THREE)
    valid = valid_requests(seq.tree, "c")
    assert (valid.continue_, valid.previous) == (True, True)
    assert seq.tree.current is None


def test_real_golf_2004_package_tree() -> None:
    with zipfile.ZipFile(GOLF_2004) as archive:
        parsed = parse_manifest(archive.read("imsmanifest.xml"))
    seq = Sequencer.from_manifest(parsed)
    assert [a.identifier for a in seq.tree.preorder()] == ["golf_sample_default_org", "item_1"]
    item_1 = seq.tree.by_id["item_1"]
    assert item_1.sequencing.completion_set_by_content and item_1.sequencing.objective_set_by_content
    assert delivered(seq, "start") == "item_1"
    seq.record("item_1", result(completion="completed", success="passed", scaled=1.0))
    assert seq.navigate("continue").kind == "ended"
    root = seq.tree.root
    assert (root.attempt_completion_status, root.primary.satisfied_status, root.primary.normalized_measure) \
        == (True, True, 1.0)


def test_scorm_12_packages_get_flow_and_choice() -> None:
    with zipfile.ZipFile(GOLF_12) as archive:
        parsed = parse_manifest(archive.read("imsmanifest.xml"))
    seq = Sequencer.from_manifest(parsed)
    assert delivered(seq, "start") == seq.tree.preorder()[1].identifier
    assert seq.navigate("continue").kind == "ended"


def test_a_new_start_after_suspend_discards_the_suspended_attempt() -> None:
    seq = sequencer(THREE)
    seq.navigate("start")
    seq.navigate("continue")
    seq.navigate("suspendAll")
    assert delivered(seq, "choice", "c") == "c"
    assert seq.tree.suspended is None
    assert not any(a.is_suspended for a in seq.tree.preorder())
    assert seq.tree.root.attempt_count == 1  # the course attempt goes on


def test_recording_a_result_rolls_up_at_once() -> None:
    seq = sequencer(item("m", flow_mode(), item("a")) + item("b"))
    seq.navigate("start")
    seq.record("a", result(success="passed"))
    toc = {e.identifier: e for e in seq.toc()}
    assert (toc["m"].completed, toc["m"].satisfied) == (True, True)


def test_post_condition_retry_all_starts_the_course_again() -> None:
    seq = sequencer(item("a") + item("b", rules(rule("post", "retryAll", "not satisfied"))))
    seq.navigate("start")
    seq.navigate("continue")
    finish(seq, success="failed")
    assert delivered(seq, "continue") == "a"
    assert (seq.tree.root.attempt_count, seq.tree.by_id["a"].attempt_count) == (2, 2)


def test_measure_threshold_rule_skips_a_remedial_page() -> None:
    writes = '<imsss:mapInfo targetObjectiveID="g_pre" writeNormalizedMeasure="true"/>'
    skip_if_good = rules(rule("pre", "skip", "objectiveMeasureGreaterThan>0.8@pre"))
    seq = sequencer(item("pretest", objectives("p", primary_maps=writes))
                    + item("remedial", skip_if_good + objectives("r", "pre->g_pre")) + item("lesson"))
    seq.navigate("start")
    finish(seq, scaled=0.9)
    assert delivered(seq, "continue") == "lesson"
    assert delivered(seq, "choice", "pretest") == "pretest"
    finish(seq, scaled=0.5)
    assert delivered(seq, "continue") == "remedial"


def test_sequencing_collection_rules_apply_through_idref() -> None:
    collection = ('<imsss:sequencingCollection><imsss:sequencing ID="once">'
                  '<imsss:limitConditions attemptLimit="1"/>'
                  f'{rules(rule("pre", "skip", "completed"))}'
                  '</imsss:sequencing></imsss:sequencingCollection>')
    once = '<item identifier="{0}" identifierref="r_{0}"><title>{0}</title><imsss:sequencing IDRef="once"/></item>'
    seq = sequencer(once.format("a") + once.format("b") + item("c"), collection=collection)
    assert seq.tree.by_id["a"].sequencing.attempt_limit == 1
    seq.navigate("start")
    assert delivered(seq, "continue") == "b"
    assert delivered(seq, "continue") == "c"
    assert seq.navigate("previous").code == "SB.2.1-3"  # a and b are completed, so skipped
    assert seq.navigate("choice", "a").code == "DB.1.1-3"  # and their single attempt is used up


def test_parse_nav_request_as_a_sco_sets_it() -> None:
    from scorm.sequencing import parse_nav_request

    assert parse_nav_request("continue") == ("continue", None)
    assert parse_nav_request("{target=item_2}choice") == ("choice", "item_2")
    assert parse_nav_request("{target=x}jump") == ("jump", "x")
    assert parse_nav_request("_none_") is None
    assert parse_nav_request("choice") == ("choice", None)
    seq = sequencer(THREE)
    seq.navigate("start")
    request, target = parse_nav_request("{target=c}choice") or ("", None)
    assert delivered(seq, request, target) == "c"
    assert seq.navigate("choice").code == "NB.2.1-11"  # a choice without a target


def test_a_sco_that_exits_with_suspend_resumes_its_attempt() -> None:
    seq = sequencer(item("m", flow_mode(), item("a") + item("b")) + item("c", "<imsss:limitConditions "
                                                                            'attemptLimit="1"/>'))
    seq.navigate("start")
    seq.record("a", {"family": "2004", "values": {"cmi.exit": "suspend", "cmi.completion_status": "incomplete"},
                     "counts": {}})
    assert delivered(seq, "choice", "c") == "c"
    a, m = seq.tree.by_id["a"], seq.tree.by_id["m"]
    assert a.is_suspended and m.is_suspended and a.attempt_progress_status  # no "completed on exit"
    seq.record("c", {"family": "2004", "values": {"cmi.exit": "suspend"}, "counts": {}})
    outcome = seq.navigate("choice", "a")
    assert (outcome.activity_id, outcome.resumed) == ("a", True)
    assert (a.attempt_count, m.attempt_count, a.is_active) == (1, 1, True)  # objects held stay current
    outcome = seq.navigate("choice", "c")  # attempt limit 1, but the suspended attempt may go on
    assert (outcome.kind, outcome.resumed) == ("deliver", True)
    seq.record("c", result())
    assert delivered(seq, "choice", "b") == "b"
    assert seq.navigate("choice", "c").code == "DB.1.1-3"
