"""The patent full-text index: tantivy behind a small interface.

Nothing outside this module touches tantivy. Text reaches the index already
tokenised by jieba (words joined by spaces) and is split again on whitespace,
so indexing and querying share one tokeniser and another engine could replace
this one by implementing ``PatentIndex`` over the same ``IndexDoc``/``IndexQuery``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jieba
import tantivy
from filelock import FileLock

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
# A search reuses one searcher; every this many seconds it looks whether meta.json changed (a commit, possibly by
# another server process) and then reloads. So a commit is visible to every process within this bound, and to the
# process that wrote it at once.
RELOAD_CHECK_S = 0.1

# Bump when the schema or the tokenisation changes: an index written by another
# version is discarded on open and rebuilt by `ipbureau migrate` (or `reindex`).
SCHEMA_VERSION = "3"
VERSION_FILE = "ipbureau-index-version"

_NOT_A_WORD = re.compile(r"^[\W_]+$")
_WRITE_LOCK = threading.Lock()
# jieba's token -> the indexed word ("" for whitespace and punctuation). Technical text reuses a small vocabulary,
# so one dict lookup replaces lower(), strip() and a regex match per token (those cost 7% over jieba itself on
# generated claims; with the lookup the difference is within noise); bounded so that a flood of distinct tokens
# cannot grow it without end.
_WORDS: dict[str, str] = {}
_WORDS_MAX = 500_000


def _word(token: str) -> str:
    word = "" if not token.strip() or _NOT_A_WORD.match(token) else token.lower()
    if len(_WORDS) < _WORDS_MAX:
        _WORDS[token] = word
    return word


def tokenize(text: str | None) -> list[str]:
    """jieba's search-mode words, lowercased, without whitespace or punctuation."""
    if not text:
        return []
    words = _WORDS
    out = []
    for token in jieba.cut_for_search(text):
        word = words.get(token)
        if word is None:
            word = _word(token)
        if word:
            out.append(word)
    return out


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


def encode(doc: IndexDoc) -> str:
    """The document as the engine takes it: a JSON object, parsed by tantivy itself (``add_json``).

    One ``json.dumps`` instead of fifteen ``Document.add_*`` calls, and a plain string is cheap to send from the
    tokenising worker processes to the writer: building tantivy Documents in Python was the writer's main cost.
    """
    out: dict[str, object] = {"id": doc.id, "application_no": doc.application_no, "patent_type": doc.patent_type,
                              "legal_status": doc.legal_status, "dataset": doc.dataset, "filing": doc.filing,
                              "grant": doc.grant, "newest": doc.filing * NEWEST_ID_SPAN + doc.id}
    for name in TEXT_FIELDS:
        value = getattr(doc, name)
        if value:
            out[name] = value
    if doc.publication_no:
        out["publication_no"] = doc.publication_no
    if doc.district_code:
        out["district_code"] = doc.district_code
    if doc.province_code:
        out["province_code"] = doc.province_code
    if doc.ipc_prefixes:
        out["ipc"] = doc.ipc_prefixes
    return json.dumps(out, ensure_ascii=False)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # Nothing is stored: hits are read by id from the id column (fast field), their values from the database.
    builder.add_integer_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        # Term frequencies for BM25, no positions: no query here is a phrase, and positions were a large part of
        # the writer's work and of the index's size.
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="freq")
    for name in ("application_no", "publication_no", "patent_type", "legal_status", "district_code", "province_code",
                 "dataset", "ipc"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("filing", indexed=True, fast=True)
    builder.add_integer_field("grant", indexed=True, fast=True)
    # Sort key for "newest first": filing date, ties broken by id so paging is stable.
    builder.add_integer_field("newest", fast=True)
    return builder.build()


def _schema_version(version_file: Path) -> str | None:
    try:
        return version_file.read_text().strip()
    except FileNotFoundError:
        return None


def writer_lock_path(index_dir: Path) -> Path:
    """The lock file that admits one index writer at a time across processes (beside the index directory)."""
    return index_dir.parent / f".{index_dir.name}.writer.lock"


class PatentIndex:
    """A tantivy index in one directory. One writer at a time; searches run concurrently."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema()
        version_file = path / VERSION_FILE
        self.discarded_outdated = False
        if (path / "meta.json").exists() and _schema_version(version_file) != SCHEMA_VERSION:
            # An index of an older schema is rebuilt from scratch; by one process at a time (several server
            # workers start together), and checked again under the lock: another may have rebuilt it meanwhile.
            with FileLock(writer_lock_path(path)):
                if (path / "meta.json").exists() and _schema_version(version_file) != SCHEMA_VERSION:
                    shutil.rmtree(path)
                    self.discarded_outdated = True
        path.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        # Reloaded by this object (``_current_searcher``): no watcher thread per process, and a stated bound.
        self._index.config_reader(reload_policy="Manual")
        if _schema_version(version_file) != SCHEMA_VERSION:
            # Replaced atomically, and only when it differs: a process starting beside this one must never read
            # it half-written (it would take the index for an outdated one and remove it under the writers).
            partial = version_file.with_name(f".{VERSION_FILE}.{os.getpid()}.tmp")
            partial.write_text(SCHEMA_VERSION)
            os.replace(partial, version_file)
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
                    .build())
        self._index.register_tokenizer(TOKENIZER, analyzer)
        # Per process, not per object: a re-opened index must not get a second writer. Across the server's worker
        # processes, a lock file beside the index makes a writer wait for another's commit (tantivy itself would
        # refuse the second writer with LockBusy); it lives outside the directory, which a rebuild may remove.
        self._write_lock = _WRITE_LOCK
        self._process_lock = FileLock(writer_lock_path(path))
        self._meta = path / "meta.json"
        self._searcher_lock = threading.Lock()
        self._searcher: tantivy.Searcher | None = None
        self._seen_meta: tuple[int, int, int] | None = None
        self._checked_at = 0.0

    def is_present(self) -> bool:
        return (self.path / "meta.json").exists()

    # -- writing ---------------------------------------------------------------

    def write(self, docs: Iterable[IndexDoc] = (), delete_ids: Iterable[int] = (), *, clear: bool = False,
              threads: int = 1) -> int:
        """Replace documents by id (and delete others) in one commit; visible on return."""
        written = 0
        with self._write_lock, self._process_lock:
            writer = self._index.writer(heap_size=WRITER_HEAP_BYTES * max(threads, 1), num_threads=threads)
            try:
                if clear:
                    writer.delete_all_documents()
                for patent_id in delete_ids:
                    writer.delete_documents_by_term("id", patent_id)
                for doc in docs:
                    if not clear:
                        writer.delete_documents_by_term("id", doc.id)
                    writer.add_json(encode(doc))
                    written += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
        self._refresh_searcher()
        return written

    def bulk_writer(self, threads: int = 0) -> BulkWriter:
        return BulkWriter(self, threads)

    # -- reading ---------------------------------------------------------------

    def _meta_stamp(self) -> tuple[int, int, int] | None:
        # tantivy replaces meta.json atomically on each commit (a new inode), so the stamp changes with it.
        try:
            st = os.stat(self._meta)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _refresh_searcher(self) -> tantivy.Searcher | None:
        with self._searcher_lock:
            stamp = self._meta_stamp()
            if stamp is None:
                self._searcher = None
            elif stamp != self._seen_meta or self._searcher is None:
                self._index.reload()
                self._searcher = self._index.searcher()
            self._seen_meta = stamp
            self._checked_at = time.monotonic()
            return self._searcher

    def _current_searcher(self) -> tantivy.Searcher | None:
        """The shared searcher, reloaded when a commit happened (checked at most every RELOAD_CHECK_S)."""
        if time.monotonic() - self._checked_at < RELOAD_CHECK_S:
            return self._searcher
        return self._refresh_searcher()

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
        searcher = self._current_searcher()
        if searcher is None:
            return IndexResult(0, [], [])
        tq = self._build(query)
        if query.words:
            result = searcher.search(tq, limit=limit, offset=offset, count=True)
        else:
            result = searcher.search(tq, limit=limit, offset=offset, count=True, order_by_field="newest",
                                     order=tantivy.Order.Desc)
        # Ids from the column store in one call: fetching each stored document decompresses a block per hit.
        ids = [int(i) for i in searcher.fast_field_values("id", [address for _, address in result.hits])]
        scores = [float(key) if query.words else 0.0 for key, _ in result.hits]
        return IndexResult(result.count or 0, ids, scores)

    def count(self) -> int:
        searcher = self._refresh_searcher()
        return searcher.num_docs if searcher is not None else 0


class BulkWriter:
    """One writer held across many batches (a full rebuild), committed once at the end."""

    def __init__(self, index: PatentIndex, threads: int) -> None:
        self._index = index
        self._threads = threads

    def __enter__(self) -> BulkWriter:
        self._index._write_lock.acquire()
        try:
            self._index._process_lock.acquire()
        except BaseException:
            self._index._write_lock.release()
            raise
        try:
            self._writer = self._index._index.writer(heap_size=WRITER_HEAP_BYTES * 4, num_threads=self._threads)
            self._writer.delete_all_documents()
        except BaseException:
            self._index._process_lock.release()
            self._index._write_lock.release()
            raise
        return self

    def add(self, docs: Iterable[IndexDoc]) -> None:
        self.add_encoded(encode(doc) for doc in docs)

    def add_encoded(self, encoded: Iterable[str]) -> None:
        """Documents already passed through ``encode`` (by the tokenising worker processes)."""
        for doc in encoded:
            self._writer.add_json(doc)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._writer.commit()
                self._writer.wait_merging_threads()
            else:
                self._writer.rollback()
        finally:
            self._index._process_lock.release()
            self._index._write_lock.release()
        if exc_type is None:
            self._index._refresh_searcher()


_indexes: dict[Path, PatentIndex] = {}
# The configured directory -> its resolved path: resolving and creating it costs syscalls worth a tenth of a search.
_resolved: dict[tuple[Path | None, Path], Path] = {}
_indexes_lock = threading.Lock()


def get_index() -> PatentIndex:
    """The index in the configured directory, re-created if the directory was removed."""
    settings = get_settings()
    key = (settings.search_index_dir, settings.data_dir)
    with _indexes_lock:
        path = _resolved.get(key)
        index = _indexes.get(path) if path is not None else None
        if index is None or not index.is_present():
            path = settings.resolved_index_dir().resolve()
            _resolved[key] = path
            index = _indexes.get(path)
            if index is None or not index.is_present():
                index = PatentIndex(path)
                _indexes[path] = index
        return index
