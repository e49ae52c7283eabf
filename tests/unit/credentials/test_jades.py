"""JAdES baseline-B/B-T seals: the EDC issuer's header layout, the exact signed bytes, tamper → invalid."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from credentials import jades
from credentials.errors import KeyFormatError

SIGNED_SAMPLE = Path("/work/shared/data/edc/Sample-MC-Annex1-signed.jsonld")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREDENTIAL = {"@context": ["https://www.w3.org/2018/credentials/v1"], "id": "urn:credential:1",
              "type": ["VerifiableCredential", "EuropeanDigitalCredential"], "issued": "2026-03-01T12:00:00Z",
              "credentialSubject": {"id": "urn:epass:person:1", "fullName": {"en": "Zoë Ångström"}}}


@pytest.fixture(scope="module")
def ec_seal() -> jades.SealKey:
    return jades.demo_seal("University of Zed", "AT", now=NOW - timedelta(days=30))


@pytest.fixture(scope="module")
def rsa_seal() -> jades.SealKey:
    return jades.demo_seal("University of Zed", "AT", rsa_key=True, now=NOW - timedelta(days=30))


def _header(sealed: dict) -> dict:
    text = sealed["signatures"][0]["protected"]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@pytest.mark.parametrize("key_name,alg", [("ec_seal", "ES256"), ("rsa_seal", "RS256")])
def test_baseline_b_seal_has_the_jades_header_and_verifies(key_name: str, alg: str,
                                                           request: pytest.FixtureRequest) -> None:
    key = request.getfixturevalue(key_name)
    sealed = jades.seal(CREDENTIAL, key, now=NOW)
    header = _header(sealed)
    assert list(header) == ["alg", "cty", "kid", "x5t#S256", "x5c", "typ", "b64", "sigT", "crit"]
    assert header["alg"] == alg and header["b64"] is False and header["crit"] == ["b64", "sigT"]
    assert header["sigT"] == "2026-03-01T12:00:00Z" and header["typ"] == "jose+json"
    leaf_der = key.certificate.public_bytes(serialization.Encoding.DER)
    assert base64.b64decode(header["x5c"][0]) == leaf_der and len(header["x5c"]) == 2
    assert header["x5t#S256"] == base64.urlsafe_b64encode(hashlib.sha256(leaf_der).digest()).rstrip(b"=").decode()
    assert sealed["payload"] == json.dumps(CREDENTIAL, separators=(",", ":"), ensure_ascii=False)
    result = jades.verify_seal(json.dumps(sealed), now=NOW)
    assert result.valid, result.detail
    assert result.credential == CREDENTIAL and result.level == "B-B" and result.signer == "University of Zed"


def test_kid_is_the_der_issuer_serial_of_the_signing_certificate(ec_seal: jades.SealKey) -> None:
    kid = base64.b64decode(_header(jades.seal(CREDENTIAL, ec_seal, now=NOW))["kid"])
    issuer_der = ec_seal.certificate.issuer.public_bytes()
    assert kid.startswith(b"\x30") and issuer_der in kid
    assert kid.endswith(ec_seal.certificate.serial_number.to_bytes(20, "big").lstrip(b"\x00"))


def test_any_change_to_the_payload_breaks_the_seal(ec_seal: jades.SealKey) -> None:
    sealed = jades.seal(CREDENTIAL, ec_seal, now=NOW)
    changed = copy.deepcopy(sealed)
    changed["payload"] = changed["payload"].replace("Zoë", "Zoe")
    assert jades.verify_seal(changed, now=NOW).code == "signature-mismatch"
    reformatted = copy.deepcopy(sealed)
    reformatted["payload"] = json.dumps(CREDENTIAL, ensure_ascii=False)  # same JSON, other bytes
    assert not jades.verify_seal(reformatted, now=NOW).valid


def test_a_swapped_header_or_certificate_breaks_the_seal(ec_seal: jades.SealKey) -> None:
    other = jades.demo_seal("Someone Else", now=NOW - timedelta(days=1))
    sealed = jades.seal(CREDENTIAL, ec_seal, now=NOW)
    header = _header(sealed)
    header["x5c"] = _header(jades.seal(CREDENTIAL, other, now=NOW))["x5c"]
    forged = copy.deepcopy(sealed)
    forged["signatures"][0]["protected"] = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    assert not jades.verify_seal(forged, now=NOW).valid


def test_a_future_signing_time_and_missing_certificate_are_refused(ec_seal: jades.SealKey) -> None:
    future = jades.seal(CREDENTIAL, ec_seal, now=NOW + timedelta(days=2))
    assert jades.verify_seal(future, now=NOW).code == "signing-time"
    assert jades.verify_seal({"payload": "{}", "signatures": []}).code == "malformed"
    assert jades.verify_seal("not json").code == "malformed"


def test_trust_anchors_are_enforced_when_given(ec_seal: jades.SealKey) -> None:
    sealed = jades.seal(CREDENTIAL, ec_seal, now=NOW)
    assert jades.verify_seal(sealed, now=NOW, trust_anchors=[ec_seal.chain[-1]]).valid
    stranger = jades.demo_seal("Other CA", now=NOW - timedelta(days=1)).chain[-1]
    assert jades.verify_seal(sealed, now=NOW, trust_anchors=[stranger]).code == "certificate"


def test_pkcs12_and_pem_round_trip(rsa_seal: jades.SealKey) -> None:
    p12 = jades.to_pkcs12(rsa_seal, b"s3cret")
    loaded = jades.SealKey.from_pkcs12(p12, b"s3cret")
    assert loaded.alg == "RS256" and [c.serial_number for c in loaded.chain] == [c.serial_number
                                                                                    for c in rsa_seal.chain]
    with pytest.raises(KeyFormatError):
        jades.SealKey.from_pkcs12(p12, b"wrong")
    cert_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in reversed(rsa_seal.chain))
    key_pem = rsa_seal.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
    from_pem = jades.SealKey.from_pem(cert_pem, key_pem)
    assert from_pem.certificate == rsa_seal.certificate and len(from_pem.chain) == 2
    assert jades.verify_seal(jades.seal(CREDENTIAL, from_pem, now=NOW), now=NOW).valid
    other_key = jades.demo_seal("x").private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(KeyFormatError):
        jades.SealKey.from_pem(cert_pem, other_key)


def _fake_token(digest: bytes, when: str = "20260301120005Z") -> bytes:
    """A structurally valid RFC 3161 TimeStampToken (unsigned: the TSA's own signature is not checked)."""
    der, oid, integer = jades._der, jades._der_oid, jades._der_int
    imprint = der(0x30, der(0x30, oid("2.16.840.1.101.3.4.2.1") + b"\x05\x00") + der(0x04, digest))
    tst_info = der(0x30, integer(1) + oid("1.2.3.4") + imprint + integer(42) + der(0x18, when.encode()))
    encap = der(0x30, oid("1.2.840.113549.1.9.16.1.4") + der(0xA0, der(0x04, tst_info)))
    signed_data = der(0x30, integer(3) + der(0x31, b"") + encap + der(0x31, b""))
    return der(0x30, oid("1.2.840.113549.1.7.2") + der(0xA0, signed_data))


def test_baseline_t_carries_a_signature_timestamp_over_the_signature(ec_seal: jades.SealKey) -> None:
    asked: list[bytes] = []

    def tsa(digest: bytes) -> bytes:
        asked.append(digest)
        return _fake_token(digest)

    sealed = jades.seal(CREDENTIAL, ec_seal, timestamper=tsa, now=NOW)
    entry = sealed["signatures"][0]
    assert asked == [hashlib.sha256(entry["signature"].encode()).digest()]
    element = json.loads(base64.urlsafe_b64decode(entry["header"]["etsiU"][0] + "=="))
    assert list(element) == ["sigTst"]
    result = jades.verify_seal(sealed, now=NOW)
    assert result.valid and result.level == "B-T" and result.timestamp == datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    wrong = jades.seal(CREDENTIAL, ec_seal, timestamper=lambda d: _fake_token(b"\x00" * 32), now=NOW)
    assert jades.verify_seal(wrong, now=NOW).code == "timestamp"


def test_a_failing_tsa_is_a_seal_error(ec_seal: jades.SealKey) -> None:
    def down(digest: bytes) -> bytes:
        raise OSError("connection refused")

    with pytest.raises(jades.SealError, match="time-stamp authority"):
        jades.seal(CREDENTIAL, ec_seal, timestamper=down, now=NOW)


def test_rfc3161_request_and_response() -> None:
    digest = hashlib.sha256(b"x").digest()
    request = jades.tsa_request(digest, nonce=7)
    assert request.startswith(b"\x30") and digest in request
    token = _fake_token(digest)
    granted = jades._der(0x30, jades._der(0x30, jades._der_int(0)) + token)
    assert jades.token_from_tsa_response(granted) == token
    refused = jades._der(0x30, jades._der(0x30, jades._der_int(2)))
    with pytest.raises(jades.SealError, match="refused"):
        jades.token_from_tsa_response(refused)


@pytest.mark.skipif(not SIGNED_SAMPLE.exists(), reason="EDC sample not available")
def test_the_european_commission_sealed_sample_verifies_and_tampering_is_caught() -> None:
    text = SIGNED_SAMPLE.read_text("utf-8")
    result = jades.verify_seal(text, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert result.valid, result.detail
    assert result.signing_time == datetime(2023, 9, 27, 11, 54, 17, tzinfo=UTC)
    assert result.timestamp is not None and result.level == "B-LTA"
    assert isinstance(x509.load_der_x509_certificate(base64.b64decode(_header(json.loads(text))["x5c"][0])),
                      x509.Certificate)
    tampered = json.loads(text)
    tampered["payload"] = tampered["payload"].replace('"validFrom":"', '"validFrom":"1', 1)
    assert jades.verify_seal(tampered).code == "signature-mismatch"
