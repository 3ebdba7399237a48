"""The report through the API: a site's stored actuals against its datasets, roster and clock records, as JSON
(the same words as `shiftcast report`) and xlsx, listed in the OpenAPI document, and site-scoped."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.actuals import store_actuals
from api.db import Site
from api.testing import sessions
from cli import main
from scheduler.lost_calls import CAUSE_KEYS
from scheduler.roster import load_assignments
from shiftcast.actuals import load_actuals
from shiftcast.exports.roster_frames import UNMET_COLUMNS
from shiftcast.exports.specimen import SpecimenRoster, coverage_kpis
from core.periods import month_intervals
from core.rules import DEFAULT_RULES, load_rules

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DAY = "2026-12-15"
HISTORY_FROM = "2026-06-01"  # a shorter history: the same report in a fraction of the fit
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _sample_roster(rules) -> SpecimenRoster:
    """December's published roster as a stored roster holds it (its coverage is not what the report reads)."""
    a = load_assignments(SAMPLE / "roster_2026-12.csv", rules)
    cov = pd.DataFrame(0, index=month_intervals("2026-12", rules), columns=["required", "staffed", "short", "over"])
    cov["airing"] = False
    return SpecimenRoster(assignments=a, coverage=cov, employees=pd.DataFrame({"employee_id": a["employee_id"].unique()}),
                          kpis=coverage_kpis(cov), unmet=pd.DataFrame(columns=list(UNMET_COLUMNS)))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    app = testing.app(url)
    with sessions(url)() as s:
        s.add(Site(id=2, name="north"))
        s.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}

    def upload(kind, content: bytes, **query):
        r = client.post(f"/api/v1/datasets/{kind}", data=content, query_string=query,
                        headers={**headers, "Content-Type": "text/csv"})
        assert r.status_code == 201, r.json
        return r.json["id"]

    calls = pd.read_csv(SAMPLE / "calls.csv")
    history = folder / "calls.csv"
    calls[calls["interval_start"] >= HISTORY_FROM].to_csv(history, index=False)
    rules_text = (SAMPLE / "rules.toml").read_bytes()
    rules = load_rules(SAMPLE / "rules.toml")
    ids = {"calls_id": upload("calls", history.read_bytes(), name="calls.csv"),
           "ads_history_id": upload("ads", (SAMPLE / "ads_history.csv").read_bytes(), name="ads_history.csv"),
           "ads_plan_id": upload("ads", (SAMPLE / "ads_plan_2026-12.csv").read_bytes(), name="ads_plan.csv"),
           "staff_id": upload("staff", (SAMPLE / "staff.csv").read_bytes(), name="staff.csv"),
           "rules_id": upload("rules", rules_text, name="rules.toml")}
    ids["clock_id"] = upload("clock", (SAMPLE / "clock_2026-12.csv").read_bytes(), staff_id=ids["staff_id"],
                             name="clock.csv")
    staff = pd.read_csv(SAMPLE / "staff.csv", dtype=str, keep_default_na=False)
    ids["roster_id"] = testing.store_roster(url, _sample_roster(rules), "2026-12", staff, rules=rules)
    actuals = pd.read_csv(SAMPLE / "actuals_2026-12.csv")
    day = actuals[actuals["interval_start"].str.startswith(DAY)]
    with sessions(url)() as s:
        # December lies ahead of this machine's date in the sample's world: the day is taken as lived.
        store_actuals(s, 1, load_actuals(day.to_csv(index=False).encode(), rules, source="actuals.csv",
                                         now=dt.datetime(2027, 1, 1)))
        s.commit()
    return {"app": app, "client": client, "headers": headers, "ids": ids, "history": history, "url": url,
            "folder": folder}


def test_the_days_report_as_json_says_what_the_cli_says(site):
    r = site["client"].get(f"/api/v1/reports/day/{DAY}", query_string=site["ids"], headers=site["headers"])
    assert r.status_code == 200, r.json
    doc = r.json
    assert doc["period"] == DAY and doc["days"] == [DAY] and doc["notes"] == [] and doc["site_id"] == 1
    raw = pd.read_csv(SAMPLE / "actuals_2026-12.csv")
    day = raw[raw["interval_start"].str.startswith(DAY)]
    assert doc["totals"]["abandoned"] == day["abandoned"].sum() and doc["totals"]["calls"] == day["calls"].sum()
    causes = {c["key"]: c["calls"] for c in doc["causes"]}
    assert list(causes) == list(CAUSE_KEYS) and max(causes, key=causes.get) == "absence"
    assert sum(causes.values()) == pytest.approx(day["abandoned"].sum())
    callbacks = doc["callbacks"]
    assert callbacks["created"] == pytest.approx(day["abandoned"].sum() * DEFAULT_RULES.callbacks.share_reached)
    assert callbacks["created"] == pytest.approx(callbacks["done_in_time"] + callbacks["missed"] + callbacks["open"])
    assert "callbacks_done_in_time" in doc["by_day"]["columns"]
    assert len(doc["intervals"]["rows"]) == 40 and doc["intervals"]["columns"][0] == "interval_start"

    cli = CliRunner().invoke(main, [
        "report", "--day", DAY, "--calls", str(site["history"]), "--ads", str(SAMPLE / "ads_history.csv"),
        "--plan", str(SAMPLE / "ads_plan_2026-12.csv"), "--staff", str(SAMPLE / "staff.csv"),
        "--rules", str(SAMPLE / "rules.toml"), "--roster", str(SAMPLE / "roster_2026-12.csv"),
        "--clock", str(SAMPLE / "clock_2026-12.csv"), "--actuals", str(SAMPLE / "actuals_2026-12.csv")])
    assert cli.exit_code == 0, cli.output
    assert doc["lines"] == cli.output.splitlines()


def test_the_days_report_as_a_workbook(site):
    r = site["client"].get(f"/api/v1/reports/day/{DAY}/xlsx", query_string={**site["ids"], "lang": "en"},
                           headers=site["headers"])
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="report-{DAY}.xlsx"' in r.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    assert "Lost calls by cause" in book.sheetnames and book["Report"]["A1"].value == f"Report, day {DAY}"


def test_what_is_missing_is_said(site):
    without = {k: v for k, v in site["ids"].items() if k not in ("roster_id", "clock_id")}
    r = site["client"].get(f"/api/v1/reports/week/{DAY}", query_string=without, headers=site["headers"])
    assert r.status_code == 200, r.json
    assert r.json["period"] == "2026-W51" and r.json["causes"] is None and r.json["callbacks"] is None
    assert any("no actuals for 6 days of the week" in n for n in r.json["notes"])
    assert any("no roster given" in n for n in r.json["notes"])
    r = site["client"].get("/api/v1/reports/day/2026-12-16", query_string=site["ids"], headers=site["headers"])
    assert r.status_code == 422 and "no calls for day 2026-12-16" in r.json["detail"]
    r = site["client"].get("/api/v1/reports/day/16.12.2026", query_string=site["ids"], headers=site["headers"])
    assert r.status_code == 422 and "--day: expected a day like 2026-12-15" in r.json["detail"]
    r = site["client"].get("/api/v1/reports/month/2026-12", query_string={}, headers=site["headers"])
    assert r.status_code == 422 and "calls_id" in r.json["detail"]


def test_another_sites_report_and_datasets_are_not_found(site):
    north = {"Authorization": f"Bearer {testing.token(site['url'], 'supervisor', 'north', sites=[2])}"}
    r = site["client"].get(f"/api/v1/reports/day/{DAY}", query_string=site["ids"], headers=north)
    assert r.status_code == 404 and "there is no dataset" in r.json["detail"]
    rules = load_rules(SAMPLE / "rules.toml")
    staff = pd.read_csv(SAMPLE / "staff.csv", dtype=str, keep_default_na=False)
    north_roster = testing.store_roster(site["url"], _sample_roster(rules), "2026-12", staff, rules=rules, site_id=2)
    r = site["client"].get(f"/api/v1/reports/day/{DAY}", query_string={**site["ids"], "roster_id": north_roster},
                           headers=site["headers"])
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/roster_id"
    r = site["client"].get(f"/api/v1/reports/day/{DAY}", query_string={**site["ids"], "site_id": 2},
                           headers=site["headers"])
    assert r.status_code == 404 and "site_id" in r.json["detail"]


def test_the_reports_are_in_the_openapi_document(site):
    paths = site["client"].get("/api/v1/openapi.json").json["paths"]
    for kind in ("day", "week", "month"):
        assert f"/api/v1/reports/{kind}/{{value}}" in paths and f"/api/v1/reports/{kind}/{{value}}/xlsx" in paths
    assert paths["/api/v1/reports/day/{value}"]["get"]["responses"]["200"]


@pytest.mark.slow  # a real server and a real browser
def test_the_page_shows_the_days_report(site):
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}; the page test needs a real browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    token = site["headers"]["Authorization"].split()[1]
    expected = site["client"].get(f"/api/v1/reports/day/{DAY}", query_string=site["ids"], headers=site["headers"]).json
    with testing.running_server(site["url"], site["folder"], workers=1) as server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(server.url + "/")
        assert page.locator("#report-view").is_hidden()
        page.fill("#token", token)
        page.click("#load")
        page.wait_for_selector('#title:has-text("2026-12")')
        page.click("#report-open")
        page.fill("#report-day", DAY)
        page.click("#report-show")
        page.wait_for_selector("#report-lines li", timeout=60_000)
        for field in ("calls_id", "ads_history_id", "ads_plan_id", "staff_id", "rules_id", "clock_id", "roster_id"):
            assert page.input_value(f"#report-{field}") == str(site["ids"][field])
        assert page.locator("#report-lines li").all_inner_texts() == expected["lines"]
        assert page.locator("#report-cause-list li").first.get_attribute("data-cause") == "absence"
        assert page.locator("#report-hours tr").nth(1).inner_text().startswith("09:00")
        morning = site["client"].get("/api/v1/reports/morning/2026-12-16", query_string=site["ids"],
                                     headers=site["headers"]).json
        page.fill("#report-day", "2026-12-16")
        page.click("#report-morning")
        page.wait_for_selector('#report-lines li:has-text("morning meeting 2026-12-16")', timeout=60_000)
        assert page.locator("#report-lines li").all_inner_texts() == morning["lines"]
        assert page.locator("#report-causes").is_hidden()
        page.click("#report-show")
        page.wait_for_selector('#report-message.error:has-text("no calls for day 2026-12-16")')
        assert page.locator("#report-body").is_hidden()
        browser.close()


def test_the_morning_sheet(site):
    r = site["client"].get("/api/v1/reports/morning/2026-12-16", query_string=site["ids"], headers=site["headers"])
    assert r.status_code == 200, r.json
    doc = r.json
    assert doc["lines"][0] == "morning meeting 2026-12-16 (Wednesday)" and doc["notes"] == []
    assert doc["yesterday"]["abandoned"] == site["client"].get(
        f"/api/v1/reports/day/{DAY}", query_string=site["ids"], headers=site["headers"]).json["totals"]["abandoned"]
    assert doc["shifts"]["columns"][:2] == ["shift", "group"] and len(doc["peaks"]["rows"]) == 3
    x = site["client"].get("/api/v1/reports/morning/2026-12-16/xlsx", query_string={**site["ids"], "lang": "en"},
                           headers=site["headers"])
    assert x.status_code == 200 and openpyxl.load_workbook(io.BytesIO(x.data)).sheetnames == ["Morning meeting"]
    no_roster = {k: v for k, v in site["ids"].items() if k != "roster_id"}
    r = site["client"].get("/api/v1/reports/morning/2026-12-16", query_string=no_roster, headers=site["headers"])
    assert r.status_code == 422 and r.json["errors"][0]["pointer"] == "/roster_id"
