"""Patent navigation pages (/navigation) and JSON API (/api/navigation). Thin: each route parses its input into
the schemas, makes one call to ``service`` (chain edits, projects, the report and the assignment explanation)
and renders or answers. Who may do what is the access policy's (staff read, city staff edit chains and record
projects); bad input is 422 with the zh-CN message, unknown chains and projects 404, and a page re-shows its
form with the message."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, ShortText
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.enums import Dataset
from ipbureau.navigation import report, service
from ipbureau.navigation.schemas import (
    AssignmentRead,
    ChainRead,
    ChainUpdate,
    ProjectCreate,
    ProjectFilters,
    ProjectRead,
    ReportPageQuery,
    ReportQuery,
    ReportRead,
)
from ipbureau.policy import requires
from ipbureau.stats import charts
from ipbureau.web.downloads import download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
TAGS: list[Any] = ["专利导航"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MESSAGES = {"saved": "产业链定义已保存", "reverted": "已恢复为默认定义", "project": "导航项目已登记",
            "deleted": "导航项目已删除"}


def _svg(block: report.Chart | report.Network) -> str:
    if isinstance(block, report.Network):
        return report.network_svg(block)
    if block.kind == "barh":
        return charts.bar_ranking(block.labels, block.values, title=block.title, links=block.links)
    if block.kind == "line":
        return charts.line_chart(block.labels, block.values, title=block.title, incomplete=block.incomplete)
    return charts.column_chart(block.labels, block.values, title=block.title, links=block.links,
                               incomplete=block.incomplete)


def _docx_response(model: report.NavigationReport) -> Response:
    return download(report.to_docx(model), f"{model.title}（{model.year_from}—{model.year_to}）.docx", DOCX,
                    ascii_name=f"{model.chain_code}-navigation-{model.year_from}-{model.year_to}.docx")


# ---- pages -------------------------------------------------------------------------------------


def _index(request: Request, db: Session, user: User, *, message: str | None = None, error: str | None = None,
           form: dict[str, Any] | None = None, status_code: int = 200):
    return render(request, "navigation/index.html", {
        "page": service.index_page(db, user), "message": message, "error": error, "form": form or {},
        "datasets": Dataset.choices(), "today": date.today(),
    }, db=db, status_code=status_code)


@router.get("/navigation", include_in_schema=False)
def navigation_page(request: Request, message: ShortText | None = None, db: Session = Depends(get_db),
                    user: User = Depends(requires("navigation.chain", "view"))):
    return _index(request, db, user, message=MESSAGES.get(message or ""))


@router.get("/navigation/{chain_code}", include_in_schema=False)
def report_page(request: Request, chain_code: ShortText, query: Annotated[ReportPageQuery, Query()],
                message: ShortText | None = None, db: Session = Depends(get_db),
                user: User = Depends(requires("navigation.report", "view"))):
    page = service.report_page(db, user, chain_code, query)
    links = urlencode({"dataset": page.model.dataset, "year_from": page.model.year_from,
                       "year_to": page.model.year_to}) if page.model else ""
    return render(request, "navigation/report.html", {
        "page": page, "model": page.model, "chain": page.chain, "form": page.form, "query": links, "svg": _svg,
        "message": MESSAGES.get(message or ""), "datasets": Dataset.choices(), "today": date.today(),
    }, db=db, status_code=422 if page.error else 200)


@router.get("/navigation/{chain_code}/export.docx", include_in_schema=False)
def report_docx(chain_code: ShortText, query: Annotated[ReportQuery, Query()], db: Session = Depends(get_db),
                user: User = Depends(requires("navigation.report", "export"))):
    return _docx_response(service.report_for(db, user, chain_code, query, action="export"))


def _edit(request: Request, db: Session, user: User, chain_code: str, *, form: dict[str, Any] | None = None,
          error: str | None = None, status_code: int = 200):
    return render(request, "navigation/edit.html", {"page": service.edit_page(db, user, chain_code, form),
                                                    "error": error}, db=db, status_code=status_code)


@router.get("/navigation/{chain_code}/edit", include_in_schema=False)
def edit_page(request: Request, chain_code: ShortText, db: Session = Depends(get_db),
              user: User = Depends(requires("navigation.chain", "edit"))):
    return _edit(request, db, user, chain_code)


@router.post("/navigation/{chain_code}/edit", include_in_schema=False)
def edit_save(request: Request, chain_code: ShortText, db: Session = Depends(get_db),
              user: User = Depends(requires("navigation.chain", "edit")),
              form: FormData = Depends(posted_form)):
    try:
        service.save_chain(db, chain_code, ChainUpdate.from_form(form), actor=user, ip_address=client_ip(request))
    except DomainError as exc:  # the form again, as typed, with the message
        return _edit(request, db, user, chain_code, form=dict(form), error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/navigation/{chain_code}?message=saved", status_code=303)


@router.post("/navigation/{chain_code}/revert", include_in_schema=False)
def edit_revert(request: Request, chain_code: ShortText, db: Session = Depends(get_db),
                user: User = Depends(requires("navigation.chain", "edit"))):
    service.revert_chain(db, chain_code, actor=user, ip_address=client_ip(request))
    return RedirectResponse(f"/navigation/{chain_code}?message=reverted", status_code=303)


@router.post("/navigation/projects", include_in_schema=False)
def project_create(request: Request, db: Session = Depends(get_db),
                   user: User = Depends(requires("navigation.project", "create")),
                   form: FormData = Depends(posted_form)):
    back = str(form.get("back") or "")
    try:
        service.create_project(db, form_model(ProjectCreate, form), actor=user, ip_address=client_ip(request))
    except DomainError as exc:
        return _index(request, db, user, error=str(exc), form=dict(form), status_code=exc.status)
    target = back if back.startswith("/navigation") else "/navigation"
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}message=project", status_code=303)


@router.post("/navigation/projects/{project_id}/delete", include_in_schema=False)
def project_delete(request: Request, project_id: Id, db: Session = Depends(get_db),
                   user: User = Depends(requires("navigation.project", "delete"))):
    service.delete_project(db, project_id, actor=user, ip_address=client_ip(request))
    return RedirectResponse("/navigation?message=deleted", status_code=303)


# ---- API ---------------------------------------------------------------------------------------


@router.get("/api/navigation/chains", response_model=list[ChainRead], tags=TAGS)
def api_chains(db: Session = Depends(get_db), user: User = Depends(requires("navigation.chain", "view"))):
    """The 12 chains as they apply now (staff edits over the shipped definitions)."""
    return service.list_chains(db, user)


@router.get("/api/navigation/chains/{chain_code}", response_model=ChainRead, tags=TAGS)
def api_chain(chain_code: ShortText, db: Session = Depends(get_db),
              user: User = Depends(requires("navigation.chain", "view"))):
    return service.chain_read(db, user, chain_code)


@router.put("/api/navigation/chains/{chain_code}", response_model=ChainRead, tags=TAGS)
def api_save_chain(request: Request, chain_code: ShortText, body: ChainUpdate, db: Session = Depends(get_db),
                   user: User = Depends(requires("navigation.chain", "edit"))):
    """Edit a chain (name, ipc, keywords, segments [{name, ipc, keywords}]); validated and audited."""
    chain = service.save_chain(db, chain_code, body, actor=user, ip_address=client_ip(request))
    return ChainRead.read(chain, edited=True)


@router.post("/api/navigation/chains/{chain_code}/revert", response_model=ChainRead, tags=TAGS)
def api_revert_chain(request: Request, chain_code: ShortText, db: Session = Depends(get_db),
                     user: User = Depends(requires("navigation.chain", "edit"))):
    """Drop the staff edit of a chain: the shipped definition applies again."""
    chain = service.revert_chain(db, chain_code, actor=user, ip_address=client_ip(request))
    return ChainRead.read(chain, edited=False)


@router.get("/api/navigation/chains/{chain_code}/report", response_model=ReportRead, tags=TAGS)
def api_report(chain_code: ShortText, query: Annotated[ReportQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("navigation.report", "view"))):
    """The navigation report's content model: key figures and the sections (tables, chart series)."""
    return ReportRead.of(service.report_for(db, user, chain_code, query))


@router.get("/api/navigation/chains/{chain_code}/report.docx", response_class=Response, tags=TAGS)
def api_report_docx(chain_code: ShortText, query: Annotated[ReportQuery, Query()], db: Session = Depends(get_db),
                    user: User = Depends(requires("navigation.report", "export"))):
    """The navigation report as Word (the same content, charts as images)."""
    return _docx_response(service.report_for(db, user, chain_code, query, action="export"))


@router.get("/api/navigation/assignment", response_model=AssignmentRead, tags=TAGS)
def api_assignment(application_no: ShortText = "", chain: ShortText | None = None, db: Session = Depends(get_db),
                   user: User = Depends(requires("navigation.report", "view"))):
    """Why a patent is (or is not) in each chain: matched IPC codes and prefixes, matched keywords, segments."""
    return service.explain_application(db, user, application_no, chain)


@router.get("/api/navigation/projects", response_model=list[ProjectRead], tags=TAGS)
def api_projects(filters: Annotated[ProjectFilters, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("navigation.project", "view"))):
    return service.project_list(db, user, filters)


@router.post("/api/navigation/projects", status_code=201, response_model=ProjectRead, tags=TAGS)
def api_create_project(request: Request, body: ProjectCreate, db: Session = Depends(get_db),
                       user: User = Depends(requires("navigation.project", "create"))):
    """Record a delivered navigation report (counted by the indicator navigation_chains_served)."""
    project = service.create_project(db, body, actor=user, ip_address=client_ip(request))
    return service.project_read(db, project)


@router.delete("/api/navigation/projects/{project_id}", status_code=204, response_class=Response, tags=TAGS)
def api_delete_project(request: Request, project_id: Id, db: Session = Depends(get_db),
                       user: User = Depends(requires("navigation.project", "delete"))):
    service.delete_project(db, project_id, actor=user, ip_address=client_ip(request))
    return Response(status_code=204)
