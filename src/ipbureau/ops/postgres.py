"""pg_dump and pg_restore for a PostgreSQL instance: where the tools are, and how they reach the configured database.

The tools take the connection from libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), so the
password never appears on a command line (where ``ps`` would show it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ipbureau.ops.manifest import BackupError


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def tool(name: str) -> str:
    """The newest ``name`` (pg_dump, pg_restore) of /usr/lib/postgresql/*/bin, else the one on PATH: pg_dump must be
    at least as new as the server."""
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version_key)
    if installed:
        return str(installed[-1])
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端工具（如 apt-get install postgresql-client）")


def libpq_env(database_url: str) -> dict[str, str]:
    """The environment that points libpq at the database of a SQLAlchemy URL."""
    url = make_url(database_url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def run(args: list[str], database_url: str, what: str) -> None:
    completed = subprocess.run(args, env=libpq_env(database_url), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{what}失败：{(completed.stderr or completed.stdout).strip()[-2000:]}")


def dump(database_url: str, target: Path, *, snapshot: str | None = None) -> None:
    """``pg_dump -Fc`` of the database into ``target``; ``snapshot``: the exported snapshot to dump (the one the
    manifest's checksums are computed in)."""
    args = [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    run(args, database_url, "pg_dump 导出数据库")


def restore(database_url: str, source: Path) -> None:
    """``pg_restore`` of a custom-format dump into the (empty, or to be overwritten) database."""
    run([tool("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists", "--exit-on-error",
         "--single-transaction", f"--dbname={make_url(database_url).database}", str(source)],
        database_url, "pg_restore 恢复数据库")
