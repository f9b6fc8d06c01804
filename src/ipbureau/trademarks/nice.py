"""The Nice classification as CNIPA uses it (《类似商品和服务区分表》), 2018 wording: 45 classes with their
headings, the groups of similar goods and services (类似群) and their items.

Loaded by ``ipbureau load-reference`` from the packaged files (source: data/SOURCES.md); idempotent. Trademark
class numbers are checked against the loaded classes, class headings are shown where marks are listed, and
``class_statistics`` counts marks by class.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError, NotFound
from ipbureau.enums import Dataset
from ipbureau.policy import policy
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.models import NiceClass, NiceGroup, NiceItem, Trademark

EDITION = "尼斯分类第十一版（NCL 11-2018）中文文本，国家知识产权局《类似商品和服务区分表》2018 年版"
SOURCE_NOTE = ("来源：国家知识产权局商标局网站《类似商品和服务区分表》（经 github.com/xovel/trademark-classification "
               "整理，MIT 许可）；后续版本对部分类别标题有改写。")
CLASS_COUNT = 45


def _package_file(name: str) -> bytes:
    return resources.files("ipbureau.trademarks").joinpath(f"data/{name}").read_bytes()


def load_nice(session: Session) -> tuple[int, int, int]:
    """Classes, groups and items from the packaged files, when not loaded yet: (classes, groups, items) added.
    The source is a published edition, not staff-edited data: a loaded edition is left as it is."""
    if session.scalar(select(func.count()).select_from(NiceClass)):
        return 0, 0, 0
    classes = list(csv.DictReader(io.StringIO(_package_file("nice_classes_2018.csv").decode("utf-8"))))
    items = list(csv.DictReader(io.StringIO(gzip.decompress(_package_file("nice_items_2018.csv.gz")).decode("utf-8"))))
    session.execute(insert(NiceClass), [{"number": int(r["class"]), "heading": r["heading_zh"].strip(),
                                         "edition": "NCL 11-2018"} for r in classes])
    groups: dict[str, dict[str, Any]] = {}
    for r in items:
        groups.setdefault(r["group"], {"code": r["group"], "class_number": int(r["class"]),
                                       "name": r["group_name"].strip()})
    session.execute(insert(NiceGroup), list(groups.values()))
    rows = [{"group_code": r["group"], "item_code": r["item_code"], "class_number": int(r["class"]),
             "name": r["item_name"].strip()} for r in items]
    for start in range(0, len(rows), 5000):
        session.execute(insert(NiceItem), rows[start:start + 5000])
    session.flush()
    return len(classes), len(groups), len(rows)


def headings(session: Session) -> dict[int, str]:
    """Class number → heading (empty when the classification is not loaded)."""
    return {number: heading for number, heading in session.execute(select(NiceClass.number, NiceClass.heading))}


def short_heading(heading: str, length: int = 24) -> str:
    """The heading's first clause, for a table cell (the full heading goes into the cell's title)."""
    first = heading.split("；")[0].rstrip("。")
    return first if len(first) <= length else first[: length - 1] + "…"


def check_classes(session: Session, numbers: list[int], field: str = "尼斯分类") -> None:
    """Refuse class numbers that are not classes of the loaded edition (a 422 naming the number)."""
    known = set(headings(session)) or set(range(1, CLASS_COUNT + 1))
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise DomainError(field, f"第 {'、'.join(str(n) for n in unknown)} 类不是尼斯分类的类别（应为 1–{CLASS_COUNT}）")


def classes(session: Session, user: Any) -> list[NiceClass]:
    policy.authorize(session, user, "reference", "view")
    return list(session.scalars(select(NiceClass).order_by(NiceClass.number)))


@dataclass(frozen=True)
class ClassEntry:
    nice_class: NiceClass
    groups: list[tuple[NiceGroup, list[NiceItem]]]


def class_entry(session: Session, user: Any, number: int) -> ClassEntry:
    """A class with its groups and their items (the reference page)."""
    policy.authorize(session, user, "reference", "view")
    found = session.get(NiceClass, number)
    if found is None:
        raise NotFound(f"尼斯分类第 {number} 类")
    groups = list(session.scalars(select(NiceGroup).where(NiceGroup.class_number == number).order_by(NiceGroup.code)))
    items: dict[str, list[NiceItem]] = {g.code: [] for g in groups}
    for item in session.scalars(select(NiceItem).where(NiceItem.class_number == number)
                                .order_by(NiceItem.group_code, NiceItem.item_code, NiceItem.id)):
        items.setdefault(item.group_code, []).append(item)
    return ClassEntry(found, [(g, items.get(g.code, [])) for g in groups])


@dataclass(frozen=True)
class ClassCount:
    number: int
    heading: str
    marks: int  # marks whose first (primary) class it is
    registered: int  # of which 已注册


def class_statistics(session: Session, user: Any, dataset: Dataset | None = None,
                     district_code: str | None = None) -> list[ClassCount]:
    """Trademarks by primary class (the class the statistics count a mark under), every class listed."""
    policy.authorize(session, user, "trademark", "view")
    t = Trademark
    query = (policy.scoped(select(t.primary_class, func.count(),
                                  func.sum(case((t.status == TrademarkStatus.REGISTERED.value, 1), else_=0))),
                           user, "trademark")
             .group_by(t.primary_class))
    if dataset is not None:
        query = query.where(t.dataset == dataset)
    if district_code:
        query = query.where(t.district_code == district_code)
    counts = {int(n): (int(c), int(r or 0)) for n, c, r in session.execute(query).all()}
    names = headings(session)
    numbers = sorted(set(names) | set(counts) | set(range(1, CLASS_COUNT + 1)))
    return [ClassCount(n, names.get(n, ""), *counts.get(n, (0, 0))) for n in numbers]
