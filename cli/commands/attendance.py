"""`shiftcast attendance`: the month's clock records against the roster, summed per person for payroll."""
from __future__ import annotations

from pathlib import Path

import click

from scheduler.attendance import attendance_lines
from scheduler.clock import load_clock
from scheduler.roster import load_assignments
from shiftcast.exports.attendance import write_attendance
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.steps import attendance_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("attendance")
@click.option("--clock", type=_file, required=True,
              help="clock records CSV or .xlsx from the punch system: employee_id, time, kind (in / out)")
@click.option("--roster", type=_file, required=True, help="the month's roster.csv, as `plan` and `roster` write it")
@click.option("--month", required=True, help="the month to sum up, e.g. 2026-12")
@click.option("--rules", type=_file, default=None,
              help="rules TOML: shift times and the late, early and overtime thresholds (defaults when left out)")
@click.option("--staff", type=_file, default=None,
              help="staff CSV or .xlsx: names, groups and teams in the summary (else the roster's people)")
@click.option("--leave", type=_file, default=None,
              help="approved leave CSV or .xlsx (needs --staff): its days of leave are not absences")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="language of the workbook's labels")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="folder for attendance.xlsx, attendance.csv and attendance_days.csv")
def command(clock: Path, roster: Path, month: str, rules: Path | None, staff: Path | None, leave: Path | None,
            lang: str, out_dir: Path) -> None:
    """Attendance for payroll: late arrivals, early departures, absences, rest days worked and overtime per
    person per day, and the month per person."""
    inputs = load_inputs(InputPaths(staff=staff, leave=leave, rules=rules))
    assignments = load_assignments(roster, inputs.rules)
    people = inputs.staff if inputs.staff is not None else assignments
    result = attendance_step(inputs, assignments, load_clock(clock, people), month)
    names = dict(zip(inputs.staff["employee_id"], inputs.staff["name"])) if inputs.staff is not None else {}
    for line in attendance_lines(result, names):
        click.echo(line)
    for path in write_attendance(out_dir, result, inputs.rules, inputs.staff, lang):
        click.echo(f"wrote {path}")
