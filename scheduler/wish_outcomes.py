"""Each wish of the leave table against a solved roster: granted or not, and what made it lose; the list a
request service shows the people who asked (the roster lists only those not granted, Roster.refused_requests)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scheduler.roster import Roster
from scheduler.roster_diff import day_codes
from scheduler.roster_problem import LEAVE

WISH_KINDS = ("rest_request", "work_request", "shift_request", "shift_refusal")


@dataclass(frozen=True)
class WishOutcome:
    employee_id: str
    date: str  # ISO date
    kind: str  # the leave table's kind
    asked: str  # 'rest', 'work', the shift code, or 'not' and the shift refused
    granted: bool
    reason: str  # what made it lose; '' when granted


def _asked(kind: str, shift: object) -> str:
    return {"rest_request": "rest", "work_request": "work", "shift_request": str(shift),
            "shift_refusal": f"not {shift}"}[kind]


def wish_outcomes(leave: pd.DataFrame | None, roster: Roster) -> list[WishOutcome]:
    """The wishes of `leave` (employee_id, date, kind, shift) on the roster's days, in the table's order; those on
    a day the person is on leave are left out, as the roster's counts leave them out (Roster.requests_made)."""
    if leave is None or not len(leave):
        return []
    shift_of = day_codes(roster.assignments)
    why = {(c.employees[0], c.date, c.kind): c.reason for c in roster.refused_requests if c.employees}
    out = []
    days = pd.to_datetime(leave["date"]).dt.strftime("%Y-%m-%d")
    for e, day, kind, shift in zip(leave["employee_id"].astype(str), days, leave["kind"], leave["shift"]):
        if kind not in WISH_KINDS or shift_of.get((e, day), LEAVE) == LEAVE:
            continue
        reason = why.get((e, day, kind))
        out.append(WishOutcome(e, day, kind, _asked(kind, shift), reason is None, reason or ""))
    return out
