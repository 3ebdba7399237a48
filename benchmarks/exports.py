"""Export speed for a 300-agent month: roster workbook, CSV files, iCalendar; one JSON object.

Baseline, measured in the same run: pandas `DataFrame.to_excel` (openpyxl) of the same employees × days
grid with no formatting, and plain `DataFrame.to_csv` of the assignments. Target (issue 7): a roster
.xlsx in at most 1 s, since the API serves one per request.
"""
from __future__ import annotations

import io
import json
import os
import statistics
import time


from shiftcast.exports import calendar, tables
from shiftcast.exports.labels import shift_marks
from shiftcast.exports.roster_frames import assignments_of, people, plan_days, shift_grid
from shiftcast.exports.specimen import specimen_roster, specimen_staff
from shiftcast.exports.workbook import roster_workbook
from shiftcast.rules import DEFAULT_RULES

AGENTS = 300
MONTH = "2026-12"
REPEAT = 5
XLSX_TARGET_S = 1.0


def timed(fn, repeat: int = REPEAT) -> tuple[float, object]:
    """Median wall seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def baseline_grid_xlsx(roster, rules) -> bytes:
    a = assignments_of(roster)
    who = people(roster)
    grid = shift_grid(a, who["employee_id"], plan_days(a)).replace(shift_marks(rules, "zh"))
    grid.columns = [f"{d:%m-%d}" for d in grid.columns]
    frame = who.set_index("employee_id")[["name", "role"]].join(grid)
    out = io.BytesIO()
    frame.to_excel(out, engine="openpyxl")
    return out.getvalue()


def main() -> None:
    rules = DEFAULT_RULES
    roster = specimen_roster(specimen_staff(AGENTS), MONTH, rules)
    cells = len(roster.assignments)

    base_xlsx_s, base_bytes = timed(lambda: baseline_grid_xlsx(roster, rules))
    xlsx_s, xlsx = timed(lambda: roster_workbook(roster, rules, lang="zh"))
    xlsx_detail_s, xlsx_detail = timed(lambda: roster_workbook(roster, rules, lang="zh", detail=True), 3)
    base_csv_s, _ = timed(lambda: roster.assignments.to_csv(index=False).encode())
    roster_csv_s, _ = timed(lambda: tables.roster_csv(roster))
    all_csv_s, _ = timed(lambda: (tables.roster_csv(roster), tables.coverage_csv(roster),
                                  tables.employees_csv(roster), tables.unmet_csv(roster)))
    one_ics_s, _ = timed(lambda: calendar.employee_calendar(roster, rules, "A150", lang="zh"))
    zip_ics_s, ics_zip = timed(lambda: calendar.calendars_zip(roster, rules, lang="zh"), 1)

    print(json.dumps({
        "benchmark": "exports",
        "agents": AGENTS, "days": int(roster.assignments["date"].nunique()), "assignments": cells,
        "intervals": len(roster.coverage), "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "baseline": {"pandas_to_excel_openpyxl_grid_s": round(base_xlsx_s, 4), "bytes": len(base_bytes),
                     "pandas_to_csv_assignments_s": round(base_csv_s, 4)},
        "xlsx": {"roster_workbook_s": round(xlsx_s, 4), "bytes": len(xlsx),
                 "with_detail_sheet_s": round(xlsx_detail_s, 4), "with_detail_bytes": len(xlsx_detail),
                 "ratio_to_baseline": round(xlsx_s / base_xlsx_s, 3),
                 "target_s": XLSX_TARGET_S, "meets_target": xlsx_s <= XLSX_TARGET_S},
        "csv": {"roster_csv_s": round(roster_csv_s, 4), "all_four_csv_s": round(all_csv_s, 4),
                "ratio_to_baseline": round(roster_csv_s / base_csv_s, 3)},
        "ics": {"one_employee_s": round(one_ics_s, 4), "zip_all_employees_s": round(zip_ics_s, 4),
                "zip_bytes": len(ics_zip)},
        "repeats": REPEAT, "statistic": "median wall seconds",
    }))


if __name__ == "__main__":
    main()
