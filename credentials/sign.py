"""One entry point to secure a credential in any supported format.

``ob3-rdfc`` — Data Integrity eddsa-rdfc-2022 (vc-di-eddsa §3.2; required by OB 3.0
certification); ``ob3-jcs`` — eddsa-jcs-2022 (§3.3); ``ob3-jwt`` — OB 3.0 §8.2 VC-JWT;
``vc-jose`` — W3C VC-JOSE-COSE ``vc+jwt``.  The result is what is stored, exactly as signed:
a JSON object for the Data Integrity formats, a compact JWS string for the JOSE ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from credentials import jose
from credentials.errors import UnsupportedFormat
from credentials.jsonld import Canonicalizer
from credentials.multikey import SigningKey
from credentials.proofs import ProofOptions, eddsa_jcs_2022, eddsa_rdfc_2022

Format = Literal["ob3-rdfc", "ob3-jcs", "ob3-jwt", "vc-jose"]
FORMATS: tuple[Format, ...] = ("ob3-rdfc", "ob3-jcs", "ob3-jwt", "vc-jose")


def sign_credential(
    doc: Mapping[str, Any],
    key: SigningKey,
    fmt: Format,
    *,
    options: ProofOptions | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> dict[str, Any] | str:
    """Secure ``doc`` with ``key`` in format ``fmt``; refuses undefined JSON-LD terms for ``ob3-rdfc``."""
    if fmt == "ob3-rdfc":
        return eddsa_rdfc_2022.create_proof(doc, key, options, canonicalizer=canonicalizer)
    if fmt == "ob3-jcs":
        return eddsa_jcs_2022.create_proof(doc, key, options)
    if fmt == "ob3-jwt":
        return jose.sign_vc_jwt(doc, key)
    if fmt == "vc-jose":
        return jose.sign_vc_jose(doc, key)
    raise UnsupportedFormat(f"unknown credential format {fmt!r}; use one of {', '.join(FORMATS)}")
