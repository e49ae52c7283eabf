"""Load an attempt with everything the run-time endpoints need, after checking its token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, url_for
from sqlalchemy import bindparam, select

from bridge.models import LmsUser, ScormActivity, ScormAttempt, ScormPackage
from bridge.player.tokens import attempt_token, check, content_signature
from bridge.services import packages, scorm_sequencing
from bridge.services.scorm_attempts import Learner
from bridge.web import db_session
from scorm.errors import ScormError
from scorm.manifest_model import Item, Manifest

# One query for the four rows, built once: this runs on every commit of every learner.
_ATTEMPT_ROWS = (
    select(ScormAttempt, ScormActivity, ScormPackage, LmsUser)
    .join(ScormActivity, ScormActivity.id == ScormAttempt.activity_id)
    .join(ScormPackage, ScormPackage.id == ScormActivity.package_id)
    .join(LmsUser, LmsUser.id == ScormAttempt.user_id)
    .where(ScormAttempt.id == bindparam("attempt_id"))
)


@dataclass(frozen=True, slots=True)
class Loaded:
    attempt: ScormAttempt
    activity: ScormActivity
    package: ScormPackage
    manifest: Manifest
    learner: Learner


def load_attempt(attempt_id: int, token: str) -> Loaded:
    row = db_session().execute(_ATTEMPT_ROWS, {"attempt_id": attempt_id}).first()
    if row is None:
        abort(404, description="This attempt does not exist (any more). Launch the activity again.")
    attempt, activity, package, user = row
    check(token, attempt_token(attempt.id, attempt.user_id))
    try:
        manifest = packages.manifest_of(packages.storage_from_config(current_app.config), package)
    except (OSError, ScormError):
        abort(500, description="The package's files are missing from content storage; ask an administrator.")
    name = ", ".join(p for p in (user.family_name, user.given_name) if p) or user.name or ""
    return Loaded(attempt, activity, package, manifest, Learner(user.id, user.sub, name))


def content_base(package: ScormPackage) -> str:
    """URL prefix of a package's files: on the content origin in relay mode, else on the tool's own origin."""
    origin = str(current_app.config.get("SCORM_CONTENT_ORIGIN") or "").rstrip("/")
    return f"{origin}/player/content/{package.id}/{content_signature(package.id)}/"


def _toc_items(items: tuple[Item, ...], scos: set[str]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if item.hidden:
            continue  # hidden items (isvisible="false") are not shown, but their SCOs stay reachable by flow
        out.append({"identifier": item.identifier, "title": item.title, "launchable": item.identifier in scos,
                    "choosable": not item.hidden_from_choice, "children": _toc_items(item.children, scos)})
    return out


def player_config(loaded: Loaded) -> dict[str, Any]:
    """What ``scorm-api.js`` needs to run the attempt (the page passes only the URL of this)."""
    token = attempt_token(loaded.attempt.id, loaded.attempt.user_id)
    base = content_base(loaded.package)
    org = loaded.manifest.organization
    origin = str(current_app.config.get("SCORM_CONTENT_ORIGIN") or "").rstrip("/")
    config: dict[str, Any] = {
        "attempt": loaded.attempt.id,
        "version": loaded.manifest.version,
        "title": loaded.manifest.title,
        "mode": "relay" if origin else "same-origin",
        "content_origin": origin or None,
        "relay_url": (f"{origin}{url_for('player.relay', p=loaded.package.id, s=content_signature(loaded.package.id))}"
                      if origin else None),
        "datamodel_url": url_for("player.datamodel", version=loaded.manifest.version),
        "open_url": url_for("player.open_sco", attempt_id=loaded.attempt.id, sco_id="__SCO__", t=token),
        "commit_url": url_for("player.commit", attempt_id=loaded.attempt.id, t=token),
        "current_sco": loaded.attempt.current_sco,
        "scos": [{"identifier": s.identifier, "title": s.title, "launch_url": base + s.launch_url,
                  "hidden": s.hidden} for s in loaded.manifest.scos],
        "toc": _toc_items(org.items if org else (), {s.identifier for s in loaded.manifest.scos}),
        "autosave_ms": 5000,
        "sequencing": False,
    }
    if scorm_sequencing.sequenced(loaded.manifest):
        # SCORM 2004: the server's sequencing engine decides what runs (bridge.player.navigation).
        config.update(sequencing=True, toc=scorm_sequencing.nested_toc(scorm_sequencing.peek(
            loaded.attempt, loaded.manifest)), navigate_url=url_for(
            "player.navigate", attempt_id=loaded.attempt.id, t=token), assets={
            item: base + url for item, url in scorm_sequencing.asset_urls(loaded.manifest).items()})
    return config
