"""``bridge credential issue-sample / verify / revoke / rotate-keys`` against the real app and keys."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.functional.credentials_support import FORMATS, cli, failed, issue_sample, verify_json


@pytest.mark.parametrize("fmt", FORMATS)
def test_issued_sample_verifies_in_every_format(app: Flask, tmp_path: Path, fmt: str) -> None:
    path = issue_sample(app, tmp_path, fmt)
    code, answer = verify_json(app, path)
    assert code == 0 and answer["valid"] is True, answer
    checks = {c["check"] for c in answer["checks"]}
    assert {"format", "proof", "issuer", "valid_from", "status", "schema", "trust"} <= checks
    assert all(set(c) == {"check", "ok", "detail"} for c in answer["checks"])


def test_rs256_and_did_recipient(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "ob3-jwt", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                        "--rs256")
    header = json.loads(base64.urlsafe_b64decode(path.read_text().split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    code, answer = verify_json(app, path)
    assert code == 0 and answer["valid"], answer


def test_stored_exactly_as_signed(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "ob3-rdfc")
    credential_id = json.loads(path.read_text())["id"]
    served = app.test_client().get(credential_id.removeprefix("http://localhost"), headers={"Accept": "application/vc"})
    assert served.status_code == 200 and served.get_data(as_text=True) == path.read_text()


def test_revoked_credential_is_invalid(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "ob3-rdfc")
    revoked = cli(app, "revoke", str(path), "--reason", "issued by mistake")
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    code, answer = verify_json(app, path)
    assert code == 1 and answer["valid"] is False
    assert failed(answer) == {"status": "The issuer has revoked this credential."}
    assert "already revoked" in cli(app, "revoke", str(path)).output


def test_revoke_by_public_link(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "vc-jose")
    payload = json.loads(base64.urlsafe_b64decode(path.read_text().split(".")[1] + "=="))
    assert cli(app, "revoke", payload["id"]).exit_code == 0
    assert verify_json(app, path)[0] == 1
    assert cli(app, "revoke", "no-such-credential").exit_code == 1


@pytest.mark.parametrize("fmt", ["ob3-rdfc", "ob3-jcs"])
def test_tampered_data_integrity_credential_is_invalid(app: Flask, tmp_path: Path, fmt: str) -> None:
    path = issue_sample(app, tmp_path, fmt)
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["achievement"]["name"] = "Rocket science"
    path.write_text(json.dumps(doc))
    code, answer = verify_json(app, path)
    assert code == 1 and "changed after it was issued" in failed(answer)["proof"]


@pytest.mark.parametrize("fmt", ["ob3-jwt", "vc-jose"])
def test_tampered_jwt_is_invalid(app: Flask, tmp_path: Path, fmt: str) -> None:
    path = issue_sample(app, tmp_path, fmt)
    header, payload, signature = path.read_text().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    (claims.get("vc") or claims)["name"] = "Rocket science"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    path.write_text(f"{header}.{forged}.{signature}")
    code, answer = verify_json(app, path)
    assert code == 1 and "proof" in failed(answer)


def test_credential_signed_before_rotation_still_verifies(app: Flask, tmp_path: Path) -> None:
    old = issue_sample(app, tmp_path, "ob3-rdfc")
    old_jwt = issue_sample(app, tmp_path, "vc-jose")
    rotated = cli(app, "rotate-keys")
    assert rotated.exit_code == 0 and rotated.output.count("new ") == 3
    new = issue_sample(app, tmp_path, "ob3-rdfc")
    methods = {json.loads(p.read_text())["proof"]["verificationMethod"] for p in (old, new)}
    assert len(methods) == 2, "the new credential is signed with the new key"
    for path in (old, old_jwt, new):
        assert verify_json(app, path)[0] == 0
    document = app.test_client().get("/.well-known/did.json").get_json()
    assert methods <= set(document["assertionMethod"])


def test_edc_sample_is_sealed_with_a_demo_seal_and_verifies(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "sample.edc.json"
    result = cli(app, "issue-sample", "--format", "edc", "--recipient", "a@example.org", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "DEMO e-seal" in result.output and "JAdES B-B" in result.output
    sealed = json.loads(out.read_text())
    header = json.loads(base64.urlsafe_b64decode(sealed["signatures"][0]["protected"] + "=="))
    assert header["b64"] is False and header["crit"] == ["b64", "sigT"] and len(header["x5c"]) == 2
    credential = json.loads(sealed["payload"])
    assert credential["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert credential["id"].startswith("urn:credential:")
    code, answer = verify_json(app, out)
    assert code == 0 and answer["valid"] is True, answer
    assert {c["check"] for c in answer["checks"]} >= {"format", "proof", "schema", "valid_from"}
    stored = (Path(app.config["INSTANCE_DIR"]) / "edc-demo-seal.enc").read_bytes()
    assert b"PRIVATE KEY" not in stored
    again = issue_sample(app, tmp_path, "edc", "b@example.org")
    same_cert = json.loads(base64.urlsafe_b64decode(json.loads(again.read_text())["signatures"][0]["protected"] + "=="))
    assert same_cert["x5c"] == header["x5c"]  # the demo seal is generated once and reused


def test_tampered_edc_is_invalid(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "edc")
    sealed = json.loads(path.read_text())
    sealed["payload"] = sealed["payload"].replace("Sample micro-credential", "Master of Science", 1)
    path.write_text(json.dumps(sealed))
    code, answer = verify_json(app, path)
    assert code == 1 and "changed after it was sealed" in failed(answer)["proof"]


def test_revoking_an_edc_finds_it_and_says_edcs_have_no_status_list_yet(app: Flask, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "edc")
    result = cli(app, "revoke", str(path))
    assert result.exit_code == 1 and "no revocation status entry" in result.output


def test_edc_with_a_configured_pkcs12_seal(app: Flask, tmp_path: Path) -> None:
    from credentials import jades

    seal = jades.demo_seal("Qualified Seal Holder", "AT", rsa_key=True)
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(jades.to_pkcs12(seal, b"pw"))
    app.config.update(EDC_SEAL_PKCS12=str(p12), EDC_SEAL_PASSWORD="pw")
    out = tmp_path / "p12.edc.json"
    result = cli(app, "issue-sample", "--format", "edc", "--recipient", "a@example.org", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "DEMO" not in result.output and "Qualified Seal Holder" in result.output
    header = json.loads(base64.urlsafe_b64decode(json.loads(out.read_text())["signatures"][0]["protected"] + "=="))
    assert header["alg"] == "RS256"
    assert verify_json(app, out)[0] == 0
    app.config.update(EDC_SEAL_PASSWORD="wrong")
    refused = cli(app, "issue-sample", "--format", "edc", "--recipient", "a@example.org", "--out", str(out))
    assert refused.exit_code == 1 and "PKCS#12" in refused.output


def test_bad_recipient_and_garbage_file(app: Flask, tmp_path: Path) -> None:
    bad = cli(app, "issue-sample", "--format", "ob3-jcs", "--recipient", "nobody", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 1 and "e-mail address or a DID" in bad.output
    junk = tmp_path / "junk.json"
    junk.write_text("hello")
    code, answer = verify_json(app, junk)
    assert code == 1 and answer == {"valid": False, "checks": [
        {"check": "format", "ok": False, "detail": "This is not a credential this service can read."}]}


def test_edc_with_a_time_stamp_authority_is_baseline_t(app: Flask, tmp_path: Path) -> None:
    import hashlib

    import responses

    from credentials import jades

    der, oid, integer = jades._der, jades._der_oid, jades._der_int

    def reply(request: object) -> tuple[int, dict[str, str], bytes]:
        body = request.body  # type: ignore[attr-defined]
        digest = body[body.index(b"\x04\x20") + 2:][:32]  # the imprint's OCTET STRING in the TimeStampReq
        imprint = der(0x30, der(0x30, oid("2.16.840.1.101.3.4.2.1") + b"\x05\x00") + der(0x04, digest))
        when = datetime.now(UTC).strftime("%Y%m%d%H%M%SZ").encode()
        tst_info = der(0x30, integer(1) + oid("1.2.3.4") + imprint + integer(7) + der(0x18, when))
        encap = der(0x30, oid("1.2.840.113549.1.9.16.1.4") + der(0xA0, der(0x04, tst_info)))
        token = der(0x30, oid("1.2.840.113549.1.7.2") + der(0xA0, der(0x30, integer(3) + der(0x31, b"") + encap)))
        return 200, {"Content-Type": "application/timestamp-reply"}, der(0x30, der(0x30, integer(0)) + token)

    app.config.update(EDC_TSA_URL="https://tsa.example.org/tsr")
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://tsa.example.org/tsr", callback=reply)
        path = issue_sample(app, tmp_path, "edc")
        assert mock.calls[0].request.headers["Content-Type"] == "application/timestamp-query"
    entry = json.loads(path.read_text())["signatures"][0]
    element = json.loads(base64.urlsafe_b64decode(entry["header"]["etsiU"][0] + "=="))
    token = base64.b64decode(element["sigTst"]["tstTokens"][0]["val"])
    assert hashlib.sha256(entry["signature"].encode()).digest() in token
    code, answer = verify_json(app, path)
    assert code == 0 and "JAdES B-T" in {c["check"]: c["detail"] for c in answer["checks"]}["proof"]
