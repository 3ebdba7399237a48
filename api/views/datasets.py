"""/api/v1/datasets: upload calls, ads, staff, leave, clock records, the dated shift cover (CSV or JSON; staff, leave and
clock also .xlsx) and rules (TOML or JSON)."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import select

from api import limits, sites, store, uploads
from api.auth import READ, SUPERVISE, caller_name
from api.datasets import checked_dataset
from api.db import Dataset
from api.openapi import operation
from api.problems import data_error_problem
from api.schemas import DatasetFilter, DatasetList, DatasetOut, DatasetQuery, DatasetUpload
from api.views.common import PREFIX, dataset_out, download, uploaded_file
from core.errors import DataError

bp = Blueprint("datasets", __name__, url_prefix=PREFIX + "/datasets")

KINDS = ("calls", "ads", "staff", "leave", "rules", "clock", "shift_cover")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_UPLOAD = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
    "application/toml": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                       "required": ["file"]}},
}


def _store(kind: str, name: str, *, content: bytes | None = None, rules_table: dict | None = None,
           staff_id: int | None = None, rules_id: int | None = None, site_id: int | None = None,
           rows_pointer: str | None = None) -> Dataset:
    """Validate an upload with its loader and store it whole in its site, or raise and store nothing."""
    s = store.session()
    site_id = sites.site_for_new(s, site_id)
    try:
        row = checked_dataset(s, kind, name, content=content, rules_table=rules_table, staff_id=staff_id,
                              rules_id=rules_id, site_id=site_id, created_by=caller_name())
    except DataError as exc:
        raise data_error_problem(exc, rows_pointer) from None
    limits.check_rows(kind, row.rows, row.name)
    s.add(row)
    s.commit()
    return row


def _created(row: Dataset):
    return dataset_out(row), 201, {"Location": url_for("datasets.get_dataset", dataset_id=row.id)}


@bp.post("")
@operation("Upload a dataset as JSON rows (or a rules table)", tag="datasets", roles=SUPERVISE, body=DatasetUpload,
           responses={201: DatasetOut},
           description="Rows carry the columns of the kind's CSV file, same names and values. The loaders validate them; a bad cell is a 422 whose "
                       "`errors[0].pointer` is /rows/<index>/<column>. Nothing is stored unless all is valid.")
def upload_json(body: DatasetUpload):
    content = uploads.rows_to_csv(body.rows) if body.rows is not None else None
    return _created(_store(body.kind, body.name, content=content, rules_table=body.rules, staff_id=body.staff_id,
                           rules_id=body.rules_id, site_id=body.site_id, rows_pointer="/rows"))


@bp.post("/<any(calls, ads, staff, leave, rules, clock, shift_cover):kind>")
@operation("Upload a dataset file (CSV; .xlsx for staff, leave and clock; TOML for rules)", tag="datasets", roles=SUPERVISE, query=DatasetQuery,
           raw_body=FILE_UPLOAD, responses={201: DatasetOut},
           path_schemas={"kind": {"type": "string", "enum": list(KINDS)}},
           description="The body is the file itself (text/csv, application/toml; an .xlsx workbook for staff, leave and clock, "
                       "whose first sheet is read and stored as CSV) or a multipart form with `file`. "
                       "Errors name the file, row and column (and the sheet of a workbook).")
def upload_file(kind: str, query: DatasetQuery, body: bytes):
    body, name = uploaded_file(body, query.name)
    return _created(_store(kind, name, content=body, staff_id=query.staff_id, rules_id=query.rules_id,
                           site_id=query.site_id))


@bp.get("")
@operation("List datasets", tag="datasets", roles=READ, query=DatasetFilter, responses={200: DatasetList})
def list_datasets(query: DatasetFilter):
    stmt = sites.visible(select(Dataset).order_by(Dataset.id.desc()), Dataset.site_id)
    if query.kind:
        stmt = stmt.where(Dataset.kind == query.kind)
    if query.site_id:
        stmt = stmt.where(Dataset.site_id == query.site_id)
    return DatasetList(items=[dataset_out(r) for r in store.session().scalars(stmt)])


def _dataset(dataset_id: int) -> Dataset:
    return sites.seen_row(store.session(), Dataset, dataset_id, f"dataset {dataset_id}")


@bp.get("/<id:dataset_id>")
@operation("A dataset's description", tag="datasets", roles=READ, responses={200: DatasetOut})
def get_dataset(dataset_id: int):
    return dataset_out(_dataset(dataset_id))


@bp.get("/<id:dataset_id>/content")
@operation("A dataset's content as stored (CSV, or TOML for rules)", tag="datasets", roles=READ,
           responses={200: {"text/csv": {"schema": {"type": "string"}},
                            "application/toml": {"schema": {"type": "string"}}}})
def get_dataset_content(dataset_id: int):
    row = _dataset(dataset_id)
    if row.kind == "rules":
        return download(row.content, "application/toml", f"{row.kind}-{row.id}.toml")
    return download(row.content, "text/csv", f"{row.kind}-{row.id}.csv")
