"""The planning rules: open hours, shift templates, rest rules, service targets, objective weights and
calendar overrides, with their defaults; reading them from TOML and writing them back.

Every default is written here and nowhere else. The defaults are the TV-shopping call center Shiftcast
was built for: open 08:00–18:00, an early and a late shift with a one-hour unpaid lunch, one rest day
a week, a leader on every shift, 80 % of calls answered within 20 s. A rules TOML file overrides any
subset of them (`load_rules`, `rules_from_toml`); `rules_to_toml` writes a file that reads back the same.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import holidays as holiday_package

from core.errors import DataError
from core.festivals import FESTIVAL_KINDS, festival_named

LEADER_ROLES = ("group_leader", "team_leader")
ROLES = ("agent", "group_leader", "team_leader", "supervisor")
# Each role's names (zh, en): the one table of them. The exports write these words, and the staff file
# reads them back as the role, so an exported list chains into the next plan.
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "agent": ("话务员", "Agent"),
    "group_leader": ("组长", "Group leader"),
    "team_leader": ("队长", "Team leader"),
    "supervisor": ("主管", "Supervisor"),
}
ALLOWED_INTERVALS = (15, 30, 60)
# The legal standard month: 40 h a week, 52 weeks over 12 months less 11 public holidays
# (人社部: 21.75 paid days; 20.83 working days × 8 h = 166.64 h).
LEGAL_MONTHLY_HOURS = 166.64


MINUTES_A_DAY = 1440


def minutes_of(text: str) -> int:
    """'08:30' -> 510; '24:00', the end of the day (a close_time or a shift's end), -> 1440."""
    if text == "24:00":
        return MINUTES_A_DAY
    t = dt.time.fromisoformat(text)
    return t.hour * 60 + t.minute


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Span:
    """Minutes after midnight of a `start` and `end` given as HH:MM."""

    start: str
    end: str

    @property
    def start_minute(self) -> int:
        return minutes_of(self.start)

    @property
    def end_minute(self) -> int:
        return minutes_of(self.end)


@dataclass(frozen=True)
class ShiftTemplate(_Span):
    """One shift: its code, names, hours and where its unpaid lunch may fall."""

    code: str
    name_zh: str
    name_en: str
    start: str
    end: str
    unpaid_break_minutes: int = 60
    lunch_earliest: str = "11:00"
    lunch_latest_end: str = "14:00"
    not_followed_by: tuple[str, ...] = ()  # shift codes nobody may work the day after this shift

    @property
    def end_minute(self) -> int:
        """Minutes after the midnight the shift starts from: an `end` at or before `start` is the next day's,
        so 22:00–06:00 ends at 1800."""
        end = minutes_of(self.end)
        return end + MINUTES_A_DAY if end <= self.start_minute else end

    @property
    def overnight(self) -> bool:
        """Whether the shift works past midnight into the next day's grid."""
        return self.end_minute > MINUTES_A_DAY

    def minute_in_shift(self, clock: str) -> int:
        """A clock time inside the shift as minutes after the midnight it starts from: times before its
        start are the next day's (a night shift's 02:00 lunch is 1560)."""
        m = minutes_of(clock)
        return m + MINUTES_A_DAY if self.overnight and m < self.start_minute else m

    @property
    def lunch_window_minutes(self) -> tuple[int, int]:
        """The lunch window as minutes after the midnight the shift starts from."""
        return self.minute_in_shift(self.lunch_earliest), self.minute_in_shift(self.lunch_latest_end)

    @property
    def end_text(self) -> str:
        """'17:00', or '06:00(+1)' for a shift that ends the next day."""
        return self.end + ("(+1)" if minutes_of(self.end) <= self.start_minute else "")

    @property
    def hours_text(self) -> str:
        """'08:00–17:00', or '22:00–06:00(+1)' for a shift that ends the next day."""
        return f"{self.start}–{self.end_text}"

    @property
    def paid_hours(self) -> float:
        return (self.end_minute - self.start_minute - self.unpaid_break_minutes) / 60


DEFAULT_SHIFTS = (
    ShiftTemplate("E", "早班", "Early", "08:00", "17:00", 60, "11:00", "14:00"),
    ShiftTemplate("L", "晚班", "Late", "10:00", "18:00", 60, "12:00", "15:00"),
)


@dataclass(frozen=True)
class ShiftCover:
    """The people wanted on one shift each day (the [shift_cover.CODE] table): a count per weekday, Monday
    first, and the objective's cost per person short of it and per person beyond it, each day."""

    code: str
    wanted: tuple[int, ...]  # seven counts, Monday..Sunday
    under_weight: int = 100
    over_weight: int = 1


@dataclass(frozen=True)
class ServiceTargets:
    """What the callers must get: service level, speed of answer, occupancy, abandonment."""

    service_level: float = 0.80  # share of calls answered within answer_within_s
    answer_within_s: float = 20.0
    max_asa_s: float | None = None  # average speed of answer cap, seconds; None = no cap
    max_occupancy: float = 0.85
    shrinkage: float = 0.30  # share of paid time not on the phones (meetings, breaks, training)
    patience_s: float | None = 90.0  # mean seconds before a caller hangs up (Erlang A); None = Erlang C only
    max_abandon_rate: float | None = None  # with patience_s: cap on the share of callers lost
    aht_s: float = 240.0  # average handle time when the calls data carries none


@dataclass(frozen=True)
class Callbacks:
    """Abandoned callers called back: deferrable work with a deadline, worked where the phones leave room."""

    enabled: bool = True
    share_reached: float = 0.7  # share of abandoned callers reached when called back (the rest are lost)
    deadline_hours: float | None = None  # hours after the call was lost; None = by closing time the same day
    handle_s: float | None = None  # seconds per callback reached; None = service.aht_s

    def handle_seconds(self, service: ServiceTargets) -> float:
        return self.handle_s if self.handle_s is not None else service.aht_s


@dataclass(frozen=True)
class Weights:
    """Soft-goal weights of the roster objective (per agent-interval or per occurrence)."""

    shortfall: int = 10
    shortfall_airing: int = 50
    overstaffing: int = 1
    late_shift_fairness: int = 2
    weekend_rest_fairness: int = 2
    rest_request: int = 5
    work_request: int = 5
    shift_request: int = 3
    shift_refusal: int = 3
    rest_next_to_weekend: int = 1
    change_from_previous: int = 4
    # a published roster re-planned from a day on (mid-month): people have planned around their days
    change_mid_month: int = 100


@dataclass(frozen=True)
class RequestRules:
    """How agents' requests for a day off, a shift or a swap are decided (the [requests] table).

    A request for a day off (leave or a rest day) counts against its day's allowances: the group leader
    decides up to `group_days_off_per_day` of the group's on a day, the team leader up to
    `team_days_off_per_day` of the team's, the supervisor beyond. A request made at least `notice_days`
    ahead, within the group's allowance, on no blackout day and that keeps every interval it touches at the
    service target is approved without waiting (when `auto_approve`); the others wait for their leader, and
    a blackout day's for the supervisor.
    """

    group_days_off_per_day: int = 2
    team_days_off_per_day: int = 5
    notice_days: int = 3
    auto_approve: bool = True
    blackout_days: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class CalendarOverride:
    """A day the user declares a holiday or a (make-up) workday, overriding the holiday package."""

    date: dt.date
    kind: str  # "holiday" or "workday"
    name: str = ""
    festival: str = ""  # a kind of FESTIVALS, given or read from the name; "" for other holidays


@dataclass(frozen=True)
class HoursWithoutHistory(_Span):
    """Open hours the call history does not cover, with the calls expected in them: `share` of each day's
    calls in the hours the history covers, spread evenly over the intervals from `start` to `end`."""

    start: str
    end: str
    share: float


# Weekday names a contract's `days_off` reads (Monday = 0, as datetime's weekday()).
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_WORDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ShiftCount(NamedTuple):
    """A number of shifts of one type (a contract's `min_shifts` or `max_shifts` entry)."""

    code: str
    count: int


@dataclass(frozen=True)
class Contract:
    """A named set of person rules ([contracts.NAME]) for the staff whose `contract` column names it; a key
    left out (None) keeps the global rule of the same name."""

    name: str
    # days off come at least this many together (a run of days off touching the horizon's edge may be shorter)
    min_days_off_in_a_row: int | None = None
    # weekends (Saturday and Sunday) worked at most, a weekend counting as worked when either day is
    max_weekends_worked: int | None = None
    max_consecutive_work_days: int | None = None
    # work days come at least this many together (a run touching the horizon's edge may be shorter)
    min_consecutive_work_days: int | None = None
    days_off: tuple[int, ...] = ()  # weekdays always off, Monday = 0
    # paid minutes over the horizon planned, at least and at most (in place of the monthly paid-hour keys)
    min_minutes: int | None = None
    max_minutes: int | None = None
    # shifts of each type worked over the horizon, at least and at most (scheduler.rules.shifts_of_type)
    min_shifts: tuple[ShiftCount, ...] = ()
    max_shifts: tuple[ShiftCount, ...] = ()

    @property
    def bounds_minutes(self) -> bool:
        """Whether the contract bounds its people's paid minutes (which makes their weekly rest days a least count)."""
        return self.min_minutes is not None or self.max_minutes is not None


# The keys a contract may hold; `name` is the table's.
CONTRACT_KEYS = tuple(f.name for f in dataclasses.fields(Contract) if f.name != "name")


@dataclass(frozen=True)
class Rules:
    interval_minutes: int = 15
    open_time: str = "08:00"
    close_time: str = "18:00"
    shifts: tuple[ShiftTemplate, ...] = DEFAULT_SHIFTS
    rest_days_per_week: int = 1
    max_consecutive_work_days: int = 6
    min_rest_hours_between_shifts: float = 0.0  # from a shift's end to the next day's shift's start
    week_starts_on: int = 0  # 0 = Monday, as ISO weeks
    leaders_per_shift: int = 1
    leader_roles: tuple[str, ...] = LEADER_ROLES
    monthly_paid_hours_cap_enabled: bool = False
    monthly_paid_hours_cap: float = 176.0
    # Paid hours each person keeps in a month at least; above 0, a person may rest more days than the
    # weekly count (where demand is low, e.g. a festival) while the month keeps these hours. 0 keeps the
    # weekly rest days exact.
    monthly_paid_hours_min: float = 0.0
    legal_monthly_hours: float = LEGAL_MONTHLY_HOURS
    # Minutes after an airing's start kept free of lunches and weighted most for coverage: the sample's
    # response brings ~96 % of its calls within 30 minutes.
    ad_response_window_minutes: int = 30
    # At most this share of a shift's people on the phones at lunch at the same time, so the floor is
    # never emptied for an hour; when airings leave too few lunch hours free, the rest lunch in airings.
    lunch_stagger_share: float = 0.5
    service: ServiceTargets = field(default_factory=ServiceTargets)
    callbacks: Callbacks = field(default_factory=Callbacks)
    weights: Weights = field(default_factory=Weights)
    requests: RequestRules = field(default_factory=RequestRules)
    calendar: tuple[CalendarOverride, ...] = ()
    # Whose public holidays the forecast models: "CN" from chinese_calendar (with make-up workdays),
    # any other ISO 3166 code from the holidays package.
    country: str = "CN"
    hours_without_history: tuple[HoursWithoutHistory, ...] = ()
    # People wanted per shift and weekday (scheduler.rules.shift_cover); none by default
    shift_cover: tuple[ShiftCover, ...] = ()
    # Attendance (clock records against the roster): a clock-in later than this many minutes after the
    # shift's start is a late arrival, and a clock-out this many minutes before its end an early departure
    # (both counted from the shift's start or end); a clock-out at least `overtime_after_minutes` past
    # the end is overtime, counted from the end.
    late_grace_minutes: int = 5
    early_departure_grace_minutes: int = 5
    overtime_after_minutes: int = 15
    contracts: tuple[Contract, ...] = ()

    @property
    def open_minute(self) -> int:
        return minutes_of(self.open_time)

    @property
    def close_minute(self) -> int:
        return minutes_of(self.close_time)

    @property
    def open_round_the_clock(self) -> bool:
        """Open 00:00–24:00: one day's grid runs on into the next, so shifts may cross midnight."""
        return self.open_minute == 0 and self.close_minute == MINUTES_A_DAY

    @property
    def intervals_per_day(self) -> int:
        return (self.close_minute - self.open_minute) // self.interval_minutes

    @property
    def shift_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.shifts)

    @property
    def late_shift_codes(self) -> tuple[str, ...]:
        """The late shifts, which the late-shift fairness rule shares out: those starting after the earliest."""
        first = min(s.start_minute for s in self.shifts)
        return tuple(s.code for s in self.shifts if s.start_minute > first)

    def shift(self, code: str) -> ShiftTemplate:
        for s in self.shifts:
            if s.code == code:
                return s
        raise KeyError(code)

    @property
    def stagger_fraction(self) -> tuple[int, int]:
        """The lunch stagger share as a fraction a / b, so the cap ceil(a·n / b) is exact integer arithmetic."""
        f = Fraction(self.lunch_stagger_share).limit_denominator(1000)
        return max(f.numerator, 1), f.denominator

    def lunches_fit(self, separate_hours: int) -> bool:
        """Whether lunch hours that do not overlap, `separate_hours` of them, hold a whole shift's lunches
        when at most the stagger share of it may be at lunch at the same time."""
        a, b = self.stagger_fraction
        return separate_hours * a >= b


DEFAULT_RULES = Rules()

_TABLES = ("shifts", "service", "callbacks", "weights", "requests", "calendar", "hours_without_history", "shift_cover",
           "contracts")
_TOP_LEVEL_KEYS = {f.name for f in dataclasses.fields(Rules) if f.name not in _TABLES}


def _check_keys(source: str, section: str, given: dict, allowed: set[str]) -> None:
    for key in given:
        if key not in allowed:
            raise DataError(
                source,
                f"unknown key '{key}' in {section}; expected one of: {', '.join(sorted(allowed))}",
                column=key,
            )


def _field_names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _typed(source: str, section: str, key: str, value: Any, default: Any) -> Any:
    """Check a TOML value against the type of its default; ints are fine where floats are."""
    expected: type | tuple[type, ...]
    if isinstance(default, bool):
        expected = bool
    elif isinstance(default, float) or default is None:
        expected = (int, float)
    elif isinstance(default, int):
        expected = int
    elif isinstance(default, str):
        expected = str
    else:
        return value
    if isinstance(value, bool) and expected is not bool:
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        want = {bool: "true or false", int: "a whole number", str: "a text in quotes"}.get(
            expected if isinstance(expected, type) else float, "a number"
        )
        raise DataError(source, f"{section}.{key} must be {want}, got {value!r}", column=key)
    return float(value) if expected == (int, float) else value


def _time_text(source: str, section: str, key: str, value: str) -> str:
    try:
        minutes_of(value)
    except ValueError:
        raise DataError(source, f"{section}.{key} must be a time like '08:00', got {value!r}", column=key) from None
    return value


def _in_range(source: str, what: str, value: float | None, low: float, high: float, *, open_low=False, open_high=False) -> None:
    if value is None:
        return
    too_low = value <= low if open_low else value < low
    too_high = value >= high if open_high else value > high
    if too_low or too_high:
        lo = f"{'>' if open_low else '≥'} {low:g}"
        hi = f"{'<' if open_high else '≤'} {high:g}"
        raise DataError(source, f"{what} must be {lo} and {hi}, got {value:g}", column=what.split(".")[-1])


def _parse_shift(source: str, i: int, raw: Any) -> ShiftTemplate:
    section = f"shifts[{i + 1}]"
    if not isinstance(raw, dict):
        raise DataError(source, f"{section} must be a [[shifts]] table with code, start and end, got {raw!r}",
                        column="shifts")
    allowed = _field_names(ShiftTemplate) | {"lunch_window"}
    _check_keys(source, section, raw, allowed)
    for key in ("code", "start", "end"):
        if key not in raw:
            raise DataError(source, f"{section} needs '{key}'", column=key)
    values = {}
    defaults = ShiftTemplate("X", "", "", "00:00", "00:00")
    for key, value in raw.items():
        if key == "lunch_window":
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
                raise DataError(source, f"{section}.lunch_window must be two times like [\"11:00\", \"14:00\"]", column=key)
            values["lunch_earliest"] = _time_text(source, section, key, value[0])
            values["lunch_latest_end"] = _time_text(source, section, key, value[1])
            continue
        if key == "not_followed_by":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise DataError(source, f"{section}.not_followed_by must be a list of shift codes like [\"E\"]",
                                column=key)
            values[key] = tuple(value)
            continue
        values[key] = _typed(source, section, key, value, getattr(defaults, key))
        if key in ("start", "end", "lunch_earliest", "lunch_latest_end"):
            _time_text(source, section, key, value)
    values.setdefault("name_zh", values["code"])
    values.setdefault("name_en", values["code"])
    shift = ShiftTemplate(**values)
    if shift.start == "24:00":
        raise DataError(source, f"{section} (shift '{shift.code}') starts at 24:00: give 00:00", column="start")
    if not 0 <= shift.unpaid_break_minutes < shift.end_minute - shift.start_minute:
        raise DataError(source, f"{section}.unpaid_break_minutes must be ≥ 0 and shorter than the shift", column="unpaid_break_minutes")
    lunch_lo, lunch_hi = shift.lunch_window_minutes
    if shift.unpaid_break_minutes and not (
        shift.start_minute <= lunch_lo and lunch_hi <= shift.end_minute and lunch_hi - lunch_lo >= shift.unpaid_break_minutes
    ):
        raise DataError(
            source,
            f"{section}.lunch_window {shift.lunch_earliest}–{shift.lunch_latest_end} must lie inside the shift "
            f"{shift.hours_text} and be at least {shift.unpaid_break_minutes} minutes long"
            + (" (an end at or before the start ends the next day)" if shift.overnight else ""),
            column="lunch_window",
        )
    return shift


def _parse_section(source: str, section: str, raw: Any, cls):
    if not isinstance(raw, dict):
        raise DataError(source, f"[{section}] must be a table")
    _check_keys(source, f"[{section}]", raw, _field_names(cls))
    defaults = cls()
    return cls(**{k: _typed(source, section, k, v, getattr(defaults, k)) for k, v in raw.items()})


def rules_from_dict(raw: dict, source: str = "rules") -> Rules:
    """Build and check Rules from a parsed TOML table; missing keys keep their defaults."""
    _check_keys(source, "the rules file", raw, _TOP_LEVEL_KEYS | set(_TABLES))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TOP_LEVEL_KEYS:
            default = getattr(DEFAULT_RULES, key)
            if isinstance(default, tuple):
                if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise DataError(source, f"{key} must be a list of texts", column=key)
                values[key] = tuple(value)
            else:
                values[key] = _typed(source, "rules", key, value, default)
    if "shifts" in raw:
        if not isinstance(raw["shifts"], list) or not raw["shifts"]:
            raise DataError(source, "shifts must be one or more [[shifts]] tables", column="shifts")
        values["shifts"] = tuple(_parse_shift(source, i, s) for i, s in enumerate(raw["shifts"]))
        codes = [s.code for s in values["shifts"]]
        for reserved in ("OFF", "LEAVE"):
            if reserved in codes:
                raise DataError(source, f"shift code '{reserved}' is reserved for rest and leave", column="code")
        if len(set(codes)) != len(codes):
            raise DataError(source, f"shift codes must be unique, got {codes}", column="code")
    if "service" in raw:
        values["service"] = _parse_section(source, "service", raw["service"], ServiceTargets)
    if "callbacks" in raw:
        values["callbacks"] = _parse_section(source, "callbacks", raw["callbacks"], Callbacks)
    if "weights" in raw:
        values["weights"] = _parse_section(source, "weights", raw["weights"], Weights)
        for k, v in dataclasses.asdict(values["weights"]).items():
            if v < 0:
                raise DataError(source, f"weights.{k} must be ≥ 0, got {v}", column=k)
    if "requests" in raw:
        values["requests"] = _parse_requests(source, raw["requests"])
    if "calendar" in raw:
        if not isinstance(raw["calendar"], list):
            raise DataError(source, f"calendar must be [[calendar]] tables with date, kind and name, got {raw['calendar']!r}",
                            column="calendar")
        values["calendar"] = tuple(_parse_override(source, i, c) for i, c in enumerate(raw["calendar"]))
    if "hours_without_history" in raw:
        values["hours_without_history"] = _parse_hours_without_history(source, raw["hours_without_history"])
    if "shift_cover" in raw:
        values["shift_cover"] = _parse_shift_cover(source, raw["shift_cover"])
    if "contracts" in raw:
        values["contracts"] = _parse_contracts(source, raw["contracts"])
    if "country" in values:
        values["country"] = values["country"].strip().upper()
    for key in ("open_time", "close_time"):
        if key in values:
            _time_text(source, "rules", key, values[key])
    rules = Rules(**values)
    _check_rules(source, rules)
    return rules


def _parse_requests(source: str, raw: Any) -> RequestRules:
    if not isinstance(raw, dict):
        raise DataError(source, "[requests] must be a table")
    days = raw.get("blackout_days", [])
    given = {k: v for k, v in raw.items() if k != "blackout_days"}
    parsed = _parse_section(source, "requests", given, RequestRules)
    if not isinstance(days, list):
        raise DataError(source, f"requests.blackout_days must be a list of dates like [2027-02-16], got {days!r}",
                        column="blackout_days")
    blackout = []
    for day in days:
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                pass
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise DataError(source, f"requests.blackout_days must hold dates like 2027-02-16, got {day!r}",
                            column="blackout_days")
        blackout.append(day)
    for k in ("group_days_off_per_day", "team_days_off_per_day", "notice_days"):
        if getattr(parsed, k) < 0:
            raise DataError(source, f"requests.{k} must be ≥ 0, got {getattr(parsed, k)}", column=k)
    return dataclasses.replace(parsed, blackout_days=tuple(sorted(set(blackout))))


def _parse_override(source: str, i: int, raw: Any) -> CalendarOverride:
    section = f"calendar[{i + 1}]"
    if not isinstance(raw, dict):
        raise DataError(source, f"{section} must be a table with date, kind and name")
    _check_keys(source, section, raw, {"date", "kind", "name", "festival"})
    day = raw.get("date")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DataError(source, f"{section}.date must be a date like 2027-02-06", column="date")
    kind = raw.get("kind")
    if kind not in ("holiday", "workday"):
        raise DataError(source, f"{section}.kind must be 'holiday' or 'workday', got {kind!r}", column="kind")
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise DataError(source, f"{section}.name must be a text in quotes, got {name!r}", column="name")
    named = festival_named(name) if name else None
    festival = raw.get("festival")
    if festival is None:
        return CalendarOverride(day, kind, name, named.kind if named else "")
    if festival not in FESTIVAL_KINDS:
        raise DataError(source, f"{section}.festival must be one of {', '.join(FESTIVAL_KINDS)}, got {festival!r}",
                        column="festival")
    if named is not None and named.kind != festival:
        raise DataError(source, f"{section}: name {name!r} is the festival '{named.kind}', but festival is {festival!r}",
                        column="festival")
    return CalendarOverride(day, kind, name, festival)


def _parse_contracts(source: str, raw: Any) -> tuple[Contract, ...]:
    if not isinstance(raw, dict):
        raise DataError(source, "contracts must be [contracts.NAME] tables (e.g. [contracts.part_time])",
                        column="contracts")
    out = []
    for name, entry in raw.items():
        section = f"contracts.{name}"
        if not isinstance(entry, dict):
            raise DataError(source, f"{section} must be a table of person rules", column=name)
        _check_keys(source, f"[{section}]", entry, set(CONTRACT_KEYS))
        values: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "days_off":
                if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise DataError(source, f"{section}.days_off must be a list of weekdays like [\"Sat\", \"Sun\"]",
                                    column=key)
                days = []
                names = [w.lower() for w in WEEKDAY_NAMES]
                for v in value:
                    word = v.strip().lower()
                    # 'Sat', 'sat' and 'Saturday' all read as Saturday
                    day = next((i for i, n in enumerate(names) if word in (n, _WEEKDAY_WORDS[i])), None)
                    if day is None:
                        raise DataError(source, f"{section}.days_off: {v!r} is not a weekday (one of "
                                        f"{', '.join(WEEKDAY_NAMES)})", column=key)
                    days.append(day)
                if len(set(days)) == 7:
                    raise DataError(source, f"{section}.days_off names every weekday: nobody on it could work a "
                                    "day", column=key)
                values[key] = tuple(sorted(set(days)))
                continue
            if key in ("min_shifts", "max_shifts"):
                values[key] = _shift_counts(source, section, key, value)
                continue
            values[key] = _typed(source, section, key, value, 0)
        contract = Contract(name, **values)
        _check_contract(source, section, contract)
        out.append(contract)
    return tuple(out)


def _shift_counts(source: str, section: str, key: str, value: Any) -> tuple[ShiftCount, ...]:
    """A table of shift code -> count, like { L = 9 }; the codes are checked against the shifts later."""
    if not isinstance(value, dict):
        raise DataError(source, f"{section}.{key} must be a table of shift codes and counts like {{ L = 9 }}, "
                        f"got {value!r}", column=key)
    out = []
    for code, count in value.items():
        _typed(source, f"{section}.{key}", code, count, 0)
        _in_range(source, f"{section}.{key}.{code}", count, 0, 366)
        out.append(ShiftCount(str(code), int(count)))
    return tuple(out)


def _check_contract(source: str, section: str, c: Contract) -> None:
    """Each bound of a contract in range."""
    _in_range(source, f"{section}.min_days_off_in_a_row", c.min_days_off_in_a_row, 1, 7)
    _in_range(source, f"{section}.max_weekends_worked", c.max_weekends_worked, 0, 6)
    _in_range(source, f"{section}.max_consecutive_work_days", c.max_consecutive_work_days, 1, 13)
    _in_range(source, f"{section}.min_consecutive_work_days", c.min_consecutive_work_days, 1, 13)
    _in_range(source, f"{section}.min_minutes", c.min_minutes, 0, 744 * 60)
    _in_range(source, f"{section}.max_minutes", c.max_minutes, 0, 744 * 60, open_low=True)
    if c.min_minutes is not None and c.max_minutes is not None and c.min_minutes > c.max_minutes:
        raise DataError(source, f"{section}.min_minutes {c.min_minutes} is above max_minutes {c.max_minutes}",
                        column="min_minutes")
    most = dict(c.max_shifts)
    for code, least in c.min_shifts:
        if code in most and least > most[code]:
            raise DataError(source, f"{section}.min_shifts.{code} {least} is above max_shifts.{code} {most[code]}",
                            column="min_shifts")


def _check_contracts_hold(source: str, r: Rules) -> None:
    """No contract's least above its most, and none that cannot hold beside the weekly rest days when those
    are exact (neither the paid-hour cap nor the minimum is on, nor the contract's paid minutes bounded): its days off or its runs of days off would
    take more of a week."""
    for c in r.contracts:
        for key in ("min_shifts", "max_shifts"):
            for code, _ in getattr(c, key):
                if code not in r.shift_codes:
                    raise DataError(source, f"contracts.{c.name}.{key} names '{code}', which is not a shift "
                                    f"(shifts: {', '.join(r.shift_codes)})", column=key)
        most = c.max_consecutive_work_days or r.max_consecutive_work_days
        if c.min_consecutive_work_days and c.min_consecutive_work_days > most:
            raise DataError(source, f"contracts.{c.name}.min_consecutive_work_days {c.min_consecutive_work_days} is "
                            f"above the most work days in a row, {most} (max_consecutive_work_days)",
                            column="min_consecutive_work_days")
    if r.monthly_paid_hours_cap_enabled or r.monthly_paid_hours_min > 0:
        return
    week = r.rest_days_per_week
    for c in r.contracts:
        if c.bounds_minutes:
            continue  # their weekly rest days are a least count
        if len(c.days_off) > week:
            raise DataError(source, f"contracts.{c.name}.days_off gives {len(c.days_off)} days off a week, but "
                            f"rest_days_per_week is {week} exactly (it becomes a least count with "
                            "monthly_paid_hours_min or the cap)", column="days_off")
        if c.min_days_off_in_a_row and c.min_days_off_in_a_row > max(week, 1):
            raise DataError(source, f"contracts.{c.name}.min_days_off_in_a_row {c.min_days_off_in_a_row} cannot "
                            f"hold with rest_days_per_week {week} exactly: give that many rest days a week (or "
                            "make the weekly rest days a least count with monthly_paid_hours_min or the cap)",
                            column="min_days_off_in_a_row")


def _parse_hours_without_history(source: str, raw: Any) -> tuple[HoursWithoutHistory, ...]:
    if not isinstance(raw, list):
        raise DataError(source, "hours_without_history must be one or more [[hours_without_history]] tables",
                        column="hours_without_history")
    out = []
    for i, entry in enumerate(raw):
        section = f"hours_without_history[{i + 1}]"
        if not isinstance(entry, dict):
            raise DataError(source, f"{section} must be a table with start, end and share")
        _check_keys(source, section, entry, {"start", "end", "share"})
        for key in ("start", "end", "share"):
            if key not in entry:
                raise DataError(source, f"{section} needs '{key}'", column=key)
        start = _time_text(source, section, "start", _typed(source, section, "start", entry["start"], ""))
        end = _time_text(source, section, "end", _typed(source, section, "end", entry["end"], ""))
        share = _typed(source, section, "share", entry["share"], 0.0)
        _in_range(source, f"{section}.share", share, 0, 10, open_low=True)
        out.append(HoursWithoutHistory(start, end, share))
    return tuple(out)


def _whole_number(source: str, key: str, value: Any) -> int:
    """A count or weight ≥ 0 of the shift cover, or a DataError naming its key."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(source, f"{key} must be a whole number, got {value!r}", column=key.split(".")[-1])
    if value < 0:
        raise DataError(source, f"{key} must be ≥ 0, got {value}", column=key.split(".")[-1])
    return value


def _parse_shift_cover(source: str, raw: Any) -> tuple[ShiftCover, ...]:
    if not isinstance(raw, dict):
        raise DataError(source, "shift_cover must be one [shift_cover.CODE] table per shift, with wanted = "
                        "[Monday, ..., Sunday] or one number for every day", column="shift_cover")
    out = []
    for code, entry in raw.items():
        section = f"shift_cover.{code}"
        if not isinstance(entry, dict):
            raise DataError(source, f"[{section}] must be a table with wanted, under_weight and over_weight",
                            column="shift_cover")
        _check_keys(source, f"[{section}]", entry, {"wanted", "under_weight", "over_weight"})
        if "wanted" not in entry:
            raise DataError(source, f"[{section}] needs 'wanted': one number for every day or seven, Monday to Sunday",
                            column="wanted")
        wanted = entry["wanted"]
        if isinstance(wanted, list):
            if len(wanted) != 7:
                raise DataError(source, f"{section}.wanted must list 7 numbers, Monday to Sunday, got {len(wanted)}",
                                column="wanted")
            counts = tuple(_whole_number(source, f"{section}.wanted", v) for v in wanted)
        else:
            counts = (_whole_number(source, f"{section}.wanted", wanted),) * 7
        weights = {k: _whole_number(source, f"{section}.{k}", entry[k])
                   for k in ("under_weight", "over_weight") if k in entry}
        out.append(ShiftCover(code, counts, **weights))
    return tuple(out)


def _check_hours_without_history(source: str, r: Rules) -> None:
    """Each window on the grid, inside the open hours and apart from the others."""
    taken: list[HoursWithoutHistory] = []
    for i, h in enumerate(r.hours_without_history):
        section = f"hours_without_history[{i + 1}]"
        if h.end_minute <= h.start_minute:
            raise DataError(source, f"{section} ends at {h.end}, not after it starts at {h.start}", column="end")
        if h.start_minute < r.open_minute or h.end_minute > r.close_minute:
            raise DataError(source, f"{section} {h.start}–{h.end} falls outside the open hours {r.open_time}–{r.close_time}",
                            column="start")
        if h.start_minute % r.interval_minutes or h.end_minute % r.interval_minutes:
            raise DataError(source, f"{section} must start and end on the {r.interval_minutes}-minute grid", column="start")
        for other in taken:
            if h.start_minute < other.end_minute and other.start_minute < h.end_minute:
                raise DataError(source, f"{section} {h.start}–{h.end} overlaps {other.start}–{other.end}", column="start")
        taken.append(h)


def _check_rules(source: str, r: Rules) -> None:
    if r.interval_minutes not in ALLOWED_INTERVALS:
        raise DataError(source, f"interval_minutes must be one of {ALLOWED_INTERVALS}, got {r.interval_minutes}", column="interval_minutes")
    if r.close_minute <= r.open_minute:
        raise DataError(source, f"close_time {r.close_time} must be after open_time {r.open_time}", column="close_time")
    for t, name in ((r.open_minute, "open_time"), (r.close_minute, "close_time")):
        if t % r.interval_minutes:
            raise DataError(source, f"{name} must fall on the {r.interval_minutes}-minute grid", column=name)
    for s in r.shifts:
        if s.overnight and not r.open_round_the_clock:
            raise DataError(source, f"shift '{s.code}' {s.hours_text} ends the next day: a shift past midnight needs "
                            f"the center open round the clock (open_time = \"00:00\", close_time = \"24:00\"), "
                            f"the open hours are {r.open_time}–{r.close_time}", column="shifts")
        if s.start_minute < r.open_minute or min(s.end_minute, MINUTES_A_DAY) > r.close_minute:
            raise DataError(source, f"shift '{s.code}' {s.hours_text} falls outside the open hours {r.open_time}–{r.close_time}", column="shifts")
        if s.start_minute % r.interval_minutes or s.end_minute % r.interval_minutes:
            raise DataError(source, f"shift '{s.code}' must start and end on the {r.interval_minutes}-minute grid", column="shifts")
    # China's calendar is chinese_calendar's; only another country needs the holidays package's list (slow to build).
    if r.country != DEFAULT_RULES.country and r.country not in holiday_package.list_supported_countries():
        raise DataError(source, f"country: unknown country code {r.country!r}; give a two-letter ISO 3166 code "
                        "the holidays package knows, such as CN, GB, US or DE", column="country")
    _check_hours_without_history(source, r)
    _in_range(source, "rest_days_per_week", r.rest_days_per_week, 0, 6)
    _in_range(source, "max_consecutive_work_days", r.max_consecutive_work_days, 1, 13)
    _in_range(source, "min_rest_hours_between_shifts", r.min_rest_hours_between_shifts, 0, 24)
    for s in r.shifts:
        for code in s.not_followed_by:
            if code not in r.shift_codes:
                raise DataError(source, f"shift '{s.code}': not_followed_by names '{code}', which is not a shift "
                                f"(shifts: {', '.join(r.shift_codes)})", column="not_followed_by")
    for cover in r.shift_cover:
        if cover.code not in r.shift_codes:
            raise DataError(source, f"[shift_cover.{cover.code}] names '{cover.code}', which is not a shift "
                            f"(shifts: {', '.join(r.shift_codes)})", column="shift_cover")
    _in_range(source, "week_starts_on", r.week_starts_on, 0, 6)
    _check_contracts_hold(source, r)
    _in_range(source, "leaders_per_shift", r.leaders_per_shift, 0, 50)
    _in_range(source, "monthly_paid_hours_cap", r.monthly_paid_hours_cap, 0, 744, open_low=True)
    _in_range(source, "monthly_paid_hours_min", r.monthly_paid_hours_min, 0, 744)
    if r.monthly_paid_hours_cap_enabled and r.monthly_paid_hours_min > r.monthly_paid_hours_cap:
        raise DataError(source, f"monthly_paid_hours_min {r.monthly_paid_hours_min:g} is above the cap "
                        f"monthly_paid_hours_cap {r.monthly_paid_hours_cap:g}", column="monthly_paid_hours_min")
    _in_range(source, "ad_response_window_minutes", r.ad_response_window_minutes, 0, 360)
    _in_range(source, "lunch_stagger_share", r.lunch_stagger_share, 0, 1, open_low=True)
    for key in ("late_grace_minutes", "early_departure_grace_minutes", "overtime_after_minutes"):
        _in_range(source, key, getattr(r, key), 0, 240)
    for s in r.shifts:
        lunch_lo, lunch_hi = s.lunch_window_minutes
        hours = (lunch_hi - lunch_lo) // max(s.unpaid_break_minutes, 1)
        if s.unpaid_break_minutes and not r.lunches_fit(hours):
            raise DataError(source, f"lunch_stagger_share {r.lunch_stagger_share:g} leaves no room for every lunch: shift "
                            f"'{s.code}' has {hours} separate lunch breaks in its window {s.lunch_earliest}–{s.lunch_latest_end}",
                            column="lunch_stagger_share")
    for role in r.leader_roles:
        if role not in ROLES:
            raise DataError(source, f"leader_roles: unknown role '{role}'; roles are {', '.join(ROLES)}", column="leader_roles")
    t = r.service
    _in_range(source, "service.service_level", t.service_level, 0, 1, open_low=True, open_high=True)
    _in_range(source, "service.answer_within_s", t.answer_within_s, 0, 3600)
    _in_range(source, "service.max_asa_s", t.max_asa_s, 0, 3600, open_low=True)
    _in_range(source, "service.max_occupancy", t.max_occupancy, 0, 1, open_low=True)
    _in_range(source, "service.shrinkage", t.shrinkage, 0, 1, open_high=True)
    _in_range(source, "service.patience_s", t.patience_s, 0, 86400, open_low=True)
    _in_range(source, "service.max_abandon_rate", t.max_abandon_rate, 0, 1, open_low=True, open_high=True)
    _in_range(source, "service.aht_s", t.aht_s, 0, 86400, open_low=True)
    c = r.callbacks
    _in_range(source, "callbacks.share_reached", c.share_reached, 0, 1, open_low=True)
    _in_range(source, "callbacks.deadline_hours", c.deadline_hours, 0, 168, open_low=True)
    _in_range(source, "callbacks.handle_s", c.handle_s, 0, 86400, open_low=True)
    if c.deadline_hours is not None and (c.deadline_hours * 60) % r.interval_minutes:
        raise DataError(source, f"callbacks.deadline_hours {c.deadline_hours:g} must be a whole number of the "
                        f"{r.interval_minutes}-minute intervals", column="deadline_hours")
    if t.max_abandon_rate is not None and t.patience_s is None:
        raise DataError(source, "service.max_abandon_rate needs service.patience_s (abandonment follows from patience)", column="max_abandon_rate")


def load_rules(path: str | Path | None) -> Rules:
    """Read a rules TOML file; None gives the defaults."""
    if path is None:
        return DEFAULT_RULES
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(str(path), f"cannot read the file ({exc.strerror})") from None
    return rules_from_toml(data, source=str(path))


def rules_from_toml(content: bytes, source: str = "rules") -> Rules:
    """Rules from the bytes of a TOML file (UTF-8, with or without a byte-order mark)."""
    try:
        raw = tomllib.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError(source, "is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(source, f"is not valid TOML: {exc}") from None
    return rules_from_dict(raw, source=source)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def rules_to_toml(rules: Rules = DEFAULT_RULES) -> str:
    """Write Rules as TOML that load_rules reads back to the same Rules (None fields are left out)."""
    lines = ["# Shiftcast planning rules. Every key is optional: a key left out keeps its default.", ""]
    for key in sorted(_TOP_LEVEL_KEYS, key=[f.name for f in dataclasses.fields(Rules)].index):
        lines.append(f"{key} = {_toml_value(getattr(rules, key))}")
    for s in rules.shifts:
        lines += ["", "[[shifts]]"]
        for f in dataclasses.fields(ShiftTemplate):
            if f.name in ("lunch_earliest", "lunch_latest_end"):
                continue
            lines.append(f"{f.name} = {_toml_value(getattr(s, f.name))}")
        lines.append(f"lunch_window = {_toml_value([s.lunch_earliest, s.lunch_latest_end])}")
    for section in ("service", "callbacks", "weights"):
        lines += ["", f"[{section}]"]
        for k, v in dataclasses.asdict(getattr(rules, section)).items():
            if v is not None:
                lines.append(f"{k} = {_toml_value(v)}")
    lines += ["", "[requests]"]
    for k, v in dataclasses.asdict(rules.requests).items():
        lines.append(f"{k} = [{', '.join(d.isoformat() for d in v)}]" if k == "blackout_days" else f"{k} = {_toml_value(v)}")
    for c in rules.calendar:
        lines += ["", "[[calendar]]", f"date = {c.date.isoformat()}", f"kind = {_toml_value(c.kind)}", f"name = {_toml_value(c.name)}"]
        if c.festival:
            lines.append(f"festival = {_toml_value(c.festival)}")
    for c in rules.contracts:
        lines += ["", f"[contracts.{_toml_value(c.name)}]"]
        for key in CONTRACT_KEYS:
            value = getattr(c, key)
            if key == "days_off" and value:
                lines.append(f"days_off = {_toml_value([WEEKDAY_NAMES[d] for d in value])}")
            elif key in ("min_shifts", "max_shifts") and value:
                counts = ", ".join(f"{_toml_value(code)} = {n}" for code, n in value)
                lines.append(f"{key} = {{ {counts} }}")
            elif key not in ("days_off", "min_shifts", "max_shifts") and value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
    for h in rules.hours_without_history:
        lines += ["", "[[hours_without_history]]", f"start = {_toml_value(h.start)}", f"end = {_toml_value(h.end)}",
                  f"share = {_toml_value(h.share)}"]
    for c in rules.shift_cover:
        lines += ["", f"[shift_cover.{c.code}]", f"wanted = {_toml_value(list(c.wanted))}",
                  f"under_weight = {c.under_weight}", f"over_weight = {c.over_weight}"]
    return "\n".join(lines) + "\n"
