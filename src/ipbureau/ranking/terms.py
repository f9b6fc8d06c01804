"""Terms (jieba search-mode words) and their weights.

A word shared by a large part of the corpus (装置, 方法, 提高, and in the demo's listings 便携式, which every fifth
title carries) says nothing about what a patent is; if it counts, a demand for 瓶盖（便携式） finds 钻井装置（便携式）.
So a term weighs its BM25 IDF, except

* the fixed STOP_TERMS (patent boilerplate and the words every need uses: 一种, 所述, 需要, 希望...), and
* the terms learned from the corpus: found in more than ``max_df_share`` of its documents, once the corpus has
  at least ``min_docs`` documents (below that a share is noise: in 200 road-building patents 路面 is common and
  still meaningful),

which weigh 0: they neither score nor appear as a "shared term" in an explanation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ipbureau.search.index import tokenize

STOP_TERMS = frozenset([
    "一种", "方法", "装置", "系统", "及其", "用于", "所述", "以及", "包括", "通过", "进行", "具有", "设置", "设有", "本发明",
    "发明", "实用", "新型", "实用新型", "涉及", "提供", "公开", "需要", "需求", "我们", "我司", "公司", "企业", "寻求",
    "希望", "能够", "可以", "技术", "相关", "解决", "问题", "实现", "一个", "其中", "采用", "基于", "产品", "提高", "现有",
    "想要", "想", "要", "能", "老是", "总是", "一台", "一下", "方面", "方式", "的", "了", "和", "与", "及", "或", "在",
    "中", "为", "对", "等", "是", "有", "把", "让", "也", "都", "还", "就", "又", "不", "上", "下", "里", "用",
])


def terms(text: str | None) -> list[str]:
    """The text's jieba words without the fixed stop terms."""
    return [t for t in tokenize(text) if t not in STOP_TERMS]


def idf(documents: int, frequency: int) -> float:
    """BM25's (Lucene's) inverse document frequency, never negative."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


@dataclass
class TermWeights:
    """Document frequencies of a corpus and the weight of each term in it."""

    documents: int
    frequency: Counter
    max_df_share: float
    min_docs: int
    generic: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.documents >= self.min_docs:
            limit = self.max_df_share * self.documents
            self.generic = frozenset(t for t, df in self.frequency.items() if df > limit)
        else:
            self.generic = frozenset()

    @classmethod
    def learn(cls, documents: Sequence[Iterable[str]], *, max_df_share: float, min_docs: int) -> TermWeights:
        frequency: Counter = Counter()
        for words in documents:
            frequency.update(set(words))
        return cls(len(documents), frequency, max_df_share, min_docs)

    def weight(self, term: str) -> float:
        if term in STOP_TERMS or term in self.generic:
            return 0.0
        df = self.frequency.get(term, 0)
        return idf(self.documents, df) if df else 0.0

    def meaningful(self, term: str) -> bool:
        """A term worth showing as shared: it weighs something and is more than one character."""
        return len(term) > 1 and self.weight(term) > 0
