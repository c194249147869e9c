"""Swedish names for the actions and object types shown on the audit log page."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    "login": _l("inloggning"),
    "login_failed": _l("misslyckad inloggning"),
    "logout": _l("utloggning"),
    "password_changed": _l("lösenord bytt"),
    "invitation_issued": _l("inbjudningslänk skapad"),
    "user_created": _l("användare skapad"),
    "user_updated": _l("användare ändrad"),
    "user_activated": _l("användare aktiverad"),
    "user_deactivated": _l("användare inaktiverad"),
    "municipality_created": _l("kommun skapad"),
    "municipality_updated": _l("kommun ändrad"),
    "organisation_created": _l("aktör skapad"),
    "organisation_updated": _l("aktör ändrad"),
    "organisation_activated": _l("aktör aktiverad"),
    "organisation_deactivated": _l("aktör inaktiverad"),
    "area_created": _l("område skapat"),
    "area_updated": _l("område ändrat"),
    "area_deleted": _l("område borttaget"),
    "place_created": _l("plats skapad"),
    "place_updated": _l("plats ändrad"),
    "place_deleted": _l("plats borttagen"),
    "category_created": _l("händelsetyp skapad"),
    "category_renamed": _l("händelsetyp omdöpt"),
    "category_activated": _l("händelsetyp aktiverad"),
    "category_deactivated": _l("händelsetyp inaktiverad"),
    "category_deleted": _l("händelsetyp borttagen"),
    "observation_created": _l("händelse rapporterad"),
    "observation_updated": _l("händelse ändrad"),
    "observation_deleted": _l("händelse borttagen"),
    "observation_corrected": _l("händelse rättad av samordnare"),
    "observations_imported": _l("händelser importerade"),
    "report_submitted": _l("veckorapport inskickad"),
    "deadline_changed": _l("tidsfrist ändrad"),
    "situation_picture_compiled": _l("lägesbild sammanställd"),
    "situation_picture_assessed": _l("bedömning sparad"),
    "situation_picture_published": _l("lägesbild fastställd"),
    "mail_sent": _l("e-post skickad"),
    "outbox_message_requeued": _l("e-post köad för nytt försök"),
    "distribution_recipient_added": _l("mottagare tillagd på sändlistan"),
    "distribution_recipient_changed": _l("mottagarens dokument ändrade"),
    "distribution_recipient_removed": _l("mottagare borttagen från sändlistan"),
    "distribution_settings_changed": _l("inställningar för utskick ändrade"),
    "reminder_queued": _l("påminnelse köad"),
    "promise_created": _l("medborgarlöfte skapat"),
    "promise_updated": _l("medborgarlöfte ändrat"),
    "promise_deleted": _l("medborgarlöfte borttaget"),
    "commitment_created": _l("åtagande tillagt"),
    "commitment_updated": _l("åtagande ändrat"),
    "commitment_deleted": _l("åtagande borttaget"),
    "commitments_reordered": _l("åtagandenas ordning ändrad"),
    "public_follow_up_changed": _l("offentliga uppföljningssidan slagen på eller av"),
    "meeting_created": _l("EST-möte påbörjat"),
    "meeting_attendance_set": _l("närvaro vid EST-möte sparad"),
    "meeting_focus_places_set": _l("fokusplatser bestämda"),
    "meeting_minutes_saved": _l("protokoll sparat"),
    "meeting_locked": _l("protokoll låst"),
    "action_created": _l("åtgärd beslutad"),
    "action_followed_up": _l("åtgärd följd upp"),
    "action_reminder_queued": _l("påminnelse om åtgärd köad"),
    "retention_changed": _l("gallringsfrist ändrad"),
    "category_retention_changed": _l("händelsetypens gallringsfrist ändrad"),
    "observations_purged": _l("händelser gallrade"),
    "database_exported": _l("databasen exporterad till en säkerhetskopia"),
    "database_imported": _l("databasen återställd från en säkerhetskopia"),
}

OBJECT_LABELS: dict[str, LazyString] = {
    "user": _l("användare"),
    "municipality": _l("kommun"),
    "organisation": _l("aktör"),
    "area": _l("område"),
    "place": _l("plats"),
    "category": _l("händelsetyp"),
    "observation": _l("händelse"),
    "weekly_report": _l("veckorapport"),
    "situation_picture": _l("lägesbild"),
    "outbox_message": _l("e-post"),
    "distribution_recipient": _l("sändlistemottagare"),
    "reminder": _l("påminnelse"),
    "promise": _l("medborgarlöfte"),
    "commitment": _l("åtagande"),
    "meeting": _l("EST-möte"),
    "action": _l("åtgärd"),
    "database": _l("databas"),
}


def action_label(action: str) -> str:
    """The Swedish name of an action; actions added by other features show their code."""
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))


DETAIL_LABELS: dict[str, LazyString] = {
    "name": _l("namn"),
    "slug": _l("kortnamn"),
    "kind": _l("typ"),
    "municipalities": _l("kommuner"),
    "email": _l("e-post"),
    "role": _l("roll"),
    "organisation": _l("aktör"),
    "organisation_id": _l("aktör (id)"),
    "address": _l("adress"),
    "parent": _l("ligger i"),
    "area": _l("område"),
    "geojson": _l("gräns"),
    "latitude": _l("latitud"),
    "longitude": _l("longitud"),
    "active": _l("aktiv"),
    "recipient": _l("mottagare"),
    "recipients": _l("mottagare (antal)"),
    "subject": _l("ämne"),
    "documents": _l("dokument"),
    "document_key": _l("dokument"),
    "message_id": _l("Message-ID"),
    "attempt": _l("försök"),
    "attempts": _l("antal försök"),
    "last_error": _l("senaste fel"),
    "title": _l("rubrik"),
    "period": _l("period"),
    "promise": _l("medborgarlöfte"),
    "text": _l("text"),
    "period_start": _l("första år"),
    "period_end": _l("sista år"),
    "status": _l("status"),
    "summary": _l("löftet i korthet"),
    "background": _l("bakgrund"),
    "goal": _l("mål"),
    "follow_up": _l("uppföljning"),
    "evaluation": _l("utvärdering"),
    "signed_on": _l("undertecknat"),
    "signatories": _l("undertecknat av"),
    "contact": _l("kontakt"),
    "problem_areas": _l("problemområden"),
    "responsible": _l("ansvarig"),
    "responsible_detail": _l("ansvarig funktion eller aktör"),
    "scope": _l("omfattning"),
    "indicator_name": _l("indikator"),
    "indicator_unit": _l("enhet"),
    "indicator_direction": _l("riktning"),
    "indicator_target": _l("målvärde"),
    "indicator_note": _l("om indikatorn"),
    "public_note": _l("till invånarna"),
    "order": _l("ordning"),
    "before": _l("före ändringen"),
    "after": _l("efter ändringen"),
    "week": _l("vecka"),
    "version": _l("version"),
    "enabled": _l("på"),
    "file": _l("fil"),
    "tables": _l("tabeller"),
    "rows": _l("rader"),
    "revision": _l("databasversion"),
    "exported_at": _l("exporterad"),
    "reason": _l("orsak"),
    "mail_kind": _l("slag av e-post"),
    "late": _l("sen"),
    "report_id": _l("veckorapport (id)"),
    "count": _l("antal"),
    "weeks": _l("veckor"),
    "organisations": _l("aktörer"),
    "total": _l("antal händelser"),
    "focus_places": _l("fokusplatser"),
    "owner": _l("ansvarig aktör"),
    "due_on": _l("klar senast"),
    "commitment_id": _l("åtagande (id)"),
    "note": _l("anteckning"),
    "held_on": _l("mötesdag"),
    "attendees": _l("närvarande"),
    "place": _l("plats"),
    "place_created": _l("ny plats"),
    "category": _l("händelsetyp"),
    "observations": _l("händelser"),
    "drafts": _l("utkast"),
    "retention_months": _l("gallringsfrist (månader)"),
    "kept_from": _l("sparas från vecka"),
    "by_category": _l("per händelsetyp"),
    "interrupted": _l("avbruten, fortsätter nästa natt"),
}

# Codes stored in the details, by key, shown in Swedish.
VALUE_LABELS: dict[str, dict[str, LazyString]] = {
    "reason": {
        "wrong_password": _l("fel lösenord"),
        "unknown_account": _l("ingen användare har den e-postadressen"),
        "inactive_account": _l("kontot är inaktiverat"),
        "scheduled": _l("schemalagd"),
        "manual": _l("för hand"),
        "cli": _l("från kommandoraden"),
    },
    "mail_kind": {
        "lagesbild": _l("lägesbild"),
        "protokoll": _l("protokoll från EST-möte"),
        "inbjudan": _l("inbjudan"),
        "paminnelse": _l("påminnelse om veckorapport"),
        "atgard": _l("påminnelse om åtgärd"),
    },
}


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_l("ja") if value else _l("nej"))
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value)
    return str(value)


def detail_lines(details: dict[str, Any]) -> list[str]:
    """The event's details as short Swedish lines; an edit shows "namn: gammalt → nytt"."""
    lines = []
    for key, value in sorted(details.items()):
        if key == "changes" and isinstance(value, dict):
            for name, change in sorted(value.items()):
                old, new = (
                    change if isinstance(change, list) and len(change) == 2 else (None, change)
                )
                lines.append(f"{DETAIL_LABELS.get(name, name)}: {_shown(old)} → {_shown(new)}")
        else:
            shown = VALUE_LABELS.get(key, {}).get(value) if isinstance(value, str) else None
            lines.append(f"{DETAIL_LABELS.get(key, key)}: {shown or _shown(value)}")
    return lines
