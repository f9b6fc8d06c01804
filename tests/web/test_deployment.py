"""The documented deployment, started for real: deploy/ipbureau.service's `ipbureau serve` command line with two
worker processes on a database of its own, smoke-tested and stopped (issue 11.2).

The PostgreSQL run needs the test PostgreSQL server (IPBUREAU_TEST_DATABASE_URL, scripts/pg-test-server.sh) and is
skipped without it; the SQLite run (WAL, two workers on one file) always runs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.web.served import ServedInstance, fresh_postgres_database, instance_environment, login_cookie, run_cli

PG_URL = os.environ.get("IPBUREAU_TEST_DATABASE_URL", "")
PASSWORD = "deploy-smoke-42"


def _get(url: str, cookie: str | None = None) -> tuple[int, str, Message]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode(), response.headers


def _prepare(env: dict[str, str]) -> None:
    run_cli(env, "migrate")
    run_cli(env, "load-reference")
    run_cli(env, "create-user", "deploy_staff", "--role", "bureau_staff", "--password", PASSWORD,
            "--display-name", "部署冒烟测试")


def _smoke(instance: ServedInstance) -> None:
    assert len(instance.worker_pids()) >= 2, "uvicorn did not start two workers"
    status, body, _ = _get(f"{instance.base}/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"
    status, body, headers = _get(f"{instance.base}/login")
    assert status == 200 and 'name="csrf_token"' in body
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    cookie = login_cookie(instance.base, "deploy_staff", PASSWORD)
    # Several pages in a row: with two workers they are answered by both, which share the signed-in session.
    for path in ("/", "/search", "/imports", "/"):
        status, body, _ = _get(instance.base + path, cookie)
        assert status == 200 and "部署冒烟测试" in body, path
    token = urllib.request.Request(f"{instance.base}/api/auth/token", method="POST",
                                   data=json.dumps({"username": "deploy_staff", "password": PASSWORD}).encode(),
                                   headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(token, timeout=30) as response:
        assert response.status == 200 and json.loads(response.read())["access_token"]


def test_two_workers_on_sqlite_in_wal_mode(tmp_path: Path):
    env = instance_environment(tmp_path / "var", None)
    _prepare(env)
    database = tmp_path / "var" / "ipbureau.db"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    instance = ServedInstance(env, workers=2, log_path=tmp_path / "serve.log")
    with instance:
        _smoke(instance)
    assert instance.process.returncode == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL is not the test database")
def test_two_workers_on_postgresql(tmp_path: Path):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = fresh_postgres_database(PG_URL, f"ipbureau_deploy_{worker}")
    env = instance_environment(tmp_path / "var", url)
    _prepare(env)
    instance = ServedInstance(env, workers=2, log_path=tmp_path / "serve.log")
    with instance:
        _smoke(instance)
    assert instance.process.returncode == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
