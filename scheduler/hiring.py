"""The hiring plan: how many agents HR must start training, and when, so each month has the agents it needs.

Pure arithmetic over expected values. The model, stated once:

- `current_staff` productive agents are on staff on the first day of the first plan month.
- Each month a share `attrition` of the productive agents leaves; a month's headcount is counted at its
  end (after that month's leavers), the lowest point of the month, so a month that is "met" is met
  throughout it.
- A hire starts training on a date, trains for `training_weeks`, and a share `training_attrition` of the
  trainees leaves before finishing. Graduates count from the first month that starts on or after the day
  they finish, at the productivity `ramp[0]` in that month, `ramp[1]` in the next, … and 1 afterwards.
- Hires are planned month by month: when a month falls short, a cohort is started so that it graduates on
  that month's first day (start = month start − training); when that date is already past (`as_of`),
  the cohort starts on `as_of` and the month stays short: the report marks it `unreachable`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError

# Defaults of the hiring assumptions (the CLI shows these in its help). Typical of inbound sales centers:
# 3 % of agents leave a month (~30 % a year), four weeks of product and system training, a tenth of
# trainees drop out, new agents reach 70 % and 90 % of a seasoned agent's output in their first two months.
DEFAULT_ATTRITION = 0.03
DEFAULT_TRAINING_WEEKS = 4.0
DEFAULT_TRAINING_ATTRITION = 0.10
DEFAULT_RAMP = (0.7, 0.9)

SOURCE = "hiring plan"
_EPS = 1e-9


@dataclass(frozen=True)
class Cohort:
    """People who start training together."""

    start: pd.Timestamp
    hires: int
    for_month: pd.Period  # the month whose shortfall called for it
    ready_month: pd.Period  # first month they count in
    late: bool  # could not start early enough to be ready for `for_month`


@dataclass
class HiringPlan:
    """Per month (`table`) and per training cohort (`cohorts`), with the assumptions behind them."""

    table: pd.DataFrame
    cohorts: pd.DataFrame
    assumptions: dict = field(default_factory=dict)

    @property
    def total_hires(self) -> int:
        return int(self.cohorts["hires"].sum()) if len(self.cohorts) else 0


def _months(monthly_requirements: pd.Series | Mapping) -> pd.Series:
    """Requirements on a PeriodIndex of consecutive months."""
    req = pd.Series(monthly_requirements, dtype="float64") if isinstance(monthly_requirements, Mapping) else monthly_requirements.astype("float64")
    if req.empty:
        raise DataError(SOURCE, "needs the required headcount of at least one month")
    try:
        index = pd.PeriodIndex([pd.Period(m, freq="M") for m in req.index], name="month")
    except (ValueError, TypeError):
        raise DataError(SOURCE, f"months must look like 2026-12, got {list(req.index)[:3]}", column="month") from None
    req = pd.Series(req.to_numpy(), index=index, name="required").sort_index()
    if index.has_duplicates:
        raise DataError(SOURCE, f"month {index[index.duplicated()][0]} is given twice", column="month")
    expected = pd.period_range(req.index[0], periods=len(req), freq="M")
    if not req.index.equals(expected):
        missing = expected.difference(req.index)
        raise DataError(SOURCE, f"months must be consecutive; {missing[0] if len(missing) else '?'} is missing", column="month")
    if req.isna().any() or (req < 0).any():
        bad = req.index[req.isna() | (req < 0)][0]
        raise DataError(SOURCE, f"required headcount of {bad} must be a number ≥ 0", column="required")
    return req


def _check_assumptions(current_staff: float, attrition: float, training_weeks: float, training_attrition: float, ramp: Sequence[float]) -> None:
    checks = (
        ("current_staff", current_staff, current_staff >= 0, "≥ 0"),
        ("attrition", attrition, 0 <= attrition < 1, "a monthly share in [0, 1)"),
        ("training_weeks", training_weeks, training_weeks >= 0, "≥ 0"),
        ("training_attrition", training_attrition, 0 <= training_attrition < 1, "a share in [0, 1)"),
    )
    for name, value, ok, want in checks:
        if not ok:
            raise DataError(SOURCE, f"{name} must be {want}, got {value}", column=name)
    for r in ramp:
        if not 0 < r <= 1:
            raise DataError(SOURCE, f"ramp values are productivity shares in (0, 1], got {r}", column="ramp")


def hiring_plan(
    monthly_requirements: pd.Series | Mapping,
    current_staff: float,
    attrition: float = DEFAULT_ATTRITION,
    training_weeks: float = DEFAULT_TRAINING_WEEKS,
    training_attrition: float = DEFAULT_TRAINING_ATTRITION,
    ramp: Sequence[float] = DEFAULT_RAMP,
    *,
    as_of: pd.Timestamp | str | None = None,
    monthly_wage: float | None = None,
    trainee_monthly_wage: float | None = None,
    hiring_cost: float = 0.0,
) -> HiringPlan:
    """Hires to start month by month so that the expected agents meet `monthly_requirements` (agents per month).

    Returns per month: `required`, `expected_without_hiring`, `hires` (starting training that month),
    `start_by` (their start date), `joining` (graduates who count from that month), `in_training`,
    `expected_headcount` (productive agents at month end), `effective_agents` (ramp-weighted), `gap`
    (required − effective; > 0 is short), `unreachable` (short because training cannot finish in time)
    and, when `monthly_wage` is given, `cost` (wages of agents and trainees plus `hiring_cost` per hire).
    """
    req = _months(monthly_requirements)
    ramp = tuple(float(r) for r in ramp)
    _check_assumptions(current_staff, attrition, training_weeks, training_attrition, ramp)
    months = req.index
    starts = months.to_timestamp(how="start")
    as_of = starts[0] if as_of is None else pd.Timestamp(as_of).normalize()
    training = pd.Timedelta(days=7 * training_weeks)
    n = len(months)
    keep = 1.0 - attrition

    # expected share of one graduate still there and productive at the end of month (ready + j)
    def per_graduate(j: np.ndarray) -> np.ndarray:
        productivity = np.array([ramp[i] if i < len(ramp) else 1.0 for i in j])
        return keep ** (j + 1) * productivity

    baseline = current_staff * keep ** (np.arange(n) + 1.0)
    effective = baseline.copy()
    people = baseline.copy()
    cohorts: list[Cohort] = []

    first = (1.0 - training_attrition) * per_graduate(np.array([0]))[0]  # one hire's worth in its first month

    def ready_position(start: pd.Timestamp) -> int | None:
        later = np.flatnonzero(starts >= start + training)
        return int(later[0]) if len(later) else None

    for m in range(n):
        if req.iloc[m] - effective[m] <= _EPS:
            continue
        start = starts[m] - training
        late = start < as_of
        start = max(start, as_of)
        k = ready_position(start)
        if k is None:  # graduates after the plan ends: nothing to do inside it
            continue
        gap = req.iloc[k] - effective[k]
        if gap <= _EPS:  # an earlier late cohort already covers month k
            continue
        hires = math.ceil(gap / first - _EPS)
        cohorts.append(Cohort(start, hires, months[m], months[k], late))
        j = np.arange(n - k)
        grads = hires * (1.0 - training_attrition)
        effective[k:] += grads * per_graduate(j)
        people[k:] += grads * keep ** (j + 1.0)

    table = pd.DataFrame(
        {
            "required": req.to_numpy(),
            "expected_without_hiring": baseline,
            "expected_headcount": people,
            "effective_agents": effective,
            "gap": req.to_numpy() - effective,
        },
        index=months,
    )
    table["unreachable"] = table["gap"] > _EPS
    table = _with_hiring_columns(table, cohorts, training, training_attrition)
    if monthly_wage is not None:
        table["cost"] = _costs(table, monthly_wage, trainee_monthly_wage, hiring_cost)
    assumptions = {
        "current_staff": current_staff, "attrition": attrition, "training_weeks": training_weeks,
        "training_attrition": training_attrition, "ramp": list(ramp), "as_of": as_of.date().isoformat(),
        "monthly_wage": monthly_wage, "trainee_monthly_wage": trainee_monthly_wage, "hiring_cost": hiring_cost,
        "headcount_counted": "at the end of each month, after its expected leavers",
    }
    return HiringPlan(table=table, cohorts=_cohort_frame(cohorts, training, training_attrition), assumptions=assumptions)


def _cohort_frame(cohorts: list[Cohort], training: pd.Timedelta, training_attrition: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start": pd.to_datetime([c.start for c in cohorts]),
            "hires": np.array([c.hires for c in cohorts], dtype="int64"),
            "training_ends": pd.to_datetime([c.start + training for c in cohorts]),
            "graduates": np.array([c.hires * (1.0 - training_attrition) for c in cohorts], dtype="float64"),
            "ready_month": pd.PeriodIndex([c.ready_month for c in cohorts], freq="M"),
            "for_month": pd.PeriodIndex([c.for_month for c in cohorts], freq="M"),
            "late": np.array([c.late for c in cohorts], dtype=bool),
        }
    )


def _with_hiring_columns(table: pd.DataFrame, cohorts: list[Cohort], training: pd.Timedelta, training_attrition: float) -> pd.DataFrame:
    """Add hires/start_by/joining/in_training; months before the plan appear when hires start then."""
    first = min([table.index[0]] + [c.start.to_period("M") for c in cohorts])
    months = pd.period_range(first, table.index[-1], freq="M", name="month")
    table = table.reindex(months)
    table["unreachable"] = table["unreachable"].fillna(False).astype(bool)
    n = len(months)
    hires = np.zeros(n, dtype="int64")
    start_by = np.full(n, np.datetime64("NaT"), dtype=f"datetime64[{times.UNIT}]")
    joining = np.zeros(n)
    in_training = np.zeros(n)  # person-months spent training in each month
    month_start = months.to_timestamp(how="start").to_numpy()
    month_end = (months + 1).to_timestamp(how="start").to_numpy()
    month_days = (month_end - month_start) / np.timedelta64(1, "D")
    for c in cohorts:
        s = (c.start.to_period("M") - first).n
        hires[s] += c.hires
        if np.isnat(start_by[s]) or c.start.to_datetime64() < start_by[s]:
            start_by[s] = c.start.to_datetime64()
        joining[(c.ready_month - first).n] += c.hires * (1.0 - training_attrition)
        lo = np.maximum(month_start, c.start.to_datetime64())
        hi = np.minimum(month_end, (c.start + training).to_datetime64())
        in_training += c.hires * np.clip((hi - lo) / np.timedelta64(1, "D"), 0, None) / month_days
    table["hires"] = hires
    table["start_by"] = start_by
    table["joining"] = joining
    table["in_training"] = in_training
    order = ["required", "expected_without_hiring", "hires", "start_by", "joining", "in_training",
             "expected_headcount", "effective_agents", "gap", "unreachable"]
    return table[order]


def _costs(table: pd.DataFrame, monthly_wage: float, trainee_monthly_wage: float | None, hiring_cost: float) -> pd.Series:
    trainee = monthly_wage if trainee_monthly_wage is None else trainee_monthly_wage
    return (table["expected_headcount"].fillna(0.0) * monthly_wage + table["in_training"] * trainee + table["hires"] * hiring_cost).rename("cost")
