"""Package files and the API relay page, each with a CSP of its own.

Two modes (``SCORM_CONTENT_ORIGIN``):
- **separate content origin** (recommended): files are served only on that origin, which carries no tool
  cookies or tokens; the SCO talks to a relay page on the same origin, which talks to the player page on the
  tool's origin through ``postMessage`` with origin checks on both sides.
- **same-origin** (default, for single-host installs and the demo): files are served by the tool's origin,
  so a SCO (which must find the API through ``window.parent``) could script the player page. Documented as
  such; use it only for packages you trust.
Files come from ``send_from_directory`` (``safe_join``: no ``..``, no absolute paths, no fall-back); MIME
types from the extension; ``nosniff``; ``frame-ancestors`` limits who may frame them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, render_template, request, send_from_directory

from bridge.models import Registration, ScormPackage
from bridge.player.blueprint import bp
from bridge.player.tokens import check, content_signature
from bridge.services import packages
from bridge.web import db_session

# Package content is third-party code with inline scripts, document.write and CDN assets: it is contained by
# its origin and frame-ancestors, not by a strict script policy.
CONTENT_CSP = ("default-src 'self' https: data: blob: 'unsafe-inline' 'unsafe-eval'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}")


def _content_origin() -> str:
    return str(current_app.config.get("SCORM_CONTENT_ORIGIN") or "").rstrip("/")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _on_content_origin_only() -> None:
    origin = _content_origin()
    if origin and _origin_of(request.host_url) != _origin_of(origin):
        abort(404, description="Package content is served from the content origin only.")


def _ancestors(package: ScormPackage) -> str:
    """Who may frame content: this origin, the tool, and the LMS of the package's platform registration.

    frame-ancestors is checked against every ancestor, and the player runs inside the LMS's course page, so
    the LMS origins (issuer and OIDC login URL, plus ``SCORM_FRAME_ANCESTORS`` for LMSs serving courses from
    other hosts) must be listed too.
    """
    origins = {_origin_of(str(current_app.config["BASE_URL"]))}
    registration = db_session().get(Registration, package.registration_id)
    if registration is not None:
        origins |= {_origin_of(url) for url in (registration.issuer, registration.auth_login_url)
                    if url.startswith(("https://", "http://"))}
    origins |= set(str(current_app.config.get("SCORM_FRAME_ANCESTORS") or "").split())
    return " ".join(["'self'", *sorted(origins)])


def _package(package_id: int, sig: str) -> ScormPackage:
    check(sig, content_signature(package_id))
    package = db_session().get(ScormPackage, package_id)
    if package is None:
        abort(404, description="No such package.")
    return package


@bp.get("/content/<int:package_id>/<sig>/<path:path>")
def content(package_id: int, sig: str, path: str) -> Response:
    _on_content_origin_only()
    package = _package(package_id, sig)
    response = send_from_directory(packages.storage_from_config(current_app.config).package_dir(package), path,
                                   max_age=3600)
    response.headers["Content-Security-Policy"] = CONTENT_CSP.format(ancestors=_ancestors(package))
    response.headers["Cross-Origin-Resource-Policy"] = "same-site"
    return response


@bp.get("/relay")
def relay() -> Response:
    _on_content_origin_only()
    package = _package(request.args.get("p", 0, type=int), request.args.get("s", ""))
    tool_origin = _origin_of(str(current_app.config["BASE_URL"]))
    response = Response(render_template("player/relay.html", parent_origin=tool_origin))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-src 'self'; base-uri 'none'; "
        f"frame-ancestors {_ancestors(package)}")
    response.headers["Cache-Control"] = "no-store"
    return response
