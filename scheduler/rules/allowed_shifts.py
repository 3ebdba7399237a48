"""Allowed shifts (the staff's `shifts` column): people work only the shifts they may. The models hold
it by construction (day counts only for a class's allowed shifts); the check is explicit."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import RosterRule

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable


class AllowedShifts(RosterRule):
    name = "allowed shifts"
    keys = ("shifts",)

    def check(self, t: RosterTable) -> list[str]:
        allowed = dict(zip(t.staff["employee_id"], t.staff["shifts"]))
        return [f"{self.name}: {emp} works {code} on {day.date()} but may only work {'/'.join(allowed.get(emp, ()))}"
                for emp, day, code in t.assignments[["employee_id", "date", "shift"]].itertuples(index=False)
                if code in t.codes and code not in tuple(allowed.get(emp, ()))]


RULE = AllowedShifts()
