"""Verify anyone's credential: our formats and any eddsa-rdfc-2022 / eddsa-jcs-2022 or JOSE credential.

Wraps :func:`credentials.verify.verify_credential` with the bridge's collaborators:
* a DID resolver that answers our own issuers' DIDs from the database (no network, and it works before the
  tool is reachable under its public name) and fetches other did:web documents over HTTPS with caching;
* status lists: ours from the database, others' over HTTPS with a short cache;
* trusted issuers: our registry, plus an optional JSON list URL and an optional EBSI-style registry.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Issuer, StatusList
from bridge.services import issuance, status_lists
from bridge.services import issuers as issuer_service
from bridge.services.credential_contexts import canonicalizer
from bridge.services.remote_fetch import FetchError, RemoteFetcher
from bridge.services.secrets_box import SecretBox
from credentials import jades, jose
from credentials.dids import DidResolver
from credentials.errors import CredentialError
from credentials.verify import Check, FetchStatusList, VerificationResult, verify_credential

DID_ACCEPT = "application/did+json, application/did+ld+json, application/json"
VC_ACCEPT = "application/vc, application/vc+ld+json, application/vc+jwt, application/jwt, application/json"


@dataclass(frozen=True, slots=True)
class VerifierConfig:
    base_url: str
    trusted_issuers_url: str = ""
    trusted_registry_url: str = ""
    did_cache_seconds: int = 3600
    status_cache_seconds: int = 300

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> VerifierConfig:
        return cls(base_url=str(config["BASE_URL"]), trusted_issuers_url=str(config.get("TRUSTED_ISSUERS_URL", "")),
                   trusted_registry_url=str(config.get("TRUSTED_ISSUER_REGISTRY_URL", "")),
                   did_cache_seconds=int(config.get("DID_WEB_CACHE_SECONDS", 3600)),
                   status_cache_seconds=int(config.get("STATUS_LIST_CACHE_SECONDS", 300)))


class LocalFirstResolver(DidResolver):
    """Our own issuers' DIDs come from the database; everything else as :class:`DidResolver` does."""

    def __init__(self, session: Session, fetcher: RemoteFetcher, ttl: int) -> None:
        super().__init__(fetch=lambda url: fetcher.json(url, accept=DID_ACCEPT, ttl=ttl))
        self._session = session

    def resolve(self, did: str) -> Mapping[str, Any]:
        issuer = issuer_service.by_did(self._session, did)
        if issuer is not None and issuer.did_method == "web":
            return issuer_service.did_document_for(issuer)
        return super().resolve(did)


class TrustedIssuers(Collection[str]):
    """Membership asks our registry, then the JSON list, then the registry URL (each answer cached)."""

    def __init__(self, session: Session, fetcher: RemoteFetcher, config: VerifierConfig) -> None:
        self._session, self._fetcher, self._config = session, fetcher, config
        self._listed: set[str] | None = None

    def __contains__(self, did: object) -> bool:
        if not isinstance(did, str) or not did:
            return False
        if self._session.scalars(select(Issuer.id).where(Issuer.did == did)).first() is not None:
            return True
        return did in self._list() or self._in_registry(did)

    def _list(self) -> set[str]:
        if self._listed is None:
            self._listed = set()
            if self._config.trusted_issuers_url:
                try:
                    raw = self._fetcher.json(self._config.trusted_issuers_url, ttl=self._config.did_cache_seconds)
                except FetchError:
                    raw = []
                self._listed = _issuer_ids(raw)
        return self._listed

    def _in_registry(self, did: str) -> bool:
        base = self._config.trusted_registry_url.rstrip("/")
        if not base:
            return False
        try:
            self._fetcher.text(f"{base}/{quote(did, safe=':')}", accept="application/json",
                               ttl=self._config.did_cache_seconds)
        except FetchError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())


def _issuer_ids(raw: Any) -> set[str]:
    """A trust list: ``["did:…", …]`` or ``{"issuers": [...]}`` with strings or objects with ``id``/``did``."""
    items = raw.get("issuers", raw.get("items", [])) if isinstance(raw, Mapping) else raw
    found = set()
    for item in items if isinstance(items, list) else []:
        value = item.get("id", item.get("did")) if isinstance(item, Mapping) else item
        if isinstance(value, str):
            found.add(value)
    return found


def _status_fetcher(
    session: Session, box: SecretBox, fetcher: RemoteFetcher, config: VerifierConfig
) -> FetchStatusList:
    prefix = f"{config.base_url}/status/"

    def fetch(url: str) -> Mapping[str, Any] | str:
        if url.startswith(prefix) and url[len(prefix):].isdigit():
            status_list = session.get(StatusList, int(url[len(prefix):]))
            if status_list is None:
                raise FetchError("no such status list")
            return status_lists.signed_list(session, box, status_list, base_url=config.base_url)
        text = fetcher.text(url, accept=VC_ACCEPT, ttl=config.status_cache_seconds).strip()
        return json.loads(text) if text.startswith("{") else text

    return fetch


def verify(
    value: Mapping[str, Any] | str,
    *,
    session: Session,
    box: SecretBox,
    fetcher: RemoteFetcher,
    config: VerifierConfig,
    now: datetime | None = None,
) -> VerificationResult:
    """Verify a credential (JSON object, JSON text or compact JWS) and say why in plain words."""
    resolver = LocalFirstResolver(session, fetcher, config.did_cache_seconds)
    try:
        return verify_credential(value, resolver=resolver, fetch_status_list=_status_fetcher(session, box, fetcher,
                                 config), trusted_issuers=TrustedIssuers(session, fetcher, config), now=now,
                                 canonicalizer=canonicalizer())
    except CredentialError as err:
        return VerificationResult(False, [Check("format", False, f"The credential cannot be read: {err}")])


def as_json(result: VerificationResult) -> dict[str, Any]:
    """The API/CLI shape: ``{"valid": bool, "checks": [{"check", "ok", "detail"}]}``."""
    return {"valid": result.valid,
            "checks": [{"check": c.check, "ok": c.ok, "detail": c.detail} for c in result.checks]}


@dataclass(frozen=True, slots=True)
class Summary:
    """What the credential claims, for people (shown next to the checks, never trusted by itself)."""

    title: str
    issuer_name: str
    issuer_id: str
    valid_from: str
    valid_until: str
    description: str


def summarize(value: Mapping[str, Any] | str) -> Summary | None:
    """Title, issuer and dates of a credential, or None when it cannot be read at all."""
    credential = _decoded(value)
    if credential is None:
        return None
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = _first(subject.get("achievement") or subject.get("hasClaim"))  # OB3 | EDC (ELM) claim
    specification = _first(achievement.get("specifiedBy"))
    issuer = credential.get("issuer")
    issuer_name = issuer.get("name", "") if isinstance(issuer, Mapping) else ""
    display = _first(credential.get("displayParameter"))
    return Summary(title=_text(credential.get("name") or achievement.get("name") or achievement.get("title")
                               or display.get("title")),
                   issuer_name=_text(issuer_name or (issuer.get("legalName") if isinstance(issuer, Mapping) else "")),
                   issuer_id=jose.issuer_id(credential),
                   valid_from=_text(credential.get("validFrom") or credential.get("issuanceDate"))[:10],
                   valid_until=_text(credential.get("validUntil") or credential.get("expirationDate"))[:10],
                   description=_text(achievement.get("description") or specification.get("description")))


def _first(value: Any) -> Mapping[str, Any]:
    """A node, or the first of a list of nodes (ELM allows either), or an empty mapping."""
    value = value[0] if isinstance(value, list) and value else value
    return value if isinstance(value, Mapping) else {}


def _decoded(value: Mapping[str, Any] | str) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping):
        return _unsealed(value)
    text = value.strip()
    try:
        if text.startswith("{"):
            parsed = json.loads(text)
            return _unsealed(parsed) if isinstance(parsed, Mapping) else None
        payload = jose.decode(text)[1]
    except (ValueError, CredentialError):
        return None
    vc = payload.get("vc")
    return vc if isinstance(vc, Mapping) else payload


def _unsealed(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A JAdES-sealed EDC (JWS JSON serialization, unencoded payload) -> the credential it seals."""
    if not jades.is_sealed(document):
        return document
    text = document["payload"]
    try:
        payload = json.loads(text if text.lstrip().startswith("{") else base64.urlsafe_b64decode(text + "=="))
    except ValueError:  # also binascii.Error and UnicodeDecodeError
        return None
    return payload if isinstance(payload, Mapping) else None


def _text(value: Any) -> str:
    if isinstance(value, Mapping):  # a language map: English first, else any
        value = value.get("en") or next(iter(value.values()), "")
    return str(value) if value else ""


def load_hosted(session: Session, fetcher: RemoteFetcher, config: VerifierConfig, url: str) -> str:
    """The text of a credential published at ``url``: ours from the database, others' over HTTPS."""
    prefix = f"{config.base_url}/credentials/"
    if url.startswith(prefix):
        issued = issuance.by_public_id(session, url[len(prefix):].split("?", 1)[0].strip("/"))
        if issued is None:
            raise FetchError("this tool has issued no credential at that address")
        return issued.content
    return fetcher.text(url, accept=VC_ACCEPT)


def default_issuer(session: Session, box: SecretBox, config: Mapping[str, Any]) -> Issuer:
    """The instance's default issuer, created from the configuration on first use."""
    return issuer_service.ensure_default_issuer(
        session, box, base_url=str(config["BASE_URL"]), name=str(config.get("ISSUER_NAME") or config["TOOL_NAME"]),
        did_method=str(config.get("ISSUER_DID_METHOD") or "web"), url=str(config.get("ISSUER_URL") or ""),
        country=str(config.get("ISSUER_COUNTRY") or ""))
