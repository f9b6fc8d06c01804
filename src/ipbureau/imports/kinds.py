"""The kinds of record a file can be imported as, for the upload page, the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipbureau.enterprises.flows import import_enterprises
from ipbureau.enums import LabelledEnum
from ipbureau.imports.runner import ImportResult
from ipbureau.patents.flows import import_patents
from ipbureau.trademarks.flows import import_trademarks


class ImportKind(LabelledEnum):
    PATENT = "patent"
    ENTERPRISE = "enterprise"
    TRADEMARK = "trademark"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"patent": "专利", "enterprise": "企业与机构", "trademark": "商标"}


# Each takes (session, data, filename, *, actor, dataset, progress).
IMPORTERS: dict[ImportKind, Callable[..., ImportResult]] = {
    ImportKind.PATENT: import_patents,
    ImportKind.ENTERPRISE: import_enterprises,
    ImportKind.TRADEMARK: import_trademarks,
}


def importer(kind: ImportKind) -> Callable[..., ImportResult]:
    """The import function for a kind: (session, data, filename, *, actor, dataset, progress)."""
    return IMPORTERS[ImportKind(kind)]


def run(kind: ImportKind, session: Any, data: bytes, filename: str, **options: Any) -> ImportResult:
    return importer(kind)(session, data, filename, **options)
