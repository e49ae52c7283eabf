"""The jump navigation request (SCORM 2004 4th Ed. SN NB.2.1, SB.2.13 Jump Sequencing Request Process, DB.1.1).

A jump delivers its target as it is: control modes (choice, flow, forwardOnly, choiceExit) and traversal
rules (stopForwardTraversal) do not apply, only the delivery checks do (a leaf; nothing on its path disabled
or over its attempt limit). `adl.nav.request_valid.jump.{target=…}` answers the same question ahead.
"""

from __future__ import annotations

from sequencing_builders import flow_mode, item, objectives, rule, rules, sequencer

from scorm.sequencing import Sequencer, parse_nav_request

STRICT = flow_mode(choice="false", forwardOnly="true")
GATE = rules(rule("pre", "disabled", "not satisfied@gate", "not objectiveStatusKnown@gate", combination="any")
             ) + objectives("pd", "gate->g_gate")


def _started(items: str, org: str = STRICT) -> Sequencer:
    seq = sequencer(items, org)
    assert seq.navigate("start").activity_id == "a"
    return seq


def test_jump_ignores_control_modes_that_refuse_a_choice() -> None:
    seq = _started(item("a") + item("b", rules(rule("pre", "stopForwardTraversal", "always"))) + item("c"))
    assert seq.navigate("choice", "c").code == "NB.2.1-10"  # the course does not allow choice
    assert seq.navigate("jump", "c").activity_id == "c"  # nor stopForwardTraversal on b
    assert seq.navigate("previous").code == "NB.2.1-5"  # forwardOnly
    assert seq.navigate("jump", "a").activity_id == "a"
    assert seq.tree.by_id["c"].attempt_count == 1 and not seq.tree.by_id["c"].is_active


def test_jump_leaves_a_cluster_that_forbids_choice_exit() -> None:
    items = item("m", flow_mode(choiceExit="false"), item("a") + item("b")) + item("c")
    seq = _started(items, flow_mode())
    assert seq.navigate("choice", "c").code == "NB.2.1-8"
    assert seq.navigate("jump", "c").activity_id == "c"
    assert not seq.tree.by_id["m"].is_active


def test_jump_ends_the_current_attempt_like_exit() -> None:
    seq = _started(item("a") + item("b"))
    seq.navigate("jump", "b")
    a = seq.tree.by_id["a"]
    assert (a.is_active, a.attempt_progress_status, a.attempt_completion_status) == (False, True, True)  # UP.4


def test_jump_refusals_keep_the_learner_in_place() -> None:
    seq = _started(item("a") + item("d", GATE) + item("m", flow_mode(), item("x")))
    for target, code in (("nowhere", "NB.2.1-11"), ("d", "DB.1.1-3"), ("m", "DB.1.1-1")):
        outcome = seq.navigate("jump", target)
        assert (outcome.kind, outcome.code) == ("refused", code)
        assert seq.tree.current is seq.tree.by_id["a"] and seq.tree.current.is_active


def test_a_sco_sets_a_jump_and_request_valid_answers_it_ahead() -> None:
    seq = sequencer(item("a") + item("d", GATE) + item("m", flow_mode(), item("x")), STRICT)
    assert not any(seq.valid_requests().jump.values())  # no current activity: SB.2.13-1
    seq.navigate("start")
    jump = seq.valid_requests().jump
    assert jump == {"org": False, "a": True, "d": False, "m": False, "x": True}
    assert seq.valid_requests().choice["m"] is False  # the course does not allow choosing m; x is jumped to
    request = parse_nav_request("{target=x}jump")
    assert request == ("jump", "x") and seq.navigate(*request).activity_id == "x"
