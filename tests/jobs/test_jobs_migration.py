"""Migration 0018 moves the import jobs of ``import_job`` into ``background_job`` and back on downgrade."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from ipbureau.database.core import make_engine
from ipbureau.database.migrate import downgrade, upgrade


def test_import_jobs_are_carried_over_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url, "0017")
    engine = make_engine(url)
    try:
        created = datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO import_job (id, kind, filename, dataset, state, done, total, message, problems, worker,"
                " created_at) VALUES (:id, 'patent', '专利.csv', 'real', 'failed', 5, 9, '导入失败，未写入任何记录',"
                " :problems, 'host:1', :created)"),
                {"id": "a" * 32, "problems": '[{"row": 2, "field": "申请号", "message": "格式不正确"}]', "created": created})
        upgrade(url, "0018")
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT kind, subject, state, done, total, message, problems, result_id, worker"
                                       " FROM background_job")).one()
        assert tuple(row[:6]) == ("import.patent", "专利.csv", "failed", 5, 9, "导入失败，未写入任何记录")
        assert "申请号" in row.problems and row.result_id is None and row.worker == "host:1"
        downgrade(url, "0017")
        with engine.connect() as conn:
            back = conn.execute(sa.text("SELECT kind, filename, state, done, message FROM import_job")).one()
        assert tuple(back) == ("patent", "专利.csv", "failed", 5, "导入失败，未写入任何记录")
    finally:
        engine.dispose()
