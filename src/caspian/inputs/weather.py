"""Hourly renewable capacity factors and demand shapes.

No public hourly series exists for Azerbaijan, Kazakhstan or Uzbekistan, so this module
generates them from documented physical models, calibrated to sourced annual capacity
factors, seeded and deterministic. Users can instead supply a renewables.ninja-style CSV
(:func:`read_profile_csv`).

Conventions:

* Snapshots are hourly, tz-naive UTC: ``pd.date_range(f"{year}-01-01", periods=8760,
  freq="h")`` -- always 8760 values, also in leap years (Dec 31 of a leap year is dropped).
* Capacity factors are per unit of (AC) nameplate capacity, in [0, 1].
* Outputs are rounded to 1e-6 and values below 1e-6 are set to 0 (HiGHS warns on tiny
  coefficients).
* Randomness: ``np.random.default_rng([seed, stream])`` with a distinct stream per model,
  so solar, wind and demand drawn with the same seed are not fed the same innovations.
  Two *sites* given the same seed share the same weather-anomaly sequence (perfectly
  correlated); pass distinct seeds for independent sites.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from scipy.optimize import brentq
from scipy.signal import lfilter
from scipy.special import expit, log_ndtr

from caspian.errors import InputError

__all__ = [
    "ProfileError",
    "demand_shape",
    "hourly_index",
    "read_profile_csv",
    "solar_capacity_factor",
    "wind_capacity_factor",
]

HOURS_PER_YEAR = 8760  # [h] fixed snapshot count, also in leap years (design decision)
ROUND_DECIMALS = 6  # [-] outputs rounded to 1e-6 (avoid HiGHS tiny-coefficient warnings)
CALIBRATION_XTOL = 1e-9  # [knob units] brentq tolerance; gives |mean - target| << 1e-3

# --- Random-stream identifiers (stated modelling assumption: independent streams) -------
_STREAM_SOLAR, _STREAM_WIND, _STREAM_DEMAND = 1, 2, 3

# --- Synthetic ambient temperature (stated modelling assumption: a rough zonal sinusoid,
# --- not fitted to station data; continental effects ignored) --------------------------
TEMP_MEAN_AT_EQUATOR = 28.0  # [degC] annual-mean air temperature at latitude 0
TEMP_MEAN_LAPSE_PER_DEG = 0.35  # [degC per degree |latitude|] decrease of annual mean
TEMP_SEASONAL_AMP_PER_DEG = 0.30  # [degC per degree |latitude|] half of July-January range
TEMP_COLDEST_DOY = 20  # [day of year] coldest day in the northern hemisphere
TEMP_DIURNAL_AMP = 5.0  # [degC] half of daily max-min range
TEMP_WARMEST_HOUR = 15.0  # [h, local solar time] time of daily maximum temperature

# --- Solar model ------------------------------------------------------------------------
# Daily clear-sky index kc = GHI / GHI_clearsky, modelled as KC_MIN + (KC_MAX - KC_MIN) *
# expit(z), with z a seeded AR(1) on the logit scale around a seasonal mean (stated
# modelling assumption, shape after the logit-AR clearness models of the literature).
KC_MIN = 0.05  # [-] floor: overcast days still transmit diffuse light (assumption)
KC_MAX = 1.0  # [-] ceiling: cloud enhancement ignored (assumption)
KC_LOGIT_MEAN = 1.2  # [logit] annual mean of z (mean kc ~ 0.73; assumption, arid climate)
KC_LOGIT_SEASONAL_AMP = 0.6  # [logit] summer-clearer amplitude (assumption)
KC_CLEAREST_DOY = 196  # [day of year] clearest day in the northern hemisphere (assumption)
KC_DAILY_AR_PHI = 0.6  # [-] day-to-day autocorrelation of z (assumption)
KC_DAILY_SIGMA = 1.2  # [logit] stationary std of the daily z anomaly (assumption)
KC_HOURLY_AR_PHI = 0.8  # [-] hour-to-hour autocorrelation of intra-day z noise (assumption)
KC_HOURLY_SIGMA = 0.4  # [logit] stationary std of the intra-day z noise (assumption)
ALBEDO = 0.2  # [-] ground reflectance (PVWatts v5 default)
TRANSPOSITION_MODEL = "haydavies"  # pvlib.irradiance.get_total_irradiance model
SITE_ALTITUDE = 0.0  # [m] clear-sky altitude; sea level (assumption, conservative)
LINKE_TURBIDITY_FALLBACK = 3.0  # [-] used only if pvlib's climatology lookup fails
WIND_SPEED_FOR_CELL_TEMP = 1.0  # [m/s] constant wind for cell temperature (assumption)
SAPM_TEMP_PARAMS = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][
    "open_rack_glass_polymer"
]  # SAPM cell-temperature coefficients (King et al. 2004, via pvlib)
PV_GAMMA_PDC = -0.0035  # [1/degC] DC temperature coefficient (PVWatts v5 "premium" c-Si)
PV_DC_AC_RATIO = 1.25  # [-] DC nameplate / AC nameplate (typical utility plant; assumption)
PV_SYSTEM_LOSSES = 0.14  # [-] DC system losses (PVWatts v5 default)
PV_INVERTER_ETA_NOM = 0.96  # [-] nominal inverter efficiency (PVWatts v5 default)
# Calibration knob: a dimensionless "performance factor" f multiplying the DC output (after
# PV_SYSTEM_LOSSES) before the inverter; f = 1 is the nominal plant. brentq finds f.
SOLAR_KNOB_BOUNDS = (1e-3, 20.0)  # [-] search interval for f

# --- Wind model -------------------------------------------------------------------------
WEIBULL_SHAPE_ONSHORE = 2.0  # [-] Weibull k at hub height, onshore (Rayleigh; assumption)
WEIBULL_SHAPE_OFFSHORE = 2.2  # [-] Weibull k offshore (typical marine value; assumption)
WIND_AR_PHI = 0.97  # [-] hourly lag-1 autocorrelation of the Gaussian copula process (assumption)
WIND_SEASONAL_AMP_ONSHORE = 0.12  # [-] relative winter-windier modulation (assumption)
WIND_SEASONAL_AMP_OFFSHORE = 0.10  # [-] relative winter-windier modulation (assumption)
WIND_WINDIEST_DOY = 15  # [day of year] windiest day in the northern hemisphere (assumption)
WIND_DIURNAL_AMP_ONSHORE = 0.05  # [-] relative diurnal modulation (assumption)
WIND_DIURNAL_AMP_OFFSHORE = 0.02  # [-] relative diurnal modulation (assumption)
WIND_WINDIEST_HOUR = 15.0  # [h, local solar time] diurnal maximum (assumption)
# Generic IEC class-II power curve (stated modelling assumption): zero below cut-in,
# (v^3 - v_in^3) / (v_r^3 - v_in^3) between cut-in and rated, 1 to cut-out, 0 above.
CUT_IN_SPEED = 3.0  # [m/s]
RATED_SPEED = 12.0  # [m/s]
CUT_OUT_SPEED = 25.0  # [m/s]
WAKE_LOSS_ONSHORE = 0.05  # [-] array wake loss, onshore (assumption)
WAKE_LOSS_OFFSHORE = 0.10  # [-] array wake loss, offshore (assumption)
AVAILABILITY_ONSHORE = 0.97  # [-] technical availability, onshore (assumption)
AVAILABILITY_OFFSHORE = 0.95  # [-] technical availability, offshore (assumption)
# Calibration knob: Weibull scale c [m/s] of the unmodulated marginal; brentq finds c on
# the rising branch of mean-CF(c) (below the scale that maximises the mean CF).
WIND_SCALE_GRID = np.linspace(0.5, 30.0, 119)  # [m/s] grid to bracket the rising branch

# --- Demand shape (stated modelling assumptions) ----------------------------------------
DEFAULT_UTC_OFFSET_HOURS = 4.0  # [h] local standard time - UTC (Azerbaijan, UTC+4)
DIURNAL_MORNING_PEAK = (9.0, 0.12, 2.0)  # (hour [h local], rel. height [-], width [h])
DIURNAL_EVENING_PEAK = (20.0, 0.20, 2.5)  # (hour [h local], rel. height [-], width [h])
DIURNAL_NIGHT_TROUGH = (4.0, -0.22, 3.0)  # (hour [h local], rel. depth [-], width [h])
WEEKDAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.93, 0.87)  # [-] Monday..Sunday
HEATING_BASE_TEMP = 15.5  # [degC] heating base; assumption (cf. Eurostat 15 C threshold)
COOLING_BASE_TEMP = 22.0  # [degC] cooling base; assumption (cf. Eurostat 21 C base)
DEMAND_NOISE_AR_PHI = 0.9  # [-] hourly autocorrelation of multiplicative demand noise
DEMAND_NOISE_SIGMA = 0.02  # [-] stationary std of multiplicative demand noise


class ProfileError(InputError, ValueError):
    """Invalid profile input: unreadable/malformed CSV or infeasible calibration target."""


# --- Helpers ---
def hourly_index(year: int) -> pd.DatetimeIndex:
    """Return the 8760 hourly snapshots of ``year`` (tz-naive, UTC), starting Jan 1 00:00."""
    return pd.date_range(f"{int(year)}-01-01", periods=HOURS_PER_YEAR, freq="h")


def _finish(values: np.ndarray, index: pd.DatetimeIndex, name: str) -> pd.Series:
    """Clip to [0, 1], zero values below 1e-6, round to 1e-6 and wrap as a Series."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), 0.0, 1.0)
    v = np.round(np.where(v < 10.0**-ROUND_DECIMALS, 0.0, v), ROUND_DECIMALS)
    return pd.Series(v, index=index, name=name)


def _check_site(lat: float, lon: float, target_cf: float) -> None:
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 360.0:
        raise ProfileError(f"site ({lat}, {lon}): latitude/longitude out of range")
    if not 0.0 < target_cf < 1.0:
        raise ProfileError(f"target_cf={target_cf}: must lie strictly between 0 and 1")


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """Stationary AR(1) series of length n with lag-1 correlation phi and std sigma."""
    eps = rng.standard_normal(n)
    eps[0] /= np.sqrt(1.0 - phi**2)  # start from the stationary distribution
    return sigma * np.sqrt(1.0 - phi**2) * lfilter([1.0], [1.0, -phi], eps)


def _annual_cycle(index: pd.DatetimeIndex, peak_doy: float, lat: float) -> np.ndarray:
    """cos of the annual phase, = +1 on ``peak_doy`` (northern) / half a year later (southern)."""
    doy = index.dayofyear.to_numpy() + index.hour.to_numpy() / 24.0
    hemisphere = 1.0 if lat >= 0 else -1.0
    return hemisphere * np.cos(2.0 * np.pi * (doy - peak_doy) / 365.25)


def _local_hour(index: pd.DatetimeIndex, offset_hours: float) -> np.ndarray:
    """Hour of day in a local time ``offset_hours`` ahead of UTC, in [0, 24)."""
    return np.mod(index.hour.to_numpy() + index.minute.to_numpy() / 60.0 + offset_hours, 24.0)


def _synthetic_temperature(index: pd.DatetimeIndex, lat: float, offset_hours: float) -> np.ndarray:
    """Synthetic ambient air temperature [degC]: zonal annual mean + seasonal + diurnal."""
    alat = abs(lat)
    mean = TEMP_MEAN_AT_EQUATOR - TEMP_MEAN_LAPSE_PER_DEG * alat
    seasonal = -TEMP_SEASONAL_AMP_PER_DEG * alat * _annual_cycle(index, TEMP_COLDEST_DOY, lat)
    hour = _local_hour(index, offset_hours)
    diurnal = TEMP_DIURNAL_AMP * np.cos(2.0 * np.pi * (hour - TEMP_WARMEST_HOUR) / 24.0)
    return mean + seasonal + diurnal


def _calibrate(func: Callable[[float], float], target: float, lo: float, hi: float, what: str) -> float:
    """brentq root of func(x) - target on [lo, hi]; ProfileError if not bracketed."""
    f_lo, f_hi = func(lo) - target, func(hi) - target
    if f_lo > 0 or f_hi < 0:
        raise ProfileError(
            f"{what}: target_cf={target} unreachable (model range {f_lo + target:.4f}..{f_hi + target:.4f})"
        )
    return brentq(lambda x: func(x) - target, lo, hi, xtol=CALIBRATION_XTOL)


# --- Solar ---
def solar_capacity_factor(lat: float, lon: float, year: int, target_cf: float, seed: int) -> pd.Series:
    """Hourly fixed-tilt PV capacity factor [per unit of AC capacity], calibrated.

    Chain: pvlib solar position -> Ineichen clear-sky (Linke turbidity from pvlib's
    climatology) -> seeded stochastic clear-sky index (daily logit-AR(1) with a seasonal
    mean plus intra-day AR(1) noise) -> Erbs decomposition -> Hay-Davies plane-of-array
    irradiance on a tilt of |lat| facing the equator (azimuth 180 deg in the north) ->
    SAPM cell temperature on a synthetic air temperature -> PVWatts DC
    (``PV_GAMMA_PDC``, ``PV_SYSTEM_LOSSES``, ``PV_DC_AC_RATIO``) -> PVWatts inverter
    clipped at 1.0 per unit AC.

    Calibration: the performance factor f (dimensionless multiplier on the DC output,
    nominal 1) is found by brentq so that the annual mean equals ``target_cf``
    (within 1e-3; in practice ~1e-6). The found f is stored in ``series.attrs``.

    Args:
        lat: latitude [degrees north]. lon: longitude [degrees east].
        year: model year (snapshots of :func:`hourly_index`).
        target_cf: annual mean AC capacity factor [-], 0 < target_cf < 1.
        seed: random seed (deterministic for given arguments).

    Returns:
        Series named "solar" on :func:`hourly_index` (UTC), values in [0, 1], 0 at night.
    """
    _check_site(lat, lon, target_cf)
    index = hourly_index(year)
    times, n = index.tz_localize("UTC"), len(index)

    solpos = pvlib.solarposition.get_solarposition(times, lat, lon, altitude=SITE_ALTITUDE)
    zenith, app_zenith, azimuth = (solpos[c].to_numpy() for c in ("zenith", "apparent_zenith", "azimuth"))
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    try:
        linke = pvlib.clearsky.lookup_linke_turbidity(times, lat, lon).to_numpy()
    except Exception:  # pragma: no cover - pvlib ships the file; fallback for safety
        linke = np.full(n, LINKE_TURBIDITY_FALLBACK)
    am_rel = pvlib.atmosphere.get_relative_airmass(app_zenith)
    am_abs = pvlib.atmosphere.get_absolute_airmass(am_rel, pvlib.atmosphere.alt2pres(SITE_ALTITUDE))
    with np.errstate(divide="ignore", invalid="ignore"):  # night: airmass is NaN
        clear = pvlib.clearsky.ineichen(app_zenith, am_abs, linke, SITE_ALTITUDE, dni_extra)
    ghi_clear = np.nan_to_num(np.asarray(clear["ghi"], dtype=float))

    # Seeded clear-sky index: daily logit-AR(1) around a seasonal mean + hourly noise.
    rng = np.random.default_rng([int(seed), _STREAM_SOLAR])
    n_days = n // 24 + 1
    z_daily = _ar1(rng, n_days, KC_DAILY_AR_PHI, KC_DAILY_SIGMA)
    z_hourly = _ar1(rng, n, KC_HOURLY_AR_PHI, KC_HOURLY_SIGMA)
    z = (
        KC_LOGIT_MEAN
        + KC_LOGIT_SEASONAL_AMP * _annual_cycle(index, KC_CLEAREST_DOY, lat)
        + z_daily[np.arange(n) // 24]
        + z_hourly
    )
    kc = KC_MIN + (KC_MAX - KC_MIN) * expit(z)
    ghi = ghi_clear * kc

    split = pvlib.irradiance.erbs(ghi, zenith, index.dayofyear.to_numpy())
    poa = pvlib.irradiance.get_total_irradiance(
        abs(lat), 180.0 if lat >= 0 else 0.0, app_zenith, azimuth,  # tilt, equator-facing
        np.asarray(split["dni"]), ghi, np.asarray(split["dhi"]),
        dni_extra=dni_extra, albedo=ALBEDO, model=TRANSPOSITION_MODEL,
    )  # fmt: skip
    poa_global = np.clip(np.nan_to_num(np.asarray(poa["poa_global"], dtype=float)), 0, None)
    night = zenith >= 90.0
    poa_global[night] = 0.0

    temp_air = _synthetic_temperature(index, lat, lon / 15.0)
    temp_cell = pvlib.temperature.sapm_cell(
        poa_global, temp_air, WIND_SPEED_FOR_CELL_TEMP, **SAPM_TEMP_PARAMS
    )
    # DC per unit of AC capacity for the nominal plant (f = 1).
    pdc_nominal = pvlib.pvsystem.pvwatts_dc(poa_global, temp_cell, PV_DC_AC_RATIO, PV_GAMMA_PDC) * (
        1.0 - PV_SYSTEM_LOSSES
    )
    pdc_nominal = np.clip(np.asarray(pdc_nominal, dtype=float), 0.0, None)
    pdc0_inv = 1.0 / PV_INVERTER_ETA_NOM  # inverter DC rating so that AC limit is 1.0

    def ac(factor: float) -> np.ndarray:
        pac = pvlib.inverter.pvwatts(factor * pdc_nominal, pdc0_inv, PV_INVERTER_ETA_NOM)
        return np.minimum(np.asarray(pac, dtype=float), 1.0)

    factor = _calibrate(lambda f: float(ac(f).mean()), target_cf, *SOLAR_KNOB_BOUNDS, "solar")
    out = ac(factor)
    out[night] = 0.0
    series = _finish(out, index, "solar")
    series.attrs["performance_factor"] = factor
    return series


# --- Wind ---
def _power_curve(speed: np.ndarray) -> np.ndarray:
    """Generic IEC class-II power curve: per-unit output for hub-height speed [m/s]."""
    cubic = (speed**3 - CUT_IN_SPEED**3) / (RATED_SPEED**3 - CUT_IN_SPEED**3)
    out = np.where(speed < RATED_SPEED, cubic, 1.0)
    return np.where((speed < CUT_IN_SPEED) | (speed >= CUT_OUT_SPEED), 0.0, out)


def wind_capacity_factor(
    lat: float, lon: float, year: int, target_cf: float, seed: int, offshore: bool = False
) -> pd.Series:
    """Hourly wind-farm capacity factor [per unit of installed capacity], calibrated.

    Model: a seeded Gaussian AR(1) process x_t (lag-1 correlation ``WIND_AR_PHI``, unit
    variance) is mapped through a Gaussian copula to a Weibull marginal with shape k
    (``WEIBULL_SHAPE_ONSHORE``/``_OFFSHORE``) and scale c [m/s]; the speed is modulated
    by ``1 + A_s cos(season) + A_d cos(local solar hour)`` (winter- and afternoon-windier),
    passed through the generic IEC class-II power curve (cut-in 3, rated 12, cut-out
    25 m/s, cubic in between) and multiplied by (1 - wake loss) x availability.

    Calibration: c is found by brentq on the rising branch of mean-CF(c) so the annual
    mean equals ``target_cf`` (within 1e-3; in practice ~1e-6). Stored in ``attrs``.

    Args:
        lat: latitude [degrees north]. lon: longitude [degrees east].
        year: model year. target_cf: annual mean capacity factor [-], 0 < target_cf < 1.
        seed: random seed. offshore: use the offshore shape, modulation and losses.

    Returns:
        Series named "offwind"/"onwind" on :func:`hourly_index` (UTC), values in [0, 1].
    """
    _check_site(lat, lon, target_cf)
    index = hourly_index(year)
    if offshore:
        k, a_s, a_d = WEIBULL_SHAPE_OFFSHORE, WIND_SEASONAL_AMP_OFFSHORE, WIND_DIURNAL_AMP_OFFSHORE
        derate = (1.0 - WAKE_LOSS_OFFSHORE) * AVAILABILITY_OFFSHORE
    else:
        k, a_s, a_d = WEIBULL_SHAPE_ONSHORE, WIND_SEASONAL_AMP_ONSHORE, WIND_DIURNAL_AMP_ONSHORE
        derate = (1.0 - WAKE_LOSS_ONSHORE) * AVAILABILITY_ONSHORE

    rng = np.random.default_rng([int(seed), _STREAM_WIND])
    x = _ar1(rng, len(index), WIND_AR_PHI, 1.0)
    # Weibull quantile at u = Phi(x) for unit scale: (-ln(1 - u))^(1/k), 1 - u = Phi(-x).
    unit_speed = (-log_ndtr(-x)) ** (1.0 / k)
    hour = _local_hour(index, lon / 15.0)
    modulation = (
        1.0
        + a_s * _annual_cycle(index, WIND_WINDIEST_DOY, lat)
        + a_d * np.cos(2.0 * np.pi * (hour - WIND_WINDIEST_HOUR) / 24.0)
    )
    shape = unit_speed * modulation

    def cf(scale: float) -> np.ndarray:
        return derate * _power_curve(scale * shape)

    means = np.array([cf(c).mean() for c in WIND_SCALE_GRID])
    hi = float(WIND_SCALE_GRID[int(np.argmax(means))])
    scale = _calibrate(lambda c: float(cf(c).mean()), target_cf, WIND_SCALE_GRID[0], hi, "wind")
    series = _finish(cf(scale), index, "offwind" if offshore else "onwind")
    series.attrs["weibull_scale_m_per_s"] = scale
    series.attrs["weibull_shape"] = k
    return series


# --- Demand ---
def _diurnal_shape(hour: np.ndarray) -> np.ndarray:
    """Relative diurnal demand pattern [-]: morning/evening peaks, night trough."""
    shape = np.ones_like(hour, dtype=float)
    for centre, height, width in (DIURNAL_MORNING_PEAK, DIURNAL_EVENING_PEAK, DIURNAL_NIGHT_TROUGH):
        d = np.abs(hour - centre)
        d = np.minimum(d, 24.0 - d)  # circular distance in hours
        shape += height * np.exp(-0.5 * (d / width) ** 2)
    return shape


def demand_shape(
    lat: float,
    year: int,
    seed: int,
    heating_share: float = 0.2,
    cooling_share: float = 0.1,
    utc_offset_hours: float = DEFAULT_UTC_OFFSET_HOURS,
) -> pd.Series:
    """Hourly electricity-demand shape [-] with annual mean exactly 1.0, all values > 0.

    demand = base + heating + cooling, times (1 + seeded AR(1) noise), renormalised:

    * base: diurnal pattern (morning/evening peaks, night trough, in local time) x
      weekday factor (``WEEKDAY_FACTORS``), share ``1 - heating_share - cooling_share``;
    * heating: heating degree-hours below ``HEATING_BASE_TEMP`` of a synthetic air
      temperature (zonal sinusoid by latitude), x the diurnal pattern (occupancy);
    * cooling: cooling degree-hours above ``COOLING_BASE_TEMP``.

    Args:
        lat: latitude [degrees north]; sets the synthetic temperature and hemisphere.
        year: model year (snapshots of :func:`hourly_index`, UTC).
        seed: random seed for the noise (deterministic).
        heating_share: fraction [-] of annual demand that is heating-driven, in [0, 1].
        cooling_share: fraction [-] of annual demand that is cooling-driven, in [0, 1];
            heating_share + cooling_share <= 1. A share whose degree-hours are zero at
            this latitude (e.g. no cooling in a cold climate) is folded into the base.
        utc_offset_hours: local standard time minus UTC [h] for the diurnal/weekly
            pattern (default 4, Azerbaijan; 5 for Kazakhstan/Uzbekistan).

    Returns:
        Series named "demand" on :func:`hourly_index`, mean 1.0 (to ~1e-12).
    """
    if not -90.0 <= lat <= 90.0:
        raise ProfileError(f"lat={lat}: latitude out of range")
    if heating_share < 0 or cooling_share < 0 or heating_share + cooling_share > 1:
        raise ProfileError(
            f"heating_share={heating_share}, cooling_share={cooling_share}: "
            "shares must be >= 0 and sum to <= 1"
        )
    index = hourly_index(year)
    hour = _local_hour(index, utc_offset_hours)
    local = index + pd.Timedelta(hours=utc_offset_hours)
    weekday = np.asarray(WEEKDAY_FACTORS)[local.dayofweek.to_numpy()]
    diurnal = _diurnal_shape(hour)
    temp = _synthetic_temperature(index, lat, utc_offset_hours)

    base = diurnal * weekday
    heating = np.clip(HEATING_BASE_TEMP - temp, 0, None) * diurnal
    cooling = np.clip(temp - COOLING_BASE_TEMP, 0, None)
    total = np.zeros(len(index))
    base_share = 1.0 - heating_share - cooling_share
    for comp, share in ((heating, heating_share), (cooling, cooling_share)):
        if comp.mean() > 0:
            total += share * comp / comp.mean()
        else:  # no degree-hours at this latitude: fold the share into the base
            base_share += share
    total += base_share * base / base.mean()

    rng = np.random.default_rng([int(seed), _STREAM_DEMAND])
    noise = _ar1(rng, len(index), DEMAND_NOISE_AR_PHI, DEMAND_NOISE_SIGMA)
    total = total * np.clip(1.0 + noise, 0.5, None)
    total = np.round(total / total.mean(), ROUND_DECIMALS)
    # Rounding shifts the mean by ~1e-9; restore it exactly by 1e-6 steps on the largest.
    steps = round(float(len(total) - total.sum()) * 10**ROUND_DECIMALS)
    if steps:
        largest = np.argsort(total)[::-1][: abs(steps)]
        total[largest] = np.round(total[largest] + np.sign(steps) * 1e-6, ROUND_DECIMALS)
    return pd.Series(total, index=index, name="demand")


# --- CSV input ---

TIME_COLUMNS = ("time", "local_time")  # renewables.ninja time columns (UTC / local)
# renewables.ninja weather columns, not capacity factors: dropped on read.
WEATHER_COLUMNS = frozenset({"wind_speed", "irradiance_direct", "irradiance_diffuse", "temperature"})
LEAP_HOURS = 8784  # [h] rows of a leap-year file
FEB29_START_HOUR = 59 * 24  # [h] hour-of-year where Feb 29 starts in a leap year


def _one_line(exc: BaseException) -> str:
    """A reader's error message on one line, without pandas' tokenizer preamble."""
    text = " ".join(str(exc).split())
    return text.removeprefix("Error tokenizing data. C error: ") or type(exc).__name__


def read_profile_csv(path: Path, year: int) -> pd.DataFrame:
    """Read a renewables.ninja-style hourly capacity-factor CSV onto :func:`hourly_index`.

    Format: optional leading comment lines starting with ``#``; a header; a time column
    named ``time`` or ``local_time`` (else the first column is taken as time); one or
    more numeric capacity-factor columns [per unit] in [0, 1]. renewables.ninja weather
    columns (``WEATHER_COLUMNS``) are dropped. The file must have 8760 or 8784 rows;
    rows are mapped by hour-of-year (the file's weather year may differ from ``year``);
    Feb 29 of a leap file is dropped (located via the time column, else rows 1416-1439).

    Raises:
        ProfileError: one-line message naming the file, the column (for a bad column) and the reason.
    """
    path = Path(path)
    if not path.is_file():
        raise ProfileError(f"{path}: {'not a regular file' if path.exists() else 'file not found'}")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        skip = next((i for i, ln in enumerate(lines) if ln.strip()[:1] not in ("", "#")), 0)
        raw = pd.read_csv(path, skiprows=skip, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ProfileError(f"{path}: not a readable profile CSV ({_one_line(exc)})") from exc
    raw.columns = [str(c).strip() for c in raw.columns]

    time_cols = [c for c in raw.columns if c in TIME_COLUMNS]
    if not time_cols and len(raw.columns):
        time_cols = [raw.columns[0]]
    time_col = time_cols[0] if time_cols else "-"
    data_cols = [c for c in raw.columns if c not in time_cols and c not in WEATHER_COLUMNS]
    if not data_cols:
        raise ProfileError(f"{path}: no capacity-factor column besides time")
    if len(raw) not in (HOURS_PER_YEAR, LEAP_HOURS):
        raise ProfileError(
            f"{path}: column {time_col}: has {len(raw)} rows, expected "
            f"{HOURS_PER_YEAR} or {LEAP_HOURS} hourly rows"
        )

    frame = {}
    for col in data_cols:
        text = raw[col].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        empty = text.str.lower().isin(["", "nan", "na", "null", "none"])
        bad = values.isna() & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ProfileError(
                f"{path}: column {col}: non-numeric value {text.iloc[row]!r} at data row {row + 1}"
            )
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise ProfileError(f"{path}: column {col}: NaN/missing value at data row {row + 1}")
        if (values < 0).any() or (values > 1).any():
            raise ProfileError(
                f"{path}: column {col}: values outside [0, 1] (min {values.min():g}, max {values.max():g})"
            )
        frame[col] = values.to_numpy(dtype=float)

    keep = np.ones(len(raw), dtype=bool)
    if len(raw) == LEAP_HOURS:
        keep[FEB29_START_HOUR : FEB29_START_HOUR + 24] = False
        if time_cols:
            stamps = pd.to_datetime(raw[time_col].str[:10], errors="coerce", format="%Y-%m-%d")
            feb29 = ((stamps.dt.month == 2) & (stamps.dt.day == 29)).to_numpy()
            if feb29.sum() == 24:
                keep = ~feb29
    values = np.column_stack([frame[c][keep] for c in data_cols])
    values = np.round(np.where(values < 10.0**-ROUND_DECIMALS, 0.0, values), ROUND_DECIMALS)
    return pd.DataFrame(values, index=hourly_index(year), columns=data_cols)
