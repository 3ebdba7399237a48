"""The user's input files loaded together and checked (`load_inputs` gives the `Inputs` every planning step
reads), the one-screen summary `validate`, `plan` and `demo` print, and where the bundled sample lives."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasting.data import aggregate_call_records, load_ads, load_call_records, load_calls
from scheduler.data import load_leave, load_shift_cover, load_staff
from scheduler.roster import load_assignments
from scheduler.rules.weekly_rest import weekly_minimum
from core.errors import DataError
from core.rules import DEFAULT_RULES, Rules, load_rules
from core.words import counted

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_MONTH = "2026-12"


@dataclass
class InputPaths:
    """Where each input lives; any may be missing."""

    calls: Path | None = None
    records: Path | None = None
    ads: Path | None = None  # past airings, for learning the ad response
    plan: Path | None = None  # planned airings of the month to plan
    staff: Path | None = None
    leave: Path | None = None
    rules: Path | None = None
    previous_month: Path | None = None  # the previous month's roster.csv, as the exports write it
    shift_cover: Path | None = None  # people wanted on a shift on given dates

    @classmethod
    def sample(cls, directory: Path = SAMPLE_DIR, month: str = SAMPLE_MONTH) -> "InputPaths":
        """The bundled sample data set."""
        return cls(
            calls=directory / "calls.csv",
            ads=directory / "ads_history.csv",
            plan=directory / f"ads_plan_{month}.csv",
            staff=directory / "staff.csv",
            leave=directory / f"leave_{month}.csv",
            rules=directory / "rules.toml",
        )


@dataclass
class Inputs:
    """Everything loaded and checked; absent inputs are None."""

    rules: Rules = DEFAULT_RULES
    calls: pd.DataFrame | None = None
    ads: pd.DataFrame | None = None
    plan: pd.DataFrame | None = None
    staff: pd.DataFrame | None = None
    leave: pd.DataFrame | None = None
    # the previous month's roster (employee_id, date, shift, lunch_start): its last days and counts carry over
    previous_month: pd.DataFrame | None = None
    # people wanted on a shift on given dates (date, shift, wanted, under_weight, over_weight), beside the rules'
    shift_cover: pd.DataFrame | None = None


def load_inputs(paths: InputPaths) -> Inputs:
    """Load every given file through its loader; the first bad cell raises a DataError."""
    rules = load_rules(paths.rules) if paths.rules else DEFAULT_RULES
    out = Inputs(rules=rules)
    if paths.calls and paths.records:
        raise DataError(str(paths.records), "give either interval counts (--calls) or call records (--records), not both")
    if paths.calls:
        out.calls = load_calls(paths.calls)
    elif paths.records:
        out.calls = aggregate_call_records(load_call_records(paths.records), rules.interval_minutes)
    if paths.ads:
        out.ads = load_ads(paths.ads)
    if paths.plan:
        out.plan = load_ads(paths.plan)
    if paths.staff:
        out.staff = load_staff(paths.staff, rules)
    if paths.leave:
        if out.staff is None:
            raise DataError(str(paths.leave), "checking leave needs the staff file (--staff) to know the employees")
        out.leave = load_leave(paths.leave, out.staff, rules)
    if paths.previous_month:
        out.previous_month = load_assignments(paths.previous_month, rules)
    if paths.shift_cover:
        out.shift_cover = load_shift_cover(paths.shift_cover, rules)
    return out


def _span(index: pd.DatetimeIndex | pd.Series) -> str:
    return f"{pd.Timestamp(index.min()):%Y-%m-%d %H:%M} → {pd.Timestamp(index.max()):%Y-%m-%d %H:%M}"


def summary_lines(inputs: Inputs) -> list[str]:
    """A one-screen summary of what was loaded."""
    r = inputs.rules
    lines = [
        f"rules     {len(r.shifts)} shifts ("
        + ", ".join(f"{s.code} {s.name_zh}/{s.name_en} {s.hours_text}" for s in r.shifts)
        + f"), open {r.open_time}–{r.close_time}, {r.interval_minutes}-min intervals, "
        f"{'≥' if weekly_minimum(r) else ''}{r.rest_days_per_week} rest day/week, "
        + (f"≥{r.monthly_paid_hours_min:g} paid h/month, " if r.monthly_paid_hours_min > 0 else "")
        + f"≤{r.max_consecutive_work_days} days in a row; "
        f"target {r.service.service_level:.0%} in {r.service.answer_within_s:g} s, shrinkage {r.service.shrinkage:.0%}",
    ]
    if inputs.calls is not None:
        c = inputs.calls
        days = c.index.normalize().nunique()
        extra = ""
        if "abandoned" in c:
            extra = f", {c['abandoned'].sum() / max(c['calls'].sum(), 1):.1%} abandoned"
        if "aht_s" in c:
            extra += f", AHT {c['aht_s'].mean():.0f} s"
        lines.append(
            f"calls     {len(c):,} intervals of {c.attrs.get('interval_minutes', '?')} min over {days} days "
            f"({_span(c.index)}), {c['calls'].sum():,} calls, {c['calls'].sum() / max(days, 1):,.0f} a day{extra}"
        )
    for name, label in (("ads", "ads"), ("plan", "ad plan")):
        a = getattr(inputs, name)
        if a is not None and a.empty:
            lines.append(f"{label:<9} no airings")
        elif a is not None:
            lines.append(
                f"{label:<9} {len(a):,} airings ({_span(a['start'])}) on {a['channel'].nunique()} channels, "
                f"{a['product'].nunique()} products, {a['duration_s'].median():.0f} s median"
            )
    if inputs.staff is not None:
        s = inputs.staff
        roles = s["role"].value_counts()
        groups, teams = (s[c][s[c] != ""].nunique() for c in ("group", "team"))
        lines.append(
            f"staff     {len(s)} people: "
            + ", ".join(counted(roles.get(k, 0), k.replace("_", " ")) for k in ("agent", "group_leader", "team_leader", "supervisor"))
            + f"; {counted(groups, 'group')} in {counted(teams, 'team')}"
        )
    if inputs.leave is not None:
        kinds = inputs.leave["kind"].value_counts()
        # the wishes refused are named only when the file has them
        shown = ("leave", "rest_request", "shift_request") + tuple(k for k in ("work_request", "shift_refusal") if kinds.get(k, 0))
        lines.append(
            "leave     " + ", ".join(counted(kinds.get(k, 0), k.replace("_", " ")) for k in shown)
            + (f" ({inputs.leave['date'].min():%Y-%m-%d} → {inputs.leave['date'].max():%Y-%m-%d})" if len(inputs.leave) else "")
        )
    line = previous_month_line(inputs)
    if line:
        lines.append(line)
    return lines


def previous_month_line(inputs: Inputs) -> str | None:
    """The previous month's roster in one line: its days, and whom of the staff it holds (new staff start with
    no history; people it holds who left are ignored). None when not given."""
    pm = inputs.previous_month
    if pm is None or not len(pm):
        return None
    line = f"previous month's roster {pm['date'].min():%Y-%m-%d} → {pm['date'].max():%Y-%m-%d}"
    if inputs.staff is None:
        return line + f", {counted(pm['employee_id'].nunique(), 'person', 'people')}"
    staff, held = list(inputs.staff["employee_id"]), set(pm["employee_id"])
    new = [e for e in staff if e not in held]
    gone = held - set(staff)
    line += f", {len(staff) - len(new)} of the staff's {len(staff)} people"
    if new:
        line += f"; {counted(len(new), 'new person', 'new people')} without history ({_some(new)})"
    if gone:
        line += f"; {counted(len(gone), 'person', 'people')} no longer on the staff ignored"
    return line


def _some(ids: list[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def no_history_line(month: str) -> str:
    """What a roster planned without the previous month's roster assumes, in one line."""
    return (f"note: no previous month's roster given (--previous-month): the first days of {month} assume no "
            "history (no work days in a row before them, no rest day taken in a week they share with the month before)")
