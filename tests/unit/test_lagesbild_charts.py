import math
import re
import xml.etree.ElementTree as ET

import pytest

from estapp.lagesbild.charts import (
    BAR_COLOUR,
    MAP_PALETTE,
    TEXT_COLOUR,
    ZERO_FILL,
    MapArea,
    choropleth_map,
    contrast_ratio,
    horizontal_bar_chart,
    text_colour_on,
    validate_geojson,
    weekly_trend_chart,
)
from estapp.weeks import IsoWeek

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def elements(root, tag):
    return root.findall(f".//svg:{tag}", NS)


def assert_accessible_and_self_contained(root, prefix):
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{prefix}-title {prefix}-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id")) == (f"{SVG}title", f"{prefix}-title")
    assert (desc.tag, desc.get("id")) == (f"{SVG}desc", f"{prefix}-desc")
    for element in root.iter():
        assert element.tag.startswith(SVG)
        assert element.tag not in (f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "href" not in name
            assert "url(" not in value
    for text in elements(root, "text"):
        assert text.get("fill") in (TEXT_COLOUR, "#ffffff")


def square(lon, lat, size):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


# --- bar chart -------------------------------------------------------------------------------


def test_bar_chart_has_one_bar_per_label_scaled_to_the_largest():
    svg = horizontal_bar_chart(
        {"Skadegörelse": 12, "Klotter": 6, "Anlagd brand": 0},
        id_prefix="cat",
        title="Händelser per typ",
    )
    root = parse(svg)
    assert_accessible_and_self_contained(root, "cat")
    assert root[0].text == "Händelser per typ"
    assert root[1].text == "Skadegörelse: 12; Klotter: 6; Anlagd brand: 0"
    bars = elements(root, "rect")
    assert len(bars) == 3
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert widths[2] == 0
    assert all(bar.get("fill") == BAR_COLOUR for bar in bars)
    texts = [t.text for t in elements(root, "text")]
    assert texts == ["Skadegörelse", "12", "Klotter", "6", "Anlagd brand", "0"]


def test_bar_chart_escapes_labels_and_title():
    svg = horizontal_bar_chart(
        [("<script>alert(1)</script>", 3), ('"><g onload="x', 1)],
        id_prefix="x",
        title="A & B <b>",
    )
    root = parse(svg)
    assert_accessible_and_self_contained(root, "x")
    assert root[0].text == "A & B <b>"
    assert elements(root, "script") == []
    assert elements(root, "b") == []
    assert len(elements(root, "g")) == 0
    assert "<script>alert(1)</script>: 3" in root[1].text
    assert elements(root, "rect")[0].find("svg:title", NS).text == "<script>alert(1)</script>: 3"


def test_bar_chart_without_data_says_so():
    root = parse(horizontal_bar_chart({}, id_prefix="e", title="Tomt"))
    assert elements(root, "rect") == []
    assert [t.text for t in elements(root, "text")] == ["Inga uppgifter"]


@pytest.mark.parametrize("prefix", ["", "1abc", 'a" onload="x', "a b", "a<"])
def test_id_prefix_must_be_a_plain_name(prefix):
    with pytest.raises(ValueError):
        horizontal_bar_chart({"A": 1}, id_prefix=prefix, title="t")


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError):
        horizontal_bar_chart({"A": -1}, id_prefix="n", title="t")


# --- trend chart -----------------------------------------------------------------------------


def test_trend_columns_cover_twelve_weeks_with_week_labels():
    counts = {IsoWeek(2026, 47): 10, IsoWeek(2026, 40): 5, IsoWeek(2026, 30): 99}
    root = parse(
        weekly_trend_chart(counts, last_week=IsoWeek(2026, 47), id_prefix="trend", title="Trend")
    )
    assert_accessible_and_self_contained(root, "trend")
    columns = elements(root, "rect")
    assert len(columns) == 12
    heights = [float(c.get("height")) for c in columns]
    # W36..W47: W40 is the 5th column, W47 the 12th; W30 lies outside and is not drawn.
    assert heights[4] == pytest.approx(heights[11] / 2, abs=0.1)
    assert [h for i, h in enumerate(heights) if i not in (4, 11)] == [0.0] * 10
    labels = [t.text for t in elements(root, "text") if t.text.startswith("v.")]
    assert labels == [f"v.{week}" for week in range(36, 48)]
    # Gridlines at a 1-2-5 step: max 10 → step 2 → 0, 2, …, 10.
    assert [t.text for t in elements(root, "text") if not t.text.startswith("v.")] == [
        "0",
        "2",
        "4",
        "6",
        "8",
        "10",
    ]


def test_trend_crosses_new_year_and_draws_a_line():
    root = parse(
        weekly_trend_chart(
            {IsoWeek(2026, 1): 3},
            last_week=IsoWeek(2026, 3),
            weeks=6,
            style="line",
            id_prefix="line",
            title="Trend",
        )
    )
    labels = [t.text for t in elements(root, "text") if t.text.startswith("v.")]
    assert labels == ["v.50", "v.51", "v.52", "v.1", "v.2", "v.3"]
    (line,) = elements(root, "polyline")
    assert len(line.get("points").split()) == 6
    assert len(elements(root, "circle")) == 6
    assert elements(root, "rect") == []
    assert "v.1 2026: 3" in root[1].text


def test_trend_rejects_unknown_style():
    with pytest.raises(ValueError):
        weekly_trend_chart({}, last_week=IsoWeek(2026, 3), id_prefix="t", title="t", style="pie")


# --- map -------------------------------------------------------------------------------------


AREAS = [
    MapArea("Centrum", 12, {"type": "Polygon", "coordinates": [square(15.0, 60.0, 0.1)]}),
    MapArea(
        "Norr",
        2,
        {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[square(15.1, 60.1, 0.1)], [square(15.3, 60.1, 0.05)]],
            },
        },
    ),
    MapArea("Söder", 0, {"type": "Polygon", "coordinates": [square(15.1, 59.9, 0.1)]}),
    MapArea("Utan karta", 4, None),
]


def path_points(path):
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_map_draws_one_path_per_area_with_a_polygon():
    root = parse(choropleth_map(AREAS, id_prefix="map", title="Karta", width=600, height=400))
    assert_accessible_and_self_contained(root, "map")
    paths = elements(root, "path")
    assert [p.find("svg:title", NS).text for p in paths] == ["Centrum: 12", "Norr: 2", "Söder: 0"]
    assert [p.get("d").count("M") for p in paths] == [1, 2, 1]
    # Max 12 in five classes of ceil(12/5) = 3: 1–3, 4–6, 7–9, 10–12 → Centrum in the 4th.
    assert [p.get("fill") for p in paths] == [MAP_PALETTE[3], MAP_PALETTE[0], ZERO_FILL]
    legend = [t.text for t in elements(root, "text")][-5:]
    assert legend == ["0", "1–3", "4–6", "7–9", "10–12"]
    assert "Utan karta: 4" in root[1].text


def test_map_projection_keeps_proportions_and_fits_the_view():
    root = parse(choropleth_map(AREAS[:1], id_prefix="m", title="Karta", width=600, height=400))
    points = path_points(elements(root, "path")[0])
    xs, ys = [x for x, _ in points], [y for _, y in points]
    # A 0.1° square at 60°N is cos(60°) = 0.5 as wide as it is tall.
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(0.5, abs=0.01)
    # It fills the height (400 − 2 × 10 padding) and is centred left of the 150 px legend.
    assert (min(ys), max(ys)) == (pytest.approx(10), pytest.approx(390))
    assert (min(xs) + max(xs)) / 2 == pytest.approx(10 + (600 - 150 - 20) / 2, abs=0.1)
    # North is up: the first corner (south-west) is at the bottom.
    assert points[0][1] == pytest.approx(390)


def test_map_labels_use_contrasting_text():
    root = parse(choropleth_map(AREAS, id_prefix="m", title="Karta"))
    label = next(t for t in elements(root, "text") if t.text == "Centrum")
    assert label.get("fill") == text_colour_on(MAP_PALETTE[3])


def test_map_without_polygons_and_with_bad_geometry():
    root = parse(choropleth_map([MapArea("A", 1, None)], id_prefix="m", title="Karta"))
    assert elements(root, "path") == []
    bad = MapArea("Hamnen", 1, {"type": "Polygon", "coordinates": [[[15, 60], [16, 60]]]})
    with pytest.raises(ValueError, match="Hamnen"):
        choropleth_map([bad], id_prefix="m", title="Karta")


def test_wcag_contrast():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio(TEXT_COLOUR, "#ffffff") >= 4.5
    for fill in (*MAP_PALETTE, ZERO_FILL):
        assert contrast_ratio(text_colour_on(fill), fill) >= 4.5, fill
    assert contrast_ratio(BAR_COLOUR, "#ffffff") >= 3.0


# --- validate_geojson ------------------------------------------------------------------------


def test_validate_accepts_polygon_with_hole_and_drops_altitude():
    outer = [[15, 60, 12.5], [16, 60, 12.5], [16, 61, 12.5], [15, 61, 12.5], [15, 60, 12.5]]
    hole = square(15.4, 60.4, 0.2)
    result = validate_geojson({"type": "Polygon", "coordinates": [outer, hole]})
    assert result["type"] == "Polygon"
    assert result["coordinates"][0][1] == [16.0, 60.0]
    assert len(result["coordinates"]) == 2


def test_validate_returns_the_geometry_of_a_feature():
    feature = AREAS[1].geometry
    assert validate_geojson(feature) == {
        "type": "MultiPolygon",
        "coordinates": [[square(15.1, 60.1, 0.1)], [square(15.3, 60.1, 0.05)]],
    }


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("POLYGON((15 60, 16 60))", "måste vara ett objekt"),
        ({"type": "Point", "coordinates": [15, 60]}, "Polygon eller MultiPolygon"),
        ({"type": "FeatureCollection", "features": []}, "FeatureCollection stöds inte"),
        ({"type": "Feature", "geometry": None}, "saknar en geometri"),
        ({"type": "Polygon", "coordinates": []}, "minst en ring"),
        ({"type": "MultiPolygon", "coordinates": []}, "minst en polygon"),
        (polygon([[15, 60], [16, 60], [15, 60]]), "Ring 1 har 3 positioner"),
        (polygon([[15, 60], [16, 60], [16, 61], [15, 61]]), "inte sluten"),
        (polygon([*square(15, 60, 1)[:4], [15.5, 60]]), "inte sluten"),
        (polygon([[15, 60], [16, 60], [15, 60], [16, 60], [15, 60]]), "färre än tre olika"),
        (polygon([[15, 60], ["16", 60], [16, 61], [15, 61], [15, 60]]), "position 2"),
        (polygon([[15, 60], [True, 60], [16, 61], [15, 61], [15, 60]]), "två tal"),
        (polygon([[15, 60], [math.nan, 60], [16, 61], [15, 61], [15, 60]]), "två tal"),
        (polygon([[15, 60], [16], [16, 61], [15, 61], [15, 60]]), "två tal"),
        (polygon([[15, 60], [200, 60], [16, 61], [15, 61], [15, 60]]), "longituden 200.0"),
        (polygon([[15, 60], [16, 95], [16, 61], [15, 61], [15, 60]]), "latituden 95.0"),
        (polygon(square(15, 60, 1), "ring"), "Ring 2 måste vara en lista"),
        (
            {"type": "MultiPolygon", "coordinates": [[square(15, 60, 1)], [[[1, 2]]]]},
            "Polygon 2, ring 1 har 1 positioner",
        ),
    ],
)
def test_validate_rejects_with_a_swedish_reason(obj, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_geojson(obj)


def test_validate_limits_the_number_of_points():
    ring = [[15 + i / 1000, 60 + (i % 2) / 1000] for i in range(100)] + [[15, 60]]
    with pytest.raises(ValueError, match="för många punkter"):
        validate_geojson(polygon(ring), max_positions=50)
    assert validate_geojson(polygon(ring))["type"] == "Polygon"
