"""Exports: the roster and plans as Excel, CSV, iCalendar and PNG files. Pure writers, no planning here.

Each writer reads a roster (the result of `scheduler.roster.solve`: assignments, coverage, employees,
kpis, unmet, conflicts, status...) and returns bytes; a `write_*` twin writes the same to a path.

- `workbook`: `roster_workbook` (the printable .xlsx)
- `tables`: `roster_csv`, `coverage_csv`, `employees_csv`, `unmet_csv`, `frame_csv`, `write_roster_csvs`
- `calendar`: `employee_calendar`, `employee_calendars`, `calendars_zip`, `write_calendars`
- `charts`: `forecast_chart`, `coverage_chart`, `ad_response_chart` (PNG; imports matplotlib)
- `labels`: every zh/en label, for these writers and the CLI summary
"""
