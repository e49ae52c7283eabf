"""LTI 1.3 launch throughput: complete OIDC login + launch round trips per second, ours next to bare pylti1p3.

One round trip, identical for both tools (both driven in this one process through Flask test clients):

1. POST the tool's OIDC login endpoint with the platform's login-initiation parameters;
2. read ``state`` and ``nonce`` from the redirect to the platform's auth endpoint;
3. build the id_token claims for that nonce (``sandbox.tokens.launch_claims``) and sign them with the
   sandbox platform key (``Platform.sign_id_token``) — platform work, *not* counted in the tool's time;
4. POST ``id_token`` + ``state`` (and the cookies the login set) to the tool's launch endpoint;
5. follow to the landing page: ours answers 303 → ``/learner/…`` or ``/instructor/…`` which is fetched,
   the bare tool renders its page directly.

The metric ``launch`` times steps 1 and 4 — the login + launch protocol round trip, ending with the tool's
answer to the id_token (ours: the 303 after the launch is validated and recorded; the bare tool: its page).
``launch_with_landing`` adds step 5 (our extra GET of the landing page; nothing for the bare tool), so both
views are printed. launches/s = round trips / summed tool time. The wall-clock rate
(including the platform's signing) is printed too. Platform keys are cached by both: ours keeps the JWKS
in the registration row after the first launch, the bare tool uses ``set_public_key_caching``; the one
JWKS fetch each goes to a sandbox server on loopback during warm-up. Our tool runs on a SQLite file (WAL)
in a temporary directory (or on ``--database-url``, e.g. a PostgreSQL database), registered by dynamic
registration against the sandbox.

    python bench/launch.py [--n 300] [--warmup 30] [--json] [--profile [FILE]] [--database-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bench import emit, percentile  # noqa: E402
from bench.bare_pylti1p3_tool import create_app as create_bare  # noqa: E402
from sandbox import create_app as create_sandbox  # noqa: E402
from sandbox.tokens import launch_claims  # noqa: E402

# The same mix of users and resource links is sent to both tools (learners and an instructor).
MIX = (("learner-1", "rl-intro"), ("learner-2", "rl-quiz"), ("instructor-1", "rl-intro"), ("learner-1", "rl-quiz"))
BLOCK = 25  # round trips per tool before switching to the other: spreads drift evenly over both


@dataclass
class Tool:
    name: str
    client: FlaskClient
    client_id: str
    deployment_id: str
    login_path: str
    launch_path: str
    target_link_uri: str
    times: list[float] = field(default_factory=list)
    login_times: list[float] = field(default_factory=list)
    landing_times: list[float] = field(default_factory=list)


@dataclass
class Figures:
    rate: float
    wall_rate: float
    p50_ms: float
    p99_ms: float
    login_p50_ms: float
    landing_rate: float


class Loopback:
    """The sandbox platform on 127.0.0.1 (threaded), for registration and the first JWKS fetch."""

    def __init__(self, make_app: Callable[[str], Any]) -> None:
        self.server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = make_app(self.url)
        self.server.app = self.app
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def build_ours(workdir: Path, sandbox_url: str, platform: Any, database_url: str | None = None) -> Tool:
    from bridge import create_app

    app = create_app({
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "BASE_URL": "http://localhost",
        "INSTANCE_DIR": str(workdir / "instance"),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bridge.sqlite'}",
        "KEY_SIZE": 2048,
        "LOG_LEVEL": "WARNING",
    })
    client = app.test_client()
    start = requests.post(f"{sandbox_url}/api/registration-tokens", timeout=10).json()
    answer = client.get("/lti/register", query_string=start)
    if answer.status_code != 200:
        raise SystemExit(f"dynamic registration failed: {answer.status_code} {answer.get_data(as_text=True)[:500]}")
    client_id = list(platform.tools)[-1]
    tool = platform.tools[client_id]
    return Tool("ours", client, client_id, tool.deployment_id, "/lti/login", "/lti/launch", tool.target_link_uri)


def build_bare(sandbox_url: str, platform: Any) -> Tool:
    base = "http://bare.localhost"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    tool = platform.add_tool_manually("bare pylti1p3", jwks_uri=f"{base}/jwks", initiate_login_uri=f"{base}/login",
                                      redirect_uris=[f"{base}/launch"], target_link_uri=f"{base}/launch")
    app = create_bare(issuer=platform.issuer, client_id=tool.client_id, deployment_id=tool.deployment_id,
                      auth_login_url=f"{sandbox_url}/lti/auth", auth_token_url=f"{sandbox_url}/lti/token",
                      key_set_url=f"{sandbox_url}/.well-known/jwks.json", private_key_pem=private_pem,
                      public_key_pem=public_pem, launch_url=f"{base}/launch")
    return Tool("bare", app.test_client(), tool.client_id, tool.deployment_id, "/login", "/launch",
                tool.target_link_uri)


def round_trip(tool: Tool, platform: Any, user: str, link: str) -> tuple[float, float, float, float]:
    """One login → signed id_token → launch → landing page; returns tool, platform, login, landing seconds."""
    params = {"iss": platform.issuer, "login_hint": user, "target_link_uri": tool.target_link_uri,
              "lti_message_hint": f"{user}:{link}", "client_id": tool.client_id,
              "lti_deployment_id": tool.deployment_id}
    t0 = time.perf_counter()
    response = tool.client.post(tool.login_path, data=params)
    t1 = time.perf_counter()
    if response.status_code != 302:
        raise RuntimeError(f"{tool.name} login: {response.status_code} {response.get_data(as_text=True)[:300]}")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    state, nonce = query["state"][0], query["nonce"][0]
    claims = launch_claims(platform, client_id=tool.client_id, user_id=user, resource_link_id=link, nonce=nonce)
    id_token = platform.sign_id_token(claims)
    t2 = time.perf_counter()
    response = tool.client.post(tool.launch_path, data={"id_token": id_token, "state": state})
    t3 = time.perf_counter()
    if response.status_code in (302, 303):
        response = tool.client.get(response.headers["Location"])
    t4 = time.perf_counter()
    if response.status_code != 200:
        raise RuntimeError(f"{tool.name} launch: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return (t1 - t0) + (t3 - t2), t2 - t1, t1 - t0, t4 - t3


def run(tools: list[Tool], platform: Any, n: int, warmup: int, profile: cProfile.Profile | None) -> dict[str, Figures]:
    for tool in tools:
        for i in range(warmup):
            round_trip(tool, platform, *MIX[i % len(MIX)])
    platform_time = {t.name: 0.0 for t in tools}
    done = 0
    while done < n:
        block = min(BLOCK, n - done)
        for tool in tools:
            if profile is not None and tool.name == "ours":
                profile.enable()
            for i in range(done, done + block):
                spent, signing, login, landing = round_trip(tool, platform, *MIX[i % len(MIX)])
                tool.times.append(spent)
                tool.landing_times.append(spent + landing)
                tool.login_times.append(login)
                platform_time[tool.name] += signing
            if profile is not None and tool.name == "ours":
                profile.disable()
        done += block
    figures = {}
    for tool in tools:
        total = sum(tool.times)
        figures[tool.name] = Figures(rate=len(tool.times) / total,
                                     wall_rate=len(tool.times) / (total + platform_time[tool.name]),
                                     p50_ms=percentile(tool.times, 50) * 1000, p99_ms=percentile(tool.times, 99) * 1000,
                                     login_p50_ms=percentile(tool.login_times, 50) * 1000,
                                     landing_rate=len(tool.times) / sum(tool.landing_times))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=300, help="measured round trips per tool (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured round trips per tool first (default 30)")
    parser.add_argument("--json", action="store_true", help="one JSON object per metric and line")
    parser.add_argument("--database-url", help="run our tool on this (empty) database instead of a SQLite file, "
                                               "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--profile", nargs="?", const="-", metavar="FILE",
                        help="cProfile our tool's measured round trips; print the top entries, or save to FILE")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the loopback sandbox's access log

    sandbox = Loopback(lambda url: create_sandbox({"SANDBOX_BASE_URL": url, "SANDBOX_PLATFORM_STORAGE": False}))
    platform = sandbox.app.extensions["sandbox"]
    profile = cProfile.Profile() if args.profile else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-launch-") as tmp:
            ours = build_ours(Path(tmp), sandbox.url, platform, args.database_url)
            bare = build_bare(sandbox.url, platform)
            figures = run([ours, bare], platform, args.n, args.warmup, profile)
            ours.client.application.extensions["bridge"].db.dispose()
    finally:
        sandbox.stop()

    o, b = figures["ours"], figures["bare"]
    ratio = o.rate / b.rate
    if args.json:
        emit("launch", o.rate, "launches/s", b.rate, ratio)
        emit("launch_p50", o.p50_ms, "ms", b.p50_ms, o.p50_ms / b.p50_ms)
        emit("launch_p99", o.p99_ms, "ms", b.p99_ms, o.p99_ms / b.p99_ms)
        emit("launch_with_landing", o.landing_rate, "launches/s", b.landing_rate, o.landing_rate / b.landing_rate)
    else:
        print(f"LTI 1.3 login + launch round trips, {args.n} per tool after {args.warmup} warm-up, one process, "
              "Flask test clients, platform keys cached")
        print(f"{'tool':<30}{'launches/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'login p50':>11}{'wall/s':>10}")
        ours_label = "credential bridge (" + ("SQLite WAL" if not args.database_url
                                              else args.database_url.split(":", 1)[0].split("+")[0]) + ")"
        for label, f in ((ours_label, o), ("bare pylti1p3 (in memory)", b)):
            print(f"{label:<30}{f.rate:>12.1f}{f.p50_ms:>10.2f}{f.p99_ms:>10.2f}{f.login_p50_ms:>11.2f}"
                  f"{f.wall_rate:>10.1f}")
        verdict = "meets" if ratio >= 0.7 else "BELOW"
        print(f"ratio ours / bare: {ratio:.2f}  ({verdict} the 0.7 target)")
        print(f"with our extra landing-page GET: {o.landing_rate:.1f} vs {b.landing_rate:.1f} launches/s, "
              f"ratio {o.landing_rate / b.landing_rate:.2f}")
        print("launches/s and latency count the tool's time only (login + launch answers); wall/s also "
              "includes the platform building and signing each id_token.")
    if profile is not None:
        if args.profile == "-":
            stats = pstats.Stats(profile, stream=sys.stderr if args.json else sys.stdout)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
        else:
            profile.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
