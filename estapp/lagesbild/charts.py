"""Draw lägesbild charts as self-contained SVG for browsers and WeasyPrint. Pure; no Flask."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup, escape

from estapp.weeks import IsoWeek

TEXT_COLOUR = "#1a1a1a"  # 17:1 against white
BAR_COLOUR = "#1f5f8b"  # 6.9:1 against white, well above the 3:1 WCAG asks of graphics
GRID_COLOUR = "#767676"
ZERO_FILL = "#f2f2f2"
# ColorBrewer "Blues", with the 4th step darkened so that either black or white text on it
# reaches 4.5:1 (the stock #3182bd manages neither).
MAP_PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#2171b5", "#08306b")
FONT_SIZE = 12
_CHAR_WIDTH = 0.6 * FONT_SIZE  # a fair average advance for sans-serif; no font metrics here
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _esc(text: object) -> str:
    return str(escape(str(text)))


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _fit(text: str, width: float) -> str:
    """Shorten text with an ellipsis so it fits an estimated pixel width."""
    room = max(1, int(width // _CHAR_WIDTH))
    return text if len(text) <= room else text[: room - 1] + "…"


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = TEXT_COLOUR) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}">'
        f"{_esc(text)}</text>"
    )


def _svg(id_prefix: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    """Wrap chart elements in an accessible <svg> root with a <title> and <desc>."""
    # The prefix becomes part of id attributes, so it must be a plain name, never markup.
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(f"id_prefix must be a letter followed by [A-Za-z0-9_-], got {id_prefix!r}")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}">'
        f'<title id="{id_prefix}-title">{_esc(title)}</title>'
        f'<desc id="{id_prefix}-desc">{_esc(desc)}</desc>'
    )
    # Markup tells Jinja the string is already safe; every piece of text above was escaped.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _check_counts(counts: Sequence[int]) -> None:
    for count in counts:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"counts must be non-negative integers, got {count!r}")


def _listing(pairs: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {count}" for label, count in pairs)


def horizontal_bar_chart(
    data: Mapping[str, int] | Sequence[tuple[str, int]],
    *,
    id_prefix: str,
    title: str,
    desc: str | None = None,
    width: int = 600,
    empty_text: str = "Inga uppgifter",
) -> Markup:
    """Draw one horizontal bar per label, in the given order, with the count at the bar's end."""
    items = data.items() if isinstance(data, Mapping) else data
    pairs = [(str(label), count) for label, count in items]
    _check_counts([count for _, count in pairs])
    row, bar, pad = 24, 16, 8
    height = max(1, len(pairs)) * row + 2 * pad
    if not pairs:
        body = [_text(width / 2, height / 2 + 4, empty_text, anchor="middle")]
        return _svg(id_prefix, width, height, title, desc or empty_text, body)
    longest = max(len(label) for label, _ in pairs)
    label_width = min(width * 0.4, longest * _CHAR_WIDTH + pad)
    value_width = len(str(max(count for _, count in pairs))) * _CHAR_WIDTH + pad
    scale_width = width - label_width - value_width - 2 * pad
    biggest = max(count for _, count in pairs) or 1
    body = []
    for index, (label, count) in enumerate(pairs):
        top = pad + index * row
        baseline = top + row / 2 + FONT_SIZE / 3
        length = scale_width * count / biggest
        x0 = pad + label_width
        body.append(_text(x0 - pad / 2, baseline, _fit(label, label_width - pad), anchor="end"))
        body.append(
            f'<rect x="{_num(x0)}" y="{_num(top + (row - bar) / 2)}" width="{_num(length)}" '
            f'height="{bar}" fill="{BAR_COLOUR}"><title>{_esc(label)}: {count}</title></rect>'
        )
        body.append(_text(x0 + length + pad / 2, baseline, str(count)))
    return _svg(id_prefix, width, height, title, desc or _listing(pairs), body)


def _nice_step(maximum: int, ticks: int = 5) -> int:
    """Return a 1-2-5 step giving at most ``ticks`` gridlines up to ``maximum``."""
    raw = maximum / ticks
    if raw <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def weekly_trend_chart(
    counts: Mapping[IsoWeek, int],
    *,
    last_week: IsoWeek,
    id_prefix: str,
    title: str,
    desc: str | None = None,
    weeks: int = 12,
    style: Literal["columns", "line"] = "columns",
    width: int = 600,
    height: int = 240,
) -> Markup:
    """Draw the ``weeks`` weeks up to ``last_week`` as columns or a line; absent weeks are 0."""
    if style not in ("columns", "line"):
        raise ValueError(f"style must be 'columns' or 'line', got {style!r}")
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks!r}")
    shown = [*last_week.previous(weeks - 1), last_week]
    values = [counts.get(week, 0) for week in shown]
    _check_counts(values)
    left, right, top, bottom = 40, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    step = _nice_step(max(values))
    ceiling = max(step, math.ceil(max(values) / step) * step)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / ceiling)

    body = []
    for tick in range(0, ceiling + 1, step):
        body.append(
            f'<line x1="{left}" y1="{_num(y_of(tick))}" x2="{width - right}" '
            f'y2="{_num(y_of(tick))}" stroke="{GRID_COLOUR}" stroke-width="0.5"/>'
        )
        body.append(_text(left - 4, y_of(tick) + FONT_SIZE / 3, str(tick), anchor="end"))
    slot = plot_w / len(shown)
    centres = [left + slot * (index + 0.5) for index in range(len(shown))]
    for week, value, centre in zip(shown, values, centres, strict=True):
        tooltip = f"<title>v.{week.week} {week.year}: {value}</title>"
        if style == "columns":
            column = slot * 0.7
            body.append(
                f'<rect x="{_num(centre - column / 2)}" y="{_num(y_of(value))}" '
                f'width="{_num(column)}" height="{_num(plot_h * value / ceiling)}" '
                f'fill="{BAR_COLOUR}">{tooltip}</rect>'
            )
        body.append(
            _text(centre, height - bottom + FONT_SIZE + 4, f"v.{week.week}", anchor="middle")
        )
    if style == "line":
        points = " ".join(
            f"{_num(c)},{_num(y_of(v))}" for c, v in zip(centres, values, strict=True)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2"/>'
        )
        body.extend(
            f'<circle cx="{_num(c)}" cy="{_num(y_of(v))}" r="3" fill="{BAR_COLOUR}">'
            f"<title>v.{w.week} {w.year}: {v}</title></circle>"
            for w, v, c in zip(shown, values, centres, strict=True)
        )
    listing = _listing(
        [(f"v.{week.week} {week.year}", value) for week, value in zip(shown, values, strict=True)]
    )
    return _svg(id_prefix, width, height, title, desc or listing, body)


# --- map -------------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_ring(ring: object, where: str) -> list[list[float]]:
    if not isinstance(ring, list | tuple):
        raise ValueError(f"{where} måste vara en lista med positioner [longitud, latitud].")
    if len(ring) < 4:
        raise ValueError(
            f"{where} har {len(ring)} positioner men behöver minst 4 "
            "(tre hörn och sist samma punkt som den första)."
        )
    positions = []
    for number, position in enumerate(ring, start=1):
        here = f"{where}, position {number}"
        if (
            not isinstance(position, list | tuple)
            or len(position) not in (2, 3)
            or not all(_is_number(value) for value in position)
        ):
            raise ValueError(f"{here} måste vara två tal: [longitud, latitud].")
        lon, lat = float(position[0]), float(position[1])
        if not -180 <= lon <= 180:
            raise ValueError(f"{here}: longituden {lon} ligger utanför −180…180.")
        if not -90 <= lat <= 90:
            raise ValueError(
                f"{here}: latituden {lat} ligger utanför −90…90 "
                "(GeoJSON anger longitud först, sedan latitud)."
            )
        positions.append([lon, lat])
    if positions[0] != positions[-1]:
        raise ValueError(
            f"{where} är inte sluten: sista positionen måste vara samma som den första."
        )
    if len({tuple(position) for position in positions}) < 3:
        raise ValueError(f"{where} har färre än tre olika punkter och omsluter ingen yta.")
    return positions


def _check_polygon(polygon: object, number: int | None) -> list[list[list[float]]]:
    where = "Polygonen" if number is None else f"Polygon {number}"
    if not isinstance(polygon, list | tuple) or not polygon:
        raise ValueError(f"{where} måste vara en lista med minst en ring (ytterkanten först).")
    prefix = "Ring" if number is None else f"Polygon {number}, ring"
    return [_check_ring(ring, f"{prefix} {n}") for n, ring in enumerate(polygon, start=1)]


def validate_geojson(obj: object, *, max_positions: int = 50_000) -> dict[str, Any]:
    """Check a Polygon/MultiPolygon geometry or Feature; return the geometry with 2D positions."""
    if not isinstance(obj, Mapping):
        raise ValueError('GeoJSON måste vara ett objekt, t.ex. {"type": "Polygon", ...}.')
    if obj.get("type") == "Feature":
        obj = obj.get("geometry")
        if not isinstance(obj, Mapping):
            raise ValueError('Featuren saknar en geometri (fältet "geometry").')
    kind = obj.get("type")
    if kind == "FeatureCollection":
        raise ValueError("En FeatureCollection stöds inte; ange en enda Feature eller geometri.")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"Geometrin måste vara Polygon eller MultiPolygon, inte {kind!r}.")
    coordinates = obj.get("coordinates")
    if kind == "Polygon":
        normalised: list[Any] = _check_polygon(coordinates, None)
        rings = normalised
    else:
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise ValueError("En MultiPolygon måste ha en lista med minst en polygon.")
        normalised = [_check_polygon(polygon, n) for n, polygon in enumerate(coordinates, 1)]
        rings = [ring for polygon in normalised for ring in polygon]
    if sum(len(ring) for ring in rings) > max_positions:
        raise ValueError(f"Geometrin har för många punkter (högst {max_positions}); förenkla den.")
    return {"type": kind, "coordinates": normalised}


@dataclass(frozen=True)
class MapArea:
    name: str
    count: int
    geometry: Mapping[str, Any] | None


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Polygon" else coords


def _luminance(colour: str) -> float:
    """Return WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio between two #rrggbb colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str) -> str:
    """Return dark or white text, whichever contrasts more with the fill."""
    return max((TEXT_COLOUR, "#ffffff"), key=lambda text: contrast_ratio(text, fill))


def _classes(maximum: int) -> list[tuple[int, int]]:
    """Split 1..maximum into at most five equal integer classes."""
    if maximum <= 0:
        return []
    size = math.ceil(maximum / len(MAP_PALETTE))
    return [(low, min(low + size - 1, maximum)) for low in range(1, maximum + 1, size)]


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Return (area, x, y) of a closed ring by the shoelace formula; bbox centre if flat."""
    twice_area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(twice_area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return abs(twice_area) / 2, cx / (3 * twice_area), cy / (3 * twice_area)


def choropleth_map(
    areas: Sequence[MapArea],
    *,
    id_prefix: str,
    title: str,
    desc: str | None = None,
    width: int = 600,
    height: int = 400,
    legend_title: str = "Antal händelser",
    label_areas: bool = True,
    empty_text: str = "Inga områden har en karta",
) -> Markup:
    """Shade each area's polygons by count, with a legend; areas without geometry are skipped."""
    _check_counts([area.count for area in areas])
    drawn = []
    for area in areas:
        if area.geometry is None:
            continue
        try:
            drawn.append((area, _polygons(validate_geojson(area.geometry))))
        except ValueError as error:
            raise ValueError(f"Området {area.name}: {error}") from error
    listing = _listing([(area.name, area.count) for area in areas])
    if not drawn:
        body = [_text(width / 2, height / 2, empty_text, anchor="middle")]
        return _svg(id_prefix, width, height, title, desc or listing or empty_text, body)

    positions = [p for _, polygons in drawn for poly in polygons for ring in poly for p in ring]
    lats = [lat for _, lat in positions]
    # Equirectangular, with longitude shrunk by cos(mid-latitude) so Swedish shapes keep their
    # proportions; at kommun scale the error against a proper projection is invisible.
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [lon * shrink for lon, _ in positions]
    ys = [-lat for lat in lats]
    legend_w, pad = 150, 10
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    room_w, room_h = width - legend_w - 2 * pad, height - 2 * pad
    scale = min(room_w / span_x if span_x else math.inf, room_h / span_y if span_y else math.inf)
    off_x = pad + (room_w - span_x * scale) / 2 - min(xs) * scale
    off_y = pad + (room_h - span_y * scale) / 2 - min(ys) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return off_x + lon * shrink * scale, off_y - lat * scale

    classes = _classes(max(area.count for area, _ in drawn))

    def fill_of(count: int) -> str:
        for index, (_, high) in enumerate(classes):
            if count <= high and count > 0:
                return MAP_PALETTE[index]
        return ZERO_FILL

    body, labels = [], []
    for area, polygons in drawn:
        subpaths, biggest = [], (-1.0, 0.0, 0.0)
        for polygon in polygons:
            for ring in polygon:
                points = [project(lon, lat) for lon, lat in ring]
                subpaths.append(
                    "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in points[:-1]) + " Z"
                )
                biggest = max(biggest, _centroid(points))
        fill = fill_of(area.count)
        body.append(
            f'<path d="{" ".join(subpaths)}" fill="{fill}" fill-rule="evenodd" '
            f'stroke="#4d4d4d" stroke-width="0.75">'
            f"<title>{_esc(area.name)}: {area.count}</title></path>"
        )
        if label_areas:
            _, x, y = biggest
            labels.append(_text(x, y + 4, area.name, anchor="middle", fill=text_colour_on(fill)))
    # Labels go after every shape so a neighbouring area is never painted over them.
    body.extend(labels)
    legend_x = width - legend_w + pad
    body.append(_text(legend_x, pad + FONT_SIZE, _fit(legend_title, legend_w - pad)))
    keys = [("0", ZERO_FILL)] + [
        (str(low) if low == high else f"{low}–{high}", MAP_PALETTE[index])
        for index, (low, high) in enumerate(classes)
    ]
    for index, (text, fill) in enumerate(keys):
        y = pad + FONT_SIZE + 8 + index * 20
        body.append(
            f'<rect x="{legend_x}" y="{y}" width="14" height="14" fill="{fill}" '
            f'stroke="#4d4d4d" stroke-width="0.75"/>'
        )
        body.append(_text(legend_x + 20, y + 11, text))
    return _svg(id_prefix, width, height, title, desc or listing, body)
