"""Scenario sweeps: plan cases from a sweep file, run them serially, on processes or on Dask, resume,
and collect ``manifest.csv`` and ``sweep.nc``."""
