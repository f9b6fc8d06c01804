"""Pre-examination rules without HTTP: centres and their fields, enterprise filings (备案), the key-enterprise list
(green channel), examiners' fields, reading cases, and the cases' documents.

Who may do what, and to which rows, is the access policy's (``policy/preexam.py``): every function a user reaches
enforces it on entry (``policy.get`` / ``policy.authorize`` / ``policy.scoped``), so the CLI or a job calling it is
as safe as a route. Case submission and the case actions live in ``flows.py``; the state machines in
``workflows.py``. Every change is audited in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.workflow import Transition
from ipbureau.database.core import paginate, session_scope, utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.navigation.chains import IndustryChain, load_chains, prefix_matches
from ipbureau.policy import policy
from ipbureau.protection.preexam.enums import CaseStatus, FilingStatus
from ipbureau.protection.preexam.models import Case, Centre, Document, Examiner, Filing, KeyEnterprise
from ipbureau.protection.preexam.schemas import (
    CaseFilters,
    CentreRead,
    ExaminerRead,
    ExaminerUpdate,
    FilingCreate,
    FilingDecision,
    KeyEnterpriseCreate,
)
from ipbureau.protection.preexam.workflows import CASE, FILING
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import IpcCode

logger = logging.getLogger(__name__)

MAX_NAME = 200
ALLOWED_EXTENSIONS = (".pdf", ".doc", ".docx", ".xml", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".zip")

# The two centres of the 2022 summary. Their technical fields are this product's working declaration
# (industry chains of navigation/data/industry_chains.yaml). ensure_centres creates missing rows only: a change
# of an existing centre's fields is an update of its row (there is no page for it yet).
CENTRES = (
    {"code": "tianjin", "name": "天津市知识产权保护中心", "short_name": "市保护中心", "district_code": None,
     "chains": ["xinchuang", "jicheng_dianlu", "gaoduan_zhuangbei", "chelianwang", "shengwu_yiyao", "zhongyiyao",
                "qiche", "qinggong"],
     "ipc_prefixes": [], "deadline_days": 7, "green_deadline_days": 3},
    {"code": "binhai", "name": "滨海新区知识产权保护中心", "short_name": "滨海保护中心", "district_code": "120116",
     "chains": ["xinnengyuan", "xincailiao", "lvse_shihua", "hangkong_hangtian", "gaoduan_zhuangbei",
                "shengwu_yiyao"],
     "ipc_prefixes": [], "deadline_days": 7, "green_deadline_days": 3},
)


def audit_change(session: Session, actor: Any, action: str, entity_type: str, entity_id: Any, summary: str,
                 before: dict[str, Any], after: dict[str, Any], ip_address: str | None) -> None:
    """An audit entry of a change that is not a workflow step (``action`` as ``preexam.<thing>.<verb>``, as the
    workflows name their steps)."""
    audit.record(session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                 summary=summary, changes=audit.diff(before, after), ip_address=ip_address)


# ---- input --------------------------------------------------------------------------------------

def check_ipc(session: Session, raw: Any, field_name: str, *, group_level: bool = False) -> str:
    """A code of the current IPC scheme in its canonical form (``g06f 16/30`` → ``G06F16/30``)."""
    value = (str(raw) if raw is not None else "").strip()
    if not value:
        raise DomainError(field_name, "请填写 IPC 分类号")
    try:
        code = normalise_ipc(value)
    except IpcFormatError:
        raise DomainError(field_name, f"“{value}”不是有效的 IPC 分类号（如 G06F16/30）") from None
    if group_level and "/" not in code:
        raise DomainError(field_name, f"主分类号应精确到大组或小组（如 {code}1/00），“{value}”只到{_level_name(code)}")
    if len(code) < 4:
        raise DomainError(field_name, f"技术领域至少应为小类（如 G06F），“{value}”只到{_level_name(code)}")
    entry = session.get(IpcCode, code)
    if entry is None:
        if session.get(IpcCode, code[:4]) is None:
            raise DomainError(field_name, f"IPC 中不存在小类 {code[:4]}（“{value}”）")
        raise DomainError(field_name, f"IPC 中不存在分类号 {code}")
    if not entry.current:
        raise DomainError(field_name, f"分类号 {code} 不在现行 IPC 中（仅见于 2020 版，已改分），请使用现行分类号")
    return code


def _level_name(code: str) -> str:
    return {1: "部", 3: "大类", 4: "小类"}.get(len(code), "组")


def check_ipc_list(session: Session, codes: Sequence[str], field_name: str) -> list[str]:
    """The codes checked and canonical, each once (the schemas split typed text into codes)."""
    return list(dict.fromkeys(check_ipc(session, code, field_name) for code in codes if code.strip()))


# ---- centres ------------------------------------------------------------------------------------

def ensure_centres(session: Session) -> list[Centre]:
    """The centre reference rows, created from CENTRES when missing (at start-up, by the demo and by tests; a
    request never writes them: a GET must not write)."""
    existing = set(session.scalars(select(Centre.code)))
    missing = [Centre(**values) for values in CENTRES if values["code"] not in existing]
    if missing:
        session.add_all(missing)
        session.flush()
    return centres(session)


def seed_centres() -> None:
    """Create the centres' rows when the app starts, off the request path (every page needs them)."""
    try:
        with session_scope() as session:
            ensure_centres(session)
    except SQLAlchemyError as exc:  # not migrated yet, or another worker created them at the same moment
        logger.warning("preexam: centres not created at start-up (%s)", exc.__class__.__name__)


def centres(session: Session) -> list[Centre]:
    return list(session.scalars(select(Centre).order_by(Centre.id)))


def centre_by_code(session: Session, code: str) -> Centre | None:
    return session.scalar(select(Centre).where(Centre.code == code))


def get_centre(session: Session, centre_id: int) -> Centre:
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise DomainError("保护中心", "请选择保护中心")
    return centre


def centre_prefixes(centre: Centre, chains: Sequence[IndustryChain]) -> list[str]:
    """The IPC prefixes a centre serves (chains: ``load_chains(session)``, read once by the caller)."""
    by_code = {c.code: c for c in chains}
    prefixes: dict[str, None] = {}
    for code in centre.chains or []:
        chain = by_code.get(code)
        if chain:
            prefixes.update(dict.fromkeys(chain.all_ipc_prefixes()))
    prefixes.update(dict.fromkeys(centre.ipc_prefixes or []))
    return list(prefixes)


def centre_serves(centre: Centre, ipc: str, chains: Sequence[IndustryChain]) -> bool:
    return any(prefix_matches(prefix, ipc) for prefix in centre_prefixes(centre, chains))


def chain_names(chains: Sequence[IndustryChain], codes: Sequence[str] | None) -> list[str]:
    names = {c.code: c.name for c in chains}
    return [names[c] for c in codes or [] if c in names]


def main_chain(ipc: str, chains: Sequence[IndustryChain]) -> str | None:
    """The first chain covering the code (chains in their declared order), or None."""
    for chain in chains:
        if any(prefix_matches(p, ipc) for p in chain.all_ipc_prefixes()):
            return chain.code
    return None


def centre_read(centre: Centre, chains: Sequence[IndustryChain]) -> CentreRead:
    return CentreRead(id=centre.id, code=centre.code, name=centre.name, short_name=centre.short_name,
                      district_code=centre.district_code, chains=list(centre.chains or []),
                      chain_names=chain_names(chains, centre.chains), ipc_prefixes=centre_prefixes(centre, chains),
                      deadline_days=centre.deadline_days, green_deadline_days=centre.green_deadline_days)


def list_centres(session: Session, user: Any) -> list[CentreRead]:
    policy.authorize(session, user, "preexam.centre", "view")
    chains = load_chains(session)
    return [centre_read(c, chains) for c in centres(session)]


# ---- the enterprise an action is for --------------------------------------------------------------

def find_enterprise(session: Session, value: str | None) -> Enterprise | None:
    """An enterprise by id, 统一社会信用代码 or exact name (as staff type it)."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 18:  # an id (a credit code has 18 characters)
        return session.get(Enterprise, int(cleaned))
    return session.scalar(select(Enterprise).where(or_(Enterprise.credit_code == cleaned.upper(),
                                                       Enterprise.name == cleaned)))


def acting_enterprise(session: Session, user: Any, reference: str | None) -> Enterprise:
    """The enterprise an enterprise-side action (filing, submitting a case) is for: the user's own, or the one
    staff name. The policy says who may act for which (``preexam.applicant``)."""
    policy.authorize(session, user, "preexam.applicant", "act")
    if not (reference or "").strip():
        if user.enterprise_id:
            reference = str(user.enterprise_id)
        elif policy.allows(user, "preexam.applicant", "proxy"):
            raise DomainError("企业", "代为办理时请填写企业（统一社会信用代码或全称）")
        else:
            raise Forbidden("您的账号尚未关联企业，不能办理预审业务")
    enterprise = find_enterprise(session, reference)
    if enterprise is None:
        raise DomainError("企业", f"找不到企业“{reference}”（请填写统一社会信用代码或全称）")
    policy.authorize(session, user, "preexam.applicant", "act", enterprise)
    return enterprise


# ---- filings (备案) ------------------------------------------------------------------------------

def eligible(centre: Centre, enterprise: Enterprise, ipc_fields: list[str], chains: Sequence[IndustryChain]) -> bool:
    """Whether the enterprise works in one of the centre's fields: its industry chain, or a declared IPC field."""
    if enterprise.industry_chain and enterprise.industry_chain in (centre.chains or []):
        return True
    return any(centre_serves(centre, code, chains) for code in ipc_fields)


def apply_filing(session: Session, data: FilingCreate, *, actor: Any, ip_address: str | None = None) -> Filing:
    """File an enterprise with a centre; a rejected enterprise applies again in place."""
    policy.authorize(session, actor, "preexam.filing", "apply")
    enterprise = acting_enterprise(session, actor, data.enterprise)
    centre = get_centre(session, data.centre_id)
    filing = session.scalar(select(Filing).where(Filing.centre_id == centre.id, Filing.enterprise_id == enterprise.id))
    if filing is not None and filing.status == FilingStatus.APPROVED:
        raise TransitionError("备案", f"{enterprise.name}已在{centre.name}备案，无需重复申请")
    if filing is not None and filing.status == FilingStatus.PENDING:
        raise TransitionError("备案", f"{enterprise.name}在{centre.name}的备案申请正在审核中")
    chains = load_chains(session)
    fields = check_ipc_list(session, data.ipc_fields, "技术领域（IPC）")
    if not eligible(centre, enterprise, fields, chains):
        own = chain_names(chains, [enterprise.industry_chain]) if enterprise.industry_chain else []
        raise DomainError("技术领域", f"{enterprise.name}所属领域（{'、'.join(own) or '未登记产业链'}"
                          f"{'；申报 IPC ' + '、'.join(fields) if fields else ''}）不在{centre.name}的预审领域"
                          f"（{'、'.join(chain_names(chains, centre.chains))}）内")
    values = {"ipc_fields": fields, "contact_person": data.contact_person or None,
              "contact_phone": data.contact_phone or None, "note": data.note or None}
    if filing is not None:  # rejected before
        with FILING.step(session, filing, "reapply", actor=actor, policy=policy, ip_address=ip_address,
                         summary=f"{enterprise.name}重新申请在{centre.name}备案"):
            for key, value in values.items():
                setattr(filing, key, value)
            filing.reason, filing.decided_at, filing.decided_by = None, None, None
            filing.applied_at = utcnow()
        return filing
    filing = Filing(centre_id=centre.id, enterprise_id=enterprise.id, status=FilingStatus.PENDING,
                    applied_at=utcnow(), created_by=actor.id, **values)
    session.add(filing)
    session.flush()
    audit_change(session, actor, f"{FILING.audit_prefix}.apply", FILING.entity_type, filing.id,
                 f"{enterprise.name}申请在{centre.name}备案", {}, audit.snapshot(filing, FILING.audited), ip_address)
    return filing


FILING_DECISIONS = ("approve", "reject")


def decide_filing(session: Session, filing_id: int, action: str, data: FilingDecision, *, actor: Any,
                  ip_address: str | None = None) -> Filing:
    """Staff approve a pending filing, or reject it with a reason."""
    if action not in FILING_DECISIONS:
        raise DomainError("操作", f"未知操作“{action}”")
    filing = get_filing(session, actor, filing_id)
    label = FILING.transition(action).label
    with FILING.step(session, filing, action, actor=actor, policy=policy, ip_address=ip_address,
                     summary=f"{label}：{filing.enterprise.name}（{filing.centre.name}）"):
        if action == "reject" and not data.reason:
            raise DomainError("理由", "不能为空")
        filing.reason, filing.decided_at, filing.decided_by = data.reason or None, utcnow(), actor.id
    return filing


def get_filing(session: Session, user: Any, filing_id: int) -> Filing:
    """The filing if the user may see it; NotFound (404) when missing or hidden."""
    return policy.get(session, user, "preexam.filing", filing_id)


def approved_filing(session: Session, centre: Centre, enterprise: Enterprise) -> Filing | None:
    return session.scalar(select(Filing).where(Filing.centre_id == centre.id, Filing.enterprise_id == enterprise.id,
                                               Filing.status == FilingStatus.APPROVED))


def list_filings(session: Session, user: Any, *, status: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[Filing], int]:
    """The filings the user may see, pending first."""
    query = policy.scoped(select(Filing), user, "preexam.filing").options(
        selectinload(Filing.centre), selectinload(Filing.enterprise))
    if status:
        query = query.where(Filing.status == status)
    return paginate(session, query, Filing.status == FilingStatus.PENDING, Filing.applied_at.desc(), Filing.id.desc(),
                    offset=offset, limit=limit)


@dataclass
class FilingPage:
    filing: Filing
    is_key: bool
    actions: list[Transition]


def filing_page(session: Session, user: Any, filing_id: int) -> FilingPage:
    filing = get_filing(session, user, filing_id)
    return FilingPage(filing, is_key_enterprise(session, filing.enterprise_id),
                      FILING.available(session, user, filing, policy))


# ---- key enterprises (green channel) ---------------------------------------------------------------

def is_key_enterprise(session: Session, enterprise_id: int) -> bool:
    return session.scalar(select(KeyEnterprise.id).where(KeyEnterprise.enterprise_id == enterprise_id)) is not None


def key_enterprises(session: Session, user: Any) -> list[KeyEnterprise]:
    query = (select(KeyEnterprise).join(Enterprise, Enterprise.id == KeyEnterprise.enterprise_id)
             .options(selectinload(KeyEnterprise.enterprise)).order_by(Enterprise.name))
    return list(session.scalars(policy.scoped(query, user, "preexam.key_enterprise")))


@dataclass
class KeyEnterprisesPage:
    rows: list[KeyEnterprise]
    may_manage: bool


def key_enterprises_page(session: Session, user: Any) -> KeyEnterprisesPage:
    return KeyEnterprisesPage(key_enterprises(session, user), policy.allows(user, "preexam.key_enterprise", "manage"))


def add_key_enterprise(session: Session, data: KeyEnterpriseCreate, *, actor: Any,
                       ip_address: str | None = None) -> KeyEnterprise:
    policy.authorize(session, actor, "preexam.key_enterprise", "manage")
    enterprise = find_enterprise(session, data.enterprise)
    if enterprise is None:
        raise DomainError("企业", f"找不到企业“{data.enterprise}”（请填写统一社会信用代码或全称）")
    if is_key_enterprise(session, enterprise.id):
        raise DomainError("企业", f"{enterprise.name}已在重点企业名单中")
    row = KeyEnterprise(enterprise_id=enterprise.id, enterprise=enterprise, reason=data.reason or None,
                        added_by=actor.id)
    session.add(row)
    session.flush()
    audit_change(session, actor, "preexam.key_enterprise.add", "preexam_key_enterprise", row.id,
                 f"将{enterprise.name}列入重点企业名单（预审绿色通道）", {},
                 {"enterprise_id": enterprise.id, "reason": row.reason}, ip_address)
    return row


def remove_key_enterprise(session: Session, enterprise_id: int, *, actor: Any, ip_address: str | None = None) -> None:
    policy.authorize(session, actor, "preexam.key_enterprise", "manage")
    row = session.scalar(select(KeyEnterprise).where(KeyEnterprise.enterprise_id == enterprise_id))
    if row is None:
        raise DomainError("企业", "该企业不在重点企业名单中")
    audit_change(session, actor, "preexam.key_enterprise.remove", "preexam_key_enterprise", row.id,
                 f"将{row.enterprise.name}移出重点企业名单", {"enterprise_id": enterprise_id, "reason": row.reason}, {},
                 ip_address)
    session.delete(row)
    session.flush()


# ---- examiners --------------------------------------------------------------------------------------

def examiners(session: Session, centre_id: int | None = None) -> list[Examiner]:
    """Examiner profiles (for assignment and the staff pages; callers have checked who asks)."""
    query = select(Examiner).options(selectinload(Examiner.user), selectinload(Examiner.centre)).order_by(
        Examiner.centre_id, Examiner.user_id)
    if centre_id is not None:
        query = query.where(Examiner.centre_id == centre_id)
    return list(session.scalars(query))


def examiner_profile(session: Session, user: Any) -> Examiner | None:
    """The user's own examiner profile (centre and fields), if they have one."""
    return session.get(Examiner, user.id)


def examiner_users(session: Session) -> list[User]:
    """The users who can be placed as examiners (a property of the user placed, not of who places them)."""
    return list(session.scalars(select(User).where(User.role == Role.EXAMINER.value, User.is_active.is_(True))
                                .order_by(User.username)))


def open_case_counts(session: Session, centre_id: int | None = None) -> dict[int, int]:
    """Each examiner's cases waiting for a decision (their workload)."""
    query = select(Case.examiner_id, func.count()).where(Case.status == CaseStatus.RECEIVED.value,
                                                         Case.examiner_id.is_not(None))
    if centre_id is not None:
        query = query.where(Case.centre_id == centre_id)
    return {user_id: count for user_id, count in session.execute(query.group_by(Case.examiner_id))}


def _examiner_read(profile: Examiner, load: dict[int, int]) -> ExaminerRead:
    return ExaminerRead.model_validate(profile).model_copy(update={"open_cases": load.get(profile.user_id, 0)})


def list_examiners(session: Session, user: Any) -> list[ExaminerRead]:
    policy.authorize(session, user, "preexam.examiner", "view")
    load = open_case_counts(session)
    return [_examiner_read(profile, load) for profile in examiners(session)]


@dataclass
class ExaminersPage:
    profiles: list[Examiner]
    load: dict[int, int]
    users: list[User]
    centres: list[Centre]


def examiners_page(session: Session, user: Any) -> ExaminersPage:
    policy.authorize(session, user, "preexam.examiner", "view")
    return ExaminersPage(examiners(session), open_case_counts(session), examiner_users(session), centres(session))


def set_examiner(session: Session, user_id: int, data: ExaminerUpdate, *, actor: Any,
                 ip_address: str | None = None) -> ExaminerRead:
    """Staff place an examiner at a centre with the IPC prefixes they examine."""
    policy.authorize(session, actor, "preexam.examiner", "manage")
    user = session.get(User, user_id)
    if user is None or user.role != Role.EXAMINER.value:
        raise DomainError("审查员", "请选择角色为保护中心审查员的用户")
    centre = get_centre(session, data.centre_id)
    prefixes = check_ipc_list(session, data.ipc_prefixes, "审查领域（IPC）")
    if not prefixes:
        raise DomainError("审查领域（IPC）", "请至少填写一个 IPC 分类（如 G06F）")
    chains = load_chains(session)
    outside = [p for p in prefixes if not centre_serves(centre, p, chains)]
    if outside:
        raise DomainError("审查领域（IPC）", f"{'、'.join(outside)} 不在{centre.name}的预审领域内")
    placed = ("centre_id", "ipc_prefixes", "active")
    profile = session.get(Examiner, user.id)
    before = {} if profile is None else audit.snapshot(profile, placed)
    if profile is None:
        profile = Examiner(user_id=user.id, user=user)
        session.add(profile)
    profile.centre_id, profile.ipc_prefixes, profile.active = centre.id, prefixes, data.active
    session.flush()
    audit_change(session, actor, "preexam.examiner.set", "preexam_examiner", user.id,
                 f"设置审查员{user.display_name}：{centre.name}，领域 {'、'.join(prefixes)}", before,
                 audit.snapshot(profile, placed), ip_address)
    return _examiner_read(profile, open_case_counts(session))


# ---- reading cases --------------------------------------------------------------------------------------

def get_case(session: Session, user: Any, case_id: int) -> Case:
    """The case if the user may see it; NotFound (404) when missing or hidden."""
    return policy.get(session, user, "preexam.case", case_id)


def queue_order() -> tuple[Any, ...]:
    """Green channel first, then the nearest deadline, then first come."""
    return (Case.green_channel.desc(), Case.due_on, Case.received_at, Case.id)


def list_cases(session: Session, user: Any, *, status: str | None = None, centre_id: int | None = None,
               mine: bool = False, green: bool | None = None, keyword: str | None = None, offset: int = 0,
               limit: int = 50) -> tuple[list[Case], int]:
    """The cases the user may see; ``status=received`` lists them in queue order (green channel first)."""
    query = policy.scoped(select(Case), user, "preexam.case").options(
        selectinload(Case.centre), selectinload(Case.enterprise), selectinload(Case.examiner),
        selectinload(Case.documents))
    if status:
        query = query.where(Case.status == status)
    if centre_id:
        query = query.where(Case.centre_id == centre_id)
    if mine:
        query = query.where(Case.examiner_id == user.id)
    if green is not None:
        query = query.where(Case.green_channel.is_(green))
    if keyword and keyword.strip():
        like = f"%{keyword.strip()}%"
        query = query.where(or_(Case.title.like(like), Case.case_no.like(like), Case.applicant.like(like),
                                Case.ipc_main.like(f"{keyword.strip().upper()}%")))
    if status == CaseStatus.RECEIVED.value:
        return paginate(session, query, *queue_order(), offset=offset, limit=limit)
    return paginate(session, query, Case.received_at.desc(), Case.id.desc(), offset=offset, limit=limit)


@dataclass
class CasePage:
    case: Case
    actions: dict[str, Transition]  # the actions the user may take now, by name
    examiners: list[Examiner]  # the centre's examiners, when the user may (re)assign


def case_page(session: Session, user: Any, case_id: int) -> CasePage:
    case = get_case(session, user, case_id)
    actions = {t.action: t for t in CASE.available(session, user, case, policy)}
    return CasePage(case, actions, examiners(session, case.centre_id) if "assign" in actions else [])


@dataclass
class Overview:
    """The 专利预审 home page: centres, the filings and cases the user sees, an examiner's own queue, and which
    forms and links the policy gives the user."""

    centres: list[CentreRead]
    filings: list[Filing]
    filings_total: int
    cases: list[Case]
    total: int
    queue: list[Case] = field(default_factory=list)
    profile: Examiner | None = None
    may: dict[str, bool] = field(default_factory=dict)


def overview(session: Session, user: Any, filters: CaseFilters) -> Overview:
    filings, filings_total = list_filings(session, user, limit=100)
    cases, total = list_cases(session, user, **filters.model_dump())
    proxy = policy.allows(user, "preexam.applicant", "proxy")
    decides = policy.allows(user, "preexam.case", "decide")
    page = Overview(list_centres(session, user), filings, filings_total, cases, total, may={
        "decide": decides, "proxy": proxy,
        "apply": policy.allows(user, "preexam.filing", "apply") and (proxy or bool(user.enterprise_id)),
        "submit": policy.allows(user, "preexam.case", "submit") and (
            proxy or any(f.status == FilingStatus.APPROVED for f in filings)),
        "stats": policy.allows(user, "preexam.stats", "view"),
        "key_enterprises": policy.allows(user, "preexam.key_enterprise", "view"),
        "examiners": policy.allows(user, "preexam.examiner", "view"),
    })
    if decides:
        page.queue, _ = list_cases(session, user, status=CaseStatus.RECEIVED.value, mine=True, limit=100)
        page.profile = examiner_profile(session, user)
    return page


@dataclass
class SubmissionChoices:
    """What the new-case form offers: staff (proxy) any centre for a named enterprise, an enterprise the centres
    it is filed with."""

    centres: list[Centre]
    filings: list[Filing]
    proxy: bool


def submission_choices(session: Session, user: Any) -> SubmissionChoices:
    policy.authorize(session, user, "preexam.case", "submit")
    filings, _ = list_filings(session, user, status=FilingStatus.APPROVED.value, limit=100)
    return SubmissionChoices(centres(session), filings, policy.allows(user, "preexam.applicant", "proxy"))


# ---- documents ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """An uploaded file as read (size-limited) by the view."""

    filename: str
    content_type: str | None
    data: bytes


def _document_name(upload: Upload) -> str:
    name = Path((upload.filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise DomainError("申请文件", "文件名不能为空")
    if len(name) > MAX_NAME:
        raise DomainError("申请文件", f"文件名不能超过 {MAX_NAME} 个字符")
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise DomainError("申请文件", f"“{name}”的类型不受理，可上传 {'、'.join(ALLOWED_EXTENSIONS)}")
    if not upload.data:
        raise DomainError("申请文件", f"“{name}”是空文件")
    return name


def store_documents(session: Session, case: Case, uploads: Sequence[Upload], *, actor: Any,
                    ip_address: str | None = None) -> list[Document]:
    """Keep a case's uploaded files under the data dir. Who may upload, and while the case is received only,
    is checked here (the upload step of the case workflow), wherever the call comes from; every file is checked
    before any is kept; each file is written after its row is flushed and removed again if the transaction
    is rolled back (see ``_remove_files_rolled_back``)."""
    policy.authorize(session, actor, "preexam.case", "upload", case)
    CASE.check(case, "upload")
    names = [_document_name(upload) for upload in uploads]
    stored = []
    for upload, name in zip(uploads, names, strict=True):
        details: dict[str, Any] = {}  # filled in the step, recorded with its audit entry
        with CASE.step(session, case, "upload", actor=actor, policy=policy, ip_address=ip_address, extra=details,
                       summary=f"上传预审申请文件“{name}”（{case.case_no}）"):
            relative = _case_folder(case) / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
            document = Document(filename=name, content_type=upload.content_type or None, size=len(upload.data),
                                sha256=hashlib.sha256(upload.data).hexdigest(), stored_path=str(relative),
                                uploaded_by=actor.id, uploaded_at=utcnow())
            case.documents.append(document)
            session.flush()
            _write_file(session, get_settings().data_dir / relative, upload.data)
            details.update(document_id=document.id, filename=name, size=document.size, sha256=document.sha256)
        stored.append(document)
    return stored


def upload_documents(session: Session, case_id: int, uploads: Sequence[Upload], *, actor: Any,
                     ip_address: str | None = None) -> Case:
    """More application documents for a case the user may see."""
    case = get_case(session, actor, case_id)
    if not uploads:
        raise DomainError("申请文件", "请选择要上传的文件")
    store_documents(session, case, uploads, actor=actor, ip_address=ip_address)
    return case


def get_document(session: Session, user: Any, case_id: int, document_id: int) -> tuple[Document, Path]:
    """A document of a case the user may see, and where its file is; NotFound otherwise."""
    document = policy.get(session, user, "preexam.document", document_id)
    path = document_path(document)
    if document.case_id != case_id or not path.exists():
        raise NotFound("文件")
    return document, path


def document_path(document: Document) -> Path:
    return get_settings().data_dir / document.stored_path


def _case_folder(case: Case) -> Path:
    """A case's files, relative to the data dir (stored paths are relative: the data dir may move)."""
    return Path("preexam") / str(case.id)


def documents_folder(case: Case) -> Path:
    return get_settings().data_dir / _case_folder(case)


# Files written in a session's transaction: kept when it commits, removed when it is rolled back, so a failed
# request (or a failed commit) leaves no file without its row.
_WRITTEN = "preexam_written_files"


def _write_file(session: Session, target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    session.info.setdefault(_WRITTEN, []).append(target)
    target.write_bytes(data)


@event.listens_for(Session, "after_commit")
def _keep_files_committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_files_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the files belong to the enclosing transaction
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
