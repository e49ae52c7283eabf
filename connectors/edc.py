"""European Digital Credentials (EDC): deposit into an EDC wallet, seal-and-send through a self-hosted EDC Issuer.

EDC Wallet API v1 (the EDCI wallet's ``CredentialResource``, ``/api/v1/wallets``):

- ``POST {wallet}/api/v1/wallets/{walletAddress}/credentials`` — add a sealed credential to an existing wallet;
- ``POST {wallet}/api/v1/wallets/email/{email}/credentials`` — add it to the wallet of an e-mail address (the
  wallet creates a temporary one when the address has none yet, if so configured);

both ``multipart/form-data`` with the sealed file in the part ``_credentialXML`` (the name is kept from the XML
days; the file is the JAdES-sealed JSON-LD), answering a ``CredentialView`` (``uuid``, ``viewerURL``…).
Documented answers: 400 "the file uploaded is not a valid Europass Digital Credential", 404 "no wallet exists
with the given wallet address", 409 "a credential with the same ID already exists", 500 unexpected error.
Errors carry an ``ApiErrorMessage`` JSON body (``message`` and/or ``description``).

EDC Issuer "API sealing" (self-hosted issuer, local e-seal certificate, HTTP basic auth):
``POST {issuer}/api/v1/public/credentials/seal_and_send`` with the parts ``_file`` (the unsealed credential
upload, the issuer's ``EuropeanDigitalCredentialUploadDTO``: ``{"credential": …, "deliveryDetails":
{"deliveryAddress": […]}}``, e-mail addresses as ``mailto:`` URIs), ``password`` (the e-seal
certificate's password) and ``signOnBehalf``; it seals, sends to each delivery address and answers
``{"viewerURL": […]}``. A wallet's refusal comes back with the wallet's status, its message prefixed
``EDCI-Wallet:``. Whether the Commission's hosted Europass accepts third-party pushes is unconfirmed, so every
base URL is configuration.

Idempotency: the wallet deduplicates by the credential's ``id`` (409), so a deposit of the same sealed file is
safe to repeat; we send it with an ``Idempotency-Key`` header as well (draft-ietf-httpapi-idempotency-key-header)
for gateways that honour it, and treat 409 as "already delivered".
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from connectors import errors
from connectors.http import HttpConnector

T = TypeVar("T")
WALLET_PART = "_credentialXML"
ISSUER_FILE_PART = "_file"
SEALED_MEDIA_TYPE = "application/json"
_ADDRESS = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")
_EMAIL = re.compile(r"^[^@\s/?#]{1,64}@[^@\s/?#]{1,255}\.[^@\s/?#]{1,63}$")
_MAX_MESSAGE = 300
# Reason phrases say nothing a learner can act on; the fixed sentence per status is better than these.
_GENERIC = re.compile(r"^\s*(http \d{3}|bad request|not found|conflict|error|internal server error)\.?\s*$", re.I)


class EdcRejected(errors.ConnectorRequestError):
    """The EDC service refused the credential or the address (400, 404, 422); ``api_message`` says why."""

    def __init__(self, connector: str, url: str, api_message: str, *, status: int | None,
                 response: Any = None) -> None:
        super().__init__(connector, url, api_message, status=status, response=response)
        self.api_message = api_message


@dataclass(frozen=True, slots=True)
class EdcReceipt:
    """What the EDC service answered: a new deposit, or ``duplicate`` (it held this credential already)."""

    duplicate: bool
    credential_uuid: str | None = None
    viewer_urls: tuple[str, ...] = ()


def wallet_id(address: str) -> str:
    """The wallet id in a wallet address (the address may be a URL; the id is its last path segment)."""
    text = address.strip()
    is_url = text.startswith(("https://", "http://"))
    candidate = text.rstrip("/").rsplit("/", 1)[-1] if is_url else text
    if not _ADDRESS.match(candidate) or candidate in {".", ".."}:
        raise ValueError("This is not an EDC wallet address (letters, digits, '-', '_', '.' or a URL ending in one).")
    return candidate


def check_email(email: str) -> str:
    value = email.strip().removeprefix("mailto:")
    if not _EMAIL.match(value):
        raise ValueError("This is not an e-mail address.")
    return value


class _EdcConnector(HttpConnector):
    """Shared parts: a base URL, optional credentials, and the EDC error body translated into plain words."""

    STATUS_WORDS: ClassVar[Mapping[int, str]] = {
        400: "The EDC service says the credential is not a valid European Digital Credential.",
        404: "The EDC service knows no wallet with this address.",
        422: "The EDC service could not process the credential.",
    }

    def __init__(self, base_url: str, *, username: str | None = None, password: str | None = None,
                 token: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self._auth: dict[str, str] = {}
        if token:
            self._auth["Authorization"] = f"Bearer {token}"
        elif username:
            basic = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth["Authorization"] = f"Basic {basic}"

    def authorize(self, send: Callable[[Mapping[str, str]], T]) -> T:
        return send(self._auth)

    def post_file(self, url: str, part: str, filename: str, content: bytes, *, idempotency_key: str,
                  fields: Mapping[str, str] | None = None) -> tuple[Any, bool]:
        """POST one file as multipart; returns (decoded JSON answer, duplicate?). 409 is not an error here."""
        try:
            result = self.request("POST", url, headers={"Accept": "application/json",
                                                        "Idempotency-Key": idempotency_key},
                                  data=fields, files={part: (filename, content, SEALED_MEDIA_TYPE)},
                                  idempotent=True)
        except (errors.ConnectorRequestError, errors.ConnectorNotFound) as err:
            if err.status == 409:
                return None, True
            if err.status not in self.STATUS_WORDS:
                raise
            raise self._rejected(err) from err
        return self.decode_json(result, "application/json"), False

    def _rejected(self, err: errors.ConnectorError) -> EdcRejected:
        message = api_message(err.response.content if err.response is not None else b"")
        message = message or self.STATUS_WORDS.get(err.status or 400, self.STATUS_WORDS[400])
        return EdcRejected(self.name, err.url, message, status=err.status, response=err.response)


def api_message(body: bytes) -> str:
    """The human message of an EDC ``ApiErrorMessage`` body (``message``, ``description``…), one line, bounded."""
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, UnicodeDecodeError):
        data = None
    parts: list[str] = []
    if isinstance(data, Mapping):
        for key in ("message", "description", "detail", "error"):
            value = data.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in parts and not _GENERIC.match(value):
                parts.append(value.strip())
    elif body.strip() and not body.lstrip().startswith(b"<"):
        parts.append(body.decode("utf-8", "replace").strip())
    text = " ".join(" ".join(parts).split())
    return text[:_MAX_MESSAGE]


class EdcWalletConnector(_EdcConnector):
    """Deposit a sealed EDC into an EDC wallet, by wallet address or by e-mail (EDC Wallet API v1)."""

    name = "edc-wallet"
    API_PREFIX: ClassVar[str] = "/api/v1/wallets"

    def deposit(self, sealed: bytes, *, filename: str, idempotency_key: str, wallet_address: str | None = None,
                email: str | None = None) -> EdcReceipt:
        """Add ``sealed`` to the wallet; a 409 (this credential id is there already) is a duplicate receipt.

        Raises :class:`EdcRejected` (400/404, with the API's message), :class:`~connectors.errors.ConnectorUnavailable`
        (timeouts, 5xx after retries) or another :class:`~connectors.errors.ConnectorError`.
        """
        if (wallet_address is None) == (email is None):
            raise ValueError("Give either a wallet address or an e-mail address.")
        if wallet_address is not None:
            url = f"{self.base_url}{self.API_PREFIX}/{quote(wallet_id(wallet_address), safe='')}/credentials"
        else:
            url = f"{self.base_url}{self.API_PREFIX}/email/{quote(check_email(email or ''), safe='@')}/credentials"
        data, duplicate = self.post_file(url, WALLET_PART, filename, sealed, idempotency_key=idempotency_key)
        if duplicate:
            return EdcReceipt(duplicate=True)
        data = data if isinstance(data, Mapping) else {}
        viewer = data.get("viewerURL")
        return EdcReceipt(duplicate=False, credential_uuid=_text(data.get("uuid")),
                          viewer_urls=(viewer,) if isinstance(viewer, str) and viewer else ())


class EdcIssuerConnector(_EdcConnector):
    """A self-hosted EDC Issuer's API sealing: it seals with its e-seal and sends to the delivery addresses."""

    name = "edc-issuer"
    API_PREFIX: ClassVar[str] = "/api/v1/public/credentials"

    def seal_and_send(self, credential: Mapping[str, Any], *, delivery_addresses: tuple[str, ...],
                      certificate_password: str, idempotency_key: str, filename: str = "credential.json",
                      sign_on_behalf: bool = False) -> EdcReceipt:
        """Send the unsealed ELM ``credential`` to be sealed and delivered (``mailto:`` e-mail or wallet address)."""
        if not delivery_addresses:
            raise ValueError("A seal-and-send needs at least one delivery address.")
        upload = {"credential": dict(credential), "deliveryDetails": {"deliveryAddress": list(delivery_addresses)}}
        content = json.dumps(upload, ensure_ascii=False).encode()
        url = f"{self.base_url}{self.API_PREFIX}/seal_and_send"
        fields = {"password": certificate_password, "signOnBehalf": "true" if sign_on_behalf else "false"}
        data, duplicate = self.post_file(url, ISSUER_FILE_PART, filename, content, idempotency_key=idempotency_key,
                                         fields=fields)
        if duplicate:
            return EdcReceipt(duplicate=True)
        urls = data.get("viewerURL") if isinstance(data, Mapping) else None
        if isinstance(urls, str):
            urls = [urls]
        return EdcReceipt(duplicate=False, viewer_urls=tuple(u for u in urls or () if isinstance(u, str) and u))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


__all__ = ["EdcIssuerConnector", "EdcReceipt", "EdcRejected", "EdcWalletConnector", "api_message", "check_email",
           "wallet_id"]
