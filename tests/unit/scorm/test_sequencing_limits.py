"""Limit conditions (SCORM 2004 4th Ed. SN 3.5; UP.1 Limit Conditions Check Process, UP.5 Check Activity Process):
attemptLimit and attemptAbsoluteDurationLimit, the latter against the SCO's tracked cmi.total_time."""

from __future__ import annotations

from typing import Any

from sequencing_builders import flow_mode, item, result, sequencer

from scorm.manifest_model import RuleCondition
from scorm.sequencing import Sequencer
from scorm.sequencing_rules import condition_value, limit_exceeded


def timed(limit: str = "PT10M", extra: str = "") -> Sequencer:
    leaf = item("a", f'<imsss:limitConditions attemptAbsoluteDurationLimit="{limit}"/>{extra}')
    return sequencer(leaf + item("b"), flow_mode())


def spent(total_time: str, **kwargs: Any) -> dict[str, Any]:
    state = result(**kwargs)
    state["values"]["cmi.total_time"] = total_time
    return state


def play_a(seq: Sequencer, total_time: str, **kwargs: Any) -> None:
    assert seq.navigate("choice", "a").kind == "deliver"
    seq.record("a", spent(total_time, **kwargs))


def test_an_attempt_that_took_the_whole_duration_limit_blocks_the_next() -> None:
    seq = timed()
    play_a(seq, "PT12M")
    assert seq.tree.by_id["a"].attempt_duration == 720.0
    assert not limit_exceeded(seq.tree.by_id["a"])  # active: within its attempt (UP.1 step 2)
    assert seq.valid_requests().choice["a"] is False  # once it ends, it may not start again
    assert seq.navigate("continue").activity_id == "b"
    refused = seq.navigate("choice", "a")
    assert (refused.kind, refused.code) == ("refused", "DB.1.1-3")
    assert seq.navigate("previous").code == "SB.2.2-2"
    condition = RuleCondition("timeLimitExceeded")
    assert condition_value(seq.tree, seq.tree.by_id["a"], condition) is True


def test_a_shorter_attempt_leaves_the_activity_open_and_a_new_attempt_starts_afresh() -> None:
    seq = timed()
    play_a(seq, "PT9M59S")
    seq.navigate("continue")
    assert seq.navigate("choice", "a").kind == "deliver"
    a = seq.tree.by_id["a"]
    assert (a.attempt_count, a.attempt_duration) == (2, None)  # DB.2: the attempt's duration is cleared


def test_the_limit_needs_known_attempt_progress() -> None:
    """UP.1: only an attempt whose progress is known counts (completionSetByContent keeps it unknown here)."""
    seq = timed(extra='<imsss:deliveryControls completionSetByContent="true"/>')
    play_a(seq, "PT1H", completion="unknown")
    seq.navigate("continue")
    assert seq.navigate("choice", "a").kind == "deliver"


def test_durations_and_scorm_12_total_time_persist() -> None:
    seq = timed()
    play_a(seq, "PT10M")
    seq.navigate("continue")
    restored = Sequencer.from_state(seq_manifest(), seq.to_state())
    assert restored.tree.by_id["a"].attempt_duration == 600.0 and restored.navigate("choice", "a").code == "DB.1.1-3"
    old = seq.to_state()
    del old["activities"]["a"]["attempt_duration"]  # a state saved before durations were tracked
    assert Sequencer.from_state(seq_manifest(), old).navigate("choice", "a").kind == "deliver"
    twelve = sequencer(item("a") + item("b"))
    twelve.navigate("choice", "a")
    twelve.record("a", {"family": "1.2", "values": {"cmi.core.lesson_status": "completed",
                                                    "cmi.core.total_time": "0001:30:00"}, "counts": {}})
    assert twelve.tree.by_id["a"].attempt_duration == 5400.0


def test_the_attempt_limit_still_holds() -> None:
    seq = sequencer(item("a", '<imsss:limitConditions attemptLimit="1"/>') + item("b"), flow_mode())
    assert seq.navigate("start").activity_id == "a"
    seq.record("a", result())
    assert seq.navigate("continue").activity_id == "b"
    assert seq.navigate("choice", "a").code == "DB.1.1-3"


def seq_manifest() -> Any:
    from sequencing_builders import manifest

    return manifest(item("a", '<imsss:limitConditions attemptAbsoluteDurationLimit="PT10M"/>') + item("b"),
                    flow_mode())


def test_the_sco_reads_its_duration_limit_as_max_time_allowed() -> None:
    """RTE 4.2.13: cmi.max_time_allowed is the activity's attemptAbsoluteDurationLimit (read-only)."""
    from scorm.runtime import RuntimeSession

    parsed = seq_manifest()
    timed_sco, free_sco = parsed.scos
    runtime = RuntimeSession(parsed.version, timed_sco)
    runtime.initialize("")
    assert runtime.get_value("cmi.max_time_allowed") == "PT10M"
    assert runtime.set_value("cmi.max_time_allowed", "PT1H") == "false"  # read-only
    untimed = RuntimeSession(parsed.version, free_sco)
    untimed.initialize("")
    assert untimed.get_value("cmi.max_time_allowed") == ""


def test_a_cluster_counts_the_time_spent_in_its_scos_during_its_attempt() -> None:
    module = item("m", flow_mode() + '<imsss:limitConditions attemptAbsoluteDurationLimit="PT20M"/>',
                  item("a") + item("b"))
    seq = sequencer(module + item("z"), flow_mode())
    assert seq.navigate("start").activity_id == "a"
    seq.record("a", spent("PT5M"))
    seq.record("a", spent("PT8M"))  # the same attempt reported again: only the 3 new minutes count
    assert seq.navigate("continue").activity_id == "b"
    seq.record("b", spent("PT12M"))
    assert seq.tree.by_id["m"].attempt_duration == 1200.0
    assert seq.navigate("continue").activity_id == "z"
    assert seq.navigate("choice", "a").code == "DB.1.1-3"  # m's attempt used its 20 minutes
    assert seq.tree.by_id["z"].attempt_duration is None
