"""Independent Pyomo formulation of the caspian model, for cross-checking the PyPSA/linopy one.

Gas, electricity and coupled networks: :func:`pyomo_inputs` derives the inputs from the validated spec
and the data (:mod:`~caspian.pyomo.gas_inputs`, :mod:`~caspian.pyomo.power_inputs`), and
:class:`PyomoModel` builds the LP/MILP (:mod:`~caspian.pyomo.gas`, :mod:`~caspian.pyomo.power`,
:mod:`~caspian.pyomo.model`) and solves it with HiGHS through Pyomo's APPSI interface.
"""

from caspian.pyomo.inputs import PyomoInputs, check_supported, pyomo_inputs
from caspian.pyomo.model import KIND_UNITS, PyomoModel, PyomoResult, build_model

__all__ = [
    "KIND_UNITS",
    "PyomoInputs",
    "PyomoModel",
    "PyomoResult",
    "build_model",
    "check_supported",
    "pyomo_inputs",
]
