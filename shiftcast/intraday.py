"""The day at a time of day (the 11:30 and 16:30 reports): calls so far against the forecast, the rest of the
day re-forecast from them, and the service the day's roster gives with it, interval by interval.

`steps.intraday_step` computes it; this module holds the result and its report in words."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.rules import MINUTES_A_DAY, ServiceTargets, hhmm
from core.words import counted, named
from scheduler.intraday_actions import Action, action_lines
from scheduler.on_phones import LATE, LEFT, NOT_IN, REST_DAY_IN, PhonesDay
from scheduler.callbacks import CallbackWork


@dataclass
class IntradayView:
    """The day `day` seen at `at`.

    `so_far`: per open interval before `at`, the `actual` calls (NaN where none were given) and the
    planned `forecast` with its `lower` and `upper` bounds. `rest`: per open interval from `at`, the planned
    `forecast`, the re-forecast `mean`, `lower`, `upper`, the handle time `aht_s`, the people `required`
    (rostered, before shrinkage), `rostered` and `present` (the rostered less who the clock says is missing,
    plus rest-day workers; the rostered when no clock records were given), the `on_phones` after shrinkage,
    and the `service_level`, `asa_s`, `abandon_rate` and `abandoned` calls they give (Erlang A with the
    targets' patience, else Erlang C without abandonment). `phones`: who is on the phones and what the clock
    says of each; `actions`: what to do, ranked by calls saved. With callbacks on, `rest` also holds the
    `callbacks_worked` and `callbacks_waiting` at each interval's end."""

    day: pd.Timestamp
    at: pd.Timestamp
    so_far: pd.DataFrame
    rest: pd.DataFrame
    targets: ServiceTargets
    interval_minutes: int
    phones: PhonesDay
    actions: list[Action]
    names: dict[str, str] = field(default_factory=dict)
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


def clock_lines(view: IntradayView) -> list[str]:
    """Who the clock says is on the phones at `at`, and who is not: the people the service below counts."""
    phones, at = view.phones, f"{view.at:%H:%M}"
    rostered = [w for w in phones.people if w.rostered]
    if phones.clock_empty:
        return [f"the clock records hold no punch on {view.day:%Y-%m-%d} by {at} (another day's file, or a feed that "
                f"stopped?): all {counted(len(rostered), 'person', 'people')} rostered on the phones are taken as there"]
    if not phones.clock_given:
        return [f"no clock records given: all {counted(len(rostered), 'person', 'people')} rostered on the phones "
                "are taken as there"]
    gone = phones.with_status(NOT_IN, LEFT)
    lines = [f"clock so far: {len(rostered) - len(gone)} of {counted(len(rostered), 'person', 'people')} rostered on "
             f"the phones are there or still due by {at}"]
    missing = phones.with_status(NOT_IN)
    if missing:
        lines.append(f"not clocked in by {at}, missing for the rest of the day unless they arrive: "
                     + ", ".join(f"{named(w.employee_id, view.names)} ({w.shift} from {hhmm(w.start_minute % MINUTES_A_DAY)})"
                                 for w in missing))
    left = phones.with_status(LEFT)
    if left:
        lines.append("clocked out, gone for the rest of the day: "
                     + ", ".join(f"{named(w.employee_id, view.names)} at {w.clock_out:%H:%M}" for w in left))
    late = phones.with_status(LATE)
    if late:
        lines.append("late: " + ", ".join(f"{named(w.employee_id, view.names)} in at {w.clock_in:%H:%M} "
                                          f"({w.late_minutes()} min)" for w in late))
    extra = phones.with_status(REST_DAY_IN)
    if extra:
        lines.append("working on a rest day: " + ", ".join(
            f"{named(w.employee_id, view.names)} in at {w.clock_in:%H:%M} (counted on shift {w.shift}, lunch "
            f"{hhmm(w.lunch_minute)})" for w in extra))
    return lines


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
    lines += clock_lines(view)
    rest = view.rest
    lines.append(f"rest of the day: {rest['mean'].sum():,.0f} calls expected from {view.at:%H:%M} to close "
                 f"({_change(rest['mean'].sum(), rest['forecast'].sum())} against the plan's "
                 f"{rest['forecast'].sum():,.0f})")
    calls = rest["mean"].to_numpy(float)
    level = float((rest["service_level"].to_numpy(float) * calls).sum() / max(calls.sum(), 1e-9))
    patience = f", callers' patience {t.patience_s:g} s" if t.patience_s is not None else ""
    lost = f", {rest['abandoned'].sum():,.0f} calls expected lost" if t.patience_s is not None else ""
    who = "the people there" if view.phones.clock_given else "the roster"
    lines.append(f"with {who} ({view.queue_model}{patience}): {_pct(level)} answered within "
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
                         f"{r['rostered']:.0f} rostered, {r['present']:.0f} there ({r['on_phones']:.0f} on the phones), "
                         f"{r['required']:.0f} needed: "
                         f"{_pct(r['service_level'])} in {t.answer_within_s:g} s, {asa}"
                         + (f", {r['abandoned']:.0f} lost" if t.patience_s is not None else ""))
    return lines + actions_lines(view)


def actions_lines(view: IntradayView) -> list[str]:
    """The ranked actions with their total, or why there are none."""
    t = view.targets
    if t.patience_s is None:
        return ["no actions ranked: they are priced in calls lost, which needs the callers' patience "
                "(service.patience_s in the rules)"]
    if not view.actions:
        return ["actions: none saves half a call or more (moving lunches, calling in, overtime), and no one can be "
                "released with every interval kept at the target"]
    adding = [a for a in view.actions if a.paid_hours >= 0]
    releases = [a for a in view.actions if a.paid_hours < 0]
    total = (f"{sum(a.calls_saved for a in adding):.1f} calls saved for {sum(a.paid_hours for a in adding):.2f} paid hours"
             if adding else "nothing to add")
    if releases:
        total += (f"; {counted(len(releases), 'release')} save {-sum(a.paid_hours for a in releases):.2f} paid hours for "
                  f"{max(-sum(a.calls_saved for a in releases), 0.0):.1f} more calls lost")
    lines = [f"actions, ranked by calls saved (Erlang A, patience {t.patience_s:g} s; each on top of those above it): "
             + total]
    return lines + ["  " + line for line in action_lines(view.actions, view.names)]


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
