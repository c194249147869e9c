"""Turn a frozen payload into what the page shows: tables of display strings and SVG charts.

``full`` is for the kommun's coordinators (exact counts, partner names); everyone else gets
small counts hidden by suppression.py and charts only where no hidden count would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from estapp.lagesbild import charts
from estapp.lagesbild.suppression import SECONDARY_MARK, suppress_table
from estapp.weeks import IsoWeek

TIME_OF_DAY_LABELS = {"natt": "Natt", "morgon": "Morgon", "dag": "Dag", "kvall": "Kväll"}
WEEKDAY_LABELS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
DEVIATION_LABELS = {
    "normal": "",
    "ovanligt_hog": "ovanligt högt",
    "ovanligt_lag": "ovanligt lågt",
}
TREND_CATEGORIES = 3


@dataclass(frozen=True)
class Row:
    label: str
    count: str
    extra: dict[str, Any]


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    total: str


def _table(
    rows: list[dict[str, Any]], key: str, full: bool, threshold: int, total: int | None = None
) -> Table:
    counts = {str(row[key]): row["count"] for row in rows}
    if full:
        shown = {label: str(count) for label, count in counts.items()}
        total_text = str(sum(counts.values()) if total is None else total)
    else:
        suppressed = suppress_table(counts, total, threshold=threshold)
        shown, total_text = suppressed.as_dict(), suppressed.total
    return Table([Row(str(row[key]), shown[str(row[key])], row) for row in rows], total_text)


def _small(count: int, full: bool, threshold: int) -> str:
    return f"<{threshold}" if not full and 0 < count < threshold else str(count)


def _has_hidden(values: list[int], full: bool, threshold: int) -> bool:
    return not full and any(0 < value < threshold for value in values)


def view_model(
    payload: dict[str, Any],
    *,
    full: bool,
    threshold: int,
    geometries: dict[int, Any],
) -> dict[str, Any]:
    """Everything the lägesbild page shows, from a payload."""
    total = payload["total"]
    week = IsoWeek.parse(payload["week"])
    categories = _table(payload["by_category"], "label", full, threshold, total)
    areas = _table(payload["by_area"], "label", full, threshold, total)
    times = _table(
        [{**row, "name": TIME_OF_DAY_LABELS[row["key"]]} for row in payload["by_time_of_day"]],
        "name",
        full,
        threshold,
        total,
    )
    days = _table(
        [{**row, "name": WEEKDAY_LABELS[row["day"] - 1]} for row in payload["by_weekday"]],
        "name",
        full,
        threshold,
        total,
    )
    trend = payload["trend"]
    weeks = [IsoWeek.parse(text) for text in trend["weeks"]]
    trend_rows = [
        (w, _small(count, full, threshold)) for w, count in zip(weeks, trend["total"], strict=True)
    ]
    trend_charts = []
    series = [("Alla händelser", trend["total"])]
    busiest = sorted(trend["by_category"].items(), key=lambda item: (-sum(item[1]), item[0]))
    series += busiest[:TREND_CATEGORIES]
    for index, (label, values) in enumerate(series):
        chart = None
        if not _has_hidden(values, full, threshold):
            chart = charts.weekly_trend_chart(
                dict(zip(weeks, values, strict=True)),
                last_week=week,
                id_prefix=f"trend-{index}",
                title=f"{label}, de senaste {len(weeks)} veckorna",
            )
        trend_charts.append(
            {
                "label": label,
                "chart": chart,
                "rows": [
                    (w, _small(v, full, threshold)) for w, v in zip(weeks, values, strict=True)
                ],
            }
        )
    area_counts = [row["count"] for row in payload["by_area"]]
    area_map: Markup | None = None
    if any(geometries.values()) and not _has_hidden(area_counts, full, threshold):
        area_map = charts.choropleth_map(
            [
                charts.MapArea(row["label"], row["count"], geometries.get(row["id"]))
                for row in payload["by_area"]
            ],
            id_prefix="omradeskarta",
            title=f"Händelser per område, {week.label()}",
        )
    # A place's count must not reveal the count of an area the area table hides.
    area_shown = {row.label: row.count for row in areas.rows}
    hidden_areas = {label for label, text in area_shown.items() if not text.isdigit()}

    def spot_count(spot: dict[str, Any]) -> str:
        if not full and spot["area"] in hidden_areas and spot["count"] >= threshold:
            return SECONDARY_MARK
        return _small(spot["count"], full, threshold)

    hot_spots = [
        {
            **spot,
            "count_text": spot_count(spot),
            "organisations": spot["organisations"] if full else [],
        }
        for spot in payload["hot_spot_places"]
    ]
    flagged = [
        {**row, "deviation_text": DEVIATION_LABELS[row["deviation"]]}
        for row in payload["by_category"]
        if row["deviation"] != "normal"
    ]
    participation = dict(payload["participation"])
    if not full:
        participation["missing_organisations"] = []
        participation["late_organisations"] = []
    return {
        "week": week,
        "total_text": _small(total, full, threshold),
        "observations_text": _small(payload["observations"], full, threshold),
        "empty": total == 0,
        "categories": categories,
        "areas": areas,
        "times": times,
        "days": days,
        "trend_rows": trend_rows,
        "trend_charts": trend_charts,
        "area_map": area_map,
        "hot_spots": hot_spots,
        "flagged": flagged,
        "deviation_labels": DEVIATION_LABELS,
        "participation": participation,
        "baseline": payload["total_baseline"],
    }
