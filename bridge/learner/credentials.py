"""Learner screen: progress towards each credential of the course, what is still missing, earned credentials,
and the downloads and sharing of each issued credential (signed file, printable certificate, LinkedIn, the
switch for the public page)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request, url_for

from bridge.admin.auth import check_csrf, csrf_token
from bridge.learner import certificate_pdf as certificate_pdf_module
from bridge.learner import sharing
from bridge.lti.session import current_launch
from bridge.models import LmsUser
from bridge.services import award_reports
from bridge.web import db_session

log = logging.getLogger(__name__)
bp = Blueprint("learner_credentials", __name__, url_prefix="/learner/credentials")
SHARED = {"on": "The public page of the credential is switched on: anyone with its address can see it.",
          "off": "The public page of the credential is switched off: its address now answers “not found”."}


def public_url(public_id: str) -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/") + url_for("verify.hosted_credential", public_id=public_id)


@bp.get("/")
def progress() -> str:
    ctx = current_launch()
    if ctx.course_pk is None:
        abort(400, description="Open this page from a course in your learning platform.")
    session = db_session()
    items = award_reports.learner_progress(session, ctx.registration_pk, ctx.course_pk, ctx.user_pk,
                                           now=datetime.now(UTC))
    return render_template("learner/credentials.html", ctx=ctx, progress=items,
                           earned=award_reports.earned(session, ctx.user_pk),
                           held=sharing.held_credentials(session, ctx.user_pk), public_url=public_url,
                           linkedin_url=sharing.linkedin_url, csrf=csrf_token(f"launch:{ctx.launch_id}"),
                           shared=SHARED.get(request.args.get("shared", "")))


def _held(public_id: str) -> sharing.Held:
    held = sharing.held_credential(db_session(), current_launch().user_pk, public_id)
    if held is None:
        abort(404, description="You hold no such credential.")
    return held


@bp.get("/issued/<public_id>/download")
def download(public_id: str) -> Response:
    """The credential exactly as signed: ``.json`` (Data Integrity) or ``.jwt`` (VC-JWT, VC-JOSE)."""
    held = _held(public_id)
    return Response(held.issued.content.encode(), headers={
        "Content-Type": held.issued.media_type, "Cache-Control": "private, no-store",
        "Content-Disposition": f'attachment; filename="{held.filename}"'})


@bp.get("/issued/<public_id>/certificate")
def certificate(public_id: str) -> str:
    """A printable certificate in one of the template's languages, with a QR code to the public verify page."""
    ctx = current_launch()
    held = _held(public_id)
    langs = sharing.certificate_languages(held.record)
    lang = request.args.get("lang", "")
    lang = lang if lang in langs else langs[0]
    link = public_url(public_id)
    learner = db_session().get_one(LmsUser, held.award.user_id)
    return render_template("learner/certificate.html", ctx=ctx, held=held, record=held.record, lang=lang,
                           langs=langs, words=sharing.words(lang), language_name=sharing.language_name,
                           vocabulary=sharing.vocabulary, country_name=sharing.country_name, learner=learner,
                           public_link=link, qr=sharing.qr_svg_data_uri(link))


@bp.get("/issued/<public_id>/certificate.pdf")
def certificate_pdf(public_id: str) -> Response:
    """The same certificate as a PDF rendered on the server (no browser print dialog needed)."""
    held = _held(public_id)
    langs = sharing.certificate_languages(held.record)
    lang = request.args.get("lang", "")
    lang = lang if lang in langs else langs[0]
    learner = db_session().get_one(LmsUser, held.award.user_id)
    text = certificate_pdf_module.certificate_text(
        held=held, learner=learner, lang=lang, words=sharing.words(lang), public_link=public_url(public_id),
        vocabulary=sharing.vocabulary, country_name=sharing.country_name)
    try:
        body = certificate_pdf_module.render(text, str(current_app.config["CERTIFICATE_FONT_DIR"]))
    except certificate_pdf_module.FontsMissing as err:
        log.error("certificate pdf: fonts missing under %s", current_app.config["CERTIFICATE_FONT_DIR"])
        abort(503, description=str(err))
    filename = f"certificate-{public_id}-{lang}.pdf"
    return Response(body, headers={"Content-Type": "application/pdf", "Cache-Control": "private, no-store",
                                   "Content-Disposition": f'inline; filename="{filename}"'})


@bp.post("/issued/<public_id>/public")
def toggle_public(public_id: str) -> Response:
    """Switch the public page of the credential on (``public=1``) or off (``public=0``)."""
    ctx = current_launch()
    check_csrf(f"launch:{ctx.launch_id}")
    held = _held(public_id)
    wanted = request.form.get("public", "")
    if wanted not in {"0", "1"}:
        abort(400, description="Say whether the public page should be on (1) or off (0).")
    held.issued.public_page = wanted == "1"
    db_session().commit()
    return make_response(redirect(url_for("learner_credentials.progress", launch=ctx.launch_id,
                                          shared="on" if wanted == "1" else "off", _anchor="sharing"), code=303))
