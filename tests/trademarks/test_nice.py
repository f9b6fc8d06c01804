"""The Nice classification (2018 wording): loaded as reference data (idempotent), class numbers checked against
it on import and in filters, headings shown where marks are listed, and marks counted by class."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipbureau.imports.errors import ImportFailed
from ipbureau.trademarks import nice
from ipbureau.trademarks.flows import import_trademarks
from ipbureau.trademarks.models import NiceClass, NiceGroup, NiceItem
from tests.conftest import bearer, login

SHARED = Path("/work/shared/data/trademarks")
PACKAGE = Path(__file__).resolve().parents[2] / "src/ipbureau/trademarks/data"


@pytest.fixture
def classification(db):
    added = nice.load_nice(db)
    db.commit()
    return added


def _shared_items() -> list[dict[str, str]]:
    with (SHARED / "nice_items_2018.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_packaged_files_are_the_shared_ones():
    assert (PACKAGE / "nice_classes_2018.csv").read_bytes() == (SHARED / "nice_classes_2018.csv").read_bytes()
    assert gzip.decompress((PACKAGE / "nice_items_2018.csv.gz").read_bytes()) == \
        (SHARED / "nice_items_2018.csv").read_bytes()


def test_load_is_complete_and_idempotent(db, classification):
    items = _shared_items()
    assert classification == (45, len({r["group"] for r in items}), len(items))
    assert db.scalar(select(func.count()).select_from(NiceItem)) == len(items) == 11230
    assert db.scalar(select(func.count()).select_from(NiceGroup)) == len({r["group"] for r in items})
    assert nice.load_nice(db) == (0, 0, 0)
    assert db.get(NiceClass, 9).heading.startswith("科学")


def _marks(classes: str) -> bytes:
    return ("注册号,商标名称,国际分类,申请人名称,申请人地址,申请日期,注册日期,商标状态\n"
            f"12345678,海河牌,{classes},天津海河食品有限公司,天津市和平区南京路1号,2019-03-01,2020-01-07,已注册\n"
            "22345678,津门,35,天津某公司,天津市西青区,2023-05-06,,等待实质审查\n").encode()


def test_import_checks_class_numbers(db, classification):
    with pytest.raises(ImportFailed, match="尼斯分类应为 1–45 的整数，实为“46”"):
        import_trademarks(db, _marks("30;46"), "tm.csv")
    assert import_trademarks(db, _marks("30;29"), "tm.csv").inserted == 2
    # With the classification loaded, a class the edition lacks is refused by name (simulated by removing one).
    db.execute(NiceItem.__table__.delete().where(NiceItem.class_number == 45))
    db.execute(NiceGroup.__table__.delete().where(NiceGroup.class_number == 45))
    db.execute(NiceClass.__table__.delete().where(NiceClass.number == 45))
    with pytest.raises(ImportFailed, match="第 45 类不在已载入的尼斯分类"):
        import_trademarks(db, _marks("45").replace(b"12345678", b"42345678"), "tm2.csv")


def test_headings_on_the_list_and_in_the_api(client, db, users, classification):
    import_trademarks(db, _marks("30;29"), "tm.csv")
    db.commit()
    login(client, "public_user")
    page = client.get("/trademarks")
    heading_30 = db.get(NiceClass, 30).heading
    assert 'title="' + heading_30 + '"' in page.text and "第30类" in page.text and "NCL 11-2018" in page.text
    api = client.get("/api/trademarks", headers=bearer(client, "public_user")).json()
    assert api["class_headings"] == {"29": db.get(NiceClass, 29).heading, "30": heading_30,
                                     "35": db.get(NiceClass, 35).heading}
    bad = client.get("/api/trademarks", params={"nice_class": 46}, headers=bearer(client, "public_user"))
    assert bad.status_code == 422 and "尼斯分类" in bad.json()["detail"]


def test_statistics_by_class(client, db, users, classification):
    import_trademarks(db, _marks("30;29"), "tm.csv")
    db.commit()
    headers = bearer(client, "district_staff_user")
    counts = {c["number"]: c for c in client.get("/api/trademarks/by-class", headers=headers).json()}
    assert len(counts) == 45
    assert (counts[30]["marks"], counts[30]["registered"]) == (1, 1)  # primary class only: 29 not counted
    assert (counts[35]["marks"], counts[35]["registered"]) == (1, 0) and counts[29]["marks"] == 0
    assert counts[35]["heading"] == db.get(NiceClass, 35).heading
    login(client, "district_staff_user")
    page = client.get("/trademarks/classes")
    assert page.status_code == 200 and 'id="class-counts"' in page.text and "<svg" in page.text
    assert "NCL 11-2018" in page.text
    detail = client.get("/trademarks/classes/30")
    group = db.scalar(select(NiceGroup).where(NiceGroup.class_number == 30).order_by(NiceGroup.code))
    assert detail.status_code == 200 and group.name in detail.text
    assert client.get("/trademarks/classes/46").status_code == 422
