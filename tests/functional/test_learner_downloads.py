"""Learner downloads and sharing through a real sandbox launch: the signed file exactly as stored, the printable
certificate (languages, EU elements, QR code to the verify page), the LinkedIn link, and the switch for the
public credential page (CSRF-protected, only for the learner who holds the credential)."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from pypdf import PdfReader

from bridge.admin.auth import csrf_token
from bridge.models import IssuedCredential, TemplateVersion
from bridge.services import awards, issuance, launches, verification
from bridge.services import credential_templates as templates
from credentials.microcredential import LangText, LearningOutcome, Level, MicroCredentialRecord, Organisation
from credentials.microcredential import Learner as McLearner
from tests.support.awards_data import SKILL, sample_template
from tests.support.launch_actions import LaunchActions
from tests.support.qr_decode import decode_png

TITLE_DE = "Kritisches Denken online"


@dataclass
class Issued:
    launch: str
    public_id: str
    content: str
    media_type: str
    award_id: int


def _launch_id(registered: LaunchActions, user: str) -> str:
    return str(registered.launch(user).headers["Location"].split("launch=")[1])


def _two_language_template() -> Any:
    body = Organisation(name=LangText(en="University of Zed", de="Universität Zed"), country="IE", region="Dublin",
                        url="https://uniz.example", email="info@uniz.example", eidas_id="IE/EIDAS/1")
    return sample_template(
        title=LangText(en="Critical thinking online", de=TITLE_DE),
        description=LangText(en="A short course.", de="Ein kurzer Kurs."), awarding_bodies=(body,),
        learning_outcomes=(LearningOutcome(LangText(en="Evaluate sources", de="Quellen bewerten"), (SKILL,)),),
        ects=Decimal("2.5"), level=Level(eqf=6), languages=("en", "de"), default_language="en", volume_hours=60)


def _issue_for(app: Any, launch: str, fmt: str) -> Issued:
    """An award of the two-language template to the launched learner, signed with bridge.services.issuance."""
    services = app.extensions["bridge"]
    with services.db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=_two_language_template())
        award = awards.award_manually(s, tpl, ctx.user_pk, ctx.course_pk, reason="Prior learning", by=None,
                                      now=datetime.now(UTC))
        s.commit()
        version = s.get_one(TemplateVersion, award.template_version_id)
        record = MicroCredentialRecord(templates.load(version), McLearner(name="Learner", email="l1@example.org"),
                                       award.awarded_at, None)
        issuer = verification.default_issuer(s, services.box, app.config)
        issued = issuance.issue(s, services.box, issuer, record, issuance.IssueOptions(
            fmt=fmt, base_url=app.config["BASE_URL"], source=f"award:{award.id}"))
        return Issued(launch, issued.public_id, issued.content, issued.media_type, award.id)


def _public_page(app: Any, public_id: str) -> bool:
    with app.extensions["bridge"].db.session() as s:
        found = issuance.by_public_id(s, public_id)
        assert isinstance(found, IssuedCredential)
        return found.public_page


def _find(pattern: str, page: str) -> str:
    found = re.search(pattern, page)
    assert found is not None, f"{pattern} not in {page}"
    return html.unescape(found.group(1))


def _csrf(page: str) -> str:
    return _find(r'name="csrf_token" value="([0-9a-f]+)"', page)


@pytest.mark.parametrize(("fmt", "suffix"), [("ob3-rdfc", "json"), ("ob3-jwt", "jwt"), ("vc-jose", "jwt")])
def test_download_is_the_stored_credential(app: Any, registered: LaunchActions, fmt: str, suffix: str) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), fmt)
    client = registered.client
    page = client.get(f"/learner/credentials/?launch={issued.launch}").get_data(as_text=True)
    href = _find(r'class="button download" href="([^"]+)"', page)
    response = client.get(href)
    assert response.status_code == 200
    assert response.data == issued.content.encode()
    assert response.headers["Content-Type"] == issued.media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="credential-{issued.public_id}.{suffix}"'


def test_certificate_shows_the_eu_elements_in_each_language_with_a_qr_code(app: Any,
                                                                             registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    client = registered.client
    page = client.get(f"/learner/credentials/?launch={issued.launch}").get_data(as_text=True)
    href = _find(r'class="certificate" href="([^"]+)"', page)
    response = client.get(href)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="en">' in text
    assert "Critical thinking online" in text and "2.5 ECTS · 60 hours" in text and "EQF 6" in text
    for element in ("Awarded by", "Date of issue", "Learning outcomes", "Type of assessment", "Form of participation",
                    "Type of quality assurance", "Evaluate sources", "University of Zed", "Ireland, Dublin"):
        assert element in text, element
    assert "<script" not in text
    with client.get("/static/css/certificate.css") as css:
        assert "@media print" in css.get_data(as_text=True)
    public = f"{app.config['BASE_URL'].rstrip('/')}/credentials/{issued.public_id}"
    qr = _find(r'id="verify-qr" src="([^"]+)"', text)
    assert qr.startswith("data:image/svg+xml")
    assert qr == segno.make(public, error="m").svg_data_uri(scale=4, border=4)
    assert f'id="verify-link" href="{public}"' in text
    german = _find(r'hreflang="de" href="([^"]+)"', text)
    de = client.get(german).get_data(as_text=True)
    assert '<html lang="de">' in de and TITLE_DE in de and "Quellen bewerten" in de and "Verliehen von" in de
    assert "Universität Zed" in de and "Irland" in de
    assert 'aria-current="page" lang="de"' in de


def test_linkedin_link_carries_the_certification(app: Any, registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-jcs")
    page = registered.client.get(f"/learner/credentials/?launch={issued.launch}").get_data(as_text=True)
    link = _find(r'class="linkedin" href="([^"]+)"', page)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    now = datetime.now(UTC)
    assert params == {"startTask": "CERTIFICATION_NAME", "name": "Critical thinking online",
                      "organizationName": "University of Zed", "issueYear": str(now.year),
                      "issueMonth": str(now.month),
                      "certUrl": f"{app.config['BASE_URL'].rstrip('/')}/credentials/{issued.public_id}",
                      "certId": issued.public_id}


def test_learner_switches_the_public_page_off_and_on(app: Any, registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    client = registered.client
    page = client.get(f"/learner/credentials/?launch={issued.launch}").get_data(as_text=True)
    assert 'class="public-state">on<' in page
    action = f"/learner/credentials/issued/{issued.public_id}/public"
    public = f"/credentials/{issued.public_id}"
    assert client.get(public, headers={"Accept": "text/html"}).status_code == 200

    off = client.post(action, data={"launch": issued.launch, "csrf_token": _csrf(page), "public": "0"})
    assert off.status_code == 303 and "shared=off" in off.headers["Location"]
    assert _public_page(app, issued.public_id) is False
    hidden = client.get(public, headers={"Accept": "text/html"})
    assert hidden.status_code == 404 and "switched its public page off" in hidden.get_data(as_text=True)
    assert client.get(f"{public}?download=1").status_code == 404
    assert client.get(public, headers={"Accept": "application/json"}).status_code == 404
    by_address = client.get("/verify", query_string={"credential": app.config["BASE_URL"].rstrip("/") + public})
    assert by_address.status_code == 400 and "switched its public page off" in by_address.get_data(as_text=True)
    presented = client.post("/api/v1/verify", data=issued.content, content_type="application/json")
    assert presented.status_code == 200 and presented.get_json()["valid"] is True
    form = client.post("/verify", data={"credential": issued.content})
    assert form.status_code == 200 and "This credential is genuine" in form.get_data(as_text=True)
    after = client.get(off.headers["Location"]).get_data(as_text=True)
    assert 'class="public-state">off<' in after and "switched off" in after

    on = client.post(action, data={"launch": issued.launch, "csrf_token": _csrf(page), "public": "1"})
    assert on.status_code == 303 and _public_page(app, issued.public_id) is True
    assert client.get(public, headers={"Accept": "text/html"}).status_code == 200


def test_toggle_needs_the_csrf_token(app: Any, registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    action = f"/learner/credentials/issued/{issued.public_id}/public"
    client = registered.client
    assert client.post(action, data={"launch": issued.launch, "public": "0"}).status_code == 400
    assert client.post(action, data={"launch": issued.launch, "public": "0", "csrf_token": "forged"}).status_code == 400
    assert _public_page(app, issued.public_id) is True


def test_another_learner_cannot_touch_the_credential(app: Any, registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-jwt")
    other = _launch_id(registered, "learner-2")
    client = registered.client
    page = client.get(f"/learner/credentials/?launch={other}").get_data(as_text=True)
    assert issued.public_id not in page
    base = f"/learner/credentials/issued/{issued.public_id}"
    with app.test_request_context():
        token = csrf_token(f"launch:{other}")  # a valid token of the other learner's own launch
    assert client.post(f"{base}/public", data={"launch": other, "csrf_token": token, "public": "0"}).status_code == 404
    assert _public_page(app, issued.public_id) is True
    assert client.get(f"{base}/download?launch={other}").status_code == 404
    assert client.get(f"{base}/certificate?launch={other}").status_code == 404
    assert client.get(f"/learner/credentials/issued/unknown/download?launch={other}").status_code == 404
    assert app.test_client().get(f"{base}/download").status_code == 401  # no launch at all


def _pdf_text(data: bytes) -> tuple[str, Any]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf").is_file(),
                    reason="the DejaVu fonts are not installed (Debian: fonts-dejavu-core; `.ci/run` installs them)")
def test_certificate_pdf_has_the_elements_the_language_and_a_working_qr_code(app: Any,
                                                                              registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    client = registered.client
    page = client.get(f"/learner/credentials/?launch={issued.launch}").get_data(as_text=True)
    response = client.get(_find(r'class="certificate-pdf" href="([^"]+)"', page))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"%PDF-")
    text, reader = _pdf_text(response.data)
    flat = " ".join(text.split())
    for element in ("Certificate", "Critical thinking online", "2.5 ECTS · 60 hours", "EQF 6", "Awarded by",
                    "Date of issue", "Learning outcomes", "Evaluate sources", "University of Zed (Ireland, Dublin)",
                    "Type of assessment", "Verify this credential"):
        assert element in flat, element
    assert reader.metadata.title == "Certificate · Critical thinking online"
    assert str(reader.trailer["/Root"]["/Lang"]) == "en"
    public = f"{app.config['BASE_URL'].rstrip('/')}/credentials/{issued.public_id}"
    assert public in flat
    # The QR code embedded in the PDF decodes to the public verification page.
    images = [image for p in reader.pages for image in p.images]
    assert len(images) == 1
    png = io.BytesIO()
    images[0].image.save(png, format="PNG")
    assert decode_png(png.getvalue()) == public

    # The same certificate in German, chosen with ?lang= as on the HTML page.
    certificate_page = client.get(_find(r'class="certificate" href="([^"]+)"', page)).get_data(as_text=True)
    german_html = _find(r'hreflang="de" href="([^"]+)"', certificate_page)
    german_pdf = client.get(_find(r'id="certificate-pdf" href="([^"]+)"', client.get(german_html).get_data(
        as_text=True)))
    de, de_reader = _pdf_text(german_pdf.data)
    de_flat = " ".join(de.split())
    assert TITLE_DE in de_flat and "Verliehen von" in de_flat and "Universität Zed (Irland, Dublin)" in de_flat
    assert "Quellen bewerten" in de_flat and str(de_reader.trailer["/Root"]["/Lang"]) == "de"


def test_certificate_pdf_needs_its_fonts_and_says_so(app: Any, registered: LaunchActions, tmp_path: Any) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    app.config["CERTIFICATE_FONT_DIR"] = str(tmp_path / "no-fonts-here")
    response = registered.client.get(f"/learner/credentials/issued/{issued.public_id}/certificate.pdf"
                                     f"?launch={issued.launch}")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.get_data(as_text=True)


def test_certificate_pdf_is_only_for_the_holder(app: Any, registered: LaunchActions) -> None:
    issued = _issue_for(app, _launch_id(registered, "learner-1"), "ob3-rdfc")
    other = _launch_id(registered, "learner-2")
    response = registered.client.get(f"/learner/credentials/issued/{issued.public_id}/certificate.pdf?launch={other}")
    assert response.status_code == 404
