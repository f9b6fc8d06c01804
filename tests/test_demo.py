"""Demo data: deterministic per seed, replaces itself, labelled, valid, leaves real data alone."""

from __future__ import annotations

import hashlib
import io
import random

from sqlalchemy import func, select

from tests.conftest import login


def _digest(session) -> str:
    from ipbureau.enterprises.models import Enterprise
    from ipbureau.patents.models import Patent
    from ipbureau.trademarks.models import Trademark

    parts = [f"{n}|{t}|{d}" for n, t, d in session.execute(
        select(Patent.application_no, Patent.title, Patent.district_code).where(Patent.dataset == "demo")
        .order_by(Patent.application_no).limit(300))]
    parts += list(session.scalars(select(Enterprise.name).where(Enterprise.dataset == "demo").order_by(Enterprise.credit_code).limit(100)))
    parts += list(session.scalars(select(Trademark.mark_name).where(Trademark.dataset == "demo").order_by(Trademark.application_no).limit(100)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _counts(session) -> dict[str, int]:
    from ipbureau.auth.models import User
    from ipbureau.enterprises.models import Enterprise
    from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
    from ipbureau.trademarks.models import Trademark

    counts = {model.__name__: session.scalar(select(func.count()).select_from(model))
              for model in (Patent, PatentApplicant, PatentIpc, Trademark, Enterprise, User)}
    counts["generated patents"] = _generated_patents(session)
    return counts


def _generated_patents(session) -> int:
    """Demo patents from the generator's CSV, not counting the abnormal applications the
    screening demo plants on top of them (application serials 88xxxxx)."""
    from ipbureau.patents.models import Patent
    from ipbureau.protection.screening.demo import _planted_numbers

    return session.scalar(select(func.count()).select_from(Patent).where(Patent.dataset == "demo",
                                                                         ~_planted_numbers()))


def test_same_seed_same_data_rerun_replaces_other_seed_differs(db):
    from ipbureau.demo.generator import load_demo

    small = {"patents": 300, "enterprises": 300, "academics": 10, "trademarks": 200}
    summary = load_demo(seed=5, **small)
    assert "专利 300 件" in summary
    first, counts = _digest(db), _counts(db)
    load_demo(seed=5, **small)
    db.expire_all()
    assert _digest(db) == first
    assert _counts(db) == counts  # replaced, not duplicated
    assert counts["generated patents"] == 300 and counts["Trademark"] == 200 and counts["Enterprise"] == 310
    assert counts["Patent"] > 300  # plus the planted abnormal applications
    load_demo(seed=6, **small)
    db.expire_all()
    assert _digest(db) != first
    assert _counts(db)["generated patents"] == 300


def test_demo_dataset_is_labelled_valid_and_spread(db, client, cnipr_sample):
    from ipbureau.auth.models import User
    from ipbureau.demo.generator import DEMO_PASSWORD, DEMO_USERS, load_demo
    from ipbureau.enterprises.creditcode import is_valid_credit_code
    from ipbureau.enterprises.models import Enterprise
    from ipbureau.enums import Dataset
    from ipbureau.patents.flows import import_patents
    from ipbureau.patents.models import Patent, PatentIpc
    from ipbureau.protection.screening.demo import _planted_numbers
    from ipbureau.reference.models import IpcCode
    from ipbureau.trademarks.models import Trademark

    import_patents(db, cnipr_sample, "cnipr.csv", dataset=Dataset.REAL, index=False)
    real_before = db.execute(select(Patent.application_no, Patent.record_hash, Patent.updated_at, Patent.dataset)
                             .where(Patent.dataset == "real").order_by(Patent.application_no)).all()
    assert real_before

    load_demo(patents=1500, seed=2023, trademarks=1000)
    db.expire_all()

    real_after = db.execute(select(Patent.application_no, Patent.record_hash, Patent.updated_at, Patent.dataset)
                            .where(Patent.dataset == "real").order_by(Patent.application_no)).all()
    assert real_after == real_before

    assert _generated_patents(db) == 1500
    assert set(db.scalars(select(Enterprise.dataset).distinct())) == {"demo"}
    assert set(db.scalars(select(Trademark.dataset).distinct())) == {"demo"}
    assert db.scalar(select(func.count()).select_from(Trademark).where(Trademark.is_geographical_indication)) >= 3

    # Districts: Tianjin applicants' addresses resolve to their district; most districts get patents.
    generated = (Patent.dataset == "demo", ~_planted_numbers())
    districts = dict(db.execute(select(Patent.district_code, func.count()).where(*generated)
                                .group_by(Patent.district_code)).all())
    tianjin = {k: v for k, v in districts.items() if k}
    assert len(tianjin) >= 12
    assert max(tianjin, key=tianjin.get) == "120116"  # 滨海新区 largest
    assert 0.03 < districts.get(None, 0) / 1500 < 0.15  # out-of-town applicants

    types = dict(db.execute(select(Patent.patent_type, func.count()).where(*generated)
                            .group_by(Patent.patent_type)).all())
    assert 0.33 < types["invention"] / 1500 < 0.47 and 0.47 < types["utility_model"] / 1500 < 0.63

    unknown_ipc = db.scalar(select(func.count()).select_from(PatentIpc).join(Patent)
                            .where(Patent.dataset == "demo", PatentIpc.code.not_in(select(IpcCode.code))))
    assert unknown_ipc == 0

    codes = list(db.scalars(select(Enterprise.credit_code)))
    assert len(codes) == 3040 and all(is_valid_credit_code(c) for c in codes)

    users = {u.username: u for u in db.scalars(select(User).where(User.username.like("demo-%")))}
    assert {u for u, _, _ in DEMO_USERS} <= set(users)
    # Besides the generator's accounts, the pre-examination demo adds examiners for its other fields.
    assert all(users[u].role == "examiner" for u in set(users) - {u for u, _, _ in DEMO_USERS})
    assert users["demo-district"].district_code == "120116"
    assert db.get(Enterprise, users["demo-enterprise"].enterprise_id).dataset == "demo"
    for username, _role, _display in DEMO_USERS:
        client.cookies.clear()
        login(client, username, DEMO_PASSWORD)


def test_write_patent_csv_streams_an_importable_file():
    from ipbureau.demo.generator import PATENT_CSV_HEADERS, write_patent_csv

    buffer = io.StringIO()
    assert write_patent_csv(random.Random(1), 50, buffer) == 50
    lines = buffer.getvalue().splitlines()
    assert lines[0].split(",") == list(PATENT_CSV_HEADERS) and len(lines) == 51
    again = io.StringIO()
    write_patent_csv(random.Random(1), 50, again)
    assert again.getvalue() == buffer.getvalue()
