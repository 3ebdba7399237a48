"""A month planned on the command line kept in the service's store (api.planned_month): what the roster page and
the API then show, and a month stored again replacing itself."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api import testing
from api.db import DEFAULT_SITE_ID, DEFAULT_SITE_NAME, Dataset, Export, Result, Site
from api.planned_month import check_storable, store_month
from cli import main
from core.errors import DataError
from core.periods import month_intervals
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.pipeline import PlanResult
from shiftcast.steps import requirement_step, roster_step

MONTH = "2026-11"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A small month planned as `plan` plans it (the requirement and roster steps), from files on disk."""
    folder = tmp_path_factory.mktemp("planned")
    (folder / "calls.csv").write_bytes(testing.calls_csv(days=14, start="2026-10-01"))
    (folder / "staff.csv").write_bytes(testing.staff_csv(agents=10, leaders=2))
    (folder / "leave.csv").write_text("employee_id,date,kind\nA001,2026-11-03,leave\n")
    paths = InputPaths(calls=folder / "calls.csv", staff=folder / "staff.csv", leave=folder / "leave.csv")
    inputs = load_inputs(paths)
    forecast = pd.DataFrame({"mean": 6.0, "lower": 4.0, "upper": 8.0}, index=month_intervals(MONTH))
    requirement = requirement_step(inputs, forecast)
    roster = roster_step(inputs, requirement, time_limit_s=2, seed=1)
    return paths, PlanResult(inputs=inputs, month=MONTH, forecast=forecast, requirement=requirement, roster=roster)


def _store(url: str, paths: InputPaths, plan: PlanResult, created_by: str = "shiftcast demo"):
    with testing.sessions(url)() as s:
        return store_month(s, paths, plan, created_by=created_by, time_limit_s=2, seed=1)


def latest_roster_months(client, auth: dict) -> dict[str, str | None]:
    """Each of the token's sites' latest month with a roster, where the roster page opens."""
    return {s["name"]: s["latest_roster_month"] for s in client.get("/api/v1/sites", headers=auth).json["items"]}


def test_the_stored_month_is_served_as_the_apis_own(tmp_path, planned):
    paths, plan = planned
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    kept = _store(url, paths, plan)
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'viewer')}"}
    rosters = client.get(f"/api/v1/rosters?month={MONTH}", headers=auth).json["items"]
    assert [r["id"] for r in rosters] == [kept.roster_id]
    doc = client.get(rosters[0]["url"], headers=auth).json
    assert doc["month"] == MONTH and doc["status"] == plan.roster.status
    a = plan.roster.assignments
    first = a[a["employee_id"] == doc["employees"][0]["employee_id"]].sort_values("date")["shift"].tolist()
    assert [doc["codes"][c] for c in doc["employees"][0]["shifts"]] == first
    # The requests name the stored datasets, as a request through the API would: a roster job could follow.
    datasets = {d["id"]: d for d in client.get("/api/v1/datasets", headers=auth).json["items"]}
    assert sorted(d["name"] for d in datasets.values()) == ["calls.csv", "leave.csv", "staff.csv"]
    with testing.sessions(url)() as s:
        asked = s.get(Result, kept.roster_id).inputs  # a roster's request is kept with it, not served
    assert datasets[asked["staff_id"]]["name"] == "staff.csv" and asked["staffing_id"] == kept.staffing_id
    assert datasets[asked["leave_id"]]["staff_id"] == asked["staff_id"] and asked["seed"] == 1
    staffing = client.get(f"/api/v1/staffing/{kept.staffing_id}", headers=auth).json
    assert staffing["inputs"]["forecast_id"] == kept.forecast_id
    assert [i["scheduled"] for i in staffing["intervals"]] == plan.requirement["scheduled"].tolist()
    forecast = client.get(f"/api/v1/forecasts/{kept.forecast_id}", headers=auth).json
    assert datasets[forecast["inputs"]["calls_id"]]["name"] == "calls.csv" and forecast["month"] == MONTH
    assert client.get(f"/api/v1/rosters/{kept.roster_id}/xlsx", headers=auth).data[:2] == b"PK"
    assert latest_roster_months(client, auth) == {DEFAULT_SITE_NAME: MONTH}


def test_the_stored_month_is_the_default_sites(tmp_path, planned):
    """The month goes to the site 'default', which a token made without a site sees; another site's token sees
    none of it, and a store whose default site is gone gets it again."""
    paths, plan = planned
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    kept = _store(url, paths, plan)
    assert kept.site_id == DEFAULT_SITE_ID
    with testing.sessions(url)() as s:
        assert {r.site_id for r in s.scalars(select(Result))} | {d.site_id for d in s.scalars(select(Dataset))} \
            == {DEFAULT_SITE_ID}
        north = Site(name="north")
        s.add(north)
        s.commit()
        north_id = north.id
        assert [r.inputs["site_id"] for r in s.scalars(select(Result).order_by(Result.id))] == [DEFAULT_SITE_ID] * 3
    client = testing.app(url).test_client()
    other = {"Authorization": f"Bearer {testing.token(url, 'viewer', sites=[north_id])}"}
    assert client.get(f"/api/v1/rosters?month={MONTH}", headers=other).json["items"] == []
    assert client.get(f"/api/v1/rosters/{kept.roster_id}", headers=other).status_code == 404
    assert client.get("/api/v1/datasets", headers=other).json["items"] == []
    with testing.sessions(url)() as s:  # a store without its default site (renamed by hand): it is made again
        s.get(Site, DEFAULT_SITE_ID).name = "renamed"
        s.commit()
    again = _store(url, paths, plan, created_by="shiftcast plan")
    with testing.sessions(url)() as s:
        assert s.get(Site, again.site_id).name == DEFAULT_SITE_NAME and again.site_id not in (DEFAULT_SITE_ID, north_id)
        assert again.datasets_added == 3  # the files stored in another site are not reused across sites


def test_storing_a_month_again_replaces_it_and_keeps_each_file_once(tmp_path, planned):
    paths, plan = planned
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    first = _store(url, paths, plan)
    other = _store(url, paths, plan, created_by="shiftcast plan")  # another command's month stays
    second = _store(url, paths, plan)
    assert first.datasets_added == 3 and second.datasets_added == 0 and second.datasets_reused == 3
    assert sorted(second.replaced_ids) == sorted([first.forecast_id, first.staffing_id, first.roster_id])
    assert min(second.forecast_id, second.staffing_id, second.roster_id) > other.roster_id  # no id given twice
    with testing.sessions(url)() as s:
        assert s.scalar(select(func.count()).select_from(Dataset)) == 3
        results = s.execute(select(Result.kind, Result.id).order_by(Result.id)).all()
        assert results == [(k, getattr(o, f"{k}_id")) for o in (other, second) for k in ("forecast", "staffing", "roster")]
        assert s.scalars(select(Export.result_id)).all() == [other.roster_id, second.roster_id]
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'viewer')}"}
    listed = client.get(f"/api/v1/rosters?month={MONTH}", headers=auth).json["items"]
    assert [r["id"] for r in listed] == [second.roster_id, other.roster_id]  # newest first: the page shows it
    assert client.get(f"/api/v1/rosters/{first.roster_id}", headers=auth).status_code == 404


def test_the_page_opens_on_the_latest_month_with_a_roster_of_the_tokens_site(tmp_path, planned):
    """Each site's latest month with a roster, to the tokens that see it: a later month of another site is
    neither shown nor counted."""
    paths, plan = planned
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'viewer')}"}
    assert latest_roster_months(client, auth) == {DEFAULT_SITE_NAME: None}  # no roster: the page takes next month
    staff, roster = plan.inputs.staff, plan.roster
    with testing.sessions(url)() as s:
        north = Site(name="north")
        s.add(north)
        s.commit()
        north_id = north.id
    for month in ("2026-11", "2027-02", "2026-12"):
        testing.store_roster(url, roster, month, staff)
    testing.store_roster(url, roster, "2027-05", staff, site_id=north_id)
    assert latest_roster_months(client, auth) == {DEFAULT_SITE_NAME: "2027-02"}
    both = {"Authorization": f"Bearer {testing.token(url, 'viewer', sites=[DEFAULT_SITE_ID, north_id])}"}
    assert latest_roster_months(client, both) == {DEFAULT_SITE_NAME: "2027-02", "north": "2027-05"}


def test_call_records_cannot_be_stored_and_it_is_said_before_planning(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text("call_start,duration_s\n")
    with pytest.raises(DataError, match="records.csv: call records cannot be stored"):
        check_storable(InputPaths(records=records))
    result = CliRunner().invoke(main, ["plan", "--records", str(records), "--month", MONTH, "--out", str(tmp_path / "out"),
                                       "--store", "--database-url", f"sqlite:///{tmp_path / 'store.sqlite'}"])
    assert result.exit_code == 2 and "give the counts per interval with --calls" in result.output
    assert "Inputs" not in result.output and not (tmp_path / "store.sqlite").exists()


def test_plan_given_a_store_without_store_says_so(tmp_path):
    result = CliRunner().invoke(main, ["plan", "--month", MONTH, "--database-url", f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert result.exit_code == 2 and "add --store" in result.output and not (tmp_path / "s.sqlite").exists()
