"""Each demo role in a real browser: start page, access, every reachable page through axe-core."""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    assert_accessible,
    axe_problems,
    horizontal_overflow,
    log_in,
)

pytestmark = pytest.mark.e2e

MAX_PAGES_PER_CRAWL = 70
# Detail pages of one kind share a template: one of each leaves room for the other kinds.
MAX_PAGES_PER_URL_SHAPE = 1
DOWNLOAD_SUFFIXES = {".pdf", ".csv", ".xlsx", ".zip", ".ics", ".json", ".geojson", ".png", ".svg"}
NOT_CRAWLED = {"/logga-ut"}
THROTTLED_ACCOUNT = "samordnare@sjovik.example"  # used by no other browser test


@dataclass(frozen=True)
class DemoRole:
    key: str
    email: str
    name: str
    label: str
    kommuner: tuple[str, ...]
    other_kommuner: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.key == "admin"


ADMIN = DemoRole(
    "admin", "admin@estapp.example", "Alva Admin", "administratör", ("Ekbacka", "Sjövik")
)
COORDINATOR = DemoRole(
    "coordinator",
    "samordnare@ekbacka.example",
    "Samordnare Ekbacka",
    "samordnare",
    ("Ekbacka",),
    ("Sjövik",),
)
REPORTER = DemoRole(
    "reporter", "skola@rapport.example", "Sara Holm", "rapportör", ("Ekbacka",), ("Sjövik",)
)
VIEWER = DemoRole(
    "viewer", "lasare@ekbacka.example", "Lars Läsare", "läsare", ("Ekbacka",), ("Sjövik",)
)
ROLES = [ADMIN, COORDINATOR, REPORTER, VIEWER]


def _path(url: str) -> str:
    return urlsplit(url).path


def log_in_as(page, role: DemoRole) -> None:
    response = log_in(page, role.email)
    assert response.ok, f"login as {role.email} answered {response.status}"
    assert _path(page.url) == "/", f"login as {role.email} ended on {page.url}"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.key)
def test_start_page_shows_the_user_their_role_and_kommuner(open_page, role):
    page = open_page().page
    log_in_as(page, role)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hej {role.name}")
    expect(page.locator("main")).to_contain_text(f"Du är inloggad som {role.label}.")
    kommuner = page.get_by_role("region", name="Dina kommuner")
    for kommun in role.kommuner:
        expect(kommuner.get_by_role("heading", name=kommun, exact=True)).to_be_visible()
    for kommun in role.other_kommuner:
        expect(kommuner).not_to_contain_text(kommun)

    admin_link = page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Administration"
    )
    expect(admin_link).to_have_count(1 if role.is_admin else 0)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.key)
def test_only_the_admin_may_open_administration(open_page, role):
    page = open_page().page
    log_in_as(page, role)

    response = page.goto("/admin/")

    if role.is_admin:
        assert response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    else:
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Du har inte behörighet")
        assert_accessible(page)


def _crawlable(href: str | None) -> str | None:
    """The same-origin page a link leads to, or None for logout, static files and downloads."""
    if not href or not href.startswith("/") or href.startswith("//"):
        return None
    parts = urlsplit(href)
    if parts.path in NOT_CRAWLED or parts.path.startswith("/static/"):
        return None
    if PurePosixPath(parts.path).suffix.lower() in DOWNLOAD_SUFFIXES:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    return re.sub(r"\d+", "0", url)


def crawl(page, *, phone: bool) -> tuple[list[str], list[str]]:
    """Visit every page reachable by links from the start page; return visited URLs and problems."""
    queue = deque(["/"])
    queued = {"/"}
    shapes: Counter[str] = Counter()
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES_PER_CRAWL:
        url = queue.popleft()
        if shapes[_shape(url)] >= MAX_PAGES_PER_URL_SHAPE:
            continue
        shapes[_shape(url)] += 1
        response = page.goto(url)
        visited.append(url)
        if response is None or not response.ok:
            status = response.status if response else "no response"
            problems.append(f"{url}: answered {status} (a link leads to an error page)")
        if _path(page.url) == "/logga-in":
            problems.append(f"{url}: ended on the login page (logged out by a link?)")
            break
        problems.extend(p for p in (axe_problems(page),) if p)
        if phone:
            problems.extend(p for p in (horizontal_overflow(page),) if p)
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            target = _crawlable(href)
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
    return visited, problems


CRAWLS = [(role, DESKTOP) for role in ROLES] + [(REPORTER, PHONE), (ADMIN, PHONE)]


@pytest.mark.parametrize(
    ("role", "viewport"),
    CRAWLS,
    ids=[f"{role.key}-{'phone' if viewport == PHONE else 'desktop'}" for role, viewport in CRAWLS],
)
def test_every_page_a_role_can_reach_is_accessible(open_page, role, viewport):
    page = open_page(viewport=viewport).page
    log_in_as(page, role)

    visited, problems = crawl(page, phone=viewport == PHONE)

    assert "/" in visited and "/konto" in visited, visited
    if role.is_admin:
        assert "/admin/" in visited, visited
    assert not problems, f"{len(visited)} pages visited:\n" + "\n\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_and_not_found_pages_are_accessible(open_page, viewport):
    page = open_page(viewport=viewport).page

    response = page.goto("/logga-in")
    assert response.status == 200
    assert_accessible(page)
    assert horizontal_overflow(page) is None

    response = log_in(page, "ingen@example.se", "fel-lösenord")
    assert response.status == 401
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Något behöver rättas")
    expect(summary).to_contain_text("Fel e-postadress eller lösenord")
    expect(page.get_by_label("E-postadress")).to_have_value("ingen@example.se")
    assert_accessible(page)
    assert horizontal_overflow(page) is None

    response = page.goto("/finns-inte")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    assert_accessible(page)


def test_account_page_with_form_errors_is_accessible(open_page):
    page = open_page().page
    log_in_as(page, VIEWER)
    page.goto("/konto")

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Byt lösenord").click()

    assert navigation.value.status == 400
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Något behöver rättas")
    expect(summary.get_by_role("link", name=re.compile("Nuvarande lösenord"))).to_be_visible()
    expect(page.get_by_label("Nuvarande lösenord")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    response = page.goto("/finns-inte")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    assert_accessible(page)


def test_logout_button_ends_the_session_and_a_copied_cookie_dies(open_page):
    page = open_page().page
    log_in_as(page, COORDINATOR)
    copy = open_page().page
    copy.context.add_cookies(page.context.cookies())
    copy.goto("/")
    expect(copy.get_by_role("heading", level=1)).to_have_text(f"Hej {COORDINATOR.name}")

    page.get_by_role("button", name="Logga ut").click()

    expect(page).to_have_url(re.compile(r"/logga-in$"))
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    response = page.goto("/")
    assert _path(page.url) == "/logga-in", response.url
    copy.goto("/")
    assert _path(copy.url) == "/logga-in"
    expect(copy.get_by_role("heading", level=1)).to_have_text("Logga in")


@pytest.fixture
def login_throttle(live_server):
    """Failed logins count per address too: start from none and leave none behind."""
    live_server.reset_login_throttle()
    yield
    live_server.reset_login_throttle()


# Kept last: while the throttle holds, every login from 127.0.0.1 is refused.
def test_eleven_wrong_passwords_lock_the_login_in_the_browser(open_page, login_throttle):
    page = open_page().page
    for attempt in range(1, 11):
        response = log_in(page, THROTTLED_ACCOUNT, f"fel-lösenord-{attempt}")
        assert response.status == 401, f"attempt {attempt}"
        expect(page.get_by_role("alert")).to_contain_text("Fel e-postadress eller lösenord")

    response = log_in(page, THROTTLED_ACCOUNT, "fel-lösenord-11")

    assert response.status == 429
    expect(page.get_by_role("alert")).to_contain_text("För många misslyckade inloggningsförsök")
    response = log_in(page, THROTTLED_ACCOUNT, DEMO_PASSWORD)
    assert response.status == 429, "the right password must wait for the throttle too"
    assert _path(page.url) == "/logga-in"
    assert_accessible(page)
