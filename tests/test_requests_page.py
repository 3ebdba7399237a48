"""The requests page at phone width (390 px) in a real Chromium against a real gunicorn and its job worker: an agent
and their group leader sign in with their employee_id and password, the supervisor with the name of their account
(accounts made by `shiftcast user create`); the agent asks for a rest day, the group leader sees its impact and
approves, the supervisor sees it approved, re-plans the days ahead (the real roster job, run by the server's
worker) and publishes the next version with the page's sign-in, and the agent's calendar from the page carries
the change with a higher SEQUENCE. Signing out ends the agent's sign-in."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.worker import job_runner
from cli import main
from core.periods import month_intervals

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
MONTH = (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
PASSWORDS = {"A001": "a001-password", "G001": "g001-password", "li.wei": "li.wei-password"}
pytestmark = pytest.mark.slow  # a real server, a real browser and two real solves


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("requests-page")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor', 'Ms Wang')}"}
    staff_id = client.post("/api/v1/datasets/staff", data=testing.people_staff_csv(),
                           headers={**sup, "Content-Type": "text/csv"}).json["id"]
    # Few calls and one agent an interval: nine people solve in seconds, and one rest day leaves the target met.
    requirement = pd.DataFrame({"calls": 1.0, "aht_s": 240.0, "scheduled": 1}, index=month_intervals(MONTH))
    staffing_id = testing.store_staffing(url, requirement, MONTH)
    # Default rules: an approved rest day outweighs the days the re-plan moves for it.
    job = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff_id,
                                               "time_limit_s": 3}, headers=sup)
    assert job_runner(app).run_pending() == 1  # the first month's roster, solved before the server starts
    first = client.get(job.headers["Location"], headers=sup).json["result_id"]
    v1 = client.post("/api/v1/versions", json={"roster_id": first}, headers=sup).json["id"]
    assert client.post(f"/api/v1/versions/{v1}/publish", json={}, headers=sup).status_code == 200
    roster = client.get(f"/api/v1/rosters/{first}", headers=sup).json
    a001 = next(e for e in roster["employees"] if e["employee_id"] == "A001")
    shifts = {dt.date.fromisoformat(d): roster["codes"][c] for d, c in zip(roster["days"], a001["shifts"])}
    day = rest_day_to_ask(shifts)
    for who, role in (("A001", "agent"), ("G001", "group_leader"), ("li.wei", "supervisor")):
        named = ["--name", who] if role == "supervisor" else ["--person", who, "--staff-id", str(staff_id)]
        made = CliRunner().invoke(main, ["user", "create", *named, "--role", role, "--password", PASSWORDS[who],
                                         "--database-url", url])
        assert made.exit_code == 0, made.output
    return {"url": url, "folder": folder, "client": client, "day": day.isoformat(), "v1": v1}


def rest_day_to_ask(shifts: dict[dt.date, str]) -> dt.date:
    """A working day after the month's first day before the person's rest day of the same week (one a week; the
    days before the re-plan's first are kept, so a week whose rest is taken already cannot have another), best one
    the re-plan can grant by moving that rest day alone: at most six working days from it to the next rest day or
    the month's end (max_consecutive_work_days); else the re-plan moves the next weeks' rest days too."""
    rests = sorted(d for d, s in shifts.items() if s == "OFF")
    end = max(shifts) + dt.timedelta(days=1)
    fits = []
    for d, s in shifts.items():
        week_rest = [r for r in rests if r > d and r.isocalendar()[:2] == d.isocalendar()[:2]]
        if d.day > 1 and s in ("E", "L") and week_rest:
            after = next((r for r in rests if r > week_rest[0]), end)
            fits.append(((after - d).days - 1 > 6, d))
    assert fits, f"no working day of {shifts} comes before its week's rest day"
    return min(fits)[1]


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


def phone(browser, server, login: str, password: str | None = None):
    """A phone's browser on the requests page, signed in through its form as `login`."""
    context = browser.new_context(viewport=PHONE, accept_downloads=True, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/requests")
    page.fill("#login", login)
    page.fill("#password", password or PASSWORDS[login])
    page.click("#signin button")
    if password is None:
        page.wait_for_selector("#who:not([hidden])")
    return context, page


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def finished(client, job_url: str, headers: dict, timeout: float = 120.0) -> dict:
    """The job once the server's worker has run it."""
    deadline = time.monotonic() + timeout
    while (job := client.get(job_url, headers=headers).json)["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"the job did not finish in {timeout} s: {job}"
        time.sleep(0.25)
    return job


def test_a_wrong_password_on_the_page_says_so_without_saying_which(browser, server):
    context, page = phone(browser, server, "A001", "not-the-password")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message") == "wrong login or password"
    assert page.is_visible("#signin") and page.is_hidden("#who")
    context.close()


def test_ask_approve_replan_publish_and_the_calendar_updates(browser, server, floor):
    day = floor["day"]
    agent_ctx, agent = phone(browser, server, "A001")
    assert "A001" in agent.inner_text("#who") and "agent" in agent.inner_text("#who")
    assert agent.is_hidden("#signin")
    agent.select_option("#kind", "rest")
    agent.fill("#day", day)
    agent.fill("#note", "family visit")
    agent.click("#ask-form button")
    agent.wait_for_selector(".request")
    assert "pending" in agent.inner_text("#message") and "group_leader" in agent.inner_text("#message")
    assert fits_the_phone(agent)

    leader_ctx, leader = phone(browser, server, "G001")
    assert "group_leader" in leader.inner_text("#who")
    card = leader.wait_for_selector(".request")
    assert day in card.inner_text() and "family visit" not in leader.inner_text("#message")
    rows = card.query_selector_all("table.impact tr")
    assert len(rows) > 1 and "→" in rows[1].inner_text()
    assert fits_the_phone(leader)
    card.query_selector("input.reason").fill("covered")
    card.query_selector("button.approve").click()
    leader.wait_for_selector(".state.approved")
    leader_ctx.close()

    # The supervisor signs in on the page with their account's name and sees the request approved; with that
    # sign-in they re-plan the days ahead (a roster job the server's worker solves) and publish it.
    sup_ctx, supervisor = phone(browser, server, "li.wei")
    assert "li.wei · supervisor · site" == supervisor.inner_text("#who")
    supervisor.wait_for_selector(".state.approved")
    sup = {"Authorization": "Bearer " + supervisor.evaluate("sessionStorage.getItem('shiftcast.token')")}
    sup_ctx.close()
    client, v1 = floor["client"], floor["v1"]
    replan = client.post(f"/api/v1/versions/{v1}/replan", json={"reason": "A001's rest day", "time_limit_s": 10},
                         headers=sup)
    assert replan.status_code == 202, replan.json
    job = finished(client, replan.headers["Location"], sup)
    assert job["state"] == "succeeded", job
    v2 = client.post("/api/v1/versions", json={"roster_id": job["result_id"]}, headers=sup).json
    moved = [(c["employee_id"], c["date"], c["after"]) for c in v2["changes"]]
    replanned = client.get(f"/api/v1/rosters/{job['result_id']}", headers=sup).json
    assert ("A001", day, "OFF") in moved and all(date >= day for _, date, _ in moved), (
        moved, replanned["status"], replanned["refused_requests"])
    published = client.post(f"/api/v1/versions/{v2['id']}/publish", json={"reason": "approved rest"}, headers=sup)
    assert published.status_code == 200 and published.json["version"]["published_by"] == "li.wei", published.json

    agent.reload()  # still signed in: the sign-in's token is kept in the tab
    agent.wait_for_selector("#versions li >> nth=1")
    links = agent.query_selector_all("#versions a.ics")
    with agent.expect_download() as got:
        links[0].click()  # the newest version first
    ics = Path(got.value.path()).read_bytes()
    event = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}[f"{day.replace('-', '')}-A001@shiftcast"]
    assert event["SEQUENCE"] == 1 and event["STATUS"] == "CANCELLED"
    assert agent.query_selector(".state.approved") is not None

    # Signing out revokes the sign-in's token and shows the form again.
    token = agent.evaluate("sessionStorage.getItem('shiftcast.token')")
    agent.click("#signout")
    agent.wait_for_selector("#signin:not([hidden])")
    assert agent.evaluate("sessionStorage.getItem('shiftcast.token')") is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    agent_ctx.close()
