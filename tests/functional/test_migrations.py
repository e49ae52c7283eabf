"""Alembic migrations (``bridge/migrations``): one head; empty databases and databases left at the head sets of
earlier versions upgrade to the models' schema with their rows; the merge revision 0016 downgrades and comes back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bridge.db import Database, alembic_config
from bridge.models import Base, CredentialTemplate, Deployment, IssuedCredential, Registration

# alembic_version after `upgrade heads` just before the merge revision 0016 existed.
FORMER_HEADS = ("0006", "0007", "0009", "0010b", "0011", "0012b", "0013", "0013b", "0015")
# Head sets that earlier versions of the app left behind (their `upgrade heads`), oldest first.
OLD_STATES = {
    "first release": ("0001",),
    "wallet, before jobs": ("0002", "0003", "0004", "0005", "0006"),
    "before 0012, 0013 and 0015": ("0003", "0004", "0006", "0007", "0009", "0010b", "0011"),
    "before 0016": FORMER_HEADS,
}
THEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)

Migration = Callable[[Config, str], None]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def migrate(db: Database, step: Migration, revision: str) -> None:
    """Run an Alembic command on the database's own connection, as ``Database.upgrade`` does."""
    with db.engine.begin() as connection:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        step(cfg, revision)


def stored_versions(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def schema_differences(db: Database) -> list[Any]:
    with db.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata))


def insert(connection: sa.Connection, table: str, **values: Any) -> None:
    # Reflected, not the models: the table is as an older revision left it.
    connection.execute(sa.Table(table, sa.MetaData(), autoload_with=connection).insert().values(**values))


def put_rows(db: Database, applied: set[str]) -> None:
    with db.engine.begin() as connection:
        insert(connection, "registrations", id=1, issuer="https://lms.example.edu", client_id="client-1",
               name="Old LMS", auth_login_url="https://lms.example.edu/auth",
               auth_token_url="https://lms.example.edu/token", key_set_url="https://lms.example.edu/jwks",
               deployment_policy="accept", product_family="moodle", scopes=[], created_via="manual", notes="",
               created_at=THEN)
        insert(connection, "deployments", id=1, registration_id=1, deployment_id="dep-1", auto_recorded=False,
               created_at=THEN)
        if "0002" in applied:
            insert(connection, "credential_issuers", id=1, slug="old", registration_id=1, name="Old LMS",
                   url="https://lms.example.edu", country="DE", did_method="web", did="did:web:lms.example.edu",
                   created_at=THEN)
            insert(connection, "issued_credentials", id=1, public_id="pub-1", credential_id="urn:uuid:1",
                   issuer_id=1, format="ob3", media_type="application/vc", content="{}", source="award:1",
                   issued_at=THEN, status_reason="")
        if "0005" in applied:
            insert(connection, "credential_templates", id=1, registration_id=1, current_version=1, archived=False,
                   created_at=THEN, updated_at=THEN)


def test_the_migrations_have_a_single_head() -> None:
    # Parallel branches must end in a merge revision: the app upgrades to "head", which needs exactly one.
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"several heads {script.get_heads()}: add a merge revision"
    dependants = [revision.revision for revision in script.walk_revisions() if revision.dependencies]
    assert dependants == [], "use down_revision, not depends_on: a depends_on target stays a head to Alembic"


def test_an_empty_database_upgrades_to_the_models(database: Database) -> None:
    database.upgrade()
    heads = ScriptDirectory.from_config(alembic_config(database.url)).get_heads()
    assert stored_versions(database) == set(heads)
    assert schema_differences(database) == []


@pytest.mark.parametrize("state", OLD_STATES.values(), ids=OLD_STATES.keys())
def test_an_old_database_upgrades_to_head_with_its_rows(database: Database, state: tuple[str, ...]) -> None:
    for revision in state:
        migrate(database, command.upgrade, revision)
    assert stored_versions(database) == set(state)
    script = ScriptDirectory.from_config(alembic_config(database.url))
    applied = {revision.revision for revision in script.iterate_revisions(state, "base")}
    put_rows(database, applied)

    database.upgrade()

    assert stored_versions(database) == {"0016"} and schema_differences(database) == []
    with database.session() as session:
        registration = session.get(Registration, 1)
        assert registration is not None and registration.issuer == "https://lms.example.edu"
        assert registration.created_at == THEN
        assert [d.deployment_id for d in session.scalars(sa.select(Deployment))] == ["dep-1"]
        credential = session.get(IssuedCredential, 1)
        if "0002" in applied:  # 0009 added public_page later: old credentials keep their public page
            assert credential is not None and credential.public_page is True
        else:
            assert credential is None
        assert (session.get(CredentialTemplate, 1) is not None) == ("0005" in applied)


def test_head_downgrades_to_the_former_heads_and_back(database: Database) -> None:
    database.upgrade()
    put_rows(database, {"0002", "0005"})

    migrate(database, command.downgrade, "0015")
    assert stored_versions(database) == set(FORMER_HEADS)
    database.upgrade()

    assert stored_versions(database) == {"0016"} and schema_differences(database) == []
    with database.session() as session:
        assert session.get(IssuedCredential, 1) is not None and session.get(CredentialTemplate, 1) is not None


def test_a_database_whose_0011_predates_its_index_gets_it(database: Database) -> None:
    # 0011 shipped first without ix_issued_credentials_source; 0016 adds it where it is missing.
    for revision in FORMER_HEADS:
        migrate(database, command.upgrade, revision)
    with database.engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_issued_credentials_source"))
    database.upgrade()
    assert schema_differences(database) == []
