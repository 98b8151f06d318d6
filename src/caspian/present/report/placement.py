"""Text labels on a figure without overlaps: each label tries a few offsets around its anchor and is
left out (and reported) when none is free."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

OFFSETS_PT = ((0, 6), (0, -12), (8, -3), (-8, -3), (10, 8), (-10, 8), (10, -14), (-10, -14), (0, 16))
"""Candidate offsets of a label from its anchor, points, tried in order."""


@dataclass(frozen=True)
class Label:
    """A label to place at data coordinates (x, y); higher ``priority`` is placed first."""

    x: float
    y: float
    text: str
    priority: float = 0.0
    colour: str = "#222222"
    size: float = 7.5


def place_labels(ax: Axes, labels: list[Label], keep_out: list[Bbox] | None = None) -> list[Label]:
    """Draw as many labels as fit without overlapping each other (or ``keep_out`` boxes, display
    coordinates) and inside the axes; return those left out."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas, always here
    taken = list(keep_out or [])
    frame = ax.get_window_extent(renderer)
    left_out = []
    for label in sorted(labels, key=lambda item: -item.priority):
        for dx, dy in OFFSETS_PT:
            text = ax.annotate(
                label.text,
                (label.x, label.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="center" if dx == 0 else ("left" if dx > 0 else "right"),
                va="center",
                fontsize=label.size,
                color=label.colour,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            )
            box = text.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
        else:
            left_out.append(label)
    return left_out
