"""The kernel on its own: access policy, workflow helper, unit of work, bounded fields and forms."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from ipbureau.audit.models import AuditLog
from ipbureau.core import fields
from ipbureau.core.access import ALL, ANONYMOUS, Action, Policy, Resource, roles
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.forms import FormInvalid, form_model
from ipbureau.core.workflow import Workflow, step

# ---- a toy domain on its own in-memory database ------------------------------------------------------


class ToyBase(DeclarativeBase):
    pass


class Firm(ToyBase):
    __tablename__ = "firm"
    id: Mapped[int] = mapped_column(primary_key=True)
    district: Mapped[str] = mapped_column(String(8))


class Case(ToyBase):
    __tablename__ = "toy_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"))
    handler_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None]


@dataclass
class Person:
    id: int
    role: str
    district_code: str | None = None
    enterprise_id: int | None = None


def _in_district(user):
    return Case.firm_id.in_(select(Firm.id).where(Firm.district == user.district_code))


TOY = Policy([Resource("toy.case", "案件", model=lambda: Case, scopes={
    "district": _in_district,
    "own": lambda user: Case.firm_id == user.enterprise_id,
    "handler": lambda user: Case.handler_id == user.id,
}, actions={
    "view": Action({**roles("bureau_staff"), **roles("district_staff", scope="district"),
                    **roles("enterprise", scope="own"), **roles("mediator", scope="handler")}),
    "close": Action(roles("mediator", scope="handler"), "结案", denied="只有承办人可以结案"),
})])

BUREAU = Person(1, "bureau_staff")
DISTRICT_A = Person(2, "district_staff", district_code="A")
DISTRICT_B = Person(3, "district_staff", district_code="B")
FIRM_1 = Person(4, "enterprise", enterprise_id=1)
FIRM_2 = Person(5, "enterprise", enterprise_id=2)
HANDLER = Person(6, "mediator")
OTHER_MEDIATOR = Person(7, "mediator")
PUBLIC = Person(8, "public")


@pytest.fixture
def toy() -> Session:
    engine = create_engine("sqlite://")
    ToyBase.metadata.create_all(engine)
    from ipbureau.database.registry import metadata

    metadata.create_all(engine, tables=[metadata.tables["app_user"], metadata.tables["district"],
                                        metadata.tables["enterprise"], AuditLog.__table__])
    with Session(engine) as session:
        session.add_all([Firm(id=1, district="A"), Firm(id=2, district="B"),
                         Case(id=10, firm_id=1, handler_id=HANDLER.id), Case(id=20, firm_id=2)])
        session.commit()
        yield session


def test_a_record_is_found_only_inside_the_users_scope(toy):
    assert TOY.get(toy, BUREAU, "toy.case", 20).id == 20
    assert TOY.get(toy, DISTRICT_A, "toy.case", 10).id == 10
    assert TOY.get(toy, FIRM_1, "toy.case", 10).id == 10
    assert TOY.get(toy, HANDLER, "toy.case", 10).id == 10
    # hidden and missing read the same: NotFound, never a hint that the record exists
    hidden = [(DISTRICT_B, 10), (FIRM_2, 10), (OTHER_MEDIATOR, 10), (FIRM_1, 20)]
    for user, ident in hidden:
        with pytest.raises(NotFound) as exc:
            TOY.get(toy, user, "toy.case", ident)
        assert str(exc.value) == "案件不存在"
    with pytest.raises(NotFound, match="案件不存在"):
        TOY.get(toy, BUREAU, "toy.case", 999)


def test_a_role_without_the_action_is_forbidden_and_lists_are_scoped(toy):
    with pytest.raises(Forbidden):
        TOY.get(toy, PUBLIC, "toy.case", 10)
    with pytest.raises(Forbidden):
        TOY.scoped(select(Case), None, "toy.case")
    assert [c.id for c in toy.scalars(TOY.scoped(select(Case).order_by(Case.id), BUREAU, "toy.case"))] == [10, 20]
    assert [c.id for c in toy.scalars(TOY.scoped(select(Case), DISTRICT_B, "toy.case"))] == [20]
    assert [c.id for c in toy.scalars(TOY.scoped(select(Case), FIRM_1, "toy.case"))] == [10]
    assert [c.id for c in toy.scalars(TOY.scoped(select(Case), OTHER_MEDIATOR, "toy.case"))] == []
    assert TOY.allows(BUREAU, "toy.case", "view") and not TOY.allows(None, "toy.case", "view")
    assert ANONYMOUS not in TOY.roles_for("toy.case", "view")


def test_authorize_tells_hidden_from_not_yours(toy):
    case = toy.get(Case, 10)
    TOY.authorize(toy, HANDLER, "toy.case", "close", case)
    with pytest.raises(NotFound):  # cannot even see it
        TOY.authorize(toy, OTHER_MEDIATOR, "toy.case", "close", case)
    with pytest.raises(Forbidden, match="只有承办人可以结案"):  # role without the action: the action's message
        TOY.authorize(toy, BUREAU, "toy.case", "close", case)
    assert TOY.can(toy, HANDLER, "toy.case", "close", case)
    assert not TOY.can(toy, FIRM_1, "toy.case", "close", case)


def test_a_policy_refuses_an_undeclared_scope_and_a_duplicate():
    with pytest.raises(ValueError, match="undeclared scope"):
        Policy([Resource("x", "X", {"view": Action({"admin": "mine"})})])
    with pytest.raises(ValueError, match="declared twice"):
        Policy([Resource("x", "X", {"view": Action({"admin": ALL})}), Resource("x", "X", {})])


# ---- workflow -----------------------------------------------------------------------------------------

FLOW = Workflow("toy.case", "toy_case", "案件", [
    step("close", ["open"], "closed", "结案"),
    step("view", ["open", "closed"], None, "查看"),
], audited=("note",))


def test_a_workflow_step_checks_who_and_state_moves_and_audits(toy):
    case = toy.get(Case, 10)
    assert [t.action for t in FLOW.available(toy, HANDLER, case, TOY)] == ["close", "view"]
    assert [t.action for t in FLOW.available(toy, FIRM_1, case, TOY)] == ["view"]
    with FLOW.step(toy, case, "close", actor=HANDLER, policy=TOY, summary="结案：调解成功"):
        case.note = "调解成功"
    assert case.status == "closed"
    entry = toy.scalars(select(AuditLog)).one()
    assert (entry.action, entry.entity_id, entry.summary) == ("toy_case.close", "10", "结案：调解成功")
    assert entry.changes == {"note": [None, "调解成功"], "status": ["open", "closed"]}
    with pytest.raises(TransitionError, match="状态：已结的案件不能结案|状态：closed的案件不能结案") as exc:
        with FLOW.step(toy, case, "close", actor=HANDLER, policy=TOY):
            pass
    assert exc.value.status == 409
    with pytest.raises(NotFound):
        with FLOW.step(toy, toy.get(Case, 10), "close", actor=OTHER_MEDIATOR, policy=TOY):
            pass
    with pytest.raises(TransitionError, match="未知的操作"):
        FLOW.transition("reopen")


# ---- unit of work ---------------------------------------------------------------------------------------

def _uow_app() -> FastAPI:
    from ipbureau.core.uow import Router, get_db

    app = FastAPI()
    router = Router()

    def _note(db: Session, text: str) -> None:
        from ipbureau.audit import service as audit

        audit.record(db, actor=None, action="uow.test", entity_type="uow", entity_id=None, summary=text)

    @router.get("/write-on-get")
    def write_on_get(db: Session = Depends(get_db)):
        _note(db, "get")
        db.flush()
        return {}

    @router.post("/ok")
    def ok(db: Session = Depends(get_db)):
        _note(db, "ok")
        return {}

    @router.post("/form-error")
    def form_error(db: Session = Depends(get_db)):
        from fastapi.responses import JSONResponse

        _note(db, "form-error")
        db.flush()
        return JSONResponse({"detail": "名称：必须填写"}, status_code=422)

    @router.post("/domain-error")
    def domain_error(db: Session = Depends(get_db)):
        _note(db, "domain-error")
        db.flush()
        raise DomainError("名称", "必须填写")

    app.include_router(router)

    @app.exception_handler(DomainError)
    async def mapped(_request, exc: DomainError):
        from fastapi.responses import JSONResponse

        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    return app


def test_one_unit_of_work_per_request(db):
    client = TestClient(_uow_app(), raise_server_exceptions=False)
    assert client.get("/write-on-get").status_code == 500  # a GET that writes fails loudly, at once
    assert client.post("/ok").status_code == 200
    assert client.post("/form-error").status_code == 422
    response = client.post("/domain-error")
    assert (response.status_code, response.json()["detail"]) == (422, "名称：必须填写")
    db.expire_all()
    kept = db.scalars(select(AuditLog.summary).where(AuditLog.action == "uow.test")).all()
    assert kept == ["ok"]  # only the successful unsafe request was committed


# ---- fields and forms ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "raw", "message"), [
    (fields.Id, "99999999999999999999", "不能大于 9223372036854775807"),
    (fields.Id, "0", "不能小于 1"),
    (fields.Year, "-1", "不能小于 1985"),
    (fields.Year, "²", "应为整数"),
    (fields.Year, "١٢", "应为整数"),
    (fields.Score, "1e309", "应为有限的数值"),
    (fields.Score, "nan", "应为有限的数值"),
    (fields.Money, "-5", "不能小于 0"),
    (fields.Money, "1e12", "不能大于 999999999999.99"),
    (fields.Day, "2023-13-01", "应为日期（如 2023-05-01）"),
    (fields.Day, "1800-01-01", "日期应在 1900-01-01 至 2100-12-31 之间"),
    (fields.Offset, "10000000", "不能大于 1000000"),
])
def test_bounded_fields_refuse_in_chinese(kind, raw, message):
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(kind).validate_python(raw)
    assert fields.problems_of(exc.value.errors())[0]["message"] == message


def test_bounded_fields_accept_ordinary_values():
    assert TypeAdapter(fields.Year).validate_python("2023") == 2023
    assert TypeAdapter(fields.Money).validate_python("1234.50") == Decimal("1234.50")
    assert TypeAdapter(fields.Score).validate_python("85.5") == 85.5


class ListingForm(BaseModel):
    title: fields.ShortText
    price: fields.Money | None = None
    year: fields.Year
    tags: list[str] = []


def test_a_form_parses_into_the_api_schema_with_chinese_field_names():
    fields.register_labels({"title": "名称", "price": "挂牌价格"}, __name__)
    parsed = form_model(ListingForm, {"title": " 专利 ", "price": "", "year": "2023", "csrf_token": "x"})
    assert (parsed.title, parsed.price, parsed.year) == ("专利", None, 2023)
    with pytest.raises(FormInvalid) as exc:
        form_model(ListingForm, {"title": "", "price": "-3", "year": "²"})
    assert exc.value.status == 422
    assert str(exc.value) == "名称：必须填写；挂牌价格：不能小于 0；年份：应为整数"
