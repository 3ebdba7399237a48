"""The roster reshaped for people to read: who is listed in what order, and the employees × days grid.

A roster is any object with the attributes of `scheduler.roster.solve`'s result (assignments, coverage,
employees, kpis as a scheduler.roster.RosterKpis, unmet, conflicts, status, objective, lower_bound, gap,
seconds); the writers only read it.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from natsort import natsort_keygen, ns

from shiftcast.exports.labels import LEAVE, REST
from core.rules import Rules

PERSON_COLUMNS = ("employee_id", "name", "role", "group", "team")
HOURS_COLUMNS = (
    "shifts_worked", "late_shifts", "rest_days", "weekend_rests", "leave_days", "paid_hours", "overtime_hours",
)
ASSIGNMENT_COLUMNS = ("employee_id", "date", "shift", "lunch_start")
COVERAGE_COLUMNS = ("required", "staffed", "short", "over", "airing")
UNMET_COLUMNS = ("interval_start", "required", "staffed", "missing", "airing", "expected_service_level")
# Listing order inside a group: whoever runs it first.
_ROLE_RANK = {"supervisor": 0, "team_leader": 1, "group_leader": 2, "agent": 3}
# Numbers inside names compare as numbers ('9组' before '10组', 'E9' before 'E10'); case does not matter.
_natural = natsort_keygen(alg=ns.IGNORECASE)


def check_columns(frame: pd.DataFrame, needed, what: str) -> None:
    """A clear error when a roster table lacks a column the writers read (a contract break, not user data)."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"roster.{what} lacks column(s) {', '.join(missing)}; has {', '.join(map(str, frame.columns))}")


def assignments_of(roster: Any) -> pd.DataFrame:
    """The assignments with the contract's columns, dates at midnight, sorted by person and day."""
    a = roster.assignments
    check_columns(a, ASSIGNMENT_COLUMNS, "assignments")
    a = a.loc[:, list(ASSIGNMENT_COLUMNS)].copy()
    a["employee_id"] = a["employee_id"].astype(str)
    a["date"] = pd.to_datetime(a["date"]).dt.normalize()
    a["shift"] = a["shift"].astype(str)
    a["lunch_start"] = a["lunch_start"].astype(object).where(a["lunch_start"].notna(), None)
    return a.sort_values(["employee_id", "date"], kind="stable").reset_index(drop=True)


def people(roster: Any, staff: pd.DataFrame | None = None) -> pd.DataFrame:
    """Everyone on the roster with their details and hours, in listing order (team, group, role, id).

    Within a team, people of no group (its leader) come first; people of no team (the supervisor) head the list.

    Details missing from `roster.employees` are taken from `staff` when given; people with assignments
    but no row anywhere are listed with blank details rather than dropped.
    """
    emp = roster.employees.copy()
    check_columns(emp, ("employee_id",), "employees")
    emp["employee_id"] = emp["employee_id"].astype(str)
    if staff is not None:
        extra = staff.loc[:, [c for c in PERSON_COLUMNS if c in staff.columns]].copy()
        extra["employee_id"] = extra["employee_id"].astype(str)
        emp = emp.merge(extra, on="employee_id", how="left", suffixes=("", "_staff"))
        for col in PERSON_COLUMNS[1:]:
            if f"{col}_staff" in emp:
                emp[col] = emp[col].fillna(emp[f"{col}_staff"]) if col in emp else emp[f"{col}_staff"]
                emp = emp.drop(columns=f"{col}_staff")
    known = set(emp["employee_id"])
    unlisted = sorted(set(roster.assignments["employee_id"].astype(str)) - known)
    if unlisted:
        emp = pd.concat([emp, pd.DataFrame({"employee_id": unlisted})], ignore_index=True)
    for col in PERSON_COLUMNS[1:]:
        if col not in emp:
            emp[col] = None
        # The staff loader reads a blank cell as '' : blank and missing mean the same here.
        values = emp[col].astype(object)
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        emp[col] = values.where(~blank, None)
    for col in HOURS_COLUMNS:
        if col not in emp:
            emp[col] = float("nan")
    return listing_order(emp)


def natural_key(value: object) -> tuple:
    """Sort key of a team, group or id: blank first, then in natural order ('9组' before '10组')."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
        return (0,)
    return (1, _natural(str(value)))


def listing_order(frame: pd.DataFrame) -> pd.DataFrame:
    """People in listing order: team, group, role rank, id; teams, groups and ids in natural order.

    Blank team or group first: the supervisor heads the floor, a team leader their team's groups.
    """
    keys = [(natural_key(team), natural_key(group), _ROLE_RANK.get(role, len(_ROLE_RANK)), natural_key(eid))
            for team, group, role, eid in zip(frame["team"], frame["group"], frame["role"], frame["employee_id"])]
    order = sorted(range(len(frame)), key=keys.__getitem__)
    return frame.iloc[order].reset_index(drop=True)


def is_leader(role: object, rules: Rules) -> bool:
    return role in rules.leader_roles


def shift_grid(assignments: pd.DataFrame, employee_ids, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Employees × days of assignment codes ('' where the roster says nothing)."""
    grid = assignments.pivot_table(index="employee_id", columns="date", values="shift", aggfunc="first")
    return grid.reindex(index=list(employee_ids), columns=days).fillna("")


def plan_days(assignments: pd.DataFrame) -> pd.DatetimeIndex:
    """Every day from the first to the last assignment (a gap day still gets its column)."""
    if assignments.empty:
        return pd.DatetimeIndex([], name="date")
    return pd.date_range(assignments["date"].min(), assignments["date"].max(), freq="D", name="date")


def is_worked(code: str) -> bool:
    return code not in (REST, LEAVE, "")


def requests_by_kind(roster: Any) -> dict[str, tuple[int, list]]:
    """Each kind of request the people made (rest_request, shift_request): how many, and those not granted."""
    refused = list(getattr(roster, "refused_requests", None) or [])
    return {kind: (made, [c for c in refused if getattr(c, "kind", "") == kind])
            for kind, made in (getattr(roster, "requests_made", None) or {}).items() if made}
