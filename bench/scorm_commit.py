"""SCORM benchmarks: run-time commits/s through our endpoint, and importing a generated 200 MB package.

``scorm_commit``: realistic batches (location, suspend_data, score, status, an interaction, session time)
posted to ``/player/attempts/<id>/commit`` through the WSGI app in process — attempt row loaded in one
SELECT, token check, replay of every call through ``scorm.runtime.RuntimeSession`` (the shared data model),
the SCO state written back in one version-guarded UPDATE, the interaction values appended to their journal,
one commit (SQLite in WAL mode, as ``make run``) — next to a bare Flask endpoint that only parses the same
JSON body, measured in the same run in alternating blocks of 100 commits (so the machine's drift hits both).

``scorm_import_200mb``: peak RSS (MB) of a fresh process importing a generated 200 MB package (200 files of
1 MB of random bytes, stored) into content storage; the baseline is the same process importing a 20 MB
package, so ratio ≈ 1 means memory does not grow with package size. The packages are generated in a temp
dir at bench time and deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import emit  # noqa: E402

GOLF = ROOT / "tests" / "data" / "scorm" / "golf_rte_basic_scorm12.zip"
SECRET = "bench-secret-key-0123456789abcdef"
BLOCK = 100  # commits per tool before switching to the other


def _batch(seq: int) -> dict[str, Any]:
    calls: list[dict[str, str]] = [{"method": "LMSInitialize"}] if seq == 1 else []
    n = seq - 1
    calls += [{"method": "LMSSetValue", "element": e, "value": v} for e, v in (
        ("cmi.core.lesson_location", str(seq % 16)),
        ("cmi.suspend_data", "s" * 2000 + str(seq)),
        ("cmi.core.lesson_status", "incomplete"),
        ("cmi.core.score.raw", str(seq % 100)),
        ("cmi.core.score.min", "0"),
        ("cmi.core.score.max", "100"),
        (f"cmi.interactions.{n % 50}.id", f"q{n % 50}"),
        (f"cmi.interactions.{n % 50}.type", "choice"),
        (f"cmi.interactions.{n % 50}.student_response", "b"),
        (f"cmi.interactions.{n % 50}.result", "correct"),
        ("cmi.core.session_time", "0000:00:10"),
    )]
    calls.append({"method": "LMSCommit"})
    return {"seq": seq, "calls": calls}


def _tool(tmp: Path) -> tuple[Any, str, str]:
    """A tool app with the golf package attached to a link and one learner's attempt; its commit URL."""
    from bridge import create_app
    from bridge.models import Course, Deployment, LmsUser, Registration, ResourceLink
    from bridge.player.tokens import attempt_token
    from bridge.services import packages, scorm_attempts

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "BASE_URL": "http://localhost",
                      "INSTANCE_DIR": str(tmp / "instance"), "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
                      "KEY_SIZE": 2048, "LOG_LEVEL": "WARNING"})
    with app.extensions["bridge"].db.session() as session:
        reg = Registration(issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                           auth_token_url="https://lms.example/t", key_set_url="https://lms.example/k")
        session.add(reg)
        session.flush()
        dep = Deployment(registration_id=reg.id, deployment_id="d")
        session.add(dep)
        session.flush()
        course = Course(registration_id=reg.id, deployment_pk=dep.id, context_id="c1")
        user = LmsUser(registration_id=reg.id, sub="learner")
        session.add_all([course, user])
        session.flush()
        link = ResourceLink(course_id=course.id, resource_link_id="rl")
        session.add(link)
        session.flush()
        with open(GOLF, "rb") as source:
            package = packages.import_zip(session, packages.storage_from_config(app.config), source,
                                          registration_id=reg.id, course_id=course.id)
        activity = scorm_attempts.attach(session, link, package, scorm_attempts.AttemptRules())
        attempt = scorm_attempts.current_attempt(session, activity, user.id)
        attempt_id, user_id = attempt.id, user.id
        session.commit()
    with app.test_request_context():
        token = attempt_token(attempt_id, user_id)
    return app, f"/player/attempts/{attempt_id}/commit?t={token}", "item_1"


def _bare() -> Any:
    from flask import Flask, request

    bare = Flask("bare")

    @bare.post("/commit")
    def commit() -> Any:
        body = json.loads(request.get_data(cache=False) or b"{}")
        return {"acked": body["batches"][-1]["seq"]}

    return bare


def _body(sco: str, seq: int) -> bytes:
    return json.dumps({"sco": sco, "session": "bench", "batches": [_batch(seq)]}).encode()


def _timed(post: Any, sco: str, first_seq: int, count: int) -> float:
    """Seconds spent in ``count`` posts (bodies built outside the timed part)."""
    spent = 0.0
    for seq in range(first_seq, first_seq + count):
        body = _body(sco, seq)
        start = time.perf_counter()
        response = post(body)
        spent += time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"commit failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return spent


def bench_commit(seconds: float) -> tuple[float, float]:
    """Ours and the bare endpoint in alternating blocks of ``BLOCK`` commits, so machine drift hits both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        app, url, sco = _tool(Path(tmp))
        ours_client, bare_client = app.test_client(), _bare().test_client()

        def ours(b: bytes) -> Any:
            return ours_client.post(url, data=b, content_type="application/json")

        def bare(b: bytes) -> Any:
            return bare_client.post("/commit", data=b, content_type="application/json")

        _timed(bare, sco, 1, 200)  # warm-up
        _timed(ours, sco, 1, 200)
        seq = 201  # batch numbers keep rising for our attempt (a repeated one would only be acknowledged)
        spent = {"ours": 0.0, "bare": 0.0}
        done = 0
        while spent["ours"] < seconds:
            spent["bare"] += _timed(bare, sco, 1, BLOCK)
            spent["ours"] += _timed(ours, sco, seq, BLOCK)
            seq += BLOCK
            done += BLOCK
        app.extensions["bridge"].db.dispose()
    return done / spent["ours"], done / spent["bare"]


def _make_package(path: Path, megabytes: int) -> None:
    manifest = (b'<?xml version="1.0"?><manifest identifier="big" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"'
                b' xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><organizations default="o"><organization'
                b' identifier="o"><title>Big</title><item identifier="i" identifierref="r"><title>I</title></item>'
                b'</organization></organizations><resources><resource identifier="r" type="webcontent"'
                b' adlcp:scormtype="sco" href="index.html"/></resources></manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", b"<html><body>big</body></html>")
        for i in range(megabytes):
            archive.writestr(f"media/blob{i:04d}.bin", os.urandom(1024 * 1024))


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: reset at exec, unlike ru_maxrss, which a forked child inherits)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_child(package: str, tmp: str) -> None:
    """Run in a fresh process: import one package, print seconds and peak RSS (MB)."""
    from scorm.package import PackageLimits, import_package

    start = time.perf_counter()
    imported = import_package(package, Path(tmp) / "content", PackageLimits())
    seconds = time.perf_counter() - start
    peak_mb = _peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": imported.bytes}))


def _import_run(megabytes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / f"generated-{megabytes}mb.zip"
        _make_package(package, megabytes)
        out = subprocess.run([sys.executable, __file__, "--import-child", str(package), tmp], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per metric")
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per endpoint")
    parser.add_argument("--import-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        _import_child(*args.import_child)
        return
    rate, baseline = bench_commit(args.seconds)
    small, big = _import_run(20), _import_run(200)
    if args.json:
        emit("scorm_commit", rate, "commits/s", baseline, rate / baseline)
        emit("scorm_import_200mb", big["peak_mb"], "MB", small["peak_mb"], big["peak_mb"] / small["peak_mb"])
        return
    print(f"commits through /player/…/commit: {rate:8.1f}/s  (12 calls each, replayed and stored)")
    print(f"bare Flask JSON endpoint:          {baseline:8.1f}/s  → ratio {rate / baseline:.3f}")
    print(f"import 200 MB: {big['seconds']:.2f} s, peak RSS {big['peak_mb']:.1f} MB "
          f"(20 MB package: {small['seconds']:.2f} s, peak RSS {small['peak_mb']:.1f} MB)")


if __name__ == "__main__":
    main()
