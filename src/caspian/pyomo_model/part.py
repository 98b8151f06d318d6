"""What each carrier's formulation adds to the shared Pyomo model (see :mod:`caspian.pyomo_model.model`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Part:
    """One carrier's contribution: ``injections(bus, t)`` lists the terms (MW) its components put into
    a bus's balance (withdrawals negative), at any bus of either carrier; ``demand`` the fixed demand
    per bus (MW per snapshot; these buses get the priced slack); ``cost`` the objective terms (EUR over
    the horizon); ``capacity`` the capacity variable of each segment a lumpy project sizes."""

    injections: Callable[[str, int], list[Any]]
    demand: dict[str, np.ndarray] = field(default_factory=dict)
    cost: list[Any] = field(default_factory=list)
    capacity: dict[str, Any] = field(default_factory=dict)


Quantity = tuple[Any, float]
"""A compared quantity as (Pyomo expression, factor to the reported unit)."""
