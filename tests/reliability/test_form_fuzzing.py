"""Property-based fuzzing of every form endpoint: each URL-map rule that accepts POST gets
random and huge strings, wrong types, missing and unknown fields, files where text belongs, and
a missing or wrong CSRF token, as a user who may use the form. Whatever arrives, the answer is
never a 5xx: a 4xx carries a message in Swedish, anything else is a page or a redirect.

The fields come from the forms on the app's own pages, so a new form is fuzzed as soon as a
page shows it; a POST route with no form on any page still gets every field name seen anywhere.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule

from estapp.auth.services import issue_password_token
from estapp.db import utcnow
from estapp.models import User
from tests.conftest import DEMO_PASSWORD
from tests.reliability.forms import FormField, PageForm, forms_on
from tests.reliability.routes import csrf_token, fill, post_rules, rules
from tests.reliability.world import (
    ADMIN,
    COORDINATOR,
    REPORTER_A,
    KommunObjects,
    World,
    build_world,
)

EXAMPLES_PER_FORM = 15  # sized so the fuzzing stays within about 40 s per database on two cores
LOGIN_PATH = "/logga-in"
# The user and organisation the admin's forms act on: a bystander, so fuzzing cannot lock out
# the users that fuzz the other forms (a deactivated coordinator could no longer log in).
BYSTANDER_USER = "soc@rapport.example"
EDIT_MODE = "?andra=1"  # a closed week's veckorapport shows its forms in edit mode
MESSAGE_MARKERS = ('class="error-summary"', 'class="error-message"', "<h1>", 'class="flash')

HUGE = st.sampled_from(["A" * 200_000, "å" * 70_000, "1" * 5_000, "\u202e" * 1_000, "x\x00" * 500])
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-1", "1e309", "NaN", "０１２", "1_000", " 7 ", "0x1F"]),
)
DATES = st.sampled_from(
    ["2026-02-30", "0000-00-00", "9999-12-31", "2026-W99", "31/12/2026", "2026-13-01", "25:61"]
)
TEXT = st.text(max_size=300)
FILES = st.binary(max_size=2_000).map(lambda content: (io.BytesIO(content), "data.csv"))


@dataclass
class Target:
    rule: Rule
    url: str
    actor: str | None
    form: PageForm


@dataclass
class Outcome:
    answers: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, target: Target, what: str) -> None:
        # Recorded, not raised: every form gets all its tries, and no input is echoed whole.
        self.problems.append(f"{target.rule.endpoint} {target.url}: {what[:500]}")


def actor_for(endpoint: str) -> str | None:
    """Who may use the form: the login and set-password forms are for visitors."""
    if endpoint in ("auth.login", "auth.set_password"):
        return None
    if endpoint.startswith("admin."):
        return ADMIN
    if endpoint.startswith("reporting."):
        return REPORTER_A
    return COORDINATOR["ekbacka"]


def value_for(form_field: FormField | None, other_ids: list[str]) -> st.SearchStrategy:
    offered = sorted(form_field.options) if form_field else []
    choices = [TEXT, HUGE, NUMBERS, DATES, st.just(""), st.sampled_from(other_ids)]
    if offered:
        choices.append(st.sampled_from(offered))
    if form_field is not None and form_field.kind == "file":
        choices.append(FILES)
    return st.one_of(choices)


def payloads(form: PageForm, every_name: list[str], other_ids: list[str]) -> st.SearchStrategy:
    """Each field missing, once or repeated, with any value; plus unknown fields."""
    fields = {
        name: st.lists(value_for(f, other_ids), max_size=3)
        for name, f in form.fields.items()
        if name != "csrf_token"
    }
    extra = st.dictionaries(
        st.one_of(st.sampled_from(every_name), st.text(min_size=1, max_size=20)),
        st.lists(value_for(None, other_ids), min_size=1, max_size=2),
        max_size=3,
    )
    return st.tuples(st.fixed_dictionaries({}, optional=fields), extra)


CSRF_MODES = st.sampled_from(["valid"] * 8 + ["missing", "wrong"])


class Session:
    """A test client logged in as the actor, logged in again whenever a form ended the login."""

    def __init__(self, app: Flask, email: str | None) -> None:
        self.app, self.email = app, email
        self.client: FlaskClient = app.test_client()
        self.token = ""
        self.log_in()

    def log_in(self) -> None:
        self.client = self.app.test_client()
        page = self.client.get(LOGIN_PATH).get_data(as_text=True)
        if self.email is not None:
            answer = self.client.post(
                LOGIN_PATH,
                data={
                    "csrf_token": csrf_token(page),
                    "email": self.email,
                    "password": DEMO_PASSWORD,
                },
            )
            assert answer.status_code == 302, f"{self.email} could not log in"
            page = self.client.get("/konto").get_data(as_text=True)
        self.token = csrf_token(page)

    def post(self, url: str, data: dict[str, list], *, relogin: bool) -> tuple[int, str, str]:
        response = self.client.post(url, data=data)
        body = response.get_data().decode(errors="replace")
        location = response.location or ""
        if relogin and self.email is not None and urlsplit(location).path == LOGIN_PATH:
            self.log_in()
        return response.status_code, response.mimetype or "", body


def has_message(mimetype: str, body: str) -> bool:
    if mimetype == "application/json":
        return bool(re.search(r'"(error|message|errors)"', body))
    return any(marker in body for marker in MESSAGE_MARKERS)


def targets(app: Flask, world: World, db) -> list[Target]:
    """Every POST rule, filled with the actor's own objects, with the form a page shows for it."""
    ekbacka = world.kommuner["ekbacka"]
    with db.begin():
        bystander = db.scalars(select(User).where(User.email == BYSTANDER_USER)).one()
        objects = ekbacka.ids | {
            "user_id": bystander.id,
            "organisation_id": bystander.organisation_id,
        }
        link = issue_password_token(db, bystander, now=utcnow())
    own = KommunObjects(ekbacka.slug, objects, ekbacka.observation_by_reporter)
    mine = ekbacka.observation_by_reporter[REPORTER_A]

    def url(rule: Rule) -> str:
        if rule.endpoint == "auth.set_password":
            return f"/konto/nytt-losenord/{link}"
        return fill(rule, world, kommun=own, objects=own, observation_id=mine)

    found: dict[str, PageForm] = {}
    actors = {actor_for(rule.endpoint) for rule in post_rules(app)}
    for actor in actors:
        session = Session(app, actor)
        for rule in rules(app):
            if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
                continue
            if actor_for(rule.endpoint) != actor or rule.endpoint == "health.healthz":
                continue
            editable = rule.endpoint.startswith("reporting.")
            for path in (url(rule), url(rule) + EDIT_MODE) if editable else (url(rule),):
                page = session.client.get(path)
                if page.mimetype != "text/html":
                    continue
                for form in forms_on(urlsplit(path).path, page.get_data(as_text=True)):
                    known = found.setdefault(form.action, PageForm(form.action))
                    for name, form_field in form.fields.items():
                        known.fields.setdefault(name, form_field).options |= form_field.options
    ordered = sorted(
        post_rules(app),
        # The admin's forms can rename the kommun the others use, and logging out ends a login:
        # those go last.
        key=lambda rule: (rule.endpoint == "auth.logout", rule.endpoint.startswith("admin.")),
    )
    return [
        Target(rule, url(rule), actor_for(rule.endpoint), found.get(url(rule), PageForm(url(rule))))
        for rule in ordered
    ]


def fuzz(
    session: Session, target: Target, every_name: list[str], other_ids: list[str], outcome: Outcome
) -> None:

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=payloads(target.form, every_name, other_ids), csrf=CSRF_MODES)
    def attempt(payload: tuple[dict, dict], csrf: str) -> None:
        fields, extra = payload
        data: dict[str, list] = {**extra, **fields}
        if csrf == "valid":
            data["csrf_token"] = [session.token]
        elif csrf == "wrong":
            data["csrf_token"] = [session.token[::-1]]
        else:
            data.pop("csrf_token", None)
        # After a logout the next tries post as a visitor whose login has ended: worth trying too.
        relogin = target.rule.endpoint != "auth.logout"
        status, mimetype, body = session.post(target.url, data, relogin=relogin)
        outcome.answers[status // 100 * 100] += 1
        sent = ", ".join(f"{name}×{len(values)}" for name, values in sorted(data.items()))
        if status >= 500 or "Traceback" in body:
            outcome.problem(target, f"{status} for {sent}")
        elif 400 <= status < 500 and not has_message(mimetype, body):
            outcome.problem(target, f"{status} without a message for {sent}: {body[:300]}")

    attempt()


@pytest.mark.time_limit(170)
def test_no_form_answers_random_input_with_a_server_error(app, demo, settings):
    world = build_world(demo, settings)
    found = targets(app, world, demo)
    every_name = sorted({name for t in found for name in t.form.fields} | {"csrf_token"})
    other_ids = [str(i) for i in world.kommuner["sjovik"].ids.values()] + ["987654321", "-1"]
    outcome = Outcome()

    sessions: dict[str | None, Session] = {}
    for target in found:
        if target.actor not in sessions:
            sessions[target.actor] = Session(app, target.actor)
        fuzz(sessions[target.actor], target, every_name, other_ids, outcome)

    tried = sum(outcome.answers.values())
    print(f"\nfuzzing: {len(found)} formulär, {tried} inskick, svar {dict(outcome.answers)}")
    assert not outcome.problems, "\n".join(outcome.problems)
    assert len(found) >= 60 and tried == len(found) * EXAMPLES_PER_FORM
    with_fields = [t for t in found if len(t.form.fields) > 1]  # more than the CSRF token
    assert len(with_fields) >= 35, [t.rule.endpoint for t in with_fields]


CSRF_REFUSAL = "Formuläret hade gått ut"


@pytest.mark.time_limit(90)
def test_every_form_refuses_a_missing_or_wrong_csrf_token_with_a_message(app, demo, settings):
    world = build_world(demo, settings)
    found = targets(app, world, demo)
    sessions = {actor: Session(app, actor) for actor in {t.actor for t in found} | {None}}
    wrong: list[str] = []

    for target in found:
        for actor in (target.actor, None):  # the form's user, and a visitor
            session = sessions[actor]
            for token in ([], ["fel-token"], [session.token[:-2] + "xx"]):
                data = {name: ["1"] for name in target.form.fields} | {"csrf_token": token}
                status, _, body = session.post(target.url, data, relogin=False)
                if status != 400 or CSRF_REFUSAL not in body:
                    wrong.append(f"{actor or 'besökare'}: {target.url} {token}: {status}")

    assert not wrong, "\n".join(wrong)
