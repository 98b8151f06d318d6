"""Hourly input series for the builder: renewable capacity factors, demand and power prices.

Synthetic profiles come from :mod:`caspian.inputs.weather` (seeded, calibrated to the sourced annual capacity
factors); a user CSV named in the spec's ``profiles.files`` replaces one. Every series is indexed by
the model's snapshots. :attr:`Profiles.sources` records which was used for each.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd

from caspian.errors import InputError
from caspian.inputs import weather as synth
from caspian.inputs.context import BuildContext

PRICE_SHAPE_EXPONENT = 1.0
"""Elasticity of the hourly power price to the hourly demand shape within a month (stated modelling
assumption): hourly price = monthly mean × (demand / monthly mean demand) ** exponent, renormalised so
each month's mean equals the Ember monthly price."""


def _stable_seed(base: int, name: str) -> int:
    return (base * 1_000_003 + zlib.crc32(name.encode())) % (2**32)


def scale_to_peak(shape: pd.Series, peak_to_mean: float) -> pd.Series:
    """Stretch a mean-1 shape around its mean so that its maximum equals ``peak_to_mean``.

    The mean stays 1; raises InputError when the stretch would make demand negative."""
    swing = shape.max() - 1.0
    if peak_to_mean <= 1.0 or swing <= 0:
        raise InputError(f"demand peak/mean ratio {peak_to_mean:.3f} must exceed 1")
    scaled = 1.0 + (shape - 1.0) * ((peak_to_mean - 1.0) / swing)
    if scaled.min() <= 0:
        raise InputError(f"demand peak/mean ratio {peak_to_mean:.3f} too high for the demand shape")
    return scaled


class Profiles:
    """Lazily generated hourly series for one build, sliced to the build's snapshots."""

    def __init__(self, ctx: BuildContext) -> None:
        self._ctx = ctx
        self._year = ctx.spec.year
        self._full_index = synth.hourly_index(self._year)
        self.sources: dict[str, str] = {}

    def _slice(self, series: pd.Series) -> pd.Series:
        values = pd.Series(series.to_numpy(), index=self._full_index)
        return values.loc[self._ctx.snapshots]

    def _shape_at(self, bus: str, name: str) -> pd.Series:
        """Demand shape at a bus's coordinates, local time from its longitude (15° per hour)."""
        site = self._ctx.data.table("buses").set_index("bus").loc[bus]
        seed = _stable_seed(self._ctx.spec.profiles.seed, name)
        shape = synth.demand_shape(
            float(site["lat"]), self._year, seed, utc_offset_hours=round(site["lon"] / 15)
        )
        self.sources[name] = f"synthetic demand shape at {site['site']} (seed {seed})"
        return shape

    def demand(self, bus: str, name: str, peak_to_mean: float | None) -> pd.Series:
        """Hourly demand shape ``name`` at an AC bus (mean 1 over the year), per unit; with
        ``peak_to_mean`` its swing around the mean is scaled so that the annual maximum equals the
        sourced peak."""
        shape = self._shape_at(bus, name)
        if peak_to_mean is not None:
            shape = scale_to_peak(shape, peak_to_mean)
            self.sources[name] += f", scaled to peak/mean {peak_to_mean:.3f}"
        return self._slice(shape)

    def renewable(self, row: pd.Series, name: str) -> pd.Series:
        """Hourly capacity factor of the wind or solar fleet ``name`` (a ``renewables.csv`` row), per
        unit of capacity."""
        user_file = self._ctx.spec.profiles.files.get(name)
        if user_file is not None:
            try:
                frame = synth.read_profile_csv(Path(user_file), self._year)
            except synth.ProfileError as exc:
                raise InputError(
                    f"network '{self._ctx.spec.name}': field 'profiles.files.{name}': {exc}"
                ) from None
            self.sources[name] = f"user file {user_file} (column {frame.columns[0]})"
            return self._slice(frame.iloc[:, 0])
        seed = _stable_seed(self._ctx.spec.profiles.seed, name)
        cf = float(row["capacity_factor"])
        if row["technology"] == "solar":
            series = synth.solar_capacity_factor(row["lat"], row["lon"], self._year, cf, seed)
            model = "pvlib clear-sky + stochastic clearness"
        else:
            offshore = row["technology"] == "offwind"
            series = synth.wind_capacity_factor(row["lat"], row["lon"], self._year, cf, seed, offshore)
            model = "Weibull/AR(1) wind + IEC class-II power curve"
        self.sources[name] = f"synthetic {model}, annual CF {cf:.3f} (seed {seed})"
        return self._slice(series)

    def power_price(self, row: pd.Series) -> pd.Series:
        """Hourly price of a European power market, EUR/MWh, shaped from monthly means."""
        ctx = self._ctx
        year = ctx.spec.markets.power_price_year
        monthly = ctx.data.table("power_prices_monthly")
        monthly = monthly[(monthly["country"] == row["country"]) & (monthly["from_year"] == year)]
        month_of_hour = self._full_index.month
        if len(monthly) == 12:
            means = monthly.set_index("month")["price_eur_mwh"]
            basis = f"Ember monthly means {year}"
        elif monthly.empty:
            means = pd.Series(float(row["annual_mean_eur_mwh"]), index=range(1, 13))
            basis = "annual mean (no monthly prices in data)"
        else:
            raise InputError(
                f"{ctx.data.root / 'power_prices_monthly.csv'}: field 'month': "
                f"{row['country']} {year} has {len(monthly)} months, expected 12"
            )
        shape = self._shape_at(row["bus"], f"{row['bus']} demand shape")
        shape = pd.Series(shape.to_numpy(), index=self._full_index) ** PRICE_SHAPE_EXPONENT
        shape = shape / shape.groupby(month_of_hour).transform("mean")
        price = shape * means.reindex(month_of_hour).to_numpy()
        self.sources[f"{row['bus']} price"] = (
            f"{basis}, hourly shape from demand (exponent {PRICE_SHAPE_EXPONENT})"
        )
        return self._slice(price.round(4))
