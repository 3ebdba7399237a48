"""The requests page at phone width (390 px) in a real Chromium against a real gunicorn: an agent asks for a rest
day, the group leader sees its impact and approves, the supervisor publishes the next version, and the agent's
calendar from the page carries the change with a higher SEQUENCE. The re-plan between approval and publishing
(#17 item 5, the solver's) is stood in for here by the roster with the approved day changed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from api import testing
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
MONTH = (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
pytestmark = pytest.mark.slow  # a real server and a real browser


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("requests-page")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    auth = lambda text: {"Authorization": f"Bearer {text}"}  # noqa: E731
    sup_token = testing.token(url, "supervisor", "Ms Wang")
    sup, admin = auth(sup_token), auth(testing.token(url, "admin"))
    staff_csv = testing.people_staff_csv()
    staff_id = client.post("/api/v1/datasets/staff", data=staff_csv, headers={**sup, "Content-Type": "text/csv"}).json["id"]
    staff = load_staff(staff_csv)
    roster = specimen_roster(staff, MONTH)
    requirement = pd.DataFrame({"calls": 1.0, "aht_s": 240.0, "scheduled": 1}, index=roster.coverage.index)
    inputs = {"staffing_id": testing.store_staffing(url, requirement, MONTH), "staff_id": staff_id}
    first = testing.store_roster(url, roster, MONTH, staff, inputs=inputs)
    v1 = client.post("/api/v1/versions", json={"roster_id": first}, headers=sup).json["id"]
    client.post(f"/api/v1/versions/{v1}/publish", json={}, headers=sup)
    a = roster.assignments
    day = pd.Timestamp(a[(a["employee_id"] == "A001") & a["shift"].isin(["E", "L"])]["date"].iloc[5])
    tokens = {"sup": sup_token}
    for role, person in (("agent", "A001"), ("group_leader", "G001")):
        tokens[person] = client.post("/api/v1/tokens", json={"name": person, "role": role, "person": person,
                                                            "staff_id": staff_id}, headers=admin).json["token"]
    # What the re-plan of the days ahead gives once the rest day is approved (here: that day changed alone).
    replanned = specimen_roster(staff, MONTH)
    at = (replanned.assignments["employee_id"] == "A001") & (replanned.assignments["date"] == day)
    replanned.assignments.loc[at, ["shift", "lunch_start"]] = ["OFF", None]
    return {"url": url, "folder": folder, "client": client, "tokens": tokens, "day": day, "v1": v1,
            "replanned": testing.store_roster(url, replanned, MONTH, staff, inputs=inputs), "sup": sup}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}; the page test needs a real browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(floor):
    with testing.running_server(floor["url"], floor["folder"], workers=1) as srv:
        yield srv


def phone(browser, server, token: str):
    context = browser.new_context(viewport=PHONE, accept_downloads=True, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/requests")
    page.fill("#token", token)
    page.click("#signin button")
    page.wait_for_selector("#who:not([hidden])")
    return context, page


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_ask_approve_publish_and_the_calendar_updates(browser, server, floor):
    day = floor["day"].strftime("%Y-%m-%d")
    agent_ctx, agent = phone(browser, server, floor["tokens"]["A001"])
    assert "A001" in agent.inner_text("#who")
    agent.select_option("#kind", "rest")
    agent.fill("#day", day)
    agent.fill("#note", "family visit")
    agent.click("#ask-form button")
    agent.wait_for_selector(".request")
    assert "pending" in agent.inner_text("#message") and "group_leader" in agent.inner_text("#message")
    assert fits_the_phone(agent)

    leader_ctx, leader = phone(browser, server, floor["tokens"]["G001"])
    card = leader.wait_for_selector(".request")
    assert day in card.inner_text() and "family visit" not in leader.inner_text("#message")
    rows = card.query_selector_all("table.impact tr")
    assert len(rows) > 1 and "→" in rows[1].inner_text()
    assert fits_the_phone(leader)
    card.query_selector("input.reason").fill("covered")
    card.query_selector("button.approve").click()
    leader.wait_for_selector(".state.approved")
    leader_ctx.close()

    # The supervisor publishes the re-planned days ahead as the next version.
    client, sup = floor["client"], floor["sup"]
    v2 = client.post("/api/v1/versions", json={"roster_id": floor["replanned"]}, headers=sup).json
    assert [(c["employee_id"], c["date"], c["after"]) for c in v2["changes"]] == [("A001", day, "OFF")]
    assert client.post(f"/api/v1/versions/{v2['id']}/publish", json={"reason": "approved rest"}, headers=sup).status_code == 200

    agent.reload()
    agent.wait_for_selector("#versions li >> nth=1")
    links = agent.query_selector_all("#versions a.ics")
    with agent.expect_download() as got:
        links[0].click()  # the newest version first
    ics = Path(got.value.path()).read_bytes()
    event = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}[f"{day.replace('-', '')}-A001@shiftcast"]
    assert event["SEQUENCE"] == 1 and event["STATUS"] == "CANCELLED"
    assert agent.query_selector(".state.approved") is not None
    agent_ctx.close()
