"""`make run`: the demo — the tool and the sandbox LMS on SQLite, nothing else to install.

Starts the sandbox platform (an LMS stand-in) and the tool on loopback, registers the sandbox with the
tool through LTI Dynamic Registration (exactly as Moodle or Canvas would), and prints the URL to open.
State lives in ./instance/demo (delete it to start over).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from connectors.http import make_session

ROOT = Path(__file__).resolve().parent.parent


def _demo_secret(instance: Path) -> str:
    # Demo only: a generated secret kept in the instance folder (never committed; production reads the env).
    path = instance / "demo-secret"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class _NoQueryStrings(logging.Filter):
    """The dev server's access log without query strings: they carry bearer values (registration tokens,
    launch session ids, credential offer ids), which are never logged."""

    QUERY = re.compile(r"\?[^ ]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.QUERY.sub("", a) if isinstance(a, str) and " HTTP/" in a else a
                                for a in record.args)
        return True


def _serve(app: object, host: str, port: int) -> None:
    server = make_server(host, port, app, threaded=True)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tool-port", type=int, default=int(os.environ.get("BRIDGE_DEMO_TOOL_PORT", 5000)))
    parser.add_argument("--lms-port", type=int, default=int(os.environ.get("BRIDGE_DEMO_LMS_PORT", 5001)))
    parser.add_argument("--once", action="store_true", help="set up, check both servers answer, then exit")
    args = parser.parse_args()

    logging.getLogger("werkzeug").addFilter(_NoQueryStrings())
    instance = Path(os.environ.get("BRIDGE_INSTANCE_DIR") or ROOT / "instance" / "demo")
    tool_url = f"http://{args.host}:{args.tool_port}"
    lms_url = f"http://{args.host}:{args.lms_port}"
    admin_password = os.environ.get("BRIDGE_ADMIN_PASSWORD") or "demo-admin"

    from bridge import create_app
    from sandbox import create_app as create_sandbox

    tool = create_app({"BASE_URL": tool_url, "INSTANCE_DIR": str(instance), "ADMIN_PASSWORD": admin_password,
                       "SECRET_KEY": os.environ.get("BRIDGE_SECRET_KEY") or _demo_secret(instance),
                       "LOG_LEVEL": os.environ.get("BRIDGE_LOG_LEVEL", "WARNING")})
    lms = create_sandbox({"SANDBOX_BASE_URL": lms_url})
    _serve(lms, args.host, args.lms_port)
    _serve(tool, args.host, args.tool_port)
    time.sleep(0.3)

    # Dynamic registration, headless: the LMS hands out a registration token, the tool registers itself.
    http = make_session(timeout=30)
    start = http.post(f"{lms_url}/api/registration-tokens").json()
    answer = http.get(f"{tool_url}/lti/register", params=start)
    if answer.status_code != 200:
        print(f"dynamic registration failed (HTTP {answer.status_code})", file=sys.stderr)
        return 1
    print(f"""
  Credential Bridge demo is running.

    Sandbox LMS:   {lms_url}/      ← open this, then "Launch" as Ada Lovelace (instructor) or Grace Hopper (learner)
    Tool admin:    {tool_url}/admin/   (user "admin", password "{admin_password}")
    Tool URLs:     {tool_url}/lti/login · {tool_url}/lti/launch · {tool_url}/.well-known/jwks.json

  The sandbox registered itself with the tool through LTI Dynamic Registration.
  Data lives in {instance} (delete it to start over). Press Ctrl+C to stop.
""", flush=True)
    if args.once:
        ok = http.get(f"{tool_url}/healthz").ok and http.get(lms_url).ok
        return 0 if ok else 1
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
