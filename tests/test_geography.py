"""The shipped country outlines (data/countries.geojson) and their loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caspian.errors import InputError
from caspian.inputs.geography import COUNTRIES_FILE, CountryOutline, load_country_outlines
from conftest import REPO

BOX = (8.0, 33.0, 80.0, 52.0)  # lon_min, lat_min, lon_max, lat_max (data/README.md)
BAKU = (49.87, 40.41)
ROME = (12.50, 41.90)


def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Even-odd ray casting: cast a ray from ``point`` towards +lon and count edge crossings."""
    x, y = point
    crossings = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            crossings += 1
    return crossings % 2 == 1


def contains(country: CountryOutline, point: tuple[float, float]) -> bool:
    return any(inside(point, ring) for ring in country.rings)


@pytest.fixture(scope="module")
def outlines() -> dict[str, CountryOutline]:
    loaded = load_country_outlines(REPO / "data")
    by_iso = {c.iso2: c for c in loaded}
    assert len(by_iso) == len(loaded), "one feature per country"
    return by_iso


def test_ray_casting_helper() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)]
    assert inside((1.0, 1.0), square)
    assert not inside((3.0, 1.0), square)
    assert not inside((1.0, -0.5), square)


def test_shipped_file_has_the_corridor_countries(outlines: dict[str, CountryOutline]) -> None:
    expected = {"AZ", "GE", "TR", "IT", "KZ", "TM", "UZ", "RO", "HU", "BG", "GR", "AL"}
    assert expected <= outlines.keys()
    assert all(len(code) == 2 and code.isupper() for code in outlines)
    assert outlines["TR"].name and outlines["AZ"].name == "Azerbaijan"
    assert "XK" in outlines  # Natural Earth's -99 code replaced


def test_every_coordinate_inside_the_clipping_box(outlines: dict[str, CountryOutline]) -> None:
    lon_min, lat_min, lon_max, lat_max = BOX
    for country in outlines.values():
        assert country.rings, country.iso2
        for ring in country.rings:
            assert len(ring) >= 4 and ring[0] == ring[-1], country.iso2
            for lon, lat in ring:
                assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max, (country.iso2, lon, lat)
                assert round(lon, 3) == lon and round(lat, 3) == lat


def test_azerbaijan_contains_baku_not_rome(outlines: dict[str, CountryOutline]) -> None:
    assert contains(outlines["AZ"], BAKU)
    assert not contains(outlines["AZ"], ROME)
    assert contains(outlines["IT"], ROME)
    assert not any(contains(c, BAKU) for code, c in outlines.items() if code != "AZ")


def test_shipped_file_is_small() -> None:
    assert (REPO / "data" / COUNTRIES_FILE).stat().st_size < 150_000


def test_missing_file_gives_no_outlines(tmp_path: Path) -> None:
    assert load_country_outlines(tmp_path) == []


def _write(tmp_path: Path, doc: object) -> Path:
    (tmp_path / COUNTRIES_FILE).write_text(json.dumps(doc), encoding="utf-8")
    return tmp_path / COUNTRIES_FILE


SQUARE = [[10.0, 40.0], [11.0, 40.0], [11.0, 41.0], [10.0, 41.0], [10.0, 40.0]]


def _feature(**overrides: object) -> dict[str, object]:
    feature: dict[str, object] = {
        "type": "Feature",
        "properties": {"iso2": "IT", "name": "Italy"},
        "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE, SQUARE]]},
    }
    feature.update(overrides)
    return feature


def test_small_valid_file_flattens_multipolygons_and_drops_holes(tmp_path: Path) -> None:
    _write(tmp_path, {"type": "FeatureCollection", "features": [_feature()]})
    (italy,) = load_country_outlines(tmp_path)
    assert italy == CountryOutline("IT", "Italy", [[tuple(p) for p in SQUARE]] * 2)


@pytest.mark.parametrize(
    ("feature", "field", "reason"),
    [
        ({"type": "Feature", "properties": {"iso2": "IT", "name": "Italy"}}, "geometry", "missing"),
        (_feature(properties={"iso2": "-99", "name": "Kosovo"}), "iso2", "'-99'"),
        (_feature(properties={"iso2": "IT"}), "name", "missing"),
        (_feature(geometry={"type": "Point", "coordinates": [10.0, 40.0]}), "geometry", "Polygon"),
        (_feature(geometry={"type": "Polygon", "coordinates": [SQUARE[:3]]}), "geometry", "4 positions"),
        (_feature(geometry={"type": "Polygon", "coordinates": [[*SQUARE[:4], ["x", 1]]]}), "geometry", "lon"),
    ],
)
def test_malformed_feature_names_file_field_and_reason(
    tmp_path: Path, feature: dict[str, object], field: str, reason: str
) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature(), feature]})
    with pytest.raises(InputError) as info:
        load_country_outlines(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}: feature 1")
    assert f"field '{field}'" in message and reason in message
    assert "\n" not in message


def test_not_a_feature_collection_or_not_json(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "Feature"})
    with pytest.raises(InputError, match="field 'features'"):
        load_country_outlines(tmp_path)
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(InputError, match="not valid UTF-8 JSON"):
        load_country_outlines(tmp_path)
