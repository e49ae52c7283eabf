"""A sample micro-credential template with every EU element (Annex I parts I and II), for integrators.

``bridge credential issue-sample`` signs it with the instance's real keys so that wallets and verifiers
can be tried before going live.  The awarding body is the configured issuer; everything else is fixed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from credentials.microcredential import (
    LangText,
    Learner,
    LearningOutcome,
    Level,
    MicroCredentialRecord,
    MicroCredentialTemplate,
    Organisation,
)
from credentials.vocabularies import (
    AssessmentType,
    NQFLevel,
    Participation,
    QualityAssurance,
    Stackability,
    Supervision,
)

SAMPLE_SKILL = "http://data.europa.eu/esco/skill/7dd94ad3-13d6-43fe-8b94-51fcbf67ced9"


def sample_template(*, issuer_name: str, issuer_url: str, country: str) -> MicroCredentialTemplate:
    body = Organisation(name=LangText(en=issuer_name, de=issuer_name), country=country or "IE",
                        url=issuer_url or None, region=None)
    return MicroCredentialTemplate(
        title=LangText(en="Sample micro-credential: evaluating online sources",
                       de="Beispiel-Microcredential: Online-Quellen bewerten"),
        description=LangText(en="A sample credential issued to test wallets and verifiers.",
                             de="Ein Beispielnachweis zum Testen von Wallets und Prüfdiensten."),
        awarding_bodies=(body,),
        learning_outcomes=(LearningOutcome(LangText(en="Evaluate the reliability of online sources",
                                                    de="Die Zuverlässigkeit von Online-Quellen bewerten"),
                                           (SAMPLE_SKILL,)),),
        ects=Decimal("2.5"),
        level=Level(eqf=6, nqf=NQFLevel("IE", "NFQ Level 7")),
        assessment=AssessmentType.TESTING,
        participation=Participation.ONLINE,
        quality_assurance=QualityAssurance.INTERNAL,
        languages=("en", "de"),
        default_language="en",
        prerequisites=LangText(en="None", de="Keine"),
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        stackability=Stackability.STACKABLE,
        further_information=LangText(en="This is a sample; it certifies nothing.",
                                     de="Dies ist ein Beispiel; es bescheinigt nichts."),
        grading=LangText(en="Pass/fail", de="Bestanden/nicht bestanden"),
        volume_hours=60,
        field_of_study="Information literacy",
    )


def sample_record(template: MicroCredentialTemplate, learner: Learner, *, now: datetime | None = None
                  ) -> MicroCredentialRecord:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    return MicroCredentialRecord(template, learner, issued, grade="Pass")
