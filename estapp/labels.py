"""Swedish display names for the codes stored in the database."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from estapp.models import OrganisationKind, Role

ROLE_LABELS: dict[Role, LazyString] = {
    Role.ADMIN: _l("administratör"),
    Role.COORDINATOR: _l("samordnare"),
    Role.REPORTER: _l("rapportör"),
    Role.VIEWER: _l("läsare"),
}

KIND_LABELS: dict[OrganisationKind, LazyString] = {
    OrganisationKind.SKOLA: _l("skola"),
    OrganisationKind.SOCIALTJANST: _l("socialtjänst"),
    OrganisationKind.POLIS: _l("polis"),
    OrganisationKind.BOSTADSBOLAG: _l("bostadsbolag"),
    OrganisationKind.FRITID: _l("fritid"),
    OrganisationKind.RADDNINGSTJANST: _l("räddningstjänst"),
    OrganisationKind.KOLLEKTIVTRAFIK: _l("kollektivtrafik"),
    OrganisationKind.BEVAKNING: _l("bevakning (väktarbolag)"),
    OrganisationKind.NARINGSLIV: _l("näringsliv och handel"),
    OrganisationKind.OVRIG: _l("övrig"),
}

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "Skadegörelse",
    "Klotter",
    "Nedskräpning",
    "Anlagd brand",
    "Ungdomar som samlas eller stör",
    "Öppen droghantering",
    "Hot eller våld",
    "Incident mot anställd",
    "Otrygg plats",
    "Trafik",
    "Övrigt",
)


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])


def kind_label(kind: OrganisationKind | str) -> str:
    return str(KIND_LABELS[OrganisationKind(kind)])
