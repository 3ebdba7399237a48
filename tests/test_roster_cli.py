"""`shiftcast roster`: files in, roster.csv and coverage.csv out (the roster step of `shiftcast plan`, seeded
for the same roster every time); bad input is one clear line."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from scheduler.roster import load_requirement
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from cli import main
from core.rules import DEFAULT_RULES
from shiftcast.exports.tables import write_roster_csvs
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.steps import roster_step


def test_roster_command_writes_the_roster_and_coverage(tmp_path):
    month = synthetic_month(30, days=7, seed=2)  # three leaders: one can rest each day
    paths = write_inputs(month, DEFAULT_RULES, tmp_path / "in")
    out = tmp_path / "out"
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--out", out]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "roster: " in result.output and "shortfall" in result.output and "wrote" in result.output
    header = (out / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "employee_id,date,shift,lunch_start"
    roster = pd.read_csv(out / "roster.csv", keep_default_na=False)
    assert len(roster) == 30 * 7
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    assert roster_violations(roster, month.staff, DEFAULT_RULES, month.leave, month.ads) == []
    coverage = pd.read_csv(out / "coverage.csv")
    assert list(coverage.columns)[:5] == ["interval_start", "required", "staffed", "short", "over"]

    # re-plan from that roster as --previous
    again = CliRunner().invoke(main, [str(a) for a in args[:-1]] + [str(tmp_path / "again"), "--previous", str(out / "roster.csv")])
    assert again.exit_code == 0, again.output
    # a roster of another month, or of other people, is no roster to re-plan: said, not planned afresh silently
    shifted = roster.assign(date=pd.to_datetime(roster["date"]) - pd.Timedelta(days=31))
    shifted.to_csv(tmp_path / "november.csv", index=False)
    strangers = roster.assign(employee_id="X" + roster["employee_id"])
    strangers.to_csv(tmp_path / "strangers.csv", index=False)
    for name, words in (("november.csv", "it holds no day from 2026-12-01"), ("strangers.csv", "another center's roster")):
        refused = CliRunner().invoke(main, [str(a) for a in args[:-1]] + [str(tmp_path / "x"), "--previous", str(tmp_path / name)])
        assert refused.exit_code == 2 and name in refused.output and words in refused.output, refused.output


def test_roster_command_names_the_bad_file_and_cell(tmp_path):
    month = synthetic_month(10, days=7, seed=2)
    paths = write_inputs(month, DEFAULT_RULES, tmp_path)
    paths["requirement"].write_text("interval_start,scheduled\n2026-12-01 08:00,many\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["roster", "--requirement", str(paths["requirement"]), "--staff", str(paths["staff"]),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "requirement.csv" in result.output and "scheduled" in result.output and "row 2" in result.output


def test_roster_reads_the_requirement_shiftcast_staffing_writes(tmp_path):
    """`shiftcast staffing` output goes straight into `shiftcast roster --requirement`."""
    calls = tmp_path / "calls.csv"
    starts = pd.date_range("2026-12-01 08:00", periods=40, freq="15min")
    calls.write_text("interval_start,calls\n" + "".join(f"{t:%Y-%m-%d %H:%M},{20 + i % 7}\n" for i, t in enumerate(starts)))
    out = tmp_path / "requirement.csv"
    assert CliRunner().invoke(main, ["staffing", "--calls", str(calls), "--out", str(out)]).exit_code == 0
    requirement = load_requirement(out)
    assert len(requirement) == 40 and (requirement["scheduled"] > 0).all() and "calls" in requirement


def test_a_seeded_roster_is_the_roster_step_s_and_the_same_every_time(tmp_path):
    month = synthetic_month(30, days=7, seed=2)  # stops at the time limit short of optimal: the seed decides
    paths = write_inputs(month, DEFAULT_RULES, tmp_path / "in")
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "1", "--seed", "7", "--out"]
    for out in ("first", "second"):
        result = CliRunner().invoke(main, [str(a) for a in args] + [str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    inputs = load_inputs(InputPaths(staff=paths["staff"], leave=paths["leave"], rules=paths["rules"], plan=paths["ads"]))
    step = roster_step(inputs, load_requirement(paths["requirement"]), time_limit_s=1, seed=7)
    write_roster_csvs(tmp_path / "step", step, inputs.staff)
    for name in ("roster.csv", "coverage.csv", "employees.csv", "short_intervals.csv"):
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes() == (tmp_path / "step" / name).read_bytes(), name


@pytest.mark.slow
def test_roster_command_carries_the_previous_month_over_the_month_edge(tmp_path):
    """December, then January with December's roster.csv as --previous-month: no run of work days longer than
    the rules allow across Dec 31 / Jan 1; without it, one line says the first days assume no history."""
    dec = synthetic_month(31, days=31, seed=7)
    jan = synthetic_month(31, days=14, seed=8, start="2027-01-01")
    dec_in, jan_in = write_inputs(dec, DEFAULT_RULES, tmp_path / "dec"), write_inputs(jan, DEFAULT_RULES, tmp_path / "jan")

    def roster(paths, out, *extra):
        args = ["roster", "--requirement", paths["requirement"], "--staff", dec_in["staff"], "--rules", paths["rules"],
                "--ads", paths["ads"], "--time-limit", "2", "--seed", "1", "--out", out, *extra]
        return CliRunner().invoke(main, [str(a) for a in args])

    first = roster(dec_in, tmp_path / "out-dec")
    assert first.exit_code == 0, first.output
    assert first.output.count("the first days of 2026-12 assume no history") == 1
    december = tmp_path / "out-dec" / "roster.csv"
    second = roster(jan_in, tmp_path / "out-jan", "--previous-month", december)
    assert second.exit_code == 0, second.output
    assert "assume no history" not in second.output
    assert "previous month's roster 2026-12-01 → 2026-12-31, 31 of the staff's 31 people" in second.output
    january = pd.read_csv(tmp_path / "out-jan" / "roster.csv", keep_default_na=False)
    january["lunch_start"] = january["lunch_start"].replace("", None)
    before = pd.read_csv(december, keep_default_na=False)
    assert roster_violations(january, dec.staff, DEFAULT_RULES, previous_month=before) == []

    # the same month given as the previous one is refused, naming the file, row and column
    wrong = roster(jan_in, tmp_path / "out-wrong", "--previous-month", tmp_path / "out-jan" / "roster.csv")
    assert wrong.exit_code == 2
    assert "roster.csv, row 2, column 'date': 2027-01-01 is not in 2026-12" in wrong.output
