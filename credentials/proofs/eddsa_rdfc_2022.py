"""The eddsa-rdfc-2022 cryptosuite: RDFC-1.0 canonical N-Quads, SHA-256, Ed25519.

Implements VC Data Integrity EdDSA Cryptosuites v1.0 §3.2 "eddsa-rdfc-2022": §3.2.1 Create
Proof, §3.2.2 Verify Proof, §3.2.3 Transformation (RDFC-1.0 of the document, refusing
undefined terms), §3.2.5 Proof Configuration (the proof options with the document's
``@context``, canonicalized the same way).  The proof stored in the document carries no
``@context`` of its own.

Speed: a proof configuration is one blank node whose canonical N-Quads differ between
signatures only in the ``created`` literal, so its canonical form is computed once per
(context, options) and the timestamp substituted; the result is checked to be the one RDF
node (``_:c14n0``) and equals plain canonicalization (tested).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from credentials.dids import DidResolver
from credentials.jsonld import Canonicalizer, default_canonicalizer
from credentials.multikey import SigningKey
from credentials.proofs import data_integrity as di

CRYPTOSUITE = "eddsa-rdfc-2022"
_SENTINEL = "1900-01-01T00:00:00Z"
_SIMPLE_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_TEMPLATES: dict[tuple[int, str], str | None] = {}


def canonical_proof_config(config: Mapping[str, Any], canonicalizer: Canonicalizer) -> bytes:
    """Canonical N-Quads of a proof configuration (with its ``@context``)."""
    created = config.get("created")
    if not isinstance(created, str) or not _SIMPLE_DATETIME.match(created) or created == _SENTINEL:
        return canonicalizer.canonicalize(config, strict=True).encode()
    key = (id(canonicalizer), json.dumps({**config, "created": None}, sort_keys=True))
    if key not in _TEMPLATES:
        if len(_TEMPLATES) > 1024:
            _TEMPLATES.clear()
        template = canonicalizer.canonicalize({**config, "created": _SENTINEL}, strict=True)
        usable = template.count(_SENTINEL) == 1 and "_:c14n1" not in template
        _TEMPLATES[key] = template if usable else None
    found = _TEMPLATES[key]
    if found is None:
        return canonicalizer.canonicalize(config, strict=True).encode()
    return found.replace(_SENTINEL, created).encode()


def _transforms(document: Mapping[str, Any], canonicalizer: Canonicalizer | None) -> tuple[Any, Any]:
    canon = canonicalizer or default_canonicalizer()
    context = document.get("@context")

    def transform_document(doc: Mapping[str, Any]) -> bytes:
        return canon.canonicalize(doc, strict=True).encode()

    def transform_config(config: Mapping[str, Any]) -> bytes:
        return canonical_proof_config({**config, "@context": context}, canon)

    return transform_document, transform_config


def create_proof(
    document: Mapping[str, Any],
    key: SigningKey,
    options: di.ProofOptions | None = None,
    *,
    canonicalizer: Canonicalizer | None = None,
) -> dict[str, Any]:
    """Return ``document`` with an eddsa-rdfc-2022 DataIntegrityProof added.

    Raises :class:`~credentials.errors.UndefinedTerm` when the document uses a term its
    contexts do not define (it would not be covered by the signature).
    """
    config = (options or di.ProofOptions(key.verification_method)).as_json(CRYPTOSUITE)
    transform_document, transform_config = _transforms(document, canonicalizer)
    return di.create(document, key, config, transform_document, transform_config)


def verify_proof(
    secured: Mapping[str, Any],
    *,
    resolver: DidResolver,
    proof: Mapping[str, Any] | None = None,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> di.ProofVerification:
    """Verify the (or the given) eddsa-rdfc-2022 proof of ``secured``; never raises on a bad proof."""
    the_proof = proof if proof is not None else secured.get("proof")
    if not isinstance(the_proof, Mapping):
        return di.ProofVerification(False, "malformed", "The credential has no single proof.")
    document = {k: v for k, v in secured.items() if k != "proof"}
    transform_document, transform_config = _transforms(document, canonicalizer)
    return di.verify(
        document,
        the_proof,
        cryptosuite=CRYPTOSUITE,
        resolver=resolver,
        transform_document=transform_document,
        transform_config=transform_config,
        expected_purpose=expected_purpose,
        challenge=challenge,
        domain=domain,
    )
