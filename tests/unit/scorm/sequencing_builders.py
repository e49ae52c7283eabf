"""Small SCORM 2004 manifests for the sequencing tests, in the XML shapes of the ADL/Rustici golf samples."""

from __future__ import annotations

import re

from scorm.manifest import parse_manifest
from scorm.manifest_model import Manifest
from scorm.sequencing import Sequencer

HEAD = """<?xml version="1.0" standalone="no" ?>
<manifest identifier="com.example.sequencing" version="1"
          xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
          xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
          xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
          xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Course</title>
"""


def item(identifier: str, sequencing: str = "", children: str = "", attrs: str = "") -> str:
    """An `<item>`; a leaf references resource `r_<identifier>`."""
    ref = "" if children else f' identifierref="r_{identifier}"'
    seq = f"<imsss:sequencing>{sequencing}</imsss:sequencing>" if sequencing else ""
    return f'<item identifier="{identifier}"{ref}{attrs}><title>{identifier.upper()}</title>{children}{seq}</item>'


def flow_mode(**extra: str) -> str:
    """A `controlMode` element: choice and flow on unless overridden."""
    values = {"choice": "true", "flow": "true", **extra}
    attributes = " ".join(f'{k}="{v}"' for k, v in values.items())
    return f"<imsss:controlMode {attributes}/>"


def manifest(items: str, org_sequencing: str = flow_mode(), collection: str = "") -> Manifest:
    leaves = re.findall(r'identifierref="r_([^"]+)"', items)
    resources = "".join(
        f'<resource identifier="r_{leaf}" type="webcontent" adlcp:scormType="sco" href="{leaf}.html">'
        f'<file href="{leaf}.html"/></resource>' for leaf in leaves
    )
    org_seq = f"<imsss:sequencing>{org_sequencing}</imsss:sequencing>" if org_sequencing else ""
    xml = (f"{HEAD}{items}{org_seq}</organization></organizations>{collection}"
           f"<resources>{resources}</resources></manifest>")
    return parse_manifest(xml.encode())


def sequencer(items: str, org_sequencing: str = flow_mode(), collection: str = "") -> Sequencer:
    return Sequencer.from_manifest(manifest(items, org_sequencing, collection))


def result(completion: str = "completed", success: str | None = None, scaled: float | None = None,
           objectives: dict[str, str] | None = None) -> dict[str, object]:
    """A SCORM 2004 `RuntimeSession.to_state()`-shaped value with the given cmi results."""
    values = {"cmi.completion_status": completion}
    if success is not None:
        values["cmi.success_status"] = success
    if scaled is not None:
        values["cmi.score.scaled"] = str(scaled)
    counts = {}
    for index, (identifier, status) in enumerate((objectives or {}).items()):
        values[f"cmi.objectives.{index}.id"] = identifier
        values[f"cmi.objectives.{index}.success_status"] = status
        counts["cmi.objectives"] = index + 1
    return {"family": "2004", "values": values, "counts": counts}


def finish(seq: Sequencer, **kwargs: object) -> None:
    """The current SCO reports results (as the runtime would on Terminate)."""
    current = seq.tree.current
    if current is None:
        raise LookupError("no current activity")
    seq.record(current.identifier, result(**kwargs))  # type: ignore[arg-type]


def rule(kind: str, action: str, *conditions: str, combination: str = "all") -> str:
    """A sequencing rule; a condition is "name", "not name", "name>0.5" / "name<0.5", with "@objective" last."""
    tag = {"pre": "preConditionRule", "exit": "exitConditionRule", "post": "postConditionRule"}[kind]
    parts = []
    for text in conditions:
        operator = ' operator="not"' if text.startswith("not ") else ""
        name, _, objective = text.removeprefix("not ").partition("@")
        threshold = f' referencedObjective="{objective}"' if objective else ""
        for sign, condition in ((">", "objectiveMeasureGreaterThan"), ("<", "objectiveMeasureLessThan")):
            if sign in name:
                threshold += f' measureThreshold="{name.split(sign)[1]}"'
                name = condition
        parts.append(f'<imsss:ruleCondition condition="{name}"{operator}{threshold}/>')
    return (f'<imsss:{tag}><imsss:ruleConditions conditionCombination="{combination}">{"".join(parts)}'
            f'</imsss:ruleConditions><imsss:ruleAction action="{action}"/></imsss:{tag}>')


def rules(*bodies: str) -> str:
    return f"<imsss:sequencingRules>{''.join(bodies)}</imsss:sequencingRules>"


def rollup_rule(action: str, *conditions: str, child_set: str = "all", extra: str = "",
                combination: str = "any") -> str:
    """A rollup rule; a condition is "name" or "not name"."""
    negated = ' operator="not"'
    parts = "".join(
        f'<imsss:rollupCondition condition="{c.removeprefix("not ")}"'
        f'{negated if c.startswith("not ") else ""}/>' for c in conditions
    )
    return (f'<imsss:rollupRule childActivitySet="{child_set}"{extra}>'
            f'<imsss:rollupConditions conditionCombination="{combination}">{parts}</imsss:rollupConditions>'
            f'<imsss:rollupAction action="{action}"/></imsss:rollupRule>')


def objectives(primary: str, *others: str, primary_maps: str = "", extra: str = "") -> str:
    """`imsss:objectives`; each other objective is "id" or "id->global" (read-only map)."""
    body = "".join(
        f'<imsss:objective objectiveID="{o.split("->")[0]}">'
        + (f'<imsss:mapInfo targetObjectiveID="{o.split("->")[1]}"/>' if "->" in o else "")
        + "</imsss:objective>" for o in others
    )
    return (f'<imsss:objectives><imsss:primaryObjective objectiveID="{primary}"{extra}>{primary_maps}'
            f'</imsss:primaryObjective>{body}</imsss:objectives>')
