"""The browser checks themselves: each one fails on a page that breaks its rule."""

from __future__ import annotations

import pytest

from tests.e2e.browser import PHONE, assert_accessible, horizontal_overflow

pytestmark = pytest.mark.e2e

BREAK_THE_PAGE = """() => {
    const main = document.querySelector('main');
    const image = document.createElement('img');
    image.src = '/static/favicon.svg';
    main.append(image);
    const wide = document.createElement('div');
    wide.textContent = 'bred';
    wide.style.width = '2000px';
    main.append(wide);
    main.setAttribute('style', 'color: red');
}"""


def test_axe_overflow_and_csp_checks_report_a_broken_page(open_page):
    browser_page = open_page(viewport=PHONE)
    page = browser_page.page
    page.goto("/logga-in")
    assert_accessible(page)
    assert horizontal_overflow(page) is None

    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(BREAK_THE_PAGE)

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "image-alt" in str(failure.value)
    assert "horizontal scrolling" in (horizontal_overflow(page) or "")
    assert browser_page.csp_violations, "the inline style attribute was not reported"
    browser_page.csp_violations.clear()  # expected here; any other test would fail on it
