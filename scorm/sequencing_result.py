"""The course's result as sequencing reports it: the root activity after the Overall Rollup Process.

SCORM 2004 4th Ed. SN 4.6 (rollup behaviour, RB.1.5 Overall Rollup Process) and SN 4.2 (tracking model):
an LMS that sequences a package reports the course by its root activity — attempt completion status
(RB.1.3 Activity Progress Rollup Process), the primary objective's satisfied status (RB.1.2 Objective
Rollup Process, rules or measure) and its normalized measure (RB.1.1 Measure Rollup Process, weighted
by `objectiveMeasureWeight`). This differs from an average of the SCOs whenever the package says how
its children count (`rollupObjectiveSatisfied="false"`, rollup rules such as "any satisfied", measure
weights), which is why packages that carry sequencing data are judged this way
(`declares_sequencing`) while SCORM 1.2 and 2004 packages without any keep `scorm.rollup.rollup`.
"""

from __future__ import annotations

from scorm.manifest_model import Manifest
from scorm.rollup import AttemptResult
from scorm.sequencing_rollup import measure_rollup, objective_rollup, progress_rollup
from scorm.sequencing_tree import ActivityTree, copy_tree, read_objective


def declares_sequencing(manifest: Manifest) -> bool:
    """A SCORM 2004 package whose default organization or any of its items has `imsss:sequencing`."""
    org = manifest.organization
    if manifest.version == "1.2" or org is None:
        return False
    return org.sequencing is not None or any(item.sequencing is not None for item in org.all_items())


def rolled_up(tree: ActivityTree) -> ActivityTree:
    """A copy with every cluster rolled up from its children, deepest first (RB.1.1–RB.1.3 per cluster).

    A cluster's new attempt clears its own status (DB.2) until the next rollup reaches it; the course is
    reported from its children's status as it stands, so a report never catches that gap.
    """
    trial = copy_tree(tree)
    for activity in reversed(trial.preorder()):
        if not activity.is_leaf:
            measure_rollup(trial, activity)
            objective_rollup(trial, activity)
            progress_rollup(trial, activity)
    return trial


def course_result(tree: ActivityTree) -> AttemptResult:
    """The root activity's completion, satisfaction and measure (global objectives it reads included),
    after rolling every cluster up (`rolled_up`).

    Unknown progress counts as not completed, an unknown objective status as no verdict (`passed`
    None) and an unknown measure as no score; a negative measure gives the score 0 (grades are 0..1).
    """
    tree = rolled_up(tree)
    root = tree.root
    objective = read_objective(tree, root)
    scaled = max(objective.normalized_measure, 0.0) if objective.measure_status else None
    return AttemptResult(
        completed=root.attempt_progress_status and root.attempt_completion_status,
        passed=objective.satisfied_status if objective.progress_status else None,
        score_raw=None if scaled is None else round(scaled * 100, 7),
        score_scaled=scaled,
        score_max=None if scaled is None else 100.0,
    )
