"""Command line: ``ipbureau --help``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ipbureau.enums import Dataset

app = typer.Typer(help="天津市知识产权局业务与公共服务平台 (ipbureau)", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
console = Console()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.database.migrate import upgrade
    from ipbureau.search.service import ensure_index_matches_database

    upgrade()
    console.print("数据库结构已是最新")
    session = get_sessionmaker()()
    try:
        indexed = ensure_index_matches_database(session)
    finally:
        session.close()
    if indexed:
        console.print(f"检索索引已按当前版本重建：{indexed} 件专利")


@app.command("load-reference")
def load_reference(force_ipc: bool = typer.Option(False, help="Reload the IPC table even if present")) -> None:
    """Load reference data: Tianjin's 16 districts, the IPC scheme, the official statistics and the Nice
    classification (idempotent)."""
    from ipbureau.database.core import session_scope
    from ipbureau.reference import service
    from ipbureau.stats.official.service import load_reference as load_official_statistics
    from ipbureau.trademarks.nice import load_nice

    with session_scope() as session:
        districts = service.load_districts(session)
        ipc = service.load_ipc(session, force=force_ipc)
        official = load_official_statistics(session)
        nice_classes, nice_groups, nice_items = load_nice(session)
    console.print(f"区划：新增 {districts} 条；IPC：载入 {ipc} 条（0 表示已载入）")
    console.print(f"官方统计数据：新增 {official.added} 条（已有 {official.unchanged} 条保持不变）；"
                  f"尼斯分类：载入 {nice_classes} 类、{nice_groups} 个类似群、{nice_items} 个商品和服务项目（0 表示已载入）")


@app.command("load-plan")
def load_plan(
    path: Path | None = typer.Argument(None, exists=True, dir_okay=False, readable=True,
                                       help="YAML, XLSX or CSV plan file (default: the packaged 2023 plan)"),
    year: int | None = typer.Option(None, help="Plan year (needed for XLSX/CSV files without a 年度 column)"),
) -> None:
    """Load a work plan (工作要点) with its targets; idempotent, all or nothing."""
    from ipbureau.database.core import session_scope
    from ipbureau.workplan.flows import PlanFileError, load_plan_file

    try:
        with session_scope() as session:
            result = load_plan_file(session, path, None, year=year)
    except PlanFileError as exc:
        console.print(f"[red]工作要点文件有误，未载入任何内容（{len(exc.problems)} 处问题）：[/red]")
        for problem in exc.problems:
            console.print(f"  {problem}")
        raise typer.Exit(code=1) from None
    console.print(result.summary())


@app.command("import")
def import_file(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or XLSX export"),
    dataset: Dataset = typer.Option(Dataset.REAL, help="real or demo"),
    kind: str = typer.Option("patent", help="patent | enterprise | trademark"),
) -> None:
    """Import a file of patents, enterprises or trademarks (transactional, idempotent), with a progress bar."""
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.imports.errors import FileRejected, ImportFailed
    from ipbureau.imports.kinds import ImportKind
    from ipbureau.imports.kinds import run as run_import_of_kind

    try:
        import_kind = ImportKind(kind)
    except ValueError:
        console.print(f"[red]未知的数据种类“{kind}”：应为 patent、enterprise 或 trademark[/red]")
        raise typer.Exit(code=2) from None

    data = path  # read from disk as a stream (imports.readers), never whole in memory
    session = get_sessionmaker()()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as progress:
        task = progress.add_task(f"导入 {path.name}", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=max(total, done))

        try:
            result = run_import_of_kind(import_kind, session, data, path.name, dataset=dataset, progress=report)
        except ImportFailed as exc:
            progress.stop()
            console.print(f"[red]导入失败，未写入任何记录（{len(exc.problems)} 处问题{'，仅列出前若干处' if exc.truncated else ''}）：[/red]")
            for problem in exc.problems[:50]:
                console.print(f"  {problem}")
            raise typer.Exit(code=1) from None
        except FileRejected as exc:
            progress.stop()
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from None
        finally:
            session.close()
    console.print(
        f"导入完成（{result.format}）：共 {result.total_rows} 行，新增 {result.inserted}，更新 {result.updated}，"
        f"未变 {result.unchanged}，文件内重复 {result.duplicates_in_file}，提示 {len(result.warnings)} 条"
    )


@app.command("create-user")
def create_user(
    username: str,
    role: str = typer.Option(..., help="admin | bureau_staff | district_staff | examiner | mediator | enforcement | enterprise | agency | public"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    display_name: str = typer.Option("", help="Shown in the interface"),
    district_code: str | None = typer.Option(None),
    enterprise_id: int | None = typer.Option(None),
) -> None:
    """Create a user account."""
    from ipbureau.auth import service
    from ipbureau.auth.enums import Role
    from ipbureau.auth.models import UserCreate
    from ipbureau.database.core import session_scope

    with session_scope() as session:
        try:
            service.create(session, UserCreate(username=username, display_name=display_name or username,
                                               password=password, role=Role(role), district_code=district_code,
                                               enterprise_id=enterprise_id))
        except service.UserError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from None
    console.print(f"已创建用户 {username}")


@app.command("demo-data")
def demo_data(
    patents: int = typer.Option(30000, help="Number of demo patents"),
    seed: int = typer.Option(2023, help="Random seed: the same seed gives the same data"),
) -> None:
    """Generate and load labelled demo data (patents, trademarks, enterprises, demo users)."""
    from ipbureau.demo.generator import load_demo

    summary = load_demo(patents=patents, seed=seed, console=console)
    console.print(summary)


@app.command()
def whitepaper(
    out: Path = typer.Option(..., help="Output file: .docx (Word) or .pdf"),
    year: int | None = typer.Option(None, help="Year (default: the latest year whose grants reach December)"),
    dataset: Dataset = typer.Option(Dataset.REAL, help="real or demo"),
) -> None:
    """Generate the annual white paper (知识产权发展状况白皮书) as Word or PDF."""
    import time

    from ipbureau.database.core import get_sessionmaker
    from ipbureau.stats import service
    from ipbureau.stats import whitepaper as wp

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in wp.FORMATS:
        console.print("[red]输出文件应以 .docx 或 .pdf 结尾[/red]")
        raise typer.Exit(code=2)
    started = time.perf_counter()
    session = get_sessionmaker()()
    try:
        chosen = year if year is not None else service.default_year(session, dataset)
        paper = wp.build(session, chosen, dataset=dataset)
        content = wp.render(paper, fmt)
    except (service.StatsInputError, wp.WhitePaperError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from None
    finally:
        session.close()
    out.write_bytes(content)
    console.print(f"已生成 {paper.title}：{out}（{len(content):,} 字节，用时 {time.perf_counter() - started:.1f} s）")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database."""
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.search import service

    session = get_sessionmaker()()
    try:
        count = service.reindex_all(session)
    finally:
        session.close()
    console.print(f"检索索引已重建：{count} 件专利")


@app.command()
def backup(to: Path | None = typer.Option(None, "--to", help="Archive file (default: <data dir>/backups/"
                                                                "ipbureau-backup-<UTC time>.tar.gz)")) -> None:
    """Back up the database, uploaded files and a manifest into one .tar.gz (safe while serving)."""
    from ipbureau.config import get_settings
    from ipbureau.ops.backup import create_backup
    from ipbureau.ops.manifest import BackupError
    from ipbureau.search.index import writer_lock_path

    settings = get_settings()
    try:
        result = create_backup(settings.resolved_database_url(), settings.data_dir, target=to,
                               excluded=(settings.resolved_index_dir(), writer_lock_path(settings.resolved_index_dir())))
    except BackupError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from None
    console.print(result.summary())


@app.command()
def restore(
    path: Path = typer.Argument(..., help="An archive written by ipbureau backup"),
    force: bool = typer.Option(False, "--force", help="Overwrite a database that holds records, and clashing files"),
) -> None:
    """Restore a backup into this (fresh) instance: migrate it if older, verify counts and checksums, rebuild the
    search index."""
    from ipbureau.config import get_settings
    from ipbureau.database.core import get_sessionmaker, reset_engine_cache
    from ipbureau.ops.manifest import BackupError
    from ipbureau.ops.restore import restore_backup
    from ipbureau.search.service import reindex_all

    settings = get_settings()
    reset_engine_cache()  # nothing of this process may hold the database being replaced
    try:
        result = restore_backup(path, settings.resolved_database_url(), settings.data_dir, force=force)
    except BackupError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from None
    session = get_sessionmaker()()
    try:
        result.indexed = reindex_all(session)
    finally:
        session.close()
    console.print(result.summary())


@app.command("embed-missing")
def embed_missing(limit: int = typer.Option(0, help="At most this many of each kind (0: all)"),
                  every_patent: bool = typer.Option(False, "--all", help="Every patent, not only those on offer")) -> None:
    """Compute the matching vectors that are missing by the current model: open demands, patents on offer (with
    --all every patent, for the similar-patents list of unlisted patents)."""
    import time

    from ipbureau.market import embeddings

    started = time.perf_counter()
    done = embeddings.embed_missing(every_patent=every_patent, limit=limit or None,
                                    progress=lambda kind, n, total: console.print(f"  {kind} {n}/{total}"))
    console.print(f"已计算语义向量：{'、'.join(f'{kind} {n} 条' for kind, n in done.items())}"
                  f"（模型 {embeddings.model_name()}，用时 {time.perf_counter() - started:.0f} s）")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the benchmarks in the checkout's bench/ (arguments are passed on: --sizes, --queries, …)."""
    import runpy
    import sys

    script = Path.cwd() / "bench" / "run.py"
    if not script.exists():
        console.print("[red]找不到 bench/run.py：请在代码仓库根目录运行 ipbureau bench[/red]")
        raise typer.Exit(code=2)
    sys.argv = [str(script), *ctx.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as done:
        raise typer.Exit(code=int(done.code or 0)) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535),
    workers: int = typer.Option(1, min=1, max=64, help="Server processes (about one or two per CPU core)"),
    proxy_headers: bool = typer.Option(True, help="Believe X-Forwarded-For/-Proto from --forwarded-allow-ips"),
    forwarded_allow_ips: str | None = typer.Option(
        None, help="Reverse-proxy addresses, comma-separated, or * (default: IPBUREAU_FORWARDED_ALLOW_IPS)"),
    reload: bool = typer.Option(False, help="Restart on code changes (development; one process)"),
) -> None:
    """Serve the web application (uvicorn; several worker processes with --workers)."""
    import uvicorn

    from ipbureau.config import get_settings

    if reload and workers > 1:
        console.print("[red]--reload 只能与单个进程一起使用[/red]")
        raise typer.Exit(code=2)
    settings = get_settings()
    console.print(f"服务地址：http://{host}:{port}/  （API 文档：/api/docs；{workers} 个进程）")
    # uvicorn's own process manager: it starts the workers, restarts one that dies, and has no dependency
    # beyond uvicorn itself. The app is named by import string so that each worker builds its own.
    uvicorn.run("ipbureau.app:create_app", factory=True, host=host, port=port, reload=reload, workers=workers,
                proxy_headers=proxy_headers,
                forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
                server_header=False, timeout_graceful_shutdown=30)


if __name__ == "__main__":
    app()
