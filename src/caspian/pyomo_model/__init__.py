"""Independent Pyomo formulation of the caspian model, for cross-checking the PyPSA/linopy one.

Gas, electricity and coupled networks: :func:`pyomo_inputs` derives the inputs from the validated spec
and the data (:mod:`~caspian.pyomo_model.gas_inputs`, :mod:`~caspian.pyomo_model.power_inputs`), and
:class:`PyomoModel` builds the LP/MILP (:mod:`~caspian.pyomo_model.gas`, :mod:`~caspian.pyomo_model.power`,
:mod:`~caspian.pyomo_model.model`) and solves it with HiGHS through Pyomo's APPSI interface.

It never reads the ``pypsa.Network`` or the linopy model. What it shares with the PyPSA/linopy side is
exactly what lives in :mod:`caspian.inputs` (plus :mod:`caspian.units` and :mod:`caspian.naming`), and an
error there is one the cross-check cannot see, because both formulations inherit it:

* the validated, resolved spec (:mod:`~caspian.inputs.spec`) and data tables with their rows in force
  for the model year (:mod:`~caspian.inputs.tables`);
* the build context (:mod:`~caspian.inputs.context`): snapshots, discount rate, bus selection, name
  checks and the slack's cost and capacity;
* costs (:mod:`~caspian.inputs.costs`): annuities, technology annual costs, project options and the
  lower-convex-hull segments of lumpy projects;
* committed fleets (:mod:`~caspian.inputs.fleets`): unit counts, unit sizes, minimum load, start-up cost,
  minimum up/down times, and how starts are counted;
* hourly series (:mod:`~caspian.inputs.series`, :mod:`~caspian.inputs.weather`): renewable capacity
  factors, demand shapes and power-market prices;
* HiGHS defaults (:mod:`~caspian.inputs.solver`) and unit conversions (:mod:`caspian.units`).

Everything else — time aggregation, every variable, constraint and cost term, the MILP options, unit
commitment's algebra, the summary of results — is written independently and is what the cross-check
tests.
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
