"""Column layouts of patent exports, mapped by header name.

One alias table covers the common Chinese patent databases: the CNIPA (SIPO)
search-system XLSX export, CNIPR/incoPat-style CSV exports, and a generic CSV
with either the Chinese headers or the English field names below. Headers are
compared after ``imports.readers.normalise_header`` (NFKC, no spaces, lower case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.readers import normalise_header

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "application_no": ("申请号", "专利申请号", "申请号码", "application_no", "applicationnumber"),
    "publication_no": ("公开（公告）号", "公开号", "公开公告号", "公布号", "publication_no", "publicationnumber"),
    "grant_no": ("授权公告号", "grant_no"),
    "patent_type": ("专利类型", "类型", "patent_type", "type"),
    "title": ("名称", "专利名称", "标题", "发明名称", "title"),
    "abstract": ("摘要", "申请摘要", "abstract"),
    "claims": ("主权项", "首项权利要求", "权利要求", "claims"),
    "ipc_main": ("主分类号", "IPC主分类号", "主IPC", "ipc_main"),
    "ipc": ("分类号", "IPC", "IPC分类号", "ipc", "ipc_codes"),
    "applicants": ("申请（专利权）人", "申请人", "专利权人", "applicants", "applicant"),
    "inventors": ("发明（设计）人", "发明人", "设计人", "inventors"),
    "address": ("地址", "申请人地址", "第一申请人地址", "address", "applicant_address"),
    "district": ("所属区", "区", "district"),
    "filing_date": ("申请日", "filing_date"),
    "publication_date": ("公开（公告）日", "公开日", "公告日", "公布日", "publication_date"),
    "grant_date": ("授权公告日", "授权日", "grant_date"),
    "lapse_date": ("失效日期", "lapse_date"),
    "legal_status": ("法律状态", "当前法律状态", "legal_status"),
    "citation_count": ("引证数", "citation_count"),
    "family_size": ("简单同族数量", "同族数量", "family_size"),
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


def map_columns(headers: list[str], file_format: str) -> tuple[ColumnMap, list[str]]:
    """Match headers to fields and name the export layout the headers reveal."""
    mapping, missing = PATENT_FIELDS.map(headers)
    keys = {normalise_header(h) for h in headers if h}
    if {"申请(专利权)人", "发明(设计)人", "光盘号"} & keys:
        mapping.format_name = "cnipa-xlsx" if file_format == "xlsx" else "cnipa-csv"
    elif {"申请摘要", "国省代码", "授权公告号"} <= keys:
        mapping.format_name = "cnipr-csv" if file_format == "csv" else "cnipr-xlsx"
    else:
        mapping.format_name = f"generic-{file_format}"
    return mapping, missing


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
