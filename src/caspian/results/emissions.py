"""CO2 emitted by the modelled power fleets, per country, from the :data:`CO2_INTENSITY` column the
builder sets on every fossil-fired generator (tCO2 per MWh of output) and gas-fired link (per MWh of
fuel taken). Units: Mt CO2 per year (annualised like every flow)."""

from __future__ import annotations

import pandas as pd
import pypsa

from caspian.naming import CO2_INTENSITY
from caspian.results.views import annual_energy
from caspian.units import T_PER_MT


def _emitted_t(n: pypsa.Network, static: pd.DataFrame, series: pd.DataFrame, bus: str) -> pd.Series:
    """tCO2/y per country of the components of ``static`` that carry an intensity."""
    if CO2_INTENSITY not in static or static.empty:
        return pd.Series(dtype=float)
    intensity = static[CO2_INTENSITY].fillna(0.0)
    emitting = intensity.index[intensity > 0]
    if emitting.empty:
        return pd.Series(dtype=float)
    tonnes = annual_energy(n, series.reindex(columns=emitting, fill_value=0.0)) * intensity[emitting]
    return tonnes.groupby(n.buses.country.reindex(static.loc[emitting, bus]).to_numpy()).sum()


def emissions_by_country(n: pypsa.Network) -> pd.Series:
    """Mt CO2/y emitted by each country's power plants (countries with fossil plants; 0 when idle)."""
    generators = _emitted_t(n, n.generators, n.generators_t.p, "bus")
    links = _emitted_t(n, n.links, n.links_t.p0, "bus1")
    total = generators.add(links, fill_value=0.0)
    return (total / T_PER_MT).rename_axis("country")
