"""Patents as the marketplace trades them: found by application number, valid, held by the enterprise that offers
them, and free of the licences and declarations that exclude one another (专利法第五十、五十一条)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError
from ipbureau.enterprises.models import Enterprise
from ipbureau.market.enums import BLOCKING_LICENCE_TYPES, LicenceType, OpenLicenceStatus
from ipbureau.market.models import Licence, OpenLicence
from ipbureau.patents.enums import LegalStatus
from ipbureau.patents.models import Patent, PatentApplicant
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no


def find_patent(session: Session, number: str) -> Patent | None:
    text = re.sub(r"[\s\u3000]", "", number).upper()
    patent = session.scalar(select(Patent).where(Patent.application_no == text))
    if patent is None:
        try:
            patent = session.scalar(select(Patent).where(Patent.application_no == normalise_application_no(text)))
        except ApplicationNumberError:
            return None
    return patent


def resolve_patents(session: Session, numbers: Sequence[str]) -> list[Patent]:
    """The patents of these application numbers, each once, in the order given."""
    if not numbers:
        raise DomainError("专利", "请至少填写一件专利的申请号")
    patents: list[Patent] = []
    for number in numbers:
        patent = find_patent(session, number)
        if patent is None:
            raise DomainError("专利", f"申请号为 {number} 的专利不存在")
        if patent not in patents:
            patents.append(patent)
    return patents


def check_valid(patent: Patent, today: date) -> None:
    if patent.legal_status != LegalStatus.VALID:
        status = LegalStatus(patent.legal_status).label if patent.legal_status in set(LegalStatus) else patent.legal_status
        raise DomainError("专利", f"{patent.application_no} 不是有效专利（法律状态：{status}），只有有权专利才能办理")
    if patent.lapse_date and patent.lapse_date <= today:
        raise DomainError("专利", f"{patent.application_no} 已于 {patent.lapse_date} 失效")


def holds(session: Session, enterprise_id: int, patent: Patent) -> bool:
    return session.scalar(select(PatentApplicant.patent_id).where(
        PatentApplicant.patent_id == patent.id, PatentApplicant.enterprise_id == enterprise_id).limit(1)) is not None


def check_holder(session: Session, patents: Sequence[Patent], holder: Enterprise, today: date) -> None:
    """Every patent is valid and the enterprise is one of its patentees."""
    for patent in patents:
        check_valid(patent, today)
        if not holds(session, holder.id, patent):
            raise DomainError("专利", f"{patent.application_no} 的专利权人中没有{holder.name}，不能以其名义办理")


def held_patents(session: Session, numbers: Sequence[str], holder: Enterprise, today: date) -> list[Patent]:
    """The patents of these application numbers, each valid and held by the enterprise that offers them."""
    patents = resolve_patents(session, numbers)
    check_holder(session, patents, holder, today)
    return patents


def blocking_licences(session: Session, patent: Patent, today: date) -> list[Licence]:
    """Exclusive or sole licences in force on the patent."""
    rows = session.scalars(select(Licence).where(Licence.patent_id == patent.id,
                                                 Licence.licence_type.in_(BLOCKING_LICENCE_TYPES)))
    return [licence for licence in rows if licence.in_force(today)]


def published_open_licence(session: Session, patent: Patent) -> OpenLicence | None:
    return session.scalar(select(OpenLicence).where(OpenLicence.patent_id == patent.id,
                                                    OpenLicence.status == OpenLicenceStatus.PUBLISHED).limit(1))


def check_no_open_licence(session: Session, patents: Sequence[Patent], licence_type: LicenceType | None) -> None:
    """专利法第五十一条: while an open licence is declared, the patentee grants no exclusive or sole licence."""
    if licence_type not in BLOCKING_LICENCE_TYPES:
        return
    for patent in patents:
        if published_open_licence(session, patent):
            raise DomainError("许可类型", f"{patent.application_no} 处于开放许可期间，不能给予{LicenceType(licence_type).label}")
