"""How well district attribution does on a labelled set of real Tianjin addresses (bench/data/tianjin_addresses.csv).

Every address is resolved with ``resolve_address`` and counted as right (the labelled district), unattributed (no
district: listed for staff, never guessed) or wrong (another district — the count that must stay near zero). Used by
``bench/districts.py`` and by the test that keeps accuracy above the target.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ipbureau.reference.address import resolve_address

TARGET_RIGHT = 0.97
TARGET_WRONG = 0.008


@dataclass(frozen=True)
class LabelledAddress:
    address: str
    district_code: str
    source: str


@dataclass
class Outcome:
    right: int = 0
    unattributed: int = 0
    wrong: int = 0

    @property
    def total(self) -> int:
        return self.right + self.unattributed + self.wrong

    def add(self, kind: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)


@dataclass
class Report:
    overall: Outcome = field(default_factory=Outcome)
    by_district: dict[str, Outcome] = field(default_factory=dict)  # by the labelled district
    by_rule: dict[str, Outcome] = field(default_factory=dict)  # by the kind of rule that decided (or "none")
    wrong: list[tuple[LabelledAddress, str, str]] = field(default_factory=list)  # (row, found, rule)
    unattributed: list[LabelledAddress] = field(default_factory=list)

    @property
    def right_share(self) -> float:
        return self.overall.right / self.overall.total

    @property
    def wrong_share(self) -> float:
        return self.overall.wrong / self.overall.total


def read_labelled(path: Path) -> list[LabelledAddress]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [LabelledAddress(r["address"], r["district_code"], r["source"]) for r in csv.DictReader(handle)]


def rule_kind(rule: str | None) -> str:
    """``address:zone:华苑产业区`` -> ``address:zone``; no rule -> ``none``."""
    return ":".join(rule.split(":")[:2]) if rule else "none"


def score(rows: list[LabelledAddress]) -> Report:
    report = Report()
    for row in rows:
        resolved = resolve_address(row.address)
        if resolved.district_code == row.district_code:
            kind = "right"
        elif resolved.district_code is None:
            kind = "unattributed"
            report.unattributed.append(row)
        else:
            kind = "wrong"
            report.wrong.append((row, resolved.district_code, resolved.district_rule or ""))
        report.overall.add(kind)
        report.by_district.setdefault(row.district_code, Outcome()).add(kind)
        report.by_rule.setdefault(rule_kind(resolved.district_rule), Outcome()).add(kind)
    return report


def sources(rows: list[LabelledAddress]) -> Counter[str]:
    return Counter(row.source for row in rows)
