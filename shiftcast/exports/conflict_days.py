"""The roster's conflicts taken together for print: one row per rule and day, in the reader's language.

A month whose airings crowd the lunch hours has a conflict per day and shift; a supervisor reads them
per day ("12-05: 14 people lunch during airings: 11:00 ×7, 11:15 ×7"), not as one paragraph each.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scheduler.conflicts import Conflict
from scheduler.rules.leader_per_shift import RULE as LEADER_PER_SHIFT
from scheduler.rules.lunch_airings import RULE as LUNCH_AIRINGS
from scheduler.rules.shift_cover import RULE as SHIFT_COVER
from scheduler.rules.weekly_rest import RULE as WEEKLY_REST
from shiftcast.exports.labels import label

# Each rule's label keys: its name, what a day of its conflicts says after its count, and why its
# conflicts come, where a day's words leave that out.
_WORDS = {
    LUNCH_AIRINGS.name: ("rule_lunch_airings", "conflict_lunch_airings", "why_lunch_airings"),
    LEADER_PER_SHIFT.name: ("rule_leader_per_shift", "conflict_leader_per_shift", None),
    WEEKLY_REST.name: ("rule_weekly_rest", "conflict_weekly_rest", None),
    SHIFT_COVER.name: ("rule_shift_cover", "conflict_shift_cover", None),
}
# The leader and shift-cover rules count shifts short; the others count people.
_COUNTS_SHIFTS = {LEADER_PER_SHIFT.name, SHIFT_COVER.name}


@dataclass(frozen=True)
class ConflictDay:
    """One rule's conflicts on one day (a week's first day for weekly rules; '' for the whole month)."""

    rule: str
    date: str
    conflicts: int  # how many of the rule's conflicts fell on the day (e.g. one per shift)
    employees: tuple[str, ...]  # everyone they name, once each, in the order named
    lunches: tuple[str | None, ...] = ()  # each employee's lunch start that day, for the lunch rule
    messages: tuple[str, ...] = ()  # the conflicts' words, for a rule naming no one (shift cover's counts)

    @property
    def count(self) -> int:
        """The number the day's words give: shifts for the leader rule, people for the others."""
        return self.conflicts if self.rule in _COUNTS_SHIFTS else len(self.employees)


def conflict_days(conflicts: list[Conflict], assignments: pd.DataFrame | None = None) -> list[ConflictDay]:
    """`conflicts` per rule and day, by day; lunch times from `assignments` (employee_id, date, lunch_start)."""
    grouped: dict[tuple[str, str], list[Conflict]] = {}
    for c in conflicts:
        grouped.setdefault((str(c.rule), date_text(c.date)), []).append(c)
    lunch_of: dict[tuple[str, str], str | None] = {}
    if assignments is not None and len(assignments):
        days = pd.to_datetime(assignments["date"]).dt.strftime("%Y-%m-%d")
        lunch_of = dict(zip(zip(assignments["employee_id"].astype(str), days), assignments["lunch_start"]))
    out = []
    for (rule, date), found in sorted(grouped.items(), key=lambda item: item[0][1]):
        ids = tuple(dict.fromkeys(str(e) for c in found for e in c.employees))
        lunches = tuple(lunch_of.get((e, date)) for e in ids) if rule == LUNCH_AIRINGS.name else ()
        out.append(ConflictDay(rule, date, len(found), ids, lunches, tuple(c.message for c in found)))
    return out


def date_text(value) -> str:
    """A conflict's date as YYYY-MM-DD; whatever else it is (a range, a week) as its text."""
    if value is None or isinstance(value, str):
        return value or ""
    try:
        return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)


def rule_words(day: ConflictDay, lang: str) -> str:
    """The rule's name in `lang`; a rule without words of its own keeps its name."""
    keys = _WORDS.get(day.rule)
    return label(keys[0], lang) if keys else day.rule


def day_words(day: ConflictDay, lang: str) -> str:
    """What the day's conflicts of the rule say after their count, in `lang`: '(14) people lunch during airings'."""
    keys = _WORDS.get(day.rule)
    return label(keys[1] if keys else "conflict_other", lang)


def people_words(day: ConflictDay) -> str:
    """Lunches during airings by start time ('11:00 ×9, 11:15 ×8': who is marked in the lunch grid); the
    ids named otherwise, or the conflicts' words where they name no one."""
    if not day.employees:
        return "; ".join(day.messages)
    if not day.lunches:
        return ", ".join(day.employees)
    starts = pd.Series([lunch for lunch in day.lunches if lunch is not None], dtype=object)
    return ", ".join(f"{start} ×{n}" for start, n in starts.value_counts().sort_index().items())


def why_words(days: list[ConflictDay], lang: str) -> list[str]:
    """Why the rules among `days` give way, once per rule that has words for it."""
    keys = [_WORDS[rule][2] for rule in dict.fromkeys(d.rule for d in days) if rule in _WORDS]
    return [label(key, lang) for key in keys if key]
