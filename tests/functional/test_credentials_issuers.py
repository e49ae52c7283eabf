"""Issuer keys at rest, did:key issuers, and status-list index allocation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from bridge.models import IssuerKey, StatusEntry
from bridge.services import issuance, issuers, samples, status_lists, verification
from bridge.services.remote_fetch import RemoteFetcher


def test_private_keys_are_encrypted_at_rest(app: Flask) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        verification.default_issuer(session, services.box, app.config)
        rows = session.scalars(select(IssuerKey)).all()
        assert sorted(k.key_type for k in rows) == ["Ed25519", "P-256", "RSA"]
        assert all(b"PRIVATE KEY" not in k.private_encrypted for k in rows)


def test_a_did_key_issuer_issues_and_verifies_without_any_document(app: Flask) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        issuer = issuers.create_issuer(session, services.box, slug="partner", name="Partner", base_url="http://x",
                                       did_method="key")
        assert issuer.did.startswith("did:key:z6Mk")
        template = samples.sample_template(issuer_name="Partner", issuer_url="", country="DE")
        record = samples.sample_record(template, issuance.learner_for("a@example.org"))
        for fmt in ("ob3-rdfc", "vc-jose"):
            issued = issuance.issue(session, services.box, issuer, record,
                                    issuance.IssueOptions(fmt=fmt, base_url=app.config["BASE_URL"]))
            result = verification.verify(issued.content, session=session, box=services.box,
                                         fetcher=RemoteFetcher(services.http),
                                         config=verification.VerifierConfig(base_url=app.config["BASE_URL"]))
            assert result.valid, result.failed()


def test_status_indexes_are_unique_and_spread_out(app: Flask) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        issuer = verification.default_issuer(session, services.box, app.config)
        entries = [status_lists.allocate(session, issuer, "revocation") for _ in range(200)]
        session.commit()
        indexes = [e.list_index for e in entries]
        assert len(set(indexes)) == 200
        assert max(indexes) - min(indexes) > 50_000, "indexes are drawn at random, not in sequence"
        assert session.scalars(select(StatusEntry)).all().__len__() == 200
        assert entries[0].status_list.used == 200
