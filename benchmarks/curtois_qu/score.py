"""A roster of a Curtois–Qu instance, its objective exactly as the benchmark defines it, the independent
check of the hard constraints, and the roster as CSV (`employee,day,shift`, one row per worked day).

The objective is the sum of the soft penalties: the weight of every shift-on request not granted, of every
shift-off request worked, and, per day and shift, the weight for under times the people short of the
requirement plus the weight for over times the people above it."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.curtois_qu.instance import Instance
from core.errors import DataError

OFF = -1


@dataclass
class Roster:
    """(employees, days) shift index per employee and day of the instance, OFF (-1) for a day off."""

    instance: Instance
    shift: np.ndarray

    def works(self) -> np.ndarray:
        return self.shift != OFF

    def on(self, shift: str) -> np.ndarray:
        return self.shift == self.instance.shift_index[shift]


@dataclass(frozen=True)
class Penalty:
    on_requests: int
    off_requests: int
    cover_under: int
    cover_over: int

    @property
    def total(self) -> int:
        return self.on_requests + self.off_requests + self.cover_under + self.cover_over


def penalty(r: Roster) -> Penalty:
    """The benchmark's objective of the roster, by part."""
    inst = r.instance
    e, s = inst.employee_index, inst.shift_index
    on = sum(q.weight for q in inst.on_requests if r.shift[e[q.employee], q.day] != s[q.shift])
    off = sum(q.weight for q in inst.off_requests if r.shift[e[q.employee], q.day] == s[q.shift])
    under = over = 0
    for c in inst.cover:
        n = int((r.shift[:, c.day] == s[c.shift]).sum())
        under += c.under_weight * max(0, c.requirement - n)
        over += c.over_weight * max(0, n - c.requirement)
    return Penalty(on, off, under, over)


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(first day, length) of each run of True in `row`."""
    runs, start = [], None
    for d, v in enumerate(row):
        if v and start is None:
            start = d
        elif not v and start is not None:
            runs.append((start, d - start))
            start = None
    if start is not None:
        runs.append((start, len(row) - start))
    return runs


def violations(r: Roster) -> list[str]:
    """Every hard constraint the roster breaks, in words naming the employee, day and rule."""
    inst = r.instance
    out = []
    if r.shift.shape != (len(inst.staff), inst.days):
        return [f"roster shape {r.shift.shape} is not {len(inst.staff)} employees × {inst.days} days"]
    works = r.works()
    for i, emp in enumerate(inst.staff):
        row = r.shift[i]
        for d in sorted(emp.days_off):
            if works[i, d]:
                out.append(f"days off: {emp.id} works {inst.shifts[row[d]].id} on day {d}, a day that must be off")
        for d in range(inst.days - 1):
            if works[i, d] and works[i, d + 1] and inst.shifts[row[d + 1]].id in inst.shifts[row[d]].not_followed_by:
                out.append(f"shift rotation: {emp.id} works {inst.shifts[row[d]].id} on day {d} "
                           f"then {inst.shifts[row[d + 1]].id} on day {d + 1}")
        for k, shift in enumerate(inst.shifts):
            n, most = int((row == k).sum()), emp.max_shifts.get(shift.id)
            if most is not None and n > most:
                out.append(f"max shifts: {emp.id} works {shift.id} {n} times, at most {most}")
        minutes = sum(inst.shifts[k].minutes for k in row if k != OFF)
        if minutes > emp.max_minutes:
            out.append(f"max total minutes: {emp.id} works {minutes} minutes, at most {emp.max_minutes}")
        if minutes < emp.min_minutes:
            out.append(f"min total minutes: {emp.id} works {minutes} minutes, at least {emp.min_minutes}")
        for start, length in _runs(works[i]):
            if length > emp.max_consecutive_shifts:
                out.append(f"max consecutive shifts: {emp.id} works {length} days in a row from day {start}, "
                           f"at most {emp.max_consecutive_shifts}")
            inside = start > 0 and start + length < inst.days
            if inside and length < emp.min_consecutive_shifts:
                out.append(f"min consecutive shifts: {emp.id} works {length} day(s) in a row from day {start}, "
                           f"at least {emp.min_consecutive_shifts}")
        for start, length in _runs(~works[i]):
            inside = start > 0 and start + length < inst.days
            if inside and length < emp.min_consecutive_days_off:
                out.append(f"min consecutive days off: {emp.id} has {length} day(s) off in a row from day {start}, "
                           f"at least {emp.min_consecutive_days_off}")
        weekends = sum(works[i, list(days)].any() for days in inst.weekends())
        if weekends > emp.max_weekends:
            out.append(f"max weekends: {emp.id} works {weekends} weekends, at most {emp.max_weekends}")
    return out


def write_roster_csv(r: Roster, path: Path) -> None:
    """The roster as `employee,day,shift`, one row per worked day, day as the 0-based index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["employee", "day", "shift"])
        for i, emp in enumerate(r.instance.staff):
            for d in range(r.instance.days):
                if r.shift[i, d] != OFF:
                    w.writerow([emp.id, d, r.instance.shifts[r.shift[i, d]].id])


def read_roster_csv(inst: Instance, path: Path) -> Roster:
    """A roster CSV of `inst` written by write_roster_csv (or anyone); a DataError naming the row at fault."""
    name = str(path)
    shift = np.full((len(inst.staff), inst.days), OFF, np.int64)
    with path.open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header != ["employee", "day", "shift"]:
            raise DataError(name, f"the header must be employee,day,shift, got {','.join(header or [])!r}", row=1)
        for n, row in enumerate(rows, start=2):
            if len(row) != 3:
                raise DataError(name, f"expected 3 fields, got {len(row)}", row=n)
            emp, day, sid = row
            if emp not in inst.employee_index:
                raise DataError(name, f"unknown employee {emp!r}", row=n, column="employee")
            if not day.isdigit() or int(day) >= inst.days:
                raise DataError(name, f"day must be 0 to {inst.days - 1}, got {day!r}", row=n, column="day")
            if sid not in inst.shift_index:
                raise DataError(name, f"unknown shift {sid!r}", row=n, column="shift")
            e, d = inst.employee_index[emp], int(day)
            if shift[e, d] != OFF:
                raise DataError(name, f"{emp} has a second shift on day {d} (one shift a day at most)", row=n)
            shift[e, d] = inst.shift_index[sid]
    return Roster(inst, shift)
