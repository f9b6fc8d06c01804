from __future__ import annotations

from dataclasses import asdict, dataclass

from ipbureau.core.errors import DomainError, InvalidInput


@dataclass(frozen=True)
class RowProblem:
    """A problem in one cell: the row as Excel numbers it, the column as the file names it."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        return f"第 {self.row} 行，“{self.field}”：{self.message}"


class FileRejected(DomainError):
    """The file as a whole cannot be read (encoding, format, size, missing columns)."""


class ImportFailed(InvalidInput):
    """Rows had errors; nothing was written. Carries every problem found (up to a cap), which the API lists."""

    def __init__(self, problems: list[RowProblem], batch_id: int | None = None, truncated: bool = False) -> None:
        head = "；".join(str(p) for p in problems[:3])
        more = f"；另有 {len(problems) - 3} 处问题" if len(problems) > 3 else ""
        super().__init__(f"导入失败，未写入任何记录：{head}{more}")
        self.problems = problems  # type: ignore[assignment]  (row problems; the API lists them, see imports.views)
        self.batch_id = batch_id
        self.truncated = truncated
