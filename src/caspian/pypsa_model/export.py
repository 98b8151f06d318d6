"""A solved network as a self-contained file: ``pypsa.Network(path).optimize(...)`` in plain PyPSA
reproduces caspian's objective and capacities. The dispatch may differ (annual energy limits leave the
timing of flows open: several dispatches are optimal), and so may prices in hours where they are not
unique (:mod:`caspian.results.prices`).

PyPSA cannot express one constraint of caspian's formulation — an extendable reverse twin's capacity
equals its forward link's (:mod:`caspian.pypsa_model.solve`) — nor caspian's unit commitment. So the
saved file holds every extendable link and generator at its optimal capacity (p_nom_min = p_nom_max =
p_nom_opt, still extendable so that its annuity stays in the objective); the bounds the formulation had
stay in the ``build_max_mw`` column, and ``n.meta`` says how the objective is counted and how to undo
the pin.
"""

from __future__ import annotations

import pypsa

from caspian.naming import CAPACITY_FROM, DIRECTION, FROM_LP, REVERSE

PINNED_COMPONENTS = ("Link", "Generator")
"""Components whose extendable capacities the saved file pins (the only extendable ones caspian builds)."""

RECIPE = (
    "pypsa.Network(path).optimize(include_objective_constant=False) reproduces objective_eur and every "
    "p_nom_opt; with PyPSA's default (include_objective_constant=True, until PyPSA 2.0) the objective is "
    "objective_eur - objective_constant_eur. Capacities are pinned at the optimum (p_nom_min = p_nom_max "
    "= p_nom_opt). To re-optimise them, set p_nom_min = 0 and p_nom_max = build_max_mw on links with "
    f"{CAPACITY_FROM} == '{FROM_LP}' and on extendable generators, and add the constraint PyPSA cannot "
    f"express: the p_nom of each extendable link with {DIRECTION} == '{REVERSE}' equals that of the "
    "forward link of the same asset and segment (caspian.pypsa_model.solve.solve_network adds it). "
    "Re-solving reproduces the objective and the capacities, not necessarily the dispatch: annual "
    "energy limits (supply plateaus, e_sum_max) leave the timing of flows open, so another optimal "
    "dispatch may come back, and with it other prices in the hours where prices are not unique "
    "(summary.nc price_set_share)."
)
"""How plain PyPSA reproduces the run (stored in ``n.meta['plain_pypsa']``)."""
COMMITMENT_NOTE = (
    "Unit commitment (caspian.pypsa_model.commitment) is caspian's own formulation, not PyPSA's "
    "committable attribute: the committed plants' online units and start-ups are not in this file, so "
    "plain PyPSA re-optimises their dispatch without them and finds a lower or equal objective."
)
"""Stored in ``n.meta['plain_pypsa_not_expressed']`` for runs with unit commitment."""


def objective_constant(n: pypsa.Network) -> float:
    """PyPSA's objective constant, EUR over the horizon: the annuity of the existing capacity (p_nom) of
    every extendable component, which PyPSA subtracts when ``include_objective_constant`` is True."""
    total = 0.0
    for component in PINNED_COMPONENTS:
        static = n.components[component].static
        extendable = static[static.p_nom_extendable]
        total += float((extendable.capital_cost * extendable.p_nom).sum())
    return total


def _solved_objective(n: pypsa.Network) -> float:
    """The objective of the solved network, EUR over the horizon (ValueError when not solved)."""
    if n.objective is None:
        raise ValueError(f"network '{n.name}' is not solved")
    return float(n.objective)


def pin_for_export(n: pypsa.Network, unit_commitment: bool) -> None:
    """Pin ``n``'s solved capacities and record the objective convention and the recipe in ``n.meta``
    (in place; call after the summary is taken, before ``export_to_netcdf``)."""
    for component in PINNED_COMPONENTS:
        static = n.components[component].static
        extendable = static.index[static.p_nom_extendable]
        static.loc[extendable, "p_nom_min"] = static.loc[extendable, "p_nom_opt"]
        static.loc[extendable, "p_nom_max"] = static.loc[extendable, "p_nom_opt"]
    n.meta.update(
        {
            "objective_eur": _solved_objective(n),
            "include_objective_constant": False,
            "objective_constant_eur": objective_constant(n),
            "plain_pypsa": RECIPE,
        }
    )
    if unit_commitment:
        n.meta["plain_pypsa_not_expressed"] = COMMITMENT_NOTE
