"""Patent navigation pages (/navigation) and JSON API (/api/navigation). Thin: the rules live in
``service`` (chain edits, projects), ``report`` (the navigation report) and ``assignment``.

Staff (city, district, admin) read reports; city staff and admins edit chains and record
delivered projects. Bad input is 422 with the zh-CN message; unknown chains are 404.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_roles, require_staff
from ipbureau.core.uow import get_db
from ipbureau.enums import Dataset
from ipbureau.navigation import assignment, report, service
from ipbureau.navigation.chains import chain_to_mapping, default_chains, load_chains
from ipbureau.navigation.models import ChainIn, ProjectIn, ProjectRead, SegmentIn
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no
from ipbureau.patents.service import dataset_present
from ipbureau.reference.service import district_map
from ipbureau.stats import charts
from ipbureau.stats.whitepaper import WhitePaperError
from ipbureau.web.templating import render
from ipbureau.web.errors import client_ip

router = Router()
require_editor = require_roles(Role.ADMIN, Role.BUREAU_STAFF)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MESSAGES = {"saved": "产业链定义已保存", "reverted": "已恢复为默认定义", "project": "导航项目已登记",
            "deleted": "导航项目已删除"}


_ip = client_ip


def _can_edit(user: User) -> bool:
    return Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF)


def _dataset(db: Session, raw: str | None) -> str:
    raw = (raw or "").strip()
    if raw:
        if raw not in (Dataset.REAL.value, Dataset.DEMO.value):
            raise report.ReportInputError(f"数据类别应为 real 或 demo：{raw}")
        return raw
    # Real data when there is any, else the demo (a fresh demo installation).
    return Dataset.REAL.value if dataset_present(db, Dataset.REAL) or not dataset_present(db, Dataset.DEMO) \
        else Dataset.DEMO.value


def _year(raw: str | None, label: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise report.ReportInputError(f"{label}应为年份（如 2023）：“{raw}”")
    return int(raw)


def _build(db: Session, code: str, dataset: str | None, year_from: str | None,
           year_to: str | None) -> report.NavigationReport:
    if not any(c.code == code for c in load_chains()):
        raise HTTPException(status_code=404, detail=f"产业链“{code}”不存在")
    # The page and its Word export share the content model (the export follows the page).
    return report.build_cached(db, code, dataset=_dataset(db, dataset), year_from=_year(year_from, "起始年份"),
                        year_to=_year(year_to, "截止年份"))


def _block_json(block: report.Block) -> dict[str, Any]:
    if isinstance(block, report.Paragraph):
        return {"type": "paragraph", "text": block.text, "style": block.style}
    if isinstance(block, report.Table):
        return {"type": "table", "title": block.title, "header": block.header, "note": block.note,
                "rows": [[{"text": c.text, "href": c.href} if isinstance(c, report.Link) else c for c in row]
                         for row in block.rows]}
    if isinstance(block, report.Chart):
        return {"type": "chart", "title": block.title, "kind": block.kind, "labels": block.labels,
                "values": block.values, "unit": block.unit, "links": block.links}
    return {"type": "network", "title": block.title, "nodes": block.nodes, "edges": block.edges}


def report_json(model: report.NavigationReport) -> dict[str, Any]:
    return {"chain_code": model.chain_code, "chain_name": model.chain_name, "title": model.title,
            "dataset": model.dataset, "year_from": model.year_from, "year_to": model.year_to,
            "generated_on": model.generated_on, "empty": model.empty, "figures": model.figures,
            "sections": [{"title": s.title, "blocks": [_block_json(b) for b in s.blocks]} for s in model.sections]}


def _svg(block: report.Chart | report.Network) -> str:
    if isinstance(block, report.Network):
        return report.network_svg(block)
    if block.kind == "barh":
        return charts.bar_ranking(block.labels, block.values, title=block.title, links=block.links)
    if block.kind == "line":
        return charts.line_chart(block.labels, block.values, title=block.title)
    return charts.column_chart(block.labels, block.values, title=block.title, links=block.links)


def _docx_response(model: report.NavigationReport) -> Response:
    try:
        data = report.to_docx(model)
    except WhitePaperError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    filename = f"{model.chain_code}-navigation-{model.year_from}-{model.year_to}.docx"
    quoted = quote(f"{model.title}（{model.year_from}—{model.year_to}）.docx")
    return Response(data, media_type=DOCX, headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quoted}"})


def _patent_by_number(db: Session, raw: str) -> Patent:
    raw = raw.strip()
    try:
        number = normalise_application_no(raw)
    except ApplicationNumberError:
        raise report.ReportInputError(f"申请号“{raw}”格式不正确（如 CN202310123456.7）") from None
    patent = db.scalar(select(Patent).where(Patent.application_no == number)
                       .options(selectinload(Patent.ipc_codes)))
    if patent is None:
        raise report.ReportInputError(f"未找到申请号为 {number} 的专利")
    return patent


# ---- pages -------------------------------------------------------------------------------------


@router.get("/navigation", include_in_schema=False)
def navigation_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    projects, total = service.list_projects(db, limit=100)
    edited = set(_edited_codes(db))
    return render(request, "navigation/index.html", {
        "chains": load_chains(), "edited": edited, "projects": [service.project_read(p) for p in projects],
        "project_total": total, "can_edit": _can_edit(user), "districts": district_map(db),
        "message": MESSAGES.get(request.query_params.get("message", "")), "error": None, "form": {},
        "today": date.today(), "datasets": Dataset.choices(),
    }, db=db)


def _edited_codes(db: Session) -> list[str]:
    from ipbureau.navigation.models import ChainOverride

    return list(db.scalars(select(ChainOverride.code)))


@router.get("/navigation/{code}", include_in_schema=False)
def report_page(request: Request, code: str, dataset: str | None = Query(None), year_from: str | None = Query(None),
                year_to: str | None = Query(None), application_no: str | None = Query(None),
                db: Session = Depends(get_db), user: User = Depends(require_staff)):
    context: dict[str, Any] = {"can_edit": _can_edit(user), "datasets": Dataset.choices(), "error": None,
                               "explained": None, "explain_error": None, "application_no": application_no or "",
                               "districts": district_map(db), "today": date.today(),
                               "message": MESSAGES.get(request.query_params.get("message", ""))}
    try:
        model = _build(db, code, dataset, year_from, year_to)
    except report.ReportInputError as exc:
        chain = next((c for c in load_chains() if c.code == code), None)
        context.update(error=str(exc), model=None, chain=chain, form={"dataset": dataset or "", "year_from": year_from or "",
                                                                      "year_to": year_to or ""})
        return render(request, "navigation/report.html", context, db=db, status_code=422)
    if application_no and application_no.strip():
        try:
            patent = _patent_by_number(db, application_no)
            chain = next(c for c in load_chains() if c.code == code)
            context["explained"] = (patent, assignment.explain_codes(chain, patent.ipc_list, patent.title,
                                                                     patent.abstract))
        except report.ReportInputError as exc:
            context["explain_error"] = str(exc)
    query = urlencode({"dataset": model.dataset, "year_from": model.year_from, "year_to": model.year_to})
    projects, _total = service.list_projects(db, chain_code=code, limit=20)
    context.update(model=model, chain=next(c for c in load_chains() if c.code == code), svg=_svg,
                   Paragraph=report.Paragraph, Table=report.Table, Chart=report.Chart, Network=report.Network,
                   Link=report.Link, query=query, projects=[service.project_read(p) for p in projects],
                   form={"dataset": model.dataset, "year_from": model.year_from, "year_to": model.year_to})
    return render(request, "navigation/report.html", context, db=db)


@router.get("/navigation/{code}/export.docx", include_in_schema=False)
def report_docx(code: str, dataset: str | None = Query(None), year_from: str | None = Query(None),
                year_to: str | None = Query(None), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    try:
        return _docx_response(_build(db, code, dataset, year_from, year_to))
    except report.ReportInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _edit_context(chain, form: dict[str, Any], error: str | None) -> dict[str, Any]:
    default = next((c for c in default_chains() if c.code == chain.code), None)
    return {"chain": chain, "form": form, "error": error, "default": default,
            "default_segments": service.segments_text(default) if default else ""}


@router.get("/navigation/{code}/edit", include_in_schema=False)
def edit_page(request: Request, code: str, db: Session = Depends(get_db), user: User = Depends(require_editor)):
    try:
        chain = service.chain_or_error(code)
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    form = {"name": chain.name, "ipc": ", ".join(chain.ipc_prefixes), "keywords": "、".join(chain.keywords),
            "segments": service.segments_text(chain)}
    context = _edit_context(chain, form, None)
    context["edited"] = service.is_edited(db, code) is not None
    return render(request, "navigation/edit.html", context, db=db)


@router.post("/navigation/{code}/edit", include_in_schema=False)
def edit_save(request: Request, code: str, name: str = Form(""), ipc: str = Form(""), keywords: str = Form(""),
              segments: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_editor)):
    try:
        chain = service.chain_or_error(code)
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    form = {"name": name, "ipc": ipc, "keywords": keywords, "segments": segments}
    try:
        data = ChainIn(name=name, ipc=service.split_list(ipc), keywords=service.split_list(keywords),
                       segments=[SegmentIn(**s) for s in service.parse_segments_text(segments)])
        service.save_chain(db, code, data, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NavigationError as exc:
        db.rollback()
        context = _edit_context(chain, form, str(exc))
        context["edited"] = service.is_edited(db, code) is not None
        return render(request, "navigation/edit.html", context, db=db, status_code=422)
    return RedirectResponse(f"/navigation/{code}?message=saved", status_code=303)


@router.post("/navigation/{code}/revert", include_in_schema=False)
def edit_revert(request: Request, code: str, db: Session = Depends(get_db), user: User = Depends(require_editor)):
    try:
        service.revert_chain(db, code, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except service.NavigationError as exc:
        db.rollback()
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return RedirectResponse(f"/navigation/{code}?message=reverted", status_code=303)


def _project_in(form: dict[str, str]) -> ProjectIn:
    published = (form.get("published_on") or "").strip()
    year = (form.get("year") or "").strip()
    try:
        published_on = date.fromisoformat(published) if published else None
    except ValueError:
        raise service.NavigationError(f"交付日期不是有效日期：“{published}”（应为 YYYY-MM-DD）") from None
    if year and not year.isdigit():
        raise service.NavigationError(f"报告年度应为年份（如 2023）：“{year}”")
    return ProjectIn(chain_code=form.get("chain_code", ""), title=form.get("title", ""),
                     year=int(year) if year else None, client=form.get("client", ""),
                     district_code=form.get("district_code") or None, published_on=published_on,
                     note=form.get("note") or None, dataset=form.get("dataset") or "real")


def _figures_for(db: Session, data: ProjectIn) -> dict[str, Any] | None:
    """The key figures of the report as delivered: the chain's report for the project's year and dataset."""
    try:
        model = report.build(db, data.chain_code, dataset=data.dataset, year_from=(data.year or 0) - report.DEFAULT_YEARS + 1,
                             year_to=data.year)
    except (report.ReportInputError, TypeError, ValueError):
        return None
    return report.key_figures(model)


@router.post("/navigation/projects", include_in_schema=False)
async def project_create(request: Request, db: Session = Depends(get_db), user: User = Depends(require_editor)):
    form = {k: str(v) for k, v in (await request.form()).items()}
    back = form.get("back") or "/navigation"
    try:
        data = _project_in(form)
        service.validate_project(db, data)
        service.create_project(db, data, actor=user, figures=_figures_for(db, data), ip_address=_ip(request))
        db.commit()
    except service.NavigationError as exc:
        db.rollback()
        projects, total = service.list_projects(db, limit=100)
        return render(request, "navigation/index.html", {
            "chains": load_chains(), "edited": set(_edited_codes(db)),
            "projects": [service.project_read(p) for p in projects], "project_total": total, "can_edit": True,
            "districts": district_map(db), "message": None, "error": str(exc), "form": form, "today": date.today(),
            "datasets": Dataset.choices()}, db=db, status_code=422)
    separator = "&" if "?" in back else "?"
    return RedirectResponse(f"{back if back.startswith('/navigation') else '/navigation'}{separator}message=project",
                            status_code=303)


@router.post("/navigation/projects/{project_id}/delete", include_in_schema=False)
def project_delete(request: Request, project_id: int, db: Session = Depends(get_db),
                   user: User = Depends(require_editor)):
    try:
        service.delete_project(db, project_id, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return RedirectResponse("/navigation?message=deleted", status_code=303)


# ---- API ---------------------------------------------------------------------------------------


@router.get("/api/navigation/chains", tags=["专利导航"])
def api_chains(db: Session = Depends(get_db), user: User = Depends(require_staff)):
    """The 12 chains as they apply now (staff edits over the shipped definitions)."""
    edited = set(_edited_codes(db))
    return [{"code": c.code, **chain_to_mapping(c), "edited": c.code in edited} for c in load_chains()]


@router.get("/api/navigation/chains/{code}", tags=["专利导航"])
def api_chain(code: str, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    try:
        chain = service.chain_or_error(code)
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return {"code": chain.code, **chain_to_mapping(chain), "edited": service.is_edited(db, code) is not None}


@router.put("/api/navigation/chains/{code}", tags=["专利导航"])
def api_save_chain(request: Request, code: str, body: ChainIn, db: Session = Depends(get_db),
                   user: User = Depends(require_editor)):
    """Edit a chain (name, ipc, keywords, segments [{name, ipc, keywords}]); validated and audited."""
    try:
        chain = service.save_chain(db, code, body, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except service.NavigationError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return {"code": chain.code, **chain_to_mapping(chain), "edited": True}


@router.post("/api/navigation/chains/{code}/revert", tags=["专利导航"])
def api_revert_chain(request: Request, code: str, db: Session = Depends(get_db), user: User = Depends(require_editor)):
    """Drop the staff edit of a chain: the shipped definition applies again."""
    try:
        chain = service.revert_chain(db, code, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except service.NavigationError as exc:
        db.rollback()
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return {"code": chain.code, **chain_to_mapping(chain), "edited": False}


@router.get("/api/navigation/chains/{code}/report", tags=["专利导航"])
def api_report(code: str, dataset: str | None = Query(None), year_from: str | None = Query(None),
               year_to: str | None = Query(None), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    """The navigation report's content model: key figures and the sections (tables, chart series)."""
    try:
        return report_json(_build(db, code, dataset, year_from, year_to))
    except report.ReportInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/api/navigation/chains/{code}/report.docx", tags=["专利导航"])
def api_report_docx(code: str, dataset: str | None = Query(None), year_from: str | None = Query(None),
                    year_to: str | None = Query(None), db: Session = Depends(get_db),
                    user: User = Depends(require_staff)):
    """The navigation report as Word (the same content, charts as images)."""
    try:
        return _docx_response(_build(db, code, dataset, year_from, year_to))
    except report.ReportInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/api/navigation/assignment", tags=["专利导航"])
def api_assignment(application_no: str = Query(""), chain: str | None = Query(None), db: Session = Depends(get_db),
                   user: User = Depends(require_staff)):
    """Why a patent is (or is not) in each chain: matched IPC codes and prefixes, matched keywords, segments."""
    try:
        patent = _patent_by_number(db, application_no)
    except report.ReportInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    chains = load_chains()
    if chain:
        chains = tuple(c for c in chains if c.code == chain)
        if not chains:
            raise HTTPException(status_code=404, detail=f"产业链“{chain}”不存在")
    found = assignment.explain(patent, chains, include_unrelated=bool(chain))
    return {"patent_id": patent.id, "application_no": patent.application_no, "ipc": patent.ipc_list,
            "assignments": [a.as_dict() for a in found]}


@router.get("/api/navigation/projects", response_model=list[ProjectRead], tags=["专利导航"])
def api_projects(chain: str | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
                 user: User = Depends(require_staff)):
    projects, _total = service.list_projects(db, chain_code=chain, dataset=dataset, limit=500)
    return [service.project_read(p) for p in projects]


@router.post("/api/navigation/projects", status_code=201, response_model=ProjectRead, tags=["专利导航"])
def api_create_project(request: Request, body: ProjectIn, db: Session = Depends(get_db),
                       user: User = Depends(require_editor)):
    """Record a delivered navigation report (counted by the indicator navigation_chains_served)."""
    try:
        service.validate_project(db, body)
        project = service.create_project(db, body, actor=user, figures=_figures_for(db, body), ip_address=_ip(request))
        db.commit()
    except service.NavigationError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return service.project_read(project)


@router.delete("/api/navigation/projects/{project_id}", status_code=204, tags=["专利导航"])
def api_delete_project(request: Request, project_id: int, db: Session = Depends(get_db),
                       user: User = Depends(require_editor)):
    try:
        service.delete_project(db, project_id, actor=user, ip_address=_ip(request))
        db.commit()
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return Response(status_code=204)

