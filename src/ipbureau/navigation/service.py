"""专利导航's rules: chain definitions as staff edit them, delivered navigation projects, and the report and
assignment explanation as the pages and the API ask for them. Each entry enforces the access policy
(``navigation.chain``, ``navigation.report``, ``navigation.project``), so the CLI is as safe as a route.

A chain edit is validated (IPC prefixes against the loaded scheme ``ipc_code``, keywords
non-empty), stored in ``navigation_chain`` (overriding the YAML entry of the same code) and
audited; ``chains.load_chains()`` sees it from the commit on (see that module for how).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.core.errors import Conflict, DomainError, NotFound
from ipbureau.database.core import paginate
from ipbureau.enums import Dataset
from ipbureau.navigation import chains as chain_store
from ipbureau.navigation import report
from ipbureau.navigation.assignment import ChainAssignment, explain, explain_codes
from ipbureau.navigation.chains import IndustryChain, chain_from_mapping, chain_to_mapping, default_chains, load_chains
from ipbureau.navigation.models import ChainOverride, NavigationProject
from ipbureau.navigation.schemas import (
    AssignmentRead,
    ChainRead,
    ChainUpdate,
    ProjectCreate,
    ProjectFilters,
    ProjectRead,
    ReportPageQuery,
    ReportQuery,
    segments_text,
)
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no
from ipbureau.patents.service import dataset_present
from ipbureau.policy import policy
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import District, IpcCode
from ipbureau.reference.service import district_map

MAX_KEYWORD_CHARS = 30


# ---- chains -----------------------------------------------------------------------------------------------

def _chain(session: Session, code: str) -> IndustryChain:
    chain = chain_store.chain_by_code(code, session)
    if chain is None:
        raise NotFound(f"产业链“{code}”")
    return chain


def get_chain(session: Session, user: Any, code: str) -> IndustryChain:
    policy.require(user, "navigation.chain", "view")
    return _chain(session, code)


def is_edited(session: Session, code: str) -> ChainOverride | None:
    return session.scalar(select(ChainOverride).where(ChainOverride.code == code))


def edited_codes(session: Session) -> set[str]:
    return set(session.scalars(select(ChainOverride.code)))


def list_chains(session: Session, user: Any) -> list[ChainRead]:
    """The 12 chains as they apply now (staff edits over the shipped definitions)."""
    policy.require(user, "navigation.chain", "view")
    edited = edited_codes(session)
    return [ChainRead.read(c, edited=c.code in edited) for c in load_chains(session)]


def chain_read(session: Session, user: Any, code: str) -> ChainRead:
    chain = get_chain(session, user, code)
    return ChainRead.read(chain, edited=is_edited(session, code) is not None)


def _check_prefixes(session: Session, raw: list[str], where: str) -> list[str]:
    out: list[str] = []
    for item in raw:
        item = item.strip()
        if not item:
            continue
        try:
            code = normalise_ipc(item)
        except IpcFormatError:
            raise DomainError(f"{where}的 IPC 前缀“{item}”格式不正确（应如 G06F、G06F21/00 或 G06F21/60）") from None
        entry = session.get(IpcCode, code)
        if entry is None:
            raise DomainError(f"{where}的 IPC 前缀“{item}”不在 IPC 分类表中")
        if not entry.current:
            raise DomainError(f"{where}的 IPC 前缀“{item}”只见于 2020 版分类表，现行版已不再使用")
        if code not in out:
            out.append(code)
    return out


def _check_keywords(raw: list[str], where: str) -> list[str]:
    out: list[str] = []
    for word in raw:
        word = word.strip()
        if not word:
            continue
        if len(word) > MAX_KEYWORD_CHARS:
            raise DomainError(f"{where}的关键词“{word[:MAX_KEYWORD_CHARS]}…”过长（最多 {MAX_KEYWORD_CHARS} 字）")
        if word not in out:
            out.append(word)
    if not out:
        raise DomainError(f"{where}的关键词不能为空")
    return out


def validate_chain(session: Session, code: str, data: ChainUpdate) -> IndustryChain:
    """The edited chain, normalised; DomainError naming the field otherwise."""
    name = data.name.strip()
    if not name:
        raise DomainError("产业链名称不能为空")
    if len(name) > 100:
        raise DomainError("产业链名称过长（最多 100 字）")
    chain_ipc = _check_prefixes(session, data.ipc, "产业链")
    chain_keywords = _check_keywords(data.keywords, "产业链")
    if not data.segments:
        raise DomainError("至少需要一个细分环节")
    segments = []
    seen: set[str] = set()
    for number, segment in enumerate(data.segments, start=1):
        seg_name = segment.name.strip()
        if not seg_name:
            raise DomainError(f"第 {number} 个细分环节的名称不能为空")
        if seg_name in seen:
            raise DomainError(f"细分环节名称“{seg_name}”重复")
        seen.add(seg_name)
        where = f"细分环节“{seg_name}”"
        seg_ipc = _check_prefixes(session, segment.ipc, where)
        if not seg_ipc:
            raise DomainError(f"{where}至少需要一个 IPC 前缀")
        segments.append({"name": seg_name, "ipc": seg_ipc, "keywords": _check_keywords(segment.keywords, where)})
    return chain_from_mapping(code, {"name": name, "ipc": chain_ipc, "keywords": chain_keywords, "segments": segments})


def save_chain(session: Session, code: str, data: ChainUpdate, *, actor: Any,
               ip_address: str | None = None) -> IndustryChain:
    """Store the edit of chain ``code`` (one of the 12) and audit it; the request's unit of work commits."""
    policy.authorize(session, actor, "navigation.chain", "edit")
    before = _chain(session, code)
    chain = validate_chain(session, code, data)
    mapping = chain_to_mapping(chain)
    changes = audit.diff(chain_to_mapping(before), mapping)
    if not changes:
        return before
    row = is_edited(session, code)
    if row is None:
        row = ChainOverride(code=code, revision=0)
        session.add(row)
    row.name, row.ipc_prefixes, row.keywords, row.segments = (mapping["name"], mapping["ipc"], mapping["keywords"],
                                                              mapping["segments"])
    row.revision = (row.revision or 0) + 1
    row.updated_by = getattr(actor, "id", None)
    session.flush()
    chain_store.edited(session)
    audit.record(session, actor=actor, action="navigation.chain.update", entity_type="industry_chain",
                 entity_id=code, summary=f"修改产业链定义：{chain.name}（第 {row.revision} 版）",
                 changes=changes, ip_address=ip_address)
    return chain


def revert_chain(session: Session, code: str, *, actor: Any, ip_address: str | None = None) -> IndustryChain:
    """Drop the staff edit: the shipped YAML definition applies again (audited)."""
    policy.authorize(session, actor, "navigation.chain", "edit")
    current = _chain(session, code)
    row = is_edited(session, code)
    default = next(c for c in default_chains() if c.code == code)
    if row is None:
        raise Conflict("", f"产业链“{current.name}”未被修改过，已是默认定义")
    session.delete(row)
    session.flush()
    chain_store.edited(session)
    audit.record(session, actor=actor, action="navigation.chain.revert", entity_type="industry_chain",
                 entity_id=code, summary=f"产业链定义恢复为默认：{default.name}",
                 changes=audit.diff(chain_to_mapping(current), chain_to_mapping(default)), ip_address=ip_address)
    return default


@dataclass
class EditPage:
    chain: IndustryChain
    default: IndustryChain | None
    default_segments: str
    edited: bool
    form: dict[str, Any]


def edit_page(session: Session, user: Any, code: str, form: dict[str, Any] | None = None) -> EditPage:
    """The edit form of a chain: its definition as text (or the form as sent), and the shipped default."""
    policy.require(user, "navigation.chain", "edit")
    chain = _chain(session, code)
    default = next((c for c in default_chains() if c.code == code), None)
    shown = form if form is not None else {
        "name": chain.name, "ipc": ", ".join(chain.ipc_prefixes), "keywords": "、".join(chain.keywords),
        "segments": segments_text(chain)}
    return EditPage(chain=chain, default=default, default_segments=segments_text(default) if default else "",
                    edited=is_edited(session, code) is not None, form=shown)


# ---- navigation projects ------------------------------------------------------------------------------------

def _chain_names(session: Session) -> dict[str, str]:
    return {c.code: c.name for c in load_chains(session)}


def validate_project(session: Session, data: ProjectCreate, *, today: date | None = None) -> dict[str, Any]:
    if data.chain_code not in _chain_names(session):
        raise DomainError(f"产业链“{data.chain_code}”不存在" if data.chain_code else "请选择产业链")
    title = (data.title or "").strip()
    if not title:
        raise DomainError("报告名称不能为空")
    client = (data.client or "").strip()
    if not client:
        raise DomainError("服务对象（企业、园区或产业基地）不能为空")
    if data.published_on is None:
        raise DomainError("交付日期不能为空")
    if data.published_on > (today or date.today()):
        raise DomainError("交付日期不能晚于今天")
    if data.year is None or not 2000 <= data.year <= data.published_on.year:
        raise DomainError(f"报告年度应在 2000 到 {data.published_on.year} 之间（不晚于交付年份）")
    district = (data.district_code or "").strip() or None
    if district and session.get(District, district) is None:
        raise DomainError(f"所属区代码“{district}”不存在")
    if data.dataset not in (Dataset.REAL.value, Dataset.DEMO.value):
        raise DomainError("数据类别应为 real 或 demo")
    return {"chain_code": data.chain_code, "title": title, "year": data.year, "client": client,
            "district_code": district, "published_on": data.published_on, "note": (data.note or "").strip() or None,
            "dataset": data.dataset}


def _delivered_figures(session: Session, values: dict[str, Any]) -> dict[str, Any] | None:
    """The key figures of the report as delivered: the chain's report for the project's year and dataset."""
    try:
        model = report.build(session, values["chain_code"], dataset=values["dataset"],
                             year_from=values["year"] - report.DEFAULT_YEARS + 1, year_to=values["year"])
    except DomainError:
        return None
    return report.key_figures(model)


def create_project(session: Session, data: ProjectCreate, *, actor: Any,
                   ip_address: str | None = None) -> NavigationProject:
    """Record a delivered navigation report with its key figures (counted by ``navigation_chains_served``)."""
    policy.authorize(session, actor, "navigation.project", "create")
    values = validate_project(session, data)
    project = NavigationProject(**values, figures=_delivered_figures(session, values),
                                created_by=getattr(actor, "id", None))
    session.add(project)
    session.flush()
    chain_name = _chain_names(session)[project.chain_code]
    audit.record(session, actor=actor, action="navigation.project.create", entity_type="navigation_project",
                 entity_id=project.id, summary=f"登记专利导航项目：{project.title}（{chain_name}）",
                 changes=audit.diff({}, values), ip_address=ip_address)
    return project


def project_read(session: Session, project: NavigationProject) -> ProjectRead:
    return ProjectRead.of(project, _chain_names(session))


def delete_project(session: Session, project_id: int, *, actor: Any, ip_address: str | None = None) -> None:
    project = policy.get(session, actor, "navigation.project", project_id, "delete")
    audit.record(session, actor=actor, action="navigation.project.delete", entity_type="navigation_project",
                 entity_id=project.id, summary=f"删除专利导航项目：{project.title}",
                 changes=audit.diff(project_read(session, project).model_dump(), {}), ip_address=ip_address)
    session.delete(project)
    session.flush()


def list_projects(session: Session, user: Any, *, chain_code: str | None = None, dataset: str | None = None,
                  offset: int = 0, limit: int = 50) -> tuple[list[ProjectRead], int]:
    query = policy.scoped(select(NavigationProject), user, "navigation.project")
    if chain_code:
        query = query.where(NavigationProject.chain_code == chain_code)
    if dataset:
        query = query.where(NavigationProject.dataset == dataset)
    projects, total = paginate(session, query, NavigationProject.published_on.desc(), NavigationProject.id.desc(),
                               offset=offset, limit=limit)
    names = _chain_names(session)
    return [ProjectRead.of(p, names) for p in projects], total


def project_list(session: Session, user: Any, filters: ProjectFilters) -> list[ProjectRead]:
    projects, _total = list_projects(session, user, chain_code=filters.chain,
                                     dataset=filters.dataset.value if filters.dataset else None, limit=500)
    return projects


# ---- the report and the assignment ---------------------------------------------------------------------------

def _dataset(session: Session, raw: str | None) -> str:
    if raw:
        if raw not in (Dataset.REAL.value, Dataset.DEMO.value):
            raise DomainError(f"数据类别应为 real 或 demo：{raw}")
        return raw
    # Real data when there is any, else the demo (a fresh demo installation).
    if dataset_present(session, Dataset.REAL) or not dataset_present(session, Dataset.DEMO):
        return Dataset.REAL.value
    return Dataset.DEMO.value


def report_for(session: Session, user: Any, code: str, query: ReportQuery, *,
               action: str = "view") -> report.NavigationReport:
    """The chain's report (``action`` "export" for the Word file). The page and its Word export share the content
    model (``report.build_cached``), so the export follows the page."""
    policy.require(user, "navigation.report", action)
    _chain(session, code)
    return report.build_cached(session, code, dataset=_dataset(session, query.dataset), year_from=query.year_from,
                               year_to=query.year_to)


def _patent_by_number(session: Session, raw: str) -> Patent:
    raw = raw.strip()
    try:
        number = normalise_application_no(raw)
    except ApplicationNumberError:
        raise DomainError(f"申请号“{raw}”格式不正确（如 CN202310123456.7）") from None
    patent = session.scalar(select(Patent).where(Patent.application_no == number)
                            .options(selectinload(Patent.ipc_codes)))
    if patent is None:
        raise DomainError(f"未找到申请号为 {number} 的专利")
    return patent


def explain_application(session: Session, user: Any, application_no: str, chain_code: str | None) -> AssignmentRead:
    """Why a patent is (or is not) in each chain (or in one chain, unrelated or not)."""
    policy.require(user, "navigation.report", "view")
    patent = _patent_by_number(session, application_no)
    if chain_code:
        chains: tuple[IndustryChain, ...] = (_chain(session, chain_code),)
    else:
        chains = load_chains(session)
    return AssignmentRead.of(patent, explain(patent, chains, include_unrelated=bool(chain_code)))


# ---- the pages -----------------------------------------------------------------------------------------------

@dataclass
class IndexPage:
    chains: tuple[IndustryChain, ...]
    edited: set[str]
    projects: list[ProjectRead]
    project_total: int
    districts: dict[str, str]
    can_edit: bool  # edit chain definitions
    can_record: bool  # record a delivered project
    can_delete: bool  # delete one


def _permissions(user: Any) -> dict[str, bool]:
    return {"can_edit": policy.allows(user, "navigation.chain", "edit"),
            "can_record": policy.allows(user, "navigation.project", "create"),
            "can_delete": policy.allows(user, "navigation.project", "delete")}


def index_page(session: Session, user: Any) -> IndexPage:
    policy.require(user, "navigation.chain", "view")
    projects, total = list_projects(session, user, limit=100)
    return IndexPage(chains=load_chains(session), edited=edited_codes(session), projects=projects,
                     project_total=total, districts=district_map(session), **_permissions(user))


@dataclass
class ReportPage:
    chain: IndustryChain
    form: dict[str, Any]
    districts: dict[str, str]
    can_edit: bool
    can_record: bool
    can_delete: bool
    model: report.NavigationReport | None = None
    error: str | None = None  # the report cannot be built for this input (shown above the form)
    application_no: str = ""
    explained: tuple[Patent, ChainAssignment] | None = None
    explain_error: str | None = None
    projects: list[ProjectRead] = field(default_factory=list)


def report_page(session: Session, user: Any, code: str, query: ReportPageQuery) -> ReportPage:
    """The report of a chain, the explanation of one application's assignment when asked, the chain's projects."""
    policy.require(user, "navigation.report", "view")
    chain = _chain(session, code)
    page = ReportPage(chain=chain, districts=district_map(session), application_no=query.application_no or "",
                      form={"dataset": query.dataset or "", "year_from": query.year_from or "",
                            "year_to": query.year_to or ""}, **_permissions(user))
    try:
        page.model = report_for(session, user, code, query)
    except DomainError as exc:
        page.error = str(exc)
        return page
    page.form = {"dataset": page.model.dataset, "year_from": page.model.year_from, "year_to": page.model.year_to}
    if query.application_no:
        try:
            patent = _patent_by_number(session, query.application_no)
            page.explained = (patent, explain_codes(chain, patent.ipc_list, patent.title, patent.abstract))
        except DomainError as exc:
            page.explain_error = str(exc)
    page.projects, _total = list_projects(session, user, chain_code=code, limit=20)
    return page
