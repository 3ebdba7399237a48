"""HR's reports as files: a month's headcount with its curve, agents needed months ahead, the hiring plan.

What `shiftcast headcount`, `shiftcast hiring-plan` and the pipeline (`make demo`) print and write.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.words import counted
from core.periods import month_start
from core.rules import Rules
from forecasting.holidays import unknown_years, unknown_years_note
from scheduler import hiring
from scheduler.headcount import DEFAULT_MAX_SOLVES, DEFAULT_SOLVE_SECONDS, PRECISION, HeadcountResult, Target
from shiftcast.exports.tables import write_frame_csv
from shiftcast.inputs import Inputs
from shiftcast.steps import headcount_step


def _headline(result: HeadcountResult, month: str) -> str:
    if result.agents is None:
        return f"{month}: no headcount tried met the target ({'; '.join(result.notes)})"
    fewer = result.agents - 1
    how = {"bound": "one fewer is ruled out by the bound",
           "solve": f"{fewer} agents were solved and miss the target"
                    + (f" ({result.curve.loc[fewer, 'misses']})" if fewer in result.curve.index else ""),
           "pinned": f"pinned to within {PRECISION:.0%} of itself: the answer may be up to {result.margin} lower",
           "open": f"the answer may be up to {result.margin} lower"}[result.verified]
    return (f"{month}: {counted(result.agents, 'agent')} + {counted(result.leaders, 'leader')} needed "
            f"({counted(result.people, 'person', 'people')} with supervisors); "
            f"{how}; {counted(result.solves, 'roster solve')} in {result.seconds:.0f} s")


def headcount_report(inputs: Inputs, month: str, requirement: pd.DataFrame, out_dir: Path, echo, *,
                     target: Target = Target(), time_limit_s: float = DEFAULT_SOLVE_SECONDS,
                     max_solves: int = DEFAULT_MAX_SOLVES) -> HeadcountResult:
    """Size `month` (its requirement, the inputs' staff mix, leave, ad plan and rules), say the answer and
    write headcount.csv and headcount_curve.csv: what `shiftcast headcount` and the pipeline run."""
    result = headcount_step(inputs, requirement, target=target, time_limit_s=time_limit_s, max_solves=max_solves,
                            progress=lambda m: echo("  " + m))
    echo(_headline(result, month))
    if len(result.curve):
        echo("  the price of each headcount tried (share of open intervals at the service level, airings' windows below it):")
        echo("\n".join("  " + line for line in tradeoff(result.curve).to_string().splitlines()))
    for note in result.notes:
        echo(f"note: {note}")
    write_csv(pd.DataFrame([{"month": month, **result.summary(), "notes": " | ".join(result.notes)}]).set_index("month"),
           out_dir / "headcount.csv", echo)
    write_csv(result.curve, out_dir / "headcount_curve.csv", echo)
    return result


def tradeoff(curve: pd.DataFrame) -> pd.DataFrame:
    """The curve as HR reads it: per headcount tried, the service its best roster gives and whether it meets."""
    return pd.DataFrame({
        "leaders": curve["leaders"],
        "intervals_at_level": curve["share_met"].map(lambda v: f"{v:.1%}"),
        "airing_windows_short": curve["airing_windows_short"],
        "service_level": curve["service_level"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
        "abandoned_calls": curve["abandoned_calls"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
        "meets": curve["met"].map({True: "yes", False: "no"}),
    }, index=curve.index)


def hiring_report(needed: pd.Series, current_staff: float, out_dir: Path, echo, *, as_of: pd.Timestamp | None = None,
                  attrition: float = hiring.DEFAULT_ATTRITION, training_weeks: float = hiring.DEFAULT_TRAINING_WEEKS,
                  training_attrition: float = hiring.DEFAULT_TRAINING_ATTRITION, ramp=hiring.DEFAULT_RAMP,
                  wage: float | None = None, trainee_wage: float | None = None, hiring_cost: float = 0.0) -> hiring.HiringPlan:
    """The hiring plan for agents needed per month: printed as a table, written as hiring_plan.csv and
    hiring_cohorts.csv. `as_of` (default today) is the first day hires can start."""
    plan = hiring.hiring_plan(needed, current_staff, attrition, training_weeks, training_attrition, ramp,
                              as_of=as_of if as_of is not None else pd.Timestamp.today().normalize(),
                              monthly_wage=wage, trainee_monthly_wage=trainee_wage, hiring_cost=hiring_cost)
    shown = plan.table[["required", "expected_without_hiring", "hires", "start_by", "effective_agents", "gap"]]
    echo(shown.to_string(float_format=lambda v: f"{v:,.1f}", na_rep=""))
    echo(f"{counted(plan.total_hires, 'hire')} in all; current staff {current_staff:g} agents, attrition {attrition:.0%}/month, "
         f"training {training_weeks:g} weeks")
    for month, row in plan.table[plan.table["unreachable"]].iterrows():
        echo(f"note: {month} stays {row['gap']:.1f} agents short: training cannot finish in time")
    write_csv(plan.table, out_dir / "hiring_plan.csv", echo)
    write_csv(plan.cohorts, out_dir / "hiring_cohorts.csv", echo, index=False)
    return plan


def months_ahead(inputs: Inputs, first: str, months: int, result: HeadcountResult, forecaster, out_dir: Path, echo, *,
                 target: Target = Target()) -> pd.Series:
    """Agents per month from `first`: the first as solved (`result`), later ones from the relaxation's estimate
    plus the first month's distance from its estimate (never below the proven bound), on the forecast under
    the first month's ad plan carried forward. Writes monthly_headcount.csv. Needs an answer in `result` and,
    for `months` beyond the first, the `forecaster` (the callers say so to the user when either is missing)."""
    from shiftcast.scenarios import monthly_headcounts, roll_plan

    names = [str(p) for p in pd.period_range(first, periods=months, freq="M")]
    rows = [{"month": first, "bound_agents": result.lower_bound_agents, "estimate_agents": result.estimate_agents,
             "required": result.agents, "method": "roster solves"}]
    if months > 1:
        calibration = result.agents - result.estimate_agents
        plan = inputs.plan
        later = monthly_headcounts(forecaster, names[1:], lambda m: roll_plan(plan, m) if plan is not None else None,
                                   inputs.rules, inputs.calls, inputs.staff,
                                   calibration=calibration, target=target, progress=lambda m: echo("  " + m))
        for month, row in later.iterrows():
            rows.append({"month": month, "bound_agents": row["bound_agents"], "estimate_agents": row["estimate_agents"],
                         "required": row["required"], "method": f"estimate {calibration:+d} ({first}'s distance from its estimate)"})
    table = pd.DataFrame(rows).set_index("month")
    write_csv(table, out_dir / "monthly_headcount.csv", echo)
    return table["required"]


# Decimals HR reads these columns to, in any of the files above: people to a tenth (expected agents are
# averages over attrition, so whole numbers would hide a shortfall of a few tenths), shares to a tenth of a
# percent, calls and seconds to one decimal, money to the cent. Counts (hires, agents, solves) are whole already.
DECIMALS = {
    **dict.fromkeys(("required", "expected_without_hiring", "joining", "in_training", "expected_headcount",
                     "effective_agents", "gap", "graduates", "abandoned_calls", "seconds"), 1),
    **dict.fromkeys(("share_met", "service_level"), 3),
    "cost": 2,
}


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the float columns of DECIMALS rounded (and -0.0 written as 0.0)."""
    columns = [c for c in frame.columns if c in DECIMALS and pd.api.types.is_float_dtype(frame[c])]
    if not columns:
        return frame
    out = frame.copy()
    for c in columns:
        out[c] = out[c].round(DECIMALS[c]) + 0.0
    return out


def write_csv(frame: pd.DataFrame, path: Path, echo, index: bool = True) -> None:
    """The exports' CSV (months as 2026-12, dates as 2026-12-01, user text formula-safe, people and shares
    rounded as DECIMALS says), and say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_frame_csv(path, rounded(frame), index=index)
    echo(f"wrote {path}")


class SayOnce:
    """Notes for people, each said once however many steps come upon it (a hiring plan forecasts every
    month ahead, and each would find the same unknown holiday year)."""

    def __init__(self, echo) -> None:
        self._echo = echo
        self._said: set[str] = set()

    def __call__(self, note: str | None) -> None:
        if note and note not in self._said:
            self._said.add(note)
            self._echo(f"note: {note}")


def months_calendar_note(rules: Rules, first: str, months: int) -> str | None:
    """The note for the years among `months` months from `first` whose holidays the calendar does not know."""
    start = month_start(first)
    days = pd.date_range(start, start + pd.DateOffset(months=months), freq="D", inclusive="left")
    return unknown_years_note(unknown_years(days, rules.calendar, rules.country))
