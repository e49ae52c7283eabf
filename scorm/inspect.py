"""`inspect_package`: the JSON-ready summary printed by `bridge scorm inspect PACKAGE.zip --json`.

The shape is a contract (ARCHITECTURE.md, "Contracts other tools rely on"); keep it stable.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO

from scorm.manifest_model import Manifest, Sco
from scorm.package import read_manifest_from_zip
from scorm.package_plan import PackageLimits


def _sco_summary(sco: Sco) -> dict[str, Any]:
    out: dict[str, Any] = {"identifier": sco.identifier, "title": sco.title, "launch_url": sco.launch_url}
    if sco.mastery_score is not None:
        out["mastery_score"] = sco.mastery_score
    if sco.scaled_passing_score is not None:
        out["scaled_passing_score"] = sco.scaled_passing_score
    if sco.completion_threshold is not None:
        out["completion_threshold"] = sco.completion_threshold
    if sco.objective_ids:
        out["objective_ids"] = list(sco.objective_ids)
    return out


def summarize_manifest(manifest: Manifest) -> dict[str, Any]:
    """The inspect summary for an already parsed manifest."""
    return {
        "version": manifest.version,
        "title": manifest.title,
        "default_organization": manifest.default_organization,
        "organizations": [{"identifier": o.identifier, "title": o.title} for o in manifest.organizations],
        "scos": [_sco_summary(s) for s in manifest.scos],
    }


def inspect_package(
    path: str | os.PathLike[str] | BinaryIO, limits: PackageLimits | None = None
) -> dict[str, Any]:
    """Check a package zip without extracting it and summarise it; raises `ScormError` subclasses."""
    return summarize_manifest(read_manifest_from_zip(path, limits))
