"""JAdES baseline-B (and B-T) e-seals over a European Digital Credential, as the EDC issuer makes them.

ETSI TS 119 182-1 (JAdES) on top of RFC 7515 (JWS) and RFC 7797 (unencoded payload):

* JWS JSON serialization (general: ``payload`` + ``signatures[]``), the credential as the *unencoded*
  payload (``b64: false``, listed in ``crit``): the JWS Signing Input is
  ``ASCII(BASE64URL(protected)) || "." || payload`` (RFC 7797 §3), the payload being the credential's
  compact UTF-8 JSON exactly as stored.
* Protected header, in the order the European Commission's EDC issuer (DSS) writes it (see the sealed
  sample ``Sample-MC-Annex1-signed.jsonld``): ``alg`` (RS256 or ES256), ``cty``, ``kid`` (base64 DER
  ``IssuerSerial`` of the signing certificate, JAdES §5.1.4 / DSS), ``x5t#S256`` (the signing
  certificate's SHA-256 digest, JAdES §5.1.7), ``x5c`` (the chain, leaf first, RFC 7515 §4.1.6),
  ``typ: jose+json``, ``b64: false``, ``sigT`` (claimed signing time, ``YYYY-MM-DDThh:mm:ssZ``,
  JAdES §5.2.1) and ``crit: ["b64", "sigT"]`` (JAdES §5.1.11: every JAdES-defined protected
  parameter is critical).
* B-T: an RFC 3161 signature time-stamp in the unprotected ``etsiU`` array as
  ``{"sigTst": {"tstTokens": [{"val": base64(DER TimeStampToken)}]}}`` (JAdES §5.3.4), each element
  base64url-encoded JSON as DSS writes it; the message imprint is SHA-256 over the ASCII
  base64url signature value (JAdES §5.3.4.2 for the JSON serialization).

No network here: a time-stamp comes from an injected :data:`Timestamper`; :func:`tsa_request` and
:func:`token_from_tsa_response` encode/decode the RFC 3161 messages for a caller that does the HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12

from credentials.errors import CredentialError, KeyFormatError

Timestamper = Callable[[bytes], bytes]
"""Given the SHA-256 message imprint, return a DER RFC 3161 ``TimeStampToken`` (CMS ContentInfo)."""

JADES_CRITICAL = ("b64", "sigT")
UNDERSTOOD_CRITICAL = frozenset({"b64", "sigT", "adoTst", "sigX5ts", "srCms", "sigPl", "srAts", "sigPId"})
_ALGS: dict[str, tuple[type, hashes.HashAlgorithm]] = {
    "RS256": (rsa.RSAPublicKey, hashes.SHA256()), "RS384": (rsa.RSAPublicKey, hashes.SHA384()),
    "RS512": (rsa.RSAPublicKey, hashes.SHA512()), "PS256": (rsa.RSAPublicKey, hashes.SHA256()),
    "ES256": (ec.EllipticCurvePublicKey, hashes.SHA256()), "ES384": (ec.EllipticCurvePublicKey, hashes.SHA384()),
}
_EC_SIZES = {"ES256": 32, "ES384": 48}
_OID_SHA256 = "2.16.840.1.101.3.4.2.1"
_OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
_OID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
_CLOCK_SKEW = timedelta(minutes=5)


class SealError(CredentialError):
    """The seal cannot be made: unusable key or certificate, or the time-stamp authority failed."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- minimal DER (enough for IssuerSerial, RFC 3161 requests and reading a TSTInfo) -----------------------


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


def _read_oid(content: bytes) -> str:
    parts = [content[0] // 40, content[0] % 40]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _tlvs(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The (tag, content, whole element) triples of a run of DER elements."""
    out, pos = [], 0
    while pos < len(data):
        tag, size = data[pos], data[pos + 1]
        head = 2
        if size & 0x80:
            count = size & 0x7F
            size = int.from_bytes(data[pos + 2:pos + 2 + count], "big")
            head += count
        end = pos + head + size
        if end > len(data):
            raise ValueError("truncated DER")
        out.append((tag, data[pos + head:end], data[pos:end]))
        pos = end
    return out


def issuer_serial(cert: x509.Certificate) -> bytes:
    """DER ``IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }`` (RFC 5035), the JAdES ``kid``."""
    name = cert.issuer.public_bytes()
    return _der(0x30, _der(0x30, _der(0xA4, name)) + _der_int(cert.serial_number))


# --- keys ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealKey:
    """An e-seal: the private key and its certificate chain (leaf first)."""

    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]

    def __post_init__(self) -> None:
        if not self.chain:
            raise KeyFormatError("The e-seal needs its certificate (and preferably its chain).")
        if _spki(self.chain[0].public_key()) != _spki(self.private_key.public_key()):
            raise KeyFormatError("The e-seal certificate does not belong to the e-seal private key.")
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey) and self.private_key.curve.name != "secp256r1":
            raise KeyFormatError("Only P-256 (ES256) or RSA (RS256) e-seal keys are supported.")

    @property
    def alg(self) -> str:
        return "RS256" if isinstance(self.private_key, rsa.RSAPrivateKey) else "ES256"

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @classmethod
    def from_pkcs12(cls, data: bytes, password: bytes | None) -> SealKey:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password)
        except ValueError as err:
            raise KeyFormatError(f"The PKCS#12 e-seal could not be opened (wrong password?): {err}") from err
        if key is None or cert is None:
            raise KeyFormatError("The PKCS#12 file holds no private key or no certificate.")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyFormatError("Only RSA or P-256 e-seal keys are supported.")
        return cls(key, (cert, *_ordered_chain(cert, list(extra))))

    @classmethod
    def from_pem(cls, cert_pem: bytes, key_pem: bytes, password: bytes | None = None) -> SealKey:
        try:
            certs = x509.load_pem_x509_certificates(cert_pem)
            key = serialization.load_pem_private_key(key_pem, password)
        except ValueError as err:
            raise KeyFormatError(f"The PEM e-seal certificate or key could not be read: {err}") from err
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyFormatError("Only RSA or P-256 e-seal keys are supported.")
        pub = _spki(key.public_key())
        leaf = next((c for c in certs if _spki(c.public_key()) == pub), None)
        if leaf is None:
            raise KeyFormatError("None of the PEM certificates belongs to the e-seal private key.")
        return cls(key, (leaf, *_ordered_chain(leaf, [c for c in certs if c is not leaf])))


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def _ordered_chain(leaf: x509.Certificate, others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The intermediates (and root) from ``others``, in issuing order above ``leaf``."""
    chain, current, pool = [], leaf, list(others)
    while pool:
        parent = next((c for c in pool if c.subject == current.issuer), None)
        if parent is None or parent.subject == current.subject:
            break
        chain.append(parent)
        pool.remove(parent)
        current = parent
    return chain


# --- sealing -------------------------------------------------------------------------------------------


def payload_bytes(credential: Mapping[str, Any]) -> str:
    """The credential as the seal's payload: compact UTF-8 JSON (as in the EDC issuer's sealed files)."""
    return json.dumps(credential, separators=(",", ":"), ensure_ascii=False)


def _sign(key: SealKey, data: bytes) -> bytes:
    if isinstance(key.private_key, rsa.RSAPrivateKey):
        return key.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    r, s = decode_dss_signature(key.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def protected_header(key: SealKey, signing_time: datetime) -> dict[str, Any]:
    leaf = key.certificate
    der = leaf.public_bytes(serialization.Encoding.DER)
    return {
        "alg": key.alg,
        "cty": "octet-stream",
        "kid": base64.b64encode(issuer_serial(leaf)).decode("ascii"),
        "x5t#S256": _b64url(hashlib.sha256(der).digest()),
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in key.chain],
        "typ": "jose+json",
        "b64": False,
        "sigT": signing_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": list(JADES_CRITICAL),
    }


def seal(
    credential: Mapping[str, Any] | str,
    key: SealKey,
    *,
    timestamper: Timestamper | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JAdES-sealed credential (B-B; B-T when a ``timestamper`` is given), ready to ``json.dumps``."""
    payload = credential if isinstance(credential, str) else payload_bytes(credential)
    header = _b64url(json.dumps(protected_header(key, now or datetime.now(UTC)), separators=(",", ":")).encode())
    signature = _b64url(_sign(key, f"{header}.".encode("ascii") + payload.encode("utf-8")))
    entry: dict[str, Any] = {"protected": header, "signature": signature}
    if timestamper is not None:
        try:
            token = timestamper(hashlib.sha256(signature.encode("ascii")).digest())
        except CredentialError:
            raise
        except Exception as err:  # the injected TSA client's own failures (network, HTTP status…)
            raise SealError(f"The time-stamp authority did not answer: {err}") from err
        sig_tst = {"sigTst": {"tstTokens": [{"val": base64.b64encode(token).decode("ascii")}]}}
        entry = {"protected": header, "header": {"etsiU": [_b64url(json.dumps(sig_tst).encode())]},
                 "signature": signature}
    return {"payload": payload, "signatures": [entry]}


def demo_seal(organisation: str, country: str = "EU", *, rsa_key: bool = False,
              now: datetime | None = None) -> SealKey:
    """A self-signed demo CA and an e-seal certificate under it (valid ten years), for tests and trials only:
    no trust list knows it, so verifiers outside this tool will not accept the seal as qualified."""
    start = (now or datetime.now(UTC)) - timedelta(days=1)

    def new_key() -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        return rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, country[:2].upper()),
                          x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, organisation[:64] or "Demo"),
                          x509.NameAttribute(x509.NameOID.COMMON_NAME, cn)])

    ca_key, seal_key = new_key(), new_key()
    ca_name = name("Demo e-seal CA (not trusted)")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start)
          .not_valid_after(start + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name(f"{organisation[:40]} demo e-seal"))
            .issuer_name(ca_name).public_key(seal_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return SealKey(seal_key, (leaf, ca))


def to_pkcs12(key: SealKey, password: bytes) -> bytes:
    """The e-seal as an encrypted PKCS#12 file (to store it, or to hand it to another tool)."""
    return pkcs12.serialize_key_and_certificates(
        b"e-seal", key.private_key, key.certificate, list(key.chain[1:]) or None,
        serialization.BestAvailableEncryption(password))


def is_sealed(document: Any) -> bool:
    """Whether ``document`` looks like a JWS JSON serialization (a JAdES-sealed EDC)."""
    return (isinstance(document, Mapping) and isinstance(document.get("payload"), str)
            and (isinstance(document.get("signatures"), list) or isinstance(document.get("protected"), str)))


# --- RFC 3161 messages ---------------------------------------------------------------------------------


def tsa_request(digest: bytes, nonce: int | None = None) -> bytes:
    """DER ``TimeStampReq`` (RFC 3161 §2.4.1) for a SHA-256 imprint, asking for the TSA certificate."""
    imprint = _der(0x30, _der(0x30, _der_oid(_OID_SHA256) + b"\x05\x00") + _der(0x04, digest))
    body = _der_int(1) + imprint + _der_int(nonce if nonce is not None else secrets.randbits(63)) + b"\x01\x01\xff"
    return _der(0x30, body)


def token_from_tsa_response(response: bytes) -> bytes:
    """The ``TimeStampToken`` of a DER ``TimeStampResp``; :class:`SealError` unless granted (RFC 3161 §2.4.2)."""
    try:
        (tag, content, _), = _tlvs(response)
        parts = _tlvs(content)
        status = int.from_bytes(_tlvs(parts[0][1])[0][1], "big")
    except (ValueError, IndexError) as err:
        raise SealError("The time-stamp authority's answer is not an RFC 3161 response.") from err
    if tag != 0x30 or status not in (0, 1) or len(parts) < 2:
        raise SealError(f"The time-stamp authority refused the request (status {status}).")
    return parts[1][2]


@dataclass(frozen=True, slots=True)
class TimestampInfo:
    """What a time-stamp token asserts: the hashed message and the time (TSA signature not checked here)."""

    hash_oid: str
    hashed_message: bytes
    time: datetime


def read_timestamp(token: bytes) -> TimestampInfo:
    """The TSTInfo inside a DER ``TimeStampToken`` (ContentInfo → SignedData → eContent)."""
    try:
        (_, content_info, _), = _tlvs(token)
        oid, explicit = _tlvs(content_info)[:2]
        if _read_oid(oid[1]) != _OID_SIGNED_DATA:
            raise ValueError("not SignedData")
        signed_data = _tlvs(_tlvs(explicit[1])[0][1])
        encap = _tlvs(signed_data[2][1])
        if _read_oid(encap[0][1]) != _OID_TST_INFO:
            raise ValueError("not a TSTInfo")
        tst_info = _tlvs(_tlvs(_tlvs(encap[1][1])[0][1])[0][1])
        imprint = _tlvs(tst_info[2][1])
        algorithm = _read_oid(_tlvs(imprint[0][1])[0][1])
        gen_time = tst_info[4][1].decode("ascii")
    except (ValueError, IndexError, UnicodeDecodeError) as err:
        raise CredentialError(f"The time-stamp token cannot be read: {err}") from err
    moment = datetime.strptime(gen_time.split(".")[0].rstrip("Z"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return TimestampInfo(algorithm, imprint[1][1], moment)


# --- verification --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealVerification:
    """The answer: ``valid``, a ``code`` (``ok`` or the first fault), words, and what was found."""

    valid: bool
    code: str
    detail: str
    credential: dict[str, Any] | None = None
    header: dict[str, Any] = field(default_factory=dict)
    signer: str = ""
    signing_time: datetime | None = None
    timestamp: datetime | None = None
    level: str = ""


def _fail(code: str, detail: str, **found: Any) -> SealVerification:
    return SealVerification(False, code, detail, **found)


def verify_seal(  # noqa: PLR0911 - one early answer per JAdES rule
    sealed: Mapping[str, Any] | str,
    *,
    now: datetime | None = None,
    trust_anchors: Sequence[x509.Certificate] = (),
) -> SealVerification:
    """Check a JAdES seal: structure and critical headers, the signature over the exact bytes, the x5c
    chain (each certificate issued by the next; ending at a trust anchor when any are given), the signing
    certificate reference, ``sigT`` (not in the future, inside the certificate's validity) and any
    signature time-stamp's imprint."""
    moment = now or datetime.now(UTC)
    try:
        doc = json.loads(sealed) if isinstance(sealed, str) else dict(sealed)
        entries = doc["signatures"] if "signatures" in doc else [doc]
        if len(entries) != 1:
            return _fail("malformed", "The seal must carry exactly one signature.")
        entry, payload = entries[0], doc["payload"]
        header = json.loads(_unb64url(entry["protected"]))
        signature = _unb64url(entry["signature"])
        if not isinstance(payload, str) or not isinstance(header, dict):
            raise TypeError("payload")
    except (ValueError, KeyError, TypeError) as err:
        return _fail("malformed", f"This is not a JAdES seal this service can read ({err.__class__.__name__}).")
    crit = header.get("crit", [])
    if header.get("b64") is not False or "b64" not in crit:
        return _fail("malformed", "The seal is not a detached-content JAdES seal (b64:false).", header=header)
    unknown = [c for c in crit if c not in UNDERSTOOD_CRITICAL or c not in header]
    if unknown or "sigT" not in crit:
        return _fail("malformed", f"The seal uses critical parameters this service does not know: {unknown}.",
                     header=header)
    alg = header.get("alg")
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header.get("x5c", [])]
    except ValueError:
        chain = []
    if not chain:
        return _fail("key-unavailable", "The seal does not carry the e-seal certificate (x5c).", header=header)
    leaf, signer = chain[0], display_name(chain[0])
    found: dict[str, Any] = {"header": header, "signer": signer}
    if alg not in _ALGS or not isinstance(leaf.public_key(), _ALGS[alg][0]):
        return _fail("wrong-algorithm", f"The seal's algorithm {alg!r} does not fit its certificate.", **found)
    data = f"{entry['protected']}.".encode("ascii") + payload.encode("utf-8")
    if not _signature_ok(leaf, str(alg), signature, data):
        return _fail("signature-mismatch",
                     "The seal does not match the content: the credential was changed after it was sealed.", **found)
    problem = _reference_problem(header, leaf) or _chain_problem(chain, trust_anchors)
    if problem:
        return _fail("certificate", problem, **found)
    sig_time = _parse_sig_t(header.get("sigT"))
    found["signing_time"] = sig_time
    if sig_time is None:
        return _fail("malformed", f"The seal's signing time {header.get('sigT')!r} is not a valid time.", **found)
    if sig_time > moment + _CLOCK_SKEW:
        return _fail("signing-time", "The seal claims to have been made in the future.", **found)
    if not leaf.not_valid_before_utc - _CLOCK_SKEW <= sig_time <= leaf.not_valid_after_utc:
        return _fail("certificate", "The e-seal certificate was not valid when the seal was made.", **found)
    try:
        stamp = _timestamp(entry.get("header") or {}, entry["signature"])
    except CredentialError as err:
        return _fail("timestamp", str(err), **found)
    if stamp is not None and stamp < sig_time - _CLOCK_SKEW:
        return _fail("timestamp", "The seal's time-stamp is earlier than its signing time.", **found)
    try:
        credential = json.loads(payload)
    except ValueError:
        return _fail("malformed", "The sealed content is not JSON.", **found)
    level = _level(entry.get("header") or {}, stamp)
    return SealVerification(True, "ok", f"The e-seal of {signer} matches the content (JAdES {level}).",
                            credential=credential, timestamp=stamp, level=level, **found)


def display_name(cert: x509.Certificate) -> str:
    """The e-seal holder as people know it: the organisation, else the common name, else the whole subject."""
    for oid in (x509.NameOID.ORGANIZATION_NAME, x509.NameOID.COMMON_NAME):
        values = cert.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return cert.subject.rfc4514_string()


def _level(unprotected: Mapping[str, Any], stamp: datetime | None) -> str:
    names: set[str] = set()
    for item in unprotected.get("etsiU", []) if isinstance(unprotected, Mapping) else []:
        try:
            element = json.loads(_unb64url(item)) if isinstance(item, str) else item
        except ValueError:
            continue
        names.update(element if isinstance(element, Mapping) else ())
    if stamp is None:
        return "B-B"
    if "arcTst" in names:
        return "B-LTA"
    return "B-LT" if {"xVals", "rVals"} & names else "B-T"


def _signature_ok(cert: x509.Certificate, alg: str, signature: bytes, data: bytes) -> bool:
    key, digest = cert.public_key(), _ALGS[alg][1]
    try:
        if isinstance(key, rsa.RSAPublicKey):
            pad = padding.PSS(padding.MGF1(digest), digest.digest_size) if alg.startswith("PS") else padding.PKCS1v15()
            key.verify(signature, data, pad, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            size = _EC_SIZES[alg]
            if len(signature) != 2 * size:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
            key.verify(der, data, ec.ECDSA(digest))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _reference_problem(header: Mapping[str, Any], leaf: x509.Certificate) -> str:
    der = leaf.public_bytes(serialization.Encoding.DER)
    if "x5t#S256" in header and header["x5t#S256"] != _b64url(hashlib.sha256(der).digest()):
        return "The seal's certificate reference (x5t#S256) does not match its certificate."
    if "x5t#S256" not in header and "x5t#o" not in header and "sigX5ts" not in header:
        return "The seal does not reference its signing certificate (x5t#S256), as JAdES requires."
    return ""


def _chain_problem(chain: list[x509.Certificate], anchors: Sequence[x509.Certificate]) -> str:
    for child, parent in zip(chain, chain[1:], strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            return "The e-seal certificate chain (x5c) is broken: a certificate is not issued by the next one."
    if anchors:
        top = chain[-1]
        for anchor in anchors:
            if top == anchor:
                return ""
            try:
                top.verify_directly_issued_by(anchor)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return ""
        return "The e-seal certificate does not lead to a trusted certification authority."
    return ""


def _parse_sig_t(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _timestamp(unprotected: Mapping[str, Any], signature_b64: str) -> datetime | None:
    """The time of the first signature time-stamp in ``etsiU`` whose imprint matches; None without any."""
    latest = None
    for item in unprotected.get("etsiU", []) if isinstance(unprotected, Mapping) else []:
        try:
            element = json.loads(_unb64url(item)) if isinstance(item, str) else item
        except ValueError as err:
            raise CredentialError("The seal's unsigned properties (etsiU) cannot be read.") from err
        sig_tst = element.get("sigTst") if isinstance(element, Mapping) else None
        if not sig_tst:
            continue
        for token in sig_tst.get("tstTokens", []):
            info = read_timestamp(base64.b64decode(token.get("val", "")))
            if info.hash_oid != _OID_SHA256:
                raise CredentialError("The seal's time-stamp uses a hash this service does not check.")
            if info.hashed_message != hashlib.sha256(signature_b64.encode("ascii")).digest():
                raise CredentialError("The seal's time-stamp does not cover this signature.")
            latest = info.time
    return latest
