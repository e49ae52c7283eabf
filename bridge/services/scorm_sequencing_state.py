"""The sequencing engine's state kept with an attempt (``ScormAttempt.sequencing``), and the course result it gives.

``load`` rebuilds the ``scorm.sequencing.Sequencer`` of an attempt and feeds it the delivered SCO's run-time
results stored since the last time (the commit path itself does no sequencing work); ``save`` stores it back.
``course_result`` is the attempt's result as a sequencing LMS reports the course (SN 4.6, RB.1.5 Overall Rollup
Process: the root activity's completion, objective satisfaction and normalized measure) for packages that
declare sequencing (``rolled_up_by_sequencing``); ``bridge.services.scorm_attempts`` uses it instead of the
SCOs' average. This module imports no other service, so both ``scorm_attempts`` and ``scorm_sequencing`` use it.
"""

from __future__ import annotations

import random
from typing import Any

from bridge.models import ScormAttempt
from scorm.manifest_model import Manifest
from scorm.rollup import AttemptResult
from scorm.sequencing import Outcome, Sequencer
from scorm.sequencing_result import declares_sequencing


def sequenced(manifest: Manifest) -> bool:
    """SCORM 2004 packages with an organization follow their sequencing; SCORM 1.2 ones do not."""
    return manifest.version != "1.2" and manifest.organization is not None


def rolled_up_by_sequencing(manifest: Manifest) -> bool:
    """Whether the attempt's result is the root activity's (the package carries ``imsss:sequencing``)."""
    return sequenced(manifest) and declares_sequencing(manifest)


def marker(attempt: ScormAttempt, sco: str | None) -> list[Any] | None:
    """(run-time session, last batch) of a SCO's stored state: it changes whenever the SCO commits."""
    state = (attempt.sco_states or {}).get(sco or "")
    return [state.get("session"), state.get("seq")] if state else None


def load(attempt: ScormAttempt, manifest: Manifest) -> tuple[Sequencer, dict[str, Any]]:
    """The attempt's engine with its SCOs' latest results recorded, and the saved bookkeeping to update."""
    saved = dict(attempt.sequencing or {})
    if saved.get("tree"):
        seq = Sequencer.from_state(manifest, saved["tree"])
    else:
        # The attempt seeds its selection and randomization (SR.1, SR.2): a look before the first request
        # (the player page's contents) draws the same children in the same order as the request that saves them.
        seq = Sequencer.from_manifest(manifest, random.Random(f"attempt/{attempt.id}/{attempt.started_at}"))
        # An attempt begun before sequencing ran (or before this package had it): its SCOs' results count.
        for activity in seq.tree.preorder():
            state = (attempt.sco_states or {}).get(activity.identifier)
            if state and activity.launchable:
                seq.record(activity.identifier, state["runtime"])
    delivered = saved.get("delivered")
    seen = marker(attempt, delivered)
    if delivered and seen is not None and seen != saved.get("recorded") and seq.tree.get(delivered):
        seq.record(delivered, attempt.sco_states[delivered]["runtime"])
        saved["recorded"] = seen
    return seq, saved


def save(attempt: ScormAttempt, seq: Sequencer, saved: dict[str, Any], outcome: Outcome) -> None:
    if outcome.kind == "deliver" and outcome.activity_id:
        seen = marker(attempt, outcome.activity_id)
        # What the SCO stored before this delivery is neither recorded again nor its nav request honoured.
        saved.update(delivered=outcome.activity_id, recorded=seen, handled=seen)
        attempt.current_sco = outcome.activity_id
    attempt.sequencing = {**saved, "tree": seq.to_state()}


def course_result(attempt: ScormAttempt, manifest: Manifest) -> AttemptResult:
    """The root activity's result with every result the SCOs stored so far (nothing is stored)."""
    seq, _ = load(attempt, manifest)
    return seq.course_result()
