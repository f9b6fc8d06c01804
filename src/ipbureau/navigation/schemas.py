"""Request and response shapes of 专利导航: chain edits, projects, the report and the assignment explanation.
The pages' forms are parsed into the same models as the API's bodies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Day, Filters, LongText, ShortText, Year, register_labels
from ipbureau.core.forms import validate
from ipbureau.enums import Dataset
from ipbureau.navigation.assignment import ChainAssignment
from ipbureau.navigation.chains import IndustryChain, chain_to_mapping
from ipbureau.navigation.models import NavigationProject
from ipbureau.navigation.report import Chart, Link, NavigationReport, Network, Paragraph, Table

register_labels({
    "year_from": "起始年份", "year_to": "截止年份", "dataset": "数据类别", "chain_code": "产业链",
    "application_no": "申请号", "name": "名称", "ipc": "IPC 前缀", "keywords": "关键词", "segments": "细分环节",
    "title": "报告名称", "year": "报告年度", "client": "服务对象", "district_code": "所属区", "published_on": "交付日期",
    "note": "备注", "project_id": "导航项目编号",
}, __name__)

# Lists typed in a form: commas (both widths), 、, semicolons, whitespace or new lines.
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
Words = Annotated[list[ShortText], Field(max_length=500)]


def split_list(text: str | None) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text or "") if part]


def parse_segments_text(text: str | None) -> list[dict[str, Any]]:
    """Segments typed one per line as ``名称 | IPC 前缀 | 关键词`` (lists split as in split_list)."""
    segments = []
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) != 3:
            raise DomainError(f"细分环节第 {line_no} 行应为“名称 | IPC 前缀 | 关键词”三栏，用 | 分隔")
        segments.append({"name": parts[0], "ipc": split_list(parts[1]), "keywords": split_list(parts[2])})
    return segments


def segments_text(chain: IndustryChain) -> str:
    """The segments as the edit page shows them (the inverse of parse_segments_text)."""
    return "\n".join(f"{s.name} | {', '.join(s.ipc_prefixes)} | {'、'.join(s.keywords)}" for s in chain.segments)


# ---- chains ----------------------------------------------------------------------------------------------

class SegmentData(BaseModel):
    """A segment (细分环节) of a chain: its name, IPC prefixes and keywords."""

    name: ShortText = ""
    ipc: Words = Field(default_factory=list)
    keywords: Words = Field(default_factory=list)


class ChainUpdate(BaseModel):
    """A chain definition as staff edit it (checked against the IPC scheme by ``service.validate_chain``)."""

    name: ShortText = ""
    ipc: Words = Field(default_factory=list)
    keywords: Words = Field(default_factory=list)
    segments: list[SegmentData] = Field(default_factory=list, max_length=100)

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> ChainUpdate:
        """The edit page's text fields: lists separated by commas, 、 or spaces; one segment per line."""
        return validate(cls, {"name": form.get("name") or "", "ipc": split_list(form.get("ipc")),
                              "keywords": split_list(form.get("keywords")),
                              "segments": parse_segments_text(form.get("segments"))})

    @classmethod
    def of(cls, chain: IndustryChain) -> ChainUpdate:
        return cls.model_validate(chain_to_mapping(chain))


class ChainRead(ChainUpdate):
    code: str
    edited: bool  # a staff edit replaces the shipped definition

    @classmethod
    def read(cls, chain: IndustryChain, *, edited: bool) -> ChainRead:
        return cls.model_validate({"code": chain.code, **chain_to_mapping(chain), "edited": edited})


# ---- projects -------------------------------------------------------------------------------------------

class ProjectCreate(BaseModel):
    """A delivered navigation report (checked by ``service.validate_project``, whose messages name the field)."""

    chain_code: ShortText = ""
    title: Annotated[str, Field(max_length=300)] = ""
    year: Year | None = None
    client: ShortText = ""
    district_code: ShortText | None = None
    published_on: Day | None = None
    note: LongText | None = None
    dataset: ShortText = Dataset.REAL.value


class ProjectRead(BaseModel):
    id: int
    chain_code: str
    chain_name: str
    title: str
    year: int
    client: str
    district_code: str | None
    published_on: date
    note: str | None
    figures: dict[str, Any] | None
    dataset: str

    @classmethod
    def of(cls, project: NavigationProject, chain_names: Mapping[str, str]) -> ProjectRead:
        return cls(id=project.id, chain_code=project.chain_code,
                   chain_name=chain_names.get(project.chain_code, project.chain_code), title=project.title,
                   year=project.year, client=project.client, district_code=project.district_code,
                   published_on=project.published_on, note=project.note, figures=project.figures,
                   dataset=project.dataset)


class ProjectFilters(Filters):
    chain: ShortText | None = None
    dataset: Dataset | None = None


# ---- the report -------------------------------------------------------------------------------------------

class ReportQuery(Filters):
    """The report's scope: dataset (default: real data when there is any) and filing years (default: the last
    ten years of the dataset)."""

    dataset: ShortText | None = None  # checked by the report ("数据类别应为 real 或 demo")
    year_from: Year | None = None
    year_to: Year | None = None


class ReportPageQuery(ReportQuery):
    application_no: ShortText | None = None  # the patent whose assignment the page explains


class LinkRead(BaseModel):
    text: str
    href: str | None


class ParagraphRead(BaseModel):
    type: Literal["paragraph"] = "paragraph"
    text: str
    style: str


class TableRead(BaseModel):
    type: Literal["table"] = "table"
    title: str
    header: list[str]
    note: str
    rows: list[list[LinkRead | str]]


class ChartRead(BaseModel):
    type: Literal["chart"] = "chart"
    title: str
    kind: str
    labels: list[str]
    values: list[int | float | None]
    unit: str
    links: list[str | None] | None


class NetworkRead(BaseModel):
    type: Literal["network"] = "network"
    title: str
    nodes: list[tuple[str, int]]
    edges: list[tuple[str, str, int]]


BlockRead = Annotated[ParagraphRead | TableRead | ChartRead | NetworkRead, Field(discriminator="type")]


def block_read(block: Paragraph | Table | Chart | Network) -> BlockRead:
    if isinstance(block, Paragraph):
        return ParagraphRead(text=block.text, style=block.style)
    if isinstance(block, Table):
        return TableRead(title=block.title, header=block.header, note=block.note,
                         rows=[[LinkRead(text=c.text, href=c.href) if isinstance(c, Link) else c for c in row]
                               for row in block.rows])
    if isinstance(block, Chart):
        return ChartRead(title=block.title, kind=block.kind, labels=block.labels, values=block.values,
                         unit=block.unit, links=block.links)
    return NetworkRead(title=block.title, nodes=block.nodes, edges=block.edges)


class SectionRead(BaseModel):
    title: str
    blocks: list[BlockRead]


class ReportRead(BaseModel):
    """The report's content model: key figures and the sections (paragraphs, tables, chart series, network)."""

    chain_code: str
    chain_name: str
    title: str
    dataset: str
    year_from: int
    year_to: int
    generated_on: date
    empty: bool
    figures: dict[str, Any]
    sections: list[SectionRead]

    @classmethod
    def of(cls, model: NavigationReport) -> ReportRead:
        return cls(chain_code=model.chain_code, chain_name=model.chain_name, title=model.title,
                   dataset=model.dataset, year_from=model.year_from, year_to=model.year_to,
                   generated_on=model.generated_on, empty=model.empty, figures=model.figures,
                   sections=[SectionRead(title=s.title, blocks=[block_read(b) for b in s.blocks])
                             for s in model.sections])


# ---- assignment -------------------------------------------------------------------------------------------

class IpcMatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    prefix: str
    segment: str | None


class KeywordMatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    keyword: str
    field: str
    segment: str | None


class ChainAssignmentRead(BaseModel):
    """Why a patent is (or is not) counted in a chain: matched IPC codes and prefixes, keywords, segments."""

    model_config = ConfigDict(from_attributes=True)

    chain_code: str
    chain_name: str
    counted: bool
    basis: str
    segments: list[str]
    segment_basis: str
    ipc_matches: list[IpcMatchRead]
    keyword_matches: list[KeywordMatchRead]


class AssignmentRead(BaseModel):
    patent_id: int
    application_no: str
    ipc: list[str]
    assignments: list[ChainAssignmentRead]

    @classmethod
    def of(cls, patent: Any, assignments: list[ChainAssignment]) -> AssignmentRead:
        return cls(patent_id=patent.id, application_no=patent.application_no, ipc=patent.ipc_list,
                   assignments=[ChainAssignmentRead.model_validate(a) for a in assignments])
