""" "What moves the answer": a one-at-a-time sensitivity sweep (cases with a ``group`` and a
``baseline`` case) drawn as tornado charts, one per headline metric, with the table of each
assumption's range. A bar spans the lowest and highest value of the metric over the group's cases,
measured from the baseline case; groups are sorted by the width of that span (widest on top)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caspian.present.report.style import Figure, new_figure, png_bytes, styled
from caspian.present.report.tables import Table
from caspian.sweep.plan import SweepSpec

TORNADO_METRICS = ("gas to Europe", "gas Trans-Caspian flow", "net system cost")
"""Title prefixes (the sweep report's metric titles) of the metrics a tornado is drawn for."""

LOW_COLOUR = "#2c7fb8"
HIGH_COLOUR = "#d95f0e"
BAR_HEIGHT_IN = 0.42
"""Height per group of a tornado chart, inches."""


@dataclass(frozen=True)
class Swing:
    """One group's effect on one metric: the cases giving its lowest and highest value and those values
    (the metric's unit), and the baseline's."""

    group: str
    low_case: str
    low: float
    high_case: str
    high: float
    baseline: float

    @property
    def width(self) -> float:
        return self.high - self.low


def swings(frame: pd.DataFrame, sweep: SweepSpec, column: str) -> list[Swing]:
    """Per group, the span of ``column`` over its solved cases, widest first (empty without a solved
    baseline)."""
    ok = frame[frame.status == "ok"].set_index("label")
    if sweep.baseline is None or sweep.baseline not in ok.index:
        return []
    baseline = float(ok.at[sweep.baseline, column])
    groups: dict[str, list[str]] = {}
    for case in sweep.cases:
        if case.group is not None and case.label in ok.index:
            groups.setdefault(case.group, []).append(case.label)
    out = []
    for group, labels in groups.items():
        values = ok.loc[labels, column].astype(float)
        low, high = values.idxmin(), values.idxmax()
        out.append(Swing(group, str(low), float(values[low]), str(high), float(values[high]), baseline))
    return sorted(out, key=lambda s: -s.width)


@styled
def _tornado(column: str, rows: list[Swing], index: int) -> Figure:
    fig, ax = new_figure(7.0, 1.0 + BAR_HEIGHT_IN * len(rows))
    base = rows[0].baseline
    for y, row in enumerate(reversed(rows)):
        ax.barh(y, row.low - base, left=base, color=LOW_COLOUR, height=0.6)
        ax.barh(y, row.high - base, left=base, color=HIGH_COLOUR, height=0.6)
        if row.width == 0:
            ax.text(base, y, " no effect", ha="left", va="center", fontsize=7)
            continue
        ax.text(row.low, y, f" {row.low_case} ", ha="right", va="center", fontsize=7)
        ax.text(row.high, y, f" {row.high_case} ", ha="left", va="center", fontsize=7)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)), [r.group for r in reversed(rows)])
    ax.set_xlabel(column)
    ax.margins(x=0.25)
    caption = (
        f"{column}: each assumption moved alone across its sourced range; bars run from the baseline "
        f"({base:.2f}) to the lowest (blue) and highest (orange) case of the group, labelled with the case."
    )
    return Figure(f"tornado-{index}", f"What moves {column.split(',')[0]}", caption, png_bytes(fig))


def _table(columns: list[str], by_column: dict[str, list[Swing]]) -> Table:
    groups = list(dict.fromkeys(s.group for rows in by_column.values() for s in rows))
    header = ["assumption"]
    for column in columns:
        header += [f"{column}: low", "high"]
    rows = []
    for group in groups:
        cells = [group]
        for column in columns:
            match = [s for s in by_column[column] if s.group == group]
            cells += [f"{match[0].low:.2f}", f"{match[0].high:.2f}"] if match else ["-", "-"]
        rows.append(cells)
    note = "; ".join(f"{c}: baseline {by_column[c][0].baseline:.2f}" for c in columns if by_column[c])
    return Table("What moves the answer", header, rows, "l" + "r" * (len(header) - 1), note)


def tornado_sections(frame: pd.DataFrame, sweep: SweepSpec, metrics: list[str]) -> list[tuple[str, list]]:
    """The report section of a one-at-a-time sweep (none for other sweeps)."""
    columns = [m for m in metrics if m.startswith(TORNADO_METRICS)]
    by_column = {column: swings(frame, sweep, column) for column in columns}
    columns = [c for c in columns if by_column[c]]
    if not columns:
        return []
    figures: list = [_tornado(c, by_column[c], i) for i, c in enumerate(columns, start=1)]
    return [("What moves the answer", [*figures, _table(columns, by_column)])]
