"""The roster page's intraday card in a real headless Chromium against a real gunicorn on loopback: a day of the
shown roster at a time of day, its words and its ranked actions."""
from __future__ import annotations

import pytest

from api import testing
from test_api_intraday import DAY, MONTH, stored_day
from test_page import browser, page, show  # noqa: F401  (the browser and page fixtures, the token filled in)

pytestmark = pytest.mark.slow  # a real server, a real browser, a forecast fitted on the first look


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page-intraday")
    day = stored_day(f"sqlite:///{folder / 'store.sqlite'}")
    return {**day, "folder": folder, "token": day["viewer"]["Authorization"].removeprefix("Bearer ")}


@pytest.fixture(scope="module")
def server(stored):
    with testing.running_server(stored["url"], stored["folder"], workers=1) as srv:
        yield srv


def test_the_intraday_card_shows_who_is_missing_and_the_ranked_actions(page, stored):
    show(page, stored["token"], MONTH)
    page.wait_for_selector(f'#intraday-day option[value="{DAY}"]', state="attached")
    page.select_option("#intraday-day", DAY)
    page.fill("#intraday-at", "11:30")
    page.click("#intraday-show")
    page.wait_for_selector("#intraday-summary li, #intraday-message.error", timeout=120_000)
    assert page.locator("#intraday-message.error").count() == 0, page.inner_text("#intraday-message")
    words = page.inner_text("#intraday-summary")
    assert f"{DAY} (Wednesday) at 11:30" in words
    assert "not clocked in by 11:30" in words and stored["absent"] in words
    assert "actions, ranked by calls saved" in words or "no actions" in words or "actions: none" in words
    rows = page.locator("#intraday-actions tbody tr")
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").first.inner_text() == str(i + 1)

    page.fill("#intraday-at", "07:00")
    page.click("#intraday-show")
    page.wait_for_selector("#intraday-message.error")
    assert "07:00 is not inside the open hours" in page.inner_text("#intraday-message")
