"""One headcount for one question: run after run, and from the CLI or the API, on the bundled sample."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.worker import job_runner
from cli import main
from core.periods import month_intervals
from shiftcast.inputs import SAMPLE_DIR, SAMPLE_MONTH, InputPaths, load_inputs
from shiftcast.steps import month_requirement

# Short solves keep the tests quick; the answer must not move all the same (every solve is seeded, its
# time limit deterministic), whatever else runs on the machine.
SEARCH = ["--time-limit", "1", "--max-solves", "2"]


@pytest.fixture(scope="module")
def sample():
    """The sample's inputs and December's requirement for its true expected calls."""
    inputs = load_inputs(InputPaths.sample())
    truth = pd.read_csv(SAMPLE_DIR / "truth_expected_calls.csv", parse_dates=["interval_start"]).set_index("interval_start")
    expected = truth["expected_calls"].reindex(month_intervals(SAMPLE_MONTH, inputs.rules)).fillna(0.0)
    return inputs, month_requirement(expected, inputs.calls, inputs.rules)


def _cli_headcount(requirement: pd.DataFrame, folder) -> tuple[pd.Series, pd.DataFrame, str]:
    """(headcount.csv's row, headcount_curve.csv, what it printed) of `shiftcast headcount` on the sample."""
    folder.mkdir(exist_ok=True)
    path = folder / "requirement.csv"
    requirement.to_csv(path, index_label="interval_start", date_format="%Y-%m-%d %H:%M:%S")
    out = folder / "out"
    result = CliRunner().invoke(main, ["headcount", "--sample", "--requirement", str(path), *SEARCH, "--out", str(out)])
    assert result.exit_code == 0, result.output
    answer = pd.read_csv(out / "headcount.csv", index_col="month").iloc[0]
    curve = pd.read_csv(out / "headcount_curve.csv", index_col="agents")
    return answer.drop("seconds"), curve.drop(columns="seconds"), result.output


@pytest.fixture(scope="module")
def cli_run(sample, tmp_path_factory):
    return _cli_headcount(sample[1], tmp_path_factory.mktemp("first"))


@pytest.mark.slow
def test_the_cli_gives_the_same_answer_run_after_run(sample, cli_run, tmp_path):
    answer, curve, said = cli_run
    again = _cli_headcount(sample[1], tmp_path)
    pd.testing.assert_series_equal(answer, again[0])
    pd.testing.assert_frame_equal(curve, again[1])
    # the trade-off is printed: one row per headcount tried, with the share of intervals it meets
    for agents, row in curve.iterrows():
        assert f"{row['share_met']:.1%}" in said
        assert row["met"] or f"{agents} agents" in said and row["misses"] in said


@pytest.mark.slow
def test_the_cli_and_the_api_give_the_same_headcount_on_the_sample(sample, cli_run, tmp_path):
    _, requirement = sample
    answer, curve, _ = cli_run

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    hr = {"Authorization": f"Bearer {testing.token(url, 'hr')}"}

    def upload(kind: str, name: str, content_type: str, **query) -> int:
        r = client.post(f"/api/v1/datasets/{kind}", data=(SAMPLE_DIR / name).read_bytes(), query_string=query,
                        headers={**sup, "Content-Type": content_type})
        assert r.status_code == 201, r.json
        return r.json["id"]

    rules_id = upload("rules", "rules.toml", "application/toml")
    staff_id = upload("staff", "staff.csv", "text/csv", rules_id=rules_id)
    leave_id = upload("leave", f"leave_{SAMPLE_MONTH}.csv", "text/csv", rules_id=rules_id, staff_id=staff_id)
    ads_plan_id = upload("ads", f"ads_plan_{SAMPLE_MONTH}.csv", "text/csv", rules_id=rules_id)
    staffing_id = testing.store_staffing(url, requirement, SAMPLE_MONTH)
    r = client.post("/api/v1/headcount", headers=hr, json={
        "staffing_id": staffing_id, "staff_id": staff_id, "leave_id": leave_id, "ads_plan_id": ads_plan_id,
        "rules_id": rules_id, "time_limit_s": 1, "max_solves": 2})
    assert r.status_code == 202, r.json
    job_runner(app).run_pending()
    job = client.get(r.headers["Location"], headers=hr).json
    assert job["state"] == "succeeded", job
    result = client.get(job["result_url"], headers=hr).json["result"]
    assert result["agents"] == (None if pd.isna(answer["agents"]) else int(answer["agents"]))
    assert result["margin"] == answer["margin"] and result["verified"] == answer["verified"]
    api_curve = pd.DataFrame(result["curve"]).set_index("agents")
    assert list(api_curve.index) == list(curve.index)
    assert list(api_curve["met"]) == list(curve["met"])
    assert api_curve["share_met"].round(3).tolist() == curve["share_met"].tolist()
    assert [m or "" for m in api_curve["misses"]] == curve["misses"].fillna("").tolist()
