"""Load and read reference data: districts and the IPC scheme. Loading is idempotent."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ipbureau.reference.address import district_names
from ipbureau.reference.ipc import build_scheme, ipc_prefixes
from ipbureau.reference.models import District, IpcCode


def load_districts(session: Session) -> int:
    """Insert Tianjin's 16 districts that are missing; existing rows (and populations) stay."""
    present = set(session.scalars(select(District.code)))
    added = 0
    for code, name in district_names().items():
        if code not in present:
            session.add(District(code=code, name=name))
            added += 1
    session.flush()
    return added


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
