"""Items of an organization and the SCOs they launch (SCORM CAM 1.2 2.3.5; CAM 2004 3.4.1.9–3.4.1.24).

An item may carry ADL extensions: 1.2 `adlcp:masteryscore`, `adlcp:datafromlms`, `adlcp:maxtimeallowed`,
`adlcp:timelimitaction`, `adlcp:prerequisites`; 2004 `adlcp:dataFromLMS`, `adlcp:timeLimitAction`,
`adlcp:completionThreshold`, `imsss:sequencing`, `adlnav:presentation`. The SCO's scaled passing score
comes from the primary objective's `minNormalizedMeasure` when `satisfiedByMeasure="true"` (RTE 2004
4.2.18); its completion threshold from `adlcp:completionThreshold` (RTE 2004 4.2.4).
"""

from __future__ import annotations

from lxml import etree

from scorm.errors import ManifestError
from scorm.launch_urls import add_parameters
from scorm.manifest_model import Item, Organization, Resource, Sco, ScormVersion
from scorm.manifest_sequencing import hide_lms_ui, parse_completion_threshold, parse_sequencing
from scorm.timing import format_timeinterval
from scorm.xml_helpers import attr, child, child_text, children, number


def parse_item(node: etree._Element, version: ScormVersion, collection: dict[str, etree._Element]) -> Item:
    sequencing_node = child(node, "sequencing")
    sequencing = parse_sequencing(sequencing_node, collection) if sequencing_node is not None else None
    mastery = number(child_text(node, "masteryscore"), "adlcp:masteryscore") if version == "1.2" else None
    hidden_from_choice = bool(sequencing) and any(
        rule.action == "hiddenFromChoice" and all(c.condition == "always" for c in rule.conditions)
        for rule in (sequencing.rules if sequencing else ())
    )
    return Item(
        identifier=attr(node, "identifier") or "",
        title=child_text(node, "title") or "",
        identifierref=attr(node, "identifierref") or None,
        parameters=attr(node, "parameters"),
        hidden=(attr(node, "isvisible") or "true").lower() == "false",
        children=tuple(parse_item(c, version, collection) for c in children(node, "item")),
        mastery_score=mastery,
        data_from_lms=child_text(node, "datafromlms"),
        max_time_allowed=child_text(node, "maxtimeallowed"),
        time_limit_action=child_text(node, "timelimitaction"),
        prerequisites=child_text(node, "prerequisites"),
        completion_threshold=parse_completion_threshold(child(node, "completionThreshold")),
        sequencing=sequencing,
        hide_lms_ui=hide_lms_ui(node),
        hidden_from_choice=hidden_from_choice,
    )


def _scaled_passing_score(item: Item) -> float | None:
    primary = item.sequencing.primary_objective if item.sequencing else None
    if primary is None or not primary.satisfied_by_measure:
        return None
    return primary.min_normalized_measure


def _completion_threshold(item: Item, version: ScormVersion) -> float | None:
    threshold = item.completion_threshold
    if threshold is None or (version == "2004 4th" and not threshold.completed_by_measure):
        return None
    return threshold.min_progress_measure


def _max_time_allowed(item: Item, version: ScormVersion) -> str | None:
    """1.2: `adlcp:maxtimeallowed`; 2004: `imsss:attemptAbsoluteDurationLimit` (RTE 4.2.13 cmi.max_time_allowed)."""
    if version == "1.2":
        return item.max_time_allowed
    limit = item.sequencing.attempt_duration_limit if item.sequencing else None
    return None if limit is None else format_timeinterval(round(limit * 100))


def _sco(item: Item, resource: Resource, version: ScormVersion) -> Sco:
    if not resource.href:
        raise ManifestError(
            f"Item {item.identifier!r} launches resource {resource.identifier!r}, which has no href.",
            element="resource",
        )
    objectives = item.sequencing.objectives if item.sequencing else ()
    return Sco(
        identifier=item.identifier,
        resource_identifier=resource.identifier,
        title=item.title or resource.identifier,
        launch_url=add_parameters(resource.href, item.parameters),
        hidden=item.hidden,
        mastery_score=item.mastery_score,
        scaled_passing_score=_scaled_passing_score(item),
        completion_threshold=_completion_threshold(item, version),
        objective_ids=tuple(o.identifier for o in objectives if o.identifier),
        data_from_lms=item.data_from_lms,
        max_time_allowed=_max_time_allowed(item, version),
        time_limit_action=item.time_limit_action,
    )


def build_scos(
    organization: Organization | None, resources: tuple[Resource, ...], version: ScormVersion
) -> tuple[Sco, ...]:
    """SCOs of `organization` in document order; without organizations, every SCO resource."""
    by_id = {r.identifier: r for r in resources}
    if organization is None:
        return tuple(
            Sco(identifier=r.identifier, resource_identifier=r.identifier, title=r.identifier,
                launch_url=r.href)
            for r in resources if r.scorm_type == "sco" and r.href
        )
    scos: list[Sco] = []
    for item in organization.all_items():
        if item.identifierref is None:
            continue
        resource = by_id.get(item.identifierref)
        if resource is None:
            raise ManifestError(
                f"Item {item.identifier!r} refers to resource {item.identifierref!r}, which the manifest "
                "does not define; fix the identifierref or add the resource.",
                element="item",
            )
        if resource.scorm_type == "sco":
            scos.append(_sco(item, resource, version))
    return tuple(scos)
