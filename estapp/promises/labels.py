"""Swedish names for a promise's status, the responsible parties and an indicator's direction."""

from __future__ import annotations

from flask_babel import LazyString, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from estapp.models import Commitment, IndicatorDirection, PromiseStatus, ResponsibleParty

STATUS_LABELS: dict[PromiseStatus, LazyString] = {
    PromiseStatus.DRAFT: _l("utkast"),
    PromiseStatus.ACTIVE: _l("gäller"),
    PromiseStatus.ENDED: _l("avslutat"),
}

PARTY_LABELS: dict[ResponsibleParty, LazyString] = {
    ResponsibleParty.KOMMUN: _l("kommunen"),
    ResponsibleParty.POLIS: _l("polisen"),
    ResponsibleParty.OTHERS: _l("andra"),
}

DIRECTION_LABELS: dict[IndicatorDirection, LazyString] = {
    IndicatorDirection.INCREASE: _l("öka"),
    IndicatorDirection.DECREASE: _l("minska"),
    IndicatorDirection.KEEP: _l("bibehålla"),
}


def status_label(status: PromiseStatus | str) -> str:
    return str(STATUS_LABELS[PromiseStatus(status)])


def direction_label(direction: IndicatorDirection | str) -> str:
    return str(DIRECTION_LABELS[IndicatorDirection(direction)])


def responsible_parties(commitment: Commitment) -> str:
    """The responsible parties only, as the public page names them: "Kommunen och polisen"."""
    names = [str(label) for party, label in PARTY_LABELS.items() if party in commitment.responsible]
    if not names:
        text = ""
    elif len(names) == 1:
        text = names[0]
    else:
        text = _("%(first)s och %(last)s", first=", ".join(names[:-1]), last=names[-1])
    return text[:1].upper() + text[1:]


def responsible_label(commitment: Commitment) -> str:
    """Who is responsible, as a sentence: "Kommunen och polisen (Folkhälsostrateg)"."""
    text = responsible_parties(commitment)
    if commitment.responsible_detail:
        return (
            f"{text} ({commitment.responsible_detail})" if text else commitment.responsible_detail
        )
    return text


def indicator_goal(commitment: Commitment) -> str:
    """The indicator's target in words: "Mål: öka till 75 procent", or "" if none is set."""
    direction = commitment.indicator_direction
    target = commitment.indicator_target
    if target is not None:
        amount = format_decimal(target)
        if commitment.indicator_unit:
            amount = f"{amount} {commitment.indicator_unit}"
        if direction is not None:
            return _(
                "Mål: %(direction)s till %(target)s",
                direction=direction_label(direction),
                target=amount,
            )
        return _("Mål: %(target)s", target=amount)
    if direction is not None:
        return _("Mål: %(direction)s", direction=direction_label(direction))
    return ""
