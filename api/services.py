"""Every pipeline call the API makes, in one place, so the views stay thin.

Datasets are stored as canonical CSV (tables) or TOML (rules) and re-read with the project's loaders, so
an upload is validated by exactly the code that reads it later, with the same messages.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from forecasting import data as forecast_data
from scheduler import data as schedule_data
from scheduler.roster_problem import LEAVE, REST
from core.errors import DataError
from core.periods import month_intervals
from core.rules import DEFAULT_RULES, Rules, rules_from_dict, rules_to_toml

TABLE_COLUMNS = {
    "calls": (forecast_data.CALLS_COLUMNS, forecast_data.CALLS_OPTIONAL),
    "ads": (forecast_data.ADS_COLUMNS, forecast_data.ADS_OPTIONAL),
    "staff": (schedule_data.STAFF_COLUMNS, schedule_data.STAFF_OPTIONAL),
    "leave": (schedule_data.LEAVE_COLUMNS, schedule_data.LEAVE_OPTIONAL),
}


class PipelineError(RuntimeError):
    """A pipeline step could not give an answer; its message is for the user."""


# ---------------------------------------------------------------- datasets

def rows_to_csv(rows: list[dict[str, Any]]) -> bytes:
    """JSON rows -> CSV bytes for the loaders: columns in order of first appearance, null as empty."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rules_from_dict_checked(table: dict, source: str = "rules") -> Rules:
    """Rules from a JSON object: the same checks as a TOML file."""
    try:
        return rules_from_dict(table, source=source)
    except DataError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # The rules parser expects TOML's shapes; JSON can send anything (a number where a table goes).
        raise DataError(source, f"is not a valid rules table ({type(exc).__name__}: {exc})") from None


def canonical_rules(rules: Rules) -> bytes:
    return rules_to_toml(rules).encode("utf-8")


def read_table(kind: str, content: bytes, source: str, *, staff: pd.DataFrame | None = None,
               rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """Validate and type a table upload with its loader (a DataError names file, row and column)."""
    try:
        return _loaded(kind, content, source, staff, rules)
    except csv.Error as exc:
        # pandas' C parser lets the csv module's errors through (e.g. a lone carriage return).
        raise DataError(source, f"is not a valid CSV table: {exc}") from None


def _loaded(kind: str, content: bytes, source: str, staff: pd.DataFrame | None, rules: Rules) -> pd.DataFrame:
    if kind == "calls":
        return forecast_data.load_calls(content, source=source)
    if kind == "ads":
        return forecast_data.load_ads(content, source=source)
    if kind == "staff":
        return schedule_data.load_staff(content, rules, source=source)
    if kind == "leave":
        if staff is None:
            raise DataError(source, "leave needs the staff it refers to (staff_id)")
        return schedule_data.load_leave(content, staff, rules, source=source)
    raise ValueError(kind)


def table_summary(kind: str, frame: pd.DataFrame) -> dict:
    """A few facts shown with a dataset: its span, grid, head counts."""
    if kind == "calls":
        idx = frame.index
        return {"first": idx[0].isoformat(), "last": idx[-1].isoformat(),
                "interval_minutes": int(frame.attrs.get("interval_minutes", 15)),
                "calls": int(frame["calls"].sum()), "has_aht": "aht_s" in frame}
    if kind == "ads":
        return {"first": frame["start"].min().isoformat(), "last": frame["start"].max().isoformat(),
                "airings": len(frame), "channels": int(frame["channel"].nunique())}
    if kind == "staff":
        return {"employees": len(frame), **{f"role_{k}": int(v) for k, v in frame["role"].value_counts().items()}}
    if kind == "leave":
        return {"first": frame["date"].min().isoformat(), "last": frame["date"].max().isoformat(),
                **{f"kind_{k}": int(v) for k, v in frame["kind"].value_counts().items()}}
    return {}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# ---------------------------------------------------------------- forecast and staffing

def forecast_month(calls: pd.DataFrame, month: str, rules: Rules, ads_history: pd.DataFrame | None,
                   ads_plan: pd.DataFrame | None) -> pd.DataFrame:
    """Calls per open interval of `month`: columns mean, lower, upper."""
    from forecasting import CallVolumeForecaster
    index = month_intervals(month, rules)
    model = CallVolumeForecaster(rules=rules).fit(calls, ads_history)
    predicted = model.predict(index, ads_plan)
    return predicted.loc[:, ["mean", "lower", "upper"]].astype(float)


def history_aht(calls: pd.DataFrame, rules: Rules, days: int = 28) -> float:
    """Call-weighted average handle time over the last `days` of history; the rules' default without one."""
    if "aht_s" not in calls:
        return float(rules.service.aht_s)
    recent = calls[calls.index >= calls.index[-1] - pd.Timedelta(days=days)]
    ok = recent["aht_s"].notna() & (recent["calls"] > 0)
    if not ok.any():
        return float(rules.service.aht_s)
    return float(np.average(recent.loc[ok, "aht_s"], weights=recent.loc[ok, "calls"]))


def staffing_requirements(calls: pd.Series, aht_s: float, rules: Rules) -> pd.DataFrame:
    from scheduler import staffing
    return staffing.requirements(calls, aht_s, rules.service, rules.interval_minutes)


# ---------------------------------------------------------------- roster

def solve_roster(requirement: pd.Series, staff: pd.DataFrame, rules: Rules, *, leave=None, ads=None,
                 previous=None, time_limit_s: float, progress: Callable | None = None, stop=None):
    from scheduler import roster
    try:
        return roster.solve(requirement, staff, rules, leave=leave, ads=ads, previous=previous,
                            time_limit_s=time_limit_s, progress=progress, stop=stop)
    except RuntimeError as exc:  # the solver's own words, e.g. "… raise the time limit"
        raise PipelineError(f"the roster solver found no roster: {exc}") from None


def json_scalar(value: Any) -> Any:
    """A table cell as JSON writes it: NumPy scalars as Python ones, NaN/NaT/NA as null, times as ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def records(obj: Any) -> list[dict]:
    """A DataFrame, a list of dicts/strings/dataclasses, or None -> a list of flat JSON dicts."""
    if obj is None:
        return []
    if isinstance(obj, pd.DataFrame):
        idx = obj.index
        default = isinstance(idx, pd.RangeIndex) and idx.name is None and idx.start == 0 and idx.step == 1
        frame = obj if default else obj.reset_index()  # a named index (pandas 3 may make it a range) is data
        return [{str(k): json_scalar(v) for k, v in row.items()} for row in frame.to_dict("records")]
    out = []
    for item in obj:
        if isinstance(item, dict):
            out.append({str(k): json_scalar(v) for k, v in item.items()})
        elif hasattr(item, "__dataclass_fields__"):
            out.append({k: json_scalar(getattr(item, k)) for k in item.__dataclass_fields__})
        else:
            out.append({"detail": str(item)})
    return out


def flat(mapping: Any) -> dict:
    if mapping is None:
        return {}
    if hasattr(mapping, "__dataclass_fields__"):
        mapping = {k: getattr(mapping, k) for k in mapping.__dataclass_fields__}
    return {str(k): json_scalar(v) for k, v in dict(mapping).items()}


def _hhmm(value: Any) -> str | None:
    if json_scalar(value) is None:
        return None
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    text = str(value)
    return text[11:16] if len(text) >= 16 and text[10] in " T" else text[:5]


def conflict_records(conflicts: Any) -> list[dict]:
    """Conflicts (objects with to_dict, dicts or texts) as flat dicts; lists of names stay lists."""
    out = []
    for c in conflicts or []:
        raw = c.to_dict() if hasattr(c, "to_dict") else c if isinstance(c, dict) else {"message": str(c)}
        out.append({str(k): [str(x) for x in v] if isinstance(v, (list, tuple)) else json_scalar(v) for k, v in raw.items()})
    return out


def roster_document(roster: Any, month: str, staff: pd.DataFrame) -> dict:
    """A Roster as the API's month grid (RosterOut without id and job_id): a row per employee with one
    character per day (`codes` says which shift each stands for) and lunch starts as positions in
    `times`, coverage as days × times grids, the short intervals as one table, KPIs.

    Compact on purpose: a 300-agent month is 0.16 MB, against 0.38 MB with one object per interval and
    a list of codes and times per employee; every client of the API's most-read document unzips and
    parses less (~0.2 ms against ~0.55 ms). Short and over are not sent: they are max(required − staffed, 0)
    and max(staffed − required, 0)."""
    from core.periods import month_days

    days = [d.strftime("%Y-%m-%d") for d in month_days(month)]
    a = roster.assignments.copy()
    a["day"] = pd.to_datetime(a["date"]).dt.strftime("%Y-%m-%d")
    shifts = a.pivot(index="employee_id", columns="day", values="shift").reindex(columns=days)
    lunches = a.pivot(index="employee_id", columns="day", values="lunch_start").reindex(columns=days)
    totals = roster.employees
    totals = totals.set_index("employee_id") if "employee_id" in totals else totals
    person_columns = ("name", "role", "group", "team")
    totals_of = {str(k): {c: json_scalar(v) for c, v in row.items() if c not in person_columns}
                 for k, row in totals.to_dict("index").items()}
    cov = roster.coverage
    starts = pd.DatetimeIndex(cov.index)
    times = sorted(set(starts.strftime("%H:%M")))
    position = {t: j for j, t in enumerate(times)}
    cells = shifts.map(lambda x: str(x) if json_scalar(x) is not None else REST)
    symbol = shift_symbols(sorted(set(cells.to_numpy().ravel().tolist()) | {REST}))
    employees = []
    for person in staff.itertuples(index=False):
        eid = person.employee_id
        known = eid in shifts.index
        employees.append({
            "employee_id": eid, "name": person.name, "role": person.role, "group": person.group, "team": person.team,
            "shifts": "".join(symbol[c] for c in cells.loc[eid]) if known else symbol[REST] * len(days),
            "lunches": [_lunch_position(v, position) for v in lunches.loc[eid]] if known else [None] * len(days),
            "totals": totals_of.get(eid, {}),
        })
    airing = cov["airing"].to_numpy(bool) if "airing" in cov else np.zeros(len(cov), bool)
    unmet = roster.unmet.copy() if roster.unmet is not None else pd.DataFrame()
    if "interval_start" in unmet:
        unmet["interval_start"] = pd.DatetimeIndex(unmet["interval_start"]).strftime("%Y-%m-%dT%H:%M")
    return {
        "month": month,
        "status": str(roster.status),
        "objective": json_scalar(roster.objective),
        "lower_bound": json_scalar(roster.lower_bound),
        "gap": json_scalar(roster.gap),
        "seconds": json_scalar(roster.seconds),
        "kpis": flat(roster.kpis),
        "days": days,
        "times": times,
        "codes": {s: c for c, s in symbol.items()},
        "employees": employees,
        "coverage": day_grids(starts, {"required": cov["required"].to_numpy(float),
                                       "staffed": cov["staffed"].to_numpy(float), "airing": airing}, days, times),
        "unmet": table(unmet),
        "conflicts": conflict_records(roster.conflicts),
    }


# A roster row reads like the printed grid: a one-letter code stands for itself, rest and leave for - and +.
_PREFERRED_SYMBOLS = {REST: "-", LEAVE: "+"}
_SPARE_SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*#=!?%&@$^~_<>"


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


def _lunch_position(value: Any, position: dict[str, int]) -> int | None:
    text = _hhmm(value)
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


def table(frame: pd.DataFrame) -> dict:
    """A DataFrame as {"columns": [...], "rows": [[...], ...]}: names once, not once per row."""
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[json_scalar(v) for v in row] for row in frame.itertuples(index=False, name=None)]}


@dataclass
class StoredRoster:
    """A roster read back from its stored document, with the attributes the exports read."""

    assignments: pd.DataFrame
    coverage: pd.DataFrame
    employees: pd.DataFrame
    kpis: dict
    unmet: pd.DataFrame
    conflicts: list
    status: str
    objective: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float | None


def stored_roster(doc: dict) -> StoredRoster:
    """The inverse of roster_document."""
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
    return StoredRoster(assignments, coverage, employees, doc["kpis"], unmet, doc["conflicts"], doc["status"],
                        doc["objective"], doc["lower_bound"], doc["gap"], doc["seconds"])


# ---------------------------------------------------------------- headcount and hiring

def required_headcount(requirement: pd.DataFrame, rules: Rules, *, staff=None, leave=None, ads=None,
                       time_limit_s: float | None = None, max_solves: int | None = None, progress=None,
                       stop=None) -> dict:
    """The smallest headcount meeting the target, as JSON: headline numbers and the curve behind them."""
    from scheduler import headcount
    options = {k: v for k, v in (("time_limit_s", time_limit_s), ("max_solves", max_solves)) if v is not None}
    result = headcount.required_headcount(requirement, rules, staff, leave=leave, ads=ads, progress=progress,
                                          stop=stop, **options)
    return {**{k: [str(x) for x in v] if isinstance(v, list) else json_scalar(v) for k, v in result.summary().items()},
            "curve": records(result.curve)}


def hiring_plan(request: dict) -> dict:
    """A hiring plan as JSON: the month table, the training cohorts and the assumptions used."""
    from scheduler import hiring
    args = {k: v for k, v in request.items() if v is not None}
    monthly = args.pop("monthly_requirements")
    current = args.pop("current_staff")
    plan = hiring.hiring_plan(monthly, current, **args)
    table = plan.table.copy()
    table.index = table.index.astype(str)
    return {"table": records(table.rename_axis("month")), "cohorts": records(plan.cohorts),
            "assumptions": json.loads(json.dumps(plan.assumptions, default=str)),
            "total_hires": plan.total_hires}


# ---------------------------------------------------------------- exports

DEFAULT_EXPORT_LANG = "zh"  # the exports' own default: Chinese labels with English alongside
EXPORT_FORMATS = {  # format -> (media type, file suffix)
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv", "csv"),
    "ics": ("application/zip", "ics.zip"),
}


def roster_export(roster: Any, fmt: str, rules: Rules, lang: str, staff: pd.DataFrame | None = None) -> bytes:
    """The roster as a printable workbook, the roster CSV, or a zip of per-employee calendars."""
    from shiftcast.exports import calendar, tables as export_tables, workbook
    if fmt == "xlsx":
        return workbook.roster_workbook(roster, rules, staff, lang=lang)
    if fmt == "csv":
        return export_tables.roster_csv(roster)
    if fmt == "ics":
        return calendar.calendars_zip(roster, rules, staff, lang=lang)
    raise ValueError(fmt)
