"""Data imports: the upload page (a background job and its progress page), the import records, and the API
(which waits for the job). Page and API parse the same options and start the same import."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Offset, PageSize
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.enums import Dataset
from ipbureau.imports import service
from ipbureau.imports.errors import ImportFailed
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.schemas import (
    ImportBatchList,
    ImportJobRead,
    ImportOptions,
    ImportOutcome,
    ImportRejection,
)
from ipbureau.policy import requires
from ipbureau.web.templating import forget_demo_flag, render
from ipbureau.web.uploads import save_limited

router = Router()
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="导入任务编号")]


def _imports_page(request: Request, db: Session, user: User, offset: int = 0, *, error: str | None = None,
                  status_code: int = 200):
    batches, total = service.list_batches(db, user, offset=offset)
    return render(request, "imports/index.html", {
        "jobs": service.recent_jobs(db, user), "batches": batches, "total": total, "offset": offset, "limit": service.BATCHES_PER_PAGE,
        "kinds": ImportKind.choices(), "datasets": Dataset.choices(), "max_mb": get_settings().max_upload_mb,
        "max_rows": get_settings().import_max_rows,
        "error": error}, db=db, status_code=status_code)


@router.get("/imports", include_in_schema=False)
def imports_page(request: Request, offset: Offset = 0, db: Session = Depends(get_db),
                 user: User = Depends(requires("import", "run"))):
    return _imports_page(request, db, user, offset)


@router.post("/imports", include_in_schema=False)
def imports_upload(request: Request, file: UploadFile = File(...), db: Session = Depends(get_db),
                   user: User = Depends(requires("import", "run")),
                   form: FormData = Depends(posted_form)):
    filename = file.filename or "upload"
    try:
        options = form_model(ImportOptions, form)
        path = save_limited(file, get_settings().max_upload_bytes, service.upload_path(filename))
    except DomainError as exc:  # a bad option (422) or a file over the size limit (413): the form again
        return _imports_page(request, db, user, error=str(exc), status_code=exc.status)
    job = service.start_import(db, user, options, path, filename)
    forget_demo_flag()
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: JobId, db: Session = Depends(get_db),
             user: User = Depends(requires("import", "run"))):
    return render(request, "imports/job.html", {"job": service.job_of(db, user, job_id)}, db=db)


@router.get("/api/imports/jobs/{job_id}", response_model=ImportJobRead, tags=["数据导入"])
def job_status(job_id: JobId, db: Session = Depends(get_db), user: User = Depends(requires("import", "run"))):
    return service.job_of(db, user, job_id)


@router.get("/imports/{batch_id}", include_in_schema=False)
def batch_page(request: Request, batch_id: Id, db: Session = Depends(get_db),
               user: User = Depends(requires("import", "run"))):
    return render(request, "imports/batch.html", {"batch": service.get_batch(db, user, batch_id)}, db=db)


@router.get("/api/imports", response_model=ImportBatchList, tags=["数据导入"])
def api_batches(offset: Offset = 0, limit: PageSize = service.BATCHES_PER_PAGE, db: Session = Depends(get_db),
                user: User = Depends(requires("import", "run"))):
    batches, total = service.list_batches(db, user, offset=offset, limit=limit)
    return ImportBatchList(total=total, items=batches)


@router.post("/api/imports/{kind}", response_model=ImportOutcome, tags=["数据导入"],
             responses={422: {"model": ImportRejection, "description": "文件中有错误的行：未写入任何记录"}})
def api_import(kind: ImportKind, file: UploadFile = File(...), dataset: Dataset = Form(Dataset.REAL),
               db: Session = Depends(get_db), user: User = Depends(requires("import", "run"))):
    """Import a file of patents, enterprises or trademarks (CSV or XLSX) and wait for the end.

    All or nothing: 422 lists every problem by row and column and nothing is written.
    Importing the same file again changes nothing (the counts say so).
    """
    filename = file.filename or "upload"
    path = save_limited(file, get_settings().max_upload_bytes, service.upload_path(filename))
    options = ImportOptions(kind=kind, dataset=dataset)
    try:
        result = service.import_file(db, user, options, path, filename)
    except ImportFailed as exc:
        rejection = ImportRejection(detail=str(exc), batch_id=exc.batch_id, problems=exc.problems)
        return JSONResponse(rejection.model_dump(mode="json"), status_code=422)
    forget_demo_flag()
    return ImportOutcome.model_validate(result)
