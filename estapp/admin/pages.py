"""What the admin views share: saving a form, one-click actions, form pages, lists, look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from estapp.admin.changes import municipality_id_of
from estapp.admin.errors import InvalidChange
from estapp.admin.fields import MAX_ID
from estapp.admin.forms import ALL, FilterForm
from estapp.db import Base, get_session
from estapp.models import Municipality, Organisation

T = TypeVar("T")
M = TypeVar("M", bound=Base)
F = TypeVar("F", bound=FilterForm)


def get_or_404(model: type[M], object_id: int) -> M:
    obj = get_session().get(model, object_id) if 0 < object_id <= MAX_ID else None
    if obj is None:
        abort(404)
    return obj


def get_in_municipality(model: type[M], object_id: int, municipality: Municipality) -> M:
    """The object, or 404 when it belongs to another kommun than the one in the URL."""
    obj = get_or_404(model, object_id)
    if municipality_id_of(obj) != municipality.id:
        abort(404)
    return obj


def save(form: FlaskForm, change: Callable[[Session], T]) -> T | None:
    """Validate a posted form and run the change in one transaction.

    Returns the change's result after the commit, or None when the form must be shown again:
    a broken rule becomes a message at its field (or above the form) and nothing is kept.
    """
    if not form.validate_on_submit():
        return None
    session = get_session()
    try:
        result = change(session)
    except InvalidChange as error:
        session.rollback()
        field = form._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return None
    session.commit()
    return result


def act(change: Callable[[Session], object], success: str, back: str) -> Response:
    """Run a one-click change (its CSRF token is checked for every POST), flash, go back."""
    session = get_session()
    try:
        change(session)
    except InvalidChange as error:
        session.rollback()
        flash(str(error.message), "error")
    else:
        session.commit()
        flash(success, "success")
    return redirect(back)


def form_page(
    form: FlaskForm,
    *,
    title: str,
    submit_label: str,
    back_url: str,
    template: str = "admin/form_page.html",
    **context: Any,
) -> ResponseReturnValue:
    """Show a create/edit form; 400 when it comes back with errors."""
    status = 400 if form.errors or form.form_errors else 200
    return (
        render_template(
            template,
            form=form,
            title=title,
            submit_label=submit_label,
            back_url=back_url,
            **context,
        ),
        status,
    )


def confirm_then(
    change: Callable[[Session], object],
    *,
    title: str,
    question: str,
    button: str,
    success: str,
    back_url: str,
) -> ResponseReturnValue:
    """Ask before an irreversible change (GET); the page's button posts it (POST)."""
    if request.method == "POST":
        return act(change, success, back_url)
    return render_template(
        "admin/confirm.html", title=title, question=question, button=button, back_url=back_url
    )


def filter_form(form_class: type[F], **choices: list[SelectChoice]) -> F:
    """A filter form read from the query string, with the given select choices.

    Filters with errors are shown with their messages and do not filter.
    """
    form = form_class(formdata=request.args)
    for name, options in choices.items():
        form[name].choices = options
    if request.args:
        form.validate()
    return form


def filter_value(form: FilterForm, name: str) -> Any:
    field = form[name]
    return None if field.errors else field.data


def page_number() -> int:
    return request.args.get("sida", 1, type=int) or 1


def id_choices(
    objects: Iterable[Municipality | Organisation], *, empty: Any = None
) -> list[SelectChoice]:
    """Select choices for kommuner or organisations, by id; inactive ones are marked."""
    choices = [empty] if empty is not None else []
    for obj in objects:
        label = obj.name
        if isinstance(obj, Organisation) and not obj.active:
            label = _("%(name)s (inaktiv)", name=obj.name)
        choices.append(SelectChoice(str(obj.id), label))
    return choices


def filter_choices(objects: Iterable[Municipality | Organisation]) -> list[SelectChoice]:
    return id_choices(objects, empty=ALL)
