"""The award-rule form: one row per activity of the course (AGS line items, SCORM activities) and per other
credential template of the tenant; a free-text activity id only for kinds the course has nothing of yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from bridge.models import CredentialTemplate
from bridge.services import awards
from bridge.services.award_rules import Combination, Condition, Criterion, CriterionKind, Rule, RuleProblem
from bridge.services.credential_templates import current_version, list_templates

__all__ = ["RuleProblem", "choices", "parse"]
FREE_ROWS = 2


def _rows(session: Session, registration_pk: int, course_pk: int, template: CredentialTemplate,
          ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"kind": a.kind.value, "target": a.target, "label": a.label, "free": False}
                                  for a in awards.course_activities(session, course_pk)]
    for kind in (CriterionKind.AGS_LINE_ITEM, CriterionKind.SCORM_ACTIVITY):
        if not any(r["kind"] == kind.value for r in rows):
            rows += [{"kind": kind.value, "target": "", "label": "", "free": True} for _ in range(FREE_ROWS)]
    others = [t for t in list_templates(session, registration_pk, None) if t.id != template.id]
    rows += [{"kind": CriterionKind.CREDENTIAL.value, "target": str(t.id), "label": current_version(t).title,
              "free": False} for t in others]
    return rows


def choices(session: Session, registration_pk: int, course_pk: int, template: CredentialTemplate,
            current: Rule | None, form: MultiDict[str, str] | None = None) -> dict[str, Any]:
    """Rows to show, pre-filled from the stored rule (or from a refused form)."""
    rows = _rows(session, registration_pk, course_pk, template)
    chosen = {(c.kind.value, c.target): c for c in current.criteria} if current else {}
    for i, row in enumerate(rows):
        row["index"] = i
        crit = chosen.pop((row["kind"], row["target"]), None) if row["target"] else None
        if form is not None:
            row.update(use=form.get(f"c.{i}.use") == "1", condition=form.get(f"c.{i}.condition", "completed"),
                       min_score=form.get(f"c.{i}.min_score", ""))
            row["target"] = form.get(f"c.{i}.target", row["target"]) if row["free"] else row["target"]
        else:
            row.update(use=crit is not None, condition=crit.condition.value if crit else "completed",
                       min_score="" if crit is None or crit.min_score is None else f"{crit.min_score:g}")
    # Criteria over free-text ids fill the free rows of their kind.
    for (kind, target), crit in chosen.items():
        free = next((r for r in rows if r["free"] and r["kind"] == kind and not r["target"]), None)
        if free is not None:
            free.update(target=target, use=True, condition=crit.condition.value,
                        min_score="" if crit.min_score is None else f"{crit.min_score:g}")
    source = form if form is not None else None
    return {"rows": rows,
            "combination": source.get("combination") if source else (current.combination.value if current
                                                                       else "all_of"),
            "required": source.get("required", "") if source else (current.required or "" if current else ""),
            "valid_days": source.get("valid_days", "") if source else (current.valid_days or "" if current else "")}


def _float(raw: str, problems: list[str], where: str) -> float | None:
    if not raw.strip():
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        problems.append(f"{where}: '{raw}' is not a number.")
        return None


def _int(raw: str, problems: list[str], where: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        problems.append(f"{where}: '{raw}' is not a whole number.")
        return None
    return int(raw)


def parse(form: MultiDict[str, str]) -> Rule:
    """The rule the form describes; :class:`RuleProblem` when numbers or choices cannot be read."""
    problems: list[str] = []
    criteria = []
    indexes = sorted({int(k.split(".")[1]) for k in form if k.startswith("c.") and k.split(".")[1].isdigit()})
    for i in indexes:
        if form.get(f"c.{i}.use") != "1":
            continue
        try:
            kind = CriterionKind(form.get(f"c.{i}.kind", ""))
            condition = Condition(form.get(f"c.{i}.condition", "completed"))
        except ValueError:
            problems.append(f"Criterion {i + 1}: unknown kind or condition.")
            continue
        criteria.append(Criterion(kind, form.get(f"c.{i}.target", "").strip(), condition,
                                  _float(form.get(f"c.{i}.min_score", ""), problems, f"Criterion {i + 1}"),
                                  form.get(f"c.{i}.label", "")[:512]))
    try:
        combination = Combination(form.get("combination", "all_of"))
    except ValueError:
        combination = Combination.ALL_OF
    rule = Rule(tuple(criteria), combination,
                _int(form.get("required", ""), problems, "N") if combination is Combination.AT_LEAST_N else None,
                _int(form.get("valid_days", ""), problems, "Validity"))
    if problems:
        raise RuleProblem(problems)
    return rule
