"""The morning meeting's sheet (晨会): yesterday's numbers, today's airings, who is on which shift by group, and
today's expected peaks, on one printable page.

`steps.morning_step` computes it; this module holds the result and its words."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.words import counted
from shiftcast.report import Report, report_lines

# How many of the day's busiest intervals the sheet names.
PEAKS = 3


@dataclass
class MorningSheet:
    """The morning of `day`.

    `yesterday`: the day before's report (None when there are no actuals for it). `airings`: today's planned
    airings (start, channel, product, predicted calls). `shifts`: who works today (shift, group, team,
    employee_id, name, role, lunch_start), by shift and group. `peaks`: today's busiest intervals by the plan's
    forecast (interval_start, calls expected with their upper bound, agents needed and rostered on the phones).
    `notes`: what the sheet could not know."""

    day: pd.Timestamp
    yesterday: Report | None
    airings: pd.DataFrame
    shifts: pd.DataFrame
    peaks: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def morning_lines(sheet: MorningSheet) -> list[str]:
    """The sheet in words, in the order the meeting goes through it."""
    lines = [f"morning meeting {sheet.day:%Y-%m-%d} ({sheet.day:%A})"]
    if sheet.yesterday is not None:
        lines.append("yesterday:")
        lines += [f"  {line}" for line in report_lines(sheet.yesterday)[1:] if not line.startswith("note:")]
    a = sheet.airings
    lines.append(f"today's airings: {counted(len(a), 'airing')}, {a['predicted'].sum():,.0f} calls predicted from them"
                 if len(a) else "today's airings: none planned")
    for r in a.itertuples(index=False):
        lines.append(f"  {r.start:%H:%M}  {r.channel}  {r.product}  ~{r.predicted:,.0f} calls")
    lines.append("on shift today:")
    for (shift, group, team), people in sheet.shifts.groupby(["shift", "group", "team"], sort=False):
        lines.append(f"  {shift} {group or team or '—'}: {counted(len(people), 'person', 'people')} ("
                     + ", ".join(people["name"].astype(str)) + ")")
    lines.append("expected peaks: " + "; ".join(
        f"{r.interval_start:%H:%M} {r.calls:,.0f} calls (up to {r.upper:,.0f}), {r.needed:.0f} needed on the phones, "
        f"{r.rostered:.0f} rostered" for r in sheet.peaks.itertuples(index=False)))
    lines += [f"note: {n}" for n in sheet.notes]
    return lines
