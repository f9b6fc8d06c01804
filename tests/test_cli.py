"""The command line on the test database: import with its report, and a failing import's exit code."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from ipbureau.cli import app
from ipbureau.patents.models import Patent

runner = CliRunner()


def test_import_command_reports_counts_and_is_idempotent(db, tmp_path, cnipr_sample):
    path = tmp_path / "cnipr.csv"
    path.write_bytes(cnipr_sample)
    first = runner.invoke(app, ["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "新增 10" in first.output
    again = runner.invoke(app, ["import", str(path)])
    assert again.exit_code == 0 and "新增 0" in again.output and "未变 10" in again.output
    assert db.scalar(select(func.count()).select_from(Patent)) == 10


def test_failed_import_exits_non_zero_and_names_the_row(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("申请号,名称\nCN202223220665.3,错误的校验位\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "申请号" in result.output
    assert runner.invoke(app, ["import", str(path), "--kind", "nonsense"]).exit_code == 2


def test_load_reference_is_idempotent(db):
    result = runner.invoke(app, ["load-reference"])
    assert result.exit_code == 0 and "新增 0 条" in result.output and "载入 0 条" in result.output


def test_serve_passes_workers_and_proxy_settings_to_uvicorn(monkeypatch):
    import uvicorn

    from ipbureau.config import get_settings

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    monkeypatch.setenv("IPBUREAU_FORWARDED_ALLOW_IPS", "10.0.0.5")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--workers", "3", "--port", "8123"])
        explicit = runner.invoke(app, ["serve", "--no-proxy-headers", "--forwarded-allow-ips", "*"])
    finally:
        monkeypatch.delenv("IPBUREAU_FORWARDED_ALLOW_IPS")
        get_settings.cache_clear()
    assert result.exit_code == 0 and explicit.exit_code == 0, result.output + explicit.output
    first, second = calls
    assert first["app"] == "ipbureau.app:create_app" and first["factory"] is True  # each worker builds its app
    assert (first["workers"], first["port"], first["proxy_headers"], first["forwarded_allow_ips"]) == (
        3, 8123, True, "10.0.0.5")
    assert (second["workers"], second["proxy_headers"], second["forwarded_allow_ips"]) == (1, False, "*")


def test_serve_refuses_reload_with_several_workers():
    result = runner.invoke(app, ["serve", "--workers", "2", "--reload"])
    assert result.exit_code == 2 and "--reload" in result.output
