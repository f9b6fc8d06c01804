"""Matching technology demands (技术需求) with patents on offer, patents with enterprises, and the "similar patents"
list of a patent page: all through the one text-ranking engine (ipbureau.ranking) over one index of the offer.

Candidates are the patents of published listings and of published open-licence declarations. Each is ranked by
the engine's text score (BM25 over weighted jieba terms + the cosine of multilingual-e5-small vectors, fused with
ranking.engine.WEIGHTS, chosen on the real labelled set's dev half in bench/matching.py) plus structured signals:
same IPC main group (or only the same subclass) as the demanding enterprise's own patents, same industry chain,
same district. A weighted sum keeps each component visible in the explanation; bench/matching.py also measures
reciprocal-rank fusion.

Generic words (一种, 装置, 提高, and words a large share of the offer carries, like the demo's 便携式) weigh nothing
(ranking.terms), so they neither rank a patent nor appear in its explanation. Every match says why it matched:
the shared meaningful terms, the IPC subclass/group, the chain, the district, the vectors' similarity (or that the
patent has no vector yet and ranked on its terms alone).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.enterprises.models import Enterprise
from ipbureau.market import embeddings
from ipbureau.market.enums import DemandStatus, ListingStatus, OpenLicenceStatus
from ipbureau.market.models import Demand, Listing, OpenLicence, PatentEmbedding, listing_patent
from ipbureau.navigation.chains import (  # noqa: F401
    IndustryChain,
    chain_by_code,
    load_chains,
    prefix_matches,
)
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.ranking.engine import WEIGHTS, TextIndex, top
from ipbureau.ranking.terms import terms
from ipbureau.reference.models import District

# The text weights are the engine's (one set everywhere); the structured signals are matching's own.
W_BM25 = WEIGHTS.bm25
W_EMBEDDING = WEIGHTS.embedding
W_IPC_GROUP = 0.10
W_IPC_SUBCLASS = 0.06
W_CHAIN = 0.06
W_DISTRICT = 0.03
SEARCH_ABSTRACT_CHARS = 160
METHODS = ("bm25", "embedding", "hybrid")
query_tokens = terms


def search_text(title: str | None, abstract: str | None) -> str:
    text = (title or "").strip()
    if abstract:
        text += "。" + abstract.strip()[:SEARCH_ABSTRACT_CHARS]
    return text


class ChainLookup:
    """The industry chains of IPC codes, each distinct code looked up once. The chains are read once, when the
    lookup is made: ``ChainLookup(load_chains(session))`` with the request's session (without chains, e.g. in
    bench/matching.py, the default definitions are read on a connection of their own)."""

    def __init__(self, chains: Sequence[IndustryChain] | None = None) -> None:
        self.chains = tuple(load_chains() if chains is None else chains)
        self.prefixes = [(chain.code, chain.all_ipc_prefixes()) for chain in self.chains]
        self.names = {chain.code: chain.name for chain in self.chains}
        self._by_code: dict[str, frozenset[str]] = {}

    def of_code(self, code: str) -> frozenset[str]:
        found = self._by_code.get(code)
        if found is None:
            found = frozenset(chain for chain, prefixes in self.prefixes if any(prefix_matches(p, code) for p in prefixes))
            self._by_code[code] = found
        return found

    def of_codes(self, codes: Iterable[str]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for code in codes:
            out |= self.of_code(code)
        return out


def ipc_group(code: str) -> str:
    """G06F16/30 -> G06F16 (the main group as written before the slash)."""
    return code.split("/")[0].replace(" ", "").upper()


# ---- candidates ---------------------------------------------------------------------------------

@dataclass
class Candidate:
    patent_id: int
    application_no: str
    title: str
    abstract: str | None
    ipc_codes: tuple[str, ...]
    holder_id: int | None
    holder_name: str
    district_code: str | None
    listing_id: int | None = None
    open_licence_id: int | None = None

    @property
    def text(self) -> str:
        """What BM25 indexes: the title and the abstract's opening."""
        return search_text(self.title, self.abstract)

    @property
    def embedding_text(self) -> str:
        return embeddings.patent_embedding_text(self.title, self.abstract)

    @property
    def link(self) -> str:
        if self.listing_id:
            return f"/market/listings/{self.listing_id}"
        return f"/market/open-licences/{self.open_licence_id}"


def load_candidates(session: Session) -> list[Candidate]:
    """Patents on offer now: in a published listing, or under a published open-licence declaration."""
    offer: dict[int, dict[str, Any]] = {}
    for patent_id, listing_id, holder_id in session.execute(
            select(listing_patent.c.patent_id, Listing.id, Listing.holder_enterprise_id)
            .join(Listing, Listing.id == listing_patent.c.listing_id)
            .where(Listing.status == ListingStatus.PUBLISHED).order_by(Listing.id)):
        offer.setdefault(patent_id, {"listing_id": listing_id, "holder_id": holder_id})
    for patent_id, declaration_id, holder_id in session.execute(
            select(OpenLicence.patent_id, OpenLicence.id, OpenLicence.holder_enterprise_id)
            .where(OpenLicence.status == OpenLicenceStatus.PUBLISHED).order_by(OpenLicence.id)):
        entry = offer.setdefault(patent_id, {"holder_id": holder_id})
        entry.setdefault("open_licence_id", declaration_id)
    if not offer:
        return []
    ids = sorted(offer)
    patents: dict[int, tuple] = {}
    codes: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for row in session.execute(select(Patent.id, Patent.application_no, Patent.title, Patent.abstract,
                                          Patent.ipc_main).where(Patent.id.in_(chunk))):
            patents[row[0]] = row
        for pid, code in session.execute(select(PatentIpc.patent_id, PatentIpc.code)
                                         .where(PatentIpc.patent_id.in_(chunk)).order_by(PatentIpc.position)):
            codes[pid].append(code)
    holders = dict(session.execute(select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_({o["holder_id"] for o in offer.values()}))).all())
    districts = dict(session.execute(select(Enterprise.id, Enterprise.district_code).where(
        Enterprise.id.in_({o["holder_id"] for o in offer.values()}))).all())
    out = []
    for pid in ids:
        if pid not in patents:
            continue
        _, number, title, abstract, ipc_main = patents[pid]
        entry = offer[pid]
        ipc = tuple(codes.get(pid) or ([ipc_main] if ipc_main else []))
        out.append(Candidate(pid, number, title, abstract, ipc, entry["holder_id"], holders.get(entry["holder_id"], ""),
                             districts.get(entry["holder_id"]), entry.get("listing_id"), entry.get("open_licence_id")))
    return out


# ---- the index ----------------------------------------------------------------------------------------

@dataclass
class Query:
    text: str
    chains: frozenset[str] = frozenset()
    subclasses: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    district_code: str | None = None
    exclude_holder: int | None = None
    exclude_patent: int | None = None
    # What a match says when the query has no stored vector (it is then ranked by its terms alone).
    without_vector: str = "需求的语义向量尚在后台计算，本次仅按关键词"


@dataclass
class Match:
    candidate: Candidate
    score: float
    bm25: float  # share of the query's meaningful wording the patent covers, 0..1
    cosine: float | None  # the vectors' cosine; None when the patent has no vector yet
    shared_terms: list[str]
    same_groups: list[str]
    same_subclasses: list[str]
    same_chains: list[str]  # chain names
    same_district: bool
    no_query_vector: str | None = None  # why the query has no vector (ranked by its terms); None: it has one
    reasons: list[str] = field(default_factory=list)

    def highlighted_title(self) -> Markup:
        return highlight(self.candidate.title, self.shared_terms)


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """The text with each shared term wrapped in <mark> (escaped; longest terms first)."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(text):
        parts.append(escape(text[last:found.start()]))
        parts.append(Markup("<mark>") + escape(found.group(0)) + Markup("</mark>"))
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


class CandidateIndex:
    """The engine's TextIndex over the candidates plus their structured signals; ``rank`` scores all of them with
    array operations and explains the top ones."""

    def __init__(self, candidates: Sequence[Candidate], vectors: np.ndarray,
                 tokens: Sequence[Sequence[str]] | None = None, *, chains: ChainLookup | None = None) -> None:
        self.candidates = list(candidates)
        self.chain_lookup = chains or ChainLookup()
        self.chain_sets = [self.chain_lookup.of_codes(c.ipc_codes) for c in self.candidates]
        self.text = TextIndex([c.text for c in self.candidates], vectors, tokens=tokens)
        self.positions = {c.patent_id: i for i, c in enumerate(self.candidates)}
        self.holders = np.array([c.holder_id or 0 for c in self.candidates], dtype=np.int64)
        # Districts as small integers: comparing 100,000 Python strings per query cost milliseconds.
        self.district_codes = {code: k for k, code in enumerate(sorted({c.district_code or "" for c in self.candidates}))}
        self.districts = np.array([self.district_codes[c.district_code or ""] for c in self.candidates], dtype=np.int32)
        self.group_index: dict[str, list[int]] = defaultdict(list)
        self.subclass_index: dict[str, list[int]] = defaultdict(list)
        self.chain_index: dict[str, list[int]] = defaultdict(list)
        for i, candidate in enumerate(self.candidates):
            for group in {ipc_group(c) for c in candidate.ipc_codes}:
                self.group_index[group].append(i)
            for subclass in {c[:4].upper() for c in candidate.ipc_codes}:
                self.subclass_index[subclass].append(i)
            for chain in self.chain_sets[i]:
                self.chain_index[chain].append(i)

    def __len__(self) -> int:
        return len(self.candidates)

    def _structured(self, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self.candidates)
        ipc = np.zeros(n, np.float32)
        for subclass in query.subclasses:
            ipc[self.subclass_index.get(subclass, [])] = W_IPC_SUBCLASS
        for group in query.groups:
            ipc[self.group_index.get(group, [])] = W_IPC_GROUP
        chain = np.zeros(n, bool)
        for code in query.chains:
            chain[self.chain_index.get(code, [])] = True
        code = self.district_codes.get(query.district_code) if query.district_code else None
        district = (self.districts == code) if code is not None else np.zeros(n, bool)
        return ipc, chain, district

    def scores(self, query: Query, vector: np.ndarray | None, *, method: str = "hybrid", structured=None):
        """(score per candidate, the engine's text scores); excluded and unrelated candidates score -inf."""
        text = self.text.scores(terms(query.text), vector)
        if method == "bm25":
            score = text.bm25.astype(np.float64)
        elif method == "embedding":
            score = text.cosine.astype(np.float64)
        elif method == "hybrid":
            ipc, chain, district = structured or self._structured(query)
            score = (text.combined + ipc + W_CHAIN * chain + W_DISTRICT * district).astype(np.float64)
        else:
            raise ValueError(f"未知排序方法：{method}")
        # Nothing in common in the text (no meaningful shared word, vectors far apart) is not a match: an IPC or
        # chain alone does not make a patent answer a need.
        score[text.unrelated] = -np.inf
        if query.exclude_holder:
            score[self.holders == query.exclude_holder] = -np.inf
        if query.exclude_patent in self.positions:
            score[self.positions[query.exclude_patent]] = -np.inf
        return score, text

    def rank(self, query: Query, vector: np.ndarray | None, *, limit: int = 10, method: str = "hybrid") -> list[Match]:
        if not self.candidates:
            return []
        structured = self._structured(query)
        score, text = self.scores(query, vector, method=method, structured=structured)
        district = structured[2]
        matches = []
        for i in top(score, limit):
            candidate = self.candidates[i]
            groups = sorted(query.groups & {ipc_group(c) for c in candidate.ipc_codes})
            subclasses = sorted(query.subclasses & {c[:4].upper() for c in candidate.ipc_codes})
            chains = sorted(query.chains & self.chain_sets[i])
            has_vector = vector is not None and bool(self.text.has_vector[i])
            match = Match(candidate=candidate, score=float(score[i]), bm25=float(text.bm25[i]),
                          cosine=float(text.cosine[i]) if has_vector else None,
                          shared_terms=self.text.shared_terms(text.query_terms, i),
                          same_groups=groups, same_subclasses=subclasses,
                          same_chains=[self.chain_lookup.names.get(c, c) for c in chains],
                          same_district=bool(district[i]),
                          no_query_vector=None if vector is not None else query.without_vector)
            match.reasons = explain(match)
            matches.append(match)
        return matches


def chain_name(code: str | None, lookup: ChainLookup) -> str:
    return lookup.names.get(code, code) if code else ""


def explain(match: Match) -> list[str]:
    reasons = []
    if match.shared_terms:
        reasons.append("共同关键词：" + "、".join(match.shared_terms[:8]))
    if match.same_groups:
        reasons.append("同一 IPC 大组：" + "、".join(match.same_groups))
    elif match.same_subclasses:
        reasons.append("同一 IPC 小类：" + "、".join(match.same_subclasses))
    if match.same_chains:
        reasons.append("同属产业链：" + "、".join(match.same_chains))
    if match.same_district:
        reasons.append("同在一区")
    if match.cosine is not None:
        reasons.append(f"语义相似度 {match.cosine:.2f}")
    elif match.no_query_vector:
        reasons.append(match.no_query_vector)
    else:
        reasons.append("该专利尚无语义向量（后台补算后计入），仅按关键词")
    return reasons


# ---- the index the app uses: built once per candidate set and vector state ----------------------------------

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {}
_tokens_cache: dict[str, list[str]] = {}


def _signature(session: Session, candidates: Sequence[Candidate]) -> str:
    digest = hashlib.sha256()
    for c in candidates:
        digest.update(f"{c.patent_id}|{c.listing_id}|{c.open_licence_id}|{c.holder_id}|{c.district_code}|"
                      f"{','.join(c.ipc_codes)}|{c.text}\n".encode())
    # Vectors stored since (a listing approved, the background job): the index takes them in.
    count, latest = session.execute(select(func.count(), func.max(PatentEmbedding.computed_at))
                                    .where(PatentEmbedding.model == embeddings.model_name())).one()
    digest.update(f"{embeddings.model_name()}|{count}|{latest}".encode())
    return digest.hexdigest()


def candidate_index(session: Session) -> CandidateIndex:
    """The one index over the current offer, rebuilt only when the offer or its stored vectors changed. It only
    reads: a patent without a stored vector ranks by its terms until the vector is stored."""
    candidates = load_candidates(session)
    key = _signature(session, candidates)
    with _cache_lock:
        if _cache.get("key") == key:
            return _cache["index"]
    vectors = embeddings.current_vectors(session, [(c.patent_id, c.embedding_text) for c in candidates])
    tokens = []
    for c in candidates:
        if c.text not in _tokens_cache:
            _tokens_cache[c.text] = terms(c.text)
        tokens.append(_tokens_cache[c.text])
    index = CandidateIndex(candidates, vectors, tokens, chains=ChainLookup(load_chains(session)))
    with _cache_lock:
        _cache.update(key=key, index=index)
    return index


def forget_index() -> None:
    with _cache_lock:
        _cache.clear()


# ---- enterprise profiles -----------------------------------------------------------------------------------

def enterprise_ipc(session: Session, enterprise_ids: Iterable[int]) -> dict[int, Counter]:
    """IPC codes of each enterprise's own patents (as applicant), counted."""
    ids = list(set(enterprise_ids))
    result: dict[int, Counter] = defaultdict(Counter)
    if not ids:
        return result
    rows = session.execute(select(PatentApplicant.enterprise_id, PatentIpc.code)
                           .join(PatentIpc, PatentIpc.patent_id == PatentApplicant.patent_id)
                           .where(PatentApplicant.enterprise_id.in_(ids)))
    for enterprise_id, code in rows:
        result[enterprise_id][code] += 1
    return result


def demand_text(demand: Demand) -> str:
    return embeddings.demand_text(demand.title, demand.description)


def demand_query(session: Session, demand: Demand) -> Query:
    enterprise = demand.enterprise
    codes = enterprise_ipc(session, [enterprise.id]).get(enterprise.id, Counter())
    common = [code for code, _ in codes.most_common(30)]
    chain = demand.industry_chain or enterprise.industry_chain
    return Query(text=demand_text(demand), chains=frozenset({chain} if chain else ()),
                 subclasses=frozenset(c[:4].upper() for c in common), groups=frozenset(ipc_group(c) for c in common),
                 district_code=enterprise.district_code, exclude_holder=enterprise.id)


def demand_vector(session: Session, demand: Demand) -> np.ndarray | None:
    """The demand's stored vector by the current model, or None (computed after its commit, never here)."""
    vector = embeddings.current_vectors(session, [(demand.id, demand_text(demand))], embeddings.DEMANDS)[0]
    return vector if vector.any() else None


def match_demand(session: Session, demand: Demand, *, limit: int = 10) -> list[Match]:
    """The patents on offer that best fit the demand, best first, each explained. The demand's vector is the
    stored one: nothing is encoded here (without it yet, the demand is matched by its terms and says so)."""
    index = candidate_index(session)
    query = demand_query(session, demand)
    return index.rank(query, demand_vector(session, demand), limit=limit)


def match_text(session: Session, text: str, *, limit: int = 10) -> list[Match]:
    """The patents on offer that best fit an ad-hoc text (a description search): the one case that encodes a
    query in the request (one sentence, cached by text)."""
    return candidate_index(session).rank(Query(text=text), embeddings.encode_queries([text])[0], limit=limit)


def patent_codes(patent: Patent) -> list[str]:
    return [c.code for c in patent.ipc_codes] or ([patent.ipc_main] if patent.ipc_main else [])


def stored_vector(session: Session, patent: Patent) -> np.ndarray | None:
    """The patent's stored vector by the current model, or None (it is then not computed here: reads only)."""
    vector = embeddings.current_vectors(
        session, [(patent.id, embeddings.patent_embedding_text(patent.title, patent.abstract))])[0]
    return vector if vector.any() else None


def similar_patents(session: Session, patent: Patent, *, limit: int = 8) -> list[Match]:
    """Patents on offer most like this one (its text as the query, its stored vector; the same IPC group or
    subclass and chain count as for a demand), the patent itself excluded. The same index and weights as
    demand matching: a later description search is this call with a typed text and its query vector."""
    index = candidate_index(session)
    codes = patent_codes(patent)
    query = Query(text=search_text(patent.title, patent.abstract),
                  chains=index.chain_lookup.of_codes(codes), subclasses=frozenset(c[:4].upper() for c in codes),
                  groups=frozenset(ipc_group(c) for c in codes), exclude_patent=patent.id,
                  without_vector="本专利尚无语义向量（未挂牌的专利由 ipbureau embed-missing --all 计算），仅按关键词")
    return index.rank(query, stored_vector(session, patent), limit=limit)


# ---- reverse: enterprises for a patent -------------------------------------------------------------------

@dataclass
class EnterpriseMatch:
    enterprise: Enterprise
    score: float
    demand: Demand | None = None
    cosine: float | None = None
    shared_terms: list[str] = field(default_factory=list)
    shared_ipc: list[str] = field(default_factory=list)
    same_chain: str | None = None
    same_district: bool = False
    reasons: list[str] = field(default_factory=list)


def match_enterprises(session: Session, patent: Patent, *, limit: int = 20) -> list[EnterpriseMatch]:
    """Enterprises that may need the patent: those whose open demands fit its text (the engine: the demands are
    the documents, the patent's terms and stored vector the query) and whose profile fits (their industry chain,
    their own patents' IPC subclasses); holders excluded."""
    holders = {a.enterprise_id for a in patent.applicants if a.enterprise_id}
    codes = patent_codes(patent)
    subclasses = {c[:4].upper() for c in codes}
    groups = {ipc_group(c) for c in codes}
    lookup = ChainLookup(load_chains(session))
    chains = set(lookup.of_codes(codes))
    vector = stored_vector(session, patent)
    district = patent.district_code
    results: dict[int, EnterpriseMatch] = {}

    demands = [d for d in session.scalars(select(Demand).where(Demand.status == DemandStatus.OPEN).order_by(Demand.id))
               if d.enterprise_id not in holders]
    # Profiles: enterprises whose own patents share the patent's IPC subclasses.
    shared: dict[int, set[str]] = defaultdict(set)
    if subclasses:
        rows = session.execute(
            select(PatentApplicant.enterprise_id, PatentIpc.code)
            .join(PatentIpc, PatentIpc.patent_id == PatentApplicant.patent_id)
            .where(PatentIpc.subclass.in_(subclasses), PatentApplicant.enterprise_id.is_not(None),
                   PatentApplicant.patent_id != patent.id))
        for enterprise_id, code in rows:
            if enterprise_id not in holders:
                group = ipc_group(code)
                shared[enterprise_id].add(group if group in groups else code[:4].upper())
    for d in demands:
        shared.setdefault(d.enterprise_id, set())
    ids = set(shared)
    if chains:
        ids |= set(session.scalars(select(Enterprise.id).where(Enterprise.industry_chain.in_(chains)).limit(500)))
    ids -= holders
    enterprises = {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))} if ids else {}

    def structured(enterprise: Enterprise, chain_code: str | None) -> tuple[float, list[str], str | None, bool]:
        ipc_hits = sorted(shared.get(enterprise.id, ()))
        ipc_score = W_IPC_GROUP if any(h in groups for h in ipc_hits) else (W_IPC_SUBCLASS if ipc_hits else 0.0)
        chain = chain_code if chain_code in chains else None
        same_district = bool(district and enterprise.district_code == district)
        return ipc_score + (W_CHAIN if chain else 0) + (W_DISTRICT if same_district else 0), ipc_hits, chain, same_district

    if demands:
        texts = [demand_text(d) for d in demands]
        # The demands' stored vectors (a demand without one yet ranks by its terms): nothing is encoded here.
        index = TextIndex(texts, embeddings.current_vectors(session, [(d.id, t) for d, t in zip(demands, texts, strict=True)],
                                                            embeddings.DEMANDS))
        text = index.scores(terms(search_text(patent.title, patent.abstract)), vector)
        for i, d in enumerate(demands):
            enterprise = enterprises.get(d.enterprise_id) or d.enterprise
            if text.unrelated[i]:
                continue
            extra, ipc_hits, chain, same_district = structured(enterprise, d.industry_chain or enterprise.industry_chain)
            score = float(text.combined[i] + extra)
            if d.enterprise_id in results and results[d.enterprise_id].score >= score:
                continue
            results[d.enterprise_id] = EnterpriseMatch(
                enterprise=enterprise, score=score, demand=d, cosine=float(text.cosine[i]) if vector is not None and index.has_vector[i] else None,
                shared_terms=index.shared_terms(text.query_terms, i), shared_ipc=ipc_hits, same_chain=chain,
                same_district=same_district)
    for enterprise_id, enterprise in enterprises.items():
        if enterprise_id in results:
            continue
        extra, ipc_hits, chain, same_district = structured(enterprise, enterprise.industry_chain)
        if not ipc_hits and not chain:
            continue
        # Only a profile: no stated need, so it ranks below any demand that fits.
        results[enterprise_id] = EnterpriseMatch(enterprise=enterprise, score=extra, shared_ipc=ipc_hits,
                                                 same_chain=chain, same_district=same_district)
    ranked = sorted(results.values(), key=lambda m: (-m.score, m.enterprise.id))[:limit]
    for m in ranked:
        if m.demand is not None:
            m.reasons.append(f"技术需求：{m.demand.title}")
        if m.shared_terms:
            m.reasons.append("共同关键词：" + "、".join(m.shared_terms[:8]))
        if m.shared_ipc:
            m.reasons.append("企业自有专利同类 IPC：" + "、".join(m.shared_ipc[:6]))
        if m.same_chain:
            m.reasons.append("同属产业链：" + chain_name(m.same_chain, lookup))
        if m.same_district:
            m.reasons.append("同在一区")
        if m.cosine is not None:
            m.reasons.append(f"语义相似度 {m.cosine:.2f}")
        elif m.demand is not None:
            m.reasons.append("专利或需求尚无语义向量（后台补算后计入），仅按关键词")
    return ranked


def district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.code, District.name)).all())


__all__ = ["Candidate", "CandidateIndex", "EnterpriseMatch", "Match", "Query", "candidate_index", "highlight",
           "load_candidates", "match_demand", "match_enterprises", "match_text", "query_tokens", "similar_patents"]
