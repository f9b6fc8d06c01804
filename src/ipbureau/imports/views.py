from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_staff
from ipbureau.config import get_settings
from ipbureau.core.uow import get_db
from ipbureau.enums import Dataset
from ipbureau.imports import jobs, service
from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.models import ImportBatchRead
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.kinds import run as run_import_of_kind
from ipbureau.web.templating import forget_demo_flag, render
from ipbureau.web.uploads import read_limited

router = Router()


@router.get("/imports", include_in_schema=False)
def imports_page(request: Request, db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    batches, total = service.list_batches(db)
    return render(request, "imports.html", {"batches": batches, "total": total, "kinds": ImportKind.choices(),
                                            "max_mb": get_settings().max_upload_mb}, db=db)


@router.post("/imports", include_in_schema=False)
async def imports_upload(request: Request, file: UploadFile = File(...), dataset: str = Form("real"),
                         kind: ImportKind = Form(ImportKind.PATENT),
                         db: Session = Depends(get_db), user: User = Depends(require_staff)):
    try:
        data = await read_limited(file, get_settings().max_upload_bytes)
    except FileRejected as exc:
        batches, total = service.list_batches(db)
        return render(request, "imports.html", {"batches": batches, "total": total, "error": str(exc),
                                                "kinds": ImportKind.choices(), "max_mb": get_settings().max_upload_mb},
                      db=db, status_code=413)
    job = jobs.start_import(kind, data, file.filename or "upload", user.id, Dataset(dataset))
    forget_demo_flag()
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: str, db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    job = jobs.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="导入任务不存在或服务已重启")
    return render(request, "import_job.html", {"job": job}, db=db)


@router.get("/api/imports/jobs/{job_id}", tags=["数据导入"])
def job_status(job_id: str, _user: User = Depends(require_staff)):
    job = jobs.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="导入任务不存在")
    return job.as_dict()


@router.get("/imports/{batch_id}", include_in_schema=False)
def batch_page(request: Request, batch_id: int, db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    batch = service.get(db, batch_id)
    if batch is None:
        raise HTTPException(status_code=404, detail="导入记录不存在")
    return render(request, "import_batch.html", {"batch": batch}, db=db)


@router.get("/api/imports", tags=["数据导入"])
def api_batches(db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    batches, total = service.list_batches(db)
    return {"total": total, "items": [ImportBatchRead.model_validate(b).model_dump(mode="json") for b in batches]}


@router.post("/api/imports/{kind}", tags=["数据导入"])
async def api_import(kind: ImportKind, file: UploadFile = File(...), dataset: Dataset = Form(Dataset.REAL),
                     db: Session = Depends(get_db), user: User = Depends(require_staff)):
    """Import a file of patents, enterprises or trademarks (CSV or XLSX) synchronously.

    All or nothing: 422 lists every problem by row and column and nothing is written.
    Importing the same file again changes nothing (the counts say so).
    """
    try:
        data = await read_limited(file, get_settings().max_upload_bytes)
        result = await run_in_threadpool(run_import_of_kind, kind, db, data, file.filename or "upload", actor=user,
                                         dataset=dataset)
    except ImportFailed as exc:
        return JSONResponse(status_code=422, content={"detail": str(exc), "batch_id": exc.batch_id,
                                                      "problems": [p.as_dict() for p in exc.problems]})
    except FileRejected as exc:
        status = 413 if "大小上限" in str(exc) else 422
        return JSONResponse(status_code=status, content={"detail": str(exc)})
    forget_demo_flag()
    return {"batch_id": result.batch_id, "format": result.format, "total_rows": result.total_rows,
            "inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged,
            "duplicates_in_file": result.duplicates_in_file, "warnings": [w.as_dict() for w in result.warnings]}
