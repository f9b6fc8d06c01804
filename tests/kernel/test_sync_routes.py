"""Database work never runs on the event loop (core.forms.posted_form says why).

Found with twelve people signing in at once on ``make demo`` (SQLite, one process): seven got a 503 after exactly
the ten-second busy timeout. The login route was ``async def``: its password check and its UPDATE ran on the event
loop, and a second login waiting there for SQLite's write lock kept the first one's commit from ever being
scheduled. Every route that uses the request's session is therefore a plain ``def`` (FastAPI runs it in the
thread pool), and so is every dependency that uses it; only reading the request (its form, its files) is async.
"""

from __future__ import annotations

import inspect
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.dependencies.models import Dependant

from ipbureau.core.uow import get_db
from tests.conftest import PASSWORD
from tests.kernel.routes import _api_routes
from tests.kernel.test_concurrency import CSRF_RE, _NoRedirect


def _uses_session(dependant: Dependant) -> bool:
    return any(sub.call is get_db or _uses_session(sub) for sub in dependant.dependencies)


def _async_users_of_session(dependant: Dependant, path: list[str]) -> list[str]:
    """The coroutine functions in a route's dependency tree that take the session themselves. (An async dependency
    over a sync one that uses it, as ``current_user`` over ``optional_user``, is fine: the sync one runs in the
    thread pool and hands over its result.)"""
    found = []
    for sub in dependant.dependencies:
        name = getattr(sub.call, "__qualname__", repr(sub.call))
        if inspect.iscoroutinefunction(sub.call) and any(inner.call is get_db for inner in sub.dependencies):
            found.append(" → ".join([*path, name]))
        found += _async_users_of_session(sub, [*path, name])
    return found


def test_every_route_that_uses_the_session_runs_in_the_thread_pool(app):
    offenders, checked = [], 0
    for path, route in _api_routes(list(app.routes)):
        if not _uses_session(route.dependant):
            continue
        checked += 1
        where = f"{sorted(route.methods)} {path}"
        if inspect.iscoroutinefunction(route.endpoint):
            offenders.append(f"{where}: async def {route.endpoint.__qualname__}")
        offenders += [f"{where}: {chain}" for chain in _async_users_of_session(route.dependant, [])]
    assert checked > 200  # the check saw the app's routes, not an empty list
    assert offenders == [], "\n".join(offenders)


LOGINS = 12


@pytest.mark.committing
def test_twelve_people_signing_in_at_once_all_get_in(live_server, users):
    """The reproduction: every login is answered with its redirect, none with a 503 after the busy timeout."""
    names = [user.username for user in users.values()]

    def sign_in(number: int) -> int:
        opener = urllib.request.build_opener(_NoRedirect)
        with opener.open(f"{live_server}/login", timeout=30) as page:
            cookie = page.headers["set-cookie"].split(";")[0]
            token = CSRF_RE.search(page.read().decode()).group(1)
        body = urllib.parse.urlencode({"username": names[number % len(names)], "password": PASSWORD,
                                       "csrf_token": token, "next": "/"}).encode()
        try:
            opener.open(urllib.request.Request(f"{live_server}/login", data=body, headers={"Cookie": cookie}),
                        timeout=30)
        except urllib.error.HTTPError as answer:
            return answer.code
        return 200

    with ThreadPoolExecutor(LOGINS) as pool:
        answers = list(pool.map(sign_in, range(LOGINS)))
    assert answers == [303] * LOGINS
