"""District attribution of patents and enterprises (issue 13.2): which rule decides, the hand assignments of staff
and the list of records no rule could attribute.

Order, first that applies: a district staff assigned by hand (``manual``, kept across re-imports), the import file's
own 所属区 column (``import:column``), the address (``address:…``, see ``reference.address``), and for an enterprise
the registration authority in its unified social credit code (``credit_code``, characters 3–8). When the address and
the credit code name different districts the address wins (an enterprise may move after registering) and the import
says so. A record none of these attributes keeps no district: it is counted in the import report and listed on the
staff page (/districts/unattributed), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import InvalidInput, NotFound
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.models import Patent
from ipbureau.policy import policy
from ipbureau.reference.address import (
    RULE_CREDIT_CODE,
    RULE_IMPORT_COLUMN,
    RULE_MANUAL,
    TIANJIN_CITY,
    TIANJIN_PROVINCE,
    district_from_credit_code,
    district_names,
    resolve_address,
)
from ipbureau.reference.models import DistrictAssignment

RESOURCE = "district_attribution"
Kind = Literal["patent", "enterprise"]
KIND_LABELS = {"patent": "专利", "enterprise": "企业"}

# How a stored rule reads on a record's page (the part after the prefix names what matched).
RULE_LABELS = {
    "address:district": "地址中的区县名", "address:zone": "地址中的园区", "address:street": "地址中的街道乡镇",
    RULE_CREDIT_CODE: "统一社会信用代码的登记机关", RULE_IMPORT_COLUMN: "导入文件的所属区列", RULE_MANUAL: "人工指定",
}


def rule_label(rule: str | None) -> str:
    """``address:zone:华苑产业区`` -> ``地址中的园区（华苑产业区）``; no rule -> ``未能确定``."""
    if not rule:
        return "未能确定"
    parts = rule.split(":")
    kind = ":".join(parts[:2]) if parts[0] == "address" else rule
    what = parts[2] if parts[0] == "address" and len(parts) > 2 else ""
    label = RULE_LABELS.get(kind, rule)
    return f"{label}（{what}）" if what else label


@dataclass(frozen=True)
class Attribution:
    postcode: str | None
    province_code: str | None
    city_code: str | None
    district_code: str | None
    district_rule: str | None
    # A note for the import report (address and credit code disagree), or None.
    warning: str | None = None

    @property
    def unattributed_in_tianjin(self) -> bool:
        return self.district_code is None and self.province_code == TIANJIN_PROVINCE


def attribute(address: str | None, *, column_district: str | None = None, credit_code: str | None = None,
              manual: str | None = None) -> Attribution:
    """The district of a record from what the import row carries (see the module docstring for the order)."""
    resolved = resolve_address(address)
    by_code = district_from_credit_code(credit_code)
    chosen: tuple[str, str] | None = None
    if manual:
        chosen = (manual, RULE_MANUAL)
    elif column_district:
        chosen = (column_district, RULE_IMPORT_COLUMN)
    elif resolved.district_code:
        chosen = (resolved.district_code, resolved.district_rule or "address")
    elif by_code and resolved.province_code in (None, TIANJIN_PROVINCE):
        chosen = (by_code, RULE_CREDIT_CODE)
    warning = None
    if resolved.district_code and by_code and by_code != resolved.district_code:
        names = district_names()
        warning = (f"地址归属{names[resolved.district_code]}，统一社会信用代码的登记机关在{names[by_code]}"
                   f"（按地址计入{names[resolved.district_code]}）")
    if chosen is None:
        return Attribution(resolved.postcode, resolved.province_code, resolved.city_code, None, None, warning)
    return Attribution(resolved.postcode, TIANJIN_PROVINCE, TIANJIN_CITY, chosen[0], chosen[1], warning)


UNATTRIBUTED_WARNING = "无法确定所属区（地址中没有区县、园区或街道乡镇名），请在“待归属记录”页面人工指定"


def manual_districts(session: Session, kind: Kind) -> dict[str, str]:
    """Record key (application number, credit code) -> the district staff assigned, for an import to keep."""
    rows = session.execute(select(DistrictAssignment.record_key, DistrictAssignment.district_code)
                           .where(DistrictAssignment.kind == kind))
    return dict(rows.all())


@dataclass(frozen=True)
class UnattributedRecord:
    kind: Kind
    id: int
    key: str
    name: str
    address: str | None


@dataclass(frozen=True)
class UnattributedPage:
    counts: dict[str, int]
    records: list[UnattributedRecord]


def _unattributed_query(kind: Kind):
    if kind == "patent":
        # Only Tianjin applicants have a district; another province's patent is not "unattributed".
        return (select(Patent.id, Patent.application_no, Patent.title, Patent.applicant_address)
                .where(Patent.district_code.is_(None), Patent.province_code == TIANJIN_PROVINCE)
                .order_by(Patent.id))
    return (select(Enterprise.id, Enterprise.credit_code, Enterprise.name, Enterprise.address)
            .where(Enterprise.district_code.is_(None)).order_by(Enterprise.id))


def unattributed(session: Session, user: Any, kind: Kind, *, offset: int = 0, limit: int = 50) -> UnattributedPage:
    """The records no rule could attribute, with the count of each kind."""
    policy.authorize(session, user, RESOURCE, "view")
    counts = {k: session.scalar(select(func.count()).select_from(_unattributed_query(k).subquery())) or 0
              for k in ("patent", "enterprise")}
    rows = session.execute(_unattributed_query(kind).offset(offset).limit(limit)).all()
    return UnattributedPage(counts, [UnattributedRecord(kind, *row) for row in rows])


def assign_district(session: Session, user: Any, kind: Kind, record_id: int, district_code: str, *,
                    ip_address: str | None = None) -> Patent | Enterprise:
    """Assign a district by hand (rule ``manual``), kept by later imports of the same record; audited."""
    policy.authorize(session, user, RESOURCE, "assign")
    names = district_names()
    if district_code not in names:
        raise InvalidInput("district_code", f"“{district_code}”不是天津市的区（应为 120101–120119 中的区划代码）")
    model = Patent if kind == "patent" else Enterprise
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(KIND_LABELS[kind])
    key = record.application_no if kind == "patent" else record.credit_code
    before = {"district_code": record.district_code, "district_rule": record.district_rule}
    assignment = session.scalar(select(DistrictAssignment).where(DistrictAssignment.kind == kind,
                                                                 DistrictAssignment.record_key == key))
    if assignment is None:
        assignment = DistrictAssignment(kind=kind, record_key=key)
        session.add(assignment)
    assignment.district_code = district_code
    assignment.assigned_by = getattr(user, "username", None)
    record.district_code = district_code
    record.district_rule = RULE_MANUAL
    if kind == "patent":
        record.province_code, record.city_code = TIANJIN_PROVINCE, TIANJIN_CITY
    after = {"district_code": district_code, "district_rule": RULE_MANUAL}
    audit.record(session, actor=user, action="district.assign", entity_type=kind, entity_id=record.id,
                 summary=f"人工指定{KIND_LABELS[kind]} {key} 的所属区为{names[district_code]}",
                 changes=audit.diff(before, after), ip_address=ip_address)
    session.flush()
    return record
