"""Bitstring Status List v1.0: revocation and suspension lists.

Implements W3C Bitstring Status List v1.0 §2.1 "BitstringStatusListEntry" (statusPurpose,
statusListIndex as a string, statusListCredential), §2.2 "BitstringStatusListCredential",
§3.1 "Bitstring Generation Algorithm" (GZIP, then multibase base64url ``u…``; index 0 is
the left-most bit of the first byte), §3.2 "Bitstring Expansion Algorithm", §3.3 "Validate
Algorithm" and §6.1 "Privacy": at least 131,072 entries, indexes allocated at random.
The list credential is returned unsigned: sign it with :mod:`credentials.sign`.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.errors import StatusListError

MIN_ENTRIES = 131_072
PURPOSES = ("revocation", "suspension")
VC_V2 = "https://www.w3.org/ns/credentials/v2"


class Bitstring:
    """A mutable bitstring of ``size`` entries (a multiple of 8, at least 131,072)."""

    def __init__(self, size: int = MIN_ENTRIES, data: bytes | None = None) -> None:
        if size < MIN_ENTRIES or size % 8:
            raise StatusListError(f"a status list needs at least {MIN_ENTRIES} entries, in whole bytes")
        self._bits = bytearray(data if data is not None else size // 8)
        if len(self._bits) * 8 != size:
            raise StatusListError("the list's data does not match its size")

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise StatusListError(f"index {index} is outside the list (0…{self.size - 1})")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        self._bits[byte] = self._bits[byte] | mask if value else self._bits[byte] & ~mask

    def encode(self) -> str:
        """``encodedList``: multibase base64url (no padding) of the GZIP-compressed bits."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        """Expand an ``encodedList`` (§3.2); a list shorter than 131,072 entries is refused."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (starting with 'u')")
        try:
            raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
        except (ValueError, OSError, EOFError) as err:
            raise StatusListError("encodedList is not GZIP-compressed base64url data") from err
        return cls(len(raw) * 8, raw)


def allocate_index(used: set[int], size: int = MIN_ENTRIES) -> int:
    """A random unused index (random for privacy, §6.1); ``used`` is not changed."""
    if len(used) >= size:
        raise StatusListError("the status list is full")
    while True:
        candidate = secrets.randbelow(size)
        if candidate not in used:
            return candidate


def status_list_credential(
    url: str, issuer: str, bits: Bitstring, purpose: str = "revocation", valid_from: str | None = None
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at ``url``."""
    _check_purpose(purpose)
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }
    if valid_from:
        credential["validFrom"] = valid_from
    return credential


def status_entry(list_url: str, index: int, purpose: str = "revocation") -> dict[str, str]:
    """The ``credentialStatus`` entry pointing a credential at bit ``index`` of the list."""
    _check_purpose(purpose)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


@dataclass(frozen=True, slots=True)
class StatusResult:
    """A credential's status under one entry: ``set`` means revoked / suspended."""

    purpose: str
    index: int
    set: bool


def check_status(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> StatusResult:
    """Read the bit an entry points to in a fetched (and separately verified) list credential (§3.3)."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("the status entry is not a BitstringStatusListEntry")
    purpose = str(entry.get("statusPurpose"))
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError as err:
        raise StatusListError("statusListIndex is not a number") from err
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("the list credential has no BitstringStatusList subject")
    if list_credential.get("id") != entry.get("statusListCredential"):
        raise StatusListError("the list credential is not the one the entry points to")
    if subject.get("statusPurpose") != purpose:
        raise StatusListError("the list is for a different status purpose")
    return StatusResult(purpose, index, Bitstring.decode(str(subject.get("encodedList"))).get(index))


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise StatusListError(f"statusPurpose must be one of {', '.join(PURPOSES)}")
