"""Exports: the roster as Excel, CSV and iCalendar files, and PNG charts. Pure writers, no planning here.

The roster writers read any object shaped like `scheduler.roster.solve`'s result (roster_frames names
the attributes) and return bytes; a `write_*` function writes the same to a path.

- `workbook`: `roster_workbook`, the printable .xlsx
- `tables`: `roster_csv`, `coverage_csv`, `employees_csv`, `unmet_csv`, `write_roster_csvs`; `frame_csv` for any table
- `calendar`: `employee_calendar`, `employee_calendars`, `calendars_zip`, `write_calendars`
- `charts`: `forecast_chart`, `coverage_chart`, `ad_response_chart` (PNG; imports matplotlib)
- `labels`: every zh/en label, for these writers and the roster page
- `cells`, `roster_frames`: what the writers share; `specimen`: a hand-built roster for tests and benchmarks
"""
