"""The profile as the JSON API answers it: the enterprise (with or without its non-public fields), its
sections as figures and table rows, and for insiders the score and the applications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ipbureau.enterprises.assessment.schemas import AssessmentRead, ScoreRead
from ipbureau.enterprises.profile.sections import Section
from ipbureau.enterprises.schemas import EnterpriseDetail, EnterpriseRead


class Link(BaseModel):
    text: str
    href: str


Cell = Link | str | int | float | None


def cell(value: Any) -> Cell:
    """A section's cell as JSON: a (text, href) pair as a link, dates as ISO text, amounts as numbers."""
    if isinstance(value, tuple):
        return Link(text=str(value[0]), href=value[1])
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class SectionRead(BaseModel):
    key: str
    title: str
    figures: list[tuple[str, Cell]]
    headers: list[str]
    rows: list[list[Cell]]

    @classmethod
    def of(cls, section: Section) -> SectionRead:
        return cls(key=section.key, title=section.title, figures=[(k, cell(v)) for k, v in section.figures],
                   headers=section.headers, rows=[[cell(c) for c in row] for row in section.rows])


class ProfileRead(BaseModel):
    enterprise: EnterpriseDetail | EnterpriseRead
    sections: list[SectionRead]
    score: ScoreRead | None
    assessments: list[AssessmentRead]
