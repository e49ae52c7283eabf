"""Data Integrity proofs (VC Data Integrity 1.0) with the EdDSA cryptosuites (vc-di-eddsa v1.0).

``eddsa_rdfc_2022`` is the one Open Badges 3.0 certification accepts; ``eddsa_jcs_2022`` is
the fast option next to it.  Both share :mod:`credentials.proofs.data_integrity`.
"""

from __future__ import annotations

from credentials.proofs.data_integrity import ProofOptions, ProofVerification

__all__ = ["ProofOptions", "ProofVerification"]
