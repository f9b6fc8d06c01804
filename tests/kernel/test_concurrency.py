"""Twenty people at once on the search page and the statistics page of a served instance.

Each request holds exactly one database connection (one unit of work per request), so the pool can never be
exhausted by requests waiting for a second connection of their own: before, 15 users on the search page
waited 30.5 s each (pool time-out) and 20 on the statistics page got nothing. The outcome is asserted (every
answer a 200 page); the latencies are printed, not asserted.
"""

from __future__ import annotations

import re
import statistics
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.committing

CLIENTS = 20
ROUNDS = 3
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _session_cookie(base: str, username: str) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(f"{base}/login") as page:
        cookie = page.headers["set-cookie"].split(";")[0]
        token = CSRF_RE.search(page.read().decode()).group(1)
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token,
                                   "next": "/"}).encode()
    request = urllib.request.Request(f"{base}/login", data=body, headers={"Cookie": cookie})
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:  # the 303 after a successful login
        assert answer.code == 303, answer.code
        return answer.headers["set-cookie"].split(";")[0]
    raise AssertionError("login did not redirect")


def test_twenty_clients_on_search_and_statistics_pages(live_server, users, capsys):
    cookie = _session_cookie(live_server, users["bureau_staff"].username)
    paths = ["/search?q=%E7%94%B5%E6%B1%A0", "/stats", "/search", "/stats?year=2023"]

    def one_client(number: int) -> list[tuple[int, float]]:
        results = []
        for round_ in range(ROUNDS):
            path = paths[(number + round_) % len(paths)]
            started = time.perf_counter()
            request = urllib.request.Request(live_server + path, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            results.append((status, time.perf_counter() - started))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = [r for batch in pool.map(one_client, range(CLIENTS)) for r in batch]
    statuses = [status for status, _ in outcomes]
    latencies = sorted(seconds for _, seconds in outcomes)
    with capsys.disabled():
        print(f"\n{CLIENTS} clients × {ROUNDS}: median {statistics.median(latencies):.2f} s, "
              f"max {latencies[-1]:.2f} s")
    assert len(statuses) == CLIENTS * ROUNDS
    assert statuses == [200] * len(statuses)
