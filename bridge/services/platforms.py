"""The tenant registry: platform registrations (issuer, client_id) and their deployments.

Used by the CLI (`bridge platform add/list/remove`), the admin screen and dynamic registration, so all
three apply the same validation and produce the same records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bridge.models import Deployment, Registration


class RegistryError(ValueError):
    """A registration request that cannot be applied; the message says what to correct."""


@dataclass(frozen=True, slots=True)
class PlatformInput:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...] = ()
    name: str = ""
    auth_token_audience: str | None = None
    deployment_policy: str = "accept"
    product_family: str = ""
    scopes: tuple[str, ...] = ()
    created_via: str = "cli"
    problems: list[str] = field(default_factory=list)


def _check_url(label: str, value: str, *, allow_http: bool) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ({"https", "http"} if allow_http else {"https"}) or not parts.netloc:
        scheme = "an http(s)" if allow_http else "an https"
        return f"{label} must be {scheme} URL, got {value!r}"
    return None


def validate(data: PlatformInput, *, allow_http: bool = True) -> list[str]:
    problems = []
    if not data.issuer.strip():
        problems.append("issuer is required (the platform's issuer, e.g. https://moodle.example.edu)")
    if not data.client_id.strip():
        problems.append("client id is required")
    for label, value in (
        ("auth login URL", data.auth_login_url),
        ("auth token URL", data.auth_token_url),
        ("key set URL", data.key_set_url),
    ):
        problem = _check_url(label, value, allow_http=allow_http)
        if problem:
            problems.append(problem)
    if data.deployment_policy not in {"accept", "reject"}:
        problems.append("deployment policy must be 'accept' or 'reject'")
    if any(not d.strip() for d in data.deployment_ids):
        problems.append("deployment ids cannot be empty")
    return problems


def find(session: Session, issuer: str, client_id: str) -> Registration | None:
    return session.scalars(
        select(Registration).where(Registration.issuer == issuer, Registration.client_id == client_id)
    ).first()


def add(session: Session, data: PlatformInput, *, allow_http: bool = True) -> Registration:
    """Create a registration, or add deployment ids to an existing (issuer, client_id)."""
    problems = validate(data, allow_http=allow_http)
    if problems:
        raise RegistryError("; ".join(problems))
    reg = find(session, data.issuer, data.client_id)
    if reg is None:
        reg = Registration(
            issuer=data.issuer,
            client_id=data.client_id,
            name=data.name or urlsplit(data.issuer).netloc or data.issuer,
            auth_login_url=data.auth_login_url,
            auth_token_url=data.auth_token_url,
            auth_token_audience=data.auth_token_audience,
            key_set_url=data.key_set_url,
            deployment_policy=data.deployment_policy,
            product_family=data.product_family,
            scopes=list(data.scopes),
            created_via=data.created_via,
        )
        session.add(reg)
        session.flush()
    else:
        reg.auth_login_url, reg.auth_token_url = data.auth_login_url, data.auth_token_url
        if reg.key_set_url != data.key_set_url:
            reg.key_set_url, reg.key_set, reg.key_set_fetched_at = data.key_set_url, None, None
    known = {d.deployment_id for d in reg.deployments}
    for deployment_id in data.deployment_ids:
        if deployment_id not in known:
            reg.deployments.append(Deployment(deployment_id=deployment_id))
            known.add(deployment_id)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise RegistryError("this registration changed concurrently; try again") from err
    return reg


def list_all(session: Session) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration).options(selectinload(Registration.deployments)).order_by(Registration.id)
        )
    )


def get(session: Session, registration_id: int) -> Registration | None:
    return session.get(Registration, registration_id)


def remove(session: Session, *, registration_id: int | None = None, issuer: str | None = None,
           client_id: str | None = None) -> Registration:
    reg = get(session, registration_id) if registration_id is not None else None
    if reg is None and issuer and client_id:
        reg = find(session, issuer, client_id)
    if reg is None:
        raise RegistryError("no such registration (give its id, or --issuer and --client-id)")
    session.delete(reg)
    session.commit()
    return reg


def set_policy(session: Session, registration_id: int, policy: str) -> Registration:
    reg = get(session, registration_id)
    if reg is None:
        raise RegistryError(f"no registration with id {registration_id}")
    if policy not in {"accept", "reject"}:
        raise RegistryError("deployment policy must be 'accept' or 'reject'")
    reg.deployment_policy = policy
    session.commit()
    return reg


def as_dict(reg: Registration) -> dict[str, object]:
    return {
        "id": reg.id,
        "name": reg.name,
        "issuer": reg.issuer,
        "client_id": reg.client_id,
        "auth_login_url": reg.auth_login_url,
        "auth_token_url": reg.auth_token_url,
        "auth_token_audience": reg.auth_token_audience,
        "key_set_url": reg.key_set_url,
        "deployment_policy": reg.deployment_policy,
        "product_family": reg.product_family,
        "scopes": reg.scopes,
        "created_via": reg.created_via,
        "deployments": [
            {"deployment_id": d.deployment_id, "auto_recorded": d.auto_recorded} for d in reg.deployments
        ],
    }
