"""What a re-planned roster changes against the roster it re-plans: who, which days, from what to what, in
words a supervisor reads before publishing (and a service shows to the people affected)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from core.words import counted


@dataclass(frozen=True)
class DayChange:
    """One person's day that changes: `before` and `after` are shift codes, OFF or LEAVE ('' when absent)."""

    employee_id: str
    date: str  # ISO date
    before: str
    after: str


@dataclass(frozen=True)
class RosterDiff:
    """The days a re-plan changes, person by person in date order; `from_day` is the first day re-planned
    (ISO; None when the whole month was), before which nothing changes."""

    from_day: str | None
    changes: tuple[DayChange, ...]

    @property
    def people(self) -> list[str]:
        """The people whose days change, in the order of the roster."""
        return list(dict.fromkeys(c.employee_id for c in self.changes))

    def of(self, employee_id: str) -> list[DayChange]:
        return [c for c in self.changes if c.employee_id == employee_id]

    @property
    def summary(self) -> str:
        """'3 people's days change (5 days in all), from 2026-12-15 on' or 'no day changes'."""
        since = f", from {self.from_day} on" if self.from_day else ""
        if not self.changes:
            return f"no day changes{since}"
        people = counted(len(self.people), "person's days change", "people's days change")
        return f"{people} ({counted(len(self.changes), 'day')} in all){since}"

    def lines(self) -> list[str]:
        """The summary, then one line per person: 'E005: 2026-12-18 E → OFF, 2026-12-20 OFF → L'."""
        out = [f"changes: {self.summary}"]
        for e in self.people:
            out.append(f"  {e}: " + ", ".join(f"{c.date} {c.before or '—'} → {c.after or '—'}" for c in self.of(e)))
        return out

    def to_dict(self) -> dict:
        return {"from_day": self.from_day, "summary": self.summary, "people": self.people,
                "changes": [asdict(c) for c in self.changes]}

    @classmethod
    def from_dict(cls, doc: dict) -> "RosterDiff":
        return cls(doc.get("from_day"), tuple(DayChange(**c) for c in doc.get("changes") or []))


def day_codes(assignments: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(employee_id, ISO date) -> the day's shift code, OFF or LEAVE, of a roster's assignments."""
    days = pd.to_datetime(assignments["date"]).dt.strftime("%Y-%m-%d")
    return {(str(e), d): str(s) for e, d, s in zip(assignments["employee_id"], days, assignments["shift"])}


def roster_diff(before: pd.DataFrame, after: pd.DataFrame, from_day: dt.date | str | None = None) -> RosterDiff:
    """The days whose shift (or rest, or leave) differs between two rosters' assignments (employee_id, date,
    shift), a day one of them lacks counting as changed; people in the order `after` lists them."""
    old, new = day_codes(before), day_codes(after)
    order = {e: i for i, e in enumerate(dict.fromkeys([*map(str, after["employee_id"]), *map(str, before["employee_id"])]))}
    keys = sorted(set(old) | set(new), key=lambda k: (order[k[0]], k[1]))
    changes = tuple(DayChange(e, d, old.get((e, d), ""), new.get((e, d), ""))
                    for e, d in keys if old.get((e, d), "") != new.get((e, d), ""))
    day = None if from_day is None else pd.Timestamp(from_day).date().isoformat()
    return RosterDiff(day, changes)
