"""The authorization matrix: every route of the URL map, as every role, asked for the objects of
another organisation or kommun and for ids that were only guessed, must be refused; and no page
any of them gets shows another's data.

A page is refused with 403 or 404 (a visitor who is not logged in is sent to the login page).
What a page may not show is checked by canary texts that each object carries (see world.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from estapp.auth.access import is_public_endpoint
from tests.conftest import DEMO_PASSWORD
from tests.reliability.routes import (
    ID_ARGUMENTS,
    KOMMUN_ARGUMENTS,
    VERSION_ARGUMENT,
    arguments,
    csrf_token,
    fill,
)
from tests.reliability.routes import rules as all_rules
from tests.reliability.world import (
    ADMIN,
    COORDINATOR,
    REPORTER_A,
    REPORTER_B,
    VIEWER,
    KommunObjects,
    World,
    build_world,
)

LOGIN_PATH = "/logga-in"
REFUSED = {403, 404}

# Routes that answer everyone, whatever the URL names; each is public for a stated reason
# (tests/web/test_route_access.py keeps the same list for anonymous visitors).
SHARED_ROUTES = {
    "auth.login": "the login page itself",
    "auth.set_password": "a set-password link; its token is the credential (a guess gets 404)",
    "static": "stylesheets, scripts and fonts",
    "health.healthz": "statuses and counts for the load balancer, no data of any kommun",
    "promises.public_index": "the public follow-up: kommuner that turned it on, counts only",
    "promises.public_follow_up": "the public follow-up page of a kommun that turned it on",
}
# Routes not probed with POST here: they act on the caller's own login.
OWN_LOGIN_ROUTES = {"auth.logout": "ends the caller's own login (tests/reliability/test_sessions)"}


@dataclass(frozen=True)
class Role:
    label: str
    email: str | None

    def forbidden(self, world: World) -> set[str]:
        """The canaries this role may never see."""
        if self.email == ADMIN:
            return set()
        if self.email is None:
            return {c for k in world.kommuner.values() for c in k.canaries}
        mine = world.user_kommuner[self.email]
        hidden = {c for slug, k in world.kommuner.items() if slug not in mine for c in k.canaries}
        for slug in mine:
            observations = world.kommuner[slug].observation_canaries
            if self.email == VIEWER:  # viewers never see raw observations
                hidden |= set(observations.values())
            elif self.email in observations:  # a reporter sees the own partner's only
                hidden |= {text for owner, text in observations.items() if owner != self.email}
        return hidden

    def own(self, world: World) -> KommunObjects:
        """The user's kommun (the admin and anonymous visitors are given Ekbacka)."""
        mine = world.user_kommuner.get(self.email or "", set()) or {"ekbacka"}
        return world.kommuner[min(mine)]


ROLES = [
    Role("anonym", None),
    Role("rapportör A (skola, Ekbacka)", REPORTER_A),
    Role("rapportör B (bostadsbolag, Ekbacka)", REPORTER_B),
    Role("läsare (Ekbacka)", VIEWER),
    Role("samordnare X (Ekbacka)", COORDINATOR["ekbacka"]),
    Role("samordnare Y (Sjövik)", COORDINATOR["sjovik"]),
    Role("administratör", ADMIN),
]


@dataclass(frozen=True)
class Probe:
    role: str
    variant: str
    method: str
    url: str
    endpoint: str


@dataclass
class Findings:
    tried: Counter
    problems: list[str]
    seen_by_admin: set[str]

    def add(self, probe: Probe, problem: str) -> None:
        self.problems.append(
            f"{probe.role}: {probe.method} {probe.url} ({probe.endpoint}, {probe.variant}): "
            f"{problem}"
        )


def variants(rule: Rule, role: Role, world: World) -> list[tuple[str, str]]:
    """(name, URL) of the requests a role makes of a rule that names objects."""
    names = arguments(rule)
    own = role.own(world)
    other = world.other(own.slug)
    found = [("annan kommuns objekt", fill(rule, world, kommun=other, objects=other))]
    if names & KOMMUN_ARGUMENTS and names & ID_ARGUMENTS:
        found.append(
            ("egen kommun, annan kommuns id", fill(rule, world, kommun=own, objects=other))
        )
    if "observation_id" in names and role.email in own.observation_by_reporter:
        partner = next(i for e, i in own.observation_by_reporter.items() if e != role.email)
        found.append(
            (
                "annan aktörs händelse",
                fill(rule, world, kommun=own, objects=own, observation_id=partner),
            )
        )
    if names & (ID_ARGUMENTS | {VERSION_ARGUMENT}):
        found.append(("gissade id", fill(rule, world, kommun=own, objects=None)))
    else:
        found.append(("gissad kommun", fill(rule, world, kommun=None, objects=None)))
    return found


def refused(role: Role, status: int, location: str) -> bool:
    if role.email is None:
        return status in (302, 303) and urlsplit(location).path == LOGIN_PATH
    return status in REFUSED


def logged_in_client(app: Flask, role: Role) -> FlaskClient:
    client = app.test_client()
    if role.email is not None:
        token = csrf_token(client.get(LOGIN_PATH).get_data(as_text=True))
        response = client.post(
            LOGIN_PATH, data={"csrf_token": token, "email": role.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, f"{role.label} could not log in"
    return client


def probe_role(app: Flask, role: Role, world: World, findings: Findings) -> None:
    client = logged_in_client(app, role)
    form_page = "/konto" if role.email else LOGIN_PATH
    token = csrf_token(client.get(form_page).get_data(as_text=True))
    forbidden = role.forbidden(world)

    def send(probe: Probe, must_refuse: bool) -> None:
        data = {"csrf_token": token} if probe.method == "POST" else None
        response = client.open(probe.url, method=probe.method, data=data)
        findings.tried[probe.variant] += 1
        # PDF and XLSX bodies are binary (their text is compressed): those answers are judged
        # by their status alone.
        body = response.get_data().decode(errors="replace")
        if response.status_code >= 500:
            findings.add(probe, f"{response.status_code}")
        elif must_refuse and not refused(role, response.status_code, response.location or ""):
            findings.add(probe, f"answered {response.status_code} {response.location or ''}")
        if role.email == ADMIN:
            findings.seen_by_admin |= {
                c for k in world.kommuner.values() for c in k.canaries if c in body
            }
        leaked = sorted(c for c in forbidden if c in body)
        if leaked:
            findings.add(probe, f"shows {', '.join(leaked)}")

    for rule in all_rules(app):
        if rule.endpoint in SHARED_ROUTES:
            assert is_public_endpoint(app, rule.endpoint), rule.endpoint
            names = arguments(rule)
            if names and names <= KOMMUN_ARGUMENTS:  # a kommun's public page: nobody's secrets
                url = fill(rule, world, kommun=world.other(role.own(world).slug), objects=None)
                send(Probe(role.label, "delad sida", "GET", url, rule.endpoint), False)
            continue
        methods = sorted({"GET", "POST"} & (rule.methods or set()))
        if not arguments(rule):
            for method in methods:
                if method == "POST" and rule.endpoint in OWN_LOGIN_ROUTES:
                    continue
                send(Probe(role.label, "utan argument", method, rule.rule, rule.endpoint), False)
            continue
        for variant, url in variants(rule, role, world):
            for method in methods:
                # The administrator administers every kommun, so is answered with another
                # kommun's real objects (estapp/auth/access.py: coordinates() lets admins in).
                # Only reading is probed: an admin's POST would really change them. Mismatched
                # and guessed ids must be refused to the admin too.
                may_see = role.email == ADMIN and variant == "annan kommuns objekt"
                if may_see and method == "POST":
                    continue
                send(Probe(role.label, variant, method, url, rule.endpoint), not may_see)

    if role.email is not None:  # every refusal above was made to a user still logged in
        still = client.get("/konto")
        assert still.status_code == 200, f"{role.label} was logged out during the probes"


@pytest.mark.time_limit(150)
def test_every_route_refuses_every_role_the_objects_of_others(app, demo, settings):
    world = build_world(demo, settings)
    findings = Findings(Counter(), [], set())

    for role in ROLES:
        probe_role(app, role, world, findings)

    print(
        f"\nbehörighetsmatris: {sum(findings.tried.values())} förfrågningar", dict(findings.tried)
    )
    assert not findings.problems, f"{len(findings.problems)} problems:\n" + "\n".join(
        findings.problems
    )
    # The admin is shown the other kommun's objects: the canaries are there to be found.
    assert len(findings.seen_by_admin) >= 6, findings.seen_by_admin
    assert findings.tried["annan kommuns objekt"] > 7 * 80  # every role, every route with ids


def test_each_canary_shows_on_the_pages_of_those_who_may_see_its_object(app, demo, settings):
    """The control for the test above: the canaries are really on the pages, so their absence
    there means the object was not shown."""
    world = build_world(demo, settings)
    week = str(world.week)
    for slug, objects in world.kommuner.items():
        coordinator = logged_in_client(app, Role("samordnare", COORDINATOR[slug]))
        pages = [
            f"/samordning/{slug}/handelser?vecka={week}",
            f"/mote/{slug}/{week}",
            f"/lagesbild/{slug}/{week}",
            f"/samordning/{slug}/sandlista",
            f"/samordning/{slug}/utkorg",
            f"/admin/kommuner/{objects.ids['municipality_id']}/platser/{objects.ids['place_id']}/andra",
        ]
        seen = set()
        for page in pages:
            body = coordinator.get(page).get_data(as_text=True)
            seen |= {c for c in objects.canaries if c in body}
        admin = logged_in_client(app, Role("admin", ADMIN))
        body = admin.get(pages[-1]).get_data(as_text=True)
        seen |= {c for c in objects.canaries if c in body}
        assert seen == objects.canaries, f"{slug}: never shown: {objects.canaries - seen}"
