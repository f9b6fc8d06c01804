"""Tianjin's 12 key industry chains: ``data/industry_chains.yaml``, overridden by staff edits.

The YAML is the product's own working definition (see its header) and the shipped default.
Staff may edit a chain (name, segments, IPC prefixes, keywords: ``navigation.service``); the
edit is stored in the table ``navigation_chain`` and replaces that chain's YAML entry.

``load_chains()`` is called without a session from many places (statistics, search, demo,
templates), so edits reach it like this: every call reads a cheap stamp of the table
(``COUNT``, ``SUM(revision)``, ``MAX(updated_at)`` over at most 12 rows) and re-reads the
rows only when the stamp differs from the cached one. Every process (web workers, CLI)
therefore sees a committed edit on its next call, with no invalidation message between
processes. Without a database (no file yet, table not migrated) the YAML is used.

Nothing derived from a chain is stored elsewhere: statistics build their SQL from the
prefixes on each call, and the search index stores each patent's IPC ancestors (section,
class, subclass, main group, code), with the chain filter expanded into those prefixes at
query time, so an edit needs no reindex.
"""

from __future__ import annotations

from dataclasses import dataclass
import threading
from contextlib import nullcontext
from typing import Any
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml


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


# database URL -> (stamp of the navigation_chain table, chains with the edits applied)
_cache: dict[str, tuple[tuple, tuple[IndustryChain, ...]]] = {}
_cache_lock = threading.Lock()


def _stored_overrides(session: Any = None) -> tuple[str, tuple, list[tuple] | tuple[IndustryChain, ...]] | None:
    """(database url, stamp, override rows — or the cached chains when the stamp is unchanged),
    or None when there is no database to read. Inside a request, pass its session: the stamp is then read on
    the request's own connection (a second connection per request exhausts the pool under load)."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from ipbureau.database.core import get_engine

    engine = session.get_bind() if session is not None else get_engine()
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():  # reading must not create an empty database file
            return None
    from ipbureau.navigation.models import ChainOverride

    table = ChainOverride.__table__
    try:
        with (nullcontext(session.connection()) if session is not None else engine.connect()) as conn:
            stamp = tuple(conn.execute(select(func.count(table.c.id), func.coalesce(func.sum(table.c.revision), 0),
                                              func.max(table.c.updated_at))).one())
            key = str(url)
            cached = _cache.get(key)
            if cached and cached[0] == stamp:
                return key, stamp, cached[1]
            rows = [tuple(r) for r in conn.execute(select(table.c.code, table.c.name, table.c.ipc_prefixes,
                                                              table.c.keywords, table.c.segments))]
    except SQLAlchemyError:  # not migrated yet: the shipped definitions apply
        return None
    return key, stamp, rows


def load_chains(session: Any = None) -> tuple[IndustryChain, ...]:
    """The chains in YAML order, each replaced by its staff edit when there is one. Pass the caller's session
    wherever there is one (every request has one)."""
    defaults = default_chains()
    found = _stored_overrides(session)
    if found is None:
        return defaults
    key, stamp, rows = found
    if rows and isinstance(rows[0], IndustryChain):
        return rows  # type: ignore[return-value]
    with _cache_lock:
        edits = {code: chain_from_mapping(code, {"name": name, "ipc": ipc, "keywords": keywords, "segments": segments})
                 for code, name, ipc, keywords, segments in rows}
        chains = tuple(edits.get(c.code, c) for c in defaults)
        _cache[key] = (stamp, chains)
        return chains


def chain_by_code(code: str) -> IndustryChain | None:
    return next((c for c in load_chains() if c.code == code), None)


def chains_for_ipc(code: str) -> list[IndustryChain]:
    """Every chain one of whose prefixes covers the code (a code can serve several chains)."""
    return [c for c in load_chains() if any(prefix_matches(p, code) for p in c.all_ipc_prefixes())]
