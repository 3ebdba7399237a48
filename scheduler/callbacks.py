"""Callbacks: callers lost in an interval are called back later, as deferrable work with a deadline.

The work of the callers reached (`share_reached` of the abandoned, `handle_s` each) waits from the interval
after the one they were lost in, and is worked oldest first in the intervals whose people have room: the
agent time up to the occupancy cap that the inbound calls leave, and none in an airing's response window
(everyone takes calls then). What is not worked by its deadline (closing time the same day, or
`deadline_hours` after the interval it was lost in) is missed. Sizing a plan, the work that the room before
its deadline cannot hold gets extra agents (whole ones, rounded to the nearest) in the first interval outside
airings where it waits.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import times
from core.rules import Rules


@dataclass(frozen=True)
class CallbackTotals:
    """The callbacks created in a span and what became of them: `created` = `done_in_time` + `missed` + `open`
    (`open`: still waiting when the table ends, their deadline after it)."""

    created: float
    done_in_time: float
    missed: float
    open: float


@dataclass(frozen=True)
class CallbackWork:
    """Callback work per interval, in callbacks (expected counts, not rounded).

    `table` columns: the `abandoned` calls and the callbacks `created` from them (worked from the next
    interval on), and what became of those: `done_in_time`, `missed` (not worked by their deadline) and
    `open` (waiting when the table ends); then, as the interval lives it, the `room` its people have for
    callbacks, the callbacks `worked` in it (of any interval before, all in time), those `waiting` at its
    end, and the `extra_agents` on the phones it takes to work the rest in time (0 unless sized for a plan)."""

    table: pd.DataFrame
    handle_s: float
    deadline_hours: float | None

    def totals(self, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> CallbackTotals:
        """The callbacks created in [start, end) (the whole table by default) and what became of them."""
        t = self.table
        inside = np.ones(len(t), bool)
        if start is not None:
            inside &= t.index >= start
        if end is not None:
            inside &= t.index < end
        part = t[inside]
        return CallbackTotals(*(float(part[c].sum()) for c in ("created", "done_in_time", "missed", "open")))

    def waiting_at(self, at: pd.Timestamp) -> float:
        """Callbacks waiting at `at`: created before it, not worked yet, their deadline not passed."""
        before = self.table[self.table.index < at]
        return float(before["waiting"].iloc[-1]) if len(before) else 0.0

    def per_day(self) -> pd.DataFrame:
        """Per day: the callbacks created, done in time, missed and open (as `totals`)."""
        days = self.table.index.normalize()
        frame = self.table.groupby(days)[["created", "done_in_time", "missed", "open"]].sum()
        frame.index.name = "date"
        return frame


def _deadline_positions(index: pd.DatetimeIndex, rules: Rules, interval_minutes: int) -> np.ndarray:
    """For each interval, the position of the last interval whose end is on or before the deadline of the
    callbacks created in it (its own or below when none is; the length of `index` when the deadline is after
    its last interval, so they are still open there rather than missed)."""
    step = pd.Timedelta(minutes=interval_minutes)
    ends = index + step
    hours = rules.callbacks.deadline_hours
    if hours is None:
        deadline = index.normalize() + pd.Timedelta(minutes=rules.close_minute)
    else:
        deadline = ends + pd.Timedelta(hours=hours)
    last = np.searchsorted(ends.to_numpy(), deadline.to_numpy(), side="right") - 1
    return np.where(deadline > ends[-1], len(index), last) if len(index) else last


def callback_work(abandoned: pd.Series, agents: pd.Series, load_erlangs: pd.Series, airing: np.ndarray,
                  rules: Rules, *, interval_minutes: int | None = None, add_agents: bool = False) -> CallbackWork:
    """Callbacks from the `abandoned` calls per interval, worked oldest first in the room `agents` on the
    phones leave above the inbound `load_erlangs` (up to the occupancy cap), never in an `airing` interval,
    before their deadline. With `add_agents`, the work that room cannot hold in time gets `extra_agents`
    (a plan's requirement); without, it is `missed`. Nothing waits before the first interval."""
    index = pd.DatetimeIndex(abandoned.index)
    minutes = interval_minutes or (times.grid_minutes(index) if len(index) > 1 else rules.interval_minutes)
    seconds = minutes * 60.0
    service, rule = rules.service, rules.callbacks
    handle = rule.handle_seconds(service)
    n = len(index)
    lost = np.nan_to_num(abandoned.to_numpy(float), nan=0.0).clip(min=0.0)
    created = lost * rule.share_reached if rule.enabled else np.zeros(n)
    on_phones = np.nan_to_num(np.asarray(agents, float), nan=0.0)
    load = np.nan_to_num(np.asarray(load_erlangs, float), nan=0.0)
    room = np.where(airing, 0.0, np.maximum(on_phones * service.max_occupancy - load, 0.0) * seconds / handle)
    per_agent = service.max_occupancy * seconds / handle  # callbacks one more agent works in an interval
    last = _deadline_positions(index, rules, minutes)
    room_before = np.concatenate([[0.0], np.cumsum(room)])  # room_before[j]: the room of intervals before j
    worked, waiting, extra, done, missed, still_open = (np.zeros(n) for _ in range(6))
    queue: deque[list] = deque()  # [last interval to work it, callbacks left, interval created] oldest first
    for i in range(n):
        free = room[i]
        if add_agents and not airing[i] and queue:
            # Callbacks beyond all the room left before their deadline get agents now, their first chance.
            short, ahead = 0.0, 0.0
            for due, amount, _ in queue:
                ahead += amount
                short = max(short, ahead - free - (room_before[min(due, n - 1) + 1] - room_before[i + 1]))
            # Agents come whole: less than half an agent's work is left to be missed rather than staffed.
            extra[i] = np.floor(short / per_agent + 0.5)
            free += extra[i] * per_agent
        while queue and free > 1e-12 and not airing[i]:
            head = queue[0]
            take = min(head[1], free)
            head[1] -= take
            free -= take
            worked[i] += take
            done[head[2]] += take
            if head[1] <= 1e-12:
                queue.popleft()
        while queue and queue[0][0] <= i:
            _, amount, origin = queue.popleft()
            missed[origin] += amount
        if created[i] > 0:
            if last[i] > i:
                queue.append([int(last[i]), float(created[i]), i])
            else:
                missed[i] += created[i]
        waiting[i] = sum(amount for _, amount, _ in queue)
    for _, amount, origin in queue:
        still_open[origin] += amount
    table = pd.DataFrame({"abandoned": lost, "created": created, "done_in_time": done, "missed": missed,
                          "open": still_open, "room": room, "worked": worked, "waiting": waiting,
                          "extra_agents": extra.astype(np.int64)}, index=index)
    return CallbackWork(table=table, handle_s=handle, deadline_hours=rule.deadline_hours)
