"""Country outlines for the report map, read from the shipped ``data/countries.geojson``.

Natural Earth 1:110m admin-0 countries clipped to the model region (provenance in data/README.md), parsed
with :mod:`json` only. A missing file yields no outlines; a malformed one raises :class:`InputError` naming
the file, the feature, the field and the reason. For map orientation only: no model number depends on it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caspian.errors import InputError

COUNTRIES_FILE = "countries.geojson"
Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class CountryOutline:
    """One country: ISO 3166-1 alpha-2 code, name and the exterior ring (lon, lat) of each polygon."""

    iso2: str
    name: str
    rings: list[Ring]


def _ring(path: Path, where: str, raw: object) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise InputError(f"{path}: {where} field 'geometry': a ring needs at least 4 positions")
    ring: Ring = []
    for pos in raw:
        ok = isinstance(pos, list) and len(pos) >= 2
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
        if not ok or not all(math.isfinite(v) for v in pos[:2]):
            raise InputError(f"{path}: {where} field 'geometry': position {pos!r} is not [lon, lat]")
        if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
            raise InputError(f"{path}: {where} field 'geometry': position {pos!r} out of range")
        ring.append((float(pos[0]), float(pos[1])))
    return ring


def _outline(path: Path, index: int, feature: Any) -> CountryOutline:
    where = f"feature {index}"
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        raise InputError(f"{path}: {where} field 'properties': missing or not an object")
    iso2, name = props.get("iso2"), props.get("name")
    if not (isinstance(iso2, str) and len(iso2) == 2 and iso2.isascii() and iso2.isupper()):
        raise InputError(f"{path}: {where} field 'iso2': {iso2!r} is not an ISO 3166-1 alpha-2 code")
    if not (isinstance(name, str) and name.strip()):
        raise InputError(f"{path}: {where} ({iso2}) field 'name': missing or empty")
    where = f"{where} ({iso2})"
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    polygons: Any = [coords] if kind == "Polygon" else coords
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coords, list) or not coords:
        raise InputError(f"{path}: {where} field 'geometry': missing or not a Polygon/MultiPolygon")
    if not all(isinstance(p, list) and p for p in polygons):
        raise InputError(f"{path}: {where} field 'geometry': a polygon has no rings")
    return CountryOutline(iso2=iso2, name=name, rings=[_ring(path, where, p[0]) for p in polygons])


def load_country_outlines(data_dir: Path) -> list[CountryOutline]:
    """Outlines from ``data_dir/countries.geojson`` (holes ignored); [] when the file is absent."""
    path = Path(data_dir) / COUNTRIES_FILE
    if not path.is_file():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: field 'features': not valid UTF-8 JSON ({exc})") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{path}: field 'features': missing or not a list (expected a FeatureCollection)")
    return [_outline(path, i, feature) for i, feature in enumerate(features)]
