"""Scoring applications for the signs of abnormal filing (no database, no HTTP: plain records in, flags out).

The signs follow 《关于规范申请专利行为的规定》(国家知识产权局令第77号, 2023) as far as bibliographic
data can show them:

(a) BURST — 短期内集中提交大量申请: the first applicant files at least ``burst_min_count`` applications
    within ``burst_window_days`` days, and at least ``burst_ratio`` times its own usual rate for such a
    window (its other filings spread over its active years, at least one year). A new applicant with no
    history is measured against the minimum count alone.
(b) NEAR_DUPLICATE — 内容明显相同或实质相同: title + abstract + claims as jieba tokens (numbers masked as
    ``#``, punctuation dropped), 3-token shingles, MinHash (datasketch) and MinHashLSH for candidates;
    each candidate's exact Jaccard similarity of shingle sets must reach ``duplicate_similarity``. No loop
    over all pairs. One applicant's invention and utility model filed on the same day (一案双申, 专利法
    第九条) are not duplicates. Designs are left out of the text signs: their short description (简要说明)
    is boilerplate and the design is in the drawings.
(c) TEMPLATE_CLAIMS — 权利要求模板化拼凑: claims are compared within a drafting group (the agency, or
    the first applicant when filed without one). A claim 3-token shingle is the group's template phrasing
    when at least ``template_min_group`` of the group's claims contain it and the group holds at least
    ``template_private_share`` of all its occurrences (standard phrases such as 其特征在于 belong to
    everyone and prove nothing). A claim is flagged when at least ``template_ratio`` of its shingles are
    template phrasing (counting only phrasing that is not standard claim language, i.e. in fewer than
    ``template_common_df`` of all claims) and at least ``template_min_group - 1`` other claims of the group share half of
    them: the same claim with the technical nouns swapped (swapped nouns break only the shingles that
    touch them; numbers are masked).
(d) FIELD_MISMATCH — 与申请人研发领域明显不符: none of the application's IPC subclasses occurs among the
    first applicant's other applications (at least ``field_min_history`` with IPC), and its IPC section
    makes up less than ``field_section_share`` of them. With a thinner history, the applicant
    enterprise's industry chain (its IPC prefixes) is the field; that weaker evidence scores less.
(e) AGENCY_PATTERN — 代理机构代理的申请集中出现上述情形: an agency with at least ``agency_min_flagged``
    applications carrying signs (a)–(d), making up at least ``agency_min_share`` of what it filed in the
    screened range, taints every application it filed there.

Total score = sum of the weights of the signs seen (``WEIGHTS``; field mismatch by industry chain scores
``FIELD_CHAIN_WEIGHT``), at most 100. An application whose total reaches ``queue_threshold`` goes to the
review queue: one strong sign (near duplicate) suffices; the others need company.

Only records with ``in_scope`` are flagged; the others are history (bursts and fields are measured
against an applicant's whole record). Text signs compare the in-scope records among themselves.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from ipbureau.navigation.chains import prefix_matches
from ipbureau.protection.screening.enums import Sign

WEIGHTS: dict[Sign, float] = {
    Sign.NEAR_DUPLICATE: 40,
    Sign.BURST: 30,
    Sign.TEMPLATE_CLAIMS: 25,
    Sign.FIELD_MISMATCH: 15,
    Sign.AGENCY_PATTERN: 10,
}
FIELD_CHAIN_WEIGHT = 10.0
MIN_SHINGLES = 10  # shorter texts (a bare title) are too little to call two applications the same
MAX_PARTNERS = 10  # near-duplicate partners kept as evidence per application

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Parameters:
    burst_window_days: int = 30
    burst_min_count: int = 10
    burst_ratio: float = 5.0
    shingle_size: int = 3
    num_perm: int = 128
    lsh_threshold: float = 0.6
    duplicate_similarity: float = 0.8
    template_min_group: int = 5
    template_private_share: float = 0.8
    template_ratio: float = 0.3
    template_common_df: float = 0.01
    template_min_tokens: int = 12
    field_min_history: int = 5
    field_section_share: float = 0.05
    agency_min_flagged: int = 5
    agency_min_share: float = 0.2
    queue_threshold: float = 40.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "weights": {s.value: w for s, w in WEIGHTS.items()},
                "field_chain_weight": FIELD_CHAIN_WEIGHT}


@dataclass
class Application:
    key: Hashable  # the patent id (or any unique key)
    application_no: str
    applicants: tuple[str, ...] = ()
    agency: str | None = None
    ipc: tuple[str, ...] = ()  # main code first
    title: str = ""
    abstract: str = ""
    claims: str = ""
    filing_date: date | None = None
    patent_type: str | None = None
    # IPC prefixes of the first applicant enterprise's industry chain (the field when its history is thin).
    chain_prefixes: tuple[str, ...] = ()
    chain_name: str | None = None
    in_scope: bool = True

    @property
    def first_applicant(self) -> str | None:
        return self.applicants[0] if self.applicants else None

    @property
    def has_text_signs(self) -> bool:
        return self.in_scope and self.patent_type != "design"


@dataclass
class Flag:
    sign: Sign
    score: float
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    flags: dict[Hashable, list[Flag]]
    parameters: Parameters

    def total(self, key: Hashable) -> float:
        return total_score(self.flags.get(key, []))

    def queued(self) -> list[Hashable]:
        return [k for k, flags in self.flags.items() if total_score(flags) >= self.parameters.queue_threshold]


def total_score(flags: Sequence[Flag]) -> float:
    return min(100.0, round(sum(f.score for f in flags), 1))


# ---- tokens -------------------------------------------------------------------------------------

_SKIP = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE_END = frozenset("。；;！!？?")
BREAK = ""  # a sentence boundary in a token list: shingles do not cross it


def tokenize(text: str) -> list[str]:
    """jieba tokens without punctuation or spaces, sentence ends as BREAK; every number reads ``#``
    (changed figures stay alike)."""
    import jieba

    out: list[str] = []
    for token in jieba.lcut(text, HMM=False):
        if _SKIP.fullmatch(token):
            if out and out[-1] != BREAK and any(ch in _SENTENCE_END for ch in token):
                out.append(BREAK)
            continue
        out.append(_DIGITS.sub("#", token))
    return out


def words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t != BREAK]


def shingles(tokens: Sequence[str], size: int) -> set[str]:
    """Runs of ``size`` tokens within a sentence (a shorter sentence is one shingle): moving whole
    sentences about does not change the set."""
    out: set[str] = set()
    sentence: list[str] = []
    for token in [*tokens, BREAK]:
        if token != BREAK:
            sentence.append(token)
            continue
        if len(sentence) < size:
            if sentence:
                out.add("\x1f".join(sentence))
        else:
            out.update("\x1f".join(sentence[i:i + size]) for i in range(len(sentence) - size + 1))
        sentence = []
    return out


def jaccard(a: set[Any], b: set[Any]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# ---- the screening ------------------------------------------------------------------------------

def screen(applications: Sequence[Application], parameters: Parameters | None = None,
           progress: Progress | None = None) -> Result:
    params = parameters or Parameters()
    report = progress or (lambda stage, done, total: None)
    flags: dict[Hashable, list[Flag]] = defaultdict(list)
    _bursts(applications, params, flags)
    report("短期集中申请", 1, 1)
    _fields(applications, params, flags)
    report("技术领域比对", 1, 1)
    texts = [a for a in applications if a.has_text_signs]
    text_tokens: list[list[str]] = []
    claim_tokens: list[list[str]] = []
    for i, app in enumerate(texts, start=1):
        claims = tokenize(app.claims or "")
        head = tokenize(f"{app.title}。{app.abstract or ''}")
        text_tokens.append(head + [BREAK] + claims)
        claim_tokens.append(claims)
        if i % 500 == 0 or i == len(texts):
            report("分词", i, len(texts))
    _near_duplicates(texts, text_tokens, params, flags, report)
    _templates(texts, claim_tokens, params, flags)
    report("权利要求模板", 1, 1)
    _agencies(applications, params, flags)
    report("代理机构汇总", 1, 1)
    return Result(flags={k: sorted(v, key=lambda f: -f.score) for k, v in flags.items()}, parameters=params)


def _bursts(apps: Sequence[Application], params: Parameters, flags: dict[Hashable, list[Flag]]) -> None:
    by_applicant: dict[str, list[Application]] = defaultdict(list)
    for app in apps:
        if app.first_applicant and app.filing_date:
            by_applicant[app.first_applicant].append(app)
    window = params.burst_window_days
    for applicant, filed in by_applicant.items():
        if len(filed) < params.burst_min_count or not any(a.in_scope for a in filed):
            continue
        filed.sort(key=lambda a: (a.filing_date, a.application_no))
        dates = [a.filing_date for a in filed]
        span = max((dates[-1] - dates[0]).days, 365)
        best: dict[int, tuple[int, int, int, float]] = {}
        j = 0
        for i, start in enumerate(dates):
            end = start + timedelta(days=window - 1)
            j = max(j, i)
            while j < len(dates) and dates[j] <= end:
                j += 1
            count = j - i
            if count < params.burst_min_count:
                continue
            usual = (len(dates) - count) * window / span
            if count < params.burst_ratio * max(usual, 1.0):
                continue
            for k in range(i, j):
                if k not in best or count > best[k][0]:
                    best[k] = (count, i, j - 1, usual)
        for k, (count, i, last, usual) in best.items():
            app = filed[k]
            if not app.in_scope:
                continue
            start, end = dates[i], dates[last]
            reason = (f"申请人“{applicant}”在 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 的 {window} 天窗口内集中提交 "
                      f"{count} 件申请，约为其平常同等期间申请量（{usual:.1f} 件）的 "
                      f"{count / max(usual, 1.0):.0f} 倍（该申请人共 {len(dates)} 件）")
            flags[app.key].append(Flag(Sign.BURST, WEIGHTS[Sign.BURST], reason, {
                "applicant": applicant, "count": count, "window_days": window, "window_start": start.isoformat(),
                "window_end": end.isoformat(), "usual_per_window": round(usual, 2), "applicant_total": len(dates),
                "applications": [a.application_no for a in filed[i:last + 1]][:50]}))


def _section_of(code: str) -> str:
    return code[:1]


def _fields(apps: Sequence[Application], params: Parameters, flags: dict[Hashable, list[Flag]]) -> None:
    by_applicant: dict[str, list[Application]] = defaultdict(list)
    for app in apps:
        if app.first_applicant and app.ipc:
            by_applicant[app.first_applicant].append(app)
    for applicant, filed in by_applicant.items():
        subclasses = Counter(code[:4] for a in filed for code in dict.fromkeys(c[:4] for c in a.ipc))
        sections = Counter(_section_of(a.ipc[0]) for a in filed)
        for app in filed:
            if not app.in_scope:
                continue
            own = set(dict.fromkeys(c[:4] for c in app.ipc))
            history = len(filed) - 1
            if history >= params.field_min_history:
                others = subclasses.copy()
                others.subtract(own)
                if any(others[s] > 0 for s in own):
                    continue
                section = _section_of(app.ipc[0])
                share = (sections[section] - 1) / history
                if share >= params.field_section_share:
                    continue
                top = [(s, n) for s, n in others.most_common(5) if n > 0][:3]
                reason = (f"申请的 IPC 分类（{'、'.join(sorted(own))}）不在第一申请人“{applicant}”其余 {history} 件申请的"
                          f"分类中；其申请主要集中于 {'、'.join(f'{s}（{n} 件）' for s, n in top)}，"
                          f"{section} 部仅占 {share:.0%}")
                flags[app.key].append(Flag(Sign.FIELD_MISMATCH, WEIGHTS[Sign.FIELD_MISMATCH], reason, {
                    "applicant": applicant, "ipc": list(app.ipc), "history": history,
                    "applicant_subclasses": [[s, n] for s, n in top], "section_share": round(share, 3),
                    "basis": "history"}))
            elif app.chain_prefixes and not any(prefix_matches(p, c) for p in app.chain_prefixes for c in app.ipc):
                reason = (f"申请人“{applicant}”登记的产业链为“{app.chain_name or '—'}”，而申请的 IPC 分类"
                          f"（{'、'.join(app.ipc)}）不属于该产业链的任何分类（该申请人其他申请不足 "
                          f"{params.field_min_history} 件，以产业链为准）")
                flags[app.key].append(Flag(Sign.FIELD_MISMATCH, FIELD_CHAIN_WEIGHT, reason, {
                    "applicant": applicant, "ipc": list(app.ipc), "history": history,
                    "chain": app.chain_name, "basis": "industry_chain"}))


def _near_duplicates(apps: Sequence[Application], tokens: Sequence[list[str]], params: Parameters,
                     flags: dict[Hashable, list[Flag]], report: Progress) -> None:
    from datasketch import MinHash, MinHashLSH

    sets = [shingles(t, params.shingle_size) for t in tokens]
    usable = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    encoded = ([s.encode("utf-8") for s in sets[i]] for i in usable)
    lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.num_perm)
    signatures: dict[int, Any] = {}
    with lsh.insertion_session() as session:
        for n, (i, minhash) in enumerate(zip(usable, MinHash.generator(encoded, num_perm=params.num_perm, seed=1)),
                                         start=1):
            signatures[i] = minhash
            session.insert(i, minhash, check_duplication=False)
            if n % 1000 == 0 or n == len(usable):
                report("相似文本索引（MinHash LSH）", n, len(usable))
    for n, i in enumerate(usable, start=1):
        app = apps[i]
        partners = []
        for j in lsh.query(signatures[i]):
            if j == i:
                continue
            other = apps[j]
            if (other.first_applicant == app.first_applicant and other.filing_date == app.filing_date
                    and {other.patent_type, app.patent_type} == {"invention", "utility_model"}):
                continue  # 一案双申: the same invention filed as invention and utility model on one day
            similarity = jaccard(sets[i], sets[j])
            if similarity >= params.duplicate_similarity:
                partners.append((similarity, other))
        if n % 1000 == 0 or n == len(usable):
            report("相似文本比对", n, len(usable))
        if not partners:
            continue
        partners.sort(key=lambda p: (-p[0], p[1].application_no))
        shown = "、".join(f"{o.application_no}（相似度 {s:.0%}）" for s, o in partners[:5])
        more = f"等 {len(partners)} 件" if len(partners) > 5 else ""
        reason = f"名称、摘要与权利要求与 {shown}{more}申请高度相似，属内容明显相同或实质相同的情形"
        flags[app.key].append(Flag(Sign.NEAR_DUPLICATE, WEIGHTS[Sign.NEAR_DUPLICATE], reason, {
            "partners": [{"key": o.key, "application_no": o.application_no, "similarity": round(s, 3),
                          "applicants": list(o.applicants)} for s, o in partners[:MAX_PARTNERS]],
            "partner_count": len(partners)}))


def _templates(apps: Sequence[Application], claim_tokens: Sequence[list[str]], params: Parameters,
               flags: dict[Hashable, list[Flag]]) -> None:
    with_claims = [i for i, t in enumerate(claim_tokens) if len(words(t)) >= params.template_min_tokens]
    if not with_claims:
        return
    claim_shingles = {i: shingles(claim_tokens[i], params.shingle_size) for i in with_claims}
    df = Counter(s for i in with_claims for s in claim_shingles[i])
    # Standard claim language (in at least 1% of all claims) is everyone's; the ratio looks at the rest.
    common = params.template_common_df * len(with_claims)

    def group_of(app: Application) -> str:
        return f"代理机构：{app.agency}" if app.agency else f"申请人：{app.first_applicant or '—'}"

    groups: dict[str, list[int]] = defaultdict(list)
    for i in with_claims:
        groups[group_of(apps[i])].append(i)
    for group, members in groups.items():
        if len(members) < params.template_min_group:
            continue
        group_df = Counter(s for i in members for s in claim_shingles[i])
        # The group's own phrasing: shared by enough of its claims and rare elsewhere (a standard
        # phrase such as 其特征在于 is everyone's and proves nothing).
        private = {s for s, count in group_df.items()
                   if count >= params.template_min_group and count >= params.template_private_share * df[s]}
        if not private:
            continue
        holders: dict[str, list[int]] = defaultdict(list)
        for i in members:
            for s in claim_shingles[i] & private:
                holders[s].append(i)
        kind, name = group.split("：", 1)
        for i in members:
            mine = claim_shingles[i] & private
            specific = sum(1 for s in claim_shingles[i] if df[s] < common or s in private)
            ratio = len(mine) / max(specific, 1)
            if ratio < params.template_ratio:
                continue
            shared = Counter(j for s in mine for j in holders[s] if j != i)
            close = sorted((j for j, count in shared.items() if count >= len(mine) / 2),
                           key=lambda j: (-shared[j], apps[j].application_no))
            if len(close) < params.template_min_group - 1:
                continue
            app = apps[i]
            numbers = [apps[j].application_no for j in close]
            reason = (f"权利要求与同一{kind}（{name}）的其他 {len(close)} 件申请套用同一结构，仅替换技术名词："
                      f"非通用表述中 {ratio:.0%} 为该{kind}专用的模板用语；同结构申请如 {'、'.join(numbers[:5])}")
            flags[app.key].append(Flag(Sign.TEMPLATE_CLAIMS, WEIGHTS[Sign.TEMPLATE_CLAIMS], reason, {
                "group": group, "same_template": numbers[:50], "same_template_count": len(close),
                "template_ratio": round(ratio, 3)}))


def _agencies(apps: Sequence[Application], params: Parameters, flags: dict[Hashable, list[Flag]]) -> None:
    filed: dict[str, list[Application]] = defaultdict(list)
    for app in apps:
        if app.in_scope and app.agency:
            filed[app.agency].append(app)
    for agency, members in filed.items():
        flagged = [a for a in members if flags.get(a.key)]
        if len(flagged) < params.agency_min_flagged:
            continue
        share = len(flagged) / len(members)
        if share < params.agency_min_share:
            continue
        by_sign = Counter(f.sign for a in flagged for f in flags[a.key])
        signs = "、".join(f"{s.label} {n} 件" for s, n in by_sign.most_common())
        reason = (f"代理机构“{agency}”在筛查范围内代理的 {len(members)} 件申请中有 {len(flagged)} 件"
                  f"（{share:.0%}）存在异常情形（{signs}）")
        evidence = {"agency": agency, "filed": len(members), "flagged": len(flagged), "share": round(share, 3),
                    "by_sign": {s.value: n for s, n in by_sign.items()}}
        for app in members:
            flags[app.key].append(Flag(Sign.AGENCY_PATTERN, WEIGHTS[Sign.AGENCY_PATTERN], reason, dict(evidence)))
