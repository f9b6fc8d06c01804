"""Vectors are computed after the commit that needs them, in a background thread, and never in a request: a listing
published and a demand posted lead to stored vectors, and reading matches (pages and API) encodes nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from ipbureau.enterprises.models import Enterprise
from ipbureau.market import embeddings, matching
from ipbureau.market.models import DemandEmbedding, PatentEmbedding
from tests.conftest import bearer, login
from tests.market.conftest import CharacterBigramEncoder
from tests.market.test_market import _published, add_patent, add_user

pytestmark = pytest.mark.committing  # the background thread reads what the test committed on its own connection


class CountingEncoder(CharacterBigramEncoder):
    """The bigram encoder, counting what it encodes and in which thread."""

    name = "test-counting-bigrams"

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def passages(self, texts):
        self.calls.append((threading.current_thread().name, len(texts)))
        return self._encode(texts)

    def queries(self, texts):
        self.calls.append((threading.current_thread().name, len(texts)))
        return self._encode(texts)


@pytest.fixture
def counting_encoder():
    encoder = CountingEncoder()
    previous = embeddings.use_encoder(encoder)
    matching.forget_index()
    yield encoder
    embeddings.wait_for_background()
    embeddings.use_encoder(previous)
    matching.forget_index()


def test_publication_and_a_posted_demand_lead_to_vectors_without_any_get_encoding(client, db, users, enterprise,
                                                                                  counting_encoder):
    buyer = Enterprise(credit_code="91120000MA05N5L64B", name="天津需求方电池有限公司", district_code="120116")
    db.add(buyer)
    db.commit()
    add_user(db, "buyer_ent", "需求方", enterprise=buyer)
    separator = add_patent(db, enterprise, title="一种锂离子电池隔膜及其制备方法", ipc="H01M50/403")
    cleaner = add_patent(db, enterprise, title="一种混凝土搅拌运输车的清洗装置", ipc="B28C5/42")
    db.commit()
    embeddings.wait_for_background()
    assert counting_encoder.calls == []  # nothing on offer yet, no demand: nothing to embed
    for patent in (separator, cleaner):
        _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[patent])  # commits
    embeddings.wait_for_background()
    stored = {row.patent_id: row.model for row in db.scalars(select(PatentEmbedding))}
    assert stored == {separator.id: counting_encoder.name, cleaner.id: counting_encoder.name}
    assert {thread for thread, _ in counting_encoder.calls} == {"embed-missing"}

    headers = bearer(client, "buyer_ent")
    created = client.post("/api/market/demands", headers=headers, json={
        "description": "我司生产动力电池，需要提高锂电池隔膜耐热性的涂覆技术", "title": "锂电池隔膜耐热涂覆技术"})
    assert created.status_code == 201
    demand_id = created.json()["id"]
    embeddings.wait_for_background()
    db.expire_all()
    row = db.get(DemandEmbedding, demand_id)
    assert row is not None and row.model == counting_encoder.name

    encoded = len(counting_encoder.calls)
    matches = client.get(f"/api/market/demands/{demand_id}/matches", headers=headers).json()["items"]
    assert matches[0]["patent"]["id"] == separator.id and matches[0]["cosine"] is not None
    login(client, "bureau_staff_user")
    assert client.get(f"/market/demands/{demand_id}").status_code == 200
    assert client.get(f"/patents/{separator.id}").status_code == 200
    assert client.get(f"/api/market/patents/{separator.id}/matches",
                      headers=bearer(client, "bureau_staff_user")).status_code == 200
    embeddings.wait_for_background()
    assert len(counting_encoder.calls) == encoded  # no GET encoded anything, nor started the background job


def test_embed_missing_does_the_offer_and_open_demands_and_then_nothing(db, users, enterprise, counting_encoder):
    patent = add_patent(db, enterprise, title="一种光伏组件清扫机器人", ipc="H02S40/10")
    unlisted = add_patent(db, enterprise, title="一种中药提取物的制备工艺", ipc="A61K36/00")
    db.commit()
    _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[patent])
    embeddings.wait_for_background()
    db.execute(PatentEmbedding.__table__.delete())  # as after a model change, or a database restored without them
    db.commit()
    embeddings.wait_for_background()
    assert embeddings.embed_missing() == {"技术需求": 0, "专利": 1}
    assert embeddings.embed_missing() == {"技术需求": 0, "专利": 0}  # computed once
    assert embeddings.embed_missing(every_patent=True) == {"技术需求": 0, "专利": 1}  # the unlisted one, with --all
    assert {r.patent_id for r in db.scalars(select(PatentEmbedding))} == {patent.id, unlisted.id}


def test_a_server_process_embeds_what_is_missing_when_it_starts(db, users, enterprise, counting_encoder, monkeypatch):
    """After `make demo`, a restore or a model change the vectors are missing: each server process starts the
    background embedding when it starts (the suite turns this off everywhere else)."""
    from fastapi.testclient import TestClient

    from ipbureau.app import create_app
    from ipbureau.config import get_settings

    separator = add_patent(db, enterprise, title="一种锂离子电池隔膜及其制备方法", ipc="H01M50/403")
    embeddings.defer_background(db)  # as the demo generator does: no vectors from the commit itself
    _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[separator])
    embeddings.wait_for_background()
    assert db.scalars(select(PatentEmbedding)).all() == []

    monkeypatch.setenv("IPBUREAU_EMBED_MISSING_AT_START_UP", "true")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()):  # runs the application's start-up
            embeddings.wait_for_background()
    finally:
        monkeypatch.setenv("IPBUREAU_EMBED_MISSING_AT_START_UP", "false")  # as the suite has it
        get_settings.cache_clear()
    db.expire_all()
    assert [row.patent_id for row in db.scalars(select(PatentEmbedding))] == [separator.id]
    assert {thread for thread, _ in counting_encoder.calls} == {"embed-missing"}
