"""Encryption at rest for private keys and other secrets (AES-256-GCM).

The key-encryption key comes from ``BRIDGE_KEY_FILE`` (its bytes) when set, otherwise it is derived from
``BRIDGE_SECRET_KEY`` with HKDF-SHA256. Ciphertexts carry a version byte so the scheme can change later.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"


class SecretBoxError(RuntimeError):
    """A secret could not be decrypted: the key-encryption key changed or the data is corrupt."""


class SecretBox:
    def __init__(self, key_material: bytes) -> None:
        if len(key_material) < 16:
            raise SecretBoxError("key material for encryption at rest must be at least 16 bytes")
        self._aead = AESGCM(
            HKDF(algorithm=hashes.SHA256(), length=32, salt=b"credential-bridge", info=b"secrets-at-rest v1").derive(
                key_material
            )
        )

    @classmethod
    def from_config(cls, secret_key: str, key_file: str | None) -> SecretBox:
        if key_file:
            return cls(Path(key_file).read_bytes().strip())
        return cls(secret_key.encode("utf-8"))

    def encrypt(self, plaintext: bytes, *, purpose: str) -> bytes:
        nonce = os.urandom(12)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def decrypt(self, blob: bytes, *, purpose: str) -> bytes:
        if not blob.startswith(VERSION):
            raise SecretBoxError("unknown encryption format")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], purpose.encode())
        except InvalidTag as err:
            raise SecretBoxError(
                "cannot decrypt a stored key: BRIDGE_SECRET_KEY or BRIDGE_KEY_FILE differs from the one that stored it"
            ) from err
