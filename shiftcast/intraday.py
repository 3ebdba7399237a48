"""The day at a time of day (the 11:30 and 16:30 reports): calls so far against the forecast, the rest of the
day re-forecast from them, and the service the day's roster gives with it, interval by interval.

`steps.intraday_step` computes it; this module holds the result and its report in words."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.rules import ServiceTargets
from core.words import counted
from scheduler.callbacks import CallbackWork


@dataclass
class IntradayView:
    """The day `day` seen at `at`.

    `so_far`: per open interval before `at`, the `actual` calls (NaN where none were given) and the
    planned `forecast` with its `lower` and `upper` bounds. `rest`: per open interval from `at`, the planned
    `forecast`, the re-forecast `mean`, `lower`, `upper`, the handle time `aht_s`, the people `required`
    (rostered, before shrinkage) and `rostered`, the `on_phones` after shrinkage, and the `service_level`,
    `asa_s`, `abandon_rate` and `abandoned` calls they give (Erlang A with the targets' patience, else
    Erlang C without abandonment), with the `callbacks_worked` and `callbacks_waiting` at each interval's end
    when callbacks are on."""

    day: pd.Timestamp
    at: pd.Timestamp
    so_far: pd.DataFrame
    rest: pd.DataFrame
    targets: ServiceTargets
    interval_minutes: int
    # The day's callbacks (from the calls lost so far and those expected lost), None when callbacks are off.
    callbacks: CallbackWork | None = None
    callbacks_note: str | None = None

    @property
    def queue_model(self) -> str:
        return "Erlang A" if self.targets.patience_s is not None else "Erlang C"

    @property
    def misses(self) -> pd.DataFrame:
        """The rest of the day's intervals below the service-level target."""
        return self.rest[self.rest["service_level"] < self.targets.service_level]

    @property
    def missing_actuals(self) -> int:
        """Open intervals before `at` the actuals do not cover."""
        return int(self.so_far["actual"].isna().sum())


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _change(new: float, old: float) -> str:
    return f"{(new / old - 1) * 100:+.1f} %" if old > 0 else "n/a"


def report_lines(view: IntradayView) -> list[str]:
    """The report a supervisor reads at `at`: numbers in words, the intervals that will miss the target."""
    t = view.targets
    lines = [f"{view.day:%Y-%m-%d} ({view.day:%A}) at {view.at:%H:%M}"]
    seen = view.so_far.dropna(subset=["actual"])
    if len(seen):
        actual, planned = seen["actual"].sum(), seen["forecast"].sum()
        outside = int(((seen["actual"] < seen["lower"]) | (seen["actual"] > seen["upper"])).sum())
        lines.append(f"calls so far: {actual:,.0f} against {planned:,.0f} forecast ({_change(actual, planned)}); "
                     f"{outside} of {counted(len(seen), 'interval')} outside the forecast's 80 % range")
    if view.missing_actuals:
        lines.append(f"note: no actuals for {counted(view.missing_actuals, 'open interval')} before {view.at:%H:%M}: "
                     "they are taken as not observed")
    rest = view.rest
    lines.append(f"rest of the day: {rest['mean'].sum():,.0f} calls expected from {view.at:%H:%M} to close "
                 f"({_change(rest['mean'].sum(), rest['forecast'].sum())} against the plan's "
                 f"{rest['forecast'].sum():,.0f})")
    calls = rest["mean"].to_numpy(float)
    level = float((rest["service_level"].to_numpy(float) * calls).sum() / max(calls.sum(), 1e-9))
    patience = f", callers' patience {t.patience_s:g} s" if t.patience_s is not None else ""
    lost = f", {rest['abandoned'].sum():,.0f} calls expected lost" if t.patience_s is not None else ""
    lines.append(f"with the roster ({view.queue_model}{patience}): {_pct(level)} answered within "
                 f"{t.answer_within_s:g} s over the rest of the day (target {_pct(t.service_level)}){lost}")
    lines += callback_lines(view)
    misses = view.misses
    if misses.empty:
        lines.append(f"every interval from {view.at:%H:%M} meets the target")
    else:
        lines.append(f"{counted(len(misses), 'interval')} will miss the target of {_pct(t.service_level)} in "
                     f"{t.answer_within_s:g} s:")
        step = pd.Timedelta(minutes=view.interval_minutes)
        for start, r in misses.iterrows():
            asa = f"ASA {r['asa_s']:.0f} s" if np.isfinite(r["asa_s"]) else "no steady queue"
            lines.append(f"  {start:%H:%M}–{start + step:%H:%M}  {r['mean']:.0f} calls ({r['lower']:.0f}–{r['upper']:.0f}), "
                         f"{r['rostered']:.0f} rostered ({r['on_phones']:.0f} on the phones), {r['required']:.0f} needed: "
                         f"{_pct(r['service_level'])} in {t.answer_within_s:g} s, {asa}"
                         + (f", {r['abandoned']:.0f} lost" if t.patience_s is not None else ""))
        lines.append("actions (move lunches, call in people on their rest day, overtime, early release) are not "
                     "ranked yet: the intervals above are where they are needed")
    return lines


def callback_lines(view: IntradayView) -> list[str]:
    """The callbacks waiting now and what the roster gets done of the day's in time."""
    work = view.callbacks
    if work is None:
        return []
    day = work.totals()
    so_far = work.totals(end=view.at)
    deadline = "by closing time" if work.deadline_hours is None else f"within {work.deadline_hours:g} h"
    lines = [f"callbacks: {work.waiting_at(view.at):,.0f} waiting now ({so_far.created:,.0f} from calls lost so far, "
             f"due {deadline}); of the day's {day.created:,.0f} (with {day.created - so_far.created:,.0f} from calls "
             f"expected lost), {day.done_in_time:,.0f} done in time with the roster, {day.missed:,.0f} missed"
             + (f", {day.open:,.0f} due after today" if day.open >= 0.5 else "")]
    if view.callbacks_note:
        lines.append("note: " + view.callbacks_note)
    return lines
