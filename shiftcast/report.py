"""The day's report (每日报表), and its weekly and monthly rollups: calls offered, answered and lost, service level
and ASA against the forecast and the roster, calls per airing, forecast accuracy, and lost calls by cause.

`steps.report_step` computes it; this module holds the result and its words."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.periods import month_days
from core.rules import ServiceTargets
from core.words import counted
from scheduler.callbacks import CallbackWork
from scheduler.lost_calls import CAUSE_KEYS, CAUSES

# Per-interval columns of `Report.intervals`.
INTERVAL_COLUMNS = (
    "calls", "forecast", "lower", "upper", "answered", "abandoned", "aht_s", "needed", "rostered", "on_phones",
    "service_level", "asa_s", "planned_service_level", "planned_asa_s", "planned_abandoned", "airing",
)


@dataclass(frozen=True)
class ReportPeriod:
    """The days a report covers: a day, an ISO week (Monday to Sunday) or a month."""

    kind: str  # day / week / month
    name: str  # 2026-12-15 / 2026-W51 / 2026-12
    first: pd.Timestamp
    last: pd.Timestamp

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.first, self.last, freq="D")

    @property
    def title(self) -> str:
        return f"{self.kind} {self.name}"


def report_period(kind: str, value: str) -> ReportPeriod:
    """The period of a `day` (YYYY-MM-DD), `week` (an ISO week YYYY-Www, or any day of it) or `month` (YYYY-MM);
    a DataError naming `--{kind}` and the form expected for anything else."""
    if kind == "month":
        days = month_days(value)
        return ReportPeriod("month", value, days[0], days[-1])
    try:
        if kind == "week" and "W" in value.upper():
            first = pd.Timestamp(dt.datetime.strptime(value.upper() + "-1", "%G-W%V-%u"))
        else:
            first = pd.Timestamp(dt.date.fromisoformat(value))
    except ValueError:
        form = "an ISO week like 2026-W51 or a day of it like 2026-12-15" if kind == "week" else "a day like 2026-12-15"
        raise DataError(f"--{kind}", f"expected {form}, got {value!r}") from None
    if not times.FIRST_YEAR < first.year < times.LAST_YEAR:
        raise DataError(f"--{kind}", f"expected a day {times.YEARS}, got {value!r}")
    if kind == "day":
        return ReportPeriod("day", f"{first:%Y-%m-%d}", first, first)
    if kind != "week":
        raise ValueError(f"a report is of a day, a week or a month, not {kind!r}")
    first = first - pd.Timedelta(days=first.day_of_week)
    year, week, _ = first.isocalendar()
    return ReportPeriod("week", f"{year}-W{week:02d}", first, first + pd.Timedelta(days=6))


@dataclass(frozen=True)
class Totals:
    """A stretch of intervals summed: calls offered, answered, lost; service level and ASA (Erlang A at the
    people on the phones); the forecast and its accuracy."""

    calls: float
    answered: float | None
    abandoned: float | None
    service_level: float
    asa_s: float
    forecast: float
    planned_service_level: float | None
    planned_abandoned: float | None
    wape: float
    bias: float  # (forecast − actual) / actual: above 0 the forecast was too high


def totals_of(frame: pd.DataFrame) -> Totals:
    """The intervals of `frame` (Report.intervals' columns) summed."""
    calls = float(frame["calls"].sum())
    weight = frame["calls"].to_numpy(float)
    planned = frame["planned_service_level"]
    answered = frame["answered"] if "answered" in frame and frame["answered"].notna().all() else None
    abandoned = frame["abandoned"] if "abandoned" in frame and frame["abandoned"].notna().all() else None
    # ASA is the mean wait of the answered calls; an interval without an answer (no one on the phones) has none.
    asa = frame["asa_s"].to_numpy(float)
    asa_weight = answered.to_numpy(float) if answered is not None else weight
    finite = np.isfinite(asa) & (asa_weight > 0)
    return Totals(
        calls=calls,
        answered=float(answered.sum()) if answered is not None else None,
        abandoned=float(abandoned.sum()) if abandoned is not None else None,
        service_level=_weighted(frame["service_level"].to_numpy(float), weight),
        asa_s=_weighted(asa[finite], asa_weight[finite]),
        forecast=float(frame["forecast"].sum()),
        planned_service_level=(_weighted(planned.to_numpy(float), frame["forecast"].to_numpy(float))
                               if planned.notna().all() else None),
        planned_abandoned=float(frame["planned_abandoned"].sum()) if frame["planned_abandoned"].notna().all() else None,
        wape=_wape(frame["calls"], frame["forecast"]),
        bias=(float(frame["forecast"].sum()) - calls) / calls if calls > 0 else float("nan"),
    )


def _weighted(values: np.ndarray, weight: np.ndarray) -> float:
    total = weight.sum()
    return float((values * weight).sum() / total) if total > 0 else float("nan")


def _wape(actual: pd.Series, forecast: pd.Series) -> float:
    total = float(actual.sum())
    return float((actual - forecast).abs().sum() / total) if total > 0 else float("nan")


@dataclass
class Report:
    """The report of `period` over its `days` with actuals.

    `intervals`: per open interval with actuals (INTERVAL_COLUMNS): actual `calls`, `answered`, `abandoned`,
    `aht_s`; the plan's `forecast` with its `lower` and `upper` bounds; agents on the phones `needed` (the
    requirement for the forecast), `rostered` and `on_phones` as lived (from the clock; the roster's where no
    clock records were given); the `service_level` and `asa_s` the people on the phones gave the actual calls,
    and the `planned_service_level`, `planned_asa_s` and `planned_abandoned` the roster promised for the
    forecast (Erlang A with the targets' patience, else Erlang C); `airing` in an airing's response window.
    `airings`: one row per airing (start, channel, product, predicted, actual calls it brought).
    `lost`: the abandoned calls per interval by cause (scheduler.lost_calls), None when they cannot be priced.
    `callbacks`: the lost callers called back in the room the people on the phones had (scheduler.callbacks), None
    when callbacks are off or the lost calls or the staffing are not known.
    `notes`: what the report could not know or had to assume, in words."""

    period: ReportPeriod
    days: list[dt.date]
    intervals: pd.DataFrame
    airings: pd.DataFrame
    lost: pd.DataFrame | None
    targets: ServiceTargets
    interval_minutes: int
    notes: list[str] = field(default_factory=list)
    callbacks: CallbackWork | None = None

    @property
    def queue_model(self) -> str:
        return "Erlang A" if self.targets.patience_s is not None else "Erlang C"

    @property
    def totals(self) -> Totals:
        return totals_of(self.intervals)

    @property
    def by_day(self) -> pd.DataFrame:
        """One row per day: the day's Totals."""
        days = self.intervals.index.normalize()
        rows = {day: dataclasses.asdict(totals_of(part)) for day, part in self.intervals.groupby(days)}
        out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("date")
        if self.callbacks is not None:
            done = self.callbacks.per_day()
            for key in ("created", "done_in_time", "missed"):
                out[f"callbacks_{key}"] = done[key].reindex(out.index)
        return out

    @property
    def by_time_of_day(self) -> pd.DataFrame:
        """Forecast accuracy by time of day over the days: calls, forecast, WAPE and bias per interval start."""
        clock = self.intervals.index.strftime("%H:%M")
        rows = {}
        for at, part in self.intervals.groupby(clock):
            t = totals_of(part)
            rows[at] = {"calls": t.calls, "forecast": t.forecast, "wape": t.wape, "bias": t.bias}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("time_of_day")

    @property
    def channels(self) -> pd.DataFrame:
        """Calls per airing by channel: airings, predicted and actual calls, actual / predicted."""
        a = self.airings
        if a.empty:
            return pd.DataFrame(columns=["airings", "predicted", "actual", "ratio"]).rename_axis("channel")
        out = a.groupby("channel").agg(airings=("start", "size"), predicted=("predicted", "sum"), actual=("actual", "sum"))
        out["ratio"] = out["actual"] / out["predicted"].where(out["predicted"] > 0)
        return out

    @property
    def lost_by_cause(self) -> pd.Series | None:
        """The period's lost calls per cause (CAUSE_KEYS), None when they could not be priced."""
        return None if self.lost is None else self.lost[list(CAUSE_KEYS)].sum()

    @property
    def lost_by_hour(self) -> pd.DataFrame | None:
        """Lost calls per hour of the day (summed over the days), with each cause's share, most first."""
        if self.lost is None:
            return None
        hours = self.lost.index.strftime("%H:00")
        out = self.lost[list(CAUSE_KEYS)].groupby(hours).sum()
        out.insert(0, "lost", out.sum(axis=1))
        return out.sort_values("lost", ascending=False, kind="stable").rename_axis("hour")


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value * 100:.1f} %"


def _signed_pct(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value * 100:+.1f} %"


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if np.isfinite(value) else "no steady queue"


CAUSE_WORDS = {c.key: c.words for c in CAUSES}


def report_lines(report: Report, *, peaks: int = 3) -> list[str]:
    """The report in words: the numbers a supervisor sends before leaving, and where and why calls were lost."""
    t = report.totals
    sl_target = f"{report.targets.service_level * 100:.0f} % in {report.targets.answer_within_s:g} s"
    span = (f"{report.days[0]:%Y-%m-%d}" if len(report.days) == 1
            else f"{report.days[0]:%Y-%m-%d} → {report.days[-1]:%Y-%m-%d}, {counted(len(report.days), 'day')}")
    lines = [f"report {report.period.title} ({span})"]
    answered = f"{t.answered:,.0f} answered" if t.answered is not None else "answered not given"
    lost = (f"{t.abandoned:,.0f} lost ({_pct(t.abandoned / t.calls if t.calls else float('nan'))})"
            if t.abandoned is not None else "lost not given")
    lines.append(f"calls offered {t.calls:,.0f}, {answered}, {lost}")
    lines.append(f"forecast {t.forecast:,.0f} ({_signed_pct(t.bias)} against the actual calls), WAPE {_pct(t.wape)}")
    lines.append(f"service level {_pct(t.service_level)} (target {sl_target}), ASA {_seconds(t.asa_s)}: "
                 f"{report.queue_model} at the people on the phones")
    if t.planned_service_level is not None:
        promised = f"the roster promised {_pct(t.planned_service_level)} for the forecast"
        if t.planned_abandoned is not None and report.targets.patience_s is not None:
            promised += f" and {t.planned_abandoned:,.0f} calls lost"
        lines.append(promised)
    frame = report.intervals
    short = frame[frame["on_phones"] < frame["rostered"]]
    if len(short):
        lines.append(f"fewer on the phones than rostered in {counted(len(short), 'interval')} "
                     f"({(short['rostered'] - short['on_phones']).sum():,.0f} agent-intervals)")
    under = frame[frame["rostered"] < frame["needed"]]
    if len(under):
        lines.append(f"the roster below the requirement in {counted(len(under), 'interval')} "
                     f"({(under['needed'] - under['rostered']).sum():,.0f} agent-intervals)")
    if len(report.days) > 1:
        lines.append("by day:")
        for day, r in report.by_day.iterrows():
            lost_day = f", {r['abandoned']:,.0f} lost" if r["abandoned"] is not None and np.isfinite(r["abandoned"]) else ""
            lines.append(f"  {day:%Y-%m-%d} {day:%a}  {r['calls']:,.0f} calls{lost_day}, SL {_pct(r['service_level'])}, "
                         f"forecast {r['forecast']:,.0f} (WAPE {_pct(r['wape'])}, bias {_signed_pct(r['bias'])})")
    channels = report.channels
    if len(channels):
        lines.append("calls per airing, actual against predicted:")
        for channel, r in channels.iterrows():
            lines.append(f"  {channel}: {counted(int(r['airings']), 'airing')}, {r['actual']:,.0f} calls against "
                         f"{r['predicted']:,.0f} predicted ({_ratio(r['ratio'])})")
    tod = report.by_time_of_day
    worst = tod.sort_values("wape", ascending=False, kind="stable").head(3)
    lines.append("forecast least accurate at " + ", ".join(
        f"{at} (WAPE {_pct(r['wape'])}, bias {_signed_pct(r['bias'])})" for at, r in worst.iterrows()))
    lines += _callback_lines(report)
    causes = report.lost_by_cause
    if causes is not None:
        total = causes.sum()
        lines.append(f"lost calls by cause ({report.queue_model} against the staffing as lived, "
                     f"{counted(round(total), 'call')}):")
        for key, value in causes.sort_values(ascending=False, kind="stable").items():
            if value >= 0.5:
                lines.append(f"  {value:,.0f}  {CAUSE_WORDS[key]}")
        hours = report.lost_by_hour
        top = hours[hours["lost"] >= 0.5].head(peaks)
        if len(top):
            lines.append("lost calls peak at " + "; ".join(
                f"{hour} ({r['lost']:,.0f}, mostly {CAUSE_WORDS[r[list(CAUSE_KEYS)].astype(float).idxmax()]})"
                for hour, r in top.iterrows()))
    lines += [f"note: {n}" for n in report.notes]
    return lines


def _callback_lines(report: Report) -> list[str]:
    """The lost callers called back, and how many in time."""
    if report.callbacks is None:
        return []
    t = report.callbacks.totals()
    return [f"callbacks: {t.created:,.0f} of the callers lost were to be called back, {t.done_in_time:,.0f} done in "
            f"time in the room the people on the phones had, {t.missed:,.0f} missed"
            + (f", {t.open:,.0f} due after the report's last interval" if t.open >= 0.5 else "")]


def _ratio(value: float) -> str:
    return "no prediction" if not np.isfinite(value) else f"× {value:.2f}"
