"""Instructor and learner credential screens through real launches from the sandbox platform: template form with
every problem listed (escaped, nothing stored), CSRF, rule over the course's line items, award, revoke, CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bridge.models import Award, Course, CourseLineItem, CredentialTemplate, LmsUser
from bridge.services import credential_templates
from bridge.services.progress import FactInput, record_facts
from tests.support.awards_data import make_tenant, sample_template
from tests.support.launch_actions import LaunchActions

BASE = "/instructor/credentials"
LINE_ITEM = "https://lms.example/lineitems/quiz"


def _launch(lti: LaunchActions, user: str) -> str:
    response = lti.launch(user)
    return str(response.headers["Location"].split("launch=")[1])


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]


def _db(app: Any) -> Any:
    return app.extensions["bridge"].db


VALID = {"languages": "en", "default_language": "en", "title.en": "Data literacy", "description.en": "Short course",
         "lo.0.en": "Read charts critically", "lo.0.esco": "", "ects": "2.5", "eqf": "5", "assessment": "testing",
         "participation": "online", "quality_assurance": "internal", "body.name": "University of Zed",
         "body.country": "IE", "body.url": "https://uniz.example", "action": "save"}


def test_template_form_lists_every_problem_escapes_script_and_stores_nothing(app: Any,
                                                                           registered: LaunchActions) -> None:
    launch = _launch(registered, "instructor-1")
    form = registered.client.get(f"{BASE}/new?launch={launch}").get_data(as_text=True)
    bad = {**VALID, "launch": launch, "csrf_token": _csrf(form), "ects": "1000", "eqf": "9", "assessment": "",
           "title.en": "<script>alert(1)</script>", "further_information_url": "javascript:alert(1)",
           "lo.0.esco": "http://example.org/not-esco", "body.email": "nope"}
    response = registered.client.post(f"{BASE}/new", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("at most 999 ECTS", "EQF level must be a whole number from 1 to 8", "Remove the script",
                    "full http(s) address", "not an ESCO skill URI", "valid e-mail address", "Choose the assessment"):
        assert message in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    with _db(app).session() as s:
        assert s.scalar(select(func.count()).select_from(CredentialTemplate)) == 0
    refused = registered.client.post(f"{BASE}/new", data={**VALID, "launch": launch, "csrf_token": "forged"})
    assert refused.status_code == 400


def test_instructor_flow_create_rule_award_revoke_csv_and_learner_view(app: Any, registered: LaunchActions) -> None:
    learner_launch = _launch(registered, "learner-1")
    launch = _launch(registered, "instructor-1")
    client = registered.client
    csrf = _csrf(client.get(f"{BASE}/new?launch={launch}").get_data(as_text=True))
    saved = client.post(f"{BASE}/new", data={**VALID, "launch": launch, "csrf_token": csrf})
    assert saved.status_code == 303
    preview = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Data literacy" in preview and "&#34;achievementType&#34;: &#34;MicroCredential&#34;" in preview
    with _db(app).session() as s:
        course = s.scalars(select(Course)).one()
        template = s.scalars(select(CredentialTemplate)).one()
        learner = s.scalars(select(LmsUser).where(LmsUser.sub == "learner-1")).one()
        s.add(CourseLineItem(course_id=course.id, url=LINE_ITEM, label="Final quiz", score_maximum=100))
        s.commit()
        course_pk, template_id, learner_pk = course.id, template.id, learner.id
    rule_page = client.get(f"{BASE}/{template_id}/rule?launch={launch}").get_data(as_text=True)
    assert "Gradebook: Final quiz" in rule_page
    index = re.search(r'name="c\.(\d+)\.target" value="' + re.escape(LINE_ITEM), rule_page).group(1)  # type: ignore[union-attr]
    rule = {"launch": launch, "csrf_token": csrf, f"c.{index}.use": "1", f"c.{index}.kind": "ags_line_item",
            f"c.{index}.target": LINE_ITEM, f"c.{index}.condition": "min_score", f"c.{index}.min_score": "80",
            "combination": "all_of"}
    assert client.post(f"{BASE}/{template_id}/rule", data=rule).status_code == 303
    learner_page = client.get(f"/learner/credentials/?launch={learner_launch}").get_data(as_text=True)
    assert "score at least 80% in Final quiz" in learner_page
    with _db(app).session() as s:
        record_facts(s, [FactInput(course_pk, learner_pk, f"ags:{LINE_ITEM}", True, "ags", datetime.now(UTC),
                                   None, 85, 100)])
        s.commit()
    assert client.post(f"{BASE}/evaluate", data={"launch": launch, "csrf_token": csrf}).status_code == 303
    dashboard = client.get(f"{BASE}/dashboard?launch={launch}").get_data(as_text=True)
    assert "Awarded" in dashboard and "Grace Hopper" in dashboard
    csv_text = client.get(f"{BASE}/dashboard.csv?launch={launch}").get_data(as_text=True)
    assert "Grace Hopper" in csv_text and ",awarded," in csv_text
    earned = client.get(f"/learner/credentials/?launch={learner_launch}").get_data(as_text=True)
    assert "Earned on" in earned and "Data literacy" in earned
    with _db(app).session() as s:
        award_id = s.scalars(select(Award)).one().id
    no_reason = client.post(f"{BASE}/awards/{award_id}/status",
                            data={"launch": launch, "csrf_token": csrf, "status": "revoked", "reason": ""})
    assert no_reason.status_code == 422
    revoked = client.post(f"{BASE}/awards/{award_id}/status",
                          data={"launch": launch, "csrf_token": csrf, "status": "revoked", "reason": "Wrong person"})
    assert revoked.status_code == 303
    assert "Revoked" in client.get(f"{BASE}/dashboard?launch={launch}").get_data(as_text=True)


def test_learners_and_other_tenants_ids_are_refused(app: Any, registered: LaunchActions) -> None:
    learner_launch = _launch(registered, "learner-1")
    launch = _launch(registered, "instructor-1")
    client = registered.client
    assert client.get(f"{BASE}/?launch={learner_launch}").status_code == 403
    assert client.post(f"{BASE}/award", data={"launch": learner_launch, "user_id": "1",
                                              "template_id": "1"}).status_code == 403
    with _db(app).session() as s:
        other = make_tenant(s, "elsewhere")
        foreign = credential_templates.save_template(s, registration_pk=other.registration.id,
                                                     course_pk=other.course.id, template=sample_template())
        s.commit()
        foreign_id, foreign_user = foreign.id, other.learners[0].id
    csrf = _csrf(client.get(f"{BASE}/new?launch={launch}").get_data(as_text=True))
    assert client.get(f"{BASE}/{foreign_id}/edit?launch={launch}").status_code == 404
    assert client.get(f"{BASE}/{foreign_id}/preview?launch={launch}").status_code == 404
    award = client.post(f"{BASE}/award", data={"launch": launch, "csrf_token": csrf, "user_id": str(foreign_user),
                                               "template_id": str(foreign_id), "reason": "x"})
    assert award.status_code == 404
    with _db(app).session() as s:
        assert s.scalar(select(func.count()).select_from(Award)) == 0
