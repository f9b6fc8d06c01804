"""Fixtures of the session and throttling tests: a clock the test moves, clients from chosen addresses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from ipbureau.auth import sessions
from ipbureau.database.core import utcnow


class Clock:
    """The sessions' and the throttle's ``now``, moved by the test."""

    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(autouse=True)
def _no_seen_notes_of_other_tests() -> Iterator[None]:
    sessions.discard_seen()
    yield
    sessions.discard_seen()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(sessions, "now", moved)
    return moved


@pytest.fixture
def client_from(app) -> Iterator:
    """``client_from("10.0.0.7")``: a test client whose requests come from that address."""
    made: list[TestClient] = []

    def make(address: str) -> TestClient:
        client = TestClient(app, client=(address, 50000))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
