"""pylti1p3 ``ToolConfAbstract`` backed by our registry tables (as pylti1p3's Django contrib does).

Registrations are always looked up by (issuer, client_id). Deployments unknown under a known
registration are accepted and recorded, or refused, by the registration's ``deployment_policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration as LtiRegistration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.lti.adapters import LaunchRequest
from bridge.models import Deployment, Registration
from bridge.services import keys as key_service
from bridge.services.secrets_box import SecretBox


class ToolRegistration(LtiRegistration):
    """pylti1p3 registration whose tool private key is decrypted only when something signs with it."""

    def __init__(self, row: Registration, signing_key: Callable[[], key_service.SigningKey]) -> None:
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
        self.last_deployment: Deployment | None = None
        # pylti1p3 asks for the same registration several times per request (login: 2, launch: 2).
        self._rows: dict[tuple[str, str | None], Registration | None] = {}

    # Always the many-clients-per-issuer relation: never key on issuer alone.
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _row(self, iss: str, client_id: str | None) -> Registration | None:
        key = (iss, client_id or None)
        if key not in self._rows:
            self._rows[key] = self._query_row(iss, client_id)
        return self._rows[key]

    def _query_row(self, iss: str, client_id: str | None) -> Registration | None:
        query = select(Registration).where(Registration.issuer == iss)
        if client_id:
            return self.session.scalars(query.where(Registration.client_id == client_id)).first()
        rows = self.session.scalars(query.limit(2)).all()
        # Without client_id (older platforms) the issuer must be unambiguous.
        return rows[0] if len(rows) == 1 else None

    def _wrap(self, row: Registration) -> ToolRegistration:
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
        deployment = self.session.scalars(
            select(Deployment).where(Deployment.registration_id == row.id, Deployment.deployment_id == deployment_id)
        ).first()
        if deployment is None and row.deployment_policy == "accept":
            deployment = self._record(row, deployment_id)
        if deployment is None:
            return None
        self.last_deployment = deployment
        return LtiDeployment().set_deployment_id(deployment.deployment_id)

    def _record(self, row: Registration, deployment_id: str) -> Deployment:
        deployment = Deployment(registration_id=row.id, deployment_id=deployment_id, auto_recorded=True)
        self.session.add(deployment)
        try:
            self.session.flush()
        except IntegrityError:
            # A parallel launch recorded it first.
            self.session.rollback()
            found = self.session.scalars(
                select(Deployment).where(
                    Deployment.registration_id == row.id, Deployment.deployment_id == deployment_id
                )
            ).one()
            return found
        return deployment
