"""Loaders for what the roster reads: the staff list, approved leave and the dated shift cover."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from core import tables
from core.errors import DataError
from core.rules import DEFAULT_RULES, ROLE_NAMES, ROLES, Rules

STAFF_COLUMNS = ("employee_id", "name", "role", "group", "team")
STAFF_OPTIONAL = ("shifts", "preferred_rest_weekday", "contract")
LEAVE_COLUMNS = ("employee_id", "date", "kind")
LEAVE_OPTIONAL = ("shift", "weight")
# leave is fixed; the others are wishes: a rest day wished (rest_request) or refused (work_request: "I want to
# work that day"), a shift wished (shift_request) or refused (shift_refusal), each naming its shift
LEAVE_KINDS = ("leave", "rest_request", "work_request", "shift_request", "shift_refusal")
SHIFT_KINDS = ("shift_request", "shift_refusal")
SHIFT_COVER_COLUMNS = ("date", "shift", "wanted")
SHIFT_COVER_OPTIONAL = ("under_weight", "over_weight")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("周一", "周二", "周三", "周四", "周五", "周六", "周日"))},
    **{name: i for i, name in enumerate(("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"))},
    "周天": 6,
    "星期天": 6,
    **{str(i + 1): i for i in range(7)},  # ISO weekday numbers, 1 = Monday
}

Source = str | Path | BinaryIO | bytes

# A role cell may hold the code or either name the exports write for it ('话务员', 'Agent', 'group leader').
_ROLE_WORDS = {
    **{code: code for code in ROLES},
    **{code.replace("_", " "): code for code in ROLES},
    **{name.lower(): code for code, names in ROLE_NAMES.items() for name in names},
}
_ROLE_EXPECTED = (
    "a role: one of " + ", ".join(ROLES)
    + " (or " + ", ".join(ROLE_NAMES[r][0] for r in ROLES) + "; " + ", ".join(ROLE_NAMES[r][1] for r in ROLES) + ")"
)


def weekday_number(text: str) -> int | None:
    """'mon', 'Monday', '周一' or ISO '1' -> 0 (Monday); None when not a weekday."""
    return _WEEKDAY_NAMES.get(text.strip().lower())


def staff_from_table(frame: pd.DataFrame, rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    tables.require_filled(frame, "employee_id", "an employee id")
    tables.no_duplicates(frame, frame["employee_id"], "employee_id", "employee id")
    tables.require_filled(frame, "name", "the employee's name")
    roles = frame["role"].map(lambda cell: _ROLE_WORDS.get(" ".join(cell.lower().split())))
    tables.fail_at(frame, roles.isna().to_numpy(), "role", _ROLE_EXPECTED)
    out = frame[list(STAFF_COLUMNS)].copy()
    out["role"] = roles
    codes = rules.shift_codes
    if "shifts" in frame:
        allowed = frame["shifts"].map(lambda cell: tuple(c.strip() for c in cell.split(";") if c.strip()))
        unknown = allowed.map(lambda cs: any(c not in codes for c in cs))
        tables.fail_at(frame, unknown.to_numpy(), "shifts", f"shift codes from the rules ({', '.join(codes)}), separated by ';'")
        out["shifts"] = allowed.map(lambda cs: cs or codes)
    else:
        out["shifts"] = [codes] * len(frame)
    if "preferred_rest_weekday" in frame:
        days = frame["preferred_rest_weekday"].map(lambda cell: weekday_number(cell) if cell else -1)
        tables.fail_at(frame, days.isna().to_numpy(), "preferred_rest_weekday", "a weekday like mon, tue … sun (or 周一 … 周日, or 1–7), or an empty cell")
        out["preferred_rest_weekday"] = pd.array(days.astype(int).where(days >= 0, None), dtype="Int64")
    else:
        out["preferred_rest_weekday"] = pd.array([None] * len(frame), dtype="Int64")
    if "contract" in frame:
        names = [c.name for c in rules.contracts]
        expected = (f"a contract of the rules ({', '.join(names)}) or an empty cell" if names else
                    "an empty cell: the rules define no [contracts]")
        tables.fail_at(frame, ((frame["contract"] != "") & ~frame["contract"].isin(names)).to_numpy(), "contract",
                       expected)
        out["contract"] = frame["contract"]
    out = out.reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "staff")
    return out


def load_staff(path: Source, rules: Rules = DEFAULT_RULES, source: str | None = None) -> pd.DataFrame:
    """The staff list (CSV, or the first sheet of an .xlsx): one row per employee with role, group, team,
    allowed shifts and preferred rest day."""
    frame = tables.read_table(path, STAFF_COLUMNS, STAFF_OPTIONAL, source=source, excel=True,
                              needs="a roster needs the employees it plans")
    with tables.in_sheet(frame):
        return staff_from_table(frame, rules)


def leave_from_table(frame: pd.DataFrame, staff: pd.DataFrame, rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    tables.require_filled(frame, "employee_id", "an employee id")
    known = set(staff["employee_id"])
    unknown = ~frame["employee_id"].isin(known)
    tables.fail_at(frame, unknown.to_numpy(), "employee_id", f"an employee id from the staff file ({staff.attrs.get('source', 'staff')})")
    days = tables.dates(frame, "date")
    kinds = tables.choices(frame, "kind", LEAVE_KINDS)
    shift = frame["shift"] if "shift" in frame else pd.Series([""] * len(frame), index=frame.index)
    names_shift = kinds.isin(SHIFT_KINDS)
    if "shift" not in frame and names_shift.any():
        pos = int(np.argmax(names_shift.to_numpy()))
        raise DataError(frame.attrs.get("source", "leave"), f"a {kinds.iloc[pos]} needs a 'shift' column naming the shift",
                        row=tables.spreadsheet_row(pos), column="shift")
    codes = rules.shift_codes
    bad_shift = (names_shift & ~shift.isin(codes)) | (~names_shift & (shift != "") & ~shift.isin(codes))
    if "shift" in frame:
        tables.fail_at(frame, bad_shift.to_numpy(), "shift", f"a shift code from the rules ({', '.join(codes)})")
        # A rest day wished or refused names no shift: one named would be dropped without a word.
        tables.fail_at(frame, (kinds.isin(("rest_request", "work_request")) & (shift != "")).to_numpy(), "shift",
                       "an empty cell for a rest_request or work_request (to wish a shift on that day, make the row "
                       "a shift_request)")
    allowed = dict(zip(staff["employee_id"], staff["shifts"]))
    not_allowed = (kinds == "shift_request") & pd.Series(
        [s not in allowed.get(e, ()) for e, s in zip(frame["employee_id"], shift)], index=frame.index
    )
    if "shift" in frame:
        tables.fail_at(frame, not_allowed.to_numpy(), "shift", "a shift this employee may work (see the staff file's shifts column)")
    weight = pd.Series([np.nan] * len(frame), index=frame.index)
    if "weight" in frame:
        tables.fail_at(frame, ((kinds == "leave") & (frame["weight"] != "")).to_numpy(), "weight",
                       "an empty cell for leave (approved leave is fixed, not weighed)")
        weight = tables.numbers(frame, "weight", whole=True, minimum=1, allow_empty=True)
    key = frame["employee_id"] + "|" + days.dt.strftime("%Y-%m-%d")
    tables.no_duplicates(frame, key, "employee_id", "request for the same day by employee")
    out = pd.DataFrame({
        "employee_id": frame["employee_id"],
        "date": days,
        "kind": kinds,
        "shift": shift.where(shift != "", None),
        "weight": pd.array(weight.round(), dtype="Int64"),
    }).reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "leave")
    return out


def load_leave(path: Source, staff: pd.DataFrame, rules: Rules = DEFAULT_RULES, source: str | None = None) -> pd.DataFrame:
    """Approved leave and wishes (CSV, or the first sheet of an .xlsx): leave (fixed); rest_request,
    work_request, shift_request and shift_refusal honoured where they cost less than their weight (the row's
    `weight`, else the rules' weight of the kind). A header without rows is a month without leave."""
    frame = tables.read_table(path, LEAVE_COLUMNS, LEAVE_OPTIONAL, source=source, excel=True, allow_empty=True)
    with tables.in_sheet(frame):
        return leave_from_table(frame, staff, rules)


def shift_cover_from_table(frame: pd.DataFrame, rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """The dated shift cover's rows checked: a shift code of the rules, whole numbers ≥ 0, one row per date and
    shift. Weights left empty are NA: the rules' [shift_cover.CODE] weights, or their defaults, hold."""
    days = tables.dates(frame, "date")
    codes = rules.shift_codes
    tables.fail_at(frame, ~frame["shift"].isin(codes).to_numpy(), "shift",
                   f"a shift code from the rules ({', '.join(codes)})")
    wanted = tables.numbers(frame, "wanted", whole=True, minimum=0)
    weights = {k: tables.numbers(frame, k, whole=True, minimum=0, allow_empty=True) if k in frame
               else pd.Series([np.nan] * len(frame), index=frame.index) for k in SHIFT_COVER_OPTIONAL}
    tables.no_duplicates(frame, days.dt.strftime("%Y-%m-%d") + "|" + frame["shift"], "date", "shift cover for the "
                         "same shift on date")
    out = pd.DataFrame({"date": days, "shift": frame["shift"], "wanted": wanted.astype(np.int64),
                        **{k: pd.array(v.round(), dtype="Int64") for k, v in weights.items()}}).reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "shift cover")
    return out


def load_shift_cover(path: Source, rules: Rules = DEFAULT_RULES, source: str | None = None) -> pd.DataFrame:
    """The people wanted on a shift on given dates (CSV, or the first sheet of an .xlsx): each row replaces
    that day's count of the rules' [shift_cover] tables for its shift (scheduler.rules.shift_cover). A header
    without rows is a month without exceptions."""
    frame = tables.read_table(path, SHIFT_COVER_COLUMNS, SHIFT_COVER_OPTIONAL, source=source, excel=True,
                              allow_empty=True)
    with tables.in_sheet(frame):
        return shift_cover_from_table(frame, rules)
