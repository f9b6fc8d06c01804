"""The patent full-text index: tantivy behind a small interface.

Nothing outside this module touches tantivy. Text reaches the index already
tokenised by jieba (words joined by spaces) and is split again on whitespace,
so indexing and querying share one tokeniser and another engine could replace
this one by implementing ``PatentIndex`` over the same ``IndexDoc``/``IndexQuery``.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jieba
import tantivy

from ipbureau.config import get_settings

jieba.setLogLevel(logging.WARNING)

TOKENIZER = "jieba_ws"
TEXT_FIELDS = ("title", "abstract", "claims", "applicants")
# Title matches count most, then abstract, then claims; applicants rank like claims.
FIELD_BOOSTS = {"title": 3.0, "abstract": 1.5, "claims": 1.0, "applicants": 1.0}
# A document matching every query word outranks one matching only some.
ALL_WORDS_BOOST = 2.0
MAX_QUERY_TOKENS = 64
MAX_TOKEN_CHARS = 60
WRITER_HEAP_BYTES = 64_000_000
NEWEST_ID_SPAN = 10_000_000_000

# Bump when the schema or the tokenisation changes: an index written by another
# version is discarded on open and rebuilt by `ipbureau migrate` (or `reindex`).
SCHEMA_VERSION = "2"
VERSION_FILE = "ipbureau-index-version"

_NOT_A_WORD = re.compile(r"^[\W_]+$")
_WRITE_LOCK = threading.Lock()


def tokenize(text: str | None) -> list[str]:
    """jieba's search-mode words, lowercased, without whitespace or punctuation."""
    if not text:
        return []
    return [t.lower() for t in jieba.cut_for_search(text) if t.strip() and not _NOT_A_WORD.match(t)]


def date_key(value: date | None) -> int:
    """Dates as yyyymmdd integers: ordered, range-queryable and 0 when unknown."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


@dataclass
class IndexDoc:
    """One patent as the index sees it; text fields hold jieba tokens joined by spaces."""

    id: int
    application_no: str
    publication_no: str | None
    title: str
    abstract: str
    claims: str
    applicants: str
    patent_type: str
    legal_status: str
    district_code: str | None
    province_code: str | None
    dataset: str
    ipc_prefixes: list[str]
    filing: int
    grant: int


@dataclass
class IndexQuery:
    """A query in index terms: words to rank by, exact terms and ranges to filter by."""

    words: list[str] = field(default_factory=list)
    # Each word group must match (an applicant name split into words).
    required_words: dict[str, list[str]] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    # The field must hold at least one of the values (an industry chain's IPC prefixes).
    any_terms: dict[str, list[str]] = field(default_factory=dict)
    ranges: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


@dataclass
class IndexResult:
    total: int
    ids: list[int]
    scores: list[float]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER)
    for name in ("application_no", "publication_no", "patent_type", "legal_status", "district_code", "province_code",
                 "dataset", "ipc"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("filing", indexed=True, fast=True)
    builder.add_integer_field("grant", indexed=True, fast=True)
    # Sort key for "newest first": filing date, ties broken by id so paging is stable.
    builder.add_integer_field("newest", fast=True)
    return builder.build()


class PatentIndex:
    """A tantivy index in one directory. One writer at a time; searches run concurrently."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema()
        version_file = path / VERSION_FILE
        self.discarded_outdated = False
        if (path / "meta.json").exists() and (
                not version_file.exists() or version_file.read_text().strip() != SCHEMA_VERSION):
            shutil.rmtree(path)
            self.discarded_outdated = True
        path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        version_file.write_text(SCHEMA_VERSION)
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
                    .build())
        self._index.register_tokenizer(TOKENIZER, analyzer)
        # Per process, not per object: a re-opened index must not get a second writer.
        self._write_lock = _WRITE_LOCK

    def is_present(self) -> bool:
        return (self.path / "meta.json").exists()

    # -- writing ---------------------------------------------------------------

    def _document(self, doc: IndexDoc) -> tantivy.Document:
        out = tantivy.Document()
        out.add_integer("id", doc.id)
        out.add_text("application_no", doc.application_no)
        if doc.publication_no:
            out.add_text("publication_no", doc.publication_no)
        for name in TEXT_FIELDS:
            value = getattr(doc, name)
            if value:
                out.add_text(name, value)
        out.add_text("patent_type", doc.patent_type)
        out.add_text("legal_status", doc.legal_status)
        if doc.district_code:
            out.add_text("district_code", doc.district_code)
        if doc.province_code:
            out.add_text("province_code", doc.province_code)
        out.add_text("dataset", doc.dataset)
        for prefix in doc.ipc_prefixes:
            out.add_text("ipc", prefix)
        out.add_integer("filing", doc.filing)
        out.add_integer("grant", doc.grant)
        out.add_integer("newest", doc.filing * NEWEST_ID_SPAN + doc.id)
        return out

    def write(self, docs: Iterable[IndexDoc] = (), delete_ids: Iterable[int] = (), *, clear: bool = False,
              threads: int = 1) -> int:
        """Replace documents by id (and delete others) in one commit; visible on return."""
        written = 0
        with self._write_lock:
            writer = self._index.writer(heap_size=WRITER_HEAP_BYTES * max(threads, 1), num_threads=threads)
            try:
                if clear:
                    writer.delete_all_documents()
                for patent_id in delete_ids:
                    writer.delete_documents_by_term("id", patent_id)
                for doc in docs:
                    if not clear:
                        writer.delete_documents_by_term("id", doc.id)
                    writer.add_document(self._document(doc))
                    written += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
        self._index.reload()
        return written

    def bulk_writer(self, threads: int = 0) -> BulkWriter:
        return BulkWriter(self, threads)

    # -- reading ---------------------------------------------------------------

    def _text_query(self, words: list[str]) -> tantivy.Query:
        per_word = []
        for word in words:
            per_field = [
                (tantivy.Occur.Should,
                 tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, name, word), FIELD_BOOSTS[name]))
                for name in TEXT_FIELDS
            ]
            per_word.append(tantivy.Query.boolean_query(per_field))
        any_word = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in per_word])
        if len(per_word) == 1:
            return any_word
        all_words = tantivy.Query.boost_query(
            tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in per_word]), ALL_WORDS_BOOST)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, any_word), (tantivy.Occur.Should, all_words)])

    def _build(self, query: IndexQuery) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        words = list(dict.fromkeys(query.words))[:MAX_QUERY_TOKENS]
        if words:
            clauses.append((tantivy.Occur.Must, self._text_query(words)))
        filters: list[tantivy.Query] = []
        for name, group in query.required_words.items():
            filters += [tantivy.Query.term_query(self.schema, name, w) for w in dict.fromkeys(group)]
        filters += [tantivy.Query.term_query(self.schema, name, value) for name, value in query.terms.items()]
        for name, values in query.any_terms.items():
            filters.append(tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, name, v)) for v in dict.fromkeys(values)]))
        for name, (low, high) in query.ranges.items():
            # 0 stands for an unknown date, which no date range includes.
            filters.append(tantivy.Query.range_query(self.schema, name, tantivy.FieldType.Integer,
                                                     max(low or 1, 1), high))
        # Filters select and must not move the ranking.
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def search(self, query: IndexQuery, *, offset: int = 0, limit: int = 20) -> IndexResult:
        """Ranked by BM25 when there are words, else newest filing date first (then highest id)."""
        if not self.is_present():
            return IndexResult(0, [], [])
        searcher = self._index.searcher()
        tq = self._build(query)
        if query.words:
            result = searcher.search(tq, limit=limit, offset=offset, count=True)
        else:
            result = searcher.search(tq, limit=limit, offset=offset, count=True, order_by_field="newest",
                                     order=tantivy.Order.Desc)
        ids: list[int] = []
        scores: list[float] = []
        for key, address in result.hits:
            ids.append(searcher.doc(address)["id"][0])
            scores.append(float(key) if query.words else 0.0)
        return IndexResult(result.count or 0, ids, scores)

    def count(self) -> int:
        if not self.is_present():
            return 0
        return self._index.searcher().num_docs


class BulkWriter:
    """One writer held across many batches (a full rebuild), committed once at the end."""

    def __init__(self, index: PatentIndex, threads: int) -> None:
        self._index = index
        self._threads = threads

    def __enter__(self) -> BulkWriter:
        self._index._write_lock.acquire()
        try:
            self._writer = self._index._index.writer(heap_size=WRITER_HEAP_BYTES * 4, num_threads=self._threads)
            self._writer.delete_all_documents()
        except BaseException:
            self._index._write_lock.release()
            raise
        return self

    def add(self, docs: Iterable[IndexDoc]) -> None:
        for doc in docs:
            self._writer.add_document(self._index._document(doc))

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._writer.commit()
                self._writer.wait_merging_threads()
            else:
                self._writer.rollback()
        finally:
            self._index._write_lock.release()
        if exc_type is None:
            self._index._index.reload()


_indexes: dict[Path, PatentIndex] = {}
_indexes_lock = threading.Lock()


def get_index() -> PatentIndex:
    """The index in the configured directory, re-created if the directory was removed."""
    path = get_settings().resolved_index_dir().resolve()
    with _indexes_lock:
        index = _indexes.get(path)
        if index is None or not index.is_present():
            index = PatentIndex(path)
            _indexes[path] = index
        return index
