"""Coarser time resolution: resample to N-hour blocks or cut the horizon into tsam segments.

Both keep every input's energy: a block's value is the mean of its hours and its snapshot weighting
is its length in hours, so weighted sums (demand, annual limits, costs) equal the hourly ones.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pypsa
import tsam

from caspian.errors import InputError
from caspian.inputs.spec import TimeSpec

INPUT_SERIES = ("p_max_pu", "p_min_pu", "p_set", "marginal_cost", "efficiency", "e_min_pu", "e_max_pu")
"""Time-varying input attributes that aggregation averages (outputs are recomputed by the solve)."""


def _block_labels(hours: int, step: int) -> np.ndarray:
    return np.arange(hours) // step


def _segment_labels(n: pypsa.Network, segments: int) -> np.ndarray:
    columns = {}
    for component in n.components:
        if component.static.empty:
            continue
        for attr, frame in component.dynamic.items():
            if attr in INPUT_SERIES and not frame.empty:
                for name in frame.columns:
                    series = frame[name].astype(float)
                    scale = series.abs().max()
                    if scale > 0 and series.std() > 0:
                        columns[f"{component.name}.{attr}.{name}"] = series / scale
    data = pd.DataFrame(columns, index=n.snapshots)
    if data.empty:
        raise InputError(f"network '{n.name}': field 'time.segments': no time-varying inputs to segment")
    logging.getLogger("tsam").setLevel(logging.ERROR)
    result = tsam.aggregate(
        data,
        1,
        period_duration=len(n.snapshots),
        temporal_resolution=1.0,
        segments=tsam.SegmentConfig(segments),
    )
    if result.segment_durations is None:
        raise RuntimeError("tsam returned no segment durations for a segmentation")
    durations = np.asarray(result.segment_durations[0], dtype=int)
    return np.repeat(np.arange(len(durations)), durations)


def aggregate_time(n: pypsa.Network, time: TimeSpec) -> pypsa.Network:
    """Return a network at the spec's resolution (the input network itself when hourly)."""
    if time.segments:
        labels = _segment_labels(n, time.segments)
    elif time.resolution_hours > 1:
        labels = _block_labels(len(n.snapshots), time.resolution_hours)
    else:
        return n
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    new_index = n.snapshots[starts]
    durations = np.diff(np.r_[starts, len(labels)]).astype(float)
    out = n.copy(snapshots=new_index)
    for component in n.components:
        if component.static.empty:
            continue
        target = out.components[component.name].dynamic
        for attr, frame in component.dynamic.items():
            if attr in INPUT_SERIES and not frame.empty:
                averaged = frame.groupby(labels).mean()
                averaged.index = new_index
                target[attr] = averaged
    out.snapshot_weightings.loc[:, :] = np.repeat(durations[:, None], 3, axis=1)
    return out
