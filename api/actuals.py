"""Actuals in the store: each site's days of actual calls, a day sent again replacing the one sent before, and
the stored days read back as the Actuals the steps extend the history with (shiftcast.steps.actuals_step)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.db import ActualDayRow, ActualIntervalRow
from core.words import counted
from forecasting.data import calls_on_grid
from shiftcast.actuals import MEASURES, ActualDay, Actuals


@dataclass(frozen=True)
class SentDay:
    """A day as stored, and when the day it replaced had been sent (None when it is new)."""

    day: ActualDay
    replaced_sent_at: dt.datetime | None

    @property
    def line(self) -> str:
        """'2026-12-03: 40 intervals replaced those sent at 2026-12-03 17:05 UTC (1,234 calls)'."""
        d = self.day
        head = f"{d.day:%Y-%m-%d}: {counted(d.intervals, 'interval')}"
        said = (f"{head} replaced those sent at {self.replaced_sent_at:%Y-%m-%d %H:%M} UTC" if self.replaced_sent_at
                else f"{head} added")
        said += f" ({counted(d.calls, 'call')})"
        return said + (f"; partial: up to {d.last_end}, kept and marked partial" if d.partial else "")


def store_actuals(session: Session, site_id: int, actuals: Actuals, created_by: str = "") -> list[SentDay]:
    """Keep every day of `actuals` in site `site_id`, each replacing the same day sent before; all or nothing
    (one commit)."""
    frame = actuals.intervals
    step = int(frame.attrs["interval_minutes"])
    sent = []
    for day in actuals.days:
        midnight = dt.datetime.combine(day.day, dt.time())
        before = session.scalar(select(ActualDayRow).where(ActualDayRow.site_id == site_id,
                                                           ActualDayRow.day == midnight))
        replaced_at = before.created_at if before is not None else None
        if before is not None:
            session.delete(before)
            session.flush()  # the day's row goes before its successor takes its (site, day)
        part = actuals.day_intervals(day.day)
        row = ActualDayRow(site_id=site_id, day=midnight, source=actuals.source[:200], kind=actuals.kind,
                           interval_minutes=step, intervals=day.intervals, calls=day.calls, partial=day.partial,
                           created_by=created_by)
        row.rows = [ActualIntervalRow(interval_start=start.to_pydatetime(), calls=int(values["calls"]),
                                      **{m: _value(values.get(m)) for m in MEASURES})
                    for start, values in part.iterrows()]
        session.add(row)
        sent.append(SentDay(day=day, replaced_sent_at=replaced_at))
    session.commit()
    return sent


def _value(value) -> int | float | None:
    if value is None or pd.isna(value):
        return None
    return float(value) if isinstance(value, (float, np.floating)) and not float(value).is_integer() else int(value)


def stored_days(session: Session, site_ids: list[int] | None, first: dt.date | None = None,
                last: dt.date | None = None) -> list[ActualDayRow]:
    """The stored days of the sites `site_ids` (every site when None) from `first` to `last`, with their intervals,
    in order of site and day."""
    stmt = (select(ActualDayRow).options(selectinload(ActualDayRow.rows))
            .order_by(ActualDayRow.site_id, ActualDayRow.day))
    if site_ids is not None:
        stmt = stmt.where(ActualDayRow.site_id.in_(site_ids))
    if first is not None:
        stmt = stmt.where(ActualDayRow.day >= dt.datetime.combine(first, dt.time()))
    if last is not None:
        stmt = stmt.where(ActualDayRow.day <= dt.datetime.combine(last, dt.time()))
    return list(session.scalars(stmt))


def stored_actuals(session: Session, site_id: int) -> Actuals | None:
    """Every day of actuals site `site_id` holds, as Actuals on the coarsest grid any of them was sent on; None
    when it holds none."""
    rows = stored_days(session, [site_id])
    if not rows:
        return None
    step = max(r.interval_minutes for r in rows)
    parts = []
    for r in rows:
        part = pd.DataFrame([{"interval_start": i.interval_start, "calls": i.calls,
                              **{m: getattr(i, m) for m in MEASURES}} for i in r.rows]).set_index("interval_start")
        part.index = pd.DatetimeIndex(part.index, name="interval_start")
        part.attrs["interval_minutes"] = r.interval_minutes
        parts.append(calls_on_grid(part, step))
    frame = pd.concat(parts).sort_index()
    # A measure some days lack is left out, as a history without it would be read.
    frame = frame[["calls"] + [m for m in MEASURES if frame[m].notna().all() or m == "aht_s"]]
    for m in ("calls", "answered", "abandoned"):
        if m in frame:
            frame[m] = frame[m].astype(np.int64)
    frame["aht_s"] = frame["aht_s"].astype(float)
    frame.attrs = {"interval_minutes": step, "source": "the store's actuals"}
    days = [ActualDay(day=r.day.date(), intervals=r.intervals, calls=r.calls, partial=r.partial,
                      last_end=f"{max(i.interval_start for i in r.rows) + dt.timedelta(minutes=r.interval_minutes):%H:%M}")
            for r in rows]
    return Actuals(intervals=frame, days=days, source="the store's actuals", kind="stored")
