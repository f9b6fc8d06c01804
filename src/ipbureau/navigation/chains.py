"""Tianjin's 12 key industry chains, read from ``data/industry_chains.yaml``.

The YAML is the product's own working definition (see its header); this module only
loads it into frozen dataclasses and answers "which chain does this IPC code fall in".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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


@lru_cache
def load_chains() -> tuple[IndustryChain, ...]:
    with resources.files("ipbureau.navigation").joinpath("data/industry_chains.yaml").open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    chains = []
    for item in raw["chains"]:
        segments = tuple(
            Segment(name=s["name"], ipc_prefixes=_tuple(s["ipc"]), keywords=_tuple(s["keywords"]))
            for s in item["segments"]
        )
        chains.append(IndustryChain(code=item["code"], name=item["name"], ipc_prefixes=_tuple(item["ipc"]),
                                    keywords=_tuple(item["keywords"]), segments=segments))
    return tuple(chains)


def chain_by_code(code: str) -> IndustryChain | None:
    return next((c for c in load_chains() if c.code == code), None)


def chains_for_ipc(code: str) -> list[IndustryChain]:
    """Every chain one of whose prefixes covers the code (a code can serve several chains)."""
    return [c for c in load_chains() if any(prefix_matches(p, code) for p in c.all_ipc_prefixes())]
