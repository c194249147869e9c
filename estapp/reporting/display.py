"""Swedish words and local times for reporting pages, registered as template filters."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask_babel import LazyString, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from estapp.models import Concern, ReportStatus, TimeOfDay
from estapp.reporting.domain import PartnerStatus

TIME_OF_DAY_LABELS: dict[TimeOfDay, LazyString] = {
    TimeOfDay.NIGHT: _l("natt"),
    TimeOfDay.MORNING: _l("morgon"),
    TimeOfDay.DAY: _l("dag"),
    TimeOfDay.EVENING: _l("kväll"),
}
CONCERN_LABELS: dict[Concern, LazyString] = {
    Concern.LOW: _l("låg"),
    Concern.MEDIUM: _l("medel"),
    Concern.HIGH: _l("hög"),
}
PARTNER_STATUS_LABELS: dict[PartnerStatus, LazyString] = {
    PartnerStatus.SUBMITTED: _l("inskickad"),
    PartnerStatus.NOTHING: _l("inget att rapportera"),
    PartnerStatus.DRAFT: _l("utkast"),
    PartnerStatus.MISSING: _l("saknas"),
    PartnerStatus.LATE: _l("sen"),
}


def local_moment(value: datetime | None) -> str:
    """A deadline or submission time in local time, e.g. 'måndag 30 november kl. 09.00'."""
    return format_datetime(value, _("EEEE d MMMM 'kl.' HH.mm")) if value else ""


def clock(value: datetime | None) -> str:
    """The local time of day, e.g. '14.05'."""
    return format_datetime(value, _("HH.mm")) if value else ""


def time_of_day_label(value: TimeOfDay | str) -> str:
    return str(TIME_OF_DAY_LABELS[TimeOfDay(value)])


def concern_label(value: Concern | str) -> str:
    return str(CONCERN_LABELS[Concern(value)])


def partner_status_label(value: PartnerStatus) -> str:
    return str(PARTNER_STATUS_LABELS[value])


def own_status_label(status: ReportStatus | None, late: bool, *, overdue: bool) -> str:
    """What a reporter reads about their own week (utkast, inskickad, sen, …)."""
    if status == ReportStatus.SUBMITTED:
        return _("inskickad, sen") if late else _("inskickad")
    if status == ReportStatus.NOTHING_TO_REPORT:
        return _("inget att rapportera, sen") if late else _("inget att rapportera")
    if overdue:
        return _("sen – inte inskickad")
    if status == ReportStatus.DRAFT:
        return _("utkast")
    return _("inte påbörjad")


def register(bp: Blueprint) -> None:
    """Make the helpers available to every template of the app."""
    bp.add_app_template_filter(local_moment, "local_moment")
    bp.add_app_template_filter(clock, "clock")
    bp.add_app_template_filter(time_of_day_label, "time_of_day_label")
    bp.add_app_template_filter(concern_label, "concern_label")
    bp.add_app_template_filter(partner_status_label, "partner_status_label")
