"""Chain definitions as staff edit them, and navigation projects (delivered reports).

A chain edit is validated (IPC prefixes against the loaded scheme ``ipc_code``, keywords
non-empty), stored in ``navigation_chain`` (overriding the YAML entry of the same code) and
audited; ``chains.load_chains()`` sees it on its next call (see that module for how).
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit_service
from ipbureau.database.core import paginate
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import (IndustryChain, chain_by_code, chain_from_mapping, chain_to_mapping,
                                        default_chains, load_chains)
from ipbureau.navigation.models import ChainIn, ChainOverride, NavigationProject, ProjectIn
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import District, IpcCode

# Lists typed in a form: commas (both widths), 、, semicolons, whitespace or new lines.
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
MAX_KEYWORD_CHARS = 30


class NavigationError(DomainError):
    """Input the user must correct (zh-CN message naming the field)."""


class NotFound(LookupError):
    pass


def split_list(text: str | None) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text or "") if part]


def parse_segments_text(text: str) -> list[dict[str, Any]]:
    """Segments typed one per line as ``名称 | IPC 前缀 | 关键词`` (lists split as in split_list)."""
    segments = []
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) != 3:
            raise NavigationError(f"细分环节第 {line_no} 行应为“名称 | IPC 前缀 | 关键词”三栏，用 | 分隔")
        segments.append({"name": parts[0], "ipc": split_list(parts[1]), "keywords": split_list(parts[2])})
    return segments


def segments_text(chain: IndustryChain) -> str:
    return "\n".join(f"{s.name} | {', '.join(s.ipc_prefixes)} | {'、'.join(s.keywords)}" for s in chain.segments)


def _check_prefixes(session: Session, raw: list[str], where: str) -> list[str]:
    out: list[str] = []
    for item in raw:
        item = item.strip()
        if not item:
            continue
        try:
            code = normalise_ipc(item)
        except IpcFormatError:
            raise NavigationError(f"{where}的 IPC 前缀“{item}”格式不正确（应如 G06F、G06F21/00 或 G06F21/60）") from None
        entry = session.get(IpcCode, code)
        if entry is None:
            raise NavigationError(f"{where}的 IPC 前缀“{item}”不在 IPC 分类表中")
        if not entry.current:
            raise NavigationError(f"{where}的 IPC 前缀“{item}”只见于 2020 版分类表，现行版已不再使用")
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
            raise NavigationError(f"{where}的关键词“{word[:MAX_KEYWORD_CHARS]}…”过长（最多 {MAX_KEYWORD_CHARS} 字）")
        if word not in out:
            out.append(word)
    if not out:
        raise NavigationError(f"{where}的关键词不能为空")
    return out


def validate_chain(session: Session, code: str, data: ChainIn) -> IndustryChain:
    """The edited chain, normalised; NavigationError naming the field otherwise."""
    name = data.name.strip()
    if not name:
        raise NavigationError("产业链名称不能为空")
    if len(name) > 100:
        raise NavigationError("产业链名称过长（最多 100 字）")
    chain_ipc = _check_prefixes(session, data.ipc, "产业链")
    chain_keywords = _check_keywords(data.keywords, "产业链")
    if not data.segments:
        raise NavigationError("至少需要一个细分环节")
    segments = []
    seen: set[str] = set()
    for number, segment in enumerate(data.segments, start=1):
        seg_name = segment.name.strip()
        if not seg_name:
            raise NavigationError(f"第 {number} 个细分环节的名称不能为空")
        if seg_name in seen:
            raise NavigationError(f"细分环节名称“{seg_name}”重复")
        seen.add(seg_name)
        where = f"细分环节“{seg_name}”"
        seg_ipc = _check_prefixes(session, segment.ipc, where)
        if not seg_ipc:
            raise NavigationError(f"{where}至少需要一个 IPC 前缀")
        segments.append({"name": seg_name, "ipc": seg_ipc, "keywords": _check_keywords(segment.keywords, where)})
    return chain_from_mapping(code, {"name": name, "ipc": chain_ipc, "keywords": chain_keywords, "segments": segments})


def chain_or_error(code: str) -> IndustryChain:
    chain = chain_by_code(code)
    if chain is None:
        raise NotFound(f"产业链“{code}”不存在")
    return chain


def is_edited(session: Session, code: str) -> ChainOverride | None:
    return session.scalar(select(ChainOverride).where(ChainOverride.code == code))


def save_chain(session: Session, code: str, data: ChainIn, *, actor: Any, ip_address: str | None = None) -> IndustryChain:
    """Store the edit of chain ``code`` (one of the 12) and audit it; the caller commits."""
    before = chain_or_error(code)
    chain = validate_chain(session, code, data)
    mapping = chain_to_mapping(chain)
    old = chain_to_mapping(before)
    changes = audit_service.diff(old, mapping)
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
    audit_service.record(session, actor=actor, action="navigation.chain.update", entity_type="industry_chain",
                         entity_id=code, summary=f"修改产业链定义：{chain.name}（第 {row.revision} 版）",
                         changes=changes, ip_address=ip_address)
    return chain


def revert_chain(session: Session, code: str, *, actor: Any, ip_address: str | None = None) -> IndustryChain:
    """Drop the staff edit: the shipped YAML definition applies again (audited)."""
    current = chain_or_error(code)
    row = is_edited(session, code)
    default = next(c for c in default_chains() if c.code == code)
    if row is None:
        raise NavigationError(f"产业链“{current.name}”未被修改过，已是默认定义")
    session.delete(row)
    session.flush()
    audit_service.record(session, actor=actor, action="navigation.chain.revert", entity_type="industry_chain",
                         entity_id=code, summary=f"产业链定义恢复为默认：{default.name}",
                         changes=audit_service.diff(chain_to_mapping(current), chain_to_mapping(default)),
                         ip_address=ip_address)
    return default


# --- navigation projects ---------------------------------------------------------------------


def _chain_name(code: str) -> str:
    chain = chain_by_code(code)
    return chain.name if chain else code


def project_read(project: NavigationProject) -> dict[str, Any]:
    return {"id": project.id, "chain_code": project.chain_code, "chain_name": _chain_name(project.chain_code),
            "title": project.title, "year": project.year, "client": project.client,
            "district_code": project.district_code, "published_on": project.published_on, "note": project.note,
            "figures": project.figures, "dataset": project.dataset}


def validate_project(session: Session, data: ProjectIn, *, today: date | None = None) -> dict[str, Any]:
    codes = {c.code for c in load_chains()}
    if data.chain_code not in codes:
        raise NavigationError(f"产业链“{data.chain_code}”不存在" if data.chain_code else "请选择产业链")
    title = (data.title or "").strip()
    if not title:
        raise NavigationError("报告名称不能为空")
    client = (data.client or "").strip()
    if not client:
        raise NavigationError("服务对象（企业、园区或产业基地）不能为空")
    if data.published_on is None:
        raise NavigationError("交付日期不能为空")
    if data.published_on > (today or date.today()):
        raise NavigationError("交付日期不能晚于今天")
    if data.year is None or not 2000 <= data.year <= data.published_on.year:
        raise NavigationError(f"报告年度应在 2000 到 {data.published_on.year} 之间（不晚于交付年份）")
    district = (data.district_code or "").strip() or None
    if district and session.get(District, district) is None:
        raise NavigationError(f"所属区代码“{district}”不存在")
    if data.dataset not in (Dataset.REAL.value, Dataset.DEMO.value):
        raise NavigationError("数据类别应为 real 或 demo")
    return {"chain_code": data.chain_code, "title": title[:300], "year": data.year, "client": client[:200],
            "district_code": district, "published_on": data.published_on, "note": (data.note or "").strip() or None,
            "dataset": data.dataset}


def create_project(session: Session, data: ProjectIn, *, actor: Any, figures: dict[str, Any] | None = None,
                   ip_address: str | None = None) -> NavigationProject:
    """Record a delivered navigation report (counted by ``navigation_chains_served``); the caller commits."""
    values = validate_project(session, data)
    project = NavigationProject(**values, figures=figures, created_by=getattr(actor, "id", None))
    session.add(project)
    session.flush()
    audit_service.record(session, actor=actor, action="navigation.project.create", entity_type="navigation_project",
                         entity_id=project.id, summary=f"登记专利导航项目：{project.title}（{_chain_name(project.chain_code)}）",
                         changes=audit_service.diff({}, values), ip_address=ip_address)
    return project


def delete_project(session: Session, project_id: int, *, actor: Any, ip_address: str | None = None) -> None:
    project = session.get(NavigationProject, project_id)
    if project is None:
        raise NotFound("导航项目不存在")
    audit_service.record(session, actor=actor, action="navigation.project.delete", entity_type="navigation_project",
                         entity_id=project.id, summary=f"删除专利导航项目：{project.title}",
                         changes=audit_service.diff(project_read(project), {}), ip_address=ip_address)
    session.delete(project)
    session.flush()


def list_projects(session: Session, *, chain_code: str | None = None, dataset: str | None = None,
                  offset: int = 0, limit: int = 50) -> tuple[list[NavigationProject], int]:
    query = select(NavigationProject)
    if chain_code:
        query = query.where(NavigationProject.chain_code == chain_code)
    if dataset:
        query = query.where(NavigationProject.dataset == dataset)
    return paginate(session, query, NavigationProject.published_on.desc(), NavigationProject.id.desc(),
                    offset=offset, limit=limit)
