"""Pre-examination rules without HTTP: centres and their fields, enterprise filings (备案), the key-enterprise list
(green channel), examiners' fields, documents, and who may see what.

Case workflows (submission, assignment, decisions, CNIPA tracking) live in ``flows.py``.
Every change is recorded in the audit log in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError
from ipbureau.core.errors import TransitionError as CoreTransitionError

import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.config import get_settings
from ipbureau.database.core import paginate, utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.navigation.chains import IndustryChain, load_chains, prefix_matches
from ipbureau.protection.preexam.enums import CaseStatus, FilingStatus
from ipbureau.protection.preexam.models import Case, Centre, Document, Examiner, Filing, KeyEnterprise
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import IpcCode

MAX_LINE = 200
MAX_TEXT = 5000
# Staff who decide filings, keep the key-enterprise list and assign examiners; district staff only read.
MANAGER_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
# Everyone else (mediators, enforcement, agencies, the public) has no business here.
PREEXAM_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.EXAMINER, Role.ENTERPRISE})
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


class PreexamError(DomainError):
    """Input that cannot be accepted; the message names the field and is shown as it is (zh-CN)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


class TransitionError(PreexamError, CoreTransitionError):
    """An action the case's or filing's current state does not allow (HTTP 409)."""


# ---- who ----------------------------------------------------------------------------------------

def role_of(user: Any) -> Role:
    return Role(user.role)


def is_manager(user: Any) -> bool:
    return role_of(user) in MANAGER_ROLES


def check_preexam_role(user: Any) -> None:
    if role_of(user) not in PREEXAM_ROLES:
        raise PermissionDenied("专利预审业务只对企业、保护中心审查员和知识产权局工作人员开放")


def examiner_profile(session: Session, user: Any) -> Examiner | None:
    if role_of(user) != Role.EXAMINER:
        return None
    return session.get(Examiner, user.id)


# ---- input --------------------------------------------------------------------------------------

def text(value: Any, field_name: str, *, required: bool = False, limit: int = MAX_LINE) -> str | None:
    cleaned = (str(value) if value is not None else "").strip() or None
    if required and not cleaned:
        raise PreexamError(field_name, "不能为空")
    if cleaned and len(cleaned) > limit:
        raise PreexamError(field_name, f"不能超过 {limit} 个字符")
    return cleaned


def check_ipc(session: Session, raw: Any, field_name: str, *, group_level: bool = False) -> str:
    """A code of the current IPC scheme in its canonical form (``g06f 16/30`` → ``G06F16/30``)."""
    value = (str(raw) if raw is not None else "").strip()
    if not value:
        raise PreexamError(field_name, "请填写 IPC 分类号")
    try:
        code = normalise_ipc(value)
    except IpcFormatError:
        raise PreexamError(field_name, f"“{value}”不是有效的 IPC 分类号（如 G06F16/30）") from None
    if group_level and "/" not in code:
        raise PreexamError(field_name, f"主分类号应精确到大组或小组（如 {code}1/00），“{value}”只到{_level_name(code)}")
    if len(code) < 4:
        raise PreexamError(field_name, f"技术领域至少应为小类（如 G06F），“{value}”只到{_level_name(code)}")
    entry = session.get(IpcCode, code)
    if entry is None:
        if session.get(IpcCode, code[:4]) is None:
            raise PreexamError(field_name, f"IPC 中不存在小类 {code[:4]}（“{value}”）")
        raise PreexamError(field_name, f"IPC 中不存在分类号 {code}")
    if not entry.current:
        raise PreexamError(field_name, f"分类号 {code} 不在现行 IPC 中（仅见于 2020 版，已改分），请使用现行分类号")
    return code


def _level_name(code: str) -> str:
    return {1: "部", 3: "大类", 4: "小类"}.get(len(code), "组")


def check_ipc_list(session: Session, raw: Any, field_name: str) -> list[str]:
    if isinstance(raw, str):
        raw = re.split(r"[,，、;；\s]+", raw)
    codes = [check_ipc(session, item, field_name) for item in (raw or []) if str(item).strip()]
    return list(dict.fromkeys(codes))


# ---- centres ------------------------------------------------------------------------------------

def ensure_centres(session: Session) -> list[Centre]:
    """The centre reference rows, created from CENTRES when missing."""
    existing = {c.code: c for c in session.scalars(select(Centre))}
    changed = False
    for values in CENTRES:
        centre = existing.get(values["code"])
        if centre is None:
            session.add(Centre(**values))
            changed = True
    if changed:
        session.flush()
    return list(session.scalars(select(Centre).order_by(Centre.id)))


def centres(session: Session) -> list[Centre]:
    return ensure_centres(session)


def centre_by_code(session: Session, code: str) -> Centre | None:
    ensure_centres(session)
    return session.scalar(select(Centre).where(Centre.code == code))


def get_centre(session: Session, centre_id: Any, field_name: str = "保护中心") -> Centre:
    ensure_centres(session)
    try:
        centre = session.get(Centre, int(centre_id))
    except (TypeError, ValueError):
        centre = None
    if centre is None:
        raise PreexamError(field_name, "请选择保护中心")
    return centre


def centre_prefixes(centre: Centre, chains: Sequence[IndustryChain] | None = None) -> list[str]:
    """The IPC prefixes a centre serves. Chains are read once by the caller when it loops (staff may edit them,
    so load_chains reads the database)."""
    by_code = {c.code: c for c in (chains if chains is not None else load_chains())}
    prefixes: dict[str, None] = {}
    for code in centre.chains or []:
        chain = by_code.get(code)
        if chain:
            prefixes.update(dict.fromkeys(chain.all_ipc_prefixes()))
    prefixes.update(dict.fromkeys(centre.ipc_prefixes or []))
    return list(prefixes)


def centre_serves(centre: Centre, ipc: str, chains: Sequence[IndustryChain] | None = None) -> bool:
    return any(prefix_matches(prefix, ipc) for prefix in centre_prefixes(centre, chains))


def chain_names(codes: list[str]) -> list[str]:
    names = {c.code: c.name for c in load_chains()}
    return [names[c] for c in codes or [] if c in names]


def main_chain(ipc: str, chains: Sequence[IndustryChain] | None = None) -> str | None:
    """The first chain covering the code (chains in their declared order), or None."""
    for chain in chains if chains is not None else load_chains():
        if any(prefix_matches(p, ipc) for p in chain.all_ipc_prefixes()):
            return chain.code
    return None


# ---- filings (备案) ------------------------------------------------------------------------------

FILING_FIELDS = ("centre_id", "enterprise_id", "status", "ipc_fields", "contact_person", "contact_phone", "note",
                 "reason")


def _state(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _audit(session: Session, actor: Any, action: str, entity_type: str, entity_id: Any, summary: str,
           before: dict[str, Any], after: dict[str, Any], ip_address: str | None) -> None:
    audit.record(session, actor=actor, action=f"preexam.{action}", entity_type=entity_type, entity_id=entity_id,
                 summary=summary, changes=audit.diff(before, after), ip_address=ip_address)


def acting_enterprise(session: Session, user: Any, enterprise_id: Any) -> Enterprise:
    """The enterprise an enterprise-side action is for: the user's own, or the one staff name."""
    if role_of(user) == Role.ENTERPRISE:
        if not user.enterprise_id:
            raise PermissionDenied("您的账号尚未关联企业，不能办理预审业务")
        if enterprise_id not in (None, "", user.enterprise_id, str(user.enterprise_id)):
            raise PermissionDenied("企业用户只能为本企业办理")
        return session.get(Enterprise, user.enterprise_id)
    if not is_manager(user):
        raise PermissionDenied("只有企业用户和市局工作人员可以办理备案和提交预审案件")
    enterprise = find_enterprise(session, enterprise_id)
    if enterprise is None:
        raise PreexamError("企业", "代为办理时请填写企业（统一社会信用代码或全称）")
    return enterprise


def find_enterprise(session: Session, value: Any) -> Enterprise | None:
    """An enterprise by id, 统一社会信用代码 or exact name (as staff type it)."""
    if value is None or not str(value).strip():
        return None
    if isinstance(value, int) or (str(value).strip().isdigit() and len(str(value).strip()) < 18):
        return session.get(Enterprise, int(value))
    cleaned = str(value).strip()
    return session.scalar(select(Enterprise).where(or_(Enterprise.credit_code == cleaned.upper(),
                                                       Enterprise.name == cleaned)))


def eligible(centre: Centre, enterprise: Enterprise, ipc_fields: list[str]) -> bool:
    """Whether the enterprise works in one of the centre's fields: its industry chain, or a declared IPC field."""
    if enterprise.industry_chain and enterprise.industry_chain in (centre.chains or []):
        return True
    return any(centre_serves(centre, code) for code in ipc_fields)


def apply_filing(session: Session, *, actor: Any, centre_id: Any, enterprise_id: Any = None, ipc_fields: Any = None,
                 contact_person: Any = None, contact_phone: Any = None, note: Any = None,
                 ip_address: str | None = None) -> Filing:
    enterprise = acting_enterprise(session, actor, enterprise_id)
    centre = get_centre(session, centre_id)
    filing = session.scalar(select(Filing).where(Filing.centre_id == centre.id, Filing.enterprise_id == enterprise.id))
    if filing is not None and filing.status == FilingStatus.APPROVED:
        raise TransitionError("备案", f"{enterprise.name}已在{centre.name}备案，无需重复申请")
    if filing is not None and filing.status == FilingStatus.PENDING:
        raise TransitionError("备案", f"{enterprise.name}在{centre.name}的备案申请正在审核中")
    fields = check_ipc_list(session, ipc_fields, "技术领域（IPC）")
    if not eligible(centre, enterprise, fields):
        own = chain_names([enterprise.industry_chain]) if enterprise.industry_chain else []
        raise PreexamError("技术领域", f"{enterprise.name}所属领域（{'、'.join(own) or '未登记产业链'}"
                           f"{'；申报 IPC ' + '、'.join(fields) if fields else ''}）不在{centre.name}的预审领域"
                           f"（{'、'.join(chain_names(centre.chains))}）内")
    values = {"ipc_fields": fields, "contact_person": text(contact_person, "联系人", limit=64),
              "contact_phone": text(contact_phone, "联系电话", limit=32), "note": text(note, "说明", limit=MAX_TEXT)}
    if filing is not None:  # rejected before: the enterprise applies again in place
        before = _state(filing, FILING_FIELDS)
        for key, value in values.items():
            setattr(filing, key, value)
        filing.status, filing.reason, filing.decided_at, filing.decided_by = FilingStatus.PENDING, None, None, None
        filing.applied_at = utcnow()
        action, summary = "filing.reapply", f"{enterprise.name}重新申请在{centre.name}备案"
    else:
        before = {}
        filing = Filing(centre_id=centre.id, enterprise_id=enterprise.id, status=FilingStatus.PENDING,
                        applied_at=utcnow(), created_by=actor.id, **values)
        session.add(filing)
        session.flush()
        action, summary = "filing.apply", f"{enterprise.name}申请在{centre.name}备案"
    _audit(session, actor, action, "preexam_filing", filing.id, summary, before, _state(filing, FILING_FIELDS),
           ip_address)
    return filing


FILING_ACTIONS = {"approve": "批准备案", "reject": "不予备案"}


def decide_filing(session: Session, filing: Filing, action: str, *, actor: Any, reason: Any = None,
                  ip_address: str | None = None) -> Filing:
    if not is_manager(actor):
        raise PermissionDenied("只有市局工作人员可以审核备案")
    if action not in FILING_ACTIONS:
        raise PreexamError("操作", f"未知操作“{action}”")
    if filing.status != FilingStatus.PENDING:
        raise TransitionError("备案", f"{FilingStatus(filing.status).label}的备案不能{FILING_ACTIONS[action]}")
    why = text(reason, "理由", required=action == "reject", limit=MAX_TEXT)
    before = _state(filing, FILING_FIELDS)
    filing.status = FilingStatus.APPROVED if action == "approve" else FilingStatus.REJECTED
    filing.reason, filing.decided_at, filing.decided_by = why, utcnow(), actor.id
    _audit(session, actor, f"filing.{action}", "preexam_filing", filing.id,
           f"{FILING_ACTIONS[action]}：{filing.enterprise.name}（{filing.centre.name}）", before,
           _state(filing, FILING_FIELDS), ip_address)
    return filing


def approved_filing(session: Session, centre: Centre, enterprise: Enterprise) -> Filing | None:
    return session.scalar(select(Filing).where(Filing.centre_id == centre.id, Filing.enterprise_id == enterprise.id,
                                               Filing.status == FilingStatus.APPROVED))


def can_view_filing(session: Session, user: Any, filing: Filing) -> bool:
    role = role_of(user)
    if role in MANAGER_ROLES:
        return True
    if role == Role.ENTERPRISE:
        return filing.enterprise_id == user.enterprise_id
    if role == Role.DISTRICT_STAFF:
        return bool(user.district_code) and filing.enterprise.district_code == user.district_code
    if role == Role.EXAMINER:
        profile = examiner_profile(session, user)
        return profile is not None and profile.centre_id == filing.centre_id
    return False


def filings_query(session: Session, user: Any) -> Select:
    """The filings the user may see."""
    query = select(Filing).join(Enterprise, Enterprise.id == Filing.enterprise_id)
    role = role_of(user)
    if role in MANAGER_ROLES:
        return query
    if role == Role.ENTERPRISE:
        return query.where(Filing.enterprise_id == (user.enterprise_id or -1))
    if role == Role.DISTRICT_STAFF:
        return query.where(Enterprise.district_code == (user.district_code or "-"))
    if role == Role.EXAMINER:
        profile = examiner_profile(session, user)
        return query.where(Filing.centre_id == (profile.centre_id if profile else -1))
    return query.where(false())


def list_filings(session: Session, user: Any, *, status: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[Filing], int]:
    query = filings_query(session, user).options(selectinload(Filing.centre), selectinload(Filing.enterprise))
    if status:
        query = query.where(Filing.status == status)
    return paginate(session, query, Filing.status == FilingStatus.PENDING, Filing.applied_at.desc(), Filing.id.desc(),
                    offset=offset, limit=limit)


# ---- key enterprises (green channel) ---------------------------------------------------------------

def is_key_enterprise(session: Session, enterprise_id: int) -> bool:
    return session.scalar(select(KeyEnterprise.id).where(KeyEnterprise.enterprise_id == enterprise_id)) is not None


def key_enterprises(session: Session, user: Any) -> list[KeyEnterprise]:
    query = (select(KeyEnterprise).join(Enterprise, Enterprise.id == KeyEnterprise.enterprise_id)
             .options(selectinload(KeyEnterprise.enterprise)).order_by(Enterprise.name))
    role = role_of(user)
    if role == Role.DISTRICT_STAFF:
        query = query.where(Enterprise.district_code == (user.district_code or "-"))
    elif role == Role.ENTERPRISE:
        query = query.where(KeyEnterprise.enterprise_id == (user.enterprise_id or -1))
    elif role not in MANAGER_ROLES and role != Role.EXAMINER:
        return []
    return list(session.scalars(query))


def add_key_enterprise(session: Session, *, actor: Any, enterprise_id: Any, reason: Any = None,
                       ip_address: str | None = None) -> KeyEnterprise:
    if not is_manager(actor):
        raise PermissionDenied("只有市局工作人员可以维护重点企业名单")
    enterprise = find_enterprise(session, enterprise_id)
    if enterprise is None:
        raise PreexamError("企业", f"找不到企业“{enterprise_id or ''}”（请填写统一社会信用代码或全称）")
    if is_key_enterprise(session, enterprise.id):
        raise PreexamError("企业", f"{enterprise.name}已在重点企业名单中")
    row = KeyEnterprise(enterprise_id=enterprise.id, reason=text(reason, "列入理由"), added_by=actor.id)
    session.add(row)
    session.flush()
    _audit(session, actor, "key_enterprise.add", "preexam_key_enterprise", row.id,
           f"将{enterprise.name}列入重点企业名单（预审绿色通道）", {}, {"enterprise_id": enterprise.id,
                                                            "reason": row.reason}, ip_address)
    return row


def remove_key_enterprise(session: Session, *, actor: Any, enterprise_id: int, ip_address: str | None = None) -> None:
    if not is_manager(actor):
        raise PermissionDenied("只有市局工作人员可以维护重点企业名单")
    row = session.scalar(select(KeyEnterprise).where(KeyEnterprise.enterprise_id == enterprise_id))
    if row is None:
        raise PreexamError("企业", "该企业不在重点企业名单中")
    _audit(session, actor, "key_enterprise.remove", "preexam_key_enterprise", row.id,
           f"将{row.enterprise.name}移出重点企业名单", {"enterprise_id": enterprise_id, "reason": row.reason}, {},
           ip_address)
    session.delete(row)
    session.flush()


# ---- examiners --------------------------------------------------------------------------------------

def examiners(session: Session, centre_id: int | None = None) -> list[Examiner]:
    query = select(Examiner).options(selectinload(Examiner.user), selectinload(Examiner.centre)).order_by(
        Examiner.centre_id, Examiner.user_id)
    if centre_id is not None:
        query = query.where(Examiner.centre_id == centre_id)
    return list(session.scalars(query))


def examiner_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.EXAMINER.value, User.is_active.is_(True))
                                .order_by(User.username)))


def set_examiner(session: Session, *, actor: Any, user_id: Any, centre_id: Any, ipc_prefixes: Any,
                 active: bool = True, ip_address: str | None = None) -> Examiner:
    """Staff place an examiner at a centre with the IPC prefixes they examine."""
    if not is_manager(actor):
        raise PermissionDenied("只有市局工作人员可以设置审查员")
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or role_of(user) != Role.EXAMINER:
        raise PreexamError("审查员", "请选择角色为保护中心审查员的用户")
    centre = get_centre(session, centre_id)
    prefixes = check_ipc_list(session, ipc_prefixes, "审查领域（IPC）")
    if not prefixes:
        raise PreexamError("审查领域（IPC）", "请至少填写一个 IPC 分类（如 G06F）")
    outside = [p for p in prefixes if not centre_serves(centre, p)]
    if outside:
        raise PreexamError("审查领域（IPC）", f"{'、'.join(outside)} 不在{centre.name}的预审领域内")
    profile = session.get(Examiner, user.id)
    before = {} if profile is None else {"centre_id": profile.centre_id, "ipc_prefixes": profile.ipc_prefixes,
                                         "active": profile.active}
    if profile is None:
        profile = Examiner(user_id=user.id)
        session.add(profile)
    profile.centre_id, profile.ipc_prefixes, profile.active = centre.id, prefixes, bool(active)
    session.flush()
    _audit(session, actor, "examiner.set", "preexam_examiner", user.id,
           f"设置审查员{user.display_name}：{centre.name}，领域 {'、'.join(prefixes)}", before,
           {"centre_id": centre.id, "ipc_prefixes": prefixes, "active": bool(active)}, ip_address)
    return profile


def open_case_counts(session: Session, centre_id: int) -> dict[int, int]:
    rows = session.execute(select(Case.examiner_id, func.count()).where(
        Case.centre_id == centre_id, Case.status == CaseStatus.RECEIVED.value, Case.examiner_id.is_not(None))
        .group_by(Case.examiner_id))
    return {user_id: count for user_id, count in rows}


# ---- case visibility --------------------------------------------------------------------------------

def can_view_case(session: Session, user: Any, case: Case) -> bool:
    role = role_of(user)
    if role in MANAGER_ROLES:
        return True
    if role == Role.ENTERPRISE:
        return case.enterprise_id == user.enterprise_id
    if role == Role.DISTRICT_STAFF:
        return bool(user.district_code) and case.enterprise.district_code == user.district_code
    if role == Role.EXAMINER:
        if case.examiner_id == user.id:
            return True
        profile = examiner_profile(session, user)
        return profile is not None and profile.centre_id == case.centre_id
    return False


def cases_query(session: Session, user: Any) -> Select:
    """The cases the user may see: staff all, district staff their district's, examiners theirs and their centre's
    queue, enterprises their own."""
    query = select(Case).join(Enterprise, Enterprise.id == Case.enterprise_id)
    role = role_of(user)
    if role in MANAGER_ROLES:
        return query
    if role == Role.ENTERPRISE:
        return query.where(Case.enterprise_id == (user.enterprise_id or -1))
    if role == Role.DISTRICT_STAFF:
        return query.where(Enterprise.district_code == (user.district_code or "-"))
    if role == Role.EXAMINER:
        profile = examiner_profile(session, user)
        return query.where(or_(Case.examiner_id == user.id, Case.centre_id == (profile.centre_id if profile else -1)))
    return query.where(false())


def queue_order() -> tuple[Any, ...]:
    """Green channel first, then the nearest deadline, then first come."""
    return (Case.green_channel.desc(), Case.due_on, Case.received_at, Case.id)


def list_cases(session: Session, user: Any, *, status: str | None = None, centre_id: int | None = None,
               mine: bool = False, green: bool | None = None, keyword: str | None = None, offset: int = 0,
               limit: int = 50) -> tuple[list[Case], int]:
    query = cases_query(session, user).options(selectinload(Case.centre), selectinload(Case.enterprise),
                                               selectinload(Case.examiner))
    if status:
        query = query.where(Case.status == status)
    if centre_id:
        query = query.where(Case.centre_id == centre_id)
    if mine:
        query = query.where(Case.examiner_id == user.id)
    if green is not None:
        query = query.where(Case.green_channel.is_(green))
    if keyword:
        like = f"%{keyword.strip()}%"
        query = query.where(or_(Case.title.like(like), Case.case_no.like(like), Case.applicant.like(like),
                                Case.ipc_main.like(f"{keyword.strip().upper()}%")))
    if status == CaseStatus.RECEIVED.value:
        return paginate(session, query, *queue_order(), offset=offset, limit=limit)
    return paginate(session, query, Case.received_at.desc(), Case.id.desc(), offset=offset, limit=limit)


# ---- documents ----------------------------------------------------------------------------------------

def documents_dir() -> Path:
    return get_settings().data_dir / "preexam"


def store_document(session: Session, case: Case, *, actor: Any, filename: str | None, content_type: str | None,
                   data: bytes, ip_address: str | None = None) -> Document:
    """Keep an uploaded file of a case under the data dir (the bytes were size-limited on reading)."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise PreexamError("申请文件", "文件名不能为空")
    if len(name) > MAX_LINE:
        raise PreexamError("申请文件", f"文件名不能超过 {MAX_LINE} 个字符")
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise PreexamError("申请文件", f"“{name}”的类型不受理，可上传 {'、'.join(ALLOWED_EXTENSIONS)}")
    if not data:
        raise PreexamError("申请文件", f"“{name}”是空文件")
    relative = Path("preexam") / str(case.id) / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    target = get_settings().data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    document = Document(case_id=case.id, filename=name, content_type=(content_type or None), size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), stored_path=str(relative), uploaded_by=actor.id,
                        uploaded_at=utcnow())
    session.add(document)
    session.flush()
    _audit(session, actor, "document.upload", "preexam_case", case.id, f"上传预审申请文件“{name}”（{case.case_no}）",
           {}, {"document_id": document.id, "filename": name, "size": len(data), "sha256": document.sha256},
           ip_address)
    return document


def document_path(document: Document) -> Path:
    return get_settings().data_dir / document.stored_path


def now() -> datetime:
    return utcnow()
