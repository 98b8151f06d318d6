"""A map that tells the truth (issue 16): the Turkish grid node at Eskişehir, routes along their data
waypoints, candidates drawn as "candidate, not built", country names, no two labels overlapping, and a
caption generated from what is in the run.

The network is the default one (caspian.yaml: same buses, assets and candidates as the default run) over
one winter week at 3 h, so that the test stays fast; its map is left in test-artifacts/.
"""

from __future__ import annotations

import itertools

import pypsa
import pytest

from caspian.inputs.geography import load_country_outlines
from caspian.inputs.tables import load_dataset
from caspian.present.report.figures_map import _caption, _map_segments, draw_network_map, network_map
from caspian.present.report.style import png_bytes, styled
from caspian.runs.single import RunRequest, execute
from conftest import ARTIFACTS, REPO

WEEK = (("time.hours", 168), ("time.start_hour", 24 * 14), ("time.resolution", "3h"))


@pytest.fixture(scope="module")
def default_week(tmp_path_factory) -> pypsa.Network:
    tmp = tmp_path_factory.mktemp("map")
    result = execute(
        RunRequest(REPO / "networks" / "caspian.yaml", REPO / "data", tmp / "results", overrides=WEEK)
    )
    return pypsa.Network(result.directory / "network.nc")


@styled
def _drawing(n: pypsa.Network):
    data = load_dataset(REPO / "data")
    return draw_network_map(n, load_country_outlines(REPO / "data"), data.table("map_routes"))


def test_labels_do_not_overlap_and_stay_inside_the_map(default_week):
    drawing = _drawing(default_week)
    frame = drawing.ax.get_window_extent(drawing.fig.canvas.get_renderer())
    assert len(drawing.placed) >= 10
    for a, b in itertools.combinations(drawing.placed, 2):
        assert not a.overlaps(b), (a, b)
    for box in drawing.placed:
        assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "map-default-network.png").write_bytes(png_bytes(drawing.fig))


def test_country_names_and_unbuilt_candidates_are_labelled(default_week):
    drawing = _drawing(default_week)
    texts = [text.get_text() for text in drawing.ax.texts]
    for country in ("Georgia", "Türkiye", "Turkmenistan", "Greece", "Kazakhstan"):
        assert country in texts
    assert not {label.text for label in drawing.left_out} & {"Azerbaijan", "Italy", "Georgia"}
    segments = _map_segments(default_week)
    unbuilt = sorted(segments.asset[~segments.built])
    assert drawing.candidates == unbuilt
    for asset in unbuilt:
        assert f"{asset}: candidate, not built" in texts + [label.text for label in drawing.left_out]


def test_turkish_grid_node_is_at_eskisehir_and_routes_follow_waypoints(default_week):
    """TR gas at Eskişehir (39.78 N, 30.52 E); TANAP is drawn through Türkgözü, Erzurum and Eskişehir, so
    its polyline has five points (Gardabani, three waypoints, Ipsala)."""
    bus = default_week.buses.loc["TR gas"]
    assert (round(float(bus.y), 2), round(float(bus.x), 2)) == (39.78, 30.52)
    drawing = _drawing(default_week)
    lines = [line for line in drawing.ax.lines if len(line.get_xdata()) == 5]
    assert any(abs(float(line.get_xdata()[3]) - 30.5206) < 1e-6 for line in lines)


def test_caption_says_what_is_in_the_run(default_week):
    segments = _map_segments(default_week)
    segments.loc[segments.asset == "Trans-Caspian", "built"] = False  # as if this week left it unbuilt
    unbuilt = sorted(set(segments.asset[~segments.built]))
    caption = _caption(segments, unbuilt, [], True, default_week.buses.index)
    assert ("Caspian cable" in caption) == bool(segments.built[segments.asset == "Caspian cable"].any())
    assert "Trans-Caspian" in caption and "Black Sea cable" not in caption  # no Black Sea stage before 2032
    without_turkey = _caption(segments, [], [], False, default_week.buses.index.drop("TR gas"))
    assert "Turkish grid" not in without_turkey and "No country outlines" in without_turkey
    figure = network_map(
        default_week, load_country_outlines(REPO / "data"), load_dataset(REPO / "data").table("map_routes")
    )
    assert figure.caption.startswith("Annual flows") and "Turkish grid node" in figure.caption
