"""Access rules of 企业服务：服务队走访、培训与活动、费用减缴.

Who is who here: the services are the bureau's own work, so only staff see and record them: city staff (admin,
bureau staff) everything; district staff the visits and fee reductions of their district's enterprises and the
trainings their district organised. The service teams are kept by city staff. An enterprise sees its own
services on its profile (policy/enterprises.py, ``view_private``), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF, STAFF


def _model(module: str, name: str) -> Callable[[], type]:
    """The model class, imported when the policy first needs it (the policy must not import every model)."""
    return lambda: getattr(import_module(module), name)


_enterprise = _model("ipbureau.enterprises.models", "Enterprise")
_visit = _model("ipbureau.enterprises.services.models", "ServiceVisit")
_training = _model("ipbureau.enterprises.services.models", "Training")
_fee = _model("ipbureau.enterprises.services.models", "FeeReduction")

# City staff everything; district staff their district's records.
SERVICE_STAFF = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}

RESOURCES: list[Resource] = [
    Resource("services.team", "服务队", {
        "view": Action(roles(*STAFF), "查看服务队"),
        "manage": Action(roles(*CITY_STAFF), "维护服务队", denied="服务队由市局工作人员维护"),
    }, model=_model("ipbureau.enterprises.services.models", "ServiceTeam")),

    # The enterprise a visit or fee reduction is recorded for (the record does not exist yet when it is checked).
    Resource("services.enterprise", "服务企业", {
        "record": Action(SERVICE_STAFF, "为企业登记服务记录", denied="区局工作人员只能登记本区企业的服务记录"),
    }, model=_enterprise, scopes={"district": _scopes.district(lambda: _enterprise().district_code)}),

    Resource("services.visit", "走访记录", {
        "view": Action(SERVICE_STAFF, "查看企业服务"),
        "record": Action(SERVICE_STAFF, "登记、修改和删除走访记录",
                         denied="区局工作人员只能登记本区企业的服务记录"),
    }, model=_visit, scopes={"district": _scopes.enterprise_in_district(lambda: _visit().enterprise_id)}),

    Resource("services.training", "培训", {
        "view": Action(SERVICE_STAFF, "查看培训与活动"),
        "record": Action(SERVICE_STAFF, "登记、修改和删除培训", denied="区局工作人员只能修改本区主办的培训"),
    }, model=_training, scopes={"district": _scopes.district(lambda: _training().district_code)}),

    Resource("services.fee", "减缴记录", {
        "view": Action(SERVICE_STAFF, "查看专利费用减缴"),
        "record": Action(SERVICE_STAFF, "登记、导入和删除专利费用减缴",
                         denied="区局工作人员只能登记本区企业的服务记录"),
    }, model=_fee, scopes={"district": _scopes.enterprise_in_district(lambda: _fee().enterprise_id)}),
]
