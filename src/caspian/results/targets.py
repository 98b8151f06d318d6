"""Enforced renewable targets of a solved network: the share reached and the shadow price — what one
more MW (capacity target, EUR/MW/y) or MWh (generation target, EUR/MWh) of renewables short of the
share would cost. Read from the solved linopy model; empty without enforced targets."""

from __future__ import annotations

import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs.targets import Target
from caspian.pypsa_model.targets import TARGET_CONSTRAINT, target_fleets
from caspian.results.views import annual_energy, annual_factor

UNITS = {"capacity": "EUR/MW/y", "generation": "EUR/MWh"}


def _reached(n: pypsa.Network, target: Target) -> float:
    """The share of the target country's capacity or generation that counts toward it, in the solution."""
    renewable, fossil, plants = target_fleets(n, target)
    if target.basis == "capacity":
        green = float(renewable.p_nom_opt.sum())
        rest = float(fossil.p_nom_opt.sum() + (plants.p_nom_opt * plants.efficiency).sum())
    else:
        green = float(annual_energy(n, n.generators_t.p[renewable.index]).sum())
        rest = float(annual_energy(n, n.generators_t.p[fossil.index]).sum())
        rest += float(annual_energy(n, -n.links_t.p1[plants.index]).sum())
    total = green + rest
    return green / total if total > 0 else 0.0


def targets_dataset(n: pypsa.Network) -> xr.Dataset:
    """Per targeted country and basis: ``target_share_reached`` and ``target_shadow_price``, the latter's
    unit in the ``target_unit`` coordinate."""
    model = n.model
    if model is None:
        return xr.Dataset()
    rows = []
    for (basis, counts_hydro), pattern in TARGET_CONSTRAINT.items():
        for country in sorted(set(n.buses.country.dropna())):
            name = pattern.format(country=country)
            if name not in model.constraints:
                continue
            dual = float(model.constraints[name].dual)
            price = (dual * annual_factor(n) if basis == "capacity" else dual) + 0.0  # no -0.0
            share = _reached(n, Target(country, 0.0, basis, counts_hydro))
            rows.append((f"{country} {basis}", share, price, UNITS[basis]))
    if not rows:
        return xr.Dataset()
    frame = pd.DataFrame(rows, columns=["target", "reached", "shadow", "unit"]).set_index("target")
    ds = xr.Dataset(coords={"target_unit": ("target", frame.unit.to_numpy())})
    ds["target_share_reached"] = xr.DataArray(frame.reached, attrs={"units": "1"})
    ds["target_shadow_price"] = xr.DataArray(
        frame.shadow,
        attrs={
            "units": "; ".join(f"{target}: {unit}" for target, unit in frame.unit.items()),
            "description": "what one more MW (capacity target, per year) or MWh (generation target) of "
            "renewables short of the share would cost: the target's marginal cost",
        },
    )
    return ds
