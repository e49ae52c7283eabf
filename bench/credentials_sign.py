"""Credential signing/verification throughput, one core, baselines measured in the same run.

    python bench/credentials_sign.py          # readable figures
    python bench/credentials_sign.py --json   # {"metric","value","unit","baseline","ratio"} per line
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from credentials.dids import DidResolver, did_key_method_id
from credentials.jsonld import OfflineLoader, canonicalize_plain
from credentials.multikey import SigningKey, generate_ed25519, generate_p256
from credentials.proofs.data_integrity import hash_data
from credentials.sign import sign_credential
from credentials.verify import verify_credential

BADGE: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "", "type": ["Profile"], "name": "Bridge University"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Data literacy",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": False,
                        "identityHash": "learner@example.org"}],
        "achievement": {"id": "https://bridge.example/achievements/1", "type": ["Achievement"],
                        "name": "Data literacy", "description": "Reads and questions charts.",
                        "criteria": {"narrative": "Pass the final quiz."}, "achievementType": "MicroCredential"},
    },
}


def rate(work: Callable[[int], object], seconds: float = 1.5) -> float:
    work(-1)  # warm caches
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work(count)
        count += 1
    return count / (time.perf_counter() - start)


def key(make: Callable[[], Any]) -> SigningKey:
    private = make()
    return SigningKey(private, did_key_method_id(SigningKey(private, "").public))


def badge(key_: SigningKey, i: int) -> dict[str, Any]:
    return {**BADGE, "id": f"urn:uuid:00000000-0000-4000-8000-{i & 0xFFFFFFFFFFFF:012d}",
            "issuer": {**BADGE["issuer"], "id": key_.controller}}


def main() -> None:
    ed, p256 = key(generate_ed25519), key(generate_p256)
    loader = OfflineLoader()

    def plain_rdfc(i: int) -> None:  # the same algorithm with plain pyld canonicalization
        doc = badge(ed, i)
        config = {"@context": doc["@context"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                  "created": "2025-01-01T00:00:00Z", "verificationMethod": ed.verification_method,
                  "proofPurpose": "assertionMethod"}
        ed.sign(hash_data(canonicalize_plain(config, loader).encode(), canonicalize_plain(doc, loader).encode()))

    resolver = DidResolver()
    signed = sign_credential(badge(ed, 1), ed, "ob3-rdfc")
    raw_ed = rate(lambda i: ed.sign(b"x" * 64))
    raw_es = rate(lambda i: p256.sign(b"x" * 64))
    plain = rate(plain_rdfc)
    rdfc = rate(lambda i: sign_credential(badge(ed, i), ed, "ob3-rdfc"))
    verify = rate(lambda i: verify_credential(signed, resolver=resolver))
    # The contract (issue 6): ratio = value / the raw sign rate of the proof's key type, same run.
    figures = [
        ("issue_ob3_rdfc", rdfc, raw_ed),
        ("issue_ob3_jcs", rate(lambda i: sign_credential(badge(ed, i), ed, "ob3-jcs")), raw_ed),
        ("issue_vc_jose", rate(lambda i: sign_credential(badge(p256, i), p256, "vc-jose")), raw_es),
        ("verify_ob3_rdfc", verify, raw_ed),
        ("raw_ed25519_sign", raw_ed, raw_ed),
        ("raw_es256_sign", raw_es, raw_es),
        # Extra, for people: the canonicalization speed-up over eddsa-rdfc-2022 with plain pyld.
        ("issue_ob3_rdfc_vs_plain_pyld", rdfc, plain),
        ("verify_ob3_rdfc_vs_plain_pyld", verify, plain),
    ]
    for metric, value, baseline in figures:
        if "--json" in sys.argv:
            print(json.dumps({"metric": metric, "value": round(value, 1), "unit": "ops/s",
                              "baseline": round(baseline, 1), "ratio": round(value / baseline, 4)}))
        else:
            print(f"{metric:29} {value:10.0f}/s   baseline {baseline:8.0f}/s   x{value / baseline:.3f}")
    if "--json" not in sys.argv:
        print("baselines: ob3 (Data Integrity) = raw Ed25519 sign; vc_jose = raw ES256 sign;"
              " *_vs_plain_pyld = eddsa-rdfc-2022 with plain pyld canonicalization")


if __name__ == "__main__":
    main()
