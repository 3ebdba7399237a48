"""Request and response schemas (pydantic v2). The OpenAPI document is generated from these."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.auth import ROLES
from api.openapi import ID_MAX
from core import times
from core.errors import DataError
from core.periods import month_start
from scheduler.attendance import ANOMALIES, STATUSES
from scheduler.intraday_actions import ACTION_KINDS
from scheduler.quiet_days import QUIET_SHARE

# Ids are bounded (as in paths) so that no number a client sends overflows a column.
Id = Annotated[int, Field(ge=1, le=ID_MAX, description="id of a stored resource")]


def _plannable(month: str) -> str:
    """A month the planner can hold (core.periods' check, the one the steps make), refused before any job."""
    try:
        month_start(month)
    except DataError as exc:
        raise ValueError(exc.message) from None
    return month


Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"],
                             description=f"a calendar month, YYYY-MM, in a year {times.YEARS}"),
                  AfterValidator(_plannable)]
Name = Annotated[str, Field(max_length=200)]
# Kinds of table whose rows name the employees of a staff dataset (staff_id).
STAFF_TABLES = ("leave", "clock")
Scalar = str | float | int | bool | None
DatasetKind = Literal["calls", "ads", "staff", "leave", "rules", "clock", "shift_cover"]
Role = Literal[ROLES]  # type: ignore[valid-type]
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- requests

class DatasetUpload(Request):
    """A dataset as JSON: table rows (calls, ads, staff, leave, clock, shift_cover) or a rules table."""

    kind: DatasetKind
    name: Name = ""
    rows: list[dict[str, Scalar]] | None = Field(
        default=None, max_length=1_000_000,
        description="one object per row with the CSV file's column names; values as in the CSV")
    rules: dict | None = Field(default=None, description="for kind=rules: the rules file's tables as JSON")
    staff_id: Id | None = Field(default=None, description="for kind=leave and kind=clock: the staff dataset the leave "
                                                          "or clock records refer to")
    rules_id: Id | None = Field(default=None, description="rules dataset giving shift codes (default rules when absent)")
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")

    @model_validator(mode="after")
    def _content_matches_kind(self):
        if self.kind == "rules":
            if self.rules is None:
                raise ValueError("kind 'rules' needs a 'rules' object")
            if self.rows is not None:
                raise ValueError("kind 'rules' takes 'rules', not 'rows'")
        else:
            if self.rows is None:
                raise ValueError(f"kind '{self.kind}' needs 'rows'")
            if self.rules is not None:
                raise ValueError(f"kind '{self.kind}' takes 'rows', not 'rules'")
        if self.kind in STAFF_TABLES and self.staff_id is None:
            raise ValueError(f"kind '{self.kind}' needs 'staff_id' (the staff the {self.kind} belongs to)")
        return self


class DatasetQuery(Request):
    """Query of a file upload (CSV; TOML for rules): the kind is in the path."""

    name: Name = ""
    staff_id: Id | None = None
    rules_id: Id | None = None
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")


class DatasetFilter(Request):
    kind: DatasetKind | None = None
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class ActualsQuery(Request):
    """Query of an actuals upload: the file is the body."""

    name: Name = ""
    rules_id: Id | None = Field(default=None, description="rules dataset whose grid and open hours the intervals "
                                                          "must fit (default: the default rules)")
    site_id: Id | None = Field(default=None, description="the site (call center) they are of; default: the token's "
                                                         "one site")


class ActualsFilter(Request):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: dt.date | None = Field(default=None, alias="from", description="first day, e.g. 2026-12-01")
    last: dt.date | None = Field(default=None, alias="to", description="last day, e.g. 2026-12-31")
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class MonthFilter(Request):
    month: Month | None = None
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class ForecastCreate(Request):
    """Forecast a month's calls per interval from the call history and the ad plan."""

    calls_id: Id = Field(description="calls dataset: the interval history")
    month: Month
    ads_history_id: Id | None = Field(default=None, description="ads dataset: past airings (for the ad-response curve)")
    ads_plan_id: Id | None = Field(default=None, description="ads dataset: the month's planned airings")
    rules_id: Id | None = None
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")


class StaffingCreate(Request):
    """Agents needed per interval for a forecast, under the rules' service targets."""

    forecast_id: Id
    rules_id: Id | None = Field(default=None, description="rules with the service targets; default: the forecast's")
    calls: Literal["mean", "upper"] = Field(
        default="mean", description="plan for the forecast's mean, or its upper prediction bound")
    aht_s: float | None = Field(default=None, gt=0, le=86400,
                                description="one handle time for every interval; default: by time of day, from "
                                            "the forecast's calls history (else the rules')")
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")


class RosterCreate(Request):
    """Solve a month's roster (runs as a job)."""

    staffing_id: Id
    staff_id: Id
    leave_id: Id | None = None
    ads_plan_id: Id | None = Field(default=None, description="airings: no lunch in their response windows")
    rules_id: Id | None = None
    previous_roster_id: Id | None = Field(default=None, description="re-plan: few changes against this roster of the "
                                                                    "same month")
    previous_month_roster_id: Id | None = Field(
        default=None, description="the previous month's roster: its last days count for this month's first (days in a "
                                  "row, the week spanning both months) and its late shifts and weekend rests for "
                                  "fairness; without it the first days assume no history")
    shift_cover_id: Id | None = Field(
        default=None, description="a shift_cover dataset: people wanted on a shift on given dates, each row replacing "
                                  "the rules' [shift_cover] count of its day and shift")
    from_day: dt.date | None = Field(
        default=None, description="with previous_roster_id, a mid-month change: re-plan only the days from this one "
                                  "on, keep the days before exactly, and return the roster's `diff` (who changes on "
                                  "which days, from what to what)")
    time_limit_s: float | None = Field(default=None, gt=0, le=3600)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1,
                             description="a reproducible roster: the same inputs and seed give the same roster "
                                         "(one solver worker; the time limit counts the solver's deterministic time)")
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")

    @model_validator(mode="after")
    def _from_day_needs_previous(self):
        if self.from_day is not None and self.previous_roster_id is None:
            raise ValueError("from_day re-plans a roster from that day on: give the roster as previous_roster_id")
        return self


class HeadcountCreate(Request):
    """The smallest headcount meeting the service target for a month (runs as a job)."""

    staffing_id: Id
    staff_id: Id | None = Field(default=None, description="current staff: the mix of leaders and allowed shifts")
    leave_id: Id | None = Field(default=None, description="approved leave, taken as a share of the staff away")
    ads_plan_id: Id | None = Field(default=None, description="airings: their windows must not be short")
    rules_id: Id | None = None
    time_limit_s: float | None = Field(default=None, gt=0, le=600, description="per roster solve of the search")
    max_solves: int | None = Field(default=None, ge=1, le=50)
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")


class HiringPlanCreate(Request):
    """Hires month by month to meet required headcounts, given attrition and training lead time."""

    monthly_requirements: dict[Month, Annotated[float, Field(ge=0, le=100_000)]] = Field(
        min_length=1, max_length=60, description="agents required per month, e.g. {\"2026-12\": 96}; consecutive months")
    current_staff: float = Field(ge=0, le=100_000, description="productive agents today")
    attrition: float | None = Field(default=None, ge=0, lt=1, description="share of agents leaving per month")
    training_weeks: float | None = Field(default=None, ge=0, le=52)
    training_attrition: float | None = Field(default=None, ge=0, lt=1, description="share of trainees who drop out")
    ramp: list[Annotated[float, Field(gt=0, le=1)]] | None = Field(
        default=None, max_length=12, description="productivity of a new agent in its first months after training")
    as_of: dt.date | None = None
    monthly_wage: float | None = Field(default=None, ge=0)
    trainee_monthly_wage: float | None = Field(default=None, ge=0)
    hiring_cost: float | None = Field(default=None, ge=0)
    site_id: Id | None = Field(default=None, description="the site (call center) it is for; default: the site of "
                                                         "what it is made from, else the token's one site")


class TokenCreate(Request):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Role
    sites: list[Id] | None = Field(default=None, max_length=1000,
                                   description="the sites a non-admin token sees (default: the default site); "
                                               "an admin token sees every site")
    person: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="for an agent, group_leader or team_leader token: the person's employee_id on the "
                                  "staff dataset `staff_id`, whose site the token sees")
    staff_id: Id | None = Field(default=None, description="the staff dataset the person is on")


class SiteCreate(Request):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class SiteOut(BaseModel):
    """A site: one call center, whose datasets, results and jobs only its tokens (and admins) see."""

    id: int
    name: str
    latest_roster_month: Month | None = Field(
        default=None, description="the latest month with a roster in this site (the roster page opens on it)")


class SiteList(BaseModel):
    """The sites the token sees."""

    items: list[SiteOut]


# ---------------------------------------------------------------- responses

class Health(BaseModel):
    """The service is up."""

    status: Literal["ok"]
    database: Literal["ok"]


class DatasetOut(BaseModel):
    """A stored dataset (its content is at .../content)."""

    id: int
    kind: DatasetKind
    name: str
    rows: int
    sha256: str
    summary: dict
    staff_id: int | None
    rules_id: int | None
    site_id: int
    created_by: str
    created_at: dt.datetime


class ActualIntervalOut(BaseModel):
    interval_start: str = Field(description="local time, without a zone, e.g. 2026-12-03T08:15:00")
    calls: int
    answered: int | None
    abandoned: int | None
    aht_s: float | None


class ActualDayOut(BaseModel):
    """A day of actual calls as last sent."""

    day: dt.date
    site_id: int
    source: str = Field(description="the file it came from")
    kind: Literal["interval counts", "call records"]
    intervals: int
    calls: int
    partial: bool = Field(description="its last interval ends before closing time: the day so far")
    sent_at: dt.datetime
    sent_by: str
    interval_rows: list[ActualIntervalOut]


class ActualsList(BaseModel):
    """Days of actual calls, by site and day."""

    items: list[ActualDayOut]


class SentDayOut(BaseModel):
    day: dt.date
    intervals: int
    calls: int
    partial: bool
    replaced_sent_at: dt.datetime | None = Field(description="when the day it replaced was sent; null when new")
    message: str = Field(description="what happened to the day, in words")


class ActualsSent(BaseModel):
    """The days an actuals upload kept, each new or replacing the day sent before."""

    site_id: int
    source: str
    kind: Literal["interval counts", "call records"]
    days: list[SentDayOut]


class DatasetList(BaseModel):
    """Stored datasets, newest first."""

    items: list[DatasetOut]


class JobOut(BaseModel):
    """A job: its state, progress and, when done, its result."""

    id: int
    kind: Literal["forecast", "roster", "headcount", "headcount_trial"]
    state: JobState
    progress: dict[str, Scalar] = Field(description="solver progress: best objective, bound, gap, seconds so far")
    result_id: int | None
    result_url: str | None
    error: str | None = Field(description="why the job failed, or a note on a re-run after a crash")
    attempts: int
    cancel_requested: bool
    parent_id: int | None = Field(description="the headcount search this roster solve is a part of "
                                  "(its progress holds the trial's verdict)")
    parts_url: str | None = Field(description="a headcount search's roster solves, each a job of its own "
                                  "(GET /api/v1/jobs lists only jobs that are no other's part)")
    site_id: int
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    url: str


class JobList(BaseModel):
    """Jobs, newest first."""

    items: list[JobOut]


class ForecastInterval(BaseModel):
    interval_start: str
    mean: float
    lower: float
    upper: float


class ForecastOut(BaseModel):
    """A month's forecast per interval with its prediction interval."""

    id: int
    month: str
    inputs: dict[str, Scalar]
    summary: dict[str, Scalar]
    # In words: years whose holidays are not modelled; open hours without call history and how they were forecast.
    notes: list[str] = []
    intervals: list[ForecastInterval]


class StaffingOut(BaseModel):
    """Agents required and scheduled per interval, with the expected service."""

    id: int
    month: str
    inputs: dict[str, Scalar]
    summary: dict[str, Scalar]
    intervals: list[dict[str, Scalar]]


class RosterEmployee(BaseModel):
    employee_id: str
    name: str
    role: str
    group: str
    team: str
    shifts: str = Field(description="one character per day of `days`, standing for the shift code `codes` gives "
                                    "(a shift, OFF or LEAVE), e.g. \"LLLLLL-EEEEEE-…\"")
    lunches: list[int | None] = Field(description="lunch start per day as a position in `times`, null without lunch")
    totals: dict[str, Scalar] = Field(description="shifts, late shifts, weekend rests, paid hours, overtime")


class CoverageGrid(BaseModel):
    """Coverage per interval as days × times grids: row i is `days[i]`, column j is `times[j]`; null where the
    roster has no such interval. Short is max(required − staffed, 0), over max(staffed − required, 0)."""

    required: list[list[float | None]] = Field(description="agents required")
    staffed: list[list[float | None]] = Field(description="agents on the phones (at work, not at lunch)")
    airing: list[list[bool | None]] = Field(description="inside an airing's response window")


class Table(BaseModel):
    """Rows of a table with its column names given once."""

    columns: list[str]
    rows: list[list[Scalar]]


class ShiftLegend(BaseModel):
    """How the roster shows an assignment code, from the rules it was solved with (as the workbook shows it)."""

    zh: str = Field(description="grid mark in Chinese, e.g. 早")
    en: str = Field(description="grid mark in English, e.g. Early")
    name_zh: str
    name_en: str
    colour: str = Field(description="fill colour, #RRGGBB")
    worked: bool = Field(description="a shift worked (not rest or leave)")
    start: str | None = Field(description="a shift's start, HH:MM; null for rest and leave")
    end: str | None = Field(description="a shift's end, HH:MM; null for rest and leave")


class QuietDayOut(BaseModel):
    """A day far below the month's demand (a festival, say)."""

    date: dt.date
    rostered: int = Field(description="people working a shift on the phones that day")
    needed: int = Field(description="agents the day's busiest interval needs")


class DayChangeOut(BaseModel):
    """One person's day a re-plan changes."""

    employee_id: str
    date: dt.date
    before: str = Field(description="the shift code, OFF or LEAVE in the roster re-planned")
    after: str = Field(description="the shift code, OFF or LEAVE in this roster")


class DiffOut(BaseModel):
    """What a mid-month re-plan changes (scheduler.roster_diff.RosterDiff)."""

    from_day: dt.date | None = Field(description="the first day re-planned: no day before it changes")
    summary: str = Field(description="e.g. \"2 people's days change (6 days in all), from 2026-12-11 on\"")
    people: list[str] = Field(description="the employees whose days change")
    changes: list[DayChangeOut]


class RosterOut(BaseModel):
    """A month's roster for the whole floor: employees × days, coverage as days × times, KPIs."""

    id: int
    month: str
    job_id: int | None
    status: str
    objective: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float | None
    kpis: dict[str, Scalar]
    days: list[str] = Field(description="the month's days (YYYY-MM-DD): the grids' rows and shifts' positions")
    times: list[str] = Field(description="interval starts within a day (HH:MM): the coverage grids' columns "
                                         "and the lunch starts' positions")
    codes: dict[str, str] = Field(description="the shift code each character of an employee's `shifts` stands for, "
                                              "e.g. {\"E\": \"E\", \"L\": \"L\", \"-\": \"OFF\", \"+\": \"LEAVE\"}")
    shifts: dict[str, ShiftLegend] = Field(description="every code the roster's rules allow (its shifts, OFF, LEAVE): "
                                                       "marks, names, hours and colour")
    leader_roles: list[str] = Field(description="the roles the roster's rules count as leaders (a leader on every shift)")
    employees: list[RosterEmployee]
    coverage: CoverageGrid
    unmet: Table = Field(description="intervals left short: interval_start, required, staffed, missing agents, "
                                     "airing, expected service level")
    conflicts: list[dict[str, Scalar | list[str]]] = Field(
        description="hard rules that could not all hold: rule, date, employees, message")
    requests_made: dict[str, int] = Field(
        default_factory=dict, description="rest and shift requests made on days not on leave, by the leave "
                                          "table's kind: {\"rest_request\": 22, \"shift_request\": 10}")
    refused_requests: list[dict[str, Scalar | list[str]]] = Field(
        default_factory=list, description="each request not granted (soft goals, not conflicts): rule, date, "
                                          "employees (the one who asked), message, kind (rest_request or "
                                          "shift_request), asked (rest or the shift code) and reason")
    diff: DiffOut | None = Field(
        default=None, description="a mid-month re-plan's changes against the roster it re-plans (from_day): the first "
                                  "day re-planned, a summary in words, the people whose days change and each day "
                                  "changed (employee_id, date, before, after); null for a roster planned whole")
    notes: list[str] = Field(
        default_factory=list, description="what the roster could not know, in words: the first day's hours worked by "
                                          "the month before's night shift when no previous month's roster was given")
    quiet_days: list[QuietDayOut] = Field(
        default_factory=list, description=f"days whose peak need is at most {QUIET_SHARE:.0%} of the month's median "
                                          "day's (a festival, say): people rostered on the phones against the agents "
                                          "the peak needs")


class ResultSummary(BaseModel):
    id: int
    kind: str
    month: str | None
    job_id: int | None
    summary: dict[str, Scalar]
    site_id: int
    created_at: dt.datetime
    url: str


class ResultList(BaseModel):
    """Stored results, newest first (the full document is at each url)."""

    items: list[ResultSummary]


class PlanOut(BaseModel):
    """A headcount or hiring plan."""

    id: int
    kind: Literal["headcount", "hiring"]
    month: str | None
    inputs: dict[str, Scalar]
    summary: dict[str, Scalar]
    result: dict


class TokenOut(BaseModel):
    """A token (without its secret)."""

    id: int
    name: str
    role: Role
    sites: list[int] | None = Field(description="the sites the token sees; null: every site (admin)")
    person: str | None = Field(default=None, description="the person of an agent's or leader's token")
    group: str | None = Field(default=None, description="a group leader's group (of the staff file)")
    team: str | None = Field(default=None, description="a team leader's team (of the staff file)")
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    """A new token: `token` is shown this once; only its hash is stored."""

    token: str


class TokenList(BaseModel):
    """Tokens, without secrets."""

    items: list[TokenOut]


class ProblemOut(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Scalar]] | None = Field(
        default=None, description="what is wrong where: `pointer` (JSON pointer), or `parameter`, or file/row/column")


class AttendanceQuery(Request):
    """Which clock records to check against the roster."""

    clock_id: Id = Field(description="a clock dataset of the roster's site (employee_id, time, kind)")


class AttendanceExportQuery(AttendanceQuery):
    lang: Literal["zh", "en"] = Field(default="zh", description="labels: Chinese or English")


class AttendanceOut(BaseModel):
    """A roster's month checked against clock records: each person's month and day, and the month in words."""

    roster_id: int
    clock_id: int
    month: str
    late_grace_minutes: int
    early_departure_grace_minutes: int
    overtime_after_minutes: int
    outside_month: int = Field(description="clock records outside the roster's month, ignored")
    summary: list[str] = Field(description="the month in words: totals, who was absent most and late most")
    people: Table = Field(description="one row per person, the columns of attendance.csv: employee_id, name, group, "
                                      "team, days_rostered, days_worked, days_absent, leave_days, late_count, "
                                      "late_minutes, early_count, early_minutes, rest_days_worked, rest_day_hours, "
                                      "overtime_hours, anomalies (a count)")
    days: Table = Field(description="one row per person and day, the columns of attendance_days.csv: employee_id, "
                                    "date, shift (a code of the rules, OFF, LEAVE, or empty where the roster holds no "
                                    "such day), status (" + ", ".join(STATUSES) + "), clock_in and clock_out (HH:MM "
                                    "or empty), late_minutes, early_minutes, overtime_minutes, worked_minutes, "
                                    "anomalies (codes separated by ';': " + ", ".join(ANOMALIES) + ")")


# ---------------------------------------------------------------- intraday

class IntradayQuery(Request):
    """The day and the time of day to look at, and the clock records to read."""

    day: dt.date = Field(description="the day, e.g. 2026-12-15")
    at: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                    description="the time of day the calls so far run to (HH:MM, starting an interval of the rules)")
    clock_id: Id | None = Field(default=None, description="a clock dataset of the roster's site whose punches run "
                                                          "over the day; the site's newest such when left out, none "
                                                          "when the site has none")


class IntradayPersonOut(BaseModel):
    employee_id: str
    name: str
    shift: str = Field(description="the shift code worked (for a rest-day worker, the shift nearest their clock-in)")
    status: str = Field(description="expected (no clock records, or the shift not started yet), in, late, not_in "
                                    "(not clocked in past the late grace: missing for the rest of the day), left, "
                                    "rest_day_in")
    rostered: bool = Field(description="false for someone working on a rest day")
    clock_in: str | None = Field(description="first clock-in by the time of the look (HH:MM)")
    clock_out: str | None = Field(description="the clock-out they left with (HH:MM), for status left")


class IntradayActionOut(BaseModel):
    rank: int = Field(description="1 saves the most calls; releases come last")
    kind: Literal[ACTION_KINDS]
    employee_id: str
    name: str
    start: str = Field(description="HH:MM: where the new lunch, the hours added or the hours released start")
    end: str = Field(description="HH:MM: where they end")
    what: str = Field(description="the action in words")
    calls_saved: float = Field(description="abandoned calls avoided over the rest of the day (Erlang A with the "
                                           "rules' patience); negative for a release: calls it loses. A person "
                                           "counts as (1 - shrinkage) of an agent, where `rest` counts whole agents "
                                           "(the floor), so it is close to, not exactly, the change in "
                                           "`rest`'s abandoned calls")
    paid_hours: float = Field(description="paid hours it adds; negative for a release: hours it saves")


class IntradayOut(BaseModel):
    """A roster's day seen at a time of day: the calls so far, the rest of the day re-forecast, who is on the
    phones, the service they give and the actions ranked by calls saved."""

    roster_id: int
    day: dt.date
    at: str
    clock_id: int | None = Field(description="the clock dataset read; null: everyone rostered is taken as there")
    queue_model: str
    summary: list[str] = Field(description="the report in words, as `shiftcast intraday` prints it")
    so_far: Table = Field(description="per open interval before `at`: interval_start, actual (null where none was "
                                      "sent), forecast, lower, upper")
    rest: Table = Field(description="per open interval from `at`: interval_start, forecast, mean, lower, upper, "
                                    "aht_s, required, rostered, present, on_phones, service_level, asa_s, "
                                    "abandon_rate, abandoned")
    people: list[IntradayPersonOut]
    actions: list[IntradayActionOut]


class ReportQuery(Request):
    """What a report compares the site's stored actuals with: the datasets the month was planned on, its roster and
    the clock records."""

    calls_id: Id = Field(description="the call history the plan's forecast is fitted on (the days before each month)")
    ads_history_id: Id | None = Field(default=None, description="past airings: the ad response the forecast learns")
    ads_plan_id: Id | None = Field(default=None, description="the airings of the report's days (the month's ad plan)")
    staff_id: Id | None = Field(default=None, description="who takes calls (needed with roster_id)")
    rules_id: Id | None = Field(default=None, description="rules dataset (default rules when absent)")
    roster_id: Id | None = Field(default=None, description="the month's roster: who it put on the phones")
    clock_id: Id | None = Field(default=None, description="clock records: who was actually there")
    site_id: Id | None = Field(default=None, description="the site whose actuals these are; default: the token's one site")


class ReportExportQuery(ReportQuery):
    lang: Literal["zh", "en"] = Field(default="zh", description="labels: Chinese or English")


class ReportTotals(BaseModel):
    """The period summed (null where the actuals do not say, or nothing was staffed)."""

    calls: float
    answered: float | None
    abandoned: float | None
    service_level: float | None = Field(description="Erlang A (Erlang C without patience) at the people on the phones")
    asa_s: float | None
    forecast: float
    planned_service_level: float | None = Field(description="what the roster promised for the forecast")
    planned_abandoned: float | None
    wape: float | None
    bias: float | None = Field(description="(forecast − actual) / actual")


class LostCause(BaseModel):
    key: str
    words: str
    calls: float


class CallbacksOut(BaseModel):
    """The callers lost in the period to be called back (the rules' share reached) and what became of them:
    created = done_in_time + missed + open (open: due after the period's last interval)."""

    created: float
    done_in_time: float
    missed: float
    open: float


class ReportOut(BaseModel):
    """A day's (week's, month's) report: the numbers, in words and as tables, and lost calls by cause."""

    site_id: int
    kind: Literal["day", "week", "month"]
    period: str
    first: dt.date
    last: dt.date
    days: list[dt.date] = Field(description="the days with actuals")
    lines: list[str] = Field(description="the report in words, as `shiftcast report` prints it")
    notes: list[str] = Field(description="what the report could not know: days without actuals, no roster, no clock")
    totals: ReportTotals
    intervals: Table = Field(description="per interval: calls, forecast (lower, upper), answered, abandoned, aht_s, "
                                         "agents needed, rostered and on the phones, service level and ASA as lived "
                                         "and as planned, planned abandoned, airing")
    by_day: Table = Field(description="per day: the totals' fields, and callbacks_created, callbacks_done_in_time and "
                                      "callbacks_missed when callbacks are counted")
    by_time_of_day: Table = Field(description="forecast accuracy (WAPE, bias) by time of day")
    airings: Table = Field(description="per airing: start, channel, product, predicted and actual calls")
    channels: Table = Field(description="per channel: airings, predicted, actual, actual / predicted")
    causes: list[LostCause] | None = Field(description="the period's lost calls by cause (null when they cannot be "
                                                       "priced), adding up to the lost calls")
    lost: Table | None = Field(description="per interval: the lost calls by cause and Erlang A's modelled loss")
    lost_by_hour: Table | None = Field(description="lost calls per hour of the day, most first")
    callbacks: CallbacksOut | None = Field(default=None, description="the lost callers called back in the room the "
                                           "people on the phones had (null when callbacks are off, or the lost calls "
                                           "or the staffing are not known)")


class MorningOut(BaseModel):
    """The morning meeting's sheet (晨会) of a day."""

    site_id: int
    day: dt.date
    lines: list[str] = Field(description="the sheet in words, as `shiftcast report --morning` prints it")
    notes: list[str]
    yesterday: ReportTotals | None = Field(description="the day before summed (null without its actuals)")
    airings: Table = Field(description="today's airings: start, channel, product, predicted calls")
    peaks: Table = Field(description="today's busiest intervals: calls expected (upper bound), agents needed and "
                                     "rostered on the phones")
    shifts: Table = Field(description="who works today: shift, group, team, employee_id, name, role, lunch_start")
