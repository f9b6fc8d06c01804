"""Column layouts of patent exports, mapped by header name.

One alias table covers the common Chinese patent databases: the CNIPA (SIPO)
search-system XLSX export, CNIPR/incoPat-style CSV exports, and a generic CSV
with either the Chinese headers or the English field names below. Headers are
compared after ``imports.readers.normalise_header`` (NFKC, no spaces, lower case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.readers import normalise_header
from ipbureau.patents.numbers import check_character

# Headers as each database writes them (compared after normalise_header, so case, spaces and full-width
# brackets do not matter). Sources: CNIPA (SIPO) and CNIPR — the real samples in /work/shared/data/patent-exports;
# Lens.org — its CSV export header (documented e.g. with the Lens data sets of the dronesr R package,
# rdrr.io/github/poldham/dronesr: application_number, application_date, display_key, ipcr_classifications…);
# Google Patents — the CSV its result page downloads (``id,title,assignee,inventor/author,priority date,
# filing/creation date,publication date,grant date,result link,representative figure link``); incoPat and PatSnap
# (智慧芽) — the column names of their Chinese and English Excel/CSV exports (IPC主分类, 简单法律状态, 申请(专利权)人,
# "Application No.", "Simple Legal Status"); these two were not checked against a file from the vendor.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "application_no": ("申请号", "专利申请号", "申请号码", "application_no", "applicationnumber", "application no.",
                       "application no", "appno", "申请号/专利号"),
    "publication_no": ("公开（公告）号", "公开号", "公开公告号", "公布号", "publication_no", "publicationnumber",
                       "publication no.", "publication no", "display key"),
    "grant_no": ("授权公告号", "grant_no"),
    "patent_type": ("专利类型", "类型", "patent_type", "type", "patent type"),
    "title": ("名称", "专利名称", "标题", "发明名称", "title", "标题(翻译)"),
    "abstract": ("摘要", "申请摘要", "abstract"),
    "claims": ("主权项", "首项权利要求", "权利要求", "claims", "first claim"),
    "ipc_main": ("主分类号", "IPC主分类号", "IPC主分类", "主IPC", "ipc_main", "main ipc", "ipc main", "ipc-main"),
    "ipc": ("分类号", "IPC", "IPC分类号", "ipc", "ipc_codes", "ipcr classifications", "ipc classifications"),
    "applicants": ("申请（专利权）人", "申请人", "专利权人", "applicants", "applicant", "original assignee", "assignee",
                   "applicant/assignee", "[标]原始申请(专利权)人"),
    "inventors": ("发明（设计）人", "发明人", "设计人", "inventors", "inventor", "inventor/author"),
    "address": ("地址", "申请人地址", "第一申请人地址", "address", "applicant_address", "applicant address",
                "申请(专利权)人地址"),
    "district": ("所属区", "区", "district"),
    "filing_date": ("申请日", "filing_date", "application date", "filing date", "filing/creation date"),
    "publication_date": ("公开（公告）日", "公开日", "公告日", "公布日", "publication_date", "publication date"),
    "grant_date": ("授权公告日", "授权日", "grant_date", "grant date"),
    "lapse_date": ("失效日期", "失效日", "lapse_date"),
    "legal_status": ("法律状态", "当前法律状态", "简单法律状态", "legal_status", "legal status", "simple legal status"),
    "citation_count": ("引证数", "引证次数", "citation_count"),
    "family_size": ("简单同族数量", "同族数量", "family_size", "simple family size"),
    "transfer_count": ("专利转移次数", "转让次数", "transfer_count"),
    "license_count": ("许可次数", "license_count"),
    "pledge_count": ("质押次数", "pledge_count"),
    "agency": ("专利代理机构", "代理机构", "agency"),
    "agent": ("专利代理人", "代理人", "agent"),
}

REQUIRED_FIELDS = ("application_no", "title")

FIELD_LABELS = {
    "application_no": "申请号",
    "publication_no": "公开（公告）号",
    "grant_no": "授权公告号",
    "patent_type": "专利类型",
    "title": "名称",
    "abstract": "摘要",
    "claims": "主权项",
    "ipc_main": "主分类号",
    "ipc": "分类号",
    "applicants": "申请人",
    "inventors": "发明人",
    "address": "地址",
    "district": "所属区",
    "filing_date": "申请日",
    "publication_date": "公开（公告）日",
    "grant_date": "授权公告日",
    "lapse_date": "失效日期",
    "legal_status": "法律状态",
    "citation_count": "引证数",
    "family_size": "同族数量",
    "transfer_count": "专利转移次数",
    "license_count": "许可次数",
    "pledge_count": "质押次数",
    "agency": "专利代理机构",
    "agent": "专利代理人",
}


PATENT_FIELDS = FieldSet(aliases=FIELD_ALIASES, required=REQUIRED_FIELDS, labels=FIELD_LABELS)


# The layouts we can tell apart by headers only they have: (name, headers that must all be there).
LAYOUTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("lens", frozenset({"lensid", "displaykey"})),
    ("google-patents", frozenset({"resultlink", "filing/creationdate"})),
    ("cnipr", frozenset({"申请摘要", "国省代码", "授权公告号"})),
    ("patsnap", frozenset({"简单法律状态", "申请(专利权)人"})),
    ("patsnap", frozenset({"simplelegalstatus"})),
    ("incopat", frozenset({"ipc主分类"})),
    ("incopat", frozenset({"application no.", "publication no."})),
)
GOOGLE_HINT = ("。谷歌专利（Google Patents）导出的 CSV 只有公开号（id 列）而没有申请号，无法按申请号导入："
               "请改用国家知识产权局、CNIPR、incoPat、智慧芽或 Lens 的导出文件")


def map_columns(headers: list[str], file_format: str) -> tuple[ColumnMap, list[str]]:
    """Match headers to fields and name the export layout the headers reveal."""
    mapping, missing = PATENT_FIELDS.map(headers)
    keys = {normalise_header(h) for h in headers if h}
    layout = next((name for name, needed in LAYOUTS if {normalise_header(k) for k in needed} <= keys), None)
    if layout is None and {"申请(专利权)人", "发明(设计)人", "光盘号"} & keys:
        layout = "cnipa"
    mapping.format_name = f"{layout or 'generic'}-{file_format}"
    if layout == "google-patents":
        mapping.hint = GOOGLE_HINT
    return mapping, missing


LENS_APPLICATION_NO = re.compile(r"^CN\s*(\d{12}|\d{8})\s*[A-Z]?\d?$")


def application_no_cell(value: object, format_name: str) -> object:
    """Lens writes CN application numbers without their check character (``CN 201210249771 A``): complete it
    so that the number is the one CNIPA and the other exports use. Other layouts' cells are left as they are."""
    if format_name.startswith("lens") and isinstance(value, str):
        match = LENS_APPLICATION_NO.match(value.strip().upper())
        if match:
            return f"CN{match.group(1)}.{check_character(match.group(1))}"
    return value


@dataclass
class PatentRecord:
    """One validated, normalised row, ready to be written."""

    row: int
    application_no: str
    publication_no: str | None
    grant_no: str | None
    patent_type: str
    title: str
    abstract: str | None
    claims: str | None
    ipc_main: str | None
    ipc_codes: list[str]
    applicants: list[str]
    inventors: list[str]
    applicant_address: str | None
    postcode: str | None
    province_code: str | None
    city_code: str | None
    district_code: str | None
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    lapse_date: date | None
    legal_status: str
    legal_status_raw: str | None
    citation_count: int
    family_size: int | None
    transfer_count: int
    license_count: int
    pledge_count: int
    agency: str | None
    agent: str | None
    # The rule that attributed the district (ipbureau.reference.attribution), stored on the patent.
    district_rule: str | None = None
