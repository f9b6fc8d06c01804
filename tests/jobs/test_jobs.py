"""One background-job mechanism for imports and screening runs: a job is a row from its start, its progress a file
any worker process reads, so a job is followed from another process than the one running it; the jobs of a
process that is gone are failed at the next start with their kind's reason."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from ipbureau.database.core import session_scope
from ipbureau.demo.generator import write_patent_csv
from ipbureau.imports.jobs import INTERRUPTED as IMPORT_INTERRUPTED
from ipbureau.jobs import progress
from ipbureau.jobs import service as jobs
from ipbureau.jobs.models import BackgroundJob
from ipbureau.protection.screening.enums import RunState
from ipbureau.protection.screening.jobs import INTERRUPTED as SCREENING_INTERRUPTED
from ipbureau.protection.screening.models import ScreeningRun
from tests.conftest import bearer, login

TEST_KIND = jobs.register_kind(jobs.JobKind("jobtest", internal_error="测试任务内部错误", interrupted="测试任务中断"))

# Imports a file in a process of its own and stops (holding its import transaction open) once it has checked
# 3,000 rows, until the test kills it: the test follows the job from its own process meanwhile.
RUNNER = """
import sys, time
from pathlib import Path
from ipbureau.imports.jobs import run_import_job

def progress(done, total):
    if done >= 3000:
        print("paused", flush=True)
        time.sleep(600)

run_import_job("patent", Path(sys.argv[1]), "other-process.csv", progress=progress)
"""


def _status(job_id: str) -> jobs.JobStatus:
    with session_scope() as session:  # a session of its own, as another worker's request would have
        status = jobs.status(session, job_id)
        assert status is not None
        return status


@pytest.mark.committing  # the job's sessions must see the user, and the test what they committed
def test_a_job_is_followed_with_its_progress_when_the_process_that_polls_does_not_run_it(db, users):
    release = threading.Event()

    def work(context: jobs.JobContext) -> jobs.Outcome:
        context.report(3, 10, "比对申请")
        assert release.wait(30)
        context.report(10, 10)
        return jobs.Outcome("完成 10 件", result_id=7)

    live = jobs.start("jobtest", "范围", work, dataset="real", actor_id=users["bureau_staff"].id)
    try:
        jobs.forget_live_jobs()  # what another worker process knows of it: nothing but the database and the file
        assert jobs.live_job(live.id) is None
        deadline = time.monotonic() + 30
        while (status := _status(live.id)).done < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (status.state, status.stage, status.done, status.total) == ("running", "比对申请", 3, 10)
        assert status.kind == "jobtest" and status.subject == "范围" and status.created_by == users["bureau_staff"].id
        assert status.worker == jobs.worker_name()
    finally:
        release.set()
    assert live.finished.wait(30)
    ended = _status(live.id)
    assert (ended.state, ended.message, ended.done, ended.total, ended.result_id) == ("succeeded", "完成 10 件", 10, 10, 7)
    assert ended.finished_at is not None and progress.read(live.id) is None  # the row holds the end; no file left


@pytest.mark.committing
def test_a_failure_and_a_bug_end_the_job_failed_with_the_reason(db, users):
    def refused(context: jobs.JobContext) -> jobs.Outcome:
        raise jobs.JobFailed("文件有误", result_id=3, problems=[{"row": 2, "field": "申请号", "message": "格式不正确"}])

    def broken(context: jobs.JobContext) -> jobs.Outcome:
        context.report(1, 4)
        raise KeyError("bug")

    failed = jobs.run("jobtest", "a", refused, dataset="real", actor_id=None)
    assert isinstance(failed.error, jobs.JobFailed)
    status = _status(failed.id)
    assert (status.state, status.message, status.result_id) == ("failed", "文件有误", 3)
    assert status.problems == [{"row": 2, "field": "申请号", "message": "格式不正确"}]
    crashed = jobs.run("jobtest", "b", broken, dataset="real", actor_id=None)
    status = _status(crashed.id)
    assert (status.state, status.message, status.done, status.total) == ("failed", "测试任务内部错误：KeyError", 1, 4)
    with pytest.raises(KeyError):
        crashed.outcome()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(30)
    return child.pid


@pytest.mark.committing
def test_recovery_fails_the_jobs_of_a_dead_process_with_their_kind_s_reason(db, users):
    worker = f"{jobs.worker_name().rpartition(':')[0]}:{_dead_pid()}"
    run = ScreeningRun(dataset="real", state=RunState.RUNNING, parameters={}, started_by=users["bureau_staff"].id)
    db.add(run)
    db.flush()
    db.add(BackgroundJob(id="c" * 32, kind="screening", subject="全部", state="running", worker=worker,
                         result_id=run.id, problems=[]))
    db.add(BackgroundJob(id="d" * 32, kind="jobtest", subject="x", state="queued", worker=worker, problems=[]))
    db.add(BackgroundJob(id="e" * 32, kind="jobtest", subject="mine", state="running", worker=jobs.worker_name(),
                         problems=[]))
    db.commit()
    writer = progress.ProgressWriter("c" * 32)  # the last progress the dead process wrote
    writer.update(state="running", stage="评分", done=40, total=90, force=True)

    assert jobs.recover_interrupted_jobs(db) == 2
    db.commit()
    db.expire_all()
    screening = db.get(BackgroundJob, "c" * 32)
    assert (screening.state, screening.message, screening.stage, screening.done, screening.total) == (
        "failed", SCREENING_INTERRUPTED, "评分", 40, 90)
    assert screening.finished_at is not None and progress.read("c" * 32) is None
    assert (db.get(ScreeningRun, run.id).state, db.get(ScreeningRun, run.id).message) == (RunState.FAILED,
                                                                                          SCREENING_INTERRUPTED)
    assert (db.get(BackgroundJob, "d" * 32).state, db.get(BackgroundJob, "d" * 32).message) == ("failed", "测试任务中断")
    assert db.get(BackgroundJob, "e" * 32).state == "running"  # this process is alive: its job is left alone


@pytest.mark.committing  # the child process shares the database file and the data directory
def test_an_import_running_in_another_process_is_polled_with_its_progress_then_recovered(client, db, users,
                                                                                       test_env, tmp_path):
    path = tmp_path / "big.csv"
    write_patent_csv(random.Random(5), 6000, path)
    headers = bearer(client, "bureau_staff_user")  # before the child holds SQLite's write lock (a login writes)
    child = subprocess.Popen([sys.executable, "-c", RUNNER, str(path)], env={**os.environ, **test_env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "paused", child.stderr.read() if child.stderr else ""
        job_id = db.scalar(select(BackgroundJob.id).where(BackgroundJob.subject == "other-process.csv"))
        deadline = time.monotonic() + 10  # the progress file is written at most every 0.2 s
        while (polled := client.get(f"/api/imports/jobs/{job_id}", headers=headers).json())["done"] < 3000 \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert polled["state"] == "running" and polled["filename"] == "other-process.csv"
        assert 3000 <= polled["done"] <= polled["total"] and polled["total"] >= 6000
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    # Killed, not yet recovered (no restart): the poll already says so, and writes nothing.
    killed = client.get(f"/api/imports/jobs/{job_id}", headers=headers).json()
    assert (killed["state"], killed["message"]) == ("failed", IMPORT_INTERRUPTED)
    assert db.get(BackgroundJob, job_id).state == "running"
    assert jobs.recover_interrupted_jobs(db) == 1
    db.commit()
    ended = client.get(f"/api/imports/jobs/{job_id}", headers=headers).json()
    assert (ended["state"], ended["message"]) == ("failed", IMPORT_INTERRUPTED) and ended["done"] >= 3000


@pytest.mark.committing  # the job works on sessions of its own
def test_a_screening_job_is_polled_by_its_id_after_the_process_state_is_gone(client, users):
    headers = bearer(client, "bureau_staff_user")
    started = client.post("/api/screening/runs", json={"dataset": "real"}, headers=headers)
    assert started.status_code == 202
    job_id = started.json()["id"]
    jobs.forget_live_jobs()  # before: a job unknown to the polled process was a 404
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/screening/jobs/{job_id}", headers=headers)).json()["state"] not in jobs.ENDED_STATES \
            and time.monotonic() < deadline:
        assert job.status_code == 200
        time.sleep(0.1)
    body = job.json()
    assert job.status_code == 200 and body["state"] == "succeeded" and body["run_id"], body
    login(client, "bureau_staff_user")
    page = client.get(f"/screening?job={job_id}")
    assert page.status_code == 200 and 'data-job-url="/api/screening/jobs/' in page.text
    assert client.get(f"/api/screening/jobs/{'0' * 32}", headers=headers).status_code == 404
    other_kind = client.get(f"/api/imports/jobs/{job_id}", headers=headers)
    assert other_kind.status_code == 404  # a screening job is not an import job


@pytest.mark.committing
def test_a_second_screening_is_refused_while_one_runs_on_any_worker(client, db, users):
    headers = bearer(client, "bureau_staff_user")
    db.add(BackgroundJob(id="f" * 32, kind="screening", subject="全部", state="running",
                         worker="another-worker-host:4242", problems=[]))
    db.commit()
    refused = client.post("/api/screening/runs", json={"dataset": "real"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["detail"] == "已有筛查任务正在运行，请等待其结束后再开始"


def test_progress_reported_too_soon_is_written_when_the_interval_has_passed(test_env):
    """A job that reports and then works a long while without reporting (a large import's final commit) must not
    be shown stuck at an older count: the last report held back by the interval is written by a timer."""
    writer = progress.ProgressWriter("f" * 32)
    writer.update(state="running", done=1000, total=6000)  # written at once (the state changed)
    writer.update(done=3000, total=6000)  # within the interval: held back...
    assert progress.read("f" * 32).done == 1000
    time.sleep(progress.MIN_INTERVAL_S * 3)
    assert progress.read("f" * 32).done == 3000  # ...and written when it passed
    writer.update(done=4000, total=6000)
    writer.update(done=5000, total=6000)
    writer.close()  # the job ended: the held-back report is dropped, the file is not brought back
    progress.remove("f" * 32)
    time.sleep(progress.MIN_INTERVAL_S * 3)
    assert progress.read("f" * 32) is None
