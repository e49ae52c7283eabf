"""pylti1p3 ``ToolConfAbstract`` backed by our registry tables (as pylti1p3's Django contrib does).

Registrations are always looked up by (issuer, client_id). Deployments unknown under a known
registration are accepted and recorded, or refused, by the registration's ``deployment_policy``.

The login and launch hot path reads the registry with prebuilt Core statements into small records
(``RegistrationRecord``, ``DeploymentRecord``): at launch the registration and its deployment come from
ONE query (``prefetch``), and a re-fetched platform JWKS is written back with one UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration as LtiRegistration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.lti.adapters import LaunchRequest
from bridge.models import Deployment, Registration
from bridge.services import keys as key_service
from bridge.services.secrets_box import SecretBox

_R, _D = cast(Table, Registration.__table__), cast(Table, Deployment.__table__)
_COLUMNS = (_R.c.id, _R.c.issuer, _R.c.client_id, _R.c.auth_login_url, _R.c.auth_token_url, _R.c.auth_token_audience,
            _R.c.key_set_url, _R.c.key_set, _R.c.key_set_fetched_at, _R.c.deployment_policy)
# Built once: building a statement costs more than running it on the hot path.
_BY_CLIENT = select(*_COLUMNS).where(_R.c.issuer == bindparam("iss"), _R.c.client_id == bindparam("client_id"))
_BY_ISSUER = select(*_COLUMNS).where(_R.c.issuer == bindparam("iss")).limit(2)
_WITH_DEPLOYMENT = (
    select(*_COLUMNS, _D.c.id.label("deployment_pk"))
    .select_from(_R.outerjoin(_D, and_(_D.c.registration_id == _R.c.id,
                                       _D.c.deployment_id == bindparam("deployment_id"))))
    .where(_R.c.issuer == bindparam("iss"), _R.c.client_id == bindparam("client_id"))
)
_DEPLOYMENT = select(_D.c.id).where(_D.c.registration_id == bindparam("registration_id"),
                                    _D.c.deployment_id == bindparam("deployment_id"))
_SAVE_KEY_SET = (update(_R).where(_R.c.id == bindparam("registration_id"))
                 .values(key_set=bindparam("key_set"), key_set_fetched_at=bindparam("fetched_at")))


@dataclass(slots=True)
class RegistrationRecord:
    """The registry columns a login or launch needs (a snapshot, not an ORM object)."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    auth_token_audience: str | None
    key_set_url: str
    key_set: dict[str, Any] | None
    key_set_fetched_at: datetime | None
    deployment_policy: str

    @classmethod
    def from_row(cls, row: Any) -> RegistrationRecord:
        return cls(*(row[i] for i in range(len(_COLUMNS))))


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    id: int
    deployment_id: str


class ToolRegistration(LtiRegistration):
    """pylti1p3 registration whose tool private key is decrypted only when something signs with it."""

    def __init__(self, row: RegistrationRecord, signing_key: Callable[[], key_service.SigningKey]) -> None:
        super().__init__()
        self.row = row
        self._signing_key = signing_key
        self._key: key_service.SigningKey | None = None
        self.set_issuer(row.issuer).set_client_id(row.client_id)
        self.set_auth_login_url(row.auth_login_url).set_auth_token_url(row.auth_token_url)
        self.set_key_set_url(row.key_set_url).set_key_set(row.key_set)  # type: ignore[arg-type]
        if row.auth_token_audience:
            self.set_auth_audience(row.auth_token_audience)

    def _loaded(self) -> key_service.SigningKey:
        if self._key is None:
            self._key = self._signing_key()
        return self._key

    def get_tool_private_key(self) -> str:
        return self._loaded().private_pem

    def get_tool_public_key(self) -> str:
        return self._loaded().public_pem

    def get_kid(self) -> str:
        return self._loaded().kid


class DbToolConf(ToolConfAbstract[LaunchRequest]):
    def __init__(self, session: Session, box: SecretBox, *, default_policy: str = "accept") -> None:
        super().__init__()
        self.session = session
        self.box = box
        self.default_policy = default_policy
        self.last_deployment: DeploymentRecord | None = None
        # pylti1p3 asks for the same registration several times per request (login: 2, launch: 2).
        self._rows: dict[tuple[str, str | None], RegistrationRecord | None] = {}
        self._deployments: dict[tuple[int, str], int | None] = {}

    # Always the many-clients-per-issuer relation: never key on issuer alone.
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def prefetch(self, iss: str, client_id: str, deployment_id: str) -> None:
        """Load the registration and the launch's deployment together (one query instead of two)."""
        if not iss or not client_id or (iss, client_id) in self._rows:
            return
        row = self.session.connection().execute(
            _WITH_DEPLOYMENT, {"iss": iss, "client_id": client_id, "deployment_id": deployment_id}).first()
        record = RegistrationRecord.from_row(row) if row is not None else None
        self._rows[(iss, client_id)] = record
        if record is not None and deployment_id:
            self._deployments[(record.id, deployment_id)] = row.deployment_pk  # type: ignore[union-attr]

    def _row(self, iss: str, client_id: str | None) -> RegistrationRecord | None:
        key = (iss, client_id or None)
        if key not in self._rows:
            self._rows[key] = self._query_row(iss, client_id)
        return self._rows[key]

    def _query_row(self, iss: str, client_id: str | None) -> RegistrationRecord | None:
        connection = self.session.connection()
        if client_id:
            row = connection.execute(_BY_CLIENT, {"iss": iss, "client_id": client_id}).first()
            return RegistrationRecord.from_row(row) if row is not None else None
        rows = connection.execute(_BY_ISSUER, {"iss": iss}).all()
        # Without client_id (older platforms) the issuer must be unambiguous.
        return RegistrationRecord.from_row(rows[0]) if len(rows) == 1 else None

    def save_key_set(self, record: RegistrationRecord, key_set: dict[str, Any], fetched_at: datetime) -> None:
        """Keep a re-fetched platform JWKS (committed with the launch)."""
        record.key_set, record.key_set_fetched_at = key_set, fetched_at
        self.session.connection().execute(
            _SAVE_KEY_SET, {"registration_id": record.id, "key_set": key_set, "fetched_at": fetched_at})

    def _wrap(self, row: RegistrationRecord) -> ToolRegistration:
        return ToolRegistration(row, lambda: key_service.signing_key(self.session, self.box))

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> ToolRegistration | None:  # type: ignore[override]
        row = self._row(iss, None)
        return self._wrap(row) if row else None

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> ToolRegistration | None:
        row = self._row(iss, client_id)
        return self._wrap(row) if row else None

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        row = self._row(iss, client_id)
        if row is None:
            return None
        key = (row.id, deployment_id)
        if key not in self._deployments:
            self._deployments[key] = self.session.connection().execute(
                _DEPLOYMENT, {"registration_id": row.id, "deployment_id": deployment_id}).scalar()
        pk = self._deployments[key]
        if pk is None and row.deployment_policy == "accept":
            pk = self._deployments[key] = self._record(row, deployment_id)
        if pk is None:
            return None
        self.last_deployment = DeploymentRecord(pk, deployment_id)
        return LtiDeployment().set_deployment_id(deployment_id)

    def _record(self, row: RegistrationRecord, deployment_id: str) -> int:
        deployment = Deployment(registration_id=row.id, deployment_id=deployment_id, auto_recorded=True)
        self.session.add(deployment)
        try:
            self.session.flush()
        except IntegrityError:
            # A parallel launch recorded it first.
            self.session.rollback()
            found = self.session.connection().execute(
                _DEPLOYMENT, {"registration_id": row.id, "deployment_id": deployment_id}).scalar_one()
            return int(found)
        return deployment.id
