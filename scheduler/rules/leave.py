"""Approved leave (the leave table's kind `leave`): fixed before the roster is built. Leave days are no
one's rest or work days in the models; the check holds the roster to the leave table both ways."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import RosterRule

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable


class ApprovedLeave(RosterRule):
    name = "approved leave"

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp in t.ids:
            for day in t.days:
                code = t.table.at[emp, day]
                if (emp, day) in t.on_leave and code != t.LEAVE:
                    out.append(f"{self.name}: {emp} is on leave on {day.date()} but rostered {code}")
                if (emp, day) not in t.on_leave and code == t.LEAVE:
                    out.append(f"{self.name}: {emp} is LEAVE on {day.date()} without approved leave")
        return out


RULE = ApprovedLeave()
