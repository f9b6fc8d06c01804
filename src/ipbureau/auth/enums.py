from __future__ import annotations

from ipbureau.enums import LabelledEnum


class Role(LabelledEnum):
    """Who a user is to the bureau; every page and endpoint states which roles it serves."""

    ADMIN = "admin"  # 局系统管理员: users, reference data, everything
    BUREAU_STAFF = "bureau_staff"  # 市局工作人员: all business data of the city
    DISTRICT_STAFF = "district_staff"  # 区局工作人员: the business data of their district
    EXAMINER = "examiner"  # 保护中心预审审查员
    MEDIATOR = "mediator"  # 纠纷调解员 / 行政裁决承办人
    ENFORCEMENT = "enforcement"  # 行政执法人员 (市场监管综合执法)
    ENTERPRISE = "enterprise"  # 企业、高校、科研院所 (the holder of an enterprise profile)
    AGENCY = "agency"  # 知识产权服务机构
    PUBLIC = "public"  # 社会公众 (registered)

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "admin": "系统管理员",
            "bureau_staff": "市局工作人员",
            "district_staff": "区局工作人员",
            "examiner": "保护中心审查员",
            "mediator": "调解员/裁决承办人",
            "enforcement": "执法人员",
            "enterprise": "企业/高校用户",
            "agency": "服务机构",
            "public": "社会公众",
        }


STAFF_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF})
