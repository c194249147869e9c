"""The app's routes as the abuse tests see them: which URL arguments a rule takes, and URLs for
a rule filled with a kommun's objects (or with ids nobody has)."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import Rule

from tests.reliability.world import GUESSED_ID, GUESSED_SLUG, KommunObjects, World

KOMMUN_ARGUMENTS = {"kommun_slug", "municipality_id"}
WEEK_ARGUMENTS = {"week", "week_text"}
ID_ARGUMENTS = {
    "area_id",
    "place_id",
    "category_id",
    "organisation_id",
    "user_id",
    "observation_id",
    "action_id",
    "promise_id",
    "commitment_id",
    "entry_id",
    "message_id",
}
# A lägesbild version: numbered within the kommun and week of the URL, so never another's.
VERSION_ARGUMENT = "number"
# Arguments of the public routes only (a set-password link, a static file): never filled.
PUBLIC_ARGUMENTS = {"token", "filename"}
CSRF_PATTERN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def arguments(rule: Rule) -> set[str]:
    """The URL arguments a request must fill (those with defaults are not)."""
    names = set(rule.arguments) - set(rule.defaults or {})
    known = KOMMUN_ARGUMENTS | WEEK_ARGUMENTS | ID_ARGUMENTS | PUBLIC_ARGUMENTS | {VERSION_ARGUMENT}
    unknown = names - known
    if unknown:
        raise LookupError(
            f"{rule.rule}: the abuse tests do not know what <{', '.join(sorted(unknown))}> names;"
            " add it to tests/reliability/routes.py and tests/reliability/world.py"
        )
    return names


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def post_rules(app: Flask) -> list[Rule]:
    """Every rule that accepts a form: the endpoints the fuzzing covers."""
    return [rule for rule in rules(app) if "POST" in (rule.methods or set())]


def fill(
    rule: Rule,
    world: World,
    *,
    kommun: KommunObjects | None,
    objects: KommunObjects | None,
    observation_id: int | None = None,
) -> str:
    """The rule's URL with kommun arguments from ``kommun`` and ids from ``objects``; None in
    either means a guess that matches nothing."""
    values: dict[str, object] = {}
    for name in arguments(rule):
        if name == "kommun_slug":
            values[name] = kommun.slug if kommun else GUESSED_SLUG
        elif name == "municipality_id":
            values[name] = kommun.ids[name] if kommun else GUESSED_ID
        elif name in WEEK_ARGUMENTS:
            values[name] = str(world.week)
        elif name == VERSION_ARGUMENT:
            values[name] = 1 if objects else 99
        elif name == "observation_id" and observation_id is not None:
            values[name] = observation_id
        elif name in ID_ARGUMENTS:
            values[name] = objects.ids[name] if objects else GUESSED_ID
        else:
            raise LookupError(f"{rule.rule}: <{name}> belongs to a public route")
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"could not build {rule.rule} from {values}"
    return built[1]


def csrf_token(page: str) -> str:
    match = CSRF_PATTERN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)
