"""Staff and leave kept in Excel: the first sheet of an .xlsx reads as its CSV would, through the loaders,
the CLI and an API upload, and a bad cell is named by file, sheet, row and column."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

openpyxl = pytest.importorskip("openpyxl")

from api import testing  # noqa: E402
from cli import main  # noqa: E402
from core.errors import DataError  # noqa: E402
from forecasting.data import load_calls  # noqa: E402
from scheduler.data import load_leave, load_staff  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
STAFF_ROWS = [
    ("employee_id", "name", "role", "group", "team", "shifts", "preferred_rest_weekday"),
    (1001, "张三", "话务员", "G1", "T1", "E", "周一"),
    (1002, "Li Si", "组长", "G1", "T1", None, "mon"),
    (1003, "Wang Wu", "Agent", "G1", "T1", "E;L", None),
    (1004.0, "Zhao", "队长", None, "T1", None, 3),
    ("A5", "Qian", "主管", None, None, None, None),
]
LEAVE_ROWS = [
    ("employee_id", "date", "kind", "shift"),
    (1001, dt.datetime(2026, 12, 3), "leave", None),
    (1003, "2026-12-04", "rest_request", None),
    (1002, dt.date(2026, 12, 5), "shift_request", "L"),
]


def workbook(rows, sheet: str = "名单") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    # a formatted but empty row below the table, as Excel often leaves one
    ws.cell(row=len(rows) + 3, column=1).number_format = "0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_staff_from_xlsx_reads_numbers_as_typed_ids_and_role_names():
    staff = load_staff(workbook(STAFF_ROWS), source="staff.xlsx")
    assert list(staff["employee_id"]) == ["1001", "1002", "1003", "1004", "A5"]
    assert list(staff["role"]) == ["agent", "group_leader", "agent", "team_leader", "supervisor"]
    assert list(staff["preferred_rest_weekday"].astype(object).fillna(-1)) == [0, 0, -1, 2, -1]
    assert staff["shifts"].iloc[2] == ("E", "L")


def test_leave_from_xlsx_accepts_date_cells_and_text_dates():
    staff = load_staff(workbook(STAFF_ROWS))
    leave = load_leave(workbook(LEAVE_ROWS), staff, source="leave.xlsx")
    assert list(leave["employee_id"]) == ["1001", "1003", "1002"]
    assert [f"{d:%Y-%m-%d}" for d in leave["date"]] == ["2026-12-03", "2026-12-04", "2026-12-05"]
    assert list(leave["kind"]) == ["leave", "rest_request", "shift_request"]


@pytest.mark.parametrize("rows, column, loader", [
    (STAFF_ROWS[:4] + [(1004, "Zhao", "boss", "G1", "T1", None, None)], "role", "staff"),
    (STAFF_ROWS[:4] + [(None, "Zhao", "agent", "G1", "T1", None, None)], "employee_id", "staff"),
    (LEAVE_ROWS + [(1001, "2026-13-01", "leave", None)], "date", "leave"),
    (LEAVE_ROWS + [(1001, dt.datetime(2026, 12, 9, 8, 30), "leave", None)], "date", "leave"),
    (LEAVE_ROWS + [(9999, "2026-12-09", "leave", None)], "employee_id", "leave"),
])
def test_a_bad_cell_in_row_5_names_file_sheet_row_and_column(rows, column, loader):
    content = workbook(rows, sheet="十二月")
    with pytest.raises(DataError) as err:
        if loader == "staff":
            load_staff(content, source="staff.xlsx")
        else:
            load_leave(content, load_staff(workbook(STAFF_ROWS)), source="leave.xlsx")
    e = err.value
    assert (e.file, e.sheet, e.row, e.column) == (f"{loader}.xlsx", "十二月", 5, column)
    assert str(e).startswith(f"{loader}.xlsx, sheet '十二月', row 5, column '{column}': ")


def test_workbook_header_errors_name_the_sheet():
    rows = [("employee_id", "name", "rol", "group", "team"), (1, "a", "agent", "g", "t")]
    with pytest.raises(DataError) as err:
        load_staff(workbook(rows, sheet="Sheet1"), source="staff.xlsx")
    assert (err.value.sheet, err.value.row, err.value.column) == ("Sheet1", 1, "role")
    assert "'rol'" in str(err.value)


def test_only_staff_and_leave_read_workbooks():
    with pytest.raises(DataError, match="is an Excel workbook; this file must be CSV"):
        load_calls(workbook([("interval_start", "calls"), ("2026-12-01 08:00", 3)]), source="calls.xlsx")


def test_header_only_leave_workbook_is_no_leave():
    staff = load_staff(workbook(STAFF_ROWS))
    assert load_leave(workbook(LEAVE_ROWS[:1]), staff).empty


def test_cli_validate_reads_workbooks_and_names_a_bad_cell(tmp_path):
    staff = write(tmp_path, "staff.xlsx", workbook(STAFF_ROWS))
    leave = write(tmp_path, "leave.xlsx", workbook(LEAVE_ROWS))
    r = CliRunner().invoke(main, ["validate", "--staff", str(staff), "--leave", str(leave)])
    assert r.exit_code == 0, r.output
    assert "5 people: 2 agents, 1 group leader, 1 team leader, 1 supervisor" in r.output
    assert "1 leave, 1 rest request, 1 shift request" in r.output

    bad = write(tmp_path, "bad.xlsx", workbook(LEAVE_ROWS + [(1001, "3 Dec", "leave", None)], sheet="Leave"))
    r = CliRunner().invoke(main, ["validate", "--staff", str(staff), "--leave", str(bad)])
    assert r.exit_code == 2
    assert "bad.xlsx, sheet 'Leave', row 5, column 'date'" in r.output


@pytest.mark.slow
def test_cli_plan_rosters_staff_and_leave_from_workbooks(tmp_path):
    staff = write(tmp_path, "staff.xlsx", workbook(STAFF_ROWS))
    leave = write(tmp_path, "leave.xlsx", workbook(LEAVE_ROWS))
    r = CliRunner().invoke(main, ["plan", "--calls", str(SAMPLE / "calls.csv"), "--staff", str(staff), "--leave", str(leave),
                                  "--month", "2026-12", "--out", str(tmp_path / "out"), "--time-limit", "2"])
    assert r.exit_code == 0, r.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv", dtype=str)
    assert set(roster["employee_id"]) == {"1001", "1002", "1003", "1004", "A5"}
    day = roster.set_index(["employee_id", "date"])["shift"]
    assert day[("1001", "2026-12-03")] == "LEAVE"


def test_cli_plan_names_a_bad_workbook_cell(tmp_path):
    staff = write(tmp_path, "staff.xlsx", workbook(STAFF_ROWS))
    bad = write(tmp_path, "leave.xlsx", workbook(LEAVE_ROWS + [(1001, "2026-12-09", "holiday", None)], sheet="Leave"))
    r = CliRunner().invoke(main, ["plan", "--calls", str(SAMPLE / "calls.csv"), "--staff", str(staff),
                                  "--leave", str(bad), "--month", "2026-12", "--out", str(tmp_path / "out")])
    # the inputs are read before any step runs: the bad cell stops the plan with its place
    assert r.exit_code == 2
    assert "leave.xlsx, sheet 'Leave', row 5, column 'kind'" in r.output


def test_api_multipart_xlsx_upload_is_stored_as_csv(tmp_path):
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], 'supervisor')}"}
    r = client.post("/api/v1/datasets/staff", headers=sup, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(workbook(STAFF_ROWS)), "staff.xlsx")})
    assert r.status_code == 201, r.json
    assert r.json["name"] == "staff.xlsx" and r.json["rows"] == 5
    staff_id = r.json["id"]
    content = client.get(f"/api/v1/datasets/{staff_id}/content", headers=sup).data.decode("utf-8")
    assert content.splitlines()[0] == "employee_id,name,role,group,team,shifts,preferred_rest_weekday"
    assert content.splitlines()[1].startswith("1001,张三,话务员,G1,T1,E,周一")

    r = client.post("/api/v1/datasets/leave", headers=sup, query_string={"staff_id": staff_id},
                    content_type="multipart/form-data", data={"file": (io.BytesIO(workbook(LEAVE_ROWS)), "leave.xlsx")})
    assert r.status_code == 201, r.json
    assert r.json["rows"] == 3
    content = client.get(f"/api/v1/datasets/{r.json['id']}/content", headers=sup).data.decode("utf-8")
    assert content.splitlines()[1] == "1001,2026-12-03,leave,"

    bad = workbook(LEAVE_ROWS + [(1001, "2026-12-32", "leave", None)], sheet="Leave")
    r = client.post("/api/v1/datasets/leave", headers=sup, query_string={"staff_id": staff_id},
                    content_type="multipart/form-data", data={"file": (io.BytesIO(bad), "leave.xlsx")})
    assert r.status_code == 422
    err = r.json["errors"][0]
    assert (err["file"], err["sheet"], err["row"], err["column"]) == ("leave.xlsx", "Leave", 5, "date")
    assert "leave.xlsx, sheet 'Leave', row 5, column 'date'" in r.json["detail"]


def test_api_header_only_leave_upload_is_no_leave(tmp_path):
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], 'supervisor')}"}
    staff = client.post("/api/v1/datasets/staff", headers=sup, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(workbook(STAFF_ROWS)), "staff.xlsx")}).json
    r = client.post("/api/v1/datasets/leave", headers={**sup, "Content-Type": "text/csv"},
                    query_string={"staff_id": staff["id"]}, data=b"employee_id,date,kind\n")
    assert r.status_code == 201, r.json
    assert r.json["rows"] == 0 and r.json["summary"] == {"requests": 0}
