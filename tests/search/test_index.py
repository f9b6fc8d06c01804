"""The index's one reused searcher: reloaded on this process's commits at once, and on another process's commits
(another PatentIndex object on the same directory, as a second server worker has) within RELOAD_CHECK_S."""

from __future__ import annotations

import time

from ipbureau.search import index as index_module
from ipbureau.search import service
from ipbureau.search.index import IndexDoc, IndexQuery, PatentIndex, encode, tokenize
from ipbureau.search.schemas import PatentQuery
from tests.search.test_search import APP_MIXER, own  # noqa: F401 (own is a fixture)


def _doc(patent_id: int, title: str) -> IndexDoc:
    return IndexDoc(id=patent_id, application_no=f"20211{patent_id:07d}X", publication_no=None,
                    title=" ".join(tokenize(title)), abstract="", claims="", applicants="", patent_type="invention",
                    legal_status="valid", district_code="120116", province_code="12", dataset="own",
                    ipc_prefixes=["H04N", "H04N5/00"], filing=20210301, grant=0)


def _found(index: PatentIndex, word: str) -> list[int]:
    return index.search(IndexQuery(words=[word])).ids


def test_a_commit_by_another_index_object_is_seen_within_the_bound(tmp_path):
    writer_side, reader_side = PatentIndex(tmp_path / "index"), PatentIndex(tmp_path / "index")
    assert _found(reader_side, "激光雷达") == []  # the reader now holds a searcher from before the commit
    writer_side.write([_doc(7, "车载激光雷达")])
    assert _found(writer_side, "激光雷达") == [7]  # the writing object sees its commit at once
    time.sleep(index_module.RELOAD_CHECK_S)
    assert _found(reader_side, "激光雷达") == [7]
    writer_side.write(delete_ids=[7])
    time.sleep(index_module.RELOAD_CHECK_S)
    assert _found(reader_side, "激光雷达") == []


def test_index_patents_is_seen_by_a_second_worker_within_the_bound(db, own, test_env):
    from pathlib import Path

    other_worker = PatentIndex(Path(test_env["IPBUREAU_SEARCH_INDEX_DIR"]).resolve())
    mixer = own[APP_MIXER]
    assert [h.id for h in service.search(db, PatentQuery(q="混凝土"), record=False).hits] == [mixer]
    assert _found(other_worker, "混凝土") == [mixer]
    service.remove_patents([mixer])
    time.sleep(index_module.RELOAD_CHECK_S)
    assert _found(other_worker, "混凝土") == []
    service.index_patents(db, [mixer])
    time.sleep(index_module.RELOAD_CHECK_S)
    assert mixer in _found(other_worker, "混凝土")


def test_hits_come_back_in_rank_order_with_ids_from_the_column_store(tmp_path):
    index = PatentIndex(tmp_path / "index")
    index.write([_doc(1, "图像 传感器"), _doc(2, "图像 传感器 图像"), _doc(3, "混凝土")])
    result = index.search(IndexQuery(words=["图像"]))
    assert result.total == 2 and set(result.ids) == {1, 2}
    assert result.scores == sorted(result.scores, reverse=True)
    newest = index.search(IndexQuery(), limit=3)
    assert newest.ids == [3, 2, 1]  # same filing date: highest id first


def test_encoded_document_omits_empty_fields():
    encoded = encode(_doc(5, "图像"))
    assert '"abstract"' not in encoded and '"publication_no"' not in encoded
    assert '"ipc": ["H04N", "H04N5/00"]' in encoded
