"""Every route refuses anonymous visitors unless it was deliberately made public."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import Rule, ValidationError

from estapp.auth.access import is_public_endpoint, public

# Adding to this set is a decision: say in the change why the page may be seen without a login.
EXPECTED_PUBLIC = {
    "auth.login",
    "auth.set_password",
    "static",
    # For the load balancer: statuses and counts only (tests/integration/test_production.py).
    "health.healthz",
    # The public follow-up of the medborgarlöften: counts only, and only for kommuner that
    # turned it on (tests/web/test_public_follow_up.py).
    "promises.public_index",
    "promises.public_follow_up",
}
LOGIN_PATH = "/logga-in"
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # HEAD and OPTIONS follow GET
# Tried in order for each URL argument; the first one its converter accepts is used.
DUMMY_VALUES = (
    "1",
    "x",
    "2026-W47",
    "2026-11-16",
    "2026",
    "00000000-0000-4000-8000-000000000000",
)


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    url: str
    status: int
    location: str

    @property
    def refused(self) -> bool:
        """Sent to the login page, or refused outright."""
        if self.status in (401, 403):
            return True
        return self.status in (302, 303) and urlsplit(self.location).path == LOGIN_PATH

    def __str__(self) -> str:
        where = f" -> {self.location}" if self.location else ""
        return f"{self.method} {self.url}: {self.status}{where}"


def dummy_arguments(rule: Rule) -> dict[str, Any]:
    """Values for the rule's URL arguments that its converters accept."""
    values: dict[str, Any] = {}
    # Werkzeug keeps each argument's converter on the rule; there is no public accessor.
    for name, converter in rule._converters.items():
        if rule.defaults and name in rule.defaults:
            continue
        for candidate in DUMMY_VALUES:
            if not re.fullmatch(converter.regex, candidate):
                continue
            try:
                values[name] = converter.to_python(candidate)
            except ValidationError:
                continue
            break
        else:
            raise LookupError(
                f"{rule.rule}: no dummy value fits <{name}> ({type(converter).__name__});"
                " add one to DUMMY_VALUES"
            )
    return values


def probe_routes(app: Flask) -> list[Probe]:
    """Request every method of every non-public route as an anonymous visitor."""
    adapter = app.url_map.bind("localhost")
    probes = []
    for rule in app.url_map.iter_rules():
        if is_public_endpoint(app, rule.endpoint):
            continue
        built = rule.build(dummy_arguments(rule), append_unknown=False)
        assert built is not None, f"could not build a URL for {rule.rule}"
        url = built[1]
        for method in sorted(set(PROBED_METHODS) & (rule.methods or set())):
            reached, _ = adapter.match(url, method=method)
            assert reached == rule.endpoint, (
                f"{method} {url} reaches {reached}, not {rule.endpoint}: change DUMMY_VALUES"
            )
            response = app.test_client().open(url, method=method)
            probes.append(
                Probe(
                    rule.endpoint,
                    method,
                    url,
                    response.status_code,
                    response.headers.get("Location", ""),
                )
            )
    return probes


def unprotected_endpoints(app: Flask) -> dict[str, list[str]]:
    """The non-public endpoints an anonymous visitor is not refused by, with what they answered."""
    found: dict[str, list[str]] = {}
    for probe in probe_routes(app):
        if not probe.refused:
            found.setdefault(probe.endpoint, []).append(str(probe))
    return found


def public_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)
    }


def _without_csrf(app: Flask) -> Flask:
    # Without this every anonymous POST stops at the CSRF check (400) before the login rule runs.
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_every_route_refuses_anonymous_visitors_unless_public(app):
    _without_csrf(app)

    probes = probe_routes(app)

    probed = {(probe.endpoint, probe.method) for probe in probes}
    assert {
        ("home.index", "GET"),
        ("auth.account", "GET"),
        ("auth.account", "POST"),
        ("auth.logout", "POST"),
        ("admin.index", "GET"),
    } <= probed
    leaks = unprotected_endpoints(app)
    assert not leaks, "open to anonymous visitors:\n" + "\n".join(
        f"  {endpoint}: {'; '.join(answers)}" for endpoint, answers in sorted(leaks.items())
    )


def test_the_public_endpoints_are_exactly_the_expected_ones(app):
    assert public_endpoints(app) == EXPECTED_PUBLIC


def test_a_new_route_is_refused_by_default(app):
    _without_csrf(app)
    app.add_url_rule("/ny-sida/<int:item_id>", "new_page", lambda item_id: "hemligt")
    app.add_url_rule("/ny-post", "new_post", lambda: "sparat", methods=["POST"])

    probes = {(probe.endpoint, probe.method): probe for probe in probe_routes(app)}

    assert probes["new_page", "GET"].refused, probes["new_page", "GET"]
    assert probes["new_post", "POST"].refused, probes["new_post", "POST"]
    assert "new_page" not in unprotected_endpoints(app)


def test_the_check_reports_routes_that_anonymous_visitors_can_use(app):
    """A test-only app whose login rule was never installed: the check must not pass it."""
    _without_csrf(app)
    hooks = app.before_request_funcs[None]
    login_rule = [hook for hook in hooks if hook.__name__ == "refuse_anonymous"]
    assert login_rule, "the login-by-default hook is not where this test expects it"
    app.before_request_funcs[None] = [hook for hook in hooks if hook not in login_rule]
    app.add_url_rule("/oskyddad", "open_page", lambda: "hemligt")
    app.add_url_rule("/oskyddad-post", "open_post", lambda: "sparat", methods=["POST"])
    app.add_url_rule("/oppen", "deliberately_public", public(lambda: "för alla"))

    leaks = unprotected_endpoints(app)

    assert leaks["open_page"] == ["GET /oskyddad: 200"]
    assert leaks["open_post"] == ["POST /oskyddad-post: 200"]
    assert "home.index" in leaks
    assert "deliberately_public" not in leaks
    assert public_endpoints(app) == EXPECTED_PUBLIC | {"deliberately_public"}
