"""The import pages and API: the upload page starts a job (the same import as the API), the job and the import
records are the staff's, a record that is not there is 404, and bounded parameters give Chinese 422s."""

from __future__ import annotations

import pytest

from ipbureau.imports import jobs
from ipbureau.patents.numbers import make_application_no
from tests.conftest import bearer, csrf_from, login

NUMBER = make_application_no(2021, 1, 21)
GOOD = f"申请号,名称,申请日,分类号\n{NUMBER},一种轴承,20210301,F16C19/00\n".encode()
BAD = "申请号,名称,申请日,分类号\nCN202110000000.0,坏行,20210301,F16C19/00\n".encode()


def _upload(client, data: bytes, **form: str):
    token = csrf_from(client.get("/imports").text)
    return client.post("/imports", data={"csrf_token": token, **form}, files={"file": ("p.csv", data, "text/csv")},
                       follow_redirects=False)


def _finished(location: str) -> jobs.ImportJob:
    job = jobs.get_job(location.rsplit("/", 1)[-1])
    # The job imports in a thread of its own; the test stays off the database until it has ended.
    assert job is not None and job.finished.wait(60)
    return job


@pytest.mark.committing  # the job's thread runs beside the request that started it
def test_page_upload_runs_a_job_whose_progress_and_record_can_be_followed(client, users):
    login(client, "district_staff_user")
    response = _upload(client, GOOD, kind="patent", dataset="real")
    assert response.status_code == 303 and response.headers["location"].startswith("/imports/jobs/")
    job = _finished(response.headers["location"])
    assert job.state == "succeeded" and job.message == "导入完成：共 1 行，新增 1，更新 0，未变 0"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and f'data-job="{job.id}"' in page.text
    status = client.get(f"/api/imports/jobs/{job.id}", headers=bearer(client, "bureau_staff_user")).json()
    assert (status["state"], status["batch_id"], status["problems"]) == ("succeeded", job.batch_id, [])
    report = client.get(f"/imports/{job.batch_id}")
    assert report.status_code == 200 and "导入报告" in report.text and "新增 1" in report.text
    listing = client.get("/api/imports", headers=bearer(client, "bureau_staff_user")).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == job.batch_id


@pytest.mark.committing
def test_a_failed_job_lists_the_problems_and_records_the_attempt(client, users):
    login(client, "bureau_staff_user")
    job = _finished(_upload(client, BAD).headers["location"])
    assert job.state == "failed" and job.message == "导入失败，未写入任何记录"
    assert job.problems[0]["row"] == 2 and job.problems[0]["field"] == "申请号"
    status = client.get(f"/api/imports/jobs/{job.id}", headers=bearer(client, "bureau_staff_user")).json()
    assert status["state"] == "failed" and status["problems"][0]["field"] == "申请号"
    report = client.get(f"/imports/{job.batch_id}")
    assert report.status_code == 200 and "失败（未写入任何记录）" in report.text


def test_a_bad_option_shows_the_form_again_in_chinese(client, users):
    login(client, "bureau_staff_user")
    response = _upload(client, GOOD, kind="plants", dataset="real")
    assert response.status_code == 422
    assert "数据种类：无效" in response.text and 'action="/imports"' in response.text
    response = _upload(client, GOOD, dataset="mixed")
    assert response.status_code == 422 and "数据类别：无效" in response.text


def test_records_and_jobs_that_are_not_there_are_404(client, users):
    headers = bearer(client, "bureau_staff_user")
    missing_job = client.get(f"/api/imports/jobs/{'0' * 32}", headers=headers)
    assert missing_job.status_code == 404 and missing_job.json()["detail"] == "导入任务不存在"
    login(client, "bureau_staff_user")
    assert "导入任务不存在" in client.get(f"/imports/jobs/{'0' * 32}").text
    missing_batch = client.get("/imports/424242")
    assert missing_batch.status_code == 404 and "导入记录不存在" in missing_batch.text


@pytest.mark.parametrize("role", ["public", "enterprise", "examiner", "agency"])
def test_import_records_are_refused_to_other_roles(client, users, role):
    headers = bearer(client, f"{role}_user")
    assert client.get(f"/api/imports/jobs/{'0' * 32}", headers=headers).status_code == 403
    login(client, f"{role}_user")
    assert client.get("/imports/1").status_code == 403


@pytest.mark.parametrize(("url", "message"), [
    ("/api/imports?offset=-1", "起始位置：不能小于 0"),
    ("/api/imports?offset=99999999999999999999999", "起始位置：不能大于 1000000"),
    ("/api/imports?limit=501", "每页条数：不能大于 500"),
    ("/api/imports?limit=١٢", "每页条数：应为整数"),
    ("/api/imports/jobs/not-a-job", "导入任务编号：格式不正确"),
])
def test_bad_parameters_are_422_in_chinese(client, users, url, message):
    response = client.get(url, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422 and message in response.json()["detail"], response.json()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "²", "nan"])
def test_bad_record_ids_on_the_page_are_422_naming_the_field(client, users, value):
    login(client, "bureau_staff_user")
    page = client.get(f"/imports/{value}")
    assert page.status_code == 422 and "导入记录编号：" in page.text
