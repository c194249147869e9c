"""The yearly follow-up as a PDF: an A4 document in Swedish, tagged (PDF/UA) and loading only
the shipped fonts, rendered like the lägesbild and the protokoll."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import force_locale

from estapp.lagesbild.pdf import RenderedPdf, html_to_pdf
from estapp.meetings.domain import swedish_day
from estapp.promises.progress import STATUS_LABELS, STATUS_RULES
from estapp.promises.yearly import YearlyReport


def document_title(report: YearlyReport) -> str:
    """Uppföljning av medborgarlöftet – Ekbacka 2026"""
    return f"Uppföljning av medborgarlöftet – {report.kommun} {report.year}"


def file_name(report: YearlyReport) -> str:
    """medborgarloefte-ekbacka-2026.pdf"""
    return f"medborgarloefte-{report.slug}-{report.year}.pdf"


def render_yearly(report: YearlyReport, *, today: date) -> RenderedPdf:
    """The follow-up as a PDF; call inside an app context (the templates are Flask's)."""
    with force_locale("sv"):  # always Swedish: it is written for the kommun's citizens
        html = render_template(
            "promises/pdf/yearly.html",
            report=report,
            title=document_title(report),
            made_on=swedish_day(today),
            day=swedish_day,
            status_labels={status: str(label) for status, label in STATUS_LABELS.items()},
            status_rules=[str(rule) for _status, rule in STATUS_RULES],
        )
    return html_to_pdf(html)
