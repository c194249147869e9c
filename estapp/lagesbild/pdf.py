"""The lägesbild as a PDF: plain data from a frozen version, rendered with WeasyPrint.

The PDF travels beyond the coordinators (it is mailed to partners), so its figures are always
suppressed and missing partners are never named. It is always Swedish, because it is read by a
whole EST group rather than one user with a chosen language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from estapp import PROJECT_ROOT
from estapp.config import Settings
from estapp.lagesbild.display import Table, view_model
from estapp.meetings.actions import open_actions
from estapp.meetings.domain import STATUS_NAMES, swedish_day
from estapp.models import Area, Municipality, Place, SituationPicture
from estapp.weeks import IsoWeek

FONTS_DIR = (PROJECT_ROOT / "static" / "fonts").resolve()
PDF_VARIANT = "pdf/ua-1"
PDF_FONT_FAMILY = "EST Sans"  # the @font-face name in templates/lagesbild/pdf/_style.css
SVG_GENERIC_FONT = 'font-family="sans-serif"'
SVG_PDF_FONT = f"font-family=\"'{PDF_FONT_FAMILY}', sans-serif\""
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


class RefusedResource(ValueError):
    """A template asked for something outside the shipped fonts; WeasyPrint skips it."""


class FontsOnlyFetcher(URLFetcher):
    """Serve the project's own font files and data: URIs; refuse everything else.

    Nothing is fetched over the network (many kommun networks are closed, and a PDF must never
    leak who opened it), and no other file on the server can end up inside a PDF.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("data", "file"), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(FONTS_DIR) and path.suffix in FONT_TYPES and path.is_file():
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": FONT_TYPES[path.suffix]}
                )
        self.refused.append(url)
        raise RefusedResource(f"hämtar inte {url}: bara projektets typsnitt får användas")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def html_to_pdf(html: str, *, fetcher: FontsOnlyFetcher | None = None) -> RenderedPdf:
    """Render HTML to a tagged PDF/UA-1 document that may load only the shipped fonts."""
    fetcher = fetcher or FontsOnlyFetcher()
    document = HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        font_config=FontConfiguration(), pdf_variant=PDF_VARIANT
    )
    return RenderedPdf(document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages))


def _pdf_chart(chart: Markup | None) -> Markup | None:
    """The web chart with the shipped font first: "sans-serif" alone would be whatever the
    server happens to have installed, or nothing at all on a bare machine."""
    if chart is None:
        return None
    return Markup(str(chart).replace(SVG_GENERIC_FONT, SVG_PDF_FONT, 1))  # noqa: S704 - was safe


def _table(table: Table, *extra: str) -> dict[str, Any]:
    return {
        "rows": [
            {"label": row.label, "count": row.count, **{key: row.extra.get(key) for key in extra}}
            for row in table.rows
        ],
        "total": table.total,
    }


def swedish_date(moment: datetime, tz: ZoneInfo) -> str:
    return format_date(moment.astimezone(tz).date(), "d MMMM yyyy", locale="sv")


def picture_data(
    picture: SituationPicture,
    *,
    municipality_name: str,
    geometries: dict[int, Any],
    focus_places: list[str],
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    """Everything the PDF shows, as plain data, with small counts always suppressed."""
    threshold = settings.suppression_threshold
    model = view_model(picture.payload, full=False, threshold=threshold, geometries=geometries)
    week: IsoWeek = model["week"]
    baseline = model["baseline"]
    last_year = baseline.get("last_year")
    if last_year is not None and 0 < last_year < threshold:
        last_year = f"<{threshold}"
    participation = model["participation"]
    return {
        "kommun": municipality_name,
        "week_label": week.label(),
        "week_number": week.week,
        "period": (
            f"{format_date(week.monday, 'd MMMM', locale='sv')}–"
            f"{format_date(week.sunday, 'd MMMM yyyy', locale='sv')}"
        ),
        "version": picture.version,
        "published": picture.is_published,
        "status": "fastställd" if picture.is_published else "utkast",
        "status_date": swedish_date(picture.published_at or picture.compiled_at, settings.tz),
        "printed": swedish_date(now, settings.tz),
        "marking": settings.pdf_marking,
        "threshold": threshold,
        "assessment": picture.assessment,
        "notable_events": picture.notable_events,
        "focus_places": focus_places,
        "empty": model["empty"],
        "total": model["total_text"],
        "baseline_weeks": baseline.get("baseline_weeks"),
        "baseline_mean": baseline.get("baseline_mean"),
        "baseline_deviation": model["deviation_labels"].get(baseline.get("deviation"), ""),
        "last_year": last_year,
        "flagged": [f"{row['label']} ({row['deviation_text']})" for row in model["flagged"]],
        "categories": _table(model["categories"], "baseline_mean", "deviation"),
        "deviation_labels": model["deviation_labels"],
        "areas": _table(model["areas"]),
        "times": _table(model["times"]),
        "days": _table(model["days"]),
        "area_map": _pdf_chart(model["area_map"]),
        "trends": [
            {
                "label": trend["label"],
                "chart": _pdf_chart(trend["chart"]),
                "rows": [(w.label(), count) for w, count in trend["rows"]],
            }
            for trend in model["trend_charts"]
        ],
        "hot_spots": [
            {
                "label": spot["label"],
                "area": spot["area"],
                "count": spot["count_text"],
                "several": spot["several"],
            }
            for spot in model["hot_spots"]
        ],
        "participation": {
            "expected": participation["expected"],
            "reported": participation["reported"],
            "nothing_to_report": participation["nothing_to_report"],
            "missing": participation["missing"],
            "late": participation["late"],
        },
    }


def file_name(municipality: Municipality, picture: SituationPicture) -> str:
    """lagesbild-ekbacka-2026-W47-v2.pdf"""
    return f"lagesbild-{municipality.slug}-{IsoWeek.of(picture.week_start)}-v{picture.version}.pdf"


def actions_before_next_meeting(
    session: Session, municipality: Municipality, week: IsoWeek, *, today: date
) -> list[dict[str, Any]]:
    """Open actions due before the meeting after the one that reviews ``week``: by the end of
    the following week, the overdue ones included. Organisations only, never persons."""
    by = week.shift(1).sunday
    return [
        {
            "text": action.text,
            "owner": action.owner_organisation.name,
            "due": swedish_day(action.due_on),
            "overdue": action.due_on < today,
            "status": STATUS_NAMES.get(action.status.value, action.status.value),
            "commitment": action.commitment.text if action.commitment else "",
        }
        for action in open_actions(session, municipality)
        if action.due_on <= by
    ]


def render_picture(
    session: Session, picture: SituationPicture, *, settings: Settings, now: datetime
) -> RenderedPdf:
    """The version as a PDF; call inside an app context (the templates are Flask's)."""
    municipality = session.get(Municipality, picture.municipality_id)
    geometries = dict(
        session.execute(
            select(Area.id, Area.geojson).where(Area.municipality_id == picture.municipality_id)
        ).all()
    )
    focus_places = (
        list(
            session.scalars(
                select(Place.name).where(Place.id.in_(picture.focus_place_ids)).order_by(Place.name)
            )
        )
        if picture.focus_place_ids
        else []
    )
    data = picture_data(
        picture,
        municipality_name=municipality.name,
        geometries=geometries,
        focus_places=focus_places,
        settings=settings,
        now=now,
    )
    data["actions"] = actions_before_next_meeting(
        session,
        municipality,
        IsoWeek.of(picture.week_start),
        today=now.astimezone(settings.tz).date(),
    )
    return html_to_pdf(render_template("lagesbild/pdf/picture.html", pdf=data))
