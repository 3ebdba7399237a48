"""A roster table and the user's tables it is checked against, read once for every rule's check.

Read from the tables alone, none of scheduler.roster_problem's arrays: the checks stay independent of
the solver (only which roles are off the phones is shared).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from core.rules import Contract, Rules, ShiftTemplate
from scheduler.roster_problem import OFF_PHONE_ROLES


@dataclass
class RosterTable:
    """A roster table and the user's tables it is checked against, read once for every rule's check."""

    rules: Rules
    staff: pd.DataFrame
    assignments: pd.DataFrame  # employee_id, date (midnight), shift, lunch_start
    ads: pd.DataFrame | None
    ids: list[str]
    days: pd.DatetimeIndex
    table: pd.DataFrame  # employees × days: shift code, OFF or LEAVE (NaN where no row)
    codes: dict[str, ShiftTemplate]
    on_leave: set[tuple[str, pd.Timestamp]]  # approved leave
    previous_month: dict[str, dict[pd.Timestamp, str]]  # per person, the previous month's codes before the horizon
    on_phone: set[str]
    shift_cover: pd.DataFrame | None  # the dated shift cover: date, shift, wanted, under_weight, over_weight
    contracts: dict[str, Contract]  # per person with a contract (the staff's `contract` column)

    OFF = "OFF"
    LEAVE = "LEAVE"
    one_day = pd.Timedelta(days=1)

    def bound(self, emp: str, key: str):
        """A person rule's bound for `emp`: their contract's when it sets `key`, else the global rule's (None
        for a key only contracts have)."""
        contract = self.contracts.get(emp)
        own = getattr(contract, key) if contract is not None else None
        return own if own is not None else getattr(self.rules, key, None)

    def lunches(self) -> Iterator[tuple[str, pd.Timestamp, str, str | None]]:
        """(employee, day, shift code, lunch start or None) of every worked shift with a lunch."""
        a = self.assignments
        for emp, day, code, lunch in a[["employee_id", "date", "shift", "lunch_start"]].itertuples(index=False):
            if code not in self.codes or self.codes[code].unpaid_break_minutes <= 0:
                continue
            missing = lunch is None or (isinstance(lunch, float) and math.isnan(lunch)) or lunch == ""
            yield emp, day, code, None if missing else lunch


def roster_table(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules, leave: pd.DataFrame | None = None,
                 ads: pd.DataFrame | None = None, previous_month: pd.DataFrame | None = None,
                 shift_cover: pd.DataFrame | None = None) -> RosterTable:
    a = assignments.copy()
    a["date"] = pd.to_datetime(a["date"]).dt.normalize()
    days = pd.date_range(a["date"].min(), a["date"].max(), freq="D")
    ids = list(staff["employee_id"])
    grid = a.drop_duplicates(["employee_id", "date"]).set_index(["employee_id", "date"])["shift"]
    on_leave = set()
    if leave is not None and len(leave):
        lv = leave[leave["kind"] == "leave"]
        on_leave = {(e, pd.Timestamp(d).normalize()) for e, d in zip(lv["employee_id"], lv["date"])}
    before: dict[str, dict[pd.Timestamp, str]] = {e: {} for e in ids}
    if previous_month is not None and len(previous_month):
        pv = previous_month.copy()
        pv["date"] = pd.to_datetime(pv["date"]).dt.normalize()
        for emp, day, code in pv[pv["date"] < days[0]][["employee_id", "date", "shift"]].itertuples(index=False):
            if emp in before:
                before[emp][day] = code
    return RosterTable(
        rules=rules, staff=staff, assignments=a, ads=ads if ads is not None and len(ads) else None, ids=ids,
        days=days, table=grid.unstack("date").reindex(index=ids, columns=days),
        codes={s.code: s for s in rules.shifts}, on_leave=on_leave, previous_month=before,
        on_phone=set(staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"]),
        shift_cover=shift_cover if shift_cover is not None and len(shift_cover) else None,
        contracts=contracts_of(staff, rules),
    )


def contracts_of(staff: pd.DataFrame, rules: Rules) -> dict[str, Contract]:
    """Employee -> contract, for the staff whose `contract` column names one."""
    if "contract" not in staff:
        return {}
    named = {c.name: c for c in rules.contracts}
    return {e: named[c] for e, c in zip(staff["employee_id"], staff["contract"]) if c in named}


