"""Bitstring Status List v1.0: encoding, allocation, entries, checking."""

from __future__ import annotations

import base64
import gzip

import pytest

from credentials.errors import StatusListError
from credentials.status_list import (
    MIN_ENTRIES,
    Bitstring,
    allocate_index,
    check_status,
    status_entry,
    status_list_credential,
)

URL = "https://bridge.example/status/1"


def test_empty_list_encodes_as_gzip_base64url_multibase() -> None:
    encoded = Bitstring().encode()
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(MIN_ENTRIES // 8)


def test_bit_order_is_left_most_first_and_round_trips() -> None:
    bits = Bitstring()
    bits.set(0)
    bits.set(14)
    decoded = Bitstring.decode(bits.encode())
    assert decoded.get(0) and decoded.get(14) and not decoded.get(1)
    assert decoded._bits[0] == 0x80 and decoded._bits[1] == 0x02
    decoded.set(0, False)
    assert not decoded.get(0)


def test_short_lists_and_bad_indexes_are_refused() -> None:
    with pytest.raises(StatusListError):
        Bitstring(1024)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16))).decode().rstrip("=")
    with pytest.raises(StatusListError):
        Bitstring.decode(short)
    with pytest.raises(StatusListError):
        Bitstring().get(MIN_ENTRIES)


def test_allocation_is_random_and_never_collides() -> None:
    used: set[int] = set()
    for _ in range(2000):
        index = allocate_index(used)
        assert index not in used and 0 <= index < MIN_ENTRIES
        used.add(index)
    assert sorted(used) != list(range(2000))


def test_full_list_is_refused() -> None:
    with pytest.raises(StatusListError, match="full"):
        allocate_index(set(range(8)), size=8)


def test_entry_and_check() -> None:
    bits = Bitstring()
    entry = status_entry(URL, 4242)
    assert entry == {
        "id": f"{URL}#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": URL,
    }
    listed = status_list_credential(URL, "did:web:bridge.example", bits)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert not check_status(entry, listed).set
    bits.set(4242)
    assert check_status(entry, status_list_credential(URL, "did:web:bridge.example", bits)).set


def test_mismatched_purpose_or_list_is_refused() -> None:
    listed = status_list_credential(URL, "did:web:bridge.example", Bitstring(), purpose="suspension")
    with pytest.raises(StatusListError):
        check_status(status_entry(URL, 1), listed)
    with pytest.raises(StatusListError):
        check_status(status_entry(URL + "x", 1, "suspension"), listed)
    with pytest.raises(StatusListError):
        status_entry(URL, 1, "expiry")
