"""CBAM on the EU entries of a built network, as linopy variables and constraints (the rules are
:mod:`caspian.inputs.cbam`'s).

Per entry link ``l`` and snapshot ``t``, ``charged[t, l]`` ≥ 0 is the MWh/h delivered into the EU that
pays the default charge ``c_l`` (EUR/MWh): with treatment 'default' it equals the delivery
``η_l p[t, l]``; with 'matched' it is at most the delivery, and what is not charged — the matched
imports ``Σ_l (η_l p[t, l] − charged[t, l])`` — is at most the output of the wind and solar plants that
may match them in that snapshot. The objective adds ``Σ_t w_t Σ_l c_l charged[t, l]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs import cbam
from caspian.inputs.context import BuildContext
from caspian.inputs.policy_spec import CbamTreatment

CHARGED = "Link-cbam_charged"
"""Name of the linopy variable of charged imports (snapshot × entry link, MW); the summary reads it."""


@dataclass(frozen=True)
class CbamBorder:
    """CBAM on a built network: the treatment ('default' or 'matched'), the charge per MWh delivered on
    each EU entry link (EUR/MWh) and the generators whose output may match imports."""

    treatment: CbamTreatment
    charges: dict[str, float]
    matching: tuple[str, ...]


def entry_links(n: pypsa.Network) -> pd.Index:
    """Interconnector links (every segment and direction) that carry power into the EU markets."""
    links = n.links[n.links.carrier == "interconnector"]
    entering = [
        cbam.is_eu_entry(n.buses, bus0, bus1) for bus0, bus1 in zip(links.bus0, links.bus1, strict=True)
    ]
    return links.index[entering]


def matching_generators(n: pypsa.Network, links: pd.Index) -> pd.Index:
    """Generators whose output may match imports over the entry ``links``: wind and solar outside the
    EU markets at buses with a path of links (capacity in force or expandable) to an entry."""
    usable = n.links[(n.links.carrier == "interconnector") & ((n.links.p_nom > 0) | n.links.p_nom_extendable)]
    pairs = zip(usable.bus0, usable.bus1, strict=True)
    exporters = cbam.exporting_buses(n.buses, set(n.links.bus0[links]), pairs)
    gens = n.generators
    kinds = zip(gens.bus, gens.carrier, strict=True)
    able = [bus in exporters and cbam.may_match(n.buses, bus, carrier) for bus, carrier in kinds]
    return gens.index[able]


def cbam_border(n: pypsa.Network, ctx: BuildContext) -> CbamBorder | None:
    """The CBAM border of ``n`` when the run charges imports and a link enters the EU at a charge above
    0, else None."""
    if not cbam.cbam_applies(ctx):
        return None
    links = entry_links(n)
    if links.empty:
        return None
    charges = {
        str(link): cbam.charge_eur_per_mwh(ctx, n.links.at[link, "bus0"], n.links.at[link, "bus1"])
        for link in links
    }
    if not any(charges.values()):
        return None
    return CbamBorder(ctx.spec.policy.cbam, charges, tuple(str(g) for g in matching_generators(n, links)))


def add_cbam(n: pypsa.Network, border: CbamBorder) -> None:
    """Add the charged-import variables, their constraints and their cost to ``n.model``."""
    model = n.model
    links = list(border.charges)
    index = pd.Index(links, name="name")
    delivered = model["Link-p"].sel(name=links) * xr.DataArray(n.links.efficiency[links].to_numpy(), [index])
    charged = model.add_variables(lower=0, coords=[n.snapshots, index], name=CHARGED)
    if border.treatment == "default":
        model.add_constraints(charged - delivered == 0, name="Link-cbam_default")
    else:
        model.add_constraints(charged - delivered <= 0, name="Link-cbam_charged_le_delivered")
        matched = (delivered - charged).sum("name")
        if border.matching:
            matched = matched - model["Generator-p"].sel(name=list(border.matching)).sum("name")
        model.add_constraints(matched <= 0, name="cbam_matching")
    weights = xr.DataArray(n.snapshot_weightings.objective.to_numpy(), [n.snapshots])
    charge = xr.DataArray([border.charges[link] for link in links], [index])
    model.add_objective(model.objective.expression + (charged * charge * weights).sum(), overwrite=True)
