"""Fixtures of the market's tests: a cheap encoder for tests that are not about the model's quality."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from ipbureau.market import embeddings, matching


class CharacterBigramEncoder:
    """A deterministic bag of character bigrams hashed into 64 dimensions: texts sharing wording get close vectors.
    For tests of storage, caching and plumbing; the real model runs in tests/market/test_matching_real.py."""

    name = "test-char-bigrams"
    dim = 64

    def _encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = re.sub(r"\W", "", text)
            for a, b in zip(chars, chars[1:], strict=False):
                out[row, int(hashlib.md5(f"{a}{b}".encode()).hexdigest(), 16) % self.dim] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    passages = _encode
    queries = _encode


@pytest.fixture
def bigram_encoder():
    previous = embeddings.use_encoder(CharacterBigramEncoder())
    matching.forget_index()
    yield embeddings.encoder()
    embeddings.use_encoder(previous)
    matching.forget_index()
