"""A month planned on the command line (`shiftcast demo`, `shiftcast plan --store`) kept in the store the service
reads: its input files as datasets, its forecast, staffing requirement and roster as results, each row made by the
code that makes the API's own (api.datasets, api.results), so the roster page and the API show it as theirs.
The month goes to the site 'default' (api.sites.default_site), the one a token sees when made without a site.

Storing a month again replaces the results the same command stored for that month before, in the one
transaction that adds the new ones; input files already stored as they are now are reused, not copied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.datasets import checked_dataset
from api.db import Dataset, Result
from api.results import forecast_result, roster_result, staffing_result
from api.sites import default_site
from api.schemas import ForecastCreate, RosterCreate, StaffingCreate
from core.errors import DataError
from shiftcast.inputs import InputPaths
from shiftcast.pipeline import PlanResult

# The results a planned month leaves, each replaced when the same command stores the month again.
MONTH_KINDS = ("forecast", "staffing", "roster")


@dataclass
class StoredMonth:
    """What storing a planned month left in the store."""

    month: str
    site_id: int  # the site it is in: the default site
    forecast_id: int
    staffing_id: int
    roster_id: int | None  # None when the plan had no staff to roster
    datasets_added: int
    datasets_reused: int  # input files stored before exactly as they are now
    replaced_ids: list[int] = field(default_factory=list)  # the results of the same command it replaced


def check_storable(paths: InputPaths) -> None:
    """Raise a DataError, before any planning, when the inputs cannot be kept as the API's datasets."""
    if paths.records is not None:
        raise DataError(str(paths.records), "call records cannot be stored for the service, whose calls datasets "
                                            "hold interval counts: give the counts per interval with --calls")
    if paths.calls is None:
        raise DataError("--calls", "storing a month for the service needs the call history it was forecast from")


def store_month(session: Session, paths: InputPaths, plan: PlanResult, *, created_by: str, time_limit_s: float,
                seed: int | None = None) -> StoredMonth:
    """Keep the planned month `plan` (made from the files `paths`) in the store's default site, replacing what
    `created_by` stored there for the same month before; commits once, or stores nothing."""
    check_storable(paths)
    site_id = default_site(session).id
    datasets = _Datasets(session, created_by, site_id)
    rules_id = datasets.add("rules", paths.rules)
    calls_id = datasets.add("calls", paths.calls, rules_id=rules_id)
    ads_history_id = datasets.add("ads", paths.ads, rules_id=rules_id)
    ads_plan_id = datasets.add("ads", paths.plan, rules_id=rules_id)
    staff_id = datasets.add("staff", paths.staff, rules_id=rules_id)
    leave_id = datasets.add("leave", paths.leave, rules_id=rules_id, staff_id=staff_id)

    month = plan.month
    forecast_params = ForecastCreate(calls_id=calls_id, month=month, ads_history_id=ads_history_id,
                                     ads_plan_id=ads_plan_id, rules_id=rules_id, site_id=site_id).model_dump()
    forecast = _added(session, forecast_result(month, forecast_params, plan.forecast, plan.forecast_notes,
                                               site_id=site_id, created_by=created_by))
    # The rules it was sized with and its site, as the API's staffing keeps them.
    staffing_params = StaffingCreate(forecast_id=forecast.id, rules_id=rules_id, site_id=site_id).model_dump()
    staffing = _added(session, staffing_result(month, staffing_params, plan.requirement, site_id=site_id,
                                               created_by=created_by))
    roster = None
    if plan.roster is not None:
        params = RosterCreate(staffing_id=staffing.id, staff_id=staff_id, leave_id=leave_id, ads_plan_id=ads_plan_id,
                              rules_id=rules_id, time_limit_s=time_limit_s, seed=seed, site_id=site_id).model_dump()
        roster = _added(session, roster_result(plan.roster, month, params, plan.inputs.staff, plan.inputs.rules,
                                               site_id=site_id, created_by=created_by))
    new_ids = [r.id for r in (forecast, staffing, roster) if r is not None]
    # The new rows are added before the old ones go, so no id is given again: a served document is cached by id.
    earlier = session.scalars(select(Result).where(
        Result.month == month, Result.created_by == created_by, Result.site_id == site_id,
        Result.kind.in_(MONTH_KINDS), Result.id.not_in(new_ids)).order_by(Result.id)).all()
    for row in earlier:
        session.delete(row)
    session.commit()
    return StoredMonth(month=month, site_id=site_id, forecast_id=forecast.id, staffing_id=staffing.id,
                       roster_id=roster.id if roster is not None else None, datasets_added=datasets.added,
                       datasets_reused=datasets.reused, replaced_ids=[r.id for r in earlier])


def _added(session: Session, row: Result) -> Result:
    session.add(row)
    session.flush()  # its id, for the next result's request to name
    return row


@dataclass
class _Datasets:
    """Input files made into datasets of site `site_id`, each checked by its loader as an upload is; one stored
    there before with the same name, content and references is reused."""

    session: Session
    created_by: str
    site_id: int
    added: int = 0
    reused: int = 0

    def add(self, kind: str, path: Path | None, *, rules_id: int | None = None,
            staff_id: int | None = None) -> int | None:
        if path is None:
            return None
        row = checked_dataset(self.session, kind, path.name, content=Path(path).read_bytes(), staff_id=staff_id,
                              rules_id=rules_id, site_id=self.site_id, created_by=self.created_by)
        same = self.session.scalar(select(Dataset.id).where(
            Dataset.site_id == row.site_id, Dataset.kind == row.kind, Dataset.name == row.name,
            Dataset.sha256 == row.sha256,
            Dataset.staff_id == row.staff_id, Dataset.rules_id == row.rules_id,  # == None is IS NULL
        ).order_by(Dataset.id).limit(1))
        if same is not None:
            self.reused += 1
            return same
        self.session.add(row)
        self.session.flush()
        self.added += 1
        return row.id
