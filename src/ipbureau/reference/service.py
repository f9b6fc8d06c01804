"""Load and read reference data: districts and the IPC scheme. Loading is idempotent."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ipbureau.core.errors import AppError, InvalidInput, NotFound
from ipbureau.policy import policy
from ipbureau.reference.address import district_names
from ipbureau.reference.ipc import (
    IpcFormatError,
    build_scheme,
    ipc_prefixes,
    normalise_ipc,
)
from ipbureau.reference.models import District, IpcCode

CITY_CODE = "12"
MAX_IPC_CHILDREN = 500


@lru_cache
def census_population() -> dict[str, int]:
    """Resident population at the 2020 census (7th national census), by district code and
    "12" for the whole city; only the figures with a source (see data/SOURCES.md) are present."""
    with resources.files("ipbureau.reference").joinpath("data/tianjin_population_2020.csv").open(encoding="utf-8") as f:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(f) if row["population"].strip()}


def load_districts(session: Session) -> int:
    """Insert Tianjin's 16 districts that are missing and fill an empty population from the
    2020 census; existing rows and populations entered by staff stay."""
    existing = {d.code: d for d in session.scalars(select(District))}
    census = census_population()
    added = 0
    for code, name in district_names().items():
        district = existing.get(code)
        if district is None:
            session.add(District(code=code, name=name, population=census.get(code)))
            added += 1
        elif district.population is None and code in census:
            district.population = census[code]
    session.flush()
    return added


def city_population(session: Session) -> int | None:
    """The city's population: the sum of the districts' when all 16 have one (staff may have
    entered newer figures), else the 2020 census total."""
    populations = list(session.scalars(select(District.population)))
    if len(populations) == 16 and all(p is not None for p in populations):
        return sum(populations)  # type: ignore[arg-type]
    return census_population().get(CITY_CODE)


def load_ipc(session: Session, *, force: bool = False) -> int:
    """Replace the IPC table from the packaged scheme (skipped when already loaded)."""
    if not force and session.scalar(select(func.count()).select_from(IpcCode)):
        return 0
    session.execute(delete(IpcCode))
    entries = build_scheme()
    rows = [e.__dict__ for e in entries]
    for start in range(0, len(rows), 5000):
        session.execute(insert(IpcCode), rows[start : start + 5000])
    session.flush()
    return len(rows)


def list_districts(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.code)))


def district_map(session: Session) -> dict[str, str]:
    return {d.code: d.name for d in list_districts(session)}


def ipc_titles(session: Session, codes: list[str]) -> dict[str, IpcCode]:
    if not codes:
        return {}
    return {c.code: c for c in session.scalars(select(IpcCode).where(IpcCode.code.in_(set(codes))))}


def ipc_path(session: Session, code: str) -> list[IpcCode]:
    """The code and its ancestors (section first), for showing a code with its titles."""
    found = ipc_titles(session, ipc_prefixes(code))
    return [found[c] for c in ipc_prefixes(code) if c in found]


def districts(session: Session, user: Any) -> list[District]:
    """The districts, for a user who may read the reference data."""
    policy.authorize(session, user, "reference", "view")
    return list_districts(session)


class IpcCodeNotFound(NotFound):
    def __init__(self, code: str) -> None:
        AppError.__init__(self, "", f"IPC 分类表中没有 {code}")


@dataclass(frozen=True)
class IpcEntry:
    path: list[IpcCode]  # section first, the code last; empty for the scheme's top
    children: list[IpcCode]


def ipc_entry(session: Session, user: Any, raw: str | None = None) -> IpcEntry:
    """An IPC code (as typed: "h04n 5/225" is H04N5/225) with its ancestors and children; without a code, the
    eight sections."""
    policy.authorize(session, user, "reference", "view")
    if raw is None:
        return IpcEntry([], list(session.scalars(select(IpcCode).where(IpcCode.level == "section")
                                                 .order_by(IpcCode.code))))
    try:
        code = normalise_ipc(raw)
    except IpcFormatError:
        raise InvalidInput("IPC 分类号", f"“{raw}”格式不正确（应如 H04N、H04N5/00 或 H04N5/225）") from None
    path = ipc_path(session, code)
    if not path or path[-1].code != code:
        raise IpcCodeNotFound(code)
    children = session.scalars(select(IpcCode).where(IpcCode.parent_code == code).order_by(IpcCode.code)
                               .limit(MAX_IPC_CHILDREN))
    return IpcEntry(path, list(children))
