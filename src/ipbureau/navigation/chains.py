"""Tianjin's 12 key industry chains: ``data/industry_chains.yaml``, overridden by staff edits.

The YAML is the product's own working definition (see its header) and the shipped default.
Staff may edit a chain (name, segments, IPC prefixes, keywords: ``navigation.service``); the
edit is stored in the table ``navigation_chain`` and replaces that chain's YAML entry.

``load_chains(session)`` reads on the caller's session (inside a request: the request's own connection; a
second connection per request exhausted the pool under load). Edits reach every reader like this: each call
reads a cheap stamp of the table (``COUNT``, ``SUM(revision)``, ``MAX(updated_at)`` over at most 12 rows) and
re-reads the rows only when the stamp differs from the cached one, so every process (web workers, CLI) sees a
committed edit in its next transaction, with no invalidation message between processes (within a transaction
the chains are read once: a request sees one version of them, as it sees one data stamp of the patents). The edit itself keeps this
process's cache coherent (``edited``): until its transaction ends, its own session reads the uncommitted rows
without touching the shared cache (no other session may see them, and a rollback must leave nothing behind),
and its commit empties the cache. Without a database (no file yet, table not migrated) the YAML is used.
``load_chains()`` without a session (CLI, jobs, other areas still being moved) opens a connection of its own.

Chain membership per patent is stored in the statistics' analytic copy (``stats.analytic``: one bit per chain,
``chain_bit``), recomputed there when a definition changes; the row-level SQL (the definition the copy is
tested against) builds its conditions from the prefixes on each call. The search index stores each patent's IPC
ancestors (section, class, subclass, main group, code), with the chain filter expanded into those prefixes at
query time, so an edit needs no reindex.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, event, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from ipbureau.database.core import get_engine
from ipbureau.navigation.models import ChainOverride


@dataclass(frozen=True)
class Segment:
    """A sub-segment of a chain (细分环节)."""

    name: str
    ipc_prefixes: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class IndustryChain:
    code: str
    name: str
    ipc_prefixes: tuple[str, ...]
    keywords: tuple[str, ...]
    segments: tuple[Segment, ...]

    def all_ipc_prefixes(self) -> tuple[str, ...]:
        """The chain's own prefixes and its segments', without repeats, chain first."""
        seen = dict.fromkeys(self.ipc_prefixes)
        for segment in self.segments:
            seen.update(dict.fromkeys(segment.ipc_prefixes))
        return tuple(seen)


def prefix_matches(prefix: str, code: str) -> bool:
    """Whether an IPC code falls under a prefix: a subclass (``G06F``) or a main group (``G06F21/00``)."""
    if "/" not in prefix:
        return code.startswith(prefix)
    if prefix.endswith("/00"):
        return code.split("/")[0] == prefix.split("/")[0]
    return code == prefix


def prefixes_matcher(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """``lambda code: any(prefix_matches(p, code) for p in prefixes)``, prepared once for matching many codes
    (the analytic copy matches every distinct IPC code against every chain)."""
    prefixes = list(prefixes)
    starts = tuple(p for p in prefixes if "/" not in p)
    groups = frozenset(p.split("/")[0] for p in prefixes if "/" in p and p.endswith("/00"))
    exact = frozenset(p for p in prefixes if "/" in p and not p.endswith("/00"))

    def matches(code: str) -> bool:
        return code.startswith(starts) or code in exact or (bool(groups) and code.split("/")[0] in groups)

    return matches


def _tuple(values: object) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in (values or []))  # type: ignore[union-attr]


def chain_from_mapping(code: str, item: dict) -> IndustryChain:
    """A chain from its YAML/JSON form: name, ipc, keywords, segments [{name, ipc, keywords}]."""
    segments = tuple(
        Segment(name=str(s["name"]).strip(), ipc_prefixes=_tuple(s.get("ipc")), keywords=_tuple(s.get("keywords")))
        for s in item.get("segments") or []
    )
    return IndustryChain(code=code, name=str(item["name"]).strip(), ipc_prefixes=_tuple(item.get("ipc")),
                         keywords=_tuple(item.get("keywords")), segments=segments)


def chain_to_mapping(chain: IndustryChain) -> dict:
    return {"name": chain.name, "ipc": list(chain.ipc_prefixes), "keywords": list(chain.keywords),
            "segments": [{"name": s.name, "ipc": list(s.ipc_prefixes), "keywords": list(s.keywords)}
                         for s in chain.segments]}


@lru_cache
def default_chains() -> tuple[IndustryChain, ...]:
    """The shipped definitions (the YAML), without staff edits."""
    with resources.files("ipbureau.navigation").joinpath("data/industry_chains.yaml").open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return tuple(chain_from_mapping(item["code"], item) for item in raw["chains"])


@lru_cache
def _chain_bits() -> dict[str, int]:
    return {chain.code: 1 << i for i, chain in enumerate(default_chains())}


def chain_bit(code: str) -> int:
    """The chain's bit in a membership mask: its position in the shipped YAML, which staff edits never change
    (an edit replaces a chain of the same code; chains are neither added nor removed)."""
    return _chain_bits()[code]


# database URL -> (stamp of the navigation_chain table, chains with the edits applied)
_cache: dict[str, tuple[tuple, tuple[IndustryChain, ...]]] = {}
_cache_lock = threading.Lock()
# session.info key: the session's transaction holds a chain edit that is not committed yet
_EDIT_PENDING = "navigation.chain_edit_pending"
# session.info key: the chains this transaction has read (one read of the stamp per transaction, not per call:
# the dashboard asks a dozen times per request); forgotten after a flush and when the transaction ends.
_READ_IN_TRANSACTION = "navigation.chains_read"
_TABLE = ChainOverride.__table__


def edited(session: Session) -> None:
    """Called by a chain edit once it is flushed: see the module docstring."""
    session.info[_EDIT_PENDING] = True
    session.info.pop(_READ_IN_TRANSACTION, None)


@event.listens_for(Session, "after_flush")
def _forget_read_after_flush(session: Session, _context: Any) -> None:
    session.info.pop(_READ_IN_TRANSACTION, None)


@event.listens_for(Session, "after_commit")
def _publish_committed_edit(session: Session) -> None:
    if session.info.get(_EDIT_PENDING):
        with _cache_lock:
            _cache.clear()


@event.listens_for(Session, "after_transaction_end")
def _end_of_edit(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction ended (committed or rolled back)
        session.info.pop(_EDIT_PENDING, None)
        session.info.pop(_READ_IN_TRANSACTION, None)


def _database_missing(url: URL) -> bool:
    """A SQLite file that does not exist yet: reading must not create an empty database file."""
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
        and not Path(url.database).exists()


def _with_edits(defaults: tuple[IndustryChain, ...], rows: Iterable[Any]) -> tuple[IndustryChain, ...]:
    edits = {code: chain_from_mapping(code, {"name": name, "ipc": ipc, "keywords": keywords, "segments": segments})
             for code, name, ipc, keywords, segments in rows}
    return tuple(edits.get(c.code, c) for c in defaults)


def _override_rows(connection: Connection) -> list[Any]:
    t = _TABLE.c
    return list(connection.execute(select(t.code, t.name, t.ipc_prefixes, t.keywords, t.segments)))


def _read(connection: Connection, key: str, defaults: tuple[IndustryChain, ...]) -> tuple[IndustryChain, ...]:
    """The chains through the shared cache: the stamp decides whether the cached ones still hold."""
    t = _TABLE.c
    stamp = tuple(connection.execute(select(func.count(t.id), func.coalesce(func.sum(t.revision), 0),
                                            func.max(t.updated_at))).one())
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    chains = _with_edits(defaults, _override_rows(connection))
    with _cache_lock:
        _cache[key] = (stamp, chains)
    return chains


def load_chains(session: Session | None = None) -> tuple[IndustryChain, ...]:
    """The chains in YAML order, each replaced by its staff edit when there is one. Pass the caller's session
    wherever there is one (every request has one)."""
    defaults = default_chains()
    engine = session.get_bind().engine if session is not None else get_engine()
    if _database_missing(engine.url):
        return defaults
    try:
        if session is None:
            with engine.connect() as connection:
                return _read(connection, str(engine.url), defaults)
        if session.info.get(_EDIT_PENDING):  # this transaction's own edit, not committed: bypass the cache
            return _with_edits(defaults, _override_rows(session.connection()))
        found = session.info.get(_READ_IN_TRANSACTION)
        if found is None:
            found = session.info[_READ_IN_TRANSACTION] = _read(session.connection(), str(engine.url), defaults)
        return found
    except SQLAlchemyError:  # not migrated yet: the shipped definitions apply
        return defaults


def chain_by_code(code: str, session: Session | None = None) -> IndustryChain | None:
    return next((c for c in load_chains(session) if c.code == code), None)


def chains_for_ipc(code: str, session: Session | None = None) -> list[IndustryChain]:
    """Every chain one of whose prefixes covers the code (a code can serve several chains)."""
    return [c for c in load_chains(session) if any(prefix_matches(p, code) for p in c.all_ipc_prefixes())]
