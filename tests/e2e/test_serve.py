"""`bridge serve` really serves the tool with gunicorn, over HTTP and over TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import free_port

pytestmark = pytest.mark.e2e


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _serve(tmp_path: Path, *extra: str, log: Path | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "BRIDGE_SECRET_KEY": "serve-test-secret-0123456789abcdef",
           "BRIDGE_INSTANCE_DIR": str(tmp_path / "instance"), "BRIDGE_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2", *extra]
    if log is None:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT), port


def _wait(url: str, **kwargs: object) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return requests.get(url, timeout=2, **kwargs)  # type: ignore[arg-type]
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        # gunicorn stops gracefully (workers finish a running job first); a loaded CI machine can be slow.
        proc.wait(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise


def test_serve_http(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    proc, port = _serve(tmp_path, log=log)
    try:
        health = _wait(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        assert _wait(f"http://127.0.0.1:{port}/.well-known/jwks.json").json()["keys"]
        # A bearer value in a query string (here a dynamic-registration token) never reaches the access log.
        secret = "eyJhbGciOiJSUzI1NiJ9.secret-registration-token.sig"
        answer = requests.get(f"http://127.0.0.1:{port}/lti/register",
                              params={"registration_token": secret}, headers={"Referer": f"http://lms/?t={secret}"},
                              timeout=10)
        assert answer.status_code == 400
    finally:
        _stop(proc)
    text = log.read_text()
    assert '"GET /lti/register HTTP/1.1" 400' in text and "request_id=" in text
    assert secret not in text and "registration_token" not in text


def test_serve_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    proc, port = _serve(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert _wait(f"https://127.0.0.1:{port}/healthz", verify=str(cert)).status_code == 200
    finally:
        _stop(proc)
