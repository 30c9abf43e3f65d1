"""The summary table's columns, shared by the workbook, the web page and the JSON output."""

from __future__ import annotations

from dataclasses import dataclass

from filing.report.types import AgencyRow, Figure, Rate


@dataclass(frozen=True)
class Column:
    key: str  # AgencyRow attribute
    group: str | None  # the upper header cell, shared by neighbours with the same group
    header: str

    def of(self, row: AgencyRow) -> Figure | Rate:
        value: Figure | Rate = getattr(row, self.key)
        return value

    @property
    def is_rate(self) -> bool:
        return self.key.endswith("_rate")


COLUMNS: tuple[Column, ...] = (
    Column("new_cases", None, "新收案件"),
    Column("concluded", None, "审结案件"),
    Column("hearings", None, "开庭次数"),
    Column("appeared", "负责人出庭", "合计"),
    Column("principal", "负责人出庭", "正职"),
    Column("deputy", "负责人出庭", "副职"),
    Column("appearance_rate", None, "出庭应诉率"),
    Column("judgment_won", "判决结案", "胜诉"),
    Column("judgment_lost", "判决结案", "败诉"),
    Column("ruling_won", "裁定结案", "驳回起诉等"),
    Column("ruling_lost", "裁定结案", "败诉"),
    Column("withdrawn", None, "撤诉"),
    Column("under_appeal", None, "上诉中"),
    Column("lost", None, "败诉合计"),
    Column("loss_rate", None, "败诉率"),
    Column("late_filings", None, "逾期报备"),
    Column("missing_documents", None, "缺报文书"),
    Column("waiting", None, "待核实"),
)

# Figures listed in the drill-down but not shown as columns.
EXTRA_FIGURES: tuple[tuple[str, str], ...] = (
    ("absent", "负责人未出庭"),
    ("unknown", "出庭情况未报"),
    ("loss_base", "败诉率分母"),
)


def header_groups(columns: tuple[Column, ...] = COLUMNS) -> list[tuple[str | None, int]]:
    """Runs of neighbouring columns with the same group: (group, width)."""
    runs: list[tuple[str | None, int]] = []
    for col in columns:
        if runs and col.group is not None and runs[-1][0] == col.group:
            runs[-1] = (col.group, runs[-1][1] + 1)
        else:
            runs.append((col.group, 1))
    return runs
