"""The FastAPI application: pages (zh-CN, server-rendered) and the JSON API under /api."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from ipbureau import __version__
from ipbureau.auth.permissions import CsrfFailed, LoginRequired
from ipbureau.config import get_settings
from ipbureau.core.errors import AppError
from ipbureau.core.fields import area_of, problems_of
from ipbureau.database.core import get_sessionmaker
from ipbureau.web.middleware import BodyLimitInChinese, SecurityHeaders
from ipbureau.web.templating import render

ERROR_TITLES = {404: "页面不存在", 401: "请先登录", 403: "无权访问", 409: "操作冲突", 413: "文件过大", 422: "输入有误",
                503: "服务暂时不可用"}
DATABASE_DOWN = "数据库暂时无法连接，请稍后再试"
STARLETTE_DETAILS = {404: "页面不存在", 405: "不支持该请求方法"}
# Multipart framing around an upload of the largest allowed size.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# The database errors that mean "unreachable, locked or out of connections" (a 503 the client may retry), as
# opposed to a bug: connection refused or dropped, SQLite file unreadable or locked beyond the busy timeout,
# no pooled connection within the pool timeout.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, title: str, message: str):
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Load jieba's dictionary now rather than on the first search (about 0.7 s).
    import jieba

    from ipbureau.jobs.service import recover_at_start_up
    from ipbureau.search.usage import start_usage_writer, stop_usage_writer

    jieba.initialize()
    recover_at_start_up()  # background jobs left running by a killed process: marked failed, with the reason
    start_usage_writer()  # usage counts are written off the request path; the shutdown writes the rest
    if get_settings().embed_missing_at_start_up:
        from ipbureau.market.embeddings import embed_missing_in_background

        embed_missing_in_background()  # vectors still missing (after make demo, a restore, a model change)
    try:
        yield
    finally:
        stop_usage_writer()


class Application(FastAPI):
    """FastAPI with the web edge's middleware OUTSIDE its stack: the security headers then reach every response
    (the body limit's and the server-error page's too), and the body limit's own 413 is answered in Chinese."""

    def build_middleware_stack(self):  # noqa: ANN201 (Starlette's signature)
        settings = get_settings()
        inner = BodyLimitInChinese(super().build_middleware_stack(), max_mb=settings.max_upload_mb)
        return SecurityHeaders(inner, https=settings.https_only)


def create_app() -> FastAPI:
    settings = get_settings()
    app = Application(
        lifespan=lifespan,
        # Counted while the body streams (chunked or not): a larger upload is cut off with 413 before the
        # multipart parser has spooled more than this to the temporary directory.
        max_body_size=settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES,
        title="ipbureau 天津市知识产权局业务与公共服务平台",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="ipbureau_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.mount("/static", StaticFiles(directory=str(resources.files("ipbureau.web").joinpath("static"))), name="static")

    from ipbureau.audit.views import router as audit_router
    from ipbureau.auth.views import router as auth_router
    from ipbureau.enterprises.services.views import router as enterprise_services_router
    from ipbureau.enterprises.views import router as enterprises_router
    from ipbureau.imports.views import router as imports_router
    from ipbureau.market.views import router as market_router
    from ipbureau.navigation.views import router as navigation_router
    from ipbureau.notices.views import router as notices_router
    from ipbureau.patents.views import router as patents_router
    from ipbureau.protection.disputes.views import router as disputes_router
    from ipbureau.protection.enforcement.views import router as enforcement_router
    from ipbureau.protection.preexam.views import router as preexam_router
    from ipbureau.protection.screening.views import router as screening_router
    from ipbureau.reference.views import router as reference_router
    from ipbureau.stats.views import router as stats_router
    from ipbureau.trademarks.views import router as trademarks_router
    from ipbureau.web.docs import router as docs_router
    from ipbureau.web.pages import router as pages_router
    from ipbureau.workplan.views import router as workplan_router

    for router in (auth_router, pages_router, patents_router, enterprises_router, trademarks_router, imports_router,
                   reference_router, audit_router, docs_router, workplan_router, stats_router, market_router,
                   enterprise_services_router, navigation_router, notices_router, preexam_router, disputes_router,
                   enforcement_router, screening_router):
        app.include_router(router)
    try:
        from ipbureau.search.views import router as search_router
    except ImportError:  # pragma: no cover - only while the search package is being built
        search_router = None
    if search_router is not None:
        app.include_router(search_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        # Asks the database, so that a load balancer takes a worker out while its database is unreachable.
        session = get_sessionmaker()()
        try:
            session.execute(text("SELECT 1"))
        except DATABASE_UNAVAILABLE:
            return JSONResponse({"status": "unavailable", "database": "unreachable", "detail": DATABASE_DOWN,
                                 "version": __version__}, status_code=503, headers={"Retry-After": "5"})
        finally:
            session.close()
        return {"status": "ok", "database": "ok", "version": __version__}

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if _wants_json(request):
            return JSONResponse({"detail": "请先登录"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(AppError)
    async def domain_error(request: Request, exc: AppError):
        # The one mapping of domain errors to HTTP: 422 input, 404 missing or hidden, 403 role, 409 state, 413 size.
        status = exc.status
        if _wants_json(request):
            body = {"detail": str(exc)}
            if exc.field:
                body["field"] = exc.field
            if exc.problems:
                body["problems"] = exc.problems
            return JSONResponse(body, status_code=status, headers=getattr(exc, "headers", None))
        response = _error_page(request, status, ERROR_TITLES.get(status, "出错了"), str(exc))
        response.headers.update(getattr(exc, "headers", None) or {})  # e.g. a 429's Retry-After
        return response

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed):
        return _error_page(request, 403, "请求已失效", "表单校验令牌无效或已过期，请刷新页面后重试")

    # Starlette's HTTPException, so that its own (an unknown path, the body limit's 413) are answered here too.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail
        if exc.status_code == 413:  # the body limit's own 413 (an upload cut off while it streamed)
            detail = f"上传内容超过大小上限 {settings.max_upload_mb} MB"
        elif exc.status_code in STARLETTE_DETAILS and detail == HTTPStatus(exc.status_code).phrase:
            detail = STARLETTE_DETAILS[exc.status_code]  # Starlette's own English words for an unknown path
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        return _error_page(request, exc.status_code, ERROR_TITLES.get(exc.status_code, "出错了"), str(detail))

    async def database_unavailable(request: Request, exc: Exception):
        # Logged, not shown: the user gets the Chinese message; pool_pre_ping replaces the dead connections,
        # so the next request after the database is back succeeds without a restart.
        logging.getLogger("ipbureau.database").warning("database unavailable: %s", exc)
        if _wants_json(request):
            return JSONResponse({"detail": DATABASE_DOWN}, status_code=503, headers={"Retry-After": "5"})
        response = render(request, "error.html", {"title": ERROR_TITLES[503], "message": DATABASE_DOWN},
                          status_code=503)
        response.headers["Retry-After"] = "5"
        return response

    for error_class in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error_class, database_unavailable)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        route = request.scope.get("route")
        endpoint = getattr(route, "endpoint", None)
        problems = problems_of(list(exc.errors()), area_of(endpoint.__module__) if endpoint else None)
        text = "；".join(f"{p['field']}：{p['message']}" for p in problems)
        if _wants_json(request):
            return JSONResponse({"detail": f"输入有误：{text}", "problems": problems}, status_code=422)
        return _error_page(request, 422, "输入有误", text)

    return app
