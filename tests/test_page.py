"""The supervisor's roster page at `/`, in a real headless Chromium against a real gunicorn on loopback.

The browser tests need Debian's chromium at /usr/bin/chromium (CI installs it in .ci/run) and Playwright for
Python (the test extra; it drives that browser, it never downloads one). Without them they skip and say why.
"""
from __future__ import annotations

import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from api import testing
from api.roster_document import hhmm
from core.rules import DEFAULT_RULES, ShiftTemplate

MONTH = "2026-12"
THREE_SHIFT_MONTH = "2026-11"
THREE_SHIFT_RULES = replace(DEFAULT_RULES, shifts=(
    ShiftTemplate("E", "早班", "Early", "08:00", "16:00", 60, "11:00", "13:00"),
    ShiftTemplate("M", "中班", "Middle", "09:00", "17:00", 60, "12:00", "14:00"),
    ShiftTemplate("L", "晚班", "Late", "10:00", "18:00", 60, "13:00", "15:00"),
))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Set to a path (e.g. docs/roster_page.png) to keep a screenshot of the loaded page there.
SCREENSHOT_ENV = "SHIFTCAST_PAGE_SCREENSHOT"
pytestmark = pytest.mark.slow  # a real solve, a real server, a real browser


@pytest.fixture(scope="module")
def solved():
    """A real roster: the solver on a seeded month of 36 people with airings and leave (a few seconds)."""
    from scheduler.roster import solve
    from scheduler.roster_synthetic import synthetic_month

    month = synthetic_month(36, seed=2)
    return month.staff, solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                              time_limit_s=3)


@pytest.fixture(scope="module")
def stored(tmp_path_factory, solved):
    """A store holding the sample month's roster, and a viewer's token for it."""
    folder = tmp_path_factory.mktemp("page")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    staff, roster = solved
    testing.sessions(url)  # the schema, by the migrations
    rid = testing.store_roster(url, roster, MONTH, staff)
    return {"url": url, "folder": folder, "id": rid, "token": testing.token(url, "viewer")}


@pytest.fixture(scope="module")
def three_shifts(stored):
    """A roster of November under rules of three shifts (early, middle, late), solved and stored beside the other."""
    from scheduler.data import load_staff
    from core.periods import month_intervals
    from shiftcast.inputs import Inputs
    from shiftcast.steps import roster_step

    rules = THREE_SHIFT_RULES
    staff = load_staff(testing.staff_csv(agents=12, leaders=3), rules)
    requirement = pd.DataFrame({"scheduled": 3}, index=month_intervals(THREE_SHIFT_MONTH, rules))
    roster = roster_step(Inputs(rules=rules, staff=staff), requirement, time_limit_s=3)
    testing.store_roster(stored["url"], roster, THREE_SHIFT_MONTH, staff, rules=rules)
    return roster


# ---------------------------------------------------------------- without a browser

def test_the_page_loads_without_a_token_and_a_roster_carries_the_workbook_legend(stored):
    client = testing.app(stored["url"]).test_client()
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "/static/roster.js" in html and "/static/roster.css" in html
    page = json.loads(re.search(r'id="page-labels"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert page["weekdays"]["en"][0] == "Mon" and page["labels"]["expected_abandoned_calls"]["zh"]
    assert client.get("/static/roster.js").status_code == 200
    from shiftcast.exports.workbook import assignment_fills

    doc = client.get(f"/api/v1/rosters/{stored['id']}", headers={"Authorization": f"Bearer {stored['token']}"}).json
    assert {c: v["colour"] for c, v in doc["shifts"].items()} == assignment_fills(DEFAULT_RULES)
    assert doc["shifts"]["E"]["zh"] == "早" and doc["shifts"]["OFF"]["zh"] == "休"
    assert doc["leader_roles"] == list(DEFAULT_RULES.leader_roles)
    assert doc["shifts"]["LEAVE"]["en"] == "Leave" and (doc["shifts"]["L"]["start"], doc["shifts"]["L"]["end"]) == ("10:00", "18:00")


def test_one_employees_calendar(stored, solved):
    staff, roster = solved
    client = testing.app(stored["url"]).test_client()
    auth = {"Authorization": f"Bearer {stored['token']}"}
    person = staff["employee_id"].iloc[5]
    r = client.get(f"/api/v1/rosters/{stored['id']}/ics/{person}", query_string={"lang": "en"}, headers=auth)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert f"{person}.ics" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    mine = roster.assignments[roster.assignments["employee_id"] == person]
    worked = mine["shift"].isin(DEFAULT_RULES.shift_codes).sum()
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == worked > 0
    assert client.get(f"/api/v1/rosters/{stored['id']}/ics/NOBODY", headers=auth).status_code == 404
    assert client.get(f"/api/v1/rosters/{stored['id'] + 1}/ics/{person}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/rosters/{stored['id']}/ics/{person}").status_code == 401


# ---------------------------------------------------------------- in Chromium

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (CI installs it via .ci/run); "
                    "the roster page test needs a real browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(stored):
    with testing.running_server(stored["url"], stored["folder"], workers=1) as srv:
        yield srv


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(server.url + "/")
    yield page
    context.close()


def show(page, token: str, month: str = MONTH) -> None:
    page.fill("#token", token)
    page.fill("#month", month)
    page.click("#load")


def test_the_month_picker_opens_on_the_latest_roster(page, stored):
    """A new tab names no month before a token is given; with the token it opens on the latest month with a
    roster of the token's site (not the next calendar month) and shows it."""
    assert page.input_value("#month") == ""
    page.fill("#token", stored["token"])
    page.click("#load")
    page.wait_for_selector(f'#title:has-text("{MONTH}")')
    assert page.input_value("#month") == MONTH


def test_a_token_of_one_site_never_sees_another_sites_month(page, stored, solved):
    """Another site's later month is neither where the page opens nor shown when asked for by name."""
    from api.db import Site

    staff, roster = solved
    with testing.sessions(stored["url"])() as s:
        east = Site(name="eastbrook")
        s.add(east)
        s.commit()
        east_id = east.id
    testing.store_roster(stored["url"], roster, "2027-06", staff, site_id=east_id)
    page.fill("#token", stored["token"])
    page.click("#load")
    page.wait_for_selector(f'#title:has-text("{MONTH}")')
    assert page.input_value("#month") == MONTH and page.locator("#site-label").is_hidden()
    show(page, stored["token"], "2027-06")
    page.wait_for_selector('#message.warn:has-text("default: 2027-06")')
    assert page.locator("#roster").is_hidden() and "eastbrook" not in page.content()


def test_the_month_grid_chart_and_lists_render(page, stored, solved):
    staff, roster = solved
    show(page, stored["token"])
    page.wait_for_selector("#grid tbody tr[data-employee]")
    assert page.locator("#grid tbody tr[data-employee]").count() == len(staff)
    assert page.locator("#grid thead th.day").count() == 31
    assert page.locator("#grid tbody td.shift").count() == len(staff) * 31

    # A shift is found by person and day, shown as the workbook shows it.
    a = roster.assignments
    for _, want in a.iloc[[40, 200, 555]].iterrows():
        cell = page.locator(f'td[data-employee="{want.employee_id}"][data-date="{want.date:%Y-%m-%d}"]')
        assert cell.get_attribute("data-shift") == want["shift"]
        assert cell.inner_text() == {"E": "早", "L": "晚", "OFF": "休", "LEAVE": "假"}[want["shift"]]
        assert want.employee_id in cell.get_attribute("title")
        lunch = hhmm(want["lunch_start"])  # the lunch start, from its position in the document's times
        assert (f"lunch {lunch}" in cell.get_attribute("title")) == (lunch is not None)
    leave = a[a["shift"] == "LEAVE"].iloc[0]
    assert page.locator(f'td[data-employee="{leave.employee_id}"][data-date="{leave.date:%Y-%m-%d}"]').inner_text() == "假"
    leaders = staff.loc[staff["role"].isin(DEFAULT_RULES.leader_roles), "employee_id"]
    assert page.locator("#grid tbody tr.leader").count() == len(leaders) > 0

    # The coverage chart: a bar per interval, the requirement line, short and airing intervals marked.
    cov = roster.coverage
    chart = page.locator("#coverage-chart")
    assert chart.locator("rect.staffed").count() == len(cov)
    assert len(chart.locator("path.required").get_attribute("d")) > 1000
    assert chart.locator("rect.short").count() == int((cov["short"] > 0).sum()) > 0
    assert chart.locator("rect.airing").count() == int(cov["airing"].sum()) > 0
    page.select_option("#chart-day", "2026-12-09")
    assert chart.locator("rect.staffed").count() == int((cov.index.normalize() == "2026-12-09").sum())

    # KPIs, short intervals and conflicts.
    measures = [k for k in roster.kpis.as_table() if not k.startswith("objective_")]
    assert page.locator("#kpis .kpi[data-kpi]").count() == len(measures) > 0
    assert page.locator("#short tbody tr[data-interval]").count() == min(len(roster.unmet), 300) > 0
    assert page.locator("#conflicts li").count() == max(len(roster.conflicts), 1)

    if os.environ.get(SCREENSHOT_ENV):
        page.select_option("#chart-day", "")
        page.screenshot(path=os.environ[SCREENSHOT_ENV], full_page=True)


def test_downloads_carry_the_token(page, stored, solved):
    openpyxl = pytest.importorskip("openpyxl")
    staff, _ = solved
    show(page, stored["token"])
    page.wait_for_selector("#grid tbody tr[data-employee]")
    with page.expect_download() as info:
        page.click("#dl-xlsx")
    download = info.value
    assert download.suggested_filename == f"roster-{MONTH}-{stored['id']}.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    cells = {str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value is not None}
    assert set(staff["employee_id"]) <= cells

    person = staff["employee_id"].iloc[7]
    page.select_option("#ics-employee", person)
    with page.expect_download() as info:
        page.click("#dl-ics-one")
    text = Path(info.value.path()).read_text()
    assert info.value.suggested_filename.endswith(f"{person}.ics") and text.startswith("BEGIN:VCALENDAR")


def test_the_token_stays_in_the_tab_and_problems_are_shown(page, stored):
    show(page, "sc_not-a-token")
    page.wait_for_selector("#message.error")
    assert "401" in page.inner_text("#message") and page.locator("#roster").is_hidden()
    show(page, stored["token"], "2027-03")
    page.wait_for_selector("#message.warn")
    assert "2027-03" in page.inner_text("#message")
    page.fill("#month", MONTH)
    page.click("#load")
    page.wait_for_selector("#grid tbody tr[data-employee]")
    page.reload()  # the token and month come back from sessionStorage and the roster loads by itself
    page.wait_for_selector("#grid tbody tr[data-employee]")
    assert page.input_value("#token") == stored["token"] and page.input_value("#month") == MONTH
    page.click("#forget")  # and what it showed goes with it
    assert page.evaluate("sessionStorage.getItem('shiftcast.token')") is None
    assert page.locator("#roster").is_hidden() and page.input_value("#month") == ""


def test_a_roster_shows_its_own_shifts(page, stored, three_shifts):
    """The legend and the cells come from the rules the roster was solved with: three shifts, their own hours."""
    show(page, stored["token"], THREE_SHIFT_MONTH)
    page.wait_for_selector("#grid tbody tr[data-employee]")
    chips = page.locator("#legend .chip").all_inner_texts()
    for text in ("早 Early 08:00–16:00", "中 Middle 09:00–17:00", "晚 Late 10:00–18:00"):
        assert any(chip.strip() == text for chip in chips), (text, chips)
    a = three_shifts.assignments
    middle = a[a["shift"] == "M"].iloc[0]
    cell = page.locator(f'td[data-employee="{middle.employee_id}"][data-date="{middle.date:%Y-%m-%d}"]')
    assert cell.inner_text() == "中" and "中班 Middle 09:00–17:00" in cell.get_attribute("title")
    show(page, stored["token"], MONTH)  # and the two-shift month next to it keeps its own
    page.wait_for_selector(f'#title:has-text("{MONTH}")')
    chips = page.locator("#legend .chip").all_inner_texts()
    assert any(chip.strip() == "早 Early 08:00–17:00" for chip in chips) and not any("Middle" in c for c in chips)


def test_the_page_picks_among_the_tokens_sites(page, stored, solved):
    """A token of two sites gets a site picker; each site shows its own roster, and another site's none."""
    from api.db import Site

    staff, roster = solved
    with testing.sessions(stored["url"])() as s:
        s.add(Site(name="north"))
        s.commit()
        north = s.query(Site).filter_by(name="north").one().id
    rid = testing.store_roster(stored["url"], roster, "2027-01", staff, site_id=north)
    show(page, testing.token(stored["url"], "viewer", sites=[1, north]), "2027-01")
    page.wait_for_selector("#site-label:not([hidden])")
    assert page.locator("#site option").all_inner_texts() == ["default", "north"]
    page.wait_for_selector('#message.warn:has-text("default: 2027-01")')  # the first site has none that month
    page.select_option("#site", str(north))
    page.wait_for_selector(f'#title:has-text("#{rid}")')
    show(page, stored["token"], "2027-01")  # a token of the default site alone: no picker, no roster of north
    page.wait_for_selector('#message.warn:has-text("default: 2027-01")')
    assert page.locator("#site-label").is_hidden()
