"""The kinds of record a file can be imported as, for the upload page, the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipbureau.enums import LabelledEnum
from ipbureau.imports.runner import ImportResult


class ImportKind(LabelledEnum):
    PATENT = "patent"
    ENTERPRISE = "enterprise"
    TRADEMARK = "trademark"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"patent": "专利", "enterprise": "企业与机构", "trademark": "商标"}


def importer(kind: ImportKind) -> Callable[..., ImportResult]:
    """The import function for a kind: (session, data, filename, *, actor, dataset, progress)."""
    if kind == ImportKind.PATENT:
        from ipbureau.patents.flows import import_patents

        return import_patents
    if kind == ImportKind.ENTERPRISE:
        from ipbureau.enterprises.flows import import_enterprises

        return import_enterprises
    from ipbureau.trademarks.flows import import_trademarks

    return import_trademarks


def run(kind: ImportKind, session: Any, data: bytes, filename: str, **options: Any) -> ImportResult:
    return importer(kind)(session, data, filename, **options)
