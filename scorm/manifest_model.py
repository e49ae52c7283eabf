"""Typed, frozen values describing a parsed manifest (SCORM CAM 1.2 section 2.3.4; CAM 2004 3.4, 5.1).

Nothing here knows about XML: `scorm.manifest` builds these values and the XML never leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScormVersion = Literal["1.2", "2004 2nd", "2004 3rd", "2004 4th"]
SCORM_VERSIONS: tuple[ScormVersion, ...] = ("1.2", "2004 2nd", "2004 3rd", "2004 4th")


@dataclass(frozen=True, slots=True)
class Metadata:
    """The inline LOM fields we use (IEEE LOM general category)."""

    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None


@dataclass(frozen=True, slots=True)
class CompletionThreshold:
    """`adlcp:completionThreshold`: 3rd Ed. element text, or 4th Ed. attributes."""

    min_progress_measure: float = 1.0
    progress_weight: float = 1.0
    completed_by_measure: bool = False


@dataclass(frozen=True, slots=True)
class ObjectiveMap:
    """`imsss:mapInfo`: how a local objective reads and writes a shared global objective (SN 3.10)."""

    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False


@dataclass(frozen=True, slots=True)
class Objective:
    """`imsss:primaryObjective` / `imsss:objective` (SCORM 2004 SN 5.1.7)."""

    identifier: str
    primary: bool
    satisfied_by_measure: bool = False
    min_normalized_measure: float | None = None
    maps: tuple[ObjectiveMap, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleCondition:
    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float | None = None


@dataclass(frozen=True, slots=True)
class SequencingRule:
    """A pre-, exit- or post-condition rule, kept as plain data (SN 5.1.4)."""

    kind: Literal["pre", "exit", "post"]
    action: str
    condition_combination: str = "all"
    conditions: tuple[RuleCondition, ...] = ()


@dataclass(frozen=True, slots=True)
class RollupCondition:
    condition: str
    operator: str = "noOp"


@dataclass(frozen=True, slots=True)
class RollupRule:
    """`imsss:rollupRule` (SN 3.7): an action taken when enough children meet the conditions."""

    action: str
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"
    conditions: tuple[RollupCondition, ...] = ()


@dataclass(frozen=True, slots=True)
class RollupControls:
    """`imsss:rollupRules` attributes (rollup controls, SN 3.8) and rules (SN 3.7)."""

    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    rules: tuple[RollupRule, ...] = ()


@dataclass(frozen=True, slots=True)
class RollupConsiderations:
    """`adlseq:rollupConsiderations` (SN 3.9, an ADL extension): when a child counts in rollup.

    Each `required_for_*` is "always", "ifAttempted", "ifNotSkipped" or "ifNotSuspended".
    """

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass(frozen=True, slots=True)
class RandomizationControls:
    """`imsss:randomizationControls`: selection (SN 3.11) and randomization (SN 3.12) controls.

    Timings are "never", "once" or "onEachNewAttempt"; `select_count` None means Selection Count
    Status false (every child is selected); `randomize_children` is the `reorderChildren` attribute.
    """

    selection_timing: str = "never"
    select_count: int | None = None
    randomization_timing: str = "never"
    randomize_children: bool = False


@dataclass(frozen=True, slots=True)
class ControlMode:
    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True, slots=True)
class Sequencing:
    """`imsss:sequencing`, kept as data; `scorm.sequencing` runs it."""

    control_mode: ControlMode = ControlMode()
    rules: tuple[SequencingRule, ...] = ()
    objectives: tuple[Objective, ...] = ()
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False
    id_ref: str | None = None
    attempt_limit: int | None = None  # `imsss:limitConditions@attemptLimit` (SN 3.5); None: no limit
    # `imsss:limitConditions@attemptAbsoluteDurationLimit` (SN 3.5) in seconds; None: no limit
    attempt_duration_limit: float | None = None
    randomization: RandomizationControls = RandomizationControls()
    rollup: RollupControls = RollupControls()
    rollup_considerations: RollupConsiderations = RollupConsiderations()

    @property
    def primary_objective(self) -> Objective | None:
        return next((o for o in self.objectives if o.primary), None)


@dataclass(frozen=True, slots=True)
class Item:
    """`<item>`: a node of an organization; leaves (or any item with identifierref) launch a resource."""

    identifier: str
    title: str
    identifierref: str | None = None
    parameters: str | None = None
    hidden: bool = False
    children: tuple[Item, ...] = ()
    mastery_score: float | None = None
    data_from_lms: str | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    prerequisites: str | None = None
    completion_threshold: CompletionThreshold | None = None
    sequencing: Sequencing | None = None
    hide_lms_ui: tuple[str, ...] = ()
    hidden_from_choice: bool = False

    def walk(self) -> tuple[Item, ...]:
        """This item and all its descendants, in document order."""
        out: list[Item] = [self]
        for child in self.children:
            out.extend(child.walk())
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Resource:
    identifier: str
    type: str
    scorm_type: Literal["sco", "asset"]
    href: str | None  # resolved against every xml:base; relative to the content root
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organization:
    identifier: str
    title: str
    items: tuple[Item, ...] = ()
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True

    def all_items(self) -> tuple[Item, ...]:
        return tuple(node for item in self.items for node in item.walk())


@dataclass(frozen=True, slots=True)
class Sco:
    """A launchable SCO: an item that references a resource with scormType "sco"."""

    identifier: str
    resource_identifier: str
    title: str
    launch_url: str
    hidden: bool = False
    mastery_score: float | None = None
    scaled_passing_score: float | None = None
    completion_threshold: float | None = None
    objective_ids: tuple[str, ...] = ()
    data_from_lms: str | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    identifier: str
    version: ScormVersion
    schema_version: str | None
    metadata: Metadata
    default_organization: str | None  # the identifier actually used (after the fall-back)
    organizations: tuple[Organization, ...]
    resources: tuple[Resource, ...]
    scos: tuple[Sco, ...]  # SCOs of the default organization, in document order

    @property
    def title(self) -> str:
        org = self.organization
        return (org.title if org and org.title else None) or self.metadata.title or self.identifier

    @property
    def organization(self) -> Organization | None:
        return next((o for o in self.organizations if o.identifier == self.default_organization), None)

    def resource(self, identifier: str) -> Resource | None:
        return next((r for r in self.resources if r.identifier == identifier), None)
