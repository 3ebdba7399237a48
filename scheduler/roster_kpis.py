"""What a solved roster measures: shortfall, hours, fairness, expected service and the objective's parts."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

OBJECTIVE_PREFIX = "objective_"


@dataclass(frozen=True)
class RosterKpis:
    shortfall_agent_intervals: int
    airing_shortfall_agent_intervals: int
    overstaff_agent_intervals: int
    short_intervals: int
    required_agent_intervals: int
    staffed_agent_intervals: int
    leaders_missing: int
    paid_hours: float
    overtime_hours: float
    late_shift_spread: int
    weekend_rest_spread: int
    conflicts: int
    # None when the requirement has no calls (and the abandoned calls when no abandonment rate is known).
    expected_service_level: float | None = None
    expected_abandoned_calls: float | None = None
    # Callbacks of the abandoned calls (scheduler.callbacks) with the roster's people; None when callbacks are
    # off or no abandonment is known.
    callbacks_expected: float | None = None
    callbacks_done_in_time: float | None = None
    callbacks_missed: float | None = None
    objective_parts: dict[str, int] = field(default_factory=dict)  # objective key -> cost

    def as_table(self) -> dict[str, float | int | None]:
        """The KPIs as one flat, ordered name -> value table (the workbook's sheet, the API's `kpis`):
        the measures in field order, an unknown optional one left out, then `objective_<key>` per part."""
        table = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "objective_parts"}
        table = {k: v for k, v in table.items() if v is not None}
        return table | {OBJECTIVE_PREFIX + k: v for k, v in self.objective_parts.items()}

    @classmethod
    def from_table(cls, table: dict) -> RosterKpis:
        """The inverse of as_table (e.g. a stored roster's JSON `kpis`)."""
        measures = {k: v for k, v in table.items() if not k.startswith(OBJECTIVE_PREFIX)}
        parts = {k.removeprefix(OBJECTIVE_PREFIX): v for k, v in table.items() if k.startswith(OBJECTIVE_PREFIX)}
        return cls(**measures, objective_parts=parts)
