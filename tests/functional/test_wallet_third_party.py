"""A third-party wallet client completes the pre-authorized flow with a transaction code over real HTTP:
@openid4vc/openid4vci (oid4vc-ts, OpenWallet Foundation Labs; tests/wallet_js) against the tool on a loopback
server.  The credential it receives is bound to its key (did:jwk) and verifies."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from bridge.cli import main
from credentials import jose
from tests.conftest import tool_config
from tests.functional.credentials_support import verify_json
from tests.support.servers import ServerThread, free_port

WALLET_JS = Path(__file__).resolve().parents[1] / "wallet_js"


@pytest.fixture(scope="module")
def node_wallet() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed; the third-party wallet client runs on Node")
    if not (WALLET_JS / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WALLET_JS, check=True, timeout=600,
                       capture_output=True)
    return WALLET_JS / "oid4vci_wallet.mjs"


@pytest.fixture
def live_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    from bridge import create_app

    port = free_port()
    application = create_app(tool_config(tmp_path, DATABASE_URL=database_url, BASE_URL=f"http://127.0.0.1:{port}"))
    server = ServerThread(application, port).start()
    yield application
    server.stop()
    application.extensions["bridge"].db.dispose()


def _run_wallet(script: Path, app: Flask, configuration_id: str) -> dict[str, Any]:
    made = json.loads(CliRunner().invoke(main, ["credential", "offer", "--sample", "--json"], obj=app).stdout)
    done = subprocess.run(["node", str(script), made["wallet_link"], made["tx_code"], configuration_id],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def _jwk_of(did: str) -> dict[str, Any]:
    encoded = did.removeprefix("did:jwk:")
    return dict(json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))


@pytest.mark.parametrize("configuration_id", ["OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"])
def test_oid4vc_ts_wallet_completes_pre_authorized_flow_with_tx_code(node_wallet: Path, live_app: Flask,
                                                                     tmp_path: Path, configuration_id: str) -> None:
    answer = _run_wallet(node_wallet, live_app, configuration_id)
    credential = answer["credentialResponse"]["credentials"][0]["credential"]
    if isinstance(credential, str):
        subject_id = jose.decode(credential)[1]["sub"]
        text = credential
    else:
        subject_id = credential["credentialSubject"]["id"]
        text = json.dumps(credential)
    holder = {k: answer["holderJwk"][k] for k in ("kty", "crv", "x")}
    assert _jwk_of(subject_id) == holder
    path = tmp_path / "third-party-wallet.cred"
    path.write_text(text)
    code, result = verify_json(live_app, path)
    assert code == 0 and result["valid"], result
