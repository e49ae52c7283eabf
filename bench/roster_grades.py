"""Sync 10,000 members and their results on 10 line items from the sandbox, against plain ``requests``.

    python bench/roster_grades.py                 # readable figures
    python bench/roster_grades.py --json          # {"metric": "sync_10k", "value", "unit", "baseline", "ratio"}
    python bench/roster_grades.py --members 2000  # a quicker run

Both run in the same process against the same sandbox over loopback HTTP (page size 100). The baseline is
plain ``requests`` fetching exactly the same pages (one token per service, Link rel=next followed, JSON
decoded, nothing stored). Ours is ``bridge.services.sync.sync_course`` from a cold database: tokens through
the database cache, typed parsing, users, memberships, line items, 100,000 progress facts with history.
Seeding uses the sandbox platform's Python API (``add_line_item``, ``record_score``) before timing starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the live-server helpers live in tests/support

from bridge.services.sync import sync_course  # noqa: E402
from connectors.lti_ags import RESULT_CONTAINER, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, service_url  # noqa: E402
from connectors.lti_nrps import MEMBERSHIP_CONTAINER, SCOPE_MEMBERSHIP_READONLY  # noqa: E402
from tests.support.live_services import COURSE, Live, start_live, stop_live  # noqa: E402

LINE_ITEMS = 10
PAGE_SIZE = 100


def seed_gradebook(live: Live) -> list[str]:
    platform = live.platform
    learners = [uid for uid, m in platform.courses[COURSE].members.items() if any("Learner" in r for r in m.roles)]
    urls = []
    for n in range(1, LINE_ITEMS + 1):
        item = platform.add_line_item(COURSE, f"Unit {n}", 100, resource_id=f"unit-{n}", tag="bench")
        urls.append(platform.url(f"/api/lti/courses/{COURSE}/lineitems/{item.id}"))
        for i, user in enumerate(learners):
            platform.record_score(item, "platform", {
                "userId": user, "scoreGiven": (i * 7 + n) % 101, "scoreMaximum": 100, "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "timestamp": "2026-01-01T10:00:00+00:00"})
    return urls


def plain_fetch(live: Live, tokens: dict[str, str], lineitem_urls: list[str]) -> tuple[float, int]:
    """The same pages with plain requests: follow rel=next, decode JSON, store nothing."""
    http = requests.Session()
    count = 0

    def walk(url: str, accept: str, token: str, params: dict[str, str] | None) -> None:
        nonlocal count
        next_url: str | None = url
        while next_url:
            response = http.get(next_url, params=params, timeout=30,
                                headers={"Accept": accept, "Authorization": f"Bearer {token}"})
            response.raise_for_status()
            response.json()
            count += 1
            params = None
            next_url = response.links.get("next", {}).get("url")

    started = time.perf_counter()
    walk(live.platform.url(f"/api/lti/courses/{COURSE}/memberships"), MEMBERSHIP_CONTAINER, tokens["nrps"],
         {"limit": str(PAGE_SIZE)})
    for url in lineitem_urls:
        walk(service_url(url, "results"), RESULT_CONTAINER, tokens["ags"], {"limit": str(PAGE_SIZE)})
    return time.perf_counter() - started, count


def plain_tokens(live: Live) -> dict[str, str]:
    """One token per service, fetched (untimed) the way the baseline would, with the tool's own client."""
    with live.session() as session:
        course = live.course(session)
        connectors = live.connectors(session, course)
        assert connectors.nrps is not None and connectors.ags is not None
        nrps = connectors.nrps.tokens.call_with_token({SCOPE_MEMBERSHIP_READONLY}, lambda t: t)
        ags = connectors.ags.tokens.call_with_token({SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY}, lambda t: t)
    return {"nrps": nrps, "ags": ags}


def ours(live: Live) -> tuple[float, int, Any]:
    count = [0]
    http = live.app.extensions["bridge"].http
    hook = http.hooks.setdefault("response", [])

    def counter(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        count[0] += 1

    hook.append(counter)
    with live.session() as session:
        course = live.course(session)
        started = time.perf_counter()
        report = sync_course(session, course, live.connectors(session, course), page_size=PAGE_SIZE)
        elapsed = time.perf_counter() - started
    hook.remove(counter)
    return elapsed, count[0], report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        live = start_live(Path(tmp), page_size=PAGE_SIZE, members=args.members)
        try:
            live.lti.register()
            live.lti.launch("instructor-1", "rl-quiz")
            lineitem_urls = seed_gradebook(live) + [live.platform.url(f"/api/lti/courses/{COURSE}/lineitems/1")]
            tokens = plain_tokens(live)
            plain_runs = [plain_fetch(live, tokens, lineitem_urls)]
            ours_s, ours_requests, report = ours(live)
            plain_runs.append(plain_fetch(live, tokens, lineitem_urls))
        finally:
            stop_live(live)
    plain_s = min(run[0] for run in plain_runs)
    plain_requests = plain_runs[0][1]
    ratio = ours_s / plain_s
    if args.json:
        print(json.dumps({"metric": "sync_10k", "value": round(ours_s, 3), "unit": "s",
                          "baseline": round(plain_s, 3), "ratio": round(ratio, 3)}))
        return
    print(f"members {report.members}, line items {report.line_items}, results {report.results}")
    print(f"plain requests : {plain_s:7.2f} s  {plain_requests:5d} requests  {plain_requests / plain_s:7.1f} req/s")
    print(f"bridge sync    : {ours_s:7.2f} s  {ours_requests:5d} requests  {ours_requests / ours_s:7.1f} req/s")
    print(f"ratio          : {ratio:7.2f} × plain (target ≤ 1.3)")
    print(report.summary())


if __name__ == "__main__":
    main()
