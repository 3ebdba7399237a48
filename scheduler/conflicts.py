"""Conflicts: a hard rule the roster could not hold, said in a supervisor's words (each rule module in
scheduler.rules explains its own), and the wording they share."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


@dataclass(frozen=True)
class Conflict:
    rule: str
    date: str | None  # ISO date, None when it spans the month
    employees: tuple[str, ...]
    message: str

    def to_dict(self) -> dict:
        out = asdict(self)
        out["employees"] = list(self.employees)
        return out


@dataclass(frozen=True)
class RefusedRequest(Conflict):
    """A requested rest day or shift the roster does not grant (a soft goal, so not a conflict of the
    rules): `kind` is the leave table's kind, `asked` what was asked ('rest' or a shift code) and
    `reason` why, the words after the request in `message`."""

    kind: str = ""
    asked: str = ""
    reason: str = ""


def shift_name(p: RosterProblem, s: int) -> str:
    """'the early shift (E 08:00–17:00)'."""
    t = p.rules.shifts[s]
    return f"the {t.name_en.lower()} shift ({t.code} {t.hours_text})"


def names(ids: list[str]) -> str:
    """'A, B and C'."""
    return ", ".join(ids[:-1]) + " and " + ids[-1] if len(ids) > 1 else ids[0]
