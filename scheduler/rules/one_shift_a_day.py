"""One shift a day (the rules' `shifts`): every person has one row a day with a known shift code, OFF or
LEAVE. The models hold it by construction (one rest-or-shift choice per person and day); the check is
explicit."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from scheduler.rules.base import RosterRule

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable


class OneShiftADay(RosterRule):
    name = "one shift a day"
    keys = ("shifts",)

    def check(self, t: RosterTable) -> list[str]:
        out = []
        a = t.assignments
        dup = a.duplicated(["employee_id", "date"])
        for emp, day in a.loc[dup, ["employee_id", "date"]].itertuples(index=False):
            out.append(f"{self.name}: {emp} has more than one row on {day.date()}")
        for emp, row in t.table.iterrows():
            for day, code in row.items():
                if pd.isna(code):
                    out.append(f"one row a day: {emp} has no row on {day.date()}")
                elif code not in t.codes and code not in (t.OFF, t.LEAVE):
                    out.append(f"shift codes: {emp} on {day.date()} has unknown shift {code!r}")
        return out


RULE = OneShiftADay()
