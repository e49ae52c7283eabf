"""Public endpoints anyone may call: DID documents, our extension context, status lists, verification.

``/.well-known/did.json`` (did:web of the default issuer), ``/issuers/<slug>/did.json`` (path-based
did:web), ``/contexts/mc/v1`` (the context whose stable URL is https://w3id.org/credential-bridge/mc/v1),
``/status/<id>`` (signed BitstringStatusListCredential), ``POST /api/v1/verify``, ``/verify`` and
``/credentials/<public_id>`` (the public link of an issued credential).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from bridge.services import issuance, status_lists, verification
from bridge.services import issuers as issuer_service
from bridge.services.credential_contexts import mc_context_text
from bridge.services.remote_fetch import FetchError, RemoteFetcher
from bridge.verify.forms import credential_from_request
from bridge.web import bridge_services, db_session, kv_store

bp = Blueprint("verify", __name__)
PUBLIC = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}
HIDDEN = ("The holder of this credential has switched its public page off. If they gave you the credential as a "
          "file, you can still check it at /verify.")


def _switched_off(url: str) -> bool:
    """Whether ``url`` is the public page of one of our credentials that its holder switched off."""
    prefix = f"{str(current_app.config['BASE_URL']).rstrip('/')}/credentials/"
    if not url.startswith(prefix):
        return False
    issued = issuance.by_public_id(db_session(), url[len(prefix):].split("?", 1)[0].strip("/"))
    return issued is not None and not issued.public_page


def _verify_args() -> dict[str, Any]:
    services = bridge_services()
    return {"session": db_session(), "box": services.box, "fetcher": RemoteFetcher(services.http, kv_store()),
            "config": verification.VerifierConfig.from_mapping(current_app.config)}


def _json(body: Any, media_type: str) -> Response:
    response = jsonify(body)
    response.headers.update({"Content-Type": media_type, **PUBLIC})
    return response


@bp.get("/.well-known/did.json")
def default_did() -> Response:
    issuer = verification.default_issuer(db_session(), bridge_services().box, current_app.config)
    if issuer.did_method != "web":
        abort(404, "This tool's issuer uses did:key, which needs no published document.")
    return _json(issuer_service.did_document_for(issuer), "application/did+json")


@bp.get("/issuers/<slug>/did.json")
def issuer_did(slug: str) -> Response:
    issuer = issuer_service.by_slug(db_session(), slug)
    if issuer is None or issuer.did_method != "web" or slug == "default":
        abort(404, "There is no issuer with that name here.")
    return _json(issuer_service.did_document_for(issuer), "application/did+json")


@bp.get("/contexts/mc/v1")
def mc_context() -> Response:
    return Response(mc_context_text(), headers={"Content-Type": "application/ld+json", **PUBLIC})


@bp.get("/status/<int:list_id>")
def status_list(list_id: int) -> Response:
    session = db_session()
    found = status_lists.by_id(session, list_id)
    if found is None:
        abort(404, "There is no status list with that number.")
    signed = status_lists.signed_list(session, bridge_services().box, found, base_url=current_app.config["BASE_URL"])
    response = _json(signed, "application/vc")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.post("/api/v1/verify")
def api_verify() -> tuple[dict[str, Any], int]:
    value = credential_from_request(api=True)
    if value is None:
        return {"error": "Bad Request", "message": "Send the credential as JSON, or a JWT as text."}, 400
    return verification.as_json(verification.verify(value, **_verify_args())), 200


@bp.route("/verify", methods=["GET", "POST"])
def verify_page() -> tuple[str, int]:
    args = _verify_args()
    url = request.args.get("credential", "").strip()
    problem, value = None, credential_from_request(api=False)
    if url and value is None and _switched_off(url):
        problem = HIDDEN
    elif url and value is None:
        try:
            value = verification.load_hosted(args["session"], args["fetcher"], args["config"], url)
        except FetchError as err:
            problem = f"The credential could not be fetched from that address: {err}."
    if request.method == "POST" and value is None:
        problem = "Paste a credential or choose a file first."
    result = verification.verify(value, **args) if value is not None else None
    summary = verification.summarize(value) if value is not None else None
    return render_template("verify/page.html", result=result, summary=summary, problem=problem, url=url,
                           title="Verify a credential"), 400 if problem else 200


@bp.get("/credentials/<public_id>")
def hosted_credential(public_id: str) -> Any:
    issued = issuance.by_public_id(db_session(), public_id)
    if issued is None:
        abort(404, "There is no credential at this address.")
    if not issued.public_page:
        abort(404, HIDDEN)
    best = request.accept_mimetypes.best_match(["text/html", "application/json", issued.media_type])
    if best != "text/html" or request.args.get("download"):
        headers = {"Content-Type": issued.media_type, **PUBLIC}
        if request.args.get("download"):
            suffix = "json" if issued.content.lstrip().startswith("{") else "jwt"
            headers["Content-Disposition"] = f'attachment; filename="credential-{public_id}.{suffix}"'
        return Response(issued.content, headers=headers)
    result = verification.verify(issued.content, **_verify_args())
    return render_template("verify/page.html", result=result, summary=verification.summarize(issued.content),
                           problem=None, url="", hosted=issued, title="Credential")
