"""An instance of the Curtois–Qu benchmark and its reader (the text format of sections: SECTION_HORIZON,
SECTION_SHIFTS, SECTION_STAFF, SECTION_DAYS_OFF, SECTION_SHIFT_ON_REQUESTS, SECTION_SHIFT_OFF_REQUESTS,
SECTION_COVER). Every horizon starts on a Monday; days are 0-based indexes."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import DataError

SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
            "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER")
REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    not_followed_by: tuple[str, ...]  # shifts that may not be worked the day after this one


@dataclass(frozen=True)
class Employee:
    id: str
    max_shifts: dict[str, int]  # shift id -> most of it in the horizon (absent: no limit)
    max_minutes: int
    min_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int
    days_off: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Request:
    """A wish of one employee for one day: to work `shift` (an on request) or not to (an off request)."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    shifts: tuple[Shift, ...]
    staff: tuple[Employee, ...]
    on_requests: tuple[Request, ...] = ()
    off_requests: tuple[Request, ...] = ()
    cover: tuple[Cover, ...] = ()
    shift_index: dict[str, int] = field(init=False, repr=False, compare=False)
    employee_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shift_index", {s.id: i for i, s in enumerate(self.shifts)})
        object.__setattr__(self, "employee_index", {e.id: i for i, e in enumerate(self.staff)})

    def weekends(self) -> list[tuple[int, ...]]:
        """The horizon's weekends as their days (Saturday, Sunday; a horizon may end on a Saturday)."""
        return [tuple(d for d in (sat, sat + 1) if d < self.days) for sat in range(5, self.days, 7)]

    def forbidden_successions(self) -> list[tuple[int, int]]:
        """(shift, next day's shift) index pairs that may not follow each other."""
        return [(i, self.shift_index[b]) for i, s in enumerate(self.shifts) for b in s.not_followed_by]


class _Lines:
    """The data lines of one section with their line numbers, for errors that name them."""

    def __init__(self, path: str, section: str):
        self.path, self.section = path, section
        self.rows: list[tuple[int, list[str]]] = []

    def error(self, line: int, message: str) -> DataError:
        return DataError(self.path, f"line {line} ({self.section}): {message}")

    def integer(self, line: int, text: str, what: str, least: int = 0) -> int:
        try:
            value = int(text)
        except ValueError:
            raise self.error(line, f"{what} must be a whole number, got {text!r}") from None
        if value < least:
            raise self.error(line, f"{what} must be at least {least}, got {value}")
        return value

    def fields(self, line: int, parts: list[str], n: int, names: str) -> list[str]:
        if len(parts) != n:
            raise self.error(line, f"expected {n} comma-separated fields ({names}), got {len(parts)}")
        return parts


def _sections(path: Path) -> dict[str, _Lines]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataError(name, f"cannot read the instance: {e.strerror}") from None
    sections: dict[str, _Lines] = {}
    current: _Lines | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise DataError(name, f"line {n}: unknown section {line!r} (known: {', '.join(SECTIONS)})")
            if line in sections:
                raise DataError(name, f"line {n}: section {line} appears twice")
            current = sections[line] = _Lines(name, line)
            continue
        if current is None:
            raise DataError(name, f"line {n}: data before the first SECTION_ line")
        current.rows.append((n, [p.strip() for p in line.split(",")]))
    missing = [s for s in REQUIRED if s not in sections]
    if missing:
        raise DataError(name, f"missing section(s) {', '.join(missing)}")
    return sections


def read_instance(path: Path | str) -> Instance:
    """The instance in `path`; a DataError naming the file and line for anything that does not fit."""
    path = Path(path)
    sections = _sections(path)
    horizon = sections["SECTION_HORIZON"]
    if len(horizon.rows) != 1 or len(horizon.rows[0][1]) != 1:
        raise DataError(str(path), "SECTION_HORIZON must hold one line with the number of days")
    days = horizon.integer(horizon.rows[0][0], horizon.rows[0][1][0], "the horizon", least=1)

    sec = sections["SECTION_SHIFTS"]
    shifts, follow_lines = [], []
    for n, parts in sec.rows:
        if len(parts) == 2:
            parts = [*parts, ""]
        sid, minutes, after = sec.fields(n, parts, 3, "ShiftID, minutes, shifts that cannot follow")
        if sid in {s.id for s in shifts}:
            raise sec.error(n, f"shift {sid!r} is defined twice")
        shifts.append(Shift(sid, sec.integer(n, minutes, f"shift {sid}'s length", least=1),
                            tuple(a.strip() for a in after.split("|") if a.strip())))
        follow_lines.append(n)
    known_shifts = {s.id for s in shifts}
    for s, n in zip(shifts, follow_lines):
        for b in s.not_followed_by:
            if b not in known_shifts:
                raise sec.error(n, f"shift {s.id} may not be followed by {b!r}, which is not a shift")

    def shift_of(lines: _Lines, n: int, sid: str) -> str:
        if sid not in known_shifts:
            raise lines.error(n, f"unknown shift {sid!r} (shifts: {', '.join(sorted(known_shifts))})")
        return sid

    def day_of(lines: _Lines, n: int, text: str) -> int:
        d = lines.integer(n, text, "the day", least=0)
        if d >= days:
            raise lines.error(n, f"day {d} is outside the horizon of {days} days (0 to {days - 1})")
        return d

    sec = sections["SECTION_STAFF"]
    staff: list[Employee] = []
    for n, parts in sec.rows:
        eid, most, max_min, min_min, max_cons, min_cons, min_off, max_we = sec.fields(
            n, parts, 8, "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
                         "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends")
        if eid in {e.id for e in staff}:
            raise sec.error(n, f"employee {eid!r} is listed twice")
        max_shifts = {}
        for item in filter(None, (p.strip() for p in most.split("|"))):
            sid, eq, count = item.partition("=")
            if not eq:
                raise sec.error(n, f"MaxShifts item {item!r} must read SHIFT=COUNT")
            max_shifts[shift_of(sec, n, sid.strip())] = sec.integer(n, count, f"max shifts of {sid}")
        e = Employee(eid, max_shifts, sec.integer(n, max_min, "MaxTotalMinutes"),
                     sec.integer(n, min_min, "MinTotalMinutes"), sec.integer(n, max_cons, "MaxConsecutiveShifts", 1),
                     sec.integer(n, min_cons, "MinConsecutiveShifts"), sec.integer(n, min_off, "MinConsecutiveDaysOff"),
                     sec.integer(n, max_we, "MaxWeekends"))
        if e.min_minutes > e.max_minutes:
            raise sec.error(n, f"employee {eid}: MinTotalMinutes {e.min_minutes} exceeds MaxTotalMinutes {e.max_minutes}")
        if e.min_consecutive_shifts > e.max_consecutive_shifts:
            raise sec.error(n, f"employee {eid}: MinConsecutiveShifts {e.min_consecutive_shifts} exceeds "
                               f"MaxConsecutiveShifts {e.max_consecutive_shifts}")
        staff.append(e)
    known_staff = {e.id for e in staff}

    def employee_of(lines: _Lines, n: int, eid: str) -> str:
        if eid not in known_staff:
            raise lines.error(n, f"unknown employee {eid!r} (not in SECTION_STAFF)")
        return eid

    days_off: dict[str, set[int]] = {}
    if "SECTION_DAYS_OFF" in sections:
        sec = sections["SECTION_DAYS_OFF"]
        for n, parts in sec.rows:
            if len(parts) < 2:
                raise sec.error(n, "expected EmployeeID, then one or more day indexes")
            eid = employee_of(sec, n, parts[0])
            days_off.setdefault(eid, set()).update(day_of(sec, n, p) for p in parts[1:] if p)
    staff = [replace(e, days_off=frozenset(days_off.get(e.id, ()))) for e in staff]

    def requests(key: str) -> tuple[Request, ...]:
        if key not in sections:
            return ()
        sec, out = sections[key], []
        for n, parts in sec.rows:
            eid, day, sid, weight = sec.fields(n, parts, 4, "EmployeeID, Day, ShiftID, Weight")
            out.append(Request(employee_of(sec, n, eid), day_of(sec, n, day), shift_of(sec, n, sid),
                               sec.integer(n, weight, "the weight")))
        return tuple(out)

    sec = sections["SECTION_COVER"]
    cover, seen = [], set()
    for n, parts in sec.rows:
        day, sid, req, under, over = sec.fields(n, parts, 5, "Day, ShiftID, Requirement, Weight for under, "
                                                             "Weight for over")
        c = Cover(day_of(sec, n, day), shift_of(sec, n, sid), sec.integer(n, req, "the requirement"),
                  sec.integer(n, under, "the weight for under"), sec.integer(n, over, "the weight for over"))
        if (c.day, c.shift) in seen:
            raise sec.error(n, f"cover for day {c.day}, shift {c.shift} is given twice")
        seen.add((c.day, c.shift))
        cover.append(c)
    return Instance(path.stem, days, tuple(shifts), tuple(staff), requests("SECTION_SHIFT_ON_REQUESTS"),
                    requests("SECTION_SHIFT_OFF_REQUESTS"), tuple(cover))
