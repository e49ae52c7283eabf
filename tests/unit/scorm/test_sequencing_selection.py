"""Selection and randomization controls (SCORM 2004 4th Ed. SN 3.11, 3.12, 4.7; SR.1 Select Children Process,
SR.2 Randomize Children Process), made deterministic by the injected random source."""

from __future__ import annotations

import json
import random

from sequencing_builders import flow_mode, item, manifest, result

from scorm.sequencing import Sequencer

KIDS = ("k1", "k2", "k3", "k4", "k5")


def controls(**attrs: str) -> str:
    return "<imsss:randomizationControls " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "/>"


def course(extra: str, kids: tuple[str, ...] = KIDS) -> str:
    return item("m", flow_mode() + extra, "".join(item(k) for k in kids)) + item("z")


def seq_for(extra: str, seed: int = 1) -> Sequencer:
    return Sequencer.from_manifest(manifest(course(extra)), random.Random(seed))


def order(seq: Sequencer, cluster: str = "m") -> list[str]:
    return [child.identifier for child in seq.tree.by_id[cluster].children]


def retry_module(seq: Sequencer) -> None:
    """Finish every available child of m by flow, leave m, and come back to it (a new attempt on m)."""
    assert seq.navigate("choice", order(seq)[0]).kind == "deliver"
    while seq.tree.current is not None and seq.tree.current.parent is seq.tree.by_id["m"]:
        seq.record(seq.tree.current.identifier, result())
        seq.navigate("continue")
    assert seq.tree.current is not None and seq.tree.current.identifier == "z"


SELECT_2 = controls(selectionTiming="once", selectCount="2")


def test_the_manifest_keeps_the_controls_and_the_duration_limit() -> None:
    parsed = manifest(course(controls(selectionTiming="once", selectCount="2", reorderChildren="true",
                                      randomizationTiming="onEachNewAttempt")))
    seq = parsed.organization.items[0].sequencing if parsed.organization else None
    assert seq is not None
    got = seq.randomization
    assert (got.selection_timing, got.select_count, got.randomize_children, got.randomization_timing) == (
        "once", 2, True, "onEachNewAttempt")
    limits = manifest(item("a", '<imsss:limitConditions attemptAbsoluteDurationLimit="PT1H30M0.125S"/>'))
    leaf = limits.organization.items[0].sequencing if limits.organization else None
    assert leaf is not None and leaf.attempt_duration_limit == 5400.12
    odd = manifest(item("a", '<imsss:limitConditions attemptLimit="2" attemptAbsoluteDurationLimit="4 days"/>'))
    kept = odd.organization.items[0].sequencing if odd.organization else None
    assert kept is not None and (kept.attempt_limit, kept.attempt_duration_limit) == (2, None)  # not refused


def test_select_once_keeps_the_manifest_order_of_the_chosen_children() -> None:
    seq = seq_for(SELECT_2)
    chosen = order(seq)
    assert len(chosen) == 2 and chosen == sorted(chosen)  # relative order kept (SR.1 4.1.1.2.2)
    left_out = next(k for k in KIDS if k not in chosen)
    assert seq.navigate("choice", left_out).code == "NB.2.1-11"
    assert seq.valid_requests().choice[left_out] is False
    assert [e.identifier for e in seq.toc()] == ["m", *chosen, "z"]
    assert seq.navigate("start").activity_id == chosen[0]
    seq.record(chosen[0], result())
    assert seq.navigate("continue").activity_id == chosen[1]
    seq.record(chosen[1], result())
    assert seq.tree.by_id["m"].attempt_completion_status  # rollup over the available children only
    assert seq.navigate("continue").activity_id == "z"


def test_the_random_source_decides_and_a_count_above_the_children_selects_all() -> None:
    draws = {tuple(order(seq_for(SELECT_2, seed))) for seed in range(30)}
    assert len(draws) > 3  # 10 possible pairs
    assert order(seq_for(SELECT_2, 7)) == order(seq_for(SELECT_2, 7))
    assert order(seq_for(controls(selectionTiming="once", selectCount="9"))) == list(KIDS)
    assert order(seq_for(controls(selectionTiming="onEachNewAttempt", selectCount="2"))) == list(KIDS)  # SR.1 5
    assert order(seq_for(controls(selectionTiming="never", selectCount="2"))) == list(KIDS)


def test_the_selection_and_order_persist_with_the_tracking_state() -> None:
    extra = SELECT_2.replace("/>", ' reorderChildren="true" randomizationTiming="once"/>')
    orders = {tuple(order(seq_for(extra, seed))) for seed in range(30)}
    assert any(list(o) != sorted(o) for o in orders)  # the two chosen are shuffled too
    seq = seq_for(extra, 3)
    seq.navigate("start")
    saved = json.loads(json.dumps(seq.to_state()))
    again = Sequencer.from_state(manifest(course(extra)), saved)
    assert order(again) == order(seq) and again.tree.current is not None
    assert again.tree.current.identifier == order(seq)[0]


def test_randomize_once_keeps_its_order_on_later_attempts() -> None:
    seq = seq_for(controls(reorderChildren="true", randomizationTiming="once"), 5)
    first = order(seq)
    assert sorted(first) == list(KIDS)
    for _ in range(3):
        retry_module(seq)
        assert order(seq) == first


def test_randomize_on_each_new_attempt_draws_again_but_never_mid_attempt() -> None:
    seq = seq_for(controls(reorderChildren="true", randomizationTiming="onEachNewAttempt"), 11)
    seen = []
    for _ in range(4):
        before = order(seq)
        assert seq.navigate("choice", before[0]).kind == "deliver"
        seq.record(before[0], result())
        seq.navigate("continue")
        assert order(seq) == before  # m's attempt is running: SR.2 step 2
        seen.append(before)
        seq.navigate("choice", "z")  # leaving m ends its attempt: the next one gets a new order
    assert len({tuple(o) for o in seen}) > 1
    assert all(sorted(o) == list(KIDS) for o in seen)


def test_a_suspended_cluster_resumes_in_the_same_order() -> None:
    seq = seq_for(controls(reorderChildren="true", randomizationTiming="onEachNewAttempt"), 2)
    seq.navigate("start")
    before, current = order(seq), seq.tree.current
    seq.navigate("suspendAll")
    restored = Sequencer.from_state(manifest(course(controls(reorderChildren="true",
                                                               randomizationTiming="onEachNewAttempt"))),
                                    seq.to_state())
    assert order(restored) == before
    resumed = restored.navigate("resumeAll")
    assert current is not None and resumed.activity_id == current.identifier and order(restored) == before


def test_never_keeps_the_manifest_order() -> None:
    assert order(seq_for(controls(reorderChildren="true"))) == list(KIDS)
    assert order(seq_for(controls(reorderChildren="false", randomizationTiming="once"))) == list(KIDS)
