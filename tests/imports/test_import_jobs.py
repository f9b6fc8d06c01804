"""Import jobs are rows (issue 11.8): a process killed in the middle of an import leaves none of the file's rows,
and the next start of the application marks its job failed with the reason, which the upload page shows."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ipbureau.demo.generator import write_patent_csv
from ipbureau.imports.jobs import INTERRUPTED
from ipbureau.imports.models import ImportBatch
from ipbureau.jobs.models import BackgroundJob
from ipbureau.patents.models import Patent, PatentApplicant
from tests.conftest import login

# Runs one import job in this process and prints its progress; the test kills it part-way.
RUNNER = """
import sys
from pathlib import Path
from ipbureau.imports.jobs import run_import_job

def progress(done, total):
    print(done, flush=True)

run_import_job("patent", Path(sys.argv[1]), "killed.csv", progress=progress)
print("ended", flush=True)
"""


@pytest.mark.committing  # the child process must see the same database file, and the test what it committed
def test_a_killed_import_leaves_no_rows_and_its_job_is_failed_at_the_next_start(db, users, test_env, tmp_path):
    path = tmp_path / "big.csv"
    write_patent_csv(random.Random(11), 20_000, path)
    child = subprocess.Popen([sys.executable, "-c", RUNNER, str(path)], env={**os.environ, **test_env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None
    progress = 0
    deadline = time.monotonic() + 120
    # Past a few written chunks (the runner writes every 1,000 checked rows) but well before the end.
    while progress < 3000 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            pytest.fail(f"the import ended before it could be killed: {child.stderr.read() if child.stderr else ''}")
        progress = int(line) if line.strip().isdigit() else progress
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    assert child.returncode == -signal.SIGKILL and 3000 <= progress < 20_000

    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Patent)) == 0
    assert db.scalar(select(func.count()).select_from(PatentApplicant)) == 0
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0  # its batch row was in the transaction
    job = db.scalar(select(BackgroundJob).where(BackgroundJob.subject == "killed.csv"))
    assert job.state == "running" and job.worker.endswith(f":{child.pid}")

    from ipbureau.app import create_app

    with TestClient(create_app()) as client:  # the application's start-up
        db.expire_all()
        job = db.get(BackgroundJob, job.id)
        assert (job.state, job.message) == ("failed", INTERRUPTED) and job.finished_at is not None
        login(client, "bureau_staff_user")
        page = client.get("/imports")
        assert page.status_code == 200 and "killed.csv" in page.text and INTERRUPTED in page.text
        status = client.get(f"/imports/jobs/{job.id}")
        assert status.status_code == 200


@pytest.mark.committing
def test_jobs_of_live_processes_are_left_alone(db, users):
    from ipbureau.imports.jobs import recover_interrupted_jobs, worker_name

    db.add(BackgroundJob(id="a" * 32, kind="import.patent", subject="mine.csv", state="running", worker=worker_name(),
                           problems=[]))
    db.add(BackgroundJob(id="b" * 32, kind="import.patent", subject="elsewhere.csv", state="running",
                           worker="another-host:1", problems=[]))
    db.commit()
    assert recover_interrupted_jobs(db) == 0
    assert {j.state for j in db.scalars(select(BackgroundJob))} == {"running"}


# ---- two imports of the same records at once -----------------------------------------------------------------

@pytest.mark.committing  # the jobs run on sessions of their own
def test_an_import_that_loses_a_race_runs_again_and_ends_well(db, users, tmp_path, monkeypatch):
    """The later of two overlapping imports hits a unique key the other has just committed: it is rolled back
    whole and run again, finding the records there (load test: two workers importing one file at once)."""
    from sqlalchemy.exc import IntegrityError

    from ipbureau.imports import jobs as import_jobs
    from ipbureau.imports.kinds import ImportKind

    real_run, calls = import_jobs.run_import_of_kind, []

    def losing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            real_run(*args, **kwargs)  # the "other" import commits the records first...
            raise IntegrityError("INSERT INTO patent", {}, Exception("UNIQUE constraint failed"))  # ...and we lost
        return real_run(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "run_import_of_kind", losing_once)
    path = tmp_path / "patents.csv"
    write_patent_csv(random.Random(11), 40, path)
    job = import_jobs.run_import_job(ImportKind.PATENT, path, "patents.csv", actor_id=users["bureau_staff"].id)
    assert job.state == "succeeded", job.message
    assert len(calls) == 2
    assert (job.value.inserted, job.value.unchanged) == (0, 40)  # the second run found the records there
    assert db.scalar(select(func.count()).select_from(Patent)) == 40


@pytest.mark.committing
def test_an_import_that_keeps_losing_fails_with_a_reason_and_writes_nothing(db, users, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from ipbureau.imports import jobs as import_jobs
    from ipbureau.imports.kinds import ImportKind

    def always_losing(*args, **kwargs):
        raise IntegrityError("INSERT INTO patent", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(import_jobs, "run_import_of_kind", always_losing)
    path = tmp_path / "patents.csv"
    write_patent_csv(random.Random(12), 5, path)
    job = import_jobs.run_import_job(ImportKind.PATENT, path, "patents.csv", actor_id=users["bureau_staff"].id)
    assert job.state == "failed" and job.message == import_jobs.RACE_LOST
    assert db.scalar(select(BackgroundJob.message).where(BackgroundJob.id == job.id)) == import_jobs.RACE_LOST
    assert db.scalar(select(func.count()).select_from(Patent)) == 0
