"""Explanations, in a supervisor's words, of the hard rules a roster could not all hold."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from scheduler.roster_problem import RosterProblem
from core.rules import hhmm

LEADER_RULE = "leader on every shift"
LUNCH_RULE = "no lunch during an airing"
REST_RULE = "rest days per week"


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


def _shift_name(p: RosterProblem, s: int) -> str:
    t = p.rules.shifts[s]
    return f"the {t.name_en.lower()} shift ({t.code} {t.start}–{t.end})"


def _names(ids: list[str]) -> str:
    return ", ".join(ids[:-1]) + " and " + ids[-1] if len(ids) > 1 else ids[0]


def leader_conflicts(p: RosterProblem, shift: np.ndarray) -> list[Conflict]:
    """Shifts and days without enough leaders, and why each leader was not there."""
    need = p.rules.leaders_per_shift
    out = []
    leaders = np.flatnonzero(p.leader)
    for d, day in enumerate(p.days):
        for s in range(len(p.shift_codes)):
            present = int((shift[leaders, d] == s).sum())
            if present >= need:
                continue
            reasons: dict[str, list[str]] = {}
            for e in leaders:
                if shift[e, d] == s:
                    continue
                if p.leave[e, d]:
                    why = "on leave"
                elif not p.allowed[e, s]:
                    others = [p.shift_codes[k] for k in np.flatnonzero(p.allowed[e])]
                    why = f"may only work {'/'.join(others)}"
                elif shift[e, d] == -1:
                    why = "on a rest day the weekly rest and consecutive-day rules require"
                else:
                    why = f"needed on shift {p.shift_codes[shift[e, d]]}"
                reasons.setdefault(why, []).append(p.ids[e])
            parts = [f"{_names(ids)} {'is' if len(ids) == 1 else 'are'} {why}" for why, ids in reasons.items()]
            what = "no leader works" if present == 0 else f"only {present} of {need} leaders work"
            detail = "; ".join(parts) if parts else "there are no leaders in the staff list"
            out.append(Conflict(LEADER_RULE, day.date().isoformat(), tuple(p.ids[e] for e in leaders),
                                f"On {day.date().isoformat()} {what} {_shift_name(p, s)}: {detail}."))
    return out


def lunch_conflicts(p: RosterProblem, shift: np.ndarray, lunch_start: np.ndarray) -> list[Conflict]:
    """Days when a shift's people lunch during airings: airings cover every possible lunch hour, or
    leave too few clear lunch hours for the stagger rule (at most a share of the shift together)."""
    out = []
    r = p.rules
    for d, s in p.lunch_forced:
        people = np.flatnonzero(shift[:, d] == s)
        inside = [e for e in people if lunch_start[e, d] >= 0
                  and p.airing[d, lunch_start[e, d]:lunch_start[e, d] + p.lunch_len].any()]
        if not inside:
            continue
        t = r.shifts[s]
        day = p.days[d].date().isoformat()
        slots = p.lunch_slots[s]
        clear = [hhmm(r.open_minute + l * r.interval_minutes) for i, l in enumerate(slots) if p.lunch_clear[d, s, i]]
        phones = int(p.on_phone[people].sum())
        together = f"at most {p.lunch_cap(phones)} of its {phones} people on the phones may be at lunch at the " \
                   f"same time (lunch stagger share {r.lunch_stagger_share:g})"
        if clear:
            hours = "one airing-free lunch hour" if len(clear) == 1 else \
                "airing-free lunch hours that overlap"
            why = (f"airings leave {_shift_name(p, s)} only {hours} (starting {', '.join(clear)}, lunch window "
                   f"{t.lunch_earliest}–{t.lunch_latest_end}) and {together}")
        else:
            why = (f"airings cover every possible lunch hour of {_shift_name(p, s)} "
                   f"(lunch window {t.lunch_earliest}–{t.lunch_latest_end}); {together}")
        ids = [p.ids[e] for e in inside]
        shown = _names(ids) if len(ids) <= 8 else ", ".join(ids[:8]) + f" and {len(ids) - 8} more"
        out.append(Conflict(
            LUNCH_RULE, day, tuple(ids),
            f"On {day} {why}: {len(ids)} of its people lunch during airings ({shown}), "
            f"placed where they leave the airings least short.",
        ))
    return out


def person_conflicts(p: RosterProblem, broken: dict) -> list[Conflict]:
    """People whose weekly rest rule had to give way to the consecutive-day rule (("week", e, w) keys)."""
    out = []
    r = p.rules
    for key, value in sorted(broken.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        if not value:
            continue
        _, e, k = key
        who = p.ids[e]
        leave_days = [p.days[d].date().isoformat() for d in np.flatnonzero(p.leave[e])]
        on_leave = f" (on leave {', '.join(leave_days)})" if leave_days else ""
        week = p.weeks[k]
        first = p.days[week.days[0]].date().isoformat()
        lo, hi = p.rest_bounds[e, k]
        want = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
        out.append(Conflict(REST_RULE, first, (who,),
                            f"{who} cannot have {want} rest day(s) in the week from {first}{on_leave} "
                            f"while working at most {r.max_consecutive_work_days} days in a row; "
                            f"the roster gives a different number of rest days that week."))
    return out
