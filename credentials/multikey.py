"""Keys as Multikey and JWK values: Ed25519 and P-256 (and RSA for RS256 JOSE).

Implements Controlled Identifiers v1.0 §2.2.2 "Multikey" (publicKeyMultibase /
secretKeyMultibase: multibase base58btc ``z`` + multicodec header + raw key), with the
headers of the multicodec table: ed25519-pub 0xed01, ed25519-priv 0x8026, p256-pub 0x8024
(compressed point), p256-priv 0x8626; and §2.2.3 "JsonWebKey" (RFC 7517 public JWKs).
Keys never appear in ``repr`` or logs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from credentials.errors import KeyFormatError

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKeyObject = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
_ED_PUB, _ED_PRIV, _P256_PUB, _P256_PRIV = b"\xed\x01", b"\x80\x26", b"\x80\x24", b"\x86\x26"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as err:
        raise KeyFormatError("not base64url") from err


def multibase_b58(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode()


def multibase_b58_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise KeyFormatError("a multibase base58btc value must start with 'z'")
    try:
        return base58.b58decode(text[1:])
    except ValueError as err:
        raise KeyFormatError("not base58btc") from err


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key: Ed25519, P-256 or RSA, with its Multikey/JWK forms and a verifier."""

    key: PublicKeyObject

    @property
    def algorithm(self) -> str:
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return "Ed25519"
        return "P-256" if isinstance(self.key, ec.EllipticCurvePublicKey) else "RSA"

    @property
    def multibase(self) -> str:
        """``publicKeyMultibase`` (``z6Mk…`` for Ed25519, ``zDn…`` for P-256)."""
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return multibase_b58(_ED_PUB + self.key.public_bytes(*_RAW))
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            point = self.key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
            return multibase_b58(_P256_PUB + point)
        raise KeyFormatError("RSA keys have no Multikey form; use a JsonWebKey")

    def jwk(self) -> dict[str, str]:
        """The public JWK (RFC 7517/8037)."""
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url(self.key.public_bytes(*_RAW))}
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            numbers = self.key.public_numbers()
            return {
                "kty": "EC",
                "crv": "P-256",
                "x": b64url(numbers.x.to_bytes(32, "big")),
                "y": b64url(numbers.y.to_bytes(32, "big")),
            }
        rsa_numbers = self.key.public_numbers()
        return {"kty": "RSA", "n": b64url(_int_bytes(rsa_numbers.n)), "e": b64url(_int_bytes(rsa_numbers.e))}

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` (Ed25519, raw r‖s P-256/SHA-256, or RSA PKCS#1 v1.5/SHA-256) is valid."""
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
            elif isinstance(self.key, ec.EllipticCurvePublicKey):
                if len(signature) != 64:
                    return False
                der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
                self.key.verify(der, data, ec.ECDSA(hashes.SHA256()))
            else:
                self.key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key and the DID URL of the verification method that publishes its public half."""

    private_key: PrivateKey = field(repr=False)
    verification_method: str

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.private_key.public_key())

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature, raw r‖s ECDSA P-256/SHA-256, or RSA PKCS#1 v1.5/SHA-256."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(data)
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def generate_ed25519() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def generate_p256() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def generate_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def secret_key_multibase(private_key: PrivateKey) -> str:
    """``secretKeyMultibase`` for an Ed25519 or P-256 private key (store it encrypted; never log it)."""
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        raw = private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return multibase_b58(_ED_PRIV + raw)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return multibase_b58(_P256_PRIV + private_key.private_numbers().private_value.to_bytes(32, "big"))
    raise KeyFormatError("RSA keys have no Multikey form")


def private_key_from_multibase(text: str) -> PrivateKey:
    """Decode ``secretKeyMultibase`` (Ed25519 0x8026 or P-256 0x8626)."""
    data = multibase_b58_decode(text)
    header, raw = data[:2], data[2:]
    if header == _ED_PRIV and len(raw) == 32:
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw)
    if header == _P256_PRIV and len(raw) == 32:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    raise KeyFormatError("unsupported secret key multicodec header or length")


def public_key_from_multibase(text: str) -> PublicKey:
    """Decode ``publicKeyMultibase`` (Ed25519 0xed01 or P-256 0x8024)."""
    data = multibase_b58_decode(text)
    header, raw = data[:2], data[2:]
    try:
        if header == _ED_PUB and len(raw) == 32:
            return PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(raw))
        if header == _P256_PUB and len(raw) == 33:
            return PublicKey(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
    except ValueError as err:
        raise KeyFormatError("the public key bytes are not a valid point") from err
    raise KeyFormatError("unsupported public key multicodec header or length")


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    """Decode a public JWK: OKP/Ed25519, EC/P-256 or RSA."""
    try:
        kty = jwk["kty"]
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"])))
        if kty == "EC" and jwk.get("crv") == "P-256":
            x, y = (int.from_bytes(b64url_decode(jwk[c]), "big") for c in ("x", "y"))
            return PublicKey(ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key())
        if kty == "RSA":
            n, e = (int.from_bytes(b64url_decode(jwk[c]), "big") for c in ("n", "e"))
            return PublicKey(rsa.RSAPublicNumbers(e, n).public_key())
    except (KeyError, TypeError, ValueError) as err:
        raise KeyFormatError(f"malformed JWK: {err}") from err
    raise KeyFormatError("unsupported JWK key type or curve")
