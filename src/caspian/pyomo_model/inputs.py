"""All inputs of the Pyomo formulation of one network: the snapshots' weights, the gas side, the
electricity side and the priced slack, derived from the validated spec and the data.

:func:`pyomo_inputs` resolves the builder's context (name checks, buses, hourly snapshots, discount
rate), the outage windows, then each carrier's inputs (:mod:`caspian.pyomo_model.gas_inputs`,
:mod:`caspian.pyomo_model.power_inputs`). Never reads a ``pypsa.Network``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caspian.errors import InputError
from caspian.inputs.context import SLACK_CAPACITY_MW, BuildContext, make_context
from caspian.inputs.fleets import CommittedFleet
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset
from caspian.pyomo_model.common import Project, check_outage_assets, outage_windows
from caspian.pyomo_model.gas_inputs import GasInputs, gas_inputs
from caspian.pyomo_model.power_inputs import PowerInputs, power_inputs
from caspian.units import HOURS_PER_YEAR


@dataclass(frozen=True)
class PyomoInputs:
    """One network's inputs. ``weights_h``: hours each snapshot stands for; ``gas``/``power``: None when
    that carrier is not modelled; ``slack_cost_eur_per_mwh``: price of unserved energy at the buses with
    fixed demand by bus, EUR/MWh (None: no slack)."""

    name: str
    weights_h: np.ndarray
    gas: GasInputs | None
    power: PowerInputs | None
    slack_cost_eur_per_mwh: dict[str, float] | None = None
    slack_capacity_mw: float = SLACK_CAPACITY_MW

    @property
    def gas_side(self) -> GasInputs:
        """The gas side's inputs; only asked for when the network models gas."""
        if self.gas is None:
            raise ValueError("this network does not model gas")
        return self.gas

    @property
    def power_side(self) -> PowerInputs:
        """The electricity side's inputs; only asked for when the network models electricity."""
        if self.power is None:
            raise ValueError("this network does not model electricity")
        return self.power

    @property
    def hours(self) -> float:
        """Modelled hours (sum of the snapshot weights)."""
        return float(self.weights_h.sum())

    @property
    def annual_factor(self) -> float:
        """8760 ÷ modelled hours: turns horizon totals into annual ones."""
        return HOURS_PER_YEAR / self.hours

    @property
    def buses(self) -> tuple[str, ...]:
        """Every bus, gas first."""
        return (*(self.gas.buses if self.gas else ()), *(self.power.buses if self.power else ()))

    @property
    def projects(self) -> tuple[Project, ...]:
        """Lumpy projects of both carriers."""
        return (*(self.gas.projects if self.gas else ()), *(self.power.projects if self.power else ()))

    @property
    def milp(self) -> bool:
        """True when lumpy projects carry binaries or gas-fired plants are committed in units."""
        return bool(self.projects) or bool(self.commitment)

    @property
    def commitment(self) -> tuple[CommittedFleet, ...]:
        """The committed gas-fired plants (unit commitment)."""
        return self.power.commitment if self.power is not None else ()


def check_supported(spec: NetworkSpec) -> None:
    """Raise InputError for what the Pyomo formulation does not cover (yet)."""
    if spec.time.segments:
        raise InputError("crosscheck: time.segments is not supported; use time.resolution")


def _value_of_lost_load(ctx: BuildContext) -> dict[str, float]:
    """Price of unserved demand at every modelled bus, EUR/MWh (by its carrier's data row)."""
    carriers = ctx.data.table("buses").set_index("bus")["carrier"]
    return {bus: ctx.value_of_lost_load(str(carriers[bus])) for bus in sorted(ctx.buses)}


def pyomo_inputs(spec: NetworkSpec, data: Dataset) -> PyomoInputs:
    """Derive the model's inputs from the resolved spec and the data (InputError on bad input)."""
    check_supported(spec)
    ctx = make_context(spec, data)
    windows = outage_windows(spec, ctx.snapshots)
    gas = power = None
    known: set[str] = set()
    if "gas" in spec.carriers:
        gas, names = gas_inputs(ctx, windows)
        known |= names
    if "electricity" in spec.carriers:
        power, names = power_inputs(ctx, windows)
        known |= names
    empty_gas = gas is None or not (gas.supplies or gas.alternatives or gas.offtakes)
    empty_power = power is None or not (power.generators or power.markets or power.loads)
    if empty_gas and empty_power:
        raise InputError(f"network '{spec.name}': field 'year': no data rows in force in {spec.year}")
    check_outage_assets(spec, known)
    step = spec.time.resolution_hours
    return PyomoInputs(
        name=spec.name,
        weights_h=np.full(spec.time.hours // step, float(step)),
        gas=gas,
        power=power,
        slack_cost_eur_per_mwh=_value_of_lost_load(ctx) if spec.unserved_energy else None,
    )
