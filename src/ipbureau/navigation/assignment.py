"""Which chains a patent belongs to, and why (IPC codes and keywords in its text).

The rule (the same as the statistics and the search chain filter, so that every figure of a
navigation report can be listed in /search):

* **Counted in the chain** when any of the patent's IPC codes (all of them, not only the
  main one) falls under one of the chain's or its segments' prefixes (``prefix_matches``).
* **Segments**: a counted patent is placed in every segment whose IPC prefixes cover one of
  its codes; when none does, in the segments whose keywords occur in its title or abstract.
* **Keywords** (chain and segment keywords) are matched on jieba words: a keyword matches when
  its own jieba words appear consecutively among the words of the title or abstract, so
  “密码” does not match inside “密码子” (a codon). They confirm an IPC assignment (basis
  “IPC 与关键词”), or flag a patent outside the IPC scope as a candidate (“仅关键词”): shown
  to staff, not counted, since no statistic or search filter can reproduce a text rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from ipbureau.navigation.chains import IndustryChain, prefix_matches
from ipbureau.patents.models import Patent

BASIS_BOTH = "IPC 与关键词"
BASIS_IPC = "仅 IPC"
BASIS_KEYWORDS = "仅关键词（候选，不计入）"


@dataclass(frozen=True)
class IpcMatch:
    code: str
    prefix: str
    segment: str | None  # None: a chain-level prefix


@dataclass(frozen=True)
class KeywordMatch:
    keyword: str
    field: str  # 名称 | 摘要
    segment: str | None


@dataclass
class ChainAssignment:
    chain_code: str
    chain_name: str
    ipc_matches: list[IpcMatch] = field(default_factory=list)
    keyword_matches: list[KeywordMatch] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    segment_basis: str = ""  # IPC | 关键词 | ""

    @property
    def counted(self) -> bool:
        return bool(self.ipc_matches)

    @property
    def basis(self) -> str:
        if self.ipc_matches:
            return BASIS_BOTH if self.keyword_matches else BASIS_IPC
        return BASIS_KEYWORDS

    def as_dict(self) -> dict:
        return {"chain_code": self.chain_code, "chain_name": self.chain_name, "counted": self.counted,
                "basis": self.basis, "segments": self.segments, "segment_basis": self.segment_basis,
                "ipc_matches": [m.__dict__ for m in self.ipc_matches],
                "keyword_matches": [m.__dict__ for m in self.keyword_matches]}


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.lcut(text) if w.strip())


def keyword_in(keyword: str, words: Sequence[str]) -> bool:
    """Whether the keyword's jieba words occur consecutively in ``words``."""
    wanted = _words(keyword)
    if not wanted:
        return False
    n = len(wanted)
    return any(tuple(words[i:i + n]) == wanted for i in range(len(words) - n + 1))


def explain_codes(chain: IndustryChain, ipc_codes: Sequence[str], title: str | None,
                  abstract: str | None) -> ChainAssignment:
    """The assignment of a patent (its IPC codes and text) to one chain, with the evidence."""
    out = ChainAssignment(chain.code, chain.name)
    scoped = [(p, None) for p in chain.ipc_prefixes] + [(p, s.name) for s in chain.segments for p in s.ipc_prefixes]
    for code in ipc_codes:
        for prefix, segment in scoped:
            if prefix_matches(prefix, code):
                out.ipc_matches.append(IpcMatch(code, prefix, segment))
    texts = [("名称", _words(title or "")), ("摘要", _words(abstract or ""))]
    scoped_words = [(k, None) for k in chain.keywords] + [(k, s.name) for s in chain.segments for k in s.keywords]
    for keyword, segment in scoped_words:
        for field_name, words in texts:
            if keyword_in(keyword, words):
                out.keyword_matches.append(KeywordMatch(keyword, field_name, segment))
                break
    by_ipc = list(dict.fromkeys(m.segment for m in out.ipc_matches if m.segment))
    if by_ipc:
        out.segments, out.segment_basis = by_ipc, "IPC"
    elif out.ipc_matches:
        by_words = list(dict.fromkeys(m.segment for m in out.keyword_matches if m.segment))
        if by_words:
            out.segments, out.segment_basis = by_words, "关键词"
    return out


def explain(patent: Patent, chains: Sequence[IndustryChain], *, include_unrelated: bool = False) -> list[ChainAssignment]:
    """The patent's assignments to these chains (``load_chains(session)``): the chains it is counted in, then
    keyword-only candidates."""
    found = [explain_codes(chain, patent.ipc_list, patent.title, patent.abstract) for chain in chains]
    if not include_unrelated:
        found = [a for a in found if a.ipc_matches or a.keyword_matches]
    return sorted(found, key=lambda a: (not a.counted, -len(a.ipc_matches), -len(a.keyword_matches)))
