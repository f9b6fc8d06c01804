"""Map a file's headers to a record type's fields by name, tolerating the usual variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipbureau.imports.readers import normalise_header


@dataclass
class ColumnMap:
    """Which file column feeds which field, and the file's own header for messages."""

    columns: dict[str, str] = field(default_factory=dict)  # field -> normalised header
    headers: dict[str, str] = field(default_factory=dict)  # field -> header as written in the file
    labels: dict[str, str] = field(default_factory=dict)  # field -> default label when absent
    format_name: str = "generic"
    hint: str = ""  # added to the "missing columns" message: what this layout lacks and what to use instead

    def value(self, row: dict[str, Any], name: str) -> Any:
        key = self.columns.get(name)
        return row.get(key) if key else None

    def label(self, name: str) -> str:
        return self.headers.get(name) or self.labels.get(name, name)


@dataclass(frozen=True)
class FieldSet:
    """The columns one kind of record accepts: aliases per field, required fields, labels."""

    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    labels: dict[str, str]

    def map(self, headers: list[str]) -> tuple[ColumnMap, list[str]]:
        """Match headers to fields; returns the map and the labels of missing required columns."""
        by_normalised = {normalise_header(h): h for h in headers if h}
        mapping = ColumnMap(labels=self.labels)
        for name, aliases in self.aliases.items():
            for alias in aliases:
                key = normalise_header(alias)
                if key in by_normalised:
                    mapping.columns[name] = key
                    mapping.headers[name] = by_normalised[key]
                    break
        missing = [self.labels.get(f, f) for f in self.required if f not in mapping.columns]
        return mapping, missing
