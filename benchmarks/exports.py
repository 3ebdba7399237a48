"""Export speed for a 300-agent month: roster workbook, CSV files, iCalendar; one JSON object.

Baseline, measured in the same run: pandas `DataFrame.to_excel` (openpyxl) of the same employees × days
grid with no formatting, and plain `DataFrame.to_csv` of the assignments. Target: a roster
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
from core.rules import DEFAULT_RULES

AGENTS = 300
MONTH = "2026-12"
REPEAT = 5
XLSX_TARGET_S = 1.0


def timed(fn, repeat: int = REPEAT) -> tuple[float, float, object]:
    """Median wall seconds and median CPU seconds of `repeat` calls, and the last result.

    CPU time is reported beside wall time because the machine is shared: wall time grows with others' load.
    """
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


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

    base_xlsx_s, base_xlsx_cpu, base_bytes = timed(lambda: baseline_grid_xlsx(roster, rules))
    xlsx_s, xlsx_cpu, xlsx = timed(lambda: roster_workbook(roster, rules, lang="zh"))
    detail_s, detail_cpu, xlsx_detail = timed(lambda: roster_workbook(roster, rules, lang="zh", detail=True), 3)
    base_csv_s, base_csv_cpu, _ = timed(lambda: roster.assignments.to_csv(index=False).encode())
    roster_csv_s, roster_csv_cpu, _ = timed(lambda: tables.roster_csv(roster))
    all_csv_s, all_csv_cpu, _ = timed(lambda: (tables.roster_csv(roster), tables.coverage_csv(roster),
                                               tables.employees_csv(roster), tables.unmet_csv(roster)))
    one_ics_s, one_ics_cpu, _ = timed(lambda: calendar.employee_calendar(roster, rules, "A150", lang="zh"))
    zip_ics_s, zip_ics_cpu, ics_zip = timed(lambda: calendar.calendars_zip(roster, rules, lang="zh"), 3)

    def r(x: float) -> float:
        return round(x, 4)

    print(json.dumps({
        "benchmark": "exports",
        "agents": AGENTS, "days": int(roster.assignments["date"].nunique()), "assignments": cells,
        "intervals": len(roster.coverage), "short_intervals": len(roster.unmet), "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "statistic": f"median of {REPEAT} (3 for detail and zip): wall seconds (*_s) and CPU seconds (*_cpu_s)",
        "baseline": {"pandas_to_excel_openpyxl_grid_s": r(base_xlsx_s), "pandas_to_excel_openpyxl_grid_cpu_s": r(base_xlsx_cpu),
                     "bytes": len(base_bytes), "pandas_to_csv_assignments_s": r(base_csv_s),
                     "pandas_to_csv_assignments_cpu_s": r(base_csv_cpu)},
        "xlsx": {"roster_workbook_s": r(xlsx_s), "roster_workbook_cpu_s": r(xlsx_cpu), "bytes": len(xlsx),
                 "with_detail_sheet_s": r(detail_s), "with_detail_sheet_cpu_s": r(detail_cpu),
                 "with_detail_bytes": len(xlsx_detail),
                 "cpu_ratio_to_baseline": round(xlsx_cpu / base_xlsx_cpu, 3),
                 "target_s": XLSX_TARGET_S, "meets_target": xlsx_s <= XLSX_TARGET_S},
        "csv": {"roster_csv_s": r(roster_csv_s), "roster_csv_cpu_s": r(roster_csv_cpu),
                "all_four_csv_s": r(all_csv_s), "all_four_csv_cpu_s": r(all_csv_cpu),
                "cpu_ratio_to_baseline": round(roster_csv_cpu / base_csv_cpu, 3)},
        "ics": {"one_employee_s": r(one_ics_s), "one_employee_cpu_s": r(one_ics_cpu),
                "zip_all_employees_s": r(zip_ics_s), "zip_all_employees_cpu_s": r(zip_ics_cpu),
                "zip_bytes": len(ics_zip)},
    }))


if __name__ == "__main__":
    main()
