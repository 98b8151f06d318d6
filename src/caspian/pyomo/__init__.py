"""Independent Pyomo formulations of the caspian model, for cross-checking the PyPSA/linopy one.

So far the gas side (networks with ``carriers: [gas]``): :func:`solve_gas` builds the LP/MILP from the
validated spec and the data and solves it with HiGHS through Pyomo's APPSI interface.
"""

from caspian.pyomo.gas import GasModel, PyomoGasResult, build_model, solve_gas
from caspian.pyomo.inputs import GasInputs, check_supported, gas_inputs

__all__ = [
    "GasInputs",
    "GasModel",
    "PyomoGasResult",
    "build_model",
    "check_supported",
    "gas_inputs",
    "solve_gas",
]
