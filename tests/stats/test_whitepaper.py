"""The white paper: every figure printed in the Word document equals the indicator engine's
value (recomputed here independently), the PDF is a PDF of the same content, demo data are
marked, a year without data still gives a document, and only staff may download it."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from typer.testing import CliRunner

from ipbureau.stats import engine, whitepaper
from ipbureau.stats.catalogue import CATALOGUE
from tests.conftest import bearer, login
from tests.stats.test_stats import BINHAI, HEPING, NINGHE, XIQING, add_patent, add_trademark

YEAR = 2024
TODAY = date(2025, 3, 1)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _small_dataset(db, dataset: str = "real") -> None:
    """Known figures: 2024 grants 滨海 3, 西青 1, 和平 1 (city 5); 2023 grants 2 (YoY +150.0%)."""
    for _ in range(3):
        add_patent(db, granted=date(2024, 5, 1), district=BINHAI, ipc=("G06F21/62",), dataset=dataset)
    add_patent(db, granted=date(2024, 7, 1), district=XIQING, ipc=("A61K36/00",), family_size=3, dataset=dataset)
    add_patent(db, granted=date(2024, 9, 1), district=HEPING, pledges=1, dataset=dataset)  # 和平区: no population
    add_patent(db, granted=date(2023, 3, 1), district=BINHAI, ipc=("H01M10/052",), dataset=dataset)
    add_patent(db, granted=date(2023, 4, 1), district=XIQING, lapse=date(2024, 6, 1), status="invalid", dataset=dataset)
    add_patent(db, granted=date(2016, 1, 1), district=BINHAI, filed=date(2012, 1, 1), dataset=dataset)
    add_patent(db, granted=date(2024, 2, 1), district=NINGHE, patent_type="utility_model", dataset=dataset)
    add_trademark(db, filed=date(2023, 3, 1), registered=date(2024, 1, 15), expiry=date(2034, 1, 14), dataset=dataset)
    add_trademark(db, filed=date(2024, 3, 1), status="applied", dataset=dataset)
    add_trademark(db, filed=date(2024, 4, 1), registered=date(2024, 11, 1), expiry=date(2034, 10, 31), dataset=dataset)
    db.commit()


def _docx(content: bytes) -> Document:
    return Document(io.BytesIO(content))


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def _int(cell: str) -> int:
    return int(cell.replace(",", ""))


def _table(doc: Document, first_header: str, contains: str):
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[0] == first_header and any(contains in h for h in header):
            return table
    raise AssertionError(f"no table with {first_header} / {contains}")


@pytest.fixture
def paper_and_doc(db):
    _small_dataset(db)
    paper = whitepaper.build(db, YEAR, today=TODAY)
    return paper, _docx(whitepaper.to_docx(paper))


def test_every_figure_equals_the_engine(db, paper_and_doc):
    paper, doc = paper_and_doc
    body = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    everything = "\n".join(body + cells)
    facts = paper.facts()
    assert len(facts) > 100
    for fact in facts:  # recomputed one by one, independently of the breakdowns the builder used
        computed = engine.compute(db, fact.code, fact.year, district_code=fact.district_code,
                                   chain_code=fact.chain_code, dataset="real")
        assert getattr(computed, fact.field) == fact.value, fact
        assert fact.text in everything, fact

    # Every number printed in sections 一–四 (paragraphs and table cells) is a computed figure,
    # a year of the report, the generation date, a rank, or a table/figure number.
    allowed = {t for f in facts for t in _numbers(f.text)}
    allowed |= {str(y) for y in range(YEAR - 9, YEAR + 1)} | {"2025", "3", "1"}  # years; 2025年3月1日
    appendix_at = body.index("附：指标说明")
    for text in body[:appendix_at]:
        if text.startswith("注："):
            continue  # table notes: the YoY formula ("× 100%"), no figures
        stripped = re.sub(r"[表图]\d+", "", text)
        for token in _numbers(stripped):
            assert token in allowed, (token, text)

    # Known values of the small dataset, as printed.
    assert "2024年，全市发明专利授权量为5件，同比增长150.0%。" in body
    assert any(t.startswith("2024年末，全市有效发明专利拥有量为") for t in body)


def test_district_table_cell_by_cell(db, paper_and_doc):
    _paper, doc = paper_and_doc
    grants = {v.label: v for v in engine.by_district(db, "invention_grants", YEAR)}
    valid = {v.label: v for v in engine.by_district(db, "valid_inventions", YEAR)}
    high = {v.label: v for v in engine.by_district(db, "high_value_inventions_per_10k", YEAR)}
    table = _table(doc, "排名", "每万人口")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == 16 and {r[1] for r in rows} == set(grants)
    values = [g.value for g in grants.values()]
    for rank, name, g, v, h in rows:
        assert _int(g) == grants[name].value
        assert _int(v) == valid[name].value
        if high[name].value is None:
            assert h == "—（无人口数据）"
        else:
            assert float(h) == high[name].value
        assert int(rank) == 1 + sum(1 for x in values if x > grants[name].value)
    assert rows[0][:3] == ["1", "滨海新区", "3"]
    assert next(r for r in rows if r[1] == "和平区")[4] == "—（无人口数据）"


def test_trend_chain_and_trademark_tables_match_the_engine(db, paper_and_doc):
    paper, doc = paper_and_doc
    years = range(YEAR - 9, YEAR + 1)
    grants = engine.series(db, "invention_grants", years)
    valid = engine.series(db, "valid_inventions", years)
    trend = _table(doc, "年份", "发明专利授权量")
    for row, g, v in zip(trend.rows[1:], grants, valid, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[0] == str(g.year)
        assert cells[1] == (whitepaper.NO_DATA if g.value is None else f"{g.value:,}")
        assert cells[3] == (whitepaper.NO_DATA if v.value is None else f"{v.value:,}")
        assert cells[2] == ("—" if g.yoy_growth is None else f"{g.yoy_growth:+.1f}%")
    marks = _table(doc, "年份", "商标申请量")
    apps = engine.series(db, "trademark_applications", years)
    assert [c.cells[1].text for c in marks.rows[1:]] == [whitepaper.fmt(v.value) for v in apps]
    chains = {v.label: v.value for v in engine.by_chain(db, "invention_grants", YEAR)}
    chain_table = _table(doc, "产业链", "发明专利授权量")
    assert {r.cells[0].text: _int(r.cells[1].text) for r in chain_table.rows[1:]} == chains
    # The chart series are the engine's too, and each chart is embedded as a picture.
    charts = paper.charts()
    assert charts[0].values == [g.value for g in grants] and charts[1].values == [v.value for v in valid]
    assert len(doc.inline_shapes) == len(charts) == 5
    # 附：指标说明 carries each definition and formula from the catalogue.
    text = "\n".join(p.text for p in doc.paragraphs)
    for d in CATALOGUE:
        assert f"定义：{d.definition}" in text and f"计算公式：{d.formula}" in text


def test_pdf_has_the_same_content(db, paper_and_doc):
    paper, _doc = paper_and_doc
    pdf = whitepaper.to_pdf(paper)
    assert pdf.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert str(YEAR) in text
    assert "白皮书" in text and "滨海新区" in text  # the CID font's text extracts as Chinese


def test_demo_dataset_is_marked_on_every_page(db):
    _small_dataset(db, dataset="demo")
    paper = whitepaper.build(db, YEAR, dataset="demo", today=TODAY)
    assert paper.title == f"天津市{YEAR}年知识产权发展状况白皮书（演示数据）"
    doc = _docx(whitepaper.to_docx(paper))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert paper.title in text and whitepaper.DEMO_STATEMENT in text
    assert all("演示数据" in s.header.paragraphs[0].text for s in doc.sections)
    assert "2024年，全市发明专利授权量为5件" in text  # the demo records, not the (empty) real ones
    pdf = whitepaper.to_pdf(paper)
    pypdf = pytest.importorskip("pypdf")
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert all("演示数据" in page.extract_text() for page in pages)
    # …and real figures of the same year know nothing of the demo records.
    real = whitepaper.build(db, YEAR, dataset="real", today=TODAY)
    assert "演示数据" not in real.title and all(f.value is None for f in real.facts() if f.field == "value")


def test_a_year_without_data_says_so(db):
    _small_dataset(db)
    paper = whitepaper.build(db, 2000, today=TODAY)
    doc = _docx(whitepaper.to_docx(paper))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "所选数据集在2000年无数据" in text
    assert "发明专利授权量：无数据" in text and "不绘制图表" in text
    assert len(doc.inline_shapes) == 0 and paper.facts() == []
    assert whitepaper.to_pdf(paper).startswith(b"%PDF")


def test_missing_chinese_font_is_a_clear_error(monkeypatch):
    from matplotlib import font_manager

    whitepaper.cjk_font.cache_clear()
    # No font at all, neither in matplotlib's cached list nor on disk.
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    try:
        with pytest.raises(whitepaper.WhitePaperError, match="缺少中文字体，请安装 fonts-wqy-microhei"):
            whitepaper.chart_png(whitepaper.Chart("图", "column", ["2024"], [1], "件"))
    finally:
        whitepaper.cjk_font.cache_clear()


def test_download_is_for_staff_only(client, users, db):
    _small_dataset(db)
    for role in ("public", "enterprise"):
        headers = bearer(client, f"{role}_user")
        assert client.get("/api/stats/whitepaper", params={"year": YEAR}, headers=headers).status_code == 403
    assert client.get("/api/stats/whitepaper", params={"year": YEAR}).status_code == 401
    headers = bearer(client, "bureau_staff_user")
    response = client.get("/api/stats/whitepaper", params={"year": YEAR, "fmt": "pdf"}, headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # RFC 6266: the ASCII name and the same name encoded for UTF-8 (web.downloads).
    assert response.headers["content-disposition"] == (
        f'attachment; filename="whitepaper-{YEAR}.pdf"; filename*=UTF-8\'\'whitepaper-{YEAR}.pdf')
    assert float(response.headers["x-generation-seconds"]) >= 0
    assert client.get("/api/stats/whitepaper", params={"fmt": "xls"}, headers=headers).status_code == 422
    assert client.get("/api/stats/whitepaper", params={"dataset": "both"}, headers=headers).status_code == 422

    login(client, "public_user")
    assert client.get("/stats/whitepaper", params={"year": YEAR}).status_code == 403
    client.cookies.clear()
    login(client, "district_staff_user")
    page = client.get("/stats", params={"year": YEAR})
    assert "生成白皮书（Word / PDF）" in page.text
    assert f"/stats/whitepaper?year={YEAR}&amp;dataset=real&amp;fmt=docx" in page.text
    word = client.get("/stats/whitepaper", params={"year": YEAR, "dataset": "real", "fmt": "docx"})
    assert word.status_code == 200
    assert word.headers["content-disposition"] == (
        f'attachment; filename="whitepaper-{YEAR}.docx"; filename*=UTF-8\'\'whitepaper-{YEAR}.docx')
    assert f"天津市{YEAR}年知识产权发展状况白皮书" in "\n".join(p.text for p in _docx(word.content).paragraphs)


def test_cli_writes_the_file(db, tmp_path):
    from ipbureau.cli import app

    _small_dataset(db)
    out = tmp_path / "wp.docx"
    result = CliRunner().invoke(app, ["whitepaper", "--year", str(YEAR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK" and "已生成" in result.output
    assert CliRunner().invoke(app, ["whitepaper", "--out", str(tmp_path / "wp.txt")]).exit_code == 2
