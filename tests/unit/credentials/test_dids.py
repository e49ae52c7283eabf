"""Multikey encodings, did:key, did:web and the resolver."""

from __future__ import annotations

from typing import Any

import pytest
from vectors import load

from credentials.dids import (
    DidResolver,
    VerificationMethod,
    did_document,
    did_key_document,
    did_key_for,
    did_key_method_id,
    did_web_for,
    did_web_url,
)
from credentials.errors import DidResolutionError, KeyFormatError
from credentials.multikey import (
    PublicKey,
    SigningKey,
    generate_ed25519,
    generate_p256,
    generate_rsa,
    private_key_from_multibase,
    public_key_from_jwk,
    public_key_from_multibase,
    secret_key_multibase,
)

PAIR = load("keypair.json")


def test_spec_key_pair_round_trips_through_multikey() -> None:
    private = private_key_from_multibase(PAIR["privateKeyMultibase"])
    assert PublicKey(private.public_key()).multibase == PAIR["publicKeyMultibase"]
    assert secret_key_multibase(private) == PAIR["privateKeyMultibase"]
    assert public_key_from_multibase(PAIR["publicKeyMultibase"]).multibase == PAIR["publicKeyMultibase"]


def test_p256_multikey_is_zdn_and_round_trips() -> None:
    private = generate_p256()
    public = PublicKey(private.public_key())
    assert public.multibase.startswith("zDn")
    assert public_key_from_multibase(public.multibase).jwk() == public.jwk()
    assert secret_key_multibase(private_key_from_multibase(secret_key_multibase(private))) == secret_key_multibase(
        private
    )


@pytest.mark.parametrize("make", [generate_ed25519, generate_p256, generate_rsa])
def test_jwk_round_trip_and_signatures(make: Any) -> None:
    key = SigningKey(make(), "did:example:1#k")
    assert public_key_from_jwk(key.public.jwk()).jwk() == key.public.jwk()
    signature = key.sign(b"hello")
    assert key.public.verify(signature, b"hello")
    assert not key.public.verify(signature, b"hellO")


def test_private_key_is_not_in_repr() -> None:
    key = SigningKey(private_key_from_multibase(PAIR["privateKeyMultibase"]), "did:example:1#k")
    assert "private" not in repr(key) and PAIR["privateKeyMultibase"] not in repr(key)


@pytest.mark.parametrize("bad", ["", "abc", "z0OIl", "z" + "1" * 10])
def test_bad_multibase_is_a_key_format_error(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_multibase(bad)


def test_did_key_resolves_to_a_multikey_document() -> None:
    public = public_key_from_multibase(PAIR["publicKeyMultibase"])
    did = did_key_for(public)
    assert did == f"did:key:{PAIR['publicKeyMultibase']}"
    document = did_key_document(did)
    assert document["assertionMethod"] == [did_key_method_id(public)]
    method = DidResolver().verification_method(did_key_method_id(public))
    assert method.controller == did and method.public_key.multibase == public.multibase
    assert "assertionMethod" in method.relationships


def test_did_key_for_p256() -> None:
    public = PublicKey(generate_p256().public_key())
    method = DidResolver().verification_method(did_key_method_id(public))
    assert method.public_key.jwk() == public.jwk()


@pytest.mark.parametrize(
    ("base", "path", "did", "url"),
    [
        (
            "https://bridge.example",
            None,
            "did:web:bridge.example",
            "https://bridge.example/.well-known/did.json",
        ),
        (
            "https://bridge.example:8443/",
            "issuers/7",
            "did:web:bridge.example%3A8443:issuers:7",
            "https://bridge.example:8443/issuers/7/did.json",
        ),
    ],
)
def test_did_web_and_its_url(base: str, path: str | None, did: str, url: str) -> None:
    assert did_web_for(base, path) == did
    assert did_web_url(did) == url


def _web_document() -> tuple[str, dict[str, Any], SigningKey]:
    did = did_web_for("https://bridge.example")
    signer = SigningKey(generate_ed25519(), f"{did}#key-2")
    p256 = PublicKey(generate_p256().public_key())
    methods = [
        VerificationMethod(signer.verification_method, did, signer.public),
        VerificationMethod(f"{did}#jwk-1", did, p256, type="JsonWebKey", relationships=frozenset({"authentication"})),
    ]
    return did, did_document(did, methods), signer


def test_did_web_resolution_uses_the_injected_fetch_once() -> None:
    did, document, signer = _web_document()
    calls: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        calls.append(url)
        return document

    resolver = DidResolver(fetch)
    method = resolver.verification_method(signer.verification_method)
    assert method.public_key.multibase == signer.public.multibase
    assert method.relationships == {"assertionMethod", "authentication"}
    jwk_method = resolver.verification_method(f"{did}#jwk-1")
    assert jwk_method.type == "JsonWebKey" and jwk_method.relationships == {"authentication"}
    assert calls == ["https://bridge.example/.well-known/did.json"]


def test_did_web_errors_are_resolution_errors() -> None:
    did, document, signer = _web_document()

    def broken(url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    with pytest.raises(DidResolutionError, match="fetching"):
        DidResolver(broken).resolve(did)
    with pytest.raises(DidResolutionError, match="different DID"):
        DidResolver(lambda url: {**document, "id": "did:web:evil.example"}).resolve(did)
    with pytest.raises(DidResolutionError, match="does not list"):
        DidResolver(lambda url: document).verification_method(f"{did}#missing")
    with pytest.raises(DidResolutionError):
        DidResolver().resolve("did:example:123")
