"""Access rules of 交易运营：挂牌、开放许可、交易、许可与质押登记、技术需求、匹配与推送、交易统计，and 站内通知.

Who is who here: 企业 act for their own enterprise (list and declare their patents, trade, register pledges, post
demands); 市局 (admin, bureau staff) review listings and may act on any enterprise's behalf; 区局 read what concerns
their district's enterprises and push matches to them. Everyone signed in reads the public board: published
listings and open-licence declarations. Deals, licences and pledges are private to the parties (and staff): a
record one may not see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from sqlalchemy import Select, select

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF

PUBLISHED = "published"  # ListingStatus.PUBLISHED (the policy imports no model or enum module eagerly)
SUBMITTED = "submitted"


def _market() -> ModuleType:
    # Lazily: the policy table is imported before (and by) the services that use these models.
    return import_module("ipbureau.market.models")


def _enterprise() -> type:
    return import_module("ipbureau.enterprises.models").Enterprise


def _notice() -> type:
    return import_module("ipbureau.notices.models").Notice


def _district() -> type:
    return import_module("ipbureau.reference.models").District


# Roles with no business of their own here: they read the public board only.
READERS = tuple(role for role in EVERY_ROLE if role not in (*STAFF, Role.ENTERPRISE))
# The holder's side of a record: the enterprise's own users, and city staff acting on its behalf.
HOLDER_SIDE = {**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}
# Traders: enterprises (for themselves) and city staff (on an enterprise's behalf).
TRADERS = roles(*CITY_STAFF, Role.ENTERPRISE)
PUSHERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}

# ---- listings -----------------------------------------------------------------------------------------

_LISTING_PUBLISHED = _scopes.member_of(lambda: _market().Listing.status, lambda _user: [PUBLISHED])
_LISTING_OWN = _scopes.own_enterprise(lambda: _market().Listing.holder_enterprise_id)
_LISTING_DISTRICT = _scopes.enterprise_in_district(lambda: _market().Listing.holder_enterprise_id)


def _unpublished_in_district(user: Any) -> Select:
    listing = _market().Listing
    return select(listing.id).where(listing.status != PUBLISHED, _LISTING_DISTRICT(user))


LISTING_SCOPES = {
    "own": _LISTING_OWN,
    "published": _LISTING_PUBLISHED,
    "published_or_own": _scopes.any_of(_LISTING_PUBLISHED, _LISTING_OWN),
    "published_or_district": _scopes.any_of(_LISTING_PUBLISHED, _LISTING_DISTRICT),
    "awaiting_review": _scopes.member_of(lambda: _market().Listing.status, lambda _user: [SUBMITTED]),
    "district_unpublished": _scopes.member_of(lambda: _market().Listing.id, _unpublished_in_district),
}
LISTING_READERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="published_or_district"),
                   **roles(Role.ENTERPRISE, scope="published_or_own"), **roles(*READERS, scope="published")}
# The heading of each kind of work list (the page names it after the scope the user's role has).
WORKLIST_HEADINGS = {"own": "本企业的挂牌", "awaiting_review": "待审核挂牌", "district_unpublished": "本区未发布挂牌"}

# ---- deals, licences, pledges, demands: private to their parties --------------------------------------------


def _either_in_district(*enterprise_id_fns: Callable[[], Any]) -> _scopes.Clause:
    return _scopes.any_of(*(_scopes.enterprise_in_district(fn) for fn in enterprise_id_fns))


DEAL_SCOPES = {
    "parties": _scopes.own_enterprise(lambda: _market().Deal.holder_enterprise_id,
                                      lambda: _market().Deal.counterparty_enterprise_id),
    "district": _either_in_district(lambda: _market().Deal.holder_enterprise_id,
                                    lambda: _market().Deal.counterparty_enterprise_id),
}
# The two parties, city staff, and district staff of either party's district; anyone else sees none (404).
DEAL_READERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
                **roles(Role.ENTERPRISE, *READERS, scope="parties")}

RESOURCES: list[Resource] = [
    # A notice is read by its addressee: the user it names, or any user of the enterprise it names.
    Resource("notice", "通知", {
        "view": Action(roles(*EVERY_ROLE, scope="addressee"), "查看本人通知"),
        "read": Action(roles(*EVERY_ROLE, scope="addressee"), "标记通知已读"),
    }, model=_notice, scopes={"addressee": _scopes.any_of(_scopes.own_user(lambda: _notice().user_id),
                                                          _scopes.own_enterprise(lambda: _notice().enterprise_id))}),

    # The enterprise a holder-side action (listing, declaring, pledging, posting a demand, accepting) is done for.
    Resource("market.trader", "交易主体", {
        "act": Action(HOLDER_SIDE, "为企业办理交易业务", denied="企业用户只能为本企业办理"),
        "proxy": Action(roles(*CITY_STAFF), "代企业办理交易业务", denied="只有市局工作人员可以代企业办理"),
    }, model=_enterprise, scopes={"own": _scopes.own_enterprise(lambda: _enterprise().id)}),

    Resource("market.listing", "挂牌", {
        "view": Action(LISTING_READERS, "查看挂牌"),
        "worklist": Action({**roles(*CITY_STAFF, scope="awaiting_review"),
                            **roles(Role.DISTRICT_STAFF, scope="district_unpublished"),
                            **roles(Role.ENTERPRISE, scope="own")}, "查看待办挂牌"),
        "create": Action(HOLDER_SIDE, "新建挂牌", denied="只有企业用户和市局工作人员可以办理"),
        "edit": Action(HOLDER_SIDE, "修改挂牌", denied="您不能为其他企业办理"),
        "submit": Action(HOLDER_SIDE, "提交审核", denied="您不能为其他企业办理"),
        "withdraw": Action(HOLDER_SIDE, "下架挂牌", denied="您不能为其他企业办理"),
        "close": Action(HOLDER_SIDE, "标记为已成交", denied="您不能为其他企业办理"),
        "approve": Action(roles(*CITY_STAFF), "审核通过并发布", denied="只有市局工作人员可以审核挂牌"),
        "reject": Action(roles(*CITY_STAFF), "驳回挂牌", denied="只有市局工作人员可以审核挂牌"),
        # An intention on a listing: another enterprise for itself, the holder's side naming the counterparty.
        "trade": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="published_or_own")}, "发起交易意向",
                        denied="只有企业用户和市局工作人员可以发起交易"),
    }, model=lambda: _market().Listing, scopes=LISTING_SCOPES),

    Resource("market.open_licence", "开放许可声明", {
        "view": Action(roles(*EVERY_ROLE), "查看开放许可声明"),
        "declare": Action(HOLDER_SIDE, "声明开放许可", denied="只有企业用户和市局工作人员可以办理"),
        "withdraw": Action(HOLDER_SIDE, "撤回开放许可声明", denied="您不能为其他企业办理"),
        "accept": Action(TRADERS, "接受开放许可", denied="只有企业用户和市局工作人员可以接受开放许可"),
        "trade": Action(TRADERS, "发起交易意向", denied="只有企业用户和市局工作人员可以发起交易"),
    }, model=lambda: _market().OpenLicence, scopes={
        "own": _scopes.own_enterprise(lambda: _market().OpenLicence.holder_enterprise_id)}),

    Resource("market.deal", "交易", {
        "view": Action(DEAL_READERS, "查看交易"),
        # Field level: the contract amount is shown to whoever may see the deal (the parties and staff).
        "amount": Action(DEAL_READERS, "查看成交金额"),
        "open": Action(TRADERS, "发起交易", denied="只有企业用户和市局工作人员可以发起交易"),
        "handle": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="parties")}, "办理交易",
                         denied="只有交易双方和市局工作人员可以办理该交易"),
    }, model=lambda: _market().Deal, scopes=DEAL_SCOPES),

    Resource("market.licence", "许可", {
        "view": Action({**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, Role.ENTERPRISE, *READERS, scope="parties")},
                       "查看许可记录"),
        # Filed when a licence deal completes or an open licence is accepted (who is checked on those records).
        "file": Action(TRADERS, "登记许可", denied="只有企业用户和市局工作人员可以办理"),
    }, model=lambda: _market().Licence, scopes={
        "parties": _scopes.own_enterprise(lambda: _market().Licence.licensor_enterprise_id,
                                          lambda: _market().Licence.licensee_enterprise_id)}),

    Resource("market.pledge", "质押登记", {
        "view": Action({**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, Role.ENTERPRISE, *READERS, scope="own")},
                       "查看质押登记"),
        "register": Action(HOLDER_SIDE, "办理质押登记", denied="只有企业用户和市局工作人员可以办理"),
    }, model=lambda: _market().Pledge, scopes={
        "own": _scopes.own_enterprise(lambda: _market().Pledge.holder_enterprise_id)}),

    Resource("market.demand", "技术需求", {
        "view": Action({**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
                        **roles(Role.ENTERPRISE, *READERS, scope="own")}, "查看技术需求"),
        "post": Action(HOLDER_SIDE, "发布技术需求", denied="只有企业用户和市局工作人员可以办理"),
        "edit": Action(HOLDER_SIDE, "修改技术需求", denied="只能修改本企业的技术需求"),
        "close": Action(HOLDER_SIDE, "关闭技术需求", denied="只能关闭本企业的技术需求"),
        "push": Action(PUSHERS, "推送匹配结果", denied="只有工作人员可以推送匹配结果（区局限本区企业）"),
    }, model=lambda: _market().Demand, scopes={
        "own": _scopes.own_enterprise(lambda: _market().Demand.enterprise_id),
        "district": _scopes.enterprise_in_district(lambda: _market().Demand.enterprise_id)}),

    # A patent on offer recommended to enterprises: the rows are the enterprises it may be pushed to.
    Resource("market.recommendation", "专利推荐", {
        "view": Action(roles(*STAFF), "查看专利的匹配企业"),
        "push": Action(PUSHERS, "向企业推送专利", denied="只有工作人员可以推送匹配结果（区局限本区企业）"),
    }, model=_enterprise, scopes={"district": _scopes.district(lambda: _enterprise().district_code)}),

    # District staff read their own district's figures (the rows are the districts whose figures one reads).
    Resource("market.stats", "交易统计", {
        "view": Action({**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}, "查看交易统计"),
    }, model=_district, scopes={"district": _scopes.district(lambda: _district().code)}),
]
