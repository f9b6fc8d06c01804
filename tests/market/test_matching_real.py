"""The matching engine on real text (issue 14): the hand-written labelled set, generic words that must not
dominate, the one engine behind demand → patents, patent → enterprises and the patent page's similar patents,
vectors recorded with their model, and the real e5 model on a handful of real records."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from ipbureau.market import embeddings, matching
from ipbureau.market.models import PatentEmbedding
from ipbureau.ranking.encoders import E5Small, PassageViews
from ipbureau.ranking.engine import WEIGHTS, TextIndex, Weights
from ipbureau.ranking.terms import STOP_TERMS, terms
from tests.conftest import login
from tests.market.test_market import _published, add_patent

DATA = Path(__file__).resolve().parents[1] / "data" / "matching"


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


PATENTS = _jsonl("real_patents.jsonl")
NEEDS = _jsonl("real_needs.jsonl")
BY_NUMBER = {p["application_no"]: p for p in PATENTS}


# ---- the labelled set ------------------------------------------------------------------------------------

def test_labelled_set_is_real_graded_and_split():
    assert len(PATENTS) == 209 and len(BY_NUMBER) == 209
    assert sum(n["lang"] == "zh" for n in NEEDS) >= 100 and sum(n["lang"] == "en" for n in NEEDS) >= 30
    for need in NEEDS:
        assert set(need["relevant"]) <= set(BY_NUMBER), need["id"]
        assert sorted(need["relevant"].values(), reverse=True)[0] == 2, need["id"]
        assert list(need["relevant"].values()).count(2) == 1, need["id"]
        assert set(need["relevant"].values()) <= {1, 2}
        intended = next(BY_NUMBER[no] for no, g in need["relevant"].items() if g == 2)
        # Written in an enterprise's words: the need does not quote the patent's title.
        assert intended["title"].removeprefix("一种") not in need["text"], need["id"]
    for lang in ("zh", "en"):
        halves = [n["split"] for n in NEEDS if n["lang"] == lang]
        assert abs(halves.count("dev") - halves.count("test")) <= 1


# ---- term weighting --------------------------------------------------------------------------------------

def _portable_corpus() -> list[str]:
    """Real titles, every fourth carrying （便携式） as the demo's titles do, plus a bottle cap."""
    titles = [p["title"] + ("（便携式）" if i % 4 == 0 else "") for i, p in enumerate(PATENTS)]
    return titles + ["一种防漏瓶盖", "饮料瓶盖密封结构"]


def test_generic_word_learned_from_the_corpus_does_not_dominate():
    texts = _portable_corpus()
    index = TextIndex(texts, np.zeros((len(texts), 4)), weights=Weights(0.25, 0.75, 0.78, 0.93, 0.05, 100))
    assert "便携式" in index.term_weights.generic and index.term_weights.weight("便携式") == 0
    assert index.term_weights.weight("瓶盖") > 0 and "瓶盖" not in index.term_weights.generic
    scores = index.scores(terms("瓶盖（便携式）"), None)
    assert scores.query_terms == ["瓶盖"]
    best = np.argsort(-scores.combined)[:2]
    assert sorted(texts[i] for i in best) == ["一种防漏瓶盖", "饮料瓶盖密封结构"]
    portable = [i for i, t in enumerate(texts) if "便携式" in t]
    assert scores.bm25[portable].max() == 0  # sharing only the generic word scores nothing
    assert index.shared_terms(terms("瓶盖（便携式）"), portable[0]) == []
    # Below min_docs nothing is learned: in a small corpus a frequent word can still be the meaningful one.
    small = TextIndex(texts[:20], np.zeros((20, 4)), weights=Weights(0.25, 0.75, 0.78, 0.93, 0.05, 100))
    assert small.term_weights.generic == frozenset()


def test_bm25_is_the_share_of_the_query_wording_covered():
    texts = ["钢轨接头夹板", "钢轨焊接矫直", "沥青搅拌设备"]
    index = TextIndex(texts, np.zeros((3, 4)), weights=Weights(0.5, 0.5, 0.7, 0.9, 1.0, 0))
    scores = index.scores(terms("钢轨接头夹板"), None)
    assert scores.bm25[0] > scores.bm25[1] > scores.bm25[2] == 0
    # Covering one of the query's two words is not "the best match there is" (the old max-normalisation gave 1.0).
    either = index.scores(terms("钢轨 沥青"), None)
    assert 0 < either.bm25.max() < 1 and either.bm25[2] > 0
    assert {"一种", "装置", "提高", "产品", "方法", "系统"} <= STOP_TERMS


# ---- the real model on a handful of real records ---------------------------------------------------------

def test_real_e5_ranks_the_intended_patent_for_needs_in_other_words():
    chosen = [n for n in NEEDS if n["id"] in ("zh-001", "en-013")]
    numbers = list(dict.fromkeys(no for n in chosen for no in n["relevant"]))
    numbers += [p["application_no"] for p in PATENTS[150:154] if p["application_no"] not in numbers]
    texts = [embeddings.patent_embedding_text(BY_NUMBER[no]["title"], BY_NUMBER[no]["abstract"]) for no in numbers]
    encoder = PassageViews(E5Small(), embeddings.VIEWS, embeddings.shorten)  # the app's
    assert encoder.name == f"{E5Small.name}|64+512"
    vectors = encoder.passages(texts)
    # The mean of two unit vectors (the short and the whole view): shorter than 1 unless the views agree.
    norms = np.linalg.norm(vectors, axis=1)
    assert vectors.shape == (len(texts), 384) and (norms > 0.5).all() and (norms <= 1 + 1e-4).all()
    index = TextIndex([BY_NUMBER[no]["title"] + "。" + BY_NUMBER[no]["abstract"][:160] for no in numbers], vectors)
    for need in chosen:
        intended = next(no for no, g in need["relevant"].items() if g == 2)
        scores = index.scores(terms(need["text"]), encoder.queries([need["text"]])[0])
        assert numbers[int(np.argmax(scores.combined))] == intended, need["id"]


# ---- stored vectors and their model ---------------------------------------------------------------------

def test_vectors_of_another_model_are_ignored_and_re_embedded(db, enterprise, bigram_encoder):
    patent = add_patent(db, enterprise, title="一种防漏瓶盖")
    text = embeddings.patent_embedding_text(patent.title, patent.abstract)
    db.add(PatentEmbedding(patent_id=patent.id, model="use-multilingual-v3", text_hash="x" * 64,
                           vector=np.ones(512, np.float32).tobytes(), computed_at=patent.created_at))
    db.flush()
    assert not embeddings.current_vectors(db, [(patent.id, text)])[0].any()
    assert embeddings.stale(db, [(patent.id, text)]) == [(patent.id, text)]

    @contextlib.contextmanager
    def this_session():
        yield db

    assert embeddings.embed_missing(this_session)["专利"] == 0  # not on offer: only ``--all`` embeds it
    assert embeddings.embed_missing(this_session, every_patent=True)["专利"] >= 1
    row = db.get(PatentEmbedding, patent.id)
    assert row.model == bigram_encoder.name and len(row.vector) == 4 * bigram_encoder.dim
    assert embeddings.current_vectors(db, [(patent.id, text)])[0].any()
    assert embeddings.stale(db, [(patent.id, text)]) == []


# ---- one engine: similar patents on the patent page ------------------------------------------------------

def test_patent_page_lists_similar_patents_on_offer_without_writing(client, db, users, enterprise, bigram_encoder):
    caps = [add_patent(db, enterprise, title=t, ipc="B65D41/04") for t in ("一种防漏瓶盖", "饮料瓶盖密封结构")]
    drill = add_patent(db, enterprise, title="钻井装置", ipc="E21B7/02")
    for p in (caps[1], drill):
        _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[p])
    # The offer's vectors (the background job after the listings' commits) and the unlisted patent's (--all).
    embeddings.ensure_patent_embeddings(db, [caps[0].id, caps[1].id, drill.id])
    db.commit()
    matching.forget_index()
    similar = matching.similar_patents(db, caps[0])
    assert [m.candidate.patent_id for m in similar][0] == caps[1].id
    assert caps[0].id not in [m.candidate.patent_id for m in similar]
    top = similar[0]
    assert top.shared_terms == ["瓶盖"]
    assert "同一 IPC 大组：B65D41" in top.reasons and top.reasons[-1].startswith("语义相似度 ")
    stored = db.scalar(select(func.count()).select_from(PatentEmbedding))
    login(client, "bureau_staff_user")
    page = client.get(f"/patents/{caps[0].id}")
    assert page.status_code == 200 and "相似的在售专利" in page.text and "<mark>瓶盖</mark>" in page.text
    assert db.scalar(select(func.count()).select_from(PatentEmbedding)) == stored  # a GET embeds nothing


def test_patent_without_a_vector_ranks_by_terms_and_says_so(db, users, enterprise, bigram_encoder):
    cap = add_patent(db, enterprise, title="饮料瓶盖密封结构", ipc="B65D41/04")
    _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[cap])
    db.execute(PatentEmbedding.__table__.delete())
    db.commit()
    matching.forget_index()
    query = matching.Query(text="瓶盖漏水，想找密封好的瓶盖")
    index = matching.candidate_index(db)
    found = index.rank(query, embeddings.encode_queries([query.text])[0])
    assert found[0].candidate.patent_id == cap.id and found[0].cosine is None
    assert found[0].reasons[-1] == "该专利尚无语义向量（后台补算后计入），仅按关键词"


def test_the_app_uses_one_set_of_text_weights():
    assert (matching.W_BM25, matching.W_EMBEDDING) == (WEIGHTS.bm25, WEIGHTS.embedding)
    assert embeddings.model_name() in (f"{E5Small.name}|64+512", "test-char-bigrams")


def test_similar_patents_of_a_patent_without_a_vector_rank_by_terms_and_say_so(db, users, enterprise, bigram_encoder):
    unlisted = add_patent(db, enterprise, title="一种防漏瓶盖", ipc="B65D41/04")
    listed = add_patent(db, enterprise, title="饮料瓶盖密封结构", ipc="B65D41/04")
    _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[listed])
    embeddings.ensure_patent_embeddings(db, [listed.id])  # the offer has its vector; the unlisted patent has none
    db.commit()
    matching.forget_index()
    similar = matching.similar_patents(db, unlisted)
    assert [m.candidate.patent_id for m in similar] == [listed.id] and similar[0].cosine is None
    assert similar[0].shared_terms == ["瓶盖"]
    assert similar[0].reasons[-1] == "本专利尚无语义向量（未挂牌的专利由 ipbureau embed-missing --all 计算），仅按关键词"
