"""Import of real export samples and of bad input: transactional, idempotent, row-and-column errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.models import ImportBatch
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import Patent, PatentIpc


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Patent))


def test_cnipr_csv_imports_cleanly_and_idempotently(db, cnipr_sample):
    first = import_patents(db, cnipr_sample, "cnipr.csv", index=False)
    assert (first.format, first.total_rows, first.inserted, first.updated, first.unchanged) == ("cnipr-csv", 10, 10, 0, 0)
    again = import_patents(db, cnipr_sample, "cnipr.csv", index=False)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)
    assert _count(db) == 10

    patent = db.scalar(select(Patent).where(Patent.application_no == "CN202223220665.2"))
    assert patent.patent_type == PatentType.UTILITY_MODEL
    assert patent.legal_status == LegalStatus.VALID and patent.legal_status_raw == "有权-审定授权"
    assert str(patent.filing_date) == "2022-12-02" and str(patent.grant_date) == "2023-03-28"
    assert patent.postcode == "450000" and patent.province_code == "41" and patent.district_code is None
    assert patent.ipc_list == ["B64U20/80", "B64U101/30"]
    assert patent.inventors == ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"]
    # "发明公开;发明授权" is an invention; pending rows keep their status.
    pending = db.scalars(select(Patent).where(Patent.legal_status == LegalStatus.PENDING)).all()
    assert len(pending) == 2 and all(p.patent_type == PatentType.INVENTION for p in pending)


def test_cnipa_xlsx_imports_cleanly_with_edition_suffixes(db, sipo_sample):
    result = import_patents(db, sipo_sample, "sipo.xlsx", index=False)
    assert (result.format, result.total_rows, result.inserted) == ("cnipa-xlsx", 199, 199)
    patent = db.scalar(select(Patent).where(Patent.application_no == "CN201220249771.0"))
    # "E01B3/32(2006.01)I;E01B9/10(2006.01)I" -> canonical codes, main first.
    assert patent.ipc_list == ["E01B3/32", "E01B9/10"] and patent.ipc_main == "E01B3/32"
    # No type column: the application number's type digit says utility model, and a U
    # publication is the grant, so the grant date is the publication date.
    assert patent.patent_type == PatentType.UTILITY_MODEL
    assert str(patent.grant_date) == "2013-01-02"
    assert patent.province_code == "32"  # "226634 江苏省南通市…"
    assert db.scalar(select(func.count()).select_from(PatentIpc).where(PatentIpc.subclass == "E01B")) > 0
    assert import_patents(db, sipo_sample, "sipo.xlsx", index=False).unchanged == 199


HEADER = "申请号,名称,申请日,分类号,申请人地址,所属区\n"


def _csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


def test_bad_rows_name_row_and_column_and_write_nothing(db, cnipr_sample):
    import_patents(db, cnipr_sample, "cnipr.csv", index=False)
    before = _count(db)
    data = _csv(
        "CN202223220665.3,校验位错误,20220101,A01B1/02,天津市南开区,",
        "CN202210000001.5,日期错误,20221301,A01B1/02,天津市南开区,",
        "CN202210000002.6,分类号错误,20220101,Z99Q1/00,天津市南开区,",
        "CN202210000003.7,未知区,20220101,A01B1/02,天津市,浦东新区",
    )
    with pytest.raises(ImportFailed) as failure:
        import_patents(db, data, "bad.csv", index=False)
    found = {(p.row, p.field) for p in failure.value.problems}
    assert (2, "申请号") in found
    assert (3, "申请日") in found
    assert (4, "分类号") in found
    assert (5, "所属区") in found
    assert _count(db) == before
    failed = db.scalar(select(ImportBatch).where(ImportBatch.filename == "bad.csv"))
    assert failed.status == "failed" and len(failed.errors) >= 4


def test_one_bad_row_after_many_good_rolls_back_everything(db):
    from ipbureau.patents.numbers import make_application_no

    good = [f"{make_application_no(2021, 1, i)},发明{i},20210301,G06F16/00,天津市西青区," for i in range(1, 2500)]
    data = _csv(*good, "CN202110000000.0,坏行,20210301,G06F16/00,天津市西青区,")
    with pytest.raises(ImportFailed) as failure:
        import_patents(db, data, "late-error.csv", index=False)
    assert failure.value.problems[0].row == 2501
    assert _count(db) == 0


def test_gbk_file_and_district_derivation(db):
    from ipbureau.patents.numbers import make_application_no

    number = make_application_no(2022, 1, 42)
    data = _csv(f"{number},一种芯片封装方法,20220105,H01L21/56,300384天津市西青区华苑产业区海泰西路18号,", encoding="gbk")
    result = import_patents(db, data, "gbk.csv", index=False)
    assert result.inserted == 1
    patent = db.scalar(select(Patent).where(Patent.application_no == number))
    assert patent.district_code == "120111" and patent.title == "一种芯片封装方法"
    # H01L is no longer in the current edition: accepted, with a warning that says so.
    assert any("2020 版" in w.message for w in result.warnings)


def test_duplicates_in_file(db):
    from ipbureau.patents.numbers import make_application_no

    number = make_application_no(2022, 2, 7)
    same = f"{number},一种装置,20220105,A01B1/02,天津市和平区,"
    result = import_patents(db, _csv(same, same), "dup.csv", index=False)
    assert (result.inserted, result.duplicates_in_file) == (1, 1)
    with pytest.raises(ImportFailed) as failure:
        import_patents(db, _csv(same, f"{number},另一种装置,20220105,A01B1/02,天津市和平区,"), "dup2.csv", index=False)
    assert failure.value.problems[0].row == 3 and "重复" in failure.value.problems[0].message


def test_changed_row_updates_in_place(db):
    from ipbureau.patents.numbers import make_application_no

    number = make_application_no(2022, 1, 9)
    import_patents(db, _csv(f"{number},旧名称,20220105,A01B1/02,天津市和平区,"), "v1.csv", index=False)
    result = import_patents(db, _csv(f"{number},新名称,20220105,A01B1/02;A01B1/00,天津市和平区,"), "v2.csv", index=False)
    assert (result.inserted, result.updated) == (0, 1)
    patent = db.scalar(select(Patent).where(Patent.application_no == number))
    db.refresh(patent)
    assert patent.title == "新名称" and patent.ipc_list == ["A01B1/02", "A01B1/00"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "表头"),
        (b"\xff\xfe\x00\x00garbage\x00\x81\x82", "binary.csv", "编码"),
        (b"foo,bar\n1,2\n", "nocols.csv", "缺少必需的列"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", "Excel"),
        (b"\xd0\xcf\x11\xe0legacy", "old.xls", ".xls"),
        ("申请号,名称\n".encode(), "header-only.csv", "没有数据行"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(db, data, filename, message):
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, data, filename, index=False)
    assert message in str(rejected.value)
    assert _count(db) == 0
