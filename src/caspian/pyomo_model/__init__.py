"""Independent Pyomo formulation of the caspian model, for cross-checking the PyPSA/linopy one.

Gas, electricity and coupled networks: :func:`pyomo_inputs` derives the inputs from the validated spec
and the data (:mod:`~caspian.pyomo_model.gas_inputs`, :mod:`~caspian.pyomo_model.power_inputs`), and
:class:`PyomoModel` builds the LP/MILP (:mod:`~caspian.pyomo_model.gas`, :mod:`~caspian.pyomo_model.power`,
:mod:`~caspian.pyomo_model.model`) and solves it with HiGHS through Pyomo's APPSI interface.
"""

from caspian.pyomo_model.inputs import PyomoInputs, check_supported, pyomo_inputs
from caspian.pyomo_model.model import KIND_UNITS, PyomoModel, PyomoResult, build_model

__all__ = [
    "KIND_UNITS",
    "PyomoInputs",
    "PyomoModel",
    "PyomoResult",
    "build_model",
    "check_supported",
    "pyomo_inputs",
]
