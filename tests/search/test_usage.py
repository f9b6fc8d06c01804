"""Usage counts (search, export, record view) are kept off the request path: a GET writes nothing; the uses wait
in a buffer that flush_usage(), the background writer and the app's shutdown write."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from ipbureau.auth.models import User
from ipbureau.search import usage
from ipbureau.search.models import SearchUsage
from ipbureau.search.usage import count_use, discard_pending, flush_usage
from tests.conftest import bearer, login


@pytest.fixture(autouse=True)
def _no_usage_from_earlier_tests():
    discard_pending()
    yield
    discard_pending()


def _rows(db) -> list[tuple]:
    return [(u.kind, u.query_text, u.user_id, u.result_count)
            for u in db.scalars(select(SearchUsage).order_by(SearchUsage.id))]


def test_a_search_writes_nothing_in_its_request_and_is_counted_when_the_buffer_is_written(client, users, db):
    headers = bearer(client, "public_user")
    response = client.get("/api/search", params={"q": "image"}, headers=headers)
    assert response.status_code == 200, response.text
    assert db.scalar(select(func.count()).select_from(SearchUsage)) == 0
    assert usage.pending() == 1
    assert flush_usage() == 1
    assert _rows(db) == [("search", "image", users["public"].id, 0)]
    assert flush_usage() == 0  # written once


def test_the_app_shutdown_writes_the_uses_left(app, users, db):
    with TestClient(app) as client:
        login(client, "public_user")
        assert client.get("/search", params={"q": "混凝土"}).status_code == 200
        assert client.get("/search/export", params={"q": "混凝土", "fmt": "csv"}).status_code == 200
    assert usage.pending() == 0
    assert [(kind, text) for kind, text, _, _ in _rows(db)] == [("search", "混凝土"), ("export", "混凝土")]


def test_the_background_writer_writes_every_n_uses_without_being_asked(monkeypatch, db, users):
    # The suite binds every session to one connection, which a second thread must not use (the writer then waits
    # for the shutdown): here the writer is let through, while this thread stays off the database until it is done.
    monkeypatch.setattr(usage, "_sessions_share_one_connection", lambda: False)
    monkeypatch.setattr(usage, "ROWS_PER_WRITE", 2)
    usage.start_usage_writer(interval=60)  # only the number of waiting uses can wake it in time
    try:
        count_use(users["public"], "view", query_text="CN202110000001.1", result_count=1)
        count_use(None, "search", query_text="传感器", filters={"dataset": "real"}, result_count=7)
        deadline = time.monotonic() + 10
        while usage.pending() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert usage.pending() == 0
    finally:
        usage.stop_usage_writer()  # waits for the writer's last write
    assert _rows(db) == [("view", "CN202110000001.1", users["public"].id, 1), ("search", "传感器", None, 7)]
    assert db.scalar(select(SearchUsage.filters).where(SearchUsage.kind == "search")) == {"dataset": "real"}


def test_a_use_by_an_account_deleted_since_counts_as_anonymous(db, users):
    count_use(users["agency"], "search", query_text="x" * 600 + "\x00")
    db.execute(delete(User).where(User.id == users["agency"].id))
    db.flush()
    assert flush_usage() == 1
    assert _rows(db) == [("search", "x" * 500, None, 0)]


def test_uses_are_kept_when_a_write_fails(monkeypatch, db, users):
    count_use(users["public"], "search", query_text="a")

    def refuse(_rows):
        raise RuntimeError("database away")

    monkeypatch.setattr(usage, "_write", refuse)
    with pytest.raises(RuntimeError):
        flush_usage()
    assert usage.pending() == 1
    monkeypatch.undo()
    assert flush_usage() == 1
    assert _rows(db) == [("search", "a", users["public"].id, 0)]
