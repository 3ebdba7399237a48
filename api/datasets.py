"""A dataset checked by its loader and made into the row the store keeps: what an upload through the API
stores, and what a month stored by the CLI (api.planned_month) keeps of its input files."""
from __future__ import annotations

from sqlalchemy.orm import Session

from api import inputs, uploads
from api.db import Dataset
from api.problems import Problem
from api.schemas import STAFF_TABLES
from core.rules import rules_from_toml


def checked_dataset(session: Session, kind: str, name: str, *, content: bytes | None = None,
                    rules_table: dict | None = None, staff_id: int | None = None, rules_id: int | None = None,
                    site_id: int, created_by: str = "") -> Dataset:
    """The row of a dataset of site `site_id` validated by its loader (not yet added to the session); a DataError
    names the file, row and column at fault. The rules and staff it refers to must be of the same site."""
    source = name or (f"{kind}.toml" if kind == "rules" else f"{kind}.csv")
    if kind == "rules":
        rules = (uploads.rules_from_dict_checked(rules_table, source) if rules_table is not None
                 else rules_from_toml(content or b"", source))
        canonical, rows = uploads.canonical_rules(rules), 0
        summary = {"shifts": ",".join(rules.shift_codes), "interval_minutes": rules.interval_minutes}
    else:
        rules = inputs.rules(session, rules_id, site_id=site_id)
        if kind in STAFF_TABLES and staff_id is None:
            raise Problem(422, f"a {kind} upload needs staff_id, the staff dataset it refers to",
                          title="Invalid request", slug="invalid-request",
                          errors=[{"parameter": "staff_id", "detail": f"required for kind={kind}"}])
        staff = (inputs.table(session, staff_id, "staff", "staff_id", rules, site_id=site_id) if kind in STAFF_TABLES
                 else None)
        frame = uploads.read_table(kind, content, source, staff=staff, rules=rules)
        canonical, rows = uploads.canonical_table(kind, content, source), len(frame)
        summary = uploads.table_summary(kind, frame)
    return Dataset(kind=kind, name=name or source, rows=rows, sha256=uploads.sha256(canonical), content=canonical,
                   summary=summary, staff_id=staff_id if kind in STAFF_TABLES else None,
                   rules_id=rules_id if kind != "rules" else None, site_id=site_id, created_by=created_by)
