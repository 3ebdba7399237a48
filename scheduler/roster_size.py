"""How much memory building a roster's models takes, estimated from the problem's size before any of it is
built, and the refusal of a problem above a budget.

Measured (build_problem and the first day-level model of synthetic months of 31 days, benchmarks.roster_limits:
peak RSS less the process before it): 1,000 people 23 MB, 4,000 people 36 MB, 10,000 people 58 MB, 30,000
people 128 MB, about 3.5–4 KB a person-month; the estimate takes 160 bytes a person-day (5 KB a
person-month) so that it stays above what was measured, and the day-level counts (days × shifts × intervals)
at 1 KB each.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import DataError

PERSON_DAY_BYTES = 160
COUNT_BYTES = 1024
BASE_BYTES = 16 * 2**20


@dataclass(frozen=True)
class ModelSize:
    """What a roster's models grow with: people, days, shifts and open intervals a day."""

    people: int
    days: int
    shifts: int
    intervals: int

    @property
    def bytes(self) -> int:
        """Estimated memory to build the models (bytes)."""
        return (BASE_BYTES + PERSON_DAY_BYTES * self.people * self.days
                + COUNT_BYTES * self.days * self.shifts * self.intervals)

    def most_people(self, budget_bytes: int) -> int:
        """The most people whose models fit `budget_bytes` for these days, shifts and intervals."""
        counts = BASE_BYTES + COUNT_BYTES * self.days * self.shifts * self.intervals
        return max((budget_bytes - counts) // (PERSON_DAY_BYTES * self.days), 0)


def check_model_size(size: ModelSize, budget_bytes: int, source: str = "staff") -> None:
    """A DataError naming the staff when building the models of `size` would take more than `budget_bytes`."""
    if size.bytes <= budget_bytes:
        return
    raise DataError(source, f"a roster of {size.people:,} people over {size.days} days would take about "
                            f"{_mb(size.bytes)} to build, more than this server's budget of {_mb(budget_bytes)} "
                            f"(ROSTER_MODEL_MAX_BYTES): roster at most {size.most_people(budget_bytes):,} people at "
                            "once, one call center (site) or team at a time, or raise the budget")


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"
