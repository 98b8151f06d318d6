"""Tests for caspian.inputs.weather: synthetic hourly capacity factors, demand shape, CSV input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caspian.inputs.weather import (
    ProfileError,
    demand_shape,
    hourly_index,
    read_profile_csv,
    solar_capacity_factor,
    wind_capacity_factor,
)

BAKU = (40.37, 49.84)  # [deg N, deg E]
YEAR = 2030


@pytest.fixture(scope="module")
def solar_baku() -> pd.Series:
    return solar_capacity_factor(*BAKU, YEAR, 0.18, seed=7)


@pytest.fixture(scope="module")
def wind_baku() -> pd.Series:
    return wind_capacity_factor(*BAKU, YEAR, 0.30, seed=7)


# --- index ---


@pytest.mark.parametrize("year", [2030, 2028])  # 2028 is a leap year
def test_hourly_index_is_8760_naive_hourly(year: int) -> None:
    idx = hourly_index(year)
    assert len(idx) == 8760
    assert idx.tz is None
    assert idx[0] == pd.Timestamp(f"{year}-01-01 00:00")
    assert ((idx[1:] - idx[:-1]) == pd.Timedelta(hours=1)).all()


# --- solar ---


@pytest.mark.parametrize("target", [0.18, 0.25])
def test_solar_calibrated_to_target(target: float) -> None:
    cf = solar_capacity_factor(*BAKU, YEAR, target, seed=1)
    assert len(cf) == 8760
    assert cf.index.equals(hourly_index(YEAR))
    assert abs(cf.mean() - target) < 1e-3
    assert cf.min() >= 0.0 and cf.max() <= 1.0


def test_solar_zero_at_local_midnight_positive_at_local_noon(solar_baku: pd.Series) -> None:
    # Baku local solar noon ~ 12 - 49.84/15 = 08:41 UTC, solar midnight ~ 20:41 UTC.
    summer = solar_baku["2030-06-01":"2030-08-31"]
    noon = summer[summer.index.hour == 9]
    midnight = solar_baku[solar_baku.index.hour == 21]
    assert (midnight == 0.0).all()
    assert (noon > 0.0).all()
    # Deep night hours are exactly zero all year.
    assert (solar_baku[solar_baku.index.hour.isin([18, 19, 20, 21, 22, 23, 0])] == 0.0).all()


def test_solar_summer_exceeds_winter(solar_baku: pd.Series) -> None:
    month = solar_baku.groupby(solar_baku.index.month).mean()
    assert month[[6, 7, 8]].mean() > 1.5 * month[[12, 1, 2]].mean()


def test_solar_southern_hemisphere_summer_in_january() -> None:
    cf = solar_capacity_factor(-30.0, 25.0, YEAR, 0.2, seed=1)
    month = cf.groupby(cf.index.month).mean()
    assert month[[12, 1, 2]].mean() > month[[6, 7, 8]].mean()


def test_solar_deterministic_and_seed_sensitive(solar_baku: pd.Series) -> None:
    again = solar_capacity_factor(*BAKU, YEAR, 0.18, seed=7)
    other = solar_capacity_factor(*BAKU, YEAR, 0.18, seed=8)
    pd.testing.assert_series_equal(solar_baku, again)
    assert not solar_baku.equals(other)
    assert (solar_baku - other).abs().max() > 0.05


def test_solar_rounded_no_tiny_values(solar_baku: pd.Series) -> None:
    v = solar_baku.to_numpy()
    assert not ((v > 0) & (v < 1e-6)).any()
    assert np.allclose(v, np.round(v, 6), rtol=0, atol=1e-12)


def test_solar_unreachable_target_raises() -> None:
    with pytest.raises(ProfileError, match="target_cf"):
        solar_capacity_factor(*BAKU, YEAR, 0.9, seed=1)
    with pytest.raises(ProfileError, match="target_cf"):
        solar_capacity_factor(*BAKU, YEAR, 0.0, seed=1)


# --- wind ---


@pytest.mark.parametrize("offshore", [False, True])
@pytest.mark.parametrize("target", [0.30, 0.43])
def test_wind_calibrated_to_target(target: float, offshore: bool) -> None:
    cf = wind_capacity_factor(*BAKU, YEAR, target, seed=3, offshore=offshore)
    assert len(cf) == 8760
    assert abs(cf.mean() - target) < 1e-3
    assert cf.min() >= 0.0 and cf.max() <= 1.0
    assert cf.name == ("offwind" if offshore else "onwind")


def test_wind_persistent_and_variable(wind_baku: pd.Series) -> None:
    lag1 = wind_baku.autocorr(1)
    assert 0.8 < lag1 < 1.0  # hourly persistence of the AR(1) copula process
    assert wind_baku.std() > 0.15  # not a flat profile
    assert (wind_baku == 0.0).mean() > 0.02  # calm hours below cut-in exist


def test_wind_winter_windier_than_summer(wind_baku: pd.Series) -> None:
    month = wind_baku.groupby(wind_baku.index.month).mean()
    assert month[[12, 1, 2]].mean() > month[[6, 7, 8]].mean()


def test_wind_deterministic_and_seed_sensitive(wind_baku: pd.Series) -> None:
    again = wind_capacity_factor(*BAKU, YEAR, 0.30, seed=7)
    other = wind_capacity_factor(*BAKU, YEAR, 0.30, seed=8)
    pd.testing.assert_series_equal(wind_baku, again)
    assert (wind_baku - other).abs().max() > 0.1


def test_wind_unreachable_target_raises() -> None:
    with pytest.raises(ProfileError, match="unreachable"):
        wind_capacity_factor(*BAKU, YEAR, 0.95, seed=1)


# --- demand ---


def test_demand_mean_one_positive_and_seasonal() -> None:
    d = demand_shape(BAKU[0], YEAR, seed=1, heating_share=0.3, cooling_share=0.1)
    assert len(d) == 8760
    assert abs(d.mean() - 1.0) < 1e-9
    assert (d > 0).all()
    month = d.groupby(d.index.month).mean()
    assert month[[12, 1, 2]].mean() > month[[3, 4, 5]].mean()
    assert month[7] > month[4]  # cooling component in summer


def test_demand_diurnal_and_weekly_pattern() -> None:
    d = demand_shape(BAKU[0], YEAR, seed=1, heating_share=0.0, cooling_share=0.0)
    local = d.copy()
    local.index = d.index + pd.Timedelta(hours=4)
    by_hour = local.groupby(local.index.hour).mean()
    assert by_hour[20] > by_hour[9] > by_hour[4]  # evening peak > morning peak > night trough
    by_day = local.groupby(local.index.dayofweek).mean()
    assert by_day[[0, 1, 2, 3, 4]].mean() > by_day[6]


def test_demand_deterministic_and_seed_sensitive() -> None:
    a = demand_shape(45.0, YEAR, seed=2)
    pd.testing.assert_series_equal(a, demand_shape(45.0, YEAR, seed=2))
    assert not a.equals(demand_shape(45.0, YEAR, seed=3))


def test_demand_heating_share_increases_winter_peak() -> None:
    low = demand_shape(BAKU[0], YEAR, seed=1, heating_share=0.0, cooling_share=0.0)
    high = demand_shape(BAKU[0], YEAR, seed=1, heating_share=0.4, cooling_share=0.0)
    assert high["2030-01"].mean() > low["2030-01"].mean() + 0.1
    assert abs(high.mean() - 1.0) < 1e-9


def test_demand_rejects_bad_shares() -> None:
    with pytest.raises(ProfileError, match="share"):
        demand_shape(40.0, YEAR, seed=1, heating_share=0.8, cooling_share=0.5)


# --- CSV input ---


def _write_ninja_csv(
    path: Path, weather_year: int = 2020, n: int | None = None, values=None, extra: str = ""
) -> Path:
    """Write a renewables.ninja-style CSV (comment lines, time/local_time/electricity)."""
    idx = pd.date_range(f"{weather_year}-01-01", f"{weather_year}-12-31 23:00", freq="h")
    if n is not None:
        idx = idx[:n]
    vals = np.linspace(0.0, 1.0, len(idx)) if values is None else values
    lines = [
        "# Renewables.ninja Wind Output (hourly), Version: 1.4",
        "# Units: time in UTC, local_time in UTC+04:00, electricity in kW per kW installed",
        "time,local_time,electricity" + extra,
    ]
    for t, v in zip(idx, vals, strict=True):
        local = t + pd.Timedelta(hours=4)
        lines.append(f"{t:%Y-%m-%d %H:%M},{local:%Y-%m-%d %H:%M},{v}" + (",7.5" if extra else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_round_trip_leap_year(tmp_path: Path) -> None:
    idx = pd.date_range("2020-01-01", "2020-12-31 23:00", freq="h")
    assert len(idx) == 8784
    values = np.round(np.where(idx.month == 2, 0.5, 0.25), 6)
    values[(idx.month == 2) & (idx.day == 29)] = 0.9  # must be dropped
    values[idx.month == 3] = 0.75
    path = _write_ninja_csv(tmp_path / "ninja.csv", values=values)

    df = read_profile_csv(path, 2030)
    assert list(df.columns) == ["electricity"]
    assert len(df) == 8760
    assert df.index.equals(hourly_index(2030))
    s = df["electricity"]
    assert not (s == 0.9).any()  # Feb 29 gone
    assert (s["2030-02"] == 0.5).all()
    assert (s["2030-03-01"] == 0.75).all()  # Mar 1 of the file maps to Mar 1
    assert (s["2030-12-30"] == 0.25).all()


def test_csv_non_leap_positional_and_weather_columns_dropped(tmp_path: Path) -> None:
    path = _write_ninja_csv(tmp_path / "w.csv", weather_year=2019, extra=",wind_speed")
    df = read_profile_csv(path, 2028)
    assert list(df.columns) == ["electricity"]
    assert len(df) == 8760
    expected = np.round(np.linspace(0.0, 1.0, 8760), 6)
    expected[expected < 1e-6] = 0.0
    np.testing.assert_allclose(df["electricity"].to_numpy(), expected, atol=1e-12)


def test_csv_first_column_as_time_and_multiple_columns(tmp_path: Path) -> None:
    idx = pd.date_range("2019-01-01", periods=8760, freq="h")
    frame = pd.DataFrame({"stamp": idx, "pv": 0.1, "wind": 0.2})
    path = tmp_path / "multi.csv"
    frame.to_csv(path, index=False)
    df = read_profile_csv(path, YEAR)
    assert list(df.columns) == ["pv", "wind"]
    assert (df["pv"] == 0.1).all() and (df["wind"] == 0.2).all()


def test_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope\.csv.*file not found"):
        read_profile_csv(tmp_path / "nope.csv", YEAR)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\nbin:x:2:2\nnews,x,9,9\n",
            "not a readable profile CSV (Expected 1 fields in line 4, saw 4)",
        ),
        ("time\n2030-01-01\n", "no capacity-factor column besides time"),
    ],
)
def test_a_file_that_is_not_a_profile_csv_is_one_line_naming_file_and_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    """Like `--set "profiles.files.AZ onwind=/etc/passwd"`: the file and the reason on one line, no
    column placeholder for an error of the whole file."""
    path = tmp_path / "passwd"
    path.write_text(content)
    with pytest.raises(ProfileError) as caught:
        read_profile_csv(path, YEAR)
    assert str(caught.value) == f"{path}: {reason}"


def test_csv_wrong_row_count(tmp_path: Path) -> None:
    path = _write_ninja_csv(tmp_path / "short.csv", weather_year=2019, n=8000)
    with pytest.raises(ProfileError, match=r"short\.csv: column time: has 8000 rows"):
        read_profile_csv(path, YEAR)


def test_csv_non_numeric(tmp_path: Path) -> None:
    values = np.full(8760, 0.3).astype(object)
    values[100] = "abc"
    path = _write_ninja_csv(tmp_path / "text.csv", weather_year=2019, values=values)
    with pytest.raises(ProfileError, match=r"text\.csv: column electricity: non-numeric"):
        read_profile_csv(path, YEAR)


@pytest.mark.parametrize("missing", ["", "nan", "NaN"])
def test_csv_nan(tmp_path: Path, missing: str) -> None:
    values = np.full(8760, 0.3).astype(object)
    values[5000] = missing
    path = _write_ninja_csv(tmp_path / "gap.csv", weather_year=2019, values=values)
    with pytest.raises(ProfileError, match=r"gap\.csv: column electricity: NaN"):
        read_profile_csv(path, YEAR)


@pytest.mark.parametrize("bad", [1.2, -0.1])
def test_csv_out_of_range(tmp_path: Path, bad: float) -> None:
    values = np.full(8760, 0.3)
    values[42] = bad
    path = _write_ninja_csv(tmp_path / "range.csv", weather_year=2019, values=values)
    with pytest.raises(ProfileError, match=r"range\.csv: column electricity: .*outside \[0, 1\]"):
        read_profile_csv(path, YEAR)


def test_profile_error_is_value_error() -> None:
    assert issubclass(ProfileError, ValueError)
