"""The roster document the API serves and stores (RosterOut), and a stored one read back into a Roster.

Compact on purpose: a row per employee with one character per day (`codes` says which shift each stands
for) and lunch starts as positions in `times`, coverage as days × times grids, the short intervals as one
table. A 300-agent month is 0.16 MB, against 0.38 MB with one object per interval and a list of codes and
times per employee; every client of the API's most-read document unzips and parses less (~0.2 ms against
~0.55 ms). Short and over are not sent: they are max(required − staffed, 0) and max(staffed − required, 0).
`shifts` carries each code's marks, names, hours and colour from the rules the roster was solved with, so a
reader (the roster page) draws this roster's own shifts.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from api.json_values import json_scalar, scalars, table
from core.periods import month_days
from core.rules import Rules
from scheduler.conflicts import Conflict, RefusedRequest
from scheduler.quiet_days import QuietDay
from scheduler.roster_diff import RosterDiff
from scheduler.roster_kpis import RosterKpis
from scheduler.roster_problem import LEAVE, REST
from shiftcast.exports.roster_frames import listing_order
from shiftcast.steps import Roster

# A roster row reads like the printed grid: a one-letter code stands for itself, rest and leave for - and +.
_PREFERRED_SYMBOLS = {REST: "-", LEAVE: "+"}
_SPARE_SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*#=!?%&@$^~_<>"
PERSON_COLUMNS = ("name", "role", "group", "team")


def roster_document(roster: Roster, month: str, staff: pd.DataFrame, rules: Rules) -> dict:
    """A Roster as the API's month grid (RosterOut without id and job_id)."""
    days = [d.strftime("%Y-%m-%d") for d in month_days(month)]
    a = roster.assignments.copy()
    a["day"] = pd.to_datetime(a["date"]).dt.strftime("%Y-%m-%d")
    shifts = a.pivot(index="employee_id", columns="day", values="shift").reindex(columns=days)
    lunches = a.pivot(index="employee_id", columns="day", values="lunch_start").reindex(columns=days)
    totals = roster.employees
    totals = totals.set_index("employee_id") if "employee_id" in totals else totals
    totals_of = {str(k): {c: json_scalar(v) for c, v in row.items() if c not in PERSON_COLUMNS}
                 for k, row in totals.to_dict("index").items()}
    cov = roster.coverage
    starts = pd.DatetimeIndex(cov.index)
    times = sorted(set(starts.strftime("%H:%M")))
    position = {t: j for j, t in enumerate(times)}
    cells = shifts.map(lambda x: str(x) if json_scalar(x) is not None else REST)
    symbol = shift_symbols(sorted(set(cells.to_numpy().ravel().tolist()) | {REST}))
    employees = []
    # the printed grid's order, so the page's group bands come once each and 9组 before 10组
    for person in listing_order(staff).itertuples(index=False):
        eid = person.employee_id
        known = eid in shifts.index
        employees.append({
            "employee_id": eid, "name": person.name, "role": person.role, "group": person.group, "team": person.team,
            "shifts": "".join(symbol[c] for c in cells.loc[eid]) if known else symbol[REST] * len(days),
            "lunches": [_lunch_position(v, position) for v in lunches.loc[eid]] if known else [None] * len(days),
            "totals": totals_of.get(eid, {}),
        })
    airing = cov["airing"].to_numpy(bool) if "airing" in cov else np.zeros(len(cov), bool)
    unmet = roster.unmet.copy()
    if "interval_start" in unmet:
        unmet["interval_start"] = pd.DatetimeIndex(unmet["interval_start"]).strftime("%Y-%m-%dT%H:%M")
    return {
        "month": month,
        "status": str(roster.status),
        "objective": json_scalar(roster.objective),
        "lower_bound": json_scalar(roster.lower_bound),
        "gap": json_scalar(roster.gap),
        "seconds": json_scalar(roster.seconds),
        "kpis": scalars(roster.kpis.as_table()),
        "days": days,
        "times": times,
        "codes": {s: c for c, s in symbol.items()},
        "shifts": shift_legend(rules),
        "leader_roles": list(rules.leader_roles),
        "employees": employees,
        "coverage": day_grids(starts, {"required": cov["required"].to_numpy(float),
                                       "staffed": cov["staffed"].to_numpy(float), "airing": airing}, days, times),
        "unmet": table(unmet),
        "conflicts": [scalars(vars(c)) for c in roster.conflicts],
        # requests not granted are soft goals, apart from the conflicts
        "requests_made": {k: int(v) for k, v in (getattr(roster, "requests_made", None) or {}).items()},
        "refused_requests": [scalars(vars(c)) for c in getattr(roster, "refused_requests", None) or []],
        "quiet_days": [{"date": q.date.isoformat(), "rostered": q.rostered, "needed": q.needed}
                       for q in getattr(roster, "quiet_days", None) or []],
        "diff": roster.diff.to_dict() if getattr(roster, "diff", None) is not None else None,
        "notes": list(getattr(roster, "notes", None) or []),
    }


def shift_legend(rules: Rules) -> dict[str, dict]:
    """Each assignment code the rules allow (rest and leave too): grid marks, names, colour, and hours of a shift,
    as the workbook shows them (one source for both)."""
    from shiftcast.exports import labels as L
    from shiftcast.exports.workbook import assignment_fills

    legend = {}
    for code, colour in assignment_fills(rules).items():
        worked = code in rules.shift_codes
        shift = rules.shift(code) if worked else None
        legend[code] = {"zh": L.shift_mark(code, rules, "zh"), "en": L.shift_mark(code, rules, "en"),
                        "name_zh": L.shift_name(code, rules, "zh"), "name_en": L.shift_name(code, rules, "en"),
                        "colour": colour, "worked": worked,
                        "start": shift.start if shift else None, "end": shift.end if shift else None}
    return legend


def shift_symbols(codes: list[str]) -> dict[str, str]:
    """One character per shift code, distinct: the code itself when it is one character, else a spare one."""
    out: dict[str, str] = {}
    wanted = {c: _PREFERRED_SYMBOLS.get(c, c if len(c) == 1 else None) for c in codes}
    for code in codes:  # the codes' own characters first, so a spare never takes one a code needs
        if wanted[code] is not None and wanted[code] not in out.values():
            out[code] = wanted[code]
    spare = (ch for ch in _SPARE_SYMBOLS if ch not in out.values())
    for code in codes:
        if code not in out:
            out[code] = next(spare)
    return out


def hhmm(value: Any) -> str | None:
    """A lunch start (a time, a timestamp or its text) as HH:MM; None without one."""
    if json_scalar(value) is None:
        return None
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    text = str(value)
    return text[11:16] if len(text) >= 16 and text[10] in " T" else text[:5]


def _lunch_position(value: Any, position: dict[str, int]) -> int | None:
    text = hhmm(value)
    if text is None:
        return None
    if text not in position:  # lunches are planned on the interval grid: anything else is a bug upstream
        raise ValueError(f"lunch start {text} is not an interval start of the roster")
    return position[text]


def roster_shifts(doc: dict, employee: dict) -> list[str]:
    """An employee's shift code per day, read from a roster document."""
    return [doc["codes"][ch] for ch in employee["shifts"]]


def roster_lunches(doc: dict, employee: dict) -> list[str | None]:
    """An employee's lunch start (HH:MM) per day, None without one, read from a roster document."""
    return [None if j is None else doc["times"][j] for j in employee["lunches"]]


def day_grids(starts: pd.DatetimeIndex, columns: dict[str, np.ndarray], days: list[str], times: list[str]) -> dict[str, list[list]]:
    """Each column's values per interval as one row per day of `days`, one cell per time of `times` (None
    where there is no interval); the intervals' places in the grid are found once for all columns."""
    row_of, col_of = {d: i for i, d in enumerate(days)}, {t: j for j, t in enumerate(times)}
    day_of, time_of = starts.strftime("%Y-%m-%d"), starts.strftime("%H:%M")
    kept = np.array([day in row_of for day in day_of], bool)
    places = [(row_of[day], col_of[time]) for day, time in zip(day_of[kept], time_of[kept])]
    grids = {}
    for name, values in columns.items():
        grid: list[list] = [[None] * len(times) for _ in days]
        for (i, j), value in zip(places, np.asarray(values)[kept].tolist()):
            grid[i][j] = value
        grids[name] = grid
    return grids


def grid_intervals(days: list[str], times: list[str], grids: dict[str, list[list]]) -> pd.DataFrame:
    """The inverse of day_grids: one row per filled cell, indexed by interval_start."""
    starts, columns = [], {name: [] for name in grids}
    for i, day in enumerate(days):
        for j, time in enumerate(times):
            if all(grids[name][i][j] is None for name in grids):
                continue
            starts.append(f"{day}T{time}")
            for name in grids:
                columns[name].append(grids[name][i][j])
    return pd.DataFrame(columns, index=pd.DatetimeIndex(pd.to_datetime(starts), name="interval_start"))


def stored_roster(doc: dict) -> Roster:
    """The inverse of roster_document: the Roster the exports read, from its stored document."""
    days = pd.to_datetime(pd.Series(doc["days"]))
    n = len(days)
    people = doc["employees"]
    assignments = pd.DataFrame({
        "employee_id": np.repeat([e["employee_id"] for e in people], n),
        "date": np.tile(days.to_numpy(), len(people)),
        "shift": [s for e in people for s in roster_shifts(doc, e)],
        "lunch_start": [x for e in people for x in roster_lunches(doc, e)],
    })
    coverage = grid_intervals(doc["days"], doc["times"], doc["coverage"])
    coverage["airing"] = coverage["airing"].astype(bool)
    gap = coverage["required"] - coverage["staffed"]
    coverage["short"], coverage["over"] = gap.clip(lower=0), (-gap).clip(lower=0)
    coverage = coverage[["required", "staffed", "short", "over", "airing"]]
    employees = pd.DataFrame([{"employee_id": e["employee_id"], "name": e["name"], "role": e["role"],
                               "group": e["group"], "team": e["team"], **e["totals"]} for e in people])
    unmet = pd.DataFrame(doc["unmet"]["rows"], columns=doc["unmet"]["columns"])
    if "interval_start" in unmet:
        unmet["interval_start"] = pd.to_datetime(unmet["interval_start"])
    conflicts = [Conflict(rule=c["rule"], date=c.get("date"), employees=tuple(c.get("employees") or ()),
                          message=c["message"]) for c in doc["conflicts"]]
    refused = [RefusedRequest(rule=c["rule"], date=c.get("date"), employees=tuple(c.get("employees") or ()),
                              message=c["message"], kind=c.get("kind", ""), asked=c.get("asked", ""),
                              reason=c.get("reason", "")) for c in doc.get("refused_requests") or []]
    return Roster(assignments=assignments, coverage=coverage, employees=employees,
                  kpis=RosterKpis.from_table(doc["kpis"]), status=doc["status"], objective=doc["objective"],
                  lower_bound=doc["lower_bound"], gap=doc["gap"], seconds=doc["seconds"], unmet=unmet,
                  conflicts=conflicts, refused_requests=refused, requests_made=dict(doc.get("requests_made") or {}),
                  quiet_days=[QuietDay(dt.date.fromisoformat(q["date"]), int(q["rostered"]), int(q["needed"]))
                              for q in doc.get("quiet_days") or []],
                  diff=RosterDiff.from_dict(doc["diff"]) if doc.get("diff") else None,
                  notes=list(doc.get("notes") or []))
