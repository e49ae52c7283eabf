"""DIDs: did:key and did:web documents and a resolver with injected fetching.

Implements The did:key Method v0.9 §3.1 (Ed25519 ``z6Mk…``, P-256 ``zDn…``; the verification
method fragment is the multibase value), the did:web Method Specification §3.2 (DID ↔ HTTPS
URL of ``did.json``, ``%3A`` for a port), and DID Core 1.0 §5.2–5.3 (verification methods and
the assertionMethod / authentication relationships) with Multikey and JsonWebKey methods
(Controlled Identifiers v1.0 §2.2).  No HTTP is done here: did:web documents come from a
``fetch`` callable the caller injects (``url -> JSON``), with caching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credentials.errors import CredentialError, DidResolutionError
from credentials.multikey import PublicKey, public_key_from_jwk, public_key_from_multibase

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
JWS_2020 = "https://w3id.org/security/suites/jws-2020/v1"
Fetch = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """One key published in a DID document, and the relationships it is listed under."""

    id: str
    controller: str
    public_key: PublicKey
    type: str = "Multikey"
    relationships: frozenset[str] = frozenset({"assertionMethod", "authentication"})

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "type": self.type, "controller": self.controller}
        if self.type == "Multikey":
            entry["publicKeyMultibase"] = self.public_key.multibase
        else:
            entry["publicKeyJwk"] = self.public_key.jwk()
        return entry


def did_key_for(public_key: PublicKey) -> str:
    """``did:key:z6Mk…`` (Ed25519) or ``did:key:zDn…`` (P-256)."""
    return f"did:key:{public_key.multibase}"


def did_key_method_id(public_key: PublicKey) -> str:
    """The DID URL of a did:key's only verification method."""
    return f"{did_key_for(public_key)}#{public_key.multibase}"


def did_web_for(base_url: str, path: str | None = None) -> str:
    """The did:web of an HTTPS origin and optional path.

    ``https://a.example:8443`` + ``x/y`` → ``did:web:a.example%3A8443:x:y``.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CredentialError(f"{base_url!r} is not an HTTP(S) URL")
    host = quote(parts.netloc, safe="")
    segments = [s for s in f"{parts.path}/{path or ''}".split("/") if s]
    return ":".join(["did:web", host, *(quote(s, safe="") for s in segments)])


def did_web_url(did: str) -> str:
    """The HTTPS URL of the DID document of a did:web (``/.well-known/did.json`` without a path)."""
    parts = did.split("#", 1)[0].split(":")
    if len(parts) < 3 or parts[:2] != ["did", "web"] or not parts[2]:
        raise DidResolutionError(did, "not a did:web identifier")
    host, path = unquote(parts[2]), "/".join(unquote(p) for p in parts[3:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_document(did: str, verification_methods: Iterable[VerificationMethod]) -> dict[str, Any]:
    """A DID document listing ``verification_methods`` under their relationships."""
    methods = list(verification_methods)
    contexts = [DID_V1, MULTIKEY_V1]
    if any(m.type == "JsonWebKey" for m in methods):
        contexts.append(JWS_2020)
    document: dict[str, Any] = {
        "@context": contexts,
        "id": did,
        "verificationMethod": [m.as_json() for m in methods],
    }
    for relationship in ("assertionMethod", "authentication"):
        document[relationship] = [m.id for m in methods if relationship in m.relationships]
    return document


def did_key_document(did: str) -> dict[str, Any]:
    """Resolve a did:key to its DID document (no I/O)."""
    identifier = did.split("#", 1)[0]
    if not identifier.startswith("did:key:"):
        raise DidResolutionError(did, "not a did:key identifier")
    try:
        key = public_key_from_multibase(identifier.removeprefix("did:key:"))
    except CredentialError as err:
        raise DidResolutionError(did, str(err)) from err
    method = VerificationMethod(f"{identifier}#{key.multibase}", identifier, key)
    return did_document(identifier, [method])


class DidResolver:
    """Resolves DIDs (did:key built in, did:web through ``fetch``) and verification methods.

    ``documents`` pre-loads controller documents by id (a test issuer, a pinned partner, an
    HTTPS controller document as in the W3C vectors).  Fetched documents are cached.
    """

    def __init__(self, fetch: Fetch | None = None, documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._fetch = fetch
        self._cache: dict[str, Mapping[str, Any]] = dict(documents or {})

    def resolve(self, did: str) -> Mapping[str, Any]:
        """The DID (or controller) document for ``did`` (a fragment is ignored)."""
        identifier = did.split("#", 1)[0]
        if identifier in self._cache:
            return self._cache[identifier]
        if identifier.startswith("did:key:"):
            document: Mapping[str, Any] = did_key_document(identifier)
        elif identifier.startswith("did:web:") and self._fetch is not None:
            url = did_web_url(identifier)
            try:
                document = self._fetch(url)
            except Exception as err:  # the injected fetch's own errors: translate at this boundary
                raise DidResolutionError(did, f"fetching {url} failed") from err
            if not isinstance(document, Mapping) or document.get("id") != identifier:
                raise DidResolutionError(did, "the fetched document is for a different DID")
        else:
            raise DidResolutionError(did, "no resolver for this kind of identifier")
        self._cache[identifier] = document
        return document

    def forget(self, did: str) -> None:
        """Drop a cached document (after a key rotation was announced)."""
        self._cache.pop(did.split("#", 1)[0], None)

    def verification_method(self, method_id: str) -> VerificationMethod:
        """The verification method ``method_id`` with its controller and relationships."""
        document = self.resolve(method_id)
        controller_id = str(document.get("id", ""))
        for entry in _methods(document):
            if _absolute(entry.get("id", ""), controller_id) == method_id:
                return VerificationMethod(
                    id=method_id,
                    controller=str(entry.get("controller", "")),
                    public_key=_public_key(method_id, entry),
                    type=str(entry.get("type", "")),
                    relationships=_relationships(document, method_id, controller_id),
                )
        raise DidResolutionError(method_id, "the document does not list this verification method")


def _methods(document: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from (m for m in document.get("verificationMethod", []) if isinstance(m, Mapping))
    for relationship in ("assertionMethod", "authentication"):
        yield from (m for m in document.get(relationship, []) if isinstance(m, Mapping))


def _relationships(document: Mapping[str, Any], method_id: str, controller_id: str) -> frozenset[str]:
    found = set()
    for relationship in ("assertionMethod", "authentication"):
        for entry in document.get(relationship, []):
            ref = entry.get("id", "") if isinstance(entry, Mapping) else str(entry)
            if _absolute(ref, controller_id) == method_id:
                found.add(relationship)
    return frozenset(found)


def _absolute(ref: str, controller_id: str) -> str:
    return f"{controller_id}{ref}" if ref.startswith("#") else ref


def _public_key(method_id: str, entry: Mapping[str, Any]) -> PublicKey:
    try:
        if "publicKeyMultibase" in entry:
            return public_key_from_multibase(str(entry["publicKeyMultibase"]))
        if "publicKeyJwk" in entry:
            return public_key_from_jwk(dict(entry["publicKeyJwk"]))
    except CredentialError as err:
        raise DidResolutionError(method_id, str(err)) from err
    raise DidResolutionError(method_id, "the verification method has no public key")
